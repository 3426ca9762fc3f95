# SPDX-FileCopyrightText: 2026 The sipdns authors
# SPDX-License-Identifier: BSD-3-Clause
"""The daemon as a service (docs/design.md §6): SIGHUP reloads under load that never lose or mix
answers, systemd notifications, journald-friendly logs, privilege drop with --user."""

from __future__ import annotations

import os
import pathlib
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time

import dns.message
import dns.rcode
import pytest

from sipdnsd_harness import (SIPDNSD, Daemon, free_port, make_query, query, raw_tcp, raw_udp,
                             rss_kib, write_site)

D = "reload.example.test."
QUERY_THREADS = 3
WRITES = 30            # file rewrites + SIGHUP, bounded
WRITE_INTERVAL = 0.15  # seconds between rewrites


def site_version(k: int) -> str:
    """A site whose every answer names its version k: `multi` has three addresses that all end
    in k, `_x._tcp` three SRV targets on port 1000 + k, and a TXT at the apex says v=k. An
    answer that mixed two versions would show two different k. The load below asks each of
    four answers about 500 times a second here, from 127.0.0.1: on a faster machine that
    would reach the default rate limit (1000/s per /24 and response), so it is off."""
    return f"""domain: reload.example.test
ttl: 60
servers:
  - {{ name: ns1, ipv4: 192.0.2.1 }}
hosts:
  multi: [192.0.2.{k}, 198.51.100.{k}, 203.0.113.{k}]
  t1: 192.0.2.101
  t2: 192.0.2.102
  t3: 192.0.2.103
services:
  - {{ service: _x._tcp, port: {1000 + k}, targets: [t1, t2, t3] }}
records:
  - '@ IN TXT "v={k}"'
reverse: off
server:
  rate_limit:
    responses_per_second: 0   # a load test from one address: no response rate limiting
"""


BROKEN = [
    "domain: reload.example.test\nservers:\n  - { name: ns1, ipv4: 192.0.2.300 }\n",
    "domain: reload.example.test\nsever: {}\nhosts: { a: 192.0.2.1 }\n",
    "domain: [reload\n",
]


