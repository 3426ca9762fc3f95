// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// Parsing a query message (RFC 1035 §4.1) with every untrusted length bounds-checked. The
// question name is lower-cased into a fixed buffer: no allocation.
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace sipdns::engine {

struct ParsedQuery {
    std::uint16_t id = 0;
    std::uint16_t flags = 0;  // as received
    std::uint16_t qdcount = 0;
    bool has_question = false;
    std::size_t question_end = 12;  // offset just past QTYPE/QCLASS
    std::size_t qname_length = 0;
    std::array<std::uint8_t, 255> qname_lower{};
    std::uint16_t qtype = 0;
    std::uint16_t qclass = 0;

    bool has_edns = false;     // RFC 6891
    std::uint16_t edns_payload = 0;
    std::uint8_t edns_version = 0;
    bool edns_do = false;      // RFC 3225: copied into the response
    bool nsid_requested = false;  // RFC 5001

    // EDNS Client Subnet (RFC 7871 §6): where the option's data (FAMILY, SOURCE PREFIX-LENGTH,
    // SCOPE PREFIX-LENGTH, ADDRESS) sits in the query, and whether it broke §6's rules. The
    // engine decides what to do with it (server.ecs_trust); the parser only checks it.
    bool ecs_present = false;
    bool ecs_malformed = false;
    std::uint16_t ecs_family = 0;        // 1 = IPv4, 2 = IPv6 (IANA address family numbers)
    std::uint8_t ecs_source_length = 0;  // SOURCE PREFIX-LENGTH
    std::uint16_t ecs_offset = 0;        // of FAMILY, in the query
    std::uint8_t ecs_length = 0;         // OPTION-LENGTH: 4 + ADDRESS octets

    // DNS COOKIE (RFC 7873 §4): where the option's data (client cookie, then any server cookie)
    // sits in the query, and whether its length broke §5.2.2's rules (FORMERR when the engine
    // uses cookies; ignored as any unknown option otherwise).
    bool cookie_present = false;
    bool cookie_malformed = false;
    std::uint16_t cookie_offset = 0;  // of the client cookie, in the query
    std::uint8_t cookie_length = 0;   // OPTION-LENGTH: 8 (client only) or 16-40
    // TSIG (RFC 8945 §5.1): the last RR of the additional section, where it starts. The parser
    // checks only where it is; tsig.h reads its fields.
    bool has_tsig = false;
    std::uint16_t tsig_offset = 0;

    std::uint8_t opcode() const { return static_cast<std::uint8_t>((flags >> 11) & 0xf); }
    bool is_response() const { return (flags & 0x8000) != 0; }
};

enum class ParseStatus : std::uint8_t {
    Ok,
    Drop,      // too short for a header, or a response (QR=1): never answer
    FormErr,   // a header we can echo, but the rest is malformed
};

ParseStatus parse_query(std::span<const std::uint8_t> msg, ParsedQuery& q);

}  // namespace sipdns::engine
