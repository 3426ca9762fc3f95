// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#include "sipdns/state/serial_store.h"

#include "sipdns/state/state_file.h"

#include <charconv>
#include <cstdio>

namespace sipdns::state {

namespace {

constexpr std::string_view kHeader =
    "# sipdnsd's state (server.state_dir): the serial each zone was last served with and a hash\n"
    "# of its content, so that a restart never serves a lower serial. Written by sipdnsd.\n"
    "# zone serial content-hash\n";

constexpr std::size_t kMaxNameText = 255;  // a presentation-format name with its final dot

std::vector<std::string_view> split_fields(std::string_view line) {
    std::vector<std::string_view> fields;
    std::size_t i = 0;
    while (i < line.size()) {
        while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
        const std::size_t start = i;
        while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
        if (i > start) fields.push_back(line.substr(start, i - start));
    }
    return fields;
}

bool is_apex(std::string_view s) {
    if (s.empty() || s.size() > kMaxNameText || s.back() != '.') return false;
    for (unsigned char c : s)
        if (c <= ' ' || c >= 0x7f) return false;  // printable ASCII, as name_to_text writes it
    return true;
}

template <typename Int>
std::optional<Int> parse_number(std::string_view s, int base) {
    Int value{};
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value, base);
    if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
    return value;
}

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

}  // namespace

Expected<ServedSerials, std::string> parse_serials(std::string_view text) {
    ServedSerials served;
    std::size_t line_number = 0;
    while (!text.empty()) {
        ++line_number;
        const std::size_t eol = text.find('\n');
        std::string_view line = text.substr(0, eol);
        text.remove_prefix(eol == std::string_view::npos ? text.size() : eol + 1);
        const auto fields = split_fields(line);
        if (fields.empty() || fields.front().starts_with('#')) continue;
        const std::string where = "line " + std::to_string(line_number) + ": ";
        if (fields.size() != 3)
            return unexpected(where + "expected 'ZONE SERIAL CONTENT-HASH', got " +
                              std::to_string(fields.size()) + " field" +
                              (fields.size() == 1 ? "" : "s"));
        if (!is_apex(fields[0]))
            return unexpected(where + "expected a zone name ending in '.'");
        const auto serial = parse_number<std::uint32_t>(fields[1], 10);
        if (!serial) return unexpected(where + "expected a serial 0-4294967295");
        const auto hash = fields[2].size() == 16 ? parse_number<std::uint64_t>(fields[2], 16)
                                                 : std::nullopt;
        if (!hash) return unexpected(where + "expected a content hash of 16 hex digits");
        if (!served.emplace(lower(fields[0]), zone::ServedSerial{*serial, *hash}).second)
            return unexpected(where + "zone " + std::string(fields[0]) + " listed twice");
    }
    return served;
}

std::string format_serials(const ServedSerials& served) {
    std::string text(kHeader);
    char hash[17];
    for (const auto& [apex, entry] : served) {
        std::snprintf(hash, sizeof hash, "%016llx",
                      static_cast<unsigned long long>(entry.content_hash));
        text += apex + ' ' + std::to_string(entry.serial) + ' ' + hash + '\n';
    }
    return text;
}

SerialStore::SerialStore(std::string dir) : dir_(std::move(dir)) {}

std::string SerialStore::file() const {
    std::string path = dir_;
    if (!path.ends_with('/')) path += '/';
    return path + std::string(kSerialsFileName);
}

std::optional<std::string> SerialStore::load() {
    served_.clear();
    file_matches_ = false;
    const std::string path = file();
    std::string problem;
    const auto text = read_state_file(path, kMaxSerialsFileSize, &problem);
    if (!text) return problem.empty() ? std::nullopt : std::optional(problem);
    auto parsed = parse_serials(*text);
    if (!parsed) {
        // "line 3: ..." -> "/var/lib/sipdns/serials:3: ..." (the file:line form of every message)
        std::string reason = parsed.error();
        if (reason.starts_with("line ")) reason = reason.substr(5);
        return path + ":" + reason;
    }
    served_ = std::move(*parsed);
    file_matches_ = true;
    return std::nullopt;
}

std::optional<std::string> SerialStore::record(const std::vector<std::string>& apexes,
                                               zone::ServedSerial now) {
    bool changed = false;
    for (const auto& apex : apexes) {
        auto [it, added] = served_.try_emplace(apex, now);
        if (!added && it->second != now) {
            it->second = now;
            changed = true;
        }
        changed = changed || added;
    }
    if (!changed && file_matches_) return std::nullopt;
    file_matches_ = false;
    if (auto problem = write_file()) return problem;
    file_matches_ = true;
    return std::nullopt;
}

std::optional<std::string> SerialStore::write_file() const {
    return replace_state_file(dir_, kSerialsFileName, format_serials(served_));
}

}  // namespace sipdns::state
