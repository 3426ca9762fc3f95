// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// The SOA serial of a site's zones: the Unix time at which the content last changed, and never
// lower than a serial the zones were served with before — while running and, with the state
// directory, across restarts. Secondaries compare serials with RFC 1982 arithmetic and transfer
// only when the primary's is greater (RFC 1034 §4.3.5, RFC 1996 §4.7).
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace sipdns::zone {

// What a zone was last served with (e.g. by the previous run of the daemon).
struct ServedSerial {
    std::uint32_t serial = 0;
    std::uint64_t content_hash = 0;
    bool operator==(const ServedSerial&) const = default;
};

// How to pick the serial. Same content as before -> the same serial; changed content ->
// max(base_time, last + 1), "max" in RFC 1982 serial arithmetic.
struct SerialPolicy {
    // The zone set being replaced (a reload): its serial and content hash.
    std::optional<std::uint32_t> previous_serial;
    std::optional<std::uint64_t> previous_content_hash;
    std::uint32_t base_time = 0;  // e.g. the site file's mtime; 0 = now
    std::optional<std::uint32_t> fixed_serial;  // the location views share the default's
    // The catalog zone (server.transfer.catalog, RFC 9432) has a serial of its own, which
    // changes only when its member list does: what the zone set being replaced (or the view
    // built first) served it with. fixed_serial does not apply to it.
    std::optional<ServedSerial> previous_catalog;
    // By apex in text form, lower case with the final dot ("example.com."): what each zone was
    // served with before this process started (the daemon's state directory). Zones of the site
    // that are not listed were never served, or not that anyone remembers.
    std::map<std::string, ServedSerial> served_before;
};

// RFC 1982 §3.2: s1 is greater than s2 in 32-bit serial number arithmetic. Exactly 2^31 apart
// is undefined there; neither is greater.
bool serial_greater(std::uint32_t s1, std::uint32_t s2);

// The greatest serial the zones `apexes` (text form) were served with, by `policy`'s previous
// zone set and its served_before entries; nullopt when none was served.
std::optional<std::uint32_t> highest_served_serial(const SerialPolicy& policy,
                                                   const std::vector<std::string>& apexes);

// The serial for a build of content `content_hash` with the zones `apexes` (text form), unless
// the site fixes one (soa.serial, which the builder takes as it is):
// - fixed_serial, when set;
// - the previous zone set's serial when the content is unchanged;
// - else the served_before serial when every zone was served with this content and one serial;
// - else base_time (now when 0), or the greatest serial served before + 1 when base_time is
//   not greater than it.
std::uint32_t pick_serial(const SerialPolicy& policy, const std::vector<std::string>& apexes,
                          std::uint64_t content_hash);

}  // namespace sipdns::zone
