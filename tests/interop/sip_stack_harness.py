# SPDX-FileCopyrightText: 2026 The sipdns authors
# SPDX-License-Identifier: BSD-3-Clause
"""A real RFC 3263 SIP stack against sipdnsd: baresip (Debian's baresip-core, on libre) resolves
`sip:bob@scsnetwork.local` with its own DNS client pointed at sipdnsd on loopback and sends an
OPTIONS request; Python listeners on loopback addresses stand in for the call servers.

Pieces (all on loopback, every wait bounded, processes stopped by PID):
- sipdnsd serving a test site whose servers scs1/scs2 have loopback addresses (127.0.0.x) and
  whose proxy_port is a free, non-default port, so reaching a listener on that port proves the
  port came from the SRV records (an A-record fallback would go to 5060);
- DnsRelay: a UDP relay between baresip and sipdnsd that forwards the bytes unchanged and
  records every question, so the test can tell baresip started with the NAPTR query (RFC 3263
  §4.1) and asked nothing outside the zone;
- SipServer: stand-in for one call server, UDP and TCP on (address, port); records each request
  and answers 200 OK (or 503 when told to), or is simply absent ("listener gone");
- Baresip: `baresip -f DIR -e "/options URI" -t LIMIT` with a config of its own (dns_server,
  sip_listen and net_interface on 127.0.0.1, no media modules; `menu` runs the /options
  command and prints the outcome).

Why baresip: libre's SIP client implements RFC 3263 itself (NAPTR -> SRV -> A, SRV records and
addresses taken from the additional section, next SRV target on a transport error, a timeout or
a 503) and its resolver takes a server *and port* (`dns_server 127.0.0.1:PORT`), so neither a
network namespace nor /etc/resolv.conf is involved. libre's transaction timers are fixed: a
request to a UDP target that never answers fails over after Timer F = 64*T1 = 32 s.
"""

from __future__ import annotations

import os
import pathlib
import re
import select
import shutil
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import Optional

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "integration"))

import dns.exception  # noqa: E402
import dns.flags  # noqa: E402
import dns.message  # noqa: E402
import dns.rcode  # noqa: E402
import dns.rdatatype  # noqa: E402

from sipdnsd_harness import LOOPBACK4, Daemon, free_port, stop_process, write_site  # noqa: E402

DOMAIN = "scsnetwork.local"
BARESIP = shutil.which("baresip") or "/usr/bin/baresip"
BARESIP_MODULES = "/usr/lib/baresip/modules"
STOP_TIMEOUT = 5.0
POLL = 0.05


def _loopback(addr: str) -> str:
    assert addr.startswith("127."), f"refusing to use {addr}: tests stay on loopback"
    return addr


def site_text(servers: list[tuple[str, str]], transports: list[str], proxy_port: int,
              redirect_port: int) -> str:
    """An SCS HA site like packaging/examples/scs-ha.yaml, servers on loopback addresses."""
    lines = [f"domain: {DOMAIN}", "ttl: 60", "servers:"]
    for name, addr in servers:
        lines.append(f"  - {{ name: {name}, ipv4: {_loopback(addr)} }}")
    lines += ["sip:",
              f"  transports: [{', '.join(transports)}]",
              f"  proxy_port: {proxy_port}",
              f"  redirect_port: {redirect_port}",
              "  naptr: true",
              "reverse: off", ""]
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# DNS relay (records the questions)


@dataclass
class Question:
    t: float
    qname: str
    qtype: str


