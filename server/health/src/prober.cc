// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#include "sipdns/health/prober.h"

#include <openssl/ssl.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <deque>
#include <exception>
#include <map>
#include <mutex>
#include <random>
#include <thread>

#include <boost/asio/buffer.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

#include "sipdns/health/target_health.h"

namespace sipdns::health {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
using Clock = std::chrono::steady_clock;
using boost::system::error_code;

namespace {

asio::ip::address to_asio(const config::IpAddress& a) {
    if (a.is_v4()) {
        asio::ip::address_v4::bytes_type b;
        std::copy_n(a.bytes.begin(), 4, b.begin());
        return asio::ip::address_v4(b);
    }
    asio::ip::address_v6::bytes_type b;
    std::copy_n(a.bytes.begin(), 16, b.begin());
    return asio::ip::address_v6(b);
}

// Our address as the host part of a SIP URI (RFC 3261 §25.1: an IPv6 reference is bracketed).
std::string uri_host(const asio::ip::address& a) {
    return a.is_v6() ? "[" + a.to_string() + "]" : a.to_string();
}

// How one address's probe ended.
struct AddressOutcome {
    enum class Kind : std::uint8_t { Answered, NoAnswer, Failed };
    Kind kind = Kind::NoAnswer;
    std::string text;  // "200 OK" when answered, else why it failed
};

}  // namespace

// The prober's state and its io_context; Prober::Impl is this (named, not in the anonymous
// namespace, because Prober::Impl derives from it).
namespace prober_detail {

struct ProberCore {
    struct Entry;
    struct Round;

    // One address's OPTIONS exchange over UDP, TCP or TLS; reports to its round once.
    struct AddressProbe {
        virtual ~AddressProbe() = default;
        virtual void start() = 0;
        virtual void cancel() = 0;  // closes the socket; pending handlers see the round done
        // The reason when the round's timeout ends the probe, by where it stood.
        virtual AddressOutcome timed_out() const = 0;
        // Bytes from the server wait in the socket, not yet read: the answer may be there and
        // our thread late (a busy machine), not the server.
        virtual bool has_unread_input() = 0;
    };

    // One probe round of a target: every address at once; the first SIP response wins.
    struct Round {
        std::shared_ptr<Entry> entry;
        Clock::time_point started;
        asio::steady_timer timeout;
        std::vector<std::shared_ptr<AddressProbe>> probes;
        std::vector<config::IpAddress> addresses;
        std::vector<std::optional<AddressOutcome>> outcomes;
        bool done = false;
        bool grace_given = false;  // the timeout was extended once for unread input
        explicit Round(asio::io_context& io) : timeout(io) {}
    };

    struct Entry {
        ProbeTarget target;  // the key and the current addresses (under mutex)
        TargetHealth health;
        TargetStatus status;  // under mutex
        bool active = true;   // under mutex: false once removed or stopped
        std::uint32_t cseq = 0;
        // The failures of the rounds in a row so far (for the reason of a move to down).
        std::deque<AddressOutcome> failures;
        asio::steady_timer timer;  // io thread only
        std::shared_ptr<Round> round;  // io thread only: the outstanding round, if any
        Entry(asio::io_context& io, ProbeTarget t, const ProberSettings& s)
            : target(std::move(t)), health(s.rise, s.fall), timer(io) {
            status.target = target;
        }
    };

    using ChangeHandler = Prober::ChangeHandler;

    ProberCore(ProberSettings s, ChangeHandler handler)
        : settings(s), on_change(std::move(handler)), tls(ssl::context::tls_client),
          random(std::random_device{}()) {
        // Liveness, not identity: any certificate will do (docs/design.md §10).
        tls.set_verify_mode(ssl::verify_none);
    }

    void schedule(const std::shared_ptr<Entry>& entry, Clock::duration delay);
    void start_round(const std::shared_ptr<Entry>& entry);
    void on_round_timeout(const std::shared_ptr<Round>& round, error_code e);
    static constexpr auto kUnreadInputGrace = std::chrono::milliseconds(20);
    void address_done(const std::shared_ptr<Round>& round, std::size_t index,
                      AddressOutcome outcome);
    void finish_round(const std::shared_ptr<Round>& round, std::optional<AddressOutcome> answer);
    void shutdown();  // io thread
    std::shared_ptr<AddressProbe> make_probe(const std::shared_ptr<Round>& round,
                                             std::size_t index);
    std::string new_token(std::size_t length) { return random_token(random, length); }

