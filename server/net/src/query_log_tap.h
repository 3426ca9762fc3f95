// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// The workers' end of the query log (server/querylog, docs/design.md §11): after an answer is
// final (rate limiting included), a record goes into the worker's ring — only when someone
// logs (Worker::logging(), one relaxed load and a branch per query) and never waiting: a full
// ring drops the record and counts it.
#include <cstdint>
#include <span>

#include "sipdns/engine/query_engine.h"
#include "sipdns/querylog/record.h"

namespace sipdns::net {

struct Worker;

struct LoggedAnswer {
    const engine::QueryContext* context = nullptr;
    std::uint16_t client_port = 0;
    std::span<const std::uint8_t> query;
    // The response as sent (empty: none was); `response_length` may exceed it (a transfer,
    // whose messages are summed).
    std::span<const std::uint8_t> response;
    std::size_t response_length = 0;
    std::uint16_t rcode = 0;
    std::uint16_t view = 0;
    std::uint8_t flags = 0;  // querylog::flag
    std::int64_t query_time_ns = 0;     // CLOCK_REALTIME; 0 = now
    std::uint32_t upstream_us = 0;
};

void log_answer(Worker& worker, const LoggedAnswer& answer);

// CLOCK_REALTIME in nanoseconds (vDSO, no syscall).
std::int64_t realtime_ns();

}  // namespace sipdns::net
