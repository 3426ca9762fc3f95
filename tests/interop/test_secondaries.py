# SPDX-FileCopyrightText: 2026 The sipdns authors
# SPDX-License-Identifier: BSD-3-Clause
"""Knot DNS 3.2 and NSD 4.6 as secondaries of sipdnsd (zone transfer, RFC 5936 / 1995 / 1996).

For the examples scs-ha and lab, with `server.transfer: {allow: [127.0.0.1/32, ::1/128],
notify: [<Knot>, <NSD>]}` added to the site file:
- both secondaries get every zone of the site (the forward zone and the reverse zones, the list
  taken from `sipdnsd export`) by zone transfer from sipdnsd and serve sipdnsd's serial;
- they give the same answers as sipdnsd to the interop corpus (test_knot.py says what is
  compared; the deliberate differences ANY_UDP, ANY_TCP, NAPTR_ADD, NSD_NS, NSD_ANY_EMPTY are
  listed with their reasons in interop_harness.py);
- a change to the site file followed by SIGHUP reaches both within NOTIFY_WAIT seconds (new
  serial, the new host's A and PTR records). The SOA refresh is 3600 s, so only the NOTIFY
  sipdnsd sends on a serial change can explain it (both secondaries also log the NOTIFY); Knot
  transfers the change by IXFR (its log says "IXFR, incoming", with no fallback to AXFR).
- across a restart of sipdnsd with a changed site file that came back with an old modification
  time (cp -p, a backup), Knot keeps following: the state directory keeps the serial above the
  one Knot has, and the NOTIFY sent at start brings the change (Knot transfers only a greater
  serial, RFC 1982; without the state the file's time would give a lower one).
- with `server.transfer.catalog`, Knot (catalog-role: interpret) and BIND 9.18 (catalog-zones)
  configured with the catalog zone alone get every zone of the site from it, and after a
  reload that adds a host in a new subnet they add its new reverse zone by themselves (their
  configuration untouched) and answer its PTR record (RFC 9432).
Without secondaries:
- AXFR and IXFR from a client outside `allow` get REFUSED (over IPv4 and IPv6), from an
  address in it the whole zone; ordinary queries are answered whatever `allow` says;
- AXFR, and IXFR from a serial sipdnsd holds no difference from (answered AXFR-style, RFC 1995
  §4), of every zone hold exactly the records
  `sipdnsd export` prints, between two copies of the SOA; dnspython's transfer client accepts
  both;
- with geo-aware clusters, a transfer serves the no-location (default) view, even to a client
  inside a location;
- the NOTIFY messages themselves: one per zone to every target at startup and after a reload
  that changes the serial, none after a reload that does not, no repeat once answered, a bounded
  number of retries when never answered (targets over IPv4 and IPv6).
"""

from __future__ import annotations

import collections
import os
import pathlib
import select
import signal
import time

import dns.flags
import dns.opcode
import dns.query
import dns.rcode
import dns.rdatatype
import dns.reversename
import dns.xfr
import dns.zone
import pytest

from interop_harness import (LOOPBACK4, Daemon, ZoneData, build_corpus, compare_corpus,
                             export_zones, free_port, report, run_corpus, send)
from secondary_harness import (BindSecondary, KnotSecondary, NotifySink, NsdSecondary, ixfr_query,
                               rrset_texts, soa_serial, tcp_transfer, unused_address_in_reverse_zone,
                               wait_until, with_host, with_transfer, zone_records)
from sipdnsd_harness import example, make_query, run_sipdnsd, split_export

SITES = ["scs-ha", "lab"]
ALLOW = ["127.0.0.1/32", "::1/128"]
TRANSFER_WAIT = 20.0   # secondaries started -> every zone at sipdnsd's serial
RELOAD_WAIT = 5.0      # SIGHUP -> sipdnsd serves the new serial
NOTIFY_WAIT = 10.0     # SIGHUP -> both secondaries serve the new serial and the new host
SETTLE = 2.0           # a secondary's last reload -> corpus (see Deployment.settle)
NEW_HOST = "newhost"


def _tail(text: str, n: int = 40) -> str:
    return "\n".join(text.splitlines()[-n:])


# ---------------------------------------------------------------------------------------------
# sipdnsd with Knot and NSD as its secondaries


