// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// The IXFR journals of the state directory: one file per zone, "journal.APEX" (APEX in text
// form without the final dot, e.g. journal.sipdns.example), holding zone::format_journal()'s
// binary form: the differences between the zone's last versions, read back at start so that a
// restart still answers IXFR from the serials the secondaries have.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sipdns/config/expected.h"
#include "sipdns/zone/journal.h"

namespace sipdns::state {

// A journal holds at most zone::kMaxJournalBytes of RRs; its file adds fewer octets per RR than
// the wire form and a small header. A larger file is not one sipdnsd wrote.
inline constexpr std::size_t kMaxJournalFileSize = zone::kMaxJournalBytes + 64 * 1024;

// "journal.sipdns.example" for "sipdns.example."; octets other than letters, digits, '-' and
// '_' inside labels are written as %XX, so that any apex makes one plain file name.
std::string journal_file_name(std::string_view apex_text);

// The journal of `apex_text` in `dir`: nullopt when there is none (a first start); an error
// ("PATH: ..." or "PATH: offset N: expected ...") when the file cannot be read or is not one
// sipdnsd wrote.
Expected<std::optional<zone::ZoneJournal>, std::string> load_journal(const std::string& dir,
                                                                      std::string_view apex_text);

// Replaces the journal file of `apex_text` (atomically, state_file.h); the reason on failure.
std::optional<std::string> save_journal(const std::string& dir, std::string_view apex_text,
                                        const zone::ZoneJournal& journal);

// Replaces the journal files of several zones with one sync for all (replace_state_files):
// a reload changes the serial of every zone of the site at once.
std::optional<std::string> save_journals(const std::string& dir,
                                         const std::vector<const zone::ZoneJournal*>& journals);

}  // namespace sipdns::state
