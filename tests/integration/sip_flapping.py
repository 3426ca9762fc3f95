# SPDX-FileCopyrightText: 2026 The sipdns authors
# SPDX-License-Identifier: BSD-3-Clause
"""Flapping SIP servers and a judge of SRV answers against them (issue 16: "nothing lost" with
live health on, docs/design.md §10). Shared by tests/integration/test_service.py and
tests/soak/soak.py.

`Flapper` is a thread that stops and starts one SIP server (one or more `KamailioServer`s of
sip_servers.py, stopped and started together) a bounded number of times, and records when each
stop and start began and ended (time.monotonic(), under a lock).

`HealthJudge` says whether one SRV answer, sent at t_send and received at t_recv, is consistent
with what the servers were doing. sipdnsd learns of a change only through its probes, so an
answer may lag the truth by the failover or recovery time:

- a configured target may be ABSENT only if its server was (possibly) down at some moment in
  [t_send - recovery_bound, t_recv]: it has not yet answered `rise` probes since;
- a target may be PRESENT only if its server was (possibly) up at some moment in
  [t_send - failover_bound, t_recv]: it has not yet failed `fall` probes since;
- never an empty answer: when every target is (possibly) down, the whole configured set is
  served (fail open);
- the additional section holds exactly the addresses of the targets in the answer (their A/AAAA
  records leave with them, RFC 2782 / design §4).

"Possibly down" runs from the moment the stop began (SIGTERM sent) to the moment the start
ended (every listener answered OPTIONS again); "surely down" from the moment the stop ended
(the process had exited) to the moment the next start began. A target of a server that never
flaps is always up.

The bounds (`HealthBounds`), as design §10 gives them, plus an explicit margin:
  failover_bound = interval_ms x fall + timeout_ms + margin_ms
  recovery_bound = interval_ms x rise + timeout_ms + margin_ms
margin_ms covers what comes after the prober's verdict: the post to the control thread, which
may be busy with a reload (the two never overlap), the rebuild of the live site (milliseconds
for a small site, about a reload's time for a large one), the snapshot swap, the workers picking
it up, and the scheduling delays of a loaded machine. Callers choose it and report it.
"""

from __future__ import annotations

import dataclasses
import math
import random
import threading
import time
from typing import Iterable, Optional, Sequence

INF = math.inf


@dataclasses.dataclass(frozen=True)
class HealthBounds:
    interval_ms: int
    timeout_ms: int
    rise: int
    fall: int
    margin_ms: int

    @property
    def failover(self) -> float:
        """Seconds after which a stopped server's targets must have left every answer."""
        return (self.interval_ms * self.fall + self.timeout_ms + self.margin_ms) / 1000

    @property
    def recovery(self) -> float:
        """Seconds after which a started server's targets must be back in every answer."""
        return (self.interval_ms * self.rise + self.timeout_ms + self.margin_ms) / 1000

    def describe(self) -> str:
        return (f"failover bound {self.failover * 1000:.0f} ms = {self.interval_ms} x "
                f"{self.fall} + {self.timeout_ms} + margin {self.margin_ms}; recovery bound "
                f"{self.recovery * 1000:.0f} ms = {self.interval_ms} x {self.rise} + "
                f"{self.timeout_ms} + margin {self.margin_ms}")


@dataclasses.dataclass
class Outage:
    """One stop/start cycle of a server. Times are time.monotonic(); None = not yet."""
    stop_begin: float
    stop_end: Optional[float] = None
    start_begin: Optional[float] = None
    start_end: Optional[float] = None

    def possibly_down(self) -> tuple[float, float]:
        return self.stop_begin, INF if self.start_end is None else self.start_end

    def surely_down(self) -> Optional[tuple[float, float]]:
        if self.stop_end is None:
            return None
        return self.stop_end, INF if self.start_begin is None else self.start_begin


class Timeline:
    """The outages of one server, appended by its Flapper, read by the judge (thread-safe:
    a time is taken and recorded under one lock, so a reader that holds the lock at time T
    sees every event that began before T)."""

    def __init__(self, outages: Iterable[Outage] = ()):
        self._lock = threading.Lock()
        self._outages = list(outages)

    def record(self, field: str) -> float:
        """Record the event `field` (stop_begin, stop_end, start_begin, start_end) now."""
        with self._lock:
            now = time.monotonic()
            if field == "stop_begin":
                self._outages.append(Outage(now))
            else:
                last = self._outages[-1]
                assert getattr(last, field) is None, f"{field} recorded twice"
                setattr(last, field, now)
            return now

    def outages(self) -> list[Outage]:
        with self._lock:
            return [dataclasses.replace(o) for o in self._outages]

    def could_be_down(self, lo: float, hi: float) -> bool:
        """Was the server possibly down at some moment in [lo, hi]?"""
        return any(a <= hi and lo <= b
                   for a, b in (o.possibly_down() for o in self.outages()))

    def could_be_up(self, lo: float, hi: float) -> bool:
        """Was the server possibly up at some moment in [lo, hi]? No, only if the whole window
        lies within one stretch where it surely was down."""
        for o in self.outages():
            s = o.surely_down()
            if s is not None and s[0] < lo and hi < s[1]:
                return False
        return True


ALWAYS_UP = Timeline()