class Deployment:
    """sipdnsd serving one example site (plus server.transfer) on 127.0.0.1, Knot and NSD as
    secondaries of every zone."""

    def __init__(self, name: str, tmp: pathlib.Path):
        self.name = name
        self.tmp = tmp
        self.daemon = None
        self.secondaries = []
        self.ready_at = {}

    def start(self) -> "Deployment":
        knot_port = free_port([LOOPBACK4])
        nsd_port = free_port([LOOPBACK4])
        for _ in range(10):
            if nsd_port != knot_port:
                break
            nsd_port = free_port([LOOPBACK4])
        self.site_text = with_transfer(example(self.name).read_text(), ALLOW,
                                       [f"127.0.0.1:{knot_port}", f"127.0.0.1:{nsd_port}"])
        self.site = self.tmp / "site.yaml"
        self.site.write_text(self.site_text)
        self.zones = export_zones(self.site)
        self.origins = [o for o, _ in self.zones]
        self.corpus = build_corpus(self.zones)
        self.daemon = Daemon(self.site, listen=["127.0.0.1:{port}"],
                             name=f"sipdnsd-primary-{self.name}").start()
        self.serial = soa_serial(self.daemon.port, self.origins[0])
        assert self.serial is not None
        for o in self.origins:
            assert soa_serial(self.daemon.port, o) == self.serial, f"{o}: another serial"
        # The NOTIFY sipdnsd sent at startup found nobody listening; the secondaries start
        # after it and transfer every zone on their own (Knot: bootstrap, NSD: no zone data).
        self.knot = KnotSecondary(self.origins, self.tmp / "knot", knot_port, self.daemon.port)
        self.nsd = NsdSecondary(self.origins, self.tmp / "nsd", nsd_port, self.daemon.port)
        self.secondaries = [self.knot, self.nsd]
        for s in self.secondaries:
            s.start()
        self._ours = None
        return self

    def ours(self):
        if self._ours is None:
            self._ours = run_corpus(self.corpus, self.daemon.port)
        return self._ours

    def wait_serial(self, sec, serial: int, timeout: float) -> tuple[bool, float, dict]:
        got = {}

        def all_there():
            for o in self.origins:
                got[o] = sec.soa_serial(o)
            return all(v == serial for v in got.values())
        ok, took = wait_until(all_there, timeout)
        if ok:
            self.ready_at.setdefault((sec.name, serial), time.monotonic())
        return ok, took, got

    def settle(self, sec, serial: int) -> None:
        """Wait until SETTLE seconds have passed since `sec` first served `serial`: NSD resets
        a TCP connection about 1 s after the reload that follows a transfer (its old server
        process going away), which would show as a missing answer."""
        since = self.ready_at[(sec.name, serial)]
        time.sleep(max(0.0, since + SETTLE - time.monotonic()))

    def diagnostics(self, sec) -> str:
        return (f"--- {sec.name} ({' '.join(sec.argv)}), log:\n{_tail(sec.log_text())}\n"
                f"--- sipdnsd log:\n{_tail(self.daemon.log_text())}")

    def stop(self) -> int:
        for s in self.secondaries:
            s.stop()
        return self.daemon.stop() if self.daemon else 0


@pytest.fixture(scope="module", params=SITES)
def deployment(request, tmp_path_factory):
    dep = Deployment(request.param, tmp_path_factory.mktemp(f"secondaries-{request.param}"))
    try:
        dep.start()
        yield dep
    finally:
        rc = dep.stop()
    assert rc == 0, f"sipdnsd exited with {rc} after SIGTERM"


@pytest.mark.parametrize("which", ["knot", "nsd"])
def test_secondary_transfers_every_zone(deployment, which):
    sec = getattr(deployment, which)
    ok, took, got = deployment.wait_serial(sec, deployment.serial, TRANSFER_WAIT)
    assert ok, (f"{sec.name} does not serve sipdnsd's serial {deployment.serial} for every zone "
                f"after {TRANSFER_WAIT}s: {got}\n{deployment.diagnostics(sec)}")
    print(f"{deployment.name}: {sec.name} has {len(deployment.origins)} zones "
          f"({', '.join(deployment.origins)}) at serial {deployment.serial} after {took:.2f}s")


