// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// The TCP acceptor of one listen address (docs/design.md §5). Accepted connections are spread over
// the workers round-robin, each running on its worker's io_context; connections beyond the cap
// are accepted and closed at once (never a crash, and the acceptor keeps accepting).
#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "log_throttle.h"
#include "tcp_connection.h"

namespace sipdns::net {

struct Worker;

class TcpListener {
  public:
    TcpListener(boost::asio::ip::tcp::acceptor acceptor, std::vector<Worker*> workers,
                ConnectionLimit& limit, TcpTimeouts timeouts);
    TcpListener(const TcpListener&) = delete;
    TcpListener& operator=(const TcpListener&) = delete;

    void start();  // before the acceptor's worker runs, or on its thread
    void stop();   // on the acceptor's thread

    boost::asio::any_io_executor executor() { return acceptor_.get_executor(); }

  private:
    void accept_next();
    void on_accepted(const boost::system::error_code& ec, boost::asio::ip::tcp::socket socket,
                     Worker& worker);

    boost::asio::ip::tcp::acceptor acceptor_;
    const std::string name_;  // "127.0.0.1:53", for log messages
    std::vector<Worker*> workers_;
    std::size_t next_worker_ = 0;
    ConnectionLimit& limit_;
    const TcpTimeouts timeouts_;
    boost::asio::steady_timer retry_timer_;  // pause after EMFILE and the like, do not spin
    LogThrottle refused_log_;
    LogThrottle error_log_;
};

}  // namespace sipdns::net
