// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// One DNS-over-TCP connection (RFC 7766), owned by the worker whose io_context runs its socket.
// Queries are 2-byte-length framed (RFC 1035 §4.2.2); several may arrive in one segment or be
// split over segments, and each is answered as soon as it is complete (RFC 7766 §6.2.1.1,
// pipelining). Answers are appended to a buffer that is never touched while it is being sent:
// two buffers swap, one filling while the other is written.
//
// What one connection may cost is bounded (RFC 7766 §10 connection management, RFC 9210 §4):
// - idle: no query and nothing to send for TcpTimeouts::idle -> closed (RFC 7766 §6.2.3); answers
//   the kernel still holds for a slow reader count as something to send;
// - a query must arrive whole within TcpTimeouts::io of its first byte: a client trickling a
//   byte a second cannot hold a connection slot for long ("slowloris");
// - queued answers must make progress: a write that moves no byte for TcpTimeouts::io (a client
//   that never reads, so the socket's send buffer is full) closes the connection with a reset,
//   which also drops what the kernel still holds for it;
// - at most kMaxQueuedAnswerBytes of answers wait in user space: beyond that no more queries are
//   read from the client (back-pressure), so memory per connection is bounded.
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "forwarding.h"
#include "sipdns/engine/query_engine.h"
#include "sipdns/net/tcp_framer.h"

namespace sipdns::net {

struct Worker;

// The cap on concurrent TCP connections over all listeners (docs/design.md §5). Shared by the
// acceptor threads and the workers, hence atomic.
class ConnectionLimit {
  public:
    explicit ConnectionLimit(std::uint32_t max) : max_(max) {}
    // Once per accepted connection (not per query): the metrics' accepted/refused counts too.
    bool try_acquire() {
        std::uint32_t active = active_.load(std::memory_order_relaxed);
        do {
            if (active >= max_) {
                refused_.fetch_add(1, std::memory_order_relaxed);
                return false;
            }
        } while (!active_.compare_exchange_weak(active, active + 1, std::memory_order_relaxed));
        accepted_.fetch_add(1, std::memory_order_relaxed);
        return true;
    }
    void release() { active_.fetch_sub(1, std::memory_order_relaxed); }
    std::uint32_t max() const { return max_; }
    std::uint32_t active() const { return active_.load(std::memory_order_relaxed); }
    std::uint64_t accepted() const { return accepted_.load(std::memory_order_relaxed); }
    std::uint64_t refused() const { return refused_.load(std::memory_order_relaxed); }

  private:
    std::atomic<std::uint32_t> active_{0};
    std::atomic<std::uint64_t> accepted_{0};
    std::atomic<std::uint64_t> refused_{0};
    const std::uint32_t max_;
};

// The timers of every connection (server.tcp_idle_timeout_ms, server.tcp_io_timeout_ms).
struct TcpTimeouts {
    std::chrono::milliseconds idle{10000};
    std::chrono::milliseconds io{2000};
};

class TcpConnection : public std::enable_shared_from_this<TcpConnection> {
  public:
    // Takes one unit of `limit`, which the caller acquired; it is released on destruction.
    TcpConnection(boost::asio::ip::tcp::socket socket, Worker& worker, ConnectionLimit& limit,
                  TcpTimeouts timeouts);
    ~TcpConnection();
    TcpConnection(const TcpConnection&) = delete;
    TcpConnection& operator=(const TcpConnection&) = delete;

    // On the worker's thread.
    void start();
    // Daemon shutdown (docs/design.md §6): stop reading, send the answers already queued, close.
    void finish_and_close();

    // While more answer bytes than this wait for a client that does not read them, no more
    // queries are read from it (back-pressure instead of unbounded memory).
    // 64 KiB: one largest answer, or hundreds of ordinary ones. (A zone transfer is queued
    // whole; only allowed clients get one.)
    static constexpr std::size_t kMaxQueuedAnswerBytes = 64 * 1024;

