# SPDX-FileCopyrightText: 2026 The sipdns authors
# SPDX-License-Identifier: BSD-3-Clause
"""Answering rules of docs/design.md §4, checked on the wire against the real daemon (dnspython),
over UDP and TCP, IPv4 and IPv6."""

import signal
import socket
import struct
import time

import dns.edns
import dns.flags
import dns.message
import dns.name
import dns.opcode
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import pytest

from sipdnsd_harness import (LOOPBACK4, LOOPBACK6, ask, make_query, query, raw_tcp, raw_udp,
                             recv_tcp_message, tcp_connect, write_site)

D = "scsnetwork.local."
L = "lab.example.test."
NEG_TTL = 300  # min(SOA TTL 1800 / 300, SOA minimum 300) in every example

TRANSPORTS = [
    pytest.param((LOOPBACK4, False), id="udp4"),
    pytest.param((LOOPBACK4, True), id="tcp4"),
    pytest.param((LOOPBACK6, False), id="udp6"),
    pytest.param((LOOPBACK6, True), id="tcp6"),
]


def q(server, name, rdtype="A", transport=(LOOPBACK4, False), **kw):
    addr, tcp = transport
    return query(name, rdtype, server.port, addr=addr, tcp=tcp, **kw)


def rrset_set(section):
    """{(name lowercased, ttl, class, type, rdata text lowercased)}"""
    out = set()
    for rrset in section:
        for rd in rrset:
            out.add((rrset.name.to_text().lower(), rrset.ttl, dns.rdataclass.to_text(rrset.rdclass),
                     dns.rdatatype.to_text(rrset.rdtype), rd.to_text().lower()))
    return out


def types_in(section):
    return {(r.name.to_text().lower(), dns.rdatatype.to_text(r.rdtype)) for r in section}


def assert_negative(m, zone_apex, rcode):
    assert m.rcode() == rcode, dns.rcode.to_text(m.rcode())
    assert m.flags & dns.flags.AA, "negative answers from our zones are authoritative"
    assert not m.answer, m.answer
    soa = [r for r in m.authority if r.rdtype == dns.rdatatype.SOA]
    assert len(soa) == 1 and len(m.authority) == 1, m.authority
    assert soa[0].name.to_text().lower() == zone_apex
    assert soa[0].ttl == NEG_TTL, "negative TTL = min(SOA TTL, SOA minimum) (RFC 2308 §5)"


def header(wire):
    return struct.unpack("!HHHHHH", wire[:12])


def question_end(wire):
    i = 12
    while wire[i] != 0:
        i += 1 + wire[i]
    return i + 1 + 4


