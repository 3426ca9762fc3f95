# SPDX-FileCopyrightText: 2026 The sipdns authors
# SPDX-License-Identifier: BSD-3-Clause
"""The Prometheus text endpoint (issue 9; server.metrics / --metrics): off unless asked for;
when on, a known small mix of queries (UDP and TCP, NOERROR / NXDOMAIN / REFUSED / FORMERR,
dropped messages, an ANY over UDP that comes back TC=1, rate-limited answers) moves the counters
by exactly what was sent; SIGHUP with a good and a broken file moves the reload counters and the
serial; only GET /metrics is served (404 / 405 / 400 otherwise); a client that connects and
says nothing, or sends garbage, does not stop the next scrape. Everything is on loopback."""

from __future__ import annotations

import os
import re
import signal
import socket
import struct
import time
import urllib.error
import urllib.request

import dns.flags
import dns.message
import dns.rcode
import pytest

from sipdnsd_harness import (Daemon, free_port, make_query, query, raw_udp, recv_tcp_message,
                             tcp_connect, write_site)

D = "metrics.example.test."


def site(serial_host: str = "192.0.2.10", server: str = "") -> str:
    return f"""domain: metrics.example.test
ttl: 60
servers:
  - {{ name: ns1, ipv4: 192.0.2.1 }}
  - {{ name: ns2, ipv4: 192.0.2.2 }}
hosts:
  a1: {serial_host}
reverse: off
{server}"""


BROKEN = "domain: metrics.example.test\nhosts: { a1: not-an-address }\n"

SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def http(port: int, path: str = "/metrics", method: str = "GET") -> tuple[int, dict, str]:
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", method=method)
    try:
        with urllib.request.urlopen(req, timeout=5) as r:
            return r.status, dict(r.headers), r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read().decode()


def scrape(port: int) -> dict[tuple[str, frozenset], float]:
    status, headers, body = http(port)
    assert status == 200, body
    assert headers["Content-Type"].startswith("text/plain; version=0.0.4")
    samples = {}
    for line in body.splitlines():
        if not line or line.startswith("#"):
            continue
        m = SAMPLE.match(line)
        assert m, f"not a sample line: {line!r}"
        labels = frozenset(LABEL.findall(m.group(2) or ""))
        samples[(m.group(1), labels)] = float(m.group(3))
    return samples


def total(samples, name: str, **labels) -> float:
    """The sum of every `name` sample whose labels include `labels`."""
    want = set(labels.items())
    return sum(v for (n, l), v in samples.items() if n == name and want <= set(l))


def delta(after, before, name: str, **labels) -> float:
    return total(after, name, **labels) - total(before, name, **labels)


def header(flags=0x0000, qd=1, qid=0x4242) -> bytes:
    return struct.pack("!HHHHHH", qid, flags, qd, 0, 0, 0)


QUESTION = b"\x02a1\x07metrics\x07example\x04test\x00" + struct.pack("!HH", 1, 1)


def listening_ports(pid: int) -> set[int]:
    """TCP ports the process has a listening socket on (/proc: state 0A = LISTEN)."""
    inodes = set()
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    ports = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as f:
            next(f)
            for row in f:
                cols = row.split()
                if cols[3] == "0A" and cols[9] in inodes:
                    ports.add(int(cols[1].rsplit(":", 1)[1], 16))
    return ports


@pytest.fixture
def metrics_daemon(tmp_path):
    path = write_site(tmp_path, "site.yaml", site())
    port = free_port(["127.0.0.1"])
    with Daemon(path, listen=["127.0.0.1:{port}"],
                extra_args=["--metrics", f"127.0.0.1:{port}"]) as d:
        d.metrics_port = port
        d.site_path = path
        yield d


def test_off_by_default(tmp_path):
    path = write_site(tmp_path, "site.yaml", site())
    with Daemon(path, listen=["127.0.0.1:{port}"]) as d:
        # The DNS port is the only one it listens on; the default metrics port is not open.
        assert listening_ports(d.pid) == {d.port}
        assert "metrics on http" not in d.log_text()