def write_atomically(path: pathlib.Path, text: str) -> None:
    # As an editor or a config-management tool does: never a half-written file.
    tmp = path.with_suffix(".tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def versions_in(msg) -> set[int]:
    """Every version number an answer carries."""
    found = set()
    for rrset in msg.answer:
        for rd in rrset:
            text = rd.to_text()
            if rrset.rdtype == 1:  # A: the last octet
                found.add(int(text.rsplit(".", 1)[1]))
            elif rrset.rdtype == 33:  # SRV: port - 1000
                found.add(int(text.split()[2]) - 1000)
            elif rrset.rdtype == 16:  # TXT "v=k"
                found.add(int(re.search(r"v=(\d+)", text).group(1)))
    return found


def ask_counted(name: str, qtype: str, port: int, tcp: bool, stats: dict, lock, problems: list):
    """One query under load: counted as sent and answered in `stats`; None (and a problem noted)
    when there is no answer or its rcode is not NOERROR."""
    wire = make_query(name, qtype).to_wire()
    raw = raw_tcp(wire, port) if tcp else raw_udp(wire, port, timeout=2.0)
    with lock:
        stats["sent"] += 1
    if raw is None:
        problems.append(f"no answer to {name} {qtype} ({'tcp' if tcp else 'udp'})")
        return None
    msg = dns.message.from_wire(raw)
    with lock:
        stats["answered"] += 1
    if msg.rcode() != dns.rcode.NOERROR:
        problems.append(f"{name} {qtype}: rcode {dns.rcode.to_text(msg.rcode())}")
        return None
    return msg


class VersionChecker:
    """One client's view of the reloads: the SOA serial never goes back, and every other answer
    carries one version (never a mix), of a file written as good, never older than one seen
    before. Problems go to `problems`; the versions seen to `seen_versions`."""

    def __init__(self, written_good: set[int], seen_versions: set[int], problems: list[str]):
        self.written_good, self.seen_versions, self.problems = written_good, seen_versions, problems
        self.last_serial = 0
        self.last_version = 0

    def check(self, name: str, qtype: str, msg) -> None:
        if qtype == "SOA":
            serial = msg.answer[0][0].serial
            if serial < self.last_serial:
                self.problems.append(f"serial went back from {self.last_serial} to {serial}")
            self.last_serial = serial
            return
        v = versions_in(msg)
        if len(v) != 1:
            self.problems.append(f"{name} {qtype}: answer mixes versions {sorted(v)}")
            return
        (k,) = v
        if k not in self.written_good:
            self.problems.append(f"{name} {qtype}: version {k} was never a good file")
        if k < self.last_version:
            self.problems.append(f"{name} {qtype}: version went back from {self.last_version} "
                                 f"to {k}")
        self.last_version = max(self.last_version, k)
        self.seen_versions.add(k)


def test_reload_under_load_never_loses_or_mixes_answers(tmp_path, start_server):
    site = write_site(tmp_path, "site.yaml", site_version(1))
    srv = start_server(site, threads=2)
    stop = threading.Event()
    problems: list[str] = []
    stats = {"sent": 0, "answered": 0}
    lock = threading.Lock()
    written_good = {1}
    seen_versions: set[int] = set()

    def client(n: int) -> None:
        versions = VersionChecker(written_good, seen_versions, problems)
        i = 0
        while not stop.is_set() and i < 5000:
            i += 1
            name, qtype = [("multi." + D, "A"), ("_x._tcp." + D, "SRV"), (D, "TXT"),
                           (D, "SOA")][i % 4]
            tcp = (i + n) % 5 == 0
            msg = ask_counted(name, qtype, srv.port, tcp, stats, lock, problems)
            if msg is not None:
                versions.check(name, qtype, msg)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(QUERY_THREADS)]
    for t in threads:
        t.start()
    try:
        version = 1
        for w in range(WRITES):
            kind = w % 3  # good again (same content), changed, broken
            if kind == 0:
                text = site_version(version)
            elif kind == 1:
                version += 1
                written_good.add(version)
                text = site_version(version)
            else:
                text = BROKEN[w % len(BROKEN)]
            write_atomically(site, text)
            srv.signal(signal.SIGHUP)
            time.sleep(WRITE_INTERVAL)
        # End on a good file and wait until it serves.
        write_atomically(site, site_version(version))
        srv.signal(signal.SIGHUP)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            m = query(D, "TXT", srv.port)
            if m.answer and f"v={version}" in m.answer[0][0].to_text():
                break
            time.sleep(0.1)
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=30)

    assert not problems, f"{len(problems)} problems, first: {problems[:5]}"
    assert stats["sent"] > 200, f"too little load: {stats}"
    assert stats["answered"] == stats["sent"]
    # The clients really saw the zone change under them, several times.
    assert len(seen_versions) >= 3, f"versions seen: {sorted(seen_versions)}"
    assert srv.proc.poll() is None
    log = srv.log_text()
    # Every broken file was reported with its position, at error level, and did not stop us.
    assert re.search(r"error: .*site\.yaml:\d+:\d+: ", log), log[-2000:]
    assert "reload failed; still serving serial" in log



# --- The same under live SIP health (issue 16): one SCS server flaps while reloads run. -------

