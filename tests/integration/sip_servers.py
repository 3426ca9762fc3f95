# SPDX-FileCopyrightText: 2026 The sipdns authors
# SPDX-License-Identifier: BSD-3-Clause
"""Real SIP servers for the live-health tests: Debian's kamailio answering OPTIONS on loopback.

`KamailioServer` runs one kamailio in the foreground with a generated minimal configuration
(only the `sl` module, plus `tls` for a TLS listener): every OPTIONS request gets a stateless
reply with the configured status (RFC 3261 §11.2: any response shows a SIP stack is there), any
other request is dropped. `sip_options()` sends one RFC 3261 OPTIONS request over UDP, TCP or
TLS from Python and returns the status code of the response matched by its Via branch
(RFC 3261 §17.1.3), or None.

Rules (as for every test here): loopback addresses only (every 127/8 address works on Linux
without setup, so each "server" of a site gets its own, e.g. 127.0.0.2, 127.0.0.3); every wait is
bounded; only the processes started here are stopped, by their PID (kamailio's children are in
the process group it leads, which this module creates with the process).
"""

from __future__ import annotations

import os
import pathlib
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
from typing import Optional

import sipdnsd_harness

KAMAILIO = shutil.which("kamailio") or "/usr/sbin/kamailio"
OPENSSL = shutil.which("openssl") or "/usr/bin/openssl"

READY_TIMEOUT = 10.0   # seconds from start until every listener answers OPTIONS
STOP_TIMEOUT = 10.0    # seconds between SIGTERM and exit, then SIGKILL
PROBE_TIMEOUT = 1.0    # seconds one OPTIONS of sip_options() waits by default

# Reason phrases of RFC 3261 §21 for the statuses tests ask for; others get a generic one.
REASONS = {200: "OK", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed",
           483: "Too Many Hops", 501: "Not Implemented", 503: "Service Unavailable"}


def kamailio_missing() -> Optional[str]:
    """Why the kamailio fixture cannot run here (for pytest.skip), or None."""
    if not os.access(KAMAILIO, os.X_OK):
        return "kamailio is not installed (scripts/install-deps.sh installs it)"
    # Debian's module directory is /usr/lib/<multiarch triplet>/kamailio/modules.
    if not any(pathlib.Path("/usr/lib").glob("*/kamailio/modules/tls.so")):
        return "kamailio's tls module is not installed (package kamailio-tls-modules)"
    if not os.access(OPENSSL, os.X_OK):
        return "openssl is not installed (the TLS listener's certificate is made with it)"
    return None


def free_loopback_address(ports: tuple[int, ...] = (5060, 5061)) -> str:
    """A random 127/8 address on which nothing holds the given ports over UDP or TCP, so that
    tests running at the same time (ctest -j, other checkouts on the machine) do not meet."""
    for _attempt in range(50):
        addr = f"127.{secrets.randbelow(254) + 1}.{secrets.randbelow(254) + 1}." \
               f"{secrets.randbelow(253) + 2}"
        try:
            for port in ports:
                for kind in (socket.SOCK_DGRAM, socket.SOCK_STREAM):
                    with socket.socket(socket.AF_INET, kind) as s:
                        s.bind((addr, port))
            return addr
        except OSError:
            continue
    raise AssertionError(f"no 127/8 address with ports {ports} free after 50 tries")


def _family(addr: str) -> int:
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def _host(addr: str) -> str:
    """An address as the host part of a SIP URI or Via (RFC 3261 §25.1: IPv6 in brackets)."""
    return f"[{addr}]" if ":" in addr else addr


