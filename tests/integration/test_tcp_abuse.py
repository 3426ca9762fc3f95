# SPDX-FileCopyrightText: 2026 The sipdns authors
# SPDX-License-Identifier: BSD-3-Clause
"""TCP abuse (issue 8; RFC 7766 §10 connection management, RFC 9210 §4): many idle
connections, connections that trickle a byte a second, and connections that pipeline queries
but never read their answers are all held to the connection cap and to
server.tcp_idle_timeout_ms / server.tcp_io_timeout_ms, without growing the daemon's memory,
while other clients keep getting UDP and TCP answers within a short bound.

The idle timeout, half a length prefix and the cap itself are tested in test_transport.py.
Every count and wait here is bounded; the whole file runs in well under a minute."""

import socket
import struct
import threading
import time

import dns.edns
import dns.message
import dns.rcode
import pytest

from sipdnsd_harness import (LOOPBACK4, LOOPBACK6, example, make_query, query, recv_tcp_message,
                             rss_kib, tcp_connect, write_site)

D = "scsnetwork.local."

IDLE_MS = 4000
IO_MS = 1000
MAX_CONNECTIONS = 40
ANSWER_BOUND = 1.0  # seconds: every check query of a bystander is answered within this

TCP_ESTABLISHED = 1  # linux/tcp_states.h; FIN from the server -> CLOSE_WAIT, RST -> CLOSE


def framed(m):
    w = m.to_wire()
    return struct.pack("!H", len(w)) + w


def a_answer(m):
    return sorted(rd.to_text() for rrset in m.answer for rd in rrset)


def server_closed(s):
    """True once the server has closed s (FIN or RST seen), without reading from it: reading
    would let the server's writes to a 'never-reading' client make progress."""
    return s.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 1)[0] != TCP_ESTABLISHED


def abuse_site(tmp_path):
    """scs-ha with a large TXT RRset (about 5 KB per answer: a never-reading client's socket
    fills quickly) and tight TCP limits."""
    head = example("scs-ha").read_text().split("\nserver:")[0]
    chunk = "x" * 250
    records = "".join(f'  - \'big IN TXT "{i:03d}{chunk}"\'\n' for i in range(20))
    text = (head + "\nrecords:\n" + records + "server:\n"
            f"  tcp_idle_timeout_ms: {IDLE_MS}\n"
            f"  tcp_io_timeout_ms: {IO_MS}\n"
            f"  tcp_max_connections: {MAX_CONNECTIONS}\n")
    return write_site(tmp_path, "site.yaml", text)


def small_rcvbuf_connect(port, addr=LOOPBACK4):
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_STREAM)
    # A small receive window (set before connect): the server's writes stall at once.
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.settimeout(2.0)
    s.connect((addr, port))
    return s


class Bystander(threading.Thread):
    """Asks over UDP and over a fresh TCP connection in turn, every 0.1 s, until stopped;
    records each answer's latency and every failure."""

    def __init__(self, port):
        super().__init__(daemon=True)
        self.port = port
        self.stop = threading.Event()
        self.latencies = []
        self.failures = []

    def run(self):
        i = 0
        while not self.stop.is_set() and i < 1000:
            tcp = i % 2 == 1
            name = "scs2." + D if tcp else "scs1." + D
            want = ["192.0.2.12"] if tcp else ["192.0.2.11"]
            t0 = time.monotonic()
            try:
                m = query(name, "A", self.port, tcp=tcp, timeout=ANSWER_BOUND)
                dt = time.monotonic() - t0
                if a_answer(m) != want:
                    self.failures.append(f"{'tcp' if tcp else 'udp'}: wrong answer {m}")
                self.latencies.append((tcp, dt))
            except Exception as e:  # noqa: BLE001 - every failure is reported by the test
                self.failures.append(f"{'tcp' if tcp else 'udp'} after "
                                     f"{time.monotonic() - t0:.2f}s: {e!r}")
            i += 1
            self.stop.wait(0.1)


def trickle(s, data, stop, interval=1.0):
    """Sends `data` one byte per `interval` until done, stopped or the server closes."""
    for b in data:
        if stop.wait(interval):
            return
        try:
            s.send(bytes([b]))
        except OSError:
            return


