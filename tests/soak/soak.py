#!/usr/bin/python3
# SPDX-FileCopyrightText: 2026 The sipdns authors
# SPDX-License-Identifier: BSD-3-Clause
"""Soak test of sipdnsd (issue 8): for a bounded time, traffic at about 70 % of the measured
maximum, TCP clients, and a reload every second alternating good, changed and broken site files.

  tests/soak/soak.sh [--duration 60] [--build-dir DIR] [--hosts N] [--threads N] ...

1. gen_site.py (tests/perf) writes a site of --hosts hosts and a dnsperf query file; the site
   gets a version marker, rewritten by every "changed" file: a TXT record `soak-version` ("v=N"),
   the SOA serial (1000+N), and an SRV `_soak._tcp` whose port (20000+N) and whose target's
   address in the additional section (10.255.N/256.N%256) both carry N — one response from a
   mixed zone would disagree with itself. Rate limiting is off (server.rate_limit).
2. sipdnsd starts on 127.0.0.1 (a free port); dnsperf measures the maximum QPS for a few
   seconds (bounded); then, for --duration seconds:
   - dnsperf at --load-fraction of that maximum (-Q), UDP;
   - --tcp-clients threads on persistent TCP connections and one UDP checker thread, asking
     for the version marker in turn (TXT, SOA, SRV) and checking every answer;
   - every second a SIGHUP after the site file is replaced (rename) by, in turn, the same good
     file, a changed file (version N+1) and a broken file (errors; its own marker must never be
     served).
3. Report: dnsperf's sent/completed/lost, the checkers' answered/lost, wrong-version answers
   (a version never loaded, one older than a version the same client saw before, the broken
   file's, or a response that mixes versions), RSS at start and end (/proc/PID/status), and the
   daemon's log lines at warning level and above other than the broken file's errors; and the
   kernel's UDP receive-queue drops, host-wide and at sipdnsd's own sockets, so that a loss can
   be told to be the server's or the load generator's.
   Exit 0 when: 0 lost, 0 wrong, RSS growth within noise, no unexpected error, every reload
   done; 1 otherwise; 77 when dnsperf is missing (ctest: skipped).
4. With --sip-flap (issue 16, live SIP health): the site gets `health:` and its own SIP service
   `_sip._udp.flap` / `_sip._tcp.flap` whose two targets are hosts on random 127/8 addresses
   with a real SIP server each (kamailio, tests/integration/sip_servers.py); gen_site's servers
   (192.0.2.x, never to be probed) are in `health.exclude`, and `sipdnsd check` must list only
   loopback health targets or the soak does not start. One of the two kamailios is stopped and
   started again and again (sip_flapping.Flapper) while the load and the reloads run; a flap
   checker asks for both SRV sets (UDP and TCP) and judges every answer against the health
   state (sip_flapping.HealthJudge, bounds printed): answers lost or judged wrong fail the soak.
   Without kamailio the option logs why and the soak runs without it.

Everything goes to 127.0.0.1 only; every process started here is stopped by its PID.
"""

from __future__ import annotations

import argparse
import os
import pathlib
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

HERE = pathlib.Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(REPO / "tests" / "perf"))
sys.path.insert(0, str(REPO / "tests" / "integration"))

import dns.message  # noqa: E402
import dns.query  # noqa: E402
import dns.rcode  # noqa: E402
import dns.rdatatype  # noqa: E402

import gen_site  # noqa: E402
import sip_flapping  # noqa: E402
import sip_servers  # noqa: E402
from sipdnsd_harness import free_port  # noqa: E402

EXIT_SKIP = 77
LOOPBACK = "127.0.0.1"
DOMAIN = "soak.example.test"
SERIAL_BASE = 1000
PORT_BASE = 20000
BROKEN_BASE = 50000  # versions of broken files: served, they would be wrong by construction

# --sip-flap: live SIP health (docs/design.md §10). Probing every 300 ms, 2 failures take a target
# out, 2 answers bring it back; gen_site's servers (scs1, scs2 on 192.0.2.x) are never probed.
FLAP_SERVICES = ("_sip._udp.flap", "_sip._tcp.flap")
FLAP_HOSTS = ("flap1", "flap2")  # flap2's kamailio flaps, flap1's stays up
FLAP_HEALTH = {"interval_ms": 300, "timeout_ms": 200, "rise": 2, "fall": 2}
FLAP_UP_SECONDS = (0.8, 1.5)    # longer than the recovery bound: "back" can be seen
FLAP_DOWN_SECONDS = (1.2, 2.0)  # longer than the failover bound: "withdrawn" can be seen


