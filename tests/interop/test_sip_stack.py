# SPDX-FileCopyrightText: 2026 The sipdns authors
# SPDX-License-Identifier: BSD-3-Clause
"""A real SIP stack follows sipdnsd's records (RFC 3263) to the right call server.

baresip (Debian's baresip-core; its SIP stack libre resolves RFC 3263 itself) has its own DNS
client pointed at sipdnsd on loopback (through a relay that records the questions) and sends
`OPTIONS sip:bob@scsnetwork.local`. The site's servers scs1 (primary) and scs2 sit on loopback
addresses, with Python listeners standing in for them on the site's proxy_port (a free,
non-default port: reaching it proves the port came from the SRV records). Checked:
- the request reaches scs1 on the transport the NAPTR records prefer (UDP for a udp+tcp site,
  TCP for a tcp-only site) and the SRV port, and nothing reaches scs2;
- the first question is the NAPTR of the domain (RFC 3263 §4.1) and every question is in the
  zone (the SRV and A records come from the NAPTR answer's additional section);
- with scs1's listener gone, the request reaches scs2: at once over TCP (connection refused),
  after libre's Timer F (64*T1 = 32 s) over UDP (nothing answers; ICMP port unreachable is not
  reported to libre's unconnected socket); and a 503 from scs1 sends it to scs2 (RFC 3263 §4.3).
The UDP timeout scenario runs in the background from the start of the module (its own sipdnsd,
addresses and ports), so the whole file takes about as long as Timer F.
All traffic stays on loopback; every wait is bounded; processes are stopped by PID.
"""

import pytest

from sip_stack_harness import DOMAIN, Result, Scenario

SCS1, SCS2 = "127.0.0.11", "127.0.0.12"
# The background UDP-timeout scenario uses its own addresses.
SCS1_BG, SCS2_BG = "127.0.0.21", "127.0.0.22"
QUICK = 10.0         # seconds for a scenario that needs no timeout
TIMER_F = 32.0       # libre: 64 * T1 (500 ms)


def check_dns(result: Result) -> None:
    text = result.describe()
    assert result.questions, f"baresip asked the relay nothing\n{text}"
    first = result.questions[0]
    assert (first.qname, first.qtype) == (f"{DOMAIN}.", "NAPTR"), \
        f"RFC 3263 §4.1: the first question must be the domain's NAPTR\n{text}"
    outside = [q for q in result.questions
               if not (q.qname == f"{DOMAIN}." or q.qname.endswith(f".{DOMAIN}."))]
    assert not outside, f"questions outside {DOMAIN}: {outside}\n{text}"


def check_hits(result: Result, scenario: Scenario, expected: list[tuple[str, str]]) -> None:
    """expected: [(server, transport)] in arrival order, all OPTIONS to the URI on proxy_port."""
    text = result.describe()
    got = [(h.server, h.transport) for h in result.hits]
    assert got == expected, f"requests {got}, expected {expected}\n{text}"
    for h in result.hits:
        assert (h.method, h.uri, h.port) == ("OPTIONS", scenario.uri, scenario.proxy_port), text
        assert h.via.upper().startswith(f"SIP/2.0/{h.transport.upper()} "), \
            f"Via {h.via!r} does not name {h.transport}\n{text}"
    assert result.outcome == "200", f"baresip did not get the 200 OK\n{text}"


def run(tmp_path, name, servers, transports, timeout=QUICK) -> tuple[Scenario, Result]:
    sc = Scenario(name, tmp_path / name, servers, transports, limit=int(timeout) + 20).start()
    try:
        result = sc.wait(timeout)
    finally:
        sc.stop()
    print(f"{name}: {result.describe()}")
    return sc, result


@pytest.fixture(scope="module", autouse=True)
def udp_timeout_scenario(tmp_path_factory):
    """Started before the first test: scs1 has no listener at all, the site prefers UDP."""
    sc = Scenario("udp-gone", tmp_path_factory.mktemp("udp-gone"),
                  [("scs1", SCS1_BG, None), ("scs2", SCS2_BG, 200)], ["udp", "tcp"],
                  limit=int(TIMER_F) + 40).start()
    try:
        yield sc
    finally:
        sc.stop()


def test_udp_site_reaches_primary_over_udp(tmp_path):
    sc, r = run(tmp_path, "udp-primary", [("scs1", SCS1, 200), ("scs2", SCS2, 200)],
                ["udp", "tcp"])
    check_dns(r)
    check_hits(r, sc, [("scs1", "udp")])


def test_tcp_site_reaches_primary_over_tcp(tmp_path):
    sc, r = run(tmp_path, "tcp-primary", [("scs1", SCS1, 200), ("scs2", SCS2, 200)], ["tcp"])
    check_dns(r)
    check_hits(r, sc, [("scs1", "tcp")])


def test_tcp_fails_over_at_once_when_primary_listener_is_gone(tmp_path):
    sc, r = run(tmp_path, "tcp-gone", [("scs1", SCS1, None), ("scs2", SCS2, 200)], ["tcp"])
    check_dns(r)
    check_hits(r, sc, [("scs2", "tcp")])
    assert r.t_request < 5.0, f"failover took {r.t_request:.2f}s\n{r.describe()}"


def test_udp_fails_over_on_503_from_primary(tmp_path):
    sc, r = run(tmp_path, "udp-503", [("scs1", SCS1, 503), ("scs2", SCS2, 200)],
                ["udp", "tcp"])
    check_dns(r)
    check_hits(r, sc, [("scs1", "udp"), ("scs2", "udp")])


def test_udp_fails_over_after_timeout_when_primary_listener_is_gone(udp_timeout_scenario):
    sc = udp_timeout_scenario
    r = sc.wait(TIMER_F + 15.0)
    print(f"udp-gone: {r.describe()}")
    check_dns(r)
    check_hits(r, sc, [("scs2", "udp")])
    # Not sooner than Timer F: scs1 was tried first and given up only when libre timed out.
    assert r.t_request >= TIMER_F - 2.0, \
        f"scs2 reached after {r.t_request:.2f}s, before Timer F\n{r.describe()}"