class DnsRelay:
    """127.0.0.1:port (UDP) -> sipdnsd on 127.0.0.1:upstream; bytes forwarded unchanged."""

    def __init__(self, upstream: int):
        self.upstream = upstream
        self.port = 0
        self.questions: list[Question] = []
        self.answers: list[str] = []     # short summaries, for failure messages
        self.errors: list[str] = []
        self._stop = threading.Event()
        self._thread: Optional[threading.Thread] = None
        self._lock = threading.Lock()

    def start(self) -> "DnsRelay":
        self.front = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.front.bind((LOOPBACK4, 0))
        self.port = self.front.getsockname()[1]
        self.back = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.back.connect((LOOPBACK4, self.upstream))
        self._thread = threading.Thread(target=self._run, name="dns-relay", daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        pending: dict[int, tuple] = {}   # DNS id -> client address
        while not self._stop.is_set():
            r, _, _ = select.select([self.front, self.back], [], [], 0.1)
            for s in r:
                try:
                    data, peer = s.recvfrom(65535)
                except OSError as e:   # e.g. ECONNREFUSED from a stopped sipdnsd
                    self.errors.append(f"{s is self.back and 'upstream' or 'client'}: {e}")
                    continue
                if len(data) < 12:
                    continue
                qid = int.from_bytes(data[:2], "big")
                if s is self.front:
                    self._record_question(data)
                    pending[qid] = peer
                    self.back.send(data)
                elif qid in pending:
                    self._record_answer(data)
                    self.front.sendto(data, pending.pop(qid))

    def _record_question(self, data: bytes) -> None:
        try:
            q = dns.message.from_wire(data).question[0]
            item = Question(time.monotonic(), q.name.to_text().lower(),
                            dns.rdatatype.to_text(q.rdtype))
        except (dns.exception.DNSException, IndexError) as e:
            item = Question(time.monotonic(), f"<unparsed: {e}>", "?")
        with self._lock:
            self.questions.append(item)

    def _record_answer(self, data: bytes) -> None:
        try:
            m = dns.message.from_wire(data)
            s = (f"{m.question[0].name} {dns.rdatatype.to_text(m.question[0].rdtype)}: "
                 f"{dns.rcode.to_text(m.rcode())} flags={dns.flags.to_text(m.flags)} "
                 f"an={sum(len(r) for r in m.answer)} ad={sum(len(r) for r in m.additional)}")
        except Exception as e:  # noqa: BLE001 - only a summary for messages
            s = f"<unparsed answer: {e}>"
        with self._lock:
            self.answers.append(s)

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=STOP_TIMEOUT)
        self.front.close()
        self.back.close()


# ---------------------------------------------------------------------------------------------
# Stand-in call servers


@dataclass
class Hit:
    t: float            # time.monotonic() at arrival
    server: str         # scs1 / scs2
    transport: str      # udp / tcp
    addr: str           # the listener's address and port
    port: int
    method: str
    uri: str
    via: str


def _parse_request(head: bytes) -> tuple[str, str, dict[str, list[str]]]:
    text = head.decode("utf-8", "replace")
    lines = text.split("\r\n")
    parts = lines[0].split(" ")
    method, uri = (parts[0], parts[1]) if len(parts) >= 3 else ("?", "?")
    compact = {"v": "via", "f": "from", "t": "to", "i": "call-id", "l": "content-length"}
    headers: dict[str, list[str]] = {}
    for line in lines[1:]:
        if ":" not in line:
            continue
        name, value = line.split(":", 1)
        name = name.strip().lower()
        headers.setdefault(compact.get(name, name), []).append(value.strip())
    return method, uri, headers


def _response(code: int, headers: dict[str, list[str]], server: str) -> bytes:
    reason = {200: "OK", 503: "Service Unavailable"}.get(code, "Whatever")
    out = [f"SIP/2.0 {code} {reason}"]
    out += [f"Via: {v}" for v in headers.get("via", [])]
    out += [f"From: {v}" for v in headers.get("from", [])[:1]]
    for v in headers.get("to", [])[:1]:
        out.append(f"To: {v}" if ";tag=" in v else f"To: {v};tag={server}-stand-in")
    out += [f"Call-ID: {v}" for v in headers.get("call-id", [])[:1]]
    out += [f"CSeq: {v}" for v in headers.get("cseq", [])[:1]]
    out += [f"Server: sipdns-test {server}", "Content-Length: 0", "", ""]
    return "\r\n".join(out).encode()


