// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#include "sipdns/forward/forwarder.h"

#include <pthread.h>
#include <unbound.h>

#include <cstdint>
#include <deque>
#include <exception>
#include <fstream>
#include <mutex>
#include <thread>
#include <unordered_map>

#include <spdlog/spdlog.h>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

namespace sipdns::forward {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

namespace {

struct ContextDeleter {
    void operator()(ub_ctx* ctx) const { ub_ctx_delete(ctx); }
};
using UnboundContext = std::unique_ptr<ub_ctx, ContextDeleter>;

// libunbound's built-in local zones that a site's own resolvers must see instead when we
// forward to them, as dnsmasq does: the site's special-use names (RFC 8375 home.arpa, RFC 6761
// test) and, through unblock-lan-zones below, the reverse zones of private and special
// addresses (RFC 1918, RFC 6598, link-local, ULA, the AS112 set) - a phone's PTR for a LAN
// address is the site resolver's to answer. Kept local, as RFC 6761 §6.3/§6.4 and RFC 7686 §2
// ask of every resolver: localhost and the loopback reverse zones, invalid, onion.
constexpr const char* kForwardedSpecialZones[] = {"home.arpa.", "test.", "resolver.arpa.",
                                                  "service.arpa."};

std::string option_error(const char* option, const std::string& value, int err) {
    return std::string("forward: libunbound rejected ") + option + " " + value + ": " +
           ub_strerror(err);
}

std::string upstream_text(const config::IpEndpoint& e) {
    return e.address.to_string() + "@" + std::to_string(e.port);  // libunbound's ADDR@PORT
}

}  // namespace

struct Forwarder::Impl {
    // One query waiting for libunbound.
    struct Pending {
        std::uint64_t id = 0;
        int async_id = 0;
        engine::ForwardQuestion question;
        std::unique_ptr<ForwardCompletion> completion;
        Clock::time_point started;
        Clock::time_point deadline;
    };

    explicit Impl(UnboundContext unbound_ctx, std::chrono::milliseconds query_timeout)
        : ctx(std::move(unbound_ctx)), timeout(query_timeout), result_pipe(io), timer(io) {}

    void submit(const engine::ForwardQuestion& question,
                std::unique_ptr<ForwardCompletion> completion);
    static void on_result(void* data, int err, ub_result* result);
    void finish(Pending& pending, ForwardOutcome outcome);
    void wait_for_results();
    void arm_timer();
    void on_timer();
    void record_latency(std::chrono::microseconds latency);

    UnboundContext ctx;
    const std::chrono::milliseconds timeout;
    asio::io_context io{1};
    asio::posix::stream_descriptor result_pipe;  // libunbound's fd; not ours to close
    asio::steady_timer timer;
    bool timer_armed = false;
    std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
    std::thread thread;
    bool running = false;

    // On the forwarder's thread only.
    std::uint64_t next_id = 1;
    std::unordered_map<std::uint64_t, std::unique_ptr<Pending>> pending;
    // Every query has the same timeout, so arrival order is deadline order.
    std::deque<std::pair<Clock::time_point, std::uint64_t>> deadlines;

