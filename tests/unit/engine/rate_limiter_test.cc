// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
// Response rate limiting (rate_limiter.h): token buckets per client prefix and per response,
// slip, the engine's response classes, and the TC=1 slip answer — with the clock passed in, so
// every row is deterministic.
#include <gtest/gtest.h>

#include <atomic>
#include <ostream>
#include <string>
#include <thread>
#include <vector>

#include "../zone/zone_test_support.h"
#include "engine_test_support.h"
#include "test_support.h"

namespace sipdns::test {
namespace {

using engine::RateLimitCounters;
using engine::RateLimitVerdict;
using engine::ResponseKey;
using engine::ResponseKind;
using engine::ResponseRateLimiter;
namespace rr = zone::rrtype;

config::IpAddress ip(const char* text) {
    auto a = config::IpAddress::parse(text);
    EXPECT_TRUE(a) << text;
    return a.value_or(config::IpAddress{});
}

config::RateLimitSettings rate(std::uint32_t per_second, std::uint32_t slip = 2) {
    config::RateLimitSettings s;
    s.responses_per_second = per_second;
    s.slip = slip;
    return s;
}

const ResponseKey kKey = ResponseKey::make(ResponseKind::Positive, "\3pbx\3lab\0", rr::A);

// ---------------------------------------------------------------------------------------------
// Token bucket and slip: a script of (time, how many queries) steps, all for one prefix and one
// response; per step how many were sent, dropped and slipped.

struct Step {
    std::uint64_t at_ms;
    int queries;
    int sent, dropped, slipped;
};

struct BucketRow {
    const char* what;
    std::uint32_t rate;
    std::uint32_t slip;
    std::vector<Step> steps;
};

void PrintTo(const BucketRow& r, std::ostream* os) {
    *os << r.what;
}

class Bucket : public ::testing::TestWithParam<BucketRow> {};

TEST_P(Bucket, SendsDropsAndSlips) {
    const BucketRow& row = GetParam();
    ResponseRateLimiter limiter(1024, 42);
    RateLimitCounters counters;
    const auto settings = rate(row.rate, row.slip);
    int total_limited = 0, total_slipped = 0;
    for (const Step& step : row.steps) {
        int sent = 0, dropped = 0, slipped = 0;
        for (int i = 0; i < step.queries; ++i) {
            switch (limiter.check(settings, ip("192.0.2.1"), kKey, step.at_ms, counters)) {
                case RateLimitVerdict::Send:
                    ++sent;
                    break;
                case RateLimitVerdict::Drop:
                    ++dropped;
                    break;
                case RateLimitVerdict::Slip:
                    ++slipped;
                    break;
            }
        }
        EXPECT_EQ(sent, step.sent) << row.what << " at " << step.at_ms << " ms";
        EXPECT_EQ(dropped, step.dropped) << row.what << " at " << step.at_ms << " ms";
        EXPECT_EQ(slipped, step.slipped) << row.what << " at " << step.at_ms << " ms";
        total_limited += dropped + slipped;
        total_slipped += slipped;
    }
    EXPECT_EQ(counters.limited, static_cast<std::uint64_t>(total_limited)) << row.what;
    EXPECT_EQ(counters.slipped, static_cast<std::uint64_t>(total_slipped)) << row.what;
}

INSTANTIATE_TEST_SUITE_P(
    RateLimit, Bucket,
    ::testing::Values(
        BucketRow{
            "one second's worth, then every 2nd limited answer slips", 5, 2, {{0, 10, 5, 3, 2}}},
        BucketRow{"slip 0 drops every limited answer", 5, 0, {{0, 10, 5, 5, 0}}},
        BucketRow{"slip 1 truncates every limited answer", 5, 1, {{0, 10, 5, 0, 5}}},
        BucketRow{"slip 3: every 3rd", 4, 3, {{0, 13, 4, 6, 3}}},
        BucketRow{"rate 0 is off: nothing is limited", 0, 2, {{0, 5000, 5000, 0, 0}}},
        BucketRow{"tokens accrue with time: 10/s earns one per 100 ms",
                  10,
                  0,
                  {{0, 10, 10, 0, 0}, {50, 1, 0, 1, 0}, {100, 2, 1, 1, 0}, {350, 3, 2, 1, 0}}},
        BucketRow{"a slow rate loses nothing to rounding (3/s, queried every 100 ms)",
                  3,
                  0,
                  {{0, 3, 3, 0, 0},
                   {100, 1, 0, 1, 0},
                   {200, 1, 0, 1, 0},
                   {300, 1, 0, 1, 0},
                   {400, 1, 1, 0, 0},
                   {500, 1, 0, 1, 0},
                   {600, 1, 0, 1, 0},
                   {700, 1, 1, 0, 0},
                   {1000, 1, 1, 0, 0}}},
        BucketRow{"a full second refills the bucket, never beyond one second's worth",
                  10,
                  0,
                  {{0, 10, 10, 0, 0}, {1000, 20, 10, 10, 0}, {60000, 25, 10, 15, 0}}},
        BucketRow{"the clock's 24-bit wrap (4.7 h) still refills",
                  10,
                  0,
                  {{(1u << 24) - 500, 10, 10, 0, 0}, {(1u << 24) + 600, 12, 10, 2, 0}}},
        BucketRow{"a flood at 10x the rate gets the rate through",
                  100,
                  2,
                  {{0, 1000, 100, 450, 450}, {1000, 1000, 100, 450, 450}}}));

TEST(RateLimit, SlipIsPerThreadSequenceAcrossResponses) {
    // The slip counter belongs to the calling thread and counts every limited answer, whatever
    // the response: two exhausted buckets interleaved still give every 2nd one a TC.
    ResponseRateLimiter limiter(1024, 7);
    RateLimitCounters counters;
    const auto s = rate(1, 2);
    const auto other = ResponseKey::make(ResponseKind::NxDomain, "\3lab\0", 0);
    EXPECT_EQ(limiter.check(s, ip("192.0.2.1"), kKey, 0, counters), RateLimitVerdict::Send);
    EXPECT_EQ(limiter.check(s, ip("192.0.2.1"), other, 0, counters), RateLimitVerdict::Send);
    EXPECT_EQ(limiter.check(s, ip("192.0.2.1"), kKey, 0, counters), RateLimitVerdict::Drop);
    EXPECT_EQ(limiter.check(s, ip("192.0.2.1"), other, 0, counters), RateLimitVerdict::Slip);
    EXPECT_EQ(limiter.check(s, ip("192.0.2.1"), kKey, 0, counters), RateLimitVerdict::Drop);
    EXPECT_EQ(counters.limited, 3u);
    EXPECT_EQ(counters.slipped, 1u);
}

TEST(RateLimit, ALoweredRateAppliesAtOnce) {
    // A SIGHUP may lower the rate while a bucket holds the old second's worth.
    ResponseRateLimiter limiter(1024, 7);
    RateLimitCounters counters;
    EXPECT_EQ(limiter.check(rate(1000), ip("192.0.2.1"), kKey, 0, counters),
              RateLimitVerdict::Send);
    int sent = 0;
    for (int i = 0; i < 50; ++i)
        sent +=
            limiter.check(rate(10), ip("192.0.2.1"), kKey, 1, counters) == RateLimitVerdict::Send;
    EXPECT_EQ(sent, 10);
}

// ---------------------------------------------------------------------------------------------
// Client prefixes: after `first` used up its bucket, is `second` limited too (same prefix)?

struct PrefixRow {
    const char* first;
    const char* second;
    std::uint8_t ipv4_prefix;
    std::uint8_t ipv6_prefix;
    bool shared;
};

void PrintTo(const PrefixRow& r, std::ostream* os) {
    *os << r.first << " / " << r.second << " (/" << int(r.ipv4_prefix) << ", /"
        << int(r.ipv6_prefix) << ")";
}

class Prefix : public ::testing::TestWithParam<PrefixRow> {};

TEST_P(Prefix, SharesTheBucketOnlyWithinThePrefix) {
    const PrefixRow& row = GetParam();
    ResponseRateLimiter limiter(1 << 12, 99);
    RateLimitCounters counters;
    auto s = rate(3, 0);
    s.ipv4_prefix = row.ipv4_prefix;
    s.ipv6_prefix = row.ipv6_prefix;
    for (int i = 0; i < 3; ++i)
        ASSERT_EQ(limiter.check(s, ip(row.first), kKey, 0, counters), RateLimitVerdict::Send);
    ASSERT_EQ(limiter.check(s, ip(row.first), kKey, 0, counters), RateLimitVerdict::Drop);
    EXPECT_EQ(limiter.check(s, ip(row.second), kKey, 0, counters),
              row.shared ? RateLimitVerdict::Drop : RateLimitVerdict::Send);
}

INSTANTIATE_TEST_SUITE_P(
    RateLimit, Prefix,
    ::testing::Values(PrefixRow{"192.0.2.1", "192.0.2.200", 24, 56, true},
                      PrefixRow{"192.0.2.1", "192.0.3.1", 24, 56, false},
                      PrefixRow{"192.0.2.1", "192.0.3.1", 16, 56, true},
                      PrefixRow{"192.0.2.1", "192.0.2.127", 25, 56, true},
                      PrefixRow{"192.0.2.1", "192.0.2.129", 25, 56, false},
                      PrefixRow{"192.0.2.1", "192.0.2.2", 32, 56, false},
                      PrefixRow{"10.0.0.1", "192.0.2.1", 0, 56, true},
                      PrefixRow{"127.0.0.1", "127.0.1.1", 24, 56, false},
                      // /56: the first 7 octets.
                      PrefixRow{"2001:db8:0:1::1", "2001:db8:0:ff::53", 24, 56, true},
                      PrefixRow{"2001:db8:0:100::1", "2001:db8:0:200::1", 24, 56, false},
                      PrefixRow{"2001:db8:0:100::1", "2001:db8:0:200::1", 24, 48, true},
                      PrefixRow{"2001:db8::1", "2001:db8::2", 24, 128, false},
                      PrefixRow{"::1", "::2", 24, 56, true},
                      PrefixRow{"2001:db8::1", "2001:db9::1", 24, 29, true},
                      PrefixRow{"2001:db8::1", "2001:db9::1", 24, 32, false},
                      // Families never share, even when the masked octets are equal.
                      PrefixRow{"0.0.0.1", "::1", 0, 0, false}));

struct MaskRow {
    const char* address;
    std::uint8_t ipv4_prefix, ipv6_prefix;
    const char* expected;
};

class PrefixMask : public ::testing::TestWithParam<MaskRow> {};

TEST_P(PrefixMask, ClearsEveryBitPastThePrefix) {
    const MaskRow& row = GetParam();
    config::RateLimitSettings s;
    s.ipv4_prefix = row.ipv4_prefix;
    s.ipv6_prefix = row.ipv6_prefix;
    EXPECT_EQ(ResponseRateLimiter::prefix_of(ip(row.address), s).to_string(), row.expected);
}

INSTANTIATE_TEST_SUITE_P(
    RateLimit, PrefixMask,
    ::testing::Values(MaskRow{"192.0.2.201", 24, 56, "192.0.2.0"},
                      MaskRow{"192.0.2.201", 25, 56, "192.0.2.128"},
                      MaskRow{"192.0.2.201", 32, 56, "192.0.2.201"},
                      MaskRow{"192.0.2.201", 0, 56, "0.0.0.0"},
                      MaskRow{"192.0.255.255", 17, 56, "192.0.128.0"},
                      MaskRow{"2001:db8:aaaa:bbcc:1::1", 24, 56, "2001:db8:aaaa:bb00::"},
                      MaskRow{"2001:db8:aaaa:bbcc:1::1", 24, 64, "2001:db8:aaaa:bbcc::"},
                      MaskRow{"2001:db8:aaaa:bbcc:1::1", 24, 60, "2001:db8:aaaa:bbc0::"},
                      MaskRow{"2001:db8:aaaa:bbcc:1::1", 24, 128, "2001:db8:aaaa:bbcc:1::1"},
                      MaskRow{"2001:db8:aaaa:bbcc:1::1", 24, 0, "::"}));

TEST(RateLimit, EachResponseHasItsOwnBucket) {
    ResponseRateLimiter limiter(1 << 12, 5);
    RateLimitCounters counters;
    const auto s = rate(1, 0);
    const auto client = ip("192.0.2.1");
    const ResponseKey keys[] = {
        ResponseKey::make(ResponseKind::Positive, "\3pbx\3lab\0", rr::A),
        ResponseKey::make(ResponseKind::Positive, "\3pbx\3lab\0", rr::AAAA),
        ResponseKey::make(ResponseKind::Positive, "\3gw1\3lab\0", rr::A),
        ResponseKey::make(ResponseKind::NoData, "\3lab\0", 0),
        ResponseKey::make(ResponseKind::NxDomain, "\3lab\0", 0),
        ResponseKey::make(ResponseKind::Referral, "\3sub\3lab\0", 0),
        ResponseKey::make(ResponseKind::Error, "", 0),
    };
    for (const auto& k : keys)
        EXPECT_EQ(limiter.check(s, client, k, 0, counters), RateLimitVerdict::Send);
    for (const auto& k : keys)
        EXPECT_EQ(limiter.check(s, client, k, 0, counters), RateLimitVerdict::Drop);
}

TEST(RateLimit, OnlyPositiveAnswersCountTheType) {
    // BIND: NXDOMAIN, NODATA and errors are accounted by domain (or not at all), any qtype.
    EXPECT_NE(ResponseKey::make(ResponseKind::Positive, "\1a\0", rr::A).hash,
              ResponseKey::make(ResponseKind::Positive, "\1a\0", rr::MX).hash);
    EXPECT_EQ(ResponseKey::make(ResponseKind::NxDomain, "\1a\0", rr::A).hash,
              ResponseKey::make(ResponseKind::NxDomain, "\1a\0", rr::MX).hash);
    EXPECT_NE(ResponseKey::make(ResponseKind::NxDomain, "\1a\0", 0).hash,
              ResponseKey::make(ResponseKind::NoData, "\1a\0", 0).hash);
}

TEST(RateLimit, ThreadsShareOneTableAndTogetherGetTheRate) {
    // SO_REUSEPORT spreads one client over every worker: the table is shared, and a CAS per
    // update means concurrent workers neither lose tokens nor grant extra ones.
    ResponseRateLimiter limiter(1 << 12, 11);
    const auto s = rate(500, 0);
    std::atomic<int> sent{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&] {
            RateLimitCounters counters;
            int mine = 0;
            for (int i = 0; i < 20000; ++i)
                mine +=
                    limiter.check(s, ip("192.0.2.9"), kKey, 5, counters) == RateLimitVerdict::Send;
            sent += mine;
        });
    for (auto& t : threads) t.join();
    // Exactly the rate, unless a CAS lost kMaxCasTries times in a row (it then fails open).
    EXPECT_GE(sent.load(), 500);
    EXPECT_LE(sent.load(), 520);
}

TEST(RateLimit, TableIsAFixedPowerOfTwo) {
    EXPECT_EQ(ResponseRateLimiter(1000, 1).bucket_count(), 1024u);
    EXPECT_EQ(ResponseRateLimiter(0, 1).bucket_count(), 2u);
    EXPECT_EQ(ResponseRateLimiter().bucket_count(), ResponseRateLimiter::kDefaultBuckets);
}

// ---------------------------------------------------------------------------------------------
// Through the engine: which answers count as the same response, and what a slip looks like.

const char* kSite = R"(
domain: example.test
ttl: 600
servers:
  - { name: scs1, ipv4: 192.0.2.11 }
  - { name: scs2, ipv4: 192.0.2.12, ipv6: "2001:db8::12" }
aliases:
  tftp: scs1
records:
  - "*.wild IN A 192.0.2.99"
  - "sub IN NS ns.sub"
  - "ns.sub IN A 192.0.2.53"
reverse: off
)";

