# SPDX-FileCopyrightText: 2026 The sipdns authors
# SPDX-License-Identifier: BSD-3-Clause
"""dnstap (issue 15, docs/design.md §11): `server.dnstap` of the real daemon, written to a file
and to Debian's `fstrm_capture` on a unix socket, decoded by Debian's `dnstap-ldns`: one
AUTH_QUERY and one AUTH_RESPONSE per query sent by dig, kdig and dnspython, with the right
transport, client address, question and response; a collector that is not there at start does
not stop the daemon."""

from __future__ import annotations

import re
import shutil
import subprocess
import time

import pytest

from sipdnsd_harness import LOOPBACK6, Daemon, query, write_site

D = "tap.example.test"
SITE = f"""domain: {D}
servers:
  - {{ name: ns1, ipv4: 192.0.2.1 }}
sip:
  transports: [udp, tcp]
hosts:
  gw: 192.0.2.10
"""

pytestmark = pytest.mark.skipif(
    not (shutil.which("dnstap-ldns") and shutil.which("fstrm_capture")),
    reason="dnstap-ldns and fstrm_capture are not installed (scripts/install-deps.sh)")

# dnstap-ldns -q: "2026-12-03 09:19:30.695826 AQ 127.0.0.1 UDP 65b "name." IN SRV"
FRAME = re.compile(r'^\S+ \S+ (?P<kind>[A-Z]{2}) (?P<client>\S+) (?P<proto>UDP|TCP) '
                   r'(?P<size>\d+)b "(?P<name>[^"]*)" IN (?P<type>\S+)$')


def decode(path) -> list[dict]:
    r = subprocess.run(["dnstap-ldns", "-q", "-r", str(path)], capture_output=True, text=True,
                       timeout=30)
    assert r.returncode == 0, r.stderr
    frames = []
    for line in r.stdout.splitlines():
        m = FRAME.match(line)
        assert m, f"not a dnstap-ldns line: {line!r}"
        frames.append(m.groupdict())
    return frames


def send_queries(port: int) -> list[tuple[str, str, str, str]]:
    """(client, proto, name, type) of each query, in order."""
    subprocess.run(["dig", "+short", "@127.0.0.1", "-p", str(port), f"_sip._udp.{D}", "SRV"],
                   check=True, capture_output=True, timeout=20)
    subprocess.run(["kdig", "+short", "+tcp", "@127.0.0.1", "-p", str(port), f"gw.{D}", "A"],
                   check=True, capture_output=True, timeout=20)
    query(f"nothing.{D}", "AAAA", port, addr=LOOPBACK6)
    return [("127.0.0.1", "UDP", f"_sip._udp.{D}.", "SRV"), ("127.0.0.1", "TCP", f"gw.{D}.", "A"),
            ("::1", "UDP", f"nothing.{D}.", "AAAA")]


def check_frames(frames: list[dict], sent, maybe_earlier=()) -> None:
    """A query/response pair per query sent, besides the readiness probe's SOA queries and, for
    the queries in `maybe_earlier`, a pair or nothing. Each worker has its own ring and the
    writer drains them in turn (docs/design.md §11), so the pairs of queries answered by
    different workers may come in either order; within a pair the query comes first."""
    frames = [f for f in frames if f["type"] != "SOA"]

    def of(q):
        return [f for f in frames if (f["client"], f["proto"], f["name"], f["type"]) == q]

    for q in maybe_earlier:
        mine = of(q)
        assert [f["kind"] for f in mine] in ([], ["AQ", "AR"]), mine
        frames = [f for f in frames if all(f is not m for m in mine)]
    assert sorted((f["kind"], f["client"], f["proto"], f["name"], f["type"]) for f in frames) == \
        sorted((kind, *q) for q in sent for kind in ("AQ", "AR")), frames
    for q in sent:
        pair = of(q)
        assert [f["kind"] for f in pair] == ["AQ", "AR"], pair
        assert int(pair[1]["size"]) > int(pair[0]["size"]) > 12


def test_dnstap_file(tmp_path):
    tap = tmp_path / "dnstap.fstrm"
    path = write_site(tmp_path, "site.yaml", SITE + f"server:\n  dnstap: {{ file: {tap} }}\n")
    d = Daemon(path).start()
    try:
        assert f"query log: dnstap file {tap}" in d.log_text()
        sent = send_queries(d.port)
        time.sleep(0.3)
    finally:
        assert d.stop() == 0
    check_frames(decode(tap), sent)


def test_dnstap_socket_to_fstrm_capture_started_later(tmp_path, socket_dir):
    sock = socket_dir / "dnstap.sock"
    captured = tmp_path / "captured.fstrm"
    path = write_site(tmp_path, "site.yaml", SITE + f"server:\n  dnstap: {{ socket: {sock} }}\n")
    # No collector yet: the daemon starts and serves all the same.
    d = Daemon(path).start()
    capture = None
    try:
        assert query(f"gw.{D}", "A", d.port).answer
        capture = subprocess.Popen(["fstrm_capture", "-t", "protobuf:dnstap.Dnstap", "-u",
                                    str(sock), "-w", str(captured)],
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 10
        while not sock.exists():
            assert time.monotonic() < deadline and capture.poll() is None, "no fstrm_capture"
            time.sleep(0.05)
        # libfstrm reconnects once a second: wait until a query reaches the collector.
        deadline = time.monotonic() + 10
        while True:
            query(D, "SOA", d.port)
            time.sleep(0.3)
            if captured.exists() and captured.stat().st_size > 100:
                break
            assert time.monotonic() < deadline, d.log_text()
        sent = send_queries(d.port)
        time.sleep(0.5)
    finally:
        assert d.stop() == 0
        if capture is not None:
            capture.terminate()  # fstrm_capture finishes its file on SIGTERM
            capture.wait(timeout=10)
    # The first gw query was sent before any collector listened: libfstrm may have kept it in
    # its queue until it connected, or not.
    check_frames(decode(captured), sent, maybe_earlier=[("127.0.0.1", "UDP", f"gw.{D}.", "A")])
