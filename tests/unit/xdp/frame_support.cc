// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#include "xdp/frame_support.h"

namespace sipdns::xdp::test {

namespace {

void put16(Bytes& b, std::size_t at, std::uint32_t v) {
    b[at] = static_cast<std::uint8_t>(v >> 8);
    b[at + 1] = static_cast<std::uint8_t>(v);
}

void append(Bytes& b, const Bytes& more) {
    b.insert(b.end(), more.begin(), more.end());
}

}  // namespace

std::uint16_t reference_sum(const Bytes& data, std::uint32_t start) {
    std::uint32_t sum = start;
    for (std::size_t i = 0; i < data.size(); i += 2) {
        const std::uint32_t hi = data[i];
        const std::uint32_t lo = i + 1 < data.size() ? data[i + 1] : 0;
        sum += hi << 8 | lo;
        if (sum > 0xffff) sum = (sum & 0xffff) + 1;  // the end-around carry
    }
    return static_cast<std::uint16_t>(sum);
}

Bytes client_ip(bool ipv6) {
    if (ipv6) return {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xc1, 0x1e};
    return {198, 18, 0, 2};
}

Bytes server_ip(bool ipv6) {
    if (ipv6) return {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x53};
    return {198, 18, 0, 1};
}

Bytes build_frame(const Spec& s) {
    Bytes f = s.dst_mac ? *s.dst_mac : kServerMac;
    append(f, s.src_mac ? *s.src_mac : kClientMac);
    std::uint16_t vlan_id = 100;
    for (std::uint16_t tpid : s.tags) {
        f.push_back(static_cast<std::uint8_t>(tpid >> 8));
        f.push_back(static_cast<std::uint8_t>(tpid));
        f.push_back(static_cast<std::uint8_t>(0x20 | vlan_id >> 8));  // PCP 1
        f.push_back(static_cast<std::uint8_t>(vlan_id));
        vlan_id += 100;
    }
    f.push_back(s.ipv6 ? 0x86 : 0x08);
    f.push_back(s.ipv6 ? 0xdd : 0x00);

    Bytes payload(s.payload);
    for (std::size_t i = 0; i < payload.size(); ++i)
        payload[i] = static_cast<std::uint8_t>(i * 13 + 5);
    const std::size_t udp_length = 8 + payload.size();
    Bytes udp(8);
    put16(udp, 0, s.src_port);
    put16(udp, 2, s.dst_port);
    put16(udp, 4, static_cast<std::uint32_t>(static_cast<int>(udp_length) + s.udp_length_delta));
    append(udp, payload);

    const Bytes src = s.src_ip ? *s.src_ip : client_ip(s.ipv6);
    const Bytes dst = s.dst_ip ? *s.dst_ip : server_ip(s.ipv6);
    // RFC 768 / RFC 8200 §8.1 pseudo-header, then the UDP checksum over it and the segment.
    Bytes pseudo = src;
    append(pseudo, dst);
    if (s.ipv6)
        append(pseudo, {0, 0, static_cast<std::uint8_t>(udp_length >> 8),
                        static_cast<std::uint8_t>(udp_length), 0, 0, 0, 17});
    else
        append(pseudo, {0, 17, static_cast<std::uint8_t>(udp_length >> 8),
                        static_cast<std::uint8_t>(udp_length)});
    append(pseudo, udp);
    std::uint16_t udp_checksum = static_cast<std::uint16_t>(~reference_sum(pseudo));
    if (udp_checksum == 0) udp_checksum = 0xffff;
    if (s.zero_udp_checksum) udp_checksum = 0;
    put16(udp, 6, udp_checksum);

    Bytes ip;
    if (!s.ipv6) {
        const std::size_t header = 20 + s.ipv4_options;
        ip.assign(header, 0);
        ip[0] = static_cast<std::uint8_t>((s.version ? s.version : 4) << 4 | header / 4);
        ip[1] = s.tos;
        put16(
            ip, 2,
            static_cast<std::uint32_t>(static_cast<int>(header + udp.size()) + s.ip_length_delta));
        put16(ip, 4, 0x1234);
        put16(ip, 6, s.fragment);
        ip[8] = 63;
        ip[9] = s.protocol;
        std::copy(src.begin(), src.end(), ip.begin() + 12);
        std::copy(dst.begin(), dst.end(), ip.begin() + 16);
        for (std::size_t i = 20; i < header; ++i) ip[i] = 1;  // NOP (RFC 791 §3.1)
        std::uint16_t checksum = static_cast<std::uint16_t>(~reference_sum(ip));
        if (s.bad_ip_checksum) checksum ^= 0x0100;
        put16(ip, 10, checksum);
    } else {
        Bytes extension;
        if (s.hop_by_hop) extension = {17, 0, 1, 4, 0, 0, 0, 0};  // next: UDP; PadN (RFC 8200 §4.2)
        ip.assign(40, 0);
        const std::uint32_t first = static_cast<std::uint32_t>(s.version ? s.version : 6) << 28 |
                                    static_cast<std::uint32_t>(s.tos) << 20 | s.flow_label;
        put16(ip, 0, first >> 16);
        put16(ip, 2, first & 0xffff);
        put16(ip, 4,
              static_cast<std::uint32_t>(static_cast<int>(extension.size() + udp.size()) +
                                         s.ip_length_delta));
        ip[6] = s.hop_by_hop ? 0 : s.protocol;
        ip[7] = 64;
        std::copy(src.begin(), src.end(), ip.begin() + 8);
        std::copy(dst.begin(), dst.end(), ip.begin() + 24);
        append(ip, extension);
    }
    append(f, ip);
    append(f, udp);
    f.resize(f.size() + s.padding, 0);
    if (s.cut) f.resize(*s.cut);
    return f;
}

}  // namespace sipdns::xdp::test
