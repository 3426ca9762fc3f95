#pragma once
// The CLI's end of the control socket (protocol.h): `sipdnsd status` and `sipdnsd reload`.
#include <chrono>
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

}  // namespace sipdns::control
