// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
// normalise_upstream_answer() and its helpers (upstream_answer.h): what a worker may copy into
// a client's reply, read back with ldns.
#include <gtest/gtest.h>

#include <algorithm>
#include <limits>

#include "message_builder.h"
#include "sipdns/forward/upstream_answer.h"

#include <ldns/ldns.h>  // after the sipdns headers: ldns redefines bool

namespace sipdns::test {
namespace {

using forward::normalise_upstream_answer;

struct Decoded {
    std::shared_ptr<ldns_pkt> pkt;
    std::size_t count(ldns_pkt_section s) const {
        ldns_rr_list* list = ldns_pkt_get_section_clone(pkt.get(), s);
        const std::size_t n = list ? ldns_rr_list_rr_count(list) : 0;
        if (list) ldns_rr_list_deep_free(list);
        return n;
    }
    std::vector<std::uint16_t> types(ldns_pkt_section s) const {
        std::vector<std::uint16_t> out;
        ldns_rr_list* list = ldns_pkt_get_section_clone(pkt.get(), s);
        for (std::size_t i = 0; list && i < ldns_rr_list_rr_count(list); ++i)
            out.push_back(static_cast<std::uint16_t>(ldns_rr_get_type(ldns_rr_list_rr(list, i))));
        if (list) ldns_rr_list_deep_free(list);
        return out;
    }
};

Decoded decode(const std::vector<std::uint8_t>& m) {
    ldns_pkt* p = nullptr;
    Decoded d;
    if (ldns_wire2pkt(&p, m.data(), m.size()) == LDNS_STATUS_OK) d.pkt.reset(p, ldns_pkt_free);
    return d;
}

// No record of type OPT anywhere in the message (walking it as record_ttl_offsets does).
bool has_opt_record(const std::vector<std::uint8_t>& m) {
    auto offsets = forward::record_ttl_offsets(m);
    if (!offsets) return true;
    for (const std::uint16_t at : *offsets)
        if (get16(m, at - 4) == type::OPT) return true;
    return false;
}

MessageSpec positive() {
    MessageSpec s;
    s.answer = {a(300, 1), a(200, 2)};
    s.authority = {Rec{type::NS, 3600, {}, 1, "example.org."}};
    const std::string ns = to_wire("ns.example.org.");
    s.authority[0].rdata.assign(ns.begin(), ns.end());
    s.additional = {Rec{type::A, 1800, {192, 0, 2, 53}, 1, "ns.example.org."}};
    return s;
}

TEST(NormaliseUpstreamAnswer, KeepsAPlainAnswer) {
    const Built b = build(positive());
    auto n = normalise_upstream_answer(b.message, question("www.example.org.", type::A), 3600,
                                       false);
    ASSERT_TRUE(n) << n.error();
    const Decoded d = decode(n->message);
    ASSERT_TRUE(d.pkt);
    EXPECT_EQ(d.count(LDNS_SECTION_ANSWER), 2u);
    EXPECT_EQ(d.count(LDNS_SECTION_AUTHORITY), 1u);
    EXPECT_EQ(d.count(LDNS_SECTION_ADDITIONAL), 1u);
    EXPECT_EQ(get16(n->message, 6), 2);
    EXPECT_EQ(get16(n->message, 8), 1);
    EXPECT_EQ(get16(n->message, 10), 1);
    EXPECT_EQ(n->rcode, 0);
    EXPECT_FALSE(n->authenticated);
    EXPECT_EQ(n->cache_ttl, 200u) << "the smallest TTL";
    EXPECT_FALSE(has_opt_record(n->message));
    // The question keeps the client's length, so the engine can splice the sections behind
    // the client's own question.
    const std::string q = to_wire("www.example.org.");
    EXPECT_TRUE(std::equal(q.begin(), q.end(), n->message.begin() + 12));
}

TEST(NormaliseUpstreamAnswer, QuestionMatchesInAnyCase) {
    MessageSpec s = positive();
    s.qname = "WWW.Example.ORG.";
    auto n = normalise_upstream_answer(build(s).message, question("www.example.org.", type::A),
                                       3600, true);
    ASSERT_TRUE(n) << n.error();
    EXPECT_TRUE(n->authenticated);
    // The question as asked upstream (its case), the length of the client's.
    const std::string q = to_wire("WWW.Example.ORG.");
    ASSERT_GE(n->message.size(), 12 + q.size() + 4);
    EXPECT_TRUE(std::equal(q.begin(), q.end(), n->message.begin() + 12));
}

struct MismatchRow {
    const char* what;
    MessageSpec spec;
};

class QuestionMismatch : public ::testing::TestWithParam<MismatchRow> {};

TEST_P(QuestionMismatch, Rejected) {
    const MismatchRow& row = GetParam();
    auto n = normalise_upstream_answer(build(row.spec).message,
                                       question("www.example.org.", type::A), 3600, false);
    EXPECT_FALSE(n) << row.what;
}

MessageSpec with(void (*change)(MessageSpec&)) {
    MessageSpec s = positive();
    change(s);
    return s;
}

INSTANTIATE_TEST_SUITE_P(
    Rows, QuestionMismatch,
    ::testing::Values(
        MismatchRow{"other name", with([](MessageSpec& s) { s.qname = "www.example.net."; })},
        MismatchRow{"longer name",
                    with([](MessageSpec& s) { s.qname = "www.www.example.org."; })},
        MismatchRow{"shorter name", with([](MessageSpec& s) { s.qname = "example.org."; })},
        MismatchRow{"one letter off", with([](MessageSpec& s) { s.qname = "wwx.example.org."; })},
        MismatchRow{"other type", with([](MessageSpec& s) { s.qtype = type::AAAA; })},
        MismatchRow{"class CH", with([](MessageSpec& s) { s.qclass = 3; })},
        MismatchRow{"no question", with([](MessageSpec& s) { s.qdcount = 0; })},
        MismatchRow{"two questions", with([](MessageSpec& s) { s.qdcount = 2; })}),
    [](const ::testing::TestParamInfo<MismatchRow>& info) {
        std::string name;
        for (const char* p = info.param.what; *p; ++p)
            name += std::isalnum(static_cast<unsigned char>(*p)) ? *p : '_';
        return name;
    });

TEST(NormaliseUpstreamAnswer, OptRemovedWithItsCount) {
    for (const bool other_additional : {false, true}) {
        MessageSpec s = positive();
        if (!other_additional) s.additional.clear();
        s.additional.push_back(opt());
        const Built b = build(s);
        ASSERT_TRUE(has_opt_record(b.message));
        auto n = normalise_upstream_answer(b.message, question("www.example.org.", type::A),
                                           3600, false);
        ASSERT_TRUE(n) << n.error();
        EXPECT_FALSE(has_opt_record(n->message)) << other_additional;
        const std::uint16_t expected_ar = other_additional ? 1 : 0;
        EXPECT_EQ(get16(n->message, 10), expected_ar);
        const Decoded d = decode(n->message);
        ASSERT_TRUE(d.pkt);
        EXPECT_FALSE(ldns_pkt_edns(d.pkt.get()));
        EXPECT_EQ(d.count(LDNS_SECTION_ADDITIONAL), expected_ar);
        EXPECT_EQ(n->ttl_offsets.size(), 3u + expected_ar);
        EXPECT_EQ(n->cache_ttl, 200u) << "the OPT's TTL field (flags) is no TTL";
    }
}

MessageSpec signed_answer() {
    MessageSpec s;
    s.answer = {a(300), rrsig(type::A, 300)};
    s.authority = {nsec(600), rrsig(type::NSEC, 600)};
    return s;
}

TEST(NormaliseUpstreamAnswer, DnssecRecordsStrippedWithoutDo) {
    const Built b = build(signed_answer());
    auto n = normalise_upstream_answer(b.message, question("www.example.org.", type::A, false),
                                       3600, true);
    ASSERT_TRUE(n) << n.error();
    const Decoded d = decode(n->message);
    ASSERT_TRUE(d.pkt);
    EXPECT_EQ(d.types(LDNS_SECTION_ANSWER), std::vector<std::uint16_t>{type::A});
    EXPECT_EQ(d.count(LDNS_SECTION_AUTHORITY), 0u);
    EXPECT_EQ(get16(n->message, 6), 1);
    EXPECT_EQ(get16(n->message, 8), 0);
    EXPECT_EQ(n->ttl_offsets.size(), 1u);
    EXPECT_EQ(n->cache_ttl, 300u);
}

TEST(NormaliseUpstreamAnswer, DnssecRecordsKeptForDo) {
    const Built b = build(signed_answer());
    auto n = normalise_upstream_answer(b.message, question("www.example.org.", type::A, true),
                                       3600, true);
    ASSERT_TRUE(n) << n.error();
    const Decoded d = decode(n->message);
    ASSERT_TRUE(d.pkt);
    EXPECT_EQ(d.types(LDNS_SECTION_ANSWER), (std::vector<std::uint16_t>{type::A, type::RRSIG}));
    EXPECT_EQ(d.types(LDNS_SECTION_AUTHORITY),
              (std::vector<std::uint16_t>{type::NSEC, type::RRSIG}));
    EXPECT_EQ(n->ttl_offsets.size(), 4u);
}

TEST(NormaliseUpstreamAnswer, AskedForDnssecTypeKeptWithoutDo) {
    MessageSpec s;
    s.qtype = type::RRSIG;
    s.answer = {rrsig(type::A, 300)};
    auto n = normalise_upstream_answer(build(s).message,
                                       question("www.example.org.", type::RRSIG, false), 3600,
                                       false);
    ASSERT_TRUE(n) << n.error();
    EXPECT_EQ(get16(n->message, 6), 1);
}

TEST(NormaliseUpstreamAnswer, TtlOffsetsPointAtEachRecordsTtl) {
    MessageSpec s = positive();
    s.answer = {a(301, 1), a(302, 2)};
    s.authority[0].ttl = 303;
    s.additional[0].ttl = 304;
    auto n = normalise_upstream_answer(build(s).message, question("www.example.org.", type::A),
                                       3600, false);
    ASSERT_TRUE(n) << n.error();
    ASSERT_EQ(n->ttl_offsets.size(), 4u);
    std::vector<std::uint32_t> ttls;
    for (const std::uint16_t at : n->ttl_offsets) {
        ASSERT_LE(at + 4u, n->message.size());
        ttls.push_back(get32(n->message, at));
        EXPECT_EQ(get16(n->message, at - 2), 1) << "CLASS IN just before the TTL";
    }
    EXPECT_EQ(ttls, (std::vector<std::uint32_t>{301, 302, 303, 304}));
    EXPECT_TRUE(std::is_sorted(n->ttl_offsets.begin(), n->ttl_offsets.end()));
}

struct CacheTtlRow {
    const char* what;
    MessageSpec spec;
    std::uint32_t result_ttl;
    std::uint32_t cache_ttl;
    std::uint16_t rcode;
};

class CacheTtl : public ::testing::TestWithParam<CacheTtlRow> {};

TEST_P(CacheTtl, Computed) {
    const CacheTtlRow& row = GetParam();
    auto n = normalise_upstream_answer(build(row.spec).message,
                                       question("www.example.org.", type::A), row.result_ttl,
                                       false);
    ASSERT_TRUE(n) << row.what << ": " << n.error();
    EXPECT_EQ(n->cache_ttl, row.cache_ttl) << row.what;
    EXPECT_EQ(n->rcode, row.rcode) << row.what;
}

MessageSpec rcode_spec(std::uint16_t rcode, std::vector<Rec> answer, std::vector<Rec> authority) {
    MessageSpec s;
    s.rcode = rcode;
    s.answer = std::move(answer);
    s.authority = std::move(authority);
    return s;
}

INSTANTIATE_TEST_SUITE_P(
    Rows, CacheTtl,
    ::testing::Values(
        CacheTtlRow{"min of the records", positive(), 3600, 200, 0},
        CacheTtlRow{"capped by the result TTL", positive(), 60, 60, 0},
        CacheTtlRow{"zero TTL record", rcode_spec(0, {a(300), a(0, 2)}, {}), 3600, 0, 0},
        CacheTtlRow{"NXDOMAIN: the SOA", rcode_spec(3, {}, {soa(900, 300)}), 3600, 900, 3},
        CacheTtlRow{"NXDOMAIN: libunbound's negative TTL", rcode_spec(3, {}, {soa(900, 300)}),
                    300, 300, 3},
        CacheTtlRow{"NODATA with SOA", rcode_spec(0, {}, {soa(120, 60)}), 60, 60, 0},
        CacheTtlRow{"no records", rcode_spec(0, {}, {}), 3600, 0, 0},
        CacheTtlRow{"SERVFAIL", rcode_spec(2, {}, {}), 3600, 0, 2},
        CacheTtlRow{"SERVFAIL with a record", rcode_spec(2, {a(300)}, {}), 3600, 0, 2},
        CacheTtlRow{"REFUSED", rcode_spec(5, {}, {soa(900, 300)}), 3600, 0, 5}),
    [](const ::testing::TestParamInfo<CacheTtlRow>& info) {
        std::string name;
        for (const char* p = info.param.what; *p; ++p)
            name += std::isalnum(static_cast<unsigned char>(*p)) ? *p : '_';
        return name;
    });

TEST(NormaliseUpstreamAnswer, GarbageRejected) {
    const auto q = question("www.example.org.", type::A);
    const std::vector<std::vector<std::uint8_t>> garbage = {
        {},
        {0x12},
        {0, 0, 0x81, 0x80, 0, 1},
        std::vector<std::uint8_t>(12, 0xff),
        std::vector<std::uint8_t>(100, 0x3f),
    };
    for (const auto& g : garbage) EXPECT_FALSE(normalise_upstream_answer(g, q, 3600, false));
    // Every truncation of a good answer.
    const Built b = build(positive());
    for (std::size_t n = 0; n < b.message.size(); ++n) {
        const std::vector<std::uint8_t> cut(b.message.begin(),
                                            b.message.begin() + static_cast<long>(n));
        EXPECT_FALSE(normalise_upstream_answer(cut, q, 3600, false)) << n << " octets";
    }
    // Counts that promise more records than there are.
    std::vector<std::uint8_t> more = b.message;
    more[7] = static_cast<std::uint8_t>(more[7] + 1);
    EXPECT_FALSE(normalise_upstream_answer(more, q, 3600, false));
}

// ---------------------------------------------------------------------------------------------
// drop_opt()

TEST(DropOpt, NoOptLeavesTheMessageAlone) {
    std::vector<std::uint8_t> m = build(positive()).message;
    const auto before = m;
    auto cut = forward::drop_opt(m);
    ASSERT_TRUE(cut) << cut.error();
    EXPECT_FALSE(*cut);
    EXPECT_EQ(m, before);
}

TEST(DropOpt, TrailingOptCut) {
    MessageSpec s = positive();
    const std::vector<std::uint8_t> without = build(s).message;
    s.additional.push_back(opt());
    std::vector<std::uint8_t> m = build(s).message;
    auto cut = forward::drop_opt(m);
    ASSERT_TRUE(cut) << cut.error();
    EXPECT_TRUE(*cut);
    EXPECT_EQ(m, without) << "the same message as without the OPT, arcount included";
}

TEST(DropOpt, OptBeforeOtherAdditionalRecordsTakesThem) {
    MessageSpec s = positive();
    s.additional.insert(s.additional.begin(), opt());
    s.additional.push_back(a(60, 7));
    std::vector<std::uint8_t> m = build(s).message;
    MessageSpec expected = positive();
    expected.additional.clear();
    auto cut = forward::drop_opt(m);
    ASSERT_TRUE(cut) << cut.error();
    EXPECT_TRUE(*cut);
    EXPECT_EQ(m, build(expected).message);
    EXPECT_EQ(get16(m, 10), 0);
}

TEST(DropOpt, OptInAnswerIsNotTheOpt) {
    MessageSpec s = positive();
    s.answer.push_back(opt());
    std::vector<std::uint8_t> m = build(s).message;
    const auto before = m;
    auto cut = forward::drop_opt(m);
    ASSERT_TRUE(cut) << cut.error();
    EXPECT_FALSE(*cut);
    EXPECT_EQ(m, before);
}

TEST(DropOpt, MalformedIsAnError) {
    std::vector<std::uint8_t> tiny(5, 0);
    EXPECT_FALSE(forward::drop_opt(tiny));
    MessageSpec s = positive();
    s.additional.push_back(opt());
    const std::vector<std::uint8_t> m = build(s).message;
    // Any cut before the OPT's fixed fields is an error, never a read past the end.
    const std::size_t opt_at = m.size() - 11;
    for (std::size_t n = 12; n < opt_at + 10; ++n) {
        std::vector<std::uint8_t> cut(m.begin(), m.begin() + static_cast<long>(n));
        EXPECT_FALSE(forward::drop_opt(cut)) << n << " octets";
    }
}

// ---------------------------------------------------------------------------------------------
// record_ttl_offsets()

TEST(RecordTtlOffsets, EveryRecord) {
    const Built b = build(positive());
    auto offsets = forward::record_ttl_offsets(b.message);
    ASSERT_TRUE(offsets) << offsets.error();
    EXPECT_EQ(*offsets, b.ttl_offsets);
}

TEST(RecordTtlOffsets, NoRecords) {
    const Built b = build(MessageSpec{});
    auto offsets = forward::record_ttl_offsets(b.message);
    ASSERT_TRUE(offsets) << offsets.error();
    EXPECT_TRUE(offsets->empty());
}

TEST(RecordTtlOffsets, TruncatedInputsAreErrors) {
    MessageSpec s = signed_answer();
    s.additional.push_back(opt());
    const Built b = build(s);
    ASSERT_TRUE(forward::record_ttl_offsets(b.message));
    for (std::size_t n = 0; n < b.message.size(); ++n) {
        // In its own allocation: a read past `n` is a read past the vector's end (ASan).
        const std::vector<std::uint8_t> cut(b.message.begin(),
                                            b.message.begin() + static_cast<long>(n));
        EXPECT_FALSE(forward::record_ttl_offsets(cut)) << n << " octets";
    }
}

TEST(RecordTtlOffsets, BadInputsAreErrors) {
    const Built b = build(positive());
    {
        std::vector<std::uint8_t> trailing = b.message;
        trailing.push_back(0);
        EXPECT_FALSE(forward::record_ttl_offsets(trailing)) << "bytes after the last record";
    }
    {
        std::vector<std::uint8_t> more = b.message;
        more[11] = 2;  // one additional record more than there is
        EXPECT_FALSE(forward::record_ttl_offsets(more));
    }
    {
        std::vector<std::uint8_t> label = b.message;
        label[12] = 0x40;  // neither a label length nor a pointer
        EXPECT_FALSE(forward::record_ttl_offsets(label));
    }
    {
        std::vector<std::uint8_t> rdlength = b.message;
        const std::size_t last_ttl = b.ttl_offsets.back();
        rdlength[last_ttl + 4] = 0x10;  // rdata longer than the message
        EXPECT_FALSE(forward::record_ttl_offsets(rdlength));
    }
    {
        std::vector<std::uint8_t> huge(70000, 0);
        EXPECT_FALSE(forward::record_ttl_offsets(huge)) << "longer than a DNS message";
    }
    {
        // A name of 128+ labels never ends within the bound.
        std::vector<std::uint8_t> deep = {0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0};
        for (int i = 0; i < 130; ++i) deep.insert(deep.end(), {1, 'a'});
        deep.insert(deep.end(), {0, 0, 1, 0, 1});
        EXPECT_FALSE(forward::record_ttl_offsets(deep));
    }
}

// ---------------------------------------------------------------------------------------------
// wire_name_to_text()

struct TextRow {
    std::string wire;
    std::string text;
};

class WireNameToText : public ::testing::TestWithParam<TextRow> {};

TEST_P(WireNameToText, Escapes) {
    EXPECT_EQ(forward::wire_name_to_text(GetParam().wire), GetParam().text);
}

using namespace std::string_literals;

INSTANTIATE_TEST_SUITE_P(
    Rows, WireNameToText,
    ::testing::Values(TextRow{"\3www\7example\3org\0"s, "www.example.org."},
                      TextRow{"\0"s, "."}, TextRow{""s, "."},
                      TextRow{"\3WwW\3Org\0"s, "WwW.Org."},
                      TextRow{"\4_sip\4_udp\1a\0"s, "_sip._udp.a."},
                      TextRow{"\5my-pc\0"s, "my-pc."},
                      TextRow{"\3a.b\3org\0"s, "a\\046b.org."},
                      TextRow{"\3a b\0"s, "a\\032b."},
                      TextRow{"\3a\\b\0"s, "a\\092b."},
                      TextRow{"\3a\"b\0"s, "a\\034b."},
                      TextRow{"\3a;b\0"s, "a\\059b."},
                      TextRow{"\3a$@\0"s, "a\\036\\064."},
                      TextRow{"\2\0\xff\0"s, "\\000\\255."},
                      TextRow{"\1\x7f\0"s, "\\127."},
                      TextRow{"\3ab"s, "."},            // a label past the end: stops
                      TextRow{"\1a\5bc"s, "a."},        // the same after one label
                      TextRow{"\1a"s, "a."}));           // no root label

}  // namespace
}  // namespace sipdns::test