# ---------------------------------------------------------------------------------------------
# Authoritative answers


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_positive_answer_is_authoritative_not_recursive(scs_ha, transport):
    addr, tcp = transport
    qm = make_query("scs1." + D, "A", rd=True)
    m = ask(qm, scs_ha.port, addr, tcp)
    assert m.id == qm.id
    assert m.flags & dns.flags.QR
    assert m.flags & dns.flags.AA
    assert not m.flags & dns.flags.RA, "never recursive: RA=0"
    assert m.flags & dns.flags.RD, "RD is copied from the query"
    assert not m.flags & dns.flags.TC
    assert m.rcode() == dns.rcode.NOERROR
    assert rrset_set(m.answer) == {("scs1." + D, 1800, "IN", "A", "192.0.2.11")}
    # Minimal responses (as Knot): no NS RRset in authority of a positive answer.
    assert not m.authority


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_out_of_zone_is_refused(scs_ha, transport):
    for name in ("example.com.", "local.", "com.", "scsnetwork.local.example.", "."):
        m = q(scs_ha, name, "A", transport)
        assert m.rcode() == dns.rcode.REFUSED, name
        assert not m.flags & dns.flags.AA
        assert not m.flags & dns.flags.RA
        assert not m.answer and not m.authority
        assert len(m.question) == 1 and m.question[0].name == dns.name.from_text(name)


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_nxdomain_has_soa(scs_ha, transport):
    m = q(scs_ha, "nothere." + D, "A", transport)
    assert_negative(m, D, dns.rcode.NXDOMAIN)
    m = q(scs_ha, "deep.below.scs1." + D, "SRV", transport)
    assert_negative(m, D, dns.rcode.NXDOMAIN)


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_nodata_has_soa(scs_ha, transport):
    m = q(scs_ha, "scs1." + D, "AAAA", transport)
    assert_negative(m, D, dns.rcode.NOERROR)
    m = q(scs_ha, D, "TXT", transport)
    assert_negative(m, D, dns.rcode.NOERROR)
    m = q(scs_ha, "_sip._udp." + D, "A", transport)
    assert_negative(m, D, dns.rcode.NOERROR)


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_empty_non_terminal_is_nodata(scs_ha, transport):
    for name in ("_udp." + D, "_tcp." + D, "_tcp.rr.scs1." + D, "_udp.rr.scs2." + D):
        for rdtype in ("SRV", "A"):
            m = q(scs_ha, name, rdtype, transport)
            assert_negative(m, D, dns.rcode.NOERROR)


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_reverse_zone(scs_ha, transport):
    m = q(scs_ha, "11.2.0.192.in-addr.arpa.", "PTR", transport)
    assert m.rcode() == dns.rcode.NOERROR and m.flags & dns.flags.AA
    assert rrset_set(m.answer) == {("11.2.0.192.in-addr.arpa.", 1800, "IN", "PTR", "scs1." + D)}
    m = q(scs_ha, "12.2.0.192.in-addr.arpa.", "PTR", transport)
    assert rrset_set(m.answer) == {("12.2.0.192.in-addr.arpa.", 1800, "IN", "PTR", "scs2." + D)}
    m = q(scs_ha, "99.2.0.192.in-addr.arpa.", "PTR", transport)
    assert_negative(m, "2.0.192.in-addr.arpa.", dns.rcode.NXDOMAIN)
    m = q(scs_ha, "2.0.192.in-addr.arpa.", "SOA", transport)
    assert m.rcode() == dns.rcode.NOERROR and m.flags & dns.flags.AA and len(m.answer) == 1


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_cname_is_followed_in_zone(lab, transport):
    m = q(lab, "tftp." + L, "A", transport)
    assert m.rcode() == dns.rcode.NOERROR and m.flags & dns.flags.AA
    assert rrset_set(m.answer) == {("tftp." + L, 300, "IN", "CNAME", "pbx." + L),
                                   ("pbx." + L, 300, "IN", "A", "198.51.100.10")}
    # The CNAME comes first (RFC 1034 §4.3.2).
    assert m.answer[0].rdtype == dns.rdatatype.CNAME
    m = q(lab, "provisioning." + L, "AAAA", transport)
    assert rrset_set(m.answer) == {("provisioning." + L, 300, "IN", "CNAME", "pbx." + L),
                                   ("pbx." + L, 300, "IN", "AAAA", "2001:db8:99::10")}
    m = q(lab, "tftp." + L, "CNAME", transport)
    assert rrset_set(m.answer) == {("tftp." + L, 300, "IN", "CNAME", "pbx." + L)}


def test_cname_to_nodata(lab):
    m = q(lab, "tftp." + L, "TXT")
    assert m.rcode() == dns.rcode.NOERROR and m.flags & dns.flags.AA
    assert rrset_set(m.answer) == {("tftp." + L, 300, "IN", "CNAME", "pbx." + L)}
    assert types_in(m.authority) == {(L, "SOA")}


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_question_echoed_byte_for_byte(scs_ha, transport):
    addr, tcp = transport
    for name, rdtype in (("ScS1.sCsNeTwOrK.LoCaL.", "A"), ("_SiP._uDp.ScSnEtWoRk.lOcAl.", "SRV"),
                         ("NoThErE.sCsNeTwOrK.lOcAl.", "A"), ("ExAmPlE.CoM.", "A"),
                         ("_UdP.sCsNeTwOrK.LOCAL.", "SRV")):
        qm = make_query(name, rdtype)
        wire = qm.to_wire()
        resp = raw_tcp(wire, scs_ha.port, addr) if tcp else raw_udp(wire, scs_ha.port, addr)
        assert resp is not None
        end = question_end(wire)
        assert resp[12:end] == wire[12:end], f"question of {name} not echoed exactly"
        m = dns.message.from_wire(resp)
        if name.lower().startswith("scs1"):
            assert rrset_set(m.answer) == {("scs1." + D, 1800, "IN", "A", "192.0.2.11")}


