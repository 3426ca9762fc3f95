// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
// The conflict rules of docs/design.md §3 and the other build-time checks, each with its exact
// message.
#include <gtest/gtest.h>

#include "zone_test_support.h"

namespace sipdns::test {
namespace {

struct BadSite {
    const char* what;
    const char* yaml;
    std::vector<std::string> errors;
};

class BuildErrors : public ::testing::TestWithParam<BadSite> {};

TEST_P(BuildErrors, ExactMessages) {
    EXPECT_EQ(build_errors(GetParam().yaml), GetParam().errors) << GetParam().what;
}

INSTANTIATE_TEST_SUITE_P(
    Rows, BuildErrors,
    ::testing::Values(
        BadSite{"a CNAME alias beside other data (RFC 1034 §3.6.2)",
                "domain: example.test\n"
                "servers:\n"
                "  - { name: scs1, ipv4: 192.0.2.11 }\n"
                "aliases:\n"
                "  scs1: other\n",
                {"site.yaml:5:3: aliases: 'scs1.example.test' cannot be an alias (CNAME): the "
                 "name also has A records from servers (line 3) (RFC 1034 §3.6.2)",
                 "site.yaml:5:3: aliases: alias target 'other.example.test' names nothing in "
                 "example.test: clients would get NXDOMAIN (add it under hosts, or fix the "
                 "name)"}},
        BadSite{"an alias (a records: line) where a generated PTR lives: the PTRs are placed in "
                "a second pass, and the alias check must still see both",
                "domain: example.test\n"
                "servers:\n"
                "  - { name: scs1, ipv4: 192.0.2.11 }\n"
                "records:\n"
                "  - '11.2.0.192.in-addr.arpa. IN CNAME other.example.net.'\n",
                {"site.yaml:5:5: records: '11.2.0.192.in-addr.arpa' cannot be an alias (CNAME): "
                 "the name also has PTR records from reverse (line 3) (RFC 1034 §3.6.2)"}},
        BadSite{"an SRV target that is an alias (RFC 2782)",
                "domain: example.test\n"
                "hosts:\n"
                "  dc1: 192.0.2.30\n"
                "aliases:\n"
                "  ldap: dc1\n"
                "services:\n"
                "  - { service: _ldap._tcp, port: 389, targets: [ldap] }\n"
                "nameservers: [dc1]\n",
                {"site.yaml:7:49: services: SRV target 'ldap.example.test' is an alias (CNAME); "
                 "SRV targets must be names with addresses (RFC 2782)"}},
        BadSite{"an MX target that is an alias (RFC 2181 §10.3)",
                "domain: example.test\n"
                "servers:\n"
                "  - { name: scs1, ipv4: 192.0.2.11 }\n"
                "aliases:\n"
                "  mail: scs1\n"
                "records:\n"
                "  - '@ IN MX 10 mail'\n",
                {"site.yaml:7:5: records: MX target 'mail.example.test' is an alias (CNAME); MX "
                 "targets must be names with addresses (RFC 2181 §10.3)"}},
        BadSite{"one name, two different addresses",
                "domain: example.test\n"
                "servers:\n"
                "  - { name: scs1, ipv4: 192.0.2.11 }\n"
                "hosts:\n"
                "  scs1: 192.0.2.99\n",
                {"site.yaml:5:3: hosts: 'scs1.example.test' has different addresses here and in "
                 "servers (line 3); a name must have the same addresses everywhere"}},
        // The HA redirect names (rr.<server>, SCS 4.0 guide) are generated: a clash names the
        // server they are made for, wherever the file gives the name.
        BadSite{"a host named like a server's generated redirect name",
                "domain: example.test\n"
                "servers:\n"
                "  - { name: s1, ipv4: 192.0.2.11 }\n"
                "  - { name: s2, ipv4: 192.0.2.12 }\n"
                "hosts:\n"
                "  rr.s2: 192.0.2.99\n",
                {"site.yaml:6:3: hosts: 'rr.s2.example.test' clashes with the redirect name "
                 "rr.s2.example.test generated for servers[1] 's2.example.test' (line 4; an HA "
                 "site gives each server one, with SRV records for sip.redirect_port); give it "
                 "another name, or the same addresses"}},
        BadSite{"the same, with the hosts before the servers",
                "domain: example.test\n"
                "hosts:\n"
                "  rr.s1: 192.0.2.99\n"
                "servers:\n"
                "  - { name: s1, ipv4: 192.0.2.11 }\n"
                "  - { name: s2, ipv4: 192.0.2.12 }\n",
                {"site.yaml:3:3: hosts: 'rr.s1.example.test' clashes with the redirect name "
                 "rr.s1.example.test generated for servers[0] 's1.example.test' (line 5; an HA "
                 "site gives each server one, with SRV records for sip.redirect_port); give it "
                 "another name, or the same addresses"}},
        BadSite{"a server named like another server's redirect name",
                "domain: example.test\n"
                "servers:\n"
                "  - { name: s1, ipv4: 192.0.2.11 }\n"
                "  - { name: rr.s1, ipv4: 192.0.2.12 }\n",
                {"site.yaml:4:5: servers: 'rr.s1.example.test' clashes with the redirect name "
                 "rr.s1.example.test generated for servers[0] 's1.example.test' (line 3; an HA "
                 "site gives each server one, with SRV records for sip.redirect_port); give it "
                 "another name, or the same addresses"}},
        BadSite{"an alias at a server's redirect name",
                "domain: example.test\n"
                "servers:\n"
                "  - { name: s1, ipv4: 192.0.2.11 }\n"
                "  - { name: s2, ipv4: 192.0.2.12 }\n"
                "aliases:\n"
                "  rr.s1: s2\n",
                {"site.yaml:6:3: aliases: 'rr.s1.example.test' cannot be an alias (CNAME): the "
                 "name also has A records from the redirect name rr.s1.example.test generated "
                 "for servers[0] 's1.example.test' (line 3; an HA site gives each server one, "
                 "with SRV records for sip.redirect_port) (RFC 1034 §3.6.2)"}},
        // Targets inside our zones must name something (RFC 2782: an SRV target is a host
        // with addresses); outside them they are not ours to know.
        BadSite{"an SRV target that names nothing in the zone",
                "domain: example.test\n"
                "hosts:\n"
                "  dc1: 192.0.2.30\n"
                "services:\n"
                "  - { service: _ldap._tcp, port: 389, targets: [dc9] }\n"
                "nameservers: [dc1]\n",
                {"site.yaml:5:49: services: SRV target 'dc9.example.test' names nothing in "
                 "example.test: clients would get NXDOMAIN (add it under hosts, or fix the "
                 "name)"}},
        BadSite{"an MX target that names nothing",
                "domain: example.test\n"
                "servers:\n"
                "  - { name: scs1, ipv4: 192.0.2.11 }\n"
                "records:\n"
                "  - '@ IN MX 10 mail'\n",
                {"site.yaml:5:5: records: MX target 'mail.example.test' names nothing in "
                 "example.test: clients would get NXDOMAIN (add it under hosts, or fix the "
                 "name)"}},
        BadSite{"an NS record's target that names nothing",
                "domain: example.test\n"
                "servers:\n"
                "  - { name: scs1, ipv4: 192.0.2.11 }\n"
                "records:\n"
                "  - '@ IN NS ns2'\n",
                {"site.yaml:5:5: records: NS target 'ns2.example.test' names nothing in "
                 "example.test: clients would get NXDOMAIN (add it under hosts, or fix the "
                 "name)"}},
        BadSite{"a name server under nameservers with no address",
                "domain: example.test\n"
                "hosts:\n"
                "  gw: 192.0.2.1\n"
                "nameservers: [ns1]\n",
                {"site.yaml:4:15: nameservers[0]: 'ns1.example.test' names nothing in example.test: a name "
                 "server inside the zone needs an address (add it under hosts)"}},
        BadSite{"a PTR (records: line) to a name that is not in the zone",
                "domain: example.test\n"
                "servers:\n"
                "  - { name: scs1, ipv4: 192.0.2.11 }\n"
                "records:\n"
                "  - '12.2.0.192.in-addr.arpa. IN CNAME 11.2.0.192.in-addr.arpa.'\n"
                "  - '13.2.0.192.in-addr.arpa. IN CNAME 99.2.0.192.in-addr.arpa.'\n",
                {"site.yaml:6:5: records: alias target '99.2.0.192.in-addr.arpa' names "
                 "nothing in 2.0.192.in-addr.arpa: clients would get NXDOMAIN (add it under "
                 "hosts, or fix the name)"}},
        // services: at an owner the site generates (SCS guide: _sip._udp/_sip._tcp from the
        // servers) must say whether it adds to or replaces the generated set.
        BadSite{"a services entry at the generated _sip._udp",
                "domain: example.test\n"
                "servers:\n"
                "  - { name: scs1, ipv4: 192.0.2.11 }\n"
                "services:\n"
                "  - { service: _sip._udp, port: 5060, targets: [scs1] }\n",
                {"site.yaml:5:5: services[0]: the SRV records at '_sip._udp.example.test' are "
                 "generated from servers (line 3); write 'generated: add' to serve these "
                 "targets besides them, or 'generated: replace' to serve only these"}},
        BadSite{"a record outside the zone",
                "domain: example.test\n"
                "servers:\n"
                "  - { name: scs1, ipv4: 192.0.2.11 }\n"
                "records:\n"
                "  - 'www.example.org. IN A 192.0.2.80'\n",
                {"site.yaml:5:5: records[0]: owner 'www.example.org' is outside the zone "
                 "'example.test' and its reverse zones, in 'www.example.org. IN A 192.0.2.80'"}},
        BadSite{"a PTR in a reverse zone the site does not serve",
                "domain: example.test\n"
                "servers:\n"
                "  - { name: scs1, ipv4: 192.0.2.11 }\n"
                "records:\n"
                "  - '1.100.51.198.in-addr.arpa. IN PTR scs1'\n",
                {"site.yaml:5:5: records: owner '1.100.51.198.in-addr.arpa' is outside the zone "
                 "example.test and its reverse zones"}},
        BadSite{"a SOA under records",
                "domain: example.test\n"
                "servers:\n"
                "  - { name: scs1, ipv4: 192.0.2.11 }\n"
                "records:\n"
                "  - '@ IN SOA a b 1 2 3 4 5'\n",
                {"site.yaml:5:5: records[0]: SOA is generated from the 'soa:' section; set its "
                 "values there, in '@ IN SOA a b 1 2 3 4 5'"}},
        BadSite{"no name server",
                "domain: example.test\n"
                "hosts:\n"
                "  gw: 192.0.2.1\n",
                {"site.yaml:1:9: nameservers: the zone needs a name server: list servers, or "
                 "name hosts under nameservers"}},
        BadSite{"a reverse prefix off the octet boundary",
                "domain: example.test\n"
                "servers:\n"
                "  - { name: scs1, ipv4: 192.0.2.11 }\n"
                "reverse: [192.0.2.0/25]\n",
                {"site.yaml:4:10: reverse: prefix 192.0.2.0/25 must have a length that is a "
                 "non-zero multiple of 8 for IPv4 (classless delegation, RFC 2317, is not "
                 "supported)"}}));

TEST(Conflicts, SameAddressInTwoPlacesAndDuplicatesCollapse) {
    auto zones = build_from_yaml(R"(
domain: example.test
servers:
  - { name: scs1, ipv4: 192.0.2.11 }
hosts:
  scs1: 192.0.2.11
records:
  - "scs1 IN A 192.0.2.11"
  - "@ IN TXT \"a\""
  - "@ IN TXT \"a\""
reverse: off
)");
    ASSERT_TRUE(zones);
    EXPECT_EQ(all_lines(*zones, zone::rrtype::A),
              (std::set<std::string>{"scs1.example.test. 3600 IN A 192.0.2.11"}));
    EXPECT_EQ(all_lines(*zones, zone::rrtype::TXT),
              (std::set<std::string>{"example.test. 3600 IN TXT \"a\""}));
}

TEST(Conflicts, RecordsMergeWithGeneratedRRsets) {
    auto zones = build_from_yaml(R"(
domain: example.test
servers:
  - { name: scs1, ipv4: 192.0.2.11 }
records:
  - "_sip._udp 300 IN SRV 9 0 5060 backup.example.net."
  - "@ IN NS ns.example.net."
reverse: off
)");
    ASSERT_TRUE(zones);
    EXPECT_EQ(section_lines(zones->lookup(wire("_sip._udp.example.test"), zone::rrtype::SRV).answer),
              (std::set<std::string>{
                  "_sip._udp.example.test. 300 IN SRV 1 0 5060 scs1.example.test.",
                  "_sip._udp.example.test. 300 IN SRV 9 0 5060 backup.example.net.",
              }));
    EXPECT_EQ(all_lines(*zones, zone::rrtype::NS),
              (std::set<std::string>{"example.test. 3600 IN NS scs1.example.test.",
                                     "example.test. 3600 IN NS ns.example.net."}));
}

// Targets that name nothing are fine when the name is below a delegation (the child zone
// answers, RFC 1034 §4.2.1), covered by a wildcard (RFC 4592) or outside our zones.
TEST(TargetsExist, DelegationWildcardOutsideAndRootAreFine) {
    auto zones = build_from_yaml(R"(
domain: example.test
servers:
  - { name: scs1, ipv4: 192.0.2.11 }
hosts:
  ns.lab: 192.0.2.53
records:
  - "lab IN NS ns.lab"
  - "*.dyn IN A 192.0.2.77"
  - "dyn IN TXT \"pool\""
services:
  - { service: _ldap._tcp, port: 389, targets: [dc1.lab, phone7.dyn, dc.example.net.] }
reverse: off
)");
    ASSERT_TRUE(zones);
    EXPECT_TRUE(zones->warnings().empty());
}

TEST(Services, GeneratedAddKeepsBothReplaceServesOnlyTheEntry) {
    const std::string site = R"(
domain: example.test
servers:
  - { name: scs1, ipv4: 192.0.2.11 }
hosts:
  backup: 192.0.2.99
services:
  - { service: _sip._udp, port: 5060, targets: [backup], generated: MODE }
reverse: off
)";
    auto with = [&](const std::string& mode) {
        std::string yaml = site;
        yaml.replace(yaml.find("MODE"), 4, mode);
        return build_from_yaml(yaml);
    };
    auto add = with("add");
    ASSERT_TRUE(add);
    EXPECT_EQ(section_lines(add->lookup(wire("_sip._udp.example.test"), zone::rrtype::SRV).answer),
              (std::set<std::string>{
                  "_sip._udp.example.test. 3600 IN SRV 1 0 5060 scs1.example.test.",
                  "_sip._udp.example.test. 3600 IN SRV 0 0 5060 backup.example.test.",
              }));
    auto replace = with("replace");
    ASSERT_TRUE(replace);
    EXPECT_EQ(section_lines(replace->lookup(wire("_sip._udp.example.test"), zone::rrtype::SRV).answer),
              (std::set<std::string>{
                  "_sip._udp.example.test. 3600 IN SRV 0 0 5060 backup.example.test.",
              }));
    // _sip._tcp is still generated: replace is per owner.
    EXPECT_EQ(section_lines(replace->lookup(wire("_sip._tcp.example.test"), zone::rrtype::SRV).answer),
              (std::set<std::string>{
                  "_sip._tcp.example.test. 3600 IN SRV 2 0 5060 scs1.example.test.",
              }));
}

TEST(Services, GeneratedWhereNothingIsGeneratedIsAWarning) {
    auto zones = build_from_yaml(R"(
domain: example.test
servers:
  - { name: scs1, ipv4: 192.0.2.11 }
services:
  - { service: _ldap._tcp, port: 389, targets: [scs1], generated: add }
reverse: off
)");
    ASSERT_TRUE(zones);
    ASSERT_EQ(zones->warnings().size(), 1u);
    EXPECT_EQ(zones->warnings()[0].to_string(),
              "site.yaml:6:5: warning: services[0].generated: the site generates no SRV records "
              "at '_ldap._tcp.example.test', so there is nothing to add to or replace");
}

// One PTR per address (RFC 1912 §2.1): two names on one address serve, with a warning that
// says which name the reverse lookup gives.
TEST(SharedAddress, WarnsWhichNameGetsThePtr) {
    auto zones = build_from_yaml(R"(
domain: example.test
servers:
  - { name: scs1, ipv4: 192.0.2.11 }
hosts:
  scs1: 192.0.2.11
  media: 192.0.2.11
)");
    ASSERT_TRUE(zones);
    std::vector<std::string> warnings;
    for (const auto& w : zones->warnings()) warnings.push_back(w.to_string());
    EXPECT_EQ(warnings,
              (std::vector<std::string>{
                  "site.yaml:7:3: warning: hosts: 'media.example.test' has the address "
                  "192.0.2.11, as servers 'scs1.example.test' (line 4) has: the reverse lookup "
                  "(PTR) of 192.0.2.11 gives scs1.example.test only"}));
    EXPECT_EQ(all_lines(*zones, zone::rrtype::PTR),
              (std::set<std::string>{"11.2.0.192.in-addr.arpa. 3600 IN PTR scs1.example.test."}));
}

TEST(Serial, SameContentSameSerialChangedContentLarger) {
    const std::string site = "domain: example.test\nservers:\n  - { name: a, ipv4: 192.0.2.1 }\n";
    auto cfg = config::load_site_text(site, "site.yaml");
    ASSERT_TRUE(cfg);
    auto first = zone::build_zone_set(*cfg, serial_policy(1000));
    ASSERT_TRUE(first);
    EXPECT_EQ((*first)->serial(), 1000u);
    auto same = zone::build_zone_set(*cfg, serial_policy(5000, (*first)->serial(), (*first)->content_hash()));
    ASSERT_TRUE(same);
    EXPECT_EQ((*same)->serial(), 1000u);

    auto changed_cfg =
        config::load_site_text(site + "hosts:\n  gw: 192.0.2.9\n", "site.yaml");
    ASSERT_TRUE(changed_cfg);
    auto changed =
        zone::build_zone_set(*changed_cfg, serial_policy(900, (*first)->serial(), (*first)->content_hash()));
    ASSERT_TRUE(changed);
    EXPECT_EQ((*changed)->serial(), 1001u);  // never decreases, even with an older base time
    auto later =
        zone::build_zone_set(*changed_cfg, serial_policy(7000, (*first)->serial(), (*first)->content_hash()));
    ASSERT_TRUE(later);
    EXPECT_EQ((*later)->serial(), 7000u);

    auto fixed_cfg = config::load_site_text(site + "soa: { serial: 2026112201 }\n", "site.yaml");
    ASSERT_TRUE(fixed_cfg);
    auto fixed = zone::build_zone_set(*fixed_cfg, {});
    ASSERT_TRUE(fixed);
    EXPECT_EQ((*fixed)->serial(), 2026112201u);
}

TEST(Serial, OrderOfTheFileDoesNotChangeTheContentHash) {
    auto a = build_from_yaml("domain: e.test\nhosts:\n  x: 192.0.2.1\n  y: 192.0.2.2\n"
                             "nameservers: [x]\n");
    auto b = build_from_yaml("domain: e.test\nhosts:\n  y: 192.0.2.2\n  x: 192.0.2.1\n"
                             "nameservers: [x]\n");
    ASSERT_TRUE(a && b);
    EXPECT_EQ(a->content_hash(), b->content_hash());
}

}  // namespace
}  // namespace sipdns::test
