// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
// IXFR (RFC 1995) from the journal: the client's serial read from its query's authority SOA
// (bounds-checked), and the answer's RR sequence over TCP and UDP, each message decoded by ldns.
#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

// Before ldns: its C headers redefine `bool`, which breaks <optional> included after them.
#include "engine_test_support.h"
#include "zone/zone_test_support.h"

#include <gtest/gtest.h>

namespace sipdns::test {
namespace {

void put16(std::vector<std::uint8_t>& v, std::uint16_t x) {
    v.push_back(static_cast<std::uint8_t>(x >> 8));
    v.push_back(static_cast<std::uint8_t>(x & 0xff));
}
void put32(std::vector<std::uint8_t>& v, std::uint32_t x) {
    put16(v, static_cast<std::uint16_t>(x >> 16));
    put16(v, static_cast<std::uint16_t>(x & 0xffff));
}

// An IXFR query for example.test. with the client's SOA in the authority section, names
// compressed as dig and Knot send them (owner and MNAME point at the question name).
std::vector<std::uint8_t> ixfr_query(std::uint32_t client_serial) {
    std::vector<std::uint8_t> q = make_query({"example.test.", zone::rrtype::IXFR});
    q[9] = 1;  // NSCOUNT
    put16(q, 0xc00c);
    put16(q, zone::rrtype::SOA);
    put16(q, 1);
    put32(q, 3600);
    const std::vector<std::uint8_t> rname = {10, 'h', 'o', 's', 't', 'm', 'a', 's', 't', 'e', 'r', 0xc0, 0x0c};
    put16(q, static_cast<std::uint16_t>(2 + rname.size() + 20));
    put16(q, 0xc00c);
    q.insert(q.end(), rname.begin(), rname.end());
    put32(q, client_serial);
    for (int i = 0; i < 4; ++i) put32(q, 3600);
    return q;
}

std::string site(const std::string& hosts) {
    return "domain: example.test\nttl: 3600\nservers:\n  - { name: scs1, ipv4: 192.0.2.11 }\n"
           "hosts:\n" + hosts + "reverse: off\n";
}

// Versions 1000 (gw1 .50), 2000 (gw1 .51, gw2 added), 3000 (ntp added); the journal over them.
struct Versions {
    std::vector<std::shared_ptr<const zone::ZoneSet>> sets;
    engine::EngineSettings settings;
    const zone::Zone& current() const { return *sets.back()->forward_zone(); }
};

Versions make_versions(const std::vector<std::string>& hosts) {
    Versions v;
    zone::ZoneJournal journal;
    for (std::size_t i = 0; i < hosts.size(); ++i) {
        const auto serial = static_cast<std::uint32_t>(1000 * (i + 1));
        auto set = i == 0 ? build_from_yaml(site(hosts[i]), serial_policy(serial))
                          : build_from_yaml(site(hosts[i]),
                                            serial_policy(serial, v.sets.back()->serial(),
                                                          v.sets.back()->content_hash()));
        journal = zone::next_journal(i == 0 ? nullptr : &journal,
                                     i == 0 ? nullptr : v.sets.back()->forward_zone(),
                                     *set->forward_zone());
        v.sets.push_back(set);
    }
    auto journals = std::make_shared<zone::TransferJournals>();
    journals->emplace(journal.apex, journal);
    v.settings.transfer_journals = journals;
    v.settings.transfer_allow = {*config::IpPrefix::parse("127.0.0.0/8")};
    return v;
}

const std::vector<std::string> kHosts = {
    "  gw1: 192.0.2.50\n",
    "  gw1: 192.0.2.51\n  gw2: 192.0.2.52\n",
    "  gw1: 192.0.2.51\n  gw2: 192.0.2.52\n  ntp: 192.0.2.60\n",
};

// One answer RR per line: "SOA <serial>" for SOAs, "<owner> A <address>" for the hosts.
std::string line_of(const ldns_rr* rr) {
    char* owner = ldns_rdf2str(ldns_rr_owner(rr));
    std::string line;
    if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_SOA) {
        line = "SOA " + std::to_string(ldns_rdf2native_int32(ldns_rr_rdf(rr, 2)));
    } else {
        char* rdata = ldns_rdf2str(ldns_rr_rdf(rr, 0));
        char* type = ldns_rr_type2str(ldns_rr_get_type(rr));
        line = std::string(owner) + " " + type + " " + rdata;
        free(rdata);
        free(type);
    }
    free(owner);
    return line;
}

// The framed messages of a TCP transfer: every answer RR in order; each message checked.
std::vector<std::string> transfer_lines(const std::vector<std::uint8_t>& framed,
                                        std::size_t* messages = nullptr) {
    std::vector<std::string> lines;
    std::size_t at = 0, count = 0;
    while (at < framed.size()) {
        EXPECT_LE(at + 2, framed.size());
        const std::size_t length = static_cast<std::size_t>(framed[at] << 8 | framed[at + 1]);
        EXPECT_LE(at + 2 + length, framed.size());
        // At most the writer's message size (16 KiB, well under 65535 as Knot and NSD do).
        EXPECT_LE(length, std::size_t{16384});
        ldns_pkt* pkt = nullptr;
        EXPECT_EQ(ldns_wire2pkt(&pkt, framed.data() + at + 2, length), LDNS_STATUS_OK);
        if (!pkt) break;
        EXPECT_EQ(ldns_pkt_get_rcode(pkt), LDNS_RCODE_NOERROR);
        EXPECT_TRUE(ldns_pkt_aa(pkt));
        const ldns_rr_list* answer = ldns_pkt_answer(pkt);
        for (std::size_t i = 0; i < ldns_rr_list_rr_count(answer); ++i)
            lines.push_back(line_of(ldns_rr_list_rr(answer, i)));
        ldns_pkt_free(pkt);
        at += 2 + length;
        ++count;
    }
    if (messages) *messages = count;
    return lines;
}

// The whole zone as AXFR sends it: the current SOA, every RR, the SOA again.
std::vector<std::string> axfr_of(const Versions& v) {
    return transfer_lines(engine::write_transfer(make_query({"example.test.", zone::rrtype::AXFR}),
                                                 v.current(), v.settings));
}

struct TcpCase {
    const char* name;
    std::int64_t client_serial;  // -1: no authority SOA in the query
    std::vector<std::string> want;  // empty: the whole zone (AXFR-style)
};

const TcpCase kTcpCases[] = {
    // RFC 1995 §4: the current SOA, then per version the old SOA, the deletions, the new SOA,
    // the additions; the current SOA last.
    {"FromTheOldest",
     1000,
     {"SOA 3000", "SOA 1000", "gw1.example.test. A 192.0.2.50", "SOA 2000",
      "gw1.example.test. A 192.0.2.51", "gw2.example.test. A 192.0.2.52", "SOA 2000", "SOA 3000",
      "ntp.example.test. A 192.0.2.60", "SOA 3000"}},
    {"FromTheMiddle",
     2000,
     {"SOA 3000", "SOA 2000", "SOA 3000", "ntp.example.test. A 192.0.2.60", "SOA 3000"}},
    // RFC 1995 §2: as new as we are, or newer: our SOA alone.
    {"UpToDate", 3000, {"SOA 3000"}},
    {"Newer", 3001, {"SOA 3000"}},
    // A serial the journal does not hold, or none: the whole zone.
    {"Unknown", 999, {}},
    {"Between", 1500, {}},
    {"NoAuthoritySoa", -1, {}},
};

class IxfrOverTcp : public testing::TestWithParam<TcpCase> {};

TEST_P(IxfrOverTcp, SendsTheDifferencesOrTheZone) {
    const TcpCase& c = GetParam();
    const Versions v = make_versions(kHosts);
    const auto query = c.client_serial < 0
                           ? make_query({"example.test.", zone::rrtype::IXFR})
                           : ixfr_query(static_cast<std::uint32_t>(c.client_serial));
    const auto lines = transfer_lines(engine::write_transfer(query, v.current(), v.settings));
    if (c.want.empty()) {
        const auto whole = axfr_of(v);
        EXPECT_EQ(lines, whole);
        ASSERT_GE(whole.size(), 3u);
        EXPECT_EQ(whole.front(), "SOA 3000");
        EXPECT_EQ(whole.back(), "SOA 3000");
    } else {
        EXPECT_EQ(lines, c.want);
    }
}

INSTANTIATE_TEST_SUITE_P(Table, IxfrOverTcp, testing::ValuesIn(kTcpCases),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(Ixfr, AJournalEndingElsewhereIsNotUsed) {
    // The journal of versions 1000..3000 with the zone of version 2000 served: the whole zone.
    const Versions v = make_versions(kHosts);
    const zone::Zone& older = *v.sets[1]->forward_zone();
    const auto lines = transfer_lines(engine::write_transfer(ixfr_query(1000), older, v.settings));
    ASSERT_GE(lines.size(), 3u);
    EXPECT_EQ(lines.front(), "SOA 2000");
    EXPECT_EQ(lines.back(), "SOA 2000");
    EXPECT_EQ(std::count(lines.begin(), lines.end(), "SOA 2000"), 2);
}

std::string many_hosts(int first, int count) {
    std::string hosts;
    for (int i = first; i < first + count; ++i)
        hosts += "  host" + std::to_string(i) + ": 198.51." + std::to_string(i / 250) + "." +
                 std::to_string(1 + i % 250) + "\n";
    return hosts;
}

TEST(Ixfr, ALargeDifferenceIsSplitIntoMessages) {
    const Versions v = make_versions({many_hosts(0, 10), many_hosts(0, 1500)});
    std::size_t messages = 0;
    const auto lines =
        transfer_lines(engine::write_transfer(ixfr_query(1000), v.current(), v.settings), &messages);
    EXPECT_GT(messages, 1u);
    ASSERT_EQ(lines.size(), 1490u + 4u);  // 1490 added between four SOAs
    EXPECT_EQ(lines[0], "SOA 2000");
    EXPECT_EQ(lines[1], "SOA 1000");
    EXPECT_EQ(lines[2], "SOA 2000");
    EXPECT_EQ(lines.back(), "SOA 2000");
}

struct UdpCase {
    const char* name;
    std::vector<std::string> hosts;
    std::uint32_t client_serial;
    std::vector<std::string> want;
};

const UdpCase kUdpCases[] = {
    // RFC 1995 §2: the differences when they fit in one message...
    {"Fits", kHosts, 2000,
     {"SOA 3000", "SOA 2000", "SOA 3000", "ntp.example.test. A 192.0.2.60", "SOA 3000"}},
    // ...else the SOA alone (the client retries over TCP); the same for an unknown serial.
    {"TooLarge", {many_hosts(0, 10), many_hosts(0, 200)}, 1000, {"SOA 2000"}},
    {"Unknown", kHosts, 999, {"SOA 3000"}},
    {"UpToDate", kHosts, 3000, {"SOA 3000"}},
};

class IxfrOverUdp : public testing::TestWithParam<UdpCase> {};

TEST_P(IxfrOverUdp, SendsTheDifferencesWhenTheyFit) {
    const UdpCase& c = GetParam();
    const Versions v = make_versions(c.hosts);
    const auto query = ixfr_query(c.client_serial);
    engine::QueryContext ctx{engine::Transport::Udp, true,
                             engine::client_address_v4({127, 0, 0, 1})};
    std::vector<std::uint8_t> out(engine::kMinOutputBuffer);
    const auto result = engine::respond(query, ctx, *v.sets.back(), v.settings, out);
    ASSERT_EQ(result.action, engine::EngineResult::Action::Respond);
    EXPECT_LE(result.length, std::size_t{512});  // no EDNS in the query: RFC 1035 §4.2.1
    ldns_pkt* pkt = nullptr;
    ASSERT_EQ(ldns_wire2pkt(&pkt, out.data(), result.length), LDNS_STATUS_OK);
    EXPECT_EQ(ldns_pkt_get_rcode(pkt), LDNS_RCODE_NOERROR);
    EXPECT_FALSE(ldns_pkt_tc(pkt));
    std::vector<std::string> lines;
    for (std::size_t i = 0; i < ldns_rr_list_rr_count(ldns_pkt_answer(pkt)); ++i)
        lines.push_back(line_of(ldns_rr_list_rr(ldns_pkt_answer(pkt), i)));
    ldns_pkt_free(pkt);
    EXPECT_EQ(lines, c.want);
}

INSTANTIATE_TEST_SUITE_P(Table, IxfrOverUdp, testing::ValuesIn(kUdpCases),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(IxfrClientSerial, ReadsTheAuthoritySoa) {
    EXPECT_EQ(engine::ixfr_client_serial(ixfr_query(1795382498)), 1795382498u);
    EXPECT_EQ(engine::ixfr_client_serial(make_query({"example.test.", zone::rrtype::IXFR})),
              std::nullopt);
}

TEST(IxfrClientSerial, EveryTruncationIsRejected) {
    const auto full = ixfr_query(7);
    for (std::size_t length = 0; length < full.size(); ++length) {
        const std::vector<std::uint8_t> cut(full.begin(), full.begin() + static_cast<long>(length));
        EXPECT_EQ(engine::ixfr_client_serial(cut), std::nullopt) << length;
    }
}

struct MalformedCase {
    const char* name;
    std::size_t offset_from_end;  // of the octet to change, counted from the end of the query
    std::uint8_t value;
};

// The SOA rdata's length (its 2 octets end 2 + 13 + 20 octets before the end), a label length
// in RNAME, and the type.
const MalformedCase kMalformedCases[] = {
    {"RdataLongerThanTheMessage", 2 + 2 + 13 + 20 - 1, 0xff},
    {"RdataOneShort", 2 + 2 + 13 + 20 - 1, static_cast<std::uint8_t>(2 + 13 + 20 - 1)},
    {"LabelPastTheRdata", 13 + 20, 60},
    {"ExtendedLabelType", 13 + 20, 0x41},
    {"NotAnSoa", 2 + 2 + 13 + 20 + 4 + 2 + 2 - 1, 1},
};

class IxfrClientSerialMalformed : public testing::TestWithParam<MalformedCase> {};

TEST_P(IxfrClientSerialMalformed, IsRejected) {
    auto q = ixfr_query(7);
    q[q.size() - GetParam().offset_from_end] = GetParam().value;
    EXPECT_EQ(engine::ixfr_client_serial(q), std::nullopt);
}

INSTANTIATE_TEST_SUITE_P(Table, IxfrClientSerialMalformed, testing::ValuesIn(kMalformedCases),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace sipdns::test
