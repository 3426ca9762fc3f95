// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// Live SIP health in the daemon (docs/design.md §10): runs the prober (server/health) over the
// site's SIP SRV targets and, on the control thread, turns its verdicts into the live site —
// built without the down targets and published through the same snapshot swap as a reload.
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "sipdns/config/site_config.h"
#include "sipdns/health/prober.h"
#include "sipdns/net/server.h"
#include "sipdns/net/snapshot.h"
#include "sipdns/zone/health.h"
#include "sipdns/zone/site_zones.h"

namespace boost::asio {
class io_context;
}

namespace sipdns::app {

class HealthMonitor {
  public:
    // `control`: the control thread's loop (where reloads run): verdicts are applied there,
    // never on a worker and never at the same time as a reload.
    HealthMonitor(boost::asio::io_context& control, net::SnapshotHolder& snapshots,
                  net::Server& server);
    ~HealthMonitor();
    HealthMonitor(const HealthMonitor&) = delete;
    HealthMonitor& operator=(const HealthMonitor&) = delete;

    // At start and after each successful reload, before its snapshot is published: the zones
    // to serve for `configured` (the live site, if targets are down now). Starts, retunes or
    // stops the prober as the site's `health:` says; targets that stay keep their state.
    // On a build error (never expected: the configured site built) logs and serves
    // `configured`.
    std::shared_ptr<const zone::SiteZones> serve(const config::SiteConfig& site,
                                                 std::shared_ptr<const zone::SiteZones> configured);

    // "; 3/4 SIP targets up" for the STATUS= line and the log, "" without health.
    std::string status_suffix() const;
    // Per target, for `sipdnsd status` and the metrics endpoint; empty without health.
    std::vector<health::TargetStatus> targets() const;
    bool enabled() const;
    // Stops probing (at shutdown, before the server stops).
    void stop();

  private:
    void apply(std::vector<health::TargetChange> changes);  // control thread
    std::shared_ptr<const zone::SiteZones> live_zones();
    void publish_live();

    boost::asio::io_context& control_;
    net::SnapshotHolder& snapshots_;
    net::Server& server_;
    config::SiteConfig site_;  // the site being served, hosts and all: live rebuilds need it
    std::shared_ptr<const zone::SiteZones> configured_;
    std::optional<config::HealthSettings> settings_;
    std::vector<health::ProbeTarget> probed_;
    zone::DownTargets down_;
    // Replaced on the control thread only; read by the metrics thread too (targets()).
    mutable std::mutex prober_mutex_;
    std::unique_ptr<health::Prober> prober_;  // guarded by prober_mutex_ for writes and
                                              // for reads off the control thread
    void replace_prober(std::unique_ptr<health::Prober> next);
};

// Prometheus text for the per-target families (sipdns_sip_target_up and its neighbours).
std::string render_health_metrics(const std::vector<health::TargetStatus>& targets);

// Waits (bounded) until the workers let go of a replaced snapshot and frees it here, on the
// control thread: shared by reloads and health changes.
void free_when_unused(net::Server& server, std::shared_ptr<const net::ServingSnapshot> replaced);

}  // namespace sipdns::app
