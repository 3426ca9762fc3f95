// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#pragma once
#include <cstdint>
#include <memory>
#include <optional>

#include "sipdns/config/diagnostic.h"
#include "sipdns/config/expected.h"
#include "sipdns/config/site_config.h"
#include "sipdns/zone/serial.h"
#include "sipdns/zone/site_zones.h"
#include "sipdns/zone/zone.h"

namespace sipdns::zone {

// Generates every record of the site, checks the result (conflicts, out-of-zone owners, CNAME
// rules) and returns an immutable, indexed zone set with precompiled answers, or every problem.
// `viewpoint` is the location the cluster SRV records are generated for (nullptr: a client in
// no location).
Expected<std::shared_ptr<const ZoneSet>, config::Diagnostics> build_zone_set(
    const config::SiteConfig& site, const SerialPolicy& serial = {},
    const std::string* viewpoint = nullptr);

// Every view of the site: the no-location view, and with clusters one per location.
Expected<std::shared_ptr<const SiteZones>, config::Diagnostics> build_site_zones(
    const config::SiteConfig& site, const SerialPolicy& serial = {});

// The same, for a caller that keeps only the zones and the site's settings (the daemon): the
// site's hosts, most of a large site file, are emptied once the last build has made their
// records, so they are not in memory while the answers are precompiled (the build's peak).
Expected<std::shared_ptr<const SiteZones>, config::Diagnostics> build_site_zones_releasing_hosts(
    config::SiteConfig& site, const SerialPolicy& serial = {});

}  // namespace sipdns::zone
