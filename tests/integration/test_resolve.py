# SPDX-FileCopyrightText: 2026 The sipdns authors
# SPDX-License-Identifier: BSD-3-Clause
"""`sipdnsd resolve` and `sipdnsd verify` (issue 15) against the real daemon on loopback.

- resolve: for every example in packaging/examples, the (transport, address, port) list a
  phone tries (RFC 3263 §4: NAPTR order/preference, SRV priority then weight with weight 0 last,
  TLS at 5061, sips: TLS only, --transport) equals the list worked out here from the example's
  SRV table (the comments of each example and the SCS guide's tables); explicit ports, numeric
  hosts and bad URIs; a server that does not answer is exit 1.
- verify: every plan check passes on the served example (0), and a file that differs from the
  served one fails with exit 1 naming the mismatch; no reply is exit 1 saying so.
Queries go to the loopback daemon only: every run names it with --server.
"""

import re

import pytest

from sipdnsd_harness import LOOPBACK4, example, free_port, run_sipdnsd

ALL_EXAMPLES = sorted(p.stem for p in example("scs-ha").parent.glob("*.yaml"))

# example -> [(URI, extra options, expected destinations "transport address port" in order)]
SCS1, SCS2 = "192.0.2.11", "192.0.2.12"
CASES = {
    # SCS guide, single server: NAPTR udp (preference 10) then tcp (20); _sip._udp 1 0 5060,
    # _sip._tcp 2 0 5060 scs1.
    "scs-single": [
        ("sip:alice@scsnetwork.local", [], [f"udp {SCS1} 5060", f"tcp {SCS1} 5060"]),
        ("sip:alice@scsnetwork.local", ["--transport", "tcp"], [f"tcp {SCS1} 5060"]),
    ],
    # SCS guide, HA pair: _sip._udp scs1 1, scs2 2; _sip._tcp scs1 3, scs2 4 (all weight 0);
    # rr.scs1 (no NAPTR): _sip._tcp scs1 1 0, scs2 2 100; _sip._udp scs1 3 0, scs2 4 100 on
    # 5070 (tcp before udp when the client picks: TLS, TCP, UDP).
    "scs-ha": [
        ("sip:alice@scsnetwork.local", [],
         [f"udp {SCS1} 5060", f"udp {SCS2} 5060", f"tcp {SCS1} 5060", f"tcp {SCS2} 5060"]),
        ("sip:alice@rr.scs1.scsnetwork.local", [],
         [f"tcp {SCS1} 5070", f"tcp {SCS2} 5070", f"udp {SCS1} 5070", f"udp {SCS2} 5070"]),
        ("sip:alice@rr.scs2.scsnetwork.local;transport=udp", [],
         [f"udp {SCS2} 5070", f"udp {SCS1} 5070"]),
        ("sip:alice@scs2.scsnetwork.local:5070", [], [f"udp {SCS2} 5070"]),
    ],
    # The same with TLS: SIPS+D2T (preference 30) -> _sips._tcp on 5061.
    "scs-tls": [
        ("sip:alice@scsnetwork.local", [],
         [f"udp {SCS1} 5060", f"udp {SCS2} 5060", f"tcp {SCS1} 5060", f"tcp {SCS2} 5060",
          f"tls {SCS1} 5061", f"tls {SCS2} 5061"]),
        ("sips:alice@scsnetwork.local", [], [f"tls {SCS1} 5061", f"tls {SCS2} 5061"]),
        ("sip:alice@scsnetwork.local", ["--transport", "tls"],
         [f"tls {SCS1} 5061", f"tls {SCS2} 5061"]),
        ("sips:alice@192.0.2.11", [], [f"tls {SCS1} 5061"]),
    ],
    # The SIP cluster guide: spx-srv, default view dc1 (loopback is in no location):
    # 10 50 dc1-spx1/2, 200 50 dc2-spx1/2, for tcp and udp (no NAPTR); the SBC records
    # _sip._udp.sip-dc: sip-dc1 10 50 6000, sip-dc2 20 50 6000.
    "sip-cluster": [
        ("sip:alice@spx-srv.example.com", [],
         ["tcp 192.168.11.121 5060", "tcp 192.168.11.125 5060", "tcp 192.168.22.121 5060",
          "tcp 192.168.22.125 5060", "udp 192.168.11.121 5060", "udp 192.168.11.125 5060",
          "udp 192.168.22.121 5060", "udp 192.168.22.125 5060"]),
        ("sip:alice@sip-dc.example.com", [], ["udp 192.0.2.10 6000", "udp 203.0.113.10 6000"]),
    ],
    # pbx with IPv4 and IPv6 (A before AAAA); the gateways: gw1 10 60, gw2 10 40 (heavier first).
    "lab": [
        ("sip:alice@lab.example.test", [],
         ["udp 198.51.100.10 5060", "udp 2001:db8:99::10 5060", "tcp 198.51.100.10 5060",
          "tcp 2001:db8:99::10 5060"]),
        ("sip:alice@gateways.lab.example.test", [],
         ["udp 198.51.100.20 5060", "udp 2001:db8:99::20 5060", "udp 198.51.100.21 5060"]),
    ],
    # Lync publishes _sipinternaltls._tcp and _sip._tls, none of RFC 3263's owners: a SIP
    # phone finds nothing at the domain, and sip.<domain> by its A record on port 5060.
    "lync": [
        ("sip:alice@corp.example.test", [], []),
        ("sip:alice@sip.corp.example.test", [], ["udp 192.0.2.50 5060"]),
    ],
}