@pytest.mark.parametrize("which", ["knot", "nsd"])
def test_secondary_answers_like_sipdnsd(deployment, which):
    sec = getattr(deployment, which)
    ok, _, got = deployment.wait_serial(sec, deployment.serial, TRANSFER_WAIT)
    assert ok, f"{sec.name} has not transferred every zone: {got}\n{deployment.diagnostics(sec)}"
    deployment.settle(sec, deployment.serial)
    theirs = run_corpus(deployment.corpus, sec.port)
    # A secondary that still misses a query (NSD resetting a TCP connection after a reload) is
    # asked again; the count is reported. sipdnsd's own answers are never re-asked.
    resent = 0
    for i, (key, a) in enumerate(list(theirs.items())):
        for _ in range(2):
            if not theirs[key].timeout:
                break
            resent += 1
            time.sleep(0.2)
            theirs[key] = send(key[0], sec.port, key[1], key[2], msg_id=i & 0xFFFF)
    ours = deployment.ours()
    mismatches, explained, n = compare_corpus(deployment.corpus, ours, theirs,
                                              ZoneData(deployment.zones), which)
    text = report(f"{'Knot DNS' if which == 'knot' else 'NSD'} as sipdnsd's secondary",
                  deployment.name, mismatches, explained, n)
    if resent:
        text += f"\n  {resent} queries re-sent to {sec.name} after no answer"
    print(text)
    assert not mismatches, text


def test_reload_reaches_the_secondaries_by_notify(deployment):
    """Runs after the corpus tests (it changes the site)."""
    d = deployment
    for sec in d.secondaries:
        ok, _, got = d.wait_serial(sec, d.serial, TRANSFER_WAIT)
        assert ok, f"{sec.name} has not transferred every zone: {got}\n{d.diagnostics(sec)}"
    # Refresh timers long enough that only a NOTIFY can bring the change within seconds.
    soa = make_query(d.origins[0] + ".", "SOA")
    m = dns.query.udp(soa, LOOPBACK4, port=d.daemon.port, timeout=2.0)
    refresh = m.answer[0][0].refresh
    assert refresh >= 3600 > NOTIFY_WAIT, f"SOA refresh {refresh}"
    notify_log_before = {s.name: s.log_text().lower().count("notify") for s in d.secondaries}
    knot_log_before = len(d.knot.log_text())

    address = unused_address_in_reverse_zone(d.zones)
    new_text = with_host(d.site_text, NEW_HOST, address)
    d.site.write_text(new_text)
    new_zones = export_zones(d.site)
    assert [o for o, _ in new_zones] == d.origins, "the new host must not add a zone"
    fqdn = f"{NEW_HOST}.{d.origins[0]}."
    ptr = dns.reversename.from_address(address).to_text()

    t0 = time.monotonic()
    d.daemon.signal(signal.SIGHUP)
    ok, _ = wait_until(lambda: soa_serial(d.daemon.port, d.origins[0]) not in (None, d.serial),
                       RELOAD_WAIT)
    assert ok, f"sipdnsd still serves serial {d.serial} {RELOAD_WAIT}s after SIGHUP\n" \
               f"{_tail(d.daemon.log_text())}"
    new_serial = soa_serial(d.daemon.port, d.origins[0])
    assert (new_serial - d.serial) % 2**32 < 2**31, \
        f"serial went backwards: {d.serial} -> {new_serial} (RFC 1982)"
    assert rrset_texts(d.daemon.port, fqdn, "A") == {address}
    for o in d.origins:
        assert soa_serial(d.daemon.port, o) == new_serial, f"{o}: serial not {new_serial}"

    timings = {}
    for sec in d.secondaries:
        remaining = max(0.1, NOTIFY_WAIT - (time.monotonic() - t0))

        def updated():
            return (all(sec.soa_serial(o) == new_serial for o in d.origins)
                    and rrset_texts(sec.port, fqdn, "A") == {address}
                    and rrset_texts(sec.port, ptr, "PTR") == {fqdn.lower()})
        ok, _ = wait_until(updated, remaining)
        got = {o: sec.soa_serial(o) for o in d.origins}
        assert ok, (f"{sec.name} did not get serial {new_serial} and {fqdn} A {address} / "
                    f"{ptr} PTR within {NOTIFY_WAIT}s of SIGHUP: serials {got}, A "
                    f"{rrset_texts(sec.port, fqdn, 'A')}, PTR "
                    f"{rrset_texts(sec.port, ptr, 'PTR')}\n{d.diagnostics(sec)}")
        timings[sec.name] = time.monotonic() - t0
        # The secondaries say why they refreshed.
        assert sec.log_text().lower().count("notify") > notify_log_before[sec.name], \
            f"{sec.name} logged no NOTIFY\n{d.diagnostics(sec)}"
    # Knot asks for the difference (RFC 1995 IXFR, its log says "IXFR, incoming") and takes it
    # as sent: no fallback to a whole-zone transfer.
    knot_log = d.knot.log_text()[knot_log_before:]
    assert "IXFR, incoming" in knot_log and "fallback to AXFR" not in knot_log, \
        f"Knot did not transfer the change by IXFR\n{d.diagnostics(d.knot)}"
    d.serial = new_serial
    print(f"{d.name}: serial {new_serial} with {fqdn} on the secondaries after "
          + ", ".join(f"{k} {v:.2f}s" for k, v in timings.items()))


