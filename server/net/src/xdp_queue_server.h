// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// One AF_XDP queue of one worker (docs/design.md §5): Asio waits until the socket's RX ring has
// frames, then XskQueue::serve_batch hands each frame here; the frame's UDP payload goes through
// the same engine::respond, rate limiting, counters and query log as a datagram of the kernel's
// sockets, and the answer is written straight into a TX frame behind the swapped headers. A
// forwarded name is passed to the worker's kernel socket for that address (take_forwarded()).
#include <sys/socket.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include <boost/asio/posix/stream_descriptor.hpp>

#include "log_throttle.h"
#include "sipdns/engine/query_engine.h"
#include "sipdns/xdp/frame.h"
#include "sipdns/xdp/xsk_queue.h"
#include "udp_answer_gate.h"

namespace sipdns::net {

struct Worker;
struct ServingSnapshot;
struct WorkerCounters;

class XdpQueueServer final : private xdp::FrameHandler {
  public:
    // `queue` is open and in the program's map; `port` the UDP port it serves; `mtu` the
    // interface's, which bounds every answer (an XDP frame is never fragmented); `ifindex` the
    // interface's, the scope of a link-local address on it.
    XdpQueueServer(std::unique_ptr<xdp::XskQueue> queue, Worker& worker,
                   engine::ResponseRateLimiter& rate_limiter, std::uint16_t port, unsigned mtu,
                   unsigned ifindex, std::string name);
    ~XdpQueueServer();
    XdpQueueServer(const XdpQueueServer&) = delete;
    XdpQueueServer& operator=(const XdpQueueServer&) = delete;

    void start();  // before the worker runs, or on its thread
    void stop();   // on the worker's thread: the pending wait is cancelled

  private:
    void wait_readable();
    void on_readable();
    std::size_t on_frame(std::span<const std::uint8_t> rx, std::span<std::uint8_t> tx) override;
    bool hand_to_kernel(const xdp::UdpFrame& frame, std::span<const std::uint8_t> query,
                        const engine::QueryContext& context);

    std::unique_ptr<xdp::XskQueue> queue_;
    // The XSK socket's descriptor for Asio's reactor; released, never closed, by this object
    // (the XskQueue owns it).
    boost::asio::posix::stream_descriptor descriptor_;
    Worker& worker_;
    UdpAnswerGate gate_;  // rate limiting and the query log, as on the kernel's sockets
    WorkerCounters& counters_;
    const std::uint16_t port_;
    const unsigned mtu_;
    const unsigned ifindex_;
    const std::string name_;  // "eth1 queue 0", for log messages
    bool stopped_ = false;

    // Per batch (on_readable() sets them before serve_batch()).
    const ServingSnapshot* snapshot_ = nullptr;
    engine::QueryContext context_{engine::Transport::Udp};
    engine::ForwardQuestion forward_question_;
    LogThrottle no_kernel_socket_;
};

}  // namespace sipdns::net
