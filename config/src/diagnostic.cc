// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#include "sipdns/config/diagnostic.h"

#include <algorithm>
#include <cstdio>
#include <vector>

namespace sipdns::config {

// `file:line:col: message`, the form compilers use, so editors can jump to it; warnings say so
// as compilers do (`file:line:col: warning: message`).
std::string Diagnostic::to_string() const {
    const std::string kind = severity == Severity::Warning ? "warning: " : "";
    if (pos.line == 0) return file + ": " + kind + message;
    return file + ":" + std::to_string(pos.line) + ":" + std::to_string(pos.column) + ": " + kind +
           message;
}

std::size_t count_errors(const Diagnostics& diags) {
    return static_cast<std::size_t>(
        std::count_if(diags.begin(), diags.end(), [](const Diagnostic& d) { return d.is_error(); }));
}

void sort_by_position(Diagnostics& diags) {
    std::stable_sort(diags.begin(), diags.end(), [](const Diagnostic& a, const Diagnostic& b) {
        if (a.pos.line != b.pos.line) return a.pos.line < b.pos.line;
        return a.pos.column < b.pos.column;
    });
    Diagnostics unique;
    unique.reserve(diags.size());
    std::size_t group_start = 0;  // equal positions are neighbours now: compare within them
    for (auto& d : diags) {
        if (!unique.empty() && !(unique.back().pos == d.pos)) group_start = unique.size();
        if (std::none_of(unique.begin() + static_cast<std::ptrdiff_t>(group_start), unique.end(),
                         [&](const Diagnostic& u) { return u.message == d.message && u.file == d.file; }))
            unique.push_back(std::move(d));
    }
    diags = std::move(unique);
}

namespace {

// The length of the well-formed UTF-8 sequence at the start of `s` (RFC 3629 §4: no overlong
// forms, no surrogates, nothing above U+10FFFF), or 0 if it is not one.
std::size_t utf8_sequence_length(std::string_view s) {
    const auto byte = [&s](std::size_t i) { return static_cast<unsigned char>(s[i]); };
    const auto continuation = [&](std::size_t i) {
        return i < s.size() && (byte(i) & 0xC0) == 0x80;
    };
    const unsigned char b0 = byte(0);
    if (b0 < 0x80) return 1;
    if (b0 >= 0xC2 && b0 <= 0xDF) return continuation(1) ? 2 : 0;
    if (b0 >= 0xE0 && b0 <= 0xEF) {
        if (!continuation(1) || !continuation(2)) return 0;
        if (b0 == 0xE0 && byte(1) < 0xA0) return 0;   // overlong
        if (b0 == 0xED && byte(1) >= 0xA0) return 0;  // UTF-16 surrogates
        return 3;
    }
    if (b0 >= 0xF0 && b0 <= 0xF4) {
        if (!continuation(1) || !continuation(2) || !continuation(3)) return 0;
        if (b0 == 0xF0 && byte(1) < 0x90) return 0;  // overlong
        if (b0 == 0xF4 && byte(1) >= 0x90) return 0;  // above U+10FFFF
        return 4;
    }
    return 0;
}

// One character of the value as shown: itself, or an escape that keeps the message on one line
// and its bytes readable.
std::string shown_character(std::string_view sequence) {
    const auto b0 = static_cast<unsigned char>(sequence[0]);
    char buf[8];
    if (sequence.size() == 1) {
        switch (b0) {
            case '\n':
                return "\\n";
            case '\r':
                return "\\r";
            case '\t':
                return "\\t";
            default:
                break;
        }
        if (b0 < 0x20 || b0 >= 0x7F) {  // other controls, DEL, and a byte that is not UTF-8
            std::snprintf(buf, sizeof buf, "\\x%02x", b0);
            return buf;
        }
        return std::string(sequence);
    }
    // C1 controls (U+0080-U+009F: NEL ends a line on some terminals) and the Unicode line and
    // paragraph separators.
    const auto b1 = static_cast<unsigned char>(sequence[1]);
    if (b0 == 0xC2 && b1 < 0xA0) {
        std::snprintf(buf, sizeof buf, "\\u%04x", b1);
        return buf;
    }
    if (sequence == "\u2028") return "\\u2028";
    if (sequence == "\u2029") return "\\u2029";
    return std::string(sequence);
}

// As much of `value` as fits in kShownValueColumns, shown; `consumed` is how many bytes of it
// that covers.
std::string shown_prefix(std::string_view value, std::size_t& consumed) {
    std::string out;
    std::size_t columns = 0;
    std::size_t i = 0;
    while (i < value.size()) {
        const std::size_t length = std::max<std::size_t>(1, utf8_sequence_length(value.substr(i)));
        const std::string shown = shown_character(value.substr(i, length));
        // An escape is as wide as its text; any other character is one column.
        const std::size_t width = shown.size() > 1 && shown[0] == '\\' ? shown.size() : 1;
        if (columns + width > kShownValueColumns) break;
        out += shown;
        columns += width;
        i += length;
    }
    consumed = i;
    return out;
}

std::string size_note(std::string_view value) {
    return " (" + std::to_string(value.size()) + " bytes)";
}

}  // namespace

std::string show_value(std::string_view value) {
    // Printable ASCII that fits is shown as it is (every key of a 100,000-host site's hosts:
    // goes through here, for the paths of messages).
    if (value.size() <= kShownValueColumns &&
        std::all_of(value.begin(), value.end(), [](char c) { return c >= 0x20 && c < 0x7f; }))
        return std::string(value);
    std::size_t consumed = 0;
    std::string out = shown_prefix(value, consumed);
    if (consumed < value.size()) out += "\u2026" + size_note(value);
    return out;
}

std::string quote_value(std::string_view value) {
    std::size_t consumed = 0;
    const std::string shown = shown_prefix(value, consumed);
    // 'the start…' (N bytes): the quote closes the value, the size stands outside it.
    if (consumed < value.size()) return "'" + shown + "\u2026'" + size_note(value);
    return "'" + shown + "'";
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
    for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
    for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
                d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
            }
        }
    }
    return d[a.size()][b.size()];
}

std::string_view closest_spelling(std::string_view typed, std::span<const std::string_view> known) {
    constexpr std::size_t kMaxEdits = 2;
    std::string lower;
    for (const char c : typed.substr(0, 256)) {
        lower += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    }
    std::string_view best;
    std::size_t best_distance = kMaxEdits + 1;
    for (const std::string_view k : known) {
        // Lengths further apart than kMaxEdits are further apart in edits too: no table (a
        // 50 MB key would need 50 million rows of it).
        if (lower.size() > k.size() + kMaxEdits || k.size() > lower.size() + kMaxEdits) continue;
        const std::size_t d = edit_distance(lower, k);
        if (d < best_distance && 2 * d <= lower.size()) {
            best = k;
            best_distance = d;
        }
    }
    return best;
}

}  // namespace sipdns::config
