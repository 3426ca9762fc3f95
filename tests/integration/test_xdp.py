# SPDX-FileCopyrightText: 2026 The sipdns authors
# SPDX-License-Identifier: BSD-3-Clause
"""The AF_XDP fast path (issue 19): sipdnsd with `server.xdp` on one end of a veth pair between
two network namespaces the test makes (198.18.1.0/24 and fd00:19::/64, inside the namespaces
only), asked from the other end.

The answers over XDP are compared with the answers of a second sipdnsd on the same site in the
same namespace without XDP (the kernel's socket path): dnspython (every header flag and every
section), dig and kdig (their whole output but the message ID and timings), IPv4 and IPv6, with
and without EDNS, truncation, NXDOMAIN, SRV, NAPTR, PTR; and the malformed-packet corpus of
test_malformed.py. The server namespace's kernel UDP counters (/proc/net/snmp, snmp6) do not
move for the queries XDP answers: they never reached the kernel's UDP layer. TCP to the XDP
port, and UDP to another port, are the kernel's; with wildcard listen addresses, XDP answers the
server's own addresses and leaves a query routed through it to another address to the kernel;
a listen address at another port is not XDP's at the XDP port. `server.xdp.required` decides
between exit 1 and sockets only when the interface does not exist, the XDP port is no listen
address's or the MTU is too small for a 512-octet answer; after SIGKILL no XDP program is left on the interface and a new start attaches
again.

Skips with the reason where the machine cannot: not root, no iproute2, a namespace or a veth
pair that cannot be made, or the daemon's start-up line saying it could not attach XDP.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import pathlib
import re
import shutil
import signal
import socket
import struct
import subprocess
import time
from typing import Optional

import dns.flags
import dns.message
import dns.rcode
import dns.rdatatype
import pytest

from sipdnsd_harness import SIPDNSD, Daemon, make_query, wait_until, write_site
from test_malformed import CASES as MALFORMED_CASES, QUESTION, check, header, rr

CLONE_NEWNET = 0x40000000
TAG = os.getpid()
SRV_NS, CLI_NS = f"sipdns-xt-srv-{TAG}", f"sipdns-xt-cli-{TAG}"
SRV_IF, CLI_IF = f"xts{TAG}", f"xtc{TAG}"       # IFNAMSIZ: at most 15 characters
# RFC 2544's benchmarking range and a unique local prefix, inside the two namespaces only.
SRV4, CLI4 = "198.18.1.1", "198.18.1.2"
SRV6, CLI6 = "fd00:19::1", "fd00:19::2"
# Addresses of the server's interface that sipdnsd does not listen on.
OTHER4, OTHER6 = "198.18.1.3", "fd00:19::3"
# Addresses no namespace has, which the client routes to the server's veth: another host's, as
# far as the server can tell (the server does not forward; nothing leaves the pair).
ROUTED4, ROUTED6 = "198.18.7.7", "fd00:77::7"
OURS = {SRV4, SRV6, OTHER4, OTHER6, ROUTED4, ROUTED6}
XDP_PORT, SOCKET_PORT, NOBODY_PORT, FALLBACK_PORT = 5300, 5301, 5302, 5303
WILDCARD_PORT, PORTS_PORT = 5304, 5305   # PORTS_PORT + 1 and + 2 too
D = "scsnetwork.local."           # test_malformed's site: its corpus asks scs1.scsnetwork.local
TIMEOUT = 2.0
ATTACHED = re.compile(rf"XDP on {SRV_IF}: native mode, copy, 1 queue, UDP port {XDP_PORT}\b")
NOT_ATTACHED = re.compile(rf"XDP on {SRV_IF}: (.*); answering UDP on sockets only")

BIG_TXT = [c * 150 for c in "abcd"]   # ~640 octets of answer: fits 1232, not 512
HUGE_TXT = [c * 200 for c in "efghijkl"]   # ~1700 octets: more than the veth's MTU (1500)


def site_text(port: int, xdp: str = "") -> str:
    return f"""domain: {D.rstrip('.')}
ttl: 1800
servers:
  - {{ name: scs1, ipv4: 192.0.2.11, ipv6: "2001:db8::11" }}
  - {{ name: scs2, ipv4: 192.0.2.12 }}
sip:
  transports: [udp, tcp]
  naptr: true
hosts:
  dual: [192.0.2.60, "2001:db8::60"]
