// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
// RFC 3263 §4 as a SIP client does it, from given DNS answers (no sockets): NAPTR order
// (RFC 3403 §4.1), SRV order (RFC 2782), the fall-backs of §4.1/§4.2, explicit ports, numeric
// hosts, TLS and sips:, and --transport.
#include <gtest/gtest.h>

#include <map>
#include <sstream>

#include "sipdns/resolve/rfc3263.h"

namespace sipdns::resolve {
namespace {

// One record as a zone file would write its data; NAPTR "order pref flags service replacement"
// (empty regexp). Type "NXDOMAIN" / "UNREACHABLE": that answer for every type at the name.
struct Rec {
    const char* name;
    const char* type;
    const char* data;
};

class FakeDns : public DnsLookups {
  public:
    explicit FakeDns(const std::vector<Rec>& records) {
        for (const Rec& r : records) records_.push_back(r);
    }

    DnsAnswer lookup(const std::string& name, QueryType type) override {
        asked.push_back(std::string(query_type_name(type)) + " " + name);
        DnsAnswer answer;
        for (const Rec& r : records_) {
            if (name != r.name) continue;
            const std::string rtype = r.type;
            if (rtype == "NXDOMAIN") answer.status = DnsAnswer::Status::NxDomain;
            if (rtype == "UNREACHABLE") {
                answer.status = DnsAnswer::Status::Unreachable;
                answer.detail = "timed out";
            }
            if (rtype != query_type_name(type)) continue;
            std::istringstream in(r.data);
            if (type == QueryType::NAPTR) {
                NaptrRecord n;
                in >> n.order >> n.preference >> n.flags >> n.services >> n.replacement;
                answer.naptr.push_back(n);
            } else if (type == QueryType::SRV) {
                SrvRecord s;
                in >> s.priority >> s.weight >> s.port >> s.target;
                answer.srv.push_back(s);
            } else {
                answer.addresses.push_back(r.data);
            }
            answer.status = DnsAnswer::Status::Records;
        }
        return answer;
    }

    std::vector<std::string> asked;

