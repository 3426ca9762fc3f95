// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// The workers' side of forwarding (server/forward): what a UDP socket or TCP connection does
// with a query the engine returned Action::Forward for. A hit in the worker's answer cache is
// answered at once, in the batch; a client over its share of outstanding queries gets SERVFAIL
// at once; anything else is parked — the query is copied and handed to the forwarder, and its
// reply is written on the worker's thread when the outcome is posted back.
#include <chrono>
#include <optional>
#include <span>
#include <utility>

#include "sipdns/engine/query_engine.h"
#include "sipdns/forward/forwarder.h"
#include "sipdns/forward/outstanding_limit.h"
#include "sipdns/net/snapshot.h"

namespace sipdns::net {

struct Worker;

// One outstanding query of a client (outstanding_limit.h), given back when it is destroyed.
class OutstandingTicket {
  public:
    OutstandingTicket() = default;
    OutstandingTicket(forward::OutstandingLimit* limit, const config::IpAddress& client)
        : limit_(limit), client_(client) {}
    OutstandingTicket(OutstandingTicket&& other) noexcept
        : limit_(std::exchange(other.limit_, nullptr)), client_(other.client_) {}
    OutstandingTicket& operator=(OutstandingTicket&& other) noexcept {
        if (this != &other) {
            reset();
            limit_ = std::exchange(other.limit_, nullptr);
            client_ = other.client_;
        }
        return *this;
    }
    ~OutstandingTicket() { reset(); }
    void reset() {
        if (limit_) limit_->release(client_);
        limit_ = nullptr;
    }

  private:
    forward::OutstandingLimit* limit_ = nullptr;
    config::IpAddress client_{};
};

// Answers now from the worker's cache (or with SERVFAIL when the client is over its share), or
// says to park the query: nullopt, with `ticket` holding the client's outstanding slot.
// `from_cache` (optional) says whether the answer came from the cache.
std::optional<engine::EngineResult> answer_forward_now(
    Worker& worker, const ServingSnapshot& snapshot, std::span<const std::uint8_t> query,
    const engine::QueryContext& context, const engine::ForwardQuestion& question,
    std::span<std::uint8_t> out, OutstandingTicket& ticket, bool* from_cache = nullptr);

// The reply to a parked query once the forwarder's outcome is in (on the worker's thread):
// written into `out`, counted, and the answer kept in the worker's cache.
engine::EngineResult answer_forwarded(Worker& worker, const ServingSnapshot& snapshot,
                                      std::span<const std::uint8_t> query,
                                      const engine::QueryContext& context,
                                      const engine::ForwardQuestion& question,
                                      const forward::ForwardOutcome& outcome,
                                      std::span<std::uint8_t> out);

}  // namespace sipdns::net