# ---------------------------------------------------------------------------------------------
# Additional section


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_srv_additional_has_target_addresses(scs_ha, transport):
    m = q(scs_ha, "_sip._udp." + D, "SRV", transport)
    assert rrset_set(m.answer) == {("_sip._udp." + D, 1800, "IN", "SRV", "1 0 5060 scs1." + D),
                                   ("_sip._udp." + D, 1800, "IN", "SRV", "2 0 5060 scs2." + D)}
    assert rrset_set(m.additional) >= {("scs1." + D, 1800, "IN", "A", "192.0.2.11"),
                                       ("scs2." + D, 1800, "IN", "A", "192.0.2.12")}
    m = q(scs_ha, "_sip._tcp.rr.scs2." + D, "SRV", transport)
    assert len(m.answer[0]) == 2
    assert {("scs1." + D, "A"), ("scs2." + D, "A")} <= types_in(m.additional)


def test_mx_and_ns_additional(lab, scs_ha):
    m = q(lab, L, "MX")
    assert rrset_set(m.answer) == {(L, 300, "IN", "MX", "10 pbx." + L)}
    assert rrset_set(m.additional) >= {("pbx." + L, 300, "IN", "A", "198.51.100.10"),
                                       ("pbx." + L, 300, "IN", "AAAA", "2001:db8:99::10")}
    m = q(scs_ha, D, "NS")
    assert rrset_set(m.answer) == {(D, 1800, "IN", "NS", "scs1." + D),
                                   (D, 1800, "IN", "NS", "scs2." + D)}
    assert rrset_set(m.additional) >= {("scs1." + D, 1800, "IN", "A", "192.0.2.11"),
                                       ("scs2." + D, 1800, "IN", "A", "192.0.2.12")}
    m = q(lab, "_sip._udp.gateways." + L, "SRV")
    assert {("gw1." + L, "A"), ("gw1." + L, "AAAA"), ("gw2." + L, "A")} <= types_in(m.additional)


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_naptr_additional_has_srv_and_addresses(scs_ha, transport):
    m = q(scs_ha, D, "NAPTR", transport)
    assert m.rcode() == dns.rcode.NOERROR and m.flags & dns.flags.AA
    assert rrset_set(m.answer) == {
        (D, 1800, "IN", "NAPTR", '10 10 "s" "sip+d2u" "" _sip._udp.' + D),
        (D, 1800, "IN", "NAPTR", '10 20 "s" "sip+d2t" "" _sip._tcp.' + D)}
    add = rrset_set(m.additional)
    for srv in ("_sip._udp." + D + " 1 0 5060 scs1", "_sip._udp." + D + " 2 0 5060 scs2",
                "_sip._tcp." + D + " 3 0 5060 scs1", "_sip._tcp." + D + " 4 0 5060 scs2"):
        owner, rd = srv.split(" ", 1)
        assert (owner, 1800, "IN", "SRV", rd + "." + D) in add, f"{srv} missing: {add}"
    assert ("scs1." + D, 1800, "IN", "A", "192.0.2.11") in add
    assert ("scs2." + D, 1800, "IN", "A", "192.0.2.12") in add


# ---------------------------------------------------------------------------------------------
# ANY, classes, opcodes


def test_any_over_udp_is_truncated(scs_ha):
    for addr in (LOOPBACK4, LOOPBACK6):
        m = query(D, "ANY", scs_ha.port, addr=addr)
        assert m.flags & dns.flags.TC, "ANY over UDP -> TC=1 (RFC 8482 amplification safety)"
        assert m.flags & dns.flags.AA
        assert not m.answer


