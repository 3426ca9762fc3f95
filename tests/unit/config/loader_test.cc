// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
// A valid site loads into exactly the expected structs (docs/design.md §2).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "sipdns/config/loader.h"

namespace sipdns::config {
namespace {

IpAddress ip(const char* text) {
    auto a = IpAddress::parse(text);
    EXPECT_TRUE(a) << text;
    return a.value_or(IpAddress{});
}

std::string joined(const Diagnostics& diags) {
    std::string s;
    for (const auto& d : diags) s += d.to_string() + "\n";
    return s;
}

SiteConfig load_ok(const std::string& yaml) {
    auto r = load_site_text(yaml, "site.yaml");
    EXPECT_TRUE(r) << joined(r ? Diagnostics{} : r.error());
    return r ? std::move(*r) : SiteConfig{};
}

// Every section of docs/design.md §2 at once; line numbers matter for the SourcePos checks.
const char* const kFullSite = R"(domain: ScsNetwork.Local.
ttl: 1800
servers:
  - { name: scs1, ipv4: 192.0.2.11, ipv6: "2001:db8::11" }
  - { name: scs2.scsnetwork.local., ipv4: 192.0.2.12 }
  - name: scs3
    ipv6: 2001:db8::13
sip:
  transports: [udp, tcp, TLS]
  proxy_port: 5062
  redirect_port: 5072
  tls_port: 5063
  naptr: false
hosts:
  ntp: 192.0.2.1
  gw1: [192.0.2.20, "2001:db8::20"]
  "@": 192.0.2.10
  dc1.example.com.: 198.51.100.1
aliases:
  tftp: scs1
  www: web.example.net.
services:
  - { service: _ldap._tcp, port: 389, targets: [dc1, dc2.example.com.] }
  - service: _sip._udp.sip-dc
    targets:
      - { target: sip-dc1, priority: 10, weight: 50, port: 6000 }
      - { target: sip-dc2, priority: 20, port: 6001 }
records:
  - "@ IN TXT \"site=lab-3\""
reverse: [192.0.2.0/24, "2001:db8::/64"]
nameservers: [scs1, ns.example.net.]
soa:
  serial: 2024010101
  refresh: 7200
  retry: 900
  expire: 1209600
  minimum: 60
  rname: dns-admin
server:
  listen: ["0.0.0.0:53", "[::]:5353"]
  threads: 4
  nsid: scs-a
  identity: scs1.scsnetwork.local
  version: "1.0"
  edns_udp_size: 1400
  tcp_idle_timeout_ms: 5000
  tcp_max_connections: 200
  tcp_io_timeout_ms: 750
)";

TEST(Loader, FullSiteFillsEveryStruct) {
    const SiteConfig s = load_ok(kFullSite);
    EXPECT_EQ(s.file, "site.yaml");
    EXPECT_EQ(s.domain, "scsnetwork.local");
    EXPECT_EQ(s.domain_pos, (SourcePos{1, 9}));
    EXPECT_EQ(s.ttl, 1800u);

    ASSERT_EQ(s.servers.size(), 3u);
    EXPECT_EQ(s.servers[0].name, "scs1.scsnetwork.local");
    EXPECT_EQ(s.servers[0].ipv4, ip("192.0.2.11"));
    EXPECT_EQ(s.servers[0].ipv6, ip("2001:db8::11"));
    EXPECT_EQ(s.servers[0].pos, (SourcePos{4, 5}));
    EXPECT_EQ(s.servers[1].name, "scs2.scsnetwork.local");
    EXPECT_EQ(s.servers[1].ipv4, ip("192.0.2.12"));
    EXPECT_FALSE(s.servers[1].ipv6);
    EXPECT_EQ(s.servers[2].name, "scs3.scsnetwork.local");
    EXPECT_FALSE(s.servers[2].ipv4);
    EXPECT_EQ(s.servers[2].ipv6, ip("2001:db8::13"));
    EXPECT_EQ(s.servers[2].pos, (SourcePos{6, 5}));

    EXPECT_EQ(s.sip.transports,
              (std::vector{SipTransport::Udp, SipTransport::Tcp, SipTransport::Tls}));
    EXPECT_EQ(s.sip.proxy_port, 5062);
    EXPECT_EQ(s.sip.redirect_port, 5072);
    EXPECT_EQ(s.sip.tls_port, 5063);
    EXPECT_FALSE(s.sip.naptr);
    EXPECT_EQ(s.sip.pos, (SourcePos{9, 3}));

    ASSERT_EQ(s.hosts.size(), 4u);  // file order is kept
    EXPECT_EQ(s.hosts[0].name, "ntp.scsnetwork.local");
    EXPECT_EQ(s.hosts[0].addresses, std::vector{ip("192.0.2.1")});
    EXPECT_EQ(s.hosts[0].pos, (SourcePos{15, 3}));
    EXPECT_EQ(s.hosts[1].name, "gw1.scsnetwork.local");
    EXPECT_EQ(s.hosts[1].addresses, (std::vector{ip("192.0.2.20"), ip("2001:db8::20")}));
    EXPECT_EQ(s.hosts[2].name, "scsnetwork.local");
    EXPECT_EQ(s.hosts[3].name, "dc1.example.com");

    ASSERT_EQ(s.aliases.size(), 2u);
    EXPECT_EQ(s.aliases[0].name, "tftp.scsnetwork.local");
    EXPECT_EQ(s.aliases[0].target, "scs1.scsnetwork.local");
    EXPECT_EQ(s.aliases[0].pos, (SourcePos{20, 3}));
    EXPECT_EQ(s.aliases[1].name, "www.scsnetwork.local");
    EXPECT_EQ(s.aliases[1].target, "web.example.net");

    ASSERT_EQ(s.services.size(), 2u);
    const ServiceEntry& ldap = s.services[0];
    EXPECT_EQ(ldap.owner, "_ldap._tcp.scsnetwork.local");
    ASSERT_EQ(ldap.targets.size(), 2u);
    EXPECT_EQ(ldap.targets[0].target, "dc1.scsnetwork.local");
    EXPECT_EQ(ldap.targets[0].priority, 0);
    EXPECT_EQ(ldap.targets[0].weight, 0);
    EXPECT_EQ(ldap.targets[0].port, 389);
    EXPECT_EQ(ldap.targets[1].target, "dc2.example.com");
    EXPECT_EQ(ldap.targets[1].port, 389);
    const ServiceEntry& dc = s.services[1];
    EXPECT_EQ(dc.owner, "_sip._udp.sip-dc.scsnetwork.local");
    EXPECT_EQ(dc.pos, (SourcePos{24, 5}));
    ASSERT_EQ(dc.targets.size(), 2u);
    EXPECT_EQ(dc.targets[0].target, "sip-dc1.scsnetwork.local");
    EXPECT_EQ(dc.targets[0].priority, 10);
    EXPECT_EQ(dc.targets[0].weight, 50);
    EXPECT_EQ(dc.targets[0].port, 6000);
    EXPECT_EQ(dc.targets[0].pos, (SourcePos{26, 9}));
    EXPECT_EQ(dc.targets[1].target, "sip-dc2.scsnetwork.local");
    EXPECT_EQ(dc.targets[1].priority, 20);
    EXPECT_EQ(dc.targets[1].weight, 0);  // default
    EXPECT_EQ(dc.targets[1].port, 6001);

    ASSERT_EQ(s.records.size(), 1u);
    EXPECT_EQ(s.records[0].text, "@ IN TXT \"site=lab-3\"");
    EXPECT_EQ(s.records[0].owner, "scsnetwork.local");
    EXPECT_EQ(s.records[0].type, 16);
    EXPECT_EQ(s.records[0].ttl, 1800u);
    EXPECT_EQ(s.records[0].rdata, "\x0Asite=lab-3");
    EXPECT_EQ(s.records[0].pos, (SourcePos{29, 5}));

    EXPECT_EQ(s.reverse.mode, ReverseSettings::Mode::Prefixes);
    EXPECT_EQ(s.reverse.prefixes,
              (std::vector{*IpPrefix::parse("192.0.2.0/24"), *IpPrefix::parse("2001:db8::/64")}));

    EXPECT_EQ(s.nameservers, (std::vector<std::string>{"scs1.scsnetwork.local", "ns.example.net"}));

    EXPECT_EQ(s.soa.serial, 2024010101u);
    EXPECT_EQ(s.soa.refresh, 7200u);
    EXPECT_EQ(s.soa.retry, 900u);
    EXPECT_EQ(s.soa.expire, 1209600u);
    EXPECT_EQ(s.soa.minimum, 60u);
    EXPECT_EQ(s.soa.rname, "dns-admin.scsnetwork.local");

    EXPECT_EQ(s.server.listen, (std::vector<std::string>{"0.0.0.0:53", "[::]:5353"}));
    EXPECT_EQ(s.server.threads, 4u);
    EXPECT_EQ(s.server.nsid, "scs-a");
    EXPECT_EQ(s.server.identity, "scs1.scsnetwork.local");
    EXPECT_EQ(s.server.version, "1.0");
    EXPECT_EQ(s.server.edns_udp_size, 1400);
    EXPECT_EQ(s.server.tcp_idle_timeout_ms, 5000u);
    EXPECT_EQ(s.server.tcp_max_connections, 200u);
    EXPECT_EQ(s.server.tcp_io_timeout_ms, 750u);
}

TEST(Loader, MinimalSiteKeepsDefaults) {
    const SiteConfig s =
        load_ok("domain: scsnetwork.local\nservers:\n  - { name: scs1, ipv4: 192.0.2.11 }\n");
    EXPECT_EQ(s.ttl, 3600u);
    EXPECT_EQ(s.sip.transports, (std::vector{SipTransport::Udp, SipTransport::Tcp}));
    EXPECT_EQ(s.sip.proxy_port, 5060);
    EXPECT_EQ(s.sip.redirect_port, 5070);
    EXPECT_EQ(s.sip.tls_port, 5061);
    EXPECT_TRUE(s.sip.naptr);
    EXPECT_TRUE(s.hosts.empty());
    EXPECT_TRUE(s.aliases.empty());
    EXPECT_TRUE(s.services.empty());
    EXPECT_TRUE(s.records.empty());
    EXPECT_EQ(s.reverse.mode, ReverseSettings::Mode::Auto);
    EXPECT_TRUE(s.nameservers.empty());
    EXPECT_FALSE(s.soa.serial);
    EXPECT_EQ(s.soa.refresh, 3600u);
    EXPECT_EQ(s.soa.minimum, 300u);
    EXPECT_EQ(s.soa.rname, "hostmaster.scsnetwork.local");  // filled in by the loader
    EXPECT_TRUE(s.server.listen.empty());
    EXPECT_EQ(s.server.tcp_io_timeout_ms, 2000u);
    EXPECT_FALSE(s.server.threads);
    EXPECT_EQ(s.server.edns_udp_size, 1232);
    EXPECT_TRUE(s.locations.empty());
    EXPECT_TRUE(s.clusters.empty());
    EXPECT_FALSE(s.lync);
}

// The first example site written for the project, verbatim (comments included): the common
// keys of docs/design.md §2.
TEST(Loader, DesignExampleLoads) {
    const SiteConfig s =
        load_ok(R"(domain: scsnetwork.local          # the SIP domain = the zone apex
ttl: 1800                         # default TTL for generated records
servers:                          # call servers, primary first: 1 = single server, 2+ = HA
  - { name: scs1, ipv4: 192.0.2.11, ipv6: "2001:db8::11" }
  - { name: scs2, ipv4: 192.0.2.12 }
sip:                              # what to generate for the servers
  transports: [udp, tcp]          # add tls for _sips._tcp and _sip._tls
  proxy_port: 5060
  redirect_port: 5070             # rr.<server> records
  tls_port: 5061
  naptr: true
hosts:                            # other names in the site (gateways, NTP, TFTP, phones)
  ntp: 192.0.2.1
  gw1: [192.0.2.20, "2001:db8::20"]
aliases:                          # CNAMEs
  tftp: scs1
services:                         # any other SRV service, same style as SIP
  - { service: _ldap._tcp, port: 389, targets: [dc1] }
records:                          # anything else, in zone-file syntax (parsed with ldns)
  - "@ IN TXT \"site=lab-3\""
reverse: auto                     # PTR for every address; or a list of prefixes; or off
server:                           # daemon settings (CLI flags override)
  listen: ["0.0.0.0:53", "[::]:53"]
)");
    EXPECT_EQ(s.servers.size(), 2u);
    EXPECT_EQ(s.hosts.size(), 2u);
    EXPECT_EQ(s.reverse.mode, ReverseSettings::Mode::Auto);
    EXPECT_EQ(s.server.listen.size(), 2u);
}

IpPrefix prefix(const char* text) {
    auto p = IpPrefix::parse(text);
    EXPECT_TRUE(p) << text;
    return p.value_or(IpPrefix{});
}

// Locations, a geo-aware cluster, an explicit SRV set and Lync (docs/design.md §2, §3), as first
// written for the project, verbatim after a domain.
TEST(Loader, DesignFurtherSectionsLoad) {
    const SiteConfig s = load_ok(R"(domain: example.com
locations:                        # client subnets -> data centre (geo-aware answers)
  dc1: [192.168.11.0/24]
  dc2: [192.168.22.0/24]
clusters:                         # SRV owners whose answer depends on the client's location
  - name: spx-srv                 # -> _sip._udp.spx-srv / _sip._tcp.spx-srv
    port: 5060
    transports: [udp, tcp]
    weight: 50
    priorities: { local: 10, remote: 200 }
    default: dc1                  # for clients in no location
    members:
      dc1: [ { name: dc1-spx1, ipv4: 192.168.11.121 }, { name: dc1-spx2, ipv4: 192.168.11.125 } ]
      dc2: [ { name: dc2-spx1, ipv4: 192.168.22.121 }, { name: dc2-spx2, ipv4: 192.168.22.125 } ]
services:                         # explicit SRV sets (e.g. the SBC fail-over of the cluster guide)
  - service: _sip._udp.sip-dc
    targets:
      - { target: sip-dc1, priority: 10, weight: 50, port: 6000 }
      - { target: sip-dc2, priority: 20, weight: 50, port: 6000 }
lync:                             # Lync / OCS automatic configuration
  pool: { name: pool01, ipv4: 192.0.2.50 }
  edge: { name: sipedge, ipv4: 203.0.113.50 }   # optional
)");
    ASSERT_EQ(s.locations.size(), 2u);
    EXPECT_EQ(s.locations[0].name, "dc1");
    EXPECT_EQ(s.locations[0].prefixes, std::vector{prefix("192.168.11.0/24")});
    EXPECT_EQ(s.locations[0].pos, (SourcePos{3, 3}));
    EXPECT_EQ(s.locations[1].name, "dc2");
    EXPECT_EQ(s.locations[1].prefixes, std::vector{prefix("192.168.22.0/24")});

    ASSERT_EQ(s.clusters.size(), 1u);
    const ClusterEntry& c = s.clusters[0];
    EXPECT_EQ(c.name, "spx-srv.example.com");
    EXPECT_EQ(c.pos, (SourcePos{6, 5}));
    EXPECT_EQ(c.port, 5060);
    EXPECT_EQ(c.transports, (std::vector{SipTransport::Udp, SipTransport::Tcp}));
    EXPECT_EQ(c.weight, 50);
    EXPECT_EQ(c.local_priority, 10);
    EXPECT_EQ(c.remote_priority, 200);
    EXPECT_EQ(c.default_location, "dc1");
    ASSERT_EQ(c.members.size(), 2u);
    EXPECT_EQ(c.members[0].location, "dc1");
    EXPECT_EQ(c.members[0].pos, (SourcePos{13, 7}));
    ASSERT_EQ(c.members[0].members.size(), 2u);
    EXPECT_EQ(c.members[0].members[0].name, "dc1-spx1.example.com");
    EXPECT_EQ(c.members[0].members[0].ipv4, ip("192.168.11.121"));
    EXPECT_FALSE(c.members[0].members[0].ipv6);
    EXPECT_EQ(c.members[0].members[0].pos, (SourcePos{13, 14}));
    EXPECT_EQ(c.members[0].members[1].name, "dc1-spx2.example.com");
    EXPECT_EQ(c.members[0].members[1].ipv4, ip("192.168.11.125"));
    EXPECT_EQ(c.members[1].location, "dc2");
    ASSERT_EQ(c.members[1].members.size(), 2u);
    EXPECT_EQ(c.members[1].members[0].name, "dc2-spx1.example.com");
    EXPECT_EQ(c.members[1].members[1].name, "dc2-spx2.example.com");
    EXPECT_EQ(c.members[1].members[1].ipv4, ip("192.168.22.125"));

    EXPECT_EQ(s.services.size(), 1u);

    ASSERT_TRUE(s.lync);
    EXPECT_EQ(s.lync->pos, (SourcePos{21, 3}));
    EXPECT_EQ(s.lync->pool.name, "pool01.example.com");
    EXPECT_EQ(s.lync->pool.ipv4, ip("192.0.2.50"));
    EXPECT_FALSE(s.lync->pool.ipv6);
    EXPECT_EQ(s.lync->pool.pos, (SourcePos{21, 9}));
    ASSERT_TRUE(s.lync->edge);
    EXPECT_EQ(s.lync->edge->name, "sipedge.example.com");
    EXPECT_EQ(s.lync->edge->ipv4, ip("203.0.113.50"));
    EXPECT_EQ(s.lync->edge->pos, (SourcePos{22, 9}));
}

// A cluster with only a name and members gets the cluster guide's values (port 5060, udp and
// tcp, weight 50, priorities 10 / 200); clients in no location get the first member location.
TEST(Loader, ClusterDefaults) {
    const SiteConfig s = load_ok(R"(domain: example.com
locations: { dc1: 192.168.11.0/24, dc2: 192.168.22.0/24 }
clusters:
  - name: spx-srv
    members:
      dc2: [{ name: dc2-spx1, ipv6: "2001:db8:22::121" }]
      dc1: [{ name: dc1-spx1, ipv4: 192.168.11.121 }]
)");
    ASSERT_EQ(s.clusters.size(), 1u);
    const ClusterEntry& c = s.clusters[0];
    EXPECT_EQ(c.port, 5060);
    EXPECT_EQ(c.transports, (std::vector{SipTransport::Udp, SipTransport::Tcp}));
    EXPECT_EQ(c.weight, 50);
    EXPECT_EQ(c.local_priority, 10);
    EXPECT_EQ(c.remote_priority, 200);
    EXPECT_EQ(c.default_location, "dc2");  // the first member location, in file order
    ASSERT_EQ(c.members.size(), 2u);
    EXPECT_EQ(c.members[0].location, "dc2");
    EXPECT_FALSE(c.members[0].members[0].ipv4);
    EXPECT_EQ(c.members[0].members[0].ipv6, ip("2001:db8:22::121"));
    EXPECT_EQ(c.members[1].location, "dc1");
}

TEST(Loader, ClusterSettingsAndSeveralClusters) {
    const SiteConfig s = load_ok(R"(domain: example.com
locations:
  DC1: [192.168.11.0/24]
  dc2: [192.168.22.0/24]
clusters:
  - name: spx-srv
    port: 5070
    transports: [TLS, udp]
    weight: 0
    priorities: { remote: 20 }
    default: Dc2
    members:
      dc1: [{ name: dc1-spx1, ipv4: 192.168.11.121, ipv6: "2001:db8:11::121" }]
      Dc2: [{ name: dc2-spx1.other.example., ipv4: 192.168.22.121 }]
  - name: sbc.example.com.
    priorities: { local: 5, remote: 5 }
    members:
      dc1: [{ name: dc1-spx1, ipv4: 192.168.11.121 }]
)");
    ASSERT_EQ(s.locations.size(), 2u);
    EXPECT_EQ(s.locations[0].name, "dc1");  // identifiers are case-insensitive
    ASSERT_EQ(s.clusters.size(), 2u);
    const ClusterEntry& a = s.clusters[0];
    EXPECT_EQ(a.port, 5070);
    EXPECT_EQ(a.transports, (std::vector{SipTransport::Tls, SipTransport::Udp}));
    EXPECT_EQ(a.weight, 0);
    EXPECT_EQ(a.local_priority, 10);  // default kept
    EXPECT_EQ(a.remote_priority, 20);
    EXPECT_EQ(a.default_location, "dc2");
    ASSERT_EQ(a.members.size(), 2u);
    EXPECT_EQ(a.members[1].location, "dc2");
    EXPECT_EQ(a.members[0].members[0].ipv6, ip("2001:db8:11::121"));
    EXPECT_EQ(a.members[1].members[0].name, "dc2-spx1.other.example");
    // A second cluster may share members; equal priorities are allowed (no preference).
    const ClusterEntry& b = s.clusters[1];
    EXPECT_EQ(b.name, "sbc.example.com");
    EXPECT_EQ(b.local_priority, 5);
    EXPECT_EQ(b.remote_priority, 5);
    EXPECT_EQ(b.default_location, "dc1");
    EXPECT_EQ(b.members[0].members[0].name, "dc1-spx1.example.com");
}

// A location is one prefix or a list, IPv4 and IPv6; prefixes may nest across locations.
TEST(Loader, LocationPrefixes) {
    const SiteConfig s = load_ok(R"(domain: example.com
hosts: { ntp: 192.0.2.1 }
locations:
  dc1: 192.168.11.0/24
  dc2: [192.168.22.0/24, "2001:DB8:22::/48"]
  wide: [10.0.0.0/8]
  branch_7: [10.1.0.0/16, 0.0.0.0/0]
)");
    ASSERT_EQ(s.locations.size(), 4u);
    EXPECT_EQ(s.locations[0].prefixes, std::vector{prefix("192.168.11.0/24")});
    EXPECT_EQ(s.locations[1].prefixes,
              (std::vector{prefix("192.168.22.0/24"), prefix("2001:db8:22::/48")}));
    EXPECT_EQ(s.locations[3].name, "branch_7");
    EXPECT_EQ(s.locations[3].prefixes, (std::vector{prefix("10.1.0.0/16"), prefix("0.0.0.0/0")}));
    EXPECT_TRUE(s.clusters.empty());
}

// Clusters and lync are sources of records on their own (docs/design.md §2).
TEST(Loader, ClustersOrLyncAloneAreASite) {
    const SiteConfig c = load_ok(R"(domain: example.com
locations: { dc1: 192.168.11.0/24 }
clusters: [{ name: spx-srv, members: { dc1: [{ name: spx1, ipv4: 192.168.11.1 }] } }]
)");
    EXPECT_EQ(c.clusters.size(), 1u);
    const SiteConfig l = load_ok(
        "domain: example.com\nlync:\n  pool: { name: pool01, ipv6: "
        "\"2001:db8::50\" }\n");
    ASSERT_TRUE(l.lync);
    EXPECT_EQ(l.lync->pool.ipv6, ip("2001:db8::50"));
    EXPECT_FALSE(l.lync->edge);
}

// Sections with everything commented out are absent: `lync:`, `edge:`, `locations:`.
TEST(Loader, EmptyNewSections) {
    const SiteConfig s = load_ok(
        "domain: example.com\nhosts: { ntp: 192.0.2.1 }\nlocations:\nclusters: []\nlync:\n");
    EXPECT_TRUE(s.locations.empty());
    EXPECT_TRUE(s.clusters.empty());
    EXPECT_FALSE(s.lync);
    const SiteConfig e = load_ok(
        "domain: example.com\nlync:\n  pool: { name: pool01.corp.example., ipv4: 192.0.2.50 }\n"
        "  edge:\n");
    ASSERT_TRUE(e.lync);
    EXPECT_EQ(e.lync->pool.name, "pool01.corp.example");
    EXPECT_FALSE(e.lync->edge);
}

TEST(Loader, ReverseOffAndEmptySections) {
    const SiteConfig s = load_ok(
        "domain: lab.example\nreverse: off\nhosts:\n  a: 10.0.0.1\nservers:\naliases:\nsip:\n");
    EXPECT_EQ(s.reverse.mode, ReverseSettings::Mode::Off);
    EXPECT_TRUE(s.servers.empty());
    EXPECT_EQ(s.hosts.size(), 1u);
}

TEST(Loader, NamesRelativeAbsoluteAndApex) {
    const SiteConfig s = load_ok(R"(domain: lab.example
hosts:
  "@": 10.0.0.1
  Phone1: 10.0.0.2
  phone2.lab.example.: 10.0.0.3
  "*.phones": 10.0.0.4
aliases:
  ftp: "@"
  mirror: ftp.other.example.
)");
    ASSERT_EQ(s.hosts.size(), 4u);
    EXPECT_EQ(s.hosts[0].name, "lab.example");
    EXPECT_EQ(s.hosts[1].name, "phone1.lab.example");
    EXPECT_EQ(s.hosts[2].name, "phone2.lab.example");
    EXPECT_EQ(s.hosts[3].name, "*.phones.lab.example");
    ASSERT_EQ(s.aliases.size(), 2u);
    EXPECT_EQ(s.aliases[0].target, "lab.example");
    EXPECT_EQ(s.aliases[1].target, "ftp.other.example");
}

TEST(Loader, HostsWithLists) {
    const SiteConfig s = load_ok(R"(domain: lab.example
hosts:
  dual: [10.0.0.1, "2001:db8::1", 10.0.0.2]
  v6only: "2001:db8::5"
  block:
    - 10.0.0.7
    - 10.0.0.8
)");
    ASSERT_EQ(s.hosts.size(), 3u);
    EXPECT_EQ(s.hosts[0].addresses,
              (std::vector{ip("10.0.0.1"), ip("2001:db8::1"), ip("10.0.0.2")}));
    EXPECT_EQ(s.hosts[1].addresses, std::vector{ip("2001:db8::5")});
    EXPECT_EQ(s.hosts[2].addresses, (std::vector{ip("10.0.0.7"), ip("10.0.0.8")}));
}

TEST(Loader, ServicesBothForms) {
    const SiteConfig s = load_ok(R"(domain: lab.example
services:
  - service: _ldap._tcp
    port: 389
    targets: [dc1, dc2]
  - service: _sip._udp.sip-dc
    targets:
      - { target: sip-dc1, priority: 10, weight: 50, port: 6000 }
      - target: sip-dc2
        priority: 20
        weight: 50
        port: 6000
)");
    ASSERT_EQ(s.services.size(), 2u);
    ASSERT_EQ(s.services[0].targets.size(), 2u);
    for (const auto& t : s.services[0].targets) {
        EXPECT_EQ(t.priority, 0);
        EXPECT_EQ(t.weight, 0);
        EXPECT_EQ(t.port, 389);
    }
    EXPECT_EQ(s.services[0].targets[1].target, "dc2.lab.example");
    ASSERT_EQ(s.services[1].targets.size(), 2u);
    EXPECT_EQ(s.services[1].targets[1].target, "sip-dc2.lab.example");
    EXPECT_EQ(s.services[1].targets[1].priority, 20);
    EXPECT_EQ(s.services[1].targets[1].weight, 50);
    EXPECT_EQ(s.services[1].targets[1].port, 6000);
    EXPECT_EQ(s.services[1].targets[1].pos, (SourcePos{9, 9}));
}

TEST(Loader, BooleansAndCaseInsensitiveWords) {
    EXPECT_TRUE(load_ok("domain: a.example\nhosts: {x: 10.0.0.1}\nsip: {naptr: yes}\n").sip.naptr);
    EXPECT_FALSE(load_ok("domain: a.example\nhosts: {x: 10.0.0.1}\nsip: {naptr: off}\n").sip.naptr);
    EXPECT_EQ(load_ok("domain: a.example\nhosts: {x: 10.0.0.1}\nreverse: OFF\n").reverse.mode,
              ReverseSettings::Mode::Off);
}

// Anchors and aliases: an alias stands for the anchored node (and its place in the file).
TEST(Loader, AliasesResolveToTheAnchoredNode) {
    const SiteConfig s = load_ok(R"(domain: lab.example
hosts:
  dc1: &dc1addr 10.0.0.1
  dc1-backup: *dc1addr
services:
  - { service: _ldap._tcp, port: 389, targets: &dcs [dc1, dc2] }
  - { service: _kerberos._tcp, port: 88, targets: *dcs }
)");
    ASSERT_EQ(s.hosts.size(), 2u);
    EXPECT_EQ(s.hosts[1].addresses, std::vector{ip("10.0.0.1")});
    ASSERT_EQ(s.services.size(), 2u);
    ASSERT_EQ(s.services[1].targets.size(), 2u);
    EXPECT_EQ(s.services[1].targets[1].target, "dc2.lab.example");
    EXPECT_EQ(s.services[1].targets[1].port, 88);
    EXPECT_EQ(s.services[1].targets[1].pos, (SourcePos{6, 59}));
}

// Quoting and tags do not change what the loader reads from a scalar's text.
TEST(Loader, ScalarStylesReadTheSameText) {
    const SiteConfig s = load_ok(R"(domain: "lab.example"
ttl: '60'
hosts:
  ? a
  : |-
    10.0.0.1
  b: !!str 10.0.0.2
  "c": >-
    10.0.0.3
sip: { naptr: "Yes", proxy_port: !!int 5070 }
)");
    EXPECT_EQ(s.domain, "lab.example");
    EXPECT_EQ(s.ttl, 60u);
    ASSERT_EQ(s.hosts.size(), 3u);
    EXPECT_EQ(s.hosts[0].addresses, std::vector{ip("10.0.0.1")});
    EXPECT_EQ(s.hosts[0].pos, (SourcePos{4, 5}));
    EXPECT_EQ(s.hosts[1].addresses, std::vector{ip("10.0.0.2")});
    EXPECT_EQ(s.hosts[2].addresses, std::vector{ip("10.0.0.3")});
    EXPECT_TRUE(s.sip.naptr);
    EXPECT_EQ(s.sip.proxy_port, 5070);
}

// One document, with or without markers; comments only are no document (an empty site).
TEST(Loader, DocumentMarkers) {
    EXPECT_EQ(load_ok("%YAML 1.1\n---\ndomain: a.example\nhosts: {x: 10.0.0.1}\n...\n").domain,
              "a.example");
    auto r = load_site_text("# nothing yet\n", "site.yaml");
    ASSERT_FALSE(r);
    ASSERT_EQ(r.error().size(), 1u);
    EXPECT_EQ(r.error()[0].to_string(),
              "site.yaml:1:1: expected a mapping of site keys at the top level");
}

// A large free-form mapping keeps file order and positions.
TEST(Loader, ManyHostsInFileOrder) {
    std::string yaml = "domain: lab.example\nhosts:\n";
    for (int i = 0; i < 5000; ++i) {
        yaml += "  h" + std::to_string(i) + ": 10.0." + std::to_string(i / 256) + "." +
                std::to_string(i % 256) + "\n";
    }
    const SiteConfig s = load_ok(yaml);
    ASSERT_EQ(s.hosts.size(), 5000u);
    EXPECT_EQ(s.hosts[4999].name, "h4999.lab.example");
    EXPECT_EQ(s.hosts[4999].pos, (SourcePos{5002, 3}));
    EXPECT_EQ(s.hosts[4999].addresses, std::vector{ip("10.0.19.135")});
}

TEST(LoadSiteFile, ReadsAFile) {
    const auto path = std::filesystem::temp_directory_path() / "sipdns_config_test_site.yaml";
    {
        std::ofstream out(path);
        out << "domain: file.example\nhosts:\n  a: 10.0.0.1\n";
    }
    auto r = load_site_file(path.string());
    std::filesystem::remove(path);
    ASSERT_TRUE(r) << joined(r ? Diagnostics{} : r.error());
    EXPECT_EQ(r->file, path.string());
    EXPECT_EQ(r->domain, "file.example");
}

TEST(LoadSiteFile, DiagnosticsNameTheFile) {
    const auto path = std::filesystem::temp_directory_path() / "sipdns_config_test_bad.yaml";
    {
        std::ofstream out(path);
        out << "domain: file.example\nhosts:\n  a: 10.0.0.300\n";
    }
    auto r = load_site_file(path.string());
    std::filesystem::remove(path);
    ASSERT_FALSE(r);
    ASSERT_EQ(r.error().size(), 1u);
    EXPECT_EQ(r.error()[0].to_string(),
              path.string() + ":3:6: hosts.a: expected an IPv4 or IPv6 address, got '10.0.0.300'");
}

// Every shipped example must load (docs/design.md §2: `sipdnsd check` passes on each).
TEST(Examples, AllLoad) {
    const std::filesystem::path dir = SIPDNS_EXAMPLES_DIR;
    std::vector<std::filesystem::path> files;
    if (std::filesystem::is_directory(dir)) {
        for (const auto& e : std::filesystem::directory_iterator(dir)) {
            const auto ext = e.path().extension();
            if (ext == ".yaml" || ext == ".yml") files.push_back(e.path());
        }
    }
    if (files.empty()) GTEST_SKIP() << "no example sites in " << dir;
    for (const auto& f : files) {
        auto r = load_site_file(f.string());
        EXPECT_TRUE(r) << joined(r ? Diagnostics{} : r.error());
    }
}

}  // namespace
}  // namespace sipdns::config

