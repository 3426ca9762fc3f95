// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
// Forwarding in the engine (forwarding.h): which queries respond() hands to the forwarder, and
// the replies write_forwarded() / write_forward_failure() make of what came back. Upstream
// messages are built by hand, laid out as forward::normalise_upstream_answer() leaves them (no
// OPT, the question as asked upstream); every reply is decoded by ldns.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <optional>
#include <string>
#include <vector>

#include "../zone/zone_test_support.h"
#include "engine_test_support.h"

namespace sipdns::test {
namespace {

using engine::EngineResult;
using engine::Transport;
using Action = engine::EngineResult::Action;
namespace rr = zone::rrtype;

const char* kSite = R"(
domain: example.test
ttl: 600
servers:
  - { name: scs1, ipv4: 192.0.2.11 }
hosts:
  ntp: 192.0.2.1
soa: { minimum: 120 }
)";

std::shared_ptr<const zone::ZoneSet> site_zones() {
    static auto z = build_from_yaml(kSite);
    return z;
}

config::IpAddress address(const char* text) {
    auto a = config::IpAddress::parse(text);
    EXPECT_TRUE(a) << text;
    return a ? *a : config::IpAddress{};
}

engine::EngineSettings forwarding_settings(bool enabled = true) {
    engine::EngineSettings s;
    s.forward.enabled = enabled;
    s.forward.allow = {*config::IpPrefix::parse("192.0.2.0/24"),
                       *config::IpPrefix::parse("2001:db8::/32")};
    return s;
}

engine::QueryContext context(const char* client, Transport transport = Transport::Udp) {
    engine::QueryContext ctx;
    ctx.transport = transport;
    if (client != nullptr && *client != 0) {
        ctx.has_client = true;
        ctx.client = address(client);
    }
    return ctx;
}

// "Www.Example.ORG." -> lower-case wire form.
std::string lower_wire(const std::string& text) {
    std::string w = wire(text);
    for (char& c : w)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
    return w;
}

Response decoded(const std::vector<std::uint8_t>& out, const EngineResult& result) {
    Response r;
    r.result = result;
    if (result.action == Action::Drop) return r;
    r.dropped = false;
    r.bytes.assign(out.begin(), out.begin() + static_cast<long>(result.length));
    ldns_pkt* pkt = nullptr;
    if (ldns_wire2pkt(&pkt, r.bytes.data(), r.bytes.size()) == LDNS_STATUS_OK)
        r.pkt.reset(pkt, ldns_pkt_free);
    return r;
}

bool ad_bit(const Response& r) { return (r.bytes[3] & 0x20) != 0; }
bool cd_bit(const Response& r) { return (r.bytes[3] & 0x10) != 0; }

std::size_t question_end(const std::vector<std::uint8_t>& query) {
    std::size_t at = 12;
    while (query[at] != 0) at += 1u + query[at];
    return at + 1 + 4;
}

// ---------------------------------------------------------------------------------------------
// respond(): forward or not.

struct RespondRow {
    const char* what;
    QuerySpec query;
    const char* client;  // "" = none
    bool enabled;
    bool pass_forward;
    Action action;
    int rcode;  // for Respond
    bool aa;
};

class ForwardDecision : public ::testing::TestWithParam<RespondRow> {};

TEST_P(ForwardDecision, Respond) {
    const RespondRow& row = GetParam();
    auto z = site_zones();
    ASSERT_TRUE(z);
    const auto query = make_query(row.query);
    const auto settings = forwarding_settings(row.enabled);
    std::vector<std::uint8_t> out(engine::kMaxTcpMessage);
    engine::ForwardQuestion fq;
    fq.qtype = 0xdead;  // untouched unless forwarded
    const EngineResult res = engine::respond(query, context(row.client), *z, settings, out,
                                             row.pass_forward ? &fq : nullptr);
    ASSERT_EQ(res.action, row.action) << row.what;
    if (row.action == Action::Forward) {
        EXPECT_EQ(res.length, 0u) << row.what << ": nothing written yet";
        EXPECT_EQ(res.qtype, row.query.type);
        EXPECT_EQ(std::string(fq.name()), lower_wire(row.query.name)) << row.what;
        EXPECT_EQ(fq.qtype, row.query.type) << row.what;
        EXPECT_EQ(fq.dnssec_ok, row.query.edns && row.query.edns_do) << row.what;
        return;
    }
    EXPECT_EQ(fq.qtype, 0xdead) << row.what << ": the question is filled only to forward";
    const Response r = decoded(out, res);
    ASSERT_TRUE(r.pkt) << row.what;
    EXPECT_EQ(r.id(), row.query.id);
    EXPECT_EQ(r.rcode(), row.rcode) << row.what;
    EXPECT_EQ(r.aa(), row.aa) << row.what;
    EXPECT_FALSE(r.ra()) << row.what << ": not recursive for our own answers and refusals";
}

QuerySpec q(const char* name, std::uint16_t type = rr::A, std::uint16_t qclass = 1) {
    return QuerySpec{name, type, qclass};
}
QuerySpec q_do(const char* name, std::uint16_t type = rr::A) {
    QuerySpec s{name, type};
    s.edns = true;
    s.edns_do = true;
    return s;
}
QuerySpec q_edns(const char* name, std::uint16_t type = rr::A) {
    QuerySpec s{name, type};
    s.edns = true;
    return s;
}

INSTANTIATE_TEST_SUITE_P(
    Rows, ForwardDecision,
    ::testing::Values(
        RespondRow{"foreign name, allowed client", q("www.example.org."), "192.0.2.7", true,
                   true, Action::Forward, 0, false},
        RespondRow{"0x20 foreign name: lower-cased", q("WwW.ExAmPlE.oRg."), "192.0.2.7", true,
                   true, Action::Forward, 0, false},
        RespondRow{"foreign AAAA with DO", q_do("Mail.Example.NET.", rr::AAAA), "192.0.2.7",
                   true, true, Action::Forward, 0, false},
        RespondRow{"foreign with EDNS, no DO", q_edns("example.com.", rr::MX), "192.0.2.7", true,
                   true, Action::Forward, 0, false},
        RespondRow{"the root", q(".", rr::NS), "192.0.2.7", true, true, Action::Forward, 0,
                   false},
        RespondRow{"IPv6 client in allow", q("www.example.org."), "2001:db8::5", true, true,
                   Action::Forward, 0, false},
        RespondRow{"class ANY foreign name refused", q("www.example.org.", rr::A, 255),
                   "192.0.2.7", true, true, Action::Respond, 5, false},
        RespondRow{"client outside allow", q("www.example.org."), "198.51.100.1", true, true,
                   Action::Respond, 5, false},
        RespondRow{"IPv6 client outside allow", q("www.example.org."), "2001:db9::1", true,
                   true, Action::Respond, 5, false},
        RespondRow{"no client address", q("www.example.org."), "", true, true, Action::Respond,
                   5, false},
        RespondRow{"forwarding off", q("www.example.org."), "192.0.2.7", false, true,
                   Action::Respond, 5, false},
        RespondRow{"forward == nullptr", q("www.example.org."), "192.0.2.7", true, false,
                   Action::Respond, 5, false},
        RespondRow{"class CH foreign name", q("www.example.org.", rr::TXT, 3), "192.0.2.7", true,
                   true, Action::Respond, 5, false},
        RespondRow{"class HS foreign name", q("www.example.org.", rr::A, 4), "192.0.2.7", true,
                   true, Action::Respond, 5, false},
        RespondRow{"site name: our answer", q("scs1.example.test."), "192.0.2.7", true, true,
                   Action::Respond, 0, true},
        RespondRow{"site name, 0x20: our answer", q("ScS1.eXaMpLe.TeSt."), "192.0.2.7", true,
                   true, Action::Respond, 0, true},
        RespondRow{"site NODATA: our answer", q("scs1.example.test.", rr::TXT), "192.0.2.7",
                   true, true, Action::Respond, 0, true},
        RespondRow{"site NXDOMAIN: our answer", q("nope.example.test."), "192.0.2.7", true,
                   true, Action::Respond, 3, true},
        RespondRow{"deep site NXDOMAIN: our answer", q("a.b.nope.example.test."), "192.0.2.7",
                   true, true, Action::Respond, 3, true},
        RespondRow{"site apex SOA with DO: our answer", q_do("example.test.", rr::SOA),
                   "192.0.2.7", true, true, Action::Respond, 0, true}),
    [](const ::testing::TestParamInfo<RespondRow>& info) {
        std::string name;
        for (const char* p = info.param.what; *p; ++p)
            name += std::isalnum(static_cast<unsigned char>(*p)) ? *p : '_';
        return name;
    });

// ---------------------------------------------------------------------------------------------
// Upstream messages, as the forwarder normalises them.

void put16(std::vector<std::uint8_t>& v, std::uint16_t x) {
    v.push_back(static_cast<std::uint8_t>(x >> 8));
    v.push_back(static_cast<std::uint8_t>(x & 0xff));
}
void put32(std::vector<std::uint8_t>& v, std::uint32_t x) {
    put16(v, static_cast<std::uint16_t>(x >> 16));
    put16(v, static_cast<std::uint16_t>(x & 0xffff));
}

struct Record {
    std::uint16_t type;
    std::uint32_t ttl;
    std::vector<std::uint8_t> rdata;
};

struct Upstream {
    std::vector<std::uint8_t> message;
    std::vector<std::uint16_t> ttl_offsets;

