# SPDX-FileCopyrightText: 2026 The sipdns authors
# SPDX-License-Identifier: BSD-3-Clause
"""TSIG (RFC 8945) on zone transfers, against the real daemon on loopback: dig -y and dnspython
(an independent implementation) sign the requests and verify every answer's MAC, the messages of
a multi-message AXFR included (§5.3.1); unsigned, wrongly signed, unknown-key and clock-skewed
requests get REFUSED, BADSIG, BADKEY and BADTIME, and the daemon's log names client, zone and
error."""

from __future__ import annotations

import base64
import os
import shutil
import socket
import struct
import subprocess
import time

import dns.message
import dns.name
import dns.query
import dns.rcode
import dns.rdatatype
import dns.tsig
import dns.tsigkeyring
import pytest

from sipdnsd_harness import run_sipdnsd, wait_until, write_site

SECRET = base64.b64encode(b"sipdns integration secret 32 oct").decode()
WRONG = base64.b64encode(b"not the secret, but 32 octets ok").decode()
KEY = "sipdns-transfer"

SITE = """domain: scsnetwork.local
ttl: 1800
servers:
  - {{ name: scs1, ipv4: 192.0.2.11 }}
hosts:
{hosts}
server:
  transfer:
{transfer}
"""


def site_text(transfer: str, hosts: str = "  gw: 192.0.2.1") -> str:
    return SITE.format(hosts=hosts, transfer=transfer)


def keyring(secret=SECRET, name=KEY, algorithm="hmac-sha256"):
    return {dns.name.from_text(name): dns.tsig.Key(name, secret, algorithm)}


def axfr(port, ring=None, keyname=None, algorithm="hmac-sha256"):
    return list(dns.query.xfr("127.0.0.1", "scsnetwork.local.", port=port, timeout=5,
                              lifetime=20, keyring=ring, keyname=keyname,
                              keyalgorithm=algorithm))


def tcp_exchange(wire: bytes, port: int) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(struct.pack("!H", len(wire)) + wire)
        (length,) = struct.unpack("!H", s.recv(2, socket.MSG_WAITALL))
        return s.recv(length, socket.MSG_WAITALL)


@pytest.mark.parametrize("algorithm", ["hmac-sha256", "hmac-sha512", "hmac-sha1"])
def test_signed_axfr_every_message_verified(tmp_path, start_server, algorithm):
    hosts = "\n".join(f"  h{i}: 192.0.2.{i % 250 + 1}" for i in range(1500))
    site = write_site(tmp_path, "site.yaml", site_text(
        f"    key: {{ name: {KEY}, algorithm: {algorithm}, secret: {SECRET} }}", hosts))
    srv = start_server(site)
    # dnspython raises on a message whose MAC does not verify (each with the previous MAC).
    messages = axfr(srv.port, keyring(algorithm=algorithm), KEY, algorithm)
    assert len(messages) > 2, "a big zone spans several messages"
    assert all(m.had_tsig for m in messages), "every message signed (RFC 8945 §5.3.1)"
    a_records = sum(len(r) for m in messages for r in m.answer if r.rdtype == dns.rdatatype.A)
    assert a_records >= 1500


def test_unsigned_transfer_refused_and_logged(tmp_path, start_server):
    site = write_site(tmp_path, "site.yaml", site_text(
        f"    key: {{ name: {KEY}, secret: {SECRET} }}"))
    srv = start_server(site)
    with pytest.raises(dns.query.TransferError) as e:
        axfr(srv.port)
    assert e.value.rcode == dns.rcode.REFUSED
    assert wait_until(lambda: "client 127.0.0.1 scsnetwork.local. AXFR: transfer refused: not "
                            "signed with the site's TSIG key" in srv.log_text()), srv.log_text()


def test_wrong_secret_is_badsig(tmp_path, start_server):
    site = write_site(tmp_path, "site.yaml", site_text(
        f"    key: {{ name: {KEY}, secret: {SECRET} }}"))
    srv = start_server(site)
    with pytest.raises(dns.tsig.PeerBadSignature):
        axfr(srv.port, keyring(secret=WRONG), KEY)
    assert wait_until(lambda: "client 127.0.0.1 scsnetwork.local. AXFR: TSIG BADSIG" in
                    srv.log_text()), srv.log_text()