namespace sipdns::config {
namespace {

TEST(Loader, TransferSettings) {
    auto r = load_site_text(R"(domain: example.test
hosts: { ns: 192.0.2.53 }
nameservers: [ns]
server:
  transfer:
    allow: [192.0.2.0/24, "2001:db8::/32"]
    notify: ["192.0.2.53:53", "[2001:db8::53]:5353"]
    catalog: Catalog.SIPDNS.invalid
)",
                            "site.yaml");
    ASSERT_TRUE(r) << r.error().front().to_string();
    const auto& d = r->server;
    ASSERT_EQ(d.transfer_allow.size(), 2u);
    EXPECT_EQ(d.transfer_allow[0].to_string(), "192.0.2.0/24");
    ASSERT_EQ(d.transfer_notify.size(), 2u);
    EXPECT_EQ(d.transfer_notify[1].to_string(), "[2001:db8::53]:5353");
    // Absolute without a trailing dot (it lies outside the domain), lower case.
    EXPECT_EQ(d.transfer_catalog, "catalog.sipdns.invalid");
    EXPECT_EQ(d.transfer_catalog_pos.line, 8u);
}

TEST(Loader, TransferErrors) {
    auto r = load_site_text(R"(domain: example.test
hosts: { ns: 192.0.2.53 }
server:
  transfer:
    alow: [192.0.2.0/24]
    notify: ["192.0.2.53"]
    catalog: [catalog.invalid]
)",
                            "site.yaml");
    ASSERT_FALSE(r);
    std::vector<std::string> got;
    for (const auto& d : r.error()) got.push_back(d.to_string());
    EXPECT_EQ(got, (std::vector<std::string>{
                       "site.yaml:5:5: server.transfer.alow: unknown key; did you mean 'allow'?",
                       "site.yaml:6:14: server.transfer.notify[0]: expected ADDR:PORT such as "
                       "192.0.2.53:53 or [2001:db8::53]:53, got '192.0.2.53'",
                       "site.yaml:7:14: server.transfer.catalog: expected a catalog zone name, "
                       "got a list"}));
}

}  // namespace
}  // namespace sipdns::config