  private:
    void read_more();
    void on_read(const boost::system::error_code& ec, std::size_t bytes);
    void answer_complete_queries();
    void answer_one(std::span<const std::uint8_t> query);
    // Appends the engine's answer in the worker's scratch buffer, framed, to the outbox.
    void queue_answer(const engine::EngineResult& result);
    // A forwarded query (forwarding.h): parked until the forwarder's outcome is posted back;
    // its answer is queued then, after the answers to later queries perhaps (RFC 7766 §7:
    // responses may be sent out of order).
    class ForwardCompletion;
    void park(std::span<const std::uint8_t> query, const engine::ForwardQuestion& question,
              OutstandingTicket ticket);
    void answer_parked(const std::vector<std::uint8_t>& query,
                       const engine::ForwardQuestion& question,
                       const forward::ForwardOutcome& outcome,
                       std::chrono::steady_clock::time_point parked_at);
    void log_tcp_answer(std::span<const std::uint8_t> query, const engine::EngineResult& result,
                        std::uint8_t flags, std::int64_t query_time_ns, std::uint32_t upstream_us);
    void flush();
    void write_some();
    void on_written(const boost::system::error_code& ec, std::size_t bytes);
    using TimePoint = std::chrono::steady_clock::time_point;
    // The earliest of the deadlines that apply now (idle, the query being read, the write).
    TimePoint next_deadline() const;
    // Arms the timer for next_deadline() unless it already fires no later than that.
    void schedule_timer();
    void on_timer();
    void close(bool reset = false);
    bool all_sent() const {
        return !writing_ && outbox_filling_.empty() && parked_forwards_ == 0;
    }

    boost::asio::ip::tcp::socket socket_;
    engine::QueryContext context_{engine::Transport::Tcp};  // with the peer's address
    std::uint16_t client_port_ = 0;                         // for the query log
    Worker& worker_;
    ConnectionLimit& limit_;
    const TcpTimeouts timeouts_;
    // One timer for every deadline; its handler closes the connection when one has passed.
    boost::asio::steady_timer timer_;
    TimePoint timer_expiry_{};
    bool timer_pending_ = false;
    std::uint64_t timer_generation_ = 0;  // a handler of an older arming is stale
    // RFC 7766 §6.2.3: the last complete query or finished write; with nothing left to send, the
    // connection is closed timeouts_.idle after it.
    TimePoint last_activity_;
    // When the query now being waited for began to arrive (partial_query_: bytes of it are in
    // inbox_ and more are being read).
    TimePoint partial_since_;
    bool partial_query_ = false;
    // When the write in progress last moved a byte.
    TimePoint write_progress_;
    // The kernel's unsent bytes when write_progress_ was taken (-1: unknown): a timer that finds
    // fewer knows the client read meanwhile, even if our write handler has not run yet.
    int unsent_at_progress_ = -1;
    int kernel_unsent();
    bool client_read_since_progress();
    // Our writes are done but the kernel's send queue still holds answers for a slow reader
    // (seen when the idle deadline passed): watched like a write in progress, by the client's
    // progress, and idle only once the queue is empty. Closing it as idle meanwhile would cut
    // off a client that reads every answer, only slowly.
    bool draining_ = false;
    bool sending() const { return writing_ || draining_; }
    std::size_t sent_ = 0;  // bytes of outbox_sending_ already written

    TcpFramer inbox_;  // received bytes, split into queries (RFC 7766 §8)
    std::vector<std::uint8_t> outbox_filling_;  // framed answers not yet handed to the socket
    std::vector<std::uint8_t> outbox_sending_;  // the buffer of the async_write in progress

    std::size_t parked_forwards_ = 0;  // forwarded queries whose answer is still to come
    bool reading_ = false;
    bool writing_ = false;
    bool finishing_ = false;  // peer sent EOF, or the daemon is stopping: no more reads
    bool closed_ = false;
};

}  // namespace sipdns::net