class SipServer:
    """One call server stand-in: UDP and TCP on (addr, port); answers every request with
    `reply` (200 or 503) and records it in `hits` (shared between the servers of a scenario)."""

    def __init__(self, name: str, addr: str, port: int, hits: list[Hit], reply: int = 200):
        self.name = name
        self.addr = _loopback(addr)
        self.port = port
        self.reply = reply
        self.hits = hits
        self._stop = threading.Event()
        self._thread: Optional[threading.Thread] = None
        self._conns: dict[socket.socket, bytes] = {}

    def start(self) -> "SipServer":
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.udp.bind((self.addr, self.port))
        self.tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.tcp.bind((self.addr, self.port))
        self.tcp.listen(8)
        self._thread = threading.Thread(target=self._run, name=f"sip-{self.name}", daemon=True)
        self._thread.start()
        return self

    def _record(self, transport: str, head: bytes) -> dict[str, list[str]]:
        method, uri, headers = _parse_request(head)
        self.hits.append(Hit(time.monotonic(), self.name, transport, self.addr, self.port,
                             method, uri, (headers.get("via") or [""])[0]))
        return headers

    def _run(self) -> None:
        while not self._stop.is_set():
            socks = [self.udp, self.tcp, *self._conns]
            r, _, _ = select.select(socks, [], [], 0.1)
            for s in r:
                try:
                    if s is self.udp:
                        data, peer = s.recvfrom(65535)
                        head = data.split(b"\r\n\r\n", 1)[0]
                        if head.startswith(b"SIP/2.0"):
                            continue  # a response (none expected)
                        headers = self._record("udp", head)
                        s.sendto(_response(self.reply, headers, self.name), peer)
                    elif s is self.tcp:
                        conn, _ = s.accept()
                        self._conns[conn] = b""
                    else:
                        self._read_tcp(s)
                except OSError:
                    if s in self._conns:
                        self._close(s)

    def _read_tcp(self, conn: socket.socket) -> None:
        data = conn.recv(65535)
        if not data:
            self._close(conn)
            return
        buf = self._conns[conn] + data
        for _ in range(16):  # bounded: at most a few messages per read
            if b"\r\n\r\n" not in buf:
                break
            head, rest = buf.split(b"\r\n\r\n", 1)
            if not head.strip():   # CRLF keep-alives
                buf = rest
                continue
            _, _, headers = _parse_request(head)
            length = int((headers.get("content-length") or ["0"])[0] or 0)
            if len(rest) < length:
                break
            buf = rest[length:]
            if head.startswith(b"SIP/2.0"):
                continue
            headers = self._record("tcp", head)
            conn.sendall(_response(self.reply, headers, self.name))
        self._conns[conn] = buf

    def _close(self, conn: socket.socket) -> None:
        self._conns.pop(conn, None)
        conn.close()

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=STOP_TIMEOUT)
        for c in list(self._conns):
            self._close(c)
        self.udp.close()
        self.tcp.close()


# ---------------------------------------------------------------------------------------------
# baresip