def log(msg: str) -> None:
    print(f"soak: {msg}", flush=True)


# ---------------------------------------------------------------------------------------------
# Site files


def version_address(v: int) -> str:
    return f"10.255.{(v >> 8) & 255}.{v & 255}"


def flap_section(flap_addresses: dict[str, str]) -> tuple[str, str]:
    """(host lines, sections) that --sip-flap adds: the flap hosts on loopback, their SRV
    services, and `health:` with gen_site's servers excluded (they are not on loopback)."""
    hosts = "".join(f"  {name}: {addr}\n" for name, addr in flap_addresses.items())
    targets = ", ".join(flap_addresses)
    sections = "services:\n" + "".join(
        f"  - {{ service: {svc}, port: 5060, targets: [{targets}] }}\n" for svc in FLAP_SERVICES)
    sections += "health:\n" + "".join(f"  {k}: {v}\n" for k, v in FLAP_HEALTH.items())
    sections += "  ttl: 5\n"
    sections += f"  exclude: [{', '.join(name for name, _ in gen_site.SERVERS)}]\n"
    return hosts, sections


def site_text(base: str, version: int, broken: bool = False,
              flap_addresses: dict[str, str] | None = None) -> str:
    """The generated site plus the version marker; `broken` adds errors (the marker still
    changes, so serving the broken file would show); `flap_addresses` adds --sip-flap's hosts,
    services and health section."""
    flap_hosts, flap_sections = flap_section(flap_addresses) if flap_addresses else ("", "")
    text = base + flap_hosts
    text += (f"  soak-target: {version_address(version)}\n" if not broken else
             f"  soak-target: 10.255.300.{version & 255}\n")  # an invalid address
    text += flap_sections
    text += "records:\n"
    text += f'  - \'soak-version IN TXT "v={version}"\'\n'
    text += f"  - '_soak._tcp IN SRV 0 0 {PORT_BASE + version} soak-target'\n"
    text += f"soa:\n  serial: {SERIAL_BASE + version}\n"
    text += "server:\n  rate_limit: { responses_per_second: 0 }\n"
    if broken:
        text += "  no_such_setting: 1\n"
    return text


def base_site(hosts: int) -> str:
    """gen_site's domain, servers and hosts, with `hosts:` last and left open (the marker host
    is appended); its other sections are replaced by ours."""
    import io
    out = io.StringIO()
    gen_site.write_site(out, hosts, DOMAIN)
    head, rest = out.getvalue().split("hosts:\n", 1)
    host_lines = [line for line in rest.splitlines() if line.startswith("  h")]
    assert len(host_lines) == hosts, "gen_site.write_site layout changed"
    return head + "reverse: auto\nhosts:\n" + "\n".join(host_lines) + "\n"


def write_atomically(path: pathlib.Path, text: str) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(text)
    os.replace(tmp, path)  # a reload never reads half a file


# ---------------------------------------------------------------------------------------------
# Processes


class Proc:
    def __init__(self, argv, stdout_path, cwd):
        self.argv = argv
        self._out = open(stdout_path, "wb")
        self.p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=self._out,
                                  stderr=subprocess.STDOUT, cwd=cwd, close_fds=True)
        self.path = stdout_path

    @property
    def pid(self):
        return self.p.pid

    def wait(self, timeout):
        try:
            return self.p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None

    def stop(self, sig=signal.SIGTERM, timeout=10.0):
        """Stops this process by its PID (SIGKILL if it ignores `sig`)."""
        if self.p.poll() is None:
            os.kill(self.p.pid, sig)
            if self.wait(timeout) is None:
                os.kill(self.p.pid, signal.SIGKILL)
                self.p.wait(timeout=timeout)
        self._out.close()
        return self.p.returncode

    def text(self):
        self._out.flush()
        return pathlib.Path(self.path).read_text(errors="replace")


def udp_rcvbuf_errors() -> int:
    """The host's UDP RcvbufErrors (/proc/net/snmp): datagrams the kernel dropped because a
    socket's receive queue was full. Host-wide, so other traffic counts too."""
    with open("/proc/net/snmp") as f:
        rows = [line.split() for line in f if line.startswith("Udp:")]
    return int(rows[1][rows[0].index("RcvbufErrors")])