def fill_without_reading(s, queries, budget_s=1.5, max_bytes=2 << 20):
    """Pipelines `queries` (cycled) into s without ever reading, until the socket stops
    taking them (the server stopped reading: back-pressure), max_bytes or budget_s."""
    s.setblocking(False)
    sent = 0
    stalled_since = None
    deadline = time.monotonic() + budget_s
    blob = b"".join(framed(q) for q in queries)
    while sent < max_bytes and time.monotonic() < deadline:
        try:
            n = s.send(blob)
            sent += n
            stalled_since = None
        except BlockingIOError:
            if stalled_since is None:
                stalled_since = time.monotonic()
            elif time.monotonic() - stalled_since > 0.3:
                break
            time.sleep(0.01)
        except OSError:
            break
    return sent


def test_idle_trickling_and_non_reading_connections_are_closed(tmp_path, start_server):
    srv = start_server(abuse_site(tmp_path))
    # The large answer works over TCP (and the site loaded).
    big = query("big." + D, "TXT", srv.port, tcp=True)
    assert sum(len(r) for r in big.answer) == 20

    rss_before = rss_kib(srv.pid)
    bystander = Bystander(srv.port)
    stop = threading.Event()
    idle, tricklers, readers_none = [], [], []
    threads = []
    try:
        bystander.start()
        t0 = time.monotonic()
        # 16 idle connections, on both address families.
        for i in range(16):
            idle.append(tcp_connect(srv.port, LOOPBACK6 if i % 2 else LOOPBACK4))
        # 6 connections that trickle a query one byte a second: after the first byte the
        # server waits IO_MS for the rest, not IDLE_MS and not forever.
        for i in range(6):
            s = tcp_connect(srv.port)
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            tricklers.append(s)
            th = threading.Thread(target=trickle,
                                  args=(s, framed(make_query(f"scs{i % 2 + 1}." + D)), stop),
                                  daemon=True)
            th.start()
            threads.append(th)
        # 4 connections that pipeline queries for the 5 KB answer and never read.
        big_queries = [make_query("big." + D, "TXT") for _ in range(50)]
        sent = []
        for i in range(4):
            s = small_rcvbuf_connect(srv.port)
            readers_none.append(s)
            sent.append(fill_without_reading(s, big_queries))
        filled_at = time.monotonic()
        assert all(n > 50 * 40 for n in sent), f"queries sent before back-pressure: {sent}"
        rss_during = rss_kib(srv.pid)

        # Wait (bounded) for the server to close every abusive connection.
        closed_at = {}
        groups = {"idle": idle, "trickle": tricklers, "never-read": readers_none}
        deadline = t0 + IDLE_MS / 1000 + 4.0
        while time.monotonic() < deadline and len(closed_at) < 26:
            for name, socks in groups.items():
                for k, s in enumerate(socks):
                    if (name, k) not in closed_at and server_closed(s):
                        closed_at[(name, k)] = time.monotonic()
            time.sleep(0.05)
        open_ones = [(n, k) for n, socks in groups.items() for k in range(len(socks))
                     if (n, k) not in closed_at]
        assert not open_ones, f"still open {deadline - t0:.1f}s after the start: {open_ones}"

        rel = {key: t - t0 for key, t in closed_at.items()}
        trickle_times = [t for (n, _), t in rel.items() if n == "trickle"]
        idle_times = [t for (n, _), t in rel.items() if n == "idle"]
        never_read_times = [closed_at[("never-read", k)] - filled_at for k in range(4)]
        # Tricklers: their first byte is sent 1 s after the start, so the io timer closes them
        # at about 2 s; the idle timer (4 s) would be far later; and they are not cut before
        # the io timeout either.
        assert all(1.0 + IO_MS / 1000 - 0.2 <= t < IDLE_MS / 1000 for t in trickle_times), \
            f"tricklers closed at {sorted(trickle_times)} s (io timeout {IO_MS} ms, idle {IDLE_MS} ms)"
        assert all(IDLE_MS / 1000 - 0.2 <= t <= IDLE_MS / 1000 + 3.0 for t in idle_times), \
            f"idle connections closed at {sorted(idle_times)} s (idle timeout {IDLE_MS} ms)"
        # Never-reading clients: closed when the write has stalled for the io timeout (their
        # answers stopped moving when the small receive window filled, before filled_at).
        assert all(t <= IO_MS / 1000 + 1.5 for t in never_read_times), \
            f"never-reading connections closed {never_read_times} s after filling"

        # The daemon held at most ~64 KiB of queued answers per connection: no growth
        # proportional to the megabytes of queries the never-readers sent.
        assert rss_during - rss_before < 16 * 1024, \
            f"RSS grew from {rss_before} to {rss_during} KiB with 4 non-reading clients"

        # Bystanders were answered throughout, over UDP and TCP, within the bound.
        time.sleep(0.3)
    finally:
        stop.set()
        bystander.stop.set()
        bystander.join(timeout=5)
        for th in threads:
            th.join(timeout=5)
        for s in idle + tricklers + readers_none:
            s.close()
    assert not bystander.failures, f"bystander queries failed: {bystander.failures[:5]}"
    udp = [dt for tcp, dt in bystander.latencies if not tcp]
    tcp = [dt for tcp, dt in bystander.latencies if tcp]
    assert len(udp) >= 15 and len(tcp) >= 15, f"too few checks: {len(udp)} udp, {len(tcp)} tcp"
    assert max(udp + tcp) < ANSWER_BOUND
    assert srv.proc.poll() is None