def test_any_over_tcp_has_every_rrset(scs_ha, lab):
    m = query(D, "ANY", scs_ha.port, tcp=True)
    assert not m.flags & dns.flags.TC and m.flags & dns.flags.AA
    assert types_in(m.answer) == {(D, "SOA"), (D, "NS"), (D, "NAPTR")}
    m = query(L, "ANY", lab.port, tcp=True, addr=LOOPBACK6)
    assert types_in(m.answer) == {(L, t) for t in ("SOA", "NS", "NAPTR", "TXT", "MX")}
    m = query("gw1." + L, "ANY", lab.port, tcp=True)
    assert types_in(m.answer) == {("gw1." + L, "A"), ("gw1." + L, "AAAA")}


def test_any_at_a_cname_is_the_cname(lab):
    # RFC 1034 §4.3.2 step 3.a: QTYPE ANY matches the CNAME itself: no chase, no SOA
    # (Knot and NSD answer exactly the CNAME).
    for addr in (LOOPBACK4, LOOPBACK6):
        m = query("tftp." + L, "ANY", lab.port, addr=addr, tcp=True)
        assert m.rcode() == dns.rcode.NOERROR and m.flags & dns.flags.AA
        assert rrset_set(m.answer) == {("tftp." + L, 300, "IN", "CNAME", "pbx." + L)}
        assert not m.authority, f"ANY at a CNAME owner: unexpected authority {m.authority}"
        m = query("tftp." + L, "ANY", lab.port, addr=addr)
        assert m.flags & dns.flags.TC and not m.answer


def test_qclass_any_answered_like_in(scs_ha):
    m = query("scs1." + D, "A", scs_ha.port, qclass="ANY")
    assert m.rcode() == dns.rcode.NOERROR and m.flags & dns.flags.AA
    assert {(r[0], r[3], r[4]) for r in rrset_set(m.answer)} == {("scs1." + D, "A", "192.0.2.11")}


def test_other_class_refused(scs_ha):
    m = query("scs1." + D, "A", scs_ha.port, qclass="HS")
    assert m.rcode() == dns.rcode.REFUSED and not m.answer


@pytest.mark.parametrize("name", ["version.bind.", "id.server.", "hostname.bind.", "version.server."])
def test_chaos_hidden_by_default(scs_ha, name):
    m = query(name, "TXT", scs_ha.port, qclass="CH")
    assert m.rcode() == dns.rcode.REFUSED and not m.answer


def test_notify_refused_update_notimp(scs_ha):
    for opcode, rcode in ((dns.opcode.NOTIFY, dns.rcode.REFUSED),
                          (dns.opcode.UPDATE, dns.rcode.NOTIMP),
                          (dns.opcode.STATUS, dns.rcode.NOTIMP),
                          (dns.opcode.IQUERY, dns.rcode.NOTIMP)):
        qm = make_query(D, "SOA")
        qm.set_opcode(opcode)
        for tcp in (False, True):
            wire = qm.to_wire()
            resp = raw_tcp(wire, scs_ha.port) if tcp else raw_udp(wire, scs_ha.port)
            assert resp is not None, f"no answer to opcode {opcode}"
            m = dns.message.from_wire(resp)
            assert m.id == qm.id and m.flags & dns.flags.QR
            assert m.opcode() == opcode
            assert m.rcode() == rcode, (dns.opcode.to_text(opcode), dns.rcode.to_text(m.rcode()))
            assert not m.answer
            assert m.edns == 0, "the OPT is echoed on error responses"


def test_axfr_refused(scs_ha):
    qm = make_query(D, "AXFR", edns=None)
    resp = raw_tcp(qm.to_wire(), scs_ha.port)
    m = dns.message.from_wire(resp)
    assert m.rcode() == dns.rcode.REFUSED and not m.answer


