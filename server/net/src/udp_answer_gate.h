// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// The last steps of every UDP answer, between the engine's result and the wire, whether it
// leaves by a kernel socket (udp_socket_server.cc: a batch, or a forwarded query's answer) or by
// an AF_XDP queue (xdp_queue_server.cc): response rate limiting (rate_limiter.h: dropped, or
// slipped as TC=1; nothing is logged per limited answer, the counters say how many) and the
// query log's record (query_log_tap.h). One per socket or queue, on its worker's thread only.
#include <chrono>
#include <cstdint>
#include <ctime>
#include <span>

#include "query_log_tap.h"
#include "sipdns/engine/query_engine.h"
#include "sipdns/net/snapshot.h"
#include "worker.h"

namespace sipdns::net {

class UdpAnswerGate {
  public:
    // `rate_limiter` is shared by every worker (per-thread tables would each grant the full
    // rate); the counters are this socket's or queue's.
    UdpAnswerGate(Worker& worker, engine::ResponseRateLimiter& rate_limiter)
        : worker_(worker), rate_limiter_(rate_limiter) {}

    // Once per batch, before its first pass(): one clock read for the token buckets (vDSO, no
    // syscall) and the counters the metrics get the batch's increase of.
    void begin_batch(const ServingSnapshot& snapshot) {
        settings_ = &snapshot.settings;
        rate_limited_ = snapshot.settings.rate_limit.enabled();
        now_ms_ = rate_limited_ ? monotonic_ms() : 0;
        before_ = counters_;
        batch_time_ns_ = 0;
    }
    // After the batch's last pass(): what rate limiting did, into the worker's metrics.
    void end_batch() {
        if (rate_limited_) worker_.counters.count_rate_limited(counters_, before_);
    }

    // The query a result answers, for its log record.
    struct Origin {
        std::span<const std::uint8_t> query;
        std::uint16_t client_port = 0;
        std::uint8_t flags = 0;            // querylog::flag: Forwarded, FromCache
        std::int64_t query_time_ns = 0;    // CLOCK_REALTIME it arrived; 0 = the batch's time
        std::uint32_t upstream_us = 0;
    };

    // Rate limits `result` (its answer is in `answer`, which a slip rewrites) and logs it.
    // True when there is an answer of result.length bytes in `answer` to send.
    bool pass(const engine::QueryContext& context, const Origin& origin,
              engine::EngineResult& result, std::span<std::uint8_t> answer) {
        const std::uint64_t limited_before = counters_.limited;
        if (rate_limited_)
            result = engine::rate_limit(result, context, *settings_, rate_limiter_, now_ms_,
                                        counters_, answer);
        const bool answered = result.action == engine::EngineResult::Action::Respond &&
                              result.length != 0 && result.length <= answer.size();
        if (worker_.logging()) [[unlikely]]
            log(context, origin, result, answer, answered, counters_.limited != limited_before);
        return answered;
    }

    static std::uint64_t monotonic_ms() {
        return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                              std::chrono::steady_clock::now().time_since_epoch())
                                              .count());
    }

  private:
    void log(const engine::QueryContext& context, const Origin& origin,
             const engine::EngineResult& result, std::span<const std::uint8_t> answer,
             bool answered, bool limited) {
        std::uint8_t flags = origin.flags;
        if (limited) flags |= querylog::flag::RateLimited;
        if (!answered) flags |= querylog::flag::Dropped;
        std::int64_t time_ns = origin.query_time_ns;
        if (time_ns == 0) {  // read once per batch, and only when logging
            if (batch_time_ns_ == 0) batch_time_ns_ = realtime_ns();
            time_ns = batch_time_ns_;
        }
        log_answer(worker_, {&context, origin.client_port, origin.query,
                             answered ? answer.first(result.length)
                                      : std::span<const std::uint8_t>(),
                             answered ? result.length : 0, result.rcode, result.view, flags,
                             time_ns, origin.upstream_us});
    }

    Worker& worker_;
    engine::ResponseRateLimiter& rate_limiter_;
    engine::RateLimitCounters counters_;
    // Per batch (begin_batch()).
    const engine::EngineSettings* settings_ = nullptr;
    bool rate_limited_ = false;
    std::uint64_t now_ms_ = 0;
    engine::RateLimitCounters before_;
    std::int64_t batch_time_ns_ = 0;
};

}  // namespace sipdns::net
