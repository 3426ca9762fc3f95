// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// The Prometheus text endpoint (issue 9): HTTP/1.1 on its own thread and io_context, so a scrape
// never runs on (or waits for) a DNS worker. GET (or HEAD) /metrics answers 200 with `render()`'s
// text; another method on /metrics 405, any other path 404, an unparseable request 400. A
// client gets kRequestTimeout to send each request (idle keep-alive connections too) and at
// most kMaxClients connections are served at once. Asio and Beast stay behind this header.
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "sipdns/config/address.h"
#include "sipdns/config/expected.h"

namespace sipdns::net {

class MetricsServer {
  public:
    using Render = std::function<std::string()>;

    static constexpr std::chrono::seconds kRequestTimeout{5};
    static constexpr std::size_t kMaxClients = 16;

    // Binds and listens (no thread yet). The error reads "cannot listen on metrics ADDR: ...".
    static Expected<std::unique_ptr<MetricsServer>, std::string> bind(
        const config::IpEndpoint& endpoint, Render render);
    ~MetricsServer();  // stops (as stop()) if still running
    MetricsServer(const MetricsServer&) = delete;
    MetricsServer& operator=(const MetricsServer&) = delete;

    std::string endpoint() const;  // "127.0.0.1:9153"

    void start();  // starts the endpoint's thread
    void stop();   // closes the listener and every client connection, joins the thread

    struct Impl;

  private:
    explicit MetricsServer(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace sipdns::net
