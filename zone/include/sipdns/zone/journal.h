// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// The differences between the last versions of a zone's transfer view, from which IXFR is
// answered (RFC 1995): for each version change the SOA before and after, the RRs deleted and
// the RRs added. An RR is (owner, type, TTL, rdata) in class IN; a TTL change is a deletion of
// the old RR and an addition of the new one (RFC 1995 §4 compares whole RRs).
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sipdns/config/expected.h"
#include "sipdns/zone/zone.h"

namespace sipdns::zone {

struct JournalRR {
    std::string owner;  // wire, lower case
    std::uint16_t type = 0;
    std::uint32_t ttl = 0;
    std::string rdata;  // wire
    auto operator<=>(const JournalRR&) const = default;
    // Its size in a message without name compression: owner, 10 octets of fixed fields, rdata.
    std::size_t wire_size() const { return owner.size() + 10 + rdata.size(); }
};

// One version change: `old_soa` (serial from) -> `new_soa` (serial to).
struct ZoneDelta {
    JournalRR old_soa;
    JournalRR new_soa;
    std::vector<JournalRR> deleted;  // sorted
    std::vector<JournalRR> added;    // sorted
    std::uint32_t from_serial() const;
    std::uint32_t to_serial() const;
    std::size_t wire_size() const;  // every RR of the delta, uncompressed
    bool operator==(const ZoneDelta&) const = default;
};

// The serial in an SOA rdata (after MNAME and RNAME, RFC 1035 §3.3.13); nullopt when the rdata is
// not a well-formed SOA.
std::optional<std::uint32_t> soa_rdata_serial(std::string_view rdata);

// Every RR of `zone` but the SOA, sorted: what a transfer carries between its SOAs.
std::vector<JournalRR> transfer_records(const Zone& zone);
// The zone's SOA as an RR.
JournalRR soa_record(const Zone& zone);
// A hash of everything a transfer of `zone` carries (SOA included, so the serial too): tells
// whether a journal read from the state directory ends at the zone being served.
std::uint64_t transfer_content_hash(const Zone& zone);

// The difference between two sorted RR lists (set difference both ways).
void diff_records(const std::vector<JournalRR>& before, const std::vector<JournalRR>& after,
                  std::vector<JournalRR>& deleted, std::vector<JournalRR>& added);

// The versions kept per zone. IXFR is worth it while the differences a secondary needs are
// smaller than the zone: 20 versions cover a secondary that missed 20 reloads (NOTIFY and the
// SOA refresh make a missed reload rare), and 1 MiB of differences per zone bounds the memory
// and state file a large site's frequent reloads could otherwise grow without end. A secondary
// further behind gets the whole zone (AXFR-style), which is always correct.
inline constexpr std::size_t kMaxJournalVersions = 20;
inline constexpr std::size_t kMaxJournalBytes = 1024 * 1024;

// The journal of one zone: the deltas in order, the last one ending at `serial` (the zone's
// served serial) whose content hashes to `content_hash`.
struct ZoneJournal {
    std::string apex;  // wire, lower case
    std::uint32_t serial = 0;
    std::uint64_t content_hash = 0;
    std::vector<ZoneDelta> deltas;  // oldest first; each from_serial == previous to_serial

    // Appends `delta` (which must start at `serial`) and drops the oldest versions beyond the
    // bounds above. A single delta larger than kMaxJournalBytes leaves the journal empty.
    void append(ZoneDelta delta, std::uint64_t new_content_hash);

    // The deltas from `client_serial` to `serial`, in order, or nullopt when the journal does
    // not reach back to it (IXFR then falls back to the whole zone, RFC 1995 §4).
    std::optional<std::vector<const ZoneDelta*>> chain_from(std::uint32_t client_serial) const;

    std::size_t wire_size() const;
    bool operator==(const ZoneJournal&) const = default;
};

// The journals of a site's transfer view, by apex (wire). Immutable once published: the
// serving snapshot holds one, a reload publishes the next.
using TransferJournals = std::map<std::string, ZoneJournal, std::less<>>;

// The journal for `now` given the journal of the previous version `before` (may be empty,
// ending at the old zone) and the old zone itself (null: none, e.g. a zone a reload added).
// Same serial and content as before: the journal unchanged; a greater serial (RFC 1982) with the
// old zone known: the delta appended (to `before` when it ended at the old zone); else a
// journal with no deltas that ends at `now`.
ZoneJournal next_journal(const ZoneJournal* before, const Zone* old_zone, const Zone& now);

// The binary form kept in the state directory (one file per zone). Bounds-checked on reading:
// anything that is not exactly what format_journal wrote is an error naming what was expected.
std::string format_journal(const ZoneJournal& journal);
Expected<ZoneJournal, std::string> parse_journal(std::string_view bytes);

}  // namespace sipdns::zone