records:
{''.join(f'  - big IN TXT "{t}"{chr(10)}' for t in BIG_TXT)}\
{''.join(f'  - huge IN TXT "{t}"{chr(10)}' for t in HUGE_TXT)}reverse: auto
soa: {{ serial: 2026120301 }}
server:
  listen: ["{SRV4}:{port}", "[{SRV6}]:{port}"]
  rate_limit: {{ responses_per_second: 0 }}
  edns_udp_size: 4096
{xdp}"""


def xdp_section(interface: str, port: int = XDP_PORT, required: Optional[bool] = None) -> str:
    req = "" if required is None else f", required: {'true' if required else 'false'}"
    return f"  xdp: {{ interface: {interface}, port: {port}{req} }}\n"


# ---------------------------------------------------------------------------------------------
# The namespace pair


def run(*argv: str, check_rc: bool = True, timeout: float = 20) -> subprocess.CompletedProcess:
    r = subprocess.run(list(argv), capture_output=True, text=True, timeout=timeout)
    if check_rc:
        assert r.returncode == 0, f"{' '.join(argv)}: {r.stderr.strip()}"
    return r


def mac(ns: str, ifname: str) -> str:
    return run("ip", "netns", "exec", ns, "cat", f"/sys/class/net/{ifname}/address").stdout.strip()


@contextlib.contextmanager
def namespace_pair():
    """Two namespaces joined by one veth with one RX and one TX queue a side, IPv4 and IPv6
    (nodad: usable at once), static neighbours (no ARP/NDP exchange during the tests); the body
    runs in the client namespace (this thread: its sockets and child processes)."""
    if os.geteuid() != 0:
        pytest.skip("needs root: network namespaces and an XDP program")
    if not shutil.which("ip"):
        pytest.skip("iproute2 is not installed")
    made = []
    libc = ctypes.CDLL(None, use_errno=True)
    own = os.open("/proc/thread-self/ns/net", os.O_RDONLY)
    try:
        for ns in (SRV_NS, CLI_NS):
            r = run("ip", "netns", "add", ns, check_rc=False)
            if r.returncode != 0:
                pytest.skip(f"cannot create a network namespace here: {r.stderr.strip()}")
            made.append(ns)
        r = run("ip", "-n", SRV_NS, "link", "add", SRV_IF, "numtxqueues", "1", "numrxqueues", "1",
                "type", "veth", "peer", "name", CLI_IF, "netns", CLI_NS,
                "numtxqueues", "1", "numrxqueues", "1", check_rc=False)
        if r.returncode != 0:
            pytest.skip(f"cannot create a veth pair here: {r.stderr.strip()}")
        for ns, ifname, a4, a6 in ((SRV_NS, SRV_IF, SRV4, SRV6), (CLI_NS, CLI_IF, CLI4, CLI6)):
            run("ip", "-n", ns, "addr", "add", f"{a4}/24", "dev", ifname)
            run("ip", "-n", ns, "addr", "add", f"{a6}/64", "dev", ifname, "nodad")
            run("ip", "-n", ns, "link", "set", "lo", "up")
            run("ip", "-n", ns, "link", "set", ifname, "up")
        run("ip", "-n", SRV_NS, "addr", "add", f"{OTHER4}/24", "dev", SRV_IF)
        run("ip", "-n", SRV_NS, "addr", "add", f"{OTHER6}/64", "dev", SRV_IF, "nodad")
        srv_mac, cli_mac = mac(SRV_NS, SRV_IF), mac(CLI_NS, CLI_IF)
        for ns, ifname, peer_mac, peers in ((CLI_NS, CLI_IF, srv_mac, (SRV4, SRV6, OTHER4, OTHER6)),
                                            (SRV_NS, SRV_IF, cli_mac, (CLI4, CLI6))):
            for addr in peers:
                run("ip", "-n", ns, "neigh", "replace", addr, "lladdr", peer_mac, "dev", ifname,
                    "nud", "permanent")
        target = os.open(f"/run/netns/{CLI_NS}", os.O_RDONLY)
        try:
            if libc.setns(target, CLONE_NEWNET) != 0:
                pytest.skip(f"setns: {os.strerror(ctypes.get_errno())}")
        finally:
            os.close(target)
        try:
            yield
        finally:
            assert libc.setns(own, CLONE_NEWNET) == 0, "back to the test's own namespace"
    finally:
        os.close(own)
        for ns in made:
            subprocess.run(["ip", "-n", ns, "link", "set", "dev",
                            SRV_IF if ns == SRV_NS else CLI_IF, "xdp", "off"],
                           capture_output=True, timeout=20)
        for ns in reversed(made):
            subprocess.run(["ip", "netns", "del", ns], capture_output=True, timeout=20)


# ---------------------------------------------------------------------------------------------
# Queries from the client namespace


def _ours(addr: str) -> None:
    # Nothing leaves the namespace pair made here.
    assert addr in OURS, f"refusing to send to {addr}"


def udp(wire: bytes, port: int, addr: str = SRV4, timeout: float = TIMEOUT) -> Optional[bytes]:
    """One datagram from the client namespace; the first reply, or None on timeout."""
    _ours(addr)
    with socket.socket(socket.AF_INET6 if ":" in addr else socket.AF_INET,
                       socket.SOCK_DGRAM) as s:
        s.settimeout(timeout)
        s.sendto(wire, (addr, port))
        try:
            return s.recvfrom(65535)[0]
        except socket.timeout:
            return None


def tcp(wire: bytes, port: int, addr: str = SRV4, timeout: float = TIMEOUT) -> bytes:
    _ours(addr)
    with socket.create_connection((addr, port), timeout=timeout) as s:
        s.sendall(struct.pack("!H", len(wire)) + wire)
        buf = b""
        while len(buf) < 2 or len(buf) < 2 + struct.unpack("!H", buf[:2])[0]:
            chunk = s.recv(65535)
            assert chunk, "connection closed before the whole answer"
            buf += chunk
        return buf[2:]


def normalised(wire: bytes) -> tuple:
    """Every header field and every section; RRsets in each section as sorted text (an RRset's
    order is the only freedom a server has)."""
    m = dns.message.from_wire(wire)
    return (m.id, m.flags, m.ednsflags, m.edns, m.payload,
            tuple(sorted(o.to_text() for o in m.options)),
            tuple(tuple(sorted(rrset.to_text() for rrset in section)) for section in m.sections),
            len(wire))


class NsDaemon(Daemon):
    """sipdnsd in the server namespace (ip netns exec, which execs it: the PID is the daemon's),
    its readiness probe sent from the client namespace to its IPv4 address."""

    def __init__(self, config, port: int, listen: Optional[list[str]] = None, **kwargs):
        super().__init__(config, listen=listen or [f"{SRV4}:{{port}}", f"[{SRV6}]:{{port}}"],
                         port=port, wrapper=["ip", "netns", "exec", SRV_NS], **kwargs)

    def _wait_ready(self) -> bool:
        wire = make_query(self.domain, "SOA").to_wire()
        deadline = time.monotonic() + 15.0
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False
            data = udp(wire, self.port, SRV4, timeout=0.2)
            if data and dns.message.from_wire(data).answer:
                return True
        return False


def kernel_udp() -> dict[str, int]:
    """The server namespace's UDP counters: Udp (IPv4, /proc/net/snmp) and Udp6 (snmp6)."""
    snmp = run("ip", "netns", "exec", SRV_NS, "cat", "/proc/net/snmp").stdout.splitlines()
    rows = [line.split() for line in snmp if line.startswith("Udp:")]
    out = {f"Udp{k}": int(v) for k, v in zip(rows[0][1:], rows[1][1:])}
    for line in run("ip", "netns", "exec", SRV_NS, "cat", "/proc/net/snmp6").stdout.splitlines():
        k, v = line.split()
        if k.startswith("Udp6"):
            out[k] = int(v)
    return out


def kernel_ip_received() -> int:
    """The server namespace's IP packets received, IPv4 and IPv6 (InReceives)."""
    snmp = run("ip", "netns", "exec", SRV_NS, "cat", "/proc/net/snmp").stdout.splitlines()
    rows = [line.split() for line in snmp if line.startswith("Ip:")]
    received = int(rows[1][rows[0].index("InReceives")])
    for line in run("ip", "netns", "exec", SRV_NS, "cat", "/proc/net/snmp6").stdout.splitlines():
        k, v = line.split()
        if k == "Ip6InReceives":
            received += int(v)
    return received


def xdp_attached() -> bool:
    return "prog/xdp" in run("ip", "-n", SRV_NS, "link", "show", "dev", SRV_IF).stdout


# ---------------------------------------------------------------------------------------------
# Fixtures


@pytest.fixture(scope="module")
def pair():
    with namespace_pair():
        yield


class Servers:
    """The XDP daemon (replaced by the SIGKILL test's restart) and the socket-path daemon."""
    xdp: NsDaemon
    sockets: NsDaemon
    xdp_site: pathlib.Path


def stop(d: Daemon) -> None:
    if d.proc is not None and d.proc.poll() is None:
        d.stop()


@pytest.fixture(scope="module")
def servers(pair, tmp_path_factory):
    if not os.access(SIPDNSD, os.X_OK):
        pytest.fail(f"sipdnsd binary not found at {SIPDNSD} (set SIPDNSD)")
    tmp = tmp_path_factory.mktemp("xdp")
    s = Servers()
    s.sockets = NsDaemon(write_site(tmp, "sockets.yaml", site_text(SOCKET_PORT)), SOCKET_PORT,
                         name="sipdnsd-sockets")
    s.sockets.start()
    s.xdp_site = write_site(tmp, "xdp.yaml", site_text(XDP_PORT, xdp_section(SRV_IF)))
    s.xdp = NsDaemon(s.xdp_site, XDP_PORT, name="sipdnsd-xdp")
    try:
        s.xdp.start()
        text = s.xdp.log_text()
        failed = NOT_ATTACHED.search(text)
        if failed:
            pytest.skip(f"sipdnsd could not attach XDP to a veth here: {failed.group(1)}")
        assert ATTACHED.search(text), f"no XDP start-up line in the log:\n{text}"
        yield s
    finally:
        stop(s.xdp)
        stop(s.sockets)


# ---------------------------------------------------------------------------------------------
# Same answers as the socket path

QUESTIONS = [
    ("scs1." + D, "A"), ("scs1." + D, "AAAA"), ("scs2." + D, "AAAA"),      # NODATA
    ("dual." + D, "AAAA"), ("DuAl." + D.upper(), "A"),                     # 0x20 kept
    (D, "SOA"), (D, "NS"), (D, "NAPTR"), ("_sip._udp." + D, "SRV"),
    ("_sip._tcp.rr.scs1." + D, "SRV"), ("nx." + D, "A"),                    # NXDOMAIN
    ("big." + D, "TXT"), ("11.2.0.192.in-addr.arpa.", "PTR"),
    ("example.com.", "A"),                                                  # not ours: REFUSED
]
EDNS = {"EDNS 1232": dict(edns=0, payload=1232), "EDNS 512": dict(edns=0, payload=512),
        "no EDNS": dict(edns=None), "EDNS 4096 DO": dict(edns=0, payload=4096)}


def table_queries() -> list[tuple[str, bytes]]:
    out = []
    for i, (name, qtype) in enumerate(QUESTIONS):
        for j, (label, kw) in enumerate(EDNS.items()):
            q = make_query(name, qtype, edns=kw.get("edns"), payload=kw.get("payload", 1232),
                           want_dnssec="DO" in label)
            q.id = 0x1000 + i * 16 + j
            out.append((f"{name} {qtype} {label}", q.to_wire()))
    return out


@pytest.mark.parametrize("addr", [SRV4, SRV6], ids=["IPv4", "IPv6"])
def test_dnspython_answers_over_xdp_equal_the_socket_path(servers, addr):
    queries = table_queries()
    before = kernel_udp()
    over_xdp = {label: udp(wire, XDP_PORT, addr) for label, wire in queries}
    after = kernel_udp()
    assert after == before, "the kernel's UDP layer saw queries that XDP answered"
    over_sockets = {label: udp(wire, SOCKET_PORT, addr) for label, wire in queries}
    assert kernel_udp()["UdpInDatagrams" if ":" not in addr else "Udp6InDatagrams"] >= \
        before["UdpInDatagrams" if ":" not in addr else "Udp6InDatagrams"] + len(queries), \
        "the socket path's queries went through the kernel's UDP layer"
    seen = set()
    for label, _ in queries:
        x, s = over_xdp[label], over_sockets[label]
        assert s is not None, f"{label}: the socket path did not answer"
        assert x is not None, f"{label}: no answer over XDP"
        assert normalised(x) == normalised(s), f"{label}: XDP and the socket path differ"
        m = dns.message.from_wire(x)
        seen.add(dns.rcode.to_text(m.rcode()))
        if m.flags & dns.flags.TC:
            seen.add("TC")
        seen.update(dns.rdatatype.to_text(r.rdtype) for r in m.answer)
    # The table reaches every kind of answer it is meant to compare.
    assert {"NOERROR", "NXDOMAIN", "REFUSED", "TC", "SRV", "NAPTR", "PTR", "AAAA", "TXT"} <= seen, seen


def test_truncation_over_xdp(servers):
    """The big TXT RRset: TC=1 with no answer for 512 octets (and without EDNS), whole for
    1232; over TCP (the kernel path, at the XDP port) whole."""
    for kw, truncated in ((dict(edns=0, payload=512), True), (dict(edns=None), True),
                          (dict(edns=0, payload=1232), False)):
        m = dns.message.from_wire(udp(make_query("big." + D, "TXT", **kw).to_wire(), XDP_PORT))
        assert bool(m.flags & dns.flags.TC) == truncated, kw
        assert (len(m.answer) == 0) == truncated, kw
    m = dns.message.from_wire(tcp(make_query("big." + D, "TXT", payload=512).to_wire(), XDP_PORT))
    assert not m.flags & dns.flags.TC and len(m.answer[0]) == len(BIG_TXT)


def test_answer_larger_than_the_mtu(servers):
    """An answer the socket path sends as IP fragments (EDNS 4096, server.edns_udp_size 4096)
    does not fit one XDP frame: TC=1 with the question only (RFC 6891 §7: above what the path
    carries, as above the client's size), and whole over TCP at the same port."""
    q = make_query("huge." + D, "TXT", payload=4096)
    whole = udp(q.to_wire(), SOCKET_PORT)
    m = dns.message.from_wire(whole)
    assert len(whole) > 1500 and not m.flags & dns.flags.TC and len(m.answer[0]) == len(HUGE_TXT)
    over_xdp = dns.message.from_wire(udp(q.to_wire(), XDP_PORT))
    assert over_xdp.flags & dns.flags.TC and not over_xdp.answer, over_xdp
    assert over_xdp.id == q.id and over_xdp.question == q.question
    assert normalised(tcp(q.to_wire(), XDP_PORT)) == normalised(whole)


def tool_text(out: str, port: int) -> str:
    """A client's output without what differs between two servers that answer alike: the
    message ID, timings, the port; the header line is kept without its ID."""
    lines = []
    for line in out.splitlines():
        line = re.sub(r"\bid: \d+", "id: N", line)
        line = re.sub(r"([#@ ])" + str(port) + r"\b", r"\1PORT", line)
        if re.match(r"^;; (Query time|WHEN|Time \d)|^;; From ", line):
            continue
        lines.append(line)
    return "\n".join(lines)


DIG_CASES = [
    ("scs1." + D, "A", []), (D, "NAPTR", []), ("_sip._udp." + D, "SRV", []),
    ("nx." + D, "A", []), ("big." + D, "TXT", ["+bufsize=512", "+ignore"]),
    ("dual." + D, "AAAA", ["+noedns"]), (D, "SOA", ["+dnssec"]),
]


@pytest.mark.parametrize("tool", ["dig", "kdig"])
@pytest.mark.parametrize("addr", [SRV4, SRV6], ids=["IPv4", "IPv6"])
def test_dig_and_kdig_answers_over_xdp_equal_the_socket_path(servers, tool, addr):
    if not shutil.which(tool):
        pytest.skip(f"{tool} is not installed (scripts/install-deps.sh installs it)")
    _ours(addr)
    # No cookie: a server cookie differs between two daemons (RFC 7873 §4.2: a secret of each).
    common = ["+nocookie"] if tool == "dig" else ["+nocookie", "+noidn"]
    before = kernel_udp()
    for name, qtype, opts in DIG_CASES:
        outs = {}
        for port in (XDP_PORT, SOCKET_PORT):
            r = run(tool, f"@{addr}", "-p", str(port), name, qtype, "+norecurse", "+retry=0",
                    "+time=2", *common, *opts, check_rc=False)
            outs[port] = (r.returncode, tool_text(r.stdout, port))
        assert outs[XDP_PORT][0] == outs[SOCKET_PORT][0] == 0, (name, qtype, outs)
        assert outs[XDP_PORT][1] == outs[SOCKET_PORT][1], f"{tool} {name} {qtype} {opts}"
        assert "ANSWER SECTION" in outs[XDP_PORT][1] or "NXDOMAIN" in outs[XDP_PORT][1] \
            or "tc" in outs[XDP_PORT][1], outs[XDP_PORT][1]
    key = "UdpInDatagrams" if ":" not in addr else "Udp6InDatagrams"
    # The socket path's queries (one each) reached the kernel; the XDP ones did not.
    assert kernel_udp()[key] - before[key] == len(DIG_CASES), "only the socket path's queries"


# ---------------------------------------------------------------------------------------------
# The malformed-packet corpus


def oversized(total: int) -> bytes:
    m = header(ar=1) + QUESTION
    return m + rr(b"\xc0\x0c", b"\x55" * (total - len(m) - 12))


@pytest.mark.parametrize("addr", [SRV4, SRV6], ids=["IPv4", "IPv6"])
def test_malformed_corpus_over_xdp_gets_the_socket_paths_replies(servers, addr):
    cases = dict(MALFORMED_CASES)
    # Larger than the veth's MTU: IP fragments, which the XDP program passes to the kernel
    # (reassembled there, answered on the socket).
    cases["4096-octet datagram (fragmented)"] = (oversized(4096), (0, True, False))
    before = kernel_udp()
    for name, (msg, expected) in cases.items():
        wait = 0.5 if expected is None else TIMEOUT
        over_sockets = udp(msg, SOCKET_PORT, addr, timeout=wait)
        over_xdp = udp(msg, XDP_PORT, addr, timeout=wait)
        check(name, msg, over_sockets, expected)
        check(name, msg, over_xdp, expected)
        assert over_xdp == over_sockets, f"{name}: XDP and the socket path reply differently"
    key = "UdpInDatagrams" if ":" not in addr else "Udp6InDatagrams"
    delta = kernel_udp()[key] - before[key]
    # Each case once through the socket path, plus the fragmented one over the XDP port.
    assert delta == len(cases) + 1, f"the kernel's UDP layer got {delta} datagrams"


# ---------------------------------------------------------------------------------------------
# What stays the kernel's


def test_tcp_at_the_xdp_port_is_answered_by_the_kernel_path(servers):
    for addr in (SRV4, SRV6):
        q = make_query("_sip._udp." + D, "SRV")
        over_tcp = tcp(q.to_wire(), XDP_PORT, addr)
        assert normalised(over_tcp) == normalised(tcp(q.to_wire(), SOCKET_PORT, addr))
        assert dns.message.from_wire(over_tcp).answer


def test_udp_to_an_address_sipdnsd_does_not_listen_on_reaches_the_kernel(servers):
    """The program takes only queries to the listen addresses (here specific ones): one to
    another address of the interface, at the XDP port, is the kernel's, which has no socket
    there (port unreachable), as without XDP."""
    q = make_query("scs1." + D, "A").to_wire()
    before = kernel_udp()
    assert udp(q, XDP_PORT, OTHER4, timeout=0.5) is None
    assert udp(q, XDP_PORT, OTHER6, timeout=0.5) is None
    after = kernel_udp()
    assert after["UdpNoPorts"] == before["UdpNoPorts"] + 1
    assert after["Udp6NoPorts"] == before["Udp6NoPorts"] + 1
    assert dns.message.from_wire(udp(q, XDP_PORT, SRV4)).answer
    assert kernel_udp()["UdpInDatagrams"] == after["UdpInDatagrams"], "answered over XDP"


def test_udp_to_another_port_reaches_the_kernel(servers):
    q = make_query("scs1." + D, "A").to_wire()
    before = kernel_udp()
    assert udp(q, NOBODY_PORT, timeout=0.5) is None
    assert udp(q, NOBODY_PORT, SRV6, timeout=0.5) is None
    after = kernel_udp()
    assert after["UdpNoPorts"] == before["UdpNoPorts"] + 1, "ICMP port unreachable from the kernel"
    assert after["Udp6NoPorts"] == before["Udp6NoPorts"] + 1
    assert dns.message.from_wire(udp(q, SOCKET_PORT)).answer
    assert kernel_udp()["UdpInDatagrams"] == after["UdpInDatagrams"] + 1


@contextlib.contextmanager
def xdp_interface_freed(servers):
    """An interface takes one XDP program: the shared XDP daemon steps aside for a test's own
    and is back afterwards."""
    stop(servers.xdp)
    try:
        yield
    finally:
        servers.xdp = NsDaemon(servers.xdp_site, XDP_PORT, name="sipdnsd-xdp-again")
        servers.xdp.start()


def test_wildcard_listen_takes_only_the_hosts_own_addresses(servers, tmp_path):
    """With `0.0.0.0` and `[::]` in listen, XDP answers queries to the server's addresses,
    listed or not, and leaves a query routed through the server to another address to the
    kernel, which does not forward here and drops it: a wildcard socket gets only local ones."""
    srv_mac = mac(SRV_NS, SRV_IF)
    for addr, length in ((ROUTED4, 32), (ROUTED6, 128)):
        run("ip", "-n", CLI_NS, "route", "replace", f"{addr}/{length}", "dev", CLI_IF)
        run("ip", "-n", CLI_NS, "neigh", "replace", addr, "lladdr", srv_mac, "dev", CLI_IF,
            "nud", "permanent")
    with xdp_interface_freed(servers):
        site = write_site(tmp_path, "wildcard.yaml",
                          site_text(WILDCARD_PORT, xdp_section(SRV_IF, WILDCARD_PORT)))
        d = NsDaemon(site, WILDCARD_PORT, listen=["0.0.0.0:{port}", "[::]:{port}"],
                     name="sipdnsd-wildcard")
        try:
            d.start()
            assert re.search(rf"XDP on {SRV_IF}: .*UDP port {WILDCARD_PORT}\b", d.log_text()), \
                d.log_text()
            q = make_query("scs1." + D, "A").to_wire()
            before = kernel_udp()
            for addr in (SRV4, OTHER4, SRV6, OTHER6):
                assert dns.message.from_wire(udp(q, WILDCARD_PORT, addr)).answer, addr
            assert kernel_udp() == before, "the server's own addresses are answered over XDP"
            for addr in (ROUTED4, ROUTED6):
                received = kernel_ip_received()
                assert udp(q, WILDCARD_PORT, addr, timeout=0.5) is None, \
                    f"sipdnsd answered a query to {addr}, not an address of its host"
                assert kernel_ip_received() > received, f"the query to {addr} reached the kernel"
            assert kernel_udp() == before, "the kernel dropped them below UDP"
        finally:
            stop(d)


# ---------------------------------------------------------------------------------------------
# Start-up failures, SIGKILL


def start_raw(config: pathlib.Path, *args: str,
              timeout: float = 20) -> subprocess.CompletedProcess:
    return subprocess.run(["ip", "netns", "exec", SRV_NS, SIPDNSD, "--config", str(config),
                           "--threads", "1", "--control", str(config.parent / "control-raw"),
                           *args],
                          capture_output=True, text=True, timeout=timeout)


def test_required_xdp_on_a_missing_interface_exits_1(servers, tmp_path):
    site = write_site(tmp_path, "required.yaml",
                      site_text(FALLBACK_PORT, xdp_section("nosuch0", FALLBACK_PORT, True)))
    r = start_raw(site)
    assert r.returncode == 1, (r.returncode, r.stderr)
    assert re.search(r"XDP on nosuch0: .+", r.stderr), r.stderr
    assert "answering UDP on sockets only" not in r.stderr, r.stderr


def test_missing_interface_without_required_answers_on_sockets(servers, tmp_path):
    site = write_site(tmp_path, "optional.yaml",
                      site_text(FALLBACK_PORT, xdp_section("nosuch0", FALLBACK_PORT)))
    d = NsDaemon(site, FALLBACK_PORT, name="sipdnsd-fallback", threads=1)
    d.start()
    try:
        assert re.search(r"XDP on nosuch0: .+; answering UDP on sockets only", d.log_text()), \
            d.log_text()
        before = kernel_udp()
        m = dns.message.from_wire(udp(make_query("scs1." + D, "A").to_wire(), FALLBACK_PORT))
        assert m.answer
        assert kernel_udp()["UdpInDatagrams"] == before["UdpInDatagrams"] + 1
    finally:
        assert d.stop() == 0


def test_xdp_takes_only_the_listen_addresses_at_its_port(servers, tmp_path):
    """listen: SRV4 at the XDP port, SRV6 at another: a query to SRV6 at the XDP port is not
    XDP's, as no socket serves it (the kernel answers port unreachable); SRV6 at its own port is
    the socket's, SRV4 at the XDP port XDP's."""
    with xdp_interface_freed(servers):
        site = write_site(tmp_path, "ports.yaml",
                          site_text(PORTS_PORT, xdp_section(SRV_IF, PORTS_PORT)))
        d = NsDaemon(site, PORTS_PORT, listen=[f"{SRV4}:{{port}}", f"[{SRV6}]:{PORTS_PORT + 1}"],
                     name="sipdnsd-ports")
        try:
            d.start()
            assert re.search(rf"XDP on {SRV_IF}: .*UDP port {PORTS_PORT}\b", d.log_text()), \
                d.log_text()
            q = make_query("scs1." + D, "A").to_wire()
            before = kernel_udp()
            assert dns.message.from_wire(udp(q, PORTS_PORT, SRV4)).answer
            assert kernel_udp() == before, "answered over XDP"
            assert udp(q, PORTS_PORT, SRV6, timeout=0.5) is None, "no socket serves it"
            after = kernel_udp()
            assert after["Udp6NoPorts"] == before["Udp6NoPorts"] + 1, "the kernel's"
            assert dns.message.from_wire(udp(q, PORTS_PORT + 1, SRV6)).answer
            assert kernel_udp()["Udp6InDatagrams"] == after["Udp6InDatagrams"] + 1, "the socket's"
        finally:
            stop(d)


@pytest.mark.parametrize("required", [True, False], ids=["required", "optional"])
def test_an_xdp_port_of_no_listen_address_is_refused(servers, tmp_path, required):
    """--listen replaces the file's addresses, so the daemon checks the XDP port against them:
    one line naming the port and the listen addresses, then exit 1 or the sockets only."""
    site = write_site(tmp_path, "noport.yaml",
                      site_text(FALLBACK_PORT, xdp_section(SRV_IF, FALLBACK_PORT, required)))
    listen = f"{SRV4}:{PORTS_PORT + 2}"
    line = re.compile(rf"XDP on {SRV_IF}: UDP port {FALLBACK_PORT} is not the port of any listen "
                      rf"address \({re.escape(listen)}\)")
    if required:
        r = start_raw(site, "--listen", listen)
        assert r.returncode == 1 and line.search(r.stderr), (r.returncode, r.stderr)
        return
    d = NsDaemon(site, PORTS_PORT + 2, listen=[f"{SRV4}:{{port}}"], name="sipdnsd-noport",
                 threads=1)
    d.start()
    try:
        assert line.search(d.log_text()) and "answering UDP on sockets only" in d.log_text(), \
            d.log_text()
    finally:
        assert d.stop() == 0


def test_an_mtu_too_small_for_a_512_octet_answer_is_refused(servers, tmp_path):
    """Below 540 (20 + 8 + 512) every answer over XDP would be dropped: one line, exit 1 with
    `required`. A second veth pair inside the server namespace has that MTU."""
    low = f"xtm{TAG}"[:15]
    run("ip", "-n", SRV_NS, "link", "add", low, "mtu", "539", "type", "veth", "peer", "name",
        f"xtn{TAG}"[:15], "mtu", "539")
    try:
        site = write_site(tmp_path, "mtu.yaml",
                          site_text(FALLBACK_PORT, xdp_section(low, FALLBACK_PORT, True)))
        r = start_raw(site)
        assert r.returncode == 1, (r.returncode, r.stderr)
        assert re.search(rf"XDP on {low}: its MTU 539 is below 540, which a 512-octet answer "
                         r"needs", r.stderr), r.stderr
    finally:
        run("ip", "-n", SRV_NS, "link", "del", low, check_rc=False)


def test_sigkill_leaves_no_xdp_program_and_a_restart_attaches_again(servers):
    assert xdp_attached(), "the XDP daemon's program is on the interface"
    servers.xdp.signal(signal.SIGKILL)
    servers.xdp.proc.wait(timeout=10)
    assert wait_until(lambda: not xdp_attached(), 5.0), \
        run("ip", "-n", SRV_NS, "link", "show", "dev", SRV_IF).stdout
    # Nothing answers at the XDP port now: the kernel has no socket there either.
    assert udp(make_query("scs1." + D, "A").to_wire(), XDP_PORT, timeout=0.5) is None
    servers.xdp = NsDaemon(servers.xdp_site, XDP_PORT, name="sipdnsd-xdp-restarted")
    servers.xdp.start()
    assert ATTACHED.search(servers.xdp.log_text()), servers.xdp.log_text()
    assert xdp_attached()
    before = kernel_udp()
    assert dns.message.from_wire(udp(make_query("scs1." + D, "A").to_wire(), XDP_PORT)).answer
    assert kernel_udp() == before, "answered over XDP again"
