// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
// `sipdnsd export --format dnscmd|nsupdate` (docs/design.md §6): the Windows DNS commands that
// create the SCS guide's tables record by record, and the RFC 2136 script for nsupdate.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "sipdns/config/loader.h"
#include "sipdns/zone/builder.h"
#include "sipdns/zone/exporter.h"
#include "zone_test_support.h"

namespace sipdns::test {
namespace {

std::shared_ptr<const zone::ZoneSet> load_example(const std::string& name) {
    auto cfg = config::load_site_file(std::string(SIPDNS_EXAMPLES_DIR) + "/" + name);
    if (!cfg) {
        ADD_FAILURE() << name << ": " << cfg.error().front().to_string();
        return nullptr;
    }
    auto zones = zone::build_zone_set(*cfg, serial_policy(1700000000));
    if (!zones) {
        ADD_FAILURE() << name << ": " << zones.error().front().to_string();
        return nullptr;
    }
    return *zones;
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
}

bool starts_with(const std::string& s, const std::string& prefix) {
    return s.compare(0, prefix.size(), prefix) == 0;
}

// The `/RecordAdd` lines of one record type ("... <ttl> SRV ..."), as a set.
std::set<std::string> record_adds(const std::string& text, const std::string& type) {
    std::set<std::string> out;
    for (const auto& l : lines_of(text))
        if (starts_with(l, "dnscmd . /RecordAdd ") && l.find(" " + type + " ") != std::string::npos)
            out.insert(l);
    return out;
}

std::vector<std::string> lines_starting(const std::string& text, const std::string& prefix) {
    std::vector<std::string> out;
    for (const auto& l : lines_of(text))
        if (starts_with(l, prefix)) out.push_back(l);
    return out;
}

// ---------------------------------------------------------------------------------------------
// dnscmd

TEST(DnscmdExport, ScsHaIsTheGuidesTwelveSrvRecords) {
    auto zones = load_example("scs-ha.yaml");
    ASSERT_TRUE(zones);
    const std::string out = zone::export_dnscmd(*zones);
    // The HA table of the SCS guide, rows 1-12: node relative to the zone, then
    // "TTL SRV priority weight port target" (dnscmd /RecordAdd ... SRV <Priority> <Weight>
    // <Port> <HostName>).
    const std::string add = "dnscmd . /RecordAdd scsnetwork.local ";
    const std::string s1 = "scs1.scsnetwork.local.", s2 = "scs2.scsnetwork.local.";
    EXPECT_EQ(record_adds(out, "SRV"),
              (std::set<std::string>{
                  add + "_sip._udp 1800 SRV 1 0 5060 " + s1,            // 1
                  add + "_sip._tcp 1800 SRV 3 0 5060 " + s1,            // 2
                  add + "_sip._udp 1800 SRV 2 0 5060 " + s2,            // 3
                  add + "_sip._tcp 1800 SRV 4 0 5060 " + s2,            // 4
                  add + "_sip._tcp.rr.scs1 1800 SRV 1 0 5070 " + s1,    // 5
                  add + "_sip._udp.rr.scs1 1800 SRV 3 0 5070 " + s1,    // 6
                  add + "_sip._tcp.rr.scs1 1800 SRV 2 100 5070 " + s2,  // 7
                  add + "_sip._udp.rr.scs1 1800 SRV 4 100 5070 " + s2,  // 8
                  add + "_sip._tcp.rr.scs2 1800 SRV 1 0 5070 " + s2,    // 9
                  add + "_sip._udp.rr.scs2 1800 SRV 3 0 5070 " + s2,    // 10
                  add + "_sip._tcp.rr.scs2 1800 SRV 2 100 5070 " + s1,  // 11
                  add + "_sip._udp.rr.scs2 1800 SRV 4 100 5070 " + s1,  // 12
              }));
    // "No. of A records 2, in sub-domain1 1, in sub-domain2 1".
    EXPECT_EQ(record_adds(out, "A"), (std::set<std::string>{
                                         add + "scs1 1800 A 192.0.2.11",
                                         add + "scs2 1800 A 192.0.2.12",
                                         add + "rr.scs1 1800 A 192.0.2.11",
                                         add + "rr.scs2 1800 A 192.0.2.12",
                                     }));
    EXPECT_EQ(record_adds(out, "NAPTR"),
              (std::set<std::string>{
                  add + "@ 1800 NAPTR 10 10 \"s\" \"SIP+D2U\" \"\" _sip._udp.scsnetwork.local.",
                  add + "@ 1800 NAPTR 10 20 \"s\" \"SIP+D2T\" \"\" _sip._tcp.scsnetwork.local.",
              }));
    EXPECT_EQ(record_adds(out, "PTR"),
              (std::set<std::string>{
                  "dnscmd . /RecordAdd 2.0.192.in-addr.arpa 11 1800 PTR " + s1,
                  "dnscmd . /RecordAdd 2.0.192.in-addr.arpa 12 1800 PTR " + s2,
              }));
    // Nothing else: 12 SRV + 4 A + 2 NAPTR + 2 PTR; Windows makes its own SOA and NS.
    EXPECT_EQ(lines_starting(out, "dnscmd . /RecordAdd ").size(), 20u);
    EXPECT_TRUE(record_adds(out, "SOA").empty());
    EXPECT_TRUE(record_adds(out, "NS").empty());
}

TEST(DnscmdExport, ZonesAreCreatedFirstForwardAndReverse) {
    auto zones = load_example("scs-ha.yaml");
    ASSERT_TRUE(zones);
    const auto lines = lines_of(zone::export_dnscmd(*zones));
    std::vector<std::string> commands;
    for (const auto& l : lines)
        if (starts_with(l, "dnscmd ")) commands.push_back(l);
    ASSERT_GE(commands.size(), 2u);
    EXPECT_EQ(commands[0],
              "dnscmd . /ZoneAdd scsnetwork.local /Primary /file scsnetwork.local.dns");
    EXPECT_EQ(commands[1],
              "dnscmd . /ZoneAdd 2.0.192.in-addr.arpa /Primary /file 2.0.192.in-addr.arpa.dns");
    for (std::size_t i = 2; i < commands.size(); ++i)
        EXPECT_TRUE(starts_with(commands[i], "dnscmd . /RecordAdd ")) << commands[i];
}

TEST(DnscmdExport, IsABatchFileWithAHeader) {
    auto zones = load_example("scs-ha.yaml");
    ASSERT_TRUE(zones);
    const std::string out = zone::export_dnscmd(*zones);
    const auto lines = lines_of(out);
    ASSERT_FALSE(lines.empty());
    EXPECT_TRUE(starts_with(lines[0], "rem sipdnsd export --format dnscmd")) << lines[0];
    // Every line is a comment, a command or blank: cmd.exe runs it as it is.
    for (const auto& l : lines)
        EXPECT_TRUE(l.empty() || l == "rem" || starts_with(l, "rem ") ||
                    starts_with(l, "dnscmd . /"))
            << l;
    // The header says where to run it and why there is no SOA/NS.
    std::string header;
    for (const auto& l : lines)
        if (starts_with(l, "rem")) header += l + "\n";
    EXPECT_NE(header.find("Windows DNS server"), std::string::npos) << header;
    EXPECT_NE(header.find("SOA and NS"), std::string::npos) << header;
}

TEST(DnscmdExport, IsDeterministic) {
    auto a = load_example("scs-ha.yaml");
    auto b = load_example("scs-ha.yaml");
    ASSERT_TRUE(a && b);
    EXPECT_EQ(zone::export_dnscmd(*a), zone::export_dnscmd(*b));
    EXPECT_EQ(zone::export_nsupdate(*a), zone::export_nsupdate(*b));
}

TEST(DnscmdExport, LabSiteHasEveryOtherType) {
    auto zones = load_example("lab.yaml");
    ASSERT_TRUE(zones);
    const std::string out = zone::export_dnscmd(*zones);
    const std::string add = "dnscmd . /RecordAdd lab.example.test ";
    const std::string L = ".lab.example.test.";
    struct Row {
        const char* type;
        std::set<std::string> lines;
    };
    const Row rows[] = {
        {"TXT", {add + "@ 300 TXT \"site=lab-3\""}},
        {"MX", {add + "@ 300 MX 10 pbx" + L}},
        {"CNAME", {add + "provisioning 300 CNAME pbx" + L, add + "tftp 300 CNAME pbx" + L}},
        {"AAAA", {add + "gw1 300 AAAA 2001:db8:99::20", add + "pbx 300 AAAA 2001:db8:99::10"}},
        {"SRV",
         {add + "_ldap._tcp 300 SRV 0 0 389 dc1" + L, add + "_sip._tcp 300 SRV 2 0 5060 pbx" + L,
          add + "_sip._udp 300 SRV 1 0 5060 pbx" + L,
          add + "_sip._udp.gateways 300 SRV 10 60 5060 gw1" + L,
          add + "_sip._udp.gateways 300 SRV 10 40 5060 gw2" + L}},
        {"PTR",
         {"dnscmd . /RecordAdd 100.51.198.in-addr.arpa 1 300 PTR ntp" + L,
          "dnscmd . /RecordAdd 100.51.198.in-addr.arpa 10 300 PTR pbx" + L,
          "dnscmd . /RecordAdd 100.51.198.in-addr.arpa 20 300 PTR gw1" + L,
          "dnscmd . /RecordAdd 100.51.198.in-addr.arpa 21 300 PTR gw2" + L,
          "dnscmd . /RecordAdd 100.51.198.in-addr.arpa 30 300 PTR dc1" + L,
          "dnscmd . /RecordAdd 113.0.203.in-addr.arpa 101 300 PTR phone-101" + L,
          "dnscmd . /RecordAdd 113.0.203.in-addr.arpa 102 300 PTR phone-102" + L,
          "dnscmd . /RecordAdd 113.0.203.in-addr.arpa 103 300 PTR phone-103" + L,
          "dnscmd . /RecordAdd 0.0.0.0.9.9.0.0.8.b.d.0.1.0.0.2.ip6.arpa "
          "0.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0 300 PTR pbx" +
              L,
          "dnscmd . /RecordAdd 0.0.0.0.9.9.0.0.8.b.d.0.1.0.0.2.ip6.arpa "
          "0.2.0.0.0.0.0.0.0.0.0.0.0.0.0.0 300 PTR gw1" +
              L}},
    };
    for (const auto& row : rows) EXPECT_EQ(record_adds(out, row.type), row.lines) << row.type;
    EXPECT_EQ(lines_starting(out, "dnscmd . /ZoneAdd ").size(), 4u);
    EXPECT_TRUE(lines_starting(out, "rem NOT ADDED").empty()) << out;
}

TEST(DnscmdExport, RecordsDnscmdCannotTakeBecomeRemLines) {
    auto zones = build_from_yaml(R"(
domain: w.example.test
servers:
  - { name: pbx, ipv4: 192.0.2.10 }
records:
  - '@ IN TXT "a \"quoted\" word"'
  - '@ IN TXT "100% sure" "x&y|z^" "end\\"'
  - 'caa IN CAA 0 issue "ca.example.net"'
  - 'h IN HINFO "PC" "Linux"'
  - 'sub IN NS ns.sub'
  - 'ns.sub IN A 192.0.2.99'
reverse: off
)");
    ASSERT_TRUE(zones);
    const std::string out = zone::export_dnscmd(*zones, "dns1.w.example.test");
    const std::string add = "dnscmd dns1.w.example.test /RecordAdd w.example.test ";
    const auto lines = lines_of(out);
    auto has = [&](const std::string& l) {
        return std::find(lines.begin(), lines.end(), l) != lines.end();
    };
    // cmd.exe: % doubled in a batch file, operators safe inside quotes, a trailing backslash
    // doubled so the closing quote is not escaped (C runtime argument rules).
    EXPECT_TRUE(has(add + "@ 3600 TXT \"100%% sure\" \"x&y|z^\" \"end\\\\\"")) << out;
    EXPECT_TRUE(has(add + "h 3600 HINFO \"PC\" \"Linux\"")) << out;
    // A delegation below the apex is data to copy; only the apex NS is Windows' own.
    EXPECT_TRUE(has(add + "sub 3600 NS ns.sub.w.example.test.")) << out;
    EXPECT_TRUE(has(add + "ns.sub 3600 A 192.0.2.99")) << out;
    // No dnscmd form: kept as comments with the zone-file text.
    EXPECT_TRUE(has("rem NOT ADDED: w.example.test. 3600 IN TXT \"a \\\"quoted\\\" word\"")) << out;
    EXPECT_TRUE(has("rem NOT ADDED: caa.w.example.test. 3600 IN CAA 0 issue \"ca.example.net\""))
        << out;
    EXPECT_EQ(lines_starting(out, "dnscmd dns1.w.example.test /ZoneAdd ").size(), 1u);
}

// ---------------------------------------------------------------------------------------------
// nsupdate

// The commands of an nsupdate script, without comments and blank lines.
std::vector<std::string> commands_of(const std::string& script) {
    std::vector<std::string> out;
    for (const auto& l : lines_of(script))
        if (!l.empty() && l[0] != ';') out.push_back(l);
    return out;
}

// Every record of the set except the SOA, as "update add <record>" lines.
std::multiset<std::string> expected_updates(const zone::ZoneSet& zones) {
    std::multiset<std::string> out;
    for (const auto& line : all_lines(zones))
        if (line.find(" IN SOA ") == std::string::npos) out.insert("update add " + line);
    return out;
}

TEST(NsupdateExport, ScsHaIsOneMessagePerZone) {
    auto zones = load_example("scs-ha.yaml");
    ASSERT_TRUE(zones);
    const std::string script = zone::export_nsupdate(*zones);
    const auto cmds = commands_of(script);
    // zone scsnetwork.local. / 20 adds / send / zone 2.0.192.in-addr.arpa. / 4 adds / send
    ASSERT_EQ(cmds.size(), 1 + 20 + 1 + 1 + 4 + 1u) << script;
    EXPECT_EQ(cmds[0], "zone scsnetwork.local.");
    EXPECT_EQ(cmds[21], "send");
    EXPECT_EQ(cmds[22], "zone 2.0.192.in-addr.arpa.");
    EXPECT_EQ(cmds.back(), "send");
    std::multiset<std::string> adds;
    for (const auto& c : cmds)
        if (starts_with(c, "update add ")) adds.insert(c);
    EXPECT_EQ(adds, expected_updates(*zones));
    // No server line (the user supplies it) and no SOA.
    for (const auto& c : cmds) {
        EXPECT_FALSE(starts_with(c, "server")) << c;
        EXPECT_EQ(c.find(" SOA "), std::string::npos) << c;
    }
    // The apex NS come last in their zone, after the servers' addresses.
    EXPECT_EQ(cmds[19], "update add scsnetwork.local. 1800 IN NS scs1.scsnetwork.local.");
    EXPECT_EQ(cmds[20], "update add scsnetwork.local. 1800 IN NS scs2.scsnetwork.local.");
    // The comment header tells the user to name the server.
    EXPECT_NE(script.find("server ADDRESS"), std::string::npos) << script;
}

TEST(NsupdateExport, GuideRecordsAreUpdateLines) {
    auto zones = load_example("scs-ha.yaml");
    ASSERT_TRUE(zones);
    const auto cmds = commands_of(zone::export_nsupdate(*zones));
    const std::set<std::string> set(cmds.begin(), cmds.end());
    for (const char* l : {
             "update add _sip._udp.scsnetwork.local. 1800 IN SRV 1 0 5060 scs1.scsnetwork.local.",
             "update add _sip._tcp.rr.scs2.scsnetwork.local. 1800 IN SRV 2 100 5070 "
             "scs1.scsnetwork.local.",
             "update add rr.scs1.scsnetwork.local. 1800 IN A 192.0.2.11",
             "update add scsnetwork.local. 1800 IN NAPTR 10 10 \"s\" \"SIP+D2U\" \"\" "
             "_sip._udp.scsnetwork.local.",
             "update add 12.2.0.192.in-addr.arpa. 1800 IN PTR scs2.scsnetwork.local.",
         })
        EXPECT_TRUE(set.count(l)) << l;
}

TEST(NsupdateExport, LargeZonesAreSplitIntoMessagesThatFit) {
    std::string yaml = "domain: big.example.test\nhosts:\n";
    for (int i = 0; i < 4000; ++i)
        yaml += "  host-" + std::to_string(i) + ": 10." + std::to_string(i / 250) + "." +
                std::to_string(i % 250) + ".1\n";
    yaml += "nameservers: [host-0]\nreverse: off\n";
    auto zones = build_from_yaml(yaml);
    ASSERT_TRUE(zones);
    const auto cmds = commands_of(zone::export_nsupdate(*zones));
    std::size_t messages = 0, in_message = 0, max_octets = 0, octets = 0;
    bool open = false;
    std::multiset<std::string> adds;
    for (const auto& c : cmds) {
        if (starts_with(c, "zone ")) {
            EXPECT_FALSE(open) << "zone inside a message";
            EXPECT_EQ(c, "zone big.example.test.");
            open = true;
            in_message = 0;
            octets = 0;
        } else if (c == "send") {
            EXPECT_TRUE(open);
            EXPECT_GT(in_message, 0u);
            open = false;
            ++messages;
            max_octets = std::max(max_octets, octets);
        } else {
            ASSERT_TRUE(starts_with(c, "update add ")) << c;
            EXPECT_TRUE(open) << "update outside a message: " << c;
            adds.insert(c);
            ++in_message;
            octets += c.size();  // text is longer than the wire form
        }
    }
    EXPECT_FALSE(open);
    EXPECT_GT(messages, 1u);
    EXPECT_LT(max_octets, 65535u);
    EXPECT_EQ(adds, expected_updates(*zones));
}

}  // namespace
}  // namespace sipdns::test
