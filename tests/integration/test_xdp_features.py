# SPDX-FileCopyrightText: 2026 The sipdns authors
# SPDX-License-Identifier: BSD-3-Clause
"""What the AF_XDP path shares with the socket path (issue 19): forwarding, response rate
limiting, the metrics and the query log, over the namespace pair of test_xdp.py (veth,
198.18.1.0/24 and fd00:19::/64 inside the namespaces only).

- A name the site forwards arrives over XDP and is passed to the kernel's UDP socket for the
  address it was sent to: the upstream (a dnspython responder on 127.0.0.1 inside the server
  namespace, the only upstream) is asked once, the answer (RA=1, AA=0) comes from the queried
  address and port, through the kernel (its UdpOutDatagrams moves, its UdpInDatagrams does not),
  a second ask comes from the worker's cache, and `sipdns_xdp_frames_total{result=
  "passed_to_kernel"}` counts them. The site's own names stay answered over XDP. A client
  asking from its IPv6 link-local address gets the forwarded answer too (the socket sends it
  with the XDP interface as the address's scope).
- RRL: a burst for one answer over XDP is limited as over the sockets (drops and TC=1 slips),
  and `sipdns_responses_rate_limited_total` says how many; the kernel's UDP layer sees none.
- Metrics: XDP answers are UDP queries in `sipdns_queries_total` and `answered` frames.
- `sipdnsd watch` shows XDP queries as UDP queries from the client's address.

Skips as test_xdp.py does (not root, no namespaces or veth, XDP cannot attach)."""

from __future__ import annotations

import ctypes
import os
import socket
import threading
import urllib.request

import dns.flags
import dns.message
import dns.rcode
import dns.rrset
import pytest

from sipdnsd_harness import make_query, wait_until, write_site
from test_metrics import LABEL, SAMPLE, total
from test_watch import LINE, Watcher
from test_xdp import (CLI4, CLI6, CLI_IF, CLI_NS, CLONE_NEWNET, SRV4, SRV6, SRV_IF, SRV_NS,
                      NsDaemon, kernel_udp, namespace_pair, run)

XDP_PORT, METRICS_PORT, UPSTREAM_PORT = 5310, 9310, 5399
D = "scsnetwork.local."
FORWARDED = "fwd.example."
FORWARDED_ADDRESS = "198.51.100.77"
RATE = 20  # responses a second per answer and client prefix: what the RRL burst exceeds


class Upstream:
    """A forwarding upstream inside the server namespace: a thread that enters it (setns
    changes only the calling thread's namespace) and answers every A question for fwd.example
    with FORWARDED_ADDRESS (TTL 300) over UDP on 127.0.0.1, counting the questions."""

    def __init__(self):
        self.questions = 0   # for fwd.example
        self.datagrams = 0   # all it received (each got one answer)
        self.ready = threading.Event()
        self.error = None
        self.stopping = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()
        assert self.ready.wait(10) and self.error is None, self.error

    def _run(self):
        libc = ctypes.CDLL(None, use_errno=True)
        try:
            fd = os.open(f"/run/netns/{SRV_NS}", os.O_RDONLY)
            try:
                if libc.setns(fd, CLONE_NEWNET) != 0:
                    raise OSError(ctypes.get_errno(), "setns")
            finally:
                os.close(fd)
            self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            self.sock.bind(("127.0.0.1", UPSTREAM_PORT))
            self.sock.settimeout(0.2)
        except OSError as e:
            self.error = str(e)
            self.ready.set()
            return
        self.ready.set()
        while not self.stopping:
            try:
                wire, peer = self.sock.recvfrom(4096)
            except socket.timeout:
                continue
            self.datagrams += 1
            q = dns.message.from_wire(wire)
            r = dns.message.make_response(q)
            r.flags |= dns.flags.RA
            if q.question and q.question[0].name.to_text().lower() == FORWARDED:
                self.questions += 1
                r.answer.append(dns.rrset.from_text(FORWARDED, 300, "IN", "A",
                                                    FORWARDED_ADDRESS))
            else:
                r.set_rcode(dns.rcode.NXDOMAIN)
            self.sock.sendto(r.to_wire(), peer)
        self.sock.close()

    def stop(self):
        self.stopping = True
        self.thread.join(timeout=5)


def site_text() -> str:
    return f"""domain: {D.rstrip('.')}
servers:
  - {{ name: scs1, ipv4: 192.0.2.11 }}
hosts:
  burst: 192.0.2.40
forward:
  to: ["127.0.0.1:{UPSTREAM_PORT}"]
  allow: [198.18.1.0/24, "fd00:19::/64", "fe80::/10"]
server:
  listen: ["{SRV4}:{XDP_PORT}", "[{SRV6}]:{XDP_PORT}"]
  rate_limit: {{ responses_per_second: {RATE}, slip: 2 }}
  xdp: {{ interface: {SRV_IF} }}
"""


