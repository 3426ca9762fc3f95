// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#include "sipdns/state/journal_store.h"

#include "sipdns/state/state_file.h"
#include "sipdns/zone/name.h"

namespace sipdns::state {

std::string journal_file_name(std::string_view apex_text) {
    if (apex_text.ends_with('.')) apex_text.remove_suffix(1);
    std::string name = "journal.";
    static constexpr char kHex[] = "0123456789ABCDEF";
    for (const char c : apex_text) {
        const auto octet = static_cast<unsigned char>(c);
        const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                           (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
        if (plain) {
            name += c;
        } else {
            name += '%';
            name += kHex[octet >> 4];
            name += kHex[octet & 0xf];
        }
    }
    return name;
}

Expected<std::optional<zone::ZoneJournal>, std::string> load_journal(const std::string& dir,
                                                                      std::string_view apex_text) {
    std::string path = dir;
    if (!path.empty() && path.back() != '/') path += '/';
    path += journal_file_name(apex_text);
    std::string problem;
    const auto bytes = read_state_file(path, kMaxJournalFileSize, &problem);
    if (!bytes) {
        if (!problem.empty()) return unexpected(problem);
        return std::optional<zone::ZoneJournal>();
    }
    auto parsed = zone::parse_journal(*bytes);
    if (!parsed) return unexpected(path + ": " + parsed.error());
    return std::optional<zone::ZoneJournal>(std::move(*parsed));
}

std::optional<std::string> save_journal(const std::string& dir, std::string_view apex_text,
                                        const zone::ZoneJournal& journal) {
    return replace_state_file(dir, journal_file_name(apex_text), zone::format_journal(journal));
}

std::optional<std::string> save_journals(const std::string& dir,
                                         const std::vector<const zone::ZoneJournal*>& journals) {
    std::vector<std::pair<std::string, std::string>> files;
    files.reserve(journals.size());
    for (const zone::ZoneJournal* journal : journals)
        files.emplace_back(journal_file_name(zone::name_to_text(journal->apex)),
                           zone::format_journal(*journal));
    return replace_state_files(dir, files);
}

}  // namespace sipdns::state