class Baresip:
    """baresip with its own config directory: sends `OPTIONS uri` once, then idles until
    `limit` seconds have passed (-t) or it is stopped (SIGTERM by PID)."""

    OK = re.compile(r"----- OPTIONS of (\S+) -----")
    FAILED = re.compile(r"OPTIONS failed: (\d+) ([^\r\n]*)|options reply error: ([^\r\n]*)")

    def __init__(self, workdir: pathlib.Path, dns_port: int, uri: str, limit: int):
        self.workdir = pathlib.Path(workdir)
        self.dns_port = dns_port
        self.uri = uri
        self.limit = limit
        self.proc: Optional[subprocess.Popen] = None
        self._log = None
        self.log_path = self.workdir / "baresip.log"
        self.sip_port = 0
        self.t_start = 0.0

    def start(self) -> "Baresip":
        assert os.access(BARESIP, os.X_OK), \
            "baresip is not installed (scripts/install-deps.sh installs baresip-core)"
        assert pathlib.Path(BARESIP_MODULES, "menu.so").is_file(), \
            f"{BARESIP_MODULES}/menu.so is missing (package baresip-core)"
        self.workdir.mkdir(parents=True, exist_ok=True)
        # Accounts: an identity only (regint=0: no REGISTER, the OPTIONS is the only request).
        (self.workdir / "accounts").write_text(f"<sip:alice@{DOMAIN}>;regint=0\n")
        last = ""
        for _attempt in range(10):  # sip_listen port (or port + 1) taken: pick another
            # UDP+TCP on the port, TLS on port+1 (libre adds it there).
            self.sip_port = free_port([LOOPBACK4])
            try:
                with socket.socket() as s:
                    s.bind((LOOPBACK4, self.sip_port + 1))
            except OSError:
                continue
            (self.workdir / "config").write_text(
                "# written by tests/interop/sip_stack_harness.py\n"
                f"sip_listen\t\t{LOOPBACK4}:{self.sip_port}\n"
                f"net_interface\t\t{LOOPBACK4}\n"
                f"dns_server\t\t{LOOPBACK4}:{self.dns_port}\n"
                f"module_path\t\t{BARESIP_MODULES}\n"
                "module_tmp\t\taccount.so\n"
                "module_app\t\tmenu.so\n")
            self.log_path = self.workdir / "baresip.log"
            self._log = open(self.log_path, "wb")
            self.argv = [BARESIP, "-f", str(self.workdir), "-t", str(self.limit),
                         "-e", f"/options {self.uri}"]
            self.t_start = time.monotonic()
            self.proc = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL, stdout=self._log,
                                         stderr=subprocess.STDOUT, cwd=self.workdir,
                                         close_fds=True)
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and self.proc.poll() is None:
                if "baresip is ready" in self.output():
                    return self
                time.sleep(POLL)
            last = self.output()
            if self.proc.poll() is None:
                self.stop()
                raise AssertionError(f"baresip did not get ready within 10 s:\n{last}")
            self._log.close()
        if self.proc is None:
            raise AssertionError("no free loopback port pair for baresip's SIP listener")
        raise AssertionError(f"baresip exited with {self.proc.returncode} at startup:\n"
                             f"{' '.join(self.argv)}\n{last}")

    def output(self) -> str:
        if self._log and not self._log.closed:
            self._log.flush()
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def outcome(self) -> Optional[str]:
        """'200' when the OPTIONS got its final response, 'failed: ...', or None (pending)."""
        out = self.output()
        if self.OK.search(out):
            return "200"
        m = self.FAILED.search(out)
        if m:
            return "failed: " + " ".join(g for g in m.groups() if g)
        return None

    def stop(self) -> Optional[int]:
        return stop_process(self.proc, self._log)


# ---------------------------------------------------------------------------------------------
# One scenario: site + sipdnsd + relay + stand-ins + baresip


@dataclass
class Result:
    hits: list[Hit]
    questions: list[Question]
    outcome: Optional[str]
    t_request: float          # baresip ready -> first hit (s), or -1
    t_total: float            # baresip ready -> outcome (s), or -1
    baresip_log: str
    dns_answers: list[str] = field(default_factory=list)

    def describe(self) -> str:
        hits = "\n".join(f"  +{h.t:.2f}s {h.server} {h.transport.upper()} {h.addr}:{h.port} "
                         f"{h.method} {h.uri} (Via: {h.via})" for h in self.hits) or "  none"
        qs = "\n".join(f"  {q.qname} {q.qtype}" for q in self.questions) or "  none"
        ans = "\n".join(f"  {a}" for a in self.dns_answers) or "  none"
        return (f"outcome: {self.outcome}; first request after {self.t_request:.2f}s, "
                f"outcome after {self.t_total:.2f}s\nrequests at the stand-ins:\n{hits}\n"
                f"DNS questions (via the relay):\n{qs}\nsipdnsd's answers:\n{ans}\n"
                f"baresip output:\n{self._baresip_lines()}")

    def _baresip_lines(self) -> str:
        # Without the menu's echo of the -e command, one line per typed character.
        lines = self.baresip_log.splitlines()
        return "\n".join(l for l in lines if not re.fullmatch(r"/\S*( \S*)?", l))


