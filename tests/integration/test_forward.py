# SPDX-FileCopyrightText: 2026 The sipdns authors
# SPDX-License-Identifier: BSD-3-Clause
"""Forwarding (issue 13): the phones' only DNS server answers every other name
through libunbound. Real servers on loopback only: the upstream is a real Unbound started here
(127.0.0.1 and ::1 on a free port, `log-queries: yes`, a static local zone `fwd.example` and
the special-use names a site's own resolver serves), a "blackhole" upstream is a UDP socket and
a TCP listener of this test that never answer, and the local root for `to: root` is NSD on
port 53 inside a network namespace of this test with loopback only (a resolver that ignored
`root_hints` would reach nothing: no traffic leaves the machine).

What is checked:
- dig, kdig and dnspython (UDP and TCP, IPv4 and IPv6) get upstream names with RA=1, AA=0 and
  the upstream's data; a 0x20 mixed-case question comes back byte for byte with the client's
  ID; RD and CD are copied; pipelined TCP answers (in any order) match their queries;
- the site's names are unchanged (the same answers as without `forward:`) and never reach the
  upstream (its query log), though the upstream serves decoys for them;
- a name asked before is answered from cache after the upstream is stopped (within its TTL);
- REFUSED (RA=0) for a client outside `allow` (a second loopback source address), whose site
  queries are still answered;
- SERVFAIL (RA=1) within 3 s when the upstream is gone (nothing listening; a blackhole), with
  the RFC 8914 extended error 22 when the query had EDNS;
- answers too big for UDP: TC=1 with the question only (dig +ignore), whole over TCP;
- RFC 1918 / RFC 6598 / link-local / ULA reverse names, home.arpa, .test, service.arpa and
  resolver.arpa reach the upstream; localhost, the loopback reverse zone, .invalid and .onion
  stay answered locally (the upstream's decoys for them never show);
- `to: root` with `root_hints` naming a local root that delegates a test TLD;
- RRL limits forwarded UDP answers too (never TCP);
- a flood of random names from one client does not starve site answers for another, and the
  flooder gets SERVFAIL ("busy": too many outstanding forwarded queries) or timeouts;
- the sipdns_forward_* metrics move as the queries sent say;
- the malformed-packet corpus of test_malformed.py with a forwarded name in the question, odd
  forwarded questions, and clients that leave before their forwarded answer: the daemon keeps
  answering.

Rules: only loopback, every wait and loop bounded, only processes started here are stopped (by
PID). Tools the machine may lack (unbound, nsd, root for a network namespace) are checked
first and the test is skipped with the reason."""

from __future__ import annotations

import contextlib
import ctypes
import os
import pathlib
import random
import re
import shutil
import signal
import socket
import struct
import subprocess
import threading
import time
from typing import Optional

import dns.edns
import dns.flags
import dns.message
import dns.name
import dns.query
import dns.rcode
import dns.rdatatype
import dns.resolver
import pytest

from sipdnsd_harness import (LOOPBACK4, LOOPBACK6, Daemon, ReferenceServer, free_port,
                             make_query, raw_tcp, raw_udp, recv_tcp_message, stop_process,
                             SIPDNSD, tcp_connect, write_site)
# The same parsers and corpus as the metrics and malformed-packet tests.
from test_metrics import delta, scrape, total
from test_malformed import CASES as MALFORMED_CASES, QUESTION as SITE_QUESTION, check, header

UNBOUND = shutil.which("unbound") or "/usr/sbin/unbound"
NSD = shutil.which("nsd") or "/usr/sbin/nsd"

SITE = "scsnetwork.local."
FWD = "fwd.example."            # the upstream's zone: no special-use name, libunbound has no
                                # default for it, so only the upstream can answer it
OUTSIDE = "127.0.0.2"           # a loopback source address outside `allow`
FLOODER = "127.0.0.3"           # allowed, floods random names
SERVFAIL_WITHIN = 3.0           # issue 13: SERVFAIL within the client's patience
QUERY_TIMEOUT = 5.0             # longer than SERVFAIL_WITHIN: a late SERVFAIL is seen as late

WWW_A, WWW_AAAA, WWW_TXT = "192.0.2.80", "2001:db8::80", "hello from the upstream"
TTL300_A = "192.0.2.81"
FORWARDED_A = "192.0.2.82"
# 10 TXT strings: more than 512 octets, less than 1232 (fits UDP with EDNS, not without).
MID_TXT = [f"mid-{i:02d}-" + "m" * 52 for i in range(10)]
# 30 TXT strings: ~2200 octets, more than the 1232-octet UDP payload sipdnsd ever uses.
BIG_TXT = [f"big-{i:02d}-" + "b" * 52 for i in range(30)]

# Special-use names a site's resolver answers (the upstream serves them, libunbound must ask
# it: the issue): (qname, qtype, expected rdata text)
UPSTREAM_SPECIAL = [
    ("3.2.1.10.in-addr.arpa.", "PTR", "lan-10.fwd.example."),            # RFC 1918
    ("5.5.16.172.in-addr.arpa.", "PTR", "lan-172.fwd.example."),         # RFC 1918
    ("20.1.168.192.in-addr.arpa.", "PTR", "lan-192.fwd.example."),       # RFC 1918
    ("1.1.64.100.in-addr.arpa.", "PTR", "cgn.fwd.example."),             # RFC 6598
    ("1.1.254.169.in-addr.arpa.", "PTR", "link-local.fwd.example."),     # RFC 3927
    ("1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f.ip6.arpa.", "PTR",
     "ula.fwd.example."),                                                # RFC 4193
    ("printer.home.arpa.", "A", "192.0.2.90"),                           # RFC 8375
    ("pbx.upstream.test.", "A", "192.0.2.91"),                           # RFC 6761 test.
    ("printer.service.arpa.", "A", "192.0.2.92"),                        # RFC 9665
    ("probe.resolver.arpa.", "TXT", '"upstream"'),                        # RFC 9462
]
# Names libunbound keeps answering itself with `to: [...]`; the upstream serves decoys for them
# that must never show: (qname, qtype, rcode, expected rdata text or None)
KEPT_LOCAL = [
    ("localhost.", "A", "NOERROR", "127.0.0.1"),
    ("1.0.0.127.in-addr.arpa.", "PTR", "NOERROR", "localhost."),
    ("leak.invalid.", "A", "NXDOMAIN", None),
    ("leak.onion.", "A", "NXDOMAIN", None),
]


# ---------------------------------------------------------------------------------------------
# The upstream: a real Unbound


def upstream_local_data() -> str:
    """Unbound local zones: `.` static (nothing is ever recursed: no traffic leaves), the test
    zone, special-use names, decoys for names libunbound keeps and for the site's own names."""
    z = []

    def zone(name, *data, ptr=()):
        z.append(f'    local-zone: "{name}" static')
        for d in data:
            z.append(f"    local-data: '{d}'")
        for p in ptr:
            z.append(f'    local-data-ptr: "{p}"')

    zone(".")
    zone(FWD,
         f"{FWD} 3600 IN SOA ns.{FWD} hostmaster.{FWD} 1 3600 600 86400 60",
         f"{FWD} 3600 IN NS ns.{FWD}",
         f"ns.{FWD} 3600 IN A 192.0.2.79",
         f"www.{FWD} 3600 IN A {WWW_A}",
         f"www.{FWD} 3600 IN AAAA {WWW_AAAA}",
         f'www.{FWD} 3600 IN TXT "{WWW_TXT}"',
         f"ttl300.{FWD} 300 IN A {TTL300_A}",
         f"forwarded.{FWD} 3600 IN A {FORWARDED_A}",
         *(f'mid.{FWD} 3600 IN TXT "{t}"' for t in MID_TXT),
         *(f'big.{FWD} 3600 IN TXT "{t}"' for t in BIG_TXT))
    zone("10.in-addr.arpa.", ptr=["10.1.2.3 lan-10.fwd.example."])
    zone("16.172.in-addr.arpa.", ptr=["172.16.5.5 lan-172.fwd.example."])
    zone("168.192.in-addr.arpa.", ptr=["192.168.1.20 lan-192.fwd.example."])
    zone("64.100.in-addr.arpa.", ptr=["100.64.1.1 cgn.fwd.example."])
    zone("254.169.in-addr.arpa.", ptr=["169.254.1.1 link-local.fwd.example."])
    zone("d.f.ip6.arpa.", ptr=["fd00::1 ula.fwd.example."])
    zone("home.arpa.", "printer.home.arpa. 3600 IN A 192.0.2.90")
    zone("upstream.test.", "pbx.upstream.test. 3600 IN A 192.0.2.91")
    zone("service.arpa.", "printer.service.arpa. 3600 IN A 192.0.2.92")
    zone("resolver.arpa.", 'probe.resolver.arpa. 3600 IN TXT "upstream"')
    # Decoys: what libunbound must keep answering itself...
    zone("localhost.", "localhost. 3600 IN A 192.0.2.67")
    zone("127.in-addr.arpa.", ptr=["127.0.0.1 decoy-loopback.fwd.example."])
    zone("invalid.", "leak.invalid. 3600 IN A 192.0.2.66")
    zone("onion.", "leak.onion. 3600 IN A 192.0.2.68")
    # ... and the site's own names, which sipdnsd answers and never forwards.
    zone(SITE, f"scs1.{SITE} 3600 IN A 203.0.113.99", f"nothere.{SITE} 3600 IN A 203.0.113.98",
         f"_sip._udp.{SITE} 3600 IN SRV 9 9 9 decoy.fwd.example.")
    zone("2.0.192.in-addr.arpa.", ptr=["192.0.2.11 decoy-reverse.fwd.example.",
                                       "192.0.2.99 decoy-reverse.fwd.example."])
    return "\n".join(z) + "\n"


