// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
// `health:` (live SIP health, docs/design.md §10): what each valid form loads into, and the
// exact `file:line:col` diagnostics of each bad one.
#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <vector>

#include "sipdns/config/loader.h"

namespace sipdns::config {
namespace {

// A valid start that every row extends: `health:` is on line 4.
const std::string kHead = "domain: scsnetwork.local\nhosts:\n  gw1: 192.0.2.1\n";

std::string summary(const HealthSettings& h) {
    std::string s = "interval " + std::to_string(h.interval_ms) + " timeout " +
                    std::to_string(h.timeout_ms) + " rise " + std::to_string(h.rise) + " fall " +
                    std::to_string(h.fall) + " ttl " + std::to_string(h.ttl) + " exclude";
    for (const auto& e : h.exclude) s += " " + e;
    return s;
}

struct Row {
    std::string name;
    std::string yaml;  // after kHead
    std::string expected;
};

void PrintTo(const Row& r, std::ostream* os) { *os << r.name; }

class HealthLoads : public ::testing::TestWithParam<Row> {};

TEST_P(HealthLoads, Into) {
    auto r = load_site_text(kHead + GetParam().yaml, "site.yaml");
    ASSERT_TRUE(r) << r.error().front().to_string();
    ASSERT_TRUE(r->health.has_value());
    EXPECT_EQ(summary(*r->health), GetParam().expected) << GetParam().yaml;
}

const std::vector<Row> kGood = {
    {"EmptyMappingIsTheDefaults", "health: {}\n",
     "interval 5000 timeout 2000 rise 2 fall 3 ttl 30 exclude"},
    {"NullIsTheDefaults", "health:\n", "interval 5000 timeout 2000 rise 2 fall 3 ttl 30 exclude"},
    {"Everything",
     "health:\n  interval_ms: 1000\n  timeout_ms: 500\n  rise: 1\n  fall: 2\n  ttl: 10\n"
     "  exclude: [gw1, edge.partner.example.]\n",
     "interval 1000 timeout 500 rise 1 fall 2 ttl 10 exclude gw1.scsnetwork.local "
     "edge.partner.example"},
    {"TimeoutEqualToInterval", "health: { interval_ms: 200, timeout_ms: 200 }\n",
     "interval 200 timeout 200 rise 2 fall 3 ttl 30 exclude"},
    {"AbsoluteExcludeName", "health: { exclude: [gw1.scsnetwork.local.] }\n",
     "interval 5000 timeout 2000 rise 2 fall 3 ttl 30 exclude gw1.scsnetwork.local"},
};

INSTANTIATE_TEST_SUITE_P(Rows, HealthLoads, ::testing::ValuesIn(kGood),
                         [](const auto& info) { return info.param.name; });

TEST(Health, AbsentIsNoProbing) {
    auto r = load_site_text(kHead, "site.yaml");
    ASSERT_TRUE(r);
    EXPECT_FALSE(r->health.has_value());
}

struct BadRow {
    std::string name;
    std::string yaml;  // after kHead
    std::vector<std::string> expected;
};

void PrintTo(const BadRow& r, std::ostream* os) { *os << r.name; }

class HealthErrors : public ::testing::TestWithParam<BadRow> {};

TEST_P(HealthErrors, ReportsExactly) {
    auto r = load_site_text(kHead + GetParam().yaml, "site.yaml");
    std::vector<std::string> got;
    if (r) got.push_back("(loaded without errors)");
    if (!r)
        for (const auto& d : r.error()) got.push_back(d.to_string());
    EXPECT_EQ(got, GetParam().expected) << GetParam().yaml;
}

const std::vector<BadRow> kBad = {
    {"UnknownKey", "health:\n  intervall_ms: 1000\n",
     {"site.yaml:5:3: health.intervall_ms: unknown key; did you mean 'interval_ms'?"}},
    {"NotAMapping", "health: yes\n",
     {"site.yaml:4:9: health: expected a mapping of health settings: { interval_ms, "
      "timeout_ms, rise, fall, ttl, exclude }"}},
    {"IntervalTooShort", "health: { interval_ms: 10 }\n",
     {"site.yaml:4:24: health.interval_ms: expected milliseconds between probes of one target "
      "100-86400000, got 10"}},
    {"IntervalNotANumber", "health: { interval_ms: often }\n",
     {"site.yaml:4:24: health.interval_ms: expected milliseconds between probes of one target "
      "100-86400000, got 'often'"}},
    {"TimeoutLongerThanInterval", "health:\n  interval_ms: 1000\n  timeout_ms: 2000\n",
     {"site.yaml:6:15: health.timeout_ms: timeout_ms (2000) must not exceed interval_ms (1000): "
      "one probe per target is outstanding at a time"}},
    {"DefaultIntervalTimeoutTooLong", "health: { timeout_ms: 6000 }\n",
     {"site.yaml:4:23: health.timeout_ms: timeout_ms (6000) must not exceed interval_ms (5000): "
      "one probe per target is outstanding at a time"}},
    {"RiseZero", "health: { rise: 0 }\n",
     {"site.yaml:4:17: health.rise: expected a count of probes in a row 1-100, got 0"}},
    {"FallNegative", "health: { fall: -1 }\n",
     {"site.yaml:4:17: health.fall: expected a count of probes in a row 1-100, got -1"}},
    {"ExcludeNotAName", "health: { exclude: [\"gw 1\"] }\n",
     {"site.yaml:4:21: health.exclude[0]: invalid name 'gw 1': character '\\032' is not "
      "allowed in 'gw 1' (only letters, digits, '-' and '_')"}},
    {"ExcludeTwice", "health: { exclude: [gw1, GW1] }\n",
     {"site.yaml:4:26: health.exclude[1]: 'GW1' is listed twice"}},
};

INSTANTIATE_TEST_SUITE_P(Rows, HealthErrors, ::testing::ValuesIn(kBad),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace sipdns::config
