# SPDX-FileCopyrightText: 2026 The sipdns authors
# SPDX-License-Identifier: BSD-3-Clause
"""The live query log (issue 15, docs/design.md §11): `sipdnsd watch` and `server.query_log`
against the real daemon on loopback, queried by dig, kdig and dnspython.

Shown here: watch prints exactly the queries sent, one line each in the documented format
(client#port, transport, question as asked, rcode, flags, counts, size, location view); the
--client/--name/--type filters; two watchers at once; a watcher that stops reading loses lines
(and is told how many) while every query is still answered; the file log has the same lines
and survives a logrotate-style rename + SIGHUP (and `sipdnsd reload`); a bad filter is a usage
error (exit 2) and the daemon refuses it on the socket too; watch ends (exit 1) when the daemon
stops; bad `query_log:`/`dnstap:` values are file:line:col errors."""

from __future__ import annotations

import os
import pathlib
import queue
import re
import shutil
import signal
import socket
import subprocess
import threading
import time

import dns.message
import dns.query
import pytest

from sipdnsd_harness import (LOOPBACK4, LOOPBACK6, SIPDNSD, Daemon, make_query, query,
                             raw_udp, run_sipdnsd, write_site)

D = "watch.example.test"

SITE = f"""domain: {D}
servers:
  - {{ name: ns1, ipv4: 192.0.2.1 }}
  - {{ name: ns2, ipv4: 192.0.2.2 }}
sip:
  transports: [udp, tcp]
hosts:
  gw: 192.0.2.10
"""

# One query's line: time client#port transport question type rcode flags counts size [...]
LINE = re.compile(
    r"^(?P<time>\d\d:\d\d:\d\d\.\d{3}) (?P<client>\S+)#(?P<port>\d+) (?P<transport>udp|tcp) "
    r"(?P<name>\S+) (?P<type>\S+) (?P<rcode>[A-Z]+) (?P<flags>-|(?:aa|tc|ra|ad)(?: (?:aa|tc|ra|ad))*) "
    r"(?P<an>\d+)/(?P<ns>\d+)/(?P<ar>\d+) (?P<size>\d+)B(?P<rest>.*)$")