class Unbound(ReferenceServer):
    """unbound -d with its own config: 127.0.0.1 and ::1 on one free port, one thread, every
    query logged (log-queries), no validation, no remote control, nothing recursed."""

    name = "unbound"
    binary = UNBOUND

    def __init__(self, workdir: pathlib.Path):
        super().__init__([(FWD.rstrip("."), "")], workdir)  # readiness: the SOA of fwd.example

    def write_zone_files(self) -> None:
        pass  # the data is in unbound.conf

    def prepare(self) -> list[str]:
        w = self.workdir
        conf = f"""server:
    interface: 127.0.0.1@{self.port}
    interface: ::1@{self.port}
    port: {self.port}
    do-ip4: yes
    do-ip6: yes
    do-udp: yes
    do-tcp: yes
    username: ""
    chroot: ""
    directory: "{w}"
    pidfile: "{w}/unbound.pid"
    logfile: ""
    use-syslog: no
    log-time-ascii: yes
    log-queries: yes
    verbosity: 1
    num-threads: 1
    access-control: 127.0.0.0/8 allow
    access-control: ::1/128 allow
    do-not-query-localhost: no
    module-config: "iterator"
    ratelimit: 0
    ip-ratelimit: 0
{upstream_local_data()}
remote-control:
    control-enable: no
"""
        (w / "unbound.conf").write_text(conf)
        return [self.binary, "-d", "-c", str(w / "unbound.conf")]

    def start(self) -> "Unbound":
        if not os.access(self.binary, os.X_OK):
            pytest.skip("unbound is not installed (scripts/install-deps.sh installs it)")
        self.workdir.mkdir(parents=True, exist_ok=True)
        last = ""
        for _attempt in range(3):
            self.port = free_port([LOOPBACK4, LOOPBACK6])
            self.argv = self.prepare()
            self._log = open(self.log_path, "wb")
            self.proc = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL, stdout=self._log,
                                         stderr=subprocess.STDOUT, cwd=self.workdir,
                                         close_fds=True)
            if self._wait_ready():
                return self
            last = self.log_text()
            self.stop()
            if "in use" not in last.lower():
                break
        raise AssertionError(f"unbound did not start:\n{' '.join(self.argv)}\n{last}")

    def asked(self) -> list[str]:
        """The query names (lower case, with the final dot) in the log, in order."""
        return [m.group(1).lower() for m in
                re.finditer(r" info: \S+ (\S+) \S+ \S+$", self.log_text(), re.M)]

    def wait_asked(self, name: str, timeout: float = 3.0) -> list[str]:
        """Wait (bounded) until `name` is in the log; returns every name asked so far."""
        deadline = time.monotonic() + timeout
        while True:
            names = self.asked()
            if name.lower() in names:
                return names
            assert time.monotonic() < deadline, \
                f"{name} never reached the upstream; it saw {names[-20:]}"
            time.sleep(0.05)


_marker = iter(range(1, 1 << 30))


def marker_name() -> str:
    return f"marker-{next(_marker)}-{random.randrange(1 << 30)}.{FWD}"


def upstream_saw_nothing_of(upstream: Unbound, daemon: Daemon, names) -> list[str]:
    """After the queries of a test: a fresh marker name forwarded last, waited for in the
    upstream's log (one thread: everything asked before it is logged before it); then none of
    `names` (suffixes, lower case) may be in the log. Returns the names it saw."""
    m = marker_name()
    fq(m, "A", daemon.port)
    seen = upstream.wait_asked(m)
    leaked = [n for n in seen if any(n == s or n.endswith("." + s) for s in names)]
    assert not leaked, f"these reached the upstream: {leaked}"
    return seen


# ---------------------------------------------------------------------------------------------
# A blackhole upstream: takes UDP datagrams and TCP connections, never answers


class Blackhole:
    def __init__(self):
        for _ in range(50):
            udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            try:
                udp.bind((LOOPBACK4, 0))
                self.port = udp.getsockname()[1]
                tcp.bind((LOOPBACK4, self.port))
                tcp.listen(64)      # the kernel completes handshakes; nothing is ever read
                self.udp, self.tcp = udp, tcp
                return
            except OSError:
                udp.close()
                tcp.close()
        raise RuntimeError("no free loopback port for the blackhole")

    def received(self) -> int:
        """Datagrams waiting in the UDP socket (drained), a sign the forwarder tried."""
        n = 0
        self.udp.setblocking(False)
        try:
            while n < 100_000:
                self.udp.recv(65535)
                n += 1
        except BlockingIOError:
            pass
        return n

    def close(self):
        self.udp.close()
        self.tcp.close()


def closed_port() -> int:
    """A loopback port where nothing listens (UDP: ICMP port unreachable; TCP: RST)."""
    return free_port([LOOPBACK4])


# ---------------------------------------------------------------------------------------------
# Sites and daemons


def site_yaml(forward: Optional[str], server: str = "") -> str:
    """scs-single's site (packaging/examples) with a `forward:` section (YAML text or None)."""
    text = f"""domain: scsnetwork.local
ttl: 1800
servers:
  - {{ name: scs1, ipv4: 192.0.2.11 }}
sip:
  transports: [udp, tcp]
  proxy_port: 5060
reverse: auto
"""
    if server:
        text += server
    if forward is not None:
        text += forward
    return text


def forward_to(*upstreams: str, allow=("127.0.0.1/32", "::1/128"), extra: str = "") -> str:
    to = ", ".join(f'"{u}"' for u in upstreams)
    allow_text = ", ".join(f'"{a}"' for a in allow)
    return f"forward:\n  to: [{to}]\n  allow: [{allow_text}]\n{extra}"


def start_daemon(tmp: pathlib.Path, name: str, forward: Optional[str], *, threads: int = 2,
                 server: str = "", extra_args=(), listen=None) -> Daemon:
    path = write_site(tmp, f"{name}.yaml", site_yaml(forward, server))
    d = Daemon(path, threads=threads, extra_args=extra_args, name=name, listen=listen)
    d.site_path = path
    return d.start()


# ---------------------------------------------------------------------------------------------
# Queries


def fq(qname: str, qtype: str = "A", port: int = 0, *, addr: str = LOOPBACK4, tcp=False,
       edns: Optional[int] = 0, payload: int = 1232, rd=True, cd=False, source=None,
       timeout: float = QUERY_TIMEOUT, qid: Optional[int] = None) -> dns.message.Message:
    """A query as a stub resolver sends it (RD=1 by default); the reply, with .elapsed set."""
    q = make_query(qname, qtype, edns=edns, payload=payload, rd=rd)
    if cd:
        q.flags |= dns.flags.CD
    if qid is not None:
        q.id = qid
    assert addr == LOOPBACK6 or addr.startswith("127.")
    start = time.monotonic()
    if tcp:
        r = dns.query.tcp(q, addr, port=port, timeout=timeout, source=source)
    else:
        r = dns.query.udp(q, addr, port=port, timeout=timeout, source=source)
    r.elapsed_s = time.monotonic() - start
    assert r.id == q.id
    return r


def rdata(m: dns.message.Message, qtype: str) -> set[str]:
    t = dns.rdatatype.from_text(qtype)
    return {rd.to_text() for rrset in m.answer if rrset.rdtype == t for rd in rrset}


def flags_of(m: dns.message.Message) -> set[str]:
    return {f for f in ("QR", "AA", "TC", "RD", "RA", "AD", "CD")
            if m.flags & getattr(dns.flags, f)}


def assert_forwarded(m: dns.message.Message, what: str = ""):
    f = flags_of(m)
    assert "RA" in f, f"{what}: RA=1 on forwarded answers (flags {sorted(f)})"
    assert "AA" not in f, f"{what}: AA=0 on forwarded answers (flags {sorted(f)})"
    assert "QR" in f


def ede(m: dns.message.Message) -> list[tuple[int, str]]:
    return [(o.code, o.text or "") for o in m.options if o.otype == dns.edns.OptionType.EDE]


