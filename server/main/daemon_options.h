// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// What the daemon is started with: command-line flags override the site file's `server:`
// section, which overrides the defaults (docs/design.md §2, §5).
#include <optional>
#include <string>

#include "cli.h"
#include "sipdns/config/expected.h"
#include "sipdns/config/site_config.h"
#include "sipdns/engine/query_engine.h"
#include "sipdns/net/server.h"

namespace sipdns::app {

// --listen, else server.listen, else 0.0.0.0:53 and [::]:53; --threads, else server.threads,
// else the number of cores; TCP limits from the file; XDP from --xdp and server.xdp. The error
// names the bad listen address.
Expected<net::ServerOptions, std::string> resolve_server_options(
    const ServeOptions& cli, const config::DaemonSettings& file);

// Where the metrics endpoint listens: --metrics, else server.metrics, else nowhere (off). The
// error names the bad flag value.
Expected<std::optional<config::IpEndpoint>, std::string> resolve_metrics_listen(
    const ServeOptions& cli, const config::DaemonSettings& file);

// Where the control socket listens: --control, else server.control, else
// config::kDefaultControlSocket.
std::string control_socket_path(const ServeOptions& cli, const config::DaemonSettings& file);

// The part of `server:` that a reload may change (EDNS size, NSID, CHAOS identity/version).
engine::EngineSettings engine_settings(const config::DaemonSettings& file);

}  // namespace sipdns::app
