// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#include "sipdns/zone/journal.h"

#include <algorithm>
#include <iterator>

#include "sipdns/zone/rr_types.h"
#include "sipdns/zone/serial.h"

namespace sipdns::zone {

namespace {

// SOA rdata (RFC 1035 §3.3.13): MNAME, RNAME, then SERIAL REFRESH RETRY EXPIRE MINIMUM.
std::optional<std::size_t> skip_name(std::string_view wire, std::size_t at) {
    while (at < wire.size()) {
        const auto length = static_cast<std::uint8_t>(wire[at]);
        if (length == 0) return at + 1;
        if (length > 63) return std::nullopt;  // our rdata is never compressed
        at += 1 + length;
    }
    return std::nullopt;
}

std::uint32_t get32(std::string_view b, std::size_t at) {
    return (std::uint32_t{static_cast<std::uint8_t>(b[at])} << 24) |
           (std::uint32_t{static_cast<std::uint8_t>(b[at + 1])} << 16) |
           (std::uint32_t{static_cast<std::uint8_t>(b[at + 2])} << 8) |
           std::uint32_t{static_cast<std::uint8_t>(b[at + 3])};
}

void put8(std::string& out, std::uint8_t v) { out.push_back(static_cast<char>(v)); }
void put16(std::string& out, std::uint16_t v) {
    put8(out, static_cast<std::uint8_t>(v >> 8));
    put8(out, static_cast<std::uint8_t>(v));
}
void put32(std::string& out, std::uint32_t v) {
    put16(out, static_cast<std::uint16_t>(v >> 16));
    put16(out, static_cast<std::uint16_t>(v));
}
void put64(std::string& out, std::uint64_t v) {
    put32(out, static_cast<std::uint32_t>(v >> 32));
    put32(out, static_cast<std::uint32_t>(v));
}

// FNV-1a, 64 bits: a stable hash (the state file outlives the process) of a byte string.
std::uint64_t fnv1a(std::uint64_t h, std::string_view bytes) {
    for (const char c : bytes) {
        h ^= static_cast<std::uint8_t>(c);
        h *= 0x100000001b3ULL;
    }
    return h;
}

constexpr std::string_view kJournalMagic = "SIPDNS-IXFR-JOURNAL-1\n";

void put_rr(std::string& out, std::string_view owner, std::uint16_t type, std::uint32_t ttl,
            std::string_view rdata) {
    put8(out, static_cast<std::uint8_t>(owner.size()));
    out += owner;
    put16(out, type);
    put32(out, ttl);
    put16(out, static_cast<std::uint16_t>(rdata.size()));
    out += rdata;
}

void put_rr(std::string& out, const JournalRR& rr) { put_rr(out, rr.owner, rr.type, rr.ttl, rr.rdata); }

void put_rrs(std::string& out, const std::vector<JournalRR>& rrs) {
    put32(out, static_cast<std::uint32_t>(rrs.size()));
    for (const auto& rr : rrs) put_rr(out, rr);
}

// Reads the file's fields in order; the first one missing or wrong becomes the error.
class Reader {
  public:
    explicit Reader(std::string_view bytes) : b_(bytes) {}
    bool failed() const { return !problem_.empty(); }
    const std::string& problem() const { return problem_; }
    bool at_end() const { return at_ == b_.size(); }

    void fail(const std::string& expected) {
        if (problem_.empty())
            problem_ = "offset " + std::to_string(at_) + ": expected " + expected;
    }
    bool need(std::size_t n, const char* what) {
        if (failed()) return false;
        if (b_.size() - at_ < n) {
            fail(what);
            return false;
        }
        return true;
    }
    std::uint64_t number(std::size_t octets, const char* what) {
        if (!need(octets, what)) return 0;
        std::uint64_t v = 0;
        for (std::size_t i = 0; i < octets; ++i) v = (v << 8) | static_cast<std::uint8_t>(b_[at_ + i]);
        at_ += octets;
        return v;
    }
    std::string bytes(std::size_t n, const char* what) {
        if (!need(n, what)) return {};
        std::string s(b_.substr(at_, n));
        at_ += n;
        return s;
    }
    std::size_t remaining() const { return b_.size() - at_; }

    JournalRR rr() {
        JournalRR r;
        const auto owner_length = static_cast<std::size_t>(number(1, "an owner name length"));
        if (!failed() && (owner_length == 0 || owner_length > 255)) fail("an owner name length of 1 to 255");
        r.owner = bytes(owner_length, "an owner name");
        if (!failed() && !skip_name(r.owner, 0).has_value()) fail("an owner name in wire form");
        r.type = static_cast<std::uint16_t>(number(2, "an RR type"));
        r.ttl = static_cast<std::uint32_t>(number(4, "a TTL"));
        r.rdata = bytes(static_cast<std::size_t>(number(2, "an rdata length")), "rdata");
        return r;
    }
    std::vector<JournalRR> rrs(const char* what) {
        const auto count = static_cast<std::size_t>(number(4, what));
        std::vector<JournalRR> out;
        // Each RR takes at least 10 octets: a count the rest cannot hold is not ours.
        if (failed() || count > remaining() / 10) {
            fail(what);
            return out;
        }
        out.reserve(count);
        for (std::size_t i = 0; i < count && !failed(); ++i) out.push_back(rr());
        return out;
    }

