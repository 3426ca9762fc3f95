// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#include "site_reloader.h"

#include <chrono>
#include <ctime>
#include <thread>
#include <tuple>

#include <spdlog/spdlog.h>

#include "daemon_options.h"
#include "sipdns/forward/local_networks.h"
#include "systemd_notify.h"

namespace sipdns::app {

namespace {
// Same content keeps the serial, changed content gets a larger one (docs/design.md §3).
zone::SerialPolicy previous_policy(const zone::ZoneSet& serving) {
    zone::SerialPolicy p;
    p.previous_serial = serving.serial();
    p.previous_content_hash = serving.content_hash();
    if (serving.catalog_zone()) p.previous_catalog = serving.catalog_served();
    return p;
}
// The forwarder (libunbound) is set up once, at start: a reload can change who may use it and
// turn it off, not where it sends queries.
// Logged, and told to `sipdnsd reload` (its standard error).
void note(control::ReloadOutcome& outcome, std::string text) {
    spdlog::warn("{}", text);
    outcome.warnings.push_back(std::move(text));
}

void warn_about_forward_changes(const std::optional<config::ForwardSettings>& running,
                                const std::optional<config::ForwardSettings>& file,
                                control::ReloadOutcome& outcome) {
    if (!running) {
        if (file) note(outcome, "forward: takes effect on restart only (not forwarding now)");
        return;
    }
    if (!file) {
        spdlog::info("forward: removed from the site file; names outside its zones are REFUSED");
        return;
    }
    if (file->from_root != running->from_root || file->upstreams != running->upstreams ||
        file->dnssec != running->dnssec || file->trust_anchor != running->trust_anchor ||
        file->root_hints != running->root_hints)
        note(outcome, "forward: to, dnssec, trust_anchor and root_hints take effect on restart "
                      "only (allow changes now)");
}
}  // namespace

std::string serving_status(const zone::ZoneSet& zones) {
    return "serial " + std::to_string(zones.serial()) + ", " +
           std::to_string(zones.record_count()) + " records";
}

std::shared_ptr<const net::ServingSnapshot> make_snapshot(
    const LoadedSite& site, bool forwarding, const engine::CookieSecrets& cookie_secrets,
    std::shared_ptr<const zone::TransferJournals> journals) {
    engine::EngineSettings settings = engine_settings(site.config.server);
    settings.cookie_secrets = cookie_secrets;
    settings.transfer_journals = std::move(journals);
    if (forwarding && site.config.forward) {
        settings.forward.enabled = true;
        settings.forward.allow = site.config.forward->allow
                                     ? *site.config.forward->allow
                                     : forward::loopback_and_local_networks();
    }
    return std::make_shared<const net::ServingSnapshot>(
        net::ServingSnapshot{site.zones, std::move(settings)});
}

void notify_secondaries(net::NotifySender& sender, const zone::SiteZones& zones,
                        const std::vector<config::IpEndpoint>& targets,
                        const std::optional<engine::TsigKey>& key,
                        const zone::ZoneSet* before) {
    if (targets.empty()) return;
    // Transfers serve the no-location view (docs/design.md §3): its zones are what secondaries get.
    // RFC 1996 §4.1: a zone whose serial changed (or that is new); the catalog zone's serial
    // changes only with its member list (RFC 9432 §5.1), the others' with the site's content.
    std::vector<std::string> apexes;
    for (const auto& z : zones.default_view().zones()) {
        const zone::Zone* old = before ? before->find_zone(z->apex()) : nullptr;
        if (!old || old->apex() != z->apex() || old->serial() != z->serial())
            apexes.push_back(z->apex());
    }
    if (apexes.empty()) return;
    sender.notify(apexes, targets, key);
    spdlog::info("notifying {} secondar{} of {} zone{}", targets.size(),
                 targets.size() == 1 ? "y" : "ies", apexes.size(), apexes.size() == 1 ? "" : "s");
}

SiteReloader::SiteReloader(std::string config_file, net::SnapshotHolder& snapshots,
                           net::Server& server, config::DaemonSettings startup,
                           std::optional<config::ForwardSettings> startup_forward,
                           net::NotifySender& notifier, net::ReloadStats& stats,
                           ServedSerialsKeeper& served_serials,
                           TransferJournalKeeper& journals)
    : config_file_(std::move(config_file)),
      snapshots_(snapshots),
      server_(server),
      startup_(std::move(startup)),
      startup_forward_(std::move(startup_forward)),
      notifier_(notifier),
      stats_(stats),
      served_serials_(served_serials),
      journals_(journals),
      serving_forward_(startup_forward_) {}

control::ReloadOutcome SiteReloader::reload() {
    control::ReloadOutcome outcome;
    // Whatever the site file holds: logrotate sends SIGHUP (or runs `sipdnsd reload`) after
    // renaming the query log.
    if (query_log_) query_log_->reopen();
    if (auto replaced = reload_site(outcome)) free_when_unused(server_, std::move(replaced));
    release_build_memory();  // what parsing, building and the old zone set freed
    last_ = control::StatusReport::Reload{static_cast<std::int64_t>(std::time(nullptr)),
                                          outcome.ok, outcome.serving, outcome.errors};
    return outcome;
}

std::shared_ptr<const net::ServingSnapshot> SiteReloader::reload_site(
    control::ReloadOutcome& outcome) {
    systemd::notify_reloading();
    const auto serving = snapshots_.current();
    const zone::ZoneSet& old_zones = serving->zones->default_view();
    spdlog::info("reloading {}", config_file_);

    // Same content as now -> same serial; changed content -> a serial above the current one
    // (never decreases while running: RFC 1996 §4.7, secondaries follow only a greater one),
    // and above any a zone of the new site was served with before (one removed and added back).
    zone::SerialPolicy policy = previous_policy(old_zones);
    served_serials_.fill(policy);
    auto site = load_site(config_file_, std::move(policy), SiteHosts::Release);
    if (!site) {
        for (const auto& diagnostic : site.error()) {
            spdlog::error("{}", diagnostic.to_string());
            outcome.errors.push_back(diagnostic.to_string());
        }
        outcome.serving = serving_status(old_zones);
        stats_.failed.fetch_add(1, std::memory_order_relaxed);
        spdlog::error("reload failed; still serving serial {}", old_zones.serial());
        systemd::notify_ready(serving_status(old_zones) +
                              (health_ ? health_->status_suffix() : std::string()));
        return nullptr;
    }

    log_site_warnings(*site);
    for (const auto& warning : site->config.warnings) outcome.warnings.push_back(warning.to_string());
    for (const auto& warning : site->zones->warnings()) outcome.warnings.push_back(warning.to_string());
    const config::DaemonSettings& now = site->config.server;
    if (now.listen != startup_.listen || now.threads != startup_.threads ||
        now.tcp_idle_timeout_ms != startup_.tcp_idle_timeout_ms ||
        now.tcp_io_timeout_ms != startup_.tcp_io_timeout_ms ||
        now.tcp_max_connections != startup_.tcp_max_connections ||
        now.metrics_listen != startup_.metrics_listen)
        note(outcome, "server.listen, threads, metrics and the tcp_* settings take effect on "
                      "restart only");
    if (now.control != startup_.control)
        note(outcome, "server.control takes effect on restart only");
    // Compared by what they say, not where in the file they are.
    auto xdp_setting = [](const std::optional<config::XdpSettings>& x) {
        return x ? std::tuple{x->interface, x->port, x->required}
                 : std::tuple{std::string(), std::optional<std::uint16_t>(), false};
    };
    if (xdp_setting(now.xdp) != xdp_setting(startup_.xdp))
        note(outcome, "server.xdp takes effect on restart only");

    auto log_target = [](const auto& setting) {
        return setting ? std::pair{static_cast<int>(setting->target), setting->path}
                       : std::pair{-1, std::string()};
    };
    if (log_target(now.query_log) != log_target(startup_.query_log) ||
        log_target(now.dnstap) != log_target(startup_.dnstap))
        note(outcome, "server.query_log and server.dnstap take effect on restart only");
    if (now.state_dir != startup_.state_dir)
        note(outcome, "server.state_dir takes effect on restart only (serials are kept in " +
                          served_serials_.dir() + ")");

    warn_about_forward_changes(startup_forward_, site->config.forward, outcome);

    const zone::ZoneSet& zones = site->zones->default_view();
    served_serials_.serving(site->config.soa.serial, zones);  // before a secondary can see it
    // The differences from the transfer view served until now (RFC 1995): the configured
    // records, whatever SIP health withdrew from the answers.
    auto journals = journals_.next(serving->zones->transfer_view(), site->zones->transfer_view());
    // With `health:` the answers leave out the SIP targets that are down now (§10).
    if (health_) site->zones = health_->serve(site->config, site->zones);
    // The DNS Cookie secrets stay (cookie_secrets.h): the serving snapshot carries them.
    auto replaced = snapshots_.publish(make_snapshot(*site, startup_forward_.has_value(),
                                                     serving->settings.cookie_secrets,
                                                     std::move(journals)));
    if (query_log_) query_log_->set_view_names(site->zones->location_names());
    stats_.ok.fetch_add(1, std::memory_order_relaxed);
    outcome.ok = true;
    outcome.serving = serving_status(zones);
    serving_forward_.reset();
    if (startup_forward_ && site->config.forward) {
        serving_forward_ = *startup_forward_;
        serving_forward_->allow = site->config.forward->allow;
    }
    const std::string suffix = health_ ? health_->status_suffix() : std::string();
    spdlog::info("reloaded: {}{}", serving_status(zones), suffix);
    systemd::notify_ready(serving_status(zones) + suffix);
    // RFC 1996 §4.1: secondaries hear of a new serial at once.
    notify_secondaries(notifier_, *site->zones, site->config.server.transfer_notify,
                       engine_settings(site->config.server).transfer_key, &old_zones);
    return replaced;
}

}  // namespace sipdns::app
