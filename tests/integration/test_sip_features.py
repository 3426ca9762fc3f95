# SPDX-FileCopyrightText: 2026 The sipdns authors
# SPDX-License-Identifier: BSD-3-Clause
"""Geo-aware SIP clusters, Lync/OCS discovery and TLS/NAPTR answered by the real daemon
(docs/design.md §3): the cluster SRV answer depends on the query's source address, so the test sends
from several loopback addresses mapped to locations."""

from __future__ import annotations

import socket

import dns.flags
import dns.message
import dns.rdatatype
import pytest

from sipdnsd_harness import example, make_query, query, recv_tcp_message, write_site

CLUSTER_SITE = """
domain: example.com
ttl: 300
nameservers: [dns1]
hosts:
  dns1: 192.0.2.53
  sip-dc1: 192.0.2.10
  sip-dc2: 203.0.113.10
locations:
  dc1: [127.0.1.0/24]     # loopback source addresses stand in for the data centres' subnets
  dc2: [127.0.2.0/24, "::1/128"]
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
services:
  - service: _sip._udp.sip-dc
    targets:
      - { target: sip-dc1, priority: 10, weight: 50, port: 6000 }
      - { target: sip-dc2, priority: 20, weight: 50, port: 6000 }
reverse: off
"""

OWNER = "_sip._udp.spx-srv.example.com."


def ask_from(source: str, port: int, qname: str, qtype: str, tcp: bool = False,
             server: str = "127.0.0.1") -> dns.message.Message:
    """A query sent from a chosen loopback source address (the location is the source)."""
    assert source.startswith("127.") or source == "::1"
    fam = socket.AF_INET6 if ":" in server else socket.AF_INET
    wire = make_query(qname, qtype).to_wire()
    with socket.socket(fam, socket.SOCK_STREAM if tcp else socket.SOCK_DGRAM) as s:
        s.settimeout(2.0)
        s.bind((source, 0))
        if tcp:
            s.connect((server, port))
            s.sendall(len(wire).to_bytes(2, "big") + wire)
            return dns.message.from_wire(recv_tcp_message(s))
        s.sendto(wire, (server, port))
        data, _ = s.recvfrom(65535)
        return dns.message.from_wire(data)


def priorities(msg: dns.message.Message) -> dict[str, int]:
    (rrset,) = [r for r in msg.answer if r.rdtype == dns.rdatatype.SRV]
    return {rd.target.to_text(): rd.priority for rd in rrset}


DC1_FIRST = {"dc1-spx1.example.com.": 10, "dc1-spx2.example.com.": 10,
             "dc2-spx1.example.com.": 200, "dc2-spx2.example.com.": 200}
DC2_FIRST = {"dc2-spx1.example.com.": 10, "dc2-spx2.example.com.": 10,
             "dc1-spx1.example.com.": 200, "dc1-spx2.example.com.": 200}


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    from sipdnsd_harness import Daemon
    site = write_site(tmp_path_factory.mktemp("cluster"), "site.yaml", CLUSTER_SITE)
    d = Daemon(site, name="sipdnsd-cluster").start()
    yield d
    assert d.stop() == 0


@pytest.mark.parametrize("tcp", [False, True], ids=["udp", "tcp"])
@pytest.mark.parametrize("source,expected", [
    ("127.0.1.1", DC1_FIRST), ("127.0.1.200", DC1_FIRST),
    ("127.0.2.1", DC2_FIRST), ("127.0.2.77", DC2_FIRST),
    ("127.0.0.1", DC1_FIRST),  # in no location: the cluster's default, dc1
])
def test_cluster_answer_depends_on_the_client_location(cluster, source, expected, tcp):
    m = ask_from(source, cluster.port, OWNER, "SRV", tcp=tcp)
    assert m.rcode() == 0 and m.flags & dns.flags.AA
    assert priorities(m) == expected
    for rd in m.answer[0]:
        assert (rd.weight, rd.port) == (50, 5060)
    # The members' addresses come along in the additional section.
    extra = {r.name.to_text() for r in m.additional if r.rdtype == dns.rdatatype.A}
    assert extra == set(expected)


def test_cluster_over_ipv6_uses_the_ipv6_location(cluster):
    m = ask_from("::1", cluster.port, "_sip._tcp.spx-srv.example.com.", "SRV", server="::1")
    assert priorities(m) == DC2_FIRST


def test_sbc_failover_records(cluster):
    m = query("_sip._udp.sip-dc.example.com.", "SRV", cluster.port)
    got = sorted((rd.priority, rd.weight, rd.port, rd.target.to_text()) for rd in m.answer[0])
    assert got == [(10, 50, 6000, "sip-dc1.example.com."), (20, 50, 6000, "sip-dc2.example.com.")]


@pytest.fixture(scope="module")
def lync():
    from sipdnsd_harness import Daemon
    d = Daemon(example("lync"), name="sipdnsd-lync").start()
    yield d
    assert d.stop() == 0


@pytest.mark.parametrize("owner,port,target", [
    ("_sipinternaltls._tcp", 5061, "pool01"),
    ("_sipinternal._tcp", 5060, "pool01"),
    ("_sip._tls", 443, "sipedge"),
    ("_sipfederationtls._tcp", 5061, "sipedge"),
])
def test_lync_srv_records(lync, owner, port, target):
    m = query(f"{owner}.corp.example.test.", "SRV", lync.port)
    (rd,) = list(m.answer[0])
    assert (rd.port, rd.target.to_text()) == (port, f"{target}.corp.example.test.")
    # SRV targets are names with addresses, never aliases.
    assert any(r.rdtype == dns.rdatatype.A for r in m.additional)


@pytest.mark.parametrize("name,address", [
    ("sipinternal", "192.0.2.50"), ("sip", "192.0.2.50"), ("sipexternal", "203.0.113.50")])
def test_lync_fallback_names_are_a_records(lync, name, address):
    m = query(f"{name}.corp.example.test.", "A", lync.port)
    assert [r.rdtype for r in m.answer] == [dns.rdatatype.A]
    assert [rd.address for rd in m.answer[0]] == [address]


def test_tls_naptr_resolves_in_one_round_trip(start_server):
    srv = start_server(example("scs-tls"))
    m = query("scsnetwork.local.", "NAPTR", srv.port)
    services = sorted(rd.service.decode() for rd in m.answer[0])
    assert services == ["SIP+D2T", "SIP+D2U", "SIPS+D2T"]
    srv_owners = {r.name.to_text() for r in m.additional if r.rdtype == dns.rdatatype.SRV}
    assert srv_owners == {"_sip._udp.scsnetwork.local.", "_sip._tcp.scsnetwork.local.",
                          "_sips._tcp.scsnetwork.local."}
    addresses = {r.name.to_text() for r in m.additional if r.rdtype == dns.rdatatype.A}
    assert addresses == {"scs1.scsnetwork.local.", "scs2.scsnetwork.local."}
    m = query("_sips._tcp.scsnetwork.local.", "SRV", srv.port)
    assert sorted((rd.priority, rd.port) for rd in m.answer[0]) == [(1, 5061), (2, 5061)]
    m = query("_sip._tls.scsnetwork.local.", "SRV", srv.port)
    assert sorted((rd.priority, rd.port) for rd in m.answer[0]) == [(1, 5061), (2, 5061)]
