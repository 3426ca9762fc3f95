# SPDX-FileCopyrightText: 2026 The sipdns authors
# SPDX-License-Identifier: BSD-3-Clause
"""DNS Cookies (RFC 7873, server cookies per RFC 9018), on by default: dig and kdig learn a server
cookie that the next query presents and the daemon accepts (echoes); a wrong server cookie gets
BADCOOKIE with a new cookie over UDP (RFC 7873 §5.2.4, as BIND and Knot) and an answer over TCP;
a malformed option is FORMERR; a flood from one address that presents a valid server cookie is
never rate-limited while the same flood without it is slipped; `server.cookies: false` ignores
the option; the metrics count the cookies seen."""

from __future__ import annotations

import re
import subprocess
import time

import dns.edns
import dns.flags
import dns.message
import dns.name
import dns.query
import dns.rcode
import pytest

from sipdnsd_harness import Daemon, free_port, make_query, write_site
from test_metrics import scrape, total
from test_rate_limit import Flood, RATE, wait_limited

D = "cookie.example.test."
NAME = "www." + D
ADDRESS = "192.0.2.80"
COOKIE = 10  # EDNS option code, RFC 7873 §4
CLIENT_COOKIE = bytes.fromhex("0123456789abcdef")


def site(server: str = "") -> str:
    return f"""domain: cookie.example.test
ttl: 60
servers:
  - {{ name: ns1, ipv4: 192.0.2.1 }}
hosts:
  www: {ADDRESS}
reverse: off
{server}"""


ON = site()
OFF = site("server:\n  cookies: false\n")
LIMITED = site(f"server:\n  rate_limit:\n    responses_per_second: {RATE}\n    slip: 2\n")


def cookie_query(data: bytes | None, name: str = NAME) -> dns.message.Message:
    options = [] if data is None else [dns.edns.GenericOption(COOKIE, data)]
    return make_query(name, "A", options=options)


def reply_cookie(m: dns.message.Message) -> bytes | None:
    found = [o for o in m.options if o.otype == COOKIE]
    assert len(found) <= 1, m
    return found[0].to_wire() if found else None


def udp(q: dns.message.Message, port: int) -> dns.message.Message:
    # ignore_trailing: no; BADCOOKIE is an ordinary message to dnspython.
    return dns.query.udp(q, "127.0.0.1", port=port, timeout=2.0)


def learn(port: int) -> bytes:
    """A server cookie for CLIENT_COOKIE from 127.0.0.1 (RFC 7873 §5.2.3)."""
    m = udp(cookie_query(CLIENT_COOKIE), port)
    assert m.rcode() == dns.rcode.NOERROR
    data = reply_cookie(m)
    assert data is not None and data[:8] == CLIENT_COOKIE and len(data) == 24, data
    return data[8:]


