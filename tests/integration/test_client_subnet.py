# SPDX-FileCopyrightText: 2026 The sipdns authors
# SPDX-License-Identifier: BSD-3-Clause
"""Geo views behind a resolver: EDNS Client Subnet (RFC 7871) from a resolver listed in
`server.ecs_trust` picks the location view, and the reply says for which prefix the answer holds
(SCOPE PREFIX-LENGTH); from anyone else the option is ignored (echoed with scope 0); a malformed
option is FORMERR. The real daemon on 127.0.0.1, queried with dnspython's ECSOption from chosen
loopback source addresses (127.0.0.1 is the trusted resolver, 127.0.0.2 is not)."""

from __future__ import annotations

import signal
import socket
import time

import dns.edns
import dns.message
import dns.rcode
import dns.rdatatype
import pytest

from sipdnsd_harness import recv_tcp_message, write_site

SITE = """
domain: example.com
ttl: 300
nameservers: [dns1]
hosts:
  dns1: 192.0.2.53
locations:
  dc1: [192.168.11.0/24]
  dc2: [192.168.22.0/24]
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
reverse: off
server:
  ecs_trust: [%s]
"""

OWNER = "_sip._udp.spx-srv.example.com."
DC1_FIRST = {"dc1-spx1.example.com.": 10, "dc1-spx2.example.com.": 10,
             "dc2-spx1.example.com.": 200, "dc2-spx2.example.com.": 200}
DC2_FIRST = {"dc2-spx1.example.com.": 10, "dc2-spx2.example.com.": 10,
             "dc1-spx1.example.com.": 200, "dc1-spx2.example.com.": 200}


def ask(port: int, source: str, qname: str, qtype: str, options, tcp: bool = False):
    """A query with EDNS `options` sent from the loopback address `source`."""
    q = dns.message.make_query(qname, qtype, use_edns=0, options=options)
    wire = q.to_wire()
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM if tcp else socket.SOCK_DGRAM) as s:
        s.settimeout(2.0)
        s.bind((source, 0))
        if tcp:
            s.connect(("127.0.0.1", port))
            s.sendall(len(wire).to_bytes(2, "big") + wire)
            return dns.message.from_wire(recv_tcp_message(s))
        s.sendto(wire, ("127.0.0.1", port))
        return dns.message.from_wire(s.recvfrom(65535)[0])


def priorities(m: dns.message.Message) -> dict[str, int]:
    (rrset,) = [r for r in m.answer if r.rdtype == dns.rdatatype.SRV]
    return {rd.target.to_text(): rd.priority for rd in rrset}


def ecs_of(m: dns.message.Message):
    found = [o for o in m.options if o.otype == dns.edns.ECS]
    assert len(found) <= 1
    return found[0] if found else None


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from sipdnsd_harness import Daemon
    site = write_site(tmp_path_factory.mktemp("ecs"), "site.yaml", SITE % "127.0.0.1/32")
    d = Daemon(site, name="sipdnsd-ecs").start()
    yield d
    assert d.stop() == 0


# Scopes: dc2's /24 is surrounded by no-location space, whose clients get dc1's answer (the
# cluster's default), so only the /24 itself is uniform. dc1's answer is also the no-location
# one: the shortest prefix of 192.168.11.0 that leaves dc2's 192.168.22.0/24 out is /20.
@pytest.mark.parametrize("tcp", [False, True], ids=["udp", "tcp"])
@pytest.mark.parametrize("subnet,source_len,expected,scope", [
    ("192.168.11.0", 24, DC1_FIRST, 20),
    ("192.168.22.0", 24, DC2_FIRST, 24),
    ("192.168.22.77", 32, DC2_FIRST, 24),
    # No location (dc1's answer): 198 = 0b11000110 and 192 = 0b11000000 share 5 bits, so a /6
    # around 198.51.100.0 holds no dc2 address and a /5 would hold 192.168.22.0/24.
    ("198.51.100.0", 24, DC1_FIRST, 6),
])
def test_trusted_resolver_gets_the_subnets_view_and_scope(server, subnet, source_len, expected,
                                                         scope, tcp):
    m = ask(server.port, "127.0.0.1", OWNER, "SRV",
            [dns.edns.ECSOption(subnet, source_len)], tcp=tcp)
    assert m.rcode() == dns.rcode.NOERROR
    assert priorities(m) == expected
    opt = ecs_of(m)
    assert opt is not None, m
    # FAMILY, SOURCE PREFIX-LENGTH and ADDRESS as sent (RFC 7871 §7.2.1), SCOPE ours.
    assert (opt.family, opt.srclen, opt.address, opt.scopelen) == (1, source_len, subnet, scope)


