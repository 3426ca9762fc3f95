# SPDX-FileCopyrightText: 2026 The sipdns authors
# SPDX-License-Identifier: BSD-3-Clause
"""The real clients an installer uses against the daemon: dig, kdig, drill, host, nslookup
(the SCS guide's own checks), over UDP and TCP, IPv4 and IPv6."""

import re
import shutil
import subprocess

import pytest

from sipdnsd_harness import LOOPBACK4, LOOPBACK6

D = "scsnetwork.local"
APEX_UDP_SRV = {("1", "0", "5060", f"scs1.{D}."), ("2", "0", "5060", f"scs2.{D}.")}
ADDRS = [pytest.param(LOOPBACK4, id="v4"), pytest.param(LOOPBACK6, id="v6")]
TCP = [pytest.param(False, id="udp"), pytest.param(True, id="tcp")]


def run(*argv, timeout=20):
    tool = argv[0]
    assert shutil.which(tool), f"{tool} is not installed (scripts/install-deps.sh)"
    r = subprocess.run(list(argv), capture_output=True, text=True, timeout=timeout)
    print(f"$ {' '.join(argv)}\n{r.stdout}{r.stderr}")
    return r


def srv_tuples(text):
    return set(re.findall(r"\b(\d+) (\d+) (\d+) (\S+\.)\s*$", text, re.M))


def section(text, name):
    """Lines of a dig/kdig/drill section, e.g. 'ADDITIONAL'."""
    m = re.search(rf";; {name} SECTION:\n(.*?)(?:\n\s*\n|\n;;|\Z)", text, re.S | re.I)
    return m.group(1) if m else ""


def rr_lines(text):
    return {tuple(l.split()) for l in text.splitlines() if l.strip() and not l.startswith(";")}


# ---------------------------------------------------------------------------------------------
# dig


@pytest.mark.parametrize("addr", ADDRS)
@pytest.mark.parametrize("tcp", TCP)
def test_dig_short_srv(scs_ha, addr, tcp):
    r = run("dig", f"@{addr}", "-p", str(scs_ha.port), "+short", "+norec",
            *(["+tcp"] if tcp else []), f"_sip._udp.{D}", "SRV")
    assert r.returncode == 0
    assert set(tuple(l.split()) for l in r.stdout.splitlines() if l.strip()) == APEX_UDP_SRV


@pytest.mark.parametrize("addr", ADDRS)
@pytest.mark.parametrize("tcp", TCP)
def test_dig_full_srv_answer(scs_ha, addr, tcp):
    r = run("dig", f"@{addr}", "-p", str(scs_ha.port), "+norec", *(["+tcp"] if tcp else []),
            f"_sip._udp.{D}", "SRV")
    assert r.returncode == 0
    assert "status: NOERROR" in r.stdout
    flags = re.search(r";; flags: ([a-z ]+);", r.stdout).group(1).split()
    assert "aa" in flags and "ra" not in flags and "tc" not in flags
    add = rr_lines(section(r.stdout, "ADDITIONAL"))
    assert (f"scs1.{D}.", "1800", "IN", "A", "192.0.2.11") in add
    assert (f"scs2.{D}.", "1800", "IN", "A", "192.0.2.12") in add


def test_dig_any_retries_over_tcp(scs_ha):
    # ANY over UDP gets TC=1; dig retries over TCP and shows every RRset at the apex.
    r = run("dig", f"@{LOOPBACK4}", "-p", str(scs_ha.port), "+norec", f"{D}", "ANY")
    assert r.returncode == 0
    ans = rr_lines(section(r.stdout, "ANSWER"))
    assert {t[3] for t in ans} == {"SOA", "NS", "NAPTR"}
    assert "(TCP)" in r.stdout, "dig retried over TCP after TC=1"


def test_dig_nxdomain_and_refused(scs_ha):
    r = run("dig", f"@{LOOPBACK4}", "-p", str(scs_ha.port), "+norec", f"nothere.{D}", "A")
    assert "status: NXDOMAIN" in r.stdout
    auth = rr_lines(section(r.stdout, "AUTHORITY"))
    assert [t for t in auth if t[3] == "SOA" and t[1] == "300"], r.stdout
    r = run("dig", f"@{LOOPBACK4}", "-p", str(scs_ha.port), "+norec", "www.example.com", "A")
    assert "status: REFUSED" in r.stdout


def test_dig_reverse(scs_ha):
    r = run("dig", f"@{LOOPBACK6}", "-p", str(scs_ha.port), "+short", "-x", "192.0.2.12")
    assert r.stdout.split() == [f"scs2.{D}."]


# ---------------------------------------------------------------------------------------------
# kdig, drill, host