def run(args: list[str]) -> str:
    r = subprocess.run(args, capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stdout + r.stderr
    return r.stdout


@pytest.fixture
def server(tmp_path, start_server):
    return start_server(write_site(tmp_path, "site.yaml", ON), threads=2)


def test_client_cookie_gets_a_server_cookie_that_validates(server):
    server_cookie = learn(server.port)
    # RFC 9018 §4: Version 1, Reserved 0, a timestamp near now, an 8-octet hash.
    assert server_cookie[:4] == b"\x01\x00\x00\x00"
    stamp = int.from_bytes(server_cookie[4:8], "big")
    assert abs(stamp - time.time()) < 60, stamp
    # Presented again: valid, so echoed unchanged (fresh: under half an hour old).
    m = udp(cookie_query(CLIENT_COOKIE + server_cookie), server.port)
    assert m.rcode() == dns.rcode.NOERROR
    assert [rd.address for rd in m.answer[0]] == [ADDRESS]
    assert reply_cookie(m) == CLIENT_COOKIE + server_cookie
    # No cookie: as before cookies, no option in the reply.
    m = udp(cookie_query(None), server.port)
    assert m.rcode() == dns.rcode.NOERROR and reply_cookie(m) is None


def test_wrong_server_cookie_is_badcookie_over_udp_answered_over_tcp(server):
    wrong = CLIENT_COOKIE + bytes.fromhex("01000000") + int(time.time()).to_bytes(4, "big") + \
        bytes(8)
    m = udp(cookie_query(wrong), server.port)
    assert m.rcode() == dns.rcode.BADCOOKIE, dns.rcode.to_text(m.rcode())
    assert not m.answer
    assert m.question[0].name == dns.name.from_text(NAME)
    fresh = reply_cookie(m)
    assert fresh is not None and fresh[:8] == CLIENT_COOKIE and fresh != wrong
    # The client retries with the cookie BADCOOKIE brought: answered (RFC 7873 §5.3).
    m = udp(cookie_query(fresh), server.port)
    assert m.rcode() == dns.rcode.NOERROR and [rd.address for rd in m.answer[0]] == [ADDRESS]
    # Over TCP the source is proven by the handshake: answered, with a new cookie.
    m = dns.query.tcp(cookie_query(wrong), "127.0.0.1", port=server.port, timeout=2.0)
    assert m.rcode() == dns.rcode.NOERROR and m.answer
    assert reply_cookie(m)[:8] == CLIENT_COOKIE and reply_cookie(m) != wrong


@pytest.mark.parametrize("data", [b"", bytes(7), CLIENT_COOKIE + bytes(3),
                                  CLIENT_COOKIE + bytes(33)],
                         ids=["empty", "7 octets", "server cookie of 3", "server cookie of 33"])
def test_malformed_cookie_is_formerr(server, data):
    m = udp(cookie_query(data), server.port)
    assert m.rcode() == dns.rcode.FORMERR, dns.rcode.to_text(m.rcode())


def test_dig_cookie_interop(server):
    """dig +cookie (BIND 9.18): the server cookie dig learns, sent back with
    +cookie=<client><server>, comes back unchanged: valid."""
    base = ["dig", "-p", str(server.port), "@127.0.0.1", NAME, "A", "+norecurse", "+tries=1",
            "+timeout=2"]
    out = run(base + ["+cookie"])
    found = re.search(r"; COOKIE: ([0-9a-f]{16})([0-9a-f]{32}) \(good\)", out)
    assert found, out
    assert "status: NOERROR" in out and ADDRESS in out
    cookie = found.group(1) + found.group(2)
    out = run(base + [f"+cookie={cookie}"])
    assert f"; COOKIE: {cookie} (good)" in out, out
    assert "status: NOERROR" in out and "BADCOOKIE" not in out
    # A made-up server cookie: BADCOOKIE, and dig retries with the new one it brought.
    made_up = found.group(1) + "01000000" + found.group(2)[8:16] + "00" * 8
    out = run(base + [f"+cookie={made_up}"])
    assert "BADCOOKIE, retrying" in out, out
    assert "status: NOERROR" in out and ADDRESS in out


def test_kdig_cookie_interop(server):
    """kdig +cookie (Knot 3.2): the server cookie it learns is valid on the next query."""
    base = ["kdig", "-p", str(server.port), "@127.0.0.1", NAME, "A", "+norecurse",
            "+retry=0", "+timeout=2"]
    out = run(base + ["+cookie"])
    found = re.search(r"COOKIE: ([0-9A-F]{16})([0-9A-F]{32})", out, re.IGNORECASE)
    assert found, out
    assert "status: NOERROR" in out and ADDRESS in out
    cookie = (found.group(1) + found.group(2)).lower()
    out = run(base + [f"+cookie={cookie}"])
    assert f"cookie: {cookie}" in out.lower(), out
    assert "status: NOERROR" in out and ADDRESS in out


def test_cookies_off_ignores_the_option(tmp_path, start_server):
    srv = start_server(write_site(tmp_path, "site.yaml", OFF), threads=1)
    for data in (CLIENT_COOKIE, CLIENT_COOKIE + bytes(16), bytes(3)):
        m = udp(cookie_query(data), srv.port)
        assert m.rcode() == dns.rcode.NOERROR and m.answer
        assert reply_cookie(m) is None
    out = run(["dig", "-p", str(srv.port), "@127.0.0.1", NAME, "A", "+cookie", "+norecurse"])
    assert "; COOKIE:" not in out and "status: NOERROR" in out, out


def test_valid_cookie_flood_is_not_rate_limited(tmp_path, start_server):
    """A flood of one answer from 127.0.0.1 at far over the rate: with the valid server cookie
    every query is answered in full (never dropped, never a TC slip); the same flood without a
    cookie is slipped."""
    srv = start_server(write_site(tmp_path, "site.yaml", LIMITED), threads=2)
    server_cookie = learn(srv.port)
    count = 20 * RATE
    flood = Flood(srv.port, name=NAME, count=count, window=32)
    flood.wire = bytearray(cookie_query(CLIENT_COOKIE + server_cookie).to_wire())
    flood.start().join()
    print(f"with cookie: {flood.sent} sent in {flood.elapsed:.2f}s, {flood.full} answered, "
          f"{flood.truncated} TC, {flood.other} other")
    assert flood.sent == count
    assert flood.elapsed < 10, "the flood must outrun the rate to test anything"
    assert flood.full == count and flood.truncated == 0 and flood.other == 0

    plain = Flood(srv.port, name=NAME, pace=40 * RATE).start()
    try:
        wait_limited(plain)
    finally:
        plain.stop()
        plain.join()
    print(f"without cookie: {plain.sent} sent, {plain.full} answered, {plain.truncated} TC")
    assert plain.truncated > 0 and plain.full < plain.sent


def test_metrics_count_cookies(tmp_path):
    path = write_site(tmp_path, "site.yaml", ON)
    metrics_port = free_port(["127.0.0.1"])
    with Daemon(path, listen=["127.0.0.1:{port}"],
                extra_args=["--metrics", f"127.0.0.1:{metrics_port}"]) as d:
        server_cookie = learn(d.port)
        udp(cookie_query(CLIENT_COOKIE + server_cookie), d.port)
        udp(cookie_query(CLIENT_COOKIE + bytes(16)), d.port)
        udp(cookie_query(bytes(3)), d.port)
        samples = scrape(metrics_port)
    name = "sipdns_queries_cookie_total"
    # The readiness probe sends no cookie; each query above is one of each kind.
    assert total(samples, name, cookie="client_only") == 1
    assert total(samples, name, cookie="valid") == 1
    assert total(samples, name, cookie="invalid") == 1
    assert total(samples, name, cookie="malformed") == 1
