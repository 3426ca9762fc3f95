// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
// Lookup, table-driven (one row per case: name -> expected sections), as CoreDNS and Knot test.
#include <gtest/gtest.h>

#include "zone_test_support.h"

namespace sipdns::test {
namespace {

using zone::LookupStatus;
namespace rr = zone::rrtype;

const char* kSite = R"(
domain: example.test
ttl: 600
servers:
  - { name: scs1, ipv4: 192.0.2.11 }
  - { name: scs2, ipv4: 192.0.2.12, ipv6: "2001:db8::12" }
hosts:
  ntp: 192.0.2.1
aliases:
  tftp: scs1
  www: tftp
  ext: sip.example.org.
services:
  - { service: _ldap._tcp, port: 389, targets: [ntp] }
records:
  - "@ IN MX 10 scs1"
  - "*.wild IN A 192.0.2.99"
  - "sub IN NS ns.sub"
  - "ns.sub IN A 192.0.2.53"
reverse: off
soa: { minimum: 120 }
)";

struct Row {
    const char* name;
    std::uint16_t type;
    LookupStatus status;
    std::set<std::string> answer;
    std::set<std::string> authority;
    std::set<std::string> additional;
};

const std::string kNegSoa =
    "example.test. 120 IN SOA scs1.example.test. hostmaster.example.test. 1 3600 600 604800 120";

class LookupTable : public ::testing::TestWithParam<Row> {
protected:
    static void SetUpTestSuite() { zones_ = build_from_yaml(kSite); }
    static inline std::shared_ptr<const zone::ZoneSet> zones_;
};

TEST_P(LookupTable, Sections) {
    ASSERT_TRUE(zones_);
    const Row& row = GetParam();
    auto r = zones_->lookup(wire(row.name), row.type);
    EXPECT_EQ(static_cast<int>(r.status), static_cast<int>(row.status));
    EXPECT_EQ(section_lines(r.answer), row.answer);
    EXPECT_EQ(section_lines(r.authority), row.authority);
    EXPECT_EQ(section_lines(r.additional), row.additional);
}

const std::string kA11 = "scs1.example.test. 600 IN A 192.0.2.11";
const std::string kA12 = "scs2.example.test. 600 IN A 192.0.2.12";
const std::string kAAAA12 = "scs2.example.test. 600 IN AAAA 2001:db8::12";

INSTANTIATE_TEST_SUITE_P(
    Rows, LookupTable,
    ::testing::Values(
        Row{"scs1.example.test", rr::A, LookupStatus::Answer, {kA11}, {}, {}},
        Row{"SCS1.Example.TEST", rr::A, LookupStatus::Answer, {kA11}, {}, {}},
        Row{"scs1.example.test", rr::AAAA, LookupStatus::NoData, {}, {kNegSoa}, {}},
        Row{"nope.example.test", rr::A, LookupStatus::NxDomain, {}, {kNegSoa}, {}},
        // Empty non-terminals exist (RFC 8020): NODATA, not NXDOMAIN.
        Row{"_udp.example.test", rr::SRV, LookupStatus::NoData, {}, {kNegSoa}, {}},
        Row{"rr.example.test", rr::A, LookupStatus::NxDomain, {}, {kNegSoa}, {}},
        Row{"_sip._udp.example.test",
            rr::SRV,
            LookupStatus::Answer,
            {"_sip._udp.example.test. 600 IN SRV 1 0 5060 scs1.example.test.",
             "_sip._udp.example.test. 600 IN SRV 2 0 5060 scs2.example.test."},
            {},
            {kA11, kA12, kAAAA12}},
        // NAPTR "s": the SRV RRsets and their targets' addresses (RFC 3263 §4.1).
        Row{"example.test",
            rr::NAPTR,
            LookupStatus::Answer,
            {"example.test. 600 IN NAPTR 10 10 \"s\" \"SIP+D2U\" \"\" _sip._udp.example.test.",
             "example.test. 600 IN NAPTR 10 20 \"s\" \"SIP+D2T\" \"\" _sip._tcp.example.test."},
            {},
            {"_sip._udp.example.test. 600 IN SRV 1 0 5060 scs1.example.test.",
             "_sip._udp.example.test. 600 IN SRV 2 0 5060 scs2.example.test.",
             "_sip._tcp.example.test. 600 IN SRV 3 0 5060 scs1.example.test.",
             "_sip._tcp.example.test. 600 IN SRV 4 0 5060 scs2.example.test.", kA11, kA12,
             kAAAA12}},
        Row{"example.test", rr::MX, LookupStatus::Answer,
            {"example.test. 600 IN MX 10 scs1.example.test."}, {}, {kA11}},
        Row{"example.test",
            rr::NS,
            LookupStatus::Answer,
            {"example.test. 600 IN NS scs1.example.test.",
             "example.test. 600 IN NS scs2.example.test."},
            {},
            {kA11, kA12, kAAAA12}},
        // CNAME chains are followed within the zone; out-of-zone targets end the chain.
        Row{"www.example.test",
            rr::A,
            LookupStatus::Answer,
            {"www.example.test. 600 IN CNAME tftp.example.test.",
             "tftp.example.test. 600 IN CNAME scs1.example.test.", kA11},
            {},
            {}},
        Row{"tftp.example.test",
            rr::AAAA,
            LookupStatus::NoData,
            {"tftp.example.test. 600 IN CNAME scs1.example.test."},
            {kNegSoa},
            {}},
        Row{"tftp.example.test", rr::CNAME, LookupStatus::Answer,
            {"tftp.example.test. 600 IN CNAME scs1.example.test."}, {}, {}},
        Row{"ext.example.test", rr::A, LookupStatus::Answer,
            {"ext.example.test. 600 IN CNAME sip.example.org."}, {}, {}},
        // Wildcards (RFC 4592): synthesised with the query name as owner.
        Row{"x.wild.example.test", rr::A, LookupStatus::Answer,
            {"x.wild.example.test. 600 IN A 192.0.2.99"}, {}, {}},
        Row{"x.wild.example.test", rr::MX, LookupStatus::NoData, {}, {kNegSoa}, {}},
        Row{"a.b.wild.example.test", rr::A, LookupStatus::Answer,
            {"a.b.wild.example.test. 600 IN A 192.0.2.99"}, {}, {}},
        // Delegation: referral with glue, not authoritative.
        Row{"www.sub.example.test",
            rr::A,
            LookupStatus::Referral,
            {},
            {"sub.example.test. 600 IN NS ns.sub.example.test."},
            {"ns.sub.example.test. 600 IN A 192.0.2.53"}},
        Row{"ns.sub.example.test",
            rr::A,
            LookupStatus::Referral,
            {},
            {"sub.example.test. 600 IN NS ns.sub.example.test."},
            {"ns.sub.example.test. 600 IN A 192.0.2.53"}},
        Row{"_ldap._tcp.example.test", rr::SRV, LookupStatus::Answer,
            {"_ldap._tcp.example.test. 600 IN SRV 0 0 389 ntp.example.test."}, {},
            {"ntp.example.test. 600 IN A 192.0.2.1"}},
        Row{"example.org", rr::A, LookupStatus::NotAuthoritative, {}, {}, {}}));

TEST(Lookup, AnyReturnsEveryRRsetOfTheName) {
    auto zones = build_from_yaml(kSite);
    ASSERT_TRUE(zones);
    auto r = zones->lookup(wire("scs2.example.test"), rr::ANY);
    EXPECT_EQ(r.status, LookupStatus::Answer);
    EXPECT_EQ(section_lines(r.answer), (std::set<std::string>{kA12, kAAAA12}));
}

}  // namespace
}  // namespace sipdns::test
