#!/usr/bin/python3
# SPDX-FileCopyrightText: 2026 The sipdns authors
# SPDX-License-Identifier: BSD-3-Clause
"""Forwarding benchmark (issue 13): cache-hit QPS and CPU per answer of sipdnsd's forwarder beside
Unbound and dnsmasq serving the same upstream data, one thread each, same run; and sipdnsd's
authoritative QPS with `forward:` on and off.

Run through tests/perf/forward_bench.sh (builds sipdnsd first), or directly:

    /usr/bin/python3 tests/perf/forward_bench.py [--names 2000] [--rounds 3] [--duration 10]
                                                 [--out forward.json] ...
    /usr/bin/python3 tests/perf/forward_bench.py --smoke   # < 60 s: checks the script works only

What it does (the benchmark is a script, never a timed test):
1. The upstream: Unbound serving a static local zone fwdbench.example of --names A records
   (h<i>.fwdbench.example, TTL 3600; `.` static: nothing is ever recursed), pinned to
   --upstream-cpu (default: dnsperf's core: it is idle while the caches answer), with a local
   control socket so its query counter can be read before and after each run.
2. The forwarders, each pinned to --server-cpu with taskset, one thread each, all forwarding to
   that upstream: (a) sipdnsd --threads 1 with `forward: { to: [upstream] }` (its forwarder's
   own thread is on the same core: the CPU time counted is the whole process's), (b) Unbound
   num-threads 1 with a forward-zone `.`, (c) dnsmasq (single-threaded) with --server; no rate
   limiting in any (sipdnsd rate_limit 0, Unbound ratelimit 0; dnsmasq has none), caches large
   enough for every name, 4 MiB socket receive buffers where settable.
3. Warm-up: two passes over the names (dnsperf -n 1 each, few outstanding queries so nothing
   is lost); the second pass must be answered from the caches.
4. Rounds (servers in rotating order within each round, so drift and noise hit all alike):
   dnsperf -l DURATION over the same names (cache hits), pinned to --client-cpu. For every run:
   QPS, lost, average latency, the server's CPU time (utime+stime of its processes from
   /proc/PID/stat before and after) per answer, the share of each pinned core used by other
   processes and the hypervisor's steal time (noise), and how many queries reached the
   upstream during the run (should be ~0: the runs measure cache hits).
5. Authoritative: the same rounds with sipdnsd's own site (tests/perf/gen_site.py, --hosts
   hosts and its query mix) against sipdnsd with `forward:` (the daemon of (a)) and a second
   sipdnsd with the same site and no `forward:`.
6. A table on stdout (medians over rounds, min/max), the ratios sipdnsd/Unbound and
   sipdnsd/dnsmasq, the issue's goals (cache-hit QPS >= Unbound's, >= 3x dnsmasq's; auth QPS
   with forwarding within noise of without), and a JSON file (--out) with every run.

Rules: traffic only to 127.0.0.1; every load bounded in time (-l) and count (-n); only the
processes started here are stopped, by PID, on any exit (bench.py's process handling).
"""

from __future__ import annotations

import argparse
import atexit
import json
import math
import os
import pathlib
import platform
import re
import shutil
import signal
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import time
from typing import Optional

HERE = pathlib.Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(HERE))
import bench  # noqa: E402  (process handling, /proc readers, dnsperf parsing)
import gen_site  # noqa: E402
from bench import (CLK_TCK, EXIT_SKIP, LOOPBACK, core_usage, cpu_stat, cpu_ticks,  # noqa: E402
                   fmt, free_port, get, log, med, memory, parse_dnsperf, proc_tree, ratio, reap,
                   spawn, stop, stop_all, tool_version, dnsperf_version)

ZONE = "fwdbench.example"
SITE_DOMAIN = "bench.example.test"
UNBOUND = shutil.which("unbound") or "/usr/sbin/unbound"
UNBOUND_CONTROL = shutil.which("unbound-control") or "/usr/sbin/unbound-control"
DNSMASQ = shutil.which("dnsmasq") or "/usr/sbin/dnsmasq"
FORWARDERS = ("sipdnsd", "unbound", "dnsmasq")


def name_of(i: int) -> str:
    return f"h{i}.{ZONE}"


def address_of(i: int) -> str:
    return f"10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}"


# ---------------------------------------------------------------------------------------------
# Readiness: one query answered NOERROR with an answer (forwarders set AA=0)