class Watcher:
    """`sipdnsd watch ARGS --control PATH` as a process; its lines collected as they come."""

    def __init__(self, control: str, *args: str):
        self.proc = subprocess.Popen([SIPDNSD, "watch", *args, "--control", control],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.lines: "queue.Queue[str]" = queue.Queue()
        self.notices: "queue.Queue[str]" = queue.Queue()
        threading.Thread(target=self._pump, args=(self.proc.stdout, self.lines), daemon=True).start()
        threading.Thread(target=self._pump, args=(self.proc.stderr, self.notices), daemon=True).start()
        # The daemon's first line says the subscription is on: every later query is seen.
        first = self.notices.get(timeout=10)
        assert "Ctrl-C to stop" in first, first
        self.first_notice = first

    @staticmethod
    def _pump(stream, into):
        for line in stream:
            into.put(line.rstrip("\n"))

    def take(self, count: int, timeout: float = 10) -> list[str]:
        out = []
        deadline = time.monotonic() + timeout
        while len(out) < count:
            left = deadline - time.monotonic()
            assert left > 0, f"only {len(out)} of {count} lines: {out}"
            try:
                out.append(self.lines.get(timeout=left))
            except queue.Empty:
                pass
        return out

    def nothing_more(self, wait: float = 0.5) -> list[str]:
        time.sleep(wait)
        extra = []
        while not self.lines.empty():
            extra.append(self.lines.get())
        return extra

    def stop(self) -> int:
        # Ctrl-C as a terminal sends it.
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
        try:
            return self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise


@pytest.fixture
def watchers():
    started = []

    def start(control, *args):
        w = Watcher(control, *args)
        started.append(w)
        return w
    yield start
    for w in started:
        w.stop()


def parse(line: str) -> dict:
    m = LINE.match(line)
    assert m, f"not a query line: {line!r}"
    return m.groupdict()


def run_tool(*argv: str) -> str:
    assert shutil.which(argv[0]), f"{argv[0]} is not installed (scripts/install-deps.sh)"
    r = subprocess.run(list(argv), capture_output=True, text=True, timeout=20)
    assert r.returncode == 0, r.stdout + r.stderr
    return r.stdout


def test_watch_shows_each_query_as_answered(tmp_path, watchers):
    path = write_site(tmp_path, "site.yaml", SITE)
    with Daemon(path) as d:
        w = watchers(d.control)
        assert w.first_notice == "watching all queries; Ctrl-C to stop"
        # dig over UDP, kdig over TCP, dnspython over IPv6, a name outside our zones, NXDOMAIN,
        # a mixed-case question, and a malformed datagram (dropped: nothing is sent).
        run_tool("dig", "@127.0.0.1", "-p", str(d.port), f"_sip._udp.{D}", "SRV", "+short")
        run_tool("kdig", "@127.0.0.1", "-p", str(d.port), "+tcp", f"gw.{D}", "A", "+short")
        # The sizes the line shows are the datagrams' as sent (dnspython would re-encode them).
        r6 = raw_udp(make_query(f"ns1.{D}", "AAAA").to_wire(), d.port, LOOPBACK6)
        nx = raw_udp(make_query(f"nothing.{D}", "A").to_wire(), d.port)
        refused = raw_udp(make_query("example.org", "A").to_wire(), d.port)
        mixed = query(f"GW.Watch.{D.split('.', 1)[1].upper()}", "A", d.port)
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.sendto(b"\x12\x34\x81\x00" + b"\x00" * 8, (LOOPBACK4, d.port))  # QR=1: dropped

        lines = [parse(l) for l in w.take(6)]
        srv, a_tcp, aaaa, nxd, ref, mix = lines
        assert (srv["client"], srv["transport"], srv["name"], srv["type"], srv["rcode"]) == \
            ("127.0.0.1", "udp", f"_sip._udp.{D}", "SRV", "NOERROR")
        assert "aa" in srv["flags"].split() and int(srv["an"]) == 2  # two servers
        assert (a_tcp["transport"], a_tcp["name"], a_tcp["type"], a_tcp["an"]) == \
            ("tcp", f"gw.{D}", "A", "1")
        assert (aaaa["client"], aaaa["name"], aaaa["type"], aaaa["rcode"], aaaa["an"]) == \
            ("::1", f"ns1.{D}", "AAAA", "NOERROR", "0")
        assert int(aaaa["size"]) == len(r6)
        assert (nxd["rcode"], nxd["an"], nxd["ns"]) == ("NXDOMAIN", "0", "1")
        assert int(nxd["size"]) == len(nx)
        assert (ref["name"], ref["rcode"], ref["flags"]) == ("example.org", "REFUSED", "-")
        assert int(ref["size"]) == len(refused)
        assert mix["name"] == f"GW.Watch.{D.split('.', 1)[1].upper()}"  # as asked
        assert mixed.answer
        # The sources' ports are the clients' (each tool used its own socket).
        assert all(0 < int(l["port"]) < 65536 for l in lines[:6])
        last = w.take(1)[0]
        assert re.match(r"^\d\d:\d\d:\d\d\.\d{3} 127\.0\.0\.1#\d+ udp \(malformed, 12B\) dropped$",
                        last), last
        assert w.nothing_more() == []
        assert w.stop() in (130, -signal.SIGINT, 0)


def wakeups_while_idle(pid: int, seconds: float = 3) -> int:
    """Voluntary context switches (each one a wake-up) of all the process's threads while
    nothing is sent to it for `seconds`."""
    def wakeups() -> int:
        total = 0
        for task in pathlib.Path(f"/proc/{pid}/task").iterdir():
            for line in (task / "status").read_text().splitlines():
                if line.startswith("voluntary_ctxt_switches:"):
                    total += int(line.split()[1])
        return total
    before = wakeups()
    time.sleep(seconds)
    return wakeups() - before


def test_idle_daemon_sleeps_until_someone_watches(tmp_path, watchers):
    # With nothing to log the logger thread waits for a watcher instead of polling the rings
    # every 20 ms (it woke ~50 times a second on an idle host before): 3 s of idleness, before
    # and after a watcher came and went, cost a handful of wake-ups, not ~150.
    path = write_site(tmp_path, "site.yaml", SITE)
    with Daemon(path) as d:
        time.sleep(0.5)  # start-up done
        idle = wakeups_while_idle(d.pid)
        assert idle <= 10, f"an idle daemon woke {idle} times in 3 s"
        # A watcher wakes the sleeping logger: its first query is shown at once.
        w = watchers(d.control)
        run_tool("dig", "@127.0.0.1", "-p", str(d.port), f"gw.{D}", "A", "+short")
        assert parse(w.take(1, timeout=5)[0])["name"] == f"gw.{D}"
        assert w.stop() in (130, -signal.SIGINT, 0)
        time.sleep(0.5)  # the logger notices the watcher is gone
        idle = wakeups_while_idle(d.pid)
        assert idle <= 10, f"after its watcher left, the daemon woke {idle} times in 3 s"


def test_filters_and_two_watchers(tmp_path, watchers):
    path = write_site(tmp_path, "site.yaml", SITE)
    with Daemon(path) as d:
        all_ = watchers(d.control)
        srv_only = watchers(d.control, "--type", "srv")
        v6_only = watchers(d.control, "--client", "::1")
        gw_only = watchers(d.control, "--name", f"GW.{D}.")
        zone_v4 = watchers(d.control, "--client", "127.0.0.0/8", "--name", D)
        assert srv_only.first_notice == "watching queries of type SRV; Ctrl-C to stop"
        sent = [
            (f"_sip._udp.{D}", "SRV", LOOPBACK4),
            (f"_sip._tcp.{D}", "SRV", LOOPBACK6),
            (f"gw.{D}", "A", LOOPBACK6),
            (f"x.gw.{D}", "A", LOOPBACK4),   # below gw: --name matches
            (f"xgw.{D}", "A", LOOPBACK4),    # not label-wise below gw
            ("example.org", "SRV", LOOPBACK4),
        ]
        for name, qtype, addr in sent:
            query(name, qtype, d.port, addr=addr)
        got_all = [parse(l) for l in all_.take(len(sent))]
        assert [(l["name"], l["type"]) for l in got_all] == [(n, t) for n, t, _ in sent]
        assert [parse(l)["name"] for l in srv_only.take(3)] == \
            [f"_sip._udp.{D}", f"_sip._tcp.{D}", "example.org"]
        assert [parse(l)["name"] for l in v6_only.take(2)] == [f"_sip._tcp.{D}", f"gw.{D}"]
        assert [parse(l)["name"] for l in gw_only.take(2)] == [f"gw.{D}", f"x.gw.{D}"]
        assert [parse(l)["name"] for l in zone_v4.take(3)] == \
            [f"_sip._udp.{D}", f"x.gw.{D}", f"xgw.{D}"]
        for w in (all_, srv_only, v6_only, gw_only, zone_v4):
            assert w.nothing_more(0.3) == []


def test_location_view_is_shown(tmp_path, watchers):
    # Clients in 127.0.0.0/29 are in dc1, 127.0.0.8/29 in dc2; 127.0.0.1 (the harness) in dc1.
    site = f"""domain: {D}
servers:
  - {{ name: ns1, ipv4: 192.0.2.1 }}
locations:
  dc1: [127.0.0.0/29]
  dc2: [127.0.0.8/29]
clusters:
  - name: spx
    port: 5060
    transports: [udp]
    priorities: {{ local: 10, remote: 200 }}
    default: dc1
    members:
      dc1: [ {{ name: dc1-spx1, ipv4: 192.0.2.121 }} ]
      dc2: [ {{ name: dc2-spx1, ipv4: 192.0.2.221 }} ]
"""
    path = write_site(tmp_path, "site.yaml", site)
    with Daemon(path) as d:
        w = watchers(d.control)
        for source in ("127.0.0.2", "127.0.0.9", "127.0.0.20"):
            q = make_query(f"_sip._udp.spx.{D}", "SRV")
            dns.query.udp(q, LOOPBACK4, port=d.port, source=source, timeout=5)
        lines = [parse(l) for l in w.take(3)]
        assert [(l["client"], l["rest"]) for l in lines] == \
            [("127.0.0.2", " dc1"), ("127.0.0.9", " dc2"), ("127.0.0.20", "")]


def test_slow_watcher_loses_lines_and_is_told(tmp_path):
    """A watcher that stops reading: its queue fills, lines are dropped and counted, and every
    query is still answered (the workers never wait for it)."""
    # Rate limiting off: one client asks the same name 20,000 times.
    path = write_site(tmp_path, "site.yaml",
                      SITE + "server:\n  rate_limit: { responses_per_second: 0 }\n")
    with Daemon(path) as d:
        stalled = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        stalled.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        stalled.connect(d.control)
        stalled.sendall(b"watch\n")
        stalled.settimeout(5)
        assert stalled.recv(64).startswith(b"2 watching all queries")
        # More lines than the watch's 1 MiB queue and the socket buffers hold: ~100 bytes each.
        wire = make_query(f"_sip._udp.{D}", "SRV").to_wire()
        answered = 0
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.settimeout(2)
            for batch in range(400):  # 50 in flight at a time: within the socket buffers
                for _ in range(50):
                    s.sendto(wire, (LOOPBACK4, d.port))
                for _ in range(50):
                    try:
                        s.recv(2048)
                        answered += 1
                    except socket.timeout:
                        break
        assert answered == 20000, f"{answered} of 20000 answered while a watcher stalled"
        # Now read: the lines it got, then a notice of how many it lost.
        stalled.settimeout(3)
        data = b""
        while b" lost: this watcher did not read fast enough --" not in data:
            chunk = stalled.recv(1 << 20)
            assert chunk, "the daemon closed the stalled watch"
            data += chunk
        m = re.search(rb"^2 -- (\d+) lines? lost: this watcher did not read fast enough --$",
                      data, re.M)
        assert m and int(m.group(1)) > 0, data[-500:]
        stalled.close()
        # The daemon is fine, and forgets the watcher.
        assert query(f"gw.{D}", "A", d.port).answer
        deadline = time.monotonic() + 5
        while "watch ended" not in d.log_text():
            assert time.monotonic() < deadline, d.log_text()
            time.sleep(0.05)


def test_query_log_file_and_logrotate(tmp_path, watchers):
    log = tmp_path / "queries.log"
    path = write_site(tmp_path, "site.yaml", SITE + f"server:\n  query_log: {{ file: {log} }}\n")
    with Daemon(path) as d:
        assert f"query log: file {log}" in d.log_text()
        w = watchers(d.control, "--name", D)
        query(f"gw.{D}", "A", d.port)
        query(f"ns1.{D}", "A", d.port, tcp=True)
        watched = w.take(2)

        def file_lines(p: pathlib.Path, count: int) -> list[str]:
            deadline = time.monotonic() + 5
            while True:
                lines = p.read_text().splitlines() if p.exists() else []
                if len(lines) >= count:
                    return lines
                assert time.monotonic() < deadline, lines
                time.sleep(0.05)

        # The readiness probe's SOA queries (one or more: the harness asks until it is answered)
        # are in the file too, before the watched two, which the file gets last.
        deadline = time.monotonic() + 5
        while (logged := file_lines(log, 3))[-2:] != watched:
            assert time.monotonic() < deadline, (logged, watched)
            time.sleep(0.05)
        assert {parse(line)["type"] for line in logged[:-2]} == {"SOA"}

        # logrotate: rename, then SIGHUP; the daemon continues in a new file at the same path.
        os.rename(log, tmp_path / "queries.log.1")
        query(f"gw.{D}", "MX", d.port)  # still written to the renamed file (it is open)
        before_rotation = len(logged) + 1
        assert parse(file_lines(tmp_path / "queries.log.1", before_rotation)[-1])["type"] == "MX"
        d.signal(signal.SIGHUP)
        deadline = time.monotonic() + 5
        while not log.exists():
            assert time.monotonic() < deadline, d.log_text()
            time.sleep(0.05)
        query(f"gw.{D}", "TXT", d.port)
        assert [parse(l)["type"] for l in file_lines(log, 1)] == ["TXT"]
        assert len((tmp_path / "queries.log.1").read_text().splitlines()) == before_rotation

        # `sipdnsd reload` (the unit's ExecReload, what logrotate's postrotate may run) too.
        os.rename(log, tmp_path / "queries.log.2")
        r = run_sipdnsd("reload", "--control", d.control)
        assert r.returncode == 0, r.stderr
        query(f"gw.{D}", "NS", d.port)
        assert [parse(l)["type"] for l in file_lines(log, 1)] == ["NS"]


def test_unwritable_query_log_warns_and_serves(tmp_path):
    path = write_site(tmp_path, "site.yaml",
                      SITE + f"server:\n  query_log: {{ file: {tmp_path}/missing/dir/q.log }}\n")
    with Daemon(path) as d:
        assert query(f"gw.{D}", "A", d.port).answer
        assert re.search(r"warning: query log \S+/missing/dir/q\.log: No such file or directory; "
                         r"serving without it", d.log_text()), d.log_text()


def test_watch_usage_errors_and_refusals(tmp_path, socket_dir):
    for args, message in [
        (["--client", "192.0.2.300"], "--client '192.0.2.300': expected an IP address or prefix"),
        (["--client", "10.0.0.0/33"], "--client '10.0.0.0/33': expected an IP address or prefix"),
        (["--type", "SRVV"], "--type 'SRVV': expected a record type"),
        (["--name", "a..b"], "--name 'a..b': expected a domain name"),
        (["--type", "A", "--type", "SRV"], "--type is given twice"),
        (["example.com"], "watch takes no argument"),
    ]:
        r = run_sipdnsd("watch", *args, "--control", str(socket_dir / "c"))
        assert r.returncode == 2 and r.stdout == "", (args, r.stdout, r.stderr)
        assert message in r.stderr.splitlines()[0], (args, r.stderr)
    r = run_sipdnsd("watch", "--control", str(socket_dir / "none"))
    assert r.returncode == 1 and "no control socket at" in r.stderr

    path = write_site(tmp_path, "site.yaml", SITE)
    with Daemon(path) as d:
        # The daemon checks what it is sent, whoever sends it.
        for request, message in [(b"watch type=BOGUS\n", b"error --type 'BOGUS'"),
                                 (b"watch colour=red\n", b"error watch: 'colour=red' is not")]:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
                s.settimeout(5)
                s.connect(d.control)
                s.sendall(request)
                reply = b""
                while not reply.endswith(b"\n"):
                    chunk = s.recv(4096)
                    if not chunk:
                        break
                    reply += chunk
                assert reply.startswith(message), reply

        # The daemon stops: the watch says so and exits 1.
        w = subprocess.Popen([SIPDNSD, "watch", "--control", d.control], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 5
        while "watch started" not in d.log_text():
            assert time.monotonic() < deadline, d.log_text()
            time.sleep(0.05)
        d.stop()
        out, err = w.communicate(timeout=10)
        assert w.returncode == 1, (out, err)
        assert "ended the watch (it stopped or restarted)" in err, err


@pytest.mark.parametrize("server_yaml, message", [
    ("  query_log: syslog\n", "server.query_log: expected `journal` or a mapping { file: PATH }"),
    ("  query_log: { file: queries.log }\n", "server.query_log.file: expected an absolute file path"),
    ("  query_log: { path: /tmp/q.log }\n", "unknown key"),
    ("  dnstap: /run/dnstap.sock\n", "server.dnstap: expected a mapping with one of { socket: PATH } or { file: PATH }"),
    ("  dnstap: { socket: /a, file: /b }\n", "server.dnstap: expected a mapping with one of"),
    ("  dnstap: { socket: relative.sock }\n", "server.dnstap.socket: expected an absolute unix socket path"),
    ("  dnstap: { socket: /" + "s" * 120 + " }\n", "a unix socket path has at most 107 bytes"),
])
def test_bad_query_log_and_dnstap_settings(tmp_path, server_yaml, message):
    path = write_site(tmp_path, "site.yaml", SITE + "server:\n" + server_yaml)
    r = run_sipdnsd("check", str(path))
    assert r.returncode == 1, r.stdout
    line = next((l for l in r.stderr.splitlines() if message in l), None)
    assert line and re.match(rf"^{re.escape(str(path))}:\d+:\d+: ", line), r.stderr