def follow_times(timeline: Timeline,
                 observations: Iterable[tuple[float, bool]]) -> tuple[float, float]:
    """How far the answers lagged behind the server, from (t_send, target present) of every
    answer: (failover, recovery) in seconds — the latest send time of an answer still holding
    the target after the server had surely exited (minus that exit), and of an answer still
    without it after the server answered again (minus that start's end). 0 when none lagged.
    For the report: the judge's bounds must be above these."""
    failover = recovery = 0.0
    outages = timeline.outages()
    for t_send, present in observations:
        for i, o in enumerate(outages):
            surely = o.surely_down()
            if present and surely and surely[0] <= t_send < surely[1]:
                failover = max(failover, t_send - surely[0])
            next_stop = outages[i + 1].stop_begin if i + 1 < len(outages) else INF
            if not present and o.start_end is not None and o.start_end <= t_send < next_stop:
                recovery = max(recovery, t_send - o.start_end)
    return failover, recovery


def _norm(name: str) -> str:
    return name.lower().rstrip(".")


class HealthJudge:
    """Judges SRV answers of health-managed names.

    configured: {qname: {target, ...}} — the configured SRV target set of each judged name;
    addresses: {target: {address, ...}} — every target's A/AAAA addresses in the site;
    timelines: {target: Timeline} — the flapping servers' targets (others are always up).
    """

    def __init__(self, bounds: HealthBounds, configured: dict[str, set[str]],
                 addresses: dict[str, set[str]], timelines: dict[str, Timeline]):
        self.bounds = bounds
        self.configured = {_norm(q): {_norm(t) for t in ts} for q, ts in configured.items()}
        self.addresses = {_norm(t): set(a) for t, a in addresses.items()}
        self.timelines = {_norm(t): tl for t, tl in timelines.items()}

    def timeline(self, target: str) -> Timeline:
        return self.timelines.get(_norm(target), ALWAYS_UP)

    def judge(self, qname: str, targets: Iterable[str], additional: Iterable[tuple[str, str]],
              t_send: float, t_recv: float) -> Optional[str]:
        """None when the answer (its SRV target names, its additional (owner, address) pairs)
        matches the health state, else why not."""
        qname = _norm(qname)
        configured = self.configured[qname]
        got = {_norm(t) for t in targets}
        stray = got - configured
        if stray:
            return f"{qname}: targets {sorted(stray)} were never configured"
        if not got:
            return f"{qname}: empty answer (all down must serve the whole set)"
        want_additional = {(t, a) for t in got for a in self.addresses.get(t, ())}
        have_additional = {(_norm(n), a) for n, a in additional}
        if have_additional != want_additional:
            return (f"{qname}: additional section {sorted(have_additional)}, expected the "
                    f"addresses of {sorted(got)}: {sorted(want_additional)}")
        down_window = (t_send - self.bounds.recovery, t_recv)
        up_window = (t_send - self.bounds.failover, t_recv)
        if got == configured and all(self.timeline(t).could_be_down(*down_window)
                                     for t in configured):
            return None  # every target possibly down: the whole set (fail open)
        for t in sorted(configured - got):
            if not self.timeline(t).could_be_down(*down_window):
                return (f"{qname}: {t} absent, but its server was up throughout "
                        f"[{down_window[0]:.3f}, {down_window[1]:.3f}] (sent {t_send:.3f})")
        for t in sorted(got):
            if not self.timeline(t).could_be_up(*up_window):
                return (f"{qname}: {t} present, but its server was down throughout "
                        f"[{up_window[0]:.3f}, {up_window[1]:.3f}] (sent {t_send:.3f})")
        return None


def srv_answer_parts(msg) -> tuple[set[str], set[tuple[str, str]]]:
    """(SRV target names, {(owner, address)} of the additional A/AAAA records) of a dnspython
    message."""
    targets = {_norm(str(rd.target)) for rrset in msg.answer if rrset.rdtype == 33
               for rd in rrset}
    additional = {(_norm(rrset.name.to_text()), rd.address) for rrset in msg.additional
                  if rrset.rdtype in (1, 28) for rd in rrset}
    return targets, additional


class Flapper(threading.Thread):
    """Stops and starts one SIP server `cycles` times: up for a random time in `up_seconds`,
    then down for a random time in `down_seconds` (seeded, so a run can be repeated), and
    records each stop/start in `timeline`. Bounded: at most `cycles` outages, each start
    bounded by KamailioServer's own timeouts; `stop_event` ends it early. It leaves the server
    running. `error` holds what went wrong (a start that failed), else None."""

    def __init__(self, servers: Sequence, cycles: int, up_seconds: tuple[float, float],
                 down_seconds: tuple[float, float], seed: int,
                 stop_event: Optional[threading.Event] = None):
        super().__init__(name="flapper", daemon=True)
        assert 0 < cycles <= 1000, "a bounded number of flaps"
        self.servers = list(servers)
        self.cycles = cycles
        self.up_seconds, self.down_seconds = up_seconds, down_seconds
        self.seed = seed
        self.rng = random.Random(seed)
        self.stop_event = stop_event or threading.Event()
        self.timeline = Timeline()
        self.done = 0
        self.error: Optional[str] = None

    def run(self) -> None:
        try:
            for _ in range(self.cycles):
                if self.stop_event.wait(self.rng.uniform(*self.up_seconds)):
                    return
                self.timeline.record("stop_begin")
                for s in self.servers:
                    s.stop()
                self.timeline.record("stop_end")
                self.stop_event.wait(self.rng.uniform(*self.down_seconds))
                self.timeline.record("start_begin")
                for s in self.servers:
                    s.start()
                self.timeline.record("start_end")
                self.done += 1
        except BaseException as e:  # noqa: BLE001 - reported by the test
            self.error = f"{type(e).__name__}: {e}"

    def describe(self) -> str:
        out = self.timeline.outages()
        downs = [o.start_begin - o.stop_end for o in out
                 if o.start_begin is not None and o.stop_end is not None]
        return (f"{self.done} of {self.cycles} flaps (seed {self.seed}), down "
                f"{min(downs, default=0):.2f}..{max(downs, default=0):.2f} s")
