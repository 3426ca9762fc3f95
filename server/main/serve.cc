// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
// `sipdnsd [--config FILE]`: serve in the foreground until SIGTERM/SIGINT (docs/design.md §6).
// Wiring only: the sockets live in server/net, answering in server/engine.
#include "serve.h"

#include <unistd.h>

#include <csignal>
#include <ctime>
#include <memory>
#include <optional>

#include <spdlog/spdlog.h>

#include "daemon_control.h"
#include "daemon_options.h"
#include "logging.h"
#include "privileges.h"
#include "serial_state.h"
#include "sipdns/control/control_server.h"
#include "sipdns/forward/forwarder.h"
#include "sipdns/net/metrics.h"
#include "sipdns/net/metrics_server.h"
#include "sipdns/net/server.h"
#include "sipdns/net/signal_loop.h"
#include "sipdns/querylog/dnstap_sink.h"
#include "sipdns/querylog/line_sinks.h"
#include "sipdns/querylog/query_log.h"
#include "sipdns/zone/name.h"
#include "cookie_secrets.h"
#include "health_monitor.h"
#include "journal_state.h"
#include "site_loader.h"
#include "site_reloader.h"
#include "systemd_notify.h"

namespace sipdns::app {

namespace {

void log_serving(const net::Server& server, const zone::ZoneSet& zones) {
    for (const net::ListenerInfo& listener : server.listeners()) {
        if (listener.protocol == net::ListenerInfo::Protocol::Udp)
            spdlog::info("listening on udp {} ({} socket{})", listener.endpoint, listener.sockets,
                         listener.sockets == 1 ? "" : "s");
        else
            spdlog::info("listening on tcp {}", listener.endpoint);
    }
    for (const auto& zone : zones.zones())
        spdlog::info("zone {}: serial {}, {} records", zone::name_to_text(zone->apex()),
                     zone->serial(), zone->record_count());
}

forward::ForwarderOptions forwarder_options(const config::ForwardSettings& f) {
    forward::ForwarderOptions o;
    o.from_root = f.from_root;
    o.upstreams = f.upstreams;
    o.dnssec = f.dnssec;
    o.trust_anchor = f.trust_anchor;
    o.root_hints = f.root_hints;
    return o;
}

void log_forwarding(const config::ForwardSettings& f, const engine::ForwardPolicy& policy) {
    std::string allow;
    for (const auto& prefix : policy.allow) allow += (allow.empty() ? "" : ", ") + prefix.to_string();
    spdlog::info("forwarding names outside the site's zones {}; for {}{}",
                 forward::Forwarder::describe(forwarder_options(f)),
                 f.allow ? "" : "loopback and this host's networks: ", allow);
}

// server.query_log and server.dnstap. One that cannot be opened is one warning: the daemon
// serves without it (DNS first; the operator sees why in the log and in `sipdnsd status`).
void add_query_log_sinks(querylog::QueryLog& query_log, const config::DaemonSettings& settings) {
    if (const auto& q = settings.query_log) {
        std::string problem;
        auto sink = q->target == config::QueryLogSettings::Target::Journal
                        ? querylog::open_journal_sink(problem)
                        : querylog::open_file_sink(q->path, problem);
        if (sink) {
            spdlog::info("query log: {}", sink->describe());
            query_log.add_sink(std::move(sink));
        } else {
            spdlog::warn("{}; serving without it", problem);
        }
    }
    if (const auto& d = settings.dnstap) {
        // dnstap's identity field (dnstap.proto): the CHAOS identity when the site sets one,
        // else the host's name, as NSD and Knot do.
        std::string identity = settings.identity;
        if (identity.empty()) {
            char host[256] = {};
            if (::gethostname(host, sizeof host - 1) == 0) identity = host;
        }
        std::string problem;
        auto sink = d->target == config::DnstapSettings::Target::Socket
                        ? querylog::open_dnstap_socket_sink(d->path, identity,
                                                            "sipdnsd " SIPDNS_VERSION, problem)
                        : querylog::open_dnstap_file_sink(d->path, identity,
                                                          "sipdnsd " SIPDNS_VERSION, problem);
        if (sink) {
            spdlog::info("query log: {}", sink->describe());
            query_log.add_sink(std::move(sink));
        } else {
            spdlog::warn("{}; serving without it", problem);
        }
    }
}

const char* signal_name(int signal_number) {
    switch (signal_number) {
        case SIGTERM:
            return "SIGTERM";
        case SIGINT:
            return "SIGINT";
        default:
            return "a signal";
    }
}

}  // namespace

int run_server(const ServeOptions& options) {
    const auto started = static_cast<std::int64_t>(std::time(nullptr));
    setup_logging(options.log_level);
    use_fixed_allocator_thresholds();  // before the first load: its peak is the daemon's peak
    // From here on SIGTERM/SIGINT/SIGHUP are caught (and acted on once serving); SIGPIPE is
    // ignored.
    net::SignalLoop signals;

    std::shared_ptr<const net::ServingSnapshot> first_snapshot;
    CookieSecretKeeper cookie_secrets;  // DNS Cookies (RFC 9018 §5): random, rotated daily
    config::DaemonSettings startup_settings;
    net::ServerOptions server_options;
    std::optional<config::IpEndpoint> metrics_listen;
    std::optional<config::ForwardSettings> forward_settings;
    // What the last run served (server.state_dir): read before the first build, so that a
    // restart neither changes an unchanged serial nor goes below a served one.
    std::unique_ptr<ServedSerialsKeeper> served_serials;
    std::unique_ptr<TransferJournalKeeper> journals;  // IXFR (RFC 1995), in the same directory
    std::optional<std::uint32_t> fixed_serial;  // the site's soa.serial
    std::optional<config::SiteConfig> health_site;  // the site, when it has `health:`
    {
        // The loaded site lives only in this block: afterwards the snapshot holder owns the
        // zones, and a reload frees them once no worker uses them.
        auto site = load_site(options.config_file, {}, SiteHosts::Release,
                              [&](const config::SiteConfig& cfg, zone::SerialPolicy& policy) {
                                  served_serials = std::make_unique<ServedSerialsKeeper>(
                                      state_dir_for(cfg.server));
                                  served_serials->fill(policy);
                              });
        if (!site) {
            for (const auto& diagnostic : site.error()) spdlog::error("{}", diagnostic.to_string());
            const std::size_t count = site.error().size();
            spdlog::error("{}: not serving ({} error{})", options.config_file, count,
                          count == 1 ? "" : "s");
            return 1;
        }
        log_site_warnings(*site);
        auto resolved = resolve_server_options(options, site->config.server);
        if (!resolved) {
            spdlog::error("{}", resolved.error());
            return 2;
        }
        server_options = std::move(*resolved);
        auto metrics = resolve_metrics_listen(options, site->config.server);
        if (!metrics) {
            spdlog::error("{}", metrics.error());
            return 2;
        }
        metrics_listen = *metrics;
        startup_settings = site->config.server;
        forward_settings = site->config.forward;
        journals = std::make_unique<TransferJournalKeeper>(*served_serials);
        first_snapshot = make_snapshot(*site, forward_settings.has_value(), cookie_secrets.secrets(),
                                       journals->start(site->zones->transfer_view()));
        served_serials->prepare_for_user(options.user);
        fixed_serial = site->config.soa.serial;
        if (site->config.health) health_site = std::move(site->config);
    }

    net::SnapshotHolder snapshots(first_snapshot);
    // The query log (docs/design.md §11): always there, as `sipdnsd watch` may attach at any
    // time; its workers' rings stay untouched while nobody watches and nothing is configured.
    querylog::QueryLog::Options query_log_options;
    query_log_options.keep_messages = startup_settings.dnstap.has_value();
    querylog::QueryLog query_log(query_log_options);
    // The forwarder (the site's `forward:`): set up before the sockets, so that a bad trust
    // anchor or root hints file stops the start with one clear line.
    std::unique_ptr<forward::Forwarder> forwarder;
    if (forward_settings) {
        auto created = forward::Forwarder::create(forwarder_options(*forward_settings));
        if (!created) {
            spdlog::error("{}", created.error());
            return 1;
        }
        forwarder = std::move(*created);
    }
    auto bound = net::Server::bind(server_options, snapshots, forwarder.get(), &query_log);
    if (!bound) {
        spdlog::error("{}", bound.error());
        return 1;
    }
    net::Server& server = **bound;
    // Live SIP health (docs/design.md §10): its prober thread starts once privileges are
    // dropped; its verdicts are applied on the control thread.
    HealthMonitor health(signals.context(), snapshots, server);
    // The metrics endpoint (off unless asked for): its own thread reads the workers' counters,
    // the reload counts and the serving snapshot at each scrape.
    net::ReloadStats reload_stats;
    std::unique_ptr<net::MetricsServer> metrics;
    if (metrics_listen) {
        auto bound_metrics = net::MetricsServer::bind(*metrics_listen, [&] {
            std::string text;
            if (!forwarder) {
                text = net::render_metrics(server.traffic(), reload_stats, *snapshots.current());
            } else {
                const forward::ForwarderStats forwarding = forwarder->stats();
                text = net::render_metrics(server.traffic(), reload_stats, *snapshots.current(),
                                           &forwarding);
            }
            return text + render_health_metrics(health.targets());
        });
        if (!bound_metrics) {
            spdlog::error("{}", bound_metrics.error());
            return 1;
        }
        metrics = std::move(*bound_metrics);
    }
    if (auto error = drop_privileges(options.user)) {  // after binding, before any thread
        spdlog::error("{}", *error);
        return 1;
    }

    // Opened as the user the daemon serves as, so that a reopen after logrotate works alike.
    add_query_log_sinks(query_log, startup_settings);
    query_log.set_view_names(first_snapshot->zones->location_names());

    const zone::ZoneSet& zones = first_snapshot->zones->default_view();
    // Written as the user the daemon serves as, and before any secondary can see the serial.
    served_serials->serving(fixed_serial, zones);
    log_serving(server, zones);
    net::NotifySender notifier;
    SiteReloader reloader(options.config_file, snapshots, server, startup_settings,
                          forward_settings, notifier, reload_stats, *served_serials, *journals);
    reloader.set_query_log(&query_log);
    reloader.set_health(&health);
    if (health_site) {
        // Every target starts up (no first-query penalty): the configured answers serve.
        health.serve(*health_site, first_snapshot->zones);
        health_site.reset();
    }
    // The control socket (`sipdnsd status`, `sipdnsd reload`) on the signal loop's thread: a
    // reload asked for there and one by SIGHUP never overlap. Opened as the user the daemon
    // serves as, so that it can remove the socket at exit, and before the first answer (and
    // READY=1), so that whoever sees the daemon answer finds it. Without it the daemon serves
    // all the same.
    DaemonControl control(options.config_file, started, server, snapshots, reload_stats, reloader,
                          query_log);
    control.set_health(&health);
    const std::string control_path = control_socket_path(options, startup_settings);
    std::string control_problem;
    auto control_server =
        control::ControlServer::open(signals.context(), control_path, control, control_problem);
    if (control_server)
        spdlog::info("control socket {}", control_path);
    else
        spdlog::warn("{}; sipdnsd status and reload are unavailable (SIGHUP still reloads)",
                     control_problem);
    if (forwarder) {
        log_forwarding(*forward_settings, first_snapshot->settings.forward);
        forwarder->start();
    }
    query_log.start();
    server.start();
    cookie_secrets.start_rotation(signals.context(), snapshots, server);
    if (metrics) {
        metrics->start();
        spdlog::info("metrics on http://{}/metrics", metrics->endpoint());
    }
    spdlog::info("ready: {} worker thread{}, {}{}", server_options.threads,
                 server_options.threads == 1 ? "" : "s", serving_status(zones),
                 health.status_suffix());
    systemd::notify_ready(serving_status(zones) + health.status_suffix());
    // The parsed site is gone; only the zone set stays. Handing the freed heap back takes a few
    // hundred madvise calls for a 100,000-host site (tens of ms): done once the zones are
    // answered, not before.
    release_build_memory();
    notify_secondaries(notifier, *first_snapshot->zones, startup_settings.transfer_notify,
                       first_snapshot->settings.transfer_key);
    first_snapshot.reset();

    const int stop_signal = signals.run([&reloader] { reloader.reload(); });

    systemd::notify_stopping();
    spdlog::info("received {}, shutting down", signal_name(stop_signal));
    control_server.reset();  // closes it and removes the socket file
    cookie_secrets.stop();
    health.stop();
    if (metrics) metrics->stop();  // it reads the server's counters: stopped first
    server.stop();
    query_log.stop();  // after the workers: what they logged last is written
    if (forwarder) forwarder->stop();  // after the workers: nothing can be handed to it now
    spdlog::info("stopped");
    return 0;
}

}  // namespace sipdns::app