  private:
    std::vector<Rec> records_;
};

// The SCS HA pair of packaging/examples/scs-tls.yaml: NAPTR for udp, tcp and tls, the guide's
// SRV priorities, TLS at 5061.
const std::vector<Rec> kScsTls{
    {"scsnetwork.local", "NAPTR", "10 30 s SIPS+D2T _sips._tcp.scsnetwork.local."},
    {"scsnetwork.local", "NAPTR", "10 10 s SIP+D2U _sip._udp.scsnetwork.local."},
    {"scsnetwork.local", "NAPTR", "10 20 s SIP+D2T _sip._tcp.scsnetwork.local."},
    {"_sip._udp.scsnetwork.local", "SRV", "2 0 5060 scs2.scsnetwork.local."},
    {"_sip._udp.scsnetwork.local", "SRV", "1 0 5060 scs1.scsnetwork.local."},
    {"_sip._tcp.scsnetwork.local", "SRV", "3 0 5060 scs1.scsnetwork.local."},
    {"_sip._tcp.scsnetwork.local", "SRV", "4 0 5060 scs2.scsnetwork.local."},
    {"_sips._tcp.scsnetwork.local", "SRV", "1 0 5061 scs1.scsnetwork.local."},
    {"_sips._tcp.scsnetwork.local", "SRV", "2 0 5061 scs2.scsnetwork.local."},
    {"scs1.scsnetwork.local", "A", "192.0.2.11"},
    {"scs2.scsnetwork.local", "A", "192.0.2.12"},
};

// No NAPTR: SRV owners only, with weights; a target with IPv4 and IPv6.
const std::vector<Rec> kSrvOnly{
    {"example.com", "A", "192.0.2.80"},
    {"_sip._udp.example.com", "SRV", "10 0 5060 zero.example.com."},
    {"_sip._udp.example.com", "SRV", "10 40 5060 forty.example.com."},
    {"_sip._udp.example.com", "SRV", "20 0 5060 last.example.com."},
    {"_sip._udp.example.com", "SRV", "10 60 5060 sixty.example.com."},
    {"_sip._udp.example.com", "SRV", "5 0 5062 first.example.com."},
    {"_sip._tcp.example.com", "SRV", "10 0 5060 sixty.example.com."},
    {"zero.example.com", "A", "192.0.2.1"},
    {"forty.example.com", "A", "192.0.2.2"},
    {"last.example.com", "A", "192.0.2.3"},
    {"sixty.example.com", "A", "192.0.2.4"},
    {"sixty.example.com", "AAAA", "2001:db8::4"},
    {"first.example.com", "A", "192.0.2.5"},
};

struct Case {
    const char* test_name;
    std::vector<Rec> records;
    SipUri uri;
    std::optional<Transport> only;
    std::vector<std::string> expected;  // "udp 192.0.2.11 5060", in order
    std::vector<std::string> not_asked;  // queries that must not be sent ("NAPTR example.com")
};

SipUri name_uri(const char* host, bool sips = false, std::optional<std::uint16_t> port = {},
                std::optional<Transport> transport = {}) {
    SipUri u;
    u.sips = sips;
    u.user = "alice";
    u.host = host;
    u.port = port;
    u.transport = transport;
    return u;
}

SipUri numeric_uri(const char* host, bool sips, std::optional<std::uint16_t> port = {},
                   std::optional<Transport> transport = {}) {
    SipUri u = name_uri(host, sips, port, transport);
    u.numeric_host = true;
    return u;
}

class Rfc3263Test : public ::testing::TestWithParam<Case> {};

TEST_P(Rfc3263Test, OrderedDestinations) {
    const Case& c = GetParam();
    FakeDns dns(c.records);
    const Resolution r = resolve_sip_uri(c.uri, c.only, dns);
    std::vector<std::string> got;
    for (const auto& d : r.destinations)
        got.push_back(std::string(transport_name(d.transport)) + " " + d.address + " " +
                      std::to_string(d.port));
    EXPECT_EQ(got, c.expected) << render_resolution(r);
    for (const auto& q : c.not_asked)
        EXPECT_EQ(std::count(dns.asked.begin(), dns.asked.end(), q), 0) << q;
}

INSTANTIATE_TEST_SUITE_P(
    Rfc3263, Rfc3263Test,
    ::testing::Values(
        // NAPTR by preference (udp 10, tcp 20, tls 30), each transport's SRV by priority.
        Case{"NaptrThenSrv",
             kScsTls,
             name_uri("scsnetwork.local"),
             {},
             {"udp 192.0.2.11 5060", "udp 192.0.2.12 5060", "tcp 192.0.2.11 5060",
              "tcp 192.0.2.12 5060", "tls 192.0.2.11 5061", "tls 192.0.2.12 5061"},
             {"SRV _sips._tcp.scsnetwork.local.x"}},
        // A sips: URI takes SIPS+D2T alone (RFC 3263 §4.1).
        Case{"SipsUsesTlsNaptrOnly",
             kScsTls,
             name_uri("scsnetwork.local", true),
             {},
             {"tls 192.0.2.11 5061", "tls 192.0.2.12 5061"},
             {"SRV _sip._udp.scsnetwork.local"}},
        Case{"OnlyTcp",
             kScsTls,
             name_uri("scsnetwork.local"),
             Transport::Tcp,
             {"tcp 192.0.2.11 5060", "tcp 192.0.2.12 5060"},
             {"SRV _sip._udp.scsnetwork.local"}},
        Case{"OnlyTls",
             kScsTls,
             name_uri("scsnetwork.local"),
             Transport::Tls,
             {"tls 192.0.2.11 5061", "tls 192.0.2.12 5061"},
             {}},
        // RFC 3403 §4.1: order first, preference only within one order.
        Case{"NaptrOrderBeforePreference",
             {{"d.test", "NAPTR", "20 1 s SIP+D2U _sip._udp.d.test."},
              {"d.test", "NAPTR", "10 99 s SIP+D2T _sip._tcp.d.test."},
              {"_sip._udp.d.test", "SRV", "0 0 5060 h.d.test."},
              {"_sip._tcp.d.test", "SRV", "0 0 5060 h.d.test."},
              {"h.d.test", "A", "192.0.2.9"}},
             name_uri("d.test"),
             {},
             {"tcp 192.0.2.9 5060", "udp 192.0.2.9 5060"},
             {}},
        // Only flag "s" with a SIP service counts; otherwise as if no NAPTR (SRV queries).
        Case{"UnusableNaptrMeansSrvQueries",
             {{"d.test", "NAPTR", "10 10 u E2U+sip !^.*$!sip:x@d.test!"},
              {"d.test", "NAPTR", "10 20 a SIP+D2U h.d.test."},
              {"_sip._udp.d.test", "SRV", "0 0 5070 h.d.test."},
              {"h.d.test", "A", "192.0.2.9"}},
             name_uri("d.test"),
             {},
             {"udp 192.0.2.9 5070"},
             {}},
        // No NAPTR: SRV for tls, tcp, udp in that order; RFC 2782 order within each:
        // priority ascending, heavier first, weight 0 last in its priority.
        Case{"SrvOnlyWeights",
             kSrvOnly,
             name_uri("example.com"),
             {},
             {"tcp 192.0.2.4 5060", "tcp 2001:db8::4 5060", "udp 192.0.2.5 5062",
              "udp 192.0.2.4 5060", "udp 2001:db8::4 5060", "udp 192.0.2.2 5060",
              "udp 192.0.2.1 5060", "udp 192.0.2.3 5060"},
             {}},
        Case{"SrvOnlyRestrictedToUdp",
             kSrvOnly,
             name_uri("example.com"),
             Transport::Udp,
             {"udp 192.0.2.5 5062", "udp 192.0.2.4 5060", "udp 2001:db8::4 5060",
              "udp 192.0.2.2 5060", "udp 192.0.2.1 5060", "udp 192.0.2.3 5060"},
             {"SRV _sip._tcp.example.com", "SRV _sips._tcp.example.com"}},
        // No NAPTR, no SRV: the domain's addresses at 5060 over UDP, 5061 over TLS for sips:.
        Case{"NoSrvFallsBackToAddress",
             {{"plain.test", "A", "192.0.2.20"}, {"plain.test", "AAAA", "2001:db8::20"}},
             name_uri("plain.test"),
             {},
             {"udp 192.0.2.20 5060", "udp 2001:db8::20 5060"},
             {}},
        Case{"SipsNoSrvFallsBackTo5061",
             {{"plain.test", "A", "192.0.2.20"}},
             name_uri("plain.test", true),
             {},
             {"tls 192.0.2.20 5061"},
             {"SRV _sip._udp.plain.test"}},
        Case{"NoSrvTcpOnly",
             {{"plain.test", "A", "192.0.2.20"}},
             name_uri("plain.test"),
             Transport::Tcp,
             {"tcp 192.0.2.20 5060"},
             {}},
        // An explicit port: no NAPTR or SRV (RFC 3263 §4.2).
        Case{"ExplicitPort",
             kSrvOnly,
             name_uri("example.com", false, 5080),
             {},
             {"udp 192.0.2.80 5080"},
             {"NAPTR example.com", "SRV _sip._udp.example.com"}},
        // transport= decides and skips NAPTR (RFC 3263 §4.1): SRV for that transport only.
        Case{"TransportParameter",
             kScsTls,
             name_uri("scsnetwork.local", false, {}, Transport::Tcp),
             {},
             {"tcp 192.0.2.11 5060", "tcp 192.0.2.12 5060"},
             {"NAPTR scsnetwork.local"}},
        Case{"TransportTlsParameterUsesSips",
             kScsTls,
             name_uri("scsnetwork.local", false, {}, Transport::Tls),
             {},
             {"tls 192.0.2.11 5061", "tls 192.0.2.12 5061"},
             {"NAPTR scsnetwork.local"}},
        // A numeric host: no DNS at all.
        Case{"NumericHost", {}, numeric_uri("192.0.2.1", false), {}, {"udp 192.0.2.1 5060"}, {}},
        Case{"NumericSipsHost",
             {},
             numeric_uri("2001:db8::1", true),
             {},
             {"tls 2001:db8::1 5061"},
             {}},
        Case{"NumericHostPortTransport",
             {},
             numeric_uri("192.0.2.1", false, 5080, Transport::Tcp),
             {},
             {"tcp 192.0.2.1 5080"},
             {}},
        // RFC 2782: a lone "." target, the service is not offered: no fall-back to A.
        Case{"DotTargetMeansNoService",
             {{"none.test", "SRV", "0 0 0 ."}, {"none.test", "A", "192.0.2.30"},
              {"_sip._udp.none.test", "SRV", "0 0 0 ."}},
             name_uri("none.test"),
             Transport::Udp,
             {},
             {}},
        Case{"Unreachable",
             {{"down.test", "UNREACHABLE", ""}},
             name_uri("down.test"),
             {},
             {},
             {"SRV _sips._tcp.down.test"}}),
    [](const auto& info) { return std::string(info.param.test_name); });

TEST(Rfc3263, UnreachableIsReported) {
    FakeDns dns({{"down.test", "UNREACHABLE", ""}});
    const Resolution r = resolve_sip_uri(name_uri("down.test"), {}, dns);
    ASSERT_TRUE(r.unreachable);
    EXPECT_EQ(*r.unreachable, "no reply to NAPTR down.test: timed out");
}

TEST(Rfc3263, StepsShowEachQueryOnce) {
    FakeDns dns(kScsTls);
    const Resolution r = resolve_sip_uri(name_uri("scsnetwork.local"), {}, dns);
    std::vector<std::string> queries;
    for (const auto& s : r.steps) queries.push_back(s.query);
    EXPECT_EQ(queries, (std::vector<std::string>{
                           "NAPTR scsnetwork.local", "SRV _sip._udp.scsnetwork.local",
                           "A scs1.scsnetwork.local", "AAAA scs1.scsnetwork.local",
                           "A scs2.scsnetwork.local", "AAAA scs2.scsnetwork.local",
                           "SRV _sip._tcp.scsnetwork.local", "SRV _sips._tcp.scsnetwork.local"}));
    EXPECT_EQ(dns.asked.size(), queries.size());
}

struct SrvCase {
    const char* test_name;
    std::vector<SrvRecord> records;
    std::vector<std::string> expected_targets;
};

class SrvOrderTest : public ::testing::TestWithParam<SrvCase> {};

TEST_P(SrvOrderTest, PriorityThenHeavierFirstWeightZeroLast) {
    std::vector<std::string> got;
    for (const auto& s : srv_order(GetParam().records)) got.push_back(s.target);
    EXPECT_EQ(got, GetParam().expected_targets);
}

INSTANTIATE_TEST_SUITE_P(
    Rfc2782, SrvOrderTest,
    ::testing::Values(
        SrvCase{"Priority", {{20, 0, 1, "b."}, {10, 0, 1, "a."}}, {"a.", "b."}},
        SrvCase{"WeightZeroLast",
                {{10, 0, 1, "zero."}, {10, 1, 1, "one."}, {10, 100, 1, "hundred."}},
                {"hundred.", "one.", "zero."}},
        SrvCase{"PriorityBeatsWeight", {{20, 100, 1, "heavy."}, {10, 0, 1, "light."}},
                {"light.", "heavy."}},
        SrvCase{"EqualWeightsByName", {{1, 50, 1, "b."}, {1, 50, 1, "A."}}, {"A.", "b."}},
        SrvCase{"DotDropped", {{0, 0, 0, "."}}, {}}),
    [](const auto& info) { return std::string(info.param.test_name); });

TEST(Rfc3263, UsableNaptr) {
    const std::vector<NaptrRecord> records{
        {10, 30, "S", "sips+d2t", "", "_sips._tcp.d."},
        {10, 10, "s", "SIP+D2U", "", "_sip._udp.d."},
        {5, 50, "s", "SIP+D2T", "", "_sip._tcp.d."},
        {1, 1, "s", "SIP+D2S", "", "_sip._sctp.d."},  // SCTP: not a transport of ours
        {1, 1, "", "SIP+D2U", "", "_sip._udp.d."},    // no "s" flag
    };
    std::vector<std::string> got;
    for (const auto& n : usable_naptr(records, false, std::nullopt)) got.push_back(n.replacement);
    EXPECT_EQ(got, (std::vector<std::string>{"_sip._tcp.d.", "_sip._udp.d.", "_sips._tcp.d."}));
    got.clear();
    for (const auto& n : usable_naptr(records, true, std::nullopt)) got.push_back(n.replacement);
    EXPECT_EQ(got, (std::vector<std::string>{"_sips._tcp.d."}));
}

}  // namespace
}  // namespace sipdns::resolve
