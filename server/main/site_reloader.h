#pragma once
// SIGHUP reload (DESIGN.md §6): parse, validate and build a new zone set on the control thread
// (never a worker), then publish it; on any error log every problem and keep serving the old one.
#include <memory>
#include <string>

#include "sipdns/config/site_config.h"
#include "sipdns/net/snapshot.h"
#include "site_loader.h"

namespace sipdns::app {

// "serial 1795382498, 26 records": the STATUS= text and the log summary.
std::string serving_status(const zone::ZoneSet& zones);

std::shared_ptr<const net::ServingSnapshot> make_snapshot(const LoadedSite& site);

class SiteReloader {
  public:
    // `startup` is the `server:` section the daemon started with: listen, threads and the TCP
    // limits only change on restart, and a reload that changes them says so.
    SiteReloader(std::string config_file, net::SnapshotHolder& snapshots,
                 config::DaemonSettings startup);

    void reload();

  private:
    std::string config_file_;
    net::SnapshotHolder& snapshots_;
    config::DaemonSettings startup_;
};

}  // namespace sipdns::app
