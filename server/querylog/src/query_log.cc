// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#include "sipdns/querylog/query_log.h"

#include <algorithm>
#include <utility>

namespace sipdns::querylog {

Watch::Watch(WatchFilter filter, std::size_t max_queued_bytes)
    : filter_(std::move(filter)), max_queued_bytes_(max_queued_bytes) {}

void Watch::offer(std::string_view line) {
    const std::string text(line);
    offer(std::vector<const std::string*>{&text});
}

void Watch::offer(const std::vector<const std::string*>& lines) {
    if (lines.empty()) return;
    bool wake = false;
    {
        std::lock_guard lock(mutex_);
        for (const std::string* line : lines) {
            if (queued_bytes_ + line->size() > max_queued_bytes_) {
                ++lost_;
                continue;
            }
            queued_.push_back(*line);
            queued_bytes_ += line->size();
        }
        wake = std::exchange(reader_waiting_, false);
    }
    if (wake && wakeup_) wakeup_();
}

void Watch::note_unlogged(std::uint64_t records) {
    bool wake = false;
    {
        std::lock_guard lock(mutex_);
        unlogged_ += records;
        wake = std::exchange(reader_waiting_, false);
    }
    if (wake && wakeup_) wakeup_();
}

Watch::Taken Watch::take() {
    std::lock_guard lock(mutex_);
    Taken taken;
    taken.lines.swap(queued_);
    taken.lost = std::exchange(lost_, 0);
    taken.unlogged = std::exchange(unlogged_, 0);
    queued_bytes_ = 0;
    // Nothing to hand over: the next line wakes the reader.
    if (taken.empty()) reader_waiting_ = true;
    return taken;
}

QueryLog::QueryLog() : QueryLog(Options{}) {}

QueryLog::QueryLog(Options options) : options_(options) {}

QueryLog::~QueryLog() { stop(); }

void QueryLog::add_sink(std::unique_ptr<Sink> sink) {
    keep_messages_ = keep_messages_ || sink->needs_messages();
    lines_for_sinks_ = lines_for_sinks_ || sink->needs_line();
    sinks_.push_back(std::move(sink));
    active_.store(true, std::memory_order_relaxed);
}

QueryRing& QueryLog::add_ring() {
    rings_.push_back(std::make_unique<QueryRing>(
        options_.ring_slots, kQueryCapacity,
        keep_messages_ || options_.keep_messages ? kMessageResponseCapacity : kDnsHeaderBytes));
    return *rings_.back();
}

void QueryLog::start() {
    if (thread_.joinable()) return;
    stopping_ = false;
    thread_ = std::thread([this] { run(); });
}

void QueryLog::stop() {
    if (!thread_.joinable()) return;
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    thread_.join();
}

void QueryLog::set_view_names(std::vector<std::string> names) {
    std::lock_guard lock(mutex_);
    view_names_ = std::move(names);
}

void QueryLog::reopen() {
    {
        std::lock_guard lock(mutex_);  // the logger thread may be between its test and its wait
        reopen_requested_ = true;
    }
    wake_.notify_all();
}

void QueryLog::subscribe(const std::shared_ptr<Watch>& watch) {
    {
        std::lock_guard lock(mutex_);
        // What the rings hold now was answered before the watcher came (the logger thread may
        // not have drained it yet): the watcher starts after it, as its "watching" notice says.
        std::vector<std::uint64_t> from;
        from.reserve(rings_.size());
        std::uint64_t dropped = 0;
        for (const auto& ring : rings_) {
            from.push_back(ring->committed());
            dropped += ring->dropped();
        }
        watches_.push_back({watch, std::move(from), dropped});
        active_.store(true, std::memory_order_relaxed);
    }
    wake_.notify_all();  // the logger thread sleeps while nobody watches
}

void QueryLog::update_active() {
    // Called with mutex_ held: watchers that went away are forgotten; with none left and no
    // sink, the workers stop filling their rings.
    std::erase_if(watches_, [](const Subscription& s) { return s.watch.expired(); });
    active_.store(!sinks_.empty() || !watches_.empty(), std::memory_order_relaxed);
}

QueryLog::Stats QueryLog::stats() const {
    Stats s;
    s.records = records_.load(std::memory_order_relaxed);
    for (const auto& ring : rings_) s.unlogged += ring->dropped();
    {
        std::lock_guard lock(mutex_);
        for (const auto& w : watches_)
            if (!w.watch.expired()) ++s.watchers;
    }
    for (const auto& sink : sinks_) {
        s.sinks.push_back(sink->describe());
        s.sink_lost += sink->lost();
    }
    return s;
}

std::size_t QueryLog::drain_once() {
    std::vector<std::shared_ptr<Watch>> watches;
    std::vector<Subscription> subscriptions;  // watches[i]'s is subscriptions[i]
    std::vector<std::string> names;
    {
        std::lock_guard lock(mutex_);
        update_active();
        for (const auto& w : watches_)
            if (auto live = w.watch.lock()) {
                watches.push_back(std::move(live));
                subscriptions.push_back(w);
            }
        names = view_names_;
    }
    if (reopen_requested_.exchange(false))
        for (auto& sink : sinks_) sink->reopen();

    std::uint64_t unlogged = 0;
    for (const auto& ring : rings_) unlogged += ring->dropped();
    if (unlogged != unlogged_seen_) {
        for (std::size_t i = 0; i < watches.size(); ++i) {
            // A watcher is told of the drops since it came, not those of the round it came in.
            const std::uint64_t since = std::max(unlogged_seen_, subscriptions[i].dropped_from);
            if (unlogged > since) watches[i]->note_unlogged(unlogged - since);
        }
        unlogged_seen_ = unlogged;
    }

    // Every ring's end is taken first: whatever a worker logged after this is later than all
    // that is read now (a query answered on another worker meanwhile goes in the next round).
    std::vector<std::uint64_t> heads;
    heads.reserve(rings_.size());
    for (const auto& ring : rings_) heads.push_back(ring->committed());

    // Lines go out in query order across the workers (each ring alone is in order): a watcher
    // sees a phone's queries as the phone sent them.
    const bool lines_wanted = !watches.empty() || lines_for_sinks_;
    struct Line {
        std::int64_t time;
        std::string text;
        std::uint64_t watchers;  // which watches take it: bit i = watches[i]
    };
    // One bit per watch: the control socket serves 16 connections at most, so 64 is plenty
    // (a 65th watch would get nothing).
    const std::size_t mask_watches = std::min<std::size_t>(watches.size(), 64);
    std::vector<Line> lines;
    std::size_t drained = 0;
    for (std::size_t r = 0; r < rings_.size(); ++r) {
        std::uint64_t index = rings_[r]->consumed();
        drained += rings_[r]->drain(heads[r], [&](const RecordView& record) {
            const std::uint64_t this_index = index++;
            for (auto& sink : sinks_)
                if (!sink->needs_line()) sink->write(record, {});
            if (!lines_wanted) return;
            std::uint64_t mask = 0;
            for (std::size_t i = 0; i < mask_watches; ++i) {
                const std::vector<std::uint64_t>& from = subscriptions[i].from;
                if ((r >= from.size() || this_index >= from[r]) &&
                    watches[i]->filter().matches(record))
                    mask |= std::uint64_t{1} << i;
            }
            if (mask == 0 && !lines_for_sinks_) return;
            lines.push_back({record.header->query_time_ns, format_line(record, names), mask});
        });
    }
    std::stable_sort(lines.begin(), lines.end(),
                     [](const Line& a, const Line& b) { return a.time < b.time; });
    std::vector<const std::string*> batch;
    for (std::size_t i = 0; i < mask_watches; ++i) {
        batch.clear();
        for (const Line& line : lines)
            if ((line.watchers >> i) & 1) batch.push_back(&line.text);
        watches[i]->offer(batch);
    }
    for (auto& sink : sinks_)
        if (sink->needs_line())
            for (const Line& line : lines) sink->write_line(line.text);
    if (drained != 0) {
        records_.fetch_add(drained, std::memory_order_relaxed);
        for (auto& sink : sinks_) sink->flush();
    }
    return drained;
}

void QueryLog::run() {
    auto woken = [this] { return stopping_.load() || reopen_requested_.load(); };
    bool active_last_round = true;
    for (;;) {
        const std::size_t drained = drain_once();
        if (drained != 0) continue;
        std::unique_lock lock(mutex_);
        if (stopping_) break;
        const bool active = active_.load(std::memory_order_relaxed);
        if (!active && !active_last_round) {
            // Nobody watches and nothing is configured, and the round after the last watcher
            // left has taken what a worker was still writing: the rings stay empty until a
            // watcher subscribes. Sleep until then (or a reopen, or stop) instead of every
            // idle_sleep: an idle daemon on a PBX host should not wake 50 times a second.
            wake_.wait(lock, [&] { return woken() || active_.load(std::memory_order_relaxed); });
        } else {
            wake_.wait_for(lock, options_.idle_sleep, woken);
        }
        active_last_round = active;
        if (stopping_) break;
    }
    drain_once();  // what the workers logged before they stopped
    for (auto& sink : sinks_) sink->flush();
}

}  // namespace sipdns::querylog