    engine::UpstreamAnswer view(std::uint32_t age = 0, bool authenticated = false) const {
        engine::UpstreamAnswer a;
        a.message = message;
        a.ttl_offsets = ttl_offsets;
        a.age_seconds = age;
        a.authenticated = authenticated;
        return a;
    }
};

// Header (upstream's own ID and flags: the engine must not use them), the question in lower
// case, then the records, each owned by the question name (a pointer to offset 12).
Upstream upstream(const std::string& name, std::uint16_t qtype, std::uint16_t rcode,
                  const std::vector<Record>& answer, const std::vector<Record>& authority = {},
                  const std::vector<Record>& additional = {}) {
    Upstream u;
    auto& m = u.message;
    put16(m, 0x9999);
    put16(m, static_cast<std::uint16_t>(0x8000 | 0x0100 | 0x0080 | 0x0020 | rcode));
    put16(m, 1);
    put16(m, static_cast<std::uint16_t>(answer.size()));
    put16(m, static_cast<std::uint16_t>(authority.size()));
    put16(m, static_cast<std::uint16_t>(additional.size()));
    const std::string qname = lower_wire(name);
    m.insert(m.end(), qname.begin(), qname.end());
    put16(m, qtype);
    put16(m, 1);
    for (const auto* section : {&answer, &authority, &additional})
        for (const Record& rec : *section) {
            put16(m, 0xc00c);
            put16(m, rec.type);
            put16(m, 1);
            u.ttl_offsets.push_back(static_cast<std::uint16_t>(m.size()));
            put32(m, rec.ttl);
            put16(m, static_cast<std::uint16_t>(rec.rdata.size()));
            m.insert(m.end(), rec.rdata.begin(), rec.rdata.end());
        }
    return u;
}

Record a_record(std::uint32_t ttl, std::uint8_t last) { return {rr::A, ttl, {192, 0, 2, last}}; }

Record txt_record(std::uint32_t ttl, std::size_t length, char fill) {
    Record r{rr::TXT, ttl, {}};
    r.rdata.push_back(static_cast<std::uint8_t>(length));
    r.rdata.insert(r.rdata.end(), length, static_cast<std::uint8_t>(fill));
    return r;
}

Response forwarded(const QuerySpec& spec, const Upstream& up, std::uint32_t age = 0,
                   bool authenticated = false, Transport transport = Transport::Udp,
                   const engine::EngineSettings& settings = forwarding_settings()) {
    const auto query = make_query(spec);
    std::vector<std::uint8_t> out(transport == Transport::Tcp ? engine::kMaxTcpMessage
                                                              : engine::kMinOutputBuffer);
    const EngineResult res = engine::write_forwarded(query, context("192.0.2.7", transport),
                                                     settings, up.view(age, authenticated), out);
    return decoded(out, res);
}

std::vector<std::uint32_t> answer_ttls(const Response& r, ldns_pkt_section section) {
    std::vector<std::uint32_t> ttls;
    if (!r.pkt) return ttls;
    const ldns_rr_list* list = section == LDNS_SECTION_ANSWER      ? ldns_pkt_answer(r.pkt.get())
                               : section == LDNS_SECTION_AUTHORITY ? ldns_pkt_authority(r.pkt.get())
                                                                   : ldns_pkt_additional(r.pkt.get());
    for (std::size_t i = 0; list && i < ldns_rr_list_rr_count(list); ++i)
        ttls.push_back(ldns_rr_ttl(ldns_rr_list_rr(list, i)));
    return ttls;
}

// ---------------------------------------------------------------------------------------------
// write_forwarded()

TEST(WriteForwarded, ClientIdAndExactQuestionRestored) {
    QuerySpec spec = q("WwW.ExAmPlE.oRg.");
    spec.id = 0x4321;
    const auto query = make_query(spec);
    const Response r = forwarded(spec, upstream("www.example.org.", rr::A, 0, {a_record(300, 1)}));
    ASSERT_TRUE(r.pkt);
    EXPECT_EQ(r.id(), 0x4321);
    EXPECT_TRUE(r.qr());
    const std::size_t qend = question_end(query);
    ASSERT_GE(r.bytes.size(), qend);
    EXPECT_TRUE(std::equal(query.begin() + 12, query.begin() + static_cast<long>(qend),
                           r.bytes.begin() + 12))
        << "the client's 0x20 case, byte for byte";
    EXPECT_EQ(r.lines(LDNS_SECTION_ANSWER),
              (std::set<std::string>{"www.example.org. 300 IN A 192.0.2.1"}));
    EXPECT_EQ(r.result.action, Action::Respond);
    EXPECT_EQ(r.result.question_end, qend);
}

struct FlagsRow {
    const char* what;
    std::uint16_t query_flags;
    bool edns_do;
    bool authenticated;
    bool rd, cd, ad;
};

class WriteForwardedFlags : public ::testing::TestWithParam<FlagsRow> {};

TEST_P(WriteForwardedFlags, Header) {
    const FlagsRow& row = GetParam();
    QuerySpec spec = q("www.example.org.");
    spec.flags = row.query_flags;
    if (row.edns_do) {
        spec.edns = true;
        spec.edns_do = true;
    }
    const Response r = forwarded(
        spec, upstream("www.example.org.", rr::A, 0, {a_record(300, 1)}), 0, row.authenticated);
    ASSERT_TRUE(r.pkt) << row.what;
    EXPECT_TRUE(r.ra()) << row.what;
    EXPECT_FALSE(r.aa()) << row.what;
    EXPECT_FALSE(r.tc()) << row.what;
    EXPECT_EQ(r.rd(), row.rd) << row.what;
    EXPECT_EQ(cd_bit(r), row.cd) << row.what;
    EXPECT_EQ(ad_bit(r), row.ad) << row.what;
}

constexpr std::uint16_t kRd = 0x0100, kAd = 0x0020, kCd = 0x0010;

INSTANTIATE_TEST_SUITE_P(
    Rows, WriteForwardedFlags,
    ::testing::Values(
        FlagsRow{"RD", kRd, false, false, true, false, false},
        FlagsRow{"no RD", 0, false, false, false, false, false},
        FlagsRow{"CD copied", kRd | kCd, false, false, true, true, false},
        FlagsRow{"not validated, client AD", kRd | kAd, false, false, true, false, false},
        FlagsRow{"not validated, client DO", kRd, true, false, true, false, false},
        FlagsRow{"validated, client neither", kRd, false, true, true, false, false},
        FlagsRow{"validated, client AD", kRd | kAd, false, true, true, false, true},
        FlagsRow{"validated, client DO", kRd, true, true, true, false, true},
        FlagsRow{"validated, client DO and CD", kRd | kCd, true, true, true, true, true}),
    [](const ::testing::TestParamInfo<FlagsRow>& info) {
        std::string name;
        for (const char* p = info.param.what; *p; ++p)
            name += std::isalnum(static_cast<unsigned char>(*p)) ? *p : '_';
        return name;
    });

struct AgeRow {
    std::uint32_t age;
    std::vector<std::uint32_t> answer, authority;
};

class WriteForwardedAge : public ::testing::TestWithParam<AgeRow> {};

TEST_P(WriteForwardedAge, TtlsCountedDown) {
    const AgeRow& row = GetParam();
    const Upstream up = upstream("www.example.org.", rr::A, 0,
                                 {a_record(300, 1), a_record(100, 2)}, {txt_record(50, 3, 'x')});
    const Response r = forwarded(q("www.example.org."), up, row.age);
    ASSERT_TRUE(r.pkt);
    auto answer = answer_ttls(r, LDNS_SECTION_ANSWER);
    std::sort(answer.begin(), answer.end());
    EXPECT_EQ(answer, row.answer) << "age " << row.age;
    EXPECT_EQ(answer_ttls(r, LDNS_SECTION_AUTHORITY), row.authority) << "age " << row.age;
}

INSTANTIATE_TEST_SUITE_P(Ages, WriteForwardedAge,
                         ::testing::Values(AgeRow{0, {100, 300}, {50}},
                                           AgeRow{1, {99, 299}, {49}},
                                           AgeRow{50, {50, 250}, {0}},
                                           AgeRow{100, {0, 200}, {0}},
                                           AgeRow{299, {0, 1}, {0}},
                                           AgeRow{300, {0, 0}, {0}},
                                           AgeRow{0xffffffffu, {0, 0}, {0}}));

TEST(WriteForwarded, TtlCountdownLeavesTheUpstreamMessageAlone) {
    const Upstream up = upstream("www.example.org.", rr::A, 0, {a_record(300, 1)});
    const auto before = up.message;
    (void)forwarded(q("www.example.org."), up, 100);
    EXPECT_EQ(up.message, before) << "a cached answer is served again";
}

TEST(WriteForwarded, OptOnlyWhenTheClientSentEdns) {
    const Upstream up = upstream("www.example.org.", rr::A, 0, {a_record(300, 1)}, {},
                                 {a_record(300, 9)});
    const Response plain = forwarded(q("www.example.org."), up);
    ASSERT_TRUE(plain.pkt);
    EXPECT_FALSE(ldns_pkt_edns(plain.pkt.get()));
    EXPECT_EQ(plain.count(LDNS_SECTION_ADDITIONAL), 1u);
    EXPECT_EQ(plain.result.opt_offset, 0);

    const Response edns = forwarded(q_edns("www.example.org."), up);
    ASSERT_TRUE(edns.pkt);
    EXPECT_TRUE(ldns_pkt_edns(edns.pkt.get()));
    EXPECT_EQ(ldns_pkt_edns_udp_size(edns.pkt.get()), forwarding_settings().edns_udp_size);
    EXPECT_FALSE(ldns_pkt_edns_do(edns.pkt.get()));
    EXPECT_EQ(edns.count(LDNS_SECTION_ADDITIONAL), 2u) << "the upstream's record and our OPT";
    EXPECT_NE(edns.result.opt_offset, 0);
    EXPECT_EQ(edns.lines(LDNS_SECTION_ADDITIONAL),
              (std::set<std::string>{"www.example.org. 300 IN A 192.0.2.9"}));

    const Response with_do = forwarded(q_do("www.example.org."), up);
    ASSERT_TRUE(with_do.pkt);
    EXPECT_TRUE(ldns_pkt_edns_do(with_do.pkt.get())) << "DO copied (RFC 3225)";
}

TEST(WriteForwarded, RcodeAndSectionsOfANegativeAnswer) {
    // NXDOMAIN with an SOA-ish TXT in authority (type does not matter to the engine).
    const Upstream up = upstream("nope.example.org.", rr::A, 3, {}, {txt_record(900, 10, 's')});
    const Response r = forwarded(q("Nope.Example.Org."), up, 60);
    ASSERT_TRUE(r.pkt);
    EXPECT_EQ(r.rcode(), 3);
    EXPECT_EQ(r.result.rcode, 3);
    EXPECT_EQ(r.count(LDNS_SECTION_ANSWER), 0u);
    EXPECT_EQ(answer_ttls(r, LDNS_SECTION_AUTHORITY), (std::vector<std::uint32_t>{840}));
}

// 30 TXT records of 100 octets: ~3.6 kB, more than any UDP limit here (512, 1232).
Upstream big_upstream() {
    std::vector<Record> answer;
    for (int i = 0; i < 30; ++i) answer.push_back(txt_record(300, 100, static_cast<char>('a' + i)));
    return upstream("big.example.org.", rr::TXT, 0, answer);
}

TEST(WriteForwarded, TooBigForUdpIsTruncatedToTheQuestion) {
    const Upstream up = big_upstream();
    for (const bool edns : {false, true}) {
        QuerySpec spec = edns ? q_edns("Big.Example.Org.", rr::TXT) : q("Big.Example.Org.", rr::TXT);
        const auto query = make_query(spec);
        const Response r = forwarded(spec, up);
        ASSERT_TRUE(r.pkt) << "edns " << edns;
        EXPECT_TRUE(r.tc()) << "edns " << edns;
        EXPECT_TRUE(r.result.truncated);
        EXPECT_TRUE(r.ra());
        EXPECT_FALSE(r.aa());
        EXPECT_EQ(r.rcode(), 0);
        EXPECT_EQ(r.count(LDNS_SECTION_QUESTION), 1u);
        EXPECT_EQ(r.count(LDNS_SECTION_ANSWER), 0u);
        EXPECT_EQ(r.count(LDNS_SECTION_AUTHORITY), 0u);
        EXPECT_EQ(r.count(LDNS_SECTION_ADDITIONAL), edns ? 1u : 0u) << "OPT only";
        EXPECT_EQ(r.bytes.size(), question_end(query) + (edns ? 11u : 0u));
        EXPECT_LE(r.bytes.size(), edns ? 1232u : 512u);
    }
}

TEST(WriteForwarded, WholeOverTcp) {
    const Upstream up = big_upstream();
    const Response r = forwarded(q("Big.Example.Org.", rr::TXT), up, 0, false, Transport::Tcp);
    ASSERT_TRUE(r.pkt);
    EXPECT_FALSE(r.tc());
    EXPECT_EQ(r.count(LDNS_SECTION_ANSWER), 30u);
    EXPECT_EQ(r.lines(LDNS_SECTION_ANSWER).size(), 30u);
    EXPECT_EQ(r.bytes.size(), up.message.size()) << "same question length, no OPT";
}

TEST(WriteForwarded, FitsWithALargerPayload) {
    // ~1.1 kB: truncated without EDNS, whole with a 1232-octet payload.
    std::vector<Record> answer;
    for (int i = 0; i < 9; ++i) answer.push_back(txt_record(300, 100, 'z'));
    const Upstream up = upstream("mid.example.org.", rr::TXT, 0, answer);
    ASSERT_GT(up.message.size(), 512u);
    ASSERT_LT(up.message.size() + 11, 1232u);
    EXPECT_TRUE(forwarded(q("mid.example.org.", rr::TXT), up).tc());
    const Response r = forwarded(q_edns("mid.example.org.", rr::TXT), up);
    EXPECT_FALSE(r.tc());
    EXPECT_EQ(r.count(LDNS_SECTION_ANSWER), 9u);
}

TEST(WriteForwarded, UpstreamShorterThanTheQuestionIsServfail) {
    Upstream up;
    up.message.assign(12, 0);
    const Response r = forwarded(q_edns("www.example.org."), up);
    ASSERT_TRUE(r.pkt);
    EXPECT_EQ(r.rcode(), 2);
    EXPECT_TRUE(r.ra());
}

TEST(WriteForwarded, MalformedQueryIsDropped) {
    const std::vector<std::uint8_t> query = {0x12, 0x34, 0x01};
    std::vector<std::uint8_t> out(engine::kMinOutputBuffer);
    const Upstream up = upstream("www.example.org.", rr::A, 0, {a_record(300, 1)});
    const EngineResult res = engine::write_forwarded(query, context("192.0.2.7"),
                                                     forwarding_settings(), up.view(), out);
    EXPECT_EQ(res.action, Action::Drop);
    const EngineResult fail = engine::write_forward_failure(
        query, context("192.0.2.7"), forwarding_settings(), engine::ede::Other, "x", out);
    EXPECT_EQ(fail.action, Action::Drop);
}

// ---------------------------------------------------------------------------------------------
// write_forward_failure()

struct ExtendedError {
    std::uint16_t code = 0;
    std::string text;
};

// The RFC 8914 options of the reply's OPT (read from the wire, after opt_offset).
std::vector<ExtendedError> extended_errors(const Response& r) {
    std::vector<ExtendedError> out;
    const std::size_t opt = r.result.opt_offset;
    if (opt == 0 || opt + 11 > r.bytes.size()) return out;
    const auto& b = r.bytes;
    const std::size_t rdlength = static_cast<std::size_t>(b[opt + 9] << 8 | b[opt + 10]);
    std::size_t at = opt + 11;
    const std::size_t end = at + rdlength;
    EXPECT_EQ(end, b.size()) << "the OPT is last";
    while (at + 4 <= end) {
        const auto code = static_cast<std::uint16_t>(b[at] << 8 | b[at + 1]);
        const std::size_t len = static_cast<std::size_t>(b[at + 2] << 8 | b[at + 3]);
        if (code == 15 && len >= 2 && at + 4 + len <= end) {
            ExtendedError e;
            e.code = static_cast<std::uint16_t>(b[at + 4] << 8 | b[at + 5]);
            e.text.assign(b.begin() + static_cast<long>(at + 6),
                          b.begin() + static_cast<long>(at + 4 + len));
            out.push_back(e);
        }
        at += 4 + len;
    }
    return out;
}

Response failure(const QuerySpec& spec, std::uint16_t code, std::string_view text,
                 const engine::EngineSettings& settings = forwarding_settings()) {
    const auto query = make_query(spec);
    std::vector<std::uint8_t> out(engine::kMinOutputBuffer);
    const EngineResult res = engine::write_forward_failure(query, context("192.0.2.7"), settings,
                                                           code, text, out);
    return decoded(out, res);
}

TEST(WriteForwardFailure, ServfailWithExtendedErrorForEdnsClients) {
    QuerySpec spec = q_edns("WwW.ExAmPlE.oRg.");
    spec.id = 0x7777;
    const auto query = make_query(spec);
    const Response r = failure(spec, engine::ede::NoReachableAuthority, "upstream timed out");
    ASSERT_TRUE(r.pkt);
    EXPECT_EQ(r.id(), 0x7777);
    EXPECT_EQ(r.rcode(), 2);
    EXPECT_EQ(r.result.rcode, 2);
    EXPECT_TRUE(r.ra());
    EXPECT_FALSE(r.aa());
    EXPECT_TRUE(r.rd());
    EXPECT_FALSE(r.tc());
    EXPECT_EQ(r.count(LDNS_SECTION_QUESTION), 1u);
    EXPECT_TRUE(std::equal(query.begin() + 12,
                           query.begin() + static_cast<long>(question_end(query)),
                           r.bytes.begin() + 12));
    EXPECT_EQ(r.count(LDNS_SECTION_ANSWER), 0u);
    EXPECT_EQ(r.count(LDNS_SECTION_ADDITIONAL), 1u);
    EXPECT_TRUE(ldns_pkt_edns(r.pkt.get()));
    const auto errors = extended_errors(r);
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_EQ(errors[0].code, 22);
    EXPECT_EQ(errors[0].text, "upstream timed out");
}

TEST(WriteForwardFailure, NoOptWithoutEdns) {
    const Response r = failure(q("www.example.org."), engine::ede::DnssecBogus, "bogus");
    ASSERT_TRUE(r.pkt);
    EXPECT_EQ(r.rcode(), 2);
    EXPECT_TRUE(r.ra());
    EXPECT_FALSE(r.aa());
    EXPECT_EQ(r.count(LDNS_SECTION_ADDITIONAL), 0u);
    EXPECT_FALSE(ldns_pkt_edns(r.pkt.get()));
    EXPECT_EQ(r.result.opt_offset, 0);
    EXPECT_EQ(r.bytes.size(), question_end(make_query(q("www.example.org."))));
}

TEST(WriteForwardFailure, CodesAndEmptyText) {
    for (const std::uint16_t code : {engine::ede::Other, engine::ede::DnssecBogus,
                                     engine::ede::NoReachableAuthority}) {
        const Response r = failure(q_edns("www.example.org."), code, "");
        const auto errors = extended_errors(r);
        ASSERT_EQ(errors.size(), 1u) << code;
        EXPECT_EQ(errors[0].code, code);
        EXPECT_EQ(errors[0].text, "");
    }
}

TEST(WriteForwardFailure, LongTextIsBounded) {
    const std::string text(5000, 'e');
    const Response r = failure(q_edns("www.example.org."), engine::ede::Other, text);
    ASSERT_TRUE(r.pkt);
    const auto errors = extended_errors(r);
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_LE(errors[0].text.size(), 200u);
    EXPECT_EQ(errors[0].text, text.substr(0, errors[0].text.size()));
    EXPECT_LE(r.bytes.size(), 512u);
}

TEST(WriteForwardFailure, AlongsideNsid) {
    QuerySpec spec = q_edns("www.example.org.");
    spec.nsid = true;
    auto settings = forwarding_settings();
    settings.nsid = "pbx-1";
    const Response r = failure(spec, engine::ede::NoReachableAuthority, "timeout", settings);
    ASSERT_TRUE(r.pkt);
    const auto errors = extended_errors(r);
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_EQ(errors[0].code, 22);
    EXPECT_EQ(errors[0].text, "timeout");
}

TEST(WriteForwarded, NoExtendedErrorOnAnAnswer) {
    const Response r = forwarded(q_edns("www.example.org."),
                                 upstream("www.example.org.", rr::A, 0, {a_record(300, 1)}));
    ASSERT_TRUE(r.pkt);
    EXPECT_TRUE(extended_errors(r).empty());
}

}  // namespace
}  // namespace sipdns::test