def test_slow_but_steady_reader_gets_every_answer(tmp_path, start_server):
    """The write timeout counts stalls, not the whole transfer: a client reading 300 KB of
    pipelined answers over more than twice the io timeout gets every one. Nor is it idle while
    the kernel still holds answers for it: reading them takes longer than the idle timeout
    (the daemon handed them all to its socket at the start), and the connection stays open
    for the next query."""
    srv = start_server(abuse_site(tmp_path), log_level="debug")
    queries = [make_query("big." + D, "TXT") for _ in range(60)]
    s = small_rcvbuf_connect(srv.port, LOOPBACK6)
    try:
        s.sendall(b"".join(framed(q) for q in queries))
        t0 = time.monotonic()
        buf = b""
        got = {}
        s.settimeout(IO_MS / 1000 + 1.0)
        while len(got) < len(queries) and time.monotonic() - t0 < 20:
            time.sleep(0.13)  # at most ~8 KB per 130 ms: a slow reader that never stops
            chunk = s.recv(8192)
            assert chunk, f"closed after {len(got)} of {len(queries)} answers\n{srv.log_text()[-3000:]}"
            buf += chunk
            while len(buf) >= 2 and len(buf) >= 2 + struct.unpack("!H", buf[:2])[0]:
                n = struct.unpack("!H", buf[:2])[0]
                m = dns.message.from_wire(buf[2:2 + n])
                got[m.id] = m
                buf = buf[2 + n:]
        elapsed = time.monotonic() - t0
        assert set(got) == {q.id for q in queries}
        # Still open: the reading was activity, not idleness.
        again = make_query("scs1." + D, "A")
        assert buf == b""
        try:
            s.sendall(framed(again))
            answer = dns.message.from_wire(recv_tcp_message(s))
        except OSError as e:
            pytest.fail(f"closed while its answers were read: {e}\n{srv.log_text()[-3000:]}")
        assert answer.id == again.id
    finally:
        s.close()
    assert all(sum(len(r) for r in m.answer) == 20 for m in got.values())
    assert elapsed > IDLE_MS / 1000, f"read in {elapsed:.2f}s: too fast to test the idle timer"
    assert "idle for" not in srv.log_text()