def answered(port: int, name: str, qtype: int, timeout: float) -> bool:
    msg_id = int(time.monotonic() * 1000) & 0xFFFF
    wire = bytearray(bench.wire_query(name, qtype, msg_id))
    wire[2] |= 0x01                                   # RD=1, as a stub sends
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(timeout)
        try:
            s.sendto(bytes(wire), (LOOPBACK, port))
            while True:
                data = s.recv(4096)
                if data[:2] == struct.pack("!H", msg_id):
                    break
        except OSError:          # timeout, refused
            return False
    _rid, flags, _qd, an = struct.unpack("!HHHH", data[:8])
    return flags & 0xF == 0 and an > 0


class Server:
    """A DNS server with its own config in workdir on 127.0.0.1:port, pinned with taskset."""

    name = "server"

    def __init__(self, workdir: pathlib.Path, cpu: Optional[int], probe: tuple[str, int]):
        self.workdir = workdir
        self.cpu = cpu
        self.probe = probe
        self.port = 0
        self.proc: Optional[subprocess.Popen] = None
        self.log_path = workdir / f"{self.name}.log"

    def argv(self) -> list[str]:
        raise NotImplementedError

    def start(self, timeout: float) -> "Server":
        self.workdir.mkdir(parents=True, exist_ok=True)
        last = ""
        for _attempt in range(3):
            self.port = free_port()
            argv = self.argv()
            if self.cpu is not None:
                argv = ["taskset", "-c", str(self.cpu)] + argv
            self.cmdline = argv
            t0 = time.monotonic()
            self.proc = spawn(argv, self.log_path, self.workdir)
            while time.monotonic() - t0 < timeout and self.proc.poll() is None:
                if answered(self.port, self.probe[0], self.probe[1], 0.2):
                    self.start_s = time.monotonic() - t0
                    return self
                time.sleep(0.02)
            last = self.log_path.read_text(errors="replace")[-3000:]
            stop(self.proc)
            if "in use" not in last.lower():
                break
        raise RuntimeError(f"{self.name} did not answer {self.probe[0]} within {timeout}s:\n"
                           f"{' '.join(self.cmdline)}\n{last}")

    def pids(self) -> list[int]:
        return proc_tree(self.proc.pid)

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self) -> None:
        if self.proc is not None:
            stop(self.proc)