class Scenario:
    """servers: [(name, loopback address, reply)] in priority order; reply None = no listener
    ("gone"), else the status code the stand-in answers with."""

    def __init__(self, name: str, workdir: pathlib.Path, servers: list[tuple[str, str, object]],
                 transports: list[str], limit: int = 60):
        self.name = name
        self.workdir = pathlib.Path(workdir)
        self.servers = servers
        self.transports = transports
        self.limit = limit
        self.hits: list[Hit] = []
        self.daemon: Optional[Daemon] = None
        self.relay: Optional[DnsRelay] = None
        self.stand_ins: list[SipServer] = []
        self.baresip: Optional[Baresip] = None
        self.proxy_port = 0
        self.uri = f"sip:bob@{DOMAIN}"

    def start(self) -> "Scenario":
        self.workdir.mkdir(parents=True, exist_ok=True)
        addrs = [addr for _, addr, _ in self.servers]
        try:
            self.proxy_port = free_port(addrs)
            redirect_port = free_port(addrs)
            for _ in range(10):   # bounded: distinct ports
                if redirect_port != self.proxy_port:
                    break
                redirect_port = free_port(addrs)
            site = write_site(self.workdir, "site.yaml",
                              site_text([(n, a) for n, a, _ in self.servers], self.transports,
                                        self.proxy_port, redirect_port))
            self.daemon = Daemon(site, listen=["127.0.0.1:{port}"],
                                 name=f"sipdnsd-{self.name}").start()
            self.relay = DnsRelay(self.daemon.port).start()
            for name, addr, reply in self.servers:
                if reply is not None:
                    self.stand_ins.append(
                        SipServer(name, addr, self.proxy_port, self.hits, int(reply)).start())
            self.baresip = Baresip(self.workdir / "baresip", self.relay.port, self.uri,
                                   self.limit).start()
        except BaseException:
            self.stop()
            raise
        return self

    def wait(self, timeout: float, settle: float = 0.3) -> Result:
        """Until baresip reports the outcome of the OPTIONS (or `timeout`), then `settle` more
        seconds so a stray late request would still be seen."""
        assert self.baresip is not None
        t0 = self.baresip.t_start
        deadline = time.monotonic() + timeout
        outcome = None
        t_total = -1.0
        while time.monotonic() < deadline:
            outcome = self.baresip.outcome()
            if outcome is not None:
                t_total = time.monotonic() - t0
                break
            if self.baresip.proc.poll() is not None:
                break
            time.sleep(POLL)
        time.sleep(settle)
        hits = [Hit(h.t - t0, h.server, h.transport, h.addr, h.port, h.method, h.uri, h.via)
                for h in list(self.hits)]
        questions = [Question(q.t - t0, q.qname, q.qtype) for q in list(self.relay.questions)]
        return Result(hits, questions, outcome, hits[0].t if hits else -1.0, t_total,
                      self.baresip.output(), list(self.relay.answers))

    def stop(self) -> None:
        errors = []
        if self.baresip:
            self.baresip.stop()
        for s in self.stand_ins:
            s.stop()
        if self.relay:
            self.relay.stop()
        if self.daemon:
            rc = self.daemon.stop()
            if rc != 0:
                errors.append(f"sipdnsd exited with {rc} after SIGTERM")
        assert not errors, "; ".join(errors)
