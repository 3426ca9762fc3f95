// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#include "udp_socket_server.h"

#include "query_log_tap.h"

#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <system_error>

#include <spdlog/spdlog.h>
#include <boost/asio/post.hpp>

#include "socket_setup.h"
#include "worker.h"

namespace sipdns::net {

namespace asio = boost::asio;

namespace {

// One control message of `level` and `type` holding `info`, at `out` (which has room for its
// CMSG_SPACE); returns that space.
template <class Info>
std::size_t write_control(int level, int type, const Info& info, unsigned char* out) {
    std::memset(out, 0, CMSG_SPACE(sizeof info));
    auto* message = reinterpret_cast<cmsghdr*>(out);
    message->cmsg_level = level;
    message->cmsg_type = type;
    message->cmsg_len = CMSG_LEN(sizeof info);
    std::memcpy(CMSG_DATA(message), &info, sizeof info);
    return CMSG_SPACE(sizeof info);
}

// The control message for the reply: the query's destination address as the source, so that a
// wildcard socket answers from the address it was asked on (RFC 3542 §6 for IPv6, ip(7)
// IP_PKTINFO for IPv4). Returns the control length, 0 when the query carried no pktinfo.
std::size_t build_reply_pktinfo(const msghdr& query, unsigned char* out, std::size_t capacity) {
    if (query.msg_controllen == 0 || (query.msg_flags & MSG_CTRUNC) != 0) return 0;
    // CMSG_NXTHDR takes a non-const msghdr; it is only read here.
    auto& header = const_cast<msghdr&>(query);
    for (cmsghdr* c = CMSG_FIRSTHDR(&header); c != nullptr; c = CMSG_NXTHDR(&header, c)) {
        if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO &&
            c->cmsg_len >= CMSG_LEN(sizeof(in_pktinfo)) &&
            capacity >= CMSG_SPACE(sizeof(in_pktinfo))) {
            in_pktinfo info;
            std::memcpy(&info, CMSG_DATA(c), sizeof info);
            // Source = ipi_spec_dst, the local address the query reached. ipi_ifindex is
            // cleared, as Unbound does: forcing the arrival interface would bypass the routing
            // table on multi-homed hosts with asymmetric routes.
            info.ipi_ifindex = 0;
            info.ipi_addr.s_addr = 0;
            return write_control(IPPROTO_IP, IP_PKTINFO, info, out);
        }
        if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO &&
            c->cmsg_len >= CMSG_LEN(sizeof(in6_pktinfo)) &&
            capacity >= CMSG_SPACE(sizeof(in6_pktinfo))) {
            // RFC 3542 §6.1: ipi6_addr is the source address, ipi6_ifindex the outgoing interface
            // (needed for link-local addresses, which are only unique per interface).
            in6_pktinfo info;
            std::memcpy(&info, CMSG_DATA(c), sizeof info);
            return write_control(IPPROTO_IPV6, IPV6_PKTINFO, info, out);
        }
    }
    return 0;
}

// The same for a reply that did not come through this socket (the AF_XDP path's forwarded
// queries): the source is the address the query was sent to; for IPv6 `ifindex` is the
// interface (0: the routing table's choice).
std::size_t build_source_pktinfo(const config::IpAddress& source, unsigned ifindex,
                                 unsigned char* out, std::size_t capacity) {
    if (source.family == config::IpAddress::Family::V4) {
        if (capacity < CMSG_SPACE(sizeof(in_pktinfo))) return 0;
        in_pktinfo info{};
        std::memcpy(&info.ipi_spec_dst, source.bytes.data(), 4);
        return write_control(IPPROTO_IP, IP_PKTINFO, info, out);
    }
    if (capacity < CMSG_SPACE(sizeof(in6_pktinfo))) return 0;
    in6_pktinfo info{};
    std::memcpy(&info.ipi6_addr, source.bytes.data(), 16);
    info.ipi6_ifindex = ifindex;
    return write_control(IPPROTO_IPV6, IPV6_PKTINFO, info, out);
}

