// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
// libFuzzer target: the AF_XDP frames (server/xdp frame.h) on arbitrary bytes as a received
// Ethernet frame. parse_udp_frame() must never read outside the frame (its own allocation, so
// ASan sees an overread); for a Query the payload lies inside the frame. Then
// write_reply_headers() with an arbitrary answer length into a separate buffer of exactly the
// reply's size: the reply must parse as a Query to the client's port with addresses, ports and
// VLAN tags the other way round, its IPv4 header and UDP checksums must verify by an
// independent word-by-word RFC 1071 sum (RFC 791, RFC 768, RFC 8200 §8.1), the answer octets
// must be untouched, and written in place into the query's own buffer the reply must be the
// same. A buffer one octet short, or an answer the 16-bit length fields cannot hold, gives 0
// and no write.
//
// Input layout:
//   bytes 0-1   the answer length (network order): modulo 1501 unless bit 0 of byte 2 is set
//   byte 2      bit 0: the full 16-bit length; bit 1: the reply buffer one octet short
//   rest        the frame, served port 53
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <span>
#include <vector>

#include "sipdns/xdp/frame.h"

namespace {

using sipdns::xdp::FrameKind;
using sipdns::xdp::UdpFrame;
using Bytes = std::vector<std::uint8_t>;

constexpr std::uint16_t kPort = 53;

[[noreturn]] void violated(const char* what) {
    std::fprintf(stderr, "fuzz_xdp_frame: property violated: %s\n", what);
    __builtin_trap();
}
#define CHECK(cond)                   \
    do {                              \
        if (!(cond)) violated(#cond); \
    } while (0)

std::uint16_t get16(const std::uint8_t* p) {
    return static_cast<std::uint16_t>(p[0] << 8 | p[1]);
}

// RFC 1071 §1, one 16-bit network-order word at a time, the carry added back at once; an odd
// last octet is the high half of a word.
std::uint32_t add_words(std::uint32_t sum, const std::uint8_t* p, std::size_t n) {
    for (std::size_t i = 0; i < n; i += 2) {
        sum += static_cast<std::uint32_t>(p[i]) << 8 | (i + 1 < n ? p[i + 1] : 0u);
        if (sum > 0xffff) sum = (sum & 0xffff) + 1;
    }
    return sum;
}

void check_reply(std::span<const std::uint8_t> query, const UdpFrame& q, const Bytes& reply,
                 const Bytes& answer) {
    const std::size_t l2 = 14 + 4u * q.vlan_tags;
    const std::size_t ip_header = q.ipv6 ? 40 : 20;
    const std::size_t udp = l2 + ip_header;
    const std::size_t udp_length = 8 + answer.size();
    CHECK(reply.size() == udp + udp_length);
    CHECK(std::memcmp(reply.data(), query.data() + 6, 6) == 0);
    CHECK(std::memcmp(reply.data() + 6, query.data(), 6) == 0);
    CHECK(std::memcmp(reply.data() + 12, query.data() + 12, l2 - 12) == 0);  // tags, EtherType
    std::uint32_t pseudo = 0;
    if (!q.ipv6) {
        CHECK(reply[l2] == 0x45);
        CHECK(get16(&reply[l2 + 2]) == 20 + udp_length);
        CHECK(get16(&reply[l2 + 6]) == 0x4000);
        CHECK(reply[l2 + 8] == 64 && reply[l2 + 9] == 17);
        CHECK(add_words(0, &reply[l2], 20) == 0xffff);  // the header checksum
        const std::uint8_t rest[4] = {0, 17, static_cast<std::uint8_t>(udp_length >> 8),
                                      static_cast<std::uint8_t>(udp_length)};
        pseudo = add_words(add_words(0, &reply[l2 + 12], 8), rest, 4);
    } else {
        CHECK(reply[l2] >> 4 == 6);
        CHECK(get16(&reply[l2 + 4]) == udp_length);
        CHECK(reply[l2 + 6] == 17 && reply[l2 + 7] == 64);
        const std::uint8_t rest[8] = {0,
                                      0,
                                      static_cast<std::uint8_t>(udp_length >> 8),
                                      static_cast<std::uint8_t>(udp_length),
                                      0,
                                      0,
                                      0,
                                      17};
        pseudo = add_words(add_words(0, &reply[l2 + 8], 32), rest, 8);
    }
    CHECK(get16(&reply[udp + 6]) != 0);
    CHECK(add_words(pseudo, &reply[udp], udp_length) == 0xffff);  // the UDP checksum
    CHECK(std::equal(answer.begin(), answer.end(),
                     reply.begin() + static_cast<std::ptrdiff_t>(udp + 8)));

    UdpFrame back;
    CHECK(sipdns::xdp::parse_udp_frame(reply, q.client_port, back) == FrameKind::Query);
    CHECK(back.ipv6 == q.ipv6 && back.vlan_tags == q.vlan_tags);
    CHECK(back.payload_offset == q.payload_offset && back.payload_length == answer.size());
    CHECK(back.client_address == q.server_address && back.server_address == q.client_address);
    CHECK(back.client_port == q.server_port && back.server_port == q.client_port);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 3) return 0;
    const bool full_length = (data[2] & 1) != 0;
    const bool short_buffer = (data[2] & 2) != 0;
    const std::size_t answer_length = full_length ? get16(data) : get16(data) % 1501u;
    const Bytes frame(data + 3, data + size);

    UdpFrame q;
    const FrameKind kind = sipdns::xdp::parse_udp_frame(frame, kPort, q);
    if (kind != FrameKind::Query) return 0;
    CHECK(q.vlan_tags <= 2);
    CHECK(q.payload_offset == 14 + 4u * q.vlan_tags + (q.ipv6 ? 40 : 20) + 8);
    CHECK(q.payload_length <= frame.size() - q.payload_offset);
    CHECK(q.server_port == kPort && q.client_port != 0);

    Bytes answer(answer_length);
    std::uint32_t state = static_cast<std::uint32_t>(answer_length) * 2654435761u + size;
    for (auto& octet : answer) {
        state = state * 1103515245u + 12345u;
        octet = static_cast<std::uint8_t>(state >> 16);
    }
    const std::size_t fits = q.ipv6 ? 65535 - 8 : 65535 - 28;
    const std::size_t length = q.payload_offset + answer_length;

    Bytes reply(length - (short_buffer ? 1 : 0), 0xa5);
    const std::size_t copied = std::min(answer_length, reply.size() - q.payload_offset);
    std::copy_n(answer.begin(), copied,
                reply.begin() + static_cast<std::ptrdiff_t>(q.payload_offset));
    const Bytes before = reply;
    const std::size_t written = sipdns::xdp::write_reply_headers(frame, q, reply, answer_length);
    if (short_buffer || answer_length > fits) {
        CHECK(written == 0);
        CHECK(reply == before);
        return 0;
    }
    CHECK(written == length);
    check_reply(frame, q, reply, answer);

    // In place: the query's own buffer, grown to the reply's size.
    Bytes in_place = frame;
    in_place.resize(std::max(in_place.size(), length));
    std::copy(answer.begin(), answer.end(),
              in_place.begin() + static_cast<std::ptrdiff_t>(q.payload_offset));
    CHECK(sipdns::xdp::write_reply_headers(in_place, q, in_place, answer_length) == length);
    CHECK(std::equal(reply.begin(), reply.end(), in_place.begin()));
    return 0;
}