# ---------------------------------------------------------------------------------------------
# EDNS


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_edns_opt_echoed_with_our_payload(scs_ha, transport):
    m = q(scs_ha, "scs1." + D, "A", transport, edns=0, payload=4096)
    assert m.edns == 0
    assert m.payload == 1232, "we advertise our payload size, 1232 (DNS flag day 2020)"
    m = q(scs_ha, "nothere." + D, "A", transport, edns=0, payload=1400)
    assert m.edns == 0 and m.rcode() == dns.rcode.NXDOMAIN
    m = q(scs_ha, "scs1." + D, "A", transport, edns=None)
    assert m.edns == -1, "no OPT in the answer to a query without EDNS"


def test_edns_badvers(scs_ha):
    for tcp in (False, True):
        qm = make_query("scs1." + D, "A")
        qm.use_edns(1, payload=1232)
        m = ask(qm, scs_ha.port, tcp=tcp)
        assert m.rcode() == dns.rcode.BADVERS == 16
        assert m.edns == 0, "BADVERS carries an OPT with our version (0)"
        assert not m.answer


def test_edns_unknown_option_ignored_and_no_nsid(scs_ha):
    opts = [dns.edns.GenericOption(65001, b"hello"), dns.edns.GenericOption(dns.edns.NSID, b"")]
    qm = make_query("scs1." + D, "A", options=opts)
    m = ask(qm, scs_ha.port)
    assert m.rcode() == dns.rcode.NOERROR and len(m.answer) == 1
    assert m.edns == 0
    assert not [o for o in m.options if o.otype == 65001]
    assert not [o for o in m.options if o.otype == dns.edns.NSID], "NSID is off by default"


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    """A site with answers bigger than 512 bytes: 60 addresses at one name, 30 SRV targets."""
    from sipdnsd_harness import Daemon
    d = tmp_path_factory.mktemp("big")
    hosts = "\n".join(f"  t{i:02d}: 192.0.2.{100 + i}" for i in range(30))
    many = ", ".join(f"198.51.100.{i}" for i in range(1, 61))
    site = write_site(d, "big.yaml", f"""domain: big.test
ttl: 600
servers:
  - {{ name: ns1, ipv4: 203.0.113.1 }}
hosts:
  many: [{many}]
{hosts}
services:
  - {{ service: _sip._udp.pool, port: 5060, targets: [{", ".join(f"t{i:02d}" for i in range(30))}] }}
reverse: off
""")
    daemon = Daemon(site, name="sipdnsd-big")
    daemon.start()
    yield daemon
    assert daemon.stop() == 0


def test_big_answer_without_edns_is_truncated_to_question(big):
    for addr in (LOOPBACK4, LOOPBACK6):
        qm = make_query("many.big.test.", "A", edns=None)
        wire = qm.to_wire()
        resp = raw_udp(wire, big.port, addr)
        assert resp is not None and len(resp) <= 512
        m = dns.message.from_wire(resp)
        assert m.flags & dns.flags.TC and m.flags & dns.flags.AA
        _, _, qd, an, ns, ar = header(resp)
        assert (qd, an, ns, ar) == (1, 0, 0, 0), "TC=1 with the question only"
        end = question_end(wire)
        assert resp[12:end] == wire[12:end] and len(resp) == end


def test_edns_1232_fits_what_512_does_not(big):
    m = query("many.big.test.", "A", big.port, edns=0, payload=1232)
    assert not m.flags & dns.flags.TC
    assert len(m.answer) == 1 and len(m.answer[0]) == 60
    raw = raw_udp(make_query("many.big.test.", "A", payload=1232).to_wire(), big.port)
    assert 512 < len(raw) <= 1232
    # A client payload of 512 gets TC (payload = min(client's, ours)).
    qm = make_query("many.big.test.", "A", payload=512)
    resp = raw_udp(qm.to_wire(), big.port)
    assert len(resp) <= 512
    m = dns.message.from_wire(resp)
    assert m.flags & dns.flags.TC and not m.answer and m.edns == 0
    _, _, qd, an, ns, ar = header(resp)
    assert (qd, an, ns, ar) == (1, 0, 0, 1), "TC: the question and the OPT only"
    # A client payload above ours is capped at 1232... still fits here.
    m = query("many.big.test.", "A", big.port, edns=0, payload=65000)
    assert not m.flags & dns.flags.TC and len(m.answer[0]) == 60
    # TCP: everything, whatever the size.
    m = query("many.big.test.", "A", big.port, tcp=True, edns=None)
    assert not m.flags & dns.flags.TC and len(m.answer[0]) == 60


