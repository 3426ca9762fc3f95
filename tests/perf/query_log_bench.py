#!/usr/bin/python3
# SPDX-FileCopyrightText: 2026 The sipdns authors
# SPDX-License-Identifier: BSD-3-Clause
"""What the query log costs (issue 15, docs/design.md §11): sipdnsd's UDP answers per second
and CPU per answer with no consumer, with `sipdnsd watch` attached, with a watcher that stopped
reading, with server.query_log writing a file and with server.dnstap writing Frame Streams (to a
file and to fstrm_capture's socket) — same site, same queries, same run, rotating order.

    /usr/bin/python3 tests/perf/query_log_bench.py [--rounds 3] [--duration 8] [--hosts 1000]
                     [--baseline /path/to/older/sipdnsd] [--out query_log.json]
    /usr/bin/python3 tests/perf/query_log_bench.py --smoke   # < 60 s: checks the script works

Targets (issue 15): no consumer within noise of a build without the query log (--baseline:
the same run's figures for that binary); file log and dnstap >= 85 % of the QPS of no consumer.
The server runs one worker thread pinned to one core, dnsperf on another (bench.py's rules:
loopback only, every load bounded in time and count, only processes started here are stopped,
by PID). Each variant starts its own daemon, so a consumer's state never leaks into the next.
"""

from __future__ import annotations

import json
import pathlib
import shutil
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import bench  # noqa: E402  (the same servers, dnsperf runner and process rules)
from bench import Bench, Sipdnsd, make_site, med, spawn, stop  # noqa: E402


def variant_site(site: pathlib.Path, work: pathlib.Path, server_lines: list[str]) -> pathlib.Path:
    """The benchmark site with more `server:` settings (gen_site writes `server:` last)."""
    text = site.read_text()
    assert text.rstrip().splitlines()[-3].startswith("server:"), "gen_site's server: moved"
    out = work / "site.yaml"
    out.write_text(text + "".join(f"  {line}\n" for line in server_lines))
    return out


class Variant:
    """A way of consuming the log: its site settings, what it attaches once the daemon runs."""

    def __init__(self, name: str, settings=lambda work: [], attach=None, check=None,
                 needs: tuple[str, ...] = ()):
        self.name = name
        self.settings = settings
        self.attach = attach      # (server, work) -> cleanup callable
        self.check = check        # (work, answered) -> problem text or None
        self.needs = needs


def attach_watch(server: Sipdnsd, work: pathlib.Path):
    """`sipdnsd watch` reading everything into /dev/null (as a terminal would, only faster)."""
    out = open(work / "watch.out", "wb")
    p = subprocess.Popen([Sipdnsd.path, "watch", "--control", str(server.workdir / "control")],
                         stdout=out, stderr=subprocess.PIPE)
    bench._started[p.pid] = p  # stopped by PID with everything else this script started
    first = p.stderr.readline().decode()
    assert "Ctrl-C to stop" in first, first

    def cleanup():
        stop(p)
        out.close()
    return cleanup


