// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// The zone snapshot holder (docs/design.md §1, §7): what answering needs, published atomically on
// reload. Readers (one per worker thread) keep their own shared_ptr and re-fetch it only when a
// global generation counter changes, so a query costs one atomic load — no read-modify-write,
// no lock (libstdc++'s std::atomic<std::shared_ptr> takes a lock per load). A query in flight
// keeps the snapshot it started with alive.
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>

#include "sipdns/engine/query_engine.h"
#include "sipdns/zone/zone.h"

namespace sipdns::net {

// Everything a reload may change about answering.
struct ServingSnapshot {
    std::shared_ptr<const zone::SiteZones> zones;  // every location view of the site
    engine::EngineSettings settings;
};

class SnapshotHolder {
  public:
    explicit SnapshotHolder(std::shared_ptr<const ServingSnapshot> initial);
    SnapshotHolder(const SnapshotHolder&) = delete;
    SnapshotHolder& operator=(const SnapshotHolder&) = delete;

    // Makes `next` the snapshot that new queries use. Never null. Any thread (SIGHUP reload).
    // Returns the snapshot it replaced: the caller chooses where the old zone set is freed (the
    // reloader waits for the workers to let go of it and frees it on the control thread).
    [[nodiscard]] std::shared_ptr<const ServingSnapshot> publish(
        std::shared_ptr<const ServingSnapshot> next);

    // The current snapshot, taken under the mutex: for the control path, not per query.
    std::shared_ptr<const ServingSnapshot> current() const;

    // Bumped by every publish; readers compare it with the value they last saw.
    std::uint64_t generation() const noexcept {
        return generation_.load(std::memory_order_acquire);
    }

  private:
    friend class SnapshotReader;
    mutable std::mutex mutex_;
    std::shared_ptr<const ServingSnapshot> current_;  // guarded by mutex_
    std::atomic<std::uint64_t> generation_{1};        // written under mutex_
};

// One per worker thread; not thread-safe by design (only its own thread uses it).
class SnapshotReader {
  public:
    explicit SnapshotReader(const SnapshotHolder& holder);

    // The snapshot to answer with. The reference stays valid until the next get() on this
    // reader, so a caller fetches it once per batch / per TCP read and uses it throughout.
    const ServingSnapshot& get() {
        if (holder_->generation() != seen_generation_) [[unlikely]]
            refresh();
        return *cached_;
    }

  private:
    void refresh();

    const SnapshotHolder* holder_;
    std::shared_ptr<const ServingSnapshot> cached_;
    std::uint64_t seen_generation_ = 0;
};

}  // namespace sipdns::net
