// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
// Live SIP health in the zone (docs/design.md §10): which targets a site's SIP SRV records name,
// and what the answers become while some of them are down. One row per case: the down targets
// -> the SRV RRset served.
#include <gtest/gtest.h>

#include "sipdns/zone/health.h"
#include "test_support.h"
#include "zone_test_support.h"

namespace sipdns::test {
namespace {

namespace rr = zone::rrtype;
using SipTransport = config::SipTransport;

// The SCS HA example with TLS and health on (two servers, rr.* redirect sets on 5070).
const std::string kHaSite = R"(domain: scsnetwork.local
ttl: 1800
servers:
  - { name: scs1, ipv4: 192.0.2.11, ipv6: "2001:db8::11" }
  - { name: scs2, ipv4: 192.0.2.12 }
sip:
  transports: [udp, tcp, tls]
  proxy_port: 5060
  redirect_port: 5070
  tls_port: 5061
hosts:
  gw1: 192.0.2.50
  ntp: 192.0.2.60
services:
  - service: _sip._udp.gateways
    targets:
      - { target: gw1, port: 5080 }
      - { target: sbc.partner.example., port: 5060 }
health:
  ttl: 15
  exclude: [ntp]
reverse: off
)";

struct Site {
    config::SiteConfig config;
    std::shared_ptr<const zone::SiteZones> configured;
};

Site load(const std::string& yaml) {
    auto cfg = config::load_site_text(yaml, "site.yaml");
    if (!cfg) {
        ADD_FAILURE() << cfg.error().front().to_string();
        return {};
    }
    auto zones = zone::build_site_zones(*cfg, serial_policy(1));
    if (!zones) {
        ADD_FAILURE() << zones.error().front().to_string();
        return {};
    }
    return {std::move(*cfg), std::move(*zones)};
}

std::string shown(const zone::SipTarget& t) {
    std::string s = t.key.name + " " + std::to_string(t.key.port) + "/" +
                    std::string(config::transport_name(t.key.transport));
    for (const auto& a : t.addresses) s += " " + a.to_string();
    return s;
}

TEST(HealthTargets, EverySipSrvTargetOnceWithItsAddresses) {
    const Site site = load(kHaSite);
    ASSERT_TRUE(site.configured);
    std::vector<std::string> got;
    for (const auto& t : zone::sip_health_targets(*site.configured, *site.config.health))
        got.push_back(shown(t));
    // _sip._udp/_sip._tcp at 5060, the rr.* sets at 5070, _sips._tcp and _sip._tls at 5061
    // (one TLS target), the service's gw1; sbc.partner.example is outside the site.
    const std::vector<std::string> expected{
        "gw1.scsnetwork.local 5080/udp 192.0.2.50",
        "scs1.scsnetwork.local 5060/udp 192.0.2.11 2001:db8::11",
        "scs1.scsnetwork.local 5060/tcp 192.0.2.11 2001:db8::11",
        "scs1.scsnetwork.local 5061/tls 192.0.2.11 2001:db8::11",
        "scs1.scsnetwork.local 5070/udp 192.0.2.11 2001:db8::11",
        "scs1.scsnetwork.local 5070/tcp 192.0.2.11 2001:db8::11",
        "scs2.scsnetwork.local 5060/udp 192.0.2.12",
        "scs2.scsnetwork.local 5060/tcp 192.0.2.12",
        "scs2.scsnetwork.local 5061/tls 192.0.2.12",
        "scs2.scsnetwork.local 5070/udp 192.0.2.12",
        "scs2.scsnetwork.local 5070/tcp 192.0.2.12",
    };
    EXPECT_EQ(got, expected);
}

TEST(HealthTargets, ExcludedTargetsAreNotProbed) {
    Site site = load(kHaSite);
    ASSERT_TRUE(site.configured);
    site.config.health->exclude = {"gw1.scsnetwork.local", "scs2.scsnetwork.local"};
    for (const auto& t : zone::sip_health_targets(*site.configured, *site.config.health))
        EXPECT_EQ(t.key.name, "scs1.scsnetwork.local") << shown(t);
}

TEST(HealthTargets, ServiceLabelsTellTheTransport) {
    struct Row {
        const char* owner;
        std::optional<SipTransport> transport;
    };
    const Row rows[] = {
        {"_sip._udp.example.test", SipTransport::Udp},
        {"_sip._tcp.example.test", SipTransport::Tcp},
        {"_sip._udp.rr.scs1.example.test", SipTransport::Udp},
        {"_sips._tcp.example.test", SipTransport::Tls},
        {"_sip._tls.example.test", SipTransport::Tls},
        {"_sipinternaltls._tcp.example.test", SipTransport::Tls},
        {"_sipfederationtls._tcp.example.test", SipTransport::Tls},
        {"_sipinternal._tcp.example.test", SipTransport::Tcp},
        {"_xmpp._tcp.example.test", std::nullopt},
        {"_sip.example.test", std::nullopt},
        {"sip._udp.example.test", std::nullopt},
        {"_sip._sctp.example.test", std::nullopt},
    };
    for (const auto& r : rows) EXPECT_EQ(zone::sip_srv_transport(wire(r.owner)), r.transport) << r.owner;
}

std::set<std::string> answer(const zone::ZoneSet& view, const std::string& name) {
    return section_lines(view.lookup(wire(name), rr::SRV).answer);
}

zone::SipTargetKey key(const std::string& host, std::uint16_t port, SipTransport t) {
    return {host + ".scsnetwork.local", port, t};
}

struct LiveRow {
    std::string name;
    zone::DownTargets down;
    std::string owner;
    std::set<std::string> expected;  // the SRV answer
};
void PrintTo(const LiveRow& r, std::ostream* os) { *os << r.name; }

const std::string kUdp = "_sip._udp.scsnetwork.local. 15 IN SRV ";
const std::string kTcp = "_sip._tcp.scsnetwork.local. 15 IN SRV ";
const std::string kRrUdp = "_sip._udp.rr.scs1.scsnetwork.local. 15 IN SRV ";

const std::vector<LiveRow> kLiveRows = {
    {"AllUpIsTheConfiguredSet", {}, "_sip._udp.scsnetwork.local",
     {kUdp + "1 0 5060 scs1.scsnetwork.local.", kUdp + "2 0 5060 scs2.scsnetwork.local."}},
    {"DownUdpLeavesUdp", {key("scs1", 5060, SipTransport::Udp)}, "_sip._udp.scsnetwork.local",
     {kUdp + "2 0 5060 scs2.scsnetwork.local."}},
    {"DownUdpKeepsTcp", {key("scs1", 5060, SipTransport::Udp)}, "_sip._tcp.scsnetwork.local",
     {kTcp + "3 0 5060 scs1.scsnetwork.local.", kTcp + "4 0 5060 scs2.scsnetwork.local."}},
    {"DownTcpLeavesTcpOnly", {key("scs2", 5060, SipTransport::Tcp)},
     "_sip._tcp.scsnetwork.local", {kTcp + "3 0 5060 scs1.scsnetwork.local."}},
    {"AllDownServesTheWholeSet",
     {key("scs1", 5060, SipTransport::Udp), key("scs2", 5060, SipTransport::Udp)},
     "_sip._udp.scsnetwork.local",
     {kUdp + "1 0 5060 scs1.scsnetwork.local.", kUdp + "2 0 5060 scs2.scsnetwork.local."}},
    {"RedirectSetFollowsItsPort", {key("scs2", 5070, SipTransport::Udp)},
     "_sip._udp.rr.scs1.scsnetwork.local", {kRrUdp + "3 0 5070 scs1.scsnetwork.local."}},
    {"ProxyPortDownLeavesRedirectSet", {key("scs2", 5060, SipTransport::Udp)},
     "_sip._udp.rr.scs1.scsnetwork.local",
     {kRrUdp + "3 0 5070 scs1.scsnetwork.local.", kRrUdp + "4 100 5070 scs2.scsnetwork.local."}},
    {"TlsTargetLeavesBothTlsNames", {key("scs1", 5061, SipTransport::Tls)},
     "_sips._tcp.scsnetwork.local",
     {"_sips._tcp.scsnetwork.local. 15 IN SRV 2 0 5061 scs2.scsnetwork.local."}},
    {"ServiceTargetDown", {key("gw1", 5080, SipTransport::Udp)},
     "_sip._udp.gateways.scsnetwork.local",
     {"_sip._udp.gateways.scsnetwork.local. 15 IN SRV 0 0 5060 sbc.partner.example."}},
};

class LiveAnswers : public ::testing::TestWithParam<LiveRow> {};

TEST_P(LiveAnswers, Served) {
    const Site site = load(kHaSite);
    ASSERT_TRUE(site.configured);
    auto live = zone::build_live_site_zones(site.config, site.configured, GetParam().down);
    ASSERT_TRUE(live) << live.error().front().to_string();
    EXPECT_EQ(answer((*live)->default_view(), GetParam().owner), GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(Rows, LiveAnswers, ::testing::ValuesIn(kLiveRows),
                         [](const auto& info) { return info.param.name; });

TEST(LiveSite, SameSerialTransfersTheConfiguredRecords) {
    const Site site = load(kHaSite);
    ASSERT_TRUE(site.configured);
    auto live = zone::build_live_site_zones(site.config, site.configured,
                                            {key("scs1", 5060, SipTransport::Udp)});
    ASSERT_TRUE(live);
    EXPECT_NE(live->get(), site.configured.get());
    EXPECT_EQ((*live)->serial(), site.configured->serial());
    EXPECT_EQ((*live)->content_hash(), site.configured->content_hash());
    // What a secondary gets: the configured set (both servers).
    EXPECT_EQ(&(*live)->transfer_view(), &site.configured->default_view());
    EXPECT_EQ(answer((*live)->transfer_view(), "_sip._udp.scsnetwork.local").size(), 2u);
}

TEST(LiveSite, NothingDownIsTheConfiguredSiteItself) {
    const Site site = load(kHaSite);
    ASSERT_TRUE(site.configured);
    auto live = zone::build_live_site_zones(site.config, site.configured, {});
    ASSERT_TRUE(live);
    EXPECT_EQ(live->get(), site.configured.get());
}

TEST(LiveSite, DownTargetsAddressesLeaveTheAdditionalSection) {
    const Site site = load(kHaSite);
    ASSERT_TRUE(site.configured);
    auto live = zone::build_live_site_zones(site.config, site.configured,
                                            {key("scs1", 5060, SipTransport::Udp)});
    ASSERT_TRUE(live);
    const auto lines = [](const zone::ZoneSet& view) {
        return section_lines(view.lookup(wire("_sip._udp.scsnetwork.local"), rr::SRV).additional);
    };
    EXPECT_EQ(lines((*live)->default_view()),
              (std::set<std::string>{"scs2.scsnetwork.local. 1800 IN A 192.0.2.12"}));
    EXPECT_EQ(lines(site.configured->default_view()).size(), 3u);  // scs1 A+AAAA, scs2 A
}

TEST(LiveSite, HealthTtlOnlyOnSipSrvRRsets) {
    const Site site = load(kHaSite);
    ASSERT_TRUE(site.configured);
    const zone::ZoneSet& z = site.configured->default_view();
    EXPECT_EQ(z.lookup(wire("_sip._tcp.scsnetwork.local"), rr::SRV).answer.front().rrset->ttl, 15u);
    EXPECT_EQ(z.lookup(wire("scs1.scsnetwork.local"), rr::A).answer.front().rrset->ttl, 1800u);
    EXPECT_EQ(z.lookup(wire("scsnetwork.local"), rr::NAPTR).answer.front().rrset->ttl, 1800u);
}

TEST(LiveSite, EachLocationViewFollowsTheSameHealth) {
    // sip-cluster-geo-aware-srv.txt: dc1-spx1 down; dc1's clients get dc1-spx2 first, dc2's
    // keep their own members first and lose dc1-spx1 from the remote tier.
    const std::string yaml =
        test::read_file(std::string(SIPDNS_EXAMPLES_DIR) + "/sip-cluster.yaml") + "health: {}\n";
    const Site site = load(yaml);
    ASSERT_TRUE(site.configured);
    const zone::SipTargetKey dc1_spx1{"dc1-spx1.example.com", 5060, SipTransport::Udp};
    auto live = zone::build_live_site_zones(site.config, site.configured, {dc1_spx1});
    ASSERT_TRUE(live);
    const std::string u = "_sip._udp.spx-srv.example.com. 30 IN SRV ";
    const zone::ZoneSet* dc1 = (*live)->location_view("dc1");
    const zone::ZoneSet* dc2 = (*live)->location_view("dc2");
    ASSERT_TRUE(dc1 && dc2);
    EXPECT_EQ(answer(*dc1, "_sip._udp.spx-srv.example.com"),
              (std::set<std::string>{u + "10 50 5060 dc1-spx2.example.com.",
                                     u + "200 50 5060 dc2-spx1.example.com.",
                                     u + "200 50 5060 dc2-spx2.example.com."}));
    EXPECT_EQ(answer(*dc2, "_sip._udp.spx-srv.example.com"),
              (std::set<std::string>{u + "10 50 5060 dc2-spx1.example.com.",
                                     u + "10 50 5060 dc2-spx2.example.com.",
                                     u + "200 50 5060 dc1-spx2.example.com."}));
    // TCP is another target: untouched.
    EXPECT_EQ(answer(*dc1, "_sip._tcp.spx-srv.example.com").size(), 4u);
}

}  // namespace
}  // namespace sipdns::test