config::IpAddress local_ip_address(const boost::asio::ip::address& address) {
    config::IpAddress out;
    if (address.is_v4()) {
        const auto bytes = address.to_v4().to_bytes();
        out.family = config::IpAddress::Family::V4;
        std::memcpy(out.bytes.data(), bytes.data(), 4);
    } else {
        const auto bytes = address.to_v6().to_bytes();
        out.family = config::IpAddress::Family::V6;
        std::memcpy(out.bytes.data(), bytes.data(), 16);
    }
    return out;
}

}  // namespace

UdpSocketServer::UdpSocketServer(asio::ip::udp::socket socket, Worker& worker,
                                 engine::ResponseRateLimiter& rate_limiter)
    : socket_(std::move(socket)),
      local_address_(local_ip_address(socket_.local_endpoint().address())),
      local_port_(socket_.local_endpoint().port()),
      name_(endpoint_text(socket_.local_endpoint().address(), socket_.local_endpoint().port())),
      answer_from_destination_(socket_.local_endpoint().address().is_unspecified()),
      worker_(worker),
      snapshots_(worker.snapshots),
      gate_(worker, rate_limiter),
      counters_(worker.counters),
      slots_(std::make_unique<Slot[]>(kBatchSize)) {
    // The fixed parts of each message header; lengths are reset before every recvmmsg.
    for (std::size_t i = 0; i < kBatchSize; ++i) {
        Slot& slot = slots_[i];
        slot.query_iov = {slot.query.data(), slot.query.size()};
        msghdr& in = received_[i].msg_hdr;
        in.msg_name = &slot.peer;
        in.msg_iov = &slot.query_iov;
        in.msg_iovlen = 1;
    }
}

void UdpSocketServer::start() {
    wait_readable();
}

void UdpSocketServer::stop() {
    boost::system::error_code ignored;
    socket_.close(ignored);
}

void UdpSocketServer::wait_readable() {
    socket_.async_wait(asio::ip::udp::socket::wait_read,
                       [this](const boost::system::error_code& ec) {
                           if (ec == asio::error::operation_aborted || !socket_.is_open())
                               return;  // stop() closed the socket
                           if (ec && receive_errors_.allow())
                               spdlog::warn("udp {}: wait: {} ({} more not logged)", name_,
                                            ec.message(), receive_errors_.suppressed());
                           // On an error too: recvmmsg reports (and clears) a socket error.
                           on_readable();
                       });
}

void UdpSocketServer::on_readable() {
    if (!socket_.is_open()) return;  // stopped while a post()ed continuation was queued
    for (int batch = 0; batch < kMaxBatchesPerWakeup; ++batch) {
        const ReceiveResult received = receive_batch();
        if (received.status != ReceiveStatus::Received) {
            // Drained (EAGAIN) or failed: wait for the next datagram. Asio's reactor is
            // edge-triggered, so we only go back to waiting once recvmmsg has seen EAGAIN.
            wait_readable();
            return;
        }
        send_batch(answer_batch(received.count));
    }
    // Still readable after many batches: let the worker's other sockets run, then continue.
    asio::post(socket_.get_executor(), [this] { on_readable(); });
}

UdpSocketServer::ReceiveResult UdpSocketServer::receive_batch() {
    for (std::size_t i = 0; i < kBatchSize; ++i) {
        // recvmmsg overwrites these, so they are reset for every batch.
        msghdr& in = received_[i].msg_hdr;
        in.msg_namelen = sizeof(sockaddr_storage);
        in.msg_control = answer_from_destination_ ? slots_[i].control_in.data() : nullptr;
        in.msg_controllen = answer_from_destination_ ? kControlBytes : 0;
        in.msg_flags = 0;
        received_[i].msg_len = 0;
    }
    for (;;) {
        const int count = ::recvmmsg(socket_.native_handle(), received_.data(), kBatchSize,
                                     MSG_DONTWAIT, nullptr);
        if (count > 0) return {ReceiveStatus::Received, static_cast<std::size_t>(count)};
        if (count == 0) return {ReceiveStatus::WouldBlock, 0};
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) return {ReceiveStatus::WouldBlock, 0};
        if (receive_errors_.allow())
            spdlog::warn("udp {}: recvmmsg: {} ({} more not logged)", name_,
                         std::error_code(errno, std::system_category()).message(),
                         receive_errors_.suppressed());
        return {ReceiveStatus::Failed, 0};
    }
}

