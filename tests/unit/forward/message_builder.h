// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// DNS messages built by hand for the forwarder's tests: upstream replies with the records,
// OPT and DNSSEC records the tests need, and where each record's TTL was put.
#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "sipdns/engine/forwarding.h"

namespace sipdns::test {

namespace type {
inline constexpr std::uint16_t A = 1, NS = 2, SOA = 6, TXT = 16, AAAA = 28, OPT = 41,
                               RRSIG = 46, NSEC = 47, NSEC3 = 50;
}

// "www.example.org." -> wire form, case kept.
inline std::string to_wire(const std::string& text) {
    std::string w;
    std::size_t start = 0;
    std::string t = text;
    if (!t.empty() && t.back() == '.') t.pop_back();
    while (start < t.size()) {
        std::size_t dot = t.find('.', start);
        if (dot == std::string::npos) dot = t.size();
        w.push_back(static_cast<char>(dot - start));
        w.append(t, start, dot - start);
        start = dot + 1;
    }
    w.push_back(0);
    return w;
}

inline engine::ForwardQuestion question(const std::string& name, std::uint16_t qtype,
                                        bool dnssec_ok = false) {
    engine::ForwardQuestion q;
    std::string w = to_wire(name);
    for (char& c : w)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
    std::copy(w.begin(), w.end(), q.qname.begin());
    q.qname_length = static_cast<std::uint16_t>(w.size());
    q.qtype = qtype;
    q.dnssec_ok = dnssec_ok;
    return q;
}

struct Rec {
    std::uint16_t type;
    std::uint32_t ttl;
    std::vector<std::uint8_t> rdata;
    std::uint16_t rclass = 1;
    std::string owner;  // empty: a pointer to the question name
};

inline Rec a(std::uint32_t ttl, std::uint8_t last = 1) { return {type::A, ttl, {192, 0, 2, last}, 1, {}}; }

// RRSIG over `covered`, signer example.org. (RFC 4034 §3.1; the signature is 4 octets).
inline Rec rrsig(std::uint16_t covered, std::uint32_t ttl) {
    Rec r{type::RRSIG, ttl, {}, 1, {}};
    auto& d = r.rdata;
    d = {static_cast<std::uint8_t>(covered >> 8), static_cast<std::uint8_t>(covered), 13, 3,
         0, 0, 0x0e, 0x10,  // original TTL
         0x70, 0, 0, 0, 0x60, 0, 0, 0,  // expiration, inception
         0x12, 0x34};
    const std::string signer = to_wire("example.org.");
    d.insert(d.end(), signer.begin(), signer.end());
    d.insert(d.end(), {1, 2, 3, 4});
    return r;
}

// NSEC: next name example.org., types A and RRSIG.
inline Rec nsec(std::uint32_t ttl) {
    Rec r{type::NSEC, ttl, {}, 1, {}};
    const std::string next = to_wire("example.org.");
    r.rdata.assign(next.begin(), next.end());
    r.rdata.insert(r.rdata.end(), {0, 6, 0x40, 0, 0, 0, 0, 0x02});
    return r;
}

inline Rec soa(std::uint32_t ttl, std::uint32_t minimum) {
    Rec r{type::SOA, ttl, {}, 1, {}};
    const std::string mname = to_wire("ns.example.org."), rname = to_wire("h.example.org.");
    r.rdata.assign(mname.begin(), mname.end());
    r.rdata.insert(r.rdata.end(), rname.begin(), rname.end());
    for (const std::uint32_t v : {1u, 3600u, 600u, 86400u, minimum})
        r.rdata.insert(r.rdata.end(), {static_cast<std::uint8_t>(v >> 24),
                                       static_cast<std::uint8_t>(v >> 16),
                                       static_cast<std::uint8_t>(v >> 8),
                                       static_cast<std::uint8_t>(v)});
    r.owner = "example.org.";
    return r;
}

// An OPT pseudo-record (payload 1232, DO set, no options).
inline Rec opt() { return {type::OPT, 0x00008000u, {}, 1232, "."}; }

struct Built {
    std::vector<std::uint8_t> message;
    std::vector<std::uint16_t> ttl_offsets;  // of every record, OPT included
};

struct MessageSpec {
    std::string qname = "www.example.org.";
    std::uint16_t qtype = type::A;
    std::uint16_t qclass = 1;
    std::uint16_t qdcount = 1;
    std::uint16_t flags = 0x8180;  // QR RD RA
    std::uint16_t rcode = 0;
    std::vector<Rec> answer, authority, additional;
};

inline void put16(std::vector<std::uint8_t>& v, std::uint16_t x) {
    v.push_back(static_cast<std::uint8_t>(x >> 8));
    v.push_back(static_cast<std::uint8_t>(x & 0xff));
}

inline Built build(const MessageSpec& s) {
    Built b;
    auto& m = b.message;
    put16(m, 0xabcd);
    put16(m, static_cast<std::uint16_t>(s.flags | s.rcode));
    put16(m, s.qdcount);
    put16(m, static_cast<std::uint16_t>(s.answer.size()));
    put16(m, static_cast<std::uint16_t>(s.authority.size()));
    put16(m, static_cast<std::uint16_t>(s.additional.size()));
    for (std::uint16_t i = 0; i < s.qdcount; ++i) {
        const std::string w = to_wire(s.qname);
        m.insert(m.end(), w.begin(), w.end());
        put16(m, s.qtype);
        put16(m, s.qclass);
    }
    for (const auto* section : {&s.answer, &s.authority, &s.additional})
        for (const Rec& r : *section) {
            if (r.owner.empty()) {
                put16(m, 0xc00c);
            } else {
                const std::string w = to_wire(r.owner);
                m.insert(m.end(), w.begin(), w.end());
            }
            put16(m, r.type);
            put16(m, r.rclass);
            b.ttl_offsets.push_back(static_cast<std::uint16_t>(m.size()));
            put16(m, static_cast<std::uint16_t>(r.ttl >> 16));
            put16(m, static_cast<std::uint16_t>(r.ttl & 0xffff));
            put16(m, static_cast<std::uint16_t>(r.rdata.size()));
            m.insert(m.end(), r.rdata.begin(), r.rdata.end());
        }
    return b;
}

inline std::uint16_t get16(const std::vector<std::uint8_t>& m, std::size_t at) {
    return static_cast<std::uint16_t>(m[at] << 8 | m[at + 1]);
}
inline std::uint32_t get32(const std::vector<std::uint8_t>& m, std::size_t at) {
    return std::uint32_t{get16(m, at)} << 16 | get16(m, at + 2);
}

}  // namespace sipdns::test
