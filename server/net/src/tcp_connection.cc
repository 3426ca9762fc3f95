// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#include "tcp_connection.h"

#include "query_log_tap.h"

#include <linux/sockios.h>
#include <sys/ioctl.h>

#include <algorithm>
#include <cstring>
#include <ctime>

#include <spdlog/spdlog.h>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include "sipdns/engine/query_engine.h"
#include "worker.h"

namespace sipdns::net {

namespace asio = boost::asio;
using boost::system::error_code;

namespace {

constexpr std::size_t kLengthPrefix = TcpFramer::kLengthPrefix;  // RFC 1035 §4.2.2
// An outbox that grew for a burst is given back once it is empty again.
constexpr std::size_t kRetainedOutboxCapacity = 64 * 1024;

std::size_t frame_length(const std::uint8_t* prefix) {
    return (static_cast<std::size_t>(prefix[0]) << 8) | prefix[1];
}

}  // namespace

TcpConnection::TcpConnection(asio::ip::tcp::socket socket, Worker& worker, ConnectionLimit& limit,
                             TcpTimeouts timeouts)
    : socket_(std::move(socket)),
      worker_(worker),
      limit_(limit),
      timeouts_(timeouts),
      timer_(socket_.get_executor()) {
    // The peer's address picks its location view for every query on this connection.
    boost::system::error_code ec;
    const auto peer = socket_.remote_endpoint(ec);
    if (!ec) client_port_ = peer.port();
    if (!ec && peer.address().is_v4()) {
        const auto b = peer.address().to_v4().to_bytes();
        const std::uint8_t bytes[4] = {b[0], b[1], b[2], b[3]};
        context_.client = engine::client_address_v4(bytes);
        context_.has_client = true;
    } else if (!ec && peer.address().is_v6()) {
        const auto b = peer.address().to_v6().to_bytes();
        std::uint8_t bytes[16];
        std::copy(b.begin(), b.end(), bytes);
        context_.client = engine::client_address_v6(bytes);
        context_.has_client = true;
    }
}

TcpConnection::~TcpConnection() {
    worker_.connections.erase(this);
    limit_.release();
}

void TcpConnection::start() {
    if (worker_.stopping) {  // accepted while the daemon was shutting down
        close();
        return;
    }
    worker_.connections.insert(this);
    last_activity_ = std::chrono::steady_clock::now();
    read_more();
    schedule_timer();
}

void TcpConnection::finish_and_close() {
    if (closed_ || finishing_) return;
    finishing_ = true;
    if (all_sent()) {
        close();
        return;
    }
    // The pending read (if any) ends with EOF; on_written() closes once the queue is sent.
    error_code ignored;
    socket_.shutdown(asio::ip::tcp::socket::shutdown_receive, ignored);
}

void TcpConnection::read_more() {
    if (reading_ || finishing_ || closed_ || outbox_filling_.size() >= kMaxQueuedAnswerBytes)
        return;
    // Queries held back by back-pressure are answered first (on_written). Reading meanwhile
    // would be wrong twice over: answering them moves the inbox's bytes (TcpFramer::consume())
    // under the read in progress, and an inbox full of them has no room to read into.
    if (inbox_.holds_message()) return;
    const std::span<std::uint8_t> space = inbox_.free_space();
    if (space.empty()) {
        // Cannot happen: TcpFramer::consume() sizes the inbox for the query being read.
        close();
        return;
    }
    if (inbox_.buffered() > 0 && !partial_query_) {
        // Part of a query is here and the rest is awaited from now on (after back-pressure,
        // the wait starts when reading resumes: the client was not the slow one).
        partial_query_ = true;
        partial_since_ = std::chrono::steady_clock::now();
    }
    reading_ = true;
    socket_.async_read_some(asio::buffer(space.data(), space.size()),
                            [self = shared_from_this()](const error_code& ec, std::size_t bytes) {
                                self->on_read(ec, bytes);
                            });
}

void TcpConnection::on_read(const error_code& ec, std::size_t bytes) {
    reading_ = false;
    if (closed_) return;
    if (ec) {
        if (ec == asio::error::eof) {
            // The client is done sending (or we shut down our receive side). RFC 7766 §6.2.4:
            // the answers to what it sent are still delivered, then the connection closes.
            finishing_ = true;
            if (all_sent()) close();
            return;
        }
        close();  // reset by the peer, or aborted by close()
        return;
    }
    if (inbox_.buffered() == 0) {  // the first bytes of a new query
        partial_query_ = true;
        partial_since_ = std::chrono::steady_clock::now();
    }
    inbox_.received(bytes);
    answer_complete_queries();
    flush();
    if (finishing_ && all_sent()) {  // shutdown began while this read was completing
        close();
        return;
    }
    read_more();
    schedule_timer();
}

void TcpConnection::answer_complete_queries() {
    bool answered_any = false;
    while (outbox_filling_.size() < kMaxQueuedAnswerBytes) {
        const auto query = inbox_.next_message();
        if (!query) break;  // half a message (or none): wait for the rest
        answer_one(*query);
        answered_any = true;
    }
    // What is left (if anything) is the start of the next query; its clock starts when it is
    // awaited (read_more).
    if (inbox_.consume()) partial_query_ = false;
    if (answered_any) last_activity_ = std::chrono::steady_clock::now();
}

void TcpConnection::answer_one(std::span<const std::uint8_t> query) {
    // A zero-length message, or one the engine drops (QR=1: docs/design.md §4 "over TCP the
    // connection stays open"), is skipped: no answer, keep reading.
    const ServingSnapshot& snapshot = worker_.snapshots.get();
    auto& scratch = worker_.tcp_answer_scratch;
    engine::ForwardQuestion question;
    context_.now_seconds = static_cast<std::uint32_t>(std::time(nullptr));  // RFC 9018 §4.3
    engine::EngineResult result =
        engine::respond(query, context_, *snapshot.zones, snapshot.settings, scratch,
                        worker_.forwarder != nullptr ? &question : nullptr);
    worker_.counters.count(engine::Transport::Tcp, result);
    if (result.tsig_error != 0 || result.tsig_missing) [[unlikely]]
        log_tsig_refusal(worker_, context_, query, result);
    if (result.action == engine::EngineResult::Action::Transfer) {
        // A zone transfer: every message, already framed, behind the answers before it
        // (RFC 5936 §4.1: a transfer on a connection that also carries queries).
        auto messages = engine::write_transfer(query, *result.transfer_zone, snapshot.settings);
        // RFC 8945 §5.3.1: a signed request gets every message signed.
        if (result.tsig_signed && snapshot.settings.transfer_key)
            messages = engine::sign_transfer(query, messages, *snapshot.settings.transfer_key,
                                             context_.now_seconds != 0 ? context_.now_seconds
                                                                       : engine::tsig_clock_now());
        outbox_filling_.insert(outbox_filling_.end(), messages.begin(), messages.end());
        if (worker_.logging()) [[unlikely]] {
            // The first message's header for the line; the size is the whole transfer's.
            const std::size_t first = messages.size() >= kLengthPrefix ? frame_length(messages.data()) : 0;
            const auto header = first != 0 && messages.size() >= kLengthPrefix + first
                                    ? std::span<const std::uint8_t>(messages.data() + kLengthPrefix,
                                                                    first)
                                    : std::span<const std::uint8_t>();
            log_answer(worker_, {&context_, client_port_, query, header, messages.size(),
                                 result.rcode, result.view, querylog::flag::Transfer, 0, 0});
        }
        return;
    }
    std::uint8_t log_flags = 0;
    if (result.action == engine::EngineResult::Action::Forward) {
        OutstandingTicket ticket;
        bool from_cache = false;
        auto now = answer_forward_now(worker_, snapshot, query, context_, question, scratch,
                                      ticket, &from_cache);
        if (!now) {
            park(query, question, std::move(ticket));
            return;
        }
        result = *now;
        log_flags = querylog::flag::Forwarded | (from_cache ? querylog::flag::FromCache : 0);
    }
    if (worker_.logging()) [[unlikely]]
        log_tcp_answer(query, result, log_flags, 0, 0);
    queue_answer(result);
}

void TcpConnection::log_tcp_answer(std::span<const std::uint8_t> query,
                                   const engine::EngineResult& result, std::uint8_t flags,
                                   std::int64_t query_time_ns, std::uint32_t upstream_us) {
    const auto& scratch = worker_.tcp_answer_scratch;
    const bool answered = result.action == engine::EngineResult::Action::Respond &&
                          result.length != 0 && result.length <= scratch.size();
    log_answer(worker_,
               {&context_, client_port_, query,
                answered ? std::span<const std::uint8_t>(scratch.data(), result.length)
                         : std::span<const std::uint8_t>(),
                answered ? result.length : 0, result.rcode, result.view,
                static_cast<std::uint8_t>(flags | (answered ? 0 : querylog::flag::Dropped)),
                query_time_ns, upstream_us});
}

void TcpConnection::queue_answer(const engine::EngineResult& result) {
    const auto& scratch = worker_.tcp_answer_scratch;
    if (result.action != engine::EngineResult::Action::Respond || result.length == 0 ||
        result.length > scratch.size())
        return;
    const std::size_t at = outbox_filling_.size();
    outbox_filling_.resize(at + kLengthPrefix + result.length);
    outbox_filling_[at] = static_cast<std::uint8_t>(result.length >> 8);
    outbox_filling_[at + 1] = static_cast<std::uint8_t>(result.length & 0xff);
    std::memcpy(outbox_filling_.data() + at + kLengthPrefix, scratch.data(), result.length);
}

// Posts the forwarder's outcome back to the connection's worker; the connection stays alive
// until then (a closed one drops the answer).
class TcpConnection::ForwardCompletion final : public forward::ForwardCompletion {
  public:
    ForwardCompletion(std::shared_ptr<TcpConnection> connection,
                      std::span<const std::uint8_t> query, const engine::ForwardQuestion& question,
                      OutstandingTicket ticket)
        : connection_(std::move(connection)),
          query_(query.begin(), query.end()),
          question_(question),
          ticket_(std::move(ticket)) {}
    void complete(forward::ForwardOutcome outcome) override {
        auto executor = connection_->socket_.get_executor();
        asio::post(executor, [connection = std::move(connection_), query = std::move(query_),
                              question = question_, ticket = std::move(ticket_),
                              parked_at = parked_at_,
                              outcome = std::move(outcome)] {
            connection->answer_parked(query, question, outcome, parked_at);
        });
    }

