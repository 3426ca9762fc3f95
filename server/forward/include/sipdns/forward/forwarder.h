// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// The forwarder: libunbound (cache, forwarding to the site's resolvers or recursion from the
// root, DNSSEC validation) driven from one thread of its own. libunbound resolves on its own
// background thread; its result pipe's fd waits in this thread's Asio loop, and ub_process()
// runs the callbacks here. Workers never call libunbound: resolve() posts the question here and
// returns at once; the completion runs on this thread, and hands the reply back to the worker.
//
// Each query has a deadline (timeout): libunbound may go on retrying an upstream that does not
// answer for far longer than a phone waits, so at the deadline the query is cancelled and the
// client gets SERVFAIL with an RFC 8914 "No Reachable Authority" error.
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "sipdns/config/address.h"
#include "sipdns/config/expected.h"
#include "sipdns/engine/forwarding.h"
#include "sipdns/forward/upstream_answer.h"

namespace sipdns::forward {

struct ForwarderOptions {
    bool from_root = false;                   // recursion from the root servers
    std::vector<config::IpEndpoint> upstreams;  // or forwarding to these resolvers
    bool dnssec = false;
    std::string trust_anchor;                 // dnssec: a DS/DNSKEY file (dns-root-data)
    std::string root_hints;                   // from_root: empty = libunbound's built-in hints
    // Within what a phone waits (RFC 1536 §1: a resolver retries after 2-5 s): answered, or
    // SERVFAIL, in at most this.
    std::chrono::milliseconds timeout{2500};
};

// Why a forwarded query got SERVFAIL from us, for the metrics.
enum class FailureReason : std::uint8_t { Servfail, Timeout, Busy, Error };
inline constexpr std::size_t kFailureReasons = 4;

// What came of one forwarded query.
struct ForwardOutcome {
    std::shared_ptr<const ForwardedAnswer> answer;  // null: failed, see below
    std::uint16_t ede_code = engine::ede::Other;
    std::string ede_text;
    FailureReason reason = FailureReason::Error;
    std::chrono::microseconds latency{0};
};

// Called once, on the forwarder's thread, with the outcome; destroyed without being called when
// the forwarder stops first.
class ForwardCompletion {
  public:
    virtual ~ForwardCompletion() = default;
    virtual void complete(ForwardOutcome outcome) = 0;
};

// Upstream latency of the queries that went to libunbound (cache hits of the workers' caches
// do not), as a Prometheus histogram.
struct LatencyHistogram {
    static constexpr std::array<double, 10> kBounds{0.001, 0.005, 0.01, 0.025, 0.05,
                                                    0.1,   0.25,  0.5,  1.0,   2.5};
    std::array<std::uint64_t, kBounds.size() + 1> counts{};  // the last: above every bound
    double sum_seconds = 0;
    std::uint64_t count = 0;
};

struct ForwarderStats {
    LatencyHistogram latency;
    std::uint64_t resolved = 0;  // sent to libunbound
};

class Forwarder {
  public:
    // Sets libunbound up (upstreams or root hints, trust anchor, local zones); an error names
    // the setting that failed. No thread runs yet.
    static Expected<std::unique_ptr<Forwarder>, std::string> create(const ForwarderOptions& options);
    ~Forwarder();  // stops (as stop()) if still running
    Forwarder(const Forwarder&) = delete;
    Forwarder& operator=(const Forwarder&) = delete;

    void start();
    // Cancels what is outstanding (the completions are destroyed, not called) and joins.
    void stop();

    // Any thread. The completion runs on the forwarder's thread.
    void resolve(const engine::ForwardQuestion& question,
                 std::unique_ptr<ForwardCompletion> completion);

    // Any thread; taken under a lock, for a scrape.
    ForwarderStats stats() const;

    // "to 192.0.2.1:53, [2001:db8::1]:53" / "recursion from the root", for the start-up log.
    static std::string describe(const ForwarderOptions& options);

    struct Impl;

  private:
    explicit Forwarder(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace sipdns::forward