def mixed_case(name: str, rng: random.Random) -> str:
    return "".join(c.upper() if c.isalpha() and rng.random() < 0.5 else c.lower() for c in name)


def question_end(wire: bytes) -> int:
    """Offset just after the (uncompressed) question of a message."""
    i = 12
    while wire[i]:
        i += wire[i] + 1
    return i + 5


def run_tool(*argv, timeout=20) -> subprocess.CompletedProcess:
    assert shutil.which(argv[0]), f"{argv[0]} is not installed (scripts/install-deps.sh)"
    r = subprocess.run(list(argv), capture_output=True, text=True, timeout=timeout)
    print(f"$ {' '.join(argv)}\n{r.stdout}{r.stderr}")
    return r


def tool_flags(text: str) -> set[str]:
    """The header flags of dig (';; flags: qr rd ra;') or kdig (';; Flags: qr rd ra;')."""
    m = re.search(r";; [Ff]lags: ([a-z ]*);", text)
    assert m, f"no flags line in:\n{text}"
    return set(m.group(1).split())


# ---------------------------------------------------------------------------------------------
# Fixtures


@pytest.fixture(scope="module")
def upstream(tmp_path_factory):
    u = Unbound(tmp_path_factory.mktemp("unbound")).start()
    yield u
    u.stop()


@pytest.fixture(scope="module")
def fwd(upstream, tmp_path_factory):
    """sipdnsd forwarding to the module's Unbound; allow 127.0.0.1/32 and ::1/128."""
    d = start_daemon(tmp_path_factory.mktemp("fwd"), "sipdnsd-forward",
                     forward_to(f"127.0.0.1:{upstream.port}"))
    yield d
    rc = d.stop()
    assert rc == 0, f"sipdnsd exited with {rc} after SIGTERM"


@pytest.fixture
def daemons():
    """Factory for daemons stopped (by PID) at the end of the test; each must exit 0."""
    started = []

    def start(*args, **kwargs):
        d = start_daemon(*args, **kwargs)
        started.append(d)
        return d
    yield start
    codes = [(d.name, d.stop()) for d in started]
    assert all(c == 0 for _, c in codes), f"sipdnsd exit codes after SIGTERM: {codes}"


@pytest.fixture
def blackhole():
    b = Blackhole()
    yield b
    b.close()


# ---------------------------------------------------------------------------------------------
# Upstream names: data, flags, ID, question


@pytest.mark.parametrize("addr", [LOOPBACK4, LOOPBACK6])
@pytest.mark.parametrize("tcp", [False, True], ids=["udp", "tcp"])
def test_upstream_names_with_dnspython(fwd, addr, tcp):
    for qtype, want in (("A", {WWW_A}), ("AAAA", {WWW_AAAA}), ("TXT", {f'"{WWW_TXT}"'})):
        m = fq("www." + FWD, qtype, fwd.port, addr=addr, tcp=tcp)
        assert m.rcode() == dns.rcode.NOERROR, m
        assert_forwarded(m, f"www {qtype}")
        assert rdata(m, qtype) == want
        assert m.flags & dns.flags.RD
    m = fq("nothere." + FWD, "A", fwd.port, addr=addr, tcp=tcp)
    assert m.rcode() == dns.rcode.NXDOMAIN and not m.answer
    assert_forwarded(m, "NXDOMAIN")
    m = fq("www." + FWD, "MX", fwd.port, addr=addr, tcp=tcp)
    assert m.rcode() == dns.rcode.NOERROR and not m.answer, "NODATA"
    assert_forwarded(m, "NODATA")


def test_dnspython_stub_resolver(fwd):
    """dns.resolver as a phone's stub: A and AAAA through sipdnsd alone."""
    res = dns.resolver.Resolver(configure=False)
    res.nameservers = [LOOPBACK4]
    res.port = fwd.port
    res.lifetime = QUERY_TIMEOUT
    assert {r.address for r in res.resolve("www." + FWD, "A")} == {WWW_A}
    assert {r.address for r in res.resolve("www." + FWD, "AAAA", tcp=True)} == {WWW_AAAA}
    with pytest.raises(dns.resolver.NXDOMAIN):
        res.resolve("nothere." + FWD, "A")


@pytest.mark.parametrize("tool", ["dig", "kdig"])
@pytest.mark.parametrize("tcp", [False, True], ids=["udp", "tcp"])
def test_upstream_names_with_dig_and_kdig(fwd, tool, tcp):
    for addr in (LOOPBACK4, LOOPBACK6):
        r = run_tool(tool, f"@{addr}", "-p", str(fwd.port), *(["+tcp"] if tcp else []),
                     "www." + FWD, "A")
        assert r.returncode == 0
        assert re.search(r"status: NOERROR", r.stdout, re.I), r.stdout
        f = tool_flags(r.stdout)
        assert {"qr", "rd", "ra"} <= f and "aa" not in f, f
        assert re.search(rf"^www\.fwd\.example\.\s+\d+\s+IN\s+A\s+{re.escape(WWW_A)}$",
                         r.stdout, re.M), r.stdout
        if tool == "dig":
            assert "recursion requested but not available" not in r.stdout
    r = run_tool(tool, f"@{LOOPBACK4}", "-p", str(fwd.port), "+short",
                 *(["+tcp"] if tcp else []), "www." + FWD, "TXT")
    assert r.stdout.strip() == f'"{WWW_TXT}"'


@pytest.mark.parametrize("tcp", [False, True], ids=["udp", "tcp"])
def test_0x20_question_and_id_restored(fwd, tcp):
    """The question comes back byte for byte (the case sipdnsd forwarded may differ: libunbound
    asks in its own case) and the ID is the client's, for misses and for cache hits."""
    rng = random.Random(13)
    for i, (name, qtype) in enumerate([("www." + FWD, "A"), ("www." + FWD, "A"),
                                       ("nothere-0x20." + FWD, "A"), ("mid." + FWD, "TXT"),
                                       ("forwarded." + FWD, "A"), ("www." + FWD, "AAAA")]):
        q = make_query(mixed_case(name, rng), qtype, rd=True)
        q.id = (0x0000, 0xFFFF, 0x8001, rng.randrange(1 << 16), 0x1234, 0x00FF)[i]
        wire = q.to_wire()
        reply = raw_tcp(wire, fwd.port, timeout=QUERY_TIMEOUT) if tcp else \
            raw_udp(wire, fwd.port, timeout=QUERY_TIMEOUT)
        assert reply is not None, f"no answer to {name}"
        end = question_end(wire)
        assert reply[:2] == wire[:2], f"ID {wire[:2].hex()} restored (got {reply[:2].hex()})"
        assert reply[12:end] == wire[12:end], \
            f"question echoed byte for byte: sent {wire[12:end]!r}, got {reply[12:end]!r}"
        m = dns.message.from_wire(reply)
        assert_forwarded(m, name)
        if m.answer:   # the owner names follow the question's case or not: both are valid,
            assert m.answer[0].name == dns.name.from_text(name)  # but the name is the same


def test_rd_and_cd_copied(fwd):
    m = fq("www." + FWD, "A", fwd.port, cd=True)
    assert m.flags & dns.flags.CD and m.flags & dns.flags.RD
    m = fq("www." + FWD, "A", fwd.port, rd=False)
    assert not m.flags & dns.flags.RD, "RD=0 copied"
    assert m.flags & dns.flags.RA and not m.flags & dns.flags.AA


def test_pipelined_tcp_answers_match_queries(fwd):
    """Several forwarded queries (hits and misses) and site queries in one TCP send: every one
    is answered on the connection, matched by ID (any order: RFC 7766 §7), question intact."""
    rng = random.Random(7)
    names = [("www." + FWD, "A"), ("scs1." + SITE, "A"), (f"nx-{rng.randrange(10**9)}." + FWD,
                                                           "A"),
             ("mid." + FWD, "TXT"), ("big." + FWD, "TXT"), ("_sip._udp." + SITE, "SRV"),
             ("www." + FWD, "AAAA"), ("3.2.1.10.in-addr.arpa.", "PTR")]
    sent = {}
    stream = b""
    for i, (name, qtype) in enumerate(names):
        q = make_query(mixed_case(name, rng), qtype, rd=True)
        q.id = 1000 + i
        wire = q.to_wire()
        sent[q.id] = wire
        stream += struct.pack("!H", len(wire)) + wire
    with tcp_connect(fwd.port, timeout=QUERY_TIMEOUT) as s:
        s.sendall(stream)
        got = {}
        for _ in names:
            reply = recv_tcp_message(s)
            qid = struct.unpack("!H", reply[:2])[0]
            assert qid in sent and qid not in got, f"unexpected or repeated ID {qid}"
            got[qid] = reply
    for qid, wire in sent.items():
        end = question_end(wire)
        assert got[qid][12:end] == wire[12:end]
        m = dns.message.from_wire(got[qid])
        assert m.rcode() in (dns.rcode.NOERROR, dns.rcode.NXDOMAIN), m
    big = dns.message.from_wire(got[1004])
    assert rdata(big, "TXT") == {f'"{t}"' for t in BIG_TXT}, "big answer whole over TCP"


