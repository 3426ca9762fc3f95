// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// Building query packets and decoding the engine's answers with ldns: an independent DNS
// implementation reads every byte we produce.
#include <cstdint>
#include <memory>
#include <set>
#include <span>
#include <string>
#include <vector>

// Before ldns: its C headers redefine `bool`, which breaks <optional> included after them.
#include "sipdns/engine/query_engine.h"

#include <ldns/ldns.h>

namespace sipdns::test {

struct QuerySpec {
    std::string name;            // as sent (case preserved)
    std::uint16_t type = 1;
    std::uint16_t qclass = 1;
    std::uint16_t id = 0x1234;
    std::uint16_t flags = 0x0100;  // RD
    bool edns = false;
    std::uint16_t edns_payload = 1232;
    std::uint8_t edns_version = 0;
    bool edns_do = false;
    bool nsid = false;
    std::vector<std::uint8_t> options{};  // more EDNS options, as on the wire (code, length, data)
};

// An EDNS Client Subnet option (RFC 7871 §6) as on the wire, for QuerySpec::options: code 8,
// length, FAMILY, SOURCE PREFIX-LENGTH, SCOPE PREFIX-LENGTH, ADDRESS (taken as given, so
// malformed options can be made).
std::vector<std::uint8_t> ecs_option(std::uint16_t family, std::uint8_t source,
                                     std::uint8_t scope, const std::vector<std::uint8_t>& address);

// A COOKIE option (RFC 7873 §4) as on the wire: code 10, length, the client cookie, then the
// server cookie if any (lengths as given, so malformed options can be made).
std::vector<std::uint8_t> dns_cookie_option(std::span<const std::uint8_t> client_cookie,
                                            std::span<const std::uint8_t> server_cookie = {});

// Query bytes built by hand (so malformed variants can be made from them).
std::vector<std::uint8_t> make_query(const QuerySpec& spec);

struct Response {
    bool dropped = true;
    std::vector<std::uint8_t> bytes;
    engine::EngineResult result;
    std::shared_ptr<ldns_pkt> pkt;  // null if ldns could not decode it

    std::uint16_t id() const;
    std::uint8_t rcode() const;  // header rcode (low 4 bits)
    bool aa() const, tc() const, ra() const, rd() const, qr() const;
    std::size_t count(ldns_pkt_section s) const;
    // Section as "owner ttl IN TYPE rdata" lines, owner lower-cased.
    std::set<std::string> lines(ldns_pkt_section s) const;
    const ldns_rr* opt_present() const;
};

Response run(const zone::ZoneSet& zones, const std::vector<std::uint8_t>& query,
             engine::Transport transport = engine::Transport::Udp,
             const engine::EngineSettings& settings = {});

}  // namespace sipdns::test