def test_knot_follows_across_a_restart_with_an_old_file(tmp_path):
    knot_port = free_port([LOOPBACK4])
    primary_port = free_port([LOOPBACK4])
    for _ in range(10):
        if primary_port != knot_port:
            break
        primary_port = free_port([LOOPBACK4])
    text = with_transfer(example("scs-ha").read_text(), ALLOW, [f"127.0.0.1:{knot_port}"])
    site = tmp_path / "site.yaml"
    site.write_text(text)
    day = 86400
    t0 = int(time.time()) - day
    os.utime(site, (t0, t0))
    origins = [o for o, _ in export_zones(site)]
    state = {"STATE_DIRECTORY": str(tmp_path / "state")}  # one state dir for both runs

    knot = KnotSecondary(origins, tmp_path / "knot", knot_port, primary_port)
    daemon = Daemon(site, listen=["127.0.0.1:{port}"], port=primary_port, env=state,
                    name="sipdnsd-restart-1").start()
    try:
        first = soa_serial(primary_port, origins[0])
        assert first == t0, _tail(daemon.log_text())
        knot.start()
        ok, _ = wait_until(lambda: all(knot.soa_serial(o) == first for o in origins),
                           TRANSFER_WAIT)
        assert ok, f"Knot did not transfer serial {first}\n{_tail(knot.log_text())}"
        assert daemon.stop() == 0
        notify_log_before = knot.log_text().lower().count("notify")

        # The site changes and comes back with a time a month older than the first file's.
        address = unused_address_in_reverse_zone(export_zones(site))
        site.write_text(with_host(text, NEW_HOST, address))
        old = t0 - 30 * day
        os.utime(site, (old, old))
        without_state = int(run_sipdnsd("check", str(site)).stdout.split("serial: ")[1].split()[0])
        assert without_state == old < first  # the file's time alone would go back

        daemon = Daemon(site, listen=["127.0.0.1:{port}"], port=primary_port, env=state,
                        name="sipdnsd-restart-2").start()
        second = soa_serial(primary_port, origins[0])
        assert second == first + 1, _tail(daemon.log_text())
        fqdn = f"{NEW_HOST}.{origins[0]}."
        ptr = dns.reversename.from_address(address).to_text()

        def followed():
            return (all(knot.soa_serial(o) == second for o in origins)
                    and rrset_texts(knot.port, fqdn, "A") == {address}
                    and rrset_texts(knot.port, ptr, "PTR") == {fqdn.lower()})
        # The SOA refresh is an hour: only the NOTIFY sent at start can bring it this soon.
        ok, took = wait_until(followed, NOTIFY_WAIT)
        assert ok, (f"Knot did not follow to serial {second} after the restart: "
                    f"{ {o: knot.soa_serial(o) for o in origins} }\n{_tail(knot.log_text())}\n"
                    f"--- sipdnsd log:\n{_tail(daemon.log_text())}")
        assert knot.log_text().lower().count("notify") > notify_log_before, \
            f"Knot logged no NOTIFY\n{_tail(knot.log_text())}"
        print(f"Knot at serial {second} (was {first}; the file's time gives {old}) "
              f"{took:.2f}s after the restart")
    finally:
        knot.stop()
        daemon.stop()


# ---------------------------------------------------------------------------------------------
# AXFR / IXFR straight from sipdnsd


def _site_with_transfer(tmp: pathlib.Path, name: str, allow, notify=(), text=None):
    text = text if text is not None else example(name).read_text()
    p = tmp / f"{name}-transfer.yaml"
    p.write_text(with_transfer(text, list(allow), list(notify)))
    return p


