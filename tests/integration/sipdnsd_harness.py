# SPDX-FileCopyrightText: 2026 The sipdns authors
# SPDX-License-Identifier: BSD-3-Clause
"""Shared helpers for the integration and interop tests: run the real sipdnsd on loopback.

Rules every test here follows (docs/design.md §1, the test plan):
- queries only ever go to loopback (127.0.0.0/8, ::1);
- every wait and every loop is bounded;
- only processes started here are stopped, by PID.
"""

from __future__ import annotations

import os
import pathlib
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
from typing import Iterable, Optional

import dns.flags
import dns.message
import dns.name
import dns.query
import dns.rcode
import dns.rdataclass
import dns.rdatatype

REPO = pathlib.Path(__file__).resolve().parents[2]
SIPDNSD = os.environ.get("SIPDNSD") or str(REPO / "build" / "server" / "main" / "sipdnsd")
EXAMPLES = pathlib.Path(os.environ.get("SIPDNS_EXAMPLES") or REPO / "packaging" / "examples")
LOG_DIR = pathlib.Path(os.environ.get("SIPDNS_TEST_LOGDIR") or tempfile.gettempdir())

LOOPBACK4 = "127.0.0.1"
LOOPBACK6 = "::1"

START_TIMEOUT = 15.0   # seconds until the daemon must answer its first SOA query
STOP_TIMEOUT = 10.0    # seconds between SIGTERM and exit
QUERY_TIMEOUT = 2.0


def example(name: str) -> pathlib.Path:
    """packaging/examples/<name>.yaml"""
    p = EXAMPLES / (name if name.endswith(".yaml") else name + ".yaml")
    assert p.is_file(), f"example {p} is missing"
    return p


def site_domain(config: os.PathLike | str) -> str:
    """The `domain:` of a site file (enough YAML for the readiness probe)."""
    text = pathlib.Path(config).read_text()
    m = re.search(r"^domain:\s*['\"]?([A-Za-z0-9._-]+?)\.?['\"]?\s*(#.*)?$", text, re.M)
    assert m, f"no domain: in {config}"
    return m.group(1).lower()


def _assert_loopback(addr: str) -> None:
    # Tests never send anywhere but loopback.
    assert addr == LOOPBACK6 or addr.startswith("127."), f"refusing to send to {addr}"