def server_socket_drops(port: int) -> int:
    """Datagrams the kernel dropped at sipdnsd's own UDP sockets (sk_drops, the `d` of
    `ss -m`'s skmem), summed over the sockets bound to `port`. RcvbufErrors above is host-wide:
    it also counts the load generator's and checkers' receive queues."""
    out = subprocess.run(["ss", "-Huanm", f"sport = :{port}"], capture_output=True, text=True,
                         timeout=10).stdout
    return sum(int(d) for d in re.findall(r",d(\d+)\)", out))


def rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def wait_ready(port: int, proc: Proc, within: float = 30.0) -> bool:
    q = dns.message.make_query(DOMAIN + ".", "SOA")
    deadline = time.monotonic() + within
    while time.monotonic() < deadline and proc.p.poll() is None:
        try:
            m = dns.query.udp(q, LOOPBACK, port=port, timeout=0.3)
            if m.rcode() == dns.rcode.NOERROR and m.answer:
                return True
        except Exception:  # noqa: BLE001 - not up yet
            time.sleep(0.1)
    return False


def parse_dnsperf(text: str) -> dict:
    def grab(pattern, cast=float, default=None):
        m = re.search(pattern, text)
        return cast(m.group(1)) if m else default
    return {
        "sent": grab(r"Queries sent:\s+(\d+)", int, 0),
        "completed": grab(r"Queries completed:\s+(\d+)", int, 0),
        "lost": grab(r"Queries lost:\s+(\d+)", int, 0),
        "interrupted": grab(r"Queries interrupted:\s+(\d+)", int, 0),
        "qps": grab(r"Queries per second:\s+([0-9.]+)", float, 0.0),
    }


# ---------------------------------------------------------------------------------------------
# Version checkers


class Versions:
    """What the reloader wrote, shared with the checkers."""

    def __init__(self, first: int):
        self.lock = threading.Lock()
        self.good = {first}  # every version written as a good file so far
        self.current = first

    def add(self, v: int):
        with self.lock:
            self.good.add(v)
            self.current = v

    def known(self, v: int) -> bool:
        with self.lock:
            return v in self.good


class Checker(threading.Thread):
    """Asks for the version marker in turn (TXT, SOA, SRV) over one transport, sequentially,
    and checks each answer: a loaded version, never older than the last one seen, and an SRV
    whose port and additional address agree."""

    def __init__(self, name, port, versions: Versions, tcp: bool, stop: threading.Event,
                 pause: float):
        super().__init__(name=name, daemon=True)
        self.port, self.versions, self.tcp, self.stop_event = port, versions, tcp, stop
        self.pause = pause
        self.sent = self.answered = self.lost = self.wrong = 0
        self.wrong_samples: list[str] = []
        self.highest = 0
        self.seen: set[int] = set()
        self.sock = None

    def _ask(self, qname, qtype):
        q = dns.message.make_query(qname, qtype)
        if self.tcp:
            if self.sock is None:
                self.sock = socket.create_connection((LOOPBACK, self.port), timeout=2.0)
            return dns.query.tcp(q, LOOPBACK, port=self.port, timeout=2.0, sock=self.sock)
        return dns.query.udp(q, LOOPBACK, port=self.port, timeout=2.0)

    def _wrong(self, why):
        self.wrong += 1
        if len(self.wrong_samples) < 10:
            self.wrong_samples.append(why)

    def _check_version(self, v, what):
        if v >= BROKEN_BASE:
            self._wrong(f"{what}: version {v} of a broken file served")
        elif not self.versions.known(v):
            self._wrong(f"{what}: version {v} was never written")
        elif v < self.highest:
            self._wrong(f"{what}: version {v} after {self.highest}")
        else:
            self.highest = v
            self.seen.add(v)

    def run(self):
        kinds = [("soak-version." + DOMAIN + ".", "TXT"), (DOMAIN + ".", "SOA"),
                 ("_soak._tcp." + DOMAIN + ".", "SRV")]
        i = 0
        while not self.stop_event.is_set():
            qname, qtype = kinds[i % 3]
            i += 1
            self.sent += 1
            try:
                m = self._ask(qname, qtype)
            except Exception as e:  # noqa: BLE001 - a timeout or a closed connection
                self.lost += 1
                if len(self.wrong_samples) < 10:
                    self.wrong_samples.append(f"lost {qtype} ({type(e).__name__}: {e})")
                if self.sock is not None:
                    self.sock.close()
                    self.sock = None
                continue
            self.answered += 1
            try:
                self._check(m, qtype)
            except Exception as e:  # noqa: BLE001 - an answer we cannot read is wrong
                self._wrong(f"{qtype}: unreadable answer ({e!r}): {m}")
            if self.pause:
                self.stop_event.wait(self.pause)
        if self.sock is not None:
            self.sock.close()

    def _check(self, m, qtype):
        if m.rcode() != dns.rcode.NOERROR or not m.answer:
            self._wrong(f"{qtype}: rcode {dns.rcode.to_text(m.rcode())}, {len(m.answer)} RRsets")
            return
        rrset = m.answer[0]
        if qtype == "TXT":
            text = b"".join(rrset[0].strings).decode()
            self._check_version(int(text.split("=", 1)[1]), "TXT")
        elif qtype == "SOA":
            self._check_version(rrset[0].serial - SERIAL_BASE, "SOA serial")
        else:
            port_v = rrset[0].port - PORT_BASE
            addrs = [rd.address for rs in m.additional if rs.rdtype == dns.rdatatype.A for rd in rs]
            if addrs != [version_address(port_v)]:
                self._wrong(f"SRV: port says version {port_v}, additional says {addrs}")
                return
            self._check_version(port_v, "SRV")


