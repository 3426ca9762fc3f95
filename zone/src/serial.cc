// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#include "sipdns/zone/serial.h"

#include <chrono>

namespace sipdns::zone {

bool serial_greater(std::uint32_t s1, std::uint32_t s2) {
    // RFC 1982 §3.2 with SERIAL_BITS = 32: unsigned subtraction is the "mod 2^32" there.
    constexpr std::uint32_t kHalf = std::uint32_t{1} << 31;
    return s1 != s2 && static_cast<std::uint32_t>(s1 - s2) < kHalf;
}

std::optional<std::uint32_t> highest_served_serial(const SerialPolicy& policy,
                                                   const std::vector<std::string>& apexes) {
    std::optional<std::uint32_t> highest = policy.previous_serial;
    for (const auto& apex : apexes) {
        auto it = policy.served_before.find(apex);
        if (it == policy.served_before.end()) continue;
        if (!highest || serial_greater(it->second.serial, *highest)) highest = it->second.serial;
    }
    return highest;
}

namespace {
// Every zone was served before with one serial and exactly this content: that serial.
std::optional<std::uint32_t> unchanged_since_last_run(const SerialPolicy& policy,
                                                      const std::vector<std::string>& apexes,
                                                      std::uint64_t content_hash) {
    std::optional<std::uint32_t> serial;
    for (const auto& apex : apexes) {
        auto it = policy.served_before.find(apex);
        if (it == policy.served_before.end() || it->second.content_hash != content_hash)
            return std::nullopt;
        if (serial && *serial != it->second.serial) return std::nullopt;
        serial = it->second.serial;
    }
    return serial;
}
}  // namespace

std::uint32_t pick_serial(const SerialPolicy& policy, const std::vector<std::string>& apexes,
                          std::uint64_t content_hash) {
    if (policy.fixed_serial) return *policy.fixed_serial;
    if (policy.previous_serial && policy.previous_content_hash == content_hash)
        return *policy.previous_serial;
    if (!policy.previous_serial) {
        if (auto same = unchanged_since_last_run(policy, apexes, content_hash)) return *same;
    }
    std::uint32_t serial = policy.base_time;
    if (serial == 0)
        serial = static_cast<std::uint32_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                                std::chrono::system_clock::now().time_since_epoch())
                                                .count());
    // Changed content: greater than every serial served before, so that secondaries transfer
    // it (RFC 1982 §3.1: adding 1 gives a greater serial, also where it wraps past 2^32 - 1).
    if (auto last = highest_served_serial(policy, apexes); last && !serial_greater(serial, *last))
        serial = *last + 1;
    return serial;
}

}  // namespace sipdns::zone
