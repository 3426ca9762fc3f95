// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// Keeps error logging off the hot path: a message that could repeat per packet (a socket error
// under load, refused connections) is let through at most once per interval, with a count of
// what was held back. Single-threaded: each socket / listener has its own.
#include <chrono>
#include <cstdint>

namespace sipdns::net {

class LogThrottle {
  public:
    explicit LogThrottle(std::chrono::seconds interval = std::chrono::seconds(10))
        : interval_(interval) {}

    // True when the caller should log now; suppressed() then tells how many were skipped since
    // the last message (and resets the count on the next allow()).
    bool allow() {
        const auto now = std::chrono::steady_clock::now();
        if (logged_once_ && now - last_ < interval_) {
            ++pending_;
            return false;
        }
        logged_once_ = true;
        last_ = now;
        suppressed_ = pending_;
        pending_ = 0;
        return true;
    }
    std::uint64_t suppressed() const { return suppressed_; }

  private:
    std::chrono::steady_clock::duration interval_;
    std::chrono::steady_clock::time_point last_{};
    bool logged_once_ = false;
    std::uint64_t pending_ = 0;
    std::uint64_t suppressed_ = 0;
};

}  // namespace sipdns::net