def test_unknown_key_is_badkey(tmp_path, start_server):
    site = write_site(tmp_path, "site.yaml", site_text(
        f"    key: {{ name: {KEY}, secret: {SECRET} }}"))
    srv = start_server(site)
    with pytest.raises(dns.tsig.PeerBadKey):
        axfr(srv.port, keyring(name="someone-else"), "someone-else")
    assert wait_until(lambda: "TSIG BADKEY" in srv.log_text()), srv.log_text()


def test_clock_skew_is_badtime_with_our_time(tmp_path, start_server, monkeypatch):
    site = write_site(tmp_path, "site.yaml", site_text(
        f"    key: {{ name: {KEY}, secret: {SECRET} }}"))
    srv = start_server(site)
    q = dns.message.make_query("scsnetwork.local.", "SOA")
    q.use_tsig(keyring(), KEY)
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() - 3600)  # our clock an hour behind
    wire = q.to_wire()
    monkeypatch.setattr(time, "time", real_time)
    before = int(time.time())
    reply = tcp_exchange(wire, srv.port)
    after = int(time.time())
    with pytest.raises(dns.tsig.PeerBadTime):
        dns.message.from_wire(reply, keyring=keyring(), request_mac=q.mac)
    assert reply[3] & 0x0F == dns.rcode.NOTAUTH
    # The TSIG RR is last: ... Error (2), Other Len (2), Other Data (6: our time, §5.2.3).
    error, other_length = struct.unpack("!HH", reply[-10:-6])
    assert error == dns.rcode.BADTIME and other_length == 6
    server_time = int.from_bytes(reply[-6:], "big")
    assert before <= server_time <= after + 1


def test_signed_soa_query_gets_signed_answer(tmp_path, start_server):
    site = write_site(tmp_path, "site.yaml", site_text(
        f"    key: {{ name: {KEY}, secret: {SECRET} }}"))
    srv = start_server(site)
    q = dns.message.make_query("scsnetwork.local.", "SOA")
    q.use_tsig(keyring(), KEY)
    r = dns.query.udp(q, "127.0.0.1", port=srv.port, timeout=5)  # verifies the answer's MAC
    assert r.had_tsig and r.rcode() == dns.rcode.NOERROR and r.answer


def test_address_allow_still_narrows_a_signed_transfer(tmp_path, start_server):
    site = write_site(tmp_path, "site.yaml", site_text(
        f"    allow: [127.0.0.2/32]\n    key: {{ name: {KEY}, secret: {SECRET} }}"))
    srv = start_server(site)
    with pytest.raises(dns.query.TransferError) as e:
        axfr(srv.port, keyring(), KEY)
    assert e.value.rcode == dns.rcode.REFUSED
    messages = list(dns.query.xfr("127.0.0.1", "scsnetwork.local.", port=srv.port, timeout=5,
                                  lifetime=10, keyring=keyring(), keyname=KEY,
                                  source="127.0.0.2"))
    assert messages and all(m.had_tsig for m in messages)


def test_secret_file_in_bind_format(tmp_path, start_server):
    keygen = shutil.which("tsig-keygen")
    if keygen is None:
        pytest.skip("tsig-keygen (bind9-utils) not installed")
    key_file = tmp_path / "transfer.key"
    key_file.write_text(subprocess.run([keygen, "-a", "hmac-sha384", KEY], check=True,
                                       capture_output=True, text=True).stdout)
    os.chmod(key_file, 0o600)
    secret = key_file.read_text().split('secret "')[1].split('"')[0]
    site = write_site(tmp_path, "site.yaml", site_text(f"    key: {{ secret_file: {key_file} }}"))
    assert run_sipdnsd("check", str(site)).returncode == 0
    srv = start_server(site)
    messages = axfr(srv.port, keyring(secret=secret, algorithm="hmac-sha384"), KEY,
                    "hmac-sha384")
    assert messages and all(m.had_tsig for m in messages)
    # A secret file others may read: a warning, and the site still loads.
    os.chmod(key_file, 0o644)
    check = run_sipdnsd("check", str(site))
    assert check.returncode == 0
    assert f"warning: server.transfer.key.secret_file: {key_file} is readable by others" in \
        check.stderr