    mutable std::mutex stats_mutex;
    ForwarderStats stats;  // guarded by stats_mutex
};

Expected<std::unique_ptr<Forwarder>, std::string> Forwarder::create(const ForwarderOptions& o) {
    UnboundContext ctx(ub_ctx_create());
    if (!ctx) return unexpected(std::string("forward: cannot create a libunbound context"));
    const auto set = [&ctx](const char* option, const std::string& value) -> std::string {
        const int err = ub_ctx_set_option(ctx.get(), option, value.c_str());
        return err == 0 ? std::string() : option_error(option, value, err);
    };
    // Resolving runs on libunbound's own thread (not a forked process): its cache is shared
    // with nobody else, and stopping joins it.
    if (int err = ub_ctx_async(ctx.get(), 1); err != 0)
        return unexpected(std::string("forward: libunbound threads: ") + ub_strerror(err));
    std::vector<std::pair<const char*, std::string>> options{
        // The upstreams and root servers an installer names may be on this host (a local
        // resolver, a lab's root on loopback): they were named on purpose.
        {"do-not-query-localhost:", "no"},
        // DNS Flag Day 2020: no fragmented UDP towards upstream either.
        {"edns-buffer-size:", "1232"},
    };
    if (!o.from_root) {
        options.emplace_back("unblock-lan-zones:", "yes");
        options.emplace_back("insecure-lan-zones:", "yes");
        for (const char* zone : kForwardedSpecialZones)
            // "transparent" with no data: resolved as any other name. (libunbound 1.17 keeps
            // these answering NXDOMAIN with "nodefault"; measured.)
            options.emplace_back("local-zone:", std::string(zone) + " transparent");
    }
    if (o.from_root && !o.root_hints.empty()) options.emplace_back("root-hints:", o.root_hints);
    for (const auto& [option, value] : options)
        if (auto error = set(option, value); !error.empty()) return unexpected(std::move(error));
    if (!o.from_root) {
        for (const config::IpEndpoint& upstream : o.upstreams) {
            const std::string text = upstream_text(upstream);
            if (int err = ub_ctx_set_fwd(ctx.get(), text.c_str()); err != 0)
                return unexpected(option_error("forward-addr", text, err));
        }
    }
    // libunbound reads these files only when the first query starts it: a path that cannot be
    // read is said now, at start, not as SERVFAILs later.
    const auto unreadable = [](const std::string& path) {
        std::ifstream file(path);
        return !file.good();
    };
    if (o.from_root && !o.root_hints.empty() && unreadable(o.root_hints))
        return unexpected("forward: root_hints: cannot read " + o.root_hints);
    if (o.dnssec && unreadable(o.trust_anchor))
        return unexpected("forward: dnssec: cannot read the trust anchor " + o.trust_anchor +
                          " (Debian's dns-root-data has the root's)");
    if (o.dnssec) {
        if (int err = ub_ctx_add_ta_file(ctx.get(), o.trust_anchor.c_str()); err != 0)
            return unexpected("forward: dnssec: cannot use the trust anchor " + o.trust_anchor +
                              ": " + ub_strerror(err));
    }
    // ub_fd() finalises the configuration (a bad root hints file fails here, not later).
    const int fd = ub_fd(ctx.get());
    if (fd < 0) return unexpected(std::string("forward: libunbound did not start"));
    auto impl = std::make_unique<Impl>(std::move(ctx), o.timeout);
    boost::system::error_code ec;
    impl->result_pipe.assign(fd, ec);
    if (ec) return unexpected("forward: libunbound's result pipe: " + ec.message());
    return std::unique_ptr<Forwarder>(new Forwarder(std::move(impl)));
}

Forwarder::Forwarder(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Forwarder::~Forwarder() {
    stop();
    impl_->result_pipe.release();  // libunbound closes its own fd in ub_ctx_delete
}

std::string Forwarder::describe(const ForwarderOptions& o) {
    std::string text;
    if (o.from_root) {
        text = "recursion from the root";
        if (!o.root_hints.empty()) text += " (root hints " + o.root_hints + ")";
    } else {
        text = "to ";
        for (std::size_t i = 0; i < o.upstreams.size(); ++i)
            text += (i ? ", " : "") + o.upstreams[i].to_string();
    }
    text += o.dnssec ? "; dnssec on (" + o.trust_anchor + ")" : "; dnssec off";
    return text;
}

void Forwarder::start() {
    Impl& s = *impl_;
    if (s.running) return;
    s.running = true;
    s.work.emplace(asio::make_work_guard(s.io));
    s.wait_for_results();
    s.thread = std::thread([&s] {
        ::pthread_setname_np(::pthread_self(), "sipdns-fwd");
        for (;;) {
            try {
                s.io.run();
                return;
            } catch (const std::exception& e) {
                spdlog::error("forwarder: {}", e.what());
            }
        }
    });
}

void Forwarder::stop() {
    Impl& s = *impl_;
    if (!s.running) return;
    asio::post(s.io, [&s] {
        for (auto& [id, p] : s.pending) ub_cancel(s.ctx.get(), p->async_id);
        s.pending.clear();  // completions destroyed, not called: the workers are stopping
        s.deadlines.clear();
        s.timer.cancel();
        s.result_pipe.cancel();
        s.work.reset();
    });
    s.thread.join();
    s.running = false;
}

void Forwarder::resolve(const engine::ForwardQuestion& question,
                        std::unique_ptr<ForwardCompletion> completion) {
    asio::post(impl_->io, [s = impl_.get(), question, c = std::move(completion)]() mutable {
        s->submit(question, std::move(c));
    });
}

ForwarderStats Forwarder::stats() const {
    std::lock_guard lock(impl_->stats_mutex);
    return impl_->stats;
}

void Forwarder::Impl::submit(const engine::ForwardQuestion& question,
                             std::unique_ptr<ForwardCompletion> completion) {
    auto p = std::make_unique<Pending>();
    p->id = next_id++;
    p->question = question;
    p->completion = std::move(completion);
    p->started = Clock::now();
    p->deadline = p->started + timeout;
    const std::string name = wire_name_to_text(question.name());
    // The callback gets the query's id, not a pointer: a query cancelled at its deadline is gone.
    const int err = ub_resolve_async(ctx.get(), name.c_str(), question.qtype, 1 /* IN */,
                                     reinterpret_cast<void*>(static_cast<std::uintptr_t>(p->id)),
                                     &Impl::on_result, &p->async_id);
    if (err != 0) {
        ForwardOutcome outcome;
        outcome.reason = FailureReason::Error;
        outcome.ede_text = std::string("resolver: ") + ub_strerror(err);
        finish(*p, std::move(outcome));
        return;
    }
    {
        std::lock_guard lock(stats_mutex);
        ++stats.resolved;
    }
    deadlines.emplace_back(p->deadline, p->id);
    pending.emplace(p->id, std::move(p));
    arm_timer();
}

// The forwarder whose ub_process() runs on this thread (libunbound's callback has no room for
// both it and the query's id).
static thread_local Forwarder::Impl* processing = nullptr;

// libunbound's callback, from ub_process() on this thread.
void Forwarder::Impl::on_result(void* data, int err, ub_result* result) {
    struct Free {
        ub_result* r;
        ~Free() {
            if (r) ub_resolve_free(r);
        }
    } free_result{result};
    if (processing == nullptr) return;
    Impl& s = *processing;
    const auto it = s.pending.find(static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(data)));
    if (it == s.pending.end()) return;  // cancelled at its deadline (the result was under way)
    std::unique_ptr<Pending> owned = std::move(it->second);
    s.pending.erase(it);
    Pending* p = owned.get();
    ForwardOutcome outcome;
    if (err != 0) {
        outcome.reason = FailureReason::Error;
        outcome.ede_text = std::string("resolver: ") + ub_strerror(err);
    } else if (result == nullptr) {
        outcome.reason = FailureReason::Error;
        outcome.ede_text = "resolver: no result";
    } else if (result->bogus) {
        // RFC 8914 §4.7; libunbound says why (a missing or failed signature, ...).
        outcome.reason = FailureReason::Servfail;
        outcome.ede_code = engine::ede::DnssecBogus;
        outcome.ede_text = result->why_bogus ? result->why_bogus : "DNSSEC validation failed";
    } else if (result->answer_packet == nullptr || result->answer_len < 12) {
        outcome.reason = FailureReason::Servfail;
        outcome.ede_code = engine::ede::NoReachableAuthority;
        outcome.ede_text = "no answer from upstream";
    } else {
        auto answer = normalise_upstream_answer(
            std::span(static_cast<const std::uint8_t*>(result->answer_packet),
                      static_cast<std::size_t>(result->answer_len)),
            p->question, result->ttl > 0 ? static_cast<std::uint32_t>(result->ttl) : 0,
            result->secure != 0);
        if (!answer) {
            outcome.reason = FailureReason::Error;
            outcome.ede_text = answer.error();
        } else {
            answer->received = Clock::now();
            if (answer->rcode == 2) outcome.reason = FailureReason::Servfail;
            outcome.answer = std::make_shared<const ForwardedAnswer>(std::move(*answer));
        }
    }
    s.record_latency(std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() -
                                                                           owned->started));
    s.finish(*owned, std::move(outcome));
}