@pytest.fixture(scope="module")
def daemon(tmp_path_factory):
    with namespace_pair():
        upstream = Upstream()
        tmp = tmp_path_factory.mktemp("xdp-features")
        d = NsDaemon(write_site(tmp, "site.yaml", site_text()), XDP_PORT, name="sipdnsd-xdpf",
                     threads=1, extra_args=["--metrics", f"{SRV4}:{METRICS_PORT}"])
        try:
            d.start()
            text = d.log_text()
            if "answering UDP on sockets only" in text:
                pytest.skip("sipdnsd could not attach XDP to a veth here: " +
                            text.split("XDP on ", 1)[1].splitlines()[0])
            assert f"XDP on {SRV_IF}: " in text and f"UDP port {XDP_PORT}" in text, text
            d.upstream = upstream
            yield d
        finally:
            if d.proc is not None and d.proc.poll() is None:
                d.stop()
            upstream.stop()


def scrape() -> dict:
    with urllib.request.urlopen(f"http://{SRV4}:{METRICS_PORT}/metrics", timeout=5) as r:
        body = r.read().decode()
    samples = {}
    for line in body.splitlines():
        if line and not line.startswith("#"):
            m = SAMPLE.match(line)
            samples[(m.group(1), frozenset(LABEL.findall(m.group(2) or "")))] = float(m.group(3))
    return samples


def ask(qname: str, addr: str = SRV4, *, rd: bool = False):
    """One UDP query from the client namespace; the answer and the address it came from."""
    with socket.socket(socket.AF_INET6 if ":" in addr else socket.AF_INET,
                       socket.SOCK_DGRAM) as s:
        s.settimeout(3)
        s.sendto(make_query(qname, "A", rd=rd).to_wire(), (addr, XDP_PORT))
        try:
            wire, source = s.recvfrom(65535)
        except socket.timeout:
            return None, None
    return dns.message.from_wire(wire), source[:2]


@pytest.mark.parametrize("addr", [SRV4, SRV6], ids=["IPv4", "IPv6"])
def test_forwarded_name_is_answered_through_the_kernel_socket(daemon, addr):
    out_key, in_key = ("UdpOutDatagrams", "UdpInDatagrams") if ":" not in addr else \
        ("Udp6OutDatagrams", "Udp6InDatagrams")
    before, metrics_before = kernel_udp(), scrape()
    asked_before, datagrams_before = daemon.upstream.questions, daemon.upstream.datagrams
    for attempt in range(2):  # the second from the worker's cache
        m, source = ask(FORWARDED, addr, rd=True)
        assert m is not None, f"no answer for a forwarded name (attempt {attempt + 1})"
        assert source == (addr, XDP_PORT), f"answered from {source}, asked {addr}"
        assert m.flags & dns.flags.RA and not m.flags & dns.flags.AA, m
        assert [r.to_text() for r in m.answer[0]] == [FORWARDED_ADDRESS], m
    after = kernel_udp()
    assert daemon.upstream.questions - asked_before <= 1, "the second came from the cache"
    # The forwarder's exchanges with the upstream (on 127.0.0.1 in the same namespace: one
    # datagram out and in each way) are the kernel's too; besides them, both answers went out
    # through the kernel socket, and the two queries never came in through it.
    upstream = daemon.upstream.datagrams - datagrams_before
    out4, in4 = ("UdpOutDatagrams", "UdpInDatagrams")
    assert after[out4] - before[out4] == 2 * upstream + (2 if out_key == out4 else 0)
    assert after[in4] - before[in4] == 2 * upstream
    if out_key != out4:
        assert after[out_key] - before[out_key] == 2, "both answers through the kernel socket"
        assert after[in_key] == before[in_key], "the queries themselves came over XDP"
    passed = total(scrape(), "sipdns_xdp_frames_total", result="passed_to_kernel") - \
        total(metrics_before, "sipdns_xdp_frames_total", result="passed_to_kernel")
    assert passed == 2
    # The site's names are still answered over XDP: the kernel sends nothing for them.
    m, source = ask("scs1." + D, addr)
    assert m.flags & dns.flags.AA and m.answer and source == (addr, XDP_PORT)
    assert kernel_udp()[out_key] == after[out_key]


def client_link_local() -> str:
    """The client veth's fe80:: address once duplicate address detection is done, else ''."""
    out = run("ip", "-n", CLI_NS, "-6", "-o", "addr", "show", "dev", CLI_IF, "scope",
              "link").stdout
    if "tentative" in out or "inet6 fe80:" not in out:
        return ""
    return out.split("inet6 ", 1)[1].split("/", 1)[0]


