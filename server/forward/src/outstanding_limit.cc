// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#include "sipdns/forward/outstanding_limit.h"

namespace sipdns::forward {

OutstandingLimit::OutstandingLimit(std::uint32_t total, std::uint32_t per_client)
    : max_total_(total),
      max_per_client_(per_client),
      per_client_(std::make_unique<std::atomic<std::uint32_t>[]>(kSlots)) {}

std::size_t OutstandingLimit::slot(const config::IpAddress& client) const {
    // FNV-1a over the address (an IPv6 host by its /64: RFC 4291 §2.5.1 interface identifiers
    // change, the subnet does not).
    const std::size_t bytes = client.is_v4() ? 4 : 8;
    std::uint64_t h = 1469598103934665603ull;
    for (std::size_t i = 0; i < bytes; ++i) h = (h ^ client.bytes[i]) * 1099511628211ull;
    return static_cast<std::size_t>(h ^ (h >> 32)) % kSlots;
}

bool OutstandingLimit::try_acquire(const config::IpAddress& client) {
    std::atomic<std::uint32_t>& mine = per_client_[slot(client)];
    if (mine.fetch_add(1, std::memory_order_relaxed) >= max_per_client_) {
        mine.fetch_sub(1, std::memory_order_relaxed);
        return false;
    }
    if (total_.fetch_add(1, std::memory_order_relaxed) >= max_total_) {
        total_.fetch_sub(1, std::memory_order_relaxed);
        mine.fetch_sub(1, std::memory_order_relaxed);
        return false;
    }
    return true;
}

void OutstandingLimit::release(const config::IpAddress& client) {
    per_client_[slot(client)].fetch_sub(1, std::memory_order_relaxed);
    total_.fetch_sub(1, std::memory_order_relaxed);
}

}  // namespace sipdns::forward