std::shared_ptr<const zone::ZoneSet> zones() {
    static auto z = build_from_yaml(kSite);
    return z;
}

engine::EngineResult answer(const QuerySpec& spec, std::vector<std::uint8_t>& out) {
    out.assign(engine::kMaxTcpMessage, 0);
    return engine::respond(make_query(spec), {engine::Transport::Udp}, *zones(), {}, out);
}

struct ClassRow {
    const char* what;
    QuerySpec first;
    QuerySpec second;
    ResponseKind kind;  // of both
    bool same;          // one bucket for both
};

void PrintTo(const ClassRow& r, std::ostream* os) {
    *os << r.what;
}

class Classes : public ::testing::TestWithParam<ClassRow> {};

TEST_P(Classes, NameTheResponse) {
    const ClassRow& row = GetParam();
    ASSERT_TRUE(zones());
    std::vector<std::uint8_t> out;
    const auto a = answer(row.first, out);
    const auto b = answer(row.second, out);
    ASSERT_EQ(a.action, engine::EngineResult::Action::Respond) << row.what;
    ASSERT_EQ(b.action, engine::EngineResult::Action::Respond) << row.what;
    EXPECT_EQ(a.key.kind, row.kind) << row.what;
    EXPECT_EQ(b.key.kind, row.kind) << row.what;
    EXPECT_EQ(a.key.hash == b.key.hash, row.same) << row.what;
}

