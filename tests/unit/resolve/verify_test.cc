// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
// `sipdnsd verify`: a plan check against a reply (no sockets): the served rdatas compared with
// the expected ones as a multiset, SOA serials free unless fixed, a location's answer accepted
// and named, rcodes and missing/extra records reported.
#include <gtest/gtest.h>

#include <sstream>

#include "sipdns/config/loader.h"
#include "sipdns/resolve/verify.h"
#include "sipdns/zone/builder.h"
#include "sipdns/zone/name.h"
#include "sipdns/zone/rr_types.h"

namespace sipdns::resolve {
namespace {

struct Site {
    config::SiteConfig config;
    std::shared_ptr<const zone::SiteZones> zones;
    zone::DnsChecks checks;
};

Site load(const std::string& example) {
    Site s;
    auto cfg = config::load_site_file(std::string(SIPDNS_EXAMPLES_DIR) + "/" + example);
    EXPECT_TRUE(cfg);
    s.config = *cfg;
    zone::SerialPolicy policy;
    policy.base_time = 1700000000;
    auto zones = zone::build_site_zones(s.config, policy);
    EXPECT_TRUE(zones);
    s.zones = *zones;
    s.checks = zone::dns_checks(s.config, *s.zones);
    return s;
}

const zone::DnsCheck& find_check(const Site& s, const std::string& name, std::uint16_t type) {
    for (const auto& z : s.checks.zones)
        for (const auto& c : z.checks)
            if (c.name == name && c.type == type) return c;
    ADD_FAILURE() << "no check " << name;
    static const zone::DnsCheck none;
    return none;
}

// A reply carrying the RRset as `view` serves it, changed by `edit`.
Reply reply_from(const zone::ZoneSet& view, const zone::DnsCheck& check,
                 const std::function<void(std::vector<std::string>&)>& edit = {}) {
    Reply r;
    r.answered = true;
    r.rcode_name = "NOERROR";
    std::vector<std::string> rdatas;
    if (const zone::Node* node = view.find_node(check.owner_wire))
        if (const zone::RRset* set = node->find(check.type))
            for (const auto& rd : set->rdatas) rdatas.emplace_back(rd);
    if (edit) edit(rdatas);
    for (auto it = rdatas.rbegin(); it != rdatas.rend(); ++it)  // another order than the zone's
        r.answer.push_back({check.name + ".", check.type, *it, {}});
    return r;
}

TEST(Verify, TheServedRRsetMatchesInAnyOrder) {
    const Site s = load("scs-ha.yaml");
    const auto& check = find_check(s, "_sip._udp.scsnetwork.local", zone::rrtype::SRV);
    const CheckResult r = compare_with_reply(check, reply_from(s.zones->default_view(), check));
    EXPECT_TRUE(r.ok);
    EXPECT_EQ(r.got.size(), 2u);
}

TEST(Verify, AMissingOrExtraRecordIsAMismatch) {
    const Site s = load("scs-ha.yaml");
    const auto& check = find_check(s, "_sip._udp.scsnetwork.local", zone::rrtype::SRV);
    const auto& view = s.zones->default_view();
    const CheckResult missing = compare_with_reply(
        check, reply_from(view, check, [](auto& rds) { rds.pop_back(); }));
    EXPECT_FALSE(missing.ok);
    EXPECT_EQ(missing.got.size(), 1u);
    const CheckResult extra = compare_with_reply(
        check, reply_from(view, check, [](auto& rds) { rds.push_back(rds.front()); }));
    EXPECT_FALSE(extra.ok);
}

TEST(Verify, AnRcodeInsteadOfRecordsIsNamed) {
    const Site s = load("scs-ha.yaml");
    const auto& check = find_check(s, "scs2.scsnetwork.local", zone::rrtype::A);
    Reply nx;
    nx.answered = true;
    nx.rcode_name = "NXDOMAIN";
    const CheckResult r = compare_with_reply(check, nx);
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.problem, "NXDOMAIN");
    Reply empty = nx;
    empty.rcode_name = "NOERROR";
    EXPECT_EQ(compare_with_reply(check, empty).problem, "no records");
}

TEST(Verify, AnySoaSerialMatchesUnlessTheSiteFixesIt) {
    const Site s = load("scs-ha.yaml");
    const auto& check = find_check(s, "scsnetwork.local", zone::rrtype::SOA);
    ASSERT_TRUE(check.any_serial);
    // mname rname SERIAL ...: bump the serial octets (RFC 1035 §3.3.13: after the two names).
    const Reply other_serial = reply_from(s.zones->default_view(), check, [](auto& rds) {
        std::string& rd = rds.front();
        std::size_t at = 0;
        for (int name = 0; name < 2; ++name) {
            while (rd[at] != 0) at += 1 + static_cast<unsigned char>(rd[at]);
            ++at;
        }
        rd[at + 3] = static_cast<char>(rd[at + 3] + 1);
    });
    EXPECT_TRUE(compare_with_reply(check, other_serial).ok);
}

TEST(Verify, ALocationsAnswerIsAcceptedAndNamed) {
    const Site s = load("sip-cluster.yaml");
    const auto& check = find_check(s, "_sip._udp.spx-srv.example.com", zone::rrtype::SRV);
    ASSERT_EQ(check.from_locations.size(), 1u);  // dc2 (dc1 is the default)
    const zone::ZoneSet* dc2 = s.zones->location_view("dc2");
    ASSERT_NE(dc2, nullptr);
    const CheckResult r = compare_with_reply(check, reply_from(*dc2, check));
    EXPECT_TRUE(r.ok);
    EXPECT_EQ(r.matched_location, "dc2");
}

TEST(Verify, StopsAtTheFirstQueryWithoutReply) {
    const Site s = load("scs-single.yaml");
    int asked = 0;
    std::ostringstream out;
    const VerifyOutcome outcome = verify_checks(
        s.checks,
        [&](const std::string&, std::uint16_t, bool) {
            ++asked;
            Reply r;
            r.error = "timed out";
            return r;
        },
        out);
    EXPECT_EQ(asked, 1);
    EXPECT_EQ(outcome.unreachable, "timed out");
    EXPECT_FALSE(outcome.ok());
    EXPECT_EQ(out.str(), "NO REPLY  scsnetwork.local SOA: timed out\n");
}

TEST(Verify, EveryCheckOfAnExampleIsAskedOnceAndMatchesItsOwnZones) {
    const Site s = load("scs-tls.yaml");
    std::size_t expected_checks = 0;
    for (const auto& z : s.checks.zones) expected_checks += z.checks.size();
    std::ostringstream out;
    const auto& view = s.zones->default_view();
    const VerifyOutcome outcome = verify_checks(
        s.checks,
        [&](const std::string& name, std::uint16_t type, bool) {
            zone::DnsCheck probe;
            probe.name = name;
            probe.owner_wire = zone::name_to_wire(name);
            probe.type = type;
            return reply_from(view, probe);
        },
        out);
    EXPECT_TRUE(outcome.ok()) << out.str();
    EXPECT_EQ(outcome.checked, expected_checks);
}

}  // namespace
}  // namespace sipdns::resolve
