// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// rise/fall hysteresis of one probe target, as load balancers' health checks do it: `rise`
// successful probe rounds in a row bring a down target up, `fall` failed rounds in a row take an
// up target down. Pure, so that the counting is unit-tested without sockets or clocks.
#include <optional>

namespace sipdns::health {

class TargetHealth {
public:
    // rise and fall of 0 count as 1. A target starts up (no first-query penalty).
    TargetHealth(unsigned rise, unsigned fall, bool up = true);

    // One probe round's outcome; returns the new state when this round changed it.
    std::optional<bool> record(bool ok);

    bool up() const { return up_; }
    // Rounds in a row that agree with a move away from the current state (failures while up,
    // successes while down).
    unsigned streak() const { return streak_; }

private:
    unsigned rise_;
    unsigned fall_;
    bool up_;
    unsigned streak_ = 0;
};

}  // namespace sipdns::health