QuerySpec q(const char* name, std::uint16_t type, std::uint16_t qclass = 1) {
    return QuerySpec{name, type, qclass};
}

QuerySpec edns_version_1(const char* name, std::uint16_t type) {
    QuerySpec s{name, type};
    s.edns = true;
    s.edns_version = 1;  // BADVERS (RFC 6891 §6.1.3)
    return s;
}

INSTANTIATE_TEST_SUITE_P(
    RateLimit, Classes,
    ::testing::Values(
        ClassRow{"data: the same name and type, whatever the case (0x20)",
                 q("scs1.example.test.", rr::A), q("SCS1.Example.TEST.", rr::A),
                 ResponseKind::Positive, true},
        ClassRow{"data: another name", q("scs1.example.test.", rr::A),
                 q("scs2.example.test.", rr::A), ResponseKind::Positive, false},
        ClassRow{"data: another type", q("scs2.example.test.", rr::A),
                 q("scs2.example.test.", rr::AAAA), ResponseKind::Positive, false},
        ClassRow{"data via CNAME", q("tftp.example.test.", rr::A), q("tftp.example.test.", rr::A),
                 ResponseKind::Positive, true},
        ClassRow{"wildcard: every synthesised name is the wildcard's response",
                 q("a.wild.example.test.", rr::A), q("zz9.wild.example.test.", rr::A),
                 ResponseKind::Positive, true},
        ClassRow{"NXDOMAIN: one response per zone, any name and type",
                 q("nope.example.test.", rr::A), q("x.y.other.example.test.", rr::SRV),
                 ResponseKind::NxDomain, true},
        ClassRow{"NODATA: one response per zone", q("scs1.example.test.", rr::MX),
                 q("_udp.example.test.", rr::A), ResponseKind::NoData, true},
        ClassRow{"referral: by the delegation", q("www.sub.example.test.", rr::A),
                 q("other.sub.example.test.", rr::AAAA), ResponseKind::Referral, true},
        ClassRow{"errors: REFUSED (a foreign name) and REFUSED (class CH) share one bucket",
                 q("example.org.", rr::A), q("scs1.example.test.", rr::A, 3 /* CH */),
                 ResponseKind::Error, true},
        ClassRow{"errors: REFUSED and BADVERS share one bucket", q("example.org.", rr::A),
                 edns_version_1("scs1.example.test.", rr::A), ResponseKind::Error, true},
        ClassRow{"ANY over UDP (TC): by name and type", q("scs2.example.test.", rr::ANY),
                 q("scs2.example.test.", rr::ANY), ResponseKind::Positive, true}));