def _assert_whole_zone(t, origin: str, zone_text: str, what: str) -> None:
    expected = {(n, ttl, typ, rd) for n, ttl, typ, rd in zone_records(zone_text, origin)}
    assert t.messages, f"{what}: no answer"
    first = t.messages[0]
    assert t.rcode == dns.rcode.NOERROR, f"{what}: rcode {dns.rcode.to_text(t.rcode)}"
    assert first.flags & dns.flags.QR and first.flags & dns.flags.AA, \
        f"{what}: flags {dns.flags.to_text(first.flags)}"
    assert first.question and first.question[0].name.to_text().lower() == origin + ".", \
        f"{what}: question {first.question}"
    rrs = t.rrs
    assert len(rrs) >= 2 and rrs[0][2] == "SOA" and rrs[-1][2] == "SOA", \
        f"{what}: does not start and end with the SOA:\n{t.describe()}"
    assert rrs[0] == rrs[-1], f"{what}: first and last SOA differ: {rrs[0]} / {rrs[-1]}"
    body = rrs[:-1]
    dupes = [rr for rr, n in collections.Counter(body).items() if n > 1]
    assert not dupes, f"{what}: records sent twice: {dupes}"
    got = set(body)
    # The serial may differ from the export's (export and daemon both use the file's mtime,
    # so it should not): compare the SOA separately.
    soa_x = {r for r in expected if r[2] == "SOA"}
    soa_g = {r for r in got if r[2] == "SOA"}
    assert soa_g == soa_x, f"{what}: SOA {soa_g} != export {soa_x}"
    assert got == expected, (f"{what}: differs from `sipdnsd export`:\n"
                             f" missing {sorted(expected - got)}\n extra {sorted(got - expected)}")
    for m in t.messages:
        assert m.rcode() == dns.rcode.NOERROR and not m.flags & dns.flags.TC


def _dnspython_zone(port: int, origin: str, query=None, addr=LOOPBACK4) -> set:
    z = dns.zone.Zone(origin + ".", relativize=False)
    dns.query.inbound_xfr(addr, z, query=query, port=port, timeout=5.0, lifetime=10.0)
    return {(n.to_text().lower(), rds.ttl, dns.rdatatype.to_text(rds.rdtype), rd.to_text().lower())
            for n, node in z.nodes.items() for rds in node.rdatasets for rd in rds}


@pytest.mark.parametrize("name", SITES + ["sip-cluster", "lync", "scs-tls"])
def test_axfr_and_ixfr_give_the_whole_zone(tmp_path, name):
    site = _site_with_transfer(tmp_path, name, ALLOW)
    zones = export_zones(site)
    with Daemon(site, name=f"sipdnsd-xfr-{name}") as d:   # 127.0.0.1 and ::1
        for origin, text in zones:
            serial = soa_serial(d.port, origin)
            expected = zone_records(text, origin)
            axfr = make_query(origin + ".", "AXFR", edns=None)
            _assert_whole_zone(tcp_transfer(d.port, axfr), origin, text, f"AXFR {origin}")
            _assert_whole_zone(tcp_transfer(d.port, axfr, addr="::1"), origin, text,
                               f"AXFR {origin} over IPv6")
            _assert_whole_zone(tcp_transfer(d.port, ixfr_query(origin, 0)), origin, text,
                               f"IXFR {origin} serial 0")
            _assert_whole_zone(tcp_transfer(d.port, ixfr_query(origin, serial - 1)), origin,
                               text, f"IXFR {origin} serial {serial - 1}")
            # Up to date: a single SOA (RFC 1995 §2) or, as the contract allows, the whole zone.
            t = tcp_transfer(d.port, ixfr_query(origin, serial))
            if len(t.rrs) == 1:
                assert t.rcode == dns.rcode.NOERROR and t.rrs[0][2] == "SOA" \
                    and t.rrs[0] in expected, f"IXFR {origin} at {serial}:\n{t.describe()}"
            else:
                _assert_whole_zone(t, origin, text, f"IXFR {origin} serial {serial}")
            # An independent client: dnspython's AXFR and IXFR (serial 0) into a zone.
            assert _dnspython_zone(d.port, origin) == expected, f"dnspython AXFR {origin}"
            q, _ = dns.xfr.make_query(dns.zone.Zone(origin + "."), serial=0)
            assert _dnspython_zone(d.port, origin, query=q) == expected, \
                f"dnspython IXFR {origin}"
            # Over UDP: IXFR gets the SOA alone ("does not fit", go to TCP: RFC 1995 §2),
            # AXFR is not a UDP thing (RFC 5936 §4.2).
            r = dns.query.udp(ixfr_query(origin, 0), LOOPBACK4, port=d.port, timeout=2.0)
            assert r.rcode() == dns.rcode.NOERROR and len(r.answer) == 1 \
                and r.answer[0].rdtype == dns.rdatatype.SOA and r.answer[0][0].serial == serial, \
                f"IXFR over UDP {origin}:\n{r}"
            r = dns.query.udp(make_query(origin + ".", "AXFR", edns=None), LOOPBACK4,
                              port=d.port, timeout=2.0)
            assert r.rcode() != dns.rcode.NOERROR and not r.answer, f"AXFR over UDP:\n{r}"
            # sipdnsd is nobody's secondary: a NOTIFY to it is refused.
            n = make_query(origin + ".", "SOA", edns=None)
            n.set_opcode(dns.opcode.NOTIFY)
            r = dns.query.udp(n, LOOPBACK4, port=d.port, timeout=2.0)
            assert r.rcode() == dns.rcode.REFUSED, f"NOTIFY to sipdnsd:\n{r}"
        # Not a zone of ours (a name inside a zone, a name outside): not transferred.
        for qname in (f"_sip._udp.{zones[0][0]}.", f"x-{zones[0][0]}.", "example.org."):
            t = tcp_transfer(d.port, make_query(qname, "AXFR", edns=None))
            assert t.rcode in (dns.rcode.NOTAUTH, dns.rcode.REFUSED) and not t.rrs, \
                f"AXFR {qname}: {dns.rcode.to_text(t.rcode) if t.messages else 'no answer'}\n" \
                f"{t.describe()}"


