# SPDX-FileCopyrightText: 2026 The sipdns authors
# SPDX-License-Identifier: BSD-3-Clause
"""Malformed, truncated and oversized packets sent to the real daemon over UDP and TCP (issue 8,
docs/design.md §4). The full corpus, one row per case, is the engine unit test
tests/unit/engine/malformed_corpus_test.cc; this sends a subset through the sockets and checks
the answers (FORMERR / NOTIMP with the header echoed, or nothing) and that the daemon keeps
answering."""

import socket
import struct

import dns.message
import dns.rcode
import pytest

from sipdnsd_harness import (LOOPBACK4, LOOPBACK6, make_query, query, raw_udp, recv_tcp_message,
                             tcp_connect)

D = "scsnetwork.local."
FORMERR, NOTIMP, NOERROR = 1, 4, 0


def header(flags=0x0100, qd=1, an=0, ns=0, ar=0, qid=0x4242):
    return struct.pack("!HHHHHH", qid, flags, qd, an, ns, ar)


def wire_name(name):
    out = b""
    for label in name.rstrip(".").split("."):
        out += bytes([len(label)]) + label.encode()
    return out + b"\0"


QUESTION = wire_name("scs1." + D) + struct.pack("!HH", 1, 1)
OPT = b"\0" + struct.pack("!HHIH", 41, 1232, 0, 0)
RECORD_AT = bytes([12 + len(QUESTION)])  # offset of the first record after the question


def rr(owner, rdata=b"", rdlength=None):
    return owner + struct.pack("!HHIH", 65280, 1, 300,
                               len(rdata) if rdlength is None else rdlength) + rdata


# name -> (message, expected: None = no answer, else (rcode, question echoed, OPT echoed))
CASES = {
    "header of 11 bytes": (header()[:11], None),
    "QR=1": (header(flags=0x8100) + QUESTION, None),
    "QDCOUNT 0": (header(qd=0), (FORMERR, False, False)),
    "QDCOUNT 2": (header(qd=2) + QUESTION + QUESTION, (FORMERR, False, False)),
    "label of 64 octets": (header() + b"\x40" + b"a" * 64 + b"\0\0\1\0\1", (FORMERR, False, False)),
    "label past the end": (header() + b"\x3fabc", (FORMERR, False, False)),
    "pointer in the question": (header() + b"\xc0\x0c\0\1\0\1", (FORMERR, False, False)),
    "ANCOUNT larger than the data": (header(an=2) + QUESTION, (FORMERR, True, False)),
    "ARCOUNT larger than the data": (header(ar=2) + QUESTION + OPT, (FORMERR, True, True)),
    "pointer loop in a record owner": (header(ar=1) + QUESTION + rr(b"\x01a\xc0" + RECORD_AT),
                                       (FORMERR, True, False)),
    "OPT in the answer section": (header(an=1) + QUESTION + OPT, (FORMERR, True, False)),
    "two OPTs": (header(ar=2) + QUESTION + OPT + OPT, (FORMERR, True, True)),
    "OPT with a non-root owner": (header(ar=1) + QUESTION + b"\x01a" + OPT, (FORMERR, True, False)),
    "OPT rdlength past the end": (header(ar=1) + QUESTION + OPT[:-2] + b"\0\x20",
                                  (FORMERR, True, False)),
    "trailing garbage": (header() + QUESTION + b"\xde\xad", (FORMERR, True, False)),
    # (an UPDATE's zone section holds an SOA question: RFC 2136 §2.3, as dnspython checks)
    "opcode UPDATE": (header(flags=0x2800) + wire_name(D) + struct.pack("!HH", 6, 1),
                      (NOTIMP, True, False)),
    "opcode DSO": (header(flags=0x3000, qd=0) + b"\0\1\0\2\0\0", (NOTIMP, False, False)),
    "legal pointer in a record owner": (header(ar=1) + QUESTION + rr(b"\xc0\x0c", b"x"),
                                        (NOERROR, True, False)),
}


