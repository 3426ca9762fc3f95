// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// The query log (docs/design.md §11): the workers' rings, one logger thread, and what it feeds —
// watchers (`sipdnsd watch`, through the control socket), the line log (server.query_log: a
// file or the journal) and dnstap (server.dnstap). The workers only ever touch their ring and
// the `active` flag: with nobody watching and nothing configured, logging a query costs one
// predictable branch.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "sipdns/querylog/line.h"
#include "sipdns/querylog/record.h"
#include "sipdns/querylog/ring.h"

namespace sipdns::querylog {

// A persistent consumer of every record (the line log, dnstap). Called on the logger thread.
// A line sink (needs_line()) gets each record's format_line() through write_line(), in query
// order across the workers; a record sink gets each record through write(), as drained.
class Sink {
  public:
    virtual ~Sink() = default;
    virtual bool needs_line() const { return true; }
    virtual bool needs_messages() const { return false; }   // wants whole responses kept
    virtual void write(const RecordView& record, std::string_view line) { (void)record, (void)line; }
    virtual void write_line(std::string_view line) { (void)line; }
    virtual void flush() {}   // after each batch of records
    virtual void reopen() {}  // SIGHUP / reload: a log file renamed by logrotate starts anew
    virtual std::string describe() const = 0;  // "file /var/log/sipdns/queries.log"
    virtual std::uint64_t lost() const { return 0; }  // records it could not write
};

// One `sipdnsd watch`: the lines that pass its filter, queued for its reader. A reader that
// falls behind loses lines (counted), never slows anyone: the queue is bounded.
class Watch {
  public:
    explicit Watch(WatchFilter filter, std::size_t max_queued_bytes = kDefaultMaxQueuedBytes);
    static constexpr std::size_t kDefaultMaxQueuedBytes = 1 << 20;

    const WatchFilter& filter() const { return filter_; }

    // Logger thread.
    void offer(std::string_view line);
    void offer(const std::vector<const std::string*>& lines);  // a round's, under one lock
    void note_unlogged(std::uint64_t records);  // the rings dropped some: this reader missed them

    // The reader. take() returns what is queued; when nothing is, the next offer() calls the
    // wake-up function (once) — set it before the watch is subscribed.
    struct Taken {
        std::vector<std::string> lines;
        std::uint64_t lost = 0;       // lines this reader was too slow for, since the last take
        std::uint64_t unlogged = 0;   // records the workers' rings dropped meanwhile
        bool empty() const { return lines.empty() && lost == 0 && unlogged == 0; }
    };
    Taken take();
    void set_wakeup(std::function<void()> wakeup) { wakeup_ = std::move(wakeup); }

  private:
    const WatchFilter filter_;
    const std::size_t max_queued_bytes_;
    std::function<void()> wakeup_;
    std::mutex mutex_;
    std::vector<std::string> queued_;
    std::size_t queued_bytes_ = 0;
    std::uint64_t lost_ = 0;
    std::uint64_t unlogged_ = 0;
    bool reader_waiting_ = true;
};

class QueryLog {
  public:
    struct Options {
        std::size_t ring_slots = 8192;  // per worker
        // How long the logger thread sleeps when the rings are empty: a line reaches a watcher
        // within this.
        std::chrono::milliseconds idle_sleep{20};
        // Keep whole responses in the rings (a dnstap sink will be added after the rings).
        bool keep_messages = false;
    };
    QueryLog();
    explicit QueryLog(Options options);
    ~QueryLog();  // stops the logger thread
    QueryLog(const QueryLog&) = delete;
    QueryLog& operator=(const QueryLog&) = delete;

    // Before start(): one ring per worker thread and the persistent sinks (a sink that
    // needs_messages() added after the rings needs Options::keep_messages).
    void add_sink(std::unique_ptr<Sink> sink);
    QueryRing& add_ring();
    void start();
    void stop();

    // The workers' test: is anyone logging? (relaxed load; the flag changes rarely)
    const std::atomic<bool>& active_flag() const { return active_; }

    // The names of the location views (record.view - 1), after each reload.
    void set_view_names(std::vector<std::string> names);
    // Reopens file sinks on the logger thread (SIGHUP, for logrotate).
    void reopen();

    // A new watcher; it stays subscribed while the returned pointer lives. It sees the queries
    // the workers log from now on, not those still in the rings when it came, and is told of
    // the rings' drops from now on.
    void subscribe(const std::shared_ptr<Watch>& watch);

    struct Stats {
        std::uint64_t records = 0;    // logged since start
        std::uint64_t unlogged = 0;   // dropped by full rings
        std::size_t watchers = 0;
        std::vector<std::string> sinks;  // describe() of each
        std::uint64_t sink_lost = 0;
    };
    Stats stats() const;

  private:
    void run();
    std::size_t drain_once();
    void update_active();

    const Options options_;
    std::vector<std::unique_ptr<Sink>> sinks_;
    std::vector<std::unique_ptr<QueryRing>> rings_;
    bool keep_messages_ = false;
    bool lines_for_sinks_ = false;

    std::atomic<bool> active_{false};
    std::atomic<bool> stopping_{false};
    std::atomic<bool> reopen_requested_{false};
    std::atomic<std::uint64_t> records_{0};
    std::uint64_t unlogged_seen_ = 0;  // logger thread: the rings' drop total last passed on

    mutable std::mutex mutex_;  // guards watches_ and view_names_
    std::condition_variable wake_;
    struct Subscription {
        std::weak_ptr<Watch> watch;
        std::vector<std::uint64_t> from;  // per ring: the first record index it is shown
        std::uint64_t dropped_from = 0;   // the rings' drop total when it came
    };
    std::vector<Subscription> watches_;
    std::vector<std::string> view_names_;
    std::thread thread_;
};

}  // namespace sipdns::querylog