    const ProberSettings settings;
    const ChangeHandler on_change;
    asio::io_context io{1};
    asio::executor_work_guard<asio::io_context::executor_type> work{io.get_executor()};
    ssl::context tls;
    std::mt19937_64 random;  // io thread only
    std::thread thread;
    bool started = false;  // under mutex
    bool stopped = false;  // under mutex
    mutable std::mutex mutex;
    std::map<ProbeTarget, std::shared_ptr<Entry>> entries;  // under mutex

    // Ends a round: no handler of it does anything after this, its sockets close.
    static void close_round(Round& round);
};

}  // namespace prober_detail

struct Prober::Impl : prober_detail::ProberCore {
    using ProberCore::ProberCore;
};

namespace {

using Impl = prober_detail::ProberCore;

// UDP (RFC 3261 §18.1.1): an ephemeral socket connected to the address, so that an ICMP port
// unreachable comes back as ECONNREFUSED at once and only that address's datagrams reach us.
class UdpProbe : public Impl::AddressProbe, public std::enable_shared_from_this<UdpProbe> {
public:
    UdpProbe(Impl& impl, std::shared_ptr<Impl::Round> round, std::size_t index,
             asio::ip::udp::endpoint remote)
        : impl_(impl), round_(std::move(round)), index_(index), remote_(remote),
          socket_(impl.io) {}

    void start() override {
        error_code ec;
        socket_.open(remote_.protocol(), ec);
        if (!ec) socket_.connect(remote_, ec);
        asio::ip::udp::endpoint local;
        if (!ec) local = socket_.local_endpoint(ec);
        if (ec) return report({AddressOutcome::Kind::Failed, "cannot send: " + ec.message()});
        request_ = build_request(local.address(), local.port());
        auto self = shared_from_this();
        socket_.async_send(asio::buffer(request_), [self](error_code e, std::size_t) {
            if (e) self->report(self->failure(e));
        });
        receive();
    }
    void cancel() override {
        error_code ignored;
        socket_.close(ignored);
    }
    AddressOutcome timed_out() const override {
        return {AddressOutcome::Kind::NoAnswer, "no answer"};
    }
    bool has_unread_input() override {
        error_code ec;
        return socket_.is_open() && socket_.available(ec) > 0 && !ec;
    }

private:
    std::string build_request(const asio::ip::address& local, std::uint16_t port);

    void receive() {
        auto self = shared_from_this();
        socket_.async_receive(asio::buffer(buffer_), [self](error_code e, std::size_t n) {
            if (self->round_->done) return;
            if (e) return self->report(self->failure(e));
            // One datagram is one message; a bigger one was cut to the buffer's size.
            if (n > kMaxResponseBytes)
                return self->report({AddressOutcome::Kind::Failed,
                                     "malformed response: larger than 64 KiB"});
            const ParseResult parsed =
                parse_response(std::string_view(self->buffer_.data(), n), Framing::Datagram);
            if (parsed.status != ParseStatus::Complete)
                return self->report(
                    {AddressOutcome::Kind::Failed, "malformed response: " + parsed.error});
            // Another transaction's response (a stray, or one to an old probe) is not ours:
            // RFC 3261 §17.1.3 matches by branch and CSeq method; keep waiting.
            if (parsed.response.branch != self->branch_ ||
                parsed.response.cseq_method != "OPTIONS")
                return self->receive();
            self->report({AddressOutcome::Kind::Answered,
                          std::to_string(parsed.response.status) + " " + parsed.response.reason});
        });
    }

    AddressOutcome failure(const error_code& e) const {
        if (e == asio::error::connection_refused)
            return {AddressOutcome::Kind::Failed, "port unreachable"};
        return {AddressOutcome::Kind::Failed, e.message()};
    }

    void report(AddressOutcome outcome);

