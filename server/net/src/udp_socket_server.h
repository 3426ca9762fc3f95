// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// One UDP socket of one worker (docs/design.md §5, §7): Asio waits until the socket is readable,
// then recvmmsg drains up to a batch of datagrams, the engine answers each, and one sendmmsg sends
// the batch of answers. Every buffer is allocated once, with the socket: no allocation per query.
#include <netinet/in.h>
#include <sys/socket.h>

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include <boost/asio/ip/udp.hpp>

#include "forwarding.h"
#include "log_throttle.h"
#include "query_log_tap.h"
#include "sipdns/engine/query_engine.h"
#include "sipdns/net/snapshot.h"
#include "udp_answer_gate.h"
#include "worker_counters.h"

namespace sipdns::net {

struct Worker;

class UdpSocketServer {
  public:
    // `socket` is bound and non-blocking; a wildcard-bound socket has pktinfo enabled
    // (socket_setup.h) and answers from each query's destination address. `rate_limiter` is
    // shared by every worker (rate_limiter.h: per-thread tables would each grant the full rate).
    // `counters` are the worker's (worker_counters.h): written here on the worker's thread only.
    // `worker` owns this socket and its forwarding state (worker.h).
    UdpSocketServer(boost::asio::ip::udp::socket socket, Worker& worker,
                    engine::ResponseRateLimiter& rate_limiter);
    UdpSocketServer(const UdpSocketServer&) = delete;
    UdpSocketServer& operator=(const UdpSocketServer&) = delete;

    void start();  // before the worker runs, or on its thread
    void stop();   // on the worker's thread: closes the socket, the pending wait is cancelled

    // A query the worker's AF_XDP queue received for a name the site forwards
    // (xdp_queue_server.h): answered through this socket, as if it had arrived here — from the
    // worker's answer cache at once, or once the forwarder replies. `destination`: the address
    // the query was sent to, the answer's source. On the worker's thread. False: not taken
    // (the socket is closed, or forwarding is off).
    bool take_forwarded(std::span<const std::uint8_t> query, const sockaddr_storage& peer,
                        socklen_t peer_length, const config::IpAddress& destination,
                        const engine::QueryContext& context,
                        const engine::ForwardQuestion& question);
    // Whether a datagram to `destination`:`port` could have arrived on this socket.
    bool receives(const config::IpAddress& destination, std::uint16_t port) const;

    static constexpr std::size_t kBatchSize = 32;
    // A readable socket is drained batch by batch until recvmmsg says EAGAIN; after this many
    // full batches the worker turns to its other sockets first (it comes back through post()).
    // The AF_XDP queues (xdp_queue_server.cc) do the same.
    static constexpr int kMaxBatchesPerWakeup = 16;
    // A DNS query is far smaller; a larger datagram arrives with MSG_TRUNC and is dropped.
    static constexpr std::size_t kMaxQueryBytes = 4096;
    // Room for one IP_PKTINFO or IPV6_PKTINFO control message (RFC 3542 §20.2 CMSG_SPACE).
    static constexpr std::size_t kControlBytes = 64;
    static_assert(kControlBytes >= CMSG_SPACE(sizeof(in6_pktinfo)));
    static_assert(kControlBytes >= CMSG_SPACE(sizeof(in_pktinfo)));

  private:
    // Per message of a batch: its own query, answer, peer address and control buffers.
    struct Slot {
        std::array<std::uint8_t, kMaxQueryBytes> query;
        std::array<std::uint8_t, engine::kMinOutputBuffer> answer;
        sockaddr_storage peer;
        alignas(cmsghdr) std::array<unsigned char, kControlBytes> control_in;
        alignas(cmsghdr) std::array<unsigned char, kControlBytes> control_out;
        iovec query_iov;
        iovec answer_iov;
    };

    enum class ReceiveStatus : std::uint8_t { Received, WouldBlock, Failed };
    struct ReceiveResult {
        ReceiveStatus status;
        std::size_t count;
    };

    void wait_readable();
    void on_readable();
    ReceiveResult receive_batch();
    std::size_t answer_batch(std::size_t received);  // fills replies_, returns how many
    static bool peer_address(const sockaddr_storage& peer, config::IpAddress& out);
    void send_batch(std::size_t count);

    // A query waiting for the forwarder, with what its reply needs once the batch is gone.
    struct ParkedQuery {
        std::vector<std::uint8_t> query;
        sockaddr_storage peer;
        socklen_t peer_length = 0;
        std::array<unsigned char, kControlBytes> control;  // the reply's pktinfo
        std::size_t control_length = 0;
        engine::QueryContext context;
        engine::ForwardQuestion question;
        OutstandingTicket ticket;
        std::chrono::steady_clock::time_point parked_at;  // the upstream's time, for the log
    };
    class ForwardCompletion;
    void park(const Slot& slot, const msghdr& received, std::size_t length,
              const engine::QueryContext& context, const engine::ForwardQuestion& question,
              OutstandingTicket ticket);
    void answer_parked(const ParkedQuery& parked, const forward::ForwardOutcome& outcome);
    // Rate limits, logs and sends one forwarded query's answer, already in parked_answer_.
    void send_forwarded(const ParkedQuery& parked, engine::EngineResult result, bool from_cache);
    static std::uint16_t peer_port(const sockaddr_storage& peer);

    boost::asio::ip::udp::socket socket_;
    const config::IpAddress local_address_;
    const std::uint16_t local_port_;
    const std::string name_;              // "0.0.0.0:53", for log messages
    const bool answer_from_destination_;  // wildcard-bound: reply with the query's pktinfo
    Worker& worker_;
    SnapshotReader& snapshots_;
    UdpAnswerGate gate_;  // rate limiting and the query log
    WorkerCounters& counters_;
    std::unique_ptr<Slot[]> slots_;
    std::array<mmsghdr, kBatchSize> received_{};
    std::array<mmsghdr, kBatchSize> replies_{};
    engine::ForwardQuestion forward_question_;  // filled by respond() for Action::Forward
    std::array<std::uint8_t, engine::kMinOutputBuffer> parked_answer_{};
    LogThrottle receive_errors_;
    LogThrottle send_errors_;
};

}  // namespace sipdns::net
