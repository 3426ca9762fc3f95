// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
// parse_udp_frame (server/xdp): which Ethernet frames are UDP queries to the served port
// (IEEE 802.1Q tags, RFC 791 IPv4, RFC 8200 IPv6, RFC 768 UDP), on frames built field by field.
#include <gtest/gtest.h>

#include <string>

#include "sipdns/xdp/frame.h"
#include "xdp/frame_support.h"

namespace sipdns::xdp::test {
namespace {

constexpr std::uint16_t kCTag = 0x8100;
constexpr std::uint16_t kSTag = 0x88a8;
constexpr std::uint16_t kPort = 53;

struct ParseCase {
    const char* name;
    Spec spec;
    FrameKind kind;
    std::size_t payload_offset = 0;  // for a Query
    std::size_t payload_length = 0;
};

constexpr bool kV6 = true;

// Headers: Ethernet 14, a tag 4, IPv4 20, IPv6 40, UDP 8.
const ParseCase kCases[] = {
    {"ipv4", {}, FrameKind::Query, 42, 12},
    {"ipv6", {.ipv6 = kV6}, FrameKind::Query, 62, 12},
    {"ipv4_c_tag", {.tags = {kCTag}}, FrameKind::Query, 46, 12},
    {"ipv4_s_tag", {.tags = {kSTag}}, FrameKind::Query, 46, 12},
    {"ipv6_c_tag", {.tags = {kCTag}, .ipv6 = kV6}, FrameKind::Query, 66, 12},
    {"ipv4_s_and_c_tags", {.tags = {kSTag, kCTag}}, FrameKind::Query, 50, 12},
    {"ipv6_s_and_c_tags", {.tags = {kSTag, kCTag}, .ipv6 = kV6}, FrameKind::Query, 70, 12},
    {"ipv4_two_c_tags", {.tags = {kCTag, kCTag}}, FrameKind::Query, 50, 12},
    {"three_tags", {.tags = {kSTag, kCTag, kCTag}}, FrameKind::NotOurs},
    {"empty_payload", {.payload = 0, .padding = 18}, FrameKind::Query, 42, 0},
    {"odd_payload", {.ipv6 = kV6, .payload = 33}, FrameKind::Query, 62, 33},
    {"large_payload", {.payload = 1472}, FrameKind::Query, 42, 1472},
    {"ipv6_largest_payload", {.ipv6 = kV6, .payload = 65527}, FrameKind::Query, 62, 65527},
    // Frames under 60 octets arrive padded: the IP length says where the packet ends.
    {"ipv4_ethernet_padding", {.payload = 4, .padding = 14}, FrameKind::Query, 42, 4},
    {"ipv4_tagged_padding",
     {.tags = {kCTag}, .payload = 2, .padding = 12},
     FrameKind::Query,
     46,
     2},
    {"ipv6_padding", {.ipv6 = kV6, .padding = 7}, FrameKind::Query, 62, 12},
    {"ipv4_df_set", {.fragment = 0x4000}, FrameKind::Query, 42, 12},

    {"wrong_port", {.dst_port = 54}, FrameKind::NotOurs},
    // Group addresses (IEEE 802 I/G bit, IPv4 multicast and broadcast, IPv6 multicast): queries
    // to many are left to the kernel's sockets.
    {"broadcast_mac", {.dst_mac = Bytes{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}}, FrameKind::NotOurs},
    {"multicast_mac", {.dst_mac = Bytes{0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb}}, FrameKind::NotOurs},
    {"ipv4_multicast", {.dst_ip = Bytes{224, 0, 0, 251}}, FrameKind::NotOurs},
    {"ipv4_broadcast", {.dst_ip = Bytes{255, 255, 255, 255}}, FrameKind::NotOurs},
    {"ipv4_last_unicast", {.dst_ip = Bytes{223, 255, 255, 254}}, FrameKind::Query, 42, 12},
    {"ipv6_multicast",
     {.ipv6 = kV6, .dst_ip = Bytes{0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xfb}},
     FrameKind::NotOurs},
    // ... and from a group address, which no sender has (an answer would go to many).
    {"from_group_mac", {.src_mac = Bytes{0x87, 0, 0, 0, 0, 2}}, FrameKind::NotOurs},
    {"from_ipv4_broadcast", {.src_ip = Bytes{255, 255, 255, 255}}, FrameKind::NotOurs},
    {"from_ipv4_multicast", {.src_ip = Bytes{239, 1, 2, 3}}, FrameKind::NotOurs},
    {"from_ipv6_multicast",
     {.ipv6 = kV6, .src_ip = Bytes{0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}},
     FrameKind::NotOurs},
    {"ipv6_wrong_port", {.ipv6 = kV6, .dst_port = 5353}, FrameKind::NotOurs},
    {"from_our_port_to_another", {.src_port = 53, .dst_port = 40000}, FrameKind::NotOurs},
    {"tcp", {.protocol = 6}, FrameKind::NotOurs},
    {"ipv6_tcp", {.ipv6 = kV6, .protocol = 6}, FrameKind::NotOurs},
    {"icmp", {.protocol = 1}, FrameKind::NotOurs},
    {"ipv4_options", {.ipv4_options = 4}, FrameKind::NotOurs},
    {"ipv4_options_40", {.ipv4_options = 40}, FrameKind::NotOurs},
    {"fragment_more_fragments", {.fragment = 0x2000}, FrameKind::NotOurs},
    {"fragment_last", {.fragment = 0x00b9}, FrameKind::NotOurs},
    {"fragment_offset_1", {.fragment = 0x0001}, FrameKind::NotOurs},
    {"ipv6_hop_by_hop", {.ipv6 = kV6, .hop_by_hop = true}, FrameKind::NotOurs},
    {"ipv6_fragment_header", {.ipv6 = kV6, .protocol = 44}, FrameKind::NotOurs},
    {"ipv4_type_version_6", {.version = 6}, FrameKind::NotOurs},
    {"ipv6_type_version_4", {.ipv6 = kV6, .version = 4}, FrameKind::NotOurs},

    // Cut short: before the UDP header is whole nothing says the frame is ours; after it, the
    // IP length is more than the frame.
    {"cut_empty", {.cut = 0}, FrameKind::NotOurs},
    {"cut_in_ethernet", {.cut = 13}, FrameKind::NotOurs},
    {"cut_after_ethernet", {.cut = 14}, FrameKind::NotOurs},
    {"cut_in_tag", {.tags = {kCTag}, .cut = 16}, FrameKind::NotOurs},
    {"cut_in_second_tag", {.tags = {kSTag, kCTag}, .cut = 19}, FrameKind::NotOurs},
    {"cut_in_ipv4", {.cut = 33}, FrameKind::NotOurs},
    {"cut_in_udp", {.cut = 41}, FrameKind::NotOurs},
    {"cut_in_ipv6", {.ipv6 = kV6, .cut = 53}, FrameKind::NotOurs},
    {"cut_in_ipv6_udp", {.ipv6 = kV6, .cut = 61}, FrameKind::NotOurs},
    {"cut_in_payload", {.cut = 50}, FrameKind::Malformed},
    {"cut_by_one", {.tags = {kCTag}, .cut = 57}, FrameKind::Malformed},
    {"ipv6_cut_in_payload", {.ipv6 = kV6, .cut = 73}, FrameKind::Malformed},

    {"ip_length_past_frame", {.ip_length_delta = 1, .udp_length_delta = 1}, FrameKind::Malformed},
    {"ip_length_under_28",
     {.payload = 0, .ip_length_delta = -1, .udp_length_delta = -1, .padding = 18},
     FrameKind::Malformed},
    {"ipv6_length_past_frame",
     {.ipv6 = kV6, .ip_length_delta = 1, .udp_length_delta = 1},
     FrameKind::Malformed},
    {"ipv6_length_under_8",
     {.ipv6 = kV6, .payload = 0, .ip_length_delta = -1, .udp_length_delta = -1},
     FrameKind::Malformed},
    // 0 would be a jumbogram (RFC 2675), which needs a hop-by-hop option.
    {"ipv6_jumbo_length_0", {.ipv6 = kV6, .ip_length_delta = -20}, FrameKind::Malformed},
    {"udp_length_over_ip", {.udp_length_delta = 1}, FrameKind::Malformed},
    {"udp_length_under_ip", {.udp_length_delta = -1}, FrameKind::Malformed},
    {"udp_length_under_8",
     {.payload = 0, .udp_length_delta = -1, .padding = 18},
     FrameKind::Malformed},
    {"udp_length_in_padding", {.udp_length_delta = 4, .padding = 10}, FrameKind::Malformed},
    {"ipv6_udp_length_over_ip", {.ipv6 = kV6, .udp_length_delta = 1}, FrameKind::Malformed},
    {"ipv6_udp_length_under_ip", {.ipv6 = kV6, .udp_length_delta = -2}, FrameKind::Malformed},
    {"ipv4_header_checksum_wrong", {.bad_ip_checksum = true}, FrameKind::Malformed},
    {"source_port_0", {.src_port = 0}, FrameKind::Malformed},
    {"ipv6_source_port_0", {.ipv6 = kV6, .src_port = 0}, FrameKind::Malformed},
    {"ipv6_udp_checksum_0", {.ipv6 = kV6, .zero_udp_checksum = true}, FrameKind::Malformed},
    // Over IPv4 a zero UDP checksum means "not computed" (RFC 768).
    {"ipv4_udp_checksum_0", {.zero_udp_checksum = true}, FrameKind::Query, 42, 12},
};

class ParseFrame : public ::testing::TestWithParam<ParseCase> {};

TEST_P(ParseFrame, Classifies) {
    const ParseCase& c = GetParam();
    const Bytes frame = build_frame(c.spec);
    UdpFrame out;
    out.payload_offset = 999;
    const FrameKind kind = parse_udp_frame(frame, kPort, out);
    ASSERT_EQ(static_cast<int>(kind), static_cast<int>(c.kind));
    if (kind != FrameKind::Query) {
        EXPECT_EQ(out.payload_offset, 999u) << "filled for a frame that is not a query";
        return;
    }
    EXPECT_EQ(out.payload_offset, c.payload_offset);
    EXPECT_EQ(out.payload_length, c.payload_length);
    EXPECT_LE(out.payload_offset + out.payload_length, frame.size());
    EXPECT_EQ(out.ipv6, c.spec.ipv6);
    EXPECT_EQ(out.vlan_tags, c.spec.tags.size());
    EXPECT_EQ(out.client_port, c.spec.src_port);
    EXPECT_EQ(out.server_port, c.spec.dst_port);
    const std::size_t address_length = c.spec.ipv6 ? 16 : 4;
    const Bytes client = client_ip(c.spec.ipv6);
    const Bytes server = c.spec.dst_ip ? *c.spec.dst_ip : server_ip(c.spec.ipv6);
    EXPECT_EQ(Bytes(out.client_address.begin(), out.client_address.begin() + address_length),
              client);
    EXPECT_EQ(Bytes(out.server_address.begin(), out.server_address.begin() + address_length),
              server);
    // IPv4: the rest of the 16 octets stays 0.
    for (std::size_t i = address_length; i < 16; ++i) {
        EXPECT_EQ(out.client_address[i], 0);
        EXPECT_EQ(out.server_address[i], 0);
    }
    // The payload is the one the builder wrote (i * 13 + 5).
    for (std::size_t i = 0; i < out.payload_length; ++i)
        ASSERT_EQ(frame[out.payload_offset + i], static_cast<std::uint8_t>(i * 13 + 5)) << i;
}

INSTANTIATE_TEST_SUITE_P(Frames, ParseFrame, ::testing::ValuesIn(kCases),
                         [](const ::testing::TestParamInfo<ParseCase>& info) {
                             return std::string(info.param.name);
                         });

// Every prefix of a query frame is NotOurs or Malformed, never a Query, and never read past
// (each prefix is its own allocation, so the sanitizer tree sees an overread).
TEST(ParseFrame, EveryPrefixIsRefused) {
    for (const Spec& spec : {Spec{.tags = {kSTag, kCTag}}, Spec{.tags = {kCTag}, .ipv6 = kV6}}) {
        const Bytes whole = build_frame(spec);
        UdpFrame out;
        ASSERT_EQ(parse_udp_frame(whole, kPort, out), FrameKind::Query);
        for (std::size_t n = 0; n < whole.size(); ++n) {
            const Bytes prefix(whole.begin(), whole.begin() + static_cast<std::ptrdiff_t>(n));
            EXPECT_NE(parse_udp_frame(prefix, kPort, out), FrameKind::Query) << n;
        }
    }
}

}  // namespace
}  // namespace sipdns::xdp::test
