// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
// Name rules shared by the loader and the zone builder (RFC 1035 §2.3.4).
#include <gtest/gtest.h>

#include <ostream>
#include <string>

#include "sipdns/config/dns_name.h"

namespace sipdns::config {
namespace {

struct NameCase {
    std::string name;
    std::string origin;
    std::string expected;  // the absolute name, or the error text
    bool ok;
};

void PrintTo(const NameCase& c, std::ostream* os) {
    *os << "'" << c.name << "' in '" << c.origin << "'";
}

class AbsoluteName : public ::testing::TestWithParam<NameCase> {};

TEST_P(AbsoluteName, Works) {
    const NameCase& c = GetParam();
    auto r = absolute_name(c.name, c.origin);
    ASSERT_EQ(r.has_value(), c.ok) << (r ? *r : r.error());
    EXPECT_EQ(c.ok ? *r : r.error(), c.expected);
}

const std::string k63(63, 'a');
const std::string k64(64, 'x');

INSTANTIATE_TEST_SUITE_P(
    Rows, AbsoluteName,
    ::testing::Values(
        NameCase{"scs1", "scsnetwork.local", "scs1.scsnetwork.local", true},
        NameCase{"SCS1", "ScsNetwork.Local", "scs1.scsnetwork.local", true},
        NameCase{"@", "scsnetwork.local", "scsnetwork.local", true},
        NameCase{"@", "scsnetwork.local.", "scsnetwork.local", true},
        NameCase{"dc1.example.com.", "scsnetwork.local", "dc1.example.com", true},
        NameCase{"_sip._udp.sip-dc", "scsnetwork.local", "_sip._udp.sip-dc.scsnetwork.local", true},
        NameCase{"*.phones", "scsnetwork.local", "*.phones.scsnetwork.local", true},
        NameCase{"*", "scsnetwork.local", "*.scsnetwork.local", true},
        NameCase{".", "scsnetwork.local", "", true}, NameCase{"host", "", "host", true},
        NameCase{k63, "local", k63 + ".local", true},
        NameCase{"", "scsnetwork.local", "empty name", false},
        NameCase{"a..b", "scsnetwork.local", "empty label in 'a..b'", false},
        NameCase{".a", "scsnetwork.local", "empty label in '.a'", false},
        NameCase{"a..", "scsnetwork.local", "empty label in 'a..'", false},
        NameCase{k64, "scsnetwork.local",
                 "label 'xxxxxxxxxxxxxxxxxxxx\u2026' is 64 octets long, at most 63 are allowed",
                 false},
        NameCase{"a*b", "local", "'*' is allowed only as the whole leftmost label, in 'a*b'",
                 false},
        NameCase{"x.*", "local", "'*' is allowed only as the whole leftmost label, in 'x.*'",
                 false},
        NameCase{"a b", "local",
                 "character '\\032' is not allowed in 'a b' (only letters, digits, '-' and '_')",
                 false},
        NameCase{"a\tb", "local",
                 "character '\\009' is not allowed in 'a\\tb' (only letters, digits, '-' and '_')",
                 false},
        NameCase{"x@y", "local",
                 "character '@' is not allowed in 'x@y' (only letters, digits, '-' and '_')",
                 false}));

// Four 63-octet labels: 4 * 64 + 1 = 257 octets in wire form; three plus "ab" fit exactly.
TEST(AbsoluteNameLength, WireLengthLimit) {
    const std::string l(63, 'a');
    auto ok = absolute_name(l + "." + l + "." + l + "." + std::string(61, 'b') + ".", "");
    ASSERT_TRUE(ok) << ok.error();  // 3*64 + 62 + 1 = 255
    auto bad = absolute_name(l + "." + l + "." + l, l);
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error(), "name is 257 octets long in wire form, at most 255 are allowed");
    auto bad2 = absolute_name(l + "." + l + "." + l + "." + std::string(62, 'b') + ".", "");
    ASSERT_FALSE(bad2);
    EXPECT_EQ(bad2.error(), "name is 256 octets long in wire form, at most 255 are allowed");
}

TEST(CheckDomainName, AcceptsAbsoluteNames) {
    EXPECT_EQ(*check_domain_name("ScsNetwork.LOCAL"), "scsnetwork.local");
    EXPECT_EQ(*check_domain_name("scsnetwork.local."), "scsnetwork.local");
    EXPECT_EQ(*check_domain_name(""), "");
    EXPECT_EQ(*check_domain_name("."), "");
    EXPECT_EQ(*check_domain_name("_sip._tcp.rr.scs1.scsnetwork.local"),
              "_sip._tcp.rr.scs1.scsnetwork.local");
}

TEST(CheckDomainName, RejectsBadNames) {
    EXPECT_EQ(check_domain_name("a..b").error(), "empty label in 'a..b'");
    EXPECT_EQ(check_domain_name(".a").error(), "empty label in '.a'");
    EXPECT_EQ(check_domain_name(std::string(64, 'x') + ".local").error(),
              "label 'xxxxxxxxxxxxxxxxxxxx\u2026' is 64 octets long, at most 63 are allowed");
    EXPECT_FALSE(check_domain_name("a/b"));
}

}  // namespace
}  // namespace sipdns::config