class FlapChecker(threading.Thread):
    """--sip-flap: asks for the flap SRV sets in turn (_sip._udp.flap over UDP, _sip._tcp.flap
    over TCP) and judges each answer against the health state (sip_flapping.HealthJudge);
    counts lost and wrong answers and how often flap2 was seen withdrawn and back."""

    def __init__(self, port, judge: sip_flapping.HealthJudge, withdrawn_target: str,
                 stop: threading.Event, pause: float):
        super().__init__(name="flap", daemon=True)
        self.port, self.judge, self.stop_event, self.pause = port, judge, stop, pause
        self.withdrawn_target = withdrawn_target
        self.sent = self.answered = self.lost = self.wrong = 0
        self.withdrawals = self.returns = 0
        self.samples: list[str] = []
        self.observations: list[tuple[float, bool]] = []  # (sent, flap2 in the answer)
        self.sock = None

    def _sample(self, why):
        if len(self.samples) < 10:
            self.samples.append(why)

    def run(self):
        last_withdrawn = {svc: False for svc in FLAP_SERVICES}
        i = 0
        while not self.stop_event.is_set():
            svc = FLAP_SERVICES[i % len(FLAP_SERVICES)]
            i += 1
            qname = f"{svc}.{DOMAIN}."
            tcp = svc.startswith("_sip._tcp")
            q = dns.message.make_query(qname, "SRV")
            self.sent += 1
            sent = time.monotonic()
            try:
                if tcp:
                    if self.sock is None:
                        self.sock = socket.create_connection((LOOPBACK, self.port), timeout=2.0)
                    m = dns.query.tcp(q, LOOPBACK, port=self.port, timeout=2.0, sock=self.sock)
                else:
                    m = dns.query.udp(q, LOOPBACK, port=self.port, timeout=2.0)
            except Exception as e:  # noqa: BLE001 - a timeout or a closed connection
                self.lost += 1
                self._sample(f"lost {qname} SRV ({type(e).__name__}: {e})")
                if self.sock is not None:
                    self.sock.close()
                    self.sock = None
                continue
            received = time.monotonic()
            self.answered += 1
            if m.rcode() != dns.rcode.NOERROR:
                self.wrong += 1
                self._sample(f"{qname} SRV: rcode {dns.rcode.to_text(m.rcode())}")
                continue
            targets, additional = sip_flapping.srv_answer_parts(m)
            why = self.judge.judge(qname, targets, additional, sent, received)
            if why:
                self.wrong += 1
                self._sample(why)
            withdrawn = self.withdrawn_target not in targets
            self.observations.append((sent, not withdrawn))
            if withdrawn and not last_withdrawn[svc]:
                self.withdrawals += 1
            elif last_withdrawn[svc] and not withdrawn:
                self.returns += 1
            last_withdrawn[svc] = withdrawn
            if self.pause:
                self.stop_event.wait(self.pause)
        if self.sock is not None:
            self.sock.close()


