// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
// The answering rules of docs/design.md §4, one row per case, every response decoded by ldns.
#include <gtest/gtest.h>

#include "../zone/zone_test_support.h"
#include "engine_test_support.h"
#include "test_support.h"

namespace sipdns::test {
namespace {

using engine::Transport;
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
records:
  - "@ IN MX 10 scs1"
  - "*.wild IN A 192.0.2.99"
  - "sub IN NS ns.sub"
  - "ns.sub IN A 192.0.2.53"
soa: { minimum: 120 }
)";

std::shared_ptr<const zone::ZoneSet> zones() {
    static auto z = build_from_yaml(kSite);
    return z;
}

const std::string kNegSoaPrefix = "example.test. 120 IN SOA scs1.example.test. hostmaster";

struct Row {
    const char* what;
    QuerySpec query;
    Transport transport;
    int rcode;
    bool aa;
    bool tc;
    std::set<std::string> answer;
    std::size_t authority_count;
    std::size_t additional_count;  // including OPT
};

class EngineTable : public ::testing::TestWithParam<Row> {};

TEST_P(EngineTable, Response) {
    const Row& row = GetParam();
    auto z = zones();
    ASSERT_TRUE(z);
    const auto query = make_query(row.query);
    Response r = run(*z, query, row.transport);
    ASSERT_FALSE(r.dropped) << row.what;
    ASSERT_TRUE(r.pkt) << row.what << ": ldns cannot decode our response";
    EXPECT_EQ(r.id(), row.query.id);
    EXPECT_TRUE(r.qr());
    EXPECT_FALSE(r.ra()) << "never recursive";
    EXPECT_EQ(r.rd(), (row.query.flags & 0x0100) != 0) << "RD copied";
    EXPECT_EQ(r.rcode(), row.rcode) << row.what;
    EXPECT_EQ(r.aa(), row.aa) << row.what;
    EXPECT_EQ(r.tc(), row.tc) << row.what;
    EXPECT_EQ(r.lines(LDNS_SECTION_ANSWER), row.answer) << row.what;
    EXPECT_EQ(r.count(LDNS_SECTION_AUTHORITY), row.authority_count) << row.what;
    EXPECT_EQ(r.count(LDNS_SECTION_ADDITIONAL), row.additional_count) << row.what;
    // The question is echoed byte for byte (0x20 mixed case preserved).
    ASSERT_EQ(r.count(LDNS_SECTION_QUESTION), 1u);
    EXPECT_TRUE(std::equal(query.begin() + 12, query.begin() + 12 + row.query.name.size() + 1 + 4,
                           r.bytes.begin() + 12))
        << row.what;
}

QuerySpec q(const char* name, std::uint16_t type) { return QuerySpec{name, type}; }
QuerySpec q_edns(const char* name, std::uint16_t type) {
    QuerySpec s{name, type};
    s.edns = true;
    return s;
}

const std::string kA11 = "scs1.example.test. 600 IN A 192.0.2.11";

INSTANTIATE_TEST_SUITE_P(
    Rows, EngineTable,
    ::testing::Values(
        Row{"A, authoritative", q("scs1.example.test.", rr::A), Transport::Udp, 0, true, false,
            {kA11}, 0, 0},
        Row{"0x20 case", q("sCs1.ExAmPlE.tEsT.", rr::A), Transport::Udp, 0, true, false, {kA11},
            0, 0},
        Row{"NODATA", q("scs1.example.test.", rr::AAAA), Transport::Udp, 0, true, false, {}, 1,
            0},
        Row{"NXDOMAIN", q("nope.example.test.", rr::A), Transport::Udp, 3, true, false, {}, 1, 0},
        Row{"NXDOMAIN, long name", q("a.b.c.d.e.f.nope.example.test.", rr::A), Transport::Udp, 3,
            true, false, {}, 1, 0},
        Row{"empty non-terminal", q("_udp.example.test.", rr::SRV), Transport::Udp, 0, true,
            false, {}, 1, 0},
        Row{"SRV with addresses", q("_sip._udp.example.test.", rr::SRV), Transport::Udp, 0, true,
            false,
            {"_sip._udp.example.test. 600 IN SRV 1 0 5060 scs1.example.test.",
             "_sip._udp.example.test. 600 IN SRV 2 0 5060 scs2.example.test."},
            0, 3},
        Row{"NAPTR with SRV and addresses", q_edns("example.test.", rr::NAPTR), Transport::Udp,
            0, true, false,
            {"example.test. 600 IN NAPTR 10 10 \"s\" \"SIP+D2U\" \"\" _sip._udp.example.test.",
             "example.test. 600 IN NAPTR 10 20 \"s\" \"SIP+D2T\" \"\" _sip._tcp.example.test."},
            0, 4 + 3 + 1},
        Row{"CNAME followed", q("tftp.example.test.", rr::A), Transport::Udp, 0, true, false,
            {"tftp.example.test. 600 IN CNAME scs1.example.test.", kA11}, 0, 0},
        Row{"wildcard", q("Host.Wild.example.test.", rr::A), Transport::Udp, 0, true, false,
            {"host.wild.example.test. 600 IN A 192.0.2.99"}, 0, 0},
        Row{"wildcard NODATA", q("host.wild.example.test.", rr::TXT), Transport::Udp, 0, true,
            false, {}, 1, 0},
        Row{"referral", q("www.sub.example.test.", rr::A), Transport::Udp, 0, false, false, {},
            1, 1},
        Row{"out of zone", q("example.org.", rr::A), Transport::Udp, 5, false, false, {}, 0, 0},
        Row{"class ANY answered like IN", QuerySpec{"scs1.example.test.", rr::A, 255},
            Transport::Udp, 0, true, false, {kA11}, 0, 0},
        Row{"class HS refused", QuerySpec{"scs1.example.test.", rr::A, 4}, Transport::Udp, 5,
            false, false, {}, 0, 0},
        Row{"ANY over UDP truncates", q("scs2.example.test.", rr::ANY), Transport::Udp, 0, true,
            true, {}, 0, 0},
        Row{"ANY over TCP answers every RRset", q("scs2.example.test.", rr::ANY), Transport::Tcp,
            0, true, false,
            {"scs2.example.test. 600 IN A 192.0.2.12",
             "scs2.example.test. 600 IN AAAA 2001:db8::12"},
            0, 0},
        Row{"ANY at a CNAME is the CNAME, not chased", q("tftp.example.test.", rr::ANY),
            Transport::Tcp, 0, true, false,
            {"tftp.example.test. 600 IN CNAME scs1.example.test."}, 0, 0},
        Row{"CHAOS hidden by default", QuerySpec{"version.bind.", rr::TXT, 3}, Transport::Udp, 5,
            false, false, {}, 0, 0},
        Row{"AXFR refused", q("example.test.", rr::AXFR), Transport::Tcp, 5, false, false, {}, 0,
            0},
        Row{"EDNS echoed", q_edns("scs1.example.test.", rr::A), Transport::Udp, 0, true, false,
            {kA11}, 0, 1}));

class Engine : public ::testing::Test {
protected:
    std::shared_ptr<const zone::ZoneSet> z_ = zones();
};

TEST_F(Engine, NegativeAnswersCarryTheSoaWithTheNegativeTtl) {
    Response r = run(*z_, make_query(q("nope.example.test.", rr::A)));
    auto auth = r.lines(LDNS_SECTION_AUTHORITY);
    ASSERT_EQ(auth.size(), 1u);
    EXPECT_EQ(auth.begin()->substr(0, kNegSoaPrefix.size()), kNegSoaPrefix);
}

TEST_F(Engine, EdnsPayloadIsMinOfClientsAndOurs) {
    QuerySpec s = q_edns("scs1.example.test.", rr::A);
    s.edns_payload = 4096;
    Response r = run(*z_, make_query(s));
    ASSERT_TRUE(r.pkt);
    EXPECT_EQ(ldns_pkt_edns_udp_size(r.pkt.get()), 1232);
    EXPECT_EQ(ldns_pkt_edns_version(r.pkt.get()), 0);
}

TEST_F(Engine, DoBitIsCopied) {
    QuerySpec s = q_edns("scs1.example.test.", rr::A);
    s.edns_do = true;
    Response r = run(*z_, make_query(s));
    ASSERT_TRUE(r.pkt);
    EXPECT_TRUE(ldns_pkt_edns_do(r.pkt.get()));
}

TEST_F(Engine, EdnsVersionAboveZeroIsBadvers) {
    QuerySpec s = q_edns("scs1.example.test.", rr::A);
    s.edns_version = 1;
    Response r = run(*z_, make_query(s));
    ASSERT_TRUE(r.pkt);
    EXPECT_EQ(r.result.rcode, engine::rcode::BadVers);
    EXPECT_EQ(r.rcode(), 0);  // the low 4 bits of 16
    EXPECT_EQ(ldns_pkt_edns_extended_rcode(r.pkt.get()), 1);  // 16 >> 4
    EXPECT_EQ(r.count(LDNS_SECTION_ANSWER), 0u);
    EXPECT_EQ(r.count(LDNS_SECTION_QUESTION), 1u);
}

TEST_F(Engine, NsidWhenConfiguredAndAsked) {
    QuerySpec s = q_edns("scs1.example.test.", rr::A);
    s.nsid = true;
    engine::EngineSettings settings;
    settings.nsid = "pbx-1";
    Response r = run(*z_, make_query(s), Transport::Udp, settings);
    const std::string tail(r.bytes.end() - 9, r.bytes.end());
    EXPECT_EQ(tail, std::string("\0\3\0\5pbx-1", 9));
    Response plain = run(*z_, make_query(q_edns("scs1.example.test.", rr::A)), Transport::Udp,
                         settings);
    EXPECT_EQ(plain.bytes.size() + 9, r.bytes.size()) << "NSID only when asked (RFC 5001 §2.1)";
}

TEST_F(Engine, ChaosIdentityWhenConfigured) {
    engine::EngineSettings settings;
    settings.version = "sipdnsd 0.1";
    Response r = run(*z_, make_query(QuerySpec{"VERSION.bind.", rr::TXT, 3}), Transport::Udp,
                     settings);
    ASSERT_TRUE(r.pkt);
    EXPECT_EQ(r.rcode(), 0);
    EXPECT_EQ(r.lines(LDNS_SECTION_ANSWER),
              (std::set<std::string>{"version.bind. 0 CH TXT \"sipdnsd 0.1\""}));
}

// A site whose SRV answer is larger than 512 octets but fits 1232: 25 targets.
std::shared_ptr<const zone::ZoneSet> big_site() {
    std::string yaml = "domain: example.test\nnameservers: [t0]\nhosts:\n";
    for (int i = 0; i < 25; ++i)
        yaml += "  t" + std::to_string(i) + ": 192.0.2." + std::to_string(i + 1) + "\n";
    yaml += "services:\n  - service: _x._tcp\n    port: 1\n    targets: [";
    for (int i = 0; i < 25; ++i) yaml += (i ? ", t" : "t") + std::to_string(i);
    yaml += "]\nreverse: off\n";
    return build_from_yaml(yaml);
}

TEST(EngineSize, PlainUdpOver512IsTruncatedToTheQuestion) {
    auto z = big_site();
    ASSERT_TRUE(z);
    Response r = run(*z, make_query(q("_x._tcp.example.test.", rr::SRV)));
    EXPECT_TRUE(r.tc());
    EXPECT_LE(r.bytes.size(), 512u);
    EXPECT_EQ(r.count(LDNS_SECTION_QUESTION), 1u);
    EXPECT_EQ(r.count(LDNS_SECTION_ANSWER), 0u);
}

TEST(EngineSize, EdnsFitsTheAnswerAndCutsTheAdditionalNeverTc) {
    auto z = big_site();
    ASSERT_TRUE(z);
    Response r = run(*z, make_query(q_edns("_x._tcp.example.test.", rr::SRV)));
    EXPECT_FALSE(r.tc());
    EXPECT_LE(r.bytes.size(), 1232u);
    EXPECT_EQ(r.count(LDNS_SECTION_ANSWER), 25u);
    EXPECT_GT(r.count(LDNS_SECTION_ADDITIONAL), 1u);
    EXPECT_LT(r.count(LDNS_SECTION_ADDITIONAL), 26u);  // some addresses left out
    ASSERT_TRUE(r.pkt);
    EXPECT_EQ(ldns_pkt_edns_udp_size(r.pkt.get()), 1232) << "the OPT is kept";

    Response tcp = run(*z, make_query(q("_x._tcp.example.test.", rr::SRV)), Transport::Tcp);
    EXPECT_EQ(tcp.count(LDNS_SECTION_ADDITIONAL), 25u);
}

// The AF_XDP path knows what one frame can carry (QueryContext::udp_payload_limit): an answer
// above it is truncated as one above the client's EDNS size, and nothing is written past it.
TEST(EngineSize, PathLimitTruncatesAndNeverWritesPastIt) {
    auto z = big_site();
    ASSERT_TRUE(z);
    QuerySpec spec = q_edns("_x._tcp.example.test.", rr::SRV);
    spec.edns_payload = 4096;
    const std::vector<std::uint8_t> query = make_query(spec);
    engine::EngineSettings settings;
    settings.edns_udp_size = 4096;
    struct Case {
        std::uint16_t limit;
        bool truncated;
    };
    for (const Case c : {Case{0, false}, Case{1400, false}, Case{600, true}, Case{100, true}}) {
        SCOPED_TRACE(c.limit);
        engine::QueryContext context{Transport::Udp};
        context.udp_payload_limit = c.limit;
        // Exactly the room the caller has (at least the 512 octets every UDP answer may take).
        std::vector<std::uint8_t> out(c.limit == 0 ? engine::kMinOutputBuffer
                                                   : std::max<std::size_t>(c.limit, 512));
        const engine::EngineResult result = engine::respond(query, context, *z, settings, out);
        ASSERT_EQ(result.action, engine::EngineResult::Action::Respond);
        EXPECT_LE(result.length, out.size());
        EXPECT_EQ(result.truncated, c.truncated);
        EXPECT_EQ((out[2] & 0x02) != 0, c.truncated) << "the TC bit";
    }
}

// Malformed and unsupported messages (docs/design.md §4).
std::vector<std::uint8_t> with_header(std::vector<std::uint8_t> q, std::size_t at,
                                      std::uint8_t value) {
    q[at] = value;
    return q;
}

TEST_F(Engine, TooShortOrResponsesAreDropped) {
    EXPECT_TRUE(run(*z_, {0x12, 0x34, 0x01}).dropped);
    auto query = make_query(q("scs1.example.test.", rr::A));
    EXPECT_TRUE(run(*z_, with_header(query, 2, 0x81)).dropped) << "QR=1";
}

TEST_F(Engine, MalformedGetsFormerr) {
    auto query = make_query(q("scs1.example.test.", rr::A));
    // QDCOUNT = 0.
    auto no_q = with_header(query, 5, 0);
    no_q.resize(12);
    Response r0 = run(*z_, no_q);
    EXPECT_EQ(r0.rcode(), 1);
    // QDCOUNT = 2.
    EXPECT_EQ(run(*z_, with_header(query, 5, 2)).rcode(), 1);
    // Question cut in the middle of the name, and without QTYPE/QCLASS.
    auto cut = query;
    cut.resize(16);
    EXPECT_EQ(run(*z_, cut).rcode(), 1);
    auto no_type = query;
    no_type.resize(query.size() - 3);
    EXPECT_EQ(run(*z_, no_type).rcode(), 1);
    // A label length that runs past the end, a compression pointer in the question.
    auto bad_label = query;
    bad_label[12] = 60;
    EXPECT_EQ(run(*z_, bad_label).rcode(), 1);
    auto pointer = query;
    pointer[12] = 0xc0;
    EXPECT_EQ(run(*z_, pointer).rcode(), 1);
    // ARCOUNT that lies.
    EXPECT_EQ(run(*z_, with_header(query, 11, 3)).rcode(), 1);
    // Two OPT records.
    auto two_opt = make_query(q_edns("scs1.example.test.", rr::A));
    const std::vector<std::uint8_t> opt(two_opt.end() - 11, two_opt.end());
    two_opt.insert(two_opt.end(), opt.begin(), opt.end());
    two_opt[11] = 2;
    Response r2 = run(*z_, two_opt);
    EXPECT_EQ(r2.rcode(), 1);
    EXPECT_EQ(r2.count(LDNS_SECTION_QUESTION), 1u) << "the question is echoed when parsed";
}

TEST_F(Engine, OpcodesOtherThanQuery) {
    auto query = make_query(q("example.test.", rr::SOA));
    Response notify = run(*z_, with_header(query, 2, 0x20));  // opcode 4
    EXPECT_EQ(notify.rcode(), 5);
    Response update = run(*z_, with_header(query, 2, 0x28));  // opcode 5
    EXPECT_EQ(update.rcode(), 4);
    Response status = run(*z_, with_header(query, 2, 0x10));  // opcode 2
    EXPECT_EQ(status.rcode(), 4);
    EXPECT_EQ((status.bytes[2] >> 3) & 0xf, 2) << "opcode echoed";
}

// Every name and type of every example, answered by the engine from precompiled bodies, must
// decode (by ldns) to exactly what lookup() says: the precompiler and the lookup agree.
class PrecompiledMatchesLookup : public ::testing::TestWithParam<const char*> {};

TEST_P(PrecompiledMatchesLookup, EveryNameEveryType) {
    auto z = build_from_yaml(read_file(std::string(SIPDNS_EXAMPLES_DIR) + "/" + GetParam()));
    ASSERT_TRUE(z);
    std::size_t checked = 0;
    for (const auto& zone : z->zones()) {
        std::vector<std::string> names;
        for (const zone::Node* n : zone->nodes_in_canonical_order()) names.emplace_back(n->name);
        names.push_back("\7missing" + zone->apex());
        for (const auto& name : names) {
            for (std::uint16_t type : {rr::A, rr::AAAA, rr::NS, rr::SOA, rr::CNAME, rr::PTR,
                                       rr::MX, rr::TXT, rr::SRV, rr::NAPTR, rr::ANY}) {
                const auto expected = z->lookup(name, type);
                QuerySpec s{zone::name_to_text(name), type};
                s.edns = true;
                Response r = run(*z, make_query(s), Transport::Tcp);
                ASSERT_TRUE(r.pkt) << s.name;
                EXPECT_EQ(r.lines(LDNS_SECTION_ANSWER), section_lines(expected.answer)) << s.name;
                EXPECT_EQ(r.lines(LDNS_SECTION_AUTHORITY), section_lines(expected.authority))
                    << s.name;
                EXPECT_EQ(r.lines(LDNS_SECTION_ADDITIONAL), section_lines(expected.additional))
                    << s.name;
                ++checked;
            }
        }
    }
    EXPECT_GT(checked, 50u);
}

INSTANTIATE_TEST_SUITE_P(Examples, PrecompiledMatchesLookup,
                         ::testing::Values("scs-single.yaml", "scs-ha.yaml", "lab.yaml"));

}  // namespace
}  // namespace sipdns::test
