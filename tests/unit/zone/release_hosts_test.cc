// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
// build_site_zones_releasing_hosts (the daemon's build): the same zones, every location view
// included, as build_site_zones, and the site's hosts freed afterwards.
#include <gtest/gtest.h>

#include "sipdns/zone/exporter.h"
#include "test_support.h"
#include "zone_test_support.h"

namespace sipdns::test {
namespace {

class ReleasingHosts : public ::testing::TestWithParam<const char*> {};

std::string every_view(const zone::SiteZones& zones, const config::SiteConfig& site) {
    std::string out = zone::export_zone_files(zones.default_view());
    for (const auto& location : site.locations)
        if (const zone::ZoneSet* view = zones.location_view(location.name))
            out += "; view " + location.name + "\n" + zone::export_zone_files(*view);
    return out;
}

TEST_P(ReleasingHosts, SameZonesAndNoHostsLeft) {
    const std::string path = std::string(SIPDNS_EXAMPLES_DIR) + "/" + GetParam();
    auto kept = config::load_site_file(path);
    auto released = config::load_site_file(path);
    ASSERT_TRUE(kept && released);
    ASSERT_FALSE(kept->hosts.empty()) << "the example should have hosts to release";
    auto a = zone::build_site_zones(*kept, serial_policy(1));
    auto b = zone::build_site_zones_releasing_hosts(*released, serial_policy(1));
    ASSERT_TRUE(a && b);
    EXPECT_EQ(every_view(**a, *kept), every_view(**b, *kept));
    EXPECT_FALSE(kept->hosts.empty());
    EXPECT_TRUE(released->hosts.empty());
    EXPECT_EQ(released->hosts.capacity(), 0u);
}

// lab: one view; sip-cluster: a view per location (only the last build may free the hosts).
INSTANTIATE_TEST_SUITE_P(Examples, ReleasingHosts,
                         ::testing::Values("lab.yaml", "sip-cluster.yaml"));

}  // namespace
}  // namespace sipdns::test
