# SPDX-FileCopyrightText: 2026 The sipdns authors
# SPDX-License-Identifier: BSD-3-Clause
"""Response rate limiting over UDP (server.rate_limit; BIND/NSD/Knot RRL): a flood of one answer
from one loopback address is cut to the configured rate — the rest dropped, every slip-th sent
as TC=1, which sends dig and dnspython over to TCP — while a client in another /24 (127.0.1.1:
all of 127/8 is loopback) is answered in full throughout. TCP is never limited. Every flood is
bounded in count and time; the /56 logic of IPv6 is covered by the unit tests (loopback has one
IPv6 address)."""

from __future__ import annotations

import shutil
import signal
import socket
import struct
import subprocess
import threading
import time

import dns.exception
import dns.flags
import dns.message
import dns.query
import dns.rcode
import pytest

from sipdnsd_harness import make_query, write_site

D = "rrl.example.test."
FLOOD_NAME = "flood." + D
OTHER_CLIENT = "127.0.1.1"  # another /24 than 127.0.0.1
RATE = 50                   # responses per second per /24 and response, in the limited site
OTHER_QUERIES = 40          # from OTHER_CLIENT during the flood: fewer than RATE in a second
MAX_FLOOD_QUERIES = 100_000
MAX_FLOOD_SECONDS = 20.0


def site(rate_limit: str) -> str:
    return f"""domain: rrl.example.test
ttl: 60
servers:
  - {{ name: ns1, ipv4: 192.0.2.1 }}
hosts:
  flood: 192.0.2.10
  other: 192.0.2.20
reverse: off
server:
{rate_limit}"""


LIMITED = site(f"  rate_limit:\n    responses_per_second: {RATE}\n    slip: 2\n")
OFF = site("  rate_limit:\n    responses_per_second: 0\n")
DEFAULTS = site("  nsid: rrl-test\n")  # no rate_limit key: the default (on, 1000/s)


class Flood:
    """Queries for one name from one source address as fast as one socket goes; a receiver thread
    sorts the replies into full answers and TC=1 slips. Stops at `count`, after `seconds`, or
    when stop() is called. `window`: at most this many queries unanswered at once (for a run
    where everything is answered, so the client's own receive buffer never overflows).
    `pace`: at most this many queries a second (a flood that must outlast other checks)."""

    def __init__(self, port: int, source: str = "127.0.0.1", name: str = FLOOD_NAME, *,
                 count: int = MAX_FLOOD_QUERIES, seconds: float = MAX_FLOOD_SECONDS,
                 window: int | None = None, pace: int | None = None):
        assert source.startswith("127.")
        self.port, self.count, self.seconds, self.window = port, count, seconds, window
        self.pace = pace
        self.wire = bytearray(make_query(name, "A").to_wire())
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
        self.sock.bind((source, 0))
        self.sock.settimeout(0.1)
        self.sent = self.full = self.truncated = self.other = 0
        self.elapsed = 0.0
        self._stop = threading.Event()
        self._sending_done = threading.Event()
        self._receiver = threading.Thread(target=self._receive)
        self._sender = threading.Thread(target=self._send)

    def start(self) -> "Flood":
        self._receiver.start()
        self._sender.start()
        return self

    def stop(self) -> None:
        self._stop.set()

    def join(self) -> "Flood":
        self._sender.join(timeout=MAX_FLOOD_SECONDS + 10)
        self._receiver.join(timeout=10)
        self.sock.close()
        return self

    @property
    def answered(self) -> int:
        return self.full + self.truncated

    def _send(self) -> None:
        start = time.monotonic()
        deadline = start + self.seconds
        try:
            for i in range(self.count):
                if self._stop.is_set() or time.monotonic() > deadline:
                    break
                struct.pack_into("!H", self.wire, 0, i & 0xFFFF)
                self.sock.sendto(self.wire, ("127.0.0.1", self.port))
                self.sent += 1
                if self.pace is not None:
                    ahead = self.sent / self.pace - (time.monotonic() - start)
                    if ahead > 0.001:
                        time.sleep(ahead)
                if self.window is not None:
                    wait_until = time.monotonic() + 1.0
                    while (self.sent - self.answered - self.other > self.window
                           and time.monotonic() < wait_until):
                        time.sleep(0.0002)
        finally:
            self.elapsed = time.monotonic() - start
            self._sending_done.set()

    def _receive(self) -> None:
        quiet_since = None
        while True:
            try:
                data, _ = self.sock.recvfrom(4096)
            except socket.timeout:
                if self._sending_done.is_set():
                    quiet_since = quiet_since or time.monotonic()
                    if time.monotonic() - quiet_since > 0.5:
                        return
                continue
            except OSError:
                return
            quiet_since = None
            flags, ancount = struct.unpack_from("!H", data, 2)[0], struct.unpack_from("!H", data, 6)[0]
            rcode = flags & 0xF
            if flags & 0x0200 and ancount == 0:
                self.truncated += 1
            elif rcode == 0 and ancount == 1:
                self.full += 1
            else:
                self.other += 1