# The sanitizer tree's daemon (run_checked.sh sets ASAN_OPTIONS) runs several times slower on a
# machine that runs other tests beside it: a 200 ms probe timeout there judged the steady
# server down. Its timings are stretched, the flaps with them.
SLOW = 2.5 if "ASAN_OPTIONS" in os.environ else 1.0
HEALTH_INTERVAL_MS = int(250 * SLOW)
HEALTH_TIMEOUT_MS = int(200 * SLOW)
HEALTH_RISE = 2
HEALTH_FALL = 2
# After the prober's verdict: the post to the control thread (which may be in a reload of this
# small site, milliseconds), the rebuild and swap (milliseconds), the workers' next batch, and
# scheduling on a 2-core machine busy with 3 query threads and kamailio restarts.
HEALTH_MARGIN_MS = 300 + (2000 if SLOW > 1 else 0)
FLAPS = 5
# Up periods get more room than SLOW under the sanitizer: a kamailio restart, two probe rounds
# and the rebuild all run slower there, and a CI run once saw one "back" fewer than asked for.
FLAP_UP_SECONDS = (0.8 * SLOW ** 1.5, 1.5 * SLOW ** 1.5)  # longer than the recovery bound
FLAP_DOWN_SECONDS = (1.0 * SLOW, 1.8 * SLOW)  # longer than the failover bound: "withdrawn" seen


def health_site_version(k: int, steady: str, flapping: str) -> str:
    """site_version's markers (A `multi` and TXT carry k) on a site whose two SCS servers are
    real SIP servers on loopback, with `health:` on: the SIP SRV sets follow which answer."""
    return f"""domain: reload.example.test
ttl: 60
servers:
  - {{ name: scs1, ipv4: {steady} }}
  - {{ name: scs2, ipv4: {flapping} }}
sip:
  transports: [udp, tcp]
  proxy_port: 5060
  redirect_port: 5070
hosts:
  multi: [192.0.2.{k}, 198.51.100.{k}, 203.0.113.{k}]
records:
  - '@ IN TXT "v={k}"'
reverse: off
health:
  interval_ms: {HEALTH_INTERVAL_MS}
  timeout_ms: {HEALTH_TIMEOUT_MS}
  rise: {HEALTH_RISE}
  fall: {HEALTH_FALL}
  ttl: 5
server:
  rate_limit:
    responses_per_second: 0   # a load test from one address: no response rate limiting
"""


HEALTH_SRV_NAMES = ("_sip._udp." + D, "_sip._tcp." + D, "_sip._tcp.rr.scs2." + D)



# The judge itself, on a synthetic timeline: bounds 1.0 s (failover) and 0.5 s (recovery),
# one outage of b: stop 10.0..10.1, start 14.0..14.2 (possibly down 10.0..14.2, surely down
# 10.1..14.0). Each row: (targets, additional, sent, received, expected verdict or None).
_JUDGE_A, _JUDGE_B = "a.j.test", "b.j.test"
_JUDGE_ADDRS = {_JUDGE_A: {"127.0.0.10"}, _JUDGE_B: {"127.0.0.11"}}
_JUDGE_CASES = [
    # All up before the outage: the whole set.
    ({_JUDGE_A, _JUDGE_B}, None, 5.0, 5.01, None),
    # b withdrawn before it was stopped: wrong.
    ({_JUDGE_A}, None, 9.0, 9.01, "b.j.test absent"),
    # b withdrawn just after the stop began: allowed (it may already be failing).
    ({_JUDGE_A}, None, 10.05, 10.06, None),
    # b still present within the failover bound of its exit: allowed.
    ({_JUDGE_A, _JUDGE_B}, None, 11.0, 11.01, None),
    # b still present long after it exited: wrong.
    ({_JUDGE_A, _JUDGE_B}, None, 12.0, 12.01, "b.j.test present"),
    # b back right after its start began: allowed.
    ({_JUDGE_A, _JUDGE_B}, None, 14.05, 14.06, None),
    # b still absent within the recovery bound of its start: allowed.
    ({_JUDGE_A}, None, 14.6, 14.61, None),
    # b still absent long after it was up again: wrong.
    ({_JUDGE_A}, None, 16.0, 16.01, "b.j.test absent"),
    # Never empty.
    (set(), None, 12.0, 12.01, "empty answer"),
    # A target never configured.
    ({_JUDGE_A, "c.j.test"}, None, 5.0, 5.01, "never configured"),
    # The additional section must follow the answer: b's address left with b, or it is wrong.
    ({_JUDGE_A}, {(_JUDGE_A, "127.0.0.10"), (_JUDGE_B, "127.0.0.11")}, 12.0, 12.01,
     "additional section"),
    ({_JUDGE_A, _JUDGE_B}, {(_JUDGE_A, "127.0.0.10")}, 5.0, 5.01, "additional section"),
]