# ---------------------------------------------------------------------------------------------
# The site's own names


SITE_QUERIES = [(SITE, "SOA"), (SITE, "NS"), ("scs1." + SITE, "A"), ("scs1." + SITE, "AAAA"),
                ("_sip._udp." + SITE, "SRV"), ("_sip._tcp." + SITE, "SRV"), (SITE, "NAPTR"),
                ("nothere." + SITE, "A"), ("_udp." + SITE, "SRV"),
                ("11.2.0.192.in-addr.arpa.", "PTR"), ("99.2.0.192.in-addr.arpa.", "PTR")]


def normalised(m: dns.message.Message) -> tuple:
    """Everything in an answer but the ID and the SOA serial (each daemon takes its own from
    the time it loads the site)."""
    def text(rrset):
        return re.sub(r"( IN SOA \S+ \S+ )\d+", r"\1SERIAL", rrset.to_text())
    return (dns.rcode.to_text(m.rcode()), sorted(flags_of(m)), m.edns, m.payload,
            [rrset.to_text() for rrset in m.question],
            *(sorted(text(rrset) for rrset in sec)
              for sec in (m.answer, m.authority, m.additional)))


def test_site_names_unchanged_and_never_forwarded(fwd, upstream, daemons, tmp_path):
    """Every site query gets the answer a daemon without `forward:` gives (AA=1, the same
    flags and records), over UDP and TCP, with RD=0 and RD=1; the upstream, which serves decoys
    for these names, never hears of them."""
    plain = daemons(tmp_path, "sipdnsd-no-forward", None)
    for name, qtype in SITE_QUERIES:
        for tcp in (False, True):
            for rd in (False, True):
                ours = fq(name, qtype, fwd.port, tcp=tcp, rd=rd)
                ref = fq(name, qtype, plain.port, tcp=tcp, rd=rd)
                assert ours.flags & dns.flags.AA, f"{name} {qtype}: AA=1"
                assert normalised(ours) == normalised(ref), \
                    f"{name} {qtype} tcp={tcp} rd={rd} differs with forward:\n{ours}\n---\n{ref}"
    # ANY over UDP: TC=1 as without forward; over TCP every RRset.
    assert fq(SITE, "ANY", fwd.port).flags & dns.flags.TC
    assert normalised(fq(SITE, "ANY", fwd.port, tcp=True)) == \
        normalised(fq(SITE, "ANY", plain.port, tcp=True))
    upstream_saw_nothing_of(upstream, fwd, ["scsnetwork.local.", "2.0.192.in-addr.arpa."])


def test_outside_allow_refused(fwd, upstream):
    """RFC 5358: a client outside `allow` (127.0.0.2) gets REFUSED, RA=0, over UDP and TCP;
    its site queries are answered as for everyone; nothing it asked reaches the upstream."""
    name = f"refused-{random.randrange(10**9)}.{FWD}"
    for tcp in (False, True):
        for qname in (name, "www." + FWD):
            m = fq(qname, "A", fwd.port, tcp=tcp, source=OUTSIDE)
            assert m.rcode() == dns.rcode.REFUSED, m
            assert not m.flags & dns.flags.RA and not m.answer
        m = fq("scs1." + SITE, "A", fwd.port, tcp=tcp, source=OUTSIDE)
        assert m.rcode() == dns.rcode.NOERROR and m.flags & dns.flags.AA
        assert rdata(m, "A") == {"192.0.2.11"}
    # And from the allowed address the same name is forwarded (the address decides).
    assert fq("www." + FWD, "A", fwd.port).rcode() == dns.rcode.NOERROR
    upstream_saw_nothing_of(upstream, fwd, [name.lower()])


def test_other_classes_refused(fwd):
    """A foreign name in class HS or NONE is not forwarded: REFUSED (the SPEC)."""
    for qclass in ("HS", "NONE"):
        q = make_query("www." + FWD, "A", qclass, rd=True)
        m = dns.message.from_wire(raw_udp(q.to_wire(), fwd.port, timeout=QUERY_TIMEOUT))
        assert m.rcode() == dns.rcode.REFUSED, f"class {qclass}: {m}"


# ---------------------------------------------------------------------------------------------
# Cache, failures


def test_answered_from_cache_after_upstream_stops(tmp_path, daemons):
    """A name asked before is answered after the upstream is stopped (by PID), within its TTL,
    over UDP and TCP; a name never asked then gets SERVFAIL in time."""
    u = Unbound(tmp_path / "unbound").start()
    try:
        d = daemons(tmp_path, "sipdnsd-cache", forward_to(f"127.0.0.1:{u.port}"), threads=2)
        for tcp in (False, True):
            m = fq("ttl300." + FWD, "A", d.port, tcp=tcp)
            assert rdata(m, "A") == {TTL300_A} and m.answer[0].ttl <= 300
            assert fq("www." + FWD, "AAAA", d.port, tcp=tcp).answer
        u.wait_asked("ttl300." + FWD)
        time.sleep(1.2)  # let the TTLs count down at least a second
    finally:
        u.stop()
    assert u.proc.poll() is not None
    for tcp in (False, True):
        for _ in range(3):   # any worker (UDP: each query from its own source port)
            m = fq("TTL300." + FWD.upper(), "A", d.port, tcp=tcp)
            assert m.rcode() == dns.rcode.NOERROR and rdata(m, "A") == {TTL300_A}, m
            assert_forwarded(m, "from cache")
            assert 0 < m.answer[0].ttl < 300, f"TTL counted down: {m.answer[0].ttl}"
            assert m.elapsed_s < 1.0
            m = fq("www." + FWD, "AAAA", d.port, tcp=tcp)
            assert rdata(m, "AAAA") == {WWW_AAAA}
    m = fq(f"never-{random.randrange(10**9)}." + FWD, "A", d.port)
    assert m.rcode() == dns.rcode.SERVFAIL and m.elapsed_s < SERVFAIL_WITHIN


def servfail_checks(d: Daemon, label: str):
    """Fresh names (no cache) over UDP/TCP, with and without EDNS: SERVFAIL, RA=1, in time;
    EDE 22 with EDNS, no OPT without."""
    for i, (tcp, edns) in enumerate([(False, 0), (False, None), (True, 0), (True, None),
                                     (False, 0)]):
        name = f"gone-{label}-{i}-{random.randrange(10**9)}.{FWD}"
        m = fq(name, "A", d.port, tcp=tcp, edns=edns)
        what = f"{label} {'tcp' if tcp else 'udp'} {'EDNS' if edns == 0 else 'no EDNS'}"
        assert m.rcode() == dns.rcode.SERVFAIL, f"{what}: {m}"
        assert m.elapsed_s < SERVFAIL_WITHIN, f"{what}: SERVFAIL after {m.elapsed_s:.2f}s"
        assert m.flags & dns.flags.RA and not m.flags & dns.flags.AA, what
        assert not m.answer
        if edns == 0:
            assert m.edns == 0, f"{what}: OPT echoed"
            codes = [c for c, _ in ede(m)]
            assert 22 in codes, f"{what}: EDE 22 (No Reachable Authority), got {ede(m)}"
        else:
            assert m.edns < 0, f"{what}: no OPT when the query had none"
    # The site is answered meanwhile.
    m = fq("scs1." + SITE, "A", d.port)
    assert m.rcode() == dns.rcode.NOERROR and m.flags & dns.flags.AA


def test_servfail_when_nothing_listens(tmp_path, daemons):
    d = daemons(tmp_path, "sipdnsd-closed", forward_to(f"127.0.0.1:{closed_port()}"))
    servfail_checks(d, "closed")


def test_servfail_when_upstream_never_answers(tmp_path, daemons, blackhole):
    d = daemons(tmp_path, "sipdnsd-blackhole", forward_to(f"127.0.0.1:{blackhole.port}"))
    servfail_checks(d, "blackhole")
    assert blackhole.received() > 0, "the forwarder did send to the upstream"


def test_clients_that_leave_before_the_answer(tmp_path, daemons, blackhole):
    """UDP clients whose socket is closed and TCP clients that disconnect while their
    forwarded query waits for the blackhole: the daemon keeps serving."""
    d = daemons(tmp_path, "sipdnsd-leavers", forward_to(f"127.0.0.1:{blackhole.port}"))
    for i in range(20):
        wire = make_query(f"leaver-{i}." + FWD, "A", rd=True).to_wire()
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.sendto(wire, (LOOPBACK4, d.port))
        with tcp_connect(d.port) as s:
            s.sendall(struct.pack("!H", len(wire)) + wire + struct.pack("!H", len(wire)) + wire)
            if i % 2:
                s.shutdown(socket.SHUT_WR)
    time.sleep(SERVFAIL_WITHIN)   # their SERVFAILs fall due: written to nobody
    for tcp in (False, True):
        m = fq("scs1." + SITE, "A", d.port, tcp=tcp)
        assert m.rcode() == dns.rcode.NOERROR and m.answer
    assert fq("late-" + str(random.randrange(10**9)) + "." + FWD, "A",
              d.port).rcode() == dns.rcode.SERVFAIL
    assert d.proc.poll() is None


