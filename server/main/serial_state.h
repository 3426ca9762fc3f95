// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// The daemon's side of the state directory (server.state_dir): where it is, what the last run
// served (read before the first build), and the serial each zone is served with now (written
// before the zones are served, at start and at each reload). Its problems are warnings: without
// a usable state directory the daemon serves as it would without one (the serial follows the
// site file's modification time, and never decreases while it runs).
#include <optional>
#include <string>

#include "sipdns/config/site_config.h"
#include "sipdns/state/serial_store.h"
#include "sipdns/zone/serial.h"
#include "sipdns/zone/site_zones.h"

namespace sipdns::app {

// server.state_dir, else $STATE_DIRECTORY (systemd's StateDirectory=; its first path), else
// /var/lib/sipdns.
std::string state_dir_for(const config::DaemonSettings& server);

class ServedSerialsKeeper {
  public:
    // Reads the serials file of `dir`; a problem with it is one warning.
    explicit ServedSerialsKeeper(std::string dir);

    const std::string& dir() const { return store_.dir(); }

    // What the previous runs served, for the builder (SerialPolicy::served_before).
    void fill(zone::SerialPolicy& policy) const;

    // Root with `--user NAME`: creates the directory, owned by NAME, if it does not exist, so
    // that the daemon can still write it once it runs as NAME. An existing directory is left as
    // it is (its owner decides who may write it).
    void prepare_for_user(const std::string& user) const;

    // `zones` (the no-location view: what secondaries transfer) are about to be served. Warns
    // when `fixed_serial` (the site's soa.serial) is lower than a serial the zones were served
    // with, and records the serial. The first failure to write is a warning; later ones are
    // logged at debug level, until a write works again.
    void serving(std::optional<std::uint32_t> fixed_serial, const zone::ZoneSet& zones);

    // The last write of the serials failed (and was warned about).
    bool write_failing() const { return write_failed_; }

  private:
    state::SerialStore store_;
    bool write_failed_ = false;
};

}  // namespace sipdns::app