def loopback_health_targets(binary: pathlib.Path, site: pathlib.Path) -> tuple[list[str], str]:
    """`sipdnsd check` of the site: (its `health target:` lines, error text if any of them is
    not on loopback or check failed). Probes must never leave the machine."""
    r = subprocess.run([str(binary), "check", str(site)], capture_output=True, text=True,
                       timeout=120)
    lines = [line.strip() for line in r.stdout.splitlines() if "health target:" in line]
    if r.returncode != 0:
        return lines, f"sipdnsd check exited {r.returncode}: {r.stderr[-2000:]}"
    # "health target: NAME PORT/TRANSPORT ADDRESS..."
    bad = [line for line in lines
           if not all(a.startswith("127.") or a == "::1"
                      for a in line.split("health target:", 1)[1].split()[2:])]
    if bad or not lines:
        return lines, f"health targets not on loopback (or none): {bad or lines}"
    return lines, ""


# ---------------------------------------------------------------------------------------------
# The daemon's log

LOG_LINE = re.compile(r"^\S+ \S+ (trace|debug|info|warning|error|critical): (.*)$")


def classify_log(text: str, broken_marker: str, flapping_target: str | None = None):
    """-> (expected errors (from the broken files) and warnings (the flapping SIP target going
    down), unexpected lines at warning and above)."""
    expected, unexpected = [], []
    for line in text.splitlines():
        m = LOG_LINE.match(line)
        if not m:
            if line.strip():
                unexpected.append(line)  # not a log line: a crash message or the like
            continue
        level, msg = m.groups()
        if level not in ("warning", "error", "critical"):
            continue
        if level == "warning" and msg.startswith("running as root"):
            continue  # the start-up hint when the soak runs as root (no --user here)
        # A broken file's errors: file:line:col: messages naming its errors, and the summary.
        if level == "error" and (msg.startswith("reload failed; still serving serial") or
                                 (broken_marker in msg and
                                  ("no_such_setting" in msg or "10.255.300." in msg))):
            expected.append(line)
        elif (level == "warning" and flapping_target is not None and
              re.match(rf"{re.escape(flapping_target)} 5060/(udp|tcp) down: ", msg)):
            expected.append(line)
        else:
            unexpected.append(line)
    return expected, unexpected


