# SPDX-FileCopyrightText: 2026 The sipdns authors
# SPDX-License-Identifier: BSD-3-Clause
"""The AF_XDP socket part of issue 19 on its own (server/xdp): tests/xdp/xdp_echo attaches the
XDP program to one end of a veth pair, opens queue 0 and answers every UDP datagram to its port
with the payload reversed. The pair lives in two network namespaces this test creates
(sipdns-xdp-<pid>-srv / -cli; 198.18.0.0/15 and the IPv6 benchmarking prefix 2001:2::/48 of
RFC 5180, inside them only), removed at the end, also after a failure.

What is checked:
- IPv4 and IPv6 datagrams are answered by the XDP path: the reply is the payload reversed, and
  the server namespace's kernel UDP counters (InDatagrams, Udp6InDatagrams) do not move, though
  a kernel socket is bound to the same port there;
- the program's rule, with raw frames: one or two VLAN tags are redirected (and the reply
  comes back), three tags, IPv4 options, fragments, IPv6 extension headers and another port
  are not (xdp_echo's frame count shows what reached the AF_XDP socket);
- traffic that is not ours goes to the kernel: a TCP connection to another port in the server
  namespace is accepted and answered;
- attach is refused while another XDP program is on the interface, with the one-line error;
- a sipdns_xdp program left attached the legacy (netlink) way is removed with a warning;
- a driver without native XDP (a bridge) gets the program in generic mode;
- kill -9 of the program leaves no XDP program on the interface, and the next attach works;
- the error lines without a needed capability and with too small an RLIMIT_MEMLOCK, and that
  CAP_NET_ADMIN + CAP_BPF + CAP_NET_RAW are enough.

Needs root, `ip netns` and an XDP attach on veth: checked first, skipped with the reason."""

from __future__ import annotations

import json
import os
import struct
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ECHO = os.environ.get("SIPDNS_XDP_ECHO", "")
BPF_OBJECT = os.environ.get("SIPDNS_XDP_BPF_OBJECT", "")
OTHER_PROGRAM = Path("/usr/lib/x86_64-linux-gnu/bpf/xdpfilt_alw_all.o")  # from libxdp1

PORT = 5300
TCP_PORT = 5301
SERVER4, CLIENT4 = "198.18.0.1", "198.18.0.2"
SERVER6, CLIENT6 = "2001:2::1", "2001:2::2"
SERVER_IF, CLIENT_IF = "vsrv", "vcli"
PREFIX = f"sipdns-xdp-{os.getpid()}"
SRV, CLI = f"{PREFIX}-srv", f"{PREFIX}-cli"


