// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#include "forwarding.h"

#include "worker.h"

namespace sipdns::net {

namespace {

void count_reply(Worker& worker, const engine::QueryContext& context,
                 const engine::EngineResult& result) {
    worker.counters.count(context.transport, result);
    WorkerCounters::bump(worker.counters.forward_queries[static_cast<std::size_t>(context.transport)]);
}

void count_failure(Worker& worker, forward::FailureReason reason) {
    WorkerCounters::bump(worker.counters.forward_failures[static_cast<std::size_t>(reason)]);
}

// The worker's cache holds answers for one zone set: a reload may have made a cached name ours.
forward::AnswerCache& cache_for(Worker& worker, const ServingSnapshot& snapshot) {
    if (worker.answer_cache_snapshot != &snapshot) {
        worker.answer_cache.clear();
        worker.answer_cache_snapshot = &snapshot;
    }
    return worker.answer_cache;
}

}  // namespace

std::optional<engine::EngineResult> answer_forward_now(
    Worker& worker, const ServingSnapshot& snapshot, std::span<const std::uint8_t> query,
    const engine::QueryContext& context, const engine::ForwardQuestion& question,
    std::span<std::uint8_t> out, OutstandingTicket& ticket, bool* from_cache) {
    const auto now = std::chrono::steady_clock::now();
    if (const forward::ForwardedAnswer* hit = cache_for(worker, snapshot).find(question, now)) {
        const engine::EngineResult result =
            engine::write_forwarded(query, context, snapshot.settings, hit->view(now), out);
        count_reply(worker, context, result);
        WorkerCounters::bump(worker.counters.forward_cache_hits);
        if (from_cache) *from_cache = true;
        return result;
    }
    if (worker.forwarder == nullptr || !worker.outstanding->try_acquire(context.client)) {
        const engine::EngineResult result = engine::write_forward_failure(
            query, context, snapshot.settings, engine::ede::Other,
            "too many outstanding forwarded queries", out);
        count_reply(worker, context, result);
        count_failure(worker, forward::FailureReason::Busy);
        return result;
    }
    ticket = OutstandingTicket(worker.outstanding, context.client);
    return std::nullopt;
}

engine::EngineResult answer_forwarded(Worker& worker, const ServingSnapshot& snapshot,
                                      std::span<const std::uint8_t> query,
                                      const engine::QueryContext& context,
                                      const engine::ForwardQuestion& question,
                                      const forward::ForwardOutcome& outcome,
                                      std::span<std::uint8_t> out) {
    engine::EngineResult result;
    if (outcome.answer) {
        result = engine::write_forwarded(query, context, snapshot.settings,
                                         outcome.answer->view(std::chrono::steady_clock::now()),
                                         out);
        if (outcome.answer->rcode == engine::rcode::ServFail)
            count_failure(worker, forward::FailureReason::Servfail);
        cache_for(worker, snapshot).insert(question, outcome.answer);
    } else {
        result = engine::write_forward_failure(query, context, snapshot.settings, outcome.ede_code,
                                               outcome.ede_text, out);
        count_failure(worker, outcome.reason);
    }
    count_reply(worker, context, result);
    return result;
}

}  // namespace sipdns::net
