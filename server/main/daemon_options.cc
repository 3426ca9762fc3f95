// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#include "daemon_options.h"

#include <algorithm>
#include <thread>

#include <spdlog/spdlog.h>

namespace sipdns::app {

namespace {

const std::vector<std::string> kDefaultListen{"0.0.0.0:53", "[::]:53"};

// A wildcard address already covers every address of its family on that port; binding both
// fails on the TCP side, so say why up front.
const config::IpEndpoint* overlapping(const std::vector<config::IpEndpoint>& listen,
                                      const config::IpEndpoint& endpoint) {
    for (const auto& other : listen)
        if (other.port == endpoint.port && other.address.family == endpoint.address.family &&
            other.address.is_unspecified() != endpoint.address.is_unspecified())
            return &other;
    return nullptr;
}

}  // namespace

Expected<net::ServerOptions, std::string> resolve_server_options(
    const ServeOptions& cli, const config::DaemonSettings& file) {
    net::ServerOptions options;
    const bool from_cli = !cli.listen.empty();
    const std::vector<std::string>& listen =
        from_cli ? cli.listen : (!file.listen.empty() ? file.listen : kDefaultListen);
    for (const std::string& text : listen) {
        const auto endpoint = config::IpEndpoint::parse(text);
        if (!endpoint)
            return unexpected(std::string(from_cli ? "--listen" : "server.listen") + " " +
                              config::quote_value(text) +
                              ": expected ADDR:PORT such as 127.0.0.1:53 or [::1]:53 (IPv6 in "
                              "brackets, port 1-65535)");
        if (std::find(options.listen.begin(), options.listen.end(), *endpoint) !=
            options.listen.end()) {
            spdlog::warn("listen address {} given twice, using it once", endpoint->to_string());
            continue;
        }
        if (const config::IpEndpoint* other = overlapping(options.listen, *endpoint))
            return unexpected(std::string(from_cli ? "--listen" : "server.listen") + " " +
                              config::quote_value(text) + " overlaps " + other->to_string() +
                              ": " +
                              (other->address.is_unspecified() ? other->to_string()
                                                           : endpoint->to_string()) +
                              " already covers every address of its family on that port");
        options.listen.push_back(*endpoint);
    }
    unsigned threads = cli.threads.value_or(file.threads.value_or(0));
    if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
    options.threads = threads;
    options.tcp_idle_timeout = std::chrono::milliseconds(file.tcp_idle_timeout_ms);
    options.tcp_io_timeout = std::chrono::milliseconds(file.tcp_io_timeout_ms);
    options.tcp_max_connections = file.tcp_max_connections;
    // --xdp names the interface (the file's port and `required` still apply); server.xdp.port
    // defaults to the port the daemon listens on, so that UDP and TCP share it.
    if (!cli.xdp.empty() || file.xdp) {
        net::XdpListenOptions xdp;
        xdp.interface = !cli.xdp.empty() ? cli.xdp : file.xdp->interface;
        xdp.port = file.xdp && file.xdp->port ? *file.xdp->port : options.listen.front().port;
        xdp.required = file.xdp && file.xdp->required;
        options.xdp = std::move(xdp);
    }
    return options;
}

Expected<std::optional<config::IpEndpoint>, std::string> resolve_metrics_listen(
    const ServeOptions& cli, const config::DaemonSettings& file) {
    if (cli.metrics.empty()) return file.metrics_listen;
    const auto endpoint = config::IpEndpoint::parse(cli.metrics);
    if (!endpoint)
        return unexpected("--metrics " + config::quote_value(cli.metrics) +
                          ": expected ADDR:PORT such as 127.0.0.1:9153 or [::1]:9153 (IPv6 in "
                          "brackets, port 1-65535)");
    return std::optional<config::IpEndpoint>(*endpoint);
}

std::string control_socket_path(const ServeOptions& cli, const config::DaemonSettings& file) {
    if (!cli.control.empty()) return cli.control;
    return file.control ? *file.control : std::string(config::kDefaultControlSocket);
}

engine::EngineSettings engine_settings(const config::DaemonSettings& file) {
    engine::EngineSettings settings;
    settings.edns_udp_size = file.edns_udp_size;
    settings.nsid = file.nsid;
    settings.identity = file.identity;
    settings.version = file.version;
    settings.transfer_allow = file.transfer_allow;
    // The loader checked the name and algorithm; a key it accepted always converts.
    if (file.transfer_key)
        settings.transfer_key = engine::make_tsig_key(
            file.transfer_key->name, file.transfer_key->algorithm, file.transfer_key->secret);
    settings.rate_limit = file.rate_limit;  // reloadable: a SIGHUP changes it for new queries
    settings.ecs_trust = file.ecs_trust;    // reloadable as well
    settings.cookies = file.cookies;        // and this; the secrets are the daemon's (serve.cc)
    return settings;
}

}  // namespace sipdns::app