namespace sipdns::config {
namespace {

TEST(Loader, EcsTrust) {
    auto none = load_site_text("domain: example.test\nhosts: { ns: 192.0.2.53 }\n", "site.yaml");
    ASSERT_TRUE(none);
    EXPECT_TRUE(none->server.ecs_trust.empty());  // default: ECS ignored from everyone
    auto r = load_site_text(R"(domain: example.test
hosts: { ns: 192.0.2.53 }
server:
  ecs_trust: [192.0.2.53/32, "2001:db8::/48"]
)",
                            "site.yaml");
    ASSERT_TRUE(r) << r.error().front().to_string();
    ASSERT_EQ(r->server.ecs_trust.size(), 2u);
    EXPECT_EQ(r->server.ecs_trust[1].to_string(), "2001:db8::/48");
    auto bad = load_site_text(R"(domain: example.test
hosts: { ns: 192.0.2.53 }
server:
  ecs_trust: [192.0.2.53, 192.0.2.1/24, 192.0.2.53/32, 192.0.2.53/32]
)",
                              "site.yaml");
    ASSERT_FALSE(bad);
    std::vector<std::string> got;
    for (const auto& d : bad.error()) got.push_back(d.to_string());
    EXPECT_EQ(got, (std::vector<std::string>{
                       "site.yaml:4:15: server.ecs_trust[0]: expected an address prefix such as "
                       "192.168.11.0/24 or 2001:db8::/64, got '192.0.2.53'",
                       "site.yaml:4:27: server.ecs_trust[1]: prefix '192.0.2.1/24' has host bits "
                       "set; did you mean '192.0.2.0/24'?",
                       "site.yaml:4:56: server.ecs_trust[3]: '192.0.2.53/32' is listed twice"}));
}

