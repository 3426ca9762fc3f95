// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// The SIP OPTIONS prober (docs/design.md §10): one thread with its own io_context probes every
// (name, port, transport) target of the site's SIP SRV records over UDP, TCP or TLS, keeps
// rise/fall hysteresis per target and reports the targets that changed. Knows no zones: the
// daemon turns the changes into answers and log lines.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "sipdns/config/address.h"
#include "sipdns/health/sip_message.h"

namespace sipdns::health {

// One (name, port, transport) of the site's SIP SRV targets.
struct ProbeTarget {
    std::string name;  // host name, no trailing dot (logs, Request-URI, To, TLS SNI)
    std::uint16_t port = 0;
    Transport transport = Transport::Udp;
    std::vector<config::IpAddress> addresses;  // a round succeeds when ANY of them answers

    // The key is (name, port, transport); the addresses are not part of it.
    friend bool operator==(const ProbeTarget& a, const ProbeTarget& b) {
        return a.name == b.name && a.port == b.port && a.transport == b.transport;
    }
    friend bool operator<(const ProbeTarget& a, const ProbeTarget& b) {
        return std::tie(a.name, a.port, a.transport) < std::tie(b.name, b.port, b.transport);
    }
};

struct ProberSettings {
    std::uint32_t interval_ms = 5000;  // from one round's start to the next's, per target
    std::uint32_t timeout_ms = 2000;   // a round with no SIP response by then failed
    unsigned rise = 2;                 // successful rounds in a row: down -> up
    unsigned fall = 3;                 // failed rounds in a row: up -> down
};

struct TargetChange {
    ProbeTarget target;
    bool up = true;
    // Why, for "<name> <port>/<transport> down: <reason>": "3 OPTIONS without answer",
    // "3 probes failed: connection refused", ...; up: "answered 2 OPTIONS (200 OK)".
    std::string reason;
};

struct TargetStatus {
    ProbeTarget target;
    bool up = true;
    std::optional<double> last_latency_ms;  // of the last answered round
    std::uint64_t probes_sent = 0;          // rounds started
    std::uint64_t probes_failed = 0;        // rounds failed
    std::string last_result;                // "200 OK from 192.0.2.1", or the failure
};

class Prober {
public:
    // Called on the prober's thread, with every target one round changed; an exception it
    // throws is caught and dropped.
    using ChangeHandler = std::function<void(std::vector<TargetChange>)>;

    Prober(ProberSettings settings, ChangeHandler on_change);
    ~Prober();  // stop()s
    Prober(const Prober&) = delete;
    Prober& operator=(const Prober&) = delete;

    // Any thread, before or after start(). Targets whose key stays keep their state (and get
    // the new addresses from their next round on); new ones start up and are probed at once;
    // removed ones stop being probed.
    void set_targets(std::vector<ProbeTarget> targets);
    // Starts the prober's thread (once; a second call does nothing).
    void start();
    // Cancels every timer and probe and joins the thread; prompt and idempotent. No change is
    // reported after it returns. Cannot be restarted.
    void stop();

    // Any thread: a copy of every target's state, in key order.
    std::vector<TargetStatus> status() const;
    std::size_t up_count() const;
    std::size_t target_count() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace sipdns::health
