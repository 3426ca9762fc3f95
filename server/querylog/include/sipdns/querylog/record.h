// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// One answered (or dropped) query as a worker hands it to the query log (docs/design.md §11):
// a fixed-size header and the first bytes of the query and of the response, written into a
// slot of the worker's ring (ring.h) and read by the logger thread. Plain data: no pointers
// into the worker's buffers, no allocation.
#include <cstddef>
#include <cstdint>
#include <span>

#include "sipdns/config/address.h"

namespace sipdns::querylog {

enum class Transport : std::uint8_t { Udp, Tcp };

// What happened to the query besides the response in the record.
namespace flag {
inline constexpr std::uint8_t Forwarded = 1;    // a name outside our zones, resolved upstream
inline constexpr std::uint8_t FromCache = 2;    // forwarded, answered from the worker's cache
inline constexpr std::uint8_t Dropped = 4;      // no response was sent
inline constexpr std::uint8_t RateLimited = 8;  // RRL dropped it or slipped it as TC=1
inline constexpr std::uint8_t Transfer = 16;    // an AXFR/IXFR, streamed in several messages
}  // namespace flag

struct RecordHeader {
    std::int64_t query_time_ns = 0;     // CLOCK_REALTIME when the query was read
    std::int64_t response_time_ns = 0;  // ... and when its response was written
    config::IpAddress client{};
    std::uint16_t client_port = 0;
    Transport transport = Transport::Udp;
    std::uint8_t flags = 0;
    std::uint16_t view = 0;             // the location view that answered: 0 = no location
    std::uint16_t rcode = 0;            // with the extended part (BADVERS = 16, RFC 6891 §9)
    std::uint16_t query_length = 0;     // as received
    std::uint16_t response_length = 0;  // as sent (a transfer: all its messages); 0 = none
    std::uint16_t query_stored = 0;     // bytes of each kept in the slot (a prefix)
    std::uint16_t response_stored = 0;
    std::uint32_t upstream_us = 0;      // forwarded, not from cache: the upstream's answer time
};

// A slot: the header, then query_capacity bytes of the query, then response_capacity bytes of
// the response. The capacities are the ring's (ring.h): the response is kept whole only when a
// consumer wants messages (dnstap); the line log needs only its header.
struct RecordView {
    const RecordHeader* header = nullptr;
    std::span<const std::uint8_t> query;     // query_stored bytes
    std::span<const std::uint8_t> response;  // response_stored bytes
};

// The fixed part of a DNS header (RFC 1035 §4.1.1), which the line log reads the flags, rcode
// and section counts from.
inline constexpr std::size_t kDnsHeaderBytes = 12;
// A query's question fits: header + a name of at most 255 octets + type + class (RFC 1035 §3.1)
// — and an EDNS OPT with a few options behind it, for dnstap.
inline constexpr std::size_t kQueryCapacity = 512;
// dnstap keeps the response whole up to this (a 1232-byte EDNS answer, DNS Flag Day 2020, with
// room to spare); a larger one (TCP) is logged without its response message.
inline constexpr std::size_t kMessageResponseCapacity = 1536;

}  // namespace sipdns::querylog