@pytest.mark.parametrize("targets,additional,sent,received,expected", _JUDGE_CASES)
def test_health_judge_on_a_synthetic_timeline(targets, additional, sent, received, expected):
    from sip_flapping import HealthBounds, HealthJudge, Outage, Timeline

    bounds = HealthBounds(interval_ms=300, timeout_ms=100, rise=1, fall=2, margin_ms=200)
    assert (bounds.failover, bounds.recovery) == (0.9, 0.6)
    b = Timeline([Outage(stop_begin=10.0, stop_end=10.1, start_begin=14.0, start_end=14.2)])
    judge = HealthJudge(bounds, {"_sip._udp.j.test": {_JUDGE_A, _JUDGE_B}}, _JUDGE_ADDRS,
                        {_JUDGE_B: b})
    if additional is None:
        additional = {(t, a) for t in targets for a in _JUDGE_ADDRS.get(t, ())}
    verdict = judge.judge("_sip._udp.j.test.", targets, additional, sent, received)
    if expected is None:
        assert verdict is None, verdict
    else:
        assert verdict is not None and expected in verdict, verdict


def test_health_judge_fail_open_and_open_outage():
    """Both down: the whole set is right, one of them alone is right too (until failover);
    an outage still open (no start yet) keeps the server down up to now."""
    from sip_flapping import HealthBounds, HealthJudge, Outage, Timeline

    bounds = HealthBounds(interval_ms=300, timeout_ms=100, rise=1, fall=2, margin_ms=200)
    a = Timeline([Outage(stop_begin=10.0, stop_end=10.1, start_begin=14.0, start_end=14.2)])
    b = Timeline([Outage(stop_begin=11.0, stop_end=11.1)])  # not started again yet
    judge = HealthJudge(bounds, {"_sip._udp.j.test": {_JUDGE_A, _JUDGE_B}}, _JUDGE_ADDRS,
                        {_JUDGE_A: a, _JUDGE_B: b})
    both = {(t, next(iter(_JUDGE_ADDRS[t]))) for t in (_JUDGE_A, _JUDGE_B)}
    assert judge.judge("_sip._udp.j.test", {_JUDGE_A, _JUDGE_B}, both, 13.0, 13.01) is None
    only_a = {(_JUDGE_A, "127.0.0.10")}
    # b alone after a stopped and b still up: b's outage began later; a absent is right.
    assert judge.judge("_sip._udp.j.test", {_JUDGE_B}, both - only_a, 10.5, 10.51) is None
    # b absent long after a was back and b surely down: a alone is right; b alone is wrong.
    assert judge.judge("_sip._udp.j.test", {_JUDGE_A}, only_a, 20.0, 20.01) is None
    why = judge.judge("_sip._udp.j.test", {_JUDGE_B}, both - only_a, 20.0, 20.01)
    assert why and "a.j.test absent" in why, why


def test_follow_times_measure_the_lag_behind_the_server():
    from sip_flapping import Outage, Timeline, follow_times

    t = Timeline([Outage(stop_begin=10.0, stop_end=10.1, start_begin=14.0, start_end=14.2),
                  Outage(stop_begin=20.0, stop_end=20.2)])
    # Present until 10.7 (0.6 s after the exit), absent until 14.5 (0.3 s after the start),
    # present until 20.6 in the still open second outage (0.4 s).
    observations = [(9.0, True), (10.7, True), (10.8, False), (14.1, False), (14.5, False),
                    (14.6, True), (20.6, True), (20.7, False)]
    lag_down, lag_up = follow_times(t, observations)
    assert (round(lag_down, 3), round(lag_up, 3)) == (0.6, 0.3)
    assert follow_times(t, [(9.0, True), (12.0, False), (15.0, True)]) == (0.0, 0.0)


