// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
// The serial rule across restarts: what the state directory remembers (served_before) against
// the site file's modification time (base_time), and RFC 1982 serial arithmetic.
#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sipdns/zone/serial.h"
#include "zone_test_support.h"

namespace sipdns::test {
namespace {

constexpr std::uint64_t kContent = 0x1111222233334444ULL;
constexpr std::uint64_t kOtherContent = 0x5555666677778888ULL;
constexpr std::uint32_t kStored = 1795000000;
const std::vector<std::string> kApexes{"example.test.", "2.0.192.in-addr.arpa."};

enum class Stored { None, SameHash, OtherHash };

struct RestartCase {
    const char* name;
    Stored stored;
    std::uint32_t mtime;  // the site file's modification time: the base time
    std::uint32_t want;
};

// A restart: no previous zone set in memory, only what the last run left in the state dir.
const RestartCase kRestartCases[] = {
    {"NothingStoredOldFile", Stored::None, kStored - 86400, kStored - 86400},
    {"NothingStoredNewFile", Stored::None, kStored + 60, kStored + 60},
    // Same content: the serial it was served with, whatever the file's time says now.
    {"SameContentOldFile", Stored::SameHash, kStored - 86400, kStored},
    {"SameContentNewFile", Stored::SameHash, kStored + 60, kStored},
    // Changed content restored with an old time (cp -p, a backup): last + 1, never lower.
    {"ChangedContentOldFile", Stored::OtherHash, kStored - 86400, kStored + 1},
    {"ChangedContentSameTime", Stored::OtherHash, kStored, kStored + 1},
    {"ChangedContentNewFile", Stored::OtherHash, kStored + 60, kStored + 60},
};

class SerialAfterRestart : public testing::TestWithParam<RestartCase> {};

TEST_P(SerialAfterRestart, FollowsTheRule) {
    const RestartCase& c = GetParam();
    zone::SerialPolicy policy;
    policy.base_time = c.mtime;
    if (c.stored != Stored::None) {
        const std::uint64_t hash = c.stored == Stored::SameHash ? kContent : kOtherContent;
        for (const auto& apex : kApexes) policy.served_before[apex] = {kStored, hash};
    }
    EXPECT_EQ(zone::pick_serial(policy, kApexes, kContent), c.want);
}

INSTANTIATE_TEST_SUITE_P(Table, SerialAfterRestart, testing::ValuesIn(kRestartCases),
                         [](const auto& info) { return std::string(info.param.name); });

struct PartialCase {
    const char* name;
    std::vector<std::pair<std::string, zone::ServedSerial>> stored;
    std::uint32_t mtime;
    std::uint32_t want;
};

// The serial is one for all zones of a site; the state has a line per zone.
const PartialCase kPartialCases[] = {
    // A zone that is new since the last run: the content changed, so a new serial above both.
    {"OneZoneNew", {{"example.test.", {kStored, kContent}}}, kStored - 10, kStored + 1},
    // The zones were served with different serials (one came back after a while): above the
    // highest.
    {"DifferentSerials",
     {{"example.test.", {kStored, kContent}}, {"2.0.192.in-addr.arpa.", {kStored + 5, kContent}}},
     kStored - 10,
     kStored + 6},
    // Entries of zones the site no longer has do not count.
    {"OnlyOtherZones", {{"gone.test.", {kStored + 100, kContent}}}, kStored, kStored},
};

class SerialWithPartialState : public testing::TestWithParam<PartialCase> {};

TEST_P(SerialWithPartialState, FollowsTheRule) {
    const PartialCase& c = GetParam();
    zone::SerialPolicy policy;
    policy.base_time = c.mtime;
    for (const auto& [apex, served] : c.stored) policy.served_before[apex] = served;
    EXPECT_EQ(zone::pick_serial(policy, kApexes, kContent), c.want);
}

INSTANTIATE_TEST_SUITE_P(Table, SerialWithPartialState, testing::ValuesIn(kPartialCases),
                         [](const auto& info) { return std::string(info.param.name); });

struct ArithmeticCase {
    const char* name;
    std::uint32_t s1;
    std::uint32_t s2;
    bool greater;
};

// RFC 1982 §3.2 and the examples of its §5.
const ArithmeticCase kArithmeticCases[] = {
    {"Equal", 5, 5, false},
    {"OneMore", 6, 5, true},
    {"OneLess", 5, 6, false},
    {"WrapsPastTheTop", 0, 4294967295u, true},
    {"BeforeTheWrap", 4294967295u, 0, false},
    {"JustUnderHalfAhead", 2147483647u, 0, true},
    {"ExactlyHalfIsUndefined", 2147483648u, 0, false},
    {"ExactlyHalfOtherWay", 0, 2147483648u, false},
    {"MoreThanHalfAheadIsBehind", 3000000000u, 5, false},
    {"FromFarAbove", 5, 3000000000u, true},
};

class SerialArithmetic : public testing::TestWithParam<ArithmeticCase> {};

TEST_P(SerialArithmetic, Greater) {
    const ArithmeticCase& c = GetParam();
    EXPECT_EQ(zone::serial_greater(c.s1, c.s2), c.greater);
}

INSTANTIATE_TEST_SUITE_P(Table, SerialArithmetic, testing::ValuesIn(kArithmeticCases),
                         [](const auto& info) { return std::string(info.param.name); });

struct WrapCase {
    const char* name;
    std::uint32_t stored;
    std::uint32_t mtime;
    std::uint32_t want;
};

// "max" in serial arithmetic: a file time that is not greater by RFC 1982 gives last + 1.
const WrapCase kWrapCases[] = {
    // After the top serial the file's time is greater again (RFC 1982 §3.2: less than 2^31
    // ahead once past the wrap).
    {"LastIsTheTop", 4294967295u, 1795000000, 1795000000},
    // Exactly 2^31 apart is not greater: last + 1 wraps to 0, which is (RFC 1982 §3.1).
    {"HalfAwayWrapsToZero", 4294967295u, 2147483647u, 0},
    // Numerically larger but more than 2^31 ahead: behind in serial arithmetic.
    {"TimeTooFarAhead", 5, 3000000000u, 6},
    {"TimeAheadWithinHalf", 1000, 1795000000, 1795000000},
};

class SerialWrap : public testing::TestWithParam<WrapCase> {};

TEST_P(SerialWrap, NextIsGreater) {
    const WrapCase& c = GetParam();
    zone::SerialPolicy policy;
    policy.base_time = c.mtime;
    policy.served_before["example.test."] = {c.stored, kOtherContent};
    const std::uint32_t next = zone::pick_serial(policy, {"example.test."}, kContent);
    EXPECT_EQ(next, c.want);
    EXPECT_TRUE(zone::serial_greater(next, c.stored));
}

INSTANTIATE_TEST_SUITE_P(Table, SerialWrap, testing::ValuesIn(kWrapCases),
                         [](const auto& info) { return std::string(info.param.name); });

// While running the zone set being replaced decides; what the last run stored only raises the
// floor (a zone removed and added back by reloads).
TEST(Serial, ReloadKeepsTheRunningSerialForTheSameContent) {
    zone::SerialPolicy policy;
    policy.base_time = kStored + 500;
    policy.previous_serial = kStored;
    policy.previous_content_hash = kContent;
    policy.served_before["example.test."] = {kStored - 100, kOtherContent};
    EXPECT_EQ(zone::pick_serial(policy, {"example.test."}, kContent), kStored);

    policy.served_before["example.test."] = {kStored + 100, kOtherContent};
    policy.base_time = kStored - 1;
    EXPECT_EQ(zone::pick_serial(policy, {"example.test."}, kOtherContent), kStored + 101);
}

// Through the builder: the apexes are the zones' names as the state file writes them.
TEST(Serial, BuilderUsesWhatTheLastRunServed) {
    const std::string site = "domain: example.test\nservers:\n  - { name: a, ipv4: 192.0.2.1 }\n";
    auto cfg = config::load_site_text(site, "site.yaml");
    ASSERT_TRUE(cfg);
    auto first = zone::build_zone_set(*cfg, serial_policy(kStored));
    ASSERT_TRUE(first);
    std::vector<std::string> apexes;
    for (const auto& z : (*first)->zones()) apexes.push_back(zone::name_to_text(z->apex()));
    ASSERT_EQ(apexes, (std::vector<std::string>{"example.test.", "2.0.192.in-addr.arpa."}));

    zone::SerialPolicy restart = serial_policy(kStored - 3600);
    for (const auto& apex : apexes)
        restart.served_before[apex] = {(*first)->serial(), (*first)->content_hash()};
    auto same = zone::build_zone_set(*cfg, restart);
    ASSERT_TRUE(same);
    EXPECT_EQ((*same)->serial(), kStored);

    auto changed_cfg = config::load_site_text(site + "hosts:\n  gw: 192.0.2.9\n", "site.yaml");
    ASSERT_TRUE(changed_cfg);
    auto changed = zone::build_zone_set(*changed_cfg, restart);
    ASSERT_TRUE(changed);
    EXPECT_EQ((*changed)->serial(), kStored + 1);

    // soa.serial is the operator's: taken as written, also when lower than what was served.
    auto fixed_cfg = config::load_site_text(site + "soa: { serial: 2024010101 }\n", "site.yaml");
    ASSERT_TRUE(fixed_cfg);
    restart.served_before["example.test."].serial = 2026010101;
    auto fixed = zone::build_zone_set(*fixed_cfg, restart);
    ASSERT_TRUE(fixed);
    EXPECT_EQ((*fixed)->serial(), 2024010101u);
}

}  // namespace
}  // namespace sipdns::test
