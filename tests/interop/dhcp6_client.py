# SPDX-FileCopyrightText: 2026 The sipdns authors
# SPDX-License-Identifier: BSD-3-Clause
"""A minimal DHCPv6 client for tests/interop/test_dhcp_servers.py: one Information-request, the
first Reply.

Run inside the client network namespace the test made:
    ip netns exec NS python3 dhcp6_client.py IFNAME
It sends an Information-request (RFC 8415 §18.2.6: configuration without addresses, what a phone
sends when the routers' advertisements set the O flag) from IFNAME's link-local address to
All_DHCP_Relay_Agents_and_Servers (ff02::1:2, port 547), asking (Option Request option) for the
options a SIP phone wants, and prints the first Reply with the same transaction id as JSON
{"options": {"<code>": "<hex>"}}; exit 1 when no Reply came. Nothing leaves IFNAME: the socket
is bound to it, the destination is link-scoped, and the test's namespace holds only it.
"""

import json
import os
import socket
import struct
import sys
import time

# RFC 8415 §7.3 message types, §21 option codes.
INFORMATION_REQUEST, REPLY = 11, 7
OPTION_CLIENTID, OPTION_ORO, OPTION_ELAPSED_TIME = 1, 6, 8
# SIP servers by name and address (RFC 3319), DNS servers and search list (RFC 3646), NTP
# server (RFC 5908).
REQUESTED = [21, 22, 23, 24, 56]
ALL_DHCP_SERVERS = "ff02::1:2"
CLIENT_PORT, SERVER_PORT = 546, 547
TRIES = 8
WAIT_PER_TRY = 1.0


def option(code: int, data: bytes) -> bytes:
    return struct.pack("!HH", code, len(data)) + data


def information_request(xid: bytes, mac: bytes) -> bytes:
    duid_ll = struct.pack("!HH", 3, 1) + mac  # RFC 8415 §11.4: DUID-LL, hardware type Ethernet
    return (bytes([INFORMATION_REQUEST]) + xid
            + option(OPTION_CLIENTID, duid_ll)
            + option(OPTION_ORO, b"".join(struct.pack("!H", c) for c in REQUESTED))
            + option(OPTION_ELAPSED_TIME, bytes(2)))


def parse_options(data: bytes) -> dict[int, bytes]:
    """RFC 8415 §21.1: a 2-octet code, a 2-octet length, the data."""
    options: dict[int, bytes] = {}
    i = 0
    while i < len(data):
        if i + 4 > len(data):
            raise ValueError("option header runs past the end of the message")
        code, length = struct.unpack("!HH", data[i:i + 4])
        if i + 4 + length > len(data):
            raise ValueError(f"option {code} runs past the end of the message")
        if code in options:
            raise ValueError(f"option {code} twice")
        options[code] = data[i + 4:i + 4 + length]
        i += 4 + length
    return options


def wait_for_link_local(ifname: str, timeout: float = 10.0) -> None:
    """The link-local address is usable once duplicate address detection is over (RFC 4862
    §5.4): until then the kernel will not send from it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with open("/proc/net/if_inet6") as f:
            for line in f:
                addr, _index, _plen, scope, flags, name = line.split()
                # scope 0x20: link; flag 0x40: tentative (linux/if_addr.h IFA_F_TENTATIVE)
                if name == ifname and int(scope, 16) == 0x20 and not int(flags, 16) & 0x40:
                    return
        time.sleep(0.1)
    raise RuntimeError(f"no usable link-local address on {ifname} after {timeout} s")


def main() -> int:
    ifname = sys.argv[1]
    with open(f"/sys/class/net/{ifname}/address") as f:
        mac = bytes.fromhex(f.read().strip().replace(":", ""))
    wait_for_link_local(ifname)
    ifindex = socket.if_nametoindex(ifname)
    xid = os.urandom(3)
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, ifname.encode())
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_IF, ifindex)
    s.bind(("::", CLIENT_PORT, 0, ifindex))
    packet = information_request(xid, mac)
    # Bounded: TRIES requests, one a second (the server may still be opening its socket).
    for _ in range(TRIES):
        s.sendto(packet, (ALL_DHCP_SERVERS, SERVER_PORT, 0, ifindex))
        deadline = time.monotonic() + WAIT_PER_TRY
        while (left := deadline - time.monotonic()) > 0:
            s.settimeout(left)
            try:
                reply = s.recv(4096)
            except socket.timeout:
                break
            if len(reply) < 4 or reply[0] != REPLY or reply[1:4] != xid:
                continue
            options = parse_options(reply[4:])
            print(json.dumps({"options": {str(c): v.hex() for c, v in sorted(options.items())}}))
            return 0
    print(f"no DHCPv6 Reply on {ifname} after {TRIES} tries", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
