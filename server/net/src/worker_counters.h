// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// One worker thread's traffic counters (metrics.h). Only the worker's own thread writes them, so
// an increment is a relaxed load and a relaxed store of the same word — a plain add on x86 and
// ARM, no locked instruction, no fence — yet a scrape on another thread may read them without a
// data race. The struct is cache-line aligned (and so padded) so that two workers' counters
// never share a line. No allocation, no lock: the per-query cost is two or three adds.
#include <atomic>
#include <cstddef>
#include <cstdint>

#include "sipdns/engine/query_engine.h"
#include "sipdns/net/metrics.h"

namespace sipdns::net {

struct alignas(64) WorkerCounters {
    using Counter = std::atomic<std::uint64_t>;

    static void bump(Counter& c, std::uint64_t n = 1) {
        c.store(c.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
    }
    static std::uint64_t read(const Counter& c) { return c.load(std::memory_order_relaxed); }

    // After respond(): one answered query (Respond or Transfer) or one dropped message.
    void count(engine::Transport transport, const engine::EngineResult& result) {
        const auto t = static_cast<std::size_t>(transport);
        // A query handed to the forwarder is counted when its reply is written.
        if (result.action == engine::EngineResult::Action::Forward) return;
        if (result.action == engine::EngineResult::Action::Drop) [[unlikely]] {
            bump(dropped[t]);
            return;
        }
        bump(queries[t][qtype_bucket(result.qtype)][rcode_bucket(result.rcode)]);
        if (result.truncated) [[unlikely]]
            bump(truncated[t]);
        if (result.cookie != engine::CookieStatus::None)
            bump(cookies[static_cast<std::size_t>(result.cookie) - 1]);
    }

    // What a socket's rate limiter did since `before` (a copy of its counters taken then):
    // answers limited, of which slipped (the rest dropped).
    void count_rate_limited(const engine::RateLimitCounters& now,
                            const engine::RateLimitCounters& before) {
        const std::uint64_t limited = now.limited - before.limited;
        if (limited == 0) return;
        const std::uint64_t slipped = now.slipped - before.slipped;
        bump(rate_limited_slipped, slipped);
        bump(rate_limited_dropped, limited - slipped);
    }

    // Adds this worker's counters into `totals` (any thread).
    void add_to(TrafficTotals& totals) const {
        for (std::size_t t = 0; t < kTransports; ++t) {
            for (std::size_t q = 0; q < kQtypeBuckets; ++q)
                for (std::size_t r = 0; r < kRcodeBuckets; ++r)
                    totals.queries[t][q][r] += read(queries[t][q][r]);
            totals.truncated[t] += read(truncated[t]);
            totals.dropped[t] += read(dropped[t]);
        }
        totals.rate_limited_dropped += read(rate_limited_dropped);
        totals.rate_limited_slipped += read(rate_limited_slipped);
        for (std::size_t c = 0; c < kCookieStatuses; ++c) totals.cookies[c] += read(cookies[c]);
        for (std::size_t t = 0; t < kTransports; ++t)
            totals.forward_queries[t] += read(forward_queries[t]);
        totals.forward_cache_hits += read(forward_cache_hits);
        for (std::size_t r = 0; r < kForwardFailureReasons; ++r)
            totals.forward_failures[r] += read(forward_failures[r]);
        for (std::size_t r = 0; r < kXdpFrameResults; ++r) totals.xdp_frames[r] += read(xdp_frames[r]);
    }

    Counter queries[kTransports][kQtypeBuckets][kRcodeBuckets]{};
    Counter truncated[kTransports]{};
    Counter dropped[kTransports]{};
    Counter rate_limited_dropped{0};
    Counter rate_limited_slipped{0};
    Counter cookies[kCookieStatuses]{};
    // Forwarded queries (names outside our zones): replies written, of which from this
    // worker's answer cache, and SERVFAILs by reason (forward::FailureReason).
    Counter forward_queries[kTransports]{};
    Counter forward_cache_hits{0};
    Counter forward_failures[kForwardFailureReasons]{};
    // The AF_XDP queue's frames (xdp_queue_server.h), by kXdpFrameLabels.
    Counter xdp_frames[kXdpFrameResults]{};
};

static_assert(std::atomic<std::uint64_t>::is_always_lock_free);
static_assert(static_cast<std::size_t>(engine::CookieStatus::Malformed) == kCookieStatuses);

}  // namespace sipdns::net