def ask_from(source: str, port: int, name: str, timeout: float = 2.0) -> dns.message.Message | None:
    """One UDP query from a socket bound to `source`; None on timeout."""
    assert source.startswith("127.")
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind((source, 0))
        s.settimeout(timeout)
        s.sendto(make_query(name, "A").to_wire(), ("127.0.0.1", port))
        try:
            data, _ = s.recvfrom(4096)
        except socket.timeout:
            return None
    return dns.message.from_wire(data)


def wait_limited(flood: Flood, timeout: float = 5.0) -> None:
    """Until the flood has seen its first slip: the bucket of 127.0.0.0/24 is empty."""
    deadline = time.monotonic() + timeout
    while flood.truncated == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert flood.truncated > 0, f"no TC=1 slip after {timeout}s of flood ({flood.sent} sent)"


def test_flood_is_limited_while_another_prefix_is_answered(tmp_path, start_server):
    srv = start_server(write_site(tmp_path, "site.yaml", LIMITED), threads=2)
    log_lines_before = srv.log_text().count("\n")
    flood = Flood(srv.port, pace=40 * RATE).start()
    other_answers = []
    fallback = None
    dig_output = ""
    try:
        wait_limited(flood)
        # Another /24, the very same response: every query answered in full, none truncated
        # (OTHER_QUERIES spread over a second: under that prefix's own rate).
        for _ in range(OTHER_QUERIES):
            other_answers.append(ask_from(OTHER_CLIENT, srv.port, FLOOD_NAME))
            time.sleep(1.0 / OTHER_QUERIES)

        # A real client in the flooded /24 gets through: a slip (TC=1) sends dnspython over to
        # TCP, where nothing is limited. Drops time out quickly; bounded tries.
        for _ in range(40):
            q = make_query(FLOOD_NAME, "A")
            try:
                reply, used_tcp = dns.query.udp_with_fallback(
                    q, "127.0.0.1", port=srv.port, timeout=0.3, source="127.0.0.1")
            except dns.exception.Timeout:
                continue
            if used_tcp:
                fallback = reply
                break

        # dig does the same ("Truncated, retrying in TCP mode"), from the flooded address.
        for _ in range(10):
            r = subprocess.run(
                ["dig", "-b", "127.0.0.1", "-p", str(srv.port), "@127.0.0.1", FLOOD_NAME, "A",
                 "+tries=1", "+timeout=1", "+norecurse"],
                capture_output=True, text=True, timeout=20)
            if "Truncated, retrying in TCP mode" in r.stdout:
                dig_output = r.stdout
                break
        still_flooding = not flood._sending_done.is_set()
    finally:
        flood.stop()
        flood.join()

    assert still_flooding, "the flood ended before the other clients were done: raise its bounds"
    # The flood: about RATE answers a second got through, the rest was limited; of the limited
    # ones every 2nd went out as TC=1 (slip 2), the others were dropped.
    print(f"flood: {flood.sent} sent in {flood.elapsed:.2f}s, {flood.full} answered, "
          f"{flood.truncated} TC, {flood.other} other")
    assert flood.other == 0
    allowed = RATE * (1 + flood.elapsed) + RATE // 5  # the bucket, its refill, and a margin
    assert RATE // 2 <= flood.full <= allowed, (flood.full, allowed)
    limited = flood.sent - flood.full
    assert flood.sent > 10 * allowed, f"flood too small to test anything: {flood.sent}"
    assert 0.40 * limited <= flood.truncated <= 0.60 * limited, (flood.truncated, limited)
    assert flood.answered < 0.6 * flood.sent, "most of the flood must be dropped"

    assert all(m is not None for m in other_answers), \
        f"{sum(m is None for m in other_answers)} of {OTHER_QUERIES} queries from " \
        f"{OTHER_CLIENT} unanswered"
    for m in other_answers:
        assert m.rcode() == dns.rcode.NOERROR and not (m.flags & dns.flags.TC)
        assert [rd.address for rd in m.answer[0]] == ["192.0.2.10"]

    assert fallback is not None, "no TC=1 answer sent dnspython to TCP within 40 tries"
    assert [rd.address for rd in fallback.answer[0]] == ["192.0.2.10"]
    assert dig_output, "dig never got a TC=1 answer to retry over TCP"
    assert "192.0.2.10" in dig_output and "status: NOERROR" in dig_output, dig_output

    # Nothing is logged per limited answer (hot path).
    assert srv.log_text().count("\n") - log_lines_before < 3, srv.log_text()[-2000:]