  private:
    std::shared_ptr<TcpConnection> connection_;
    std::vector<std::uint8_t> query_;
    engine::ForwardQuestion question_;
    OutstandingTicket ticket_;
    std::chrono::steady_clock::time_point parked_at_ = std::chrono::steady_clock::now();
};

void TcpConnection::park(std::span<const std::uint8_t> query,
                         const engine::ForwardQuestion& question, OutstandingTicket ticket) {
    ++parked_forwards_;
    worker_.forwarder->resolve(question, std::make_unique<ForwardCompletion>(
                                             shared_from_this(), query, question,
                                             std::move(ticket)));
}

void TcpConnection::answer_parked(const std::vector<std::uint8_t>& query,
                                  const engine::ForwardQuestion& question,
                                  const forward::ForwardOutcome& outcome,
                                  std::chrono::steady_clock::time_point parked_at) {
    if (parked_forwards_ > 0) --parked_forwards_;
    if (closed_) return;
    const ServingSnapshot& snapshot = worker_.snapshots.get();
    const engine::EngineResult result = answer_forwarded(worker_, snapshot, query, context_,
                                                         question, outcome,
                                                         worker_.tcp_answer_scratch);
    if (worker_.logging()) [[unlikely]] {
        const auto waited_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                                   std::chrono::steady_clock::now() - parked_at)
                                   .count();
        log_tcp_answer(query, result, querylog::flag::Forwarded,
                       realtime_ns() - static_cast<std::int64_t>(waited_ns),
                       static_cast<std::uint32_t>(waited_ns / 1000));
    }
    queue_answer(result);
    last_activity_ = std::chrono::steady_clock::now();
    flush();
    if (finishing_ && all_sent()) {
        close();
        return;
    }
    read_more();
    schedule_timer();
}

