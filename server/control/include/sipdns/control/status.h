// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// `sipdnsd status`: what the daemon reports about itself (docs/design.md §11), as plain data
// filled in by the daemon, and its two forms — text for people, one line of JSON for programs. The
// JSON's field names and types are stable; sipdnsd(8) documents them.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace sipdns::control {

struct StatusReport {
    std::string version;            // "0.1.0"
    std::int64_t started = 0;       // Unix time (seconds) the daemon started
    std::int64_t now = 0;           // Unix time of this report; uptime = now - started
    std::string config_file;
    struct Listener {
        std::string protocol;       // "udp" or "tcp"
        std::string address;        // "127.0.0.1:53", "[::1]:53"
    };
    std::vector<Listener> listeners;
    struct Zone {
        std::string name;           // "example.test." (absolute)
        std::uint32_t serial = 0;
        std::uint64_t records = 0;
    };
    std::vector<Zone> zones;        // the no-location view, what secondaries transfer
    struct Reload {
        std::int64_t time = 0;      // Unix time it finished
        bool ok = false;
        std::string serving;        // what was served after it: "serial N, M records"
        std::vector<std::string> errors;  // failed: every diagnostic
    };
    std::optional<Reload> last_reload;  // none since start
    std::uint64_t reloads_ok = 0;
    std::uint64_t reloads_failed = 0;
    std::optional<std::string> forward;  // forwarding: what `check` prints after "forward: "
    // Live SIP health (the site's `health:`); none when the site has none.
    struct SipTarget {
        std::string name;           // "scs1.example.test"
        std::uint16_t port = 0;
        std::string transport;      // "udp", "tcp", "tls"
        bool up = true;
        std::optional<double> latency_ms;  // of the last answered OPTIONS
        std::uint64_t probes = 0;
        std::uint64_t failed = 0;
        std::string last_result;    // "200 OK", "no answer within 2000 ms", ...
    };
    std::optional<std::vector<SipTarget>> health;
    struct QueryLog {
        std::vector<std::string> outputs;  // "file /var/log/sipdns/queries.log", "journal", ...
        std::uint64_t watchers = 0;        // `sipdnsd watch` sessions now
        std::uint64_t logged = 0;          // queries the logger thread wrote since start
        std::uint64_t not_logged = 0;      // dropped by the workers' full rings
        std::uint64_t write_failures = 0;  // lines or frames an output could not take
    };
    QueryLog query_log;
    struct Counters {
        // Queries answered since start (the metrics endpoint's sipdns_queries_total summed
        // over types), by transport and by response code (mnemonic -> count; codes never
        // sent are left out).
        std::uint64_t udp = 0;
        std::uint64_t tcp = 0;
        std::vector<std::pair<std::string, std::uint64_t>> by_rcode;
        std::uint64_t truncated = 0;
        std::uint64_t dropped = 0;
        std::uint64_t rate_limited_dropped = 0;
        std::uint64_t rate_limited_slipped = 0;
        std::uint64_t forwarded = 0;
    };
    Counters counters;
};

// The text form, one entry per line.
std::vector<std::string> format_status_text(const StatusReport& report);

// The JSON form: one object on one line (RFC 8259), keys in a fixed order.
std::string format_status_json(const StatusReport& report);

// "2026-12-03T05:43:25Z" (RFC 3339, UTC).
std::string format_utc(std::int64_t unix_seconds);

// "3d 4h 5m 6s", "5m 0s", "42s".
std::string format_duration(std::int64_t seconds);

}  // namespace sipdns::control