def ip(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    r = subprocess.run(["ip", *args], capture_output=True, text=True, timeout=20)
    if check and r.returncode != 0:
        raise AssertionError(f"ip {' '.join(args)}: {r.stderr.strip()}")
    return r


def in_netns(ns: str, *argv: str) -> list[str]:
    return ["ip", "netns", "exec", ns, *argv]


def xdp_programs() -> str:
    """The server interface's XDP lines of `ip link show` ('' = none attached)."""
    text = ip("-n", SRV, "link", "show", "dev", SERVER_IF).stdout
    return "\n".join(line for line in text.splitlines() if "prog/xdp" in line or " xdp" in line)


def skip_unless_possible() -> None:
    if os.geteuid() != 0:
        pytest.skip("needs root: network namespaces and XDP")
    if not shutil.which("ip"):
        pytest.skip("iproute2 is not installed")
    if not ECHO or not Path(ECHO).exists():
        pytest.skip("SIPDNS_XDP_ECHO (tests/xdp/xdp_echo) is not set; run through ctest")
    if not OTHER_PROGRAM.exists():
        pytest.skip(f"{OTHER_PROGRAM} (libxdp1) is missing")


@pytest.fixture(scope="module")
def veth_pair():
    skip_unless_possible()
    r = ip("netns", "add", SRV, check=False)
    if r.returncode != 0:
        pytest.skip(f"cannot create a network namespace here: {r.stderr.strip()}")
    try:
        ip("netns", "add", CLI)
        ip("-n", SRV, "link", "add", SERVER_IF, "numtxqueues", "1", "numrxqueues", "1",
           "type", "veth", "peer", "name", CLIENT_IF, "netns", CLI,
           "numtxqueues", "1", "numrxqueues", "1")
        for ns, dev, v4, v6 in ((SRV, SERVER_IF, SERVER4, SERVER6),
                                (CLI, CLIENT_IF, CLIENT4, CLIENT6)):
            ip("-n", ns, "addr", "add", f"{v4}/24", "dev", dev)
            ip("-n", ns, "addr", "add", f"{v6}/64", "dev", dev, "nodad")
            ip("-n", ns, "link", "set", "lo", "up")
            ip("-n", ns, "link", "set", dev, "up")
        # Static neighbours: the first datagram is not held up by ARP / neighbour discovery.
        macs = {ns: subprocess.run(in_netns(ns, "cat", f"/sys/class/net/{dev}/address"),
                                   capture_output=True, text=True, timeout=20).stdout.strip()
                for ns, dev in ((SRV, SERVER_IF), (CLI, CLIENT_IF))}
        for ns, dev, peer_ns, addrs in ((CLI, CLIENT_IF, SRV, (SERVER4, SERVER6)),
                                        (SRV, SERVER_IF, CLI, (CLIENT4, CLIENT6))):
            for addr in addrs:
                ip("-n", ns, "neigh", "replace", addr, "lladdr", macs[peer_ns], "dev", dev,
                   "nud", "permanent")
        # Can this machine run an XDP program on veth at all? (libxdp's pass-all program.)
        r = ip("-n", SRV, "link", "set", "dev", SERVER_IF, "xdpgeneric", "obj",
               str(OTHER_PROGRAM), "sec", "xdp", check=False)
        if r.returncode != 0:
            pytest.skip(f"cannot attach an XDP program to a veth here: {r.stderr.strip()}")
        ip("-n", SRV, "link", "set", "dev", SERVER_IF, "xdpgeneric", "off")
        yield
    finally:
        ip("netns", "del", CLI, check=False)
        ip("netns", "del", SRV, check=False)


class Echo:
    """xdp_echo in the server namespace, started here and stopped by its PID."""

    def __init__(self, *wrapper: str, interface: str = SERVER_IF):
        self.process = subprocess.Popen(in_netns(SRV, *wrapper, ECHO, interface, str(PORT)),
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                        text=True)
        self.ready = self.process.stdout.readline().strip()

    def stop(self) -> tuple[str, str]:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        out, err = self.process.communicate(timeout=20)
        return self.ready + "\n" + out, err


@pytest.fixture
def echo(veth_pair):
    started = Echo()
    if not started.ready.startswith("ready "):
        _, err = started.stop()
        pytest.fail(f"xdp_echo did not start: {err.strip()}")
    yield started
    started.stop()


@pytest.fixture(scope="module")
def kernel_sockets(veth_pair):
    """Kernel sockets in the server namespace: UDP on PORT (IPv4 and IPv6), so a datagram the
    XDP path missed would be counted (InDatagrams) and not answered reversed; a TCP listener
    on TCP_PORT that answers b"kernel tcp"."""
    code = f"""
import socket, sys
u4 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u4.bind(("{SERVER4}", {PORT}))
u6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); u6.bind(("{SERVER6}", {PORT}))
t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); t.bind(("{SERVER4}", {TCP_PORT}))
t.listen(8); print("bound", flush=True)
while True:
    c, _ = t.accept(); c.sendall(b"kernel tcp"); c.close()
"""
    holder = subprocess.Popen(in_netns(SRV, sys.executable, "-c", code),
                              stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "bound"
    yield
    holder.kill()
    holder.wait(timeout=20)


def client(code: str) -> dict:
    r = subprocess.run(in_netns(CLI, sys.executable, "-c", code), capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def exchange(family: str, server: str, count: int) -> dict:
    return client(f"""
import json, socket
s = socket.socket(socket.{family}, socket.SOCK_DGRAM); s.settimeout(2)
replies = []
for i in range({count}):
    payload = ("query %d to be reversed" % i).encode()
    s.sendto(payload, ("{server}", {PORT}))
    data, source = s.recvfrom(2048)
    replies.append([payload.decode(), data.decode(), source[0], source[1]])
print(json.dumps({{"replies": replies}}))
""")


def udp_in_datagrams(six: bool) -> int:
    path = "/proc/net/snmp6" if six else "/proc/net/snmp"
    text = subprocess.run(in_netns(SRV, "cat", path), capture_output=True, text=True,
                          timeout=20).stdout
    if six:
        return int(re.search(r"^Udp6InDatagrams\s+(\d+)", text, re.M).group(1))
    names, values = [line.split() for line in text.splitlines() if line.startswith("Udp:")][:2]
    return int(values[names.index("InDatagrams")])


@pytest.mark.parametrize("family,server,six", [("AF_INET", SERVER4, False),
                                               ("AF_INET6", SERVER6, True)],
                         ids=["ipv4", "ipv6"])
def test_datagrams_are_answered_by_the_xdp_path_not_the_kernel(kernel_sockets, echo, family,
                                                                server, six):
    before = udp_in_datagrams(six)
    result = exchange(family, server, 20)
    after = udp_in_datagrams(six)
    for sent, received, source, port in result["replies"]:
        assert received == sent[::-1]
        assert (source, port) == (server, PORT)
    assert after == before, "the kernel's UDP stack saw datagrams the XDP path should have taken"
    out, _ = echo.stop()
    assert "received 20 replied 20 no-tx-frame 0" in out
    assert re.match(r"ready (native|generic) (copy|zero-copy) \d+", out)


def test_other_traffic_goes_to_the_kernel(kernel_sockets, echo):
    result = client(f"""
import json, socket
c = socket.create_connection(("{SERVER4}", {TCP_PORT}), timeout=5)
print(json.dumps({{"tcp": c.recv(100).decode()}}))
""")
    assert result["tcp"] == "kernel tcp"
    assert "name sipdns_xdp" in xdp_programs()


def test_attach_refused_while_another_program_is_on_the_interface(veth_pair):
    ip("-n", SRV, "link", "set", "dev", SERVER_IF, "xdpgeneric", "obj", str(OTHER_PROGRAM),
       "sec", "xdp")
    try:
        refused = Echo()
        out, err = refused.stop()
        assert refused.process.returncode == 1
        assert re.fullmatch(
            rf'{SERVER_IF} already has another XDP program \(id \d+, "xdpfilt_alw_all"\); '
            rf"remove it with `ip link set dev {SERVER_IF} xdp off` if it is not needed\n", err)
        assert "xdpfilt_alw_all" in xdp_programs()  # left alone
    finally:
        ip("-n", SRV, "link", "set", "dev", SERVER_IF, "xdpgeneric", "off")


def test_another_program_without_cap_sys_admin_is_named_by_id(veth_pair):
    if not shutil.which("setpriv"):
        pytest.skip("setpriv (util-linux) is not installed")
    ip("-n", SRV, "link", "set", "dev", SERVER_IF, "xdpgeneric", "obj", str(OTHER_PROGRAM),
       "sec", "xdp")
    try:
        other = re.search(r"prog/xdp id (\d+)", xdp_programs()).group(1)
        refused = Echo(*limited("net_admin,bpf,net_raw"))
        _, err = refused.stop()
        assert refused.process.returncode == 1
        assert err == (f"{SERVER_IF} already has an XDP program (id {other}; its name is "
                       "unreadable: Operation not permitted, needs CAP_SYS_ADMIN); remove it with "
                       f"`ip link set dev {SERVER_IF} xdp off` if it is not needed\n")
    finally:
        ip("-n", SRV, "link", "set", "dev", SERVER_IF, "xdpgeneric", "off")


def test_a_sipdns_program_left_attached_the_legacy_way_is_removed(veth_pair):
    if not BPF_OBJECT or not Path(BPF_OBJECT).exists():
        pytest.skip("SIPDNS_XDP_BPF_OBJECT (the compiled sipdns_xdp.bpf.o) is not set")
    ip("-n", SRV, "link", "set", "dev", SERVER_IF, "xdp", "obj", BPF_OBJECT, "sec", "xdp")
    try:
        left = re.search(r"prog/xdp id (\d+)", xdp_programs()).group(1)
        started = Echo()
        out, err = started.stop()
        assert started.ready.startswith("ready "), err
        assert f"removed a sipdns XDP program left on {SERVER_IF} by an earlier run" in err
        assert f" {left}" not in started.ready
    finally:
        ip("-n", SRV, "link", "set", "dev", SERVER_IF, "xdp", "off", check=False)
    assert xdp_programs() == ""


def test_kill_9_leaves_no_program_and_the_next_attach_works(kernel_sockets, veth_pair):
    first = Echo()
    assert first.ready.startswith("ready ")
    assert "name sipdns_xdp" in xdp_programs()
    first.process.send_signal(signal.SIGKILL)
    first.process.wait(timeout=20)
    deadline = time.monotonic() + 10
    while xdp_programs() and time.monotonic() < deadline:
        time.sleep(0.1)  # the link is released with the last reference to the dead process's fd
    assert xdp_programs() == ""
    second = Echo()
    try:
        assert second.ready.startswith("ready "), second.stop()[1]
        reply = exchange("AF_INET", SERVER4, 1)["replies"][0]
        assert reply[1] == reply[0][::-1]
    finally:
        second.stop()
    assert xdp_programs() == ""


# A user id no process of this machine has: RLIMIT_MEMLOCK counts the locked pages of all the
# processes of a user (without CAP_IPC_LOCK), so the limit tests run xdp_echo as a user of their
# own, with only the capabilities named (as a systemd unit's AmbientCapabilities= would).
TEST_UID = 61000 + os.getpid() % 4000


def limited(capabilities: str, memlock_kib: int | None = None) -> list[str]:
    caps = ",".join("+" + c for c in capabilities.split(","))
    wrapper = ["setpriv", f"--reuid={TEST_UID}", f"--regid={TEST_UID}", "--clear-groups",
               f"--inh-caps=-all,{caps}", f"--ambient-caps=-all,{caps}",
               f"--bounding-set=-all,{caps}"]
    if memlock_kib is not None:
        limit = str(memlock_kib * 1024)
        wrapper = ["prlimit", f"--memlock={limit}:{limit}", *wrapper]
    return wrapper


CAPABILITY_ADVICE = ("needs CAP_NET_ADMIN, CAP_BPF and CAP_NET_RAW (root, or "
                     "AmbientCapabilities=CAP_NET_ADMIN CAP_BPF CAP_NET_RAW in the unit)")


# Only these capabilities (no CAP_IPC_LOCK, so the UMEM is charged to RLIMIT_MEMLOCK), and that
# RLIMIT_MEMLOCK in KiB (None: the inherited one).
@pytest.mark.parametrize("capabilities,memlock_kib,expected", [
    ("net_admin,bpf,net_raw", None, None),
    ("net_admin,net_raw", None,
     "cannot load the XDP program: Operation not permitted; " + CAPABILITY_ADVICE),
    ("bpf,net_raw", None,
     "cannot load the XDP program: Operation not permitted; " + CAPABILITY_ADVICE),
    ("net_admin,bpf", None,
     f"AF_XDP socket on {SERVER_IF} queue 0: Operation not permitted; needs CAP_NET_RAW (root, "
     "or AmbientCapabilities=CAP_NET_RAW in the unit)"),
    ("net_admin,bpf,net_raw", 2048,
     "RLIMIT_MEMLOCK (2048 KiB) is below the 4096 KiB the AF_XDP buffers need; raise "
     "LimitMEMLOCK in the unit"),
], ids=["enough", "no-bpf", "no-net-admin", "no-net-raw", "memlock"])
def test_errors_without_capabilities_or_locked_memory(veth_pair, capabilities, memlock_kib,
                                                      expected):
    if not shutil.which("setpriv") or not shutil.which("prlimit"):
        pytest.skip("setpriv and prlimit (util-linux) are not installed")
    started = Echo(*limited(capabilities, memlock_kib))
    _, err = started.stop()
    if expected is None:
        assert started.ready.startswith("ready "), err
    else:
        assert started.process.returncode == 1
        assert err == expected + "\n"
    assert xdp_programs() == ""


def test_locked_memory_is_per_user(veth_pair):
    """RLIMIT_MEMLOCK counts the locked pages of all the user's processes (without
    CAP_IPC_LOCK): a second program's buffers do not fit beside the first's in 6 MiB."""
    if not shutil.which("setpriv") or not shutil.which("prlimit"):
        pytest.skip("setpriv and prlimit (util-linux) are not installed")
    wrapper = limited("net_admin,bpf,net_raw", 6 * 1024)
    ip("-n", SRV, "link", "add", "sipdnsbr1", "type", "bridge")
    first = Echo(*wrapper)
    try:
        assert first.ready.startswith("ready "), first.stop()[1]
        ip("-n", SRV, "link", "set", "sipdnsbr1", "up")
        second = Echo(*wrapper, interface="sipdnsbr1")
        _, err = second.stop()
        assert second.process.returncode == 1
        assert err == ("RLIMIT_MEMLOCK (6144 KiB, shared by the user's processes) has no room "
                       "left for the 4096 KiB the AF_XDP buffers need; raise LimitMEMLOCK in the "
                       "unit\n")
    finally:
        first.stop()
        ip("-n", SRV, "link", "del", "sipdnsbr1", check=False)


def test_unknown_interface(veth_pair):
    r = subprocess.run(in_netns(SRV, ECHO, "sipdns-none0", str(PORT)), capture_output=True,
                       text=True, timeout=20)
    assert (r.returncode, r.stderr) == (
        1, "no network interface named sipdns-none0 (in this network namespace)\n")


def test_generic_mode_where_the_driver_has_no_native_xdp(veth_pair):
    ip("-n", SRV, "link", "add", "sipdnsbr0", "type", "bridge")
    try:
        ip("-n", SRV, "link", "set", "sipdnsbr0", "up")
        started = Echo(interface="sipdnsbr0")
        _, err = started.stop()
        assert re.fullmatch(r"ready generic copy \d+", started.ready), err
    finally:
        ip("-n", SRV, "link", "del", "sipdnsbr0", check=False)


def mac_of(ns: str, dev: str) -> bytes:
    text = subprocess.run(in_netns(ns, "cat", f"/sys/class/net/{dev}/address"),
                          capture_output=True, text=True, timeout=20).stdout.strip()
    return bytes.fromhex(text.replace(":", ""))


def udp_checksum(pseudo_header: bytes, segment: bytes) -> int:
    """RFC 768 / RFC 1071: the ones' complement of the ones' complement sum (0 sent as 0xffff)."""
    data = pseudo_header + segment + (b"\0" if len(segment) % 2 else b"")
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return (~total & 0xFFFF) or 0xFFFF


def raw_frame(payload: bytes, *, tags: tuple[int, ...] = (), ipv6: bool = False,
              ipv4_options: bool = False, fragment: bool = False, hop_by_hop: bool = False,
              port: int = PORT) -> bytes:
    """An Ethernet frame from the client to the server's UDP `port` (RFC 791, RFC 8200)."""
    udp = struct.pack("!HHHH", 40000, port, 8 + len(payload), 0) + payload
    if ipv6:
        server, client_ = (bytes.fromhex("20010002" + "0" * 23 + "1"),
                           bytes.fromhex("20010002" + "0" * 23 + "2"))
        # RFC 8200 §8.1: a UDP checksum is mandatory over IPv6 (a zero one is discarded).
        udp = udp[:6] + struct.pack("!H", udp_checksum(
            client_ + server + struct.pack("!IxxxB", len(udp), 17), udp)) + udp[8:]
        body = udp
        next_header = 17
        if hop_by_hop:  # a Hop-by-Hop Options header with one PadN option (RFC 8200 §4.3)
            body = bytes([17, 0, 1, 4, 0, 0, 0, 0]) + udp
            next_header = 0
        ip_packet = struct.pack("!IHBB", 6 << 28, len(body), next_header, 64) + client_ + \
            server + body
        ethertype = 0x86DD
    else:
        options = bytes([1, 1, 1, 0]) if ipv4_options else b""  # NOP NOP NOP EOL
        ihl = 5 + len(options) // 4
        header = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, 0, 4 * ihl + len(udp), 1,
                             0x2000 if fragment else 0, 64, 17, 0,
                             bytes(map(int, CLIENT4.split("."))),
                             bytes(map(int, SERVER4.split(".")))) + options
        total = sum(struct.unpack(f"!{len(header) // 2}H", header))
        while total >> 16:
            total = (total & 0xFFFF) + (total >> 16)
        header = header[:10] + struct.pack("!H", ~total & 0xFFFF) + header[12:]
        ip_packet = header + udp
        ethertype = 0x0800
    # 802.1ad (0x88a8) outside, 802.1Q (0x8100) inside; each tag names what follows it.
    first = (0x88A8 if len(tags) > 1 else 0x8100) if tags else ethertype
    tagged = b"".join(struct.pack("!H", tag) + struct.pack(
        "!H", (0x8100 if i + 1 < len(tags) else ethertype)) for i, tag in enumerate(tags))
    return mac_of(SRV, SERVER_IF) + mac_of(CLI, CLIENT_IF) + struct.pack("!H", first) + \
        tagged + ip_packet


# (case, frame arguments, whether the program redirects it to the AF_XDP socket)
RULE_CASES = [
    ("one-vlan-tag", {"tags": (100,)}, True),
    ("two-vlan-tags", {"tags": (100, 200)}, True),
    ("two-vlan-tags-ipv6", {"tags": (100, 200), "ipv6": True}, True),
    ("three-vlan-tags", {"tags": (100, 200, 300)}, False),
    ("ipv4-options", {"ipv4_options": True}, False),
    ("ipv4-fragment", {"fragment": True}, False),
    ("ipv6-hop-by-hop", {"ipv6": True, "hop_by_hop": True}, False),
    ("another-port", {"port": PORT + 7}, False),
]


def test_the_program_redirects_exactly_its_rule(veth_pair):
    frames = [raw_frame(f"rule case {name}".encode(), **args).hex()
              for name, args, _ in RULE_CASES]
    started = Echo()
    assert started.ready.startswith("ready "), started.stop()[1]
    try:
        result = client(f"""
import json, socket, time
frames = {frames!r}
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
s.bind(("{CLIENT_IF}", 0)); s.settimeout(0.2)
for frame in frames:
    s.send(bytes.fromhex(frame))
seen = []
deadline = time.monotonic() + 2
while time.monotonic() < deadline:
    try:
        seen.append(s.recv(4096).hex())
    except TimeoutError:
        pass
print(json.dumps({{"seen": seen}}))
""")
    finally:
        out, err = started.stop()
    seen = "".join(result["seen"])
    for name, _, redirected in RULE_CASES:
        reversed_payload = f"rule case {name}".encode()[::-1].hex()
        assert (reversed_payload in seen) == redirected, name
    expected = sum(1 for _, _, redirected in RULE_CASES if redirected)
    assert f"received {expected} replied {expected} no-tx-frame 0" in out, out + err