def test_reload_under_load_with_a_flapping_sip_server(tmp_path, start_server):
    """As above, with health on and scs2's kamailio stopped and started again and again: 0
    lost, every answer NOERROR, versions never mixed nor going back, and every SRV answer
    consistent with the health state (sip_flapping.HealthJudge: scs2 absent only around its
    outages, present only around its up times, never empty, the additional section exactly
    the answer's targets' addresses). The clients must have seen scs2 withdrawn and back."""
    from sip_flapping import Flapper, HealthBounds, HealthJudge, follow_times, srv_answer_parts
    from sip_servers import KamailioServer, free_loopback_address, kamailio_missing

    if kamailio_missing():
        pytest.skip(kamailio_missing())
    steady = free_loopback_address((5060, 5070))
    flapping = free_loopback_address((5060, 5070))
    # Each server answers OPTIONS on its proxy port and its redirect port (the rr.* sets).
    kamailios = {addr: [KamailioServer(addr, udp=5060, tcp=5060),
                        KamailioServer(addr, udp=5070, tcp=5070)] for addr in (steady, flapping)}
    for pair in kamailios.values():
        for k in pair:
            k.start()
    stop = threading.Event()
    flapper = Flapper(kamailios[flapping], FLAPS, FLAP_UP_SECONDS, FLAP_DOWN_SECONDS,
                      seed=int(time.time()), stop_event=stop)
    bounds = HealthBounds(HEALTH_INTERVAL_MS, HEALTH_TIMEOUT_MS, HEALTH_RISE, HEALTH_FALL,
                          HEALTH_MARGIN_MS)
    scs1, scs2 = "scs1." + D.rstrip("."), "scs2." + D.rstrip(".")  # as srv_answer_parts gives
    judge = HealthJudge(bounds, {name: {scs1, scs2} for name in HEALTH_SRV_NAMES},
                        {scs1: {steady}, scs2: {flapping}}, {scs2: flapper.timeline})
    problems: list[str] = []
    stats = {"sent": 0, "answered": 0, "srv_judged": 0}
    lock = threading.Lock()
    written_good = {1}
    seen_versions: set[int] = set()
    srv_seen: list[tuple[float, str, bool]] = []  # (received, name, scs2 withdrawn)
    srv_sent: list[tuple[float, str, bool]] = []  # (sent, name, scs2 withdrawn)
    try:
        site = write_site(tmp_path, "site.yaml", health_site_version(1, steady, flapping))
        srv = start_server(site, threads=2)

        def client(n: int) -> None:
            versions = VersionChecker(written_good, seen_versions, problems)
            i = 0
            kinds = [("multi." + D, "A"), (HEALTH_SRV_NAMES[0], "SRV"), (D, "TXT"),
                     (HEALTH_SRV_NAMES[1], "SRV"), (D, "SOA"), (HEALTH_SRV_NAMES[2], "SRV")]
            while not stop.is_set() and i < 20000:
                i += 1
                name, qtype = kinds[i % len(kinds)]
                tcp = (i + n) % 4 == 0
                sent = time.monotonic()
                msg = ask_counted(name, qtype, srv.port, tcp, stats, lock, problems)
                received = time.monotonic()
                if msg is None:
                    continue
                if qtype == "SRV":
                    targets, additional = srv_answer_parts(msg)
                    why = judge.judge(name, targets, additional, sent, received)
                    if why:
                        problems.append(f"{'tcp' if tcp else 'udp'}: {why}")
                    with lock:
                        stats["srv_judged"] += 1
                        srv_seen.append((received, name, scs2 not in targets))
                        srv_sent.append((sent, name, scs2 not in targets))
                    continue
                versions.check(name, qtype, msg)

        threads = [threading.Thread(target=client, args=(n,)) for n in range(QUERY_THREADS)]
        for t in threads:
            t.start()
        flapper.start()
        try:
            version = 1
            for w in range(400):  # bounded; ends when the flapper is done
                if not flapper.is_alive():
                    break
                kind = w % 3  # good again (same content), changed, broken
                if kind == 0:
                    text = health_site_version(version, steady, flapping)
                elif kind == 1:
                    version += 1
                    written_good.add(version)
                    text = health_site_version(version, steady, flapping)
                else:
                    text = BROKEN[w % len(BROKEN)]
                write_atomically(site, text)
                srv.signal(signal.SIGHUP)
                time.sleep(WRITE_INTERVAL)
            write_atomically(site, health_site_version(version, steady, flapping))
            srv.signal(signal.SIGHUP)
            flapper.join(timeout=60)
            # The last start is judged too: the clients run on until scs2 is surely back.
            time.sleep(bounds.recovery)
        finally:
            stop.set()
            flapper.join(timeout=60)
            for t in threads:
                t.join(timeout=30)
        log = srv.log_text()
        assert srv.proc.poll() is None
    finally:
        for pair in kamailios.values():
            for k in pair:
                k.close()

    lag_down, lag_up = follow_times(flapper.timeline, [
        (sent, not withdrawn) for sent, _, withdrawn in srv_sent])
    print(f"{stats}; {flapper.describe()}; answers followed within {lag_down * 1000:.0f} ms of "
          f"scs2's exit and {lag_up * 1000:.0f} ms of its restart; {bounds.describe()}")
    assert flapper.error is None, flapper.error
    assert flapper.done == FLAPS, flapper.describe()
    assert not problems, (f"{len(problems)} problems, first: {problems[:5]}\n"
                          f"outages: {flapper.timeline.outages()}\n{bounds.describe()}")
    assert stats["sent"] > 500, f"too little load: {stats}"
    assert stats["answered"] == stats["sent"]
    assert len(seen_versions) >= 3, f"versions seen: {sorted(seen_versions)}"
    # The clients really saw scs2 withdrawn and back, in every judged set, several times.
    for name in HEALTH_SRV_NAMES:
        states = [withdrawn for _, n, withdrawn in sorted(srv_seen) if n == name]
        withdrawals = sum(1 for a, b in zip(states, states[1:]) if b and not a)
        returns = sum(1 for a, b in zip(states, states[1:]) if a and not b)
        # Each flap but the last must be seen (under the sanitizer, each but three: its slower
        # rounds may miss a short period, as CI saw once; the judge above still checked every
        # answer, this only shows that the flaps were there to judge).
        seen_enough = FLAPS - (3 if SLOW > 1 else 1)
        assert withdrawals >= seen_enough and returns >= seen_enough, \
            f"{name}: scs2 seen withdrawn {withdrawals} and back {returns} times\n{log[-3000:]}"
    assert re.search(rf"scs2\.{re.escape(D.rstrip('.'))} 5060/udp down: ", log), log[-2000:]
    assert "reload failed; still serving serial" in log