engine::EngineResult limited(const QuerySpec& spec, std::vector<std::uint8_t>& out,
                             engine::Transport transport, ResponseRateLimiter& limiter,
                             RateLimitCounters& counters, const engine::EngineSettings& settings) {
    out.assign(engine::kMaxTcpMessage, 0);
    engine::QueryContext ctx{transport};
    ctx.has_client = true;
    ctx.client = ip("192.0.2.77");
    const auto r = engine::respond(make_query(spec), ctx, *zones(), settings, out);
    return engine::rate_limit(r, ctx, settings, limiter, 1000, counters, out);
}

struct SlipRow {
    const char* what;
    QuerySpec query;
    int rcode;
    bool aa;
};

void PrintTo(const SlipRow& r, std::ostream* os) {
    *os << r.what;
}

class Slip : public ::testing::TestWithParam<SlipRow> {};

TEST_P(Slip, IsTruncatedWithTheQuestionOnly) {
    const SlipRow& row = GetParam();
    ASSERT_TRUE(zones());
    ResponseRateLimiter limiter(1024, 3);
    RateLimitCounters counters;
    engine::EngineSettings settings;
    settings.rate_limit = rate(1, 1);
    settings.nsid = "pbx-1";
    std::vector<std::uint8_t> out;
    const auto full = limited(row.query, out, engine::Transport::Udp, limiter, counters, settings);
    ASSERT_EQ(full.action, engine::EngineResult::Action::Respond);
    const std::vector<std::uint8_t> full_bytes(out.begin(),
                                               out.begin() + static_cast<long>(full.length));
    const auto slip = limited(row.query, out, engine::Transport::Udp, limiter, counters, settings);
    ASSERT_EQ(slip.action, engine::EngineResult::Action::Respond) << row.what;
    EXPECT_TRUE(slip.truncated);
    EXPECT_EQ(counters.slipped, 1u);

    Response r;
    r.dropped = false;
    r.bytes.assign(out.begin(), out.begin() + static_cast<long>(slip.length));
    ldns_pkt* pkt = nullptr;
    ASSERT_EQ(ldns_wire2pkt(&pkt, r.bytes.data(), r.bytes.size()), LDNS_STATUS_OK) << row.what;
    r.pkt.reset(pkt, ldns_pkt_free);
    EXPECT_EQ(r.id(), row.query.id);
    EXPECT_TRUE(r.qr());
    EXPECT_TRUE(r.tc()) << row.what;
    EXPECT_EQ(r.aa(), row.aa) << row.what;
    EXPECT_EQ(r.rcode(), row.rcode) << row.what;
    EXPECT_EQ(r.count(LDNS_SECTION_QUESTION), 1u);
    EXPECT_EQ(r.count(LDNS_SECTION_ANSWER), 0u);
    EXPECT_EQ(r.count(LDNS_SECTION_AUTHORITY), 0u);
    // The flags (plus TC) and question are the full answer's; the OPT (with NSID) survives.
    EXPECT_EQ(r.bytes[2], full_bytes[2] | 0x02);
    EXPECT_EQ(r.bytes[3], full_bytes[3]);
    ASSERT_EQ(slip.question_end, full.question_end);
    EXPECT_TRUE(std::equal(full_bytes.begin() + 12, full_bytes.begin() + full.question_end,
                           r.bytes.begin() + 12));
    if (row.query.edns) {
        ASSERT_EQ(r.count(LDNS_SECTION_ADDITIONAL), 1u);
        EXPECT_TRUE(ldns_pkt_edns(r.pkt.get())) << row.what;
        EXPECT_EQ(ldns_pkt_edns_udp_size(r.pkt.get()), 1232);
        EXPECT_EQ(slip.opt_offset, slip.question_end);
        EXPECT_TRUE(std::equal(full_bytes.begin() + full.opt_offset, full_bytes.end(),
                               r.bytes.begin() + slip.opt_offset));
    } else {
        EXPECT_EQ(r.count(LDNS_SECTION_ADDITIONAL), 0u);
    }
    EXPECT_EQ(r.bytes.size(), slip.length);
}