class Upstream(Server):
    """Unbound as an authoritative-only upstream: static local data, `.` static, query counter
    readable through a local control socket (no TLS, no keys)."""

    name = "upstream"

    def __init__(self, workdir, cpu, names: int):
        super().__init__(workdir, cpu, (name_of(0), 1))
        self.names = names

    def argv(self) -> list[str]:
        w = self.workdir
        data = "".join(f'    local-data: "{name_of(i)}. 3600 IN A {address_of(i)}"\n'
                       for i in range(self.names))
        (w / "unbound.conf").write_text(f"""server:
    interface: {LOOPBACK}@{self.port}
    port: {self.port}
    do-ip6: no
    username: ""
    chroot: ""
    directory: "{w}"
    pidfile: "{w}/unbound.pid"
    logfile: ""
    use-syslog: no
    verbosity: 0
    num-threads: 1
    access-control: 127.0.0.0/8 allow
    module-config: "iterator"
    ratelimit: 0
    ip-ratelimit: 0
    local-zone: "." static
    local-zone: "{ZONE}." static
    local-data: "{ZONE}. 3600 IN SOA ns.{ZONE}. hostmaster.{ZONE}. 1 3600 600 86400 3600"
{data}
remote-control:
    control-enable: yes
    control-interface: "{w}/control.sock"
""")
        return [UNBOUND, "-d", "-c", str(w / "unbound.conf")]

    def queries(self) -> Optional[int]:
        """total.num.queries so far (None when it cannot be read)."""
        try:
            r = subprocess.run([UNBOUND_CONTROL, "-c", str(self.workdir / "unbound.conf"),
                                "stats_noreset"], capture_output=True, text=True, timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            return None
        m = re.search(r"^total\.num\.queries=(\d+)$", r.stdout, re.M)
        return int(m.group(1)) if m else None


def site_text(hosts: int, forward_port: Optional[int]) -> str:
    """gen_site's site (rate limiting off) plus, when forward_port is set, `forward:`."""
    import io
    buf = io.StringIO()
    gen_site.write_site(buf, hosts, SITE_DOMAIN)
    text = buf.getvalue()
    if forward_port is not None:
        text += (f'forward:\n  to: ["{LOOPBACK}:{forward_port}"]\n'
                 f'  allow: [127.0.0.0/8]\n')
    return text


class Sipdnsd(Server):
    path = ""

    def __init__(self, workdir, cpu, site: pathlib.Path, probe, name="sipdnsd"):
        self.name = name
        super().__init__(workdir, cpu, probe)
        self.site = site

    def argv(self) -> list[str]:
        # Its control socket in the run's own directory, never the host's /run/sipdns.
        return [self.path, "--config", str(self.site), "--listen", f"{LOOPBACK}:{self.port}",
                "--threads", "1", "--log-level", "warn",
                "--control", str(self.workdir / "control")]


class UnboundForwarder(Server):
    """Unbound, one thread, forwarding everything to the upstream; caches far larger than the
    names; no validation, no rate limiting, no prefetch; 4 MiB receive buffer like sipdnsd's."""

    name = "unbound"

    def __init__(self, workdir, cpu, upstream_port: int):
        super().__init__(workdir, cpu, (name_of(0), 1))
        self.upstream_port = upstream_port

    def argv(self) -> list[str]:
        w = self.workdir
        (w / "unbound.conf").write_text(f"""server:
    interface: {LOOPBACK}@{self.port}
    port: {self.port}
    do-ip6: no
    username: ""
    chroot: ""
    directory: "{w}"
    pidfile: "{w}/unbound.pid"
    logfile: ""
    use-syslog: no
    verbosity: 0
    num-threads: 1
    so-rcvbuf: 4m
    access-control: 127.0.0.0/8 allow
    do-not-query-localhost: no
    module-config: "iterator"
    msg-cache-size: 64m
    rrset-cache-size: 128m
    ratelimit: 0
    ip-ratelimit: 0
    prefetch: no
forward-zone:
    name: "."
    forward-addr: {LOOPBACK}@{self.upstream_port}
remote-control:
    control-enable: no
""")
        return [UNBOUND, "-d", "-c", str(w / "unbound.conf")]


class Dnsmasq(Server):
    """dnsmasq in the foreground, no config file, no /etc/hosts or resolv.conf, one upstream,
    a cache that holds every name."""

    name = "dnsmasq"

    def __init__(self, workdir, cpu, upstream_port: int, cache: int):
        super().__init__(workdir, cpu, (name_of(0), 1))
        self.upstream_port = upstream_port
        self.cache = cache

    def argv(self) -> list[str]:
        return [DNSMASQ, "--keep-in-foreground", "--conf-file=/dev/null", "--no-resolv",
                "--no-hosts", "--pid-file", f"--server={LOOPBACK}#{self.upstream_port}",
                f"--listen-address={LOOPBACK}", "--bind-interfaces", f"--port={self.port}",
                f"--cache-size={self.cache}", "--log-facility=-"]


# ---------------------------------------------------------------------------------------------
# dnsperf


class Runner:
    def __init__(self, args, tmp: pathlib.Path, upstream: Upstream):
        self.a = args
        self.tmp = tmp
        self.upstream = upstream
        self.runs: list[dict] = []

    def warm(self, server: Server, qfile: pathlib.Path, passes: int = 2) -> list[dict]:
        """One query per name per pass, few at a time (nothing lost, the upstream keeps up)."""
        out = []
        for p in range(passes):
            u0 = self.upstream.queries()
            r = self._dnsperf(server, qfile, ["-n", "1", "-c", "1", "-q", "20"],
                              max_s=60 + self.a.names / 500, tag=f"warm{p}")
            u1 = self.upstream.queries()
            r["upstream_queries"] = (u1 - u0) if None not in (u0, u1) else None
            log(f"warm pass {p} {server.name:9} answered {r['completed']}/{r['sent']} "
                f"lost {r['lost']} upstream queries {r['upstream_queries']}")
            out.append(r)
        return out

    def measure(self, server: Server, qfile: pathlib.Path, lines: int, kind: str,
                rnd: int) -> dict:
        a = self.a
        max_runs = max(1, math.ceil(a.duration * 2_000_000 / lines))
        extra = ["-l", str(a.duration), "-n", str(max_runs), "-c", str(a.clients),
                 "-q", str(a.outstanding)]
        pids = server.pids()
        s0, (u0, k0) = cpu_stat(), cpu_ticks(pids)
        up0 = self.upstream.queries()
        r = self._dnsperf(server, qfile, extra, max_s=a.duration + a.timeout + 30,
                          tag=f"{kind}-{rnd}")
        up1 = self.upstream.queries()
        pids = server.pids()
        (u1, k1), s1 = cpu_ticks(pids), cpu_stat()
        cpu_s = ((u1 + k1) - (u0 + k0)) / CLK_TCK
        r.update({
            "server": server.name, "kind": kind, "round": rnd,
            "server_cpu_s": round(cpu_s, 3),
            "server_cpu_us_per_answer": (round(cpu_s * 1e6 / r["completed"], 3)
                                         if r["completed"] else None),
            "server_core_busy_pct": round(100.0 * cpu_s / r["wall_s"], 1),
            "upstream_queries": (up1 - up0) if None not in (up0, up1) else None,
        })
        if a.server_cpu is not None:
            r["server_core"] = core_usage(s0, s1, a.server_cpu, (u1 + k1) - (u0 + k0))
        if a.client_cpu is not None:
            r["client_core"] = core_usage(s0, s1, a.client_cpu, r["client_cpu_s"] * CLK_TCK)
        if not server.alive():
            raise RuntimeError(f"{server.name} exited during the run (log: {server.log_path})")
        self.runs.append(r)
        log(f"round {rnd} {kind:5} {server.name:18} qps={r['qps']:.0f} lost={r['lost']} "
            f"avg={r['avg_latency_ms']}ms cpu/answer={r['server_cpu_us_per_answer']}us "
            f"server-core={r['server_core_busy_pct']}% client-core={r['client_core_busy_pct']}%"
            f" upstream-queries={r['upstream_queries']}"
            + (f" noise: other tasks {get(r, 'server_core', 'other_tasks_pct')}%/"
               f"{get(r, 'client_core', 'other_tasks_pct')}% steal "
               f"{get(r, 'server_core', 'steal_pct')}%" if r.get("server_core") else ""))
        return r

    def _dnsperf(self, server: Server, qfile: pathlib.Path, extra: list[str], max_s: float,
                 tag: str) -> dict:
        a = self.a
        argv = ["dnsperf", "-s", LOOPBACK, "-p", str(server.port), "-d", str(qfile),
                "-t", str(a.timeout), "-b", "4096"] + extra
        if a.edns:
            argv.append("-e")
        if a.client_cpu is not None:
            argv = ["taskset", "-c", str(a.client_cpu)] + argv
        out_path = self.tmp / f"dnsperf-{server.name}-{tag}.out"
        t0 = time.monotonic()
        p = spawn(argv, self.tmp / "dnsperf.stderr", self.tmp, stdout_path=out_path)
        res = reap(p, max_s)
        if res is None:
            stop(p)
            raise RuntimeError(f"dnsperf did not finish in {max_s:.0f}s: {' '.join(argv)}")
        status, client_cpu_s = res
        wall = time.monotonic() - t0
        text = out_path.read_text(errors="replace")
        r = parse_dnsperf(text)
        if status != 0 or r["sent"] == 0:
            raise RuntimeError(f"dnsperf exited {status}: {' '.join(argv)}\n{text[-2000:]}")
        if not a.keep:
            out_path.unlink()
        r.update({"wall_s": round(wall, 3), "client_cpu_s": round(client_cpu_s, 3),
                  "client_core_busy_pct": round(100.0 * client_cpu_s / wall, 1)})
        return r


# ---------------------------------------------------------------------------------------------
# Summary


def summarize(runs: list[dict], kind: str, names: list[str]) -> dict:
    out = {}
    for n in names:
        rs = [r for r in runs if r["server"] == n and r["kind"] == kind]
        if not rs:
            continue
        qps = [r["qps"] for r in rs]
        cpu = med([r["server_cpu_us_per_answer"] for r in rs])
        out[n] = {"rounds": len(rs), "qps_median": med(qps), "qps_min": min(qps),
                  "qps_max": max(qps),
                  "qps_spread_pct": round(100.0 * (max(qps) - min(qps)) / med(qps), 1)
                  if med(qps) else None,
                  "cpu_us_per_answer": cpu,
                  "answers_per_cpu_second": round(1e6 / cpu) if cpu else None,
                  "avg_latency_ms": med([r["avg_latency_ms"] for r in rs]),
                  "lost": sum(r["lost"] for r in rs), "sent": sum(r["sent"] for r in rs),
                  "rcodes": _sum_rcodes(rs),
                  "upstream_queries": (sum(r["upstream_queries"] for r in rs)
                                       if all(r["upstream_queries"] is not None for r in rs)
                                       else None),
                  "server_core_busy_pct": med([r["server_core_busy_pct"] for r in rs]),
                  "client_core_busy_pct": med([r["client_core_busy_pct"] for r in rs]),
                  "noise_other_tasks_pct_max": max(
                      [v for r in rs for v in (get(r, "server_core", "other_tasks_pct"),
                                               get(r, "client_core", "other_tasks_pct"))
                       if v is not None], default=None),
                  "steal_pct_max": max([v for r in rs for v in (
                      get(r, "server_core", "steal_pct"), get(r, "client_core", "steal_pct"))
                      if v is not None], default=None)}
    return out


def _sum_rcodes(rs: list[dict]) -> dict:
    out: dict[str, int] = {}
    for r in rs:
        for k, v in (r.get("rcodes") or {}).items():
            out[k] = out.get(k, 0) + v
    return out


def goals(fwd: dict, auth: dict) -> list[dict]:
    out = []

    def add(name, ours, bound, met, note=""):
        out.append({"goal": name, "ours": ours, "bound": bound, "met": met, "note": note})

    s, u, d = fwd.get("sipdnsd"), fwd.get("unbound"), fwd.get("dnsmasq")
    if s and u:
        add("cache-hit QPS >= Unbound's", s["qps_median"], u["qps_median"],
            s["qps_median"] >= u["qps_median"],
            f"ratio {ratio(s['qps_median'], u['qps_median'])}")
        add("cache-hit CPU/answer <= Unbound's", s["cpu_us_per_answer"], u["cpu_us_per_answer"],
            (s["cpu_us_per_answer"] or 0) <= (u["cpu_us_per_answer"] or 0),
            f"ratio {ratio(s['cpu_us_per_answer'], u['cpu_us_per_answer'])}")
    if s and d:
        add("cache-hit QPS >= 3 x dnsmasq's", s["qps_median"], 3 * d["qps_median"],
            s["qps_median"] >= 3 * d["qps_median"],
            f"ratio {ratio(s['qps_median'], d['qps_median'])}")
    on, off = auth.get("sipdnsd"), auth.get("sipdnsd-noforward")
    if on and off:
        # "Within noise": the median with forwarding is no lower than the median without by
        # more than the spread of the runs without it (at least 5 %).
        tolerance = max(5.0, off["qps_spread_pct"] or 0.0)
        change = 100.0 * (on["qps_median"] - off["qps_median"]) / off["qps_median"]
        add("authoritative QPS with forward: within noise of without", on["qps_median"],
            off["qps_median"], change >= -tolerance,
            f"{change:+.1f}% (tolerance {tolerance:.1f}%: the spread of the runs without)")
    return out


def print_report(args, fwd: dict, auth: dict, gl: list[dict], warm: dict) -> None:
    w = 13
    print()
    print(f"forwarding benchmark: {args.names} upstream names (cache hits), {args.rounds} "
          f"round(s) of {args.duration}s, dnsperf -c {args.clients} -q {args.outstanding}, "
          f"EDNS {'on' if args.edns else 'off'}; server core {args.server_cpu}, dnsperf core "
          f"{args.client_cpu}, upstream core {args.upstream_cpu}")
    rows = [("QPS median", "qps_median", ".0f"), ("QPS min", "qps_min", ".0f"),
            ("QPS max", "qps_max", ".0f"), ("CPU us/answer", "cpu_us_per_answer", ".2f"),
            ("answers/CPU-second", "answers_per_cpu_second", ".0f"),
            ("avg latency ms", "avg_latency_ms", ".3f"), ("lost", "lost", "d"),
            ("upstream queries in runs", "upstream_queries", "d"),
            ("server core %", "server_core_busy_pct", ".0f"),
            ("dnsperf core %", "client_core_busy_pct", ".0f"),
            ("noise: other tasks % max", "noise_other_tasks_pct_max", ".1f"),
            ("noise: steal % max", "steal_pct_max", ".1f")]
    names = [n for n in FORWARDERS if n in fwd]
    peers = [p for p in ("unbound", "dnsmasq") if p in fwd and "sipdnsd" in fwd]
    print(f"{'':26}" + "".join(f"{n:>{w}}" for n in names)
          + "".join(f"{'sip/' + p:>{w}}" for p in peers))
    for label, key, spec in rows:
        line = f"{label:26}" + "".join(f"{fmt(fwd[n].get(key), spec):>{w}}" for n in names)
        for p in peers:
            q = ratio(fwd["sipdnsd"].get(key), fwd[p].get(key))
            line += f"{fmt(q, '.2f'):>{w}}"
        print(line)
    for n in names:
        print(f"  {n}: rcodes {fwd[n]['rcodes']}; warm-up "
              + ", ".join(f"pass {i}: {r['completed']}/{r['sent']} answered, upstream queries "
                          f"{r['upstream_queries']}" for i, r in enumerate(warm.get(n, []))))
    if auth:
        print(f"\nauthoritative (the site's own names: {args.hosts} hosts, gen_site's query mix)")
        an = [n for n in ("sipdnsd-noforward", "sipdnsd") if n in auth]
        heads = {"sipdnsd-noforward": "forward off", "sipdnsd": "forward on"}
        print(f"{'':26}" + "".join(f"{heads[n]:>{w}}" for n in an) + f"{'on/off':>{w}}")
        for label, key, spec in rows[:7] + rows[8:]:
            line = f"{label:26}" + "".join(f"{fmt(auth[n].get(key), spec):>{w}}" for n in an)
            if len(an) == 2:
                q = ratio(auth["sipdnsd"].get(key), auth["sipdnsd-noforward"].get(key))
                line += f"{fmt(q, '.3f'):>{w}}"
            print(line)
    if gl:
        print("\ngoals (issue 13):")
        for g in gl:
            state = {True: "MET ", False: "MISS", None: "n/a "}[g["met"]]
            print(f"  {state} {g['goal']}: ours {fmt(g['ours'], '.2f')}, bound "
                  f"{fmt(g['bound'], '.2f')}  {g['note']}")


# ---------------------------------------------------------------------------------------------


def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    # 2000: libunbound's default caches (4 MiB message + 4 MiB RRset) hold ~2500-5000 such
    # names; more, asked in the same cyclic order every pass, miss every time (LRU).
    ap.add_argument("--names", type=int, default=2000, help="upstream names (cache hits)")
    ap.add_argument("--hosts", type=int, default=10_000, help="hosts in the authoritative site")
    ap.add_argument("--auth-queries", type=int, default=50_000,
                    help="lines in the authoritative query file")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--duration", type=float, default=10, help="each dnsperf run, seconds")
    ap.add_argument("--clients", type=int, default=4, help="dnsperf -c")
    ap.add_argument("--outstanding", type=int, default=100, help="dnsperf -q")
    ap.add_argument("--timeout", type=int, default=2, help="dnsperf -t: a query is lost after")
    ap.add_argument("--no-edns", dest="edns", action="store_false", help="no dnsperf -e")
    ap.add_argument("--servers", default=",".join(FORWARDERS),
                    help="forwarders to compare (sipdnsd,unbound,dnsmasq)")
    ap.add_argument("--no-auth", dest="auth", action="store_false",
                    help="skip the authoritative forward on/off comparison")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--server-cpu", type=int, default=0)
    ap.add_argument("--client-cpu", type=int, default=1)
    ap.add_argument("--upstream-cpu", type=int, help="default: --client-cpu")
    ap.add_argument("--no-pin", action="store_true", help="no taskset")
    ap.add_argument("--start-timeout", type=float, default=60)
    ap.add_argument("--build-dir", default=os.environ.get("SIPDNS_BUILD_DIR", str(REPO / "build")))
    ap.add_argument("--sipdnsd", help="default BUILD/server/main/sipdnsd")
    ap.add_argument("--out", help="JSON file with every figure (default: none)")
    ap.add_argument("--tmp", help="work directory (default: a new temp dir, removed)")
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    ap.add_argument("--smoke", action="store_true",
                    help="tiny, fast (< 60 s) run that only checks the script works")
    a = ap.parse_args(argv)
    if a.smoke:
        a.names, a.hosts, a.auth_queries = min(a.names, 200), min(a.hosts, 50), 1000
        a.rounds, a.duration = 1, 1
    if float(a.duration).is_integer():
        a.duration = int(a.duration)
    if a.no_pin:
        a.server_cpu = a.client_cpu = a.upstream_cpu = None
    elif (os.cpu_count() or 1) < 2 or a.server_cpu == a.client_cpu:
        log("warning: fewer than 2 cores (or the same core twice): not pinning")
        a.server_cpu = a.client_cpu = a.upstream_cpu = None
    elif a.upstream_cpu is None:
        a.upstream_cpu = a.client_cpu
    a.sipdnsd = a.sipdnsd or str(pathlib.Path(a.build_dir) / "server/main/sipdnsd")
    a.server_list = [s.strip() for s in a.servers.split(",") if s.strip()]
    bad = [s for s in a.server_list if s not in FORWARDERS]
    if bad or a.rounds < 1 or a.names < 1 or a.hosts < 1:
        ap.error(f"bad --servers/--rounds/--names/--hosts: {bad}")
    return a


def main(argv=None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, bench._on_signal)
    signal.signal(signal.SIGHUP, bench._on_signal)
    if signal.getsignal(signal.SIGINT) is not signal.SIG_IGN:
        signal.signal(signal.SIGINT, bench._on_signal)
    atexit.register(stop_all)
    t_begin = time.monotonic()

    missing = [t for t, p in (("dnsperf", shutil.which("dnsperf")),
                              ("unbound", os.access(UNBOUND, os.X_OK) and UNBOUND),
                              ("unbound-control",
                               os.access(UNBOUND_CONTROL, os.X_OK) and UNBOUND_CONTROL))
               if not p]
    if args.server_cpu is not None and not shutil.which("taskset"):
        missing.append("taskset")
    if missing:
        log(f"{', '.join(missing)} not installed (scripts/install-deps.sh): skipping")
        return EXIT_SKIP
    if "dnsmasq" in args.server_list and not os.access(DNSMASQ, os.X_OK):
        if args.smoke:
            log("dnsmasq is not installed: leaving it out")
            args.server_list.remove("dnsmasq")
        else:
            log("dnsmasq is not installed (scripts/install-deps.sh)")
            return 1
    if not os.access(args.sipdnsd, os.X_OK):
        log(f"{args.sipdnsd} not found: build first (scripts/build.sh), or use forward_bench.sh")
        return 1
    Sipdnsd.path = args.sipdnsd

    tmp = (pathlib.Path(args.tmp) if args.tmp
           else pathlib.Path(tempfile.mkdtemp(prefix="sipdns-fwd-bench-")))
    tmp.mkdir(parents=True, exist_ok=True)
    # sipdnsd keeps its serials in a state directory (default /var/lib/sipdns); a benchmark's
    # daemons keep theirs here, so that nothing is left on the machine.
    (tmp / "state").mkdir(exist_ok=True)
    os.environ["STATE_DIRECTORY"] = str(tmp / "state")
    if not args.keep and not args.tmp:
        def cleanup():
            stop_all()
            shutil.rmtree(tmp, True)
        atexit.register(cleanup)
    log(f"work directory {tmp}")
    env = {"host": platform.node(), "kernel": platform.release(), "cpus": os.cpu_count(),
           "loadavg_start": pathlib.Path("/proc/loadavg").read_text().split()[:3],
           "sipdnsd": tool_version([args.sipdnsd, "--version"]),
           "unbound": tool_version([UNBOUND, "-V"]),
           "dnsmasq": tool_version([DNSMASQ, "--version"]), "dnsperf": dnsperf_version(),
           "git": tool_version(["git", "-C", str(REPO), "describe", "--always", "--dirty"])}

    # Query files: every upstream name once, shuffled; the site's query mix.
    import random
    order = list(range(args.names))
    random.Random(args.seed).shuffle(order)
    fwd_q = tmp / "forwarded.txt"
    fwd_q.write_text("".join(f"{name_of(i)} A\n" for i in order))
    auth_q = tmp / "site-queries.txt"
    auth_q.write_text("\n".join(gen_site.query_lines(args.hosts, SITE_DOMAIN, args.auth_queries,
                                                     args.seed)) + "\n")

    upstream = Upstream(tmp / "upstream", args.upstream_cpu, args.names).start(args.start_timeout)
    log(f"upstream (unbound, {args.names} names): port {upstream.port}")

    site_on = tmp / "site-forward.yaml"
    site_on.write_text(site_text(args.hosts, upstream.port))
    site_off = tmp / "site.yaml"
    site_off.write_text(site_text(args.hosts, None))
    if "sipdnsd" in args.server_list:
        chk = subprocess.run([args.sipdnsd, "check", str(site_on)], capture_output=True,
                             text=True, timeout=120)
        if chk.returncode != 0:
            raise RuntimeError(f"sipdnsd check refuses the forwarding site ({chk.returncode}):"
                               f"\n{(chk.stdout + chk.stderr)[-2000:]}")
        env["sipdnsd_check_forward_line"] = next(
            (l.strip() for l in (chk.stdout + chk.stderr).splitlines() if "forward" in l), "")

    servers: dict[str, Server] = {}
    for n in args.server_list:
        if n == "sipdnsd":
            srv = Sipdnsd(tmp / "sipdnsd", args.server_cpu, site_on, (name_of(0), 1))
        elif n == "unbound":
            srv = UnboundForwarder(tmp / "unbound", args.server_cpu, upstream.port)
        else:
            srv = Dnsmasq(tmp / "dnsmasq", args.server_cpu, upstream.port,
                          max(150, 2 * args.names))
        servers[n] = srv.start(args.start_timeout)
        log(f"{n}: port {srv.port}, first answer after {srv.start_s:.3f}s")
    if args.auth and "sipdnsd" in servers:
        off = Sipdnsd(tmp / "sipdnsd-noforward", args.server_cpu, site_off,
                      (SITE_DOMAIN, 6), name="sipdnsd-noforward")
        servers["sipdnsd-noforward"] = off.start(args.start_timeout)
        log(f"sipdnsd-noforward: port {off.port}")

    runner = Runner(args, tmp, upstream)
    warm = {n: runner.warm(servers[n], fwd_q) for n in args.server_list}
    problems = []
    for n, passes in warm.items():
        last = passes[-1]
        if last["completed"] < last["sent"]:
            problems.append(f"{n}: warm-up pass 2 answered {last['completed']}/{last['sent']}")

    fwd_order = list(args.server_list)
    auth_order = [n for n in ("sipdnsd", "sipdnsd-noforward") if n in servers] \
        if args.auth and "sipdnsd" in servers else []
    auth_lines = args.auth_queries
    for rnd in range(args.rounds):
        k = rnd % len(fwd_order)
        for n in fwd_order[k:] + fwd_order[:k]:
            runner.measure(servers[n], fwd_q, args.names, "fwd", rnd)
        if auth_order:
            k = rnd % 2
            for n in auth_order[k:] + auth_order[:k]:
                runner.measure(servers[n], auth_q, auth_lines, "auth", rnd)

    final_memory = {n: memory(s.proc.pid) for n, s in servers.items() if s.alive()}
    for s in list(servers.values())[::-1]:
        s.stop()
    upstream.stop()

    fwd = summarize(runner.runs, "fwd", args.server_list)
    auth = summarize(runner.runs, "auth", auth_order)
    for n, m in final_memory.items():
        for summary in (fwd, auth):
            if n in summary:
                summary[n]["final_memory"] = m
    gl = goals(fwd, auth)
    print_report(args, fwd, auth, gl, warm)
    for kind, summary in (("forwarded", fwd), ("authoritative", auth)):
        for n, s in summary.items():
            if s["lost"] and s["lost"] > 0.01 * s["sent"]:
                problems.append(f"{kind} {n}: lost {s['lost']} of {s['sent']}")
            # every upstream name exists; the site's query mix has NXDOMAIN names
            ok = ("NOERROR",) if kind == "forwarded" else ("NOERROR", "NXDOMAIN")
            bad = {k: v for k, v in s["rcodes"].items() if k not in ok}
            if bad:
                problems.append(f"{kind} {n}: other answers: {bad}")
            if not s["sent"] or not s["qps_median"]:
                problems.append(f"{kind} {n}: no answers")
            if kind == "forwarded" and (s["upstream_queries"] or 0) > 0.01 * s["sent"]:
                problems.append(f"{kind} {n}: {s['upstream_queries']} queries reached the "
                                f"upstream during the runs: not cache hits (cache too small?)")
    elapsed = time.monotonic() - t_begin
    env["loadavg_end"] = pathlib.Path("/proc/loadavg").read_text().split()[:3]
    result = {"args": vars(args), "environment": env, "forwarded": fwd, "authoritative": auth,
              "ratios": {f"sipdnsd/{p}": {k: ratio(get(fwd, "sipdnsd", k), get(fwd, p, k))
                                          for k in ("qps_median", "cpu_us_per_answer",
                                                    "avg_latency_ms")}
                         for p in ("unbound", "dnsmasq") if p in fwd and "sipdnsd" in fwd},
              "authoritative_on_over_off": {k: ratio(get(auth, "sipdnsd", k),
                                                     get(auth, "sipdnsd-noforward", k))
                                            for k in ("qps_median", "cpu_us_per_answer")}
              if len(auth) == 2 else {},
              "goals": gl, "warm_up": warm, "runs": runner.runs, "problems": problems,
              "elapsed_s": round(elapsed, 1)}
    if args.out:
        pathlib.Path(args.out).write_text(json.dumps(result, indent=2, default=str) + "\n")
        log(f"wrote {args.out}")
    log(f"done in {elapsed:.0f}s" + (f"; problems: {problems}" if problems else ""))
    return 1 if problems else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except RuntimeError as e:
        log(f"error: {e}")
        sys.exit(1)