def test_query_arriving_whole_late_after_a_pause_within_io_timeout(tmp_path, start_server):
    """A query split with a pause shorter than the io timeout is answered; a connection that
    goes quiet between whole queries is governed by the idle timeout alone."""
    srv = start_server(abuse_site(tmp_path))
    qm = make_query("scs1." + D, "A")
    data = framed(qm)
    with tcp_connect(srv.port) as s:
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        s.sendall(data[:5])
        time.sleep(IO_MS / 1000 / 2)
        s.sendall(data[5:])
        m = dns.message.from_wire(recv_tcp_message(s))
        assert m.id == qm.id and a_answer(m) == ["192.0.2.11"]
        # Quiet for longer than the io timeout, shorter than the idle timeout: still open.
        time.sleep(IO_MS / 1000 * 1.8)
        assert not server_closed(s)
        qm2 = make_query("scs2." + D, "A")
        s.sendall(framed(qm2))
        m2 = dns.message.from_wire(recv_tcp_message(s))
        assert m2.id == qm2.id and a_answer(m2) == ["192.0.2.12"]
    assert srv.proc.poll() is None
    m = query("scs1." + D, "A", srv.port)
    assert m.rcode() == dns.rcode.NOERROR


def read_answers(s, count, buf=b"", budget_s=10.0):
    """Reads framed answers from s (after `buf`, bytes already read) until `count` have come, EOF
    or the budget; returns their IDs in arrival order and the bytes read past the last one."""
    ids = []
    deadline = time.monotonic() + budget_s
    while len(ids) < count and time.monotonic() < deadline:
        chunk = s.recv(65536)
        if not chunk:
            break
        buf += chunk
        while len(buf) >= 2 and len(buf) >= 2 + struct.unpack("!H", buf[:2])[0]:
            n = struct.unpack("!H", buf[:2])[0]
            ids.append(dns.message.from_wire(buf[2:2 + n]).id)
            buf = buf[2 + n:]
    return ids, buf


def test_pipelined_queries_held_back_by_back_pressure_are_all_answered(tmp_path, start_server):
    """Queries whose answers pass the 64 KiB queue bound are held back until it drains (RFC 7766
    §6.2.1.1 pipelining, back-pressure); no read is in progress meanwhile. A 4096-octet burst of
    them (the whole initial inbox) is answered whole; and, the regression, a query sent while
    earlier ones were held landed where the inbox no longer was (a read in progress while
    answering them moved the inbox's bytes): one was answered twice, the late one never."""
    srv = start_server(abuse_site(tmp_path))
    # (1) Exactly the inbox's 4096 octets: 77 queries, then one padded (RFC 7830) to the rest.
    burst = [make_query("big." + D, "TXT") for _ in range(77)]
    for i, q in enumerate(burst):
        q.id = 0x2000 + i
    each = len(framed(burst[0]))
    padding = 4096 - 77 * each - each - 4  # the option's code and length: 4 octets
    last = make_query("big." + D, "TXT", options=[dns.edns.GenericOption(12, b"\0" * padding)])
    last.id = 0x2000 + len(burst)
    blob = b"".join(framed(q) for q in burst + [last])
    assert len(blob) == 4096, len(blob)
    with tcp_connect(srv.port, timeout=5.0) as s:
        s.sendall(blob)
        ids, _ = read_answers(s, len(burst) + 1)
    assert sorted(ids) == sorted(q.id for q in burst + [last]), \
        f"{len(ids)} of {len(burst) + 1} answers\n{srv.log_text()[-3000:]}"

    # (2) One more query while most of 60 are still held back.
    held = [make_query("big." + D, "TXT") for _ in range(60)]
    late = make_query("scs1." + D, "A")
    # Distinct IDs: 61 random ones collide one run in 36, which read as "answered twice".
    for i, q in enumerate(held + [late]):
        q.id = 0x1000 + i
    with tcp_connect(srv.port, timeout=5.0) as s:
        s.sendall(b"".join(framed(q) for q in held))
        first, buf = read_answers(s, 20)  # > 64 KiB of answers: held ones answered meanwhile
        s.sendall(framed(late))
        rest, _ = read_answers(s, len(held) + 1 - len(first), buf)
    ids = first + rest
    assert len(ids) == len(set(ids)), f"answered twice: {sorted(i for i in ids if ids.count(i) > 1)}"
    assert set(ids) == {q.id for q in held + [late]}
    assert srv.proc.poll() is None