struct CookiesRow {
    const char* server;  // the `server:` section's text, "" = none
    bool cookies;        // server.cookies as loaded
    const char* error;   // the one diagnostic, "" = none
};

class Cookies : public ::testing::TestWithParam<CookiesRow> {};

TEST_P(Cookies, OnByDefault) {
    const CookiesRow& row = GetParam();
    const auto r = load_site_text(
        std::string("domain: example.test\nhosts: { ns: 192.0.2.53 }\n") + row.server,
        "site.yaml");
    if (*row.error != '\0') {
        ASSERT_FALSE(r);
        ASSERT_EQ(r.error().size(), 1u);
        EXPECT_EQ(r.error().front().to_string(), row.error);
        return;
    }
    ASSERT_TRUE(r) << r.error().front().to_string();
    EXPECT_EQ(r->server.cookies, row.cookies) << row.server;
}

INSTANTIATE_TEST_SUITE_P(
    Loader, Cookies,
    ::testing::Values(CookiesRow{"", true, ""},
                      CookiesRow{"server:\n  cookies: true\n", true, ""},
                      CookiesRow{"server:\n  cookies: false\n", false, ""},
                      CookiesRow{"server:\n  cookies: off\n", false, ""},
                      CookiesRow{"server:\n  cookies: sometimes\n", true,
                                 "site.yaml:4:12: server.cookies: expected true or false, got "
                                 "'sometimes'"},
                      CookiesRow{"server:\n  cookie: false\n", true,
                                 "site.yaml:4:3: server.cookie: unknown key; did you mean "
                                 "'cookies'?"}));

