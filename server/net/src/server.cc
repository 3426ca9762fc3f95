// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#include "sipdns/net/server.h"

#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <thread>

#include <spdlog/spdlog.h>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>

#include "socket_setup.h"
#include "tcp_connection.h"
#include "tcp_listener.h"
#include "thread_entry.h"
#include "sipdns/xdp/xdp_program.h"
#include "sipdns/xdp/xsk_queue.h"
#include "udp_socket_server.h"
#include "worker.h"
#include "xdp_queue_server.h"

namespace sipdns::net {

namespace asio = boost::asio;

// Member order is destruction order reversed: the connection limit outlives the workers
// (connections release it when their io_context destroys them); the listeners and work guards,
// whose I/O objects belong to the workers' io_contexts, go before the workers.
struct Server::Impl {
    explicit Impl(const ServerOptions& server_options)
        : options(server_options), connection_limit(server_options.tcp_max_connections) {}

    void run_worker(Worker& worker);

    ServerOptions options;
    ConnectionLimit connection_limit;
    // One table for every worker's UDP sockets (rate_limiter.h); outlives them.
    engine::ResponseRateLimiter rate_limiter;
    // Forwarded queries waiting for upstream, per client and in total (outstanding_limit.h).
    forward::OutstandingLimit forward_outstanding;
    // The AF_XDP program on server.xdp's interface (null: none): detached after the workers,
    // whose queues it feeds, are gone.
    std::unique_ptr<xdp::XdpProgram> xdp_program;
    std::vector<std::unique_ptr<Worker>> workers;
    std::vector<std::unique_ptr<TcpListener>> tcp_listeners;
    std::vector<asio::executor_work_guard<asio::io_context::executor_type>> work_guards;
    std::vector<ListenerInfo> listeners;
    std::vector<std::thread> threads;
    bool running = false;

