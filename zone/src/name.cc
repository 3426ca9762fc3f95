// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#include "sipdns/zone/name.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>

namespace sipdns::zone {

std::string name_to_wire(std::string_view text) {
    std::string wire;
    name_to_wire(text, wire);
    return wire;
}

void name_to_wire(std::string_view text, std::string& wire) {
    wire.clear();
    wire.reserve(text.size() + 2);
    if (!text.empty() && text.back() == '.') text.remove_suffix(1);
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t dot = text.find('.', start);
        if (dot == std::string_view::npos) dot = text.size();
        const std::size_t len = dot - start;
        wire.push_back(static_cast<char>(len));
        for (std::size_t i = start; i < dot; ++i) {
            const char c = text[i];
            wire.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c);
        }
        start = dot + 1;
    }
    wire.push_back('\0');
}

std::string name_under(std::string_view prefix_text, std::string_view parent_wire) {
    std::string name = name_to_wire(prefix_text);
    name.pop_back();  // the root label; the parent brings its own
    name.append(parent_wire);
    return name;
}

std::string name_to_text(std::string_view wire) {
    std::string text;
    std::size_t i = 0;
    while (i < wire.size()) {
        const auto len = static_cast<unsigned char>(wire[i]);
        if (len == 0) break;
        for (std::size_t j = i + 1; j <= i + len && j < wire.size(); ++j) {
            const auto c = static_cast<unsigned char>(wire[j]);
            if (c == '.' || c == '\\' || c == '"' || c == ';' || c == '(' || c == ')' ||
                c == '@' || c == '$') {
                text.push_back('\\');
                text.push_back(static_cast<char>(c));
            } else if (c <= 0x20 || c >= 0x7f) {
                text.push_back('\\');
                text.push_back(static_cast<char>('0' + c / 100));
                text.push_back(static_cast<char>('0' + (c / 10) % 10));
                text.push_back(static_cast<char>('0' + c % 10));
            } else {
                text.push_back(static_cast<char>(c));
            }
        }
        text.push_back('.');
        i += len + 1;
    }
    if (text.empty()) text.push_back('.');
    return text;
}

std::string_view name_parent(std::string_view wire) {
    if (wire.empty() || wire[0] == 0) return {};
    const auto len = static_cast<unsigned char>(wire[0]);
    if (len + 1u >= wire.size()) return {};
    return wire.substr(len + 1);
}

bool name_is_at_or_below(std::string_view name, std::string_view ancestor) {
    if (ancestor.size() > name.size()) return false;
    // Walk label boundaries of `name` so that "xexample" is not taken for "example".
    std::size_t i = 0;
    while (name.size() - i > ancestor.size()) {
        i += static_cast<unsigned char>(name[i]) + 1u;
    }
    return name.size() - i == ancestor.size() && name.substr(i) == ancestor;
}

std::size_t name_label_count(std::string_view wire) {
    std::size_t n = 0;
    for (std::size_t i = 0; i < wire.size() && wire[i] != 0;
         i += static_cast<unsigned char>(wire[i]) + 1u)
        ++n;
    return n;
}

std::size_t name_wire_length(std::string_view data) {
    std::size_t i = 0;
    while (i < data.size()) {
        const auto len = static_cast<unsigned char>(data[i]);
        if (len == 0) return i + 1 <= kMaxNameWire ? i + 1 : 0;
        if (len > 63) return 0;
        i += len + 1u;
    }
    return 0;
}

namespace {
// Where each label of a wire name starts, leftmost first: on the stack, as the sort of a
// zone's nodes compares names about n log n times (RFC 1035 §3.1: at most 127 labels).
struct LabelStarts {
    std::array<std::uint16_t, 128> at{};
    std::size_t count = 0;

    explicit LabelStarts(std::string_view wire) {
        for (std::size_t i = 0; i < wire.size() && wire[i] != 0 && count < at.size();) {
            at[count++] = static_cast<std::uint16_t>(i);
            i += static_cast<unsigned char>(wire[i]) + 1u;
        }
    }
    std::string_view label(std::string_view wire, std::size_t k) const {
        return wire.substr(at[k] + 1u, static_cast<unsigned char>(wire[at[k]]));
    }
};
}  // namespace

bool name_canonical_less(std::string_view a, std::string_view b) {
    // RFC 4034 §6.1: compare label by label from the root, each label as lower-case octets.
    const LabelStarts la(a);
    const LabelStarts lb(b);
    for (std::size_t ka = la.count, kb = lb.count; ka > 0 && kb > 0; --ka, --kb) {
        const std::string_view x = la.label(a, ka - 1);
        const std::string_view y = lb.label(b, kb - 1);
        // std::string_view compares octets as unsigned char (char_traits<char>, like memcmp).
        if (const int c = x.compare(y); c != 0) return c < 0;
    }
    return la.count < lb.count;
}

}  // namespace sipdns::zone