def check(name, sent, reply, expected):
    if expected is None:
        assert reply is None, f"{name}: answered, expected a drop"
        return
    assert reply is not None, f"{name}: no answer"
    qid, flags, qd, an, ns, ar = struct.unpack("!HHHHHH", reply[:12])
    sent_flags = struct.unpack("!H", sent[2:4])[0]
    assert qid == 0x4242, name
    assert flags & 0x8000, f"{name}: QR set"
    assert flags & 0xF == expected[0], f"{name}: rcode {flags & 0xF}, expected {expected[0]}"
    assert (flags >> 11) & 0xF == (sent_flags >> 11) & 0xF, f"{name}: opcode echoed"
    assert qd == (1 if expected[1] else 0), f"{name}: question echoed = {expected[1]}"
    if expected[1]:
        end = 12
        while sent[end]:
            end += sent[end] + 1
        end += 5
        assert reply[12:end] == sent[12:end], f"{name}: question echoed byte for byte"
    if expected[0] != NOERROR:
        assert an == ns == 0, name
        assert ar == (1 if expected[2] else 0), f"{name}: OPT echoed = {expected[2]}"
    if (sent_flags >> 11) & 0xF != 6:  # dnspython knows no DSO opcode
        m = dns.message.from_wire(reply)  # an independent decoder reads our answer
        assert (m.edns >= 0) == expected[2], f"{name}: OPT echoed = {expected[2]}"


@pytest.mark.parametrize("addr", [LOOPBACK4, LOOPBACK6])
def test_malformed_over_udp(scs_ha, addr):
    for name, (msg, expected) in CASES.items():
        reply = raw_udp(msg, scs_ha.port, addr, timeout=0.3 if expected is None else 2.0)
        check(name, msg, reply, expected)
    # Oversized datagrams: a 4096-octet query (the receive buffer) is answered, a larger one
    # arrives cut (MSG_TRUNC) and is dropped.
    fits = header(ar=1) + QUESTION
    fits += rr(b"\xc0\x0c", b"\x55" * (4096 - len(fits) - 12))
    assert len(fits) == 4096
    check("4096-octet datagram", fits, raw_udp(fits, scs_ha.port, addr), (NOERROR, True, False))
    too_big = header(ar=1) + QUESTION
    too_big += rr(b"\xc0\x0c", b"\x55" * (5000 - len(too_big) - 12))
    assert raw_udp(too_big, scs_ha.port, addr, timeout=0.3) is None, "5000-octet datagram"
    assert query("scs1." + D, "A", scs_ha.port, addr=addr).answer, "the daemon still answers"


def test_malformed_over_tcp_pipelined_on_one_connection(scs_ha):
    """Every case on one connection, in one send: each answered (or skipped) in order, and the
    connection stays usable (docs/design.md §4: QR=1 over TCP is dropped, the connection stays
    open). Plus a zero-length frame and the largest message TCP can carry."""
    big_ok = header(ar=1) + QUESTION
    big_ok += rr(b"\xc0\x0c", b"\x55" * (65535 - len(big_ok) - 12))
    big_garbage = (header() + QUESTION).ljust(65535, b"\x55")
    cases = {k: v for k, v in CASES.items() if k != "header of 11 bytes"}
    cases["header of 11 bytes (TCP)"] = (header()[:11], None)
    cases["zero-length message"] = (b"", None)
    cases["65535 octets, well-formed"] = (big_ok, (NOERROR, True, False))
    cases["65535 octets of garbage after the question"] = (big_garbage, (FORMERR, True, False))
    with tcp_connect(scs_ha.port, timeout=5.0) as s:
        stream = b""
        for msg, _ in cases.values():
            stream += struct.pack("!H", len(msg)) + msg
        closing = make_query("scs2." + D, "A")
        stream += struct.pack("!H", len(closing.to_wire())) + closing.to_wire()
        s.sendall(stream)
        for name, (msg, expected) in cases.items():
            if expected is None:
                continue
            check(name, msg, recv_tcp_message(s), expected)
        m = dns.message.from_wire(recv_tcp_message(s))
        assert m.id == closing.id and m.answer, "the connection stays usable"
    assert query("scs1." + D, "A", scs_ha.port, tcp=True).answer


def test_frame_longer_than_what_follows_then_eof(scs_ha):
    """A length prefix promising more than the client sends, then EOF: no answer, no harm."""
    with tcp_connect(scs_ha.port) as s:
        s.sendall(struct.pack("!H", 500) + header() + QUESTION)
        s.shutdown(socket.SHUT_WR)
        s.settimeout(3.0)
        assert s.recv(100) == b"", "closed without an answer"
    assert query("scs1." + D, "A", scs_ha.port, tcp=True).answer