// server.xdp (docs/design.md §5): one row per case, the settings as loaded or the diagnostic.
struct XdpRow {
    const char* server;     // the `server:` section's text, "" = none
    const char* interface;  // server.xdp.interface as loaded, nullptr = no xdp
    int port;               // server.xdp.port, 0 = absent (the first listen port)
    bool required;
    const char* error;      // the one diagnostic, "" = none
};

class Xdp : public ::testing::TestWithParam<XdpRow> {};

TEST_P(Xdp, Settings) {
    const XdpRow& row = GetParam();
    const auto r = load_site_text(
        std::string("domain: example.test\nhosts: { ns: 192.0.2.53 }\n") + row.server,
        "site.yaml");
    if (*row.error != '\0') {
        ASSERT_FALSE(r);
        ASSERT_EQ(r.error().size(), 1u);
        EXPECT_EQ(r.error().front().to_string(), row.error);
        return;
    }
    ASSERT_TRUE(r) << r.error().front().to_string();
    if (row.interface == nullptr) {
        EXPECT_FALSE(r->server.xdp);
        return;
    }
    ASSERT_TRUE(r->server.xdp);
    EXPECT_EQ(r->server.xdp->interface, row.interface);
    EXPECT_EQ(r->server.xdp->port.value_or(0), row.port);
    EXPECT_EQ(r->server.xdp->required, row.required);
}

