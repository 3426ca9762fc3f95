# SPDX-FileCopyrightText: 2026 The sipdns authors
# SPDX-License-Identifier: BSD-3-Clause
"""Zone transfer (RFC 5936 AXFR, RFC 1995 IXFR) only to allowed clients, and NOTIFY (RFC 1996)
to the listed secondaries when the serial changes — tested with a stand-in secondary: a UDP
socket on loopback that records every NOTIFY and acknowledges it."""

from __future__ import annotations

import signal
import socket
import struct
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

from sipdnsd_harness import make_query, query, raw_udp, run_sipdnsd, split_export, write_site

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


def wait_until(predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


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


def test_ixfr_is_answered_with_the_full_zone(tmp_path, start_server):
    site = write_site(tmp_path, "site.yaml", site_text())
    srv = start_server(site)
    q = dns.message.make_query("scsnetwork.local.", dns.rdatatype.IXFR)
    q.authority.append(dns.rrset.from_text("scsnetwork.local.", 0, "IN", "SOA",
                                           "a. b. 1 1 1 1 1"))
    wire = q.to_wire()
    with socket.create_connection(("127.0.0.1", srv.port), timeout=5) as s:
        s.sendall(struct.pack("!H", len(wire)) + wire)
        (length,) = struct.unpack("!H", s.recv(2, socket.MSG_WAITALL))
        reply = dns.message.from_wire(s.recv(length, socket.MSG_WAITALL), one_rr_per_rrset=True)
    types = [rrset.rdtype for rrset in reply.answer]
    assert types[0] == dns.rdatatype.SOA and types[-1] == dns.rdatatype.SOA  # AXFR-style
    assert dns.rdatatype.SRV in types
    # Over UDP: the SOA alone sends the client to TCP (RFC 1995 §2).
    raw = raw_udp(wire, srv.port)
    m = dns.message.from_wire(raw)
    assert [r.rdtype for r in m.answer] == [dns.rdatatype.SOA]


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