def test_counters_add_up(metrics_daemon):
    d, mport = metrics_daemon, metrics_daemon.metrics_port
    before = scrape(mport)

    N_A, M_SRV, K_NX, R_REFUSED, F_FORMERR, X_DROP_UDP, Y_DROP_TCP, T_ANY = 7, 4, 3, 2, 2, 3, 1, 1
    for _ in range(N_A):
        assert query("a1." + D, "A", d.port).rcode() == dns.rcode.NOERROR
    for _ in range(M_SRV):
        m = query("_sip._udp." + D, "SRV", d.port, tcp=True)
        assert m.rcode() == dns.rcode.NOERROR
    for _ in range(K_NX):
        assert query("nothere." + D, "A", d.port).rcode() == dns.rcode.NXDOMAIN
    for _ in range(R_REFUSED):  # not our zone
        assert query("example.org.", "MX", d.port).rcode() == dns.rcode.REFUSED
    for _ in range(F_FORMERR):  # QDCOUNT 0 (RFC 1035 §4.1.2: one question)
        reply = raw_udp(header(qd=0), d.port)
        assert reply is not None and dns.rcode.from_flags(reply[3], 0) == dns.rcode.FORMERR
    for wire in (header(flags=0x8000) + QUESTION, header(flags=0x8000) + QUESTION,
                 header()[:11]):  # QR=1 twice, a short header: no answer at all
        assert raw_udp(wire, d.port, timeout=0.3) is None
    with tcp_connect(d.port) as s:  # QR=1 over TCP: skipped, the connection stays up
        bad = header(flags=0x8000) + QUESTION
        good = make_query("a1." + D, "A").to_wire()
        s.sendall(struct.pack("!H", len(bad)) + bad + struct.pack("!H", len(good)) + good)
        assert dns.message.from_wire(recv_tcp_message(s)).rcode() == dns.rcode.NOERROR
    m = query(D, "ANY", d.port)
    assert m.flags & dns.flags.TC, "ANY over UDP -> TC=1 (RFC 8482)"

    after = scrape(mport)
    q = "sipdns_queries_total"
    assert delta(after, before, q, transport="udp", qtype="A", rcode="NOERROR") == N_A
    assert delta(after, before, q, transport="tcp", qtype="SRV", rcode="NOERROR") == M_SRV
    assert delta(after, before, q, transport="tcp", qtype="A", rcode="NOERROR") == 1
    assert delta(after, before, q, transport="udp", qtype="A", rcode="NXDOMAIN") == K_NX
    assert delta(after, before, q, transport="udp", qtype="MX", rcode="REFUSED") == R_REFUSED
    assert delta(after, before, q, transport="udp", rcode="FORMERR") == F_FORMERR
    assert delta(after, before, q, transport="udp", qtype="ANY", rcode="NOERROR") == T_ANY
    # Nothing else was asked.
    assert delta(after, before, q, transport="udp") == N_A + K_NX + R_REFUSED + F_FORMERR + T_ANY
    assert delta(after, before, q, transport="tcp") == M_SRV + 1
    assert delta(after, before, "sipdns_queries_dropped_total", transport="udp") == X_DROP_UDP
    assert delta(after, before, "sipdns_queries_dropped_total", transport="tcp") == Y_DROP_TCP
    assert delta(after, before, "sipdns_responses_truncated_total", transport="udp") == T_ANY
    assert delta(after, before, "sipdns_responses_truncated_total", transport="tcp") == 0
    assert delta(after, before, "sipdns_responses_rate_limited_total") == 0
    assert delta(after, before, "sipdns_tcp_connections_accepted_total") == M_SRV + 1
    assert total(after, "sipdns_tcp_connections_refused_total") == 0
    # The clients closed their connections; the server follows within moments.
    deadline = time.monotonic() + 5
    while total(scrape(mport), "sipdns_tcp_connections_open") != 0:
        assert time.monotonic() < deadline, "TCP connections still counted open"
        time.sleep(0.1)
    # One zone (reverse: off), with its serial and records (2 NS + SOA + 3 A = 6 at least).
    zones = {dict(l)["zone"]: v for (n, l), v in after.items() if n == "sipdns_zone_serial"}
    assert list(zones) == [D]
    assert zones[D] == query(D, "SOA", d.port).answer[0][0].serial
    assert total(after, "sipdns_zone_records", zone=D) >= 6


def test_tcp_connection_gauge(metrics_daemon):
    d, mport = metrics_daemon, metrics_daemon.metrics_port
    socks = [tcp_connect(d.port) for _ in range(3)]
    try:
        for s in socks:  # one answered query each: the connection is surely accepted
            wire = make_query("a1." + D, "A").to_wire()
            s.sendall(struct.pack("!H", len(wire)) + wire)
            recv_tcp_message(s)
        assert total(scrape(mport), "sipdns_tcp_connections_open") == 3
    finally:
        for s in socks:
            s.close()


def test_rate_limited_and_slipped(tmp_path):
    rate = 5
    path = write_site(tmp_path, "site.yaml", site(server=f"""server:
  rate_limit:
    responses_per_second: {rate}
    slip: 2
"""))
    mport = free_port(["127.0.0.1"])
    with Daemon(path, listen=["127.0.0.1:{port}"], threads=1,
                extra_args=["--metrics", f"127.0.0.1:{mport}"]) as d:
        before = scrape(mport)
        sent, full, slipped = 40, 0, 0
        wire = make_query("a1." + D, "A").to_wire()
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.settimeout(0.3)
            for _ in range(sent):  # one at a time: no loss on loopback, bounded
                s.sendto(wire, ("127.0.0.1", d.port))
                try:
                    reply = dns.message.from_wire(s.recv(4096))
                except socket.timeout:
                    continue
                if reply.flags & dns.flags.TC:
                    slipped += 1
                else:
                    full += 1
            try:  # a reply that came after its wait
                while True:
                    reply = dns.message.from_wire(s.recv(4096))
                    slipped, full = (slipped + 1, full) if reply.flags & dns.flags.TC else \
                        (slipped, full + 1)
            except socket.timeout:
                pass
        after = scrape(mport)
        dropped = sent - full - slipped
        assert full < sent and dropped > 0 and slipped > 0
        rl = "sipdns_responses_rate_limited_total"
        assert delta(after, before, rl, action="slip") == slipped
        assert delta(after, before, rl, action="drop") == dropped
        # Every query was answered by the engine first (and counted), limited afterwards.
        assert delta(after, before, "sipdns_queries_total", transport="udp", qtype="A") == sent


