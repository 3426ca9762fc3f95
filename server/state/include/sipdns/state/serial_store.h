// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// The serials file of the state directory: one line per zone, "APEX SERIAL CONTENT-HASH", e.g.
//   sipdns.example. 1795382498 3f2a9c0e12ab45cd
// (apex lower case with the final dot, serial in decimal, the zone builder's content hash in 16
// hex digits); blank lines and lines starting with '#' are ignored.
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sipdns/config/expected.h"
#include "sipdns/zone/serial.h"

namespace sipdns::state {

using ServedSerials = std::map<std::string, zone::ServedSerial>;  // by apex, text form

// The file's name inside the state directory.
inline constexpr std::string_view kSerialsFileName = "serials";
// A file larger than this is not one sipdnsd wrote (a line is < 300 octets, and a site has at
// most a few thousand zones).
inline constexpr std::size_t kMaxSerialsFileSize = 4 * 1024 * 1024;

// The file's text -> its entries, or "line N: expected ..." for the first line that is not in
// the format (the caller ignores the whole file then: it is not one sipdnsd wrote).
Expected<ServedSerials, std::string> parse_serials(std::string_view text);

// Entries -> the file's text (a comment saying what it is, then one line per zone, by apex).
std::string format_serials(const ServedSerials& served);

// The serials file of one state directory, as the daemon reads it at start and rewrites it when
// it serves a new serial. Not thread-safe: the daemon's control thread owns it.
class SerialStore {
  public:
    explicit SerialStore(std::string dir);

    const std::string& dir() const { return dir_; }
    std::string file() const;

    // Reads the file. No file or no directory (a first start): no entries and no problem; what
    // keeps the directory from being written is record()'s to say. A file that cannot be
    // read, is too large or is not in the format: no entries, and the reason, such as
    // "/var/lib/sipdns/serials:3: expected ...", for the caller's one warning.
    std::optional<std::string> load();

    // What was read, with what record() added since.
    const ServedSerials& served() const { return served_; }

    // From now on the zones `apexes` (text form) are served with `now`. Rewrites the file when
    // that changes it — entries of zones no longer in the site are kept, so that a zone that
    // comes back does not go back either — creating the directory if it is missing. Atomic: a
    // temporary file, fsync, rename over the old one, fsync of the directory, so a crash leaves
    // the old file or the new one. Returns the reason on failure; the entries are updated in
    // memory either way, and a later call tries again.
    std::optional<std::string> record(const std::vector<std::string>& apexes,
                                      zone::ServedSerial now);

  private:
    std::optional<std::string> write_file() const;

    std::string dir_;
    ServedSerials served_;
    bool file_matches_ = false;  // the file on disk holds exactly served_
};

}  // namespace sipdns::state