def test_additional_left_out_when_it_does_not_fit_never_tc(big):
    name = "_sip._udp.pool.big.test."
    m = query(name, "SRV", big.port, edns=0, payload=1232)
    assert not m.flags & dns.flags.TC, "additional data that does not fit is left out, no TC"
    assert len(m.answer) == 1 and len(m.answer[0]) == 30
    raw = raw_udp(make_query(name, "SRV").to_wire(), big.port)
    assert len(raw) <= 1232
    udp_additional = {r.name for r in m.additional if r.rdtype == dns.rdatatype.A}
    m_tcp = query(name, "SRV", big.port, tcp=True)
    tcp_additional = {r.name for r in m_tcp.additional if r.rdtype == dns.rdatatype.A}
    assert len(tcp_additional) == 30, "over TCP every target address fits"
    assert udp_additional < tcp_additional
    # Without EDNS the answer itself does not fit in 512: TC.
    m = query(name, "SRV", big.port, edns=None)
    assert m.flags & dns.flags.TC and not m.answer


# ---------------------------------------------------------------------------------------------
# Malformed messages


def test_qdcount_zero_is_formerr(scs_ha):
    wire = struct.pack("!HHHHHH", 0x1234, 0x0000, 0, 0, 0, 0)
    for tcp in (False, True):
        resp = raw_tcp(wire, scs_ha.port) if tcp else raw_udp(wire, scs_ha.port)
        assert resp is not None
        ident, flags, qd, an, ns, ar = header(resp)
        assert ident == 0x1234 and flags & 0x8000 and flags & 0xF == dns.rcode.FORMERR
        assert (qd, an, ns) == (0, 0, 0)


def test_two_questions_is_formerr(scs_ha):
    one = make_query("scs1." + D, "A", edns=None).to_wire()
    qsec = one[12:]
    wire = struct.pack("!HHHHHH", 0x4321, 0, 2, 0, 0, 0) + qsec + qsec
    resp = raw_udp(wire, scs_ha.port)
    assert resp is not None
    ident, flags, *_ = header(resp)
    assert ident == 0x4321 and flags & 0xF == dns.rcode.FORMERR


def test_truncated_question_is_formerr(scs_ha):
    full = make_query("scs1." + D, "A", edns=None).to_wire()
    for cut in (14, len(full) - 3, len(full) - 1):
        wire = full[:cut]
        for tcp in (False, True):
            resp = raw_tcp(wire, scs_ha.port) if tcp else raw_udp(wire, scs_ha.port)
            assert resp is not None, f"no answer to a question cut at {cut}"
            ident, flags, *_ = header(resp)
            assert ident == struct.unpack("!H", full[:2])[0]
            assert flags & 0x8000 and flags & 0xF == dns.rcode.FORMERR, f"cut at {cut}"


def test_short_garbage_is_dropped_and_server_survives(scs_ha):
    assert raw_udp(b"\x01\x02\x03\x04\x05", scs_ha.port, timeout=0.5) is None
    assert raw_udp(b"", scs_ha.port, timeout=0.5) is None
    # A label running past the end, a compression pointer loop in the question:
    assert_alive = lambda: query("scs1." + D, "A", scs_ha.port).rcode() == dns.rcode.NOERROR
    for body in (b"\x3fabc", b"\xc0\x0c\x00\x01\x00\x01", b"\x04scs1\xc0\x0c\x00\x01\x00\x01"):
        wire = struct.pack("!HHHHHH", 0x0101, 0, 1, 0, 0, 0) + body
        resp = raw_udp(wire, scs_ha.port, timeout=0.5)
        if resp is not None:
            assert header(resp)[1] & 0xF == dns.rcode.FORMERR
        assert assert_alive()