    Impl& impl_;
    std::shared_ptr<Impl::Round> round_;
    std::size_t index_;
    asio::ip::udp::endpoint remote_;
    asio::ip::udp::socket socket_;
    std::string request_;
    std::string branch_;
    std::array<char, kMaxResponseBytes + 1> buffer_{};
};

// TCP and TLS (RFC 3261 §18.1.1, §26.2.1): connect, (handshake,) send, read until one whole
// response (Content-Length, §18.3), close.
template <bool UseTls>
class StreamProbe : public Impl::AddressProbe,
                    public std::enable_shared_from_this<StreamProbe<UseTls>> {
public:
    using Stream =
        std::conditional_t<UseTls, ssl::stream<asio::ip::tcp::socket>, asio::ip::tcp::socket>;

    StreamProbe(Impl& impl, std::shared_ptr<Impl::Round> round, std::size_t index,
                asio::ip::tcp::endpoint remote)
        : impl_(impl), round_(std::move(round)), index_(index), remote_(remote),
          stream_(make_stream(impl)) {}

    void start() override {
        auto self = this->shared_from_this();
        lowest().async_connect(remote_, [self](error_code e) {
            if (self->round_->done) return;
            if (e) {
                if (e == asio::error::connection_refused)
                    return self->report({AddressOutcome::Kind::Failed, "connection refused"});
                return self->report({AddressOutcome::Kind::Failed, "connect: " + e.message()});
            }
            if constexpr (UseTls) {
                self->phase_ = Phase::Handshake;
                // SNI with the target's name (RFC 6066 §3: a host name, never an address
                // literal), for servers that pick their certificate by name.
                const std::string& name = self->round_->entry->target.name;
                if (!config::IpAddress::parse(name))
                    SSL_set_tlsext_host_name(self->stream_.native_handle(), name.c_str());
                self->stream_.async_handshake(ssl::stream_base::client, [self](error_code he) {
                    if (self->round_->done) return;
                    if (he)
                        return self->report({AddressOutcome::Kind::Failed,
                                             "TLS handshake failed: " + he.message()});
                    self->send();
                });
            } else {
                self->send();
            }
        });
    }
    void cancel() override {
        error_code ignored;
        lowest().close(ignored);
    }
    AddressOutcome timed_out() const override {
        switch (phase_) {
            case Phase::Connect:
                return {AddressOutcome::Kind::Failed, "connect timed out"};
            case Phase::Handshake:
                return {AddressOutcome::Kind::Failed, "TLS handshake timed out"};
            case Phase::Exchange: break;
        }
        return {AddressOutcome::Kind::NoAnswer, "no answer"};
    }
    bool has_unread_input() override {
        error_code ec;
        return lowest().is_open() && lowest().available(ec) > 0 && !ec;
    }

private:
    enum class Phase : std::uint8_t { Connect, Handshake, Exchange };

    static Stream make_stream(Impl& impl) {
        if constexpr (UseTls)
            return Stream(impl.io, impl.tls);
        else
            return Stream(impl.io);
    }
    asio::ip::tcp::socket& lowest() {
        if constexpr (UseTls)
            return stream_.next_layer();
        else
            return stream_;
    }

    void send();
    void read() {
        auto self = this->shared_from_this();
        const std::size_t have = received_.size();
        received_.resize(have + 4096);
        stream_.async_read_some(
            asio::buffer(received_.data() + have, 4096), [self, have](error_code e, std::size_t n) {
                if (self->round_->done) return;
                self->received_.resize(have + n);
                if (e) {
                    if (e == asio::error::eof || e == ssl::error::stream_truncated)
                        return self->report({AddressOutcome::Kind::Failed,
                                             "connection closed without a response"});
                    return self->report({AddressOutcome::Kind::Failed, "read: " + e.message()});
                }
                self->consume();
            });
    }
    void consume() {
        for (;;) {
            const ParseResult parsed = parse_response(received_, Framing::Stream);
            if (parsed.status == ParseStatus::NeedMore) return read();
            if (parsed.status == ParseStatus::Malformed)
                return report(
                    {AddressOutcome::Kind::Failed, "malformed response: " + parsed.error});
            if (parsed.response.branch == branch_ && parsed.response.cseq_method == "OPTIONS")
                return report({AddressOutcome::Kind::Answered,
                               std::to_string(parsed.response.status) + " " +
                                   parsed.response.reason});
            // Not our transaction's (§17.1.3): skip it, look at what follows.
            received_.erase(0, parsed.response.total_length);
        }
    }
    void report(AddressOutcome outcome);

    Impl& impl_;
    std::shared_ptr<Impl::Round> round_;
    std::size_t index_;
    asio::ip::tcp::endpoint remote_;
    Stream stream_;
    Phase phase_ = Phase::Connect;
    std::string request_;
    std::string branch_;
    std::string received_;
};

}  // namespace

// Out of the classes: they need Impl's members, declared above.
namespace {

std::string options_for(Impl& impl, const Impl::Round& round, const asio::ip::address& local,
                        std::uint16_t local_port, std::string& branch) {
    OptionsRequest r;
    r.target_name = round.entry->target.name;
    r.target_port = round.entry->target.port;
    r.transport = round.entry->target.transport;
    r.local_host = uri_host(local);
    r.local_port = local_port;
    branch = "z9hG4bK" + impl.new_token(20);
    r.branch = branch;
    r.from_tag = impl.new_token(12);
    r.call_id = impl.new_token(24) + "@" + local.to_string();
    r.cseq = round.entry->cseq;
    return build_options(r);
}

}  // namespace

std::string UdpProbe::build_request(const asio::ip::address& local, std::uint16_t port) {
    return options_for(impl_, *round_, local, port, branch_);
}

void UdpProbe::report(AddressOutcome outcome) {
    impl_.address_done(round_, index_, std::move(outcome));
}

template <bool UseTls>
void StreamProbe<UseTls>::send() {
    phase_ = Phase::Exchange;
    error_code ec;
    const auto local = lowest().local_endpoint(ec);
    if (ec) return report({AddressOutcome::Kind::Failed, "local address: " + ec.message()});
    request_ = options_for(impl_, *round_, local.address(), local.port(), branch_);
    auto self = this->shared_from_this();
    asio::async_write(stream_, asio::buffer(request_), [self](error_code e, std::size_t) {
        if (self->round_->done) return;
        if (e) return self->report({AddressOutcome::Kind::Failed, "send: " + e.message()});
        self->read();
    });
}

template <bool UseTls>
void StreamProbe<UseTls>::report(AddressOutcome outcome) {
    impl_.address_done(round_, index_, std::move(outcome));
}

std::shared_ptr<Impl::AddressProbe> Impl::make_probe(const std::shared_ptr<Round>& round,
                                                     std::size_t index) {
    const asio::ip::address address = to_asio(round->addresses[index]);
    const std::uint16_t port = round->entry->target.port;
    switch (round->entry->target.transport) {
        case Transport::Udp:
            return std::make_shared<UdpProbe>(*this, round, index,
                                              asio::ip::udp::endpoint(address, port));
        case Transport::Tcp:
            return std::make_shared<StreamProbe<false>>(*this, round, index,
                                                        asio::ip::tcp::endpoint(address, port));
        case Transport::Tls:
            return std::make_shared<StreamProbe<true>>(*this, round, index,
                                                       asio::ip::tcp::endpoint(address, port));
    }
    return nullptr;
}

void Impl::schedule(const std::shared_ptr<Entry>& entry, Clock::duration delay) {
    entry->timer.expires_after(delay);
    entry->timer.async_wait([this, entry](error_code e) {
        if (e) return;
        {
            std::lock_guard lock(mutex);
            if (!entry->active || stopped) return;
        }
        start_round(entry);
    });
}

void Impl::start_round(const std::shared_ptr<Entry>& entry) {
    auto round = std::make_shared<Round>(io);
    round->entry = entry;
    round->started = Clock::now();
    {
        std::lock_guard lock(mutex);
        round->addresses = entry->target.addresses;
        ++entry->status.probes_sent;
    }
    ++entry->cseq;
    entry->round = round;
    round->outcomes.resize(round->addresses.size());
    if (round->addresses.empty())
        return finish_round(round, std::nullopt);
    for (std::size_t i = 0; i < round->addresses.size(); ++i)
        round->probes.push_back(make_probe(round, i));
    const auto probes = round->probes;  // a probe that fails at once may end the round
    for (auto& probe : probes) {
        if (round->done) break;
        probe->start();
    }
    if (round->done) return;
    round->timeout.expires_after(std::chrono::milliseconds(settings.timeout_ms));
    round->timeout.async_wait([this, round](error_code e) { on_round_timeout(round, e); });
}

void Impl::on_round_timeout(const std::shared_ptr<Round>& round, error_code e) {
    if (e || round->done) return;
    // A response that arrived while this thread was not running (a loaded machine) is in the
    // socket although the timer fired first: let its read complete before judging. Once per
    // round and short, so a server that sends garbage slowly cannot keep a round open.
    if (!round->grace_given) {
        for (std::size_t i = 0; i < round->probes.size(); ++i) {
            if (round->outcomes[i] || !round->probes[i]->has_unread_input()) continue;
            round->grace_given = true;
            round->timeout.expires_after(kUnreadInputGrace);
            round->timeout.async_wait([this, round](error_code e2) { on_round_timeout(round, e2); });
            return;
        }
    }
    for (std::size_t i = 0; i < round->probes.size(); ++i)
        if (!round->outcomes[i]) round->outcomes[i] = round->probes[i]->timed_out();
    finish_round(round, std::nullopt);
}

void Impl::address_done(const std::shared_ptr<Round>& round, std::size_t index,
                        AddressOutcome outcome) {
    if (round->done || round->outcomes[index]) return;
    if (outcome.kind == AddressOutcome::Kind::Answered) {
        round->outcomes[index] = outcome;
        return finish_round(round, outcome);
    }
    round->outcomes[index] = std::move(outcome);
    for (const auto& o : round->outcomes)
        if (!o) return;  // another address may still answer
    finish_round(round, std::nullopt);
}

void Impl::finish_round(const std::shared_ptr<Round>& round, std::optional<AddressOutcome> answer) {
    close_round(*round);
    const std::shared_ptr<Entry> entry = round->entry;
    if (entry->round == round) entry->round.reset();

    // The round's failure in one line: every address's reason, or the one they share.
    AddressOutcome failure;
    if (!answer) {
        if (round->addresses.empty()) {
            failure = {AddressOutcome::Kind::Failed, "no address to probe"};
        } else {
            bool all_no_answer = true, all_same = true;
            for (const auto& o : round->outcomes) {
                all_no_answer = all_no_answer && o->kind == AddressOutcome::Kind::NoAnswer;
                all_same = all_same && o->text == round->outcomes.front()->text;
            }
            failure.kind =
                all_no_answer ? AddressOutcome::Kind::NoAnswer : AddressOutcome::Kind::Failed;
            if (all_same) {
                failure.text = round->outcomes.front()->text;
            } else {
                for (std::size_t i = 0; i < round->outcomes.size(); ++i) {
                    if (i) failure.text += ", ";
                    failure.text +=
                        round->addresses[i].to_string() + ": " + round->outcomes[i]->text;
                }
            }
        }
    }

    const bool ok = answer.has_value();
    const double latency_ms =
        std::chrono::duration<double, std::milli>(Clock::now() - round->started).count();
    std::vector<TargetChange> changes;
    {
        std::lock_guard lock(mutex);
        if (stopped || !entry->active) return;
        TargetStatus& status = entry->status;
        if (ok) {
            status.last_latency_ms = latency_ms;
            std::string from;
            for (std::size_t i = 0; i < round->outcomes.size(); ++i)
                if (round->outcomes[i] &&
                    round->outcomes[i]->kind == AddressOutcome::Kind::Answered)
                    from = round->addresses[i].to_string();
            status.last_result = answer->text + " from " + from;
            entry->failures.clear();
        } else {
            ++status.probes_failed;
            status.last_result = failure.text;
            entry->failures.push_back(failure);
            while (entry->failures.size() > std::max(settings.fall, 1u))
                entry->failures.pop_front();
        }
        if (const auto changed = entry->health.record(ok)) {
            status.up = *changed;
            TargetChange change{entry->target, *changed, {}};
            if (*changed) {
                change.reason = "answered " + std::to_string(std::max(settings.rise, 1u)) +
                                " OPTIONS (" + answer->text + ")";
            } else {
                const auto& fs = entry->failures;
                const bool all_no_answer =
                    std::all_of(fs.begin(), fs.end(), [](const AddressOutcome& f) {
                        return f.kind == AddressOutcome::Kind::NoAnswer;
                    });
                const std::string count = std::to_string(fs.size());
                change.reason = all_no_answer
                                    ? count + " OPTIONS without answer"
                                    : count + " probes failed: " + fs.back().text;
            }
            changes.push_back(std::move(change));
        }
    }
    // Never faster than interval: the next round starts one interval after this one started.
    const auto next = round->started + std::chrono::milliseconds(settings.interval_ms);
    schedule(entry, std::max(next - Clock::now(), Clock::duration::zero()));
    if (!changes.empty() && on_change) {
        try {
            on_change(std::move(changes));
        } catch (...) {
            // The handler's failure is the daemon's; probing goes on.
        }
    }
}

void Impl::close_round(Round& round) {
    round.done = true;
    round.timeout.cancel();
    // The probes hold the round: dropping them here breaks that cycle (a probe's pending
    // handler keeps its own probe alive until Asio calls it with operation_aborted).
    auto probes = std::move(round.probes);
    round.probes.clear();
    for (auto& probe : probes) probe->cancel();
}

void Impl::shutdown() {
    std::vector<std::shared_ptr<Entry>> all;
    {
        std::lock_guard lock(mutex);
        for (auto& [key, entry] : entries) all.push_back(entry);
    }
    for (auto& entry : all) {
        entry->timer.cancel();
        if (auto round = entry->round) {
            Impl::close_round(*round);
            entry->round.reset();
        }
    }
    work.reset();
}

Prober::Prober(ProberSettings settings, ChangeHandler on_change)
    : impl_(std::make_unique<Impl>(settings, std::move(on_change))) {}

Prober::~Prober() { stop(); }

void Prober::set_targets(std::vector<ProbeTarget> targets) {
    std::sort(targets.begin(), targets.end());
    targets.erase(std::unique(targets.begin(), targets.end()), targets.end());
    std::vector<std::shared_ptr<Impl::Entry>> added, removed;
    {
        std::lock_guard lock(impl_->mutex);
        if (impl_->stopped) return;
        std::map<ProbeTarget, std::shared_ptr<Impl::Entry>> next;
        for (auto& target : targets) {
            auto it = impl_->entries.find(target);
            if (it != impl_->entries.end()) {
                it->second->target.addresses = target.addresses;
                it->second->status.target.addresses = target.addresses;
                next.emplace(target, it->second);
                impl_->entries.erase(it);
            } else {
                auto entry = std::make_shared<Impl::Entry>(impl_->io, target, impl_->settings);
                added.push_back(entry);
                next.emplace(std::move(target), std::move(entry));
            }
        }
        for (auto& [key, entry] : impl_->entries) {
            entry->active = false;
            removed.push_back(entry);
        }
        impl_->entries = std::move(next);
    }
    asio::post(impl_->io, [impl = impl_.get(), added, removed] {
        for (const auto& entry : removed) {
            entry->timer.cancel();
            if (auto round = entry->round) {
                Impl::close_round(*round);
                entry->round.reset();
            }
        }
        // The first round at once, spread over a little time so that a site's targets are not
        // all probed in the same millisecond.
        const auto step = std::chrono::milliseconds(
            std::min<std::uint32_t>(5, impl->settings.interval_ms / std::max<std::size_t>(
                                                                     added.size(), 1)));
        for (std::size_t i = 0; i < added.size(); ++i) impl->schedule(added[i], step * i);
    });
}

void Prober::start() {
    std::lock_guard lock(impl_->mutex);
    if (impl_->started || impl_->stopped) return;
    impl_->started = true;
    impl_->thread = std::thread([impl = impl_.get()] {
        // A handler's exception must not end probing (nor the process, from a thread).
        for (;;) {
            try {
                impl->io.run();
                return;
            } catch (...) {
            }
        }
    });
}

void Prober::stop() {
    {
        std::lock_guard lock(impl_->mutex);
        if (impl_->stopped) return;
        impl_->stopped = true;
    }
    // Every timer and socket is cancelled on the prober's own thread; the cancelled handlers
    // return at once and run() ends with no work left.
    asio::post(impl_->io, [impl = impl_.get()] { impl->shutdown(); });
    if (impl_->thread.joinable()) {
        impl_->thread.join();
    } else {
        impl_->io.run();  // never started: run the shutdown here so that nothing is left
    }
}

std::vector<TargetStatus> Prober::status() const {
    std::lock_guard lock(impl_->mutex);
    std::vector<TargetStatus> result;
    result.reserve(impl_->entries.size());
    for (const auto& [key, entry] : impl_->entries) result.push_back(entry->status);
    return result;
}

std::size_t Prober::up_count() const {
    std::lock_guard lock(impl_->mutex);
    return static_cast<std::size_t>(std::count_if(
        impl_->entries.begin(), impl_->entries.end(),
        [](const auto& kv) { return kv.second->status.up; }));
}

std::size_t Prober::target_count() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->entries.size();
}

}  // namespace sipdns::health