@pytest.mark.parametrize("addr", ADDRS)
@pytest.mark.parametrize("tcp", TCP)
def test_kdig(scs_ha, addr, tcp):
    r = run("kdig", f"@{addr}", "-p", str(scs_ha.port), "+norec", *(["+tcp"] if tcp else []),
            f"_sip._udp.{D}", "SRV")
    assert r.returncode == 0
    assert "status: NOERROR" in r.stdout
    assert re.search(r";; Flags: qr aa(?! ra)", r.stdout), r.stdout
    assert srv_tuples(section(r.stdout, "ANSWER")) == APEX_UDP_SRV
    add = rr_lines(section(r.stdout, "ADDITIONAL"))
    assert (f"scs1.{D}.", "1800", "IN", "A", "192.0.2.11") in add
    assert ("(TCP)" in r.stdout) == tcp


@pytest.mark.parametrize("addr", ADDRS)
@pytest.mark.parametrize("tcp", TCP)
def test_drill(scs_ha, addr, tcp):
    r = run("drill", *(["-t"] if tcp else ["-u"]), "-p", str(scs_ha.port),
            f"_sip._udp.{D}", "SRV", f"@{addr}")
    assert r.returncode == 0
    assert "rcode: NOERROR" in r.stdout
    assert re.search(r";; flags: qr aa ", r.stdout)
    assert srv_tuples(section(r.stdout, "ANSWER")) == APEX_UDP_SRV
    add = rr_lines(section(r.stdout, "ADDITIONAL"))
    assert (f"scs2.{D}.", "1800", "IN", "A", "192.0.2.12") in add


@pytest.mark.parametrize("addr", ADDRS)
@pytest.mark.parametrize("tcp", TCP)
def test_host_srv(scs_ha, addr, tcp):
    r = run("host", *(["-T"] if tcp else []), "-t", "SRV", "-p", str(scs_ha.port),
            f"_sip._udp.{D}", addr)
    assert r.returncode == 0
    got = set(re.findall(rf"_sip\._udp\.{D} has SRV record (\d+) (\d+) (\d+) (\S+)", r.stdout))
    assert got == APEX_UDP_SRV


def test_host_address_and_reverse(scs_ha):
    r = run("host", "-p", str(scs_ha.port), f"scs1.{D}", LOOPBACK4)
    assert f"scs1.{D} has address 192.0.2.11" in r.stdout
    r = run("host", "-p", str(scs_ha.port), "192.0.2.11", LOOPBACK4)
    assert f"11.2.0.192.in-addr.arpa domain name pointer scs1.{D}." in r.stdout
    r = run("host", "-p", str(scs_ha.port), f"nothere.{D}", LOOPBACK4)
    assert r.returncode != 0 and "NXDOMAIN" in r.stdout + r.stderr


# ---------------------------------------------------------------------------------------------
# nslookup: the SCS guide's checks


@pytest.mark.parametrize("addr", ADDRS)
@pytest.mark.parametrize("tcp", TCP)
def test_nslookup_forward(scs_ha, addr, tcp):
    r = run("nslookup", *(["-vc"] if tcp else []), f"-port={scs_ha.port}", f"scs1.{D}", addr)
    assert r.returncode == 0
    assert re.search(rf"Name:\s+scs1\.{D}\.?\s*\nAddress:\s+192\.0\.2\.11\b", r.stdout), r.stdout


@pytest.mark.parametrize("addr", ADDRS)
@pytest.mark.parametrize("tcp", TCP)
def test_nslookup_reverse(scs_ha, addr, tcp):
    r = run("nslookup", *(["-vc"] if tcp else []), f"-port={scs_ha.port}", "192.0.2.11", addr)
    assert r.returncode == 0
    assert re.search(rf"name = scs1\.{D}\.?\s*$", r.stdout, re.M), r.stdout


def test_nslookup_srv(scs_ha):
    r = run("nslookup", f"-port={scs_ha.port}", "-type=SRV", f"_sip._tcp.{D}", LOOPBACK4)
    assert r.returncode == 0
    got = set(re.findall(r"service = (\d+) (\d+) (\d+) (\S+)", r.stdout))
    assert got == {("3", "0", "5060", f"scs1.{D}."), ("4", "0", "5060", f"scs2.{D}.")}


def test_nslookup_single_server(scs_single):
    r = run("nslookup", f"-port={scs_single.port}", f"scs1.{D}", LOOPBACK4)
    assert re.search(rf"Name:\s+scs1\.{D}\.?\s*\nAddress:\s+192\.0\.2\.11\b", r.stdout)
    r = run("nslookup", f"-port={scs_single.port}", "-type=SRV", f"_sip._udp.{D}", LOOPBACK4)
    assert set(re.findall(r"service = (\d+) (\d+) (\d+) (\S+)", r.stdout)) == {
        ("1", "0", "5060", f"scs1.{D}.")}


def test_lab_cname_with_dig(lab):
    r = run("dig", f"@{LOOPBACK4}", "-p", str(lab.port), "+short", "tftp.lab.example.test", "A")
    assert r.stdout.split() == ["pbx.lab.example.test.", "198.51.100.10"]
    r = run("dig", f"@{LOOPBACK6}", "-p", str(lab.port), "+short", "+tcp",
            "provisioning.lab.example.test", "AAAA")
    assert r.stdout.split() == ["pbx.lab.example.test.", "2001:db8:99::10"]