def _big_site(version: int, hosts: int = 30000) -> str:
    """A site big enough that its zone set dwarfs the daemon's own memory; `version` changes one
    address, so each reload builds a new zone set with a new serial."""
    lines = ["domain: big.example.test", "servers:", "  - { name: ns1, ipv4: 192.0.2.1 }",
             "hosts:", f"  changed: 192.0.2.{version}"]
    lines += [f"  h{i}: 10.{i >> 16}.{(i >> 8) & 255}.{i & 255}" for i in range(hosts)]
    lines += ["server:", "  rate_limit: { responses_per_second: 0 }", ""]
    return "\n".join(lines)


@pytest.mark.skipif("ASAN_OPTIONS" in os.environ,
                    reason="ASan's allocator keeps freed memory in quarantine; this checks glibc's")
def test_reload_frees_the_old_zone_set_without_any_query(tmp_path, start_server):
    """An idle PBX: after SIGHUP the workers let go of the old zone set and the daemon returns
    the memory, with no query arriving (the old set once stayed until each worker's next query,
    and its memory after that)."""
    site = write_site(tmp_path, "site.yaml", _big_site(1))
    srv = start_server(site, threads=2)
    before = rss_kib(srv.pid)
    for version in (2, 3):
        write_atomically(site, _big_site(version))
        srv.signal(signal.SIGHUP)
        deadline = time.monotonic() + 30
        while srv.log_text().count("info: reloaded: ") < version - 1:
            assert time.monotonic() < deadline, srv.log_text()[-2000:]
            time.sleep(0.05)
    # The zone set is tens of MiB here; old + new would be double. Allow for the allocator's
    # slack and the log, not for a second zone set.
    zone_kib = before - 8 * 1024
    assert zone_kib > 8 * 1024, f"the site is too small to tell: RSS {before} KiB"
    deadline = time.monotonic() + 5
    after = rss_kib(srv.pid)
    while after > before + zone_kib // 3 and time.monotonic() < deadline:
        time.sleep(0.1)
        after = rss_kib(srv.pid)
    assert after <= before + zone_kib // 3, f"RSS {before} KiB before two reloads, {after} after"
    assert query("changed.big.example.test", "A", srv.port).answer[0][0].address == "192.0.2.3"


