// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
// write_reply_headers and ones_complement_sum (server/xdp): reply frames checked field by field
// and with the test's own RFC 1071 sums (IPv4 header, RFC 768 / RFC 8200 §8.1 pseudo-header),
// re-parsed as frames to the client's port, and compared with frames made independently.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>

#include "sipdns/xdp/frame.h"
#include "xdp/frame_support.h"

namespace sipdns::xdp::test {
namespace {

constexpr std::uint16_t kCTag = 0x8100;
constexpr std::uint16_t kSTag = 0x88a8;
constexpr bool kV6 = true;

std::uint16_t get16(const Bytes& b, std::size_t at) {
    return static_cast<std::uint16_t>(b[at] << 8 | b[at + 1]);
}

Bytes slice(const Bytes& b, std::size_t at, std::size_t n) {
    return Bytes(b.begin() + static_cast<std::ptrdiff_t>(at),
                 b.begin() + static_cast<std::ptrdiff_t>(at + n));
}

Bytes answer_bytes(std::size_t n, unsigned seed) {
    std::mt19937 random(seed);
    Bytes b(n);
    for (auto& octet : b) octet = static_cast<std::uint8_t>(random());
    return b;
}

// Every field of `reply` against the query it answers, with independent sums.
void check_reply(const Bytes& query, const UdpFrame& q, const Bytes& reply, const Bytes& answer) {
    const std::size_t l2 = 14 + 4u * q.vlan_tags;
    const std::size_t ip_header = q.ipv6 ? 40 : 20;
    ASSERT_EQ(reply.size(), l2 + ip_header + 8 + answer.size());
    // Ethernet: MACs swapped; tags and EtherType as they came (IEEE 802.1Q).
    EXPECT_EQ(slice(reply, 0, 6), slice(query, 6, 6));
    EXPECT_EQ(slice(reply, 6, 6), slice(query, 0, 6));
    EXPECT_EQ(slice(reply, 12, l2 - 12), slice(query, 12, l2 - 12));
    const std::size_t udp_length = 8 + answer.size();
    const std::size_t udp = l2 + ip_header;
    Bytes pseudo;
    if (!q.ipv6) {
        // RFC 791 §3.1.
        EXPECT_EQ(reply[l2], 0x45);
        EXPECT_EQ(reply[l2 + 1], query[l2 + 1] & 0xfc) << "DSCP kept, ECN cleared";
        EXPECT_EQ(get16(reply, l2 + 2), 20 + udp_length);
        EXPECT_EQ(get16(reply, l2 + 4), 0);
        EXPECT_EQ(get16(reply, l2 + 6), 0x4000) << "DF, not a fragment";
        EXPECT_EQ(reply[l2 + 8], 64);
        EXPECT_EQ(reply[l2 + 9], 17);
        EXPECT_EQ(slice(reply, l2 + 12, 4), slice(query, l2 + 16, 4));
        EXPECT_EQ(slice(reply, l2 + 16, 4), slice(query, l2 + 12, 4));
        EXPECT_EQ(reference_sum(slice(reply, l2, 20)), 0xffff) << "IPv4 header checksum";
        pseudo = slice(reply, l2 + 12, 8);
        pseudo.insert(pseudo.end(), {0, 17, static_cast<std::uint8_t>(udp_length >> 8),
                                     static_cast<std::uint8_t>(udp_length)});
    } else {
        // RFC 8200 §3: version, traffic class (ECN cleared), flow label, lengths, addresses.
        EXPECT_EQ(reply[l2] >> 4, 6);
        const unsigned query_class = (query[l2] & 0x0f) << 4 | query[l2 + 1] >> 4;
        const unsigned reply_class = (reply[l2] & 0x0f) << 4 | reply[l2 + 1] >> 4;
        EXPECT_EQ(reply_class, query_class & 0xfc);
        EXPECT_EQ(reply[l2 + 1] & 0x0f, query[l2 + 1] & 0x0f) << "flow label";
        EXPECT_EQ(slice(reply, l2 + 2, 2), slice(query, l2 + 2, 2)) << "flow label";
        EXPECT_EQ(get16(reply, l2 + 4), udp_length);
        EXPECT_EQ(reply[l2 + 6], 17);
        EXPECT_EQ(reply[l2 + 7], 64);
        EXPECT_EQ(slice(reply, l2 + 8, 16), slice(query, l2 + 24, 16));
        EXPECT_EQ(slice(reply, l2 + 24, 16), slice(query, l2 + 8, 16));
        pseudo = slice(reply, l2 + 8, 32);
        pseudo.insert(pseudo.end(), {0, 0, static_cast<std::uint8_t>(udp_length >> 8),
                                     static_cast<std::uint8_t>(udp_length), 0, 0, 0, 17});
    }
    // RFC 768: ports swapped, length, checksum (never 0, RFC 8200 §8.1) over the pseudo-header.
    EXPECT_EQ(get16(reply, udp), get16(query, l2 + ip_header + 2));
    EXPECT_EQ(get16(reply, udp + 2), get16(query, l2 + ip_header));
    EXPECT_EQ(get16(reply, udp + 4), udp_length);
    EXPECT_NE(get16(reply, udp + 6), 0);
    const Bytes segment = slice(reply, udp, udp_length);
    pseudo.insert(pseudo.end(), segment.begin(), segment.end());
    EXPECT_EQ(reference_sum(pseudo), 0xffff) << "UDP checksum";
    EXPECT_EQ(slice(reply, udp + 8, answer.size()), answer) << "payload untouched";

    // The reply is a frame to the client's port, addresses and ports the other way round.
    UdpFrame back;
    ASSERT_EQ(parse_udp_frame(reply, q.client_port, back), FrameKind::Query);
    EXPECT_EQ(back.ipv6, q.ipv6);
    EXPECT_EQ(back.vlan_tags, q.vlan_tags);
    EXPECT_EQ(back.payload_offset, q.payload_offset);
    EXPECT_EQ(back.payload_length, answer.size());
    EXPECT_EQ(back.client_address, q.server_address);
    EXPECT_EQ(back.server_address, q.client_address);
    EXPECT_EQ(back.client_port, q.server_port);
    EXPECT_EQ(back.server_port, q.client_port);
}

struct ReplyCase {
    const char* name;
    Spec query;
    std::size_t answer_length;
};

const ReplyCase kReplyCases[] = {
    {"ipv4", {}, 60},
    {"ipv6", {.ipv6 = kV6}, 60},
    {"ipv4_c_tag", {.tags = {kCTag}}, 61},
    {"ipv6_c_tag", {.tags = {kCTag}, .ipv6 = kV6}, 61},
    {"ipv4_s_and_c_tags", {.tags = {kSTag, kCTag}}, 97},
    {"ipv6_s_and_c_tags", {.tags = {kSTag, kCTag}, .ipv6 = kV6}, 97},
    {"ipv4_tos_with_ecn", {.tos = 0xbb}, 33},
    {"ipv6_class_with_ecn_and_flow_label", {.ipv6 = kV6, .tos = 0x2e, .flow_label = 0xfedcb}, 33},
    {"ipv4_padded_query", {.payload = 4, .padding = 14}, 512},
    {"ipv4_empty_answer", {}, 0},
    {"ipv6_one_octet_answer", {.ipv6 = kV6}, 1},
    {"ipv4_answer_larger_than_query", {}, 1452},
    {"ipv6_answer_4096", {.ipv6 = kV6}, 4096},
    {"ipv4_largest", {}, 65535 - 28},
    {"ipv6_largest", {.ipv6 = kV6}, 65535 - 8},
    {"ipv4_odd_port", {.src_port = 0xffff, .dst_port = 1}, 7},
};

class ReplyFrame : public ::testing::TestWithParam<ReplyCase> {};

TEST_P(ReplyFrame, SwapsAndSums) {
    const ReplyCase& c = GetParam();
    const Bytes query = build_frame(c.query);
    UdpFrame q;
    ASSERT_EQ(parse_udp_frame(query, c.query.dst_port, q), FrameKind::Query);
    const Bytes answer = answer_bytes(c.answer_length, static_cast<unsigned>(c.answer_length));
    // A separate buffer, larger than the reply, with junk where the headers go.
    Bytes buffer(q.payload_offset + answer.size() + 100, 0xa5);
    std::copy(answer.begin(), answer.end(),
              buffer.begin() + static_cast<std::ptrdiff_t>(q.payload_offset));
    const std::size_t length = write_reply_headers(query, q, buffer, answer.size());
    ASSERT_EQ(length, q.payload_offset + answer.size());
    for (std::size_t i = length; i < buffer.size(); ++i) ASSERT_EQ(buffer[i], 0xa5) << i;
    check_reply(query, q, slice(buffer, 0, length), answer);

    // In the query's own buffer (answering in place) the reply is the same.
    Bytes in_place = query;
    in_place.resize(std::max(in_place.size(), length));
    std::copy(answer.begin(), answer.end(),
              in_place.begin() + static_cast<std::ptrdiff_t>(q.payload_offset));
    ASSERT_EQ(write_reply_headers(in_place, q, in_place, answer.size()), length);
    EXPECT_EQ(slice(in_place, 0, length), slice(buffer, 0, length));
}

// One octet short of the reply: nothing is written.
TEST_P(ReplyFrame, RefusesABufferTooSmall) {
    const ReplyCase& c = GetParam();
    const Bytes query = build_frame(c.query);
    UdpFrame q;
    ASSERT_EQ(parse_udp_frame(query, c.query.dst_port, q), FrameKind::Query);
    Bytes buffer(q.payload_offset + c.answer_length - 1, 0xa5);
    EXPECT_EQ(write_reply_headers(query, q, buffer, c.answer_length), 0u);
    EXPECT_TRUE(
        std::all_of(buffer.begin(), buffer.end(), [](std::uint8_t b) { return b == 0xa5; }));
}

INSTANTIATE_TEST_SUITE_P(Frames, ReplyFrame, ::testing::ValuesIn(kReplyCases),
                         [](const ::testing::TestParamInfo<ReplyCase>& info) {
                             return std::string(info.param.name);
                         });

// Answers too long for the 16-bit length fields: IPv4 total length, IPv6 payload length.
TEST(ReplyFrame, RefusesWhatTheLengthFieldsCannotHold) {
    for (const bool ipv6 : {false, true}) {
        const Bytes query = build_frame({.ipv6 = ipv6});
        UdpFrame q;
        ASSERT_EQ(parse_udp_frame(query, 53, q), FrameKind::Query);
        const std::size_t too_long = ipv6 ? 65535 - 8 + 1 : 65535 - 28 + 1;
        Bytes buffer(q.payload_offset + too_long + 10);
        EXPECT_EQ(write_reply_headers(query, q, buffer, too_long), 0u) << ipv6;
        EXPECT_EQ(write_reply_headers(query, q, buffer, too_long - 1),
                  q.payload_offset + too_long - 1)
            << ipv6;
    }
}

// A query description that does not match its frame is refused, not trusted.
TEST(ReplyFrame, RefusesAnInconsistentQuery) {
    const Bytes query = build_frame({.tags = {kCTag}});
    UdpFrame q;
    ASSERT_EQ(parse_udp_frame(query, 53, q), FrameKind::Query);
    Bytes buffer(2000);
    UdpFrame wrong = q;
    wrong.vlan_tags = 3;
    EXPECT_EQ(write_reply_headers(query, wrong, buffer, 10), 0u);
    wrong = q;
    wrong.payload_offset = 42;
    EXPECT_EQ(write_reply_headers(query, wrong, buffer, 10), 0u);
    wrong = q;
    wrong.ipv6 = true;
    EXPECT_EQ(write_reply_headers(query, wrong, buffer, 10), 0u);
    const Bytes headers_only = slice(query, 0, q.payload_offset - 1);
    EXPECT_EQ(write_reply_headers(headers_only, q, buffer, 10), 0u);
}

// RFC 768: a checksum that comes out 0 is sent as all ones. The answer's last word is chosen so
// that the sum is 0xffff: the checksum with that word 0, added once more, completes it.
TEST(ReplyFrame, ZeroChecksumIsSentAsAllOnes) {
    for (const bool ipv6 : {false, true}) {
        const Bytes query = build_frame({.ipv6 = ipv6});
        UdpFrame q;
        ASSERT_EQ(parse_udp_frame(query, 53, q), FrameKind::Query);
        Bytes answer = answer_bytes(40, 7);
        answer[38] = answer[39] = 0;
        Bytes buffer(q.payload_offset + answer.size());
        std::copy(answer.begin(), answer.end(),
                  buffer.begin() + static_cast<std::ptrdiff_t>(q.payload_offset));
        ASSERT_NE(write_reply_headers(query, q, buffer, answer.size()), 0u);
        const std::size_t checksum_at = q.payload_offset - 2;
        ASSERT_NE(get16(buffer, checksum_at), 0xffff);
        answer[38] = buffer[checksum_at];
        answer[39] = buffer[checksum_at + 1];
        std::copy(answer.begin(), answer.end(),
                  buffer.begin() + static_cast<std::ptrdiff_t>(q.payload_offset));
        ASSERT_NE(write_reply_headers(query, q, buffer, answer.size()), 0u);
        EXPECT_EQ(get16(buffer, checksum_at), 0xffff) << ipv6;
        check_reply(query, q, buffer, answer);
    }
}

// Frames made by tests/unit/xdp/make_golden_frames.py (struct.pack, its own checksum), outside
// this code: a query, and the reply it must give with the answer octets (i * 7 + 3) & 0xff.
const Bytes kQuery4 = {
    0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x81, 0x00, 0x20,
    0x64, 0x08, 0x00, 0x45, 0xb9, 0x00, 0x39, 0x12, 0x34, 0x00, 0x00, 0x3f, 0x11, 0xdc, 0x9f,
    0xc6, 0x12, 0x00, 0x02, 0xc6, 0x12, 0x00, 0x01, 0x9c, 0x40, 0x00, 0x35, 0x00, 0x25, 0x31,
    0x9f, 0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3a, 0x3b, 0x3c, 0x3d,
    0x3e, 0x3f, 0x40, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49, 0x4a, 0x4b, 0x4c,
};
const Bytes kReply4 = {
    0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x81, 0x00, 0x20, 0x64,
    0x08, 0x00, 0x45, 0xb8, 0x00, 0x49, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11, 0xad, 0xc4, 0xc6, 0x12,
    0x00, 0x01, 0xc6, 0x12, 0x00, 0x02, 0x00, 0x35, 0x9c, 0x40, 0x00, 0x35, 0xb2, 0x5e, 0x03, 0x0a,
    0x11, 0x18, 0x1f, 0x26, 0x2d, 0x34, 0x3b, 0x42, 0x49, 0x50, 0x57, 0x5e, 0x65, 0x6c, 0x73, 0x7a,
    0x81, 0x88, 0x8f, 0x96, 0x9d, 0xa4, 0xab, 0xb2, 0xb9, 0xc0, 0xc7, 0xce, 0xd5, 0xdc, 0xe3, 0xea,
    0xf1, 0xf8, 0xff, 0x06, 0x0d, 0x14, 0x1b, 0x22, 0x29, 0x30, 0x37,
};
const Bytes kQuery6 = {
    0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x88, 0xa8, 0x00,
    0x0a, 0x81, 0x00, 0x00, 0x14, 0x86, 0xdd, 0x6b, 0x91, 0x23, 0x45, 0x00, 0x25, 0x11, 0x40,
    0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x02, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x01, 0x14, 0xe9, 0x00, 0x35, 0x00, 0x25, 0xe9, 0xa9, 0x30, 0x31, 0x32, 0x33, 0x34,
    0x35, 0x36, 0x37, 0x38, 0x39, 0x3a, 0x3b, 0x3c, 0x3d, 0x3e, 0x3f, 0x40, 0x41, 0x42, 0x43,
    0x44, 0x45, 0x46, 0x47, 0x48, 0x49, 0x4a, 0x4b, 0x4c,
};
const Bytes kReply6 = {
    0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x88, 0xa8, 0x00,
    0x0a, 0x81, 0x00, 0x00, 0x14, 0x86, 0xdd, 0x6b, 0x81, 0x23, 0x45, 0x00, 0x35, 0x11, 0x40,
    0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x01, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x02, 0x00, 0x35, 0x14, 0xe9, 0x00, 0x35, 0x6a, 0x69, 0x03, 0x0a, 0x11, 0x18, 0x1f,
    0x26, 0x2d, 0x34, 0x3b, 0x42, 0x49, 0x50, 0x57, 0x5e, 0x65, 0x6c, 0x73, 0x7a, 0x81, 0x88,
    0x8f, 0x96, 0x9d, 0xa4, 0xab, 0xb2, 0xb9, 0xc0, 0xc7, 0xce, 0xd5, 0xdc, 0xe3, 0xea, 0xf1,
    0xf8, 0xff, 0x06, 0x0d, 0x14, 0x1b, 0x22, 0x29, 0x30, 0x37,
};

TEST(ReplyFrame, MatchesFramesMadeIndependently) {
    const Bytes answer = [] {
        Bytes b(45);
        for (std::size_t i = 0; i < b.size(); ++i) b[i] = static_cast<std::uint8_t>(i * 7 + 3);
        return b;
    }();
    for (const auto& [query, expected] :
         {std::pair{kQuery4, kReply4}, std::pair{kQuery6, kReply6}}) {
        UdpFrame q;
        ASSERT_EQ(parse_udp_frame(query, 53, q), FrameKind::Query);
        EXPECT_EQ(q.payload_length, 29u);
        Bytes reply(expected.size());
        std::copy(answer.begin(), answer.end(),
                  reply.begin() + static_cast<std::ptrdiff_t>(q.payload_offset));
        ASSERT_EQ(write_reply_headers(query, q, reply, answer.size()), expected.size());
        EXPECT_EQ(reply, expected);
    }
}

// RFC 1071 §3's example: 00 01 f2 03 f4 f5 f6 f7 sums to 0xddf2.
TEST(OnesComplementSum, Rfc1071Example) {
    const Bytes example = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
    EXPECT_EQ(ones_complement_sum(example), 0xddf2);
    EXPECT_EQ(reference_sum(example), 0xddf2);
}

// An IPv4 header with its checksum (0xb861, the example of Wikipedia's "Internet checksum"
// article, RFC 791 layout) sums to all ones; with the field zeroed, to the checksum's complement.
TEST(OnesComplementSum, Ipv4HeaderExample) {
    Bytes header = {0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
                    0xb8, 0x61, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7};
    EXPECT_EQ(ones_complement_sum(header), 0xffff);
    header[10] = header[11] = 0;
    EXPECT_EQ(ones_complement_sum(header), static_cast<std::uint16_t>(~0xb861));
}

// Any length (odd ones too), any alignment, continued from an earlier sum: the same as the
// word-by-word reference.
TEST(OnesComplementSum, AgreesWithTheReferenceAtEveryLengthAndAlignment) {
    const Bytes data = answer_bytes(600, 1);
    std::mt19937 random(2);
    for (std::size_t offset = 0; offset < 9; ++offset) {
        for (std::size_t length = 0; length + offset <= data.size(); length += 1 + length / 16) {
            const Bytes part = slice(data, offset, length);
            const std::span<const std::uint8_t> view(data.data() + offset, length);
            ASSERT_EQ(ones_complement_sum(view), reference_sum(part)) << offset << " " << length;
            const auto initial = static_cast<std::uint16_t>(random());
            ASSERT_EQ(ones_complement_sum(view, initial), reference_sum(part, initial))
                << offset << " " << length << " " << initial;
        }
    }
    // All ones everywhere: the carries of the widest accumulation.
    // 32768 words 0xffff sum to 0xffff; 65535 octets end with the word 0xff00.
    const Bytes ones(65536, 0xff);
    EXPECT_EQ(ones_complement_sum(ones), 0xffff);
    EXPECT_EQ(ones_complement_sum(ones, 0xffff), 0xffff);
    const Bytes odd(65535, 0xff);
    EXPECT_EQ(ones_complement_sum(odd), reference_sum(odd));
    EXPECT_EQ(ones_complement_sum(odd), 0xff00);
}

}  // namespace
}  // namespace sipdns::xdp::test