def test_tcp_is_never_limited(tmp_path, start_server):
    srv = start_server(write_site(tmp_path, "site.yaml", LIMITED), threads=2)
    flood = Flood(srv.port, pace=40 * RATE).start()
    try:
        wait_limited(flood)
        for _ in range(3 * RATE):
            m = dns.query.tcp(make_query(FLOOD_NAME, "A"), "127.0.0.1", port=srv.port,
                              timeout=2.0, source="127.0.0.1")
            assert m.rcode() == dns.rcode.NOERROR and not (m.flags & dns.flags.TC)
            assert m.answer
        assert not flood._sending_done.is_set()
    finally:
        flood.stop()
        flood.join()


def test_on_by_default_at_a_rate_a_lab_never_reaches(tmp_path, start_server):
    """No rate_limit key: 1000 answers a second per /24 and response. A short burst of a few
    hundred queries (more than a busy lab asks for one name in a second) is answered in full;
    a flood well over 1000/s is limited."""
    srv = start_server(write_site(tmp_path, "site.yaml", DEFAULTS), threads=2)
    burst = Flood(srv.port, count=600, window=32).start().join()
    assert burst.sent == 600 and burst.full == 600 and burst.truncated == 0, vars(burst)

    time.sleep(1.1)  # a full bucket again
    flood = Flood(srv.port, count=20_000, seconds=10).start().join()
    rate = flood.sent / max(flood.elapsed, 1e-6)
    print(f"flood: {flood.sent} sent in {flood.elapsed:.2f}s ({rate:.0f}/s), {flood.full} "
          f"answered, {flood.truncated} TC")
    assert rate > 3000, f"this client sent only {rate:.0f} queries/s: cannot exceed 1000/s"
    assert flood.full <= 1000 * (1 + flood.elapsed) + 50, vars(flood)
    assert flood.truncated > 0


def test_off_answers_everything_and_a_reload_turns_it_on(tmp_path, start_server):
    """responses_per_second: 0 (benchmarks, load tests) answers every query; the setting is
    part of what SIGHUP reloads, like the EDNS size."""
    path = write_site(tmp_path, "site.yaml", OFF)
    srv = start_server(path, threads=2)
    flood = Flood(srv.port, count=5000, window=64).start().join()
    assert flood.sent == 5000 and flood.full == 5000 and flood.truncated == 0, vars(flood)

    path.write_text(LIMITED)
    srv.signal(signal.SIGHUP)
    deadline = time.monotonic() + 10
    while "reloaded" not in srv.log_text() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert "reloaded" in srv.log_text(), srv.log_text()[-2000:]
    flood = Flood(srv.port, count=5000, seconds=5).start().join()
    assert flood.full <= RATE * (1 + flood.elapsed) + 5, vars(flood)
    assert flood.truncated > 0
