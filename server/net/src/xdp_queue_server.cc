// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#include "xdp_queue_server.h"

#include <netinet/in.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <ctime>

#include <spdlog/spdlog.h>
#include <boost/asio/post.hpp>

#include "query_log_tap.h"
#include "udp_socket_server.h"
#include "worker.h"

namespace sipdns::net {

namespace asio = boost::asio;

namespace {

constexpr std::size_t kFramesPerBatch = 64;

config::IpAddress frame_address(const xdp::UdpFrame& frame,
                                const std::array<std::uint8_t, 16>& bytes) {
    if (frame.ipv6) {
        std::uint8_t v6[16];
        std::memcpy(v6, bytes.data(), 16);
        return engine::client_address_v6(v6);
    }
    std::uint8_t v4[4];
    std::memcpy(v4, bytes.data(), 4);
    return engine::client_address_v4(v4);
}

// fe80::/10 (RFC 4291 §2.5.6).
bool link_local(const std::array<std::uint8_t, 16>& address) {
    return address[0] == 0xfe && (address[1] & 0xc0) == 0x80;
}

}  // namespace

XdpQueueServer::XdpQueueServer(std::unique_ptr<xdp::XskQueue> queue, Worker& worker,
                               engine::ResponseRateLimiter& rate_limiter, std::uint16_t port,
                               unsigned mtu, unsigned ifindex, std::string name)
    : queue_(std::move(queue)),
      descriptor_(worker.context, queue_->fd()),
      worker_(worker),
      gate_(worker, rate_limiter),
      counters_(worker.counters),
      port_(port),
      mtu_(mtu),
      ifindex_(ifindex),
      name_(std::move(name)) {}

XdpQueueServer::~XdpQueueServer() {
    // The descriptor belongs to the XskQueue, which closes it (and unmaps its rings) itself.
    (void)descriptor_.release();
}

void XdpQueueServer::start() {
    wait_readable();
}

void XdpQueueServer::stop() {
    stopped_ = true;
    boost::system::error_code ignored;
    descriptor_.cancel(ignored);
}

void XdpQueueServer::wait_readable() {
    descriptor_.async_wait(asio::posix::stream_descriptor::wait_read,
                           [this](const boost::system::error_code& ec) {
                               if (ec == asio::error::operation_aborted || stopped_) return;
                               on_readable();
                           });
}

void XdpQueueServer::on_readable() {
    if (stopped_) return;
    for (int batch = 0; batch < UdpSocketServer::kMaxBatchesPerWakeup; ++batch) {
        // One snapshot, one clock read per batch, as on the kernel's sockets.
        const ServingSnapshot& snapshot = worker_.snapshots.get();
        snapshot_ = &snapshot;
        gate_.begin_batch(snapshot);
        context_.now_seconds = static_cast<std::uint32_t>(std::time(nullptr));
        const std::uint64_t no_tx_frame_before = queue_->counters().no_tx_frame;
        const std::size_t taken = queue_->serve_batch(*this, kFramesPerBatch);
        gate_.end_batch();
        // Frames serve_batch dropped without calling on_frame (no TX frame free): no answer,
        // as a datagram dropped before the engine.
        if (const std::uint64_t unanswered = queue_->counters().no_tx_frame - no_tx_frame_before;
            unanswered != 0) [[unlikely]] {
            const auto udp = static_cast<std::size_t>(engine::Transport::Udp);
            WorkerCounters::bump(counters_.dropped[udp], unanswered);
            WorkerCounters::bump(counters_.xdp_frames[kXdpDropped], unanswered);
        }
        snapshot_ = nullptr;
        if (taken < kFramesPerBatch) {
            // The RX ring is empty, or its frames wait for room in the fill ring: wait for the
            // next wake-up (the kernel wakes the socket after each RX flush, which also makes
            // that room, xsk_queue.cc; nothing that arrived after the last peek is missed).
            wait_readable();
            return;
        }
    }
    asio::post(worker_.context, [this] { on_readable(); });
}

std::size_t XdpQueueServer::on_frame(std::span<const std::uint8_t> rx,
                                     std::span<std::uint8_t> tx) {
    auto& dropped = counters_.dropped[static_cast<std::size_t>(engine::Transport::Udp)];
    xdp::UdpFrame frame;
    if (xdp::parse_udp_frame(rx, port_, frame) != xdp::FrameKind::Query) [[unlikely]] {
        // The program redirects only what parse_udp_frame() takes (docs/design.md §5); a frame
        // that does not add up is dropped as an unparseable datagram would be.
        WorkerCounters::bump(dropped);
        WorkerCounters::bump(counters_.xdp_frames[kXdpDropped]);
        return 0;
    }
    // The room behind the headers: the TX frame, and the interface's MTU less the IP and UDP
    // headers (no fragmentation on this path; RFC 6891 §7 truncation keeps answers within it).
    const std::size_t ip_and_udp = frame.ipv6 ? 40 + 8 : 20 + 8;
    const std::size_t frame_room =
        tx.size() > frame.payload_offset ? tx.size() - frame.payload_offset : 0;
    const std::size_t mtu_room = mtu_ > ip_and_udp ? mtu_ - ip_and_udp : 0;
    const std::size_t room = std::min({frame_room, mtu_room, engine::kMinOutputBuffer});
    if (room < 512) [[unlikely]] {  // every UDP answer may take 512 octets (RFC 1035 §4.2.1)
        WorkerCounters::bump(dropped);
        WorkerCounters::bump(counters_.xdp_frames[kXdpDropped]);
        return 0;
    }
    context_.udp_payload_limit = static_cast<std::uint16_t>(room);
    context_.has_client = true;
    context_.client = frame_address(frame, frame.client_address);

    const std::span<const std::uint8_t> query = rx.subspan(frame.payload_offset, frame.payload_length);
    const std::span<std::uint8_t> answer = tx.subspan(frame.payload_offset, room);
    engine::ForwardQuestion* const forward =
        worker_.forwarder != nullptr ? &forward_question_ : nullptr;
    engine::EngineResult result = engine::respond(query, context_, *snapshot_->zones,
                                                  snapshot_->settings, answer, forward);
    if (result.action == engine::EngineResult::Action::Forward) [[unlikely]] {
        // Forwarding is the kernel path's (its upstream sockets, its cache, its parking).
        if (hand_to_kernel(frame, query, context_)) {
            WorkerCounters::bump(counters_.xdp_frames[kXdpPassedToKernel]);
        } else {
            WorkerCounters::bump(dropped);
            WorkerCounters::bump(counters_.xdp_frames[kXdpDropped]);
        }
        return 0;
    }
    counters_.count(engine::Transport::Udp, result);
    if (result.tsig_error != 0 || result.tsig_missing) [[unlikely]]
        log_tsig_refusal(worker_, context_, query, result);
    const bool answered = gate_.pass(context_, {query, frame.client_port}, result, answer);
    if (!answered) {
        WorkerCounters::bump(counters_.xdp_frames[kXdpDropped]);
        return 0;
    }
    const std::size_t length = xdp::write_reply_headers(rx, frame, tx, result.length);
    WorkerCounters::bump(counters_.xdp_frames[length != 0 ? kXdpAnswered : kXdpDropped]);
    return length;
}

bool XdpQueueServer::hand_to_kernel(const xdp::UdpFrame& frame,
                                    std::span<const std::uint8_t> query,
                                    const engine::QueryContext& context) {
    const config::IpAddress destination = frame_address(frame, frame.server_address);
    for (auto& socket : worker_.udp_sockets) {
        if (!socket->receives(destination, frame.server_port)) continue;
        sockaddr_storage peer{};
        socklen_t peer_length = 0;
        if (frame.ipv6) {
            auto& v6 = reinterpret_cast<sockaddr_in6&>(peer);
            v6.sin6_family = AF_INET6;
            v6.sin6_port = htons(frame.client_port);
            std::memcpy(&v6.sin6_addr, frame.client_address.data(), 16);
            // A link-local peer or destination (fe80::/10) is only meaningful with its link
            // (RFC 4007 §6): the kernel refuses to send to one without a scope.
            if (link_local(frame.client_address) || link_local(frame.server_address))
                v6.sin6_scope_id = ifindex_;
            peer_length = sizeof v6;
        } else {
            auto& v4 = reinterpret_cast<sockaddr_in&>(peer);
            v4.sin_family = AF_INET;
            v4.sin_port = htons(frame.client_port);
            std::memcpy(&v4.sin_addr, frame.client_address.data(), 4);
            peer_length = sizeof v4;
        }
        return socket->take_forwarded(query, peer, peer_length, destination, context,
                                      forward_question_);
    }
    if (no_kernel_socket_.allow())
        spdlog::warn("xdp {}: a forwarded query to {} port {} has no listen address to answer "
                     "from, dropped ({} more not logged)",
                     name_, destination.to_string(), frame.server_port,
                     no_kernel_socket_.suppressed());
    return false;
}

}  // namespace sipdns::net