bool UdpSocketServer::peer_address(const sockaddr_storage& peer, config::IpAddress& out) {
    if (peer.ss_family == AF_INET) {
        std::uint8_t b[4];
        std::memcpy(b, &reinterpret_cast<const sockaddr_in&>(peer).sin_addr, 4);
        out = engine::client_address_v4(b);
        return true;
    }
    if (peer.ss_family == AF_INET6) {
        std::uint8_t b[16];
        std::memcpy(b, &reinterpret_cast<const sockaddr_in6&>(peer).sin6_addr, 16);
        out = engine::client_address_v6(b);
        return true;
    }
    return false;
}

std::size_t UdpSocketServer::answer_batch(std::size_t received) {
    // One snapshot for the whole batch: a single atomic load (docs/design.md §7).
    const ServingSnapshot& snapshot = snapshots_.get();
    engine::QueryContext context{engine::Transport::Udp};
    gate_.begin_batch(snapshot);
    // The wall clock for DNS Cookie timestamps (RFC 9018 §4.3): time(2) is a vDSO call too.
    context.now_seconds = static_cast<std::uint32_t>(std::time(nullptr));
    engine::ForwardQuestion* const forward =
        worker_.forwarder != nullptr ? &forward_question_ : nullptr;
    std::size_t replies = 0;
    for (std::size_t i = 0; i < received && i < kBatchSize; ++i) {
        const msghdr& in = received_[i].msg_hdr;
        Slot& slot = slots_[i];
        // Larger than our buffer (MSG_TRUNC) or without a peer address: not a query to answer.
        if ((in.msg_flags & MSG_TRUNC) != 0 || in.msg_namelen == 0 ||
            in.msg_namelen > sizeof(sockaddr_storage) || received_[i].msg_len > slot.query.size()) {
            WorkerCounters::bump(
                counters_.dropped[static_cast<std::size_t>(engine::Transport::Udp)]);
            continue;
        }
        // The client's address picks its location view (geo-aware clusters, docs/design.md §3).
        context.has_client = peer_address(slot.peer, context.client);
        // Malformed datagrams go through the engine too: it drops them or answers FORMERR.
        const std::span<const std::uint8_t> query(slot.query.data(), received_[i].msg_len);
        engine::EngineResult result = engine::respond(query, context, *snapshot.zones,
                                                      snapshot.settings, slot.answer, forward);
        counters_.count(engine::Transport::Udp, result);
        if (result.tsig_error != 0 || result.tsig_missing) [[unlikely]]
            log_tsig_refusal(worker_, context, query, result);
        UdpAnswerGate::Origin origin{query, peer_port(slot.peer)};
        if (result.action == engine::EngineResult::Action::Forward) [[unlikely]] {
            // Answered now from the worker's cache, or parked until the forwarder replies.
            OutstandingTicket ticket;
            bool from_cache = false;
            auto now = answer_forward_now(worker_, snapshot, query, context, forward_question_,
                                          slot.answer, ticket, &from_cache);
            if (!now) {
                park(slot, in, query.size(), context, forward_question_, std::move(ticket));
                continue;
            }
            result = *now;
            origin.flags =
                querylog::flag::Forwarded | (from_cache ? querylog::flag::FromCache : 0);
        }
        if (!gate_.pass(context, origin, result, slot.answer)) continue;

        slot.answer_iov = {slot.answer.data(), result.length};
        msghdr& out = replies_[replies].msg_hdr;
        out.msg_name = &slot.peer;
        out.msg_namelen = in.msg_namelen;
        out.msg_iov = &slot.answer_iov;
        out.msg_iovlen = 1;
        out.msg_flags = 0;
        const std::size_t control =
            answer_from_destination_
                ? build_reply_pktinfo(in, slot.control_out.data(), slot.control_out.size())
                : 0;
        out.msg_control = control != 0 ? slot.control_out.data() : nullptr;
        out.msg_controllen = control;
        replies_[replies].msg_len = 0;
        ++replies;
    }
    gate_.end_batch();
    return replies;
}

