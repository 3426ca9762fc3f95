// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// SIGHUP reload (docs/design.md §6): parse, validate and build a new zone set on the control thread
// (never a worker), then publish it; on any error log every problem and keep serving the old one.
#include <memory>
#include <optional>
#include <string>

#include "sipdns/config/site_config.h"
#include "sipdns/control/protocol.h"
#include "sipdns/control/status.h"
#include "sipdns/net/metrics.h"
#include "sipdns/net/notify_sender.h"
#include "sipdns/net/server.h"
#include "sipdns/net/snapshot.h"
#include "sipdns/querylog/query_log.h"
#include "health_monitor.h"
#include "journal_state.h"
#include "serial_state.h"
#include "site_loader.h"

namespace sipdns::app {

// "serial 1795382498, 26 records": the STATUS= text and the log summary.
std::string serving_status(const zone::ZoneSet& zones);

// `forwarding`: the daemon runs a forwarder (started with `forward:`); the site's `forward.allow`
// (or, by default, loopback and this host's networks as they are now) says who may use it.
// `cookie_secrets`: the daemon's DNS Cookie secrets (cookie_secrets.h), never the site file's.
// `journals`: the IXFR journals that end at the site's transfer view.
std::shared_ptr<const net::ServingSnapshot> make_snapshot(
    const LoadedSite& site, bool forwarding, const engine::CookieSecrets& cookie_secrets,
    std::shared_ptr<const zone::TransferJournals> journals);

// NOTIFY the zones of the site to server.transfer.notify (RFC 1996), if any are listed: every
// zone, or with `before` (the zone set being replaced) those whose serial is not the same.
// Signed with `key` when the site has one (RFC 8945 §5.1).
void notify_secondaries(net::NotifySender& sender, const zone::SiteZones& zones,
                        const std::vector<config::IpEndpoint>& targets,
                        const std::optional<engine::TsigKey>& key,
                        const zone::ZoneSet* before = nullptr);

class SiteReloader {
  public:
    // `startup` is the `server:` section the daemon started with: listen, threads, the TCP
    // limits and metrics only change on restart, and a reload that changes them says so.
    // `stats` counts the reloads that succeeded and failed (the metrics endpoint reads them).
    // `server`'s workers are asked to let go of the replaced zone set after a reload.
    // `startup_forward`: the `forward:` section the forwarder was started with (none = no
    // forwarder): its upstreams and DNSSEC settings change on restart only, its `allow` on reload.
    // `served_serials`: the state directory, which learns each new serial before it is served;
    // `journals`: the IXFR journals, which learn each new version of the transfer view.
    SiteReloader(std::string config_file, net::SnapshotHolder& snapshots, net::Server& server,
                 config::DaemonSettings startup,
                 std::optional<config::ForwardSettings> startup_forward,
                 net::NotifySender& notifier, net::ReloadStats& stats,
                 ServedSerialsKeeper& served_serials, TransferJournalKeeper& journals);

    // SIGHUP and `sipdnsd reload`: the outcome is logged and returned (every error, the
    // warnings, what serves now). Also reopens the query log's files (logrotate).
    control::ReloadOutcome reload();

    // The query log: told the location names after each reload, and to reopen its files.
    void set_query_log(querylog::QueryLog* query_log) { query_log_ = query_log; }
    // Live SIP health: each reloaded site is served through it (docs/design.md §10).
    void set_health(HealthMonitor* health) { health_ = health; }

    // The last reload since start (for `sipdnsd status`); none before the first.
    const std::optional<control::StatusReport::Reload>& last_reload() const { return last_; }

    // The forwarding in effect: the forwarder's start settings with the file's last `allow`;
    // none when the daemon does not forward (or a reload removed `forward:`).
    const std::optional<config::ForwardSettings>& serving_forward() const { return serving_forward_; }

  private:
    // The snapshot that a successful reload replaced; null when the reload failed.
    std::shared_ptr<const net::ServingSnapshot> reload_site(control::ReloadOutcome& outcome);
    std::string config_file_;
    net::SnapshotHolder& snapshots_;
    net::Server& server_;
    config::DaemonSettings startup_;
    std::optional<config::ForwardSettings> startup_forward_;
    net::NotifySender& notifier_;
    net::ReloadStats& stats_;
    ServedSerialsKeeper& served_serials_;
    TransferJournalKeeper& journals_;
    std::optional<control::StatusReport::Reload> last_;
    std::optional<config::ForwardSettings> serving_forward_;
    querylog::QueryLog* query_log_ = nullptr;
    HealthMonitor* health_ = nullptr;
};

}  // namespace sipdns::app