void TcpConnection::flush() {
    if (writing_ || closed_ || outbox_filling_.empty()) return;
    outbox_sending_.swap(outbox_filling_);  // outbox_filling_ is now the empty, idle buffer
    writing_ = true;
    draining_ = false;  // the write's own progress watch takes over
    sent_ = 0;
    write_progress_ = std::chrono::steady_clock::now();
    unsent_at_progress_ = kernel_unsent();
    write_some();
    schedule_timer();  // the write deadline may come before the armed one
}

// Piecewise (not asio::async_write) so that every byte that leaves counts as progress: a slow
// reader keeps its connection, one that reads nothing does not (RFC 9210 §4).
void TcpConnection::write_some() {
    socket_.async_write_some(
        asio::buffer(outbox_sending_.data() + sent_, outbox_sending_.size() - sent_),
        [self = shared_from_this()](const error_code& ec, std::size_t bytes) {
            self->on_written(ec, bytes);
        });
}

void TcpConnection::on_written(const error_code& ec, std::size_t bytes) {
    if (closed_) {
        writing_ = false;
        return;
    }
    if (ec) {
        writing_ = false;
        close();
        return;
    }
    const auto now = std::chrono::steady_clock::now();
    sent_ += std::min(bytes, outbox_sending_.size() - sent_);
    if (bytes > 0) {
        write_progress_ = now;
        unsent_at_progress_ = kernel_unsent();
    }
    if (sent_ < outbox_sending_.size()) {
        write_some();
        return;
    }
    writing_ = false;
    last_activity_ = now;
    outbox_sending_.clear();
    if (outbox_sending_.capacity() > kRetainedOutboxCapacity) outbox_sending_.shrink_to_fit();
    // Queries held back while the client was not reading can be answered now.
    answer_complete_queries();
    flush();
    if (finishing_ && all_sent()) {
        close();
        return;
    }
    read_more();
    schedule_timer();
}