std::uint16_t UdpSocketServer::peer_port(const sockaddr_storage& peer) {
    if (peer.ss_family == AF_INET) return ntohs(reinterpret_cast<const sockaddr_in&>(peer).sin_port);
    if (peer.ss_family == AF_INET6)
        return ntohs(reinterpret_cast<const sockaddr_in6&>(peer).sin6_port);
    return 0;
}

// Posts the forwarder's outcome back to the worker that parked the query. The socket server
// lives as long as the worker's io_context runs handlers (worker.h: it goes first, and a
// handler destroyed unrun frees the parked query and gives its ticket back).
class UdpSocketServer::ForwardCompletion final : public forward::ForwardCompletion {
  public:
    ForwardCompletion(UdpSocketServer& server, std::unique_ptr<ParkedQuery> parked)
        : server_(&server), parked_(std::move(parked)) {}
    void complete(forward::ForwardOutcome outcome) override {
        asio::post(server_->socket_.get_executor(),
                   [server = server_, parked = std::move(parked_),
                    outcome = std::move(outcome)] { server->answer_parked(*parked, outcome); });
    }

  private:
    UdpSocketServer* server_;
    std::unique_ptr<ParkedQuery> parked_;
};

void UdpSocketServer::park(const Slot& slot, const msghdr& received, std::size_t length,
                           const engine::QueryContext& context,
                           const engine::ForwardQuestion& question, OutstandingTicket ticket) {
    auto parked = std::make_unique<ParkedQuery>();
    parked->query.assign(slot.query.data(), slot.query.data() + length);
    std::memcpy(&parked->peer, &slot.peer, sizeof parked->peer);
    parked->peer_length = received.msg_namelen;
    parked->control_length =
        answer_from_destination_
            ? build_reply_pktinfo(received, parked->control.data(), parked->control.size())
            : 0;
    parked->context = context;
    parked->question = question;
    parked->ticket = std::move(ticket);
    parked->parked_at = std::chrono::steady_clock::now();
    worker_.forwarder->resolve(question,
                               std::make_unique<ForwardCompletion>(*this, std::move(parked)));
}

void UdpSocketServer::answer_parked(const ParkedQuery& parked,
                                    const forward::ForwardOutcome& outcome) {
    if (!socket_.is_open()) return;  // stopping
    const ServingSnapshot& snapshot = snapshots_.get();
    const engine::EngineResult result =
        answer_forwarded(worker_, snapshot, parked.query, parked.context, parked.question,
                         outcome, parked_answer_);
    send_forwarded(parked, result, false);
}

bool UdpSocketServer::take_forwarded(std::span<const std::uint8_t> query,
                                     const sockaddr_storage& peer, socklen_t peer_length,
                                     const config::IpAddress& destination,
                                     const engine::QueryContext& context,
                                     const engine::ForwardQuestion& question) {
    if (!socket_.is_open() || worker_.forwarder == nullptr) return false;
    // A link-local peer's scope is the interface the answer leaves by (IPv6 only; 0 = any).
    const unsigned scope =
        peer.ss_family == AF_INET6 ? reinterpret_cast<const sockaddr_in6&>(peer).sin6_scope_id : 0;
    auto parked = std::make_unique<ParkedQuery>();
    parked->query.assign(query.begin(), query.end());
    std::memcpy(&parked->peer, &peer, sizeof parked->peer);
    parked->peer_length = peer_length;
    parked->control_length =
        answer_from_destination_
            ? build_source_pktinfo(destination, scope, parked->control.data(),
                                   parked->control.size())
            : 0;
    parked->context = context;
    parked->question = question;
    parked->parked_at = std::chrono::steady_clock::now();
    const ServingSnapshot& snapshot = snapshots_.get();
    bool from_cache = false;
    auto now = answer_forward_now(worker_, snapshot, parked->query, context, question,
                                  parked_answer_, parked->ticket, &from_cache);
    if (now) {
        send_forwarded(*parked, *now, from_cache);
        return true;
    }
    // `question`, not parked->question: the argument that moves `parked` may be evaluated first.
    worker_.forwarder->resolve(question,
                               std::make_unique<ForwardCompletion>(*this, std::move(parked)));
    return true;
}

