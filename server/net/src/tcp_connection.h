#pragma once
// One DNS-over-TCP connection (RFC 7766), owned by the worker whose io_context runs its socket.
// Queries are 2-byte-length framed (RFC 1035 §4.2.2); several may arrive in one segment or be
// split over segments, and each is answered as soon as it is complete (RFC 7766 §6.2.1.1,
// pipelining). Answers are appended to a buffer that is never touched while it is being sent:
// two buffers swap, one filling while the other is written.
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "sipdns/engine/query_engine.h"

namespace sipdns::net {

struct Worker;

// The cap on concurrent TCP connections over all listeners (DESIGN.md §5). Shared by the
// acceptor threads and the workers, hence atomic.
class ConnectionLimit {
  public:
    explicit ConnectionLimit(std::uint32_t max) : max_(max) {}
    bool try_acquire() {
        std::uint32_t active = active_.load(std::memory_order_relaxed);
        do {
            if (active >= max_) return false;
        } while (!active_.compare_exchange_weak(active, active + 1, std::memory_order_relaxed));
        return true;
    }
    void release() { active_.fetch_sub(1, std::memory_order_relaxed); }
    std::uint32_t max() const { return max_; }

  private:
    std::atomic<std::uint32_t> active_{0};
    const std::uint32_t max_;
};

class TcpConnection : public std::enable_shared_from_this<TcpConnection> {
  public:
    // Takes one unit of `limit`, which the caller acquired; it is released on destruction.
    TcpConnection(boost::asio::ip::tcp::socket socket, Worker& worker, ConnectionLimit& limit,
                  std::chrono::milliseconds idle_timeout);
    ~TcpConnection();
    TcpConnection(const TcpConnection&) = delete;
    TcpConnection& operator=(const TcpConnection&) = delete;

    // On the worker's thread.
    void start();
    // Daemon shutdown (DESIGN.md §6): stop reading, send the answers already queued, close.
    void finish_and_close();

    // While more answer bytes than this wait for a client that does not read them, no more
    // queries are read from it (back-pressure instead of unbounded memory).
    static constexpr std::size_t kMaxQueuedAnswerBytes = 256 * 1024;

  private:
    void read_more();
    void on_read(const boost::system::error_code& ec, std::size_t bytes);
    void answer_complete_queries();
    void answer_one(std::span<const std::uint8_t> query);
    void make_room_for_next_query();
    void flush();
    void on_written(const boost::system::error_code& ec);
    void arm_idle_timer();
    void close();
    bool all_sent() const { return !writing_ && outbox_filling_.empty(); }

    boost::asio::ip::tcp::socket socket_;
    engine::QueryContext context_{engine::Transport::Tcp};  // with the peer's address
    Worker& worker_;
    ConnectionLimit& limit_;
    const std::chrono::milliseconds idle_timeout_;
    boost::asio::steady_timer idle_timer_;
    // RFC 7766 §6.2.3: reset by every complete query; the timer closes the connection when it
    // has been idle (or stuck on half a message) for idle_timeout_.
    std::chrono::steady_clock::time_point last_query_time_;

    std::vector<std::uint8_t> inbox_;  // received bytes; complete queries are consumed in front
    std::size_t inbox_used_ = 0;
    std::vector<std::uint8_t> outbox_filling_;  // framed answers not yet handed to the socket
    std::vector<std::uint8_t> outbox_sending_;  // the buffer of the async_write in progress

    bool reading_ = false;
    bool writing_ = false;
    bool finishing_ = false;  // peer sent EOF, or the daemon is stopping: no more reads
    bool closed_ = false;
};

}  // namespace sipdns::net
