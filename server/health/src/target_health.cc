// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#include "sipdns/health/target_health.h"

#include <algorithm>

namespace sipdns::health {

TargetHealth::TargetHealth(unsigned rise, unsigned fall, bool up)
    : rise_(std::max(rise, 1u)), fall_(std::max(fall, 1u)), up_(up) {}

std::optional<bool> TargetHealth::record(bool ok) {
    // A round that agrees with the current state breaks any streak towards the other one.
    if (ok == up_) {
        streak_ = 0;
        return std::nullopt;
    }
    ++streak_;
    if (streak_ < (up_ ? fall_ : rise_)) return std::nullopt;
    up_ = !up_;
    streak_ = 0;
    return up_;
}

}  // namespace sipdns::health
