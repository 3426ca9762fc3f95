// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// How many forwarded queries may wait for upstream at once: per client address and in total.
// A client flooding random names fills its own share and gets SERVFAIL at once for the rest
// (see forwarder.h for why not silence); it cannot take the forwarder from the other clients,
// and authoritative answers never wait for it anyway. Shared by every worker: one fixed table of
// atomic counters indexed by a hash of the client address (IPv6 by its /64, one host's share),
// no lock, no allocation. Two clients whose hashes collide share one share: rarer than one in a
// thousand for a site's few hundred phones, and it only makes the limit stricter.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "sipdns/config/address.h"

namespace sipdns::forward {

class OutstandingLimit {
  public:
    static constexpr std::uint32_t kDefaultTotal = 1000;      // libunbound's queries per thread
    static constexpr std::uint32_t kDefaultPerClient = 100;   // dnsmasq's dns-forward-max is 150
    static constexpr std::size_t kSlots = 4096;

    explicit OutstandingLimit(std::uint32_t total = kDefaultTotal,
                              std::uint32_t per_client = kDefaultPerClient);

    // One query of `client` starts waiting; false (nothing taken) over either limit.
    bool try_acquire(const config::IpAddress& client);
    void release(const config::IpAddress& client);
    std::uint32_t outstanding() const { return total_.load(std::memory_order_relaxed); }

  private:
    std::size_t slot(const config::IpAddress& client) const;

    const std::uint32_t max_total_;
    const std::uint32_t max_per_client_;
    std::atomic<std::uint32_t> total_{0};
    std::unique_ptr<std::atomic<std::uint32_t>[]> per_client_;
};

}  // namespace sipdns::forward
