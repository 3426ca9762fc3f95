// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
// IpAddress / IpPrefix / IpEndpoint parsing (inet_pton rules, no guessing).
#include <gtest/gtest.h>

#include "sipdns/config/address.h"

namespace sipdns::config {
namespace {

TEST(IpAddress, ParsesAndPrintsBothFamilies) {
    auto v4 = IpAddress::parse("192.0.2.11");
    ASSERT_TRUE(v4);
    EXPECT_TRUE(v4->is_v4());
    EXPECT_EQ(v4->size(), 4u);
    EXPECT_EQ(v4->bytes[0], 192);
    EXPECT_EQ(v4->bytes[3], 11);
    EXPECT_EQ(v4->to_string(), "192.0.2.11");

    auto v6 = IpAddress::parse("2001:DB8:0:0::11");
    ASSERT_TRUE(v6);
    EXPECT_FALSE(v6->is_v4());
    EXPECT_EQ(v6->size(), 16u);
    EXPECT_EQ(v6->bytes[0], 0x20);
    EXPECT_EQ(v6->bytes[15], 0x11);
    EXPECT_EQ(v6->to_string(), "2001:db8::11");
}

TEST(IpAddress, RejectsWhatInetPtonRejects) {
    for (const char* bad :
         {"192.0.2.300", "1.2.3", "1.2.3.4.5", "", " 1.2.3.4", "1.2.3.4 ", "0x1.2.3.4",
          "2001:db8:::1", "2001:db8::1%eth0", "fe80::1/64", "scs1", "::ffff:1.2.3"}) {
        EXPECT_FALSE(IpAddress::parse(bad)) << bad;
    }
}

TEST(IpAddress, FamilySpecificParsers) {
    EXPECT_TRUE(IpAddress::parse_v4("10.0.0.1"));
    EXPECT_FALSE(IpAddress::parse_v4("::1"));
    EXPECT_TRUE(IpAddress::parse_v6("::1"));
    EXPECT_FALSE(IpAddress::parse_v6("10.0.0.1"));
    EXPECT_TRUE(IpAddress::parse_v6("::ffff:10.0.0.1"));
}

TEST(IpAddress, Ordering) {
    EXPECT_LT(*IpAddress::parse("192.0.2.1"), *IpAddress::parse("192.0.2.2"));
    EXPECT_EQ(*IpAddress::parse("2001:db8::1"), *IpAddress::parse("2001:0db8::0001"));
}

TEST(IpPrefix, Parses) {
    auto p = IpPrefix::parse("192.168.11.0/24");
    ASSERT_TRUE(p);
    EXPECT_EQ(p->length, 24);
    EXPECT_EQ(p->to_string(), "192.168.11.0/24");
    auto q = IpPrefix::parse("2001:db8::/64");
    ASSERT_TRUE(q);
    EXPECT_EQ(q->length, 64);
    EXPECT_EQ(q->to_string(), "2001:db8::/64");
    EXPECT_TRUE(IpPrefix::parse("0.0.0.0/0"));
    EXPECT_TRUE(IpPrefix::parse("::/0"));
    EXPECT_TRUE(IpPrefix::parse("192.0.2.1/32"));
    EXPECT_TRUE(IpPrefix::parse("2001:db8::1/128"));
}

TEST(IpPrefix, RejectsBadSyntax) {
    for (const char* bad : {"192.168.11.0", "192.168.11.0/", "192.168.11.0/33", "2001:db8::/129",
                            "192.168.11.0/-1", "192.168.11.0/+8", "192.168.11.0/24/8",
                            "192.168.11.0/2x", "192.168.11/24", "/24", "192.168.11.0/0024"}) {
        EXPECT_FALSE(IpPrefix::parse(bad)) << bad;
    }
}

TEST(IpPrefix, HostBitsAndNetwork) {
    auto p = IpPrefix::parse("192.168.11.5/24");
    ASSERT_TRUE(p);
    EXPECT_TRUE(p->has_host_bits());
    EXPECT_EQ(p->network().to_string(), "192.168.11.0/24");
    EXPECT_FALSE(IpPrefix::parse("192.168.11.0/24")->has_host_bits());
    EXPECT_TRUE(IpPrefix::parse("2001:db8::1/64")->has_host_bits());
    EXPECT_EQ(IpPrefix::parse("2001:db8:1:2:3::1/36")->network().to_string(), "2001:db8::/36");
}

TEST(IpPrefix, Contains) {
    auto p = *IpPrefix::parse("192.168.11.0/24");
    EXPECT_TRUE(p.contains(*IpAddress::parse("192.168.11.0")));
    EXPECT_TRUE(p.contains(*IpAddress::parse("192.168.11.255")));
    EXPECT_FALSE(p.contains(*IpAddress::parse("192.168.12.1")));
    EXPECT_FALSE(p.contains(*IpAddress::parse("::ffff:192.168.11.1")));  // other family

    auto odd = *IpPrefix::parse("10.0.0.0/13");
    EXPECT_TRUE(odd.contains(*IpAddress::parse("10.7.255.255")));
    EXPECT_FALSE(odd.contains(*IpAddress::parse("10.8.0.0")));

    auto v6 = *IpPrefix::parse("2001:db8::/64");
    EXPECT_TRUE(v6.contains(*IpAddress::parse("2001:db8::ffff:1")));
    EXPECT_FALSE(v6.contains(*IpAddress::parse("2001:db8:0:1::1")));
    EXPECT_FALSE(v6.contains(*IpAddress::parse("192.0.2.1")));

    EXPECT_TRUE(IpPrefix::parse("0.0.0.0/0")->contains(*IpAddress::parse("203.0.113.9")));
}

TEST(IpEndpoint, Parses) {
    auto a = IpEndpoint::parse("0.0.0.0:53");
    ASSERT_TRUE(a);
    EXPECT_EQ(a->port, 53);
    EXPECT_TRUE(a->address.is_v4());
    auto b = IpEndpoint::parse("[::1]:5353");
    ASSERT_TRUE(b);
    EXPECT_EQ(b->port, 5353);
    EXPECT_FALSE(b->address.is_v4());
    EXPECT_EQ(b->to_string(), "[::1]:5353");
    EXPECT_EQ(IpEndpoint::parse("192.0.2.1:65535")->to_string(), "192.0.2.1:65535");
}

TEST(IpEndpoint, RejectsBadSyntax) {
    for (const char* bad : {"0.0.0.0", "0.0.0.0:", "0.0.0.0:0", "0.0.0.0:65536", "::1:53", "[::1]",
                            "[::1]53", "[192.0.2.1]:53", "[::1]:x", "localhost:53",
                            "192.0.2.300:53", "0.0.0.0:53 ", "0.0.0.0:-1"}) {
        EXPECT_FALSE(IpEndpoint::parse(bad)) << bad;
    }
}

}  // namespace
}  // namespace sipdns::config
