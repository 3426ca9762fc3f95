// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#include "sipdns/xdp/frame.h"

#include <bit>
#include <cstring>

namespace sipdns::xdp {

namespace {

// Ethernet II: destination MAC, source MAC, EtherType (IEEE 802.3 §3.2.6).
constexpr std::size_t kEthernetHeader = 14;
constexpr std::size_t kMacLength = 6;
constexpr std::size_t kEtherTypeOffset = 12;
// IEEE 802.1Q §9.6: a tag is the TPID (the EtherType position) and 2 octets of TCI; the
// EtherType of what follows comes after it.
constexpr std::size_t kVlanTag = 4;
constexpr std::uint8_t kMaxVlanTags = 2;
constexpr std::uint16_t kEtherTypeCTag = 0x8100;  // IEEE 802.1Q customer VLAN tag
constexpr std::uint16_t kEtherTypeSTag = 0x88a8;  // IEEE 802.1Q service VLAN tag (QinQ)
constexpr std::uint16_t kEtherTypeIpv4 = 0x0800;
constexpr std::uint16_t kEtherTypeIpv6 = 0x86dd;

constexpr std::size_t kIpv4Header = 20;    // RFC 791 §3.1, IHL 5: no options
constexpr std::size_t kIpv6Header = 40;    // RFC 8200 §3
constexpr std::size_t kUdpHeader = 8;      // RFC 768
constexpr std::uint8_t kProtocolUdp = 17;  // IPv4 protocol / IPv6 next header
constexpr std::uint8_t kReplyTtl = 64;
constexpr std::size_t kMaxIpLength = 0xffff;  // the 16-bit length fields

std::uint16_t get16(const std::uint8_t* p) {
    return static_cast<std::uint16_t>(p[0] << 8 | p[1]);
}

void put16(std::uint8_t* p, std::size_t value) {
    p[0] = static_cast<std::uint8_t>(value >> 8);
    p[1] = static_cast<std::uint8_t>(value);
}

// RFC 1071 §2(B), byte order independence: the ones' complement sum of the 16-bit words loaded
// in the machine's byte order is the byte-swapped sum of the words in network order, so the
// words are summed as loaded and the folded sum is stored as it is (or swapped once to be read
// as a number). §2(C)/§4.1: wider words summed into a wider accumulator and folded at the end
// give the same sum; here two 32-bit halves of each 8-octet load go into 64 bits, which cannot
// overflow below 2^31 loads. memcpy loads: any alignment.
std::uint64_t accumulate(std::uint64_t sum, const std::uint8_t* p, std::size_t n) {
    while (n >= 8) {
        std::uint64_t word;
        std::memcpy(&word, p, 8);
        sum += (word & 0xffffffffu) + (word >> 32);
        p += 8;
        n -= 8;
    }
    if (n > 0) {
        // The tail padded with zero octets (RFC 1071 §1: an odd last octet is the high half of a
        // word whose low half is 0). Parts summed one after another must each have even length,
        // except the last.
        std::uint64_t word = 0;
        std::memcpy(&word, p, n);
        sum += (word & 0xffffffffu) + (word >> 32);
    }
    return sum;
}

// The end-around carries folded in (RFC 1071 §2(A)): 16 bits, in the machine's byte order.
std::uint16_t fold(std::uint64_t sum) {
    sum = (sum & 0xffffffffu) + (sum >> 32);
    sum = (sum & 0xffffffffu) + (sum >> 32);
    sum = (sum & 0xffffu) + (sum >> 16);
    sum = (sum & 0xffffu) + (sum >> 16);
    sum = (sum & 0xffffu) + (sum >> 16);
    return static_cast<std::uint16_t>(sum);
}

std::uint16_t machine_to_network_value(std::uint16_t v) {
    if constexpr (std::endian::native == std::endian::little) return __builtin_bswap16(v);
    return v;
}

// The checksum field: the complement of the folded sum, stored as it was summed (RFC 1071 §2(B)).
void store_checksum(std::uint8_t* field, std::uint16_t machine_order_sum) {
    const std::uint16_t checksum = static_cast<std::uint16_t>(~machine_order_sum);
    std::memcpy(field, &checksum, 2);
}

}  // namespace

std::uint16_t ones_complement_sum(std::span<const std::uint8_t> bytes, std::uint16_t initial) {
    const std::uint64_t start = machine_to_network_value(initial);  // a swap is its own inverse
    return machine_to_network_value(fold(accumulate(start, bytes.data(), bytes.size())));
}

FrameKind parse_udp_frame(std::span<const std::uint8_t> frame, std::uint16_t port, UdpFrame& out) {
    const std::uint8_t* const f = frame.data();
    const std::size_t size = frame.size();
    if (size < kEthernetHeader) return FrameKind::NotOurs;
    // IEEE 802 §8.2: the I/G bit of the destination set is a group (multicast or broadcast)
    // address — a query to many, which a unicast answer from here should not take from the
    // kernel (whose sockets decide, as for a broadcast datagram to a wildcard socket). A group
    // source address is never valid, and an answer to it would go to many.
    if ((f[0] & 0x01) != 0 || (f[6] & 0x01) != 0) return FrameKind::NotOurs;

    // IEEE 802.1Q: up to two tags (an S-tag and a C-tag, or two C-tags), each a TPID where the
    // EtherType would be; a third is more than the BPF program looks through.
    std::size_t type_at = kEtherTypeOffset;
    std::uint8_t tags = 0;
    std::uint16_t ether_type = get16(f + type_at);
    while (ether_type == kEtherTypeCTag || ether_type == kEtherTypeSTag) {
        if (tags == kMaxVlanTags) return FrameKind::NotOurs;
        type_at += kVlanTag;
        if (size < type_at + 2) return FrameKind::NotOurs;
        ++tags;
        ether_type = get16(f + type_at);
    }
    const std::size_t ip_at = type_at + 2;
    const std::size_t after_l2 = size - ip_at;  // ip_at <= size: checked above

    if (ether_type == kEtherTypeIpv4) {
        // The header and the UDP header must be there before the frame can say it is ours.
        if (after_l2 < kIpv4Header + kUdpHeader) return FrameKind::NotOurs;
        const std::uint8_t* ip = f + ip_at;
        // RFC 791 §3.1: version 4, IHL 5 (options are left to the kernel).
        if (ip[0] != 0x45) return FrameKind::NotOurs;
        // Flags and fragment offset: MF (0x2000) or a non-zero offset (0x1fff) is a fragment.
        if ((get16(ip + 6) & 0x3fff) != 0) return FrameKind::NotOurs;
        if (ip[9] != kProtocolUdp) return FrameKind::NotOurs;
        // Multicast 224.0.0.0/4 (RFC 5771) and class E up to the limited broadcast
        // 255.255.255.255 (RFC 919): the same, by IP address.
        if (ip[16] >= 224 || ip[12] >= 224) return FrameKind::NotOurs;
        const std::uint8_t* udp = ip + kIpv4Header;
        if (get16(udp + 2) != port) return FrameKind::NotOurs;

        // Ours from here: what does not add up is Malformed. The total length may be less than
        // the frame (Ethernet padding), never more.
        const std::size_t total_length = get16(ip + 2);
        if (total_length < kIpv4Header + kUdpHeader || total_length > after_l2)
            return FrameKind::Malformed;
        // RFC 791 §3.1 / RFC 1071: the header with its checksum sums to all ones.
        if (fold(accumulate(0, ip, kIpv4Header)) != 0xffff) return FrameKind::Malformed;
        // RFC 768: the UDP length counts the UDP header and data, i.e. the rest of the packet.
        const std::size_t udp_length = get16(udp + 4);
        if (udp_length != total_length - kIpv4Header) return FrameKind::Malformed;
        // RFC 768: source port 0 = no port to reply to (the kernel path cannot answer it either).
        if (get16(udp) == 0) return FrameKind::Malformed;

        out = UdpFrame{};
        out.ipv6 = false;
        std::memcpy(out.client_address.data(), ip + 12, 4);
        std::memcpy(out.server_address.data(), ip + 16, 4);
        out.client_port = get16(udp);
        out.server_port = get16(udp + 2);
        out.payload_offset = ip_at + kIpv4Header + kUdpHeader;
        out.payload_length = udp_length - kUdpHeader;
        out.vlan_tags = tags;
        return FrameKind::Query;
    }

    if (ether_type == kEtherTypeIpv6) {
        if (after_l2 < kIpv6Header + kUdpHeader) return FrameKind::NotOurs;
        const std::uint8_t* ip = f + ip_at;
        if ((ip[0] >> 4) != 6) return FrameKind::NotOurs;
        // RFC 8200 §4: any extension header (hop-by-hop, routing, fragment, ...) comes between
        // the header and UDP; only UDP directly after the header is ours.
        if (ip[6] != kProtocolUdp) return FrameKind::NotOurs;
        // Multicast ff00::/8 (RFC 4291 §2.7), to or from.
        if (ip[24] == 0xff || ip[8] == 0xff) return FrameKind::NotOurs;
        const std::uint8_t* udp = ip + kIpv6Header;
        if (get16(udp + 2) != port) return FrameKind::NotOurs;

        // RFC 8200 §3: the payload length counts what follows the header (here: UDP only); 0
        // would be a jumbogram (RFC 2675), which needs a hop-by-hop option, so is inconsistent.
        const std::size_t payload_length = get16(ip + 4);
        if (payload_length < kUdpHeader || payload_length > after_l2 - kIpv6Header)
            return FrameKind::Malformed;
        const std::size_t udp_length = get16(udp + 4);
        if (udp_length != payload_length) return FrameKind::Malformed;
        // RFC 8200 §8.1: a zero UDP checksum over IPv6 is discarded (the kernel does too).
        if (get16(udp + 6) == 0) return FrameKind::Malformed;
        if (get16(udp) == 0) return FrameKind::Malformed;  // RFC 768: no port to reply to

        out = UdpFrame{};
        out.ipv6 = true;
        std::memcpy(out.client_address.data(), ip + 8, 16);
        std::memcpy(out.server_address.data(), ip + 24, 16);
        out.client_port = get16(udp);
        out.server_port = get16(udp + 2);
        out.payload_offset = ip_at + kIpv6Header + kUdpHeader;
        out.payload_length = udp_length - kUdpHeader;
        out.vlan_tags = tags;
        return FrameKind::Query;
    }
    return FrameKind::NotOurs;
}

std::size_t write_reply_headers(std::span<const std::uint8_t> query_frame, const UdpFrame& query,
                                std::span<std::uint8_t> reply, std::size_t payload_length) {
    // `query` came from parse_udp_frame(); still, nothing here trusts it with a bound.
    if (query.vlan_tags > kMaxVlanTags) return 0;
    const std::size_t l2_length = kEthernetHeader + kVlanTag * query.vlan_tags;
    const std::size_t ip_header = query.ipv6 ? kIpv6Header : kIpv4Header;
    const std::size_t headers = l2_length + ip_header + kUdpHeader;
    if (query.payload_offset != headers || query_frame.size() < headers) return 0;
    if (payload_length > reply.size() || headers > reply.size() - payload_length) return 0;
    const std::size_t udp_length = kUdpHeader + payload_length;
    if (udp_length + (query.ipv6 ? 0 : kIpv4Header) > kMaxIpLength) return 0;

    const std::uint8_t* q = query_frame.data();
    std::uint8_t* r = reply.data();
    // Everything read from the query before anything is written: `reply` may be the query's own
    // buffer.
    std::uint8_t query_dst_mac[kMacLength];
    std::uint8_t query_src_mac[kMacLength];
    std::memcpy(query_dst_mac, q, kMacLength);
    std::memcpy(query_src_mac, q + kMacLength, kMacLength);
    const std::size_t ip_at = l2_length;
    std::uint8_t first_word[4];  // IPv4: version/IHL, TOS; IPv6: version, class, flow label
    std::memcpy(first_word, q + ip_at, 4);

    // Ethernet: back to the sender; the VLAN tags (IEEE 802.1Q, priority and VLAN ID) and the
    // EtherType as they came.
    std::memmove(r + kEtherTypeOffset, q + kEtherTypeOffset, l2_length - kEtherTypeOffset);
    std::memcpy(r, query_src_mac, kMacLength);
    std::memcpy(r + kMacLength, query_dst_mac, kMacLength);

    std::uint8_t* ip = r + ip_at;
    std::uint8_t* udp = ip + ip_header;
    std::uint64_t pseudo_sum = 0;
    if (!query.ipv6) {
        // RFC 791 §3.1.
        ip[0] = 0x45;
        // The DSCP kept, ECN cleared: our UDP answers are not ECN-capable (RFC 3168 §5).
        ip[1] = first_word[1] & 0xfc;
        put16(ip + 2, kIpv4Header + udp_length);
        put16(ip + 4, 0);       // identification: unused with DF (RFC 6864 §4.1)
        put16(ip + 6, 0x4000);  // DF, offset 0
        ip[8] = kReplyTtl;
        ip[9] = kProtocolUdp;
        put16(ip + 10, 0);
        std::memcpy(ip + 12, query.server_address.data(), 4);
        std::memcpy(ip + 16, query.client_address.data(), 4);
        store_checksum(ip + 10, fold(accumulate(0, ip, kIpv4Header)));
        // RFC 768: the pseudo-header is the addresses, zero, protocol, UDP length.
        std::uint8_t rest[4] = {0, kProtocolUdp, 0, 0};
        put16(rest + 2, udp_length);
        pseudo_sum = accumulate(accumulate(0, ip + 12, 8), rest, sizeof rest);
    } else {
        // RFC 8200 §3: version 6, traffic class and flow label as the query had them (RFC 6437
        // §3: a server may reflect the flow label), except ECN, cleared as for IPv4 (RFC 3168).
        ip[0] = static_cast<std::uint8_t>(0x60 | (first_word[0] & 0x0f));
        ip[1] = first_word[1] & 0xcf;
        ip[2] = first_word[2];
        ip[3] = first_word[3];
        put16(ip + 4, udp_length);
        ip[6] = kProtocolUdp;
        ip[7] = kReplyTtl;  // hop limit
        std::memcpy(ip + 8, query.server_address.data(), 16);
        std::memcpy(ip + 24, query.client_address.data(), 16);
        // RFC 8200 §8.1: addresses, 32-bit upper-layer length, 3 zero octets, next header.
        std::uint8_t rest[8] = {};
        put16(rest + 2, udp_length);
        rest[7] = kProtocolUdp;
        pseudo_sum = accumulate(accumulate(0, ip + 8, 32), rest, sizeof rest);
    }

    // RFC 768: ports swapped, length, checksum over pseudo-header, header and data.
    put16(udp, query.server_port);
    put16(udp + 2, query.client_port);
    put16(udp + 4, udp_length);
    put16(udp + 6, 0);
    const std::uint16_t sum =
        fold(accumulate(accumulate(pseudo_sum, udp, kUdpHeader), udp + kUdpHeader, payload_length));
    // RFC 768: a computed checksum of 0 is sent as all ones (0 means "none", which RFC 8200 §8.1
    // forbids for IPv6). ~sum == 0 exactly when sum == 0xffff, in either byte order.
    if (sum == 0xffff)
        put16(udp + 6, 0xffff);
    else
        store_checksum(udp + 6, sum);
    return headers + payload_length;
}

}  // namespace sipdns::xdp