def test_rate_limit_applies_to_forwarded_answers(tmp_path, daemons, upstream):
    """RRL (server.rate_limit) limits forwarded UDP answers as it does the site's: one name
    asked 30 times in a row from one address with 5 responses/s and slip 2 gets fewer than 30
    full answers (the rest dropped or TC=1); TCP is never limited."""
    d = daemons(tmp_path, "sipdnsd-rrl", forward_to(f"127.0.0.1:{upstream.port}"), threads=1,
                server="server:\n  rate_limit:\n    responses_per_second: 5\n    slip: 2\n")
    assert rdata(fq("www." + FWD, "A", d.port, tcp=True), "A") == {WWW_A}  # in the cache now
    full = slipped = 0
    wire = make_query("www." + FWD, "A", rd=True).to_wire()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(0.3)
        for _ in range(30):   # one at a time, bounded
            s.sendto(wire, (LOOPBACK4, d.port))
            try:
                m = dns.message.from_wire(s.recv(4096))
            except socket.timeout:
                continue
            if m.flags & dns.flags.TC:
                slipped += 1
            elif rdata(m, "A") == {WWW_A}:
                full += 1
    assert full < 30, f"every answer was sent in full ({full}; slipped {slipped})"
    for _ in range(10):
        assert rdata(fq("www." + FWD, "A", d.port, tcp=True), "A") == {WWW_A}


# ---------------------------------------------------------------------------------------------
# Sizes


def test_big_answer_truncated_over_udp_whole_over_tcp(fwd):
    want = {f'"{t}"' for t in BIG_TXT}
    for payload in (1232, 4096):   # sipdnsd's UDP payload is at most 1232 (server.edns_udp_size)
        m = fq("big." + FWD, "TXT", fwd.port, payload=payload)
        assert m.flags & dns.flags.TC, f"payload {payload}: TC=1"
        assert not m.answer and not m.authority, "TC=1 with the question only"
        assert m.question and m.question[0].name == dns.name.from_text("big." + FWD)
        assert_forwarded(m, "truncated")
    m = fq("big." + FWD, "TXT", fwd.port, edns=None)
    assert m.flags & dns.flags.TC and not m.answer
    m = fq("big." + FWD, "TXT", fwd.port, tcp=True)
    assert not m.flags & dns.flags.TC and rdata(m, "TXT") == want
    assert_forwarded(m, "big over TCP")
    # More than 512, less than 1232: whole over UDP with EDNS, truncated without.
    m = fq("mid." + FWD, "TXT", fwd.port)
    assert not m.flags & dns.flags.TC and rdata(m, "TXT") == {f'"{t}"' for t in MID_TXT}
    assert fq("mid." + FWD, "TXT", fwd.port, edns=None).flags & dns.flags.TC
    # dig shows the truncation (+ignore) and, by default, retries over TCP for all of it.
    r = run_tool("dig", f"@{LOOPBACK4}", "-p", str(fwd.port), "+ignore", "big." + FWD, "TXT")
    assert "tc" in tool_flags(r.stdout)
    assert "ANSWER: 0" in r.stdout
    r = run_tool("dig", f"@{LOOPBACK4}", "-p", str(fwd.port), "big." + FWD, "TXT")
    assert "tc" not in tool_flags(r.stdout) and f"ANSWER: {len(BIG_TXT)}" in r.stdout
    assert "(TCP)" in r.stdout or "Truncated, retrying in TCP mode" in r.stdout


# ---------------------------------------------------------------------------------------------
# Special-use names


def test_special_use_names_reach_the_upstream(fwd, upstream):
    wrong = []
    for qname, qtype, want in UPSTREAM_SPECIAL:
        m = fq(qname, qtype, fwd.port)
        assert_forwarded(m, qname)
        if m.rcode() != dns.rcode.NOERROR or rdata(m, qtype) != {want}:
            wrong.append(f"{qname} {qtype}: {dns.rcode.to_text(m.rcode())} "
                         f"{sorted(rdata(m, qtype))} {[r.to_text() for r in m.authority]}")
    assert not wrong, "expected the upstream's answers (libunbound's default local zones " \
        "must not answer these with `to: [...]`), got:\n" + "\n".join(wrong)
    m = marker_name()
    fq(m, "A", fwd.port)
    seen = upstream.wait_asked(m)
    for qname, _, _ in UPSTREAM_SPECIAL:
        assert qname.lower() in seen


def test_dig_x_for_a_lan_address(fwd):
    """A phone's PTR for a LAN address (dig -x) is answered by the site's resolver."""
    r = run_tool("dig", f"@{LOOPBACK4}", "-p", str(fwd.port), "+short", "-x", "10.1.2.3")
    assert r.stdout.strip() == "lan-10.fwd.example."


def test_kept_local_names_never_reach_the_upstream(fwd, upstream):
    for qname, qtype, rcode, want in KEPT_LOCAL:
        m = fq(qname, qtype, fwd.port)
        assert dns.rcode.to_text(m.rcode()) == rcode, f"{qname}: {m}"
        if want is not None:
            assert rdata(m, qtype) == {want}, f"{qname}: libunbound's own answer, got {m}"
    upstream_saw_nothing_of(upstream, fwd, ["localhost.", "127.in-addr.arpa.", "invalid.",
                                            "onion."])


def test_ipv6_upstream(tmp_path, daemons, upstream):
    d = daemons(tmp_path, "sipdnsd-v6-upstream", forward_to(f"[::1]:{upstream.port}"))
    m = fq("www." + FWD, "AAAA", d.port, addr=LOOPBACK6)
    assert rdata(m, "AAAA") == {WWW_AAAA}
    assert_forwarded(m, "via [::1]")


# ---------------------------------------------------------------------------------------------
# to: root, with a local root in a network namespace


CLONE_NEWNET = 0x40000000
ROOT_NS, TLD_NS = "127.53.0.1", "127.53.0.2"


@contextlib.contextmanager
def network_namespace(tag: str):
    """A new network namespace with loopback only (removed at the end); the body runs in it
    (this thread: sockets and child processes made in the body belong to it)."""
    if os.geteuid() != 0:
        pytest.skip("needs root: a network namespace and port 53 for the local root")
    if not shutil.which("ip"):
        pytest.skip("iproute2 is not installed")
    name = f"sipdns-fwd-{tag}-{os.getpid()}"
    r = subprocess.run(["ip", "netns", "add", name], capture_output=True, text=True, timeout=20)
    if r.returncode != 0:
        pytest.skip(f"cannot create a network namespace here: {r.stderr.strip()}")
    libc = ctypes.CDLL(None, use_errno=True)
    own = os.open("/proc/thread-self/ns/net", os.O_RDONLY)
    try:
        # Creating a namespace takes CAP_SYS_ADMIN, bringing its loopback up CAP_NET_ADMIN: a
        # container may grant the one without the other.
        up = subprocess.run(["ip", "-n", name, "link", "set", "lo", "up"], capture_output=True,
                            text=True, timeout=20)
        if up.returncode != 0:
            pytest.skip(f"cannot bring loopback up in a new network namespace here: "
                        f"{up.stderr.strip()}")
        target = os.open(f"/run/netns/{name}", os.O_RDONLY)
        try:
            if libc.setns(target, CLONE_NEWNET) != 0:
                pytest.skip(f"setns: {os.strerror(ctypes.get_errno())}")
        finally:
            os.close(target)
        try:
            yield name
        finally:
            assert libc.setns(own, CLONE_NEWNET) == 0, "back to the test's own namespace"
    finally:
        os.close(own)
        subprocess.run(["ip", "netns", "del", name], capture_output=True, timeout=20)


ROOT_ZONE = f"""$ORIGIN .
$TTL 3600
.                 IN SOA ns.root-srv. hostmaster.root-srv. 1 1800 900 604800 86400
.                 IN NS  ns.root-srv.
ns.root-srv.      IN A   {ROOT_NS}
probe.root-srv.   IN TXT "the local root"
fwdroot.          IN NS  ns1.fwdroot.
ns1.fwdroot.      IN A   {TLD_NS}
"""
TLD_ZONE = f"""$ORIGIN fwdroot.
$TTL 3600
@     IN SOA ns1.fwdroot. hostmaster.fwdroot. 1 1800 900 604800 86400
@     IN NS  ns1
ns1   IN A   {TLD_NS}
www   IN A   192.0.2.53
"""
ROOT_HINTS = f""".                 3600000  NS  NS.ROOT-SRV.
NS.ROOT-SRV.      3600000  A   {ROOT_NS}
"""