def test_transfer_refused_outside_allow(tmp_path):
    site = _site_with_transfer(tmp_path, "scs-ha", ["127.0.0.2/32"])
    zones = export_zones(site)
    with Daemon(site, name="sipdnsd-xfr-refused") as d:
        for origin, text in zones:
            for rdtype, q in (("AXFR", make_query(origin + ".", "AXFR", edns=None)),
                              ("IXFR", ixfr_query(origin, 0))):
                for addr in (LOOPBACK4, "::1"):
                    t = tcp_transfer(d.port, q, addr=addr)
                    assert t.messages, f"{rdtype} {origin} from {addr}: no answer"
                    assert t.rcode == dns.rcode.REFUSED and not t.rrs, \
                        f"{rdtype} {origin} from {addr}: {t.describe()}"
                    assert len(t.messages) == 1
            r = dns.query.udp(ixfr_query(origin, 0), LOOPBACK4, port=d.port, timeout=2.0)
            assert r.rcode() == dns.rcode.REFUSED and not r.answer, f"IXFR over UDP:\n{r}"
            # dnspython's client sees the same.
            with pytest.raises(dns.xfr.TransferError) as e:
                _dnspython_zone(d.port, origin)
            assert e.value.rcode == dns.rcode.REFUSED
            # The allowed address gets the zone (the source address decides).
            _assert_whole_zone(tcp_transfer(d.port, make_query(origin + ".", "AXFR", edns=None),
                                            source="127.0.0.2"),
                               origin, text, f"AXFR {origin} from 127.0.0.2")
            # Ordinary queries do not depend on `allow`.
            assert soa_serial(d.port, origin) is not None
            r = dns.query.tcp(make_query(origin + ".", "SOA"), LOOPBACK4, port=d.port,
                              timeout=2.0)
            assert r.rcode() == dns.rcode.NOERROR and r.answer


def test_no_transfer_section_refuses_everyone(tmp_path):
    """Without server.transfer nobody may transfer (the default is closed)."""
    site = example("scs-ha")
    zones = export_zones(site)
    with Daemon(site, name="sipdnsd-xfr-default") as d:
        for origin, _ in zones:
            for addr in (LOOPBACK4, "::1"):
                t = tcp_transfer(d.port, make_query(origin + ".", "AXFR", edns=None), addr=addr)
                assert t.rcode == dns.rcode.REFUSED and not t.rrs, t.describe()


CLUSTER_SITE = """
domain: example.com
ttl: 300
nameservers: [dns1]
hosts:
  dns1: 192.0.2.53
locations:
  dc1: [127.0.1.0/24]
  dc2: [127.0.2.0/24]
clusters:
  - name: spx-srv
    port: 5060
    transports: [udp, tcp]
    weight: 50
    priorities: { local: 10, remote: 200 }
    default: dc1
    members:
      dc1: [ { name: dc1-spx1, ipv4: 192.168.11.121 }, { name: dc1-spx2, ipv4: 192.168.11.125 } ]
      dc2: [ { name: dc2-spx1, ipv4: 192.168.22.121 }, { name: dc2-spx2, ipv4: 192.168.22.125 } ]
reverse: auto
"""


