// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// The query log's line (docs/design.md §11), as `sipdnsd watch` shows it and server.query_log
// writes it:
//
//   16:40:01.123 192.0.2.55#5062 udp _sip._udp.scsnetwork.local SRV NOERROR aa 2/0/3 211B dc1
//
// local time of the query, client address#port, transport, the question as asked (its case
// kept), rcode, the response's flags (aa tc ra ad; "-" for none), answer/authority/additional
// counts, response size, the location view when it is not the no-location one; then "fwd 12ms"
// (upstream answer time) or "fwd cached" for a forwarded name, "rrl" when rate limiting slipped
// or dropped it, "dropped" instead of rcode and flags when nothing was sent, "xfr" for a zone
// transfer (its size is all its messages).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sipdns/config/address.h"
#include "sipdns/querylog/record.h"

namespace sipdns::querylog {

// The question of a stored query: its name in wire form (a view into the query), type, class.
struct Question {
    std::string_view name_wire;
    std::uint16_t type = 0;
    std::uint16_t qclass = 0;
};
// nullopt when the bytes hold no complete question (a malformed query, QDCOUNT 0, a
// compression pointer in the question name).
std::optional<Question> question_of(std::span<const std::uint8_t> query);

// `view_names[i - 1]` names view i (view 0 is clients in no location and is not shown).
std::string format_line(const RecordView& record, const std::vector<std::string>& view_names);

// `sipdnsd watch --client PREFIX --name SUFFIX --type TYPE`: which records a watcher sees.
struct WatchFilter {
    std::optional<config::IpPrefix> client;  // the client's address in this prefix
    std::string name_suffix;  // lower-case wire form of a name: the question at or below it
    std::optional<std::uint16_t> type;

    bool matches(const RecordView& record) const;
    std::string describe() const;  // "client 10.0.0.0/8, name example.com, type SRV"; "" = all
};

// Each argument empty = not filtered. PREFIX: an address (that one client) or ADDRESS/LENGTH;
// SUFFIX: a domain name (label-wise, any case: "scsnetwork.local" matches
// "_sip._udp.SCSnetwork.local"); TYPE: a mnemonic (SRV, naptr) or TYPEnnn or a number.
// nullopt with `problem` saying which argument is wrong and what was expected.
std::optional<WatchFilter> parse_watch_filter(std::string_view client, std::string_view name,
                                              std::string_view type, std::string& problem);

}  // namespace sipdns::querylog
