// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#include "sipdns/net/snapshot.h"

#include <cassert>
#include <utility>

namespace sipdns::net {

SnapshotHolder::SnapshotHolder(std::shared_ptr<const ServingSnapshot> initial)
    : current_(std::move(initial)) {
    assert(current_ && current_->zones);
}

std::shared_ptr<const ServingSnapshot> SnapshotHolder::publish(
    std::shared_ptr<const ServingSnapshot> next) {
    assert(next && next->zones);
    std::shared_ptr<const ServingSnapshot> previous;
    {
        std::lock_guard lock(mutex_);
        previous = std::exchange(current_, std::move(next));
        // Bumped under the mutex, so a reader that sees generation G and then locks gets the
        // snapshot of generation >= G together with the matching number.
        generation_.fetch_add(1, std::memory_order_release);
    }
    // Workers still holding `previous` keep it alive until they refresh (docs/design.md §6: queries
    // in flight are never dropped).
    return previous;
}

std::shared_ptr<const ServingSnapshot> SnapshotHolder::current() const {
    std::lock_guard lock(mutex_);
    return current_;
}

SnapshotReader::SnapshotReader(const SnapshotHolder& holder) : holder_(&holder) {
    refresh();
}

void SnapshotReader::refresh() {
    std::shared_ptr<const ServingSnapshot> previous = std::move(cached_);
    {
        std::lock_guard lock(holder_->mutex_);
        cached_ = holder_->current_;
        seen_generation_ = holder_->generation_.load(std::memory_order_relaxed);
    }
    // If this reader held the last reference, the old zone set is freed here, outside the lock.
}

}  // namespace sipdns::net