def test_forwarded_name_from_a_link_local_client(daemon):
    """Another link in the server namespace whose fe80::/64 route wins (metric 1): without the
    XDP interface as its scope, the answer to the client's link-local address would leave
    there."""
    assert wait_until(lambda: client_link_local() != "", 5.0), "the client has a link-local address"
    other, peer = f"xtw{os.getpid()}"[:15], f"xtv{os.getpid()}"[:15]
    run("ip", "-n", SRV_NS, "link", "add", other, "type", "veth", "peer", "name", peer)
    try:
        for ifname in (other, peer):
            run("ip", "-n", SRV_NS, "link", "set", ifname, "up")
        run("ip", "-n", SRV_NS, "-6", "route", "add", "fe80::/64", "dev", other, "metric", "1")
        before = kernel_udp()
        with socket.socket(socket.AF_INET6, socket.SOCK_DGRAM) as s:
            s.bind((client_link_local(), 0, 0, socket.if_nametoindex(CLI_IF)))
            s.settimeout(3)
            s.sendto(make_query(FORWARDED, "A", rd=True).to_wire(), (SRV6, XDP_PORT))
            try:
                wire, source = s.recvfrom(65535)
            except socket.timeout:
                pytest.fail("no answer for a forwarded name to a link-local client")
    finally:
        run("ip", "-n", SRV_NS, "link", "del", other, check_rc=False)
    m = dns.message.from_wire(wire)
    assert source[:2] == (SRV6, XDP_PORT)
    assert [r.to_text() for r in m.answer[0]] == [FORWARDED_ADDRESS], m
    assert kernel_udp()["Udp6InDatagrams"] == before["Udp6InDatagrams"], "the query came over XDP"


def test_rate_limiting_over_xdp(daemon):
    before, metrics_before = kernel_udp(), scrape()
    wire = make_query("burst." + D, "A").to_wire()
    answered = slipped = 0
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(0.3)
        for i in range(10 * RATE):  # far above RATE answers a second
            s.sendto(wire, (SRV4, XDP_PORT))
        while True:
            try:
                m = dns.message.from_wire(s.recvfrom(65535)[0])
            except socket.timeout:
                break
            if m.flags & dns.flags.TC:
                slipped += 1
            else:
                answered += 1
    metrics_after = scrape()
    limited = {action: total(metrics_after, "sipdns_responses_rate_limited_total", action=action)
               - total(metrics_before, "sipdns_responses_rate_limited_total", action=action)
               for action in ("drop", "slip")}
    assert answered >= 1 and answered <= 2 * RATE, (answered, slipped)
    assert slipped == limited["slip"] and slipped >= 1, (slipped, limited)
    assert limited["drop"] >= 1 and answered + slipped + limited["drop"] == 10 * RATE, \
        (answered, slipped, limited)
    assert kernel_udp() == before, "the kernel's UDP layer saw none of it"


def test_metrics_count_xdp_answers_as_udp(daemon):
    before = scrape()
    for i in range(5):
        m, _ = ask(f"scs1.{D}")
        assert m.answer
    m, _ = ask(f"nothing-here.{D}")
    assert m.rcode() == dns.rcode.NXDOMAIN
    after = scrape()
    udp_queries = total(after, "sipdns_queries_total", transport="udp") - \
        total(before, "sipdns_queries_total", transport="udp")
    nx = total(after, "sipdns_queries_total", transport="udp", rcode="NXDOMAIN") - \
        total(before, "sipdns_queries_total", transport="udp", rcode="NXDOMAIN")
    answered = total(after, "sipdns_xdp_frames_total", result="answered") - \
        total(before, "sipdns_xdp_frames_total", result="answered")
    assert (udp_queries, nx, answered) == (6, 1, 6)


def test_watch_shows_xdp_queries(daemon):
    watcher = Watcher(daemon.control)
    try:
        for name in ("scs1." + D, "_sip._udp." + D):
            assert ask(name)[0] is not None
        assert ask("scs1." + D, SRV6)[0] is not None
        lines = watcher.take(3)
    finally:
        watcher.stop()
    seen = [LINE.match(line) for line in lines]
    assert all(seen), lines
    assert [(m["client"], m["transport"], m["name"], m["type"], m["rcode"]) for m in seen] == [
        (CLI4, "udp", "scs1." + D.rstrip("."), "A", "NOERROR"),
        (CLI4, "udp", "_sip._udp." + D.rstrip("."), "A", "NOERROR"),
        (CLI6, "udp", "scs1." + D.rstrip("."), "A", "NOERROR")], lines
