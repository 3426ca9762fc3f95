// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// Operator metrics (issue 9): what the daemon counts and the Prometheus text exposition format
// (https://prometheus.io/docs/instrumenting/exposition_formats/, format 0.0.4) it is served in
// by MetricsServer (metrics_server.h). Counting happens on the workers in per-thread counters
// (src/worker_counters.h); this header holds what a scrape reads: plain sums taken with relaxed
// loads, the reload counters and the zone snapshot.
#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "sipdns/forward/forwarder.h"
#include "sipdns/net/snapshot.h"

namespace sipdns::net {

// Query types with a bucket of their own (the ones a SIP site's clients and secondaries ask);
// every other type counts as "other".
struct CountedQtype {
    std::uint16_t code;
    std::string_view name;
};
inline constexpr std::array<CountedQtype, 13> kCountedQtypes{{{1, "A"},
                                                              {28, "AAAA"},
                                                              {2, "NS"},
                                                              {6, "SOA"},
                                                              {5, "CNAME"},
                                                              {12, "PTR"},
                                                              {15, "MX"},
                                                              {16, "TXT"},
                                                              {33, "SRV"},
                                                              {35, "NAPTR"},
                                                              {255, "ANY"},
                                                              {252, "AXFR"},
                                                              {251, "IXFR"}}};
inline constexpr std::size_t kQtypeBuckets = kCountedQtypes.size() + 1;  // + other
inline constexpr std::size_t kOtherQtypeBucket = kCountedQtypes.size();

// Runs once per query: one table load for types below 256 (every counted one), no search.
inline constexpr auto kQtypeBucketByCode = [] {
    std::array<std::uint8_t, 256> table{};
    table.fill(static_cast<std::uint8_t>(kOtherQtypeBucket));
    for (std::size_t i = 0; i < kCountedQtypes.size(); ++i)
        table[kCountedQtypes[i].code] = static_cast<std::uint8_t>(i);
    return table;
}();
constexpr std::size_t qtype_bucket(std::uint16_t qtype) {
    return qtype < kQtypeBucketByCode.size() ? kQtypeBucketByCode[qtype] : kOtherQtypeBucket;
}
static_assert(qtype_bucket(1) == 0 && qtype_bucket(33) == 8 && qtype_bucket(251) == 12 &&
              qtype_bucket(0) == kOtherQtypeBucket && qtype_bucket(65535) == kOtherQtypeBucket);

// Response codes 0-15 of the header (RFC 1035 §4.1.1, RFC 6895 §2.3), BADVERS (16, the only
// extended one the engine sends, RFC 6891 §9), and a bucket for anything else.
inline constexpr std::size_t kRcodeBuckets = 18;
constexpr std::size_t rcode_bucket(std::uint16_t rcode) {
    return rcode <= 16 ? rcode : kRcodeBuckets - 1;
}
// IANA mnemonics (RFC 6895 §2.3); 12-15 are unassigned.
std::string_view rcode_label(std::size_t bucket);

inline constexpr std::size_t kTransports = 2;  // engine::Transport: Udp = 0, Tcp = 1
// engine::CookieStatus other than None, in its order (ClientOnly = 1 ... Malformed = 4).
inline constexpr std::size_t kCookieStatuses = 4;
inline constexpr std::array<std::string_view, kCookieStatuses> kCookieStatusLabels{
    "client_only", "valid", "invalid", "malformed"};
// What the AF_XDP path did with a frame its program redirected (docs/design.md §5).
inline constexpr std::size_t kXdpFrameResults = 3;
inline constexpr std::size_t kXdpAnswered = 0, kXdpPassedToKernel = 1, kXdpDropped = 2;
inline constexpr std::array<std::string_view, kXdpFrameResults> kXdpFrameLabels{
    "answered", "passed_to_kernel", "dropped"};
// forward::FailureReason: servfail, timeout, busy, error.
inline constexpr std::size_t kForwardFailureReasons = 4;
inline constexpr std::array<std::string_view, kForwardFailureReasons> kForwardFailureLabels{
    "servfail", "timeout", "busy", "error"};

// The sum over every worker at one moment (each counter read with a relaxed load: a scrape may
// see one counter a query ahead of another, never a torn value).
struct TrafficTotals {
    // Queries the engine answered (a response or a zone transfer), by transport, the query's
    // type and the response's rcode — before rate limiting, which may then drop or slip them.
    std::array<std::array<std::array<std::uint64_t, kRcodeBuckets>, kQtypeBuckets>, kTransports>
        queries{};
    // Answers sent with TC=1 because they did not fit (rate-limit slips are counted apart).
    std::array<std::uint64_t, kTransports> truncated{};
    // Messages given no answer at all: unparseable, QR=1, or a datagram larger than any query.
    std::array<std::uint64_t, kTransports> dropped{};
    // UDP response rate limiting (rate_limiter.h): answers dropped, answers slipped as TC=1.
    std::uint64_t rate_limited_dropped = 0;
    std::uint64_t rate_limited_slipped = 0;
    // Queries with a DNS COOKIE option (RFC 7873), by what it held (kCookieStatusLabels).
    std::array<std::uint64_t, kCookieStatuses> cookies{};
    // TCP connections: open now, accepted since start, closed at once over the cap.
    std::uint64_t tcp_open = 0;
    std::uint64_t tcp_accepted = 0;
    std::uint64_t tcp_refused = 0;
    // Forwarding (zero when off): replies to forwarded queries by transport, of which from the
    // workers' answer caches, and the SERVFAILs we sent for them by reason.
    std::array<std::uint64_t, kTransports> forward_queries{};
    std::uint64_t forward_cache_hits = 0;
    std::array<std::uint64_t, kForwardFailureReasons> forward_failures{};
    std::uint64_t forward_outstanding = 0;  // waiting for upstream now
    // AF_XDP (zero without server.xdp): frames answered, handed to the kernel's socket
    // (forwarded names), dropped (no answer, or a frame that did not parse).
    std::array<std::uint64_t, kXdpFrameResults> xdp_frames{};
    bool xdp = false;  // the AF_XDP path runs: its metric is shown
};

// SIGHUP reloads since start; written by the reload (control) thread, read by scrapes.
struct ReloadStats {
    std::atomic<std::uint64_t> ok{0};
    std::atomic<std::uint64_t> failed{0};
};

// The whole scrape body: the traffic counters, the reload counters and, per zone of the serving
// snapshot's no-location view (what secondaries transfer), its serial and record count.
// `forwarder`: the forwarder's own statistics (upstream latency), when the site forwards.
std::string render_metrics(const TrafficTotals& traffic, const ReloadStats& reloads,
                           const ServingSnapshot& serving,
                           const forward::ForwarderStats* forwarder = nullptr);

}  // namespace sipdns::net