DESTINATION = re.compile(r"^\s+\d+\s+(udp|tcp|tls)\s+(\S+)\s+(\d+)\s", re.M)


def destinations(text):
    return [" ".join(m) for m in DESTINATION.findall(text)]


def test_every_example_has_cases():
    assert sorted(CASES) == ALL_EXAMPLES


@pytest.fixture(scope="module")
def servers():
    """One daemon per example, started on first use."""
    from sipdnsd_harness import Daemon
    started = {}

    def get(name):
        if name not in started:
            started[name] = Daemon(example(name), name=f"resolve-{name}").start()
        return started[name]

    yield get
    bad = {name: d.stop() for name, d in started.items()}
    assert all(code == 0 for code in bad.values()), bad


@pytest.mark.parametrize("name,uri,options,expected",
                         [(n, u, o, e) for n, cases in sorted(CASES.items()) for u, o, e in cases],
                         ids=lambda v: v if isinstance(v, str) else None)
def test_resolve_orders_like_rfc3263(servers, name, uri, options, expected):
    d = servers(name)
    r = run_sipdnsd("resolve", uri, "--server", f"{LOOPBACK4}:{d.port}", *options)
    assert destinations(r.stdout) == expected, r.stdout + r.stderr
    assert r.returncode == (0 if expected else 1), r.stdout + r.stderr
    if not expected:
        assert "Nothing to try" in r.stdout


def test_resolve_prints_the_steps_and_the_order_rules(servers):
    d = servers("scs-tls")
    r = run_sipdnsd("resolve", "sip:alice@scsnetwork.local", "--server", f"[::1]:{d.port}")
    assert r.returncode == 0, r.stderr
    steps = re.findall(r"^\d+\. (\S+ \S+)$", r.stdout, re.M)
    assert steps[:3] == ["NAPTR scsnetwork.local", "SRV _sip._udp.scsnetwork.local",
                         "A scs1.scsnetwork.local"]
    assert '10 30 "s" "SIPS+D2T" "" _sips._tcp.scsnetwork.local.' in r.stdout
    assert "1 0 5061 scs1.scsnetwork.local." in r.stdout
    flat = " ".join(r.stdout.split())
    assert "lowest order first, then lowest preference" in flat
    assert "weight-0 records last in their priority" in flat


def test_resolve_without_a_reply_is_exit_1():
    port = free_port([LOOPBACK4])  # nothing listens there
    r = run_sipdnsd("resolve", "sip:alice@scsnetwork.local", "--server", f"{LOOPBACK4}:{port}")
    assert r.returncode == 1
    assert f"no answer from {LOOPBACK4} port {port}" in r.stderr


