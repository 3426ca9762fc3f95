// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// The daemon's end of the control socket (protocol.h). It runs on an io_context the caller
// runs — the daemon's control thread, which also handles SIGHUP, so that a reload asked for
// here and one by signal never overlap. Asio stays behind this header.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "sipdns/control/protocol.h"
#include "sipdns/control/status.h"

namespace boost::asio {
class io_context;
}

namespace sipdns::control {

// One `sipdnsd watch` in the daemon: the query-log lines for its filter. Destroying it ends the
// subscription.
class WatchFeed {
  public:
    virtual ~WatchFeed() = default;
    struct Batch {
        std::vector<std::string> lines;
        std::uint64_t lost = 0;      // lines this watcher read too slowly for
        std::uint64_t unlogged = 0;  // queries the workers could not log (their rings were full)
        bool empty() const { return lines.empty() && lost == 0 && unlogged == 0; }
    };
    // What is waiting; when nothing is, the feed's wake-up function runs (on another thread)
    // as soon as something is.
    virtual Batch take() = 0;
};

// What the control socket needs from the daemon; called on the io_context's thread.
class ControlledDaemon {
  public:
    virtual ~ControlledDaemon() = default;
    virtual StatusReport status() = 0;
    // Reloads the site file as SIGHUP does and returns when the new zones serve (or the old
    // ones still do).
    virtual ReloadOutcome reload() = 0;
    // A live feed of the query log for `request`'s filter. `wakeup` may be called from any
    // thread. Null with `problem` (one line) when the filter is not valid; else `notice` is
    // the line the watcher sees first ("watching all queries; Ctrl-C to stop").
    virtual std::unique_ptr<WatchFeed> watch(const WatchRequest& request,
                                             std::function<void()> wakeup, std::string& problem,
                                             std::string& notice) = 0;
};

class ControlServer {
  public:
    struct Options {
        std::chrono::milliseconds request_timeout = kRequestTimeout;
        std::size_t max_clients = 16;  // more at once are told "busy" and closed
    };

    // Listens on `path`, replacing a stale socket file (one nobody listens on). On failure
    // (the directory is missing or not writable, another daemon listens there, the path is not
    // a socket) returns null and says why in `problem`, in one line naming the path.
    static std::unique_ptr<ControlServer> open(boost::asio::io_context& context,
                                               const std::string& path, ControlledDaemon& daemon,
                                               std::string& problem, Options options);
    static std::unique_ptr<ControlServer> open(boost::asio::io_context& context,
                                               const std::string& path, ControlledDaemon& daemon,
                                               std::string& problem) {
        return open(context, path, daemon, problem, Options{});
    }
    // Closes the socket and every connection, and removes the socket file if it is still ours.
    ~ControlServer();
    ControlServer(const ControlServer&) = delete;
    ControlServer& operator=(const ControlServer&) = delete;

    const std::string& path() const;

    struct Impl;

  private:
    explicit ControlServer(std::shared_ptr<Impl> impl);
    std::shared_ptr<Impl> impl_;
};

}  // namespace sipdns::control