  private:
    std::string_view b_;
    std::size_t at_ = 0;
    std::string problem_;
};

}  // namespace

std::optional<std::uint32_t> soa_rdata_serial(std::string_view rdata) {
    auto after_mname = skip_name(rdata, 0);
    if (!after_mname) return std::nullopt;
    auto after_rname = skip_name(rdata, *after_mname);
    if (!after_rname || rdata.size() != *after_rname + 20) return std::nullopt;
    return get32(rdata, *after_rname);
}

std::uint32_t ZoneDelta::from_serial() const { return soa_rdata_serial(old_soa.rdata).value_or(0); }
std::uint32_t ZoneDelta::to_serial() const { return soa_rdata_serial(new_soa.rdata).value_or(0); }

std::size_t ZoneDelta::wire_size() const {
    std::size_t total = old_soa.wire_size() + new_soa.wire_size();
    for (const auto& rr : deleted) total += rr.wire_size();
    for (const auto& rr : added) total += rr.wire_size();
    return total;
}

namespace {

// A record of the zone by reference, in JournalRR's order (owner octets, type, TTL, rdata):
// sorting and hashing these copies no owner or rdata (200,000 records at a large site's start).
struct RecordRef {
    std::string_view owner;
    std::uint16_t type = 0;
    std::uint32_t ttl = 0;
    std::string_view rdata;
    auto operator<=>(const RecordRef&) const = default;
};

std::vector<RecordRef> sorted_transfer_refs(const Zone& zone) {
    std::vector<RecordRef> out;
    out.reserve(zone.record_count());
    zone.for_each_node_with_data([&out](const Node& node) {
        for (const auto& set : node.rrsets) {
            if (set.type == rrtype::SOA) continue;
            for (const auto& rd : set.rdatas) out.push_back({node.name, set.type, set.ttl, rd});
        }
    });
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

}  // namespace

std::vector<JournalRR> transfer_records(const Zone& zone) {
    const std::vector<RecordRef> refs = sorted_transfer_refs(zone);
    std::vector<JournalRR> out;
    out.reserve(refs.size());
    for (const RecordRef& r : refs)
        out.push_back({std::string(r.owner), r.type, r.ttl, std::string(r.rdata)});
    return out;
}

JournalRR soa_record(const Zone& zone) {
    const RRset& soa = zone.soa();
    return {zone.apex(), rrtype::SOA, soa.ttl, std::string(soa.rdatas.front())};
}

namespace {
// FNV-1a over each RR as the journal file writes it (put_rr), SOA first: stable across runs.
class ContentHash {
  public:
    void add(std::string_view owner, std::uint16_t type, std::uint32_t ttl,
             std::string_view rdata) {
        fields_.clear();
        put_rr(fields_, owner, type, ttl, rdata);
        h_ = fnv1a(h_, fields_);
    }
    void add(const JournalRR& rr) { add(rr.owner, rr.type, rr.ttl, rr.rdata); }
    std::uint64_t value() const { return h_; }

