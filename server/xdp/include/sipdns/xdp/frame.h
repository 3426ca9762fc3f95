// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// The frames of the AF_XDP fast path without sockets or libxdp: which received Ethernet frames
// are UDP queries to the served port, and the headers of the reply frame. The BPF program
// (server/xdp/bpf) redirects by the same rule; what it does not redirect the kernel answers.
//
// The rule: Ethernet II, then at most two VLAN tags (IEEE 802.1Q C-tag 0x8100, S-tag 0x88a8),
// then
//   IPv4 (RFC 791) with IHL == 5 (no options), not a fragment (MF == 0 and offset == 0),
//   protocol 17 (UDP); or
//   IPv6 (RFC 8200) with next header 17 directly (no extension headers);
// then UDP (RFC 768) with destination port == the served port and a length consistent with the
// IP length. Octets after the IP packet are Ethernet padding (frames shorter than 60 octets are
// padded) and ignored. Pure functions of their arguments: no allocation, no state.
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace sipdns::xdp {

struct UdpFrame {
    std::size_t payload_offset = 0;  // where the DNS message starts (= length of all headers)
    std::size_t payload_length = 0;  // from the UDP length field, bounds-checked
    bool ipv6 = false;
    std::array<std::uint8_t, 16> client_address{};  // IPv4: first 4 bytes
    std::array<std::uint8_t, 16> server_address{};  // the query's destination
    std::uint16_t client_port = 0;                  // host order
    std::uint16_t server_port = 0;                  // host order
    std::uint8_t vlan_tags = 0;                     // 0..2, kept in the reply
};

// NotOurs: another protocol or port, a third VLAN tag, IPv4 options, fragments, IPv6 extension
// headers, or a frame too short to show its UDP header (the BPF program passes these to the
// kernel). Malformed: IPv4/IPv6 UDP to our port whose lengths do not add up (IP length against
// the frame, UDP length against the IP length), a wrong IPv4 header checksum, source port 0
// (RFC 768: no port to answer to), or an IPv6 UDP checksum of 0 (RFC 8200 §8.1: discarded).
enum class FrameKind : std::uint8_t { Query, NotOurs, Malformed };

// Classifies `frame`; fills `out` only for a Query. Reads nothing outside `frame`.
FrameKind parse_udp_frame(std::span<const std::uint8_t> frame, std::uint16_t port, UdpFrame& out);

// Writes the reply's headers into `reply` (any buffer, usually not the query's; the answer
// payload is already at reply[query.payload_offset ...]): MACs swapped, VLAN tags kept,
// addresses and ports swapped, IPv4 TTL / IPv6 hop limit 64, IPv4 ID 0 + DF, lengths set, IPv4
// header checksum and UDP checksum computed (mandatory for IPv6, RFC 8200 §8.1; also set for
// IPv4). `query` is what parse_udp_frame() said about `query_frame`. Returns the whole frame
// length (query.payload_offset + payload_length), or 0 when it does not fit in `reply` or in the
// IP/UDP length fields.
std::size_t write_reply_headers(std::span<const std::uint8_t> query_frame, const UdpFrame& query,
                                std::span<std::uint8_t> reply, std::size_t payload_length);

// The ones' complement sum of `bytes` (RFC 1071), folded to 16 bits, as the value of the two
// octets that hold it in network order. `initial` is an earlier sum of an even-length part to
// continue from. The Internet checksum of a header is the complement of this sum.
std::uint16_t ones_complement_sum(std::span<const std::uint8_t> bytes, std::uint16_t initial = 0);

}  // namespace sipdns::xdp
