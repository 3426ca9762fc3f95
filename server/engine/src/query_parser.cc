// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#include "query_parser.h"

#include "sipdns/engine/dns_cookie.h"

namespace sipdns::engine {

namespace {

constexpr std::uint16_t kTypeOpt = 41;
constexpr std::uint16_t kTypeTsig = 250;  // RFC 8945 §4.2
constexpr std::uint16_t kOptionNsid = 3;          // RFC 5001
constexpr std::uint16_t kOptionClientSubnet = 8;  // RFC 7871 §6
constexpr std::uint16_t kOptionCookie = 10;       // RFC 7873 §4

std::uint16_t get16(std::span<const std::uint8_t> m, std::size_t at) {
    return static_cast<std::uint16_t>((m[at] << 8) | m[at + 1]);
}

// An EDNS Client Subnet option (RFC 7871 §6) at `at`, `len` octets of data. Malformed (FORMERR
// when the engine uses ECS, §7.2.1): FAMILY other than 1 (IPv4) or 2 (IPv6); SOURCE
// PREFIX-LENGTH beyond the address (32 / 128); SCOPE PREFIX-LENGTH not 0 ("In queries, it MUST
// be set to 0"); ADDRESS not exactly ceil(SOURCE / 8) octets, or a bit set past SOURCE ("too
// few or too many ADDRESS octets, or ... non-zero ADDRESS bits set beyond SOURCE
// PREFIX-LENGTH"); or a second ECS option in one OPT (which subnet would count?).
void parse_client_subnet(std::span<const std::uint8_t> m, std::size_t at, std::uint16_t len,
                         ParsedQuery& q) {
    if (q.ecs_present) {
        q.ecs_malformed = true;
        return;
    }
    q.ecs_present = true;
    q.ecs_offset = static_cast<std::uint16_t>(at);
    q.ecs_length = static_cast<std::uint8_t>(len > 255 ? 255 : len);
    if (len < 4) {
        q.ecs_malformed = true;
        return;
    }
    q.ecs_family = get16(m, at);
    q.ecs_source_length = m[at + 2];
    const std::uint8_t scope = m[at + 3];
    const unsigned max_bits = q.ecs_family == 1 ? 32 : q.ecs_family == 2 ? 128 : 0;
    const unsigned source = q.ecs_source_length;
    const std::size_t address_octets = (source + 7) / 8;
    if (max_bits == 0 || source > max_bits || scope != 0 || len != 4 + address_octets) {
        q.ecs_malformed = true;
        return;
    }
    if (source % 8 != 0) {
        const auto host_bits = static_cast<std::uint8_t>(0xff >> (source % 8));
        if ((m[at + 4 + address_octets - 1] & host_bits) != 0) q.ecs_malformed = true;
    }
}

// A COOKIE option (RFC 7873 §4) at `at`, `len` octets of data. Malformed (§5.2.2: FORMERR):
// shorter than a client cookie, a server cookie of 1 to 7 octets, longer than 8 + 32 octets;
// or a second COOKIE option in one OPT (which cookie would count?).
void parse_cookie(std::size_t at, std::uint16_t len, ParsedQuery& q) {
    if (q.cookie_present) {
        q.cookie_malformed = true;
        return;
    }
    q.cookie_present = true;
    q.cookie_offset = static_cast<std::uint16_t>(at);
    q.cookie_length = static_cast<std::uint8_t>(len > 255 ? 255 : len);
    const std::size_t server = len >= kClientCookieSize ? len - kClientCookieSize : 0;
    if (len < kClientCookieSize || (server != 0 && server < kMinServerCookieSize) ||
        server > kMaxServerCookieSize)
        q.cookie_malformed = true;
}

// Skips a possibly compressed name in a record (RFC 1035 §4.1.4); returns the offset just past
// its own bytes, or 0 if malformed. The name a pointer leads to is walked as well: a pointer
// must point to a prior occurrence (before the pointer, past the header), labels are at most
// 63 octets (0x40/0x80 label types are obsolete: RFC 6891 §5) and the whole name at most 255
// (RFC 1035 §2.3.4). Every pointer goes backwards and every label counts towards the 255, so
// a pointer loop ends as FORMERR, never as a hang.
std::size_t skip_name(std::span<const std::uint8_t> m, std::size_t at, bool& is_root) {
    is_root = at < m.size() && m[at] == 0;
    std::size_t end = 0;    // past the name's own bytes, once a pointer ended them
    std::size_t total = 1;  // the root label
    std::size_t pos = at;
    while (pos < m.size()) {
        const std::uint8_t len = m[pos];
        if (len == 0) return end != 0 ? end : pos + 1;
        if ((len & 0xc0) == 0xc0) {
            if (pos + 2 > m.size()) return 0;
            const std::size_t target = (static_cast<std::size_t>(len & 0x3f) << 8) | m[pos + 1];
            if (target < 12 || target >= pos) return 0;
            if (end == 0) end = pos + 2;
            pos = target;
            continue;
        }
        if (len > 63) return 0;
        total += len + 1u;
        if (total > 255) return 0;
        pos += len + 1u;
    }
    return 0;
}

}  // namespace

ParseStatus parse_query(std::span<const std::uint8_t> m, ParsedQuery& q) {
    if (m.size() < 12) return ParseStatus::Drop;
    q.id = get16(m, 0);
    q.flags = get16(m, 2);
    if (q.is_response()) return ParseStatus::Drop;
    q.qdcount = get16(m, 4);
    const std::uint16_t ancount = get16(m, 6);
    const std::uint16_t nscount = get16(m, 8);
    const std::uint16_t arcount = get16(m, 10);

    std::size_t at = 12;
    if (q.qdcount == 1) {
        // The question name: plain labels only (a pointer would have to point backwards, and
        // there is nothing before it), at most 255 octets (RFC 1035 §2.3.4).
        std::size_t n = 0;
        for (;;) {
            if (at >= m.size()) return ParseStatus::FormErr;
            const std::uint8_t len = m[at];
            if (len > 63) return ParseStatus::FormErr;
            if (n + len + 1u > q.qname_lower.size()) return ParseStatus::FormErr;
            if (at + len + 1u > m.size()) return ParseStatus::FormErr;
            q.qname_lower[n++] = len;
            for (std::size_t i = 1; i <= len; ++i) {
                std::uint8_t c = m[at + i];
                if (c >= 'A' && c <= 'Z') c = static_cast<std::uint8_t>(c + 32);
                q.qname_lower[n++] = c;
            }
            at += len + 1u;
            if (len == 0) break;
        }
        if (at + 4 > m.size()) return ParseStatus::FormErr;
        q.qname_length = n;
        q.qtype = get16(m, at);
        q.qclass = get16(m, at + 2);
        at += 4;
        q.has_question = true;
        q.question_end = at;
    } else if (q.qdcount > 1) {
        return ParseStatus::FormErr;  // RFC 9619: exactly one question
    }

    // Answer and authority records of a query are skipped; an OPT there is malformed
    // (RFC 6891 §6.1.1: OPT only in the additional section, at most once).
    const std::uint32_t total = static_cast<std::uint32_t>(ancount) + nscount + arcount;
    for (std::uint32_t i = 0; i < total; ++i) {
        bool root = false;
        const std::size_t record_start = at;
        at = skip_name(m, at, root);
        if (at == 0 || at + 10 > m.size()) return ParseStatus::FormErr;
        const std::uint16_t type = get16(m, at);
        const std::uint16_t rclass = get16(m, at + 2);
        const std::uint8_t ext_rcode = m[at + 4];
        const std::uint8_t version = m[at + 5];
        const std::uint16_t ttl_low = get16(m, at + 6);
        const std::uint16_t rdlength = get16(m, at + 8);
        at += 10;
        if (at + rdlength > m.size()) return ParseStatus::FormErr;
        if (type == kTypeTsig) {
            // RFC 8945 §5.1: "the last record in the additional data section", once; anywhere
            // else the message is FORMERR (§5.2).
            const bool in_additional = i >= static_cast<std::uint32_t>(ancount) + nscount;
            if (!in_additional || i + 1 != total) return ParseStatus::FormErr;
            q.has_tsig = true;
            q.tsig_offset = static_cast<std::uint16_t>(record_start);
        }
        if (type == kTypeOpt) {
            const bool in_additional = i >= static_cast<std::uint32_t>(ancount) + nscount;
            if (!in_additional || q.has_edns || !root) return ParseStatus::FormErr;
            q.has_edns = true;
            q.edns_payload = rclass < 512 ? 512 : rclass;  // RFC 6891 §6.2.3
            q.edns_version = version;
            q.edns_do = (ttl_low & 0x8000) != 0;
            (void)ext_rcode;
            // Options: {code, length, data}; bounds-checked, unknown ones ignored (§6.1.2).
            for (std::size_t o = at; o < at + rdlength;) {
                if (o + 4 > at + rdlength) return ParseStatus::FormErr;
                const std::uint16_t code = get16(m, o);
                const std::uint16_t len = get16(m, o + 2);
                if (o + 4 + len > at + rdlength) return ParseStatus::FormErr;
                if (code == kOptionNsid) q.nsid_requested = true;
                if (code == kOptionClientSubnet) parse_client_subnet(m, o + 4, len, q);
                if (code == kOptionCookie) parse_cookie(o + 4, len, q);
                o += 4u + len;
            }
        }
        at += rdlength;
    }
    // Bytes after the last counted record: the counts lie or garbage follows (RFC 1035 §4.1:
    // the header's counts describe the whole message). Knot answers FORMERR too.
    if (at != m.size()) return ParseStatus::FormErr;
    if (q.qdcount == 0) return ParseStatus::FormErr;
    return ParseStatus::Ok;
}

}  // namespace sipdns::engine