def start_local_root(w: pathlib.Path) -> tuple[subprocess.Popen, object]:
    """NSD on ROOT_NS:53 and TLD_NS:53 (inside the namespace) serving `.` and `fwdroot.`."""
    if not os.access(NSD, os.X_OK):
        pytest.skip("nsd is not installed (scripts/install-deps.sh installs it)")
    (w / "zones").mkdir(parents=True, exist_ok=True)
    (w / "xfr").mkdir(exist_ok=True)
    (w / "zones" / "root.zone").write_text(ROOT_ZONE)
    (w / "zones" / "fwdroot.zone").write_text(TLD_ZONE)
    (w / "nsd.conf").write_text(f"""server:
    ip-address: {ROOT_NS}@53
    ip-address: {TLD_NS}@53
    do-ip6: no
    username: ""
    chroot: ""
    zonesdir: "{w}"
    zonelistfile: "{w}/zone.list"
    database: ""
    pidfile: "{w}/nsd.pid"
    xfrdfile: "{w}/xfrd.state"
    xfrdir: "{w}/xfr"
    zonefiles-write: 0
    server-count: 1
    verbosity: 1
    rrl-ratelimit: 0
    reuseport: no
remote-control:
    control-enable: no
zone:
    name: "."
    zonefile: "zones/root.zone"
zone:
    name: "fwdroot."
    zonefile: "zones/fwdroot.zone"
""")
    log = open(w / "nsd.log", "wb")
    proc = subprocess.Popen([NSD, "-d", "-c", str(w / "nsd.conf")], stdin=subprocess.DEVNULL,
                            stdout=log, stderr=subprocess.STDOUT, cwd=w, close_fds=True)
    deadline = time.monotonic() + 20
    probes = [(make_query(".", "SOA").to_wire(), ROOT_NS),
              (make_query("fwdroot.", "SOA").to_wire(), TLD_NS)]
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            text = (w / "nsd.log").read_text(errors="replace")
            log.close()
            if "bind" in text.lower() or "address" in text.lower():
                pytest.skip(f"NSD cannot bind port 53 here:\n{text[-1500:]}")
            raise AssertionError(f"nsd exited with {proc.returncode}:\n{text}")
        while probes:
            wire, addr = probes[0]
            try:
                data = raw_udp(wire, 53, addr, timeout=0.2)
            except OSError:
                data = None
            if not (data and dns.message.from_wire(data).answer):
                break
            probes.pop(0)
        if not probes:
            return proc, log
        time.sleep(0.05)
    stop_process(proc, log)
    raise AssertionError("the local root (NSD) did not answer within 20 s")


def test_to_root_with_local_root_hints(tmp_path):
    """`forward: { to: root, root_hints: FILE }`: recursion from a root on loopback (NSD, port
    53) that delegates the TLD fwdroot. to a second address; everything in a network namespace
    with loopback only. Without root_hints (the real root servers, unreachable there): SERVFAIL
    in time."""
    hints = tmp_path / "root.hints"
    hints.write_text(ROOT_HINTS)
    with network_namespace("root"):
        nsd, nsd_log = start_local_root(tmp_path / "nsd")
        started = []
        try:
            d = start_daemon(tmp_path, "sipdnsd-root",
                             f"forward:\n  to: root\n  root_hints: {hints}\n"
                             f"  allow: [127.0.0.1/32, \"::1/128\"]\n")
            started.append(d)
            for tcp in (False, True):
                m = fq("www.fwdroot.", "A", d.port, tcp=tcp)
                assert m.rcode() == dns.rcode.NOERROR and rdata(m, "A") == {"192.0.2.53"}, m
                assert_forwarded(m, "www.fwdroot. from the local root")
            m = fq("probe.root-srv.", "TXT", d.port)
            assert rdata(m, "TXT") == {'"the local root"'}, f"the hints were used: {m}"
            m = fq("nothere.fwdroot.", "A", d.port)
            assert m.rcode() == dns.rcode.NXDOMAIN
            m = fq("www.example.com.", "A", d.port)
            assert m.rcode() == dns.rcode.NXDOMAIN, "the local root knows no com."
            r = run_tool("dig", f"@{LOOPBACK4}", "-p", str(d.port), "www.fwdroot.", "A")
            assert {"qr", "rd", "ra"} <= tool_flags(r.stdout) and "192.0.2.53" in r.stdout
            # The site is still ours.
            m = fq("scs1." + SITE, "A", d.port)
            assert m.flags & dns.flags.AA and rdata(m, "A") == {"192.0.2.11"}

            # Built-in hints: unreachable in the namespace -> SERVFAIL in time, EDE 22.
            d2 = start_daemon(tmp_path, "sipdnsd-root-builtin",
                              "forward:\n  to: root\n  allow: [127.0.0.1/32]\n")
            started.append(d2)
            m = fq("www.fwdroot.", "A", d2.port)
            assert m.rcode() == dns.rcode.SERVFAIL and m.elapsed_s < SERVFAIL_WITHIN, m
        finally:
            codes = [dd.stop() for dd in started]
            stop_process(nsd, nsd_log)
        assert all(c == 0 for c in codes), codes


# ---------------------------------------------------------------------------------------------
# A flood of forwarded names from one client


def test_flood_from_one_client_does_not_starve_the_site(tmp_path, daemons, blackhole):
    """127.0.0.3 sends 3000 random names for the blackhole as fast as it can (bounded in count
    and time); meanwhile 127.0.0.1 asks site names over UDP and TCP (every one answered, in
    time) and forwarded names (SERVFAIL "timeout", never "busy": its own budget). The flooder
    gets SERVFAIL at once once it has 100 outstanding (EDE 0 "too many outstanding forwarded
    queries") and timeouts for the parked ones. RRL is off here: this checks the outstanding
    limits (test_rate_limit.py checks RRL)."""
    mport = free_port([LOOPBACK4])
    d = daemons(tmp_path, "sipdnsd-flood",
                forward_to(f"127.0.0.1:{blackhole.port}",
                           allow=("127.0.0.1/32", f"{FLOODER}/32", "::1/128")),
                server="server:\n  rate_limit:\n    responses_per_second: 0\n",
                extra_args=["--metrics", f"127.0.0.1:{mport}"])
    before = scrape(mport)
    FLOOD_COUNT, FLOOD_SECONDS = 3000, 10.0
    stats = {"sent": 0, "busy": 0, "servfail": 0, "other": 0}
    stop = threading.Event()

    def flood():
        rng = random.Random(99)
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
            s.bind((FLOODER, 0))
            s.settimeout(0.05)
            deadline = time.monotonic() + FLOOD_SECONDS
            while stats["sent"] < FLOOD_COUNT and time.monotonic() < deadline:
                name = f"r{rng.randrange(10**12)}.flood.{FWD}"
                s.sendto(make_query(name, "A", rd=True).to_wire(), (LOOPBACK4, d.port))
                stats["sent"] += 1
                if stats["sent"] % 50 == 0:    # read what came so far, briefly
                    drain(s, 0.0)
            drain(s, SERVFAIL_WITHIN + 1.0)    # the parked ones fall due
        stop.set()

    def drain(s, linger):
        end = time.monotonic() + linger
        while True:
            try:
                data = s.recv(65535)
            except socket.timeout:
                if time.monotonic() >= end:
                    return
                continue
            m = dns.message.from_wire(data)
            if m.rcode() == dns.rcode.SERVFAIL:
                texts = [t for c, t in ede(m)]
                if any("outstanding" in t for t in texts):
                    stats["busy"] += 1
                else:
                    stats["servfail"] += 1
            else:
                stats["other"] += 1

    flooder = threading.Thread(target=flood)
    flooder.start()
    site_answers, site_failures, fwd_replies = 0, [], []
    try:
        i = 0
        t0 = time.monotonic()
        while not stop.is_set() and i < 400 and time.monotonic() - t0 < FLOOD_SECONDS + 10:
            name, qtype = SITE_QUERIES[i % len(SITE_QUERIES)]
            try:
                m = fq(name, qtype, d.port, tcp=(i % 3 == 2), timeout=2.0)
                if m.rcode() in (dns.rcode.NOERROR, dns.rcode.NXDOMAIN) and \
                        m.flags & dns.flags.AA:
                    site_answers += 1
                else:
                    site_failures.append((name, qtype, dns.rcode.to_text(m.rcode())))
            except Exception as e:  # noqa: BLE001 - a timeout is the failure we look for
                site_failures.append((name, qtype, repr(e)))
            if i % 40 == 5:   # a forwarded name from the other client: its own budget
                m = fq(f"other-{i}.{FWD}", "A", d.port, timeout=QUERY_TIMEOUT)
                fwd_replies.append((dns.rcode.to_text(m.rcode()), ede(m), m.elapsed_s))
            i += 1
    finally:
        flooder.join(timeout=FLOOD_SECONDS + SERVFAIL_WITHIN + 10)
    assert not flooder.is_alive()
    print(f"flood: {stats}; site answers {site_answers}, forwarded from the other client "
          f"{fwd_replies}")
    assert site_answers >= 20 and not site_failures, \
        f"site queries not answered during the flood: {site_failures[:10]}"
    assert stats["busy"] > 0, f"the flooder was never told 'busy': {stats}"
    assert stats["other"] == 0, stats
    for rcode, codes, elapsed in fwd_replies:
        assert rcode == "SERVFAIL" and not any("outstanding" in t for _, t in codes), \
            f"the other client's forwarded query: {rcode} {codes} (its own budget)"
        assert elapsed < SERVFAIL_WITHIN
    after = scrape(mport)
    busy = delta(after, before, "sipdns_forward_failures_total", reason="busy")
    assert busy >= stats["busy"], f"busy counted {busy}, received {stats['busy']}"
    assert delta(after, before, "sipdns_forward_failures_total", reason="timeout") > 0
    deadline = time.monotonic() + SERVFAIL_WITHIN + 2
    while total(scrape(mport), "sipdns_forward_outstanding") != 0:
        assert time.monotonic() < deadline, "outstanding forwarded queries never went to 0"
        time.sleep(0.1)
    assert fq("scs1." + SITE, "A", d.port).answer


