// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
// Geo-aware clusters, Lync/OCS discovery and TLS: the records of the reference documents.
#include <gtest/gtest.h>

#include "test_support.h"
#include "zone_test_support.h"

namespace sipdns::test {
namespace {

namespace rr = zone::rrtype;

std::shared_ptr<const zone::SiteZones> site_zones(const std::string& file) {
    auto cfg = config::load_site_file(std::string(SIPDNS_EXAMPLES_DIR) + "/" + file);
    if (!cfg) {
        ADD_FAILURE() << cfg.error().front().to_string();
        return nullptr;
    }
    auto zones = zone::build_site_zones(*cfg, serial_policy(1));
    if (!zones) {
        ADD_FAILURE() << zones.error().front().to_string();
        return nullptr;
    }
    return *zones;
}

std::set<std::string> srv(const zone::ZoneSet& view, const std::string& name) {
    return section_lines(view.lookup(wire(name), rr::SRV).answer);
}

const std::string kUdp = "_sip._udp.spx-srv.example.com. 300 IN SRV ";

TEST(Clusters, EachDataCentreSeesItsOwnProxiesFirst) {
    // sip-cluster-geo-aware-srv.txt, "SRV records for SIP Cluster: UDP protocol example".
    auto site = site_zones("sip-cluster.yaml");
    ASSERT_TRUE(site);
    ASSERT_TRUE(site->has_location_views());
    const zone::ZoneSet* dc1 = site->location_view("dc1");
    const zone::ZoneSet* dc2 = site->location_view("dc2");
    ASSERT_TRUE(dc1 && dc2);
    const std::set<std::string> dc1_view{
        kUdp + "10 50 5060 dc1-spx1.example.com.", kUdp + "10 50 5060 dc1-spx2.example.com.",
        kUdp + "200 50 5060 dc2-spx1.example.com.", kUdp + "200 50 5060 dc2-spx2.example.com."};
    const std::set<std::string> dc2_view{
        kUdp + "10 50 5060 dc2-spx1.example.com.", kUdp + "10 50 5060 dc2-spx2.example.com.",
        kUdp + "200 50 5060 dc1-spx1.example.com.", kUdp + "200 50 5060 dc1-spx2.example.com."};
    EXPECT_EQ(srv(*dc1, "_sip._udp.spx-srv.example.com"), dc1_view);
    EXPECT_EQ(srv(*dc2, "_sip._udp.spx-srv.example.com"), dc2_view);
    // Clients in no location: the configured default (dc1).
    EXPECT_EQ(srv(site->default_view(), "_sip._udp.spx-srv.example.com"), dc1_view);
    // TCP has the same shape.
    EXPECT_EQ(srv(*dc2, "_sip._tcp.spx-srv.example.com").size(), 4u);
    // Every view serves the same serial: one content.
    EXPECT_EQ(dc1->serial(), dc2->serial());
    EXPECT_EQ(dc1->serial(), site->default_view().serial());
}

TEST(Clusters, ClientAddressesPickTheirView) {
    auto site = site_zones("sip-cluster.yaml");
    ASSERT_TRUE(site);
    auto in = [&](const char* addr) { return &site->view_for(*config::IpAddress::parse(addr)); };
    EXPECT_EQ(in("192.168.11.7"), site->location_view("dc1"));
    EXPECT_EQ(in("192.168.22.7"), site->location_view("dc2"));
    EXPECT_EQ(in("198.51.100.1"), &site->default_view());
    EXPECT_EQ(in("2001:db8::1"), &site->default_view());
}

TEST(Clusters, SbcFailoverRecords) {
    // "SIP registration in failover scenarios based on SRV records".
    auto site = site_zones("sip-cluster.yaml");
    ASSERT_TRUE(site);
    EXPECT_EQ(srv(site->default_view(), "_sip._udp.sip-dc.example.com"),
              (std::set<std::string>{
                  "_sip._udp.sip-dc.example.com. 300 IN SRV 10 50 6000 sip-dc1.example.com.",
                  "_sip._udp.sip-dc.example.com. 300 IN SRV 20 50 6000 sip-dc2.example.com."}));
    EXPECT_EQ(section_lines(site->default_view().lookup(wire("sip-dc2.example.com"), rr::A).answer),
              (std::set<std::string>{"sip-dc2.example.com. 300 IN A 203.0.113.10"}));
}

TEST(Lync, RegistrarDiscoveryRecordsInLookupOrder) {
    auto site = site_zones("lync.yaml");
    ASSERT_TRUE(site);
    const auto& v = site->default_view();
    const std::string d = ".corp.example.test. 3600 IN ";
    EXPECT_EQ(srv(v, "_sipinternaltls._tcp.corp.example.test"),
              (std::set<std::string>{"_sipinternaltls._tcp" + d + "SRV 0 0 5061 pool01.corp.example.test."}));
    EXPECT_EQ(srv(v, "_sipinternal._tcp.corp.example.test"),
              (std::set<std::string>{"_sipinternal._tcp" + d + "SRV 0 0 5060 pool01.corp.example.test."}));
    EXPECT_EQ(srv(v, "_sip._tls.corp.example.test"),
              (std::set<std::string>{"_sip._tls" + d + "SRV 0 0 443 sipedge.corp.example.test."}));
    EXPECT_EQ(srv(v, "_sipfederationtls._tcp.corp.example.test"),
              (std::set<std::string>{"_sipfederationtls._tcp" + d + "SRV 0 0 5061 sipedge.corp.example.test."}));
    // The fall-back names are A records (never CNAMEs), pool first, edge last.
    for (const auto& [name, addr] : std::vector<std::pair<std::string, std::string>>{
             {"sipinternal", "192.0.2.50"}, {"sip", "192.0.2.50"}, {"sipexternal", "203.0.113.50"}}) {
        auto r = v.lookup(wire(name + ".corp.example.test"), rr::A);
        EXPECT_EQ(section_lines(r.answer), (std::set<std::string>{name + d + "A " + addr}));
    }
    // SRV answers carry the targets' addresses (a phone needs one round trip).
    EXPECT_EQ(section_lines(v.lookup(wire("_sipinternaltls._tcp.corp.example.test"), rr::SRV)
                                .additional),
              (std::set<std::string>{"pool01" + d + "A 192.0.2.50"}));
}

TEST(Lync, WithoutEdgeNoExternalRecords) {
    auto zones = build_from_yaml(R"(
domain: corp.example.test
nameservers: [pool01]
lync:
  pool: { name: pool01, ipv4: 192.0.2.50 }
reverse: off
)");
    ASSERT_TRUE(zones);
    EXPECT_EQ(zones->lookup(wire("_sip._tls.corp.example.test"), rr::SRV).status,
              zone::LookupStatus::NxDomain);
    EXPECT_EQ(zones->lookup(wire("sipexternal.corp.example.test"), rr::A).status,
              zone::LookupStatus::NxDomain);
    EXPECT_EQ(zones->lookup(wire("sip.corp.example.test"), rr::A).status,
              zone::LookupStatus::Answer);
}

TEST(Tls, NaptrAnswerCarriesEverySrvAndAddress) {
    auto site = site_zones("scs-tls.yaml");
    ASSERT_TRUE(site);
    auto r = site->default_view().lookup(wire("scsnetwork.local"), rr::NAPTR);
    EXPECT_EQ(r.answer.front().rrset->rdatas.size(), 3u);
    const auto extra = section_lines(r.additional);
    EXPECT_TRUE(extra.count("_sips._tcp.scsnetwork.local. 1800 IN SRV 1 0 5061 scs1.scsnetwork.local."));
    EXPECT_TRUE(extra.count("_sip._udp.scsnetwork.local. 1800 IN SRV 1 0 5060 scs1.scsnetwork.local."));
    EXPECT_TRUE(extra.count("scs2.scsnetwork.local. 1800 IN A 192.0.2.12"));
    EXPECT_EQ(extra.size(), 6u + 2u);  // 3 SRV RRsets of 2, 2 addresses
}

}  // namespace
}  // namespace sipdns::test
