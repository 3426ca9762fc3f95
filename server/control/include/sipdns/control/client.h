// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// The CLI's end of the control socket (protocol.h): `sipdnsd status` and `sipdnsd reload`.
#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "sipdns/control/protocol.h"

namespace sipdns::control {

// A reload of a large site takes seconds; a daemon that answers nothing in this is stuck.
inline constexpr std::chrono::seconds kClientTimeout{120};

// Sends `request` to the daemon at `path` and returns its reply. nullopt when there is no
// reply: `problem` then says why in one line ("no control socket at PATH (is sipdnsd
// running?)", "permission denied", ...).
std::optional<Response> ask(const std::string& path, Request request, std::string& problem,
                            std::chrono::milliseconds timeout = kClientTimeout);

// `sipdnsd watch`: sends the watch request and hands each reply line to `on_line` as it comes
// (Stream::Out for a query line, Stream::Err for notices) until the daemon ends the stream.
// Returns 0 when the daemon closed it with "ok", 1 otherwise, with `problem` set (a refused
// filter: the daemon's reason; the daemon stopped: says so).
int watch(const std::string& path, const WatchRequest& request,
          const std::function<void(const ResponseLine&)>& on_line, std::string& problem);

}  // namespace sipdns::control