# ---------------------------------------------------------------------------------------------
# Metrics


def test_forward_metrics(tmp_path, daemons, upstream):
    """With one worker (one answer cache): site queries and refused clients move no forward
    counter; 3 UDP asks of one name = 1 miss (timed) + 2 cache hits; 2 TCP asks of another =
    1 miss + 1 hit; the histogram is consistent; failures are counted; the gauge is 0 at rest."""
    mport = free_port([LOOPBACK4])
    d = daemons(tmp_path, "sipdnsd-metrics", forward_to(f"127.0.0.1:{upstream.port}"),
                threads=1, extra_args=["--metrics", f"127.0.0.1:{mport}"])
    before = scrape(mport)
    for name, qtype in SITE_QUERIES[:4]:
        fq(name, qtype, d.port)
    for _ in range(2):
        assert fq("www." + FWD, "A", d.port, source=OUTSIDE).rcode() == dns.rcode.REFUSED
    mid = scrape(mport)
    for n in ("sipdns_forward_queries_total", "sipdns_forward_cache_hits_total",
              "sipdns_forward_failures_total", "sipdns_forward_latency_seconds_count"):
        assert delta(mid, before, n) == 0, f"{n} moved for site or refused queries"

    for _ in range(3):
        assert fq("www." + FWD, "A", d.port).rcode() == dns.rcode.NOERROR
    for _ in range(2):
        assert fq("ttl300." + FWD, "A", d.port, tcp=True).rcode() == dns.rcode.NOERROR
    after = scrape(mport)
    q = "sipdns_forward_queries_total"
    assert delta(after, mid, q, transport="udp") == 3
    assert delta(after, mid, q, transport="tcp") == 2
    hits = delta(after, mid, "sipdns_forward_cache_hits_total")
    misses = delta(after, mid, "sipdns_forward_latency_seconds_count")
    assert hits == 3 and misses == 2, f"hits {hits}, timed misses {misses}"
    assert delta(after, mid, "sipdns_forward_failures_total") == 0
    assert delta(after, mid, "sipdns_forward_latency_seconds_sum") > 0
    buckets = sorted(((float(dict(l)["le"]), v) for (n, l), v in after.items()
                      if n == "sipdns_forward_latency_seconds_bucket"), key=lambda b: b[0])
    assert buckets and buckets[-1][0] == float("inf")
    assert all(a[1] <= b[1] for a, b in zip(buckets, buckets[1:])), "cumulative buckets"
    assert buckets[-1][1] == total(after, "sipdns_forward_latency_seconds_count")
    assert total(after, "sipdns_forward_outstanding") == 0

    # Failures: an upstream where nothing listens.
    m2 = free_port([LOOPBACK4])
    d2 = daemons(tmp_path, "sipdnsd-metrics-fail", forward_to(f"127.0.0.1:{closed_port()}"),
                 threads=1, extra_args=["--metrics", f"127.0.0.1:{m2}"])
    b2 = scrape(m2)
    for i in range(2):
        assert fq(f"fail-{i}." + FWD, "A", d2.port).rcode() == dns.rcode.SERVFAIL
    a2 = scrape(m2)
    assert delta(a2, b2, q, transport="udp") == 2
    assert delta(a2, b2, "sipdns_forward_failures_total") == 2
    assert sum(delta(a2, b2, "sipdns_forward_failures_total", reason=r)
               for r in ("servfail", "timeout", "error")) == 2
    assert delta(a2, b2, "sipdns_forward_failures_total", reason="busy") == 0


# ---------------------------------------------------------------------------------------------
# Malformed packets and odd questions with forwarding on

# The malformed corpus with a forwarded name in the question: FORWARDED_QUESTION has the wire
# length of test_malformed's (site) question, so the offsets inside the cases stay right.
FORWARDED_QUESTION = b"\x09forwarded\x03fwd\x07example\x00" + struct.pack("!HH", 1, 1)
assert len(FORWARDED_QUESTION) == len(SITE_QUESTION)
FORWARDED_CASES = {
    f"{name} (forwarded name)": (msg.replace(SITE_QUESTION, FORWARDED_QUESTION), expected)
    for name, (msg, expected) in MALFORMED_CASES.items() if SITE_QUESTION in msg
}


def test_malformed_with_forwarded_names_over_udp(fwd):
    for name, (msg, expected) in {**MALFORMED_CASES, **FORWARDED_CASES}.items():
        reply = raw_udp(msg, fwd.port, timeout=0.5 if expected is None else QUERY_TIMEOUT)
        check(name, msg, reply, expected)
    m = fq("forwarded." + FWD, "A", fwd.port)
    assert rdata(m, "A") == {FORWARDED_A}, "the daemon still forwards"


def test_malformed_with_forwarded_names_pipelined_over_tcp(fwd):
    """Every case on one connection, each with its own ID (forwarded answers may come after
    later error answers: matched by ID), then a site query and a forwarded one."""
    cases = {k: v for k, v in {**MALFORMED_CASES, **FORWARDED_CASES}.items()
             if not k.startswith("header of 11 bytes")}
    stream, by_id = b"", {}
    for i, (name, (msg, expected)) in enumerate(cases.items()):
        qid = 0x5000 + i
        msg = struct.pack("!H", qid) + msg[2:]
        stream += struct.pack("!H", len(msg)) + msg
        if expected is not None:
            by_id[qid] = (name, msg, expected)
    closing = [make_query("scs1." + SITE, "A"), make_query("www." + FWD, "A", rd=True)]
    for i, c in enumerate(closing):
        c.id = 0x6000 + i
        stream += struct.pack("!H", len(c.to_wire())) + c.to_wire()
    with tcp_connect(fwd.port, timeout=QUERY_TIMEOUT) as s:
        s.sendall(stream)
        pending = set(by_id) | {c.id for c in closing}
        while pending:
            reply = recv_tcp_message(s)
            qid = struct.unpack("!H", reply[:2])[0]
            assert qid in pending, f"unexpected or repeated ID {qid:#x}"
            pending.discard(qid)
            if qid in by_id:
                name, msg, expected = by_id[qid]
                fix = lambda b: b"\x42\x42" + b[2:]   # check() wants test_malformed's ID
                check(name, fix(msg), fix(reply), expected)
            else:
                assert dns.message.from_wire(reply).answer
    assert fq("forwarded." + FWD, "A", fwd.port, tcp=True).answer


def test_odd_forwarded_questions(fwd):
    """Odd but parseable questions for foreign names: every one gets an answer with the ID and
    the question byte for byte (binary labels, 255-octet names, meta types, DO/CD, EDNS
    version 1, the CHAOS class); the daemon answers as before afterwards."""
    rng = random.Random(5)
    longest = ".".join(["a" * 63, "b" * 63, "c" * 63, "d" * 61]) + "."  # 255 octets on the wire
    odd_names = [b"\x03a\x00b\x03fwd\x07example\x00", b"\x04a.b.\x03fwd\x07example\x00",
                 b"\x03\xff\xfe\x80\x03fwd\x07example\x00",
                 dns.name.from_text(longest).to_wire()]
    wires = []
    for n in odd_names:
        wires.append(header(qid=rng.randrange(1 << 16)) + n + struct.pack("!HH", 1, 1))
    for qtype in ("ANY", "RRSIG", "NSEC", "DS", "DNSKEY", "TYPE65534", "SVCB", "HTTPS", "NULL",
                  "OPT", "TKEY", "TSIG", "IXFR", "AXFR", "MAILB", "NS", "SOA"):
        q = make_query(mixed_case("www." + FWD, rng), qtype, rd=True)
        wires.append(q.to_wire())
    q = make_query("www." + FWD, "A", rd=True, want_dnssec=True)
    q.flags |= dns.flags.CD
    wires.append(q.to_wire())
    q = make_query("www." + FWD, "A", rd=True)
    q.use_edns(1)
    wires.append(q.to_wire())
    for qclass in ("CH", "ANY"):
        wires.append(make_query("www." + FWD, "A", qclass, rd=True).to_wire())
    for wire in wires:
        for tcp in (False, True):
            reply = raw_tcp(wire, fwd.port, timeout=QUERY_TIMEOUT) if tcp else \
                raw_udp(wire, fwd.port, timeout=QUERY_TIMEOUT)
            assert reply is not None, f"no answer to {wire!r}"
            assert reply[:2] == wire[:2] and reply[2] & 0x80
            end = question_end(wire)
            assert reply[12:end] == wire[12:end], f"question echoed: {wire[12:end]!r}"
    for tcp in (False, True):
        assert fq("scs1." + SITE, "A", fwd.port, tcp=tcp).answer
        assert rdata(fq("www." + FWD, "A", fwd.port, tcp=tcp), "A") == {WWW_A}


