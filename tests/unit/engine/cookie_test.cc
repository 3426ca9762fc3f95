// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
// DNS Cookies: SipHash-2-4 against the paper's vectors, RFC 9018 server cookies against the RFC's
// Appendix A, the validity window of §4.3, the engine's answers per RFC 7873 §5.2 and the rate
// limiter's exemption for a client with a valid server cookie.
#include <gtest/gtest.h>

#include <optional>

#include "../zone/zone_test_support.h"
#include "engine_test_support.h"
#include "sipdns/engine/dns_cookie.h"

namespace sipdns::test {
namespace {

namespace rr = zone::rrtype;
using engine::CookieSecret;
using engine::CookieStatus;
using engine::ServerCookieCheck;

std::vector<std::uint8_t> hex(std::string_view text) {
    std::vector<std::uint8_t> out;
    for (std::size_t i = 0; i + 1 < text.size(); i += 2)
        out.push_back(static_cast<std::uint8_t>(std::stoi(std::string(text.substr(i, 2)), nullptr, 16)));
    return out;
}

CookieSecret secret(std::string_view text) {
    CookieSecret s{};
    const auto bytes = hex(text);
    std::copy(bytes.begin(), bytes.end(), s.begin());
    return s;
}

// ---------------------------------------------------------------------------------------------
// SipHash-2-4: the 64 vectors of the reference implementation (Aumasson and Bernstein, 2012;
// key 00 01 .. 0f, message 00 01 .. of lengths 0 to 63).

constexpr std::uint64_t kSipHashVectors[64] = {
    0x726fdb47dd0e0e31, 0x74f839c593dc67fd, 0x0d6c8009d9a94f5a, 0x85676696d7fb7e2d,
    0xcf2794e0277187b7, 0x18765564cd99a68d, 0xcbc9466e58fee3ce, 0xab0200f58b01d137,
    0x93f5f5799a932462, 0x9e0082df0ba9e4b0, 0x7a5dbbc594ddb9f3, 0xf4b32f46226bada7,
    0x751e8fbc860ee5fb, 0x14ea5627c0843d90, 0xf723ca908e7af2ee, 0xa129ca6149be45e5,
    0x3f2acc7f57c29bdb, 0x699ae9f52cbe4794, 0x4bc1b3f0968dd39c, 0xbb6dc91da77961bd,
    0xbed65cf21aa2ee98, 0xd0f2cbb02e3b67c7, 0x93536795e3a33e88, 0xa80c038ccd5ccec8,
    0xb8ad50c6f649af94, 0xbce192de8a85b8ea, 0x17d835b85bbb15f3, 0x2f2e6163076bcfad,
    0xde4daaaca71dc9a5, 0xa6a2506687956571, 0xad87a3535c49ef28, 0x32d892fad841c342,
    0x7127512f72f27cce, 0xa7f32346f95978e3, 0x12e0b01abb051238, 0x15e034d40fa197ae,
    0x314dffbe0815a3b4, 0x027990f029623981, 0xcadcd4e59ef40c4d, 0x9abfd8766a33735c,
    0x0e3ea96b5304a7d0, 0xad0c42d6fc585992, 0x187306c89bc215a9, 0xd4a60abcf3792b95,
    0xf935451de4f21df2, 0xa9538f0419755787, 0xdb9acddff56ca510, 0xd06c98cd5c0975eb,
    0xe612a3cb9ecba951, 0xc766e62cfcadaf96, 0xee64435a9752fe72, 0xa192d576b245165a,
    0x0a8787bf8ecb74b2, 0x81b3e73d20b49b6f, 0x7fa8220ba3b2ecea, 0x245731c13ca42499,
    0xb78dbfaf3a8d83bd, 0xea1ad565322a1a0b, 0x60e61c23a3795013, 0x6606d7e446282b93,
    0x6ca4ecb15c5f91e1, 0x9f626da15c9625f3, 0xe51b38608ef25f57, 0x958a324ceb064572,
};

class SipHash : public ::testing::TestWithParam<std::size_t> {};

TEST_P(SipHash, ReferenceVector) {
    const std::size_t length = GetParam();
    CookieSecret key{};
    for (std::size_t i = 0; i < key.size(); ++i) key[i] = static_cast<std::uint8_t>(i);
    std::vector<std::uint8_t> message(length);
    for (std::size_t i = 0; i < length; ++i) message[i] = static_cast<std::uint8_t>(i);
    EXPECT_EQ(engine::siphash24(key, message), kSipHashVectors[length]) << "length " << length;
}

INSTANTIATE_TEST_SUITE_P(Cookies, SipHash, ::testing::Range<std::size_t>(0, 64));

// ---------------------------------------------------------------------------------------------
// RFC 9018 Appendix A: the server cookies the RFC's examples show.

struct ExampleRow {
    const char* what;
    const char* client_cookie;
    const char* client;
    const char* secret;
    std::uint32_t timestamp;
    const char* server_cookie;
};

void PrintTo(const ExampleRow& r, std::ostream* os) { *os << r.what; }

class Rfc9018Example : public ::testing::TestWithParam<ExampleRow> {};

TEST_P(Rfc9018Example, MakesTheServerCookie) {
    const ExampleRow& row = GetParam();
    const auto client = config::IpAddress::parse(row.client);
    ASSERT_TRUE(client);
    const auto client_cookie = hex(row.client_cookie);
    const auto made =
        engine::make_server_cookie(client_cookie, &*client, row.timestamp, secret(row.secret));
    EXPECT_EQ(std::vector<std::uint8_t>(made.begin(), made.end()), hex(row.server_cookie))
        << row.what;
    // And it validates at the moment it was made.
    engine::CookieSecrets secrets;
    secrets.current = secret(row.secret);
    EXPECT_EQ(engine::check_server_cookie(client_cookie, made, &*client, row.timestamp, secrets),
              ServerCookieCheck::Valid)
        << row.what;
}

INSTANTIATE_TEST_SUITE_P(
    Cookies, Rfc9018Example,
    ::testing::Values(
        ExampleRow{"A.1 learning a new server cookie", "2464c4abcf10c957", "198.51.100.100",
                   "e5e973e5a6b2a43f48e7dc849e37bfcf", 1559731985,
                   "010000005cf79f111f8130c3eee29480"},
        ExampleRow{"A.2 the same client, a fresh cookie", "2464c4abcf10c957", "198.51.100.100",
                   "e5e973e5a6b2a43f48e7dc849e37bfcf", 1559734385,
                   "010000005cf7a871d4a564a1442aca77"},
        ExampleRow{"A.3 another resolver", "fc93fc62807ddb86", "203.0.113.203",
                   "e5e973e5a6b2a43f48e7dc849e37bfcf", 1559734700,
                   "010000005cf7a9acf73a7810aca2381e"},
        ExampleRow{"A.4 IPv6, before the rollover", "22681ab97d52c298",
                   "2001:db8:220:1:59de:d0f4:8769:82b8", "dd3bdf9344b678b185a6f5cb60fca715",
                   1559741817, "010000005cf7c57926556bd0934c72f8"},
        ExampleRow{"A.4 IPv6, after the rollover", "22681ab97d52c298",
                   "2001:db8:220:1:59de:d0f4:8769:82b8", "445536bcd2513298075a5d379663c962",
                   1559741961, "010000005cf7c609a6bb79d16625507a"}));

// ---------------------------------------------------------------------------------------------
// RFC 9018 §4.3: which cookies a server accepts.

const CookieSecret kCurrent = secret("000102030405060708090a0b0c0d0e0f");
const CookieSecret kPrevious = secret("f0e0d0c0b0a090807060504030201000");
const CookieSecret kUnknown = secret("55555555555555555555555555555555");
constexpr std::uint32_t kNow = 1'800'000'000;
const std::vector<std::uint8_t> kClientCookie = hex("0123456789abcdef");

struct CheckRow {
    const char* what;
    std::int64_t age;  // seconds before kNow the cookie was made (negative: ahead)
    CookieSecret made_with = kCurrent;
    bool keep_previous = true;
    const char* client_when_made = "192.0.2.7";
    std::string_view client_cookie_when_made = "0123456789abcdef";
    int flip_octet = -1;  // a server cookie octet changed after making it
    ServerCookieCheck expected = ServerCookieCheck::Valid;
};

void PrintTo(const CheckRow& r, std::ostream* os) { *os << r.what; }

class CookieCheck : public ::testing::TestWithParam<CheckRow> {};

TEST_P(CookieCheck, Window) {
    const CheckRow& row = GetParam();
    const auto made_for = *config::IpAddress::parse(row.client_when_made);
    auto cookie = engine::make_server_cookie(hex(row.client_cookie_when_made), &made_for,
                                             static_cast<std::uint32_t>(kNow - row.age),
                                             row.made_with);
    if (row.flip_octet >= 0) cookie[static_cast<std::size_t>(row.flip_octet)] ^= 0x01;
    engine::CookieSecrets secrets;
    secrets.current = kCurrent;
    secrets.previous = kPrevious;
    secrets.has_previous = row.keep_previous;
    const auto client = *config::IpAddress::parse("192.0.2.7");
    EXPECT_EQ(engine::check_server_cookie(kClientCookie, cookie, &client, kNow, secrets),
              row.expected)
        << row.what;
}

INSTANTIATE_TEST_SUITE_P(
    Cookies, CookieCheck,
    ::testing::Values(
        CheckRow{"made now", 0},
        CheckRow{"29 minutes 59 s old", 1799},
        CheckRow{"30 minutes old: still echoed", 1800},
        CheckRow{"30 minutes 1 s old: renewed", 1801, kCurrent, true, "192.0.2.7",
                 "0123456789abcdef", -1, ServerCookieCheck::Renew},
        CheckRow{"one hour old: the last valid second", 3600, kCurrent, true, "192.0.2.7",
                 "0123456789abcdef", -1, ServerCookieCheck::Renew},
        CheckRow{"one hour 1 s old", 3601, kCurrent, true, "192.0.2.7", "0123456789abcdef", -1,
                 ServerCookieCheck::Invalid},
        CheckRow{"5 minutes ahead", -300},
        CheckRow{"5 minutes 1 s ahead", -301, kCurrent, true, "192.0.2.7", "0123456789abcdef",
                 -1, ServerCookieCheck::Invalid},
        CheckRow{"the previous secret: accepted, renewed", 60, kPrevious, true, "192.0.2.7",
                 "0123456789abcdef", -1, ServerCookieCheck::Renew},
        CheckRow{"the previous secret, none kept", 60, kPrevious, false, "192.0.2.7",
                 "0123456789abcdef", -1, ServerCookieCheck::Invalid},
        CheckRow{"a secret never ours", 60, kUnknown, true, "192.0.2.7", "0123456789abcdef", -1,
                 ServerCookieCheck::Invalid},
        CheckRow{"made for another address", 60, kCurrent, true, "192.0.2.8",
                 "0123456789abcdef", -1, ServerCookieCheck::Invalid},
        CheckRow{"made for another client cookie", 60, kCurrent, true, "192.0.2.7",
                 "0123456789abcdee", -1, ServerCookieCheck::Invalid},
        CheckRow{"version 0", 60, kCurrent, true, "192.0.2.7", "0123456789abcdef", 0,
                 ServerCookieCheck::Invalid},
        CheckRow{"reserved not 0", 60, kCurrent, true, "192.0.2.7", "0123456789abcdef", 2,
                 ServerCookieCheck::Invalid},
        CheckRow{"timestamp changed", 60, kCurrent, true, "192.0.2.7", "0123456789abcdef", 7,
                 ServerCookieCheck::Invalid},
        CheckRow{"hash changed (first octet)", 60, kCurrent, true, "192.0.2.7",
                 "0123456789abcdef", 8, ServerCookieCheck::Invalid},
        CheckRow{"hash changed (last octet)", 60, kCurrent, true, "192.0.2.7",
                 "0123456789abcdef", 15, ServerCookieCheck::Invalid}));

TEST(Cookies, TimestampsCompareAcrossTheWrap) {
    // RFC 9018 §4.3 / RFC 1982: made just before the 32-bit counter wraps, checked just after.
    const auto client = *config::IpAddress::parse("192.0.2.7");
    engine::CookieSecrets secrets;
    secrets.current = kCurrent;
    const auto cookie = engine::make_server_cookie(kClientCookie, &client, 0xffffff00u, kCurrent);
    EXPECT_EQ(engine::check_server_cookie(kClientCookie, cookie, &client, 100, secrets),
              ServerCookieCheck::Valid);
    EXPECT_EQ(engine::check_server_cookie(kClientCookie, cookie, &client, 4000, secrets),
              ServerCookieCheck::Invalid);
}

TEST(Cookies, ForeignLengthsAreNotOurs) {
    const auto client = *config::IpAddress::parse("192.0.2.7");
    engine::CookieSecrets secrets;
    secrets.current = kCurrent;
    const auto cookie = engine::make_server_cookie(kClientCookie, &client, kNow, kCurrent);
    std::vector<std::uint8_t> longer(cookie.begin(), cookie.end());
    longer.push_back(0);
    EXPECT_EQ(engine::check_server_cookie(kClientCookie, longer, &client, kNow, secrets),
              ServerCookieCheck::Invalid);
    EXPECT_EQ(engine::check_server_cookie(kClientCookie,
                                          std::span<const std::uint8_t>(cookie.data(), 8),
                                          &client, kNow, secrets),
              ServerCookieCheck::Invalid);
}

// ---------------------------------------------------------------------------------------------
// The engine (RFC 7873 §5.2).

const char* kSite = R"(
domain: example.test
ttl: 600
servers:
  - { name: scs1, ipv4: 192.0.2.11 }
reverse: off
)";

std::shared_ptr<const zone::ZoneSet> zones() {
    static auto z = build_from_yaml(kSite);
    return z;
}

constexpr const char* kClient = "192.0.2.7";

std::vector<std::uint8_t> cookie_option(const std::vector<std::uint8_t>& data) {
    std::vector<std::uint8_t> o{0, 10, static_cast<std::uint8_t>(data.size() >> 8),
                                static_cast<std::uint8_t>(data.size())};
    o.insert(o.end(), data.begin(), data.end());
    return o;
}

std::vector<std::uint8_t> concat(std::vector<std::uint8_t> a, const std::vector<std::uint8_t>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

engine::EngineSettings cookie_settings(bool on = true) {
    engine::EngineSettings s;
    s.cookies = on;
    s.cookie_secrets.current = kCurrent;
    s.cookie_secrets.previous = kPrevious;
    s.cookie_secrets.has_previous = true;
    return s;
}

// A server cookie of ours for kClientCookie from kClient, made `age` seconds before kNow.
std::vector<std::uint8_t> ours(std::int64_t age, const CookieSecret& with = kCurrent) {
    const auto client = *config::IpAddress::parse(kClient);
    const auto c = engine::make_server_cookie(kClientCookie, &client,
                                              static_cast<std::uint32_t>(kNow - age), with);
    return {c.begin(), c.end()};
}

struct Answer {
    engine::EngineResult result;
    std::uint16_t full_rcode = 0;  // header rcode | OPT extended rcode << 4
    std::uint16_t ancount = 0;
    std::optional<std::vector<std::uint8_t>> cookie;  // the reply's COOKIE option data
    std::size_t cookie_options = 0;
};

Answer ask(const std::vector<std::uint8_t>& options, engine::Transport transport,
           const engine::EngineSettings& settings) {
    QuerySpec spec{"scs1.example.test.", rr::A};
    spec.edns = true;
    spec.options = options;
    const auto query = make_query(spec);
    engine::QueryContext ctx{transport};
    ctx.has_client = true;
    ctx.client = *config::IpAddress::parse(kClient);
    ctx.now_seconds = kNow;
    std::vector<std::uint8_t> out(engine::kMaxTcpMessage);
    Answer a;
    a.result = engine::respond(query, ctx, *zones(), settings, out);
    EXPECT_EQ(a.result.action, engine::EngineResult::Action::Respond);
    out.resize(a.result.length);
    a.ancount = static_cast<std::uint16_t>(out[6] << 8 | out[7]);
    a.full_rcode = out[3] & 0x0f;
    const std::size_t opt = a.result.opt_offset;
    EXPECT_NE(opt, 0u);
    if (opt == 0 || opt + 11 > out.size()) return a;
    a.full_rcode = static_cast<std::uint16_t>(a.full_rcode | out[opt + 5] << 4);
    const std::size_t end = opt + 11 + (out[opt + 9] << 8 | out[opt + 10]);
    EXPECT_EQ(end, out.size());
    for (std::size_t o = opt + 11; o + 4 <= end;) {
        const std::size_t code = out[o] << 8 | out[o + 1], len = out[o + 2] << 8 | out[o + 3];
        if (code == 10) {
            ++a.cookie_options;
            a.cookie.emplace(out.begin() + static_cast<long>(o + 4),
                             out.begin() + static_cast<long>(o + 4 + len));
        }
        o += 4 + len;
    }
    // ldns, an independent parser, reads the whole reply.
    ldns_pkt* pkt = nullptr;
    EXPECT_EQ(ldns_wire2pkt(&pkt, out.data(), out.size()), LDNS_STATUS_OK);
    if (pkt) ldns_pkt_free(pkt);
    return a;
}

// What the reply's server cookie must be.
enum class Expect : std::uint8_t {
    None,   // no COOKIE option in the reply
    Echo,   // the query's server cookie, unchanged
    Fresh,  // one made now, with the current secret
};

struct EngineRow {
    const char* what;
    std::vector<std::uint8_t> options;
    engine::Transport transport = engine::Transport::Udp;
    bool cookies_on = true;
    std::uint16_t rcode = 0;
    std::uint16_t ancount = 1;
    CookieStatus status = CookieStatus::None;
    Expect reply = Expect::None;
};

void PrintTo(const EngineRow& r, std::ostream* os) { *os << r.what; }

class EngineCookies : public ::testing::TestWithParam<EngineRow> {};

TEST_P(EngineCookies, AnswersPerRfc7873) {
    const EngineRow& row = GetParam();
    ASSERT_TRUE(zones());
    const Answer a = ask(row.options, row.transport, cookie_settings(row.cookies_on));
    EXPECT_EQ(a.full_rcode, row.rcode) << row.what;
    EXPECT_EQ(a.result.rcode, row.rcode) << row.what;
    EXPECT_EQ(a.ancount, row.ancount) << row.what;
    EXPECT_EQ(a.result.cookie, row.status) << row.what;
    if (row.reply == Expect::None) {
        EXPECT_FALSE(a.cookie) << row.what;
        return;
    }
    ASSERT_TRUE(a.cookie) << row.what;
    EXPECT_EQ(a.cookie_options, 1u) << row.what;
    ASSERT_EQ(a.cookie->size(), 24u) << row.what;
    const std::vector<std::uint8_t> client(a.cookie->begin(), a.cookie->begin() + 8);
    const std::vector<std::uint8_t> server(a.cookie->begin() + 8, a.cookie->end());
    EXPECT_EQ(client, kClientCookie) << row.what << ": the client cookie is echoed";
    if (row.reply == Expect::Echo) {
        const std::vector<std::uint8_t> sent(row.options.begin() + 12, row.options.end());
        EXPECT_EQ(server, sent) << row.what;
    } else {
        EXPECT_EQ(server, ours(0)) << row.what << ": a new cookie, made now";
    }
}

INSTANTIATE_TEST_SUITE_P(
    Cookies, EngineCookies,
    ::testing::Values(
        EngineRow{"no cookie: as without cookies", {}, engine::Transport::Udp, true, 0, 1,
                  CookieStatus::None, Expect::None},
        EngineRow{"client cookie only: answer and a server cookie (§5.2.3)",
                  cookie_option(kClientCookie), engine::Transport::Udp, true, 0, 1,
                  CookieStatus::ClientOnly, Expect::Fresh},
        EngineRow{"a valid server cookie: answered, echoed (§5.2.5)",
                  cookie_option(concat(kClientCookie, ours(600))), engine::Transport::Udp, true,
                  0, 1, CookieStatus::Valid, Expect::Echo},
        EngineRow{"a valid cookie 40 minutes old: renewed (RFC 9018 §4.3)",
                  cookie_option(concat(kClientCookie, ours(2400))), engine::Transport::Udp,
                  true, 0, 1, CookieStatus::Valid, Expect::Fresh},
        EngineRow{"made with the previous secret: valid, renewed",
                  cookie_option(concat(kClientCookie, ours(600, kPrevious))),
                  engine::Transport::Udp, true, 0, 1, CookieStatus::Valid, Expect::Fresh},
        EngineRow{"a wrong server cookie over UDP: BADCOOKIE and a new one (§5.2.4)",
                  cookie_option(concat(kClientCookie, ours(600, kUnknown))),
                  engine::Transport::Udp, true, engine::rcode::BadCookie, 0,
                  CookieStatus::Invalid, Expect::Fresh},
        EngineRow{"an expired server cookie over UDP: BADCOOKIE",
                  cookie_option(concat(kClientCookie, ours(7200))), engine::Transport::Udp, true,
                  engine::rcode::BadCookie, 0, CookieStatus::Invalid, Expect::Fresh},
        EngineRow{"another server's 32-octet cookie over UDP: BADCOOKIE",
                  cookie_option(concat(kClientCookie, std::vector<std::uint8_t>(32, 0xab))),
                  engine::Transport::Udp, true, engine::rcode::BadCookie, 0,
                  CookieStatus::Invalid, Expect::Fresh},
        EngineRow{"a wrong server cookie over TCP: answered, a new cookie",
                  cookie_option(concat(kClientCookie, ours(600, kUnknown))),
                  engine::Transport::Tcp, true, 0, 1, CookieStatus::Invalid, Expect::Fresh},
        EngineRow{"7 octets: FORMERR (§5.2.2)", cookie_option(hex("01234567890abc")),
                  engine::Transport::Udp, true, 1, 0, CookieStatus::Malformed, Expect::None},
        EngineRow{"empty: FORMERR", cookie_option({}), engine::Transport::Udp, true, 1, 0,
                  CookieStatus::Malformed, Expect::None},
        EngineRow{"a 1-octet server cookie: FORMERR",
                  cookie_option(concat(kClientCookie, {1})), engine::Transport::Udp, true, 1, 0,
                  CookieStatus::Malformed, Expect::None},
        EngineRow{"a 7-octet server cookie: FORMERR",
                  cookie_option(concat(kClientCookie, std::vector<std::uint8_t>(7, 1))),
                  engine::Transport::Udp, true, 1, 0, CookieStatus::Malformed, Expect::None},
        EngineRow{"a 33-octet server cookie: FORMERR",
                  cookie_option(concat(kClientCookie, std::vector<std::uint8_t>(33, 1))),
                  engine::Transport::Udp, true, 1, 0, CookieStatus::Malformed, Expect::None},
        EngineRow{"two COOKIE options: FORMERR",
                  concat(cookie_option(kClientCookie), cookie_option(kClientCookie)),
                  engine::Transport::Udp, true, 1, 0, CookieStatus::Malformed, Expect::None},
        EngineRow{"cookies off: a client cookie is ignored", cookie_option(kClientCookie),
                  engine::Transport::Udp, false, 0, 1, CookieStatus::None, Expect::None},
        EngineRow{"cookies off: a wrong server cookie is ignored",
                  cookie_option(concat(kClientCookie, ours(600, kUnknown))),
                  engine::Transport::Udp, false, 0, 1, CookieStatus::None, Expect::None},
        EngineRow{"cookies off: a malformed option is ignored (RFC 6891 §6.1.2)",
                  cookie_option(hex("0123")), engine::Transport::Udp, false, 0, 1,
                  CookieStatus::None, Expect::None}));

// ---------------------------------------------------------------------------------------------
// Response rate limiting: a valid server cookie proves the source address (§5.2.5).

struct FloodRow {
    const char* what;
    std::vector<std::uint8_t> options;
    std::size_t answered;  // of 20 queries in one millisecond at 2/s, slip 2
    std::size_t slipped;
};

void PrintTo(const FloodRow& r, std::ostream* os) { *os << r.what; }

class CookieFlood : public ::testing::TestWithParam<FloodRow> {};

TEST_P(CookieFlood, OnlyAValidCookieIsExempt) {
    const FloodRow& row = GetParam();
    ASSERT_TRUE(zones());
    engine::ResponseRateLimiter limiter(1024, 3);
    engine::RateLimitCounters counters;
    engine::EngineSettings settings = cookie_settings();
    settings.rate_limit.responses_per_second = 2;
    settings.rate_limit.slip = 2;
    QuerySpec spec{"scs1.example.test.", rr::A};
    spec.edns = true;
    spec.options = row.options;
    const auto query = make_query(spec);
    engine::QueryContext ctx{engine::Transport::Udp};
    ctx.has_client = true;
    ctx.client = *config::IpAddress::parse(kClient);
    ctx.now_seconds = kNow;
    std::size_t answered = 0, slipped = 0;
    std::vector<std::uint8_t> out(engine::kMaxTcpMessage);
    for (int i = 0; i < 20; ++i) {
        auto r = engine::respond(query, ctx, *zones(), settings, out);
        r = engine::rate_limit(r, ctx, settings, limiter, 1000, counters, out);
        if (r.action != engine::EngineResult::Action::Respond) continue;
        if (r.truncated)
            ++slipped;
        else
            ++answered;
    }
    EXPECT_EQ(answered, row.answered) << row.what;
    EXPECT_EQ(slipped, row.slipped) << row.what;
}

INSTANTIATE_TEST_SUITE_P(
    Cookies, CookieFlood,
    ::testing::Values(
        FloodRow{"no cookie: limited", {}, 2, 9},
        FloodRow{"a client cookie only: limited", cookie_option(kClientCookie), 2, 9},
        FloodRow{"a valid server cookie: every answer sent whole",
                 cookie_option(concat(kClientCookie, ours(60))), 20, 0},
        FloodRow{"a wrong server cookie: limited (BADCOOKIE is an error response)",
                 cookie_option(concat(kClientCookie, ours(60, kUnknown))), 2, 9}));

}  // namespace
}  // namespace sipdns::test