INSTANTIATE_TEST_SUITE_P(
    Loader, Xdp,
    ::testing::Values(
        XdpRow{"", nullptr, 0, false, ""},
        XdpRow{"server:\n  xdp: { interface: eth1 }\n", "eth1", 0, false, ""},
        XdpRow{"server:\n  xdp: { interface: enp3s0f1, port: 5353, required: true }\n",
               "enp3s0f1", 5353, true, ""},
        XdpRow{"server:\n  xdp: { port: 53 }\n", nullptr, 0, false,
               "site.yaml:4:8: server.xdp.interface: required key is missing"},
        XdpRow{"server:\n  xdp: eth1\n", nullptr, 0, false,
               "site.yaml:4:8: server.xdp: expected a mapping of XDP settings: { interface: "
               "NAME, port: 53, required: false }"},
        XdpRow{"server:\n  xdp: { interface: a-very-long-name0 }\n", nullptr, 0, false,
               "site.yaml:4:21: server.xdp.interface: expected a network interface name such "
               "as eth1 (at most 15 characters), got 'a-very-long-name0'"},
        XdpRow{"server:\n  xdp: { interface: eth/1 }\n", nullptr, 0, false,
               "site.yaml:4:21: server.xdp.interface: expected a network interface name such "
               "as eth1 (at most 15 characters), got 'eth/1'"},
        XdpRow{"server:\n  xdp: { interface: eth1, port: 0 }\n", "eth1", 0, false,
               "site.yaml:4:33: server.xdp.port: expected a UDP port 1-65535, got 0"},
        XdpRow{"server:\n  listen: [\"192.0.2.1:53\", \"[2001:db8::1]:5300\"]\n"
               "  xdp: { interface: eth1, port: 5300 }\n",
               "eth1", 5300, false, ""},
        XdpRow{"server:\n  listen: [\"192.0.2.1:53\", \"192.0.2.2:5300\"]\n"
               "  xdp: { interface: eth1, port: 5353 }\n",
               "eth1", 5353, false,
               "site.yaml:5:33: server.xdp.port: 5353 is not the port of any server.listen "
               "address (192.0.2.1:53, 192.0.2.2:5300)"},
        XdpRow{"server:\n  xdp: { interface: eth1, required: maybe }\n", "eth1", 0, false,
               "site.yaml:4:37: server.xdp.required: expected true or false, got 'maybe'"},
        XdpRow{"server:\n  xdp: { interfaces: eth1, interface: eth1 }\n", nullptr, 0, false,
               "site.yaml:4:10: server.xdp.interfaces: unknown key; did you mean 'interface'?"}));