def test_dig_with_key(tmp_path, start_server):
    dig = shutil.which("dig")
    if dig is None:
        pytest.skip("dig not installed")
    site = write_site(tmp_path, "site.yaml", site_text(
        f"    key: {{ name: {KEY}, secret: {SECRET} }}"))
    srv = start_server(site)
    base = [dig, "-p", str(srv.port), "@127.0.0.1", "scsnetwork.local.", "AXFR", "+time=5"]
    signed = subprocess.run(base + ["-y", f"hmac-sha256:{KEY}:{SECRET}"],
                            capture_output=True, text=True, timeout=30)
    assert "Transfer failed" not in signed.stdout and "SOA" in signed.stdout, signed.stdout
    assert "tsig verify failure" not in signed.stdout + signed.stderr
    unsigned = subprocess.run(base, capture_output=True, text=True, timeout=30)
    assert "Transfer failed" in unsigned.stdout, unsigned.stdout
    wrong = subprocess.run(base + ["-y", f"hmac-sha256:{KEY}:{WRONG}"],
                           capture_output=True, text=True, timeout=30)
    assert "SOA" not in wrong.stdout.replace("; <<>>", ""), wrong.stdout



def test_plan_prints_secondary_configs_with_key_name_never_the_secret(tmp_path):
    site = write_site(tmp_path, "site.yaml", site_text(
        f"    key: {{ name: {KEY}, algorithm: hmac-sha512, secret: {SECRET} }}\n"
        f"    notify: [\"192.0.2.53:53\"]"))
    plan = run_sipdnsd("plan", str(site))
    assert plan.returncode == 0, plan.stderr
    out = plan.stdout
    assert SECRET not in out
    section = out[out.index("4. Secondaries"):]
    # Knot, NSD and BIND, each with the key's name and algorithm, for every zone.
    for expected in [f"  - id: {KEY}\n       algorithm: hmac-sha512",
                     f'name: "{KEY}"', "request-xfr: ", f" {KEY}\n",
                     f'key "{KEY}" {{ algorithm hmac-sha512; secret "<secret>"; }};',
                     'zone "scsnetwork.local" { type secondary;',
                     'zone "2.0.192.in-addr.arpa" { type secondary;',
                     f"allow-notify {{ key {KEY}; }};",
                     f"dig -y hmac-sha512:{KEY}:<secret> AXFR scsnetwork.local"]:
        assert expected in section, f"{expected!r} not in:\n{section}"
    # Without a key: NSD's NOKEY, no key lines.
    site.write_text(site_text("    allow: [192.0.2.53/32]"))
    section = run_sipdnsd("plan", str(site)).stdout.split("4. Secondaries", 1)[1]
    assert "NOKEY" in section and "key:" not in section.replace("(server.transfer.key)", "")


def test_plan_with_a_catalog_configures_knot_and_bind_by_the_catalog_only(tmp_path):
    # RFC 9432: Knot and BIND take the member zones from the catalog; NSD lists every zone.
    site = write_site(tmp_path, "site.yaml", site_text(
        f"    key: {{ name: {KEY}, secret: {SECRET} }}\n"
        "    catalog: catalog.sipdns.invalid"))
    plan = run_sipdnsd("plan", str(site))
    assert plan.returncode == 0, plan.stderr
    section = plan.stdout.split("4. Secondaries", 1)[1].split("\n5.", 1)[0]
    knot = section[section.index("# Knot DNS"):section.index("# NSD")]
    nsd = section[section.index("# NSD"):section.index("# BIND")]
    bind = section[section.index("# BIND"):]
    assert "- domain: catalog.sipdns.invalid\n" in knot, knot
    assert "catalog-role: interpret\n       catalog-template: sipdnsd-member" in knot, knot
    assert "- domain: scsnetwork.local" not in knot, knot
    assert 'name: "scsnetwork.local"' in nsd and 'name: "2.0.192.in-addr.arpa"' in nsd, nsd
    assert "catalog.sipdns.invalid" not in nsd, nsd
    assert ('catalog-zones { zone "catalog.sipdns.invalid" default-primaries { '
            f"192.0.2.11 port 53 key {KEY}; }}; }};") in bind, bind  # the name server's address
    assert 'zone "catalog.sipdns.invalid" { type secondary;' in bind, bind
    assert 'zone "scsnetwork.local"' not in bind, bind
