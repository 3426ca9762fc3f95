// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
// The SCS 4.0 guide's record tables, record for record (docs/design.md §3).
#include <gtest/gtest.h>

#include "test_support.h"
#include "zone_test_support.h"

namespace sipdns::test {
namespace {

using zone::rrtype::A;
using zone::rrtype::SRV;

std::shared_ptr<const zone::ZoneSet> example(const std::string& name) {
    return build_from_yaml(read_file(std::string(SIPDNS_EXAMPLES_DIR) + "/" + name));
}

TEST(ScsTables, SingleServerIsOneARecordAndTwoSrvRecords) {
    // "Configuration Type 1 server: No. of A Records 1, No. of SRV Records 2".
    auto zones = example("scs-single.yaml");
    ASSERT_TRUE(zones);
    EXPECT_EQ(all_lines(*zones, SRV),
              (std::set<std::string>{
                  "_sip._tcp.scsnetwork.local. 1800 IN SRV 2 0 5060 scs1.scsnetwork.local.",
                  "_sip._udp.scsnetwork.local. 1800 IN SRV 1 0 5060 scs1.scsnetwork.local.",
              }));
    EXPECT_EQ(all_lines(*zones, A),
              (std::set<std::string>{"scs1.scsnetwork.local. 1800 IN A 192.0.2.11"}));
}

TEST(ScsTables, HighAvailabilityIsTheGuidesTwelveSrvRecords) {
    // The guide's HA table, rows 1-12, with the servers' real names (its screenshots' typos
    // "scserver2" and "scserver1domain" are not reproduced).
    auto zones = example("scs-ha.yaml");
    ASSERT_TRUE(zones);
    const std::string s1 = "scs1.scsnetwork.local.", s2 = "scs2.scsnetwork.local.";
    const std::string root = ".scsnetwork.local. 1800 IN SRV ";
    const std::string rr1 = ".rr.scs1.scsnetwork.local. 1800 IN SRV ";
    const std::string rr2 = ".rr.scs2.scsnetwork.local. 1800 IN SRV ";
    EXPECT_EQ(all_lines(*zones, SRV), (std::set<std::string>{
                                          "_sip._udp" + root + "1 0 5060 " + s1,   // 1
                                          "_sip._tcp" + root + "3 0 5060 " + s1,   // 2
                                          "_sip._udp" + root + "2 0 5060 " + s2,   // 3
                                          "_sip._tcp" + root + "4 0 5060 " + s2,   // 4
                                          "_sip._tcp" + rr1 + "1 0 5070 " + s1,    // 5
                                          "_sip._udp" + rr1 + "3 0 5070 " + s1,    // 6
                                          "_sip._tcp" + rr1 + "2 100 5070 " + s2,  // 7
                                          "_sip._udp" + rr1 + "4 100 5070 " + s2,  // 8
                                          "_sip._tcp" + rr2 + "1 0 5070 " + s2,    // 9
                                          "_sip._udp" + rr2 + "3 0 5070 " + s2,    // 10
                                          "_sip._tcp" + rr2 + "2 100 5070 " + s1,  // 11
                                          "_sip._udp" + rr2 + "4 100 5070 " + s1,  // 12
                                      }));
    // "No. of A records 2, in sub-domain1 1, in sub-domain2 1".
    EXPECT_EQ(all_lines(*zones, A), (std::set<std::string>{
                                        "scs1.scsnetwork.local. 1800 IN A 192.0.2.11",
                                        "scs2.scsnetwork.local. 1800 IN A 192.0.2.12",
                                        "rr.scs1.scsnetwork.local. 1800 IN A 192.0.2.11",
                                        "rr.scs2.scsnetwork.local. 1800 IN A 192.0.2.12",
                                    }));
}

TEST(ScsTables, ThreeServersGeneraliseThePriorities) {
    auto zones = build_from_yaml(R"(
domain: example.test
servers:
  - { name: a, ipv4: 192.0.2.1 }
  - { name: b, ipv4: 192.0.2.2 }
  - { name: c, ipv4: 192.0.2.3 }
reverse: off
)");
    ASSERT_TRUE(zones);
    auto lookup = [&](const std::string& name) {
        return section_lines(zones->lookup(wire(name), SRV).answer);
    };
    EXPECT_EQ(lookup("_sip._udp.example.test"),
              (std::set<std::string>{
                  "_sip._udp.example.test. 3600 IN SRV 1 0 5060 a.example.test.",
                  "_sip._udp.example.test. 3600 IN SRV 2 0 5060 b.example.test.",
                  "_sip._udp.example.test. 3600 IN SRV 3 0 5060 c.example.test.",
              }));
    EXPECT_EQ(lookup("_sip._tcp.example.test"),
              (std::set<std::string>{
                  "_sip._tcp.example.test. 3600 IN SRV 4 0 5060 a.example.test.",
                  "_sip._tcp.example.test. 3600 IN SRV 5 0 5060 b.example.test.",
                  "_sip._tcp.example.test. 3600 IN SRV 6 0 5060 c.example.test.",
              }));
    EXPECT_EQ(lookup("_sip._tcp.rr.b.example.test"),
              (std::set<std::string>{
                  "_sip._tcp.rr.b.example.test. 3600 IN SRV 2 100 5070 a.example.test.",
                  "_sip._tcp.rr.b.example.test. 3600 IN SRV 1 0 5070 b.example.test.",
                  "_sip._tcp.rr.b.example.test. 3600 IN SRV 2 100 5070 c.example.test.",
              }));
}

TEST(ScsTables, TlsAddsSipsAndSipTlsAndTheirNaptr) {
    auto zones = build_from_yaml(R"(
domain: example.test
servers:
  - { name: a, ipv4: 192.0.2.1 }
sip: { transports: [udp, tcp, tls], tls_port: 5061 }
reverse: off
)");
    ASSERT_TRUE(zones);
    EXPECT_EQ(section_lines(zones->lookup(wire("_sips._tcp.example.test"), SRV).answer),
              (std::set<std::string>{
                  "_sips._tcp.example.test. 3600 IN SRV 1 0 5061 a.example.test."}));
    EXPECT_EQ(section_lines(zones->lookup(wire("_sip._tls.example.test"), SRV).answer),
              (std::set<std::string>{
                  "_sip._tls.example.test. 3600 IN SRV 1 0 5061 a.example.test."}));
    EXPECT_EQ(section_lines(zones->lookup(wire("example.test"), zone::rrtype::NAPTR).answer),
              (std::set<std::string>{
                  "example.test. 3600 IN NAPTR 10 10 \"s\" \"SIP+D2U\" \"\" _sip._udp.example.test.",
                  "example.test. 3600 IN NAPTR 10 20 \"s\" \"SIP+D2T\" \"\" _sip._tcp.example.test.",
                  "example.test. 3600 IN NAPTR 10 30 \"s\" \"SIPS+D2T\" \"\" _sips._tcp.example.test.",
              }));
}

TEST(ScsTables, NsAndSoaNameTheServers) {
    auto zones = example("scs-ha.yaml");
    ASSERT_TRUE(zones);
    EXPECT_EQ(all_lines(*zones, zone::rrtype::NS),
              (std::set<std::string>{
                  "scsnetwork.local. 1800 IN NS scs1.scsnetwork.local.",
                  "scsnetwork.local. 1800 IN NS scs2.scsnetwork.local.",
                  "2.0.192.in-addr.arpa. 1800 IN NS scs1.scsnetwork.local.",
                  "2.0.192.in-addr.arpa. 1800 IN NS scs2.scsnetwork.local.",
              }));
    zone::SoaFields soa;
    ASSERT_TRUE(zone::parse_soa(zones->forward_zone()->soa().rdatas.front(), soa));
    EXPECT_EQ(soa.mname, wire("scs1.scsnetwork.local"));
    EXPECT_EQ(soa.rname, wire("hostmaster.scsnetwork.local"));
}

TEST(ScsTables, ReversePtrForEveryServerAndHostButNotRr) {
    auto zones = build_from_yaml(R"(
domain: example.test
servers:
  - { name: a, ipv4: 192.0.2.1, ipv6: "2001:db8::1" }
  - { name: b, ipv4: 192.0.2.2 }
hosts:
  shared: 192.0.2.1      # same address as server a: the server wins
  gw: 198.51.100.7
)");
    ASSERT_TRUE(zones);
    EXPECT_EQ(all_lines(*zones, zone::rrtype::PTR),
              (std::set<std::string>{
                  "1.2.0.192.in-addr.arpa. 3600 IN PTR a.example.test.",
                  "2.2.0.192.in-addr.arpa. 3600 IN PTR b.example.test.",
                  "7.100.51.198.in-addr.arpa. 3600 IN PTR gw.example.test.",
                  "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa. 3600 IN "
                  "PTR a.example.test.",
              }));
    std::set<std::string> apexes;
    for (const auto& z : zones->zones()) apexes.insert(zone::name_to_text(z->apex()));
    EXPECT_EQ(apexes, (std::set<std::string>{"example.test.", "2.0.192.in-addr.arpa.",
                                             "100.51.198.in-addr.arpa.",
                                             "0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa."}));
}

TEST(ScsTables, ListedReversePrefixesChooseTheZones) {
    auto zones = build_from_yaml(R"(
domain: example.test
servers:
  - { name: a, ipv4: 192.0.2.1 }
hosts:
  far: 198.51.100.7
reverse: [192.0.0.0/16]
)");
    ASSERT_TRUE(zones);
    EXPECT_EQ(all_lines(*zones, zone::rrtype::PTR),
              (std::set<std::string>{"1.2.0.192.in-addr.arpa. 3600 IN PTR a.example.test."}));
    EXPECT_EQ(zones->zones().size(), 2u);
    EXPECT_EQ(zone::name_to_text(zones->zones()[1]->apex()), "0.192.in-addr.arpa.");
}

}  // namespace
}  // namespace sipdns::test
