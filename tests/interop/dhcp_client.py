# SPDX-FileCopyrightText: 2026 The sipdns authors
# SPDX-License-Identifier: BSD-3-Clause
"""A minimal DHCPv4 client for tests/interop/test_dhcp_servers.py: one DISCOVER, the first OFFER.

Run inside the client network namespace the test made:
    ip netns exec NS python3 dhcp_client.py IFNAME
It broadcasts a DHCPDISCOVER (RFC 2131 §4.4.1) on IFNAME, asking (option 55) for the options a
SIP phone asks for, and prints the first matching DHCPOFFER's options as JSON
{"yiaddr": "...", "options": {"<code>": "<hex>"}}; exit 1 when no offer came.
Nothing leaves IFNAME: the socket is bound to it, and the test's namespace holds only it.
"""

import json
import os
import socket
import struct
import sys
import time

MAGIC_COOKIE = b"\x63\x82\x53\x63"  # RFC 2131 §3
# What a phone asks for: subnet mask, router, DNS servers, domain name, NTP, TFTP server name,
# SIP servers (RFC 3361), vendor-specific information (43).
PARAMETER_REQUEST_LIST = bytes([1, 3, 6, 15, 42, 43, 66, 120])
TRIES = 8
WAIT_PER_TRY = 1.0


def discover(xid: int, mac: bytes) -> bytes:
    # RFC 2131 §2: op, htype (Ethernet), hlen, hops, xid, secs, flags (broadcast: we have no
    # address yet), ciaddr, yiaddr, siaddr, giaddr, chaddr (16), sname (64), file (128).
    fixed = struct.pack("!BBBBIHH4s4s4s4s16s64s128s", 1, 1, 6, 0, xid, 0, 0x8000, bytes(4),
                        bytes(4), bytes(4), bytes(4), mac.ljust(16, b"\0"), bytes(64), bytes(128))
    options = (bytes([53, 1, 1])  # DHCPDISCOVER
               + bytes([55, len(PARAMETER_REQUEST_LIST)]) + PARAMETER_REQUEST_LIST
               + bytes([61, 7, 1]) + mac  # client identifier: htype + MAC
               + bytes([255]))
    packet = fixed + MAGIC_COOKIE + options
    return packet.ljust(300, b"\0")  # RFC 1542 §3.1.1: at least 300 octets


def parse_options(data: bytes) -> dict[int, bytes]:
    """RFC 2132 §2: code, length, value; pad (0) and end (255) have no length. A repeated code
    is concatenated (RFC 3396)."""
    options: dict[int, bytes] = {}
    i = 0
    while i < len(data):
        code = data[i]
        if code == 0:
            i += 1
            continue
        if code == 255:
            break
        if i + 1 >= len(data) or i + 2 + data[i + 1] > len(data):
            raise ValueError(f"option {code} runs past the end of the packet")
        length = data[i + 1]
        options[code] = options.get(code, b"") + data[i + 2:i + 2 + length]
        i += 2 + length
    return options


def parse_offer(packet: bytes, xid: int):
    if len(packet) < 240 or packet[0] != 2 or packet[236:240] != MAGIC_COOKIE:
        return None
    if struct.unpack("!I", packet[4:8])[0] != xid:
        return None
    options = parse_options(packet[240:])
    if options.get(53) != b"\x02":  # DHCPOFFER
        return None
    return {"yiaddr": socket.inet_ntoa(packet[16:20]),
            "options": {str(code): value.hex() for code, value in sorted(options.items())}}


def main() -> int:
    ifname = sys.argv[1]
    with open(f"/sys/class/net/{ifname}/address") as f:
        mac = bytes.fromhex(f.read().strip().replace(":", ""))
    xid = int.from_bytes(os.urandom(4), "big")
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, ifname.encode())
    s.bind(("0.0.0.0", 68))
    packet = discover(xid, mac)
    # Bounded: TRIES discovers, one a second (the server may still be opening its socket).
    for _ in range(TRIES):
        s.sendto(packet, ("255.255.255.255", 67))
        deadline = time.monotonic() + WAIT_PER_TRY
        while (left := deadline - time.monotonic()) > 0:
            s.settimeout(left)
            try:
                reply = s.recv(4096)
            except socket.timeout:
                break
            offer = parse_offer(reply, xid)
            if offer:
                print(json.dumps(offer))
                return 0
    print(f"no DHCPOFFER on {ifname} after {TRIES} tries", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
