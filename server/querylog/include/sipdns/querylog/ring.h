// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// A worker's query-log ring (docs/design.md §11): single producer (the worker's thread), single
// consumer (the logger thread), fixed-size slots, no lock. A full ring drops the record and
// counts it: a worker never waits for the log. The slots are allocated once and touched only
// when something is logged, so an idle ring costs address space, not memory.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>

#include "sipdns/querylog/record.h"

namespace sipdns::querylog {

class QueryRing {
  public:
    // `slots` is rounded up to a power of two.
    QueryRing(std::size_t slots, std::size_t query_capacity, std::size_t response_capacity);
    QueryRing(const QueryRing&) = delete;
    QueryRing& operator=(const QueryRing&) = delete;

    // Producer side. A slot to fill, or null when the ring is full (counted as dropped).
    // Each non-null begin() is followed by one commit().
    struct Slot {
        RecordHeader* header;
        std::uint8_t* query;     // query_capacity() bytes
        std::uint8_t* response;  // response_capacity() bytes
    };
    bool begin(Slot& slot) {
        const std::uint64_t head = head_.load(std::memory_order_relaxed);
        if (head - tail_cache_ >= slot_count_) {
            tail_cache_ = tail_.load(std::memory_order_acquire);
            if (head - tail_cache_ >= slot_count_) {
                dropped_.store(dropped_.load(std::memory_order_relaxed) + 1,
                               std::memory_order_relaxed);
                return false;
            }
        }
        std::uint8_t* base = slot_at(head);
        slot = {reinterpret_cast<RecordHeader*>(base), base + kHeaderBytes,
                base + kHeaderBytes + query_capacity_};
        return true;
    }
    void commit() { head_.store(head_.load(std::memory_order_relaxed) + 1, std::memory_order_release); }

    // Consumer side: how far the producer has committed (pass to drain()).
    std::uint64_t committed() const { return head_.load(std::memory_order_acquire); }
    // Consumer side: the index of the next record drain() reads (records are numbered from 0).
    std::uint64_t consumed() const { return tail_.load(std::memory_order_relaxed); }
    // Calls f(RecordView) for every record committed up to `head`, freeing each slot after
    // it. Returns how many.
    template <typename F>
    std::size_t drain(std::uint64_t head, F&& f) {
        std::uint64_t tail = tail_.load(std::memory_order_relaxed);
        const std::size_t count = static_cast<std::size_t>(head - tail);
        for (; tail != head; ++tail) {
            const std::uint8_t* base = slot_at(tail);
            const auto* header = reinterpret_cast<const RecordHeader*>(base);
            RecordView view{header,
                            {base + kHeaderBytes, header->query_stored},
                            {base + kHeaderBytes + query_capacity_, header->response_stored}};
            f(view);
            // Free each slot as soon as it is read: the worker may reuse it at once.
            tail_.store(tail + 1, std::memory_order_release);
        }
        return count;
    }

    std::uint64_t dropped() const { return dropped_.load(std::memory_order_relaxed); }
    std::size_t query_capacity() const { return query_capacity_; }
    std::size_t response_capacity() const { return response_capacity_; }

  private:
    static constexpr std::size_t kHeaderBytes = (sizeof(RecordHeader) + 15) & ~std::size_t{15};
    std::uint8_t* slot_at(std::uint64_t index) const {
        return slots_.get() + (index & (slot_count_ - 1)) * stride_;
    }

    const std::size_t slot_count_;
    const std::size_t query_capacity_;
    const std::size_t response_capacity_;
    const std::size_t stride_;
    std::unique_ptr<std::uint8_t[]> slots_;
    // Each index on its own cache line: the producer and the consumer do not share one.
    alignas(64) std::atomic<std::uint64_t> head_{0};
    std::uint64_t tail_cache_ = 0;  // the producer's last look at tail_
    std::atomic<std::uint64_t> dropped_{0};
    alignas(64) std::atomic<std::uint64_t> tail_{0};
};

}  // namespace sipdns::querylog