def test_cluster_transfer_serves_the_default_view(tmp_path):
    site = _site_with_transfer(tmp_path, "cluster", ["127.0.0.0/8"], text=CLUSTER_SITE)
    default = export_zones(site)
    r = run_sipdnsd("export", str(site), "--format", "zone", "--location", "dc2")
    assert r.returncode == 0, r.stderr
    dc2 = dict(split_export(r.stdout))
    assert zone_records(dc2["example.com"], "example.com") != \
        zone_records(dict(default)["example.com"], "example.com"), "views do not differ"
    with Daemon(site, listen=["127.0.0.1:{port}"], name="sipdnsd-xfr-cluster") as d:
        for source in ("127.0.2.1", "127.0.1.1", "127.0.0.1"):
            for origin, text in default:
                t = tcp_transfer(d.port, make_query(origin + ".", "AXFR", edns=None),
                                 source=source)
                if origin in dc2 and dc2[origin] != text:
                    got = set(t.rrs)
                    assert got != zone_records(dc2[origin], origin), \
                        (f"AXFR {origin} from {source} (location dc2) served the dc2 view, not "
                         f"the no-location view that `sipdnsd export` prints")
                _assert_whole_zone(
                    tcp_transfer(d.port, make_query(origin + ".", "AXFR", edns=None),
                                 source=source),
                    origin, text, f"AXFR {origin} from {source}")
                _assert_whole_zone(tcp_transfer(d.port, ixfr_query(origin, 0), source=source),
                                   origin, text, f"IXFR {origin} from {source}")


# ---------------------------------------------------------------------------------------------
# The NOTIFY messages