def attach_stalled_watch(server: Sipdnsd, work: pathlib.Path):
    """A watcher that subscribes and then never reads: its queue fills and drops."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(str(server.workdir / "control"))
    s.sendall(b"watch\n")
    s.settimeout(5)
    assert s.recv(64).startswith(b"2 watching")
    return s.close


def lines_in(path: pathlib.Path) -> int:
    with open(path, "rb") as f:
        return sum(1 for _ in f)


def check_watch(work: pathlib.Path, answered: int):
    got = lines_in(work / "watch.out")
    return None if got > 0 else f"watch printed nothing for {answered} answers"


def check_file(work: pathlib.Path, answered: int):
    got = lines_in(work / "queries.log")
    return None if got > 0 else f"the query log file is empty after {answered} answers"


def dnstap_frames(path: pathlib.Path) -> int:
    r = subprocess.run(["dnstap-ldns", "-r", str(path), "-q"], capture_output=True, text=True,
                       timeout=300)
    return sum(1 for line in r.stdout.splitlines() if line.strip())


def check_dnstap(name: str):
    def check(work: pathlib.Path, answered: int):
        path = work / name
        if not path.exists() or path.stat().st_size == 0:
            return f"{name} is empty after {answered} answers"
        return None if dnstap_frames(path) > 0 else f"dnstap-ldns decoded nothing from {name}"
    return check


VARIANTS = [
    Variant("none"),
    Variant("watch", attach=attach_watch, check=check_watch),
    Variant("stalled-watch", attach=attach_stalled_watch),
    Variant("file", settings=lambda w: [f"query_log: {{ file: {w / 'queries.log'} }}"],
            check=check_file),
    Variant("dnstap-file", settings=lambda w: [f"dnstap: {{ file: {w / 'dnstap.fstrm'} }}"],
            check=check_dnstap("dnstap.fstrm"), needs=("dnstap-ldns",)),
    Variant("dnstap-socket", settings=lambda w: [f"dnstap: {{ socket: {w / 'dnstap.sock'} }}"],
            check=check_dnstap("captured.fstrm"), needs=("fstrm_capture", "dnstap-ldns")),
]


def start_capture(work: pathlib.Path):
    argv = ["fstrm_capture", "-t", "protobuf:dnstap.Dnstap", "-u", str(work / "dnstap.sock"),
            "-w", str(work / "captured.fstrm")]
    p = spawn(argv, work / "fstrm_capture.log", work)
    deadline = time.monotonic() + 5
    while not (work / "dnstap.sock").exists():
        if time.monotonic() > deadline or p.poll() is not None:
            raise RuntimeError("fstrm_capture did not create its socket: " +
                               (work / "fstrm_capture.log").read_text(errors="replace"))
        time.sleep(0.02)
    return p


def run_variant(args, b: Bench, site: dict, variant: Variant, rnd: int, tmp: pathlib.Path,
                binary: str, label: str) -> dict:
    work = pathlib.Path(tempfile.mkdtemp(prefix=f"{label}-{rnd}-", dir=tmp))
    yaml = variant_site(site["site"], work, variant.settings(work))
    capture = start_capture(work) if variant.name == "dnstap-socket" else None
    Sipdnsd.path = binary
    server = Sipdnsd(work / "server", yaml, [], args.server_cpu)
    server.name = label
    server.start(60)
    cleanup = variant.attach(server, work) if variant.attach else None
    try:
        r = b.dnsperf(server, "udp", rnd, site["queries"], args.queries)
    finally:
        if cleanup:
            cleanup()
        server.stop()
        if capture is not None:
            stop(capture)  # flushes its file
    problem = variant.check(work, r["completed"]) if variant.check else None
    if problem:
        raise RuntimeError(f"{label}: {problem}")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return r


def parse_args(argv):
    ap = bench.self_bench_parser(__doc__.split("\n\n")[0], "1 round of 1 s: the script works")
    ap.add_argument("--baseline", help="an older sipdnsd without the query log, run as 'baseline'")
    return bench.finish_self_bench_args(ap.parse_args(argv), smoke_seconds=1)


def main(argv=None) -> int:
    args = parse_args(argv)
    if not shutil.which("dnsperf"):
        print("SKIP: dnsperf is not installed (scripts/install-deps.sh)")
        return 77
    missing = sorted({t for v in VARIANTS for t in v.needs if not shutil.which(t)})
    if missing:
        print(f"SKIP: {', '.join(missing)} not installed (scripts/install-deps.sh)")
        return 77
    tmp = pathlib.Path(tempfile.mkdtemp(prefix="sipdns-qlog-bench-"))
    try:
        site = make_site(tmp / "site", args.hosts, args.sipdnsd, args.queries)
        b = Bench(args, tmp)
        runs: dict[str, list[dict]] = {}
        plan = [(v, args.sipdnsd, v.name) for v in VARIANTS]
        if args.baseline:
            plan.insert(0, (VARIANTS[0], args.baseline, "baseline"))
        for rnd in range(args.rounds):
            # Rotating order: drift and noise hit every variant alike.
            order = plan[rnd % len(plan):] + plan[:rnd % len(plan)]
            for variant, binary, label in order:
                r = run_variant(args, b, site, variant, rnd, tmp, binary, label)
                runs.setdefault(label, []).append(r)
        summary = {}
        for label, rs in runs.items():
            summary[label] = {"qps": med([r["qps"] for r in rs]),
                              "qps_min": min(r["qps"] for r in rs),
                              "qps_max": max(r["qps"] for r in rs),
                              "cpu_us_per_answer": med([r["server_cpu_us_per_answer"] for r in rs]),
                              "lost": sum(r["lost"] for r in rs)}
        none = summary["none"]
        print(f"\nquery log cost: {args.rounds} rounds x {args.duration} s UDP, {args.hosts} hosts,"
              f" one server thread (core {args.server_cpu}), dnsperf on core {args.client_cpu}")
        print(f"{'variant':15} {'qps (median)':>13} {'min..max':>21} {'cpu us/answer':>14} "
              f"{'qps vs none':>12} {'cpu vs none':>12}")
        for label, s in summary.items():
            print(f"{label:15} {s['qps']:13.0f} {s['qps_min']:10.0f}..{s['qps_max']:<10.0f} "
                  f"{s['cpu_us_per_answer']:14.3f} {s['qps'] / none['qps']:12.3f} "
                  f"{s['cpu_us_per_answer'] / none['cpu_us_per_answer']:12.3f}")
        targets = [(f"{label} >= 85 % of the QPS of no consumer",
                    summary[label]["qps"] >= 0.85 * none["qps"])
                   for label in ("file", "dnstap-file", "dnstap-socket") if label in summary]
        if "baseline" in summary:
            targets.append(("no consumer within 5 % of the baseline build",
                            none["qps"] >= 0.95 * summary["baseline"]["qps"]))
        for text, ok in targets:
            print(f"  {'met ' if ok else 'MISSED'} {text}")
        if args.out:
            pathlib.Path(args.out).write_text(json.dumps({"summary": summary, "runs": runs},
                                                         indent=1))
        if args.smoke:
            print("smoke: every variant answered and every consumer got its lines "
                  "(figures not meaningful)")
        return 0
    finally:
        bench.stop_all()
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