TEST(Loader, RateLimitSettings) {
    // Defaults: on, 1000/s per /24 (IPv6 /56) and response, every 2nd limited answer TC=1.
    auto d = load_site_text("domain: example.test\nhosts: { ns: 192.0.2.53 }\n", "site.yaml");
    ASSERT_TRUE(d);
    EXPECT_EQ(d->server.rate_limit.responses_per_second, 1000u);
    EXPECT_EQ(d->server.rate_limit.slip, 2u);
    EXPECT_EQ(d->server.rate_limit.ipv4_prefix, 24);
    EXPECT_EQ(d->server.rate_limit.ipv6_prefix, 56);
    EXPECT_TRUE(d->server.rate_limit.enabled());

    auto r = load_site_text(R"(domain: example.test
hosts: { ns: 192.0.2.53 }
server:
  rate_limit:
    responses_per_second: 20
    slip: 0
    ipv4_prefix: 32
    ipv6_prefix: 64
)",
                            "site.yaml");
    ASSERT_TRUE(r) << r.error().front().to_string();
    EXPECT_EQ(r->server.rate_limit.responses_per_second, 20u);
    EXPECT_EQ(r->server.rate_limit.slip, 0u);
    EXPECT_EQ(r->server.rate_limit.ipv4_prefix, 32);
    EXPECT_EQ(r->server.rate_limit.ipv6_prefix, 64);

    // 0 turns it off; the other keys keep their defaults.
    auto off = load_site_text(
        "domain: example.test\nhosts: { ns: 192.0.2.53 }\nserver:\n  rate_limit:\n"
        "    responses_per_second: 0\n",
        "site.yaml");
    ASSERT_TRUE(off);
    EXPECT_FALSE(off->server.rate_limit.enabled());
    EXPECT_EQ(off->server.rate_limit.slip, 2u);
}

}  // namespace
}  // namespace sipdns::config