TcpConnection::TimePoint TcpConnection::next_deadline() const {
    // Idle only while nothing is being sent: a connection with answers in flight (in our outbox
    // or, draining_, in the kernel's send queue) is watched by the write deadline instead.
    // Nor is a connection idle while forwarded queries wait for upstream (the forwarder answers
    // each within its timeout).
    TimePoint deadline = sending() || parked_forwards_ > 0 ? TimePoint::max()
                                                           : last_activity_ + timeouts_.idle;
    if (partial_query_ && reading_) deadline = std::min(deadline, partial_since_ + timeouts_.io);
    if (sending()) deadline = std::min(deadline, write_progress_ + timeouts_.io);
    return deadline;
}

void TcpConnection::schedule_timer() {
    if (closed_) return;
    const TimePoint deadline = next_deadline();
    if (deadline == TimePoint::max()) return;  // parked forwards only: armed when they answer
    if (timer_pending_ && timer_expiry_ <= deadline) return;  // its handler re-checks
    timer_expiry_ = deadline;
    timer_pending_ = true;
    const std::uint64_t generation = ++timer_generation_;
    timer_.expires_at(deadline);  // cancels the older wait, if any
    timer_.async_wait([self = shared_from_this(), generation](const error_code& ec) {
        if (ec || generation != self->timer_generation_) return;  // cancelled or re-armed
        self->timer_pending_ = false;
        self->on_timer();
    });
}

void TcpConnection::on_timer() {
    if (closed_) return;
    const TimePoint now = std::chrono::steady_clock::now();
    const char* why = nullptr;
    std::chrono::milliseconds limit{};
    bool reset = false;
    if (draining_ && kernel_unsent() <= 0) {
        // The client has taken the last answer (or the kernel cannot tell): idle from now.
        draining_ = false;
        last_activity_ = now;
        schedule_timer();
        return;
    }
    if (sending() && now >= write_progress_ + timeouts_.io && client_read_since_progress()) {
        // The client took bytes from the kernel's queue since the last progress we saw: our own
        // thread was late (a busy machine), not the client. Count it as progress.
        write_progress_ = now;
        unsent_at_progress_ = kernel_unsent();
        schedule_timer();
        return;
    }
    if (sending() && now >= write_progress_ + timeouts_.io) {
        why = "not reading its answers";
        limit = timeouts_.io;
        reset = true;  // what the kernel still queues for it is dropped with the connection
    } else if (partial_query_ && reading_ && now >= partial_since_ + timeouts_.io) {
        why = "sent part of a query only";
        limit = timeouts_.io;
    } else if (!sending() && parked_forwards_ == 0 && now >= last_activity_ + timeouts_.idle) {
        if (const int unsent = kernel_unsent(); unsent > 0) {
            // Everything was handed to the kernel, but the client is still reading it.
            draining_ = true;
            write_progress_ = now;
            unsent_at_progress_ = unsent;
            schedule_timer();
            return;
        }
        why = "idle";
        limit = timeouts_.idle;
    }
    if (why == nullptr) {
        schedule_timer();  // activity moved the deadlines: wait for the new earliest one
        return;
    }
    if (spdlog::should_log(spdlog::level::debug)) {
        error_code ignored;
        const auto peer = socket_.remote_endpoint(ignored);
        spdlog::debug("tcp {}:{}: {} for {} ms, closing", peer.address().to_string(), peer.port(),
                      why, limit.count());
    }
    close(reset);
}

int TcpConnection::kernel_unsent() {
    // Bytes still in the socket's send queue (not yet acknowledged by the peer), tcp(7) SIOCOUTQ.
    int unsent = -1;
    if (::ioctl(socket_.native_handle(), SIOCOUTQ, &unsent) != 0) return -1;
    return unsent;
}

bool TcpConnection::client_read_since_progress() {
    if (unsent_at_progress_ < 0) return false;
    const int unsent = kernel_unsent();
    return unsent >= 0 && unsent < unsent_at_progress_;
}

void TcpConnection::close(bool reset) {
    if (closed_) return;
    closed_ = true;
    error_code ignored;
    timer_.cancel();
    ++timer_generation_;
    // An abortive close (RST, SO_LINGER 0) frees the socket's queued send data at once.
    if (reset) socket_.set_option(asio::socket_base::linger(true, 0), ignored);
    socket_.close(ignored);  // pending read/write handlers complete with operation_aborted
}

}  // namespace sipdns::net
