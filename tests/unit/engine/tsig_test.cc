// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
// TSIG (RFC 8945) against messages dnspython signed (tsig_vectors.inc, make_tsig_vectors.py):
// verifying requests (§5.2), signing answers (§5.3) byte for byte as dnspython does, and what
// the engine answers a signed, unsigned or wrongly signed transfer.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "../zone/zone_test_support.h"
#include "engine_test_support.h"
#include "sipdns/engine/tsig.h"
#include "test_support.h"

namespace sipdns::test {
namespace {

#include "tsig_vectors.inc"

using engine::EngineResult;
using engine::TsigKey;

constexpr std::string_view kSite = R"(
domain: example.com
nameservers: [ns1]
servers:
  - { name: ns1, ipv4: 192.0.2.1 }
)";

std::shared_ptr<const zone::ZoneSet> site() {
    static auto z = build_from_yaml(std::string(kSite));
    return z;
}

TsigKey key_for(std::string_view algorithm, std::string_view name = kKeyName,
                std::string_view secret = kSecret) {
    auto key = engine::make_tsig_key(name, algorithm, std::string(secret));
    EXPECT_TRUE(key);
    return key.value_or(TsigKey{});
}

// Where the last RR (the TSIG, owner uncompressed) starts.
std::size_t tsig_offset(const std::vector<std::uint8_t>& m) {
    const std::string name = key_for("hmac-sha256").name;
    const std::string needle = name + std::string("\0\xfa\0\xff", 4);
    const std::string_view text(reinterpret_cast<const char*>(m.data()), m.size());
    return text.rfind(needle);
}

struct Answer {
    EngineResult result;
    std::vector<std::uint8_t> bytes;
    engine::TsigRecord tsig;  // the answer's, when it has one
    bool has_tsig = false;
};

Answer ask(const std::vector<std::uint8_t>& query, const engine::EngineSettings& settings,
           std::uint64_t now, const char* client = "192.0.2.10") {
    Answer a;
    std::vector<std::uint8_t> out(engine::kMaxTcpMessage);
    engine::QueryContext ctx{engine::Transport::Tcp};
    ctx.has_client = true;
    ctx.client = *config::IpAddress::parse(client);
    ctx.now_seconds = now;
    a.result = engine::respond(query, ctx, *site(), settings, out);
    a.bytes.assign(out.begin(), out.begin() + static_cast<long>(a.result.length));
    if (a.bytes.size() > 12 && (a.bytes[10] << 8 | a.bytes[11]) != 0) {
        const std::size_t at = tsig_offset(a.bytes);
        a.has_tsig = at != std::string::npos && engine::parse_tsig_record(a.bytes, at, a.tsig);
    }
    return a;
}

// Every vector's request verifies with its key at the time it was signed.
class TsigVectors : public ::testing::TestWithParam<TsigVector> {};

TEST_P(TsigVectors, RequestVerifies) {
    const TsigVector& v = GetParam();
    const TsigKey key = key_for(v.algorithm);
    engine::TsigRecord record;
    ASSERT_TRUE(engine::parse_tsig_record(v.request, tsig_offset(v.request), record));
    EXPECT_EQ(record.time_signed, kSignedAt);
    EXPECT_EQ(record.original_id, 0x1234);
    EXPECT_EQ(engine::verify_tsig(v.request, record, &key, kSignedAt), engine::TsigVerdict::Ok);
}

// §5.3: our signature on the answer is dnspython's, octet for octet.
TEST_P(TsigVectors, ResponseSignedAsDnspythonSignsIt) {
    const TsigVector& v = GetParam();
    const TsigKey key = key_for(v.algorithm);
    engine::TsigRecord request;
    ASSERT_TRUE(engine::parse_tsig_record(v.request, tsig_offset(v.request), request));
    std::vector<std::uint8_t> unsigned_response(v.response.begin(),
                                                v.response.end() -
                                                    static_cast<long>(v.response_tsig_length));
    unsigned_response[11] = static_cast<std::uint8_t>(unsigned_response[11] - 1);  // ARCOUNT
    std::vector<std::uint8_t> out(unsigned_response);
    out.resize(unsigned_response.size() + engine::tsig_record_size(key));
    engine::TsigSigning signing;
    signing.time_signed = kSignedAt;
    const std::size_t n =
        engine::append_tsig(out, unsigned_response.size(), key, request.mac, signing);
    out.resize(n);
    EXPECT_EQ(out, v.response);
    EXPECT_EQ(n, unsigned_response.size() + engine::tsig_record_size(key));
}

INSTANTIATE_TEST_SUITE_P(Algorithms, TsigVectors, ::testing::ValuesIn(kTsigVectors),
                         [](const auto& info) {
                             std::string name(info.param.algorithm);
                             std::erase(name, '-');
                             return name;
                         });

// What the engine answers an AXFR, by what signs it and what the site has (RFC 8945 §5.2).
struct TransferRow {
    const char* what;
    std::string_view request_algorithm;  // the vector to send; "" = an unsigned AXFR
    bool corrupt;                        // one octet of the question changed after signing
    std::optional<TsigKey> site_key;
    std::vector<std::string> allow;
    std::uint64_t now;
    EngineResult::Action action;
    std::uint16_t rcode;
    std::uint16_t tsig_error;  // in the answer's TSIG
    bool answer_has_tsig;
    bool answer_mac;  // the answer's TSIG carries a MAC (signed), else MAC size 0
};

class TsigTransfer : public ::testing::TestWithParam<TransferRow> {};

TEST_P(TsigTransfer, Answer) {
    const TransferRow& row = GetParam();
    std::vector<std::uint8_t> query;
    if (row.request_algorithm.empty()) {
        query = make_query({"example.com.", 252, 1, 0x1234, 0});
    } else {
        for (const auto& v : kTsigVectors)
            if (v.algorithm == row.request_algorithm) query = v.request;
        ASSERT_FALSE(query.empty());
        if (row.corrupt) query[13] ^= 0x20;  // "Example": a different message to the HMAC
    }
    engine::EngineSettings settings;
    settings.transfer_key = row.site_key;
    for (const auto& p : row.allow) settings.transfer_allow.push_back(*config::IpPrefix::parse(p));
    const Answer a = ask(query, settings, row.now);
    EXPECT_EQ(a.result.action, row.action);
    if (row.action == EngineResult::Action::Transfer) {
        EXPECT_EQ(a.result.tsig_signed, !row.request_algorithm.empty());  // sign_transfer() then
        return;
    }
    EXPECT_EQ(a.result.rcode, row.rcode);
    EXPECT_EQ(a.bytes[3] & 0x0f, row.rcode);
    EXPECT_EQ(a.result.tsig_error, row.tsig_error);
    ASSERT_EQ(a.has_tsig, row.answer_has_tsig);
    if (!a.has_tsig) return;
    EXPECT_EQ(a.tsig.error, row.tsig_error);
    EXPECT_EQ(a.tsig.mac.empty(), !row.answer_mac);
    if (row.tsig_error == engine::tsig_error::BadTime) {
        // §5.2.3: our time in Other Data (48 bits), the request's in Time Signed.
        ASSERT_EQ(a.tsig.other.size(), 6u);
        std::uint64_t ours = 0;
        for (auto b : a.tsig.other) ours = ours << 8 | b;
        EXPECT_EQ(ours, row.now);
        EXPECT_EQ(a.tsig.time_signed, kSignedAt);
    }
}

const auto kSha256 = engine::make_tsig_key(kKeyName, "hmac-sha256", std::string(kSecret));
const auto kSha512 = engine::make_tsig_key(kKeyName, "hmac-sha512", std::string(kSecret));
const auto kWrongSecret = engine::make_tsig_key(kKeyName, "hmac-sha256", "another secret");
const auto kOtherName = engine::make_tsig_key("other-key", "hmac-sha256", std::string(kSecret));
using A = EngineResult::Action;
constexpr std::uint16_t kNotAuth = 9, kRefused = 5;

INSTANTIATE_TEST_SUITE_P(
    Rows, TsigTransfer,
    ::testing::Values(
        TransferRow{"signed", "hmac-sha256", false, kSha256, {}, kSignedAt, A::Transfer, 0, 0,
                    false, false},
        TransferRow{"signed_sha512", "hmac-sha512", false, kSha512, {}, kSignedAt, A::Transfer,
                    0, 0, false, false},
        TransferRow{"fudge_edge_late", "hmac-sha256", false, kSha256, {}, kSignedAt + 300,
                    A::Transfer, 0, 0, false, false},
        TransferRow{"fudge_edge_early", "hmac-sha256", false, kSha256, {}, kSignedAt - 300,
                    A::Transfer, 0, 0, false, false},
        TransferRow{"signed_from_allowed", "hmac-sha256", false, kSha256, {"192.0.2.0/24"},
                    kSignedAt, A::Transfer, 0, 0, false, false},
        TransferRow{"signed_not_from_allowed", "hmac-sha256", false, kSha256, {"198.51.100.0/24"},
                    kSignedAt, A::Respond, kRefused, 0, true, true},
        TransferRow{"unsigned_with_key", "", false, kSha256, {"192.0.2.0/24"}, kSignedAt,
                    A::Respond, kRefused, 0, false, false},
        TransferRow{"unsigned_without_key_allowed", "", false, std::nullopt, {"192.0.2.0/24"},
                    kSignedAt, A::Transfer, 0, 0, false, false},
        TransferRow{"late", "hmac-sha256", false, kSha256, {}, kSignedAt + 301, A::Respond,
                    kNotAuth, engine::tsig_error::BadTime, true, true},
        TransferRow{"early", "hmac-sha256", false, kSha256, {}, kSignedAt - 3600, A::Respond,
                    kNotAuth, engine::tsig_error::BadTime, true, true},
        TransferRow{"wrong_secret", "hmac-sha256", false, kWrongSecret, {}, kSignedAt,
                    A::Respond, kNotAuth, engine::tsig_error::BadSig, true, false},
        TransferRow{"changed_in_transit", "hmac-sha256", true, kSha256, {}, kSignedAt,
                    A::Respond, kNotAuth, engine::tsig_error::BadSig, true, false},
        TransferRow{"unknown_key_name", "hmac-sha256", false, kOtherName, {}, kSignedAt,
                    A::Respond, kNotAuth, engine::tsig_error::BadKey, true, false},
        TransferRow{"other_algorithm", "hmac-sha1", false, kSha256, {}, kSignedAt, A::Respond,
                    kNotAuth, engine::tsig_error::BadKey, true, false},
        TransferRow{"site_without_key", "hmac-sha256", false, std::nullopt, {"192.0.2.0/24"},
                    kSignedAt, A::Respond, kNotAuth, engine::tsig_error::BadKey, true, false}),
    [](const auto& info) { return std::string(info.param.what); });

// A signed answer to a signed query (Knot and BIND sign their SOA refresh queries): §5.3.
TEST(Tsig, SignedQueryGetsSignedAnswerThatVerifies) {
    auto key = key_for("hmac-sha256");
    // The AXFR vector as an SOA query: same key, re-signed by us as a request (§5.1).
    std::vector<std::uint8_t> query = make_query({"example.com.", 6, 1, 0x4321, 0});
    query.resize(query.size() + engine::tsig_record_size(key));
    engine::TsigSigning signing;
    signing.time_signed = kSignedAt;
    query.resize(engine::append_tsig(query, query.size() - engine::tsig_record_size(key), key,
                                     {}, signing));
    ASSERT_FALSE(query.empty());
    engine::EngineSettings settings;
    settings.transfer_key = key;
    const Answer a = ask(query, settings, kSignedAt + 5);
    ASSERT_EQ(a.result.action, EngineResult::Action::Respond);
    EXPECT_EQ(a.bytes[3] & 0x0f, 0);
    EXPECT_TRUE(a.result.tsig_signed);
    ASSERT_TRUE(a.has_tsig);
    EXPECT_EQ(a.tsig.time_signed, kSignedAt + 5);
    EXPECT_EQ(a.tsig.mac.size(), 32u);
}

// Every prefix of a signed request is malformed somewhere: FORMERR, never a crash or an
// answer signed over bytes that were not there.
TEST(Tsig, TruncatedRequestsAreFormErr) {
    const auto& v = kTsigVectors[1];
    const std::size_t at = tsig_offset(v.request);
    engine::TsigRecord record;
    for (std::size_t n = at; n < v.request.size(); ++n) {
        std::vector<std::uint8_t> cut(v.request.begin(), v.request.begin() + static_cast<long>(n));
        EXPECT_FALSE(engine::parse_tsig_record(cut, at, record)) << n;
        engine::EngineSettings settings;
        settings.transfer_key = key_for("hmac-sha256");
        const Answer a = ask(cut, settings, kSignedAt);
        EXPECT_EQ(a.result.action, EngineResult::Action::Respond) << n;
        EXPECT_EQ(a.result.rcode, 1) << n;
    }
}

// A TSIG anywhere but last in the additional section is FORMERR (§5.1).
TEST(Tsig, TsigNotLastIsFormErr) {
    std::vector<std::uint8_t> query = kTsigVectors[1].request;
    // The OPT after the TSIG: move the OPT RR (11 octets, right after the question) to the end.
    const std::size_t question_end = 12 + 13 + 4;  // \7example\3com\0, type, class
    std::vector<std::uint8_t> opt(query.begin() + question_end, query.begin() + question_end + 11);
    ASSERT_EQ(opt[2], 41);  // TYPE OPT
    query.erase(query.begin() + question_end, query.begin() + question_end + 11);
    query.insert(query.end(), opt.begin(), opt.end());
    engine::EngineSettings settings;
    settings.transfer_key = key_for("hmac-sha256");
    const Answer a = ask(query, settings, kSignedAt);
    EXPECT_EQ(a.result.rcode, 1);
}

// make_notify() signs as a request (§5.1); our verifier accepts it at the time it was made.
TEST(Tsig, SignedNotifyVerifies) {
    const auto key = key_for("hmac-sha384");
    const auto notify = engine::make_notify(std::string("\7example\3com\0", 13), 7, &key, kSignedAt);
    engine::TsigRecord record;
    ASSERT_TRUE(engine::parse_tsig_record(notify, 12 + 13 + 4, record));
    EXPECT_EQ(engine::verify_tsig(notify, record, &key, kSignedAt), engine::TsigVerdict::Ok);
    EXPECT_EQ(engine::verify_tsig(notify, record, &key, kSignedAt + 301),
              engine::TsigVerdict::BadTime);
    EXPECT_EQ(notify[11], 1);  // ARCOUNT
}

}  // namespace
}  // namespace sipdns::test
