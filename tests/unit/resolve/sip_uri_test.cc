// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
// SIP/SIPS URI parsing for `sipdnsd resolve` (RFC 3261 §19.1.1, §25.1; RFC 3263 §4 maddr).
#include <gtest/gtest.h>

#include "sipdns/resolve/sip_uri.h"

namespace sipdns::resolve {
namespace {

struct GoodUri {
    const char* test_name;
    const char* text;
    bool sips;
    const char* host;
    bool numeric;
    int port;            // 0: none
    const char* transport;  // "": none
};

class GoodUriTest : public ::testing::TestWithParam<GoodUri> {};

TEST_P(GoodUriTest, Parses) {
    const GoodUri& c = GetParam();
    const auto uri = parse_sip_uri(c.text);
    ASSERT_TRUE(uri) << uri.error();
    EXPECT_EQ(uri->sips, c.sips);
    EXPECT_EQ(uri->host, c.host);
    EXPECT_EQ(uri->numeric_host, c.numeric);
    EXPECT_EQ(uri->port ? *uri->port : 0, c.port);
    EXPECT_EQ(uri->transport ? std::string(transport_name(*uri->transport)) : "",
              std::string(c.transport));
}

INSTANTIATE_TEST_SUITE_P(
    Uris, GoodUriTest,
    ::testing::Values(
        GoodUri{"Plain", "sip:alice@scsnetwork.local", false, "scsnetwork.local", false, 0, ""},
        GoodUri{"NoUser", "sip:example.com", false, "example.com", false, 0, ""},
        GoodUri{"UpperCaseScheme", "SIP:Bob@Example.COM.", false, "example.com", false, 0, ""},
        GoodUri{"Sips", "sips:alice@example.com", true, "example.com", false, 0, ""},
        GoodUri{"Port", "sip:alice@example.com:5070", false, "example.com", false, 5070, ""},
        GoodUri{"Transport", "sip:alice@example.com;transport=TCP", false, "example.com", false,
                0, "tcp"},
        GoodUri{"SipsTransportTcpIsTls", "sips:alice@example.com;transport=tcp", true,
                "example.com", false, 0, "tls"},
        GoodUri{"Ipv4", "sip:alice@192.0.2.1", false, "192.0.2.1", true, 0, ""},
        GoodUri{"Ipv4Port", "sip:192.0.2.1:5080;transport=tcp", false, "192.0.2.1", true, 5080,
                "tcp"},
        GoodUri{"Ipv6", "sips:alice@[2001:db8::1]", true, "2001:db8::1", true, 0, ""},
        GoodUri{"Ipv6Port", "sip:alice@[2001:db8::1]:5062", false, "2001:db8::1", true, 5062, ""},
        GoodUri{"PasswordAndHeaders", "sip:alice:secret@example.com?subject=hi", false,
                "example.com", false, 0, ""},
        GoodUri{"UserWithSemicolon", "sip:alice;tag=1@example.com", false, "example.com", false,
                0, ""},
        GoodUri{"Maddr", "sip:alice@example.com;maddr=192.0.2.7", false, "192.0.2.7", true, 0,
                ""}),
    [](const auto& info) { return std::string(info.param.test_name); });

struct BadUri {
    const char* test_name;
    const char* text;
    const char* error;
};

class BadUriTest : public ::testing::TestWithParam<BadUri> {};

TEST_P(BadUriTest, SaysWhatIsWrong) {
    const auto uri = parse_sip_uri(GetParam().text);
    ASSERT_FALSE(uri);
    EXPECT_EQ(uri.error(), GetParam().error);
}

INSTANTIATE_TEST_SUITE_P(
    Uris, BadUriTest,
    ::testing::Values(
        BadUri{"NoScheme", "alice@example.com",
               "expected a sip: or sips: URI such as sip:alice@example.com"},
        BadUri{"Tel", "tel:+4930123", "expected a sip: or sips: URI such as sip:alice@example.com"},
        BadUri{"NoHost", "sip:alice@", "the host is missing"},
        BadUri{"EmptyUser", "sip:@example.com", "the user before '@' is empty"},
        BadUri{"BadPort", "sip:alice@example.com:99999",
               "the port '99999' is not a number from 1 to 65535"},
        BadUri{"EmptyPort", "sip:alice@example.com:", "the port '' is not a number from 1 to 65535"},
        BadUri{"BadName", "sip:alice@exa_mple.com", "'exa_mple.com' is not a host name"},
        BadUri{"BadIpv4", "sip:alice@192.0.2.300", "'192.0.2.300' is not an IPv4 address"},
        BadUri{"BareIpv6", "sip:alice@2001:db8::1",
               "an IPv6 address goes in brackets: sip:user@[2001:db8::1]"},
        BadUri{"BadTransport", "sip:alice@example.com;transport=sctp",
               "transport=sctp: expected udp, tcp or tls"},
        BadUri{"SipsOverUdp", "sips:alice@example.com;transport=udp",
               "a sips: URI is reached over TLS only, not transport=udp (RFC 3261 §26.2.2)"}),
    [](const auto& info) { return std::string(info.param.test_name); });

}  // namespace
}  // namespace sipdns::resolve