namespace sipdns::config {
namespace {

TEST(Loader, MetricsSettings) {
    // Absent: off.
    auto off = load_site_text("domain: example.test\nhosts: { ns: 192.0.2.53 }\n", "site.yaml");
    ASSERT_TRUE(off);
    EXPECT_FALSE(off->server.metrics_listen.has_value());

    // Present without an address (null or an empty mapping): on, loopback port 9153.
    for (const char* present : {"  metrics:\n", "  metrics: {}\n"}) {
        auto on = load_site_text(
            std::string("domain: example.test\nhosts: { ns: 192.0.2.53 }\nserver:\n") + present,
            "site.yaml");
        ASSERT_TRUE(on) << on.error().front().to_string();
        ASSERT_TRUE(on->server.metrics_listen.has_value()) << present;
        EXPECT_EQ(on->server.metrics_listen->to_string(), "127.0.0.1:9153");
    }

    auto v6 = load_site_text(
        "domain: example.test\nhosts: { ns: 192.0.2.53 }\nserver:\n  metrics:\n"
        "    listen: '[::1]:9100'\n",
        "site.yaml");
    ASSERT_TRUE(v6) << v6.error().front().to_string();
    ASSERT_TRUE(v6->server.metrics_listen.has_value());
    EXPECT_EQ(v6->server.metrics_listen->to_string(), "[::1]:9100");
}

TEST(Loader, StateDir) {
    // Absent: the daemon picks its default (and systemd's $STATE_DIRECTORY) itself.
    auto absent = load_site_text("domain: example.test\nhosts: { ns: 192.0.2.53 }\n", "site.yaml");
    ASSERT_TRUE(absent);
    EXPECT_FALSE(absent->server.state_dir.has_value());

    auto set = load_site_text(
        "domain: example.test\nhosts: { ns: 192.0.2.53 }\nserver:\n  state_dir: /srv/sipdns\n",
        "site.yaml");
    ASSERT_TRUE(set) << set.error().front().to_string();
    EXPECT_EQ(set->server.state_dir, "/srv/sipdns");
}

TEST(Loader, ControlSocket) {
    // Absent: the daemon uses kDefaultControlSocket (or --control).
    auto absent = load_site_text("domain: example.test\nhosts: { ns: 192.0.2.53 }\n", "site.yaml");
    ASSERT_TRUE(absent);
    EXPECT_FALSE(absent->server.control.has_value());

    auto set = load_site_text(
        "domain: example.test\nhosts: { ns: 192.0.2.53 }\nserver:\n  control: /run/x/ctl\n",
        "site.yaml");
    ASSERT_TRUE(set) << set.error().front().to_string();
    EXPECT_EQ(set->server.control, "/run/x/ctl");
}

}  // namespace
}  // namespace sipdns::config
