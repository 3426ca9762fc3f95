// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// The network side of sipdnsd (docs/design.md §5): worker threads, each with its own io_context;
// per listen address one SO_REUSEPORT UDP socket per worker and one TCP acceptor whose
// connections are spread over the workers. Asio stays behind this header.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sipdns/config/address.h"
#include "sipdns/config/expected.h"
#include "sipdns/forward/forwarder.h"
#include "sipdns/net/metrics.h"
#include "sipdns/net/snapshot.h"
#include "sipdns/querylog/query_log.h"

namespace sipdns::net {

// The AF_XDP fast path (docs/design.md §5): UDP queries to `port` arriving on `interface` are
// answered past the kernel's socket path; the sockets of `listen` stay open for the rest.
struct XdpListenOptions {
    std::string interface;
    std::uint16_t port = 53;
    bool required = false;  // true: bind() fails when XDP cannot start; false: sockets only
};

struct ServerOptions {
    std::vector<config::IpEndpoint> listen;
    unsigned threads = 1;
    std::chrono::milliseconds tcp_idle_timeout{10000};  // RFC 7766 §6.2.3
    // The time a TCP client has to send a whole query once it started one, and the time a write
    // of its answers may stall (RFC 7766 §10, RFC 9210 §4).
    std::chrono::milliseconds tcp_io_timeout{2000};
    std::uint32_t tcp_max_connections = 1000;           // excess connections are closed at once
    // How long stop() lets queued TCP responses drain before the workers are stopped hard.
    std::chrono::milliseconds shutdown_grace{2000};
    std::optional<XdpListenOptions> xdp;
};

// One bound listener, for the start-up log.
struct ListenerInfo {
    enum class Protocol : std::uint8_t { Udp, Tcp };
    Protocol protocol = Protocol::Udp;
    std::string endpoint;     // "127.0.0.1:53", "[::1]:53"
    std::size_t sockets = 0;  // UDP: one per worker
};

class Server {
  public:
    // Opens and binds every socket; no thread runs yet. On failure nothing stays bound and the
    // error names the protocol and address, e.g. "cannot listen on udp 0.0.0.0:53: ...".
    // `forwarder` (null = the site does not forward) must outlive the server's workers: stop
    // the server first. `query_log` (null = none): each worker gets a ring of it (its sinks are
    // added before this); it must outlive the workers too.
    static Expected<std::unique_ptr<Server>, std::string> bind(
        const ServerOptions& options, const SnapshotHolder& snapshots,
        forward::Forwarder* forwarder = nullptr, querylog::QueryLog* query_log = nullptr);
    ~Server();  // stops (as stop()) if still running
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    const std::vector<ListenerInfo>& listeners() const;

    // Every worker's traffic counters summed, and the TCP connection counts (metrics.h). Any
    // thread, any time after bind(); never blocks a worker.
    TrafficTotals traffic() const;

    // Starts one thread per worker; from here on queries are answered.
    void start();

    // Asks every worker to pick up the snapshot published last, and so let go of the one before,
    // even if no query arrives (an idle worker would otherwise keep the old zone set alive until
    // its next query). Returns at once; the workers do it between two batches. Any thread.
    void refresh_snapshots();

    // docs/design.md §6: stop accepting, close the UDP sockets, let TCP connections send the
    // answers they have queued (up to shutdown_grace), then stop and join every worker.
    void stop();

    struct Impl;

  private:
    explicit Server(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace sipdns::net