void Forwarder::Impl::finish(Pending& p, ForwardOutcome outcome) {
    outcome.latency =
        std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - p.started);
    if (p.completion) p.completion->complete(std::move(outcome));
    p.completion.reset();
}

void Forwarder::Impl::record_latency(std::chrono::microseconds latency) {
    const double seconds = static_cast<double>(latency.count()) / 1e6;
    std::size_t bucket = 0;
    while (bucket < LatencyHistogram::kBounds.size() &&
           seconds > LatencyHistogram::kBounds[bucket])
        ++bucket;
    std::lock_guard lock(stats_mutex);
    ++stats.latency.counts[bucket];
    stats.latency.sum_seconds += seconds;
    ++stats.latency.count;
}

void Forwarder::Impl::wait_for_results() {
    result_pipe.async_wait(asio::posix::stream_descriptor::wait_read,
                           [this](const boost::system::error_code& ec) {
                               if (ec == asio::error::operation_aborted || !work) return;
                               // Reads every result that is ready and runs its callback.
                               processing = this;
                               const int err = ub_process(ctx.get());
                               processing = nullptr;
                               if (err != 0) spdlog::warn("forwarder: {}", ub_strerror(err));
                               wait_for_results();
                           });
}

void Forwarder::Impl::arm_timer() {
    if (timer_armed || deadlines.empty()) return;
    timer_armed = true;
    timer.expires_at(deadlines.front().first);
    timer.async_wait([this](const boost::system::error_code& ec) {
        timer_armed = false;
        if (ec) return;
        on_timer();
    });
}

void Forwarder::Impl::on_timer() {
    const Clock::time_point now = Clock::now();
    while (!deadlines.empty() && deadlines.front().first <= now) {
        const std::uint64_t id = deadlines.front().second;
        deadlines.pop_front();
        const auto it = pending.find(id);
        if (it == pending.end()) continue;  // answered in time
        std::unique_ptr<Pending> p = std::move(it->second);
        pending.erase(it);
        ub_cancel(ctx.get(), p->async_id);
        ForwardOutcome outcome;
        outcome.reason = FailureReason::Timeout;
        outcome.ede_code = engine::ede::NoReachableAuthority;  // RFC 8914 §4.23
        outcome.ede_text = "no upstream answered within " + std::to_string(timeout.count()) + " ms";
        finish(*p, std::move(outcome));
    }
    arm_timer();
}

}  // namespace sipdns::forward
