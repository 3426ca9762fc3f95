// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
// rise/fall hysteresis of one probe target (sipdns/health/target_health.h): sequences of round
// outcomes and the state changes they must (and must not) cause.
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "sipdns/health/target_health.h"

namespace sipdns::health {
namespace {

struct HysteresisRow {
    const char* name;
    unsigned rise;
    unsigned fall;
    std::string rounds;  // 'o' a successful round, 'x' a failed one
    std::string changes;  // per round: '-' none, 'U' went up, 'D' went down
};

void PrintTo(const HysteresisRow& r, std::ostream* os) { *os << r.name; }

class Hysteresis : public ::testing::TestWithParam<HysteresisRow> {};

TEST_P(Hysteresis, ChangesExactlyWhereExpected) {
    const HysteresisRow& row = GetParam();
    ASSERT_EQ(row.rounds.size(), row.changes.size());
    TargetHealth health(row.rise, row.fall);
    EXPECT_TRUE(health.up()) << "a target starts up";
    std::string seen;
    for (char round : row.rounds) {
        const std::optional<bool> changed = health.record(round == 'o');
        seen += !changed ? '-' : (*changed ? 'U' : 'D');
        if (changed) {
            EXPECT_EQ(health.up(), *changed);
        }
    }
    EXPECT_EQ(seen, row.changes);
}

INSTANTIATE_TEST_SUITE_P(
    Rows, Hysteresis,
    ::testing::Values(
        HysteresisRow{"UpStaysUp", 2, 3, "oooo", "----"},
        HysteresisRow{"FallFailuresTakeItDown", 2, 3, "xxx", "--D"},
        HysteresisRow{"ASuccessResetsTheFailures", 2, 3, "xxoxxoxx", "--------"},
        HysteresisRow{"FailuresAfterDownChangeNothing", 2, 3, "xxxxxx", "--D---"},
        HysteresisRow{"RiseSuccessesBringItBack", 2, 3, "xxxoo", "--D-U"},
        HysteresisRow{"AFailureResetsTheSuccesses", 2, 3, "xxxoxoxoo", "--D-----U"},
        HysteresisRow{"Flapping", 1, 1, "xoxo", "DUDU"},
        HysteresisRow{"ZeroCountsAsOne", 0, 0, "xo", "DU"},
        HysteresisRow{"LongRiseAndFall", 3, 5, "xxxxxooooo", "----D--U--"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(Hysteresis, StreakCountsTowardsTheOtherState) {
    TargetHealth health(2, 3);
    health.record(false);
    health.record(false);
    EXPECT_EQ(health.streak(), 2u);
    health.record(true);
    EXPECT_EQ(health.streak(), 0u);
}

TEST(Hysteresis, CanStartDown) {
    TargetHealth health(2, 3, false);
    EXPECT_FALSE(health.up());
    EXPECT_EQ(health.record(true), std::nullopt);
    EXPECT_EQ(health.record(true), std::optional<bool>(true));
}

}  // namespace
}  // namespace sipdns::health