def _notify_socket(short_dir: str) -> tuple[socket.socket, str]:
    # A socket path must fit sockaddr_un's 108 bytes (unix(7)), and pytest's tmp_path under a
    # CI checkout does not (CI failed with "AF_UNIX path too long"), so it lives in a short
    # directory of its own under /tmp.
    path = os.path.join(short_dir, "notify.sock")
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind(path)
    s.settimeout(10)
    return s, path


def _receive_until(sock: socket.socket, key: str, limit: int = 20) -> list[str]:
    messages = []
    for _ in range(limit):
        data = sock.recv(4096).decode()
        messages.append(data)
        if key in data.split("\n"):
            return messages
    raise AssertionError(f"no {key} among {messages}")


def test_systemd_notify_ready_reloading_stopping(tmp_path):
    """Type=notify (sd_notify(3)): READY=1 with STATUS once serving, RELOADING=1 with
    MONOTONIC_USEC then READY=1 around a reload, STOPPING=1 on shutdown."""
    short_dir = tempfile.mkdtemp(prefix="sipdns-", dir="/tmp")
    sock, sock_path = _notify_socket(short_dir)
    port = free_port(["127.0.0.1"])
    site = write_site(tmp_path, "site.yaml", site_version(1))
    env = dict(os.environ, NOTIFY_SOCKET=sock_path)
    log = open(tmp_path / "daemon.log", "w")
    proc = subprocess.Popen([SIPDNSD, "--config", str(site), "--listen", f"127.0.0.1:{port}",
                             "--threads", "1"], env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        ready = _receive_until(sock, "READY=1")[-1]
        assert re.search(r"STATUS=.*serial \d+.*\d+ records", ready), ready
        # READY means every listener is bound and the zone is loaded.
        assert query(D, "SOA", port).rcode() == dns.rcode.NOERROR

        write_atomically(site, site_version(2))
        proc.send_signal(signal.SIGHUP)
        reloading = _receive_until(sock, "RELOADING=1")[-1]
        assert re.search(r"^MONOTONIC_USEC=\d+$", reloading, re.M), reloading
        ready2 = _receive_until(sock, "READY=1")[-1]
        assert "STATUS=" in ready2

        proc.send_signal(signal.SIGTERM)
        _receive_until(sock, "STOPPING=1")
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        log.close()
        sock.close()
        shutil.rmtree(short_dir, ignore_errors=True)


def test_startup_logs_one_line_per_listener_zone_and_ready(start_server, tmp_path):
    site = write_site(tmp_path, "site.yaml", site_version(3))
    srv = start_server(site, threads=1)
    log = srv.log_text()
    assert re.search(rf"info: listening on udp 127\.0\.0\.1:{srv.port}\b", log), log
    assert re.search(rf"info: listening on tcp \[::1\]:{srv.port}\b", log), log
    assert re.search(r"info: zone reload\.example\.test\.: serial \d+, \d+ records", log), log
    assert re.search(r"info: ready: 1 worker threads?, serial \d+, \d+ records", log), log
    # Outside journald each line carries a time stamp.
    assert re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} ", log.splitlines()[0])


