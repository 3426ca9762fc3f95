// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#include "yaml_reader.h"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <tuple>

#include "sipdns/config/dns_name.h"

namespace sipdns::config::detail {

namespace msg {

std::string unknown_key(std::string_view key, KeyList known) {
    const std::string_view best = closest_spelling(key, known);
    if (!best.empty()) return "unknown key; did you mean '" + std::string(best) + "'?";

    std::string s = "unknown key (expected one of: ";
    for (std::size_t i = 0; i < known.size(); ++i) {
        if (i) s += ", ";
        s += known[i];
    }
    return s + ")";
}

std::string at_line(std::uint32_t line) {
    return "(first at line " + std::to_string(line) + ")";
}

std::string duplicate(std::string_view what, std::string_view written, std::uint32_t first_line) {
    return "duplicate " + std::string(what) + " " + quote_value(written) + " " + at_line(first_line);
}

std::string listed_twice(std::string_view written) {
    return quote_value(written) + " is listed twice";
}

std::string invalid_name(std::string_view kind, std::string_view written, const std::string& why) {
    return "invalid " + std::string(kind) + " " + quote_value(written) + ": " + why;
}

}  // namespace msg

std::string lower_ascii(std::string_view s) {
    std::string out(s);
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return out;
}

bool all_digits(std::string_view s) {
    return !s.empty() &&
           std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// A key the user wrote may be anything (a 50 MB scalar, a newline): shown like a value.
std::string join(const std::string& path, std::string_view key) {
    return path.empty() ? show_value(key) : path + "." + show_value(key);
}

std::string index(const std::string& path, std::size_t i) {
    return path + "[" + std::to_string(i) + "]";
}

SourcePos pos_of(const yaml::Node& node, SourcePos fallback) {
    if (node.is_null()) return fallback;
    return node.pos();
}

std::string describe(const yaml::Node& n) {
    if (n.is_null()) return "nothing";
    if (n.is_sequence()) return "a list";
    if (n.is_mapping()) return "a mapping";
    const std::string_view s = n.scalar();
    if (all_digits(s) || (s.size() > 1 && s[0] == '-' && all_digits(s.substr(1)))) {
        return show_value(s);
    }
    return quote_value(s);
}

std::string as_flow_list(std::string_view scalar) {
    std::string out = "[";
    std::size_t start = 0;
    bool first = true;
    while (start <= scalar.size()) {
        const auto comma = scalar.find(',', start);
        std::string_view item =
            scalar.substr(start, comma == std::string_view::npos ? scalar.npos : comma - start);
        const auto begin = item.find_first_not_of(" \t");
        item = begin == std::string_view::npos
                   ? std::string_view()
                   : item.substr(begin, item.find_last_not_of(" \t") - begin + 1);
        if (item.size() > kShownValueColumns) return {};
        if (!item.empty()) {
            // Characters that would make YAML read the item as something else in a flow list
            // (':' splits a key from a value in some parsers, '[' opens a list, ...).
            const bool quote = item.find_first_of(":[]{}#&*!|>'\"%@`") != std::string_view::npos;
            const bool printable = std::all_of(item.begin(), item.end(), [](char c) {
                return static_cast<unsigned char>(c) >= 0x20 && c != '"' && c != '\\';
            });
            if (!printable) return {};
            if (!first) out += ", ";
            out += quote ? "\"" + std::string(item) + "\"" : std::string(item);
            first = false;
        }
        if (comma == std::string_view::npos) break;
        start = comma + 1;
        if (out.size() > kShownValueColumns) return {};
    }
    out += "]";
    if (first || out.size() > kShownValueColumns) return {};
    return out;
}

std::optional<std::uint64_t> seconds_with_units(std::string_view text) {
    // BIND's units (named.conf and zone-file TTLs): s, m, h, d, w, either case, summed.
    std::uint64_t total = 0;
    bool any_unit = false;
    std::size_t i = 0;
    while (i < text.size()) {
        std::size_t j = i;
        while (j < text.size() && text[j] >= '0' && text[j] <= '9') ++j;
        if (j == i || j == text.size() || j - i > 10) return std::nullopt;
        std::uint64_t n = 0;
        std::from_chars(text.data() + i, text.data() + j, n);
        std::uint64_t scale = 0;
        switch (text[j] | 0x20) {
            case 's': scale = 1; break;
            case 'm': scale = 60; break;
            case 'h': scale = 3600; break;
            case 'd': scale = 86400; break;
            case 'w': scale = 604800; break;
            default: return std::nullopt;
        }
        total += n * scale;
        any_unit = true;
        i = j + 1;
    }
    if (!any_unit) return std::nullopt;
    return total;
}

const Value* Mapping::get(std::string_view key) const {
    for (const auto& [k, v] : fields_) {
        if (k == key) return &v;
    }
    return nullptr;
}

void Reader::error(SourcePos pos, std::string message) {
    diags_.push_back({file_, pos, std::move(message)});
}

void Reader::error(const Value& v, const std::string& message) {
    error(v.pos, v.path.empty() ? message : v.path + ": " + message);
}

void Reader::expected(const Value& v, std::string_view what) {
    error(v, "expected " + std::string(what) + ", got " + describe(v.node));
}

void Reader::warning(const Value& v, const std::string& message) {
    diags_.push_back({file_, v.pos, v.path.empty() ? message : v.path + ": " + message,
                      Diagnostic::Severity::Warning});
}

void Reader::missing(const Value& parent, std::string_view key) {
    error(parent.pos, join(parent.path, key) + ": " + msg::kRequired);
}

Diagnostics Reader::take() {
    std::stable_sort(diags_.begin(), diags_.end(), [](const Diagnostic& a, const Diagnostic& b) {
        return std::tie(a.pos.line, a.pos.column) < std::tie(b.pos.line, b.pos.column);
    });
    return std::move(diags_);
}

std::optional<std::vector<Entry>> Reader::entries(const Value& v, std::string_view what) {
    std::vector<Entry> out;
    out.reserve(v.node.size());
    if (!each_entry(v, what, [&out](Entry&& e) { out.push_back(std::move(e)); }))
        return std::nullopt;
    return out;
}

std::optional<Mapping> Reader::mapping(const Value& v, KeyList known, std::string_view what) {
    auto list = entries(v, what);
    if (!list) return std::nullopt;
    Mapping m;
    FirstSeen seen;
    for (auto& e : *list) {
        const std::string path = join(v.path, e.key);
        if (std::find(known.begin(), known.end(), e.key) == known.end()) {
            error(e.key_pos, path + ": " + msg::unknown_key(e.key, known));
        } else if (auto first = seen.check(e.key, e.key_pos)) {
            error(e.key_pos, path + ": duplicate key " + msg::at_line(*first));
        } else {
            m.add(e.key, std::move(e.value));
        }
    }
    return m;
}

void Reader::single_value(const Value& v, std::string_view what) {
    const std::string list = as_flow_list(v.node.scalar());
    error(v, "expected " + std::string(what) + ", got the single value " +
                 quote_value(v.node.scalar()) + (list.empty() ? "" : "; write it as " + list));
}

bool Reader::comma_separated(const Value& v) {
    return v.node.is_scalar() && v.node.scalar().find(',') != std::string_view::npos;
}

std::optional<std::vector<Value>> Reader::list(const Value& v, std::string_view what,
                                               bool scalar_items) {
    if (v.is_null()) return std::vector<Value>{};
    if (!v.node.is_sequence()) {
        if (scalar_items && v.node.is_scalar()) {
            single_value(v, what);
        } else {
            error(v, "expected " + std::string(what));
        }
        return std::nullopt;
    }
    std::vector<Value> out;
    out.reserve(v.node.size());
    for (std::size_t i = 0; i < v.node.size(); ++i) {
        const yaml::Node item = v.node.item(i);
        out.push_back(Value{item, index(v.path, i), pos_of(item, v.pos)});
    }
    return out;
}

std::optional<std::string> Reader::scalar(const Value& v, std::string_view what) {
    if (!v.node.is_scalar()) {
        expected(v, what);
        return std::nullopt;
    }
    return std::string(v.node.scalar());
}

std::optional<std::uint64_t> Reader::number(const Value& v, std::string_view what,
                                            std::uint64_t min, std::uint64_t max, Unit unit) {
    const std::string range =
        std::string(what) + " " + std::to_string(min) + "-" + std::to_string(max);
    if (!v.node.is_scalar() || !all_digits(v.node.scalar())) {
        // "1h" where seconds go: the site file takes plain numbers, so say which one.
        const auto seconds =
            v.node.is_scalar() && unit != Unit::None ? seconds_with_units(v.node.scalar())
                                                     : std::nullopt;
        if (seconds && *seconds <= max) {
            const std::uint64_t n = unit == Unit::Seconds ? *seconds : *seconds * 1000;
            const char* unit_name = unit == Unit::Seconds ? "seconds" : "milliseconds";
            error(v, "expected " + range + ", got " + describe(v.node) + "; the value is in " +
                         unit_name + " without a unit: write " + std::to_string(n));
            return std::nullopt;
        }
        expected(v, range);
        return std::nullopt;
    }
    const std::string_view s = v.node.scalar();
    std::uint64_t n = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
    if (ec != std::errc{} || end != s.data() + s.size() || n < min || n > max) {
        expected(v, range);
        return std::nullopt;
    }
    return n;
}

std::optional<std::uint16_t> Reader::port(const Value& v) {
    auto n = number(v, "a port number", 1, 65535);
    if (!n) return std::nullopt;
    return static_cast<std::uint16_t>(*n);
}

// YAML 1.1 spellings too, as the yaml-cpp loader accepted (any quoting, any case): the model
// hands us the text, and installers write `naptr: yes`.
std::optional<bool> Reader::boolean(const Value& v) {
    if (v.node.is_scalar()) {
        const std::string s = lower_ascii(v.node.scalar());
        if (s == "true" || s == "yes" || s == "on") return true;
        if (s == "false" || s == "no" || s == "off") return false;
        // Spellings other formats take for a switch: say which word this one needs.
        if (s == "1" || s == "y" || s == "enable" || s == "enabled") {
            error(v, "expected true or false, got " + describe(v.node) + "; did you mean true?");
            return std::nullopt;
        }
        if (s == "0" || s == "n" || s == "disable" || s == "disabled") {
            error(v, "expected true or false, got " + describe(v.node) + "; did you mean false?");
            return std::nullopt;
        }
    }
    expected(v, "true or false");
    return std::nullopt;
}

std::optional<std::string> Reader::name(const Value& v, const std::string& origin,
                                        std::string_view kind) {
    auto text = scalar(v, "a " + std::string(kind));
    if (!text) return std::nullopt;
    auto n = absolute_name(*text, origin);
    if (!n) {
        error(v, msg::invalid_name(kind, *text, n.error()));
        return std::nullopt;
    }
    return std::move(*n);
}

std::optional<IpAddress> Reader::address(const Value& v, std::optional<IpAddress::Family> family) {
    std::optional<IpAddress> a;
    std::string_view what = "an IPv4 or IPv6 address";
    if (!family) {
        if (v.node.is_scalar()) a = IpAddress::parse(v.node.scalar());
    } else if (*family == IpAddress::Family::V4) {
        what = "an IPv4 address";
        if (v.node.is_scalar()) a = IpAddress::parse_v4(v.node.scalar());
    } else {
        what = "an IPv6 address";
        if (v.node.is_scalar()) a = IpAddress::parse_v6(v.node.scalar());
    }
    if (!a && v.node.is_scalar()) {
        // An address with a prefix length, as `ip addr` prints it: the site wants the address.
        if (const auto p = IpPrefix::parse(v.node.scalar());
            p && (!family || p->address.family == *family)) {
            error(v, "expected " + std::string(what) + ", got " + describe(v.node) +
                         "; write the address without the prefix length: " +
                         p->address.to_string());
            return a;
        }
    }
    if (!a) expected(v, what);
    return a;
}

namespace {
std::uint64_t hash_key(std::string_view s) {
    // FNV-1a, 64 bit: short keys, no per-call setup.
    std::uint64_t h = 1469598103934665603ULL;
    for (unsigned char c : s) {
        h ^= c;
        h *= 1099511628211ULL;
    }
    return h ^ (h >> 29);
}
}  // namespace

void FirstSeen::reserve(std::size_t keys) {
    // Load factor at most 7/8, as NameTable's: probes stay short with a 64-bit hash compared
    // before any key.
    std::size_t size = slots_.empty() ? 16 : slots_.size();
    while (size * 7 < keys * 8 + 8) size *= 2;
    if (size != slots_.size()) rehash(size);
}

void FirstSeen::rehash(std::size_t slot_count) {
    std::vector<Slot> old(slot_count);
    old.swap(slots_);
    const std::size_t mask = slots_.size() - 1;
    for (const Slot& s : old) {
        if (s.offset == 0) continue;
        std::size_t i = s.hash & mask;
        while (slots_[i].offset != 0) i = (i + 1) & mask;
        slots_[i] = s;
    }
}

std::optional<std::uint32_t> FirstSeen::check(const std::string& key, SourcePos pos) {
    if ((size_ + 1) * 8 > slots_.size() * 7) rehash(slots_.empty() ? 16 : 2 * slots_.size());
    if (keys_.empty()) keys_.push_back('\0');  // offset 0 marks an empty slot
    const std::uint64_t h = hash_key(key);
    const std::size_t mask = slots_.size() - 1;
    std::size_t i = h & mask;
    for (; slots_[i].offset != 0; i = (i + 1) & mask) {
        const Slot& s = slots_[i];
        if (s.hash != h) continue;
        std::uint32_t length = 0;
        std::memcpy(&length, keys_.data() + s.offset, sizeof length);
        if (std::string_view(keys_).substr(s.offset + sizeof length, length) == key) return s.line;
    }
    // Offsets are 32-bit: a site file is far smaller than 4 GiB of keys (the YAML reader stops
    // at 4 GiB of text).
    const auto length = static_cast<std::uint32_t>(key.size());
    slots_[i] = Slot{h, static_cast<std::uint32_t>(keys_.size()), pos.line};
    keys_.append(reinterpret_cast<const char*>(&length), sizeof length);
    keys_.append(key);
    ++size_;
    return std::nullopt;
}

}  // namespace sipdns::config::detail
