// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#include "sipdns/zone/record.h"

#include <string>

#include "sipdns/zone/name.h"
#include "sipdns/zone/rr_types.h"

namespace sipdns::zone {

namespace {
void put16(std::string& s, std::uint16_t v) {
    s.push_back(static_cast<char>(v >> 8));
    s.push_back(static_cast<char>(v & 0xff));
}
void put32(std::string& s, std::uint32_t v) {
    put16(s, static_cast<std::uint16_t>(v >> 16));
    put16(s, static_cast<std::uint16_t>(v & 0xffff));
}
void put_character_string(std::string& s, std::string_view text) {
    // RFC 1035 §3.3: <character-string> is a length octet followed by at most 255 octets.
    const std::size_t n = text.size() > 255 ? 255 : text.size();
    s.push_back(static_cast<char>(n));
    s.append(text.substr(0, n));
}
std::uint16_t get16(std::string_view s, std::size_t at) {
    return static_cast<std::uint16_t>((static_cast<unsigned char>(s[at]) << 8) |
                                      static_cast<unsigned char>(s[at + 1]));
}
std::uint32_t get32(std::string_view s, std::size_t at) {
    return (static_cast<std::uint32_t>(get16(s, at)) << 16) | get16(s, at + 2);
}
}  // namespace

std::string type_name(std::uint16_t type) {
    switch (type) {
        case rrtype::A: return "A";
        case rrtype::NS: return "NS";
        case rrtype::CNAME: return "CNAME";
        case rrtype::SOA: return "SOA";
        case rrtype::PTR: return "PTR";
        case rrtype::MX: return "MX";
        case rrtype::TXT: return "TXT";
        case rrtype::AAAA: return "AAAA";
        case rrtype::SRV: return "SRV";
        case rrtype::NAPTR: return "NAPTR";
        case rrtype::DNAME: return "DNAME";
        case 13: return "HINFO";
        case 17: return "RP";
        case 29: return "LOC";
        case 44: return "SSHFP";
        case 52: return "TLSA";
        case 64: return "SVCB";
        case 65: return "HTTPS";
        case 99: return "SPF";
        case 257: return "CAA";
        case 256: return "URI";
        default: return "TYPE" + std::to_string(type);
    }
}

namespace rdata {
std::string a(const std::uint8_t (&addr)[4]) { return from_address(addr, 4); }

std::string from_address(const std::uint8_t* bytes, std::size_t len) {
    return std::string(reinterpret_cast<const char*>(bytes), len);
}

std::string name(std::string_view wire) { return std::string(wire); }

std::string srv(std::uint16_t priority, std::uint16_t weight, std::uint16_t port,
                std::string_view target_wire) {
    // RFC 2782: priority, weight, port, target (target never compressed).
    std::string s;
    put16(s, priority);
    put16(s, weight);
    put16(s, port);
    s.append(target_wire);
    return s;
}

std::string naptr(std::uint16_t order, std::uint16_t preference, std::string_view flags,
                  std::string_view services, std::string_view regexp,
                  std::string_view replacement_wire) {
    // RFC 3403 §4.1: ORDER PREFERENCE FLAGS SERVICES REGEXP REPLACEMENT.
    std::string s;
    put16(s, order);
    put16(s, preference);
    put_character_string(s, flags);
    put_character_string(s, services);
    put_character_string(s, regexp);
    s.append(replacement_wire);
    return s;
}

std::string soa(std::string_view mname_wire, std::string_view rname_wire, std::uint32_t serial,
                std::uint32_t refresh, std::uint32_t retry, std::uint32_t expire,
                std::uint32_t minimum) {
    std::string s(mname_wire);
    s.append(rname_wire);
    put32(s, serial);
    put32(s, refresh);
    put32(s, retry);
    put32(s, expire);
    put32(s, minimum);
    return s;
}
}  // namespace rdata

std::size_t rdata_target_offset(std::uint16_t type, std::string_view rd) {
    switch (type) {
        case rrtype::NS:
        case rrtype::CNAME:
        case rrtype::PTR:
        case rrtype::DNAME:
            return 0;
        case rrtype::MX:
            return rd.size() > 2 ? 2 : std::string_view::npos;
        case rrtype::SRV:
            return rd.size() > 6 ? 6 : std::string_view::npos;
        case rrtype::NAPTR: {
            std::size_t at = 4;
            for (int i = 0; i < 3; ++i) {
                if (at >= rd.size()) return std::string_view::npos;
                at += static_cast<unsigned char>(rd[at]) + 1u;
            }
            return at < rd.size() ? at : std::string_view::npos;
        }
        default:
            return std::string_view::npos;
    }
}

bool parse_soa(std::string_view rd, SoaFields& out) {
    const std::size_t m = name_wire_length(rd);
    if (m == 0) return false;
    const std::size_t r = name_wire_length(rd.substr(m));
    if (r == 0 || rd.size() != m + r + 20) return false;
    out.mname = std::string(rd.substr(0, m));
    out.rname = std::string(rd.substr(m, r));
    const std::size_t t = m + r;
    out.serial = get32(rd, t);
    out.refresh = get32(rd, t + 4);
    out.retry = get32(rd, t + 8);
    out.expire = get32(rd, t + 12);
    out.minimum = get32(rd, t + 16);
    return true;
}

}  // namespace sipdns::zone
