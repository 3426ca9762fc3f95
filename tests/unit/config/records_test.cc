// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
// `records:` lines of common types parse with ldns into owner/type/ttl and uncompressed wire
// RDATA (RFC 1035 §3.2.1, RFC 3597 §4).
#include <gtest/gtest.h>

#include <ostream>
#include <string>

#include "sipdns/config/loader.h"

namespace sipdns::config {
namespace {

// "mail.scsnetwork.local" -> "\4mail\12scsnetwork\5local\0" (RFC 1035 §3.1).
std::string wire_name(std::string_view dotted) {
    std::string out;
    while (!dotted.empty()) {
        const auto dot = dotted.find('.');
        const auto label = dotted.substr(0, dot);
        out += static_cast<char>(label.size());
        out += label;
        dotted = dot == std::string_view::npos ? std::string_view() : dotted.substr(dot + 1);
    }
    return out + '\0';
}

std::string bytes(std::initializer_list<int> b) {
    std::string out;
    for (int x : b) out += static_cast<char>(x);
    return out;
}

std::string hex(const std::string& s) {
    static const char* digits = "0123456789abcdef";
    std::string out;
    for (unsigned char c : s) {
        out += digits[c >> 4];
        out += digits[c & 15];
    }
    return out;
}

struct RecordCase {
    std::string line;
    std::string owner;
    std::uint16_t type;
    std::uint32_t ttl;
    std::string rdata;
};

void PrintTo(const RecordCase& c, std::ostream* os) {
    *os << c.line;
}

class Records : public ::testing::TestWithParam<RecordCase> {};

TEST_P(Records, ParseIntoWireForm) {
    const RecordCase& c = GetParam();
    // Single quotes in YAML keep the zone-file double quotes as they are.
    const std::string yaml =
        "domain: scsnetwork.local\nttl: 1800\nrecords:\n  - '" + c.line + "'\n";
    auto r = load_site_text(yaml, "site.yaml");
    ASSERT_TRUE(r) << r.error()[0].to_string();
    ASSERT_EQ(r->records.size(), 1u);
    const RawRecord& rec = r->records[0];
    EXPECT_EQ(rec.text, c.line);
    EXPECT_EQ(rec.owner, c.owner);
    EXPECT_EQ(rec.type, c.type);
    EXPECT_EQ(rec.rclass, 1);
    EXPECT_EQ(rec.ttl, c.ttl);
    EXPECT_EQ(hex(rec.rdata), hex(c.rdata));
    EXPECT_EQ(rec.pos, (SourcePos{4, 5}));
}

const std::string kZone = "scsnetwork.local";

INSTANTIATE_TEST_SUITE_P(
    CommonTypes, Records,
    ::testing::Values(
        RecordCase{"www IN A 192.0.2.80", "www." + kZone, 1, 1800, bytes({192, 0, 2, 80})},
        RecordCase{"WWW 60 IN A 192.0.2.80", "www." + kZone, 1, 60, bytes({192, 0, 2, 80})},
        RecordCase{"www A 192.0.2.80", "www." + kZone, 1, 1800, bytes({192, 0, 2, 80})},
        RecordCase{"www.scsnetwork.local. 1h IN AAAA 2001:db8::80", "www." + kZone, 28, 3600,
                   bytes({0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x80})},
        RecordCase{"@ IN TXT \"site=lab-3\" \"b\"", kZone, 16, 1800,
                   "\x0Asite=lab-3\x01"
                   "b"},
        RecordCase{"@ IN MX 10 mail", kZone, 15, 1800,
                   bytes({0, 10}) + wire_name("mail.scsnetwork.local")},
        // Names inside RDATA keep the case they were written in (RFC 4343).
        RecordCase{"@ IN MX 20 Mail.Example.COM.", kZone, 15, 1800,
                   bytes({0, 20}) + wire_name("Mail.Example.COM")},
        RecordCase{"_sip._udp IN SRV 0 5 5060 scs1", "_sip._udp." + kZone, 33, 1800,
                   bytes({0, 0, 0, 5, 0x13, 0xc4}) + wire_name("scs1.scsnetwork.local")},
        RecordCase{"@ IN NAPTR 10 20 \"s\" \"SIP+D2U\" \"\" _sip._udp", kZone, 35, 1800,
                   bytes({0, 10, 0, 20, 1}) + "s" + bytes({7}) + "SIP+D2U" + bytes({0}) +
                       wire_name("_sip._udp.scsnetwork.local")},
        RecordCase{"@ IN CAA 0 issue \"letsencrypt.org\"", kZone, 257, 1800,
                   bytes({0, 5}) + "issueletsencrypt.org"},
        RecordCase{"11.2.0.192.in-addr.arpa. IN PTR scs1", "11.2.0.192.in-addr.arpa", 12, 1800,
                   wire_name("scs1.scsnetwork.local")},
        RecordCase{"tftp2 IN CNAME scs1", "tftp2." + kZone, 5, 1800,
                   wire_name("scs1.scsnetwork.local")},
        RecordCase{"scs1 IN SSHFP 1 1 0123456789abcdef0123456789abcdef01234567", "scs1." + kZone,
                   44, 1800,
                   bytes({1,    1,    0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0x01,
                          0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0x01, 0x23, 0x45, 0x67})},
        RecordCase{"sub IN NS ns1.sub", "sub." + kZone, 2, 1800,
                   wire_name("ns1.sub.scsnetwork.local")},
        RecordCase{"*.phones IN A 192.0.2.99", "*.phones." + kZone, 1, 1800,
                   bytes({192, 0, 2, 99})},
        // RFC 3597 generic syntax for types ldns does not know by name.
        RecordCase{"x IN TYPE65000 \\# 3 abcdef", "x." + kZone, 65000, 1800,
                   bytes({0xab, 0xcd, 0xef})},
        RecordCase{"x IN A 192.0.2.1 ; a comment", "x." + kZone, 1, 1800, bytes({192, 0, 2, 1})}));

// ldns turns a default TTL of 0 into 3600; the loader must not.
TEST(RecordsTtl, SiteTtlZeroIsKept) {
    auto r = load_site_text(
        "domain: a.example\nttl: 0\nrecords:\n  - x IN A 192.0.2.1\n  - y 60 IN A 192.0.2.2\n"
        "  - z 3600 IN A 192.0.2.3\n",
        "site.yaml");
    ASSERT_TRUE(r) << r.error()[0].to_string();
    ASSERT_EQ(r->records.size(), 3u);
    EXPECT_EQ(r->records[0].ttl, 0u);
    EXPECT_EQ(r->records[1].ttl, 60u);
    EXPECT_EQ(r->records[2].ttl, 3600u);
}

TEST(RecordsErrors, DirectivesAndMetaTypes) {
    auto r = load_site_text(
        "domain: a.example\nrecords:\n  - $ORIGIN b.example.\n  - x IN ANY 192.0.2.1\n"
        "  - x 2147483648 IN A 192.0.2.1\n  - x IN TYPE255 \\# 0\n  - x IN A \\# 0\n",
        "site.yaml");
    ASSERT_FALSE(r);
    ASSERT_EQ(r.error().size(), 5u);
    EXPECT_EQ(r.error()[0].to_string(),
              "site.yaml:3:5: records[0]: cannot parse '$ORIGIN b.example.': directives such as "
              "$ORIGIN and $TTL are not supported here; names are relative to the domain and "
              "'ttl' is the default");
    EXPECT_EQ(r.error()[1].to_string(),
              "site.yaml:4:5: records[1]: cannot parse 'x IN ANY 192.0.2.1': Syntax error, could "
              "not parse the RR's rdata");
    EXPECT_EQ(r.error()[2].to_string(),
              "site.yaml:5:5: records[2]: TTL 2147483648 is above 2147483647 (RFC 2181 §8), in "
              "'x 2147483648 IN A 192.0.2.1'");
    EXPECT_EQ(r.error()[3].to_string(),
              "site.yaml:6:5: records[3]: type 255 is a meta or query type, not zone data, in "
              "'x IN TYPE255 \\# 0'");
    EXPECT_EQ(r.error()[4].to_string(),
              "site.yaml:7:5: records[4]: cannot parse 'x IN A \\# 0': the record data is "
              "missing or incomplete");
}

// One record per line: line breaks and control characters (a quoted YAML scalar can hold them)
// are refused before ldns reads the line. The second line is what tests/fuzz/fuzz_raw_records
// found: ldns 1.8.3 wrote past a heap buffer on it (a '(' group across a line break). Tabs are
// ordinary zone-file blanks (RFC 1035 §5.1).
TEST(RecordsErrors, LineBreaksAndControlCharacters) {
    auto r = load_site_text(
        "domain: a.example\nrecords:\n  - \"x IN TXT ( \\\"a\\\"\\n \\\"b\\\" )\"\n"
        "  - \"\\nSS(SSSSS\\n ASS SS 0Sabcdefgh \"\n  - \"x IN A 192.0.2.1\\x01\"\n"
        "  - \"x\\tIN\\tA\\t192.0.2.1\"\n",
        "site.yaml");
    ASSERT_FALSE(r);
    ASSERT_EQ(r.error().size(), 3u);
    EXPECT_EQ(r.error()[0].to_string(),
              "site.yaml:3:5: records[0]: a record is one line of zone-file text: line break "
              "(0x0a) at offset 14");
    EXPECT_EQ(r.error()[1].to_string(),
              "site.yaml:4:5: records[1]: a record is one line of zone-file text: line break "
              "(0x0a) at offset 0");
    EXPECT_EQ(r.error()[2].to_string(),
              "site.yaml:5:5: records[2]: a record is one line of zone-file text: control "
              "character (0x01) at offset 16");
}

}  // namespace
}  // namespace sipdns::config