def test_reload_changes_allow_and_can_turn_forwarding_off(tmp_path, daemons, upstream):
    """SIGHUP: a new `allow` takes effect at once (127.0.0.2 refused, then served); a site file
    that makes a forwarded (and cached) name its own answers it AA=1 from the zone, never from
    the cache; without `forward:` names outside the zones are REFUSED again, RA=0."""
    d = daemons(tmp_path, "sipdnsd-reload", forward_to(f"127.0.0.1:{upstream.port}"))
    assert fq("www." + FWD, "A", d.port, source=OUTSIDE).rcode() == dns.rcode.REFUSED
    assert_forwarded(fq("www." + FWD, "A", d.port))

    def reload_with(text: str, marker: str):
        before = d.log_text().count("reloaded:")
        d.site_path.write_text(text)
        d.signal(signal.SIGHUP)
        deadline = time.monotonic() + 10
        while d.log_text().count("reloaded:") == before and time.monotonic() < deadline:
            time.sleep(0.05)
        assert d.log_text().count("reloaded:") > before, f"no reload ({marker}): {d.log_text()}"

    reload_with(site_yaml(forward_to(f"127.0.0.1:{upstream.port}",
                                     allow=("127.0.0.1/32", "127.0.0.2/32", "::1/128"))), "allow")
    m = fq("www." + FWD, "A", d.port, source=OUTSIDE)
    assert_forwarded(m, "after allow grew")

    # The forwarded name becomes ours: a `records:` line in the site's own zone cannot shadow
    # another domain, so the site's domain itself moves under the forwarded one.
    shadow = site_yaml(forward_to(f"127.0.0.1:{upstream.port}")).replace(
        "domain: scsnetwork.local", "domain: " + FWD.rstrip("."))
    reload_with(shadow, "shadow")
    m = fq("scs1." + FWD, "A", d.port)
    assert m.rcode() == dns.rcode.NOERROR and m.flags & dns.flags.AA, m
    assert not m.flags & dns.flags.RA
    m = fq("www." + FWD, "A", d.port)   # cached before; now a name of our zone that does not exist
    assert m.rcode() == dns.rcode.NXDOMAIN and m.flags & dns.flags.AA, m

    reload_with(site_yaml(None), "no forward")
    m = fq("example-" + str(random.randrange(10**6)) + "." + FWD, "A", d.port)
    assert m.rcode() == dns.rcode.REFUSED and not m.flags & dns.flags.RA, m


def test_dnssec_validation_fails_closed_without_a_chain(tmp_path, daemons, upstream):
    """`dnssec: true` validates with Debian's root trust anchor (dns-root-data): the local
    upstream serves an unsigned root and zone, so nothing chains to the real root's key and the
    answer is bogus - SERVFAIL with RFC 8914 EDE 6 (DNSSEC Bogus) and libunbound's reason; the
    same upstream without dnssec answers. A trust anchor file that does not exist stops the
    start with one clear line."""
    anchor = pathlib.Path("/usr/share/dns/root.key")
    if not anchor.is_file():
        pytest.skip("dns-root-data is not installed (/usr/share/dns/root.key)")
    d = daemons(tmp_path, "sipdnsd-dnssec",
                forward_to(f"127.0.0.1:{upstream.port}", extra="  dnssec: true\n"))
    m = fq("www." + FWD, "A", d.port, edns=0)
    assert m.rcode() == dns.rcode.SERVFAIL and m.flags & dns.flags.RA, m
    codes = [c for c, _ in ede(m)]
    assert codes == [6], f"EDE 6 (DNSSEC Bogus) with libunbound's reason, got {ede(m)}"
    assert ede(m)[0][1], "the reason is given"
    # The site's own names are ours: never validated, always answered.
    m = fq("scs1." + SITE, "A", d.port)
    assert m.rcode() == dns.rcode.NOERROR and m.flags & dns.flags.AA

    missing = tmp_path / "no-such-root.key"
    path = write_site(tmp_path, "bad-anchor.yaml", site_yaml(forward_to(
        f"127.0.0.1:{upstream.port}", extra=f"  dnssec: true\n  trust_anchor: {missing}\n")))
    r = subprocess.run([SIPDNSD, "--config", str(path), "--listen", f"127.0.0.1:{free_port()}"],
                       capture_output=True, text=True, timeout=20)
    assert r.returncode == 1, r
    assert str(missing) in r.stderr and "trust anchor" in r.stderr, r.stderr


def test_watch_shows_forwarded_queries(tmp_path, daemons, upstream):
    """`sipdnsd watch` (issue 15): a forwarded name's line ends in `fwd Nms` (the upstream's
    answer time), then `fwd cached` once the worker's cache holds it; RA set, AA not."""
    d = daemons(tmp_path, "sipdnsd-watch-fwd", forward_to(f"127.0.0.1:{upstream.port}"),
                threads=1)  # one worker: one answer cache
    w = subprocess.Popen([SIPDNSD, "watch", "--name", FWD, "--control", d.control],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert "Ctrl-C to stop" in w.stderr.readline()
        fq("forwarded." + FWD, "A", d.port)
        fq("forwarded." + FWD, "A", d.port)
        fq("nothere." + FWD, "A", d.port, tcp=True)
        lines = [w.stdout.readline().rstrip("\n") for _ in range(3)]
    finally:
        w.send_signal(signal.SIGINT)
        w.wait(timeout=10)
    line = r"^\d\d:\d\d:\d\d\.\d{3} 127\.0\.0\.1#\d+ (udp|tcp) (\S+) A (\S+) ra (\d+)/\d+/\d+ \d+B "
    first, second, third = (re.match(line + r"fwd (\d+ms|cached)$", l) for l in lines)
    assert first and second and third, lines
    assert first.groups()[:3] == ("udp", "forwarded." + FWD.rstrip("."), "NOERROR")
    assert first.group(4) == "1"
    assert first.group(5).endswith("ms"), lines
    assert second.group(5) == "cached", lines
    assert third.groups()[:3] == ("tcp", "nothere." + FWD.rstrip("."), "NXDOMAIN"), lines


@pytest.mark.skipif(not shutil.which("dnstap-ldns"), reason="dnstap-ldns is not installed")
def test_dnstap_client_frames_for_forwarded_names(tmp_path, daemons, upstream):
    """server.dnstap with forwarding (issue 15): a forwarded name is logged as CLIENT_QUERY /
    CLIENT_RESPONSE (what a resolver's dnstap shows), the site's own names as AUTH_*."""
    tap = tmp_path / "dnstap.fstrm"
    d = daemons(tmp_path, "sipdnsd-dnstap-fwd", forward_to(f"127.0.0.1:{upstream.port}"),
                server=f"server:\n  dnstap: {{ file: {tap} }}\n")
    fq("www." + FWD, "A", d.port)
    fq("scs1.scsnetwork.local", "A", d.port)
    time.sleep(0.3)
    assert d.stop() == 0
    r = run_tool("dnstap-ldns", "-q", "-r", str(tap))
    frames = [line.split()[2:] for line in r.stdout.splitlines() if " SOA" not in line]
    got = [(f[0], f[-3].strip('"'), f[-1]) for f in frames]
    # Each worker's frames are in order; two workers' may interleave either way.
    assert sorted(got) == sorted([
        ("CQ", "www." + FWD, "A"), ("CR", "www." + FWD, "A"),
        ("AQ", "scs1.scsnetwork.local.", "A"), ("AR", "scs1.scsnetwork.local.", "A")]), r.stdout
    assert got.index(("CQ", "www." + FWD, "A")) < got.index(("CR", "www." + FWD, "A"))
    assert got.index(("AQ", "scs1.scsnetwork.local.", "A")) < \
        got.index(("AR", "scs1.scsnetwork.local.", "A"))