def _collect(sinks, seconds: float) -> None:
    """Receive on every sink for `seconds` (bounded)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        ready, _, _ = select.select([s.sock for s in sinks], [], [],
                                    max(0.0, deadline - time.monotonic()))
        for s in sinks:
            if s.sock in ready:
                s.receive_one()


def _check_notifies(sink, since, origins, serial, what):
    got = [(t, m) for t, _, m in sink.received if t >= since]
    for _, m in got:
        assert m.opcode() == dns.opcode.NOTIFY, f"{what}: opcode {dns.opcode.to_text(m.opcode())}"
        assert not m.flags & dns.flags.QR, f"{what}: QR set in a NOTIFY request"
        assert len(m.question) == 1 and m.question[0].rdtype == dns.rdatatype.SOA, \
            f"{what}: question {m.question} (RFC 1996 §3.7: the zone's SOA)"
        for rrset in m.answer:   # optional SOA hint (RFC 1996 §3.7)
            if rrset.rdtype == dns.rdatatype.SOA:
                assert rrset[0].serial == serial, f"{what}: SOA hint {rrset[0].serial} != {serial}"
    zones = collections.Counter(m.question[0].name.to_text().lower().rstrip(".") for _, m in got)
    assert set(zones) == set(origins), f"{what}: NOTIFY for {dict(zones)}, zones {origins}"
    return zones


def test_notify_messages(tmp_path):
    answering = NotifySink(answer=True)
    silent = NotifySink(answer=False, addr="::1")
    try:
        site = _site_with_transfer(tmp_path, "lab", ALLOW, [answering.target, silent.target])
        origins = [o for o, _ in export_zones(site)]
        t_start = time.monotonic()
        with Daemon(site, listen=["127.0.0.1:{port}"], name="sipdnsd-notify") as d:
            serial = soa_serial(d.port, origins[0])
            _collect([answering, silent], 4.0)
            # Startup: every zone once to each target; an answered NOTIFY is not repeated.
            once = _check_notifies(answering, t_start, origins, serial, "startup, answered")
            assert all(n == 1 for n in once.values()), \
                f"answered NOTIFYs sent again: {dict(once)}"
            tries = _check_notifies(silent, t_start, origins, serial, "startup, unanswered")
            assert all(n <= 10 for n in tries.values()), f"unbounded retries: {dict(tries)}"
            print(f"NOTIFY at startup: answered target {dict(once)}, silent target "
                  f"{dict(tries)} in 4s")

            # A reload that does not change the serial sends nothing.
            t_same = time.monotonic()
            d.signal(signal.SIGHUP)
            _collect([answering, silent], 2.0)
            assert soa_serial(d.port, origins[0]) == serial
            again = [m for t, _, m in answering.received if t >= t_same]
            assert not again, f"NOTIFY after a reload without a change: {again}"

            # A reload that changes the serial: every zone again.
            site.write_text(with_host(site.read_text(), NEW_HOST, "198.51.100.99"))
            t_new = time.monotonic()
            d.signal(signal.SIGHUP)
            ok, _ = wait_until(lambda: soa_serial(d.port, origins[0]) not in (None, serial),
                               RELOAD_WAIT)
            assert ok, "sipdnsd did not reload"
            new_serial = soa_serial(d.port, origins[0])
            _collect([answering, silent], 3.0)
            after = _check_notifies(answering, t_new, origins, new_serial, "after a change")
            assert all(n == 1 for n in after.values()), \
                f"answered NOTIFYs sent again: {dict(after)}"
    finally:
        answering.close()
        silent.close()


# ---------------------------------------------------------------------------------------------
# Catalog zone consumers (RFC 9432)


CATALOG = "catalog.sipdns.invalid"
CATALOG_CONSUMERS = {"knot": KnotSecondary, "bind": BindSecondary}


def _address_in_a_new_subnet(origins: list[str]) -> str:
    for candidate in ("198.51.100.77", "203.0.113.77", "10.254.77.7"):
        if dns.reversename.from_address(candidate).parent().to_text().rstrip(".") not in origins:
            return candidate
    raise AssertionError(f"every candidate subnet is served already: {origins}")


@pytest.mark.parametrize("which", sorted(CATALOG_CONSUMERS))
def test_catalog_consumer_adds_a_new_reverse_zone(tmp_path, which):
    secondary_port = free_port([LOOPBACK4])
    primary_port = free_port([LOOPBACK4])
    for _ in range(10):
        if primary_port != secondary_port:
            break
        primary_port = free_port([LOOPBACK4])
    text = with_transfer(example("scs-ha").read_text(), ALLOW, [f"127.0.0.1:{secondary_port}"],
                         catalog=CATALOG)
    site = tmp_path / "site.yaml"
    site.write_text(text)
    members = [o for o, _ in export_zones(site) if o != CATALOG]
    daemon = Daemon(site, listen=["127.0.0.1:{port}"], port=primary_port,
                    name=f"sipdnsd-catalog-{which}").start()
    # Configured with the catalog zone only: every member comes from it.
    secondary = CATALOG_CONSUMERS[which]([], tmp_path / which, secondary_port, primary_port,
                                         catalog=CATALOG)
    try:
        secondary.start()
        conf = sorted(p for p in secondary.workdir.iterdir() if p.suffix == ".conf")
        conf_before = {p: p.read_bytes() for p in conf}
        serial = soa_serial(primary_port, members[0])
        ok, took = wait_until(lambda: all(secondary.soa_serial(o) == serial for o in members),
                              TRANSFER_WAIT)
        assert ok, (f"{which} did not get the members {members} from the catalog: "
                    f"{ {o: secondary.soa_serial(o) for o in members} }\n"
                    f"{_tail(secondary.log_text())}")
        print(f"{which}: {len(members)} members from the catalog in {took:.2f}s")

        address = _address_in_a_new_subnet(members)
        site.write_text(with_host(text, NEW_HOST, address))
        new_members = [o for o, _ in export_zones(site) if o != CATALOG]
        new_zone = dns.reversename.from_address(address).parent().to_text().rstrip(".")
        assert sorted(new_members) == sorted(members + [new_zone])
        fqdn = f"{NEW_HOST}.{members[0]}."
        ptr = dns.reversename.from_address(address).to_text()
        t0 = time.monotonic()
        daemon.signal(signal.SIGHUP)

        def picked_up():
            return (secondary.soa_serial(new_zone) is not None
                    and rrset_texts(secondary.port, ptr, "PTR") == {fqdn.lower()}
                    and rrset_texts(secondary.port, fqdn, "A") == {address})
        ok, _ = wait_until(picked_up, NOTIFY_WAIT + 10)
        assert ok, (f"{which} did not add {new_zone} from the catalog and answer {ptr} PTR "
                    f"within {NOTIFY_WAIT + 10}s of SIGHUP: PTR "
                    f"{rrset_texts(secondary.port, ptr, 'PTR')}\n{_tail(secondary.log_text())}\n"
                    f"--- sipdnsd log:\n{_tail(daemon.log_text())}")
        print(f"{which}: {new_zone} added from the catalog, {ptr} answered "
              f"{time.monotonic() - t0:.2f}s after SIGHUP")
        assert {p: p.read_bytes() for p in conf} == conf_before, "the configuration changed"
    finally:
        secondary.stop()
        daemon.stop()
