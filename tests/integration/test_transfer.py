# SPDX-FileCopyrightText: 2026 The sipdns authors
# SPDX-License-Identifier: BSD-3-Clause
"""Zone transfer (RFC 5936 AXFR, RFC 1995 IXFR) only to allowed clients, and NOTIFY (RFC 1996)
to the listed secondaries when the serial changes — tested with a stand-in secondary: a UDP
socket on loopback that records every NOTIFY and acknowledges it."""

from __future__ import annotations

import signal
import socket
import struct
import subprocess
import threading
import time

import dns.message
import dns.opcode
import dns.query
import dns.rcode
import dns.rdatatype
import dns.rrset
import dns.zone
import pytest

from sipdnsd_harness import query, raw_udp, run_sipdnsd, split_export, wait_until, write_site

SITE = """domain: scsnetwork.local
ttl: 1800
servers:
  - {{ name: scs1, ipv4: 192.0.2.11 }}
  - {{ name: scs2, ipv4: 192.0.2.12 }}
hosts:
{hosts}
server:
  transfer:
    allow: [{allow}]
    notify: [{notify}]
"""


class StandInSecondary:
    """Receives NOTIFYs on 127.0.0.1:<port>, records (zone, id), answers each (RFC 1996 §4.7)."""

    def __init__(self, answer: bool = True):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.answer = answer
        self.notifies: list[tuple[str, float]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        while not self._stop.is_set():
            try:
                data, peer = self.sock.recvfrom(4096)
            except socket.timeout:
                continue
            msg = dns.message.from_wire(data)
            if msg.opcode() != dns.opcode.NOTIFY:
                continue
            self.notifies.append((msg.question[0].name.to_text(), time.monotonic()))
            if self.answer:
                reply = dns.message.make_response(msg)
                self.sock.sendto(reply.to_wire(), peer)

    def zones_notified(self) -> list[str]:
        return [z for z, _ in self.notifies]

    def close(self):
        self._stop.set()
        self._thread.join(timeout=5)
        self.sock.close()



def site_text(hosts="  gw: 192.0.2.1", allow="127.0.0.1/32", notify=""):
    return SITE.format(hosts=hosts, allow=allow, notify=notify)


def test_axfr_of_every_zone_matches_the_export(tmp_path, start_server):
    site = write_site(tmp_path, "site.yaml", site_text())
    srv = start_server(site)
    for origin, text in split_export(run_sipdnsd("export", str(site)).stdout):
        exported = dns.zone.from_text(text, origin=origin + ".", relativize=False)
        transferred = dns.zone.from_xfr(dns.query.xfr("127.0.0.1", origin + ".", port=srv.port,
                                                      timeout=5, lifetime=10, relativize=False),
                                        relativize=False)
        assert set(exported.nodes) == set(transferred.nodes), origin
        for name, node in exported.nodes.items():
            for rdataset in node.rdatasets:
                got = transferred.find_rdataset(name, rdataset.rdtype)
                assert set(got) == set(rdataset), f"{name} {rdataset.rdtype}"


def test_axfr_messages_start_and_end_with_the_soa(tmp_path, start_server):
    hosts = "\n".join(f"  h{i}: 192.0.2.{i % 250 + 1}" for i in range(600))  # several messages
    site = write_site(tmp_path, "site.yaml", site_text(hosts=hosts))
    srv = start_server(site)
    messages = list(dns.query.xfr("127.0.0.1", "scsnetwork.local.", port=srv.port, timeout=5,
                                  lifetime=10))
    assert len(messages) > 1, "a big zone spans several messages"
    rrs = [(rrset.rdtype, rd) for m in messages for rrset in m.answer for rd in rrset]
    assert rrs[0][0] == dns.rdatatype.SOA and rrs[-1][0] == dns.rdatatype.SOA
    assert sum(1 for t, _ in rrs if t == dns.rdatatype.SOA) == 2
    assert sum(1 for t, _ in rrs if t == dns.rdatatype.A) == 600 + 4  # hosts, servers, rr.*


def test_transfer_refused_to_clients_not_allowed(tmp_path, start_server):
    site = write_site(tmp_path, "site.yaml", site_text(allow="127.0.0.2/32"))
    srv = start_server(site)
    with pytest.raises(dns.query.TransferError) as e:
        list(dns.query.xfr("127.0.0.1", "scsnetwork.local.", port=srv.port, timeout=5,
                           lifetime=10))
    assert e.value.rcode == dns.rcode.REFUSED
    # Allowed from 127.0.0.2 (the source address decides).
    messages = list(dns.query.xfr("127.0.0.1", "scsnetwork.local.", port=srv.port, timeout=5,
                                  lifetime=10, source="127.0.0.2"))
    assert messages


def ixfr_query(serial: int, zone: str = "scsnetwork.local.") -> bytes:
    """An IXFR query with the client's SOA (serial `serial`) in the authority section (RFC 1995
    §3), with EDNS (a 1232-octet UDP payload: RFC 6891)."""
    q = dns.message.make_query(zone, dns.rdatatype.IXFR, use_edns=0)
    q.authority.append(dns.rrset.from_text(zone, 0, "IN", "SOA", f"a. b. {serial} 1 1 1 1"))
    return q.to_wire()


def rr_lines(messages) -> list[str]:
    """Every answer RR in order: "SOA <serial>" for an SOA, else "<name> <ttl> <type> <rdata>"."""
    lines = []
    for m in messages:
        for rrset in m.answer:
            for rd in rrset:
                if rrset.rdtype == dns.rdatatype.SOA:
                    lines.append(f"SOA {rd.serial}")
                else:
                    lines.append(f"{rrset.name} {rrset.ttl} {dns.rdatatype.to_text(rrset.rdtype)} {rd}")
    return lines


def tcp_transfer(wire: bytes, port: int) -> list[str]:
    """Sends one transfer query over TCP and reads the messages until the transfer is complete:
    one SOA alone; AXFR-style (RFC 5936): the first SOA again; incremental (RFC 1995 §4, the
    second RR an SOA): the current SOA a third time at the end of a message."""
    lines: list[str] = []
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(struct.pack("!H", len(wire)) + wire)
        while True:
            (length,) = struct.unpack("!H", s.recv(2, socket.MSG_WAITALL))
            reply = dns.message.from_wire(s.recv(length, socket.MSG_WAITALL), one_rr_per_rrset=True)
            assert reply.rcode() == dns.rcode.NOERROR, dns.rcode.to_text(reply.rcode())
            lines += rr_lines([reply])
            if len(lines) == 1:
                return lines
            incremental = lines[1].startswith("SOA ")
            if lines[-1] == lines[0] and lines.count(lines[0]) == (3 if incremental else 2):
                return lines


def soa_serial(port: int, zone: str = "scsnetwork.local.") -> int:
    return query(zone, "SOA", port).answer[0][0].serial


def reload_with(srv, site, hosts: str) -> int:
    """Rewrites the site with `hosts`, reloads, and returns the new serial."""
    before = soa_serial(srv.port)
    time.sleep(1.1)  # the serial follows the file's modification time
    site.write_text(site_text(hosts=hosts))
    srv.signal(signal.SIGHUP)
    assert wait_until(lambda: soa_serial(srv.port) != before)
    return soa_serial(srv.port)


ONE_HOST = "  gw: 192.0.2.1"
CHANGED = "  gw: 192.0.2.9\n  gw2: 192.0.2.2"


def difference(old: int, new: int) -> list[str]:
    """What IXFR sends for ONE_HOST -> CHANGED (RFC 1995 §4)."""
    return [f"SOA {new}", f"SOA {old}", "gw.scsnetwork.local. 1800 A 192.0.2.1", f"SOA {new}",
            "gw.scsnetwork.local. 1800 A 192.0.2.9", "gw2.scsnetwork.local. 1800 A 192.0.2.2",
            f"SOA {new}"]


def test_ixfr_after_a_reload_sends_the_difference(tmp_path, start_server):
    site = write_site(tmp_path, "site.yaml", site_text(hosts=ONE_HOST))
    srv = start_server(site)
    old = soa_serial(srv.port)
    new = reload_with(srv, site, CHANGED)
    assert tcp_transfer(ixfr_query(old), srv.port) == difference(old, new)
    # Over UDP the difference fits in one message: sent as it is (RFC 1995 §2).
    udp = dns.message.from_wire(raw_udp(ixfr_query(old), srv.port), one_rr_per_rrset=True)
    assert rr_lines([udp]) == difference(old, new)
    # A reload of the unchanged file keeps the serial and the difference.
    srv.signal(signal.SIGHUP)
    assert wait_until(lambda: srv.log_text().count("reloaded: ") == 2)
    assert soa_serial(srv.port) == new
    assert tcp_transfer(ixfr_query(old), srv.port) == difference(old, new)
    # dig IXFR=serial reads the same (over TCP).
    out = subprocess.run(["dig", "-p", str(srv.port), "@127.0.0.1", "scsnetwork.local.",
                          f"IXFR={old}", "+nocomments", "+nostats", "+nocmd"],
                         capture_output=True, text=True, timeout=20, check=True).stdout
    records = [line.split() for line in out.splitlines() if line and not line.startswith(";")]
    assert [r[3] for r in records] == ["SOA", "SOA", "A", "SOA", "A", "A", "SOA"], out
    assert [r[4] for r in records if r[3] == "A"] == ["192.0.2.1", "192.0.2.9", "192.0.2.2"], out


def test_ixfr_from_the_current_or_an_unknown_serial(tmp_path, start_server):
    site = write_site(tmp_path, "site.yaml", site_text(hosts=ONE_HOST))
    srv = start_server(site)
    old = soa_serial(srv.port)
    new = reload_with(srv, site, CHANGED)
    # As new as ours (or newer): our SOA alone (RFC 1995 §2).
    assert tcp_transfer(ixfr_query(new), srv.port) == [f"SOA {new}"]
    assert tcp_transfer(ixfr_query(new + 5), srv.port) == [f"SOA {new}"]
    # A serial we have no difference from: the whole zone, AXFR-style (RFC 1995 §4).
    whole = tcp_transfer(ixfr_query(old - 1), srv.port)
    assert whole[0] == whole[-1] == f"SOA {new}" and whole.count(f"SOA {new}") == 2
    assert "gw2.scsnetwork.local. 1800 A 192.0.2.2" in whole
    assert any(" SRV " in line for line in whole)
    # Over UDP: the SOA alone, which sends the client to TCP (RFC 1995 §2).
    m = dns.message.from_wire(raw_udp(ixfr_query(old - 1), srv.port), one_rr_per_rrset=True)
    assert rr_lines([m]) == [f"SOA {new}"]


def test_ixfr_after_a_restart_still_sends_the_difference(tmp_path, start_server):
    site = write_site(tmp_path, "site.yaml", site_text(hosts=ONE_HOST))
    srv = start_server(site)
    old = soa_serial(srv.port)
    new = reload_with(srv, site, CHANGED)
    assert (srv.state_dir / "journal.scsnetwork.local").is_file()
    assert srv.stop() == 0
    srv.start()  # the same state directory
    assert soa_serial(srv.port) == new
    assert tcp_transfer(ixfr_query(old), srv.port) == difference(old, new)
    assert "IXFR journal" not in srv.log_text()


def test_a_journal_that_does_not_end_at_the_zone_is_dropped(tmp_path, start_server):
    site = write_site(tmp_path, "site.yaml", site_text(hosts=ONE_HOST))
    srv = start_server(site)
    old = soa_serial(srv.port)
    new = reload_with(srv, site, CHANGED)
    assert srv.stop() == 0
    time.sleep(1.1)
    site.write_text(site_text(hosts="  gw: 192.0.2.7"))  # changed while the daemon was down
    srv.start()
    now = soa_serial(srv.port)
    assert now != new
    log = srv.log_text()
    assert log.count("the IXFR journal of scsnetwork.local. ends at serial") == 1, log
    assert f"ends at serial {new}, not at the zone served now (serial {now}" in log
    whole = tcp_transfer(ixfr_query(old), srv.port)
    assert whole[1] != f"SOA {old}" and whole.count(f"SOA {now}") == 2  # the whole zone


def test_axfr_of_a_name_that_is_not_an_apex_is_notauth(tmp_path, start_server):
    site = write_site(tmp_path, "site.yaml", site_text())
    srv = start_server(site)
    with pytest.raises(dns.query.TransferError) as e:
        list(dns.query.xfr("127.0.0.1", "scs1.scsnetwork.local.", port=srv.port, timeout=5,
                           lifetime=10))
    assert e.value.rcode == dns.rcode.NOTAUTH


def test_notify_at_start_and_when_the_serial_changes(tmp_path, start_server):
    secondary = StandInSecondary()
    try:
        notify = f'"127.0.0.1:{secondary.port}"'
        site = write_site(tmp_path, "site.yaml", site_text(notify=notify))
        srv = start_server(site)
        zones = {"scsnetwork.local.", "2.0.192.in-addr.arpa."}
        assert wait_until(lambda: set(secondary.zones_notified()) == zones), secondary.notifies
        assert len(secondary.notifies) == 2, "acknowledged NOTIFYs are not repeated"

        # Same content: same serial, no NOTIFY.
        srv.signal(signal.SIGHUP)
        time.sleep(1.0)
        assert len(secondary.notifies) == 2
        # Changed content: a larger serial and a NOTIFY for every zone, within seconds.
        before = query("scsnetwork.local.", "SOA", srv.port).answer[0][0].serial
        time.sleep(1.1)
        site.write_text(site_text(hosts="  gw: 192.0.2.1\n  gw2: 192.0.2.2", notify=notify))
        srv.signal(signal.SIGHUP)
        assert wait_until(lambda: len(secondary.notifies) == 4), secondary.notifies
        assert set(secondary.zones_notified()[2:]) == zones
        assert query("scsnetwork.local.", "SOA", srv.port).answer[0][0].serial > before
    finally:
        secondary.close()


def test_notify_is_retried_when_not_answered(tmp_path, start_server):
    secondary = StandInSecondary(answer=False)
    try:
        site = write_site(tmp_path, "site.yaml",
                          site_text(notify=f'"127.0.0.1:{secondary.port}"'))
        start_server(site)
        # Retried every 2 s: a second copy of each zone's NOTIFY within ~3 s.
        assert wait_until(lambda: len(secondary.notifies) >= 4, timeout=6), secondary.notifies
        assert wait_until(lambda: len(secondary.notifies) <= 10, timeout=0.1)
    finally:
        secondary.close()