def test_journald_lines_have_priorities_and_no_time_stamps(tmp_path):
    """Under systemd, stderr is the journal stream and JOURNAL_STREAM names it
    (systemd.exec(5)): the journal adds the time, so the daemon writes only a <N> priority."""
    port = free_port(["127.0.0.1"])
    site = write_site(tmp_path, "site.yaml", site_version(4))
    log_path = tmp_path / "journal.log"
    with open(log_path, "w") as log:
        st = os.fstat(log.fileno())
        env = dict(os.environ, JOURNAL_STREAM=f"{st.st_dev}:{st.st_ino}")
        proc = subprocess.Popen([SIPDNSD, "--config", str(site), "--listen",
                                 f"127.0.0.1:{port}", "--threads", "1"],
                                env=env, stdout=log, stderr=log)
        try:
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and "ready" not in log_path.read_text():
                time.sleep(0.05)
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(timeout=10) == 0
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    lines = log_path.read_text().splitlines()
    assert lines, "nothing logged"
    for line in lines:
        assert re.match(r"<[0-7]>", line), f"no journald priority: {line!r}"
        assert not re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d", line), f"time stamp: {line!r}"
    assert any(l.startswith("<6>") and "ready" in l for l in lines), lines


@pytest.mark.skipif(os.geteuid() != 0, reason="privilege drop needs root")
def test_user_drops_privileges_after_binding_and_reload_still_works():
    """Started as root outside systemd, --user NAME binds first, then runs as NAME; the site
    file stays readable, so SIGHUP still reloads. The state directory, missing at the start, is
    created for NAME, who writes the serials there."""
    import pwd

    nobody = pwd.getpwnam("nobody")
    tmp = pathlib.Path(tempfile.mkdtemp(prefix="sipdns-user-"))
    try:
        os.chmod(tmp, 0o755)
        site = tmp / "site.yaml"
        site.write_text(site_version(5))
        os.chmod(site, 0o644)
        state = tmp / "state"
        srv = Daemon(site, threads=2, extra_args=["--user", "nobody"], name="sipdnsd-user",
                     env={"STATE_DIRECTORY": str(state)})
        srv.start()
        try:
            status = pathlib.Path(f"/proc/{srv.pid}/status").read_text()
            uids = re.search(r"^Uid:\s+(.*)$", status, re.M).group(1).split()
            gids = re.search(r"^Gid:\s+(.*)$", status, re.M).group(1).split()
            assert set(map(int, uids)) == {nobody.pw_uid}, status
            assert set(map(int, gids)) == {nobody.pw_gid}, status
            for task in pathlib.Path(f"/proc/{srv.pid}/task").iterdir():  # every thread
                t_uids = re.search(r"^Uid:\s+(.*)$", (task / "status").read_text(), re.M)
                assert set(map(int, t_uids.group(1).split())) == {nobody.pw_uid}

            write_atomically(site, site_version(6))
            os.chmod(site, 0o644)
            srv.signal(signal.SIGHUP)
            deadline = time.monotonic() + 5
            txt = ""
            while time.monotonic() < deadline:
                m = query(D, "TXT", srv.port)
                txt = m.answer[0][0].to_text() if m.answer else ""
                if "v=6" in txt:
                    break
                time.sleep(0.1)
            assert "v=6" in txt, srv.log_text()[-2000:]
            serial = query(D, "SOA", srv.port).answer[0][0].serial
            assert (state.stat().st_uid, (state / "serials").stat().st_uid) == \
                (nobody.pw_uid, nobody.pw_uid)
            assert f"reload.example.test. {serial} " in (state / "serials").read_text()
            assert "state dir" not in srv.log_text(), srv.log_text()
        finally:
            assert srv.stop() == 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