    // Workers that have returned from run(), for stop()'s bounded wait.
    std::mutex finished_mutex;
    std::condition_variable finished_changed;
    std::size_t finished_workers = 0;
};

namespace {

// The interface's MTU (SIOCGIFMTU, netdevice(7)): no answer leaves the AF_XDP path larger.
Expected<unsigned, std::string> interface_mtu(const std::string& interface) {
    const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return unexpected(std::string("cannot read the MTU: ") + std::strerror(errno));
    ifreq request{};
    std::strncpy(request.ifr_name, interface.c_str(), IFNAMSIZ - 1);
    const int result = ::ioctl(fd, SIOCGIFMTU, &request);
    const int error = errno;
    ::close(fd);
    if (result < 0) return unexpected(std::string("cannot read the MTU: ") + std::strerror(error));
    return static_cast<unsigned>(request.ifr_mtu);
}

// The addresses the XDP program takes queries to: the listen addresses at its port (a query to
// another one's address at this port has no socket, so it stays the kernel's); for a wildcard
// one the host's addresses of its family at start (add_local_addresses: one added later stays
// on the kernel path), never another host's (a host that routes forwards those).
Expected<xdp::XdpDestinations, std::string> xdp_destinations(
    const std::vector<config::IpEndpoint>& listen, std::uint16_t port,
    const std::string& interface) {
    xdp::XdpDestinations out;
    bool served = false;
    std::string listed;
    for (const config::IpEndpoint& endpoint : listen) {
        listed += (listed.empty() ? "" : ", ") + endpoint.to_string();
        if (endpoint.port != port) continue;
        served = true;
        const config::IpAddress& a = endpoint.address;
        const bool v4 = a.family == config::IpAddress::Family::V4;
        if (a.is_unspecified()) {
            std::string error = xdp::add_local_addresses(out, v4 ? AF_INET : AF_INET6, interface);
            if (!error.empty()) return unexpected(std::move(error));
        } else if (v4) {
            std::array<std::uint8_t, 4> bytes{};
            std::copy_n(a.bytes.begin(), 4, bytes.begin());
            out.ipv4.push_back(bytes);
        } else {
            out.ipv6.push_back(a.bytes);
        }
    }
    // Without a socket at the port, forwarded names would have nowhere to go either.
    if (!served)
        return unexpected("UDP port " + std::to_string(port) +
                          " is not the port of any listen address (" + listed + ")");
    return out;
}

// server.xdp (docs/design.md §5): the program on the interface, then one AF_XDP socket per RX
// queue, queue i served by worker i (the program caps the queues at the worker count; frames
// on a queue without a socket go on to the kernel). Errors: one line, without the interface.
Expected<std::string, std::string> start_xdp(const XdpListenOptions& options,
                                             const std::vector<config::IpEndpoint>& listen,
                                             engine::ResponseRateLimiter& rate_limiter,
                                             std::vector<std::unique_ptr<Worker>>& workers,
                                             std::unique_ptr<xdp::XdpProgram>& program_out) {
    auto mtu = interface_mtu(options.interface);
    if (!mtu) return unexpected(std::move(mtu.error()));
    // Every UDP answer may take 512 octets (RFC 1035 §4.2.1) and no XDP answer is fragmented:
    // below this (IPv4 and UDP headers; VLAN tags are outside the MTU) every query would be
    // dropped. IPv6 needs 1280 anyway (RFC 8200 §5).
    constexpr unsigned kMinMtu = 20 + 8 + 512;
    if (*mtu < kMinMtu)
        return unexpected("its MTU " + std::to_string(*mtu) + " is below " +
                          std::to_string(kMinMtu) +
                          ", which a 512-octet answer needs; raise it (ip link set dev " +
                          options.interface + " mtu 1500)");
    xdp::XdpSetup setup;
    setup.interface = options.interface;
    setup.port = options.port;
    setup.max_queues = static_cast<unsigned>(workers.size());
    auto destinations = xdp_destinations(listen, options.port, options.interface);
    if (!destinations) return unexpected(std::move(destinations.error()));
    setup.destinations = std::move(*destinations);
    auto program = xdp::XdpProgram::attach(setup);
    if (!program) return unexpected(std::move(program.error()));
    const unsigned queues = (*program)->queue_count();
    bool zero_copy = true;
    for (unsigned q = 0; q < queues; ++q) {
        auto queue = xdp::XskQueue::open(**program, q);
        if (!queue) return unexpected(std::move(queue.error()));
        zero_copy = zero_copy && (*queue)->zero_copy();
        Worker& worker = *workers[q];
        worker.xdp_queues.push_back(std::make_unique<XdpQueueServer>(
            std::move(*queue), worker, rate_limiter, options.port, *mtu,
            static_cast<unsigned>((*program)->ifindex()),
            options.interface + " queue " + std::to_string(q)));
    }
    const std::string summary =
        std::string((*program)->mode() == xdp::AttachMode::Native ? "native" : "generic") +
        " mode, " + (zero_copy ? "zero-copy" : "copy") + ", " + std::to_string(queues) +
        (queues == 1 ? " queue" : " queues") + ", UDP port " + std::to_string(options.port);
    program_out = std::move(*program);
    return summary;
}

}  // namespace

Expected<std::unique_ptr<Server>, std::string> Server::bind(const ServerOptions& options,
                                                            const SnapshotHolder& snapshots,
                                                            forward::Forwarder* forwarder,
                                                            querylog::QueryLog* query_log) {
    auto impl = std::make_unique<Impl>(options);
    const unsigned thread_count = std::max(1u, options.threads);
    for (unsigned i = 0; i < thread_count; ++i) {
        impl->workers.push_back(std::make_unique<Worker>(i, snapshots));
        impl->workers.back()->forwarder = forwarder;
        impl->workers.back()->outstanding = &impl->forward_outstanding;
        if (query_log) {
            impl->workers.back()->log_ring = &query_log->add_ring();
            impl->workers.back()->log_active = &query_log->active_flag();
        }
    }
    std::vector<Worker*> all_workers;
    for (auto& worker : impl->workers) all_workers.push_back(worker.get());

    for (const config::IpEndpoint& listen : options.listen) {
        const asio::ip::address address = to_asio_address(listen.address);
        const std::string name = listen.to_string();

        // TCP first: a listening TCP socket cannot be shared, so this also catches another
        // sipdnsd on the same port. Acceptors are spread over the workers too.
        Worker& acceptor_worker = *impl->workers[impl->tcp_listeners.size() % thread_count];
        auto acceptor = open_tcp_acceptor(acceptor_worker.context,
                                          asio::ip::tcp::endpoint(address, listen.port));
        if (!acceptor) return unexpected(std::move(acceptor.error()));
        impl->tcp_listeners.push_back(std::make_unique<TcpListener>(
            std::move(*acceptor), all_workers, impl->connection_limit,
            TcpTimeouts{options.tcp_idle_timeout, options.tcp_io_timeout}));

        // A probe without SO_REUSEPORT: it fails if anyone holds the UDP port — including a
        // process of the same user with SO_REUSEPORT, which the group below would otherwise
        // silently join, sharing the queries with it.
        const asio::ip::udp::endpoint udp_endpoint(address, listen.port);
        {
            auto probe =
                open_udp_socket(acceptor_worker.context, udp_endpoint, UdpSharing::Exclusive);
            if (!probe) return unexpected(std::move(probe.error()));
        }
        // docs/design.md §5: one SO_REUSEPORT socket per worker; the kernel spreads the clients.
        for (auto& worker : impl->workers) {
            auto socket =
                open_udp_socket(worker->context, udp_endpoint, UdpSharing::ReusePortGroup);
            if (!socket) return unexpected(std::move(socket.error()));
            worker->udp_sockets.push_back(
                std::make_unique<UdpSocketServer>(std::move(*socket), *worker, impl->rate_limiter));
        }
        impl->listeners.push_back({ListenerInfo::Protocol::Udp, name, thread_count});
        impl->listeners.push_back({ListenerInfo::Protocol::Tcp, name, 1});
    }
    // After the sockets: the AF_XDP path hands forwarded names to them.
    if (options.xdp) {
        const std::string& interface = options.xdp->interface;
        auto started = start_xdp(*options.xdp, options.listen, impl->rate_limiter, impl->workers,
                                 impl->xdp_program);
        if (started) {
            spdlog::info("XDP on {}: {}", interface, *started);
        } else {
            // Nothing of it stays: no queue half set up, no program on the interface.
            for (auto& worker : impl->workers) worker->xdp_queues.clear();
            impl->xdp_program.reset();
            if (options.xdp->required)
                return unexpected("XDP on " + interface + ": " + started.error() +
                                  " (server.xdp.required is true)");
            spdlog::error("XDP on {}: {}; answering UDP on sockets only", interface,
                          started.error());
        }
    }
    return std::unique_ptr<Server>(new Server(std::move(impl)));
}

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Server::~Server() {
    stop();
}

const std::vector<ListenerInfo>& Server::listeners() const {
    return impl_->listeners;
}

TrafficTotals Server::traffic() const {
    TrafficTotals totals;
    for (const auto& worker : impl_->workers) worker->counters.add_to(totals);
    totals.xdp = impl_->xdp_program != nullptr;
    const ConnectionLimit& tcp = impl_->connection_limit;
    totals.tcp_open = tcp.active();
    totals.tcp_accepted = tcp.accepted();
    totals.tcp_refused = tcp.refused();
    totals.forward_outstanding = impl_->forward_outstanding.outstanding();
    return totals;
}

void Server::Impl::run_worker(Worker& worker) {
    run_io_thread("sipdns-w" + std::to_string(worker.index), worker.context,
                  "worker " + std::to_string(worker.index));
    {
        std::lock_guard lock(finished_mutex);
        ++finished_workers;
    }
    finished_changed.notify_all();
}

void Server::start() {
    Impl& s = *impl_;
    if (s.running) return;
    s.running = true;
    s.finished_workers = 0;
    // Queue the first waits before the threads exist: their start happens-after this.
    for (auto& listener : s.tcp_listeners) listener->start();
    for (auto& worker : s.workers) {
        for (auto& udp : worker->udp_sockets) udp->start();
        for (auto& xdp : worker->xdp_queues) xdp->start();
        s.work_guards.push_back(asio::make_work_guard(worker->context));
    }
    for (auto& worker : s.workers)
        s.threads.emplace_back([&s, w = worker.get()] { s.run_worker(*w); });
}

void Server::refresh_snapshots() {
    // SnapshotReader::get() refetches when the generation moved; the reference is not kept.
    for (auto& worker : impl_->workers)
        asio::post(worker->context, [w = worker.get()] { (void)w->snapshots.get(); });
}

void Server::stop() {
    Impl& s = *impl_;
    if (!s.running) return;
    // 1. Stop accepting; 2. each worker closes its UDP sockets and lets its TCP connections send
    // what they have queued. A worker whose io_context then has no work left returns from run().
    for (auto& listener : s.tcp_listeners)
        asio::post(listener->executor(), [l = listener.get()] { l->stop(); });
    for (auto& worker : s.workers)
        asio::post(worker->context, [w = worker.get()] { w->begin_shutdown(); });
    s.work_guards.clear();
    {
        std::unique_lock lock(s.finished_mutex);
        const bool drained = s.finished_changed.wait_for(
            lock, s.options.shutdown_grace, [&] { return s.finished_workers == s.workers.size(); });
        if (!drained)
            spdlog::warn("shutdown: TCP answers still queued after {} ms, closing anyway",
                         s.options.shutdown_grace.count());
    }
    // 3. Whatever is left (clients that do not read their answers) is cut off.
    for (auto& worker : s.workers) worker->context.stop();
    for (auto& thread : s.threads) thread.join();
    s.threads.clear();
    s.running = false;
}

}  // namespace sipdns::net