QuerySpec edns(QuerySpec s) {
    s.edns = true;
    s.nsid = true;
    return s;
}

INSTANTIATE_TEST_SUITE_P(
    RateLimit, Slip,
    ::testing::Values(SlipRow{"data, no EDNS", q("scs2.example.test.", rr::A), 0, true},
                      SlipRow{"data with additional, EDNS + NSID",
                              edns(q("_sip._udp.example.test.", rr::SRV)), 0, true},
                      SlipRow{"NXDOMAIN keeps its rcode", edns(q("nope.example.test.", rr::A)), 3,
                              true},
                      SlipRow{"REFUSED", edns(q("example.org.", rr::A)), 5, false},
                      SlipRow{"referral", q("www.sub.example.test.", rr::A), 0, false}));

TEST(RateLimit, TcpIsNeverLimitedAndDropIsADrop) {
    ASSERT_TRUE(zones());
    ResponseRateLimiter limiter(1024, 3);
    RateLimitCounters counters;
    engine::EngineSettings settings;
    settings.rate_limit = rate(2, 0);
    std::vector<std::uint8_t> out;
    const auto query = q("scs1.example.test.", rr::A);
    for (int i = 0; i < 2; ++i)
        EXPECT_EQ(limited(query, out, engine::Transport::Udp, limiter, counters, settings).action,
                  engine::EngineResult::Action::Respond);
    EXPECT_EQ(limited(query, out, engine::Transport::Udp, limiter, counters, settings).action,
              engine::EngineResult::Action::Drop);
    for (int i = 0; i < 20; ++i) {
        const auto r = limited(query, out, engine::Transport::Tcp, limiter, counters, settings);
        EXPECT_EQ(r.action, engine::EngineResult::Action::Respond);
        EXPECT_FALSE(r.truncated);
    }
    EXPECT_EQ(counters.limited, 1u);
    // Turned off (responses_per_second 0, e.g. by a reload): everything goes out again.
    settings.rate_limit.responses_per_second = 0;
    EXPECT_EQ(limited(query, out, engine::Transport::Udp, limiter, counters, settings).action,
              engine::EngineResult::Action::Respond);
}

}  // namespace
}  // namespace sipdns::test
