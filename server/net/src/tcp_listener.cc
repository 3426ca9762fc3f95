// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#include "tcp_listener.h"

#include <memory>

#include <spdlog/spdlog.h>
#include <boost/asio/post.hpp>

#include "socket_setup.h"
#include "worker.h"

namespace sipdns::net {

namespace asio = boost::asio;
using boost::system::error_code;

namespace {
// After an accept error that will repeat at once (out of descriptors or memory), wait this long.
constexpr std::chrono::milliseconds kAcceptRetryDelay{100};
}  // namespace

TcpListener::TcpListener(asio::ip::tcp::acceptor acceptor, std::vector<Worker*> workers,
                         ConnectionLimit& limit, TcpTimeouts timeouts)
    : acceptor_(std::move(acceptor)),
      name_(endpoint_text(acceptor_.local_endpoint().address(), acceptor_.local_endpoint().port())),
      workers_(std::move(workers)),
      limit_(limit),
      timeouts_(timeouts),
      retry_timer_(acceptor_.get_executor()) {}

void TcpListener::start() {
    accept_next();
}

void TcpListener::stop() {
    error_code ignored;
    retry_timer_.cancel();
    acceptor_.close(ignored);
}

void TcpListener::accept_next() {
    if (!acceptor_.is_open() || workers_.empty()) return;
    // The new socket belongs to the next worker's io_context (round-robin).
    Worker& worker = *workers_[next_worker_];
    next_worker_ = (next_worker_ + 1) % workers_.size();
    acceptor_.async_accept(worker.context,
                           [this, &worker](const error_code& ec, asio::ip::tcp::socket socket) {
                               on_accepted(ec, std::move(socket), worker);
                           });
}

void TcpListener::on_accepted(const error_code& ec, asio::ip::tcp::socket socket, Worker& worker) {
    if (ec == asio::error::operation_aborted || !acceptor_.is_open()) return;  // stop()
    if (ec) {
        if (error_log_.allow())
            spdlog::warn("tcp {}: accept: {} ({} more not logged)", name_, ec.message(),
                         error_log_.suppressed());
        // Out of descriptors or memory would fail again at once: pause. A connection reset
        // before we accepted it (ECONNABORTED) is no reason to wait.
        if (ec == asio::error::no_descriptors || ec == asio::error::no_buffer_space ||
            ec == asio::error::no_memory ||
            ec == boost::system::errc::too_many_files_open_in_system) {
            retry_timer_.expires_after(kAcceptRetryDelay);
            retry_timer_.async_wait([this](const error_code& timer_ec) {
                if (!timer_ec) accept_next();
            });
            return;
        }
        accept_next();
        return;
    }
    if (!limit_.try_acquire()) {
        // Over the cap (docs/design.md §5): accepted and closed at once; the client sees the close
        // and may retry elsewhere or over UDP.
        error_code ignored;
        socket.close(ignored);
        if (refused_log_.allow())
            spdlog::warn(
                "tcp {}: connection limit ({}) reached, closing new connections "
                "({} more closed since the last message)",
                name_, limit_.max(), refused_log_.suppressed());
        accept_next();
        return;
    }
    error_code ignored;
    // Answers are small and written whole: do not let Nagle hold them back.
    socket.set_option(asio::ip::tcp::no_delay(true), ignored);
    auto connection =
        std::make_shared<TcpConnection>(std::move(socket), worker, limit_, timeouts_);
    // Everything else about the connection happens on its worker's thread.
    asio::post(worker.context, [connection] { connection->start(); });
    accept_next();
}

}  // namespace sipdns::net