bool UdpSocketServer::receives(const config::IpAddress& destination, std::uint16_t port) const {
    if (port != local_port_ || destination.family != local_address_.family) return false;
    return answer_from_destination_ || destination == local_address_;
}

void UdpSocketServer::send_forwarded(const ParkedQuery& parked, engine::EngineResult result,
                                     bool from_cache) {
    // Rate limited and logged as a batch of one.
    UdpAnswerGate::Origin origin{parked.query, peer_port(parked.peer),
                                 static_cast<std::uint8_t>(
                                     querylog::flag::Forwarded |
                                     (from_cache ? querylog::flag::FromCache : 0))};
    if (worker_.logging()) [[unlikely]] {
        // The upstream's time is the query's time in the park; its receive time is as long ago.
        const auto waited_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                                   std::chrono::steady_clock::now() - parked.parked_at)
                                   .count();
        origin.query_time_ns = realtime_ns() - static_cast<std::int64_t>(waited_ns);
        origin.upstream_us = static_cast<std::uint32_t>(waited_ns / 1000);
    }
    gate_.begin_batch(snapshots_.get());
    const bool answered = gate_.pass(parked.context, origin, result, parked_answer_);
    gate_.end_batch();
    if (!answered) return;
    iovec iov{parked_answer_.data(), result.length};
    msghdr out{};
    out.msg_name = const_cast<sockaddr_storage*>(&parked.peer);
    out.msg_namelen = parked.peer_length;
    out.msg_iov = &iov;
    out.msg_iovlen = 1;
    out.msg_control = parked.control_length != 0
                          ? const_cast<unsigned char*>(parked.control.data())
                          : nullptr;
    out.msg_controllen = parked.control_length;
    while (::sendmsg(socket_.native_handle(), &out, MSG_DONTWAIT) < 0) {
        if (errno == EINTR) continue;
        if (send_errors_.allow())
            spdlog::debug("udp {}: sendmsg: {} ({} more not logged)", name_,
                          std::error_code(errno, std::system_category()).message(),
                          send_errors_.suppressed());
        return;
    }
}

void UdpSocketServer::send_batch(std::size_t count) {
    std::size_t sent = 0;
    while (sent < count) {
        const int result = ::sendmmsg(socket_.native_handle(), replies_.data() + sent,
                                      static_cast<unsigned>(count - sent), MSG_DONTWAIT);
        if (result > 0) {
            // A partial send: the rest goes in the next call.
            sent += static_cast<std::size_t>(result);
            continue;
        }
        if (result < 0 && errno == EINTR) continue;
        const int error = result < 0 ? errno : EIO;
        if (error == EAGAIN || error == EWOULDBLOCK || error == ENOBUFS || result == 0) {
            // The send queue is full: drop the rest of this batch rather than stall the worker;
            // UDP clients retry.
            if (send_errors_.allow())
                spdlog::warn("udp {}: send queue full, {} answers dropped ({} more not logged)",
                             name_, count - sent, send_errors_.suppressed());
            return;
        }
        // This one answer was refused (e.g. EPERM from a firewall rule, unreachable network):
        // skip it and send the rest.
        if (send_errors_.allow())
            spdlog::debug("udp {}: sendmmsg: {} ({} more not logged)", name_,
                          std::error_code(error, std::system_category()).message(),
                          send_errors_.suppressed());
        ++sent;
    }
}

}  // namespace sipdns::net
