// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// A worker's cache of forwarded replies, in front of libunbound's: a hit is answered on the
// worker, in its batch, like an answer from our own zones — no hand-off to the forwarder's
// thread and back (measured: tests/perf/forward_bench.sh). One per worker thread, used by that
// thread only, so no lock. Bounded in entries and bytes (the oldest go first), TTLs counted down
// by the engine from each entry's age, emptied on reload (a new zone may shadow cached names).
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "sipdns/engine/forwarding.h"
#include "sipdns/forward/upstream_answer.h"

namespace sipdns::forward {

class AnswerCache {
  public:
    using Clock = std::chrono::steady_clock;
    static constexpr std::size_t kDefaultMaxEntries = 20000;
    static constexpr std::size_t kDefaultMaxBytes = 16 * 1024 * 1024;
    // Unbound's cache-max-ttl: a record is asked again at least daily.
    static constexpr std::uint32_t kMaxTtl = 86400;

    explicit AnswerCache(std::size_t max_entries = kDefaultMaxEntries,
                         std::size_t max_bytes = kDefaultMaxBytes)
        : max_entries_(max_entries), max_bytes_(max_bytes) {}

    // The live entry for the question, or null (expired entries are dropped here). No
    // allocation: the key is built in a stack buffer.
    const ForwardedAnswer* find(const engine::ForwardQuestion& question, Clock::time_point now);

    // Keeps `answer` for its cache_ttl (nothing if 0), replacing an older one.
    void insert(const engine::ForwardQuestion& question,
                std::shared_ptr<const ForwardedAnswer> answer);

    void clear();
    std::size_t size() const { return entries_.size(); }
    std::size_t bytes() const { return bytes_; }

  private:
    struct Entry {
        std::shared_ptr<const ForwardedAnswer> answer;
        Clock::time_point expires;
        std::uint64_t sequence;  // which insertion this is, for the eviction queue
    };
    struct KeyHash {
        using is_transparent = void;
        std::size_t operator()(std::string_view key) const {
            return std::hash<std::string_view>{}(key);
        }
    };
    void erase(std::unordered_map<std::string, Entry, KeyHash, std::equal_to<>>::iterator it);
    void evict_oldest();

    std::size_t max_entries_;
    std::size_t max_bytes_;
    std::size_t bytes_ = 0;
    std::uint64_t next_sequence_ = 0;
    std::unordered_map<std::string, Entry, KeyHash, std::equal_to<>> entries_;
    std::deque<std::pair<std::string, std::uint64_t>> insertion_order_;
};

}  // namespace sipdns::forward
