// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#include "query_log_tap.h"

#include <time.h>

#include <algorithm>
#include <cstring>

#include "worker.h"

namespace sipdns::net {

std::int64_t realtime_ns() {
    timespec ts{};
    ::clock_gettime(CLOCK_REALTIME, &ts);
    return static_cast<std::int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

void log_answer(Worker& worker, const LoggedAnswer& answer) {
    querylog::QueryRing::Slot slot;
    if (worker.log_ring == nullptr || !worker.log_ring->begin(slot)) return;
    querylog::RecordHeader& h = *slot.header;
    const std::int64_t now = realtime_ns();
    h.query_time_ns = answer.query_time_ns != 0 ? answer.query_time_ns : now;
    h.response_time_ns = now;
    h.client = answer.context->client;
    h.client_port = answer.client_port;
    h.transport = answer.context->transport == engine::Transport::Udp ? querylog::Transport::Udp
                                                                      : querylog::Transport::Tcp;
    h.flags = answer.flags;
    h.view = answer.view;
    h.rcode = answer.rcode;
    h.query_length = static_cast<std::uint16_t>(std::min<std::size_t>(answer.query.size(), 65535));
    h.response_length =
        static_cast<std::uint16_t>(std::min<std::size_t>(answer.response_length, 65535));
    h.upstream_us = answer.upstream_us;
    const std::size_t query_bytes =
        std::min(answer.query.size(), worker.log_ring->query_capacity());
    if (query_bytes != 0) std::memcpy(slot.query, answer.query.data(), query_bytes);
    h.query_stored = static_cast<std::uint16_t>(query_bytes);
    // The whole response when it fits the slot (dnstap's rings), else its header (the line).
    std::size_t response_bytes = answer.response.size();
    if (response_bytes > worker.log_ring->response_capacity())
        response_bytes = std::min(answer.response.size(), querylog::kDnsHeaderBytes);
    // A dropped query has no response (an empty span's data() may be null: no memcpy from it).
    if (response_bytes != 0) std::memcpy(slot.response, answer.response.data(), response_bytes);
    h.response_stored = static_cast<std::uint16_t>(response_bytes);
    worker.log_ring->commit();
}

}  // namespace sipdns::net
