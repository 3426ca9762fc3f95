#pragma once
// `sipdnsd status [--json]` and `sipdnsd reload`: requests to the running daemon over its
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

}  // namespace sipdns::app