def wait_until(predicate, timeout: float = 10.0) -> bool:
    """Polls `predicate` every 50 ms until it holds or `timeout` seconds passed; its last value."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


def free_port(hosts: Iterable[str] = (LOOPBACK4, LOOPBACK6), tries: int = 50) -> int:
    """A port that is free for UDP and TCP on every address in `hosts`: bind port 0, then check
    the same port binds for the other sockets; close them all and hand the number out."""
    hosts = list(hosts)
    for _ in range(tries):
        socks = []
        try:
            first = socket.socket(socket.AF_INET6 if ":" in hosts[0] else socket.AF_INET,
                                  socket.SOCK_STREAM)
            socks.append(first)
            if ":" in hosts[0]:
                first.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            first.bind((hosts[0], 0))
            port = first.getsockname()[1]
            for h in hosts:
                fam = socket.AF_INET6 if ":" in h else socket.AF_INET
                for kind in (socket.SOCK_DGRAM, socket.SOCK_STREAM):
                    if h == hosts[0] and kind == socket.SOCK_STREAM:
                        continue
                    s = socket.socket(fam, kind)
                    socks.append(s)
                    if fam == socket.AF_INET6:  # as the daemon: [::] beside 0.0.0.0
                        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
                    s.bind((h, port))
            return port
        except OSError:
            continue
        finally:
            for s in socks:
                s.close()
    raise RuntimeError("no free loopback port found")


# ---------------------------------------------------------------------------------------------
# Queries


def make_query(qname: str, qtype="A", qclass="IN", *, edns: Optional[int] = 0,
               payload: int = 1232, rd: bool = False, want_dnssec: bool = False,
               options=None) -> dns.message.QueryMessage:
    """A query; edns=None sends no OPT. Case of qname is kept (0x20 tests)."""
    q = dns.message.make_query(qname, qtype, qclass,
                               use_edns=edns if edns is not None else False,
                               payload=payload, want_dnssec=want_dnssec,
                               options=options)
    if not rd:
        q.flags &= ~dns.flags.RD
    return q


def raw_udp(wire: bytes, port: int, addr: str = LOOPBACK4,
            timeout: float = QUERY_TIMEOUT) -> Optional[bytes]:
    """Send one datagram, return the first reply datagram or None on timeout."""
    _assert_loopback(addr)
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    with socket.socket(fam, socket.SOCK_DGRAM) as s:
        s.settimeout(timeout)
        s.sendto(wire, (addr, port))
        try:
            data, _ = s.recvfrom(65535)
            return data
        except socket.timeout:
            return None


def recv_exact(s: socket.socket, n: int) -> bytes:
    buf = b""
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            raise ConnectionError(f"connection closed after {len(buf)} of {n} bytes")
        buf += chunk
    return buf


def recv_tcp_message(s: socket.socket) -> bytes:
    (length,) = struct.unpack("!H", recv_exact(s, 2))
    return recv_exact(s, length)


def tcp_connect(port: int, addr: str = LOOPBACK4, timeout: float = QUERY_TIMEOUT) -> socket.socket:
    _assert_loopback(addr)
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.settimeout(timeout)
    s.connect((addr, port))
    return s


def raw_tcp(wire: bytes, port: int, addr: str = LOOPBACK4,
            timeout: float = QUERY_TIMEOUT) -> bytes:
    with tcp_connect(port, addr, timeout) as s:
        s.sendall(struct.pack("!H", len(wire)) + wire)
        return recv_tcp_message(s)


def ask(q: dns.message.Message, port: int, addr: str = LOOPBACK4, tcp: bool = False,
        timeout: float = QUERY_TIMEOUT) -> dns.message.Message:
    """Send q, parse the answer (raises on timeout)."""
    _assert_loopback(addr)
    if tcp:
        return dns.query.tcp(q, addr, port=port, timeout=timeout)
    return dns.query.udp(q, addr, port=port, timeout=timeout, ignore_trailing=False)


def query(qname: str, qtype="A", port: int = 0, *, addr: str = LOOPBACK4, tcp: bool = False,
          qclass="IN", edns: Optional[int] = 0, payload: int = 1232,
          timeout: float = QUERY_TIMEOUT) -> dns.message.Message:
    return ask(make_query(qname, qtype, qclass, edns=edns, payload=payload), port, addr, tcp,
               timeout)


# ---------------------------------------------------------------------------------------------
# The daemon


def stop_process(proc: Optional[subprocess.Popen], log=None) -> Optional[int]:
    """SIGTERM by PID (only a process this harness started), SIGKILL after STOP_TIMEOUT; closes
    its log file. Returns the exit code, or None when it was never started."""
    if proc is None:
        return None
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=STOP_TIMEOUT)
    if log and not log.closed:
        log.close()
    return proc.returncode


class Daemon:
    """One sipdnsd process serving `config` on loopback.

    listen: templates with "{port}" (default 127.0.0.1:{port} and [::1]:{port}); a free port
    is chosen for them. probe: the address the readiness probe queries.
    Unless the site file names a server.state_dir, each Daemon keeps its serials in a state
    directory of its own ($STATE_DIRECTORY, kept across its restarts): never the host's
    /var/lib/sipdns, and no serial of another test's site with the same domain. env: more
    environment for the process (it wins over both). port: listen on this port instead of a
    free one (a restart that secondaries must find at the same address). The control socket
    is `control` (--control in extra_args, else STATE_DIRECTORY/control); control_flag=False
    passes no --control (the site file's server.control, else /run/sipdns/control, applies).
    wrapper: a command the daemon's command line is appended to, which execs it (its PID stays
    the daemon's), e.g. ["ip", "netns", "exec", NS] for a network namespace the test made; such
    a test overrides _wait_ready, whose probe goes to loopback.
    """

    def __init__(self, config: os.PathLike | str, *, listen: Optional[list[str]] = None,
                 threads: int = 2, extra_args: Iterable[str] = (), probe_addr: str = LOOPBACK4,
                 log_level: str = "info", name: str = "sipdnsd",
                 env: Optional[dict[str, str]] = None, port: int = 0,
                 control_flag: bool = True, wrapper: Iterable[str] = ()):
        self.config = str(config)
        self.wrapper = list(wrapper)
        self.listen_templates = listen or ["127.0.0.1:{port}", "[::1]:{port}"]
        self.threads = threads
        self.extra_args = list(extra_args)
        self.probe_addr = probe_addr
        self.log_level = log_level
        self.name = name
        self.env = dict(env or {})
        self.fixed_port = port
        self.control_flag = control_flag
        self.state_dir: Optional[pathlib.Path] = None
        self.control: Optional[str] = None
        self.domain = site_domain(config)
        self.port = 0
        self.proc: Optional[subprocess.Popen] = None
        self.log_path: Optional[pathlib.Path] = None
        self._log_file = None
        self.returncode: Optional[int] = None

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def _port_hosts(self) -> list[str]:
        hosts = []
        for t in self.listen_templates:
            h = t.rsplit(":", 1)[0].strip("[]")
            hosts.append(h)
        return hosts or [LOOPBACK4]

    def start(self) -> "Daemon":
        last_log = ""
        for _attempt in range(3):  # a port taken between probe and bind: pick another
            self.port = self.fixed_port or free_port(self._port_hosts())
            listen = [t.format(port=self.port) for t in self.listen_templates]
            args = [SIPDNSD, "--config", self.config]
            for l in listen:
                args += ["--listen", l]
            args += ["--threads", str(self.threads), "--log-level", self.log_level]
            args += self.extra_args
            LOG_DIR.mkdir(parents=True, exist_ok=True)
            fd, path = tempfile.mkstemp(prefix=f"{self.name}-{self.port}-", suffix=".log",
                                        dir=LOG_DIR)
            os.close(fd)
            self.log_path = pathlib.Path(path)
            self._log_file = open(self.log_path, "wb")
            self.args = args
            if "STATE_DIRECTORY" in self.env:
                self.state_dir = pathlib.Path(self.env["STATE_DIRECTORY"])
            elif self.state_dir is None:
                self.state_dir = pathlib.Path(tempfile.mkdtemp(prefix=f"{self.name}-state-",
                                                               dir=LOG_DIR))
            # Its control socket (`sipdnsd status|reload --control`) beside its state: never
            # the host's /run/sipdns/control.
            self.control = next((a.split("=", 1)[1] if "=" in a else args[i + 1]
                                 for i, a in enumerate(args) if a.startswith("--control")),
                                None)
            if self.control is None and self.control_flag:
                self.control = str(self.state_dir / "control")
                if len(self.control) > 100:  # a unix socket path has at most 107 bytes
                    self.control = tempfile.mkdtemp(prefix="sipdnsd-ctl-") + "/control"
                args += ["--control", self.control]
            env = {**os.environ, "STATE_DIRECTORY": str(self.state_dir), **self.env}
            self.proc = subprocess.Popen(self.wrapper + args, stdin=subprocess.DEVNULL,
                                         stdout=self._log_file,
                                         stderr=subprocess.STDOUT, close_fds=True, env=env)
            if self._wait_ready():
                return self
            if self.proc.poll() is None:
                self._kill()
                raise AssertionError(
                    f"sipdnsd did not answer an SOA query within {START_TIMEOUT}s\n"
                    f"{' '.join(args)}\n{self.log_text()}")
            last_log = self.log_text()
            self._log_file.close()
            if "in use" not in last_log.lower():
                break
        raise AssertionError(f"sipdnsd exited with {self.proc.returncode} at startup\n"
                             f"{' '.join(self.args)}\n{last_log}")

    def _wait_ready(self) -> bool:
        deadline = time.monotonic() + START_TIMEOUT
        wire = make_query(self.domain, "SOA").to_wire()
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False
            try:
                data = raw_udp(wire, self.port, self.probe_addr, timeout=0.2)
            except OSError:
                data = None
                time.sleep(0.05)
            if data:
                m = dns.message.from_wire(data)
                if m.rcode() == dns.rcode.NOERROR and m.answer:
                    return True
        return False

    def log_text(self) -> str:
        if self._log_file and not self._log_file.closed:
            self._log_file.flush()
        try:
            return self.log_path.read_text(errors="replace") if self.log_path else ""
        except OSError:
            return ""

    def signal(self, sig: int) -> None:
        assert self.proc is not None and self.proc.poll() is None, "sipdnsd is not running"
        os.kill(self.proc.pid, sig)

    def _kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=STOP_TIMEOUT)

    def stop(self) -> int:
        """SIGTERM by PID; returns the exit code (kills and fails after STOP_TIMEOUT)."""
        if self.proc is None:
            return 0
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self._kill()
                self.returncode = -9
                self._dump()
                raise AssertionError(f"sipdnsd did not exit within {STOP_TIMEOUT}s of SIGTERM")
        self.returncode = self.proc.returncode
        self._dump()
        return self.returncode

    def _dump(self) -> None:
        # The daemon's stderr goes into the test's log (pytest shows it for failures).
        if self._log_file and not self._log_file.closed:
            self._log_file.close()
        print(f"--- {self.name} {' '.join(self.args)} (pid {self.proc.pid}, "
              f"exit {self.proc.returncode}); log {self.log_path}", file=sys.stderr)
        print(self.log_text(), file=sys.stderr)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        rc = self.stop()
        if exc[0] is None:
            assert rc == 0, f"sipdnsd exited with {rc} after SIGTERM"


def write_site(tmp_dir: os.PathLike | str, name: str, text: str) -> pathlib.Path:
    p = pathlib.Path(tmp_dir) / name
    p.write_text(text)
    return p


def rss_kib(pid: int) -> int:
    """A process's resident set size (VmRSS of /proc/PID/status), in KiB."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError(f"no VmRSS for PID {pid}")


# ---------------------------------------------------------------------------------------------
# Exported zones


def run_sipdnsd(*args: str, timeout: float = 30) -> subprocess.CompletedProcess:
    return subprocess.run([SIPDNSD, *args], capture_output=True, text=True, timeout=timeout)


def split_export(text: str) -> list[tuple[str, str]]:
    """`sipdnsd export --format zone` output -> [(origin without dot, zone file text)]."""
    zones = []
    current = None
    lines: list[str] = []
    for line in text.splitlines():
        m = re.match(r"^\$ORIGIN\s+(\S+)", line)
        if m:
            if current is not None:
                zones.append((current, "\n".join(lines).strip() + "\n"))
            current = m.group(1).rstrip(".").lower()
            lines = [line]
        elif current is not None:
            lines.append(line)
        else:
            assert not line.strip() or line.lstrip().startswith(";"), \
                f"text before the first $ORIGIN: {line!r}"
    if current is not None:
        zones.append((current, "\n".join(lines).strip() + "\n"))
    return zones


def export_zones(config: os.PathLike | str) -> list[tuple[str, str]]:
    r = run_sipdnsd("export", str(config), "--format", "zone")
    assert r.returncode == 0, f"export failed ({r.returncode}): {r.stderr}"
    zones = split_export(r.stdout)
    assert zones, "export printed no zone"
    return zones


# ---------------------------------------------------------------------------------------------
# Reference servers (interop, exports): shared process handling

REFERENCE_START_TIMEOUT = 20.0


class ReferenceServer:
    """Another DNS server (Knot, NSD, BIND's named) as a process serving `zones`
    [(origin, zone text)] on 127.0.0.1:port, started with its own config in `workdir` and
    stopped by PID. Subclasses write their config in prepare() and return the command line."""

    name = "reference"
    binary = ""

    def __init__(self, zones: list[tuple[str, str]], workdir: pathlib.Path):
        self.zones = zones
        self.workdir = pathlib.Path(workdir)
        self.port = 0
        self.proc: Optional[subprocess.Popen] = None
        self.log_path = self.workdir / f"{self.name}.log"
        self._log = None

    # subclasses: write config, return argv
    def prepare(self) -> list[str]:
        raise NotImplementedError

    def origins(self) -> list[str]:
        return [origin for origin, _ in self.zones]

    def write_zone_files(self) -> None:
        zdir = self.workdir / "zones"
        zdir.mkdir(exist_ok=True)
        for origin, text in self.zones:
            (zdir / f"{origin}.zone").write_text(text)

    def start(self) -> "ReferenceServer":
        assert shutil.which(self.binary), \
            f"{self.binary} is not installed (scripts/install-deps.sh installs it)"
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.write_zone_files()
        last = ""
        for _attempt in range(3):
            self.port = free_port([LOOPBACK4])
            argv = self.prepare()
            self._log = open(self.log_path, "wb")
            self.argv = argv
            self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=self._log,
                                         stderr=subprocess.STDOUT, cwd=self.workdir,
                                         close_fds=True)
            if self._wait_ready():
                return self
            last = self.log_text()
            if self.proc.poll() is None:
                self.stop()
                raise AssertionError(f"{self.name} did not answer within {REFERENCE_START_TIMEOUT}s:\n"
                                     f"{' '.join(argv)}\n{last}")
            self._log.close()
            if "in use" not in last.lower():
                break
        raise AssertionError(f"{self.name} exited with {self.proc.returncode}:\n"
                             f"{' '.join(self.argv)}\n{last}")

    def _wait_ready(self) -> bool:
        deadline = time.monotonic() + REFERENCE_START_TIMEOUT
        pending = self.origins()
        while pending and time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False
            wire = make_query(pending[0] + ".", "SOA").to_wire()
            try:
                data = raw_udp(wire, self.port, LOOPBACK4, timeout=0.2)
            except OSError:
                data = None
                time.sleep(0.05)
            if data:
                m = dns.message.from_wire(data)
                if m.rcode() == dns.rcode.NOERROR and m.answer:
                    pending.pop(0)
                    continue
                time.sleep(0.05)
        return not pending

    def log_text(self) -> str:
        if self._log and not self._log.closed:
            self._log.flush()
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def stop(self) -> Optional[int]:
        return stop_process(self.proc, self._log)
