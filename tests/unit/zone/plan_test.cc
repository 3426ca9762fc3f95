// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
// `sipdnsd plan` (issue 9): the RFC 3361 option-120 and RFC 5908 option-56 encoders, the SCS
// guide's SIP Domain rule, where the verification commands send their queries, and the
// checklist itself, DHCPv6 options included (issue 14).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sipdns/config/loader.h"
#include "sipdns/zone/builder.h"
#include "sipdns/zone/plan.h"
#include "zone_test_support.h"

namespace sipdns::test {
namespace {

using zone::SipDomainAdvice;
using zone::DhcpOptionError;

std::string bytes(std::initializer_list<int> b) {
    std::string out;
    for (int v : b) out.push_back(static_cast<char>(v));
    return out;
}

config::IpAddress ip(const char* text) {
    return *config::IpAddress::parse(text);
}

// ---------------------------------------------------------------------------------------------
// RFC 3361

// RFC 3361 §3.1's own example: "example.com" and "example.net" by name, Len 27 (the encoding
// byte and two uncompressed names of 13 octets).
TEST(SipServersOption, RfcExampleByName) {
    auto data = zone::encode_sip_servers_by_name({"example.com", "example.net"});
    ASSERT_TRUE(data);
    EXPECT_EQ(data->size(), 27u);
    const std::string expected = bytes({0, 7}) + "example" + bytes({3}) + "com" + bytes({0, 7}) +
                                 "example" + bytes({3}) + "net" + bytes({0});
    EXPECT_EQ(*data, expected);
}

TEST(SipServersOption, TrailingDotIsTheSameName) {
    EXPECT_EQ(*zone::encode_sip_servers_by_name({"scsnetwork.local."}),
              *zone::encode_sip_servers_by_name({"scsnetwork.local"}));
    EXPECT_EQ(zone::hex_with_colons(*zone::encode_sip_servers_by_name({"scsnetwork.local"})),
              "00:0a:73:63:73:6e:65:74:77:6f:72:6b:05:6c:6f:63:61:6c:00");
}

// RFC 3361 §3.2: encoding 1, then 4 octets per address in network byte order, in order of
// preference (the primary first).
TEST(SipServersOption, ByAddress) {
    auto data = zone::encode_sip_servers_by_address({ip("192.0.2.11"), ip("192.0.2.12")});
    ASSERT_TRUE(data);
    EXPECT_EQ(*data, bytes({1, 192, 0, 2, 11, 192, 0, 2, 12}));
    EXPECT_EQ(zone::hex_plain(*data), "01c000020bc000020c");
    EXPECT_EQ(zone::hex_with_colons(*data), "01:c0:00:02:0b:c0:00:02:0c");
}

TEST(SipServersOption, Errors) {
    struct Case {
        std::vector<std::string> names;
        DhcpOptionError error;
    };
    const std::vector<Case> cases = {
        {{}, DhcpOptionError::Empty},
        {{"."}, DhcpOptionError::BadName},
        {{""}, DhcpOptionError::BadName},
        {{"a..b"}, DhcpOptionError::BadName},
        {{".a"}, DhcpOptionError::BadName},
        {{std::string(64, 'a') + ".test"}, DhcpOptionError::BadName},  // label over 63
        {{"ok.test", std::string(63, 'a') + "." + std::string(63, 'b') + "." +
                         std::string(63, 'c') + "." + std::string(63, 'd')},
         DhcpOptionError::BadName},  // 4 x 64 + 1 = 257 octets > 255
    };
    for (const auto& c : cases) {
        auto r = zone::encode_sip_servers_by_name(c.names);
        ASSERT_FALSE(r) << (c.names.empty() ? "(none)" : c.names.back());
        EXPECT_EQ(r.error(), c.error) << (c.names.empty() ? "(none)" : c.names.back());
    }
    // The longest legal name (253 characters, 255 octets on the wire) is accepted.
    const std::string longest = std::string(63, 'a') + "." + std::string(63, 'b') + "." +
                                std::string(63, 'c') + "." + std::string(61, 'd');
    auto ok = zone::encode_sip_servers_by_name({longest});
    ASSERT_TRUE(ok);
    EXPECT_EQ(ok->size(), 1u + 255u);

    EXPECT_EQ(zone::encode_sip_servers_by_address({}).error(), DhcpOptionError::Empty);
    EXPECT_EQ(zone::encode_sip_servers_by_address({ip("192.0.2.1"), ip("2001:db8::1")}).error(),
              DhcpOptionError::NotIpv4);
}

// ---------------------------------------------------------------------------------------------
// RFC 5908: DHCPv6 option 56, a list of time-source suboptions (code, length, data), each
// 2-octet field in network byte order.

TEST(NtpServerOption, Suboptions) {
    const std::string addr1 =
        bytes({0x20, 0x01, 0x0d, 0xb8, 0, 0x99, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1});
    const std::string addr2 =
        bytes({0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x7b});
    // ntp.example.test in RFC 1035 §3.1 wire form: 18 octets.
    const std::string ntp_wire =
        bytes({3}) + "ntp" + bytes({7}) + "example" + bytes({4}) + "test" + bytes({0});
    struct Case {
        const char* what;
        std::vector<zone::NtpTimeSource> sources;
        std::string expected;
    };
    const std::vector<Case> cases = {
        {"one address (suboption 1, length 16)",
         {{ip("2001:db8:99::1"), {}}},
         bytes({0, 1, 0, 16}) + addr1},
        {"two addresses, in order",
         {{ip("2001:db8:99::1"), {}}, {ip("2001:db8::7b"), {}}},
         bytes({0, 1, 0, 16}) + addr1 + bytes({0, 1, 0, 16}) + addr2},
        {"a name (suboption 3, length 18)",
         {{std::nullopt, "ntp.example.test"}},
         bytes({0, 3, 0, 18}) + ntp_wire},
        {"a name with its trailing dot",
         {{std::nullopt, "ntp.example.test."}},
         bytes({0, 3, 0, 18}) + ntp_wire},
        {"an address, then a name",
         {{ip("2001:db8:99::1"), {}}, {std::nullopt, "ntp.example.test"}},
         bytes({0, 1, 0, 16}) + addr1 + bytes({0, 3, 0, 18}) + ntp_wire},
    };
    for (const auto& c : cases) {
        const auto data = zone::encode_ntp_server(c.sources);
        ASSERT_TRUE(data) << c.what;
        EXPECT_EQ(zone::hex_plain(*data), zone::hex_plain(c.expected)) << c.what;
    }
    EXPECT_EQ(zone::hex_with_colons(*zone::encode_ntp_server({{ip("2001:db8:99::1"), {}}})),
              "00:01:00:10:20:01:0d:b8:00:99:00:00:00:00:00:00:00:00:00:01");
}

TEST(NtpServerOption, Errors) {
    struct Case {
        const char* what;
        std::vector<zone::NtpTimeSource> sources;
        DhcpOptionError error;
    };
    const std::vector<Case> cases = {
        {"no time source", {}, DhcpOptionError::Empty},
        {"an IPv4 address", {{ip("192.0.2.1"), {}}}, DhcpOptionError::NotIpv6},
        {"IPv4 after IPv6",
         {{ip("2001:db8::1"), {}}, {ip("192.0.2.1"), {}}},
         DhcpOptionError::NotIpv6},
        {"the root", {{std::nullopt, "."}}, DhcpOptionError::BadName},
        {"no name", {{std::nullopt, ""}}, DhcpOptionError::BadName},
        {"an empty label", {{std::nullopt, "ntp..test"}}, DhcpOptionError::BadName},
        {"a label over 63", {{std::nullopt, std::string(64, 'a') + ".test"}},
         DhcpOptionError::BadName},
    };
    for (const auto& c : cases) {
        const auto r = zone::encode_ntp_server(c.sources);
        ASSERT_FALSE(r) << c.what;
        EXPECT_EQ(r.error(), c.error) << c.what;
    }
}

// ---------------------------------------------------------------------------------------------
// The SIP Domain (SCS guide, "Impact on Installation")

config::SiteConfig site_of(const std::string& yaml) {
    auto cfg = config::load_site_text(yaml, "site.yaml");
    EXPECT_TRUE(cfg) << (cfg ? "" : cfg.error().front().to_string());
    return cfg ? *cfg : config::SiteConfig{};
}

SipDomainAdvice advice_for(const std::string& yaml) {
    auto zones = build_from_yaml(yaml);
    if (!zones) return {};
    return zone::advise_sip_domain(site_of(yaml), *zones);
}

TEST(SipDomainRule, SrvRecordsMeanTheDomain) {
    struct Case {
        const char* what;
        std::string yaml;
    };
    const std::vector<Case> cases = {
        {"single server",
         "domain: scsnetwork.local\nservers: [{ name: scs1, ipv4: 192.0.2.11 }]\n"},
        {"HA pair",
         "domain: scsnetwork.local\nservers:\n  - { name: scs1, ipv4: 192.0.2.11 }\n"
         "  - { name: scs2, ipv4: 192.0.2.12 }\n"},
        {"TLS only",
         "domain: scsnetwork.local\nservers: [{ name: scs1, ipv4: 192.0.2.11 }]\n"
         "sip: { transports: [tls] }\n"},
        {"SRV from services",
         "domain: example.test\nnameservers: [ns1]\nhosts: { ns1: 192.0.2.1, pbx: 192.0.2.2 }\n"
         "services: [{ service: _sip._udp, port: 5060, targets: [pbx] }]\n"},
        {"SRV from records",
         "domain: example.test\nnameservers: [ns1]\nhosts: { ns1: 192.0.2.1, pbx: 192.0.2.2 }\n"
         "records: ['_sip._tcp IN SRV 0 0 5060 pbx']\n"},
        {"Lync without edge",
         "domain: corp.example.test\nnameservers: [dc1]\nhosts: { dc1: 192.0.2.5 }\n"
         "lync: { pool: { name: pool01, ipv4: 192.0.2.50 } }\n"},
    };
    for (const auto& c : cases) {
        const auto a = advice_for(c.yaml);
        EXPECT_EQ(a.basis, SipDomainAdvice::Basis::SrvRecords) << c.what;
        ASSERT_EQ(a.values.size(), 1u) << c.what;
        EXPECT_EQ(a.values.front(), c.yaml.substr(8, c.yaml.find('\n') - 8)) << c.what;
    }
}

// The SCS guide, "SIP Domain" at installation: "If SRV records are not in use, you must enter
// the FQDN of the SCS server"; with SRV records, the domain. `sip: { srv: false }` is the
// guide's single server with A records only: A and PTR served, no SRV, no NAPTR. One row per
// site: what DNS serves, and what `plan` and `check` tell the installer to enter.
TEST(SipDomainRule, TheGuidesRuleFollowsWhatIsServed) {
    struct Row {
        const char* what;
        std::string yaml;
        std::size_t srv_records;
        std::size_t naptr_records;
        SipDomainAdvice::Basis basis;
        std::string sip_domain;
    };
    const std::string single = "domain: scsnetwork.local\nservers: [{ name: scs1, ipv4: 192.0.2.11 }]\n";
    const std::vector<Row> rows = {
        {"single server, SRV records (the guide's default) and NAPTR", single, 2, 2,
         SipDomainAdvice::Basis::SrvRecords, "scsnetwork.local"},
        {"single server, A records only", single + "sip: { srv: false }\n", 0, 0,
         SipDomainAdvice::Basis::ServerFqdn, "scs1.scsnetwork.local"},
        {"A records only, TLS asked for: still no SRV", single + "sip: { srv: false, transports: [udp, tcp, tls] }\n",
         0, 0, SipDomainAdvice::Basis::ServerFqdn, "scs1.scsnetwork.local"},
        {"SRV without NAPTR", single + "sip: { naptr: false }\n", 2, 0,
         SipDomainAdvice::Basis::SrvRecords, "scsnetwork.local"},
        {"A records only, but the site lists its own SIP SRV", single +
         "sip: { srv: false }\nservices: [{ service: _sip._udp, port: 5060, targets: [scs1] }]\n",
         1, 0, SipDomainAdvice::Basis::SrvRecords, "scsnetwork.local"},
        {"HA pair", "domain: scsnetwork.local\nservers:\n  - { name: scs1, ipv4: 192.0.2.11 }\n"
         "  - { name: scs2, ipv4: 192.0.2.12 }\n", 12, 2, SipDomainAdvice::Basis::SrvRecords,
         "scsnetwork.local"},
    };
    for (const auto& row : rows) {
        auto zones = build_from_yaml(row.yaml);
        ASSERT_TRUE(zones) << row.what;
        EXPECT_EQ(all_lines(*zones, zone::rrtype::SRV).size(), row.srv_records) << row.what;
        EXPECT_EQ(all_lines(*zones, zone::rrtype::NAPTR).size(), row.naptr_records) << row.what;
        // The A and PTR records are there either way.
        EXPECT_TRUE(all_lines(*zones, zone::rrtype::A).contains("scs1.scsnetwork.local. 3600 IN A 192.0.2.11"))
            << row.what;
        EXPECT_TRUE(all_lines(*zones, zone::rrtype::PTR).contains("11.2.0.192.in-addr.arpa. 3600 IN PTR scs1.scsnetwork.local."))
            << row.what;
        const auto site = site_of(row.yaml);
        const auto advice = zone::advise_sip_domain(site, *zones);
        EXPECT_EQ(advice.basis, row.basis) << row.what;
        EXPECT_EQ(advice.values, std::vector<std::string>{row.sip_domain}) << row.what;
        auto site_zones = zone::build_site_zones(site, serial_policy(1));
        ASSERT_TRUE(site_zones) << row.what;
        const std::string plan = zone::render_install_plan(site, **site_zones, {});
        const std::string entered = "1. SIP Domain (the PBX's SIP Domain field)\n   " + row.sip_domain + "\n";
        EXPECT_NE(plan.find(entered), std::string::npos) << row.what << "\n" << plan;
        if (row.basis == SipDomainAdvice::Basis::ServerFqdn) {
            EXPECT_NE(plan.find("No SIP SRV records are served, so enter the server's fully qualified name."),
                      std::string::npos) << row.what;
        }
    }
}

TEST(SipDomainRule, ClusterAndNothing) {
    auto cfg = config::load_site_file(std::string(SIPDNS_EXAMPLES_DIR) + "/sip-cluster.yaml");
    ASSERT_TRUE(cfg);
    auto zones = zone::build_zone_set(*cfg, serial_policy(1));
    ASSERT_TRUE(zones);
    const auto cluster = zone::advise_sip_domain(*cfg, **zones);
    EXPECT_EQ(cluster.basis, SipDomainAdvice::Basis::Cluster);
    EXPECT_EQ(cluster.values, std::vector<std::string>{"spx-srv.example.com"});

    const auto none =
        advice_for("domain: example.test\nnameservers: [ns1]\nhosts: { ns1: 192.0.2.1 }\n");
    EXPECT_EQ(none.basis, SipDomainAdvice::Basis::None);
    EXPECT_TRUE(none.values.empty());
}

// ---------------------------------------------------------------------------------------------
// Where the commands send their queries

TEST(PlanQueryTarget, ListenThenTheFirstNameServer) {
    struct Case {
        const char* what;
        std::string yaml;
        std::vector<std::string> override_listen;
        std::string address;
        std::uint16_t port;
    };
    const std::string ha =
        "domain: scsnetwork.local\nservers:\n  - { name: scs1, ipv4: 192.0.2.11 }\n"
        "  - { name: scs2, ipv4: 192.0.2.12 }\n";
    const std::vector<Case> cases = {
        {"first listen address",
         ha + "server: { listen: ['127.0.0.2:5353', '[::1]:53'] }\n",
         {},
         "127.0.0.2",
         5353},
        {"IPv6 listen address", ha + "server: { listen: ['[::1]:5300'] }\n", {}, "::1", 5300},
        {"no listen: the first name server", ha, {}, "192.0.2.11", 53},
        {"wildcard: the first name server",
         ha + "server: { listen: ['0.0.0.0:5353'] }\n",
         {},
         "192.0.2.11",
         5353},
        {"IPv6 wildcard", ha + "server: { listen: ['[::]:53'] }\n", {}, "192.0.2.11", 53},
        {"--listen wins",
         ha + "server: { listen: ['127.0.0.2:5353'] }\n",
         {"127.0.0.1:40000"},
         "127.0.0.1",
         40000},
        // The man page: "the first name server's address", also when it has IPv6 only and
        // a later one has IPv4; outside the site's zones, by name.
        {"first name server on IPv6 only",
         "domain: example.test\nnameservers: [ns1, ns2]\n"
         "hosts: { ns1: \"2001:db8::53\", ns2: 192.0.2.53 }\n",
         {},
         "2001:db8::53",
         53},
        {"first name server with both: IPv4",
         "domain: example.test\nnameservers: [ns1]\n"
         "hosts: { ns1: [\"2001:db8::53\", 192.0.2.53] }\n",
         {},
         "192.0.2.53",
         53},
        {"first name server outside the site: by name",
         "domain: example.test\nnameservers: [ns1.elsewhere.test., ns2]\n"
         "hosts: { ns2: 192.0.2.53, pbx: 192.0.2.2 }\n",
         {},
         "ns1.elsewhere.test",
         53},
        {"--listen wildcard: the first name server at the --listen port",
         ha + "server: { listen: ['127.0.0.2:5353'] }\n",
         {"[::]:5400"},
         "192.0.2.11",
         5400},
    };
    for (const auto& c : cases) {
        auto zones = build_from_yaml(c.yaml);
        ASSERT_TRUE(zones) << c.what;
        std::vector<config::IpEndpoint> override_listen;
        for (const auto& l : c.override_listen)
            override_listen.push_back(*config::IpEndpoint::parse(l));
        const auto t = zone::choose_query_target(site_of(c.yaml), *zones, override_listen);
        EXPECT_EQ(t.address, c.address) << c.what;
        EXPECT_EQ(t.port, c.port) << c.what;
        EXPECT_FALSE(t.why.empty()) << c.what;
    }
}

// ---------------------------------------------------------------------------------------------
// The checklist

std::string plan_of_example(const std::string& name) {
    auto cfg = config::load_site_file(std::string(SIPDNS_EXAMPLES_DIR) + "/" + name);
    EXPECT_TRUE(cfg);
    if (!cfg) return {};
    auto zones = zone::build_site_zones(*cfg, serial_policy(1700000000));
    EXPECT_TRUE(zones);
    if (!zones) return {};
    return zone::render_install_plan(*cfg, **zones);
}

bool has_line(const std::string& text, const std::string& line) {
    return text.find("\n" + line + "\n") != std::string::npos;
}

TEST(InstallPlan, ScsHaExample) {
    const std::string plan = plan_of_example("scs-ha.yaml");
    EXPECT_TRUE(has_line(plan, "   scsnetwork.local")) << plan;  // the SIP Domain
    EXPECT_NE(plan.find("006 DNS Servers"), std::string::npos);
    EXPECT_NE(plan.find("192.0.2.11 192.0.2.12\n"), std::string::npos) << plan;
    EXPECT_NE(plan.find("042 NTP Servers            not set"), std::string::npos) << plan;
    EXPECT_NE(plan.find("066 Boot Server Host Name  192.0.2.11\n"), std::string::npos) << plan;
    EXPECT_TRUE(has_line(plan, "       by address: 192.0.2.11 192.0.2.12")) << plan;
    EXPECT_TRUE(has_line(plan, "         hex 01:c0:00:02:0b:c0:00:02:0c")) << plan;
    // Every record of the guide's HA table has its dig command, aimed at server.listen.
    for (const char* owner :
         {"_sip._udp.scsnetwork.local SRV", "_sip._tcp.scsnetwork.local SRV",
          "_sip._tcp.rr.scs1.scsnetwork.local SRV", "_sip._udp.rr.scs2.scsnetwork.local SRV",
          "rr.scs1.scsnetwork.local A", "scs2.scsnetwork.local A"})
        EXPECT_TRUE(has_line(plan, std::string("     dig @127.0.0.1 -p 5353 +short ") + owner))
            << owner << "\n"
            << plan;
    EXPECT_TRUE(has_line(plan, "     dig @127.0.0.1 -p 5353 +short -x 192.0.2.12")) << plan;
    EXPECT_TRUE(has_line(plan, "     nslookup -port=5353 192.0.2.12 127.0.0.1")) << plan;
    EXPECT_TRUE(has_line(plan, "     expect: 1 0 5060 scs1.scsnetwork.local.")) << plan;
    EXPECT_TRUE(has_line(plan, "             2 0 5060 scs2.scsnetwork.local.")) << plan;
    // Deterministic: the serial is not printed (it follows the file's mtime).
    EXPECT_EQ(plan.find("1700000000"), std::string::npos);
    EXPECT_EQ(plan, plan_of_example("scs-ha.yaml"));
}

TEST(InstallPlan, LabExampleNtpAndIpv6) {
    const std::string plan = plan_of_example("lab.yaml");
    EXPECT_NE(plan.find("042 NTP Servers            198.51.100.1\n"), std::string::npos) << plan;
    // No listen setting: port 53 of the first name server, and no -p / -port.
    EXPECT_TRUE(has_line(plan, "     dig @198.51.100.10 +short -x 2001:db8:99::10")) << plan;
    EXPECT_TRUE(has_line(plan, "     nslookup -type=AAAA pbx.lab.example.test 198.51.100.10"))
        << plan;
    EXPECT_TRUE(has_line(plan, "     expect: \"site=lab-3\"")) << plan;
}

TEST(InstallPlan, LyncExampleNamesTheRegistrar) {
    const std::string plan = plan_of_example("lync.yaml");
    EXPECT_NE(plan.find("120 SIP Servers (Lync)     pool01.corp.example.test\n"), std::string::npos)
        << plan;
    EXPECT_NE(plan.find("ms-uc-client"), std::string::npos);
    EXPECT_NE(plan.find("043 "), std::string::npos);
    EXPECT_NE(plan.find("066 Boot Server Host Name  not set"), std::string::npos) << plan;
}

TEST(InstallPlan, ClusterAnswersPerLocation) {
    const std::string plan = plan_of_example("sip-cluster.yaml");
    EXPECT_TRUE(has_line(plan, "   spx-srv.example.com")) << plan;
    EXPECT_TRUE(has_line(plan, "     asked from dc2 (192.168.22.0/24):")) << plan;
    EXPECT_TRUE(has_line(plan, "     expect: 200 50 5060 dc1-spx1.example.com.")) << plan;
}

// ---------------------------------------------------------------------------------------------
// Forwarding (issue 13): option 6 makes sipdnsd the phones' only DNS server, so the plan says
// what happens to every other name.

std::string plan_of(const std::string& yaml) {
    const auto cfg = site_of(yaml);
    auto zones = zone::build_site_zones(cfg, serial_policy(1700000000));
    EXPECT_TRUE(zones);
    if (!zones) return {};
    return zone::render_install_plan(cfg, **zones);
}

// The plan's prose is wrapped: compare with runs of blanks as one space.
std::string flat(const std::string& text) {
    std::string out;
    for (char c : text) {
        const bool blank = c == ' ' || c == '\n';
        if (blank && (out.empty() || out.back() == ' ')) continue;
        out.push_back(blank ? ' ' : c);
    }
    return out;
}

// Option 6's section: from its line to the next option's.
std::string option6_section(const std::string& plan) {
    const auto begin = plan.find("   006 DNS Servers");
    const auto end = plan.find("   015 DNS Domain Name");
    EXPECT_NE(begin, std::string::npos) << plan;
    EXPECT_NE(end, std::string::npos) << plan;
    if (begin == std::string::npos || end == std::string::npos) return {};
    return plan.substr(begin, end - begin);
}

const std::string kSingle =
    "domain: scsnetwork.local\nservers: [{ name: scs1, ipv4: 192.0.2.11 }]\n";

TEST(InstallPlan, WithoutForwardWarnsAndShowsHowToAddIt) {
    for (const char* example : {"scs-ha.yaml", "scs-single.yaml", "lab.yaml", "lync.yaml",
                                "sip-cluster.yaml", "scs-tls.yaml"}) {
        const std::string section = option6_section(plan_of_example(example));
        EXPECT_NE(flat(section).find(
                      "Warning: the site file has no forward: section, so sipdnsd answers only "
                      "this site's names and refuses all others. Phones that get it as their DNS "
                      "server resolve nothing else: their NTP servers, firmware and provisioning "
                      "hosts, and the ITSP's SIP trunk fail."),
                  std::string::npos)
            << example << "\n"
            << section;
        // The fragment to add, on a line of its own so that it can be copied.
        EXPECT_TRUE(has_line(section, "           forward: { to: [<your resolver>] }"))
            << example << "\n"
            << section;
        EXPECT_NE(flat(section).find("or forward: { to: root } to resolve them from the root "
                                     "servers (sipdns-site.yaml(5))."),
                  std::string::npos)
            << example << "\n"
            << section;
    }
}

TEST(InstallPlan, WithForwardSaysWhereOtherNamesGo) {
    struct Case {
        const char* what;
        std::string forward;  // the site file's forward: section
        std::string expected;
    };
    const std::vector<Case> cases = {
        {"upstreams, default allow",
         "forward: { to: [192.0.2.1, \"[2001:db8::1]:5353\"] }\n",
         "Other names are forwarded to 192.0.2.1:53, [2001:db8::1]:5353 (forward:), for clients "
         "on loopback and this host's networks (forward.allow left out): phones in other "
         "subnets, behind a router, get REFUSED unless forward.allow lists them."},
        {"upstreams, allow, dnssec",
         "forward:\n  to: [192.0.2.1]\n  allow: [192.168.0.0/16, 10.0.0.0/8]\n  dnssec: true\n",
         "Other names are forwarded to 192.0.2.1:53 (forward:), with DNSSEC validation (RFC "
         "4033), for clients in 192.168.0.0/16, 10.0.0.0/8 (forward.allow): phones outside "
         "these get REFUSED."},
        {"root",
         "forward: { to: root, allow: [192.0.2.0/24] }\n",
         "Other names are resolved from the root servers (forward:), for clients in "
         "192.0.2.0/24 (forward.allow): phones outside these get REFUSED."},
    };
    for (const auto& c : cases) {
        const std::string section = option6_section(plan_of(kSingle + c.forward));
        EXPECT_NE(flat(section).find(c.expected), std::string::npos) << c.what << "\n"
                                                                     << section;
        EXPECT_EQ(section.find("Warning"), std::string::npos) << c.what << "\n" << section;
        EXPECT_EQ(section.find("<your resolver>"), std::string::npos) << c.what;
    }
}

// ---------------------------------------------------------------------------------------------
// DHCPv6 (issue 14): RFC 3646 options 23/24, RFC 5908 option 56, RFC 3319 options 21/22 for a
// site with IPv6 addresses, and option 42 / 56 for an NTP host on one family only.

// The value of one option line ("   00023 DNS Recursive Name Server   2001:db8::11"): what
// follows the name and its run of blanks; "(absent)" when the plan has no such line.
std::string option_value(const std::string& plan, const std::string& code_and_name) {
    const auto at = plan.find("\n   " + code_and_name + "  ");
    if (at == std::string::npos) return "(absent)";
    const auto end = plan.find('\n', at + 1);
    const auto begin = at + 4 + code_and_name.size();
    const std::string rest = plan.substr(begin, end - begin);
    return rest.substr(rest.find_first_not_of(' '));
}

TEST(InstallPlan, Dhcpv6Options) {
    struct Case {
        const char* what;
        std::string yaml;
        std::vector<std::pair<std::string, std::string>> values;  // option line -> its value
        std::vector<std::string> lines;                           // whole lines, as printed
    };
    const std::string dual =
        "domain: scsnetwork.local\nservers: [{ name: scs1, ipv4: 192.0.2.11, ipv6: "
        "\"2001:db8::11\" }]\n";
    const std::string ntp_v6_hex =
        "00:01:00:10:20:01:0d:b8:00:00:00:00:00:00:00:00:00:00:01:23";
    const std::vector<Case> cases = {
        {"single dual-stack server",
         dual,
         {{"00023 DNS Recursive Name Server", "2001:db8::11"},
          {"00024 Domain Search List", "scsnetwork.local"},
          {"00056 NTP Server", "not set: the site has no ntp host"},
          {"00021 SIP Servers Domain Name List", "scsnetwork.local"},
          {"00022 SIP Servers IPv6 Address List", "2001:db8::11"},
          {"006 DNS Servers", "192.0.2.11"},
          {"042 NTP Servers", "not set: the site has no ntp host"}},
         {"         option dhcp6.name-servers 2001:db8::11;",
          "         option dhcp6.domain-search \"scsnetwork.local\";",
          "         option dhcp6.sip-servers-names \"scsnetwork.local\";",
          "         option dhcp6.sip-servers-addresses 2001:db8::11;",
          "         \"option-data\": [",
          "           { \"name\": \"dns-servers\", \"data\": \"2001:db8::11\" },",
          "           { \"name\": \"domain-search\", \"data\": \"scsnetwork.local\" },",
          "           { \"name\": \"sip-server-dns\", \"data\": \"scsnetwork.local\" },",
          "           { \"name\": \"sip-server-addr\", \"data\": \"2001:db8::11\" }",
          "         ]"}},
        {"HA pair, both dual-stack: primary first",
         "domain: scsnetwork.local\nservers:\n"
         "  - { name: scs1, ipv4: 192.0.2.11, ipv6: \"2001:db8::11\" }\n"
         "  - { name: scs2, ipv4: 192.0.2.12, ipv6: \"2001:db8::12\" }\n",
         {{"00023 DNS Recursive Name Server", "2001:db8::11 2001:db8::12"},
          {"00022 SIP Servers IPv6 Address List", "2001:db8::11 2001:db8::12"}},
         {"         option dhcp6.name-servers 2001:db8::11, 2001:db8::12;",
          "         option dhcp6.sip-servers-addresses 2001:db8::11, 2001:db8::12;"}},
        {"IPv6-only NTP host: option 56, and option 42 says why not",
         "domain: scsnetwork.local\nservers: [{ name: scs1, ipv4: 192.0.2.11 }]\n"
         "hosts: { ntp: \"2001:db8::123\" }\n",
         {{"042 NTP Servers", "not set: ntp.scsnetwork.local has no IPv4 address"},
          {"00056 NTP Server", "2001:db8::123"},
          {"00023 DNS Recursive Name Server",
           "not set: no name server has an IPv6 address in the site file"},
          {"00022 SIP Servers IPv6 Address List", "not set: no call server has an IPv6 address"}},
         {"         hex " + ntp_v6_hex,
          "         option dhcp6.ntp-server code 56 = string;",
          "         option dhcp6.ntp-server " + ntp_v6_hex + ";",
          "           { \"code\": 56, \"csv-format\": false, \"data\": \"" +
              std::string("0001001020010db8000000000000000000000123") + "\" },"}},
        {"dual-stack NTP host: both",
         dual + "hosts: { ntp: [192.0.2.123, \"2001:db8::123\"] }\n",
         {{"042 NTP Servers", "192.0.2.123"}, {"00056 NTP Server", "2001:db8::123"}},
         {}},
        {"IPv4-only NTP host on an IPv6 site",
         dual + "hosts: { ntp: 192.0.2.123 }\n",
         {{"042 NTP Servers", "192.0.2.123"},
          {"00056 NTP Server", "not set: ntp.scsnetwork.local has no IPv6 address"}},
         {"       Its IPv4 address is in option 42 above (RFC 5908 §4.1 carries IPv6 addresses)."}},
        {"ntp as an alias of the server: its addresses",
         dual + "aliases: { ntp: scs1 }\n",
         {{"042 NTP Servers", "192.0.2.11"}, {"00056 NTP Server", "2001:db8::11"}},
         {}},
        {"Lync pool on IPv6: no option 21 for it",
         "domain: corp.example.test\nnameservers: [dc1]\nhosts: { dc1: 192.0.2.5 }\n"
         "lync: { pool: { name: pool01, ipv4: 192.0.2.50, ipv6: \"2001:db8::50\" } }\n",
         {{"00021 SIP Servers Domain Name List",
           "not set: Lync phones find the Registrar by DHCPv4 option 120 and DNS"},
          {"00022 SIP Servers IPv6 Address List", "(absent)"},
          {"00024 Domain Search List", "corp.example.test"}},
         {}},
    };
    for (const auto& c : cases) {
        const std::string plan = plan_of(c.yaml);
        EXPECT_NE(plan.find("   DHCPv6 options (the site has IPv6 addresses)"), std::string::npos)
            << c.what << "\n"
            << plan;
        for (const auto& [option, value] : c.values)
            EXPECT_EQ(option_value(plan, option), value) << c.what << ": " << option << "\n"
                                                         << plan;
        for (const auto& line : c.lines)
            EXPECT_TRUE(has_line(plan, line)) << c.what << ": " << line << "\n" << plan;
        // DHCPv6 sits in section 2, after the DHCPv4 options.
        EXPECT_LT(plan.find("   006 DNS Servers"), plan.find("   00023 ")) << c.what;
        EXPECT_LT(plan.find("   00023 "), plan.find("3. DNS checks")) << c.what;
    }
}

TEST(InstallPlan, NoDhcpv6OptionsWithoutIpv6) {
    for (const char* example : {"scs-ha.yaml", "scs-single.yaml", "lync.yaml",
                                "sip-cluster.yaml", "scs-tls.yaml"}) {
        const std::string plan = plan_of_example(example);
        EXPECT_EQ(plan.find("DHCPv6"), std::string::npos) << example;
        EXPECT_EQ(plan.find("   000"), std::string::npos) << example;
    }
    EXPECT_NE(plan_of_example("lab.yaml").find("DHCPv6 options"), std::string::npos);
}

// The check line after "forward: " (the SPEC's wording).
TEST(DescribeForward, OneLine) {
    struct Case {
        std::string forward;
        std::string expected;
    };
    const std::vector<Case> cases = {
        {"forward: { to: [192.0.2.1, \"2001:db8::1\"], allow: [192.168.0.0/16] }\n",
         "to 192.0.2.1:53, [2001:db8::1]:53 for 192.168.0.0/16; dnssec off"},
        {"forward: { to: [\"192.0.2.2:5353\"] }\n",
         "to 192.0.2.2:5353 for loopback and this host's networks; dnssec off"},
        {"forward: { to: root, allow: [10.0.0.0/8, \"fd00::/8\"], dnssec: true }\n",
         "recursion from the root for 10.0.0.0/8, fd00::/8; dnssec on (trust anchor "
         "/usr/share/dns/root.key)"},
        {"forward:\n  to: root\n  root_hints: /etc/sipdns/root.hints\n  dnssec: true\n"
         "  trust_anchor: /etc/sipdns/root.key\n",
         "recursion from the root (root hints /etc/sipdns/root.hints) for loopback and this "
         "host's networks; dnssec on (trust anchor /etc/sipdns/root.key)"},
    };
    for (const auto& c : cases) {
        const auto cfg = site_of(kSingle + c.forward);
        ASSERT_TRUE(cfg.forward) << c.forward;
        EXPECT_EQ(zone::describe_forward(*cfg.forward), c.expected) << c.forward;
    }
}

}  // namespace
}  // namespace sipdns::test
