// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// `sipdnsd status [--json]`, `sipdnsd reload` and `sipdnsd watch`: requests to the running daemon over its
// control socket (docs/design.md §11).
#include <iosfwd>
#include <string>

#include "sipdns/control/protocol.h"

namespace sipdns::app {

// Sends `request` to the daemon at `control_path` (empty: config::kDefaultControlSocket) and
// prints its reply's lines on `out` and `err` as it marks them. Exit code: 0 done; 1 a reload
// that failed (the old zones still serve), a daemon that cannot be reached or that refused.
int run_control_request(const std::string& control_path, control::Request request,
                        std::ostream& out, std::ostream& err);

// `sipdnsd watch`: the daemon's query lines for `request`'s filter on `out` (each flushed at
// once, for a terminal or a pipe to grep), its notices on `err`, until Ctrl-C or the daemon
// stops (exit 1 then, and when it cannot be reached or refuses the filter).
int run_watch(const std::string& control_path, const control::WatchRequest& request,
              std::ostream& out, std::ostream& err);

}  // namespace sipdns::app
