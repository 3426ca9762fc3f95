#!/usr/bin/python3
# SPDX-FileCopyrightText: 2026 The sipdns authors
# SPDX-License-Identifier: BSD-3-Clause
"""Prints the golden frames of tests/unit/xdp/frame_reply_test.cc (pasted there): two queries and
the replies sipdnsd must send for them, built here with struct.pack and this file's own RFC 1071
checksum, independently of server/xdp.

  IPv4: one C-tag (PCP 1, VLAN 100), TOS 0xb9 (DSCP 46, ECN 01), ID 0x1234, TTL 63,
        198.18.0.2:40000 -> 198.18.0.1:53
  IPv6: an S-tag (VLAN 10) and a C-tag (VLAN 20), traffic class 0xb9, flow label 0x12345,
        [2001:db8::2]:5353 -> [2001:db8::1]:53
The replies: MACs, addresses and ports swapped, tags kept, ECN cleared, IPv4 ID 0 + DF, TTL /
hop limit 64, the answer octets (i * 7 + 3) & 0xff, i < 45."""

import struct


def checksum(data):
    """RFC 1071: the complement of the 16-bit ones' complement sum (odd length: a zero pad)."""
    if len(data) % 2:
        data += b"\0"
    total = sum((data[i] << 8) | data[i + 1] for i in range(0, len(data), 2))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def udp(pseudo_rest, src, dst, sport, dport, payload):
    """RFC 768 (RFC 8200 §8.1 for IPv6): the checksum over the pseudo-header; 0 is sent as 0xffff."""
    length = 8 + len(payload)
    body = struct.pack("!HHHH", sport, dport, length, 0) + payload
    value = checksum(src + dst + pseudo_rest(length) + body) or 0xFFFF
    return struct.pack("!HHHH", sport, dport, length, value) + payload


def ipv4(src, dst, tos, ident, flags, ttl, udp_length):
    header = struct.pack("!BBHHHBBH4s4s", 0x45, tos, 20 + udp_length, ident, flags, ttl, 17, 0,
                         src, dst)
    return header[:10] + struct.pack("!H", checksum(header)) + header[12:]


def ipv6(traffic_class, flow_label, src, dst, udp_length):
    first = (6 << 28) | (traffic_class << 20) | flow_label
    return struct.pack("!IHBB16s16s", first, udp_length, 17, 64, src, dst)


V4_REST = lambda n: struct.pack("!BBH", 0, 17, n)
V6_REST = lambda n: struct.pack("!IxxxB", n, 17)

CLIENT_MAC = bytes.fromhex("020000000002")
SERVER_MAC = bytes.fromhex("020000000001")
QUERY = bytes(range(0x30, 0x30 + 29))
ANSWER = bytes((i * 7 + 3) & 0xFF for i in range(45))

c4, s4 = bytes([198, 18, 0, 2]), bytes([198, 18, 0, 1])
tag = struct.pack("!HH", 0x8100, 0x2064)
query4 = (SERVER_MAC + CLIENT_MAC + tag + b"\x08\x00" + ipv4(c4, s4, 0xB9, 0x1234, 0, 63, 8 + len(QUERY))
          + udp(V4_REST, c4, s4, 40000, 53, QUERY))
reply4 = (CLIENT_MAC + SERVER_MAC + tag + b"\x08\x00"
          + ipv4(s4, c4, 0xB9 & 0xFC, 0, 0x4000, 64, 8 + len(ANSWER))
          + udp(V4_REST, s4, c4, 53, 40000, ANSWER))

c6 = bytes.fromhex("20010db8000000000000000000000002")
s6 = bytes.fromhex("20010db8000000000000000000000001")
tags = struct.pack("!HHHH", 0x88A8, 0x000A, 0x8100, 0x0014)
query6 = (SERVER_MAC + CLIENT_MAC + tags + b"\x86\xdd" + ipv6(0xB9, 0x12345, c6, s6, 8 + len(QUERY))
          + udp(V6_REST, c6, s6, 5353, 53, QUERY))
reply6 = (CLIENT_MAC + SERVER_MAC + tags + b"\x86\xdd"
          + ipv6(0xB9 & 0xFC, 0x12345, s6, c6, 8 + len(ANSWER))
          + udp(V6_REST, s6, c6, 53, 5353, ANSWER))

for name, frame in [("kQuery4", query4), ("kReply4", reply4), ("kQuery6", query6),
                    ("kReply6", reply6)]:
    print(f"const Bytes {name} = {{")
    for i in range(0, len(frame), 12):
        print("    " + ", ".join(f"0x{b:02x}" for b in frame[i:i + 12]) + ",")
    print("};")
