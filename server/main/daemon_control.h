// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// What `sipdnsd status` and `sipdnsd reload` reach through the control socket
// (sipdns/control/control_server.h): the daemon's parts, read on the control thread.
#include <cstdint>
#include <string>

#include "sipdns/control/control_server.h"
#include "sipdns/net/metrics.h"
#include "sipdns/net/server.h"
#include "sipdns/net/snapshot.h"
#include "sipdns/querylog/query_log.h"
#include "health_monitor.h"
#include "site_reloader.h"

namespace sipdns::app {

class DaemonControl final : public control::ControlledDaemon {
  public:
    DaemonControl(std::string config_file, std::int64_t started, const net::Server& server,
                  net::SnapshotHolder& snapshots, const net::ReloadStats& reload_stats,
                  SiteReloader& reloader, querylog::QueryLog& query_log)
        : config_file_(std::move(config_file)),
          started_(started),
          server_(server),
          snapshots_(snapshots),
          reload_stats_(reload_stats),
          reloader_(reloader),
          query_log_(query_log) {}

    control::StatusReport status() override;
    control::ReloadOutcome reload() override { return reloader_.reload(); }
    std::unique_ptr<control::WatchFeed> watch(const control::WatchRequest& request,
                                              std::function<void()> wakeup,
                                              std::string& problem,
                                              std::string& notice) override;

    // Live SIP health, shown by status when the site has `health:`.
    void set_health(const HealthMonitor* health) { health_ = health; }

  private:
    const HealthMonitor* health_ = nullptr;
    std::string config_file_;
    std::int64_t started_;
    const net::Server& server_;
    net::SnapshotHolder& snapshots_;
    const net::ReloadStats& reload_stats_;
    SiteReloader& reloader_;
    querylog::QueryLog& query_log_;
};

}  // namespace sipdns::app