# ---------------------------------------------------------------------------------------------


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--duration", type=float, default=60.0, help="seconds of load (default 60)")
    ap.add_argument("--build-dir", default=os.environ.get("SIPDNS_BUILD_DIR", str(REPO / "build")))
    ap.add_argument("--sipdnsd", help="the binary (default BUILD_DIR/server/main/sipdnsd)")
    ap.add_argument("--hosts", type=int, default=5000, help="hosts in the generated site")
    ap.add_argument("--threads", type=int, default=2, help="sipdnsd --threads")
    ap.add_argument("--probe-seconds", type=float, default=3.0,
                    help="how long dnsperf measures the maximum QPS")
    ap.add_argument("--load-fraction", type=float, default=0.7,
                    help="share of the maximum QPS for the soak (default 0.7)")
    ap.add_argument("--tcp-clients", type=int, default=3)
    ap.add_argument("--check-pause", type=float, default=0.005,
                    help="seconds between a checker's queries")
    ap.add_argument("--rss-slack-kib", type=int, default=10 * 1024,
                    help="allowed RSS growth beyond 10 %% of the start (noise)")
    ap.add_argument("--workdir", help="keep files here (default: a temporary directory)")
    ap.add_argument("--sip-flap", action="store_true",
                    help="health on, with a loopback SIP server (kamailio) flapping behind "
                         "_sip._udp.flap / _sip._tcp.flap; its SRV answers are judged")
    ap.add_argument("--flap-margin-ms", type=int, default=1500,
                    help="--sip-flap: allowance beyond interval x fall (rise) + timeout for a "
                         "health change to reach the answers: the control thread may be in a "
                         "reload of the site, and the live rebuild takes about as long "
                         "(default 1500)")
    args = ap.parse_args()
    if args.duration <= 0 or args.duration > 3600:
        ap.error("--duration must be in (0, 3600]")
    if not shutil.which("dnsperf"):
        log("dnsperf is not installed (scripts/install-deps.sh installs it): skipped")
        return EXIT_SKIP
    # Absolute: the processes run in the work directory (a relative --build-dir failed there).
    binary = pathlib.Path(args.sipdnsd or pathlib.Path(args.build_dir) / "server/main/sipdnsd"
                          ).absolute()
    if not os.access(binary, os.X_OK):
        log(f"no sipdnsd at {binary} (build first, or --build-dir / --sipdnsd)")
        return 1

    own_tmp = None
    if args.workdir:
        work = pathlib.Path(args.workdir)
        work.mkdir(parents=True, exist_ok=True)
    else:
        own_tmp = tempfile.TemporaryDirectory(prefix="sipdns-soak-")
        work = pathlib.Path(own_tmp.name)
    # sipdnsd keeps its serials in a state directory (default /var/lib/sipdns); a benchmark's
    # daemons keep theirs here, so that nothing is left on the machine.
    (work / "state").mkdir(exist_ok=True)
    os.environ["STATE_DIRECTORY"] = str(work / "state")

    flap_addresses = None
    if args.sip_flap:
        why = sip_servers.kamailio_missing()
        if why:
            log(f"--sip-flap: {why}: skipped, the soak runs without flapping SIP targets")
        else:
            flap_addresses = {name: sip_servers.free_loopback_address((5060,))
                              for name in FLAP_HOSTS}

    site = work / "site.yaml"
    qfile = work / "queries.txt"
    base = base_site(args.hosts)

    def site_file(version: int, broken: bool = False) -> str:
        return site_text(base, version, broken, flap_addresses)

    write_atomically(site, site_file(1))
    kamailios: list = []
    flap_bounds = None
    if flap_addresses:
        lines, why = loopback_health_targets(binary, site)
        if why:
            log(f"--sip-flap: {why}")
            return 1
        log(f"--sip-flap: sipdnsd check: {len(lines)} health targets, all on loopback: "
            f"{'; '.join(line.split('health target:', 1)[1].strip() for line in lines)}")
        flap_bounds = sip_flapping.HealthBounds(margin_ms=args.flap_margin_ms, **FLAP_HEALTH)
    qlines = gen_site.query_lines(args.hosts, DOMAIN, 50_000, 1)
    qfile.write_text("\n".join(qlines) + "\n")

    port = free_port([LOOPBACK])
    daemon = Proc([str(binary), "--config", str(site), "--listen", f"{LOOPBACK}:{port}",
                   "--threads", str(args.threads), "--log-level", "info",
                   "--control", str(work / "control")],
                  work / "sipdnsd.log", work)
    procs = [daemon]
    stop = threading.Event()
    checkers: list[Checker] = []
    failures: list[str] = []
    flapper = flap_checker = None
    flap_stop = threading.Event()
    try:
        if flap_addresses:
            for name, addr in flap_addresses.items():
                kamailios.append(sip_servers.KamailioServer(addr, udp=5060, tcp=5060,
                                                            name=f"soak-{name}"))
                kamailios[-1].start()
        if not wait_ready(port, daemon):
            log(f"sipdnsd did not come up:\n{daemon.text()}")
            return 1
        log(f"sipdnsd pid {daemon.pid} on {LOOPBACK}:{port}, {args.threads} threads, "
            f"site of {args.hosts} hosts, rate limiting off")

        # 1. The maximum, briefly.
        probe = Proc(["dnsperf", "-s", LOOPBACK, "-p", str(port), "-d", str(qfile), "-t", "2",
                      "-l", str(args.probe_seconds), "-c", "4", "-q", "200"],
                     work / "dnsperf-probe.out", work)
        procs.append(probe)
        if probe.wait(args.probe_seconds + 30) is None:
            failures.append("the dnsperf probe did not finish")
            return 1
        probe_r = parse_dnsperf(probe.text())
        max_qps = probe_r["qps"]
        if max_qps <= 0:
            log(f"the dnsperf probe measured nothing:\n{probe.text()[-2000:]}")
            return 1
        rate = max(100, int(max_qps * args.load_fraction))
        log(f"max QPS ({args.probe_seconds:g} s probe, dnsperf -c 4 -q 200): {max_qps:.0f}")
        time.sleep(0.5)
        rss_start = rss_kib(daemon.pid)
        rcvbuf_start = udp_rcvbuf_errors()
        server_drops_start = server_socket_drops(port)

        # 2. The soak.
        versions = Versions(1)
        # -b: dnsperf's own socket buffers, 4 MiB as sipdnsd's. With the OS default (~208 KiB),
        # dnsperf's receive queues overflowed now and then when the 2 CPUs were oversubscribed
        # (255 answers lost in one run, all at its sockets, none at sipdnsd's: see the drops line).
        perf = Proc(["dnsperf", "-s", LOOPBACK, "-p", str(port), "-d", str(qfile), "-t", "2",
                     "-l", str(args.duration), "-Q", str(rate), "-c", "4", "-q", "500",
                     "-b", "4096"],
                    work / "dnsperf-soak.out", work)
        procs.append(perf)
        log(f"load: dnsperf -Q {rate} ({args.load_fraction:.0%} of max) -l {args.duration:g} "
            f"-b 4096, "
            f"{args.tcp_clients} TCP checkers + 1 UDP checker, SIGHUP every second")
        for i in range(args.tcp_clients):
            checkers.append(Checker(f"tcp{i}", port, versions, True, stop, args.check_pause))
        checkers.append(Checker("udp", port, versions, False, stop, args.check_pause))
        for c in checkers:
            c.start()
        if flap_addresses:
            flap_names = {f"{name}.{DOMAIN}": name for name in FLAP_HOSTS}
            cycles = max(1, int(args.duration // 2.5))
            flapper = sip_flapping.Flapper([kamailios[FLAP_HOSTS.index("flap2")]], cycles,
                                           FLAP_UP_SECONDS, FLAP_DOWN_SECONDS,
                                           seed=int(time.time()), stop_event=flap_stop)
            judge = sip_flapping.HealthJudge(
                flap_bounds,
                {f"{svc}.{DOMAIN}": set(flap_names) for svc in FLAP_SERVICES},
                {fqdn: {flap_addresses[name]} for fqdn, name in flap_names.items()},
                {f"flap2.{DOMAIN}": flapper.timeline})
            flap_checker = FlapChecker(port, judge, f"flap2.{DOMAIN}", stop, args.check_pause)
            flap_checker.start()
            flapper.start()
            log(f"--sip-flap: kamailio on {flap_addresses} (5060 udp+tcp); flap2 stopped and "
                f"started up to {cycles} times (up {FLAP_UP_SECONDS} s, down "
                f"{FLAP_DOWN_SECONDS} s); health {FLAP_HEALTH}; {flap_bounds.describe()}")

        reloads = {"good": 0, "changed": 0, "broken": 0}
        version = 1
        t_start = time.monotonic()
        step = 0
        while time.monotonic() - t_start < args.duration - 0.5:
            time.sleep(max(0.0, t_start + step + 1 - time.monotonic()))
            kind = ("good", "changed", "broken")[step % 3]
            step += 1
            if kind == "good":
                write_atomically(site, site_file(version))
            elif kind == "changed":
                version += 1
                versions.add(version)  # before the file exists: a checker may see it at once
                write_atomically(site, site_file(version))
            else:
                write_atomically(site, site_file(BROKEN_BASE + step, broken=True))
            if daemon.p.poll() is not None:
                failures.append(f"sipdnsd exited with {daemon.p.returncode} during the soak")
                break
            os.kill(daemon.pid, signal.SIGHUP)
            reloads[kind] += 1
        # Leave a good file behind (the last reload may have been a broken one).
        write_atomically(site, site_file(version))

        if perf.wait(args.duration + 30) is None:
            failures.append("dnsperf did not finish")
        if flapper is not None:
            # The flapper leaves flap2 running; its last start is judged too: the flap checker
            # asks on until flap2 is surely back.
            flap_stop.set()
            flapper.join(timeout=60)
            time.sleep(flap_bounds.recovery)
        stop.set()
        for c in checkers:
            c.join(timeout=10)
        if flap_checker is not None:
            flap_checker.join(timeout=10)
        time.sleep(1.0)  # the last reload settles
        alive = daemon.p.poll() is None
        rss_end = rss_kib(daemon.pid) if alive else 0
        if not alive:
            failures.append(f"sipdnsd exited with {daemon.p.returncode}")

        # The served version is the last good one.
        final = Checker("final", port, versions, False, threading.Event(), 0)
        try:
            m = final._ask("soak-version." + DOMAIN + ".", "TXT")
            served = int(b"".join(m.answer[0][0].strings).decode().split("=", 1)[1])
        except Exception as e:  # noqa: BLE001
            served = -1
            failures.append(f"the final version query failed: {e!r}")

        # 3. Report.
        r = parse_dnsperf(perf.text())
        rcvbuf_drops = udp_rcvbuf_errors() - rcvbuf_start
        server_drops = server_socket_drops(port) - server_drops_start if alive else -1
        print()
        log(f"command: {' '.join(sys.argv)}")
        log(f"dnsperf: sent {r['sent']}, completed {r['completed']}, lost {r['lost']}, "
            f"interrupted {r['interrupted']}, {r['qps']:.0f} QPS (target {rate})")
        if r["sent"] == 0:
            failures.append("dnsperf sent nothing")
        log(f"kernel UDP receive-queue drops during the soak (host-wide RcvbufErrors): "
            f"{rcvbuf_drops}, of which at sipdnsd's sockets: {server_drops}; load average "
            f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
        if r["lost"]:
            failures.append(f"dnsperf lost {r['lost']} queries")
        c_sent = sum(c.sent for c in checkers)
        c_ans = sum(c.answered for c in checkers)
        c_lost = sum(c.lost for c in checkers)
        wrong = sum(c.wrong for c in checkers)
        for c in checkers:
            log(f"  checker {c.name}: sent {c.sent}, answered {c.answered}, lost {c.lost}, "
                f"wrong {c.wrong}, versions seen {min(c.seen) if c.seen else '-'}.."
                f"{max(c.seen) if c.seen else '-'} ({len(c.seen)})")
            for s in c.wrong_samples:
                log(f"    {s}")
        log(f"checkers: sent {c_sent}, answered {c_ans}, lost {c_lost}")
        log(f"wrong-version answers: {wrong}")
        if c_lost:
            failures.append(f"the checkers lost {c_lost} queries")
        if wrong:
            failures.append(f"{wrong} wrong-version answers")
        if c_ans == 0:
            failures.append("the checkers got no answer")
        if flap_checker is not None:
            fc = flap_checker
            log(f"sip-flap: {flapper.describe()}; flap checker: sent {fc.sent}, answered "
                f"{fc.answered}, lost {fc.lost}, wrong {fc.wrong} (judged against the health "
                f"state); flap2 seen withdrawn {fc.withdrawals} times, back {fc.returns} times")
            lag_down, lag_up = sip_flapping.follow_times(flapper.timeline, fc.observations)
            log(f"sip-flap: answers followed within {lag_down * 1000:.0f} ms of flap2's exit "
                f"(bound {flap_bounds.failover * 1000:.0f}) and {lag_up * 1000:.0f} ms of its "
                f"restart (bound {flap_bounds.recovery * 1000:.0f})")
            for sample in fc.samples:
                log(f"    {sample}")
            if flapper.error:
                failures.append(f"the flapper failed: {flapper.error}")
            if fc.lost:
                failures.append(f"the flap checker lost {fc.lost} queries")
            if fc.wrong:
                failures.append(f"{fc.wrong} SRV answers not matching the health state")
            if flapper.done and not fc.withdrawals:
                failures.append(f"flap2 stopped {flapper.done} times, never seen withdrawn")
        log(f"reloads: {sum(reloads.values())} (good {reloads['good']}, changed "
            f"{reloads['changed']}, broken {reloads['broken']}); versions 1..{version} loaded, "
            f"{served} served at the end")
        if served != version:
            failures.append(f"version {served} served at the end, {version} expected")
        growth = rss_end - rss_start
        log(f"RSS: start {rss_start / 1024:.1f} MiB, end {rss_end / 1024:.1f} MiB "
            f"({growth / 1024:+.1f} MiB)")
        if alive and growth > rss_start // 10 + args.rss_slack_kib:
            failures.append(f"RSS grew by {growth} KiB")
        expected, unexpected = classify_log(daemon.text(), str(site),
                                            f"flap2.{DOMAIN}" if flapper is not None else None)
        log(f"log: {len(expected)} expected lines (the {reloads['broken']} broken files' errors"
            f"{', flap2 going down' if flapper is not None else ''}), "
            f"{len(unexpected)} other warnings/errors")
        for line in unexpected[:10]:
            log(f"  unexpected: {line}")
        if unexpected:
            failures.append(f"{len(unexpected)} unexpected warning/error lines in the log")
        if reloads["broken"] and not expected:
            failures.append("the broken files were not reported in the log")
        reload_done = daemon.text().count("reloaded:")
        if reload_done < reloads["good"] + reloads["changed"]:
            failures.append(f"{reload_done} reloads logged, "
                            f"{reloads['good'] + reloads['changed']} good files sent")
    finally:
        stop.set()
        flap_stop.set()
        if flapper is not None:
            flapper.join(timeout=60)
        for p in reversed(procs):
            rc = p.stop()
            if p is daemon and rc not in (0, None):
                failures.append(f"sipdnsd exit code {rc} after SIGTERM")
        for k in kamailios:
            k.close()
        if own_tmp is not None and not failures:
            own_tmp.cleanup()
        elif own_tmp is not None:
            log(f"files kept in {work}")
    for f in failures:
        log(f"FAIL: {f}")
    log("PASS" if not failures else "FAILED")
    return 0 if not failures else 1


if __name__ == "__main__":
    sys.exit(main())