@pytest.mark.parametrize("args,message", [
    (["alice@example.com"], "expected a sip: or sips: URI such as sip:alice@example.com"),
    (["sip:alice@example.com:0"], "the port '0' is not a number from 1 to 65535"),
    (["sip:alice@2001:db8::1"], "an IPv6 address goes in brackets"),
    (["sips:alice@example.com", "--transport", "udp"], "a sips: URI is reached over TLS only"),
    (["sip:alice@example.com;transport=tcp", "--transport", "udp"], "contradicts"),
    (["sip:alice@example.com", "--transport", "sctp"], "expected udp, tcp or tls"),
    ([], "resolve needs a SIP URI"),
])
def test_resolve_usage_errors(args, message):
    r = run_sipdnsd("resolve", *args, "--server", "127.0.0.1:53")
    assert r.returncode == 2
    lines = r.stderr.splitlines()
    assert len(lines) == 2 and lines[0].startswith("sipdnsd: ") and message in lines[0], r.stderr
    assert lines[1].startswith("try 'sipdnsd "), r.stderr
    assert r.stdout == ""


# ---------------------------------------------------------------------------------------------
# verify

def plan_check_count(path):
    """The checks `plan` prints: each has one 'expect:' line that starts its answers."""
    r = run_sipdnsd("plan", str(path))
    assert r.returncode == 0, r.stderr
    section = r.stdout.split("3. DNS checks", 1)[1]
    return len(re.findall(r"^     (?:dig|nslookup) .*\n     nslookup .*\n     expect: ",
                          section, re.M))


@pytest.mark.parametrize("name", ALL_EXAMPLES)
def test_verify_passes_on_the_served_example(servers, name):
    d = servers(name)
    r = run_sipdnsd("verify", str(example(name)), "--server", f"{LOOPBACK4}:{d.port}")
    assert r.returncode == 0, r.stdout + r.stderr
    checks = [line for line in r.stdout.splitlines()[1:-1]]
    assert checks and all(line.startswith("ok ") for line in checks), r.stdout
    assert len(checks) == plan_check_count(example(name))
    assert r.stdout.splitlines()[-1] == f"{len(checks)} checks: {len(checks)} ok, 0 mismatches"


def test_verify_names_the_mismatch_when_the_served_file_differs(servers):
    # Served: scs-tls (NAPTR and SRV for TLS as well); verified: scs-ha (no TLS).
    d = servers("scs-tls")
    r = run_sipdnsd("verify", str(example("scs-ha")), "--server", f"{LOOPBACK4}:{d.port}")
    assert r.returncode == 1, r.stdout
    mismatches = [l for l in r.stdout.splitlines() if l.startswith("MISMATCH")]
    assert len(mismatches) == 1, r.stdout
    assert mismatches[0].startswith("MISMATCH  scsnetwork.local NAPTR: expected ")
    assert 'not expected: 10 30 "s" "SIPS+D2T" "" _sips._tcp.scsnetwork.local.' in mismatches[0]
    assert r.stdout.splitlines()[-1].endswith("1 mismatch")


def test_verify_reports_records_the_server_lacks(servers):
    # Served: scs-single (scs1 only); verified: scs-ha, whose scs2 records are missing there.
    d = servers("scs-single")
    r = run_sipdnsd("verify", str(example("scs-ha")), "--server", f"{LOOPBACK4}:{d.port}")
    assert r.returncode == 1
    assert "MISMATCH  scs2.scsnetwork.local A: expected 192.0.2.12; got NXDOMAIN" in r.stdout


def test_verify_asks_where_plan_asks(start_server, tmp_path):
    # No --server: the first server.listen address, as plan's dig commands.
    port = free_port([LOOPBACK4])
    site = tmp_path / "site.yaml"
    site.write_text(example("scs-ha").read_text().replace(
        '["127.0.0.1:5353"]', f'["127.0.0.1:{port}"]'))
    assert f"127.0.0.1:{port}" in site.read_text()
    start_server(site, listen=["127.0.0.1:{port}"], port=port)
    r = run_sipdnsd("verify", str(site))
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.startswith(f"Verifying {site} against 127.0.0.1 port {port} "
                               "(the first address in server.listen)")


def test_verify_without_a_reply_is_exit_1():
    port = free_port([LOOPBACK4])
    r = run_sipdnsd("verify", str(example("scs-ha")), "--server", f"{LOOPBACK4}:{port}")
    assert r.returncode == 1
    assert f"sipdnsd: verify: no answer from {LOOPBACK4} port {port}" in r.stderr
    assert "NO REPLY" in r.stdout
