// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// The daemon's control loop (docs/design.md §6), run on the main thread — never on a worker:
// SIGHUP reloads, SIGINT/SIGTERM stop. SIGPIPE is ignored (a client closing its TCP connection
// must not kill the daemon).
#include <functional>
#include <memory>

namespace boost::asio {
class io_context;
}

namespace sipdns::net {

class SignalLoop {
  public:
    // Installs the handlers at once, so that a signal arriving before run() is not lost (it is
    // handled as soon as run() starts) and cannot kill the process with its default action.
    SignalLoop();
    ~SignalLoop();
    SignalLoop(const SignalLoop&) = delete;
    SignalLoop& operator=(const SignalLoop&) = delete;

    // Blocks until SIGINT or SIGTERM and returns that signal's number. Each SIGHUP calls
    // on_reload on this thread; an exception from it is logged and serving continues.
    int run(const std::function<void()>& on_reload);

    // The loop's io_context: other work of the control thread (the control socket) runs on it,
    // on the thread that calls run(), so that it never overlaps a SIGHUP reload.
    boost::asio::io_context& context();

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace sipdns::net