def test_names_that_are_the_same_everywhere_get_scope_0(server):
    for qname, qtype in [("dns1.example.com.", "A"), ("nope.example.com.", "A"),
                         (OWNER, "A")]:
        m = ask(server.port, "127.0.0.1", qname, qtype, [dns.edns.ECSOption("192.168.22.0", 24)])
        opt = ecs_of(m)
        assert opt is not None and opt.scopelen == 0, (qname, qtype, m)


def test_source_prefix_0_uses_the_resolvers_own_address(server):
    # RFC 7871 §7.1.2: SOURCE 0 = "do not use my client's address"; 127.0.0.1 is in no
    # location, so the default (dc1) answers, valid for everyone (scope 0).
    m = ask(server.port, "127.0.0.1", OWNER, "SRV", [dns.edns.ECSOption("0.0.0.0", 0)])
    assert priorities(m) == DC1_FIRST
    opt = ecs_of(m)
    assert (opt.srclen, opt.scopelen) == (0, 0)


def test_untrusted_source_ecs_is_ignored(server):
    # 127.0.0.2 is not in ecs_trust: dc2's subnet in its option changes nothing, and the echo
    # says the answer does not depend on it (scope 0).
    m = ask(server.port, "127.0.0.2", OWNER, "SRV", [dns.edns.ECSOption("192.168.22.0", 24)])
    assert priorities(m) == DC1_FIRST
    opt = ecs_of(m)
    assert opt is not None and (opt.srclen, opt.scopelen) == (24, 0)


def test_without_option_no_option_back(server):
    m = ask(server.port, "127.0.0.1", OWNER, "SRV", [])
    assert priorities(m) == DC1_FIRST
    assert ecs_of(m) is None


def raw_ecs(family: int, source: int, scope: int, address: bytes) -> dns.edns.GenericOption:
    data = family.to_bytes(2, "big") + bytes([source, scope]) + address
    return dns.edns.GenericOption(dns.edns.ECS, data)


@pytest.mark.parametrize("source", ["127.0.0.1", "127.0.0.2"])
@pytest.mark.parametrize("option", [
    raw_ecs(1, 24, 0, bytes([192, 168, 11, 0])),   # one ADDRESS octet too many
    raw_ecs(1, 24, 0, bytes([192, 168])),          # one too few
    raw_ecs(1, 23, 0, bytes([192, 168, 11])),      # a bit set past SOURCE
    raw_ecs(1, 33, 0, bytes(5)),                   # SOURCE past 32 bits
    raw_ecs(1, 24, 16, bytes([192, 168, 11])),     # SCOPE not 0 in a query
    raw_ecs(7, 0, 0, b""),                         # unknown FAMILY
], ids=["long", "short", "host-bits", "source-33", "scope", "family"])
def test_malformed_option_is_formerr(server, option, source):
    m = ask(server.port, source, OWNER, "SRV", [option])
    assert m.rcode() == dns.rcode.FORMERR
    assert m.edns == 0 and ecs_of(m) is None and not m.answer


def test_ecs_trust_is_reloaded(tmp_path, start_server):
    """server.ecs_trust is part of what SIGHUP reloads: trusting 127.0.0.2 instead of
    127.0.0.1 moves the choice from one to the other; an empty list turns ECS off (no echo,
    malformed options ignored)."""
    path = write_site(tmp_path, "site.yaml", SITE % "127.0.0.1/32")
    srv = start_server(path)
    dc2 = [dns.edns.ECSOption("192.168.22.0", 24)]
    assert priorities(ask(srv.port, "127.0.0.1", OWNER, "SRV", dc2)) == DC2_FIRST
    assert priorities(ask(srv.port, "127.0.0.2", OWNER, "SRV", dc2)) == DC1_FIRST

    def reload(text: str, count: int) -> None:
        path.write_text(text)
        srv.signal(signal.SIGHUP)
        deadline = time.monotonic() + 10
        while srv.log_text().count("reloaded: ") < count and time.monotonic() < deadline:
            time.sleep(0.05)
        assert srv.log_text().count("reloaded: ") >= count, srv.log_text()[-2000:]

    reload(SITE % "127.0.0.2/32", 1)
    assert priorities(ask(srv.port, "127.0.0.1", OWNER, "SRV", dc2)) == DC1_FIRST
    assert priorities(ask(srv.port, "127.0.0.2", OWNER, "SRV", dc2)) == DC2_FIRST
    assert ecs_of(ask(srv.port, "127.0.0.2", OWNER, "SRV", dc2)).scopelen == 24

    reload(SITE % "", 2)
    m = ask(srv.port, "127.0.0.2", OWNER, "SRV", dc2)
    assert priorities(m) == DC1_FIRST and ecs_of(m) is None
    m = ask(srv.port, "127.0.0.2", OWNER, "SRV", [raw_ecs(7, 0, 0, b"")])
    assert m.rcode() == dns.rcode.NOERROR and priorities(m) == DC1_FIRST