def test_reloads_and_serial(metrics_daemon):
    d, mport = metrics_daemon, metrics_daemon.metrics_port
    first = scrape(mport)
    serial = total(first, "sipdns_zone_serial", zone=D)
    assert total(first, "sipdns_reloads_total", result="ok") == 0
    assert total(first, "sipdns_reloads_total", result="failed") == 0

    def wait_for(result: str, count: int):
        deadline = time.monotonic() + 10
        while True:
            samples = scrape(mport)
            if total(samples, "sipdns_reloads_total", result=result) == count:
                return samples
            assert time.monotonic() < deadline, f"reloads {result} never reached {count}"
            time.sleep(0.1)

    d.site_path.write_text(site(serial_host="192.0.2.11"))  # changed content: a new serial
    d.signal(signal.SIGHUP)
    good = wait_for("ok", 1)
    assert total(good, "sipdns_reloads_total", result="failed") == 0
    new_serial = total(good, "sipdns_zone_serial", zone=D)
    assert new_serial > serial
    assert query(D, "SOA", d.port).answer[0][0].serial == new_serial

    d.site_path.write_text(BROKEN)
    d.signal(signal.SIGHUP)
    bad = wait_for("failed", 1)
    assert total(bad, "sipdns_reloads_total", result="ok") == 1
    assert total(bad, "sipdns_zone_serial", zone=D) == new_serial  # still the good one


def test_site_file_setting_is_startup_only(tmp_path):
    mport = free_port(["127.0.0.1"])
    other = free_port(["127.0.0.1"])
    path = write_site(tmp_path, "site.yaml",
                      site(server=f"server:\n  metrics:\n    listen: 127.0.0.1:{mport}\n"))
    with Daemon(path, listen=["127.0.0.1:{port}"]) as d:
        assert total(scrape(mport), "sipdns_reloads_total", result="ok") == 0
        path.write_text(site(server=f"server:\n  metrics:\n    listen: 127.0.0.1:{other}\n"))
        d.signal(signal.SIGHUP)
        deadline = time.monotonic() + 10
        while total(scrape(mport), "sipdns_reloads_total", result="ok") != 1:
            assert time.monotonic() < deadline
            time.sleep(0.1)
        assert "server.listen, threads, metrics and the tcp_* settings take effect on restart " \
            "only" in d.log_text()
        with pytest.raises(OSError):  # still on the old port only
            socket.create_connection(("127.0.0.1", other), timeout=1).close()


def test_bad_metrics_flag_is_a_usage_error(tmp_path):
    from sipdnsd_harness import run_sipdnsd
    path = write_site(tmp_path, "site.yaml", site())
    r = run_sipdnsd("--config", str(path), "--listen", "127.0.0.1:1", "--metrics", "localhost")
    assert r.returncode == 2
    assert "--metrics 'localhost': expected ADDR:PORT" in r.stderr + r.stdout


def test_only_get_metrics(metrics_daemon):
    mport = metrics_daemon.metrics_port
    assert http(mport, "/")[0] == 404
    assert http(mport, "/metrics/x")[0] == 404
    status, headers, _ = http(mport, "/metrics", method="POST")
    assert status == 405 and headers["Allow"] == "GET, HEAD"
    assert http(mport, "/metrics", method="DELETE")[0] == 405
    status, headers, body = http(mport, "/metrics", method="HEAD")
    assert status == 200 and body == "" and int(headers["Content-Length"]) > 0
    assert http(mport, "/metrics?name[]=x")[0] == 200


def test_survives_silent_and_garbage_clients(metrics_daemon):
    mport = metrics_daemon.metrics_port
    silent = socket.create_connection(("127.0.0.1", mport), timeout=10)
    try:
        # While it waits for a request that never comes, others are served.
        assert scrape(mport)
        with socket.create_connection(("127.0.0.1", mport), timeout=5) as g:
            g.sendall(b"\x16\x03\x01\x00\xa5 not http at all\r\n\r\n")
            reply = g.recv(4096)
            assert reply.startswith(b"HTTP/1.1 400 ")
        assert scrape(mport)
        # The silent client is dropped after the request timeout (5 s).
        start = time.monotonic()
        assert silent.recv(1) == b""
        assert time.monotonic() - start < 8
    finally:
        silent.close()
    assert scrape(mport)