def options_request(addr: str, port: int, transport: str, local: tuple, branch: str) -> bytes:
    """One OPTIONS request (RFC 3261 §11.1) with the headers §8.1.1 requires; the Via carries
    the socket's own address and port and `rport` (RFC 3581) so the reply comes back to it."""
    via_transport = {"udp": "UDP", "tcp": "TCP", "tls": "TLS"}[transport]
    tag = secrets.token_hex(4)
    call_id = secrets.token_hex(8)
    uri = f"sip:{_host(addr)}:{port};transport={transport}"
    lines = [
        f"OPTIONS {uri} SIP/2.0",
        f"Via: SIP/2.0/{via_transport} {_host(local[0])}:{local[1]};branch={branch};rport",
        "Max-Forwards: 70",
        f"From: <sip:probe@{_host(local[0])}>;tag={tag}",
        f"To: <sip:{_host(addr)}:{port}>",
        f"Call-ID: {call_id}@{_host(local[0])}",
        "CSeq: 1 OPTIONS",
        "Accept: application/sdp",
        "Content-Length: 0",
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def _status_if_ours(message: bytes, branch: str) -> Optional[int]:
    """The status code of a SIP response (RFC 3261 §7.2 status line) whose top Via carries our
    branch; None for anything else (a request, another transaction's reply, garbage)."""
    head = message.split(b"\r\n\r\n", 1)[0].decode("utf-8", errors="replace")
    lines = head.split("\r\n")
    parts = lines[0].split(" ", 2)
    if len(parts) < 2 or parts[0] != "SIP/2.0" or not (parts[1].isdigit() and len(parts[1]) == 3):
        return None
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() in ("via", "v"):
            if f"branch={branch}" in value:
                return int(parts[1])
            return None  # the top Via is another transaction's
    return None


def sip_options(addr: str, port: int, transport: str = "udp",
                timeout: float = PROBE_TIMEOUT) -> Optional[int]:
    """Send one SIP OPTIONS to addr:port over transport ("udp", "tcp" or "tls"; TLS without
    certificate verification: liveness, not identity) and return the status code of the first
    response to it, or None when nothing answers within timeout (no response, refused
    connection, failed handshake, garbage)."""
    transport = transport.lower()
    if transport not in ("udp", "tcp", "tls"):
        raise ValueError(f"transport {transport!r}: expected udp, tcp or tls")
    assert addr.startswith("127.") or addr == "::1", f"{addr}: SIP probes go to loopback only"
    deadline = time.monotonic() + timeout
    branch = "z9hG4bK" + secrets.token_hex(8)  # RFC 3261 §8.1.1.7 magic cookie
    family = _family(addr)
    try:
        if transport == "udp":
            with socket.socket(family, socket.SOCK_DGRAM) as s:
                s.connect((addr, port))
                s.sendall(options_request(addr, port, transport, s.getsockname(), branch))
                while (left := deadline - time.monotonic()) > 0:
                    s.settimeout(left)
                    status = _status_if_ours(s.recv(65535), branch)
                    if status is not None:
                        return status
                return None
        with socket.create_connection((addr, port), timeout=timeout) as raw:
            stream: socket.socket = raw
            local = raw.getsockname()  # wrap_socket() detaches raw's descriptor
            if transport == "tls":
                context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
                context.check_hostname = False
                context.verify_mode = ssl.CERT_NONE
                stream = context.wrap_socket(raw, server_hostname=None)
            stream.sendall(options_request(addr, port, transport, local, branch))
            buffer = b""
            # RFC 3261 §18.3: on a stream the message ends at the empty line (Content-Length 0
            # for OPTIONS replies from sl; a body, if any, is not needed for the status).
            while (left := deadline - time.monotonic()) > 0:
                stream.settimeout(left)
                chunk = stream.recv(65535)
                if not chunk:
                    return None
                buffer += chunk
                while b"\r\n\r\n" in buffer:
                    message, buffer = buffer.split(b"\r\n\r\n", 1)
                    status = _status_if_ours(message + b"\r\n\r\n", branch)
                    if status is not None:
                        return status
            return None
    except (OSError, ssl.SSLError):  # timeout, refused, reset, handshake failure
        return None


class KamailioServer:
    """One kamailio on one loopback address answering OPTIONS with `status`.

        KamailioServer(addr, udp=5060, tcp=5060, tls=None, status=200, name=None)

    Each of udp / tcp / tls is a port to listen on with that transport, or None for none (at
    least one is needed). Use it as a context manager (start on enter, stop on exit) or call
    start() / stop() / restart() / wait_ready() yourself; `log_tail()` is the end of kamailio's
    output (its log file is under sipdnsd_harness.LOG_DIR, the tests' log directory) for
    assertion messages; `ready_seconds` is how long the last start() took until every listener
    answered. `free_loopback_address()` gives an address no other test is using.

    One transport gone while another answers ("TCP listener gone but UDP answering"): run two
    instances on the same address, one per transport, and stop only one of them:

        with KamailioServer("127.0.0.2", udp=5060, tcp=None) as scs1_udp, \\
             KamailioServer("127.0.0.2", udp=None, tcp=5060) as scs1_tcp:
            scs1_tcp.stop()       # 5060/tcp refuses, 5060/udp still answers 200
            scs1_tcp.restart()    # back on the same port

    A TLS listener (`tls=5061`) gets a throwaway self-signed certificate made with openssl in the
    instance's temp dir. kamailio runs as the current user (root in CI: no -u/-g, so it does not
    switch to a `kamailio` user), in the foreground (-DD), logging to stderr (-E), with its pid
    file and runtime files (-P, -Y) in that temp dir: nothing of the system service is used.
    """

    def __init__(self, addr: str, udp: Optional[int] = 5060, tcp: Optional[int] = 5060,
                 tls: Optional[int] = None, status: int = 200, name: Optional[str] = None):
        assert addr.startswith("127.") or addr == "::1", f"{addr}: loopback addresses only"
        assert udp or tcp or tls, "KamailioServer needs at least one of udp, tcp, tls"
        assert 100 <= status <= 699, f"status {status}: expected a SIP status code (RFC 3261 §7.2)"
        self.addr = addr
        self.udp, self.tcp, self.tls = udp, tcp, tls
        self.status = status
        transports = "-".join(f"{t}{p}" for t, p in self.listeners())
        self.name = name or f"kamailio-{addr}-{transports}"
        self.dir = pathlib.Path(tempfile.mkdtemp(prefix=f"{self.name}-"))
        self.config = self.dir / "kamailio.cfg"
        self.proc: Optional[subprocess.Popen] = None
        self.log_path: Optional[pathlib.Path] = None
        self._log_file = None
        self.ready_seconds: Optional[float] = None  # start() to every listener answering
        if tls:
            self._make_certificate()
        self.config.write_text(self._config_text())

    def listeners(self) -> list[tuple[str, int]]:
        """(transport, port) of every listener, e.g. [("udp", 5060), ("tls", 5061)]."""
        return [(t, p) for t, p in (("udp", self.udp), ("tcp", self.tcp), ("tls", self.tls)) if p]

    def _make_certificate(self) -> None:
        r = subprocess.run([OPENSSL, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                            "-subj", f"/CN={self.addr}", "-keyout", str(self.dir / "key.pem"),
                            "-out", str(self.dir / "cert.pem")],
                           stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)
        assert r.returncode == 0, f"openssl req failed ({r.returncode}): {r.stderr}"
        # kamailio's tls module: one server domain for every TLS listener; no certificate asked
        # of clients (the probes have none).
        (self.dir / "tls.cfg").write_text(
            "[server:default]\n"
            "method = TLSv1.2+\n"
            "verify_certificate = no\n"
            "require_certificate = no\n"
            f"private_key = {self.dir / 'key.pem'}\n"
            f"certificate = {self.dir / 'cert.pem'}\n")

    def _config_text(self) -> str:
        host = _host(self.addr)
        lines = [
            "#!KAMAILIO",
            "debug=2",
            "log_stderror=yes",
            # One worker per listener is plenty for probes; less memory and start-up time.
            "children=1",
            "tcp_children=1",
            "disable_sctp=yes",
            # Only the configured sockets; no DNS lookups of its own names or of Via hosts.
            "auto_aliases=no",
            "dns=no",
            "rev_dns=no",
        ]
        if not (self.tcp or self.tls):
            lines.append("disable_tcp=yes")
        if self.tls:
            lines.append("enable_tls=yes")
        lines += [f"listen={t}:{host}:{p}" for t, p in self.listeners()]
        lines.append('loadmodule "sl.so"')
        if self.tls:
            lines += ['loadmodule "tls.so"',
                      f'modparam("tls", "config", "{self.dir / "tls.cfg"}")']
        reason = REASONS.get(self.status, "Probe Reply")
        lines += [
            "request_route {",
            '\tif (method == "OPTIONS") {',
            f'\t\tsl_send_reply("{self.status}", "{reason}");',
            "\t}",
            "\texit;",
            "}",
        ]
        return "\n".join(lines) + "\n"

    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def start(self) -> "KamailioServer":
        """Start kamailio and wait until every listener answers OPTIONS (wait_ready)."""
        assert not self.running(), f"{self.name} is already running"
        log_dir = pathlib.Path(sipdnsd_harness.LOG_DIR)
        log_dir.mkdir(parents=True, exist_ok=True)
        if self._log_file is None:
            fd, path = tempfile.mkstemp(prefix=f"{self.name}-", suffix=".log", dir=log_dir)
            os.close(fd)
            self.log_path = pathlib.Path(path)
            self._log_file = open(self.log_path, "ab")
        # -x tlsf: with the default q_malloc, kamailio 5.6.3 crashed in qm_free() while
        # exiting after SIGTERM in 4 of 450 stops of a TLS instance (exit -11); with the TLSF
        # allocator (shared and private memory) none in 600.
        self.args = [KAMAILIO, "-DD", "-E", "-f", str(self.config),
                     "-P", str(self.dir / "kamailio.pid"), "-Y", str(self.dir),
                     "-w", str(self.dir), "-m", "32", "-M", "4", "-x", "tlsf"]
        self._log_file.write(f"=== {' '.join(self.args)}\n".encode())
        self._log_file.flush()
        started = time.monotonic()
        # Its own process group: the workers it forks can be found (and, if the main process
        # does not stop them, killed) by our PID alone.
        self.proc = subprocess.Popen(self.args, stdin=subprocess.DEVNULL, stdout=self._log_file,
                                     stderr=subprocess.STDOUT, close_fds=True, cwd=self.dir,
                                     start_new_session=True)
        try:
            self.wait_ready()
        except BaseException:
            self.stop()
            raise
        self.ready_seconds = time.monotonic() - started
        return self

    def wait_ready(self, timeout: float = READY_TIMEOUT) -> None:
        """Wait (bounded) until every listener answers a real OPTIONS with our status."""
        deadline = time.monotonic() + timeout
        pending = self.listeners()
        while pending:
            if not self.running():
                code = self.proc.returncode if self.proc else None
                raise AssertionError(f"{self.name} exited with {code} at startup\n"
                                     f"{self.log_tail()}")
            transport, port = pending[0]
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(
                    f"{self.name}: {port}/{transport} did not answer OPTIONS within {timeout}s\n"
                    f"{self.log_tail()}")
            got = sip_options(self.addr, port, transport, timeout=min(0.5, left))
            if got == self.status:
                pending.pop(0)
            elif got is None:
                time.sleep(0.05)
            else:
                raise AssertionError(f"{self.name}: {port}/{transport} answered {got}, "
                                     f"configured {self.status}\n{self.log_tail()}")

    def stop(self, timeout: float = STOP_TIMEOUT) -> Optional[int]:
        """SIGTERM to our kamailio's PID, wait (bounded) for it, then SIGKILL to its process
        group (its own workers only). Returns the exit code, None if it was not started."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(min(1.0, timeout))
            except subprocess.TimeoutExpired:
                # Seen (with q_malloc) once in 10 and once in 150 stops right after start:
                # the main process had passed SIGTERM on, but two timer workers lived on (in
                # pause() and select()), apparently still with the main process's handler
                # (which only flags the signal), and the main process waited for them
                # (kamailio's exit_timeout, 60 s). A second SIGTERM to our process group ended
                # them, exit code 0.
                self._log_file.write(b"=== still running 1s after SIGTERM: SIGTERM to its "
                                     b"process group\n")
                self._signal_group(signal.SIGTERM)
                try:
                    self.proc.wait(max(timeout - 1.0, 1.0))
                except subprocess.TimeoutExpired:
                    self._log_file.write(f"=== no exit {timeout}s after SIGTERM: SIGKILL\n"
                                         .encode())
                    self._signal_group(signal.SIGKILL)
                    self.proc.wait(5)
        self._kill_stray_workers()
        self._log_file.flush()
        return self.proc.returncode

    def freeze(self) -> None:
        """A hung server: SIGSTOP to kamailio and its workers. Its sockets stay open, so
        requests get neither an answer nor a refusal (no RST, no ICMP) until thaw()."""
        assert self.running(), "freeze() needs a running kamailio"
        self._signal_group(signal.SIGSTOP)

    def thaw(self) -> None:
        """SIGCONT after freeze(): it answers again."""
        self._signal_group(signal.SIGCONT)

    def _signal_group(self, sig: int) -> None:
        """sig to the process group start() created (kamailio and its workers, nothing else)."""
        try:
            os.killpg(self.proc.pid, sig)
        except ProcessLookupError:
            pass

    def _kill_stray_workers(self) -> None:
        """Workers of ours still alive after the main process has gone (they would keep the
        ports) get SIGKILL: the process group is the one start() created, named by our PID."""
        try:
            os.killpg(self.proc.pid, 0)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + 2.0
        while time.monotonic() < deadline:
            try:
                os.killpg(self.proc.pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.05)
        self._signal_group(signal.SIGKILL)

    def restart(self) -> "KamailioServer":
        """stop(), then start() on the same address and ports (same certificate)."""
        self.stop()
        return self.start()

    def log_text(self) -> str:
        if self._log_file is not None and not self._log_file.closed:
            self._log_file.flush()
        try:
            return self.log_path.read_text(errors="replace") if self.log_path else ""
        except OSError:
            return ""

    def log_tail(self, lines: int = 30) -> str:
        tail = "\n".join(self.log_text().splitlines()[-lines:])
        return f"--- {self.log_path} (last {lines} lines) ---\n{tail}"

    def close(self) -> None:
        """stop() and remove the temp dir (the log file stays)."""
        self.stop()
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> "KamailioServer":
        try:
            return self.start()
        except BaseException:
            self.close()  # __exit__ does not run when __enter__ raises
            raise

    def __exit__(self, *exc) -> None:
        self.close()
