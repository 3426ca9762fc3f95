// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// One worker thread's world (docs/design.md §5, §7): its own io_context, its own snapshot reader
// and the scratch buffer the engine writes TCP answers into. Once the worker runs, everything here
// is touched only from its thread, so none of it needs a lock.
#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <unordered_set>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "sipdns/engine/query_engine.h"
#include "sipdns/forward/answer_cache.h"
#include "sipdns/forward/forwarder.h"
#include "sipdns/forward/outstanding_limit.h"
#include "sipdns/net/snapshot.h"
#include "sipdns/querylog/ring.h"
#include "log_throttle.h"
#include "worker_counters.h"

namespace sipdns::net {

class TcpConnection;
class UdpSocketServer;
class XdpQueueServer;

struct Worker {
    Worker(unsigned index, const SnapshotHolder& snapshots);
    ~Worker();
    Worker(const Worker&) = delete;
    Worker& operator=(const Worker&) = delete;

    // On the worker's thread: close the UDP sockets and ask every TCP connection to send what it
    // has queued and close (docs/design.md §6). Connections started later close at once.
    void begin_shutdown();

    const unsigned index;
    bool stopping = false;
    // This thread's traffic counters (metrics.h): its UDP sockets and TCP connections count
    // every query here; a scrape sums all workers'.
    WorkerCounters counters;

    // Member order matters for destruction: `connections` is declared before `context` so that it
    // outlives it — destroying the io_context destroys pending handlers, which release the last
    // references to their connections, whose destructors unregister here. The UDP socket servers
    // are declared after `context`, so they are destroyed while it still exists (Asio requires
    // I/O objects to go before their io_context).
    std::unordered_set<TcpConnection*> connections;
    SnapshotReader snapshots;
    // Forwarding (forwarding.h); null when the site does not forward. Both are shared by every
    // worker and outlive them. The answer cache is this worker's own, for the zone set at
    // answer_cache_snapshot (compared by address: emptied when a reload publishes another).
    forward::Forwarder* forwarder = nullptr;
    forward::OutstandingLimit* outstanding = nullptr;
    forward::AnswerCache answer_cache;
    const ServingSnapshot* answer_cache_snapshot = nullptr;
    std::array<std::uint8_t, engine::kMaxTcpMessage> tcp_answer_scratch{};

    // The query log (query_log_tap.h): this worker's ring, filled only while `log_active` (the
    // query log's flag, or a false one when the daemon has none) says someone reads it.
    querylog::QueryRing* log_ring = nullptr;
    const std::atomic<bool>* log_active = &kNeverLogging;
    bool logging() const { return log_active->load(std::memory_order_relaxed); }
    static const std::atomic<bool> kNeverLogging;
    // TSIG refusals (log_tsig_refusal()): one line each, at most one per interval per worker.
    LogThrottle tsig_log;
    boost::asio::io_context context{1};  // concurrency hint 1: exactly one thread runs it
    std::vector<std::unique_ptr<UdpSocketServer>> udp_sockets;
    // The worker's AF_XDP queue, when server.xdp runs one for it (at most one per worker).
    // After udp_sockets: destroyed first, as it hands forwarded queries to them.
    std::vector<std::unique_ptr<XdpQueueServer>> xdp_queues;
};

// One warning line for a query the engine refused on TSIG grounds (RFC 8945 §5.2: BADKEY,
// BADSIG, BADTIME, BADTRUNC; or a transfer without a signature when the site has a key): the
// client, the name and type asked, and why. Nothing for any other answer.
void log_tsig_refusal(Worker& worker, const engine::QueryContext& context,
                      std::span<const std::uint8_t> query, const engine::EngineResult& result);

}  // namespace sipdns::net
