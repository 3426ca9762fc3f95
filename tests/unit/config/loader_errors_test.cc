// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
// Every bad input gives exactly the diagnostics expected, as `file:line:col: message`, and all
// problems of a file are reported in one pass (docs/design.md §2).
#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <vector>

#include "sipdns/config/loader.h"

namespace sipdns::config {
namespace {

struct BadSite {
    std::string name;  // test name
    std::string yaml;
    std::vector<std::string> expected;
};

void PrintTo(const BadSite& c, std::ostream* os) {
    *os << c.name;
}

std::vector<std::string> diagnostics_of(const std::string& yaml) {
    auto r = load_site_text(yaml, "site.yaml");
    if (r) return {"(loaded without errors)"};
    std::vector<std::string> out;
    for (const auto& d : r.error()) out.push_back(d.to_string());
    return out;
}

class LoaderErrors : public ::testing::TestWithParam<BadSite> {};

TEST_P(LoaderErrors, ReportsExactly) {
    EXPECT_EQ(diagnostics_of(GetParam().yaml), GetParam().expected) << GetParam().yaml;
}

// A valid start that most rows extend: line 1 is the domain, line 2 a host.
const std::string kHead = "domain: scsnetwork.local\nhosts:\n  ntp: 192.0.2.1\n";
const std::string k64(64, 'x');
const std::string k20(20, 'x');
const std::string k63(63, 'a');
// Two locations (lines 4-6) for the cluster rows; their clusters start at line 7.
const std::string kLocations =
    kHead + "locations:\n  dc1: [192.168.11.0/24]\n  dc2: [192.168.22.0/24]\n";

std::string diag(int line, int col, const std::string& message) {
    return "site.yaml:" + std::to_string(line) + ":" + std::to_string(col) + ": " + message;
}

const std::vector<BadSite> kRows = {
    // --- not a site at all
    // The YAML parser's finding, in plain words, at the problem's place (more slips:
    // yaml_syntax_test.cc).
    {"NotYamlUnclosedList",
     "domain: [scsnetwork.local\n",
     {diag(2, 1, "not valid YAML: did not find the ',' or ']' expected in this [ ] list")}},
    {"NotYamlMapValue",
     "domain: a: b\n",
     {diag(1, 10,
           "not valid YAML: a ':' that starts a value is not allowed here (mapping values are "
           "not allowed in this context); quote a value that contains ': '")}},
    {"NotYamlTabIndent",
     kHead + "\tttl: 60\n",
     {diag(4, 1, "not valid YAML: tabs are not allowed in YAML indentation; use spaces")}},
    {"NotYamlInvalidUtf8",
     kHead + "  h\xC3\xA9\xFF: 192.0.2.2\n",
     {diag(4, 5, "not valid YAML: invalid leading UTF-8 octet (0xFF)")}},
    {"NotYamlControlCharacter",
     kHead + "  h" + std::string(1, '\0') + ": 192.0.2.2\n",
     {diag(4, 4, "not valid YAML: control characters are not allowed (0x0)")}},
    {"NotYamlUndefinedAlias",
     kHead + "services:\n  - { service: _ldap._tcp, port: 389, targets: *dcs }\n",
     {diag(5, 48, "not valid YAML: alias *dcs has no anchor &dcs before it in its document")}},
    {"NotYamlAliasOfItsOwnParent",
     kHead + "services: &s\n  - { service: _ldap._tcp, port: 389, targets: *s }\n",
     {diag(5, 48, "not valid YAML: alias *s has no anchor &s before it in its document")}},
    // Limits against hostile files (yaml_document.h): nesting depth, alias expansion.
    {"NestedTooDeep",
     kHead + "records: " + std::string(64, '[') + std::string(64, ']') + "\n",
     {diag(4, 73, "lists and mappings are nested more than 64 levels deep")}},
    {"NestedTenThousandDeep",
     kHead + "records: " + std::string(10000, '[') + std::string(10000, ']') + "\n",
     {diag(4, 73, "lists and mappings are nested more than 64 levels deep")}},
    {"NestedDeepUnclosed",
     kHead + "records: " + std::string(10000, '[') + "\n",
     {diag(4, 73, "lists and mappings are nested more than 64 levels deep")}},
    {"NestedDeepUnclosedKey",  // the 64th '{' (the top-level mapping is the first level)
     kHead + "records:\n" + std::string(10000, '{') + "\n",
     {diag(5, 64, "lists and mappings are nested more than 64 levels deep")}},
    {"AliasBomb",
     kHead + "x0: &a0 [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\n"
             "x1: &a1 [*a0, *a0, *a0, *a0, *a0, *a0, *a0, *a0, *a0, *a0]\n"
             "x2: &a2 [*a1, *a1, *a1, *a1, *a1, *a1, *a1, *a1, *a1, *a1]\n"
             "x3: &a3 [*a2, *a2, *a2, *a2, *a2, *a2, *a2, *a2, *a2, *a2]\n"
             "x4: &a4 [*a3, *a3, *a3, *a3, *a3, *a3, *a3, *a3, *a3, *a3]\n"
             "x5: &a5 [*a4, *a4, *a4, *a4, *a4, *a4, *a4, *a4, *a4, *a4]\n",
     {diag(8, 45, "aliases expand to more than 100000 nodes; write the values out instead")}},
    {"TopLevelList",
     "- domain\n",
     {diag(1, 1, "expected a mapping of site keys at the top level")}},
    {"TopLevelScalar",
     "\n\nhello\n",
     {diag(3, 1, "expected a mapping of site keys at the top level")}},
    {"EmptyFile", "", {diag(1, 1, "expected a mapping of site keys at the top level")}},
    {"TwoDocuments",
     kHead + "---\ndomain: other.local\n",
     {diag(5, 1, "expected one YAML document, found 2")}},
    {"ThreeDocumentsSecondEmpty",
     kHead + "---\n---\ndomain: other.local\n",
     {diag(1, 1, "expected one YAML document, found 3")}},

    // --- domain
    {"MissingDomain",
     "hosts:\n  ntp: 192.0.2.1\n",
     {diag(1, 1, "domain: required key is missing (the SIP domain, e.g. scsnetwork.local)")}},
    {"DomainEmptyLabel",
     "domain: a..b\nhosts: { ntp: 192.0.2.1 }\n",
     {diag(1, 9, "domain: invalid domain name 'a..b': empty label in 'a..b'")}},
    {"DomainLeadingDot",
     "domain: .scsnetwork.local\nhosts: { ntp: 192.0.2.1 }\n",
     {diag(1, 9,
           "domain: invalid domain name '.scsnetwork.local': empty label in "
           "'.scsnetwork.local'")}},
    {"DomainLabelTooLong",
     "domain: " + k64 + ".local\nhosts: { ntp: 192.0.2.1 }\n",
     {diag(1, 9,
           "domain: invalid domain name '" + k64 + ".local': label '" + k20 +
               "\u2026' is 64 octets long, at most 63 are allowed")}},
    {"DomainIsAList",
     "domain: [a, b]\nhosts: { ntp: 192.0.2.1 }\n",
     {diag(1, 9, "domain: expected a domain name such as scsnetwork.local, got a list")}},
    {"DomainWildcard",
     "domain: '*.local'\nhosts: { ntp: 192.0.2.1 }\n",
     {diag(1, 9, "domain: invalid domain name '*.local': a wildcard cannot be a site's domain")}},

    // --- names
    {"HostLabelTooLong",
     kHead + "  " + k64 + ": 192.0.2.2\n",
     {diag(4, 3,
           "hosts." + k64 + ": invalid name '" + k64 + "': label '" + k20 +
               "\u2026' is 64 octets long, at most 63 are allowed")}},
    {"ServerNameTooLong",
     kHead + "servers:\n  - { name: " + k63 + "." + k63 + "." + k63 + "." + k63 +
         ", ipv4: 192.0.2.11 }\n",
     {diag(5, 13,
           // The name as written is cut at 80 columns (config::quote_value).
           "servers[0].name: invalid name '" + k63 + "." + std::string(16, 'a') +
               "\u2026' (255 bytes): name is 274 octets long in wire form, at most 255 are "
               "allowed")}},
    {"AliasEmptyLabel",
     kHead + "aliases:\n  tftp: scs1..x\n",
     {diag(5, 9, "aliases.tftp: invalid target name 'scs1..x': empty label in 'scs1..x'")}},
    {"AliasAtApex",
     kHead + "aliases:\n  '@': ntp\n",
     {diag(5, 3, "aliases.@: a CNAME cannot be at the zone apex (RFC 1034 §3.6.2)")}},

    // --- unknown keys
    {"UnknownKeyDidYouMean",
     kHead + "sever:\n  threads: 2\n",
     {diag(4, 1, "sever: unknown key; did you mean 'server'?")}},
    {"UnknownKeyNoSuggestion",
     kHead + "foo: 1\n",
     {diag(4, 1,
           "foo: unknown key (expected one of: domain, ttl, servers, sip, hosts, aliases, "
           "services, records, reverse, nameservers, soa, server, locations, clusters, lync, "
           "forward, health)")}},
    {"UnknownNestedKey",
     kHead + "servers:\n  - { nmae: scs1, ipv4: 192.0.2.11 }\n",
     {diag(5, 5, "servers[0].name: required key is missing"),
      diag(5, 7, "servers[0].nmae: unknown key; did you mean 'name'?")}},
    {"UnknownSipKey",
     kHead + "sip:\n  proxy-port: 5060\n  tarnsports: [udp]\n",
     {diag(5, 3, "sip.proxy-port: unknown key; did you mean 'proxy_port'?"),
      diag(6, 3, "sip.tarnsports: unknown key; did you mean 'transports'?")}},
    {"DuplicateKey",
     kHead + "ttl: 60\nttl: 70\n",
     {diag(5, 1, "ttl: duplicate key (first at line 4)")}},

    // --- addresses
    {"BadIpv4",
     kHead + "servers:\n  - { name: scs1, ipv4: 192.0.2.300 }\n",
     {diag(5, 25, "servers[0].ipv4: expected an IPv4 address, got '192.0.2.300'")}},
    {"Ipv6InIpv4",
     kHead + "servers:\n  - { name: scs1, ipv4: '2001:db8::1' }\n",
     {diag(5, 25, "servers[0].ipv4: expected an IPv4 address, got '2001:db8::1'")}},
    {"BadIpv6",
     kHead + "servers:\n  - name: scs1\n    ipv6: 192.0.2.1\n",
     {diag(6, 11, "servers[0].ipv6: expected an IPv6 address, got '192.0.2.1'")}},
    {"ServerWithoutAddress",
     kHead + "servers:\n  - name: scs1\n",
     {diag(5, 5, "servers[0]: a server needs an ipv4 or ipv6 address, or both")}},
    {"ServerEmptyAddress",
     kHead + "servers:\n  - name: scs1\n    ipv4:\n",
     {diag(6, 5, "servers[0].ipv4: expected an IPv4 address, got nothing")}},
    {"BadHostAddress",
     kHead + "  gw1: x\n",
     {diag(4, 8, "hosts.gw1: expected an IPv4 or IPv6 address, got 'x'")}},
    {"BadHostAddressInList",
     kHead + "  gw1: [192.0.2.20, 192.0.2.256]\n",
     {diag(4, 21, "hosts.gw1[1]: expected an IPv4 or IPv6 address, got '192.0.2.256'")}},
    {"HostAddressTwice",
     kHead + "  gw1: [192.0.2.20, 192.0.2.20]\n",
     {diag(4, 21, "hosts.gw1[1]: '192.0.2.20' is listed twice")}},
    {"DuplicateHost",
     kHead + "  NTP.scsnetwork.local.: 192.0.2.2\n",
     {diag(4, 3,
           "hosts.NTP.scsnetwork.local.: duplicate host name 'NTP.scsnetwork.local.' "
           "(first at line 3)")}},

    // --- numbers
    {"PortOutOfRange",
     kHead + "sip:\n  proxy_port: 70000\n",
     {diag(5, 15, "sip.proxy_port: expected a port number 1-65535, got 70000")}},
    {"PortZero",
     kHead + "sip:\n  tls_port: 0\n",
     {diag(5, 13, "sip.tls_port: expected a port number 1-65535, got 0")}},
    {"PortNotANumber",
     kHead + "sip:\n  redirect_port: five\n",
     {diag(5, 18, "sip.redirect_port: expected a port number 1-65535, got 'five'")}},
    {"TtlTooBig",
     "ttl: 2147483648\n" + kHead,
     {diag(1, 6, "ttl: expected a TTL in seconds 0-2147483647, got 2147483648")}},
    {"TtlNegative",
     "ttl: -1\n" + kHead,
     {diag(1, 6, "ttl: expected a TTL in seconds 0-2147483647, got -1")}},
    {"NaptrNotBool",
     kHead + "sip:\n  naptr: maybe\n",
     {diag(5, 10, "sip.naptr: expected true or false, got 'maybe'")}},
    // Plain, untagged null spellings are null (pointed at by their key); quoted ones are text.
    {"NaptrNullSpellings",
     kHead + "sip:\n  naptr: ~\n  proxy_port: NULL\n  tls_port: null\n  redirect_port: Null\n",
     {diag(5, 3, "sip.naptr: expected true or false, got nothing"),
      diag(6, 3, "sip.proxy_port: expected a port number 1-65535, got nothing"),
      diag(7, 3, "sip.tls_port: expected a port number 1-65535, got nothing"),
      diag(8, 3, "sip.redirect_port: expected a port number 1-65535, got nothing")}},
    {"NaptrQuotedOrTaggedNull",
     kHead + "sip:\n  naptr: 'null'\n  tls_port: !!str ~\n",
     {diag(5, 10, "sip.naptr: expected true or false, got 'null'"),
      diag(6, 13, "sip.tls_port: expected a port number 1-65535, got '~'")}},
    {"BadTransport",
     kHead + "sip:\n  transports: [udp, sctp, udp]\n",
     {diag(5, 21, "sip.transports[1]: expected udp, tcp or tls, got 'sctp'"),
      diag(5, 27, "sip.transports[2]: 'udp' is listed twice")}},

    // --- servers
    {"DuplicateServer",
     kHead +
         "servers:\n  - { name: scs1, ipv4: 192.0.2.11 }\n  - { name: SCS1, ipv4: 192.0.2.12 }\n",
     {diag(6, 13, "servers[1].name: duplicate server name 'SCS1' (first at line 5)")}},
    {"ServersNotAList",
     kHead + "servers: scs1\n",
     {diag(4, 10, "servers: expected a list of servers")}},
    {"ServerNotAMapping",
     kHead + "servers:\n  - scs1\n",
     {diag(5, 5, "servers[0]: expected a server: { name, ipv4, ipv6 }")}},

    // --- no record source
    {"NoRecordSource",
     "domain: scsnetwork.local\nttl: 60\n",
     {diag(1, 1,
           "servers: a site needs at least one of servers, hosts, services, records, clusters "
           "or lync")}},
    {"OnlyEmptySections",
     "domain: scsnetwork.local\nservers: []\nhosts:\n",
     {diag(1, 1,
           "servers: a site needs at least one of servers, hosts, services, records, clusters "
           "or lync")}},

    // --- locations
    {"LocationsBad",
     kHead +
         "locations:\n"
         "  dc.1: 192.168.11.0/24\n"
         "  dc2: []\n"
         "  dc3: [192.168.33.1/24, 10.0.0.0/8, 10.0.0.0/8]\n"
         "  DC3: 10.9.0.0/16\n"
         "  dc4:\n"
         "  dc5: { a: b }\n"
         "  " +
         k64 + ": 10.64.0.0/16\n",
     {diag(5, 3,
           "locations.dc.1: invalid location name 'dc.1': expected one label of 1-63 letters, "
           "digits, '-' and '_', such as dc1"),
      diag(6, 8, "locations.dc2: expected an address prefix or a list of them"),
      diag(7, 9,
           "locations.dc3[0]: prefix '192.168.33.1/24' has host bits set; did you mean "
           "'192.168.33.0/24'?"),
      diag(7, 38, "locations.dc3[2]: '10.0.0.0/8' is listed twice"),
      diag(8, 3, "locations.DC3: duplicate location 'DC3' (first at line 7)"),
      diag(9, 3,
           "locations.dc4: expected an address prefix such as 192.168.11.0/24 or "
           "2001:db8::/64, got nothing"),
      diag(10, 8,
           "locations.dc5: expected an address prefix such as 192.168.11.0/24 or "
           "2001:db8::/64, got a mapping"),
      diag(11, 3,
           "locations." + k64 + ": invalid location name '" + k64 +
               "': expected one label of 1-63 letters, digits, '-' and '_', such as dc1")}},
    {"LocationsPrefixInTwoLocations",
     kHead + "locations:\n"
             "  dc1: [192.168.11.0/24, \"2001:db8:11::/48\"]\n"
             "  dc2: [192.168.22.0/24, \"2001:DB8:11::/48\"]\n"
             "  dc3: 192.168.11.0/24\n"
             "  dc4: [10.0.0.0/8, 10.1.0.0/16]\n",  // nested prefixes are fine
     {diag(6, 26,
           "locations.dc2[1]: clients in 2001:db8:11::/48 would be in two locations: dc1 "
           "(line 5) and dc2"),
      diag(7, 8,
           "locations.dc3: clients in 192.168.11.0/24 would be in two locations: dc1 (line 5) "
           "and dc3")}},
    {"LocationsNotAMapping",
     kHead + "locations: [192.168.11.0/24]\n",
     {diag(4, 12, "locations: expected a mapping of location names to address prefixes")}},
    {"NewSectionsDidYouMean",
     kHead + "location: {}\ncluster: []\nlnyc: {}\n",
     {diag(4, 1, "location: unknown key; did you mean 'locations'?"),
      diag(5, 1, "cluster: unknown key; did you mean 'clusters'?"),
      diag(6, 1, "lnyc: unknown key; did you mean 'lync'?")}},

    // --- clusters
    {"ClusterUnknownKeys",
     kLocations + "clusters:\n"
                  "  - name: spx-srv\n"
                  "    prot: 5060\n"
                  "    priorities: { locl: 10, remote: 200 }\n"
                  "    members:\n"
                  "      dc1: [ { nmae: dc1-spx1, ipv4: 192.168.11.121 } ]\n"
                  "      dc2: [ { name: dc2-spx1, ipv4: 192.168.22.121, ip6: '::1' } ]\n",
     {diag(9, 5, "clusters[0].prot: unknown key; did you mean 'port'?"),
      diag(10, 19, "clusters[0].priorities.locl: unknown key; did you mean 'local'?"),
      diag(12, 14, "clusters[0].members.dc1[0].name: required key is missing"),
      diag(12, 16, "clusters[0].members.dc1[0].nmae: unknown key; did you mean 'name'?"),
      diag(13, 54, "clusters[0].members.dc2[0].ip6: unknown key; did you mean 'ipv6'?")}},
    {"ClusterMissingKeys",
     kLocations + "clusters:\n  - { port: 5060 }\n",
     {diag(8, 5, "clusters[0].name: required key is missing"),
      diag(8, 5, "clusters[0].members: required key is missing")}},
    {"ClusterNumbers",
     kLocations + "clusters:\n"
                  "  - name: spx-srv\n"
                  "    port: 0\n"
                  "    transports: [udp, sctp, udp]\n"
                  "    weight: 65536\n"
                  "    priorities: { local: -1, remote: x }\n"
                  "    members: { dc1: [{ name: dc1-spx1, ipv4: 192.168.11.121 }] }\n",
     {diag(9, 11, "clusters[0].port: expected a port number 1-65535, got 0"),
      diag(10, 23, "clusters[0].transports[1]: expected udp, tcp or tls, got 'sctp'"),
      diag(10, 29, "clusters[0].transports[2]: 'udp' is listed twice"),
      diag(11, 13, "clusters[0].weight: expected a weight 0-65535, got 65536"),
      diag(12, 26, "clusters[0].priorities.local: expected a priority 0-65535, got -1"),
      diag(12, 38, "clusters[0].priorities.remote: expected a priority 0-65535, got 'x'")}},
    {"ClusterTransportsEmpty",
     kLocations + "clusters:\n"
                  "  - { name: spx-srv, transports: [], members: { dc1: [{ name: a, ipv4: "
                  "192.168.11.1 }] } }\n",
     {diag(8, 34, "clusters[0].transports: expected at least one of udp, tcp, tls")}},
    {"ClusterPrioritiesInverted",
     kLocations + "clusters:\n"
                  "  - name: spx-srv\n"
                  "    priorities: { local: 200, remote: 10 }\n"
                  "    members: { dc1: [{ name: dc1-spx1, ipv4: 192.168.11.121 }] }\n",
     {diag(9, 17,
           "clusters[0].priorities: local 200 is above remote 10, so clients would prefer "
           "other locations (lower SRV priorities are tried first, RFC 2782)")}},
    {"ClusterUnknownLocationAndDefault",
     kLocations + "clusters:\n"
                  "  - name: spx-srv\n"
                  "    default: DC2\n"
                  "    members:\n"
                  "      dc1: [{ name: dc1-spx1, ipv4: 192.168.11.121 }]\n"
                  "      dc3: [{ name: dc3-spx1, ipv4: 192.168.33.121 }]\n",
     {diag(9, 14,
           "clusters[0].default: 'DC2' is not one of this cluster's member locations (dc1, "
           "dc3)"),
      diag(12, 7, "clusters[0].members.dc3: unknown location 'dc3' (defined: dc1, dc2)")}},
    {"ClusterWithoutLocations",
     kHead + "clusters:\n"
             "  - name: spx-srv\n"
             "    members:\n"
             "      dc1: [{ name: dc1-spx1, ipv4: 192.168.11.121 }]\n"
             "  - name: spx2-srv\n"
             "    members: { dc1: [{ name: dc1-spx1, ipv4: 192.168.11.121 }] }\n",
     {diag(7, 7,
           "clusters[0].members: clusters need a locations section to know which clients are "
           "local"),
      diag(9, 14,
           "clusters[1].members: clusters need a locations section to know which clients are "
           "local")}},
    {"ClusterMembersBad",
     kLocations + "clusters:\n"
                  "  - name: spx-srv\n"
                  "    members:\n"
                  "      dc1:\n"
                  "        - { name: dc1-spx1, ipv4: 192.168.11.121 }\n"
                  "        - { name: dc1-spx2 }\n"
                  "        - { name: dc1-spx3, ipv4: '2001:db8::3' }\n"
                  "      dc2:\n"
                  "        - { name: DC1-SPX1, ipv4: 192.168.22.121 }\n"
                  "      DC1: []\n"
                  "  - name: spx2-srv\n"
                  "    members: { dc1: [], dc2: dc2-spx1 }\n"
                  "  - name: spx3-srv\n"
                  "    members: {}\n"
                  "  - name: spx4-srv\n"
                  "    members: [dc1]\n",
     {diag(12, 11,
           "clusters[0].members.dc1[1]: a cluster member needs an ipv4 or ipv6 address, "
           "or both"),
      diag(13, 35, "clusters[0].members.dc1[2].ipv4: expected an IPv4 address, got '2001:db8::3'"),
      diag(15, 19,
           "clusters[0].members.dc2[0].name: duplicate cluster member name 'DC1-SPX1' (first "
           "at line 11)"),
      diag(16, 7, "clusters[0].members.DC1: duplicate location 'DC1' (first at line 10)"),
      diag(18, 21, "clusters[1].members.dc1: expected at least one cluster member"),
      diag(18, 30, "clusters[1].members.dc2: expected a list of cluster members"),
      diag(20, 14, "clusters[2].members: expected at least one location with its members"),
      diag(22, 14,
           "clusters[3].members: expected a mapping of location names to lists of members")}},
    {"DuplicateCluster",
     kLocations + "clusters:\n"
                  "  - { name: spx-srv, members: { dc1: [{ name: a, ipv4: 192.168.11.1 }] } }\n"
                  "  - { name: SPX-SRV.scsnetwork.local., members: { dc1: [{ name: b, ipv4: "
                  "192.168.11.2 }] } }\n",
     {diag(9, 13,
           "clusters[1].name: duplicate cluster name 'SPX-SRV.scsnetwork.local.' (first at "
           "line 8)")}},
    {"ClusterWildcardName",
     kLocations + "clusters:\n"
                  "  - { name: '*.spx', members: { dc1: [{ name: a, ipv4: 192.168.11.1 }] } }\n",
     {diag(8, 13,
           "clusters[0].name: invalid name '*.spx': a cluster's SRV owners (_sip._udp.<name>) "
           "cannot contain a wildcard")}},
    {"ClustersNotAList",
     kLocations + "clusters: { name: spx-srv }\n",
     {diag(7, 11, "clusters: expected a list of clusters")}},
    {"ClusterNotAMapping",
     kLocations + "clusters: [spx-srv]\n",
     {diag(7, 12,
           "clusters[0]: expected a cluster: { name, port, transports, weight, priorities, "
           "default, members }")}},

    // --- lync
    {"LyncMissingPool",
     kHead + "lync:\n  edge: { name: sipedge, ipv4: 203.0.113.50 }\n",
     {diag(5, 3, "lync.pool: required key is missing")}},
    {"LyncUnknownKeys",
     kHead + "lync:\n"
             "  pool: { name: pool01, ipv4: 192.0.2.50, ipv5: x }\n"
             "  egde: { name: sipedge, ipv4: 203.0.113.50 }\n",
     {diag(5, 43, "lync.pool.ipv5: unknown key; did you mean 'ipv4'?"),
      diag(6, 3, "lync.egde: unknown key; did you mean 'edge'?")}},
    {"LyncHostsBad",
     kHead + "lync:\n"
             "  pool: { name: pool01 }\n"
             "  edge: { ipv4: '2001:db8::50' }\n",
     {diag(5, 9, "lync.pool: a Lync pool needs an ipv4 or ipv6 address, or both"),
      diag(6, 9, "lync.edge.name: required key is missing"),
      diag(6, 17, "lync.edge.ipv4: expected an IPv4 address, got '2001:db8::50'")}},
    {"LyncNotAMapping",
     kHead + "lync: pool01\n",
     {diag(4, 7, "lync: expected a mapping of Lync settings: { pool, edge }")}},
    {"LyncPoolNotAMapping",
     kHead + "lync:\n  pool: pool01\n",
     {diag(5, 9, "lync.pool: expected a Lync pool: { name, ipv4, ipv6 }")}},
    {"OnlyEmptyLync",  // an empty lync section is no record source, and it lacks its pool
     "domain: scsnetwork.local\nlync: {}\n",
     {diag(1, 1,
           "servers: a site needs at least one of servers, hosts, services, records, clusters "
           "or lync"),
      diag(2, 7, "lync.pool: required key is missing")}},

    // --- services
    {"ServicePlainTargetWithoutPort",
     kHead + "services:\n  - { service: _ldap._tcp, targets: [dc1] }\n",
     {diag(5, 38,
           "services[0].targets[0]: a plain target name needs 'port' on the service; "
           "or write { target: dc1, port: N }")}},
    {"ServiceMixedForms",
     kHead + "services:\n  - service: _ldap._tcp\n    port: 389\n    targets:\n"
             "      - { target: dc1, port: 389 }\n",
     {diag(8, 9,
           "services[0].targets[0]: the service has 'port', so its targets are plain names; "
           "to give each target its own priority, weight and port, drop the service's "
           "'port'")}},
    {"ServiceTargetMissingPort",
     kHead + "services:\n  - service: _sip._udp.sip-dc\n    targets:\n"
             "      - { target: sip-dc1, priority: 10 }\n      - { target: sip-dc2, port: 0 }\n",
     {diag(7, 9, "services[0].targets[0].port: required key is missing"),
      diag(8, 34, "services[0].targets[1].port: expected a port number 1-65535, got 0")}},
    {"ServiceBadOwner",
     kHead + "services:\n  - { service: ldap.tcp, port: 389, targets: [dc1] }\n",
     {diag(5, 16,
           "services[0].service: expected _service._proto or _service._proto.name "
           "(RFC 2782), got 'ldap.tcp'")}},
    {"ServiceWithoutTargets",
     kHead + "services:\n  - { service: _ldap._tcp, port: 389 }\n",
     {diag(5, 5, "services[0].targets: required key is missing")}},
    {"ServicePriorityTooBig",
     kHead +
         "services:\n  - service: _x._tcp\n    targets: [{ target: a, port: 1, weight: 65536 }]\n",
     {diag(6, 45, "services[0].targets[0].weight: expected a weight 0-65535, got 65536")}},
    {"DuplicateService",
     kHead + "services:\n  - { service: _ldap._tcp, port: 389, targets: [dc1] }\n"
             "  - { service: _LDAP._tcp, port: 389, targets: [dc2] }\n",
     {diag(6, 16, "services[1].service: duplicate service '_LDAP._tcp' (first at line 5)")}},

    // --- records
    {"RecordDoesNotParse",
     kHead + "records:\n  - foo IN A 1.2.3\n",
     {diag(5, 5,
           "records[0]: cannot parse 'foo IN A 1.2.3': Syntax error, could not parse the RR's "
           "rdata")}},
    {"RecordUnknownType",
     kHead + "records:\n  - 'foo IN BOGUS 1'\n",
     {diag(5, 5,
           "records[0]: cannot parse 'foo IN BOGUS 1': Syntax error, could not parse the "
           "RR's rdata")}},
    {"RecordWithoutRdata",
     kHead + "records:\n  - foo IN MX\n",
     {diag(5, 5, "records[0]: cannot parse 'foo IN MX': Syntax error, value expected")}},
    {"RecordClassCh",
     kHead + "records:\n  - foo CH TXT x\n",
     {diag(5, 5, "records[0]: only class IN is supported, in 'foo CH TXT x'")}},
    {"RecordSoa",
     kHead + "records:\n  - '@ IN SOA a b 1 2 3 4 5'\n",
     {diag(5, 5,
           "records[0]: SOA is generated from the 'soa:' section; set its values there, "
           "in '@ IN SOA a b 1 2 3 4 5'")}},
    {"RecordOutOfZone",
     kHead + "records:\n  - www.example.com. IN A 192.0.2.1\n",
     {diag(5, 5,
           "records[0]: owner 'www.example.com' is outside the zone 'scsnetwork.local' "
           "and its reverse zones, in 'www.example.com. IN A 192.0.2.1'")}},
    {"RecordNotAString",
     kHead + "records:\n  - { a: b }\n",
     {diag(5, 5,
           "records[0]: expected a zone-file line such as \"www IN A 192.0.2.80\", got a "
           "mapping")}},

    // --- reverse, nameservers, soa, server
    {"ReverseBadWord",
     kHead + "reverse: on\n",
     {diag(4, 10, "reverse: expected auto, off or a list of prefixes, got 'on'")}},
    {"ReverseBadPrefix",
     kHead + "reverse: [192.168.11.0/33, 10.1.2.3/8, 10.0.0.0/8, 10.0.0.0/8]\n",
     {diag(4, 11,
           "reverse[0]: expected an address prefix such as 192.168.11.0/24 or "
           "2001:db8::/64, got '192.168.11.0/33'"),
      diag(4, 28,
           "reverse[1]: prefix '10.1.2.3/8' has host bits set; did you mean "
           "'10.0.0.0/8'?"),
      diag(4, 52, "reverse[3]: '10.0.0.0/8' is listed twice")}},
    {"NameserversBad",
     kHead + "nameservers: [ns1, 'a b', ns1]\n",
     {diag(4, 20,
           "nameservers[1]: invalid name 'a b': character '\\032' is not allowed in "
           "'a b' (only letters, digits, '-' and '_')"),
      diag(4, 27, "nameservers[2]: 'ns1' is listed twice")}},
    {"SoaBad",
     kHead + "soa:\n  serial: 4294967296\n  refresh: 1h\n  mname: x\n",
     {diag(5, 11, "soa.serial: expected a serial number 0-4294967295, got 4294967296"),
      diag(6, 12,
           "soa.refresh: expected a time in seconds 0-2147483647, got '1h'; the value is in "
           "seconds without a unit: write 3600"),
      diag(7, 3, "soa.mname: unknown key; did you mean 'rname'?")}},
    {"ListenBad",
     kHead + "server:\n  listen: ['0.0.0.0:53', '::1:53', '[::1]:0', '0.0.0.0:53']\n",
     {diag(5, 26,
           "server.listen[1]: expected ADDR:PORT such as 0.0.0.0:53 or [::]:53, got "
           "'::1:53'"),
      diag(5, 36,
           "server.listen[2]: expected ADDR:PORT such as 0.0.0.0:53 or [::]:53, got "
           "'[::1]:0'"),
      diag(5, 47, "server.listen[3]: '0.0.0.0:53' is listed twice")}},
    {"DaemonNumbers",
     kHead + "server:\n  threads: 0\n  edns_udp_size: 65535\n",
     {diag(5, 12, "server.threads: expected a thread count 1-256, got 0"),
      diag(6, 18, "server.edns_udp_size: expected an EDNS UDP payload size 512-4096, got 65535")}},
    {"TcpTimeouts",
     kHead + "server:\n  tcp_io_timeout_ms: 0\n  tcp_idle_timeout_ms: 2s\n  tcp_io_timout_ms: 5\n",
     {diag(5, 22, "server.tcp_io_timeout_ms: expected a timeout in milliseconds 1-3600000, got 0"),
      diag(6, 24,
           "server.tcp_idle_timeout_ms: expected a timeout in milliseconds 1-3600000, got '2s'; "
           "the value is in milliseconds without a unit: write 2000"),
      diag(7, 3, "server.tcp_io_timout_ms: unknown key; did you mean 'tcp_io_timeout_ms'?")}},
    {"ListenNotAList",
     kHead + "server:\n  listen: 0.0.0.0:53\n",
     {diag(5, 11,
           "server.listen: expected a list of ADDR:PORT strings, got the single value "
           "'0.0.0.0:53'; write it as [\"0.0.0.0:53\"]")}},
    {"RateLimitNumbers",
     kHead + "server:\n  rate_limit:\n    responses_per_second: -1\n    slip: 11\n"
             "    ipv4_prefix: 33\n    ipv6_prefix: 129\n",
     {diag(6, 27,
           "server.rate_limit.responses_per_second: expected a rate in responses per second "
           "(0 = off) 0-1000000, got -1"),
      diag(7, 11,
           "server.rate_limit.slip: expected a slip ratio (0 = drop all, 1 = truncate all) "
           "0-10, got 11"),
      diag(8, 18, "server.rate_limit.ipv4_prefix: expected an IPv4 prefix length 0-32, got 33"),
      diag(9, 18,
           "server.rate_limit.ipv6_prefix: expected an IPv6 prefix length 0-128, got 129")}},
    {"RateLimitShape",
     kHead + "server:\n  rate_limit: 1000\n",
     {diag(5, 15,
           "server.rate_limit: expected a mapping of rate-limit settings: { "
           "responses_per_second, slip, ipv4_prefix, ipv6_prefix }")}},
    {"RateLimitUnknownKey",
     kHead + "server:\n  rate_limit: { responses_per_secnd: 5, window: 15 }\n",
     {diag(5, 17,
           "server.rate_limit.responses_per_secnd: unknown key; did you mean "
           "'responses_per_second'?"),
      diag(5, 41,
           "server.rate_limit.window: unknown key (expected one of: responses_per_second, "
           "slip, ipv4_prefix, ipv6_prefix)")}},
    {"MetricsListen",
     kHead + "server:\n  metrics:\n    listen: 127.0.0.1\n",
     {diag(6, 13,
           "server.metrics.listen: expected ADDR:PORT such as 127.0.0.1:9153 or [::1]:9153, "
           "got '127.0.0.1'")}},
    {"MetricsShape",
     kHead + "server:\n  metrics: 127.0.0.1:9153\n",
     {diag(5, 12, "server.metrics: expected a mapping of metrics settings: { listen }")}},
    {"MetricsUnknownKey",
     kHead + "server:\n  metrics: { lisen: '[::1]:9153' }\n",
     {diag(5, 14, "server.metrics.lisen: unknown key; did you mean 'listen'?")}},
    {"StateDirRelative",
     kHead + "server:\n  state_dir: var/lib/sipdns\n",
     {diag(5, 14,
           "server.state_dir: expected an absolute directory path such as /var/lib/sipdns, "
           "got 'var/lib/sipdns'")}},
    {"StateDirNotAPath",
     kHead + "server:\n  state_dir: [/var/lib/sipdns]\n",
     {diag(5, 14,
           "server.state_dir: expected an absolute directory path such as /var/lib/sipdns, "
           "got a list")}},
    {"ControlRelative",
     kHead + "server:\n  control: run/sipdns/control\n",
     {diag(5, 12,
           "server.control: expected an absolute socket path such as /run/sipdns/control, "
           "got 'run/sipdns/control'")}},
    {"ControlNotAPath",
     kHead + "server:\n  control: { path: /run/sipdns/control }\n",
     {diag(5, 12,
           "server.control: expected an absolute socket path such as /run/sipdns/control, "
           "got a mapping")}},

    // --- classic YAML slips at the value level: each gets the fix in plain words
    {"TransportsCommaScalar",
     kHead + "sip:\n  transports: udp, tcp\n",
     {diag(5, 15,
           "sip.transports: expected a list of transports (udp, tcp, tls), got the single value "
           "'udp, tcp'; write it as [udp, tcp]")}},
    {"TransportsOneScalar",
     kHead + "sip: { transports: tls }\n",
     {diag(4, 20,
           "sip.transports: expected a list of transports (udp, tcp, tls), got the single value "
           "'tls'; write it as [tls]")}},
    {"NameserversScalar",
     kHead + "nameservers: ntp,gw\n",
     {diag(4, 14,
           "nameservers: expected a list of name server names, got the single value 'ntp,gw'; "
           "write it as [ntp, gw]")}},
    {"HostCommaScalar",
     kHead + "  gw: 192.0.2.1, 2001:db8::1\n",
     {diag(4, 7,
           "hosts.gw: expected an IPv4 or IPv6 address or a list of them, got the single value "
           "'192.0.2.1, 2001:db8::1'; write it as [192.0.2.1, \"2001:db8::1\"]")}},
    {"ServiceTargetsScalar",
     kHead + "services:\n  - { service: _ldap._tcp, port: 389, targets: \"ntp, gw\" }\n",
     {diag(5, 48,
           "services[0].targets: expected a list of targets, got the single value 'ntp, gw'; "
           "write it as [ntp, gw]")}},
    {"ReverseCommaScalar",
     kHead + "reverse: 192.0.2.0/24, 198.51.100.0/24\n",
     {diag(4, 10,
           "reverse: expected auto, off or a list of prefixes, got the single value "
           "'192.0.2.0/24, 198.51.100.0/24'; write it as [192.0.2.0/24, 198.51.100.0/24]")}},
    {"LocationCommaScalar",
     kHead + "locations:\n  dc1: 10.1.0.0/16, 10.2.0.0/16\n",
     {diag(5, 8,
           "locations.dc1: expected an address prefix or a list of them, got the single value "
           "'10.1.0.0/16, 10.2.0.0/16'; write it as [10.1.0.0/16, 10.2.0.0/16]")}},
    {"TransferAllowScalar",
     kHead + "server:\n  transfer: { allow: 192.0.2.0/24 }\n",
     {diag(5, 22,
           "server.transfer.allow: expected a list of address prefixes allowed to transfer the "
           "zones, got the single value '192.0.2.0/24'; write it as [192.0.2.0/24]")}},
    {"ListTooLongToRewrite",
     kHead + "nameservers: " + std::string(50, 'n') + ", " + std::string(50, 'm') + "\n",
     {diag(4, 14,
           "nameservers: expected a list of name server names, got the single value '" +
               std::string(50, 'n') + ", " + std::string(28, 'm') + "\u2026' (102 bytes)")}},
    {"BooleanOne",
     kHead + "sip: { naptr: 0 }\n",
     {diag(4, 15, "sip.naptr: expected true or false, got 0; did you mean false?")}},
    {"BooleanEnabled",
     kHead + "sip: { naptr: Enabled }\n",
     {diag(4, 15, "sip.naptr: expected true or false, got 'Enabled'; did you mean true?")}},
    {"TtlWithUnits",
     "ttl: 1d12h\n" + kHead,
     {diag(1, 6,
           "ttl: expected a TTL in seconds 0-2147483647, got '1d12h'; the value is in seconds "
           "without a unit: write 129600")}},
    {"TtlUnknownUnit",
     "ttl: 5y\n" + kHead,
     {diag(1, 6, "ttl: expected a TTL in seconds 0-2147483647, got '5y'")}},
    {"AddressWithPrefixLength",
     kHead + "servers:\n  - { name: scs1, ipv4: 192.0.2.11/24 }\n",
     {diag(5, 25,
           "servers[0].ipv4: expected an IPv4 address, got '192.0.2.11/24'; write the address "
           "without the prefix length: 192.0.2.11")}},

    // --- more shapes
    {"KeyInWrongCase",
     "Domain: scsnetwork.local\nhosts: { ntp: 192.0.2.1 }\n",
     {diag(1, 1, "Domain: unknown key; did you mean 'domain'?"),
      diag(1, 1, "domain: required key is missing (the SIP domain, e.g. scsnetwork.local)")}},
    {"NonScalarKey", kHead + "? [a, b]\n: c\n", {diag(4, 3, "expected a key name, got a list")}},
    {"HostWithoutAddress",
     kHead + "  gw1:\n",
     {diag(4, 3, "hosts.gw1: expected an IPv4 or IPv6 address, got nothing")}},
    {"HostEmptyList",
     kHead + "  gw1: []\n",
     {diag(4, 8, "hosts.gw1: expected an IPv4 or IPv6 address or a list of them")}},
    {"HostsNotAMapping",
     "domain: scsnetwork.local\nhosts: [192.0.2.1]\n",
     {diag(2, 8, "hosts: expected a mapping of host names to addresses")}},
    {"DuplicateAlias",
     kHead + "aliases:\n  tftp: ntp\n  TFTP: ntp\n",
     {diag(6, 3, "aliases.TFTP: duplicate alias 'TFTP' (first at line 5)")}},
    {"TransportsEmpty",
     kHead + "sip: { transports: [] }\n",
     {diag(4, 20, "sip.transports: expected at least one of udp, tcp, tls")}},
    {"ReverseEmptyList",
     kHead + "reverse: []\n",
     {diag(4, 10, "reverse: expected at least one prefix, or write 'off'")}},
    {"VersionTooLong",
     kHead + "server:\n  version: " + std::string(256, 'v') + "\n",
     {diag(5, 12, "server.version: expected at most 255 octets, got 256")}},
    {"ServiceTargetNotAName",
     kHead + "services:\n  - { service: _x._tcp, port: 1, targets: [[a]] }\n",
     {diag(5, 44,
           "services[0].targets[0]: expected a target name or { target, priority, weight, "
           "port }, got a list")}},

    // --- positions: a byte-order mark is not a column, CR LF ends a line, columns count
    // characters (not bytes)
    {"PositionAfterByteOrderMark",
     "\xEF\xBB\xBF"
     "domain: a..b\nhosts: { ntp: 192.0.2.1 }\n",
     {diag(1, 9, "domain: invalid domain name 'a..b': empty label in 'a..b'")}},
    {"PositionWithCrLf",
     "domain: scsnetwork.local\r\nhosts:\r\n  ntp: 192.0.2.1\r\n  gw1: x\r\n",
     {diag(4, 8, "hosts.gw1: expected an IPv4 or IPv6 address, got 'x'")}},
    {"PositionAfterNonAscii",
     kHead + "  gw1: ['\xC3\xA9', 192.0.2.300]\n",
     {diag(4, 9, "hosts.gw1[0]: expected an IPv4 or IPv6 address, got '\xC3\xA9'"),
      diag(4, 14, "hosts.gw1[1]: expected an IPv4 or IPv6 address, got '192.0.2.300'")}},

    // --- host names (RFC 952, RFC 1123 §2.1); SRV owners keep their underscores
    {"HostNameUnderscore",
     kHead + "  file_server: 192.0.2.7\n",
     {diag(4, 3,
           "hosts.file_server: 'file_server' is not a valid host name: '_' is not allowed in a "
           "host name (RFC 952, RFC 1123 §2.1: letters, digits and '-'; '_' belongs in SRV "
           "owners only)")}},
    {"ServerNameUnderscore",
     "domain: scsnetwork.local\nservers:\n  - { name: scs_1, ipv4: 192.0.2.11 }\n",
     {diag(3, 13,
           "servers[0].name: 'scs_1' is not a valid host name: '_' is not allowed in a host "
           "name (RFC 952, RFC 1123 §2.1: letters, digits and '-'; '_' belongs in SRV owners "
           "only)")}},
    {"HostNameHyphenAtEnd",
     kHead + "  gw-: 192.0.2.7\n",
     {diag(4, 3,
           "hosts.gw-: 'gw-' is not a valid host name: label 'gw-' starts or ends with '-' "
           "(RFC 952, RFC 1123 §2.1)")}},
    // --- sip.srv: false is the SCS guide's single server with A records only
    {"SrvFalseWithTwoServers",
     "domain: scsnetwork.local\n"
     "servers:\n"
     "  - { name: scs1, ipv4: 192.0.2.11 }\n"
     "  - { name: scs2, ipv4: 192.0.2.12 }\n"
     "sip: { srv: false }\n",
     {diag(5, 13,
           "sip.srv: false leaves the 2 servers without the SRV records a high-availability "
           "site needs (SCS guide: a dual server system only functions with A and SRV "
           "records); remove 'srv: false' or list one server")}},
    {"NaptrWithoutSrv",
     "domain: scsnetwork.local\n"
     "servers:\n"
     "  - { name: scs1, ipv4: 192.0.2.11 }\n"
     "sip: { srv: false, naptr: true }\n",
     {diag(4, 27,
           "sip.naptr: NAPTR records point phones at the SIP SRV records (RFC 3263 §4.1), "
           "which 'srv: false' turns off; remove one of the two")}},
    {"SrvNotBoolean",
     "domain: scsnetwork.local\n"
     "servers:\n"
     "  - { name: scs1, ipv4: 192.0.2.11 }\n"
     "sip: { srv: maybe }\n",
     {diag(4, 13, "sip.srv: expected true or false, got 'maybe'")}},
    // --- HA: the rr.<server> records must not point back at the proxy
    {"RedirectPortIsProxyPort",
     "domain: scsnetwork.local\n"
     "servers:\n"
     "  - { name: scs1, ipv4: 192.0.2.11 }\n"
     "  - { name: scs2, ipv4: 192.0.2.12 }\n"
     "sip:\n"
     "  redirect_port: 5060\n",
     {diag(6, 18,
           "sip: redirect_port and proxy_port are both 5060; the rr.<server> SRV records of an "
           "HA site would send redirected phones back to the proxy (the SCS guide: 5070 for "
           "the redirect service, 5060 for the proxy)")}},
    // --- services[].generated
    {"ServiceGeneratedBadValue",
     kHead + "services:\n  - { service: _sip._udp, port: 5060, targets: [ntp], generated: merge }\n",
     {diag(5, 66,
           "services[0].generated: expected add (serve the generated targets and these) or "
           "replace (serve these instead), got 'merge'")}},

    // --- several problems at once, in file order
    {"SeveralAtOnce",
     "domain: scsnetwork..local\n"
     "sever: {}\n"
     "servers:\n"
     "  - { name: scs1, ipv4: 192.0.2.300 }\n"
     "  - { name: scs2, ipv4: 192.0.2.12 }\n"
     "  - { name: scs2, ipv6: 192.0.2.13 }\n"
     "sip:\n"
     "  proxy_port: 70000\n"
     "records:\n"
     "  - foo IN A 1.2.3\n",
     {diag(1, 9,
           "domain: invalid domain name 'scsnetwork..local': empty label in "
           "'scsnetwork..local'"),
      diag(2, 1, "sever: unknown key; did you mean 'server'?"),
      diag(4, 25, "servers[0].ipv4: expected an IPv4 address, got '192.0.2.300'"),
      diag(6, 13, "servers[2].name: duplicate server name 'scs2' (first at line 5)"),
      diag(6, 25, "servers[2].ipv6: expected an IPv6 address, got '192.0.2.13'"),
      diag(8, 15, "sip.proxy_port: expected a port number 1-65535, got 70000"),
      diag(10, 5,
           "records[0]: cannot parse 'foo IN A 1.2.3': Syntax error, could not parse "
           "the RR's rdata")}},
};

INSTANTIATE_TEST_SUITE_P(Rows, LoaderErrors, ::testing::ValuesIn(kRows),
                         [](const auto& info) { return info.param.name; });

TEST(LoadSiteFile, MissingFileIsOneDiagnostic) {
    auto r = load_site_file("/nonexistent/site.yaml");
    ASSERT_FALSE(r);
    ASSERT_EQ(r.error().size(), 1u);
    EXPECT_EQ(r.error()[0].to_string(),
              "/nonexistent/site.yaml: cannot read: No such file or directory");
}

TEST(LoadSiteFile, DirectoryIsOneDiagnostic) {
    auto r = load_site_file("/");
    ASSERT_FALSE(r);
    ASSERT_EQ(r.error().size(), 1u);
    EXPECT_EQ(r.error()[0].to_string(), "/: cannot read: Is a directory");
}

TEST(Diagnostic, Formats) {
    EXPECT_EQ((Diagnostic{"a.yaml", {3, 7}, "msg"}).to_string(), "a.yaml:3:7: msg");
    EXPECT_EQ((Diagnostic{"a.yaml", {}, "msg"}).to_string(), "a.yaml: msg");
}

}  // namespace
}  // namespace sipdns::config