def test_response_message_is_dropped(scs_ha):
    qm = make_query("scs1." + D, "A")
    qm.flags |= dns.flags.QR
    assert raw_udp(qm.to_wire(), scs_ha.port, timeout=0.7) is None, "QR=1 must get no answer"
    # Over TCP the message is dropped and the connection stays open.
    with tcp_connect(scs_ha.port) as s:
        bad = qm.to_wire()
        good_q = make_query("scs2." + D, "A")
        good = good_q.to_wire()
        s.sendall(struct.pack("!H", len(bad)) + bad)
        s.sendall(struct.pack("!H", len(good)) + good)
        m = dns.message.from_wire(recv_tcp_message(s))
        assert m.id == good_q.id and rrset_set(m.answer) == {
            ("scs2." + D, 1800, "IN", "A", "192.0.2.12")}


def test_names_are_compressed(scs_ha):
    qm = make_query("scs1." + D, "A", edns=None)
    wire = qm.to_wire()
    resp = raw_udp(wire, scs_ha.port)
    # header + question + one A RR whose owner is a pointer to offset 12.
    assert len(resp) == len(wire) + 2 + 10 + 4
    assert resp[len(wire):len(wire) + 2] == b"\xc0\x0c"


def test_nsid_and_chaos_when_configured(tmp_path, start_server):
    from sipdnsd_harness import example
    text = example("scs-ha").read_text().split("\nserver:")[0]
    site = write_site(tmp_path, "site.yaml", text + "\nserver:\n  nsid: ns-a\n"
                      "  version: sipdns-test\n  identity: ns-a.example\n")
    srv = start_server(site)
    qm = make_query("scs1." + D, "A", options=[dns.edns.GenericOption(dns.edns.NSID, b"")])
    m = ask(qm, srv.port)
    nsid = [o for o in m.options if o.otype == dns.edns.NSID]
    assert len(nsid) == 1 and nsid[0].to_wire() == b"ns-a", m.options
    # Not requested -> not sent.
    m = query("scs1." + D, "A", srv.port)
    assert not m.options
    for name, text in (("version.bind.", "sipdns-test"), ("version.server.", "sipdns-test"),
                       ("id.server.", "ns-a.example"), ("hostname.bind.", "ns-a.example")):
        m = query(name, "TXT", srv.port, qclass="CH", tcp=name.startswith("id"))
        assert m.rcode() == dns.rcode.NOERROR, name
        assert [(r.rdclass, [rd.strings for rd in r]) for r in m.answer] == [
            (dns.rdataclass.CH, [(text.encode(),)])], name


def test_the_daemon_logs_the_sites_warnings_and_serves(tmp_path, start_server):
    """A warning (two names on one address) does not stop the site: the daemon serves it and
    logs the warning, at start and at each reload, as `check` prints it."""
    path = tmp_path / "site.yaml"
    path.write_text("domain: scsnetwork.local\n"
                    "servers:\n  - { name: scs1, ipv4: 192.0.2.11 }\n"
                    "hosts:\n  voicemail: 192.0.2.11\n")
    warning = (f"{path}:5:3: warning: hosts: 'voicemail.scsnetwork.local' has the address "
               "192.0.2.11, as servers 'scs1.scsnetwork.local' (line 3) has: the reverse lookup "
               "(PTR) of 192.0.2.11 gives scs1.scsnetwork.local only")
    srv = start_server(path)
    assert srv.log_text().count(warning) == 1, srv.log_text()
    r = query("11.2.0.192.in-addr.arpa.", "PTR", srv.port)
    assert rrset_set(r.answer) == {("11.2.0.192.in-addr.arpa.", 3600, "IN", "PTR",
                                    "scs1.scsnetwork.local.")}
    assert rrset_set(query("voicemail.scsnetwork.local.", "A", srv.port).answer) == {
        ("voicemail.scsnetwork.local.", 3600, "IN", "A", "192.0.2.11")}
    srv.signal(signal.SIGHUP)
    deadline = time.monotonic() + 10
    while "reloaded: " not in srv.log_text() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert srv.log_text().count(warning) == 2, srv.log_text()
