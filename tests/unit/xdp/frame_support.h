// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// Frames for the xdp tests, built field by field, and the checks of a reply, all with their own
// RFC 1071 sum taken octet pair by octet pair (never the library's).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace sipdns::xdp::test {

using Bytes = std::vector<std::uint8_t>;

// RFC 1071 §1: the 16-bit ones' complement sum of `data` (network order, an odd last octet is
// the high half of a word), one word at a time with the end-around carry added at once.
std::uint16_t reference_sum(const Bytes& data, std::uint32_t start = 0);

inline const Bytes kClientMac = {0x02, 0, 0, 0, 0, 0x02};
inline const Bytes kServerMac = {0x02, 0, 0, 0, 0, 0x01};

// One Ethernet frame from the client to the server. Defaults: a UDP query from port 40000 to 53.
struct Spec {
    std::vector<std::uint16_t> tags{};  // TPIDs (0x8100, 0x88a8), outermost first
    bool ipv6 = false;
    std::uint8_t version = 0;      // 0: 4 or 6 as `ipv6` says
    std::uint8_t protocol = 17;    // IPv4 protocol / IPv6 next header
    bool hop_by_hop = false;       // IPv6: an 8-octet hop-by-hop header before UDP (RFC 8200 §4.3)
    std::uint16_t fragment = 0;    // IPv4 flags + fragment offset
    std::size_t ipv4_options = 0;  // octets of NOP options (IHL grows)
    std::uint8_t tos = 0;          // IPv4 TOS / IPv6 traffic class
    std::uint32_t flow_label = 0;
    std::uint16_t src_port = 40000;
    std::uint16_t dst_port = 53;
    std::size_t payload = 12;
    int ip_length_delta = 0;           // added to the IP length field
    int udp_length_delta = 0;          // added to the UDP length field
    std::size_t padding = 0;           // octets after the IP packet (Ethernet padding)
    std::optional<std::size_t> cut{};  // the frame cut to this many octets
    bool bad_ip_checksum = false;
    bool zero_udp_checksum = false;
    std::optional<Bytes> dst_mac{};  // instead of the server's MAC
    std::optional<Bytes> dst_ip{};   // instead of server_ip()
    std::optional<Bytes> src_mac{};  // instead of the client's MAC
    std::optional<Bytes> src_ip{};   // instead of client_ip()
};

// The client's and server's addresses in the built frames.
Bytes client_ip(bool ipv6);
Bytes server_ip(bool ipv6);

Bytes build_frame(const Spec& spec);

}  // namespace sipdns::xdp::test
