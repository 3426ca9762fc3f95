// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
// `sipdnsd status` as text and as JSON (sipdns/control/status.h): the lines and the stable JSON
// fields for reports before any reload, after a good one and after a failed one.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sipdns/control/status.h"

namespace sipdns::control {
namespace {

StatusReport base_report() {
    StatusReport r;
    r.version = "0.1.0";
    r.started = 1764740000;  // 2025-12-03T05:33:20Z
    r.now = r.started + 3723;
    r.config_file = "/etc/sipdns/site.yaml";
    r.listeners = {{"udp", "127.0.0.1:5353"}, {"tcp", "[::1]:5353"}};
    r.zones = {{"example.test.", 2025120301, 26}, {"2.0.192.in-addr.arpa.", 2025120301, 1}};
    r.counters.udp = 10;
    r.counters.tcp = 2;
    r.counters.by_rcode = {{"NOERROR", 9}, {"NXDOMAIN", 3}};
    return r;
}

struct Row {
    const char* name;
    StatusReport report;
    std::vector<std::string> text;
    std::string json;
};

void PrintTo(const Row& r, std::ostream* os) { *os << r.name; }

StatusReport after_failed_reload() {
    StatusReport r = base_report();
    r.last_reload = StatusReport::Reload{r.started + 60, false, "serial 2025120301, 26 records",
                                         {"site.yaml:3:5: hosts.a: expected \"an address\""}};
    r.reloads_failed = 1;
    return r;
}

StatusReport forwarding_after_good_reload() {
    StatusReport r = base_report();
    r.listeners.resize(1);
    r.zones.resize(1);
    r.last_reload = StatusReport::Reload{r.started + 61, true, "serial 2025120302, 27 records", {}};
    r.reloads_ok = 2;
    r.forward = "to 192.0.2.1:53 for 10.0.0.0/8; dnssec off";
    r.counters.forwarded = 4;
    r.counters.by_rcode.clear();
    r.query_log = {{"file /var/log/sipdns/queries.log", "dnstap socket /run/dnstap.sock"}, 1, 700, 3, 2};
    return r;
}

// Live SIP health (docs/design.md §10): one target up with its last latency, one down.
StatusReport with_health() {
    StatusReport r = base_report();
    r.listeners.resize(1);
    r.zones.resize(1);
    r.health = std::vector<StatusReport::SipTarget>{
        {"scs1.example.test", 5060, "udp", true, 1.25, 40, 0, "200 OK from 192.0.2.11"},
        {"scs2.example.test", 5061, "tls", false, std::nullopt, 40, 3,
         "TLS handshake failed: wrong version number"}};
    return r;
}

class StatusForms : public ::testing::TestWithParam<Row> {};

TEST_P(StatusForms, TextAndJson) {
    EXPECT_EQ(format_status_text(GetParam().report), GetParam().text);
    EXPECT_EQ(format_status_json(GetParam().report), GetParam().json);
}

INSTANTIATE_TEST_SUITE_P(
    Rows, StatusForms,
    ::testing::Values(
        Row{"NoReloadYet",
            base_report(),
            {"sipdnsd 0.1.0, up 1h 2m 3s (since 2025-12-03T05:33:20Z)",
             "config: /etc/sipdns/site.yaml",
             "listening: udp 127.0.0.1:5353",
             "listening: tcp [::1]:5353",
             "zone example.test.: serial 2025120301, 26 records",
             "zone 2.0.192.in-addr.arpa.: serial 2025120301, 1 record",
             "last reload: none since start",
             "reloads: 0 ok, 0 failed",
             "query log: no file, journal or dnstap; 0 watchers; 0 logged, 0 not logged (rings full)",
             "queries: 12 (udp 10, tcp 2): NOERROR 9, NXDOMAIN 3",
             "truncated: 0, dropped: 0, rate-limited: 0 dropped, 0 slipped"},
            R"({"version":"0.1.0","started":"2025-12-03T05:33:20Z","uptime_seconds":3723,)"
            R"("config_file":"/etc/sipdns/site.yaml","listeners":[{"protocol":"udp","address":)"
            R"("127.0.0.1:5353"},{"protocol":"tcp","address":"[::1]:5353"}],"zones":[{"name":)"
            R"("example.test.","serial":2025120301,"records":26},{"name":"2.0.192.in-addr.arpa.",)"
            R"("serial":2025120301,"records":1}],"last_reload":null,"reloads":{"ok":0,"failed":0},)"
            R"("forward":null,"health":null,"query_log":{"outputs":[],"watchers":0,"logged":0,"not_logged":0,"write_failures":0},"counters":{"queries":12,"by_transport":{"udp":10,"tcp":2},)"
            R"("by_rcode":{"NOERROR":9,"NXDOMAIN":3},"truncated":0,"dropped":0,)"
            R"("rate_limited_dropped":0,"rate_limited_slipped":0,"forwarded":0}})"},
        Row{"FailedReloadWithQuotes",
            after_failed_reload(),
            {"sipdnsd 0.1.0, up 1h 2m 3s (since 2025-12-03T05:33:20Z)",
             "config: /etc/sipdns/site.yaml",
             "listening: udp 127.0.0.1:5353",
             "listening: tcp [::1]:5353",
             "zone example.test.: serial 2025120301, 26 records",
             "zone 2.0.192.in-addr.arpa.: serial 2025120301, 1 record",
             "last reload: 2025-12-03T05:34:20Z failed (1 error), still serving serial "
             "2025120301, 26 records:",
             "  site.yaml:3:5: hosts.a: expected \"an address\"",
             "reloads: 0 ok, 1 failed",
             "query log: no file, journal or dnstap; 0 watchers; 0 logged, 0 not logged (rings full)",
             "queries: 12 (udp 10, tcp 2): NOERROR 9, NXDOMAIN 3",
             "truncated: 0, dropped: 0, rate-limited: 0 dropped, 0 slipped"},
            R"({"version":"0.1.0","started":"2025-12-03T05:33:20Z","uptime_seconds":3723,)"
            R"("config_file":"/etc/sipdns/site.yaml","listeners":[{"protocol":"udp","address":)"
            R"("127.0.0.1:5353"},{"protocol":"tcp","address":"[::1]:5353"}],"zones":[{"name":)"
            R"("example.test.","serial":2025120301,"records":26},{"name":"2.0.192.in-addr.arpa.",)"
            R"("serial":2025120301,"records":1}],"last_reload":{"time":"2025-12-03T05:34:20Z",)"
            R"("result":"failed","serving":"serial 2025120301, 26 records","errors":)"
            R"(["site.yaml:3:5: hosts.a: expected \"an address\""]},"reloads":{"ok":0,"failed":1},)"
            R"("forward":null,"health":null,"query_log":{"outputs":[],"watchers":0,"logged":0,"not_logged":0,"write_failures":0},"counters":{"queries":12,"by_transport":{"udp":10,"tcp":2},)"
            R"("by_rcode":{"NOERROR":9,"NXDOMAIN":3},"truncated":0,"dropped":0,)"
            R"("rate_limited_dropped":0,"rate_limited_slipped":0,"forwarded":0}})"},
        Row{"ForwardingAfterGoodReload",
            forwarding_after_good_reload(),
            {"sipdnsd 0.1.0, up 1h 2m 3s (since 2025-12-03T05:33:20Z)",
             "config: /etc/sipdns/site.yaml",
             "listening: udp 127.0.0.1:5353",
             "zone example.test.: serial 2025120301, 26 records",
             "last reload: 2025-12-03T05:34:21Z ok, serial 2025120302, 27 records",
             "reloads: 2 ok, 0 failed",
             "forward: to 192.0.2.1:53 for 10.0.0.0/8; dnssec off",
             "query log: file /var/log/sipdns/queries.log, dnstap socket /run/dnstap.sock; 1 "
             "watcher; 700 logged, 3 not logged (rings full), 2 write failures",
             "queries: 12 (udp 10, tcp 2)",
             "truncated: 0, dropped: 0, rate-limited: 0 dropped, 0 slipped",
             "forwarded: 4"},
            R"({"version":"0.1.0","started":"2025-12-03T05:33:20Z","uptime_seconds":3723,)"
            R"("config_file":"/etc/sipdns/site.yaml","listeners":[{"protocol":"udp","address":)"
            R"("127.0.0.1:5353"}],"zones":[{"name":"example.test.","serial":2025120301,)"
            R"("records":26}],"last_reload":{"time":"2025-12-03T05:34:21Z","result":"ok",)"
            R"("serving":"serial 2025120302, 27 records","errors":[]},"reloads":{"ok":2,)"
            R"("failed":0},"forward":"to 192.0.2.1:53 for 10.0.0.0/8; dnssec off","health":null,"query_log":)"
            R"({"outputs":["file /var/log/sipdns/queries.log","dnstap socket /run/dnstap.sock"],)"
            R"("watchers":1,"logged":700,"not_logged":3,"write_failures":2},"counters":)"
            R"({"queries":12,"by_transport":{"udp":10,"tcp":2},"by_rcode":{},"truncated":0,)"
            R"("dropped":0,"rate_limited_dropped":0,"rate_limited_slipped":0,"forwarded":4}})"},
        Row{"HealthTargets",
            with_health(),
            {"sipdnsd 0.1.0, up 1h 2m 3s (since 2025-12-03T05:33:20Z)",
             "config: /etc/sipdns/site.yaml",
             "listening: udp 127.0.0.1:5353",
             "zone example.test.: serial 2025120301, 26 records",
             "last reload: none since start",
             "reloads: 0 ok, 0 failed",
             "health: 1/2 SIP targets up",
             "  scs1.example.test 5060/udp up, 1.2 ms, 0 of 40 probes failed; last: 200 OK from "
             "192.0.2.11",
             "  scs2.example.test 5061/tls DOWN, 3 of 40 probes failed; last: TLS handshake "
             "failed: wrong version number",
             "query log: no file, journal or dnstap; 0 watchers; 0 logged, 0 not logged (rings full)",
             "queries: 12 (udp 10, tcp 2): NOERROR 9, NXDOMAIN 3",
             "truncated: 0, dropped: 0, rate-limited: 0 dropped, 0 slipped"},
            R"({"version":"0.1.0","started":"2025-12-03T05:33:20Z","uptime_seconds":3723,)"
            R"("config_file":"/etc/sipdns/site.yaml","listeners":[{"protocol":"udp","address":)"
            R"("127.0.0.1:5353"}],"zones":[{"name":"example.test.","serial":2025120301,)"
            R"("records":26}],"last_reload":null,"reloads":{"ok":0,"failed":0},"forward":null,)"
            R"("health":[{"target":"scs1.example.test","port":5060,"transport":"udp","state":"up",)"
            R"("latency_us":1250,"probes":40,"failed":0,"last_result":"200 OK from 192.0.2.11"},)"
            R"({"target":"scs2.example.test","port":5061,"transport":"tls","state":"down",)"
            R"("latency_us":null,"probes":40,"failed":3,"last_result":"TLS handshake failed: )"
            R"(wrong version number"}],"query_log":{"outputs":[],"watchers":0,"logged":0,)"
            R"("not_logged":0,"write_failures":0},"counters":{"queries":12,"by_transport":)"
            R"({"udp":10,"tcp":2},"by_rcode":{"NOERROR":9,"NXDOMAIN":3},"truncated":0,)"
            R"("dropped":0,"rate_limited_dropped":0,"rate_limited_slipped":0,"forwarded":0}})"}),
    [](const auto& info) { return std::string(info.param.name); });

struct DurationRow {
    std::int64_t seconds;
    std::string text;
};

TEST(StatusForms, Durations) {
    for (const DurationRow& row : std::vector<DurationRow>{{0, "0s"},
                                                           {42, "42s"},
                                                           {300, "5m 0s"},
                                                           {3600, "1h 0m 0s"},
                                                           {90061, "1d 1h 1m 1s"},
                                                           {-5, "0s"}})
        EXPECT_EQ(format_duration(row.seconds), row.text) << row.seconds;
}

TEST(StatusForms, ControlCharactersInJsonStringsAreEscaped) {
    StatusReport r = base_report();
    r.config_file = std::string("/tmp/a\tb\\c\x01.yaml");
    const std::string json = format_status_json(r);
    EXPECT_NE(json.find(R"("config_file":"/tmp/a\tb\\c\u0001.yaml")"), std::string::npos) << json;
}

}  // namespace
}  // namespace sipdns::control