  private:
    std::uint64_t h_ = 0xcbf29ce484222325ULL;
    std::string fields_;
};
}  // namespace

std::uint64_t transfer_content_hash(const Zone& zone) {
    ContentHash h;
    h.add(soa_record(zone));
    for (const RecordRef& r : sorted_transfer_refs(zone)) h.add(r.owner, r.type, r.ttl, r.rdata);
    return h.value();
}

void diff_records(const std::vector<JournalRR>& before, const std::vector<JournalRR>& after,
                  std::vector<JournalRR>& deleted, std::vector<JournalRR>& added) {
    deleted.clear();
    added.clear();
    std::set_difference(before.begin(), before.end(), after.begin(), after.end(),
                        std::back_inserter(deleted));
    std::set_difference(after.begin(), after.end(), before.begin(), before.end(),
                        std::back_inserter(added));
}

std::size_t ZoneJournal::wire_size() const {
    std::size_t total = 0;
    for (const auto& d : deltas) total += d.wire_size();
    return total;
}

void ZoneJournal::append(ZoneDelta delta, std::uint64_t new_content_hash) {
    serial = delta.to_serial();
    content_hash = new_content_hash;
    deltas.push_back(std::move(delta));
    std::size_t bytes = wire_size();
    std::size_t drop = 0;
    while (drop < deltas.size() &&
           (deltas.size() - drop > kMaxJournalVersions || bytes > kMaxJournalBytes)) {
        bytes -= deltas[drop].wire_size();
        ++drop;
    }
    deltas.erase(deltas.begin(), deltas.begin() + static_cast<std::ptrdiff_t>(drop));
}

std::optional<std::vector<const ZoneDelta*>> ZoneJournal::chain_from(
    std::uint32_t client_serial) const {
    for (std::size_t first = 0; first < deltas.size(); ++first) {
        if (deltas[first].from_serial() != client_serial) continue;
        std::vector<const ZoneDelta*> chain;
        for (std::size_t i = first; i < deltas.size(); ++i) chain.push_back(&deltas[i]);
        if (chain.back()->to_serial() != serial) return std::nullopt;
        return chain;
    }
    return std::nullopt;
}

ZoneJournal next_journal(const ZoneJournal* before, const Zone* old_zone, const Zone& now) {
    const JournalRR now_soa = soa_record(now);
    const std::uint32_t now_serial = soa_rdata_serial(now_soa.rdata).value_or(0);
    // The hash alone needs no copy of the records (the start of a large site); the records are
    // copied only for a difference below.
    const std::uint64_t now_hash = transfer_content_hash(now);
    // The same version: the journal stays. The same serial with other content (a fixed
    // soa.serial): no difference ends at this content any more.
    if (before && before->apex == now.apex() && before->serial == now_serial &&
        before->content_hash == now_hash)
        return *before;
    ZoneJournal next;
    next.apex = now.apex();
    next.serial = now_serial;
    next.content_hash = now_hash;
    if (!old_zone) return next;
    const JournalRR old_soa = soa_record(*old_zone);
    const std::uint32_t old_serial = soa_rdata_serial(old_soa.rdata).value_or(0);
    // A delta only from an older serial (RFC 1982): a serial that went back is no version a
    // secondary could follow from.
    if (!serial_greater(now_serial, old_serial)) return next;
    const std::vector<JournalRR> now_records = transfer_records(now);
    if (before && before->apex == now.apex() && before->serial == old_serial)
        next.deltas = before->deltas;
    ZoneDelta delta;
    delta.old_soa = old_soa;
    delta.new_soa = now_soa;
    diff_records(transfer_records(*old_zone), now_records, delta.deleted, delta.added);
    next.append(std::move(delta), next.content_hash);
    return next;
}

std::string format_journal(const ZoneJournal& journal) {
    std::string out(kJournalMagic);
    put8(out, static_cast<std::uint8_t>(journal.apex.size()));
    out += journal.apex;
    put32(out, journal.serial);
    put64(out, journal.content_hash);
    put32(out, static_cast<std::uint32_t>(journal.deltas.size()));
    for (const auto& d : journal.deltas) {
        put_rr(out, d.old_soa);
        put_rr(out, d.new_soa);
        put_rrs(out, d.deleted);
        put_rrs(out, d.added);
    }
    return out;
}

Expected<ZoneJournal, std::string> parse_journal(std::string_view bytes) {
    if (!bytes.starts_with(kJournalMagic))
        return unexpected(std::string("offset 0: expected the journal header \"SIPDNS-IXFR-JOURNAL-1\""));
    Reader r(bytes);
    r.bytes(kJournalMagic.size(), "the journal header");
    ZoneJournal j;
    const auto apex_length = static_cast<std::size_t>(r.number(1, "the apex length"));
    if (!r.failed() && (apex_length == 0 || apex_length > 255)) r.fail("an apex length of 1 to 255");
    j.apex = r.bytes(apex_length, "the apex");
    j.serial = static_cast<std::uint32_t>(r.number(4, "the serial"));
    j.content_hash = r.number(8, "the content hash");
    const auto count = static_cast<std::size_t>(r.number(4, "the number of versions"));
    if (!r.failed() && count > kMaxJournalVersions)
        r.fail("at most " + std::to_string(kMaxJournalVersions) + " versions");
    for (std::size_t i = 0; i < count && !r.failed(); ++i) {
        ZoneDelta d;
        d.old_soa = r.rr();
        d.new_soa = r.rr();
        if (!r.failed() && (d.old_soa.type != rrtype::SOA || d.new_soa.type != rrtype::SOA ||
                            !soa_rdata_serial(d.old_soa.rdata) ||
                            !soa_rdata_serial(d.new_soa.rdata)))
            r.fail("two SOA records with a serial");
        if (!r.failed() && !j.deltas.empty() && j.deltas.back().to_serial() != d.from_serial())
            r.fail("a version starting at the serial the previous one ended at");
        d.deleted = r.rrs("the deleted records");
        d.added = r.rrs("the added records");
        j.deltas.push_back(std::move(d));
    }
    if (!r.failed() && !j.deltas.empty() && j.deltas.back().to_serial() != j.serial)
        r.fail("the last version to end at the journal's serial");
    if (!r.failed() && !r.at_end()) r.fail("the end of the file");
    if (r.failed()) return unexpected(r.problem());
    return j;
}

}  // namespace sipdns::zone
