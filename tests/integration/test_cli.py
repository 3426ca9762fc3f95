# SPDX-FileCopyrightText: 2026 The sipdns authors
# SPDX-License-Identifier: BSD-3-Clause
"""`sipdnsd check` and `sipdnsd export` (docs/design.md §6), no server needed.

The SCS examples must give exactly the tables of the SCS 4.0 guide (docs/design.md §3)."""

import pathlib
import re
import shutil
import subprocess

import dns.rdataclass
import dns.rdatatype
import dns.zone
import pytest

from sipdnsd_harness import EXAMPLES, example, export_zones, run_sipdnsd, site_domain

ALL_EXAMPLES = sorted(p.name for p in EXAMPLES.glob("*.yaml"))
ERROR_LINE = re.compile(r"^(?P<file>.+?):(?P<line>\d+):(?P<col>\d+): (?P<msg>.+)$")


def test_examples_exist():
    for name in ("scs-single.yaml", "scs-ha.yaml", "lab.yaml"):
        assert name in ALL_EXAMPLES


# ---------------------------------------------------------------------------------------------
# check


@pytest.mark.parametrize("name", ALL_EXAMPLES)
def test_check_passes_on_example(name):
    path = EXAMPLES / name
    r = run_sipdnsd("check", str(path))
    assert r.returncode == 0, f"check {name}: exit {r.returncode}\n{r.stdout}\n{r.stderr}"
    domain = site_domain(path)
    # The summary names the SIP domain to enter in the PBX.
    sip_lines = [l for l in r.stdout.splitlines() if re.search(r"sip domain", l, re.I)]
    assert sip_lines, f"no 'SIP domain' line in the summary:\n{r.stdout}"
    assert any(re.search(rf"\b{re.escape(domain)}\b", l) for l in sip_lines), r.stdout


def _check_errors(tmp_path, text, name="bad.yaml"):
    p = tmp_path / name
    p.write_text(text)
    r = run_sipdnsd("check", str(p))
    assert r.returncode == 1, f"exit {r.returncode}\n{r.stdout}\n{r.stderr}"
    out = r.stdout + r.stderr
    errors = []
    for line in out.splitlines():
        m = ERROR_LINE.match(line)
        if m:
            errors.append((m.group("file"), int(m.group("line")), int(m.group("col")),
                           m.group("msg")))
    assert errors, f"no file:line:col: message in\n{out}"
    for f, line, col, _ in errors:
        assert f == str(p), f"diagnostic names {f}, not {p}"
        assert line >= 1 and col >= 1
    return errors, out


def test_check_reports_every_error_with_position(tmp_path):
    text = (
        "domain: scsnetwork.local\n"              # 1
        "sever:\n"                                 # 2  unknown key (did you mean server)
        "  listen: [\"127.0.0.1:53\"]\n"           # 3
        "servers:\n"                               # 4
        "  - { name: scs1, ipv4: 192.0.2.300 }\n"  # 5  bad address
    )
    errors, out = _check_errors(tmp_path, text)
    lines = {e[1] for e in errors}
    assert 2 in lines, f"the unknown key 'sever' (line 2) is not reported:\n{out}"
    assert 5 in lines, f"the address 192.0.2.300 (line 5) is not reported:\n{out}"
    sever = [e for e in errors if e[1] == 2]
    assert any("sever" in e[3] for e in sever), out
    assert any("server" in e[3].replace("sever", "") for e in sever), \
        f"no 'did you mean server' hint:\n{out}"
    addr = [e for e in errors if e[1] == 5]
    assert any("192.0.2.300" in e[3] for e in addr), out
    assert addr[0][2] > 1, "the column must point at the value"


def test_check_reports_all_problems_of_every_kind_in_one_run_sorted(tmp_path):
    # A value error early in the file (the loader) must not hide a record clash, a dangling
    # target or a warning further down (the zone build): one run, file order.
    text = (
        "domain: scsnetwork.local\n"                                     # 1
        "ttl: \"1h\"\n"                                                  # 2  error: no unit
        "servers:\n"                                                      # 3
        "  - { name: scs1, ipv4: 192.0.2.11 }\n"                          # 4
        "hosts:\n"                                                        # 5
        "  scs1: 192.0.2.99\n"                                            # 6  error: clash
        "  gw: 192.0.2.20\n"                                              # 7
        "  media: 192.0.2.20\n"                                           # 8  warning: PTR
        "services:\n"                                                     # 9
        "  - { service: _ldap._tcp, port: 389, targets: [dc9] }\n"        # 10 error: dangling
        "  - { service: _sip._udp, port: 5060, targets: [gw] }\n"         # 11 error: generated
        "soa: { refresh: -1 }\n"                                          # 12 error: range
    )
    errors, out = _check_errors(tmp_path, text)
    assert [e[1] for e in errors] == [2, 6, 8, 10, 11, 12], out
    assert [e[1] for e in errors] == sorted(e[1] for e in errors)
    by_line = {e[1]: e[3] for e in errors}
    assert "1h" in by_line[2]
    assert "different addresses" in by_line[6]
    assert by_line[8].startswith("warning: ") and "gw.scsnetwork.local" in by_line[8]
    assert "dc9.scsnetwork.local" in by_line[10] and "names nothing" in by_line[10]
    assert "generated: add" in by_line[11] and "servers (line 4)" in by_line[11]
    assert out.rstrip().endswith("5 errors, 1 warning"), out


def test_check_with_warnings_only_is_ok(tmp_path):
    p = tmp_path / "site.yaml"
    p.write_text("domain: scsnetwork.local\n"
                 "servers:\n  - { name: scs1, ipv4: 192.0.2.11 }\n"
                 "hosts:\n  voicemail: 192.0.2.11\n")
    r = run_sipdnsd("check", str(p))
    assert r.returncode == 0, r.stdout + r.stderr
    assert f"{p}: OK" in r.stdout
    assert r.stderr.splitlines() == [
        f"{p}:5:3: warning: hosts: 'voicemail.scsnetwork.local' has the address 192.0.2.11, "
        "as servers 'scs1.scsnetwork.local' (line 3) has: the reverse lookup (PTR) of "
        "192.0.2.11 gives scs1.scsnetwork.local only",
        "1 warning"]


def test_check_a_records_only_site(tmp_path):
    # The SCS guide: "If SRV records are not in use, you must enter the FQDN of the SCS server".
    p = tmp_path / "site.yaml"
    p.write_text("domain: scsnetwork.local\n"
                 "servers:\n  - { name: scs1, ipv4: 192.0.2.11 }\n"
                 "sip: { srv: false }\n")
    r = run_sipdnsd("check", str(p))
    assert r.returncode == 0, r.stdout + r.stderr
    assert "SIP domain: scs1.scsnetwork.local (no SIP SRV records" in r.stdout, r.stdout
    zone_lines = [l for l in r.stdout.splitlines() if l.startswith("zone ")]
    assert zone_lines == ["zone scsnetwork.local. 3 records: A 1 NS 1 SOA 1",
                          "zone 2.0.192.in-addr.arpa. 3 records: NS 1 PTR 1 SOA 1"], r.stdout
    exported = run_sipdnsd("export", str(p)).stdout
    assert re.search(r"^scs1\.scsnetwork\.local\.\s+\d+\s+IN\s+A\s+192\.0\.2\.11$", exported, re.M), \
        exported
    assert "SRV" not in exported and "NAPTR" not in exported, exported
    plan = run_sipdnsd("plan", str(p)).stdout
    assert "   scs1.scsnetwork.local\n   No SIP SRV records are served, so enter the server's " \
           "fully qualified name." in plan, plan


@pytest.mark.parametrize("text,line", [
    ("domain: scsnetwork.local\nservers:\n  - { name: scs1, ipv4: 192.0.2.11 }\n"
     "sip:\n  proxy_port: 70000\n", 5),
    ("domain: scsnetwork.local\nservers:\n  - { name: scs1, ipv4: 192.0.2.11 }\n"
     "sip:\n  transports: [udp, sctp]\n", 5),
    ("domain: scsnetwork.local\nservers:\n  - { name: scs1, ipv4: 192.0.2.11 }\n"
     "hosts:\n  scs1: 192.0.2.99\n", 5),
    ("domain: scsnetwork.local\nservers:\n  - { name: scs1, ipv4: 192.0.2.11 }\n"
     "aliases:\n  scs1: elsewhere\n", 5),
    ("domain: [unclosed\n", 1),
    ("ttl: 300\nhosts:\n  a: 192.0.2.1\n", 1),
], ids=["port-range", "transport", "address-conflict", "cname-beside-data", "yaml-syntax",
        "no-domain"])
def test_check_rejects_bad_file(tmp_path, text, line):
    errors, out = _check_errors(tmp_path, text)
    assert any(abs(e[1] - line) <= 1 for e in errors), \
        f"expected a diagnostic at (or next to) line {line}:\n{out}"


def test_check_missing_file_fails(tmp_path):
    r = run_sipdnsd("check", str(tmp_path / "absent.yaml"))
    assert r.returncode == 1
    assert "absent.yaml" in r.stdout + r.stderr


# forward: (issue 13): check says where names outside the site's zones go; without it, nothing.

@pytest.mark.parametrize("forward, line", [
    ("forward:\n  to: [192.0.2.1, \"2001:db8::1\"]\n  allow: [192.168.0.0/16]\n",
     "forward: to 192.0.2.1:53, [2001:db8::1]:53 for 192.168.0.0/16; dnssec off"),
    ("forward: { to: [\"192.0.2.2:5353\", \"[2001:db8::2]:5353\"] }\n",
     "forward: to 192.0.2.2:5353, [2001:db8::2]:5353 for loopback and this host's networks; "
     "dnssec off"),
    ("forward: { to: root, dnssec: true }\n",
     "forward: recursion from the root for loopback and this host's networks; dnssec on "
     "(trust anchor /usr/share/dns/root.key)"),
], ids=["upstreams-allow", "ports-default-allow", "root-dnssec"])
def test_check_prints_the_forward_line(tmp_path, forward, line):
    plain = run_sipdnsd("check", str(EXAMPLES / "scs-single.yaml"))
    assert plain.returncode == 0 and "forward" not in plain.stdout, plain.stdout
    p = tmp_path / "site.yaml"
    p.write_text((EXAMPLES / "scs-single.yaml").read_text() + forward)
    r = run_sipdnsd("check", str(p))
    assert r.returncode == 0, r.stderr
    # The example's summary, unchanged (but for the serial, which follows the file's
    # modification time), then the forward line.
    def summary(out, path):
        return re.sub(r"^serial: \d+$", "serial: S", out.replace(str(path), "FILE"), flags=re.M)
    assert summary(r.stdout, p) == \
        summary(plain.stdout, EXAMPLES / "scs-single.yaml") + line + "\n"


def test_packaged_site_file_forward_section_checks(tmp_path):
    """The commented forward: section of /etc/sipdns/site.yaml, uncommented, is valid and does
    what its comment says."""
    packaged = (EXAMPLES.parent / "site.yaml").read_text()
    block = re.search(r"^#forward:\n(?:#  .*\n)+", packaged, re.M)
    assert block, "no commented forward: section in packaging/site.yaml"
    p = tmp_path / "site.yaml"
    p.write_text(packaged.replace(block.group(0), re.sub(r"^#", "", block.group(0), flags=re.M)))
    r = run_sipdnsd("check", str(p))
    assert r.returncode == 0, r.stderr
    line = [l for l in r.stdout.splitlines() if l.startswith("forward: ")]
    assert line == ["forward: to 192.0.2.1:53, [2001:db8::1]:53 for 192.0.2.0/24; dnssec off"], \
        r.stdout
    # The comment shows that line as check prints it.
    assert f"\n#   {line[0]}\n" in packaged


@pytest.mark.parametrize("forward, where, message", [
    ("forward:\n", (1, 1), "forward: expected { to: ... }"),
    ("forward:\n  allow: [10.0.0.0/8]\n", (2, 3), "forward.to: required key is missing"),
    ("forward:\n  to: []\n", (2, 7), "forward.to: expected at least one resolver address"),
    ("forward:\n  to: [192.0.2.1, 192.0.2.300]\n", (2, 19),
     "forward.to[1]: expected a resolver address"),
    ("forward:\n  to: [192.0.2.1, \"192.0.2.1:53\"]\n", (2, 19),
     "forward.to[1]: '192.0.2.1:53' is listed twice"),
    ("forward:\n  to: root\n  dnssec: maybe\n", (3, 11),
     "forward.dnssec: expected true or false, got 'maybe'"),
    ("forward:\n  to: [192.0.2.1]\n  root_hints: /etc/sipdns/root.hints\n", (3, 15),
     "forward.root_hints: root_hints is only for `to: root`"),
    ("forward:\n  to: root\n  forwarders: [192.0.2.1]\n", (3, 3),
     "forward.forwarders: unknown key"),
], ids=["null", "no-to", "empty-to", "bad-address", "duplicate", "dnssec-not-bool",
        "root-hints-with-upstreams", "unknown-key"])
def test_check_rejects_bad_forward(tmp_path, forward, where, message):
    head = (EXAMPLES / "scs-single.yaml").read_text()
    offset = head.count("\n")
    errors, out = _check_errors(tmp_path, head + forward)
    assert [(e[1], e[2]) for e in errors] == [(offset + where[0], where[1])], out
    assert errors[0][3].startswith(message), out


# ---------------------------------------------------------------------------------------------
# export


def _write_zones(tmp_path, name):
    files = []
    for origin, text in export_zones(EXAMPLES / name):
        f = tmp_path / f"{origin}.zone"
        f.write_text(text)
        files.append((origin, f))
    return files


@pytest.mark.parametrize("name", ALL_EXAMPLES)
def test_export_loads_in_named_checkzone(tmp_path, name):
    assert shutil.which("named-checkzone"), "named-checkzone (bind9-utils) is not installed"
    for origin, f in _write_zones(tmp_path, name):
        r = subprocess.run(["named-checkzone", "-k", "fail", "-n", "fail", "-m", "fail",
                            "-M", "fail", "-S", "fail", "-i", "local", origin, str(f)],
                           capture_output=True, text=True, timeout=30)
        assert r.returncode == 0, f"named-checkzone {origin}:\n{r.stdout}{r.stderr}\n{f.read_text()}"
        assert "OK" in r.stdout


@pytest.mark.parametrize("name", ALL_EXAMPLES)
def test_export_loads_in_ldns_read_zone(tmp_path, name):
    assert shutil.which("ldns-read-zone"), "ldns-read-zone (ldnsutils) is not installed"
    for origin, f in _write_zones(tmp_path, name):
        r = subprocess.run(["ldns-read-zone", str(f)], capture_output=True, text=True,
                           timeout=30)
        assert r.returncode == 0, f"ldns-read-zone {origin}:\n{r.stderr}\n{f.read_text()}"
        # Same number of records out as in (ldns prints one RR per line).
        rrs_out = [l for l in r.stdout.splitlines() if l.strip() and not l.startswith(";")]
        zone = dns.zone.from_text(f.read_text(), origin=origin + ".", relativize=False)
        n = sum(len(rds) for _, node in zone.nodes.items() for rds in node.rdatasets)
        assert len(rrs_out) == n, f"{origin}: ldns read {len(rrs_out)} RRs, dnspython {n}"


@pytest.mark.parametrize("name", ALL_EXAMPLES)
def test_export_zone_structure(name):
    for origin, text in export_zones(EXAMPLES / name):
        zone = dns.zone.from_text(text, origin=origin + ".", relativize=False,
                                  check_origin=True)
        soa = zone.get_rdataset(origin + ".", "SOA")
        assert soa is not None and len(soa) == 1
        ns = zone.get_rdataset(origin + ".", "NS")
        assert ns is not None and len(ns) >= 1


def _zone(name, origin="scsnetwork.local"):
    zones = dict(export_zones(example(name)))
    assert origin in zones, f"no zone {origin} in the export of {name}: {list(zones)}"
    return dns.zone.from_text(zones[origin], origin=origin + ".", relativize=False)


def _records(zone, rdtype):
    out = set()
    for name, node in zone.nodes.items():
        rds = node.get_rdataset(dns.rdataclass.IN, dns.rdatatype.from_text(rdtype))
        if rds:
            for rd in rds:
                out.add((name.to_text().lower(), rd.to_text().lower()))
    return out


def _srv(zone):
    return {(owner, tuple(rd.split()[:3]) + (rd.split()[3],))
            for owner, rd in _records(zone, "SRV")}


D = "scsnetwork.local."


def test_scs_single_is_the_guides_table():
    zone = _zone("scs-single")
    # "Single Server System - A Records & SRV Records": 1 A record, 2 SRV records.
    assert _records(zone, "A") == {("scs1." + D, "192.0.2.11")}
    assert _srv(zone) == {
        ("_sip._tcp." + D, ("2", "0", "5060", "scs1." + D)),
        ("_sip._udp." + D, ("1", "0", "5060", "scs1." + D)),
    }
    assert not [n for n in zone.nodes if n.to_text().lower().startswith("rr.")
                or ".rr." in n.to_text().lower()], "rr.* records need two servers or more"


def test_scs_ha_is_the_guides_table():
    zone = _zone("scs-ha")
    s1, s2 = "scs1." + D, "scs2." + D
    expected_srv = {
        # apex
        ("_sip._udp." + D, ("1", "0", "5060", s1)),
        ("_sip._udp." + D, ("2", "0", "5060", s2)),
        ("_sip._tcp." + D, ("3", "0", "5060", s1)),
        ("_sip._tcp." + D, ("4", "0", "5060", s2)),
        # rr.scs1
        ("_sip._tcp.rr." + s1, ("1", "0", "5070", s1)),
        ("_sip._tcp.rr." + s1, ("2", "100", "5070", s2)),
        ("_sip._udp.rr." + s1, ("3", "0", "5070", s1)),
        ("_sip._udp.rr." + s1, ("4", "100", "5070", s2)),
        # rr.scs2: the mirror image
        ("_sip._tcp.rr." + s2, ("1", "0", "5070", s2)),
        ("_sip._tcp.rr." + s2, ("2", "100", "5070", s1)),
        ("_sip._udp.rr." + s2, ("3", "0", "5070", s2)),
        ("_sip._udp.rr." + s2, ("4", "100", "5070", s1)),
    }
    assert _srv(zone) == expected_srv
    srv_count = sum(len(node.get_rdataset(dns.rdataclass.IN, dns.rdatatype.SRV) or [])
                    for node in zone.nodes.values())
    assert srv_count == 12, "the guide's HA system has exactly 12 SRV records"
    assert _records(zone, "A") == {
        (s1, "192.0.2.11"), (s2, "192.0.2.12"),
        ("rr." + s1, "192.0.2.11"), ("rr." + s2, "192.0.2.12"),
    }


@pytest.mark.parametrize("name", ["scs-single", "scs-ha"])
def test_scs_srv_targets_are_real_server_names(name):
    zone = _zone(name)
    targets = {rd.split()[3] for _, rd in _records(zone, "SRV")}
    assert targets <= {"scs1." + D, "scs2." + D}, targets
    text = "\n".join(t for _, t in export_zones(example(name))).lower()
    # The guide's screenshots have typos; the generated zone must not.
    assert "scserver" not in text and "scsserver" not in text


@pytest.mark.parametrize("name", ["scs-single", "scs-ha"])
def test_scs_reverse_zone(name):
    zone = _zone(name, "2.0.192.in-addr.arpa")
    ptr = _records(zone, "PTR")
    assert ("11.2.0.192.in-addr.arpa.", "scs1." + D) in ptr
    if name == "scs-ha":
        assert ("12.2.0.192.in-addr.arpa.", "scs2." + D) in ptr
    assert not any("rr." in target for _, target in ptr), "rr.* names never get a PTR"


def test_scs_naptr():
    zone = _zone("scs-ha")
    naptr = {rd for _, rd in _records(zone, "NAPTR")}
    assert naptr == {'10 10 "s" "sip+d2u" "" _sip._udp.' + D,
                     '10 20 "s" "sip+d2t" "" _sip._tcp.' + D}


def test_scs_ha_ns_and_soa():
    zone = _zone("scs-ha")
    assert {rd for _, rd in _records(zone, "NS")} == {"scs1." + D, "scs2." + D}
    soa = zone.get_rdataset(D, "SOA")[0]
    assert soa.mname.to_text().lower() == "scs1." + D
    assert soa.rname.to_text().lower() == "hostmaster." + D


def test_export_is_stable():
    # Same content -> same serial (docs/design.md §3).
    a = run_sipdnsd("export", str(example("scs-ha")), "--format", "zone")
    b = run_sipdnsd("export", str(example("scs-ha")), "--format", "zone")
    assert a.returncode == 0 and a.stdout == b.stdout


def test_lab_export_has_the_site():
    zone = _zone("lab", "lab.example.test")
    L = "lab.example.test."
    assert ("tftp." + L, "pbx." + L) in _records(zone, "CNAME")
    assert ("provisioning." + L, "pbx." + L) in _records(zone, "CNAME")
    assert (L, "10 pbx." + L) in _records(zone, "MX")
    assert (L, '"site=lab-3"') in _records(zone, "TXT")
    assert ("_ldap._tcp." + L, "0 0 389 dc1." + L) in _records(zone, "SRV")
    assert ("pbx." + L, "2001:db8:99::10") in _records(zone, "AAAA")


# ---------------------------------------------------------------------------------------------
# Geo-aware clusters: one zone file per location where answers differ


@pytest.mark.parametrize("location,local", [("dc1", "dc1"), ("dc2", "dc2"), (None, "dc1")])
def test_cluster_export_per_location_loads_in_named_checkzone(tmp_path, location, local):
    from sipdnsd_harness import split_export
    args = ["export", str(example("sip-cluster")), "--format", "zone"]
    if location:
        args += ["--location", location]
    r = run_sipdnsd(*args)
    assert r.returncode == 0, r.stderr
    zones = split_export(r.stdout)
    forward = dict(zones)["example.com"]
    f = tmp_path / "example.com.zone"
    f.write_text(forward)
    c = subprocess.run(["named-checkzone", "-k", "fail", "-n", "fail", "-i", "local",
                        "example.com.", str(f)], capture_output=True, text=True, timeout=30)
    assert c.returncode == 0, c.stdout + c.stderr
    srv = [l.split() for l in forward.splitlines() if l.startswith("_sip._udp.spx-srv.")]
    prio = {fields[-1]: int(fields[-4]) for fields in srv}
    assert prio == {f"{local}-spx1.example.com.": 10, f"{local}-spx2.example.com.": 10,
                    **{f"{o}-spx{i}.example.com.": 200 for o in {"dc1", "dc2"} - {local}
                       for i in (1, 2)}}


def test_export_unknown_location_fails():
    r = run_sipdnsd("export", str(example("sip-cluster")), "--location", "dc9")
    assert r.returncode == 2
    assert "dc9" in r.stderr


# ---------------------------------------------------------------------------------------------
# --help and --version (docs/design.md §6)

CLI_SOURCE = pathlib.Path(__file__).resolve().parents[2] / "server" / "main" / "cli.cc"
# A valid value for each option that takes one (an option missing here fails the test below).
OPTION_VALUES = {
    "--config": str(EXAMPLES / "scs-ha.yaml"),
    "--listen": "127.0.0.1:5353",
    "--threads": "2",
    "--log-level": "warn",
    "--user": "root",
    "--metrics": "127.0.0.1:9153",
    "--xdp": "eth1",
    "--format": "dnscmd",
    "--location": "dc1",
    "--server": "127.0.0.1:5353",
    "--transport": "tcp",
    "--control": "/run/sipdns/control",
    "--client": "10.1.0.0/16",
    "--name": "scsnetwork.local",
    "--type": "SRV",
}
FLAGS = {"--help", "--version", "--json"}


def _help_options(text):
    return sorted(set(re.findall(r"(?<![\w-])(--[a-z][a-z-]*)", text)))


def test_help_names_every_option_the_parser_accepts():
    r = run_sipdnsd("--help")
    assert r.returncode == 0 and r.stderr == ""
    in_help = set(_help_options(r.stdout))
    in_code = set(re.findall(r'"(--[a-z][a-z-]*)"', CLI_SOURCE.read_text()))
    assert in_code, "no options found in cli.cc"
    assert in_code - in_help == set(), f"accepted but not in --help: {in_code - in_help}"
    assert in_help - in_code == set(), f"in --help but not accepted: {in_help - in_code}"
    for command in ("sipdnsd check FILE", "sipdnsd export FILE", "sipdnsd plan FILE",
                    "sipdnsd resolve sip:user@domain", "sipdnsd verify FILE"):
        assert command in r.stdout


@pytest.mark.parametrize("command,options", [
    ("", ["--config", "--listen", "--threads", "--log-level", "--user"]),
    ("export", ["--format", "--location"]),
    ("plan", ["--listen"]),
    ("resolve", ["--server", "--transport"]),
    ("verify", ["--server"]),
    ("status", ["--control"]),
    ("reload", ["--control"]),
    ("watch", ["--client", "--name", "--type", "--control"]),
])
def test_every_option_in_help_is_accepted(command, options):
    """Each option of a command's --help, given a valid value, parses (then --help exits 0);
    the same position with an unknown option is refused (exit 2), so the check can fail."""
    help_text = run_sipdnsd(*([command] if command else []), "--help").stdout
    listed = [o for o in _help_options(help_text.split("Options:")[0] if command else help_text)
              if o not in FLAGS]
    assert set(options) <= set(listed), f"{command or 'serve'} --help lacks {options}: {listed}"
    argument = "sip:alice@example.com" if command == "resolve" else str(example("sip-cluster"))
    prefix = ([command] if command in ("status", "reload", "watch") else
              [command, argument] if command else [])
    for option in listed:
        if command == "" and option in ("--format", "--location", "--server", "--transport",
                                        "--client", "--name", "--type"):
            continue  # other commands' options, listed in the full help's usage lines
        assert option in OPTION_VALUES, f"no test value for {option}"
        for form in ([option, OPTION_VALUES[option]], [f"{option}={OPTION_VALUES[option]}"]):
            r = run_sipdnsd(*prefix, *form, "--help")
            assert r.returncode == 0, f"{' '.join(prefix + form)} refused:\n{r.stderr}"
    r = run_sipdnsd(*prefix, "--no-such-option", "x", "--help")
    assert r.returncode == 2 and "--no-such-option" in r.stderr


@pytest.mark.parametrize("command", ["check", "export", "plan"])
def test_subcommand_help_is_that_commands_usage(command):
    r = run_sipdnsd(command, "--help")
    assert r.returncode == 0, r.stderr
    assert f"sipdnsd {command} FILE" in r.stdout
    others = {"check", "export", "plan"} - {command}
    for other in others:
        assert f"sipdnsd {other} FILE" not in r.stdout, f"{command} --help shows {other}"
    assert run_sipdnsd(command, "-h").stdout == r.stdout


# A wrong command line: exit 2, and on stderr one line saying what is wrong and one hint line,
# not the whole usage (issue 14). `sipdnsd site.yaml` and a mistyped command or option get the
# corrected command line.
HELP_HINT = "try 'sipdnsd --help'"


@pytest.mark.parametrize("args, error, hint", [
    (["--bogus"], "unknown option '--bogus'", HELP_HINT),
    (["--confg", "site.yaml"], "unknown option '--confg'; did you mean '--config'?", HELP_HINT),
    (["chek", "site.yaml"], "unknown command 'chek'; did you mean 'check'?", HELP_HINT),
    (["exprot", "site.yaml"], "unknown command 'exprot'; did you mean 'export'?", HELP_HINT),
    (["site.yaml"], "'site.yaml' is not a command; to serve a site file, name it with --config",
     "try 'sipdnsd --config site.yaml' to serve it, or 'sipdnsd check site.yaml' to check it"),
    (["--config", "a.yaml", "--config", "b.yaml"],
     "--config is given twice ('a.yaml', then 'b.yaml'); give it once", HELP_HINT),
    (["--threads", "0"], "--threads '0': expected a number from 1 to 256", HELP_HINT),
    (["--threads"], "--threads needs a value", HELP_HINT),
    (["--log-level", "loud"],
     "--log-level 'loud': expected trace, debug, info, warn, error, critical or off", HELP_HINT),
    (["--listen", "127.0.0.1"],
     "--listen '127.0.0.1': the port is missing: write '127.0.0.1:53' for port 53", HELP_HINT),
    (["--listen", "127.0.0.1:0"], "--listen '127.0.0.1:0': the port 0 is out of range 1-65535",
     HELP_HINT),
    (["--listen", "127.0.0.1:65536"],
     "--listen '127.0.0.1:65536': the port 65536 is out of range 1-65535", HELP_HINT),
    (["--listen", "::1:5353"],
     "--listen '::1:5353': IPv6 addresses go in brackets before the port: write '[::1]:5353'",
     HELP_HINT),
    (["--listen", "dns.example:53"],
     "--listen 'dns.example:53': 'dns.example' is not an IPv4 address (names are not resolved "
     "here)", HELP_HINT),
    (["--metrics", "9153"],
     "--metrics '9153': expected ADDR:PORT such as 127.0.0.1:53 or [::1]:53", HELP_HINT),
    (["check"], "check needs a site file: sipdnsd check FILE", "try 'sipdnsd check --help'"),
    (["check", "--config", "site.yaml"], "check takes the site file as its argument, not --config",
     "try 'sipdnsd check FILE'"),
    (["export", "a.yaml", "b.yaml"], "only one site file: got 'a.yaml' and 'b.yaml'",
     "try 'sipdnsd export --help'"),
    (["export", "a.yaml", "--format", "bnd"],
     "--format 'bnd': expected zone, dnscmd or nsupdate", "try 'sipdnsd export --help'"),
    (["plan", "x.yaml", "--format", "zone"],
     "--format is an option of 'sipdnsd export', not of 'plan'", "try 'sipdnsd plan --help'"),
    (["plan", "x.yaml", "--listen", "[::1]:0"], "--listen '[::1]:0': the port 0 is out of range "
     "1-65535", "try 'sipdnsd plan --help'"),
], ids=["unknown-option", "option-typo", "command-typo", "command-swap", "site-file-positional",
        "second-config", "threads-0", "no-value", "log-level", "listen-no-port", "listen-port-0",
        "listen-port-big", "listen-v6-no-brackets", "listen-host-name", "metrics-no-address",
        "check-no-file", "check-config", "two-files", "format", "other-commands-option",
        "plan-listen"])
def test_usage_errors_are_one_line_and_a_hint(args, error, hint):
    # The site files named need not exist: the command line is checked before any file is read.
    r = run_sipdnsd(*args)
    assert r.returncode == 2, f"{args}: exit {r.returncode}\n{r.stderr}"
    assert r.stderr.splitlines() == [f"sipdnsd: {error}", hint]
    assert r.stdout == ""


def test_bad_listen_is_a_usage_error_even_with_a_broken_site_file(tmp_path):
    """--listen is checked on the command line, before the site file is read: a broken file
    and a bad --listen give 2 (the command line), not 1 (the file)."""
    broken = tmp_path / "broken.yaml"
    broken.write_text("domain: [unclosed\n")
    r = run_sipdnsd("--config", str(broken), "--listen", "127.0.0.1:99999")
    assert r.returncode == 2, r.stderr
    assert "99999" in r.stderr and "broken.yaml" not in r.stderr


def test_an_existing_site_file_without_yaml_suffix_gets_the_config_hint(tmp_path):
    site = tmp_path / "site.conf"
    site.write_text((EXAMPLES / "scs-single.yaml").read_text())
    r = run_sipdnsd(str(site))
    assert r.returncode == 2
    assert r.stderr.splitlines()[1] == (f"try 'sipdnsd --config {site}' to serve it, or "
                                        f"'sipdnsd check {site}' to check it")
    # ...and the suggested check works as suggested.
    assert run_sipdnsd("check", str(site)).returncode == 0


@pytest.mark.parametrize("where", ["ttl", "address", "alias-target", "record"])
def test_a_huge_value_is_not_echoed_whole(tmp_path, where):
    """A 1 MB value in the site file: each diagnostic cites at most ~80 characters of it and
    its size, on one line."""
    big = "q" * (1 << 20)
    text = {
        "ttl": f"domain: example.test\nhosts: {{ a: 192.0.2.1 }}\nttl: {big}\n",
        "address": f"domain: example.test\nhosts: {{ a: {big} }}\n",
        "alias-target": f"domain: example.test\nhosts: {{ a: 192.0.2.1 }}\n"
                        f"aliases: {{ www: {big} }}\n",
        "record": f"domain: example.test\nhosts: {{ a: 192.0.2.1 }}\nrecords:\n  - \"{big}\"\n",
    }[where]
    errors, out = _check_errors(tmp_path, text)
    assert len(out) < 2000, f"{len(out)} bytes of output:\n{out[:2000]}"
    assert any("(1048576 bytes)" in e[3] for e in errors), out


def test_help_synopsis_names_every_serve_option():
    """The serving synopsis of --help (the lines before its description) and README's show
    every option of serving, --metrics included (issue 14)."""
    help_text = run_sipdnsd("--help").stdout
    synopsis = help_text.split("Serve the site")[0]
    options = set(_help_options(help_text.split("Options:")[1])) - FLAGS - {"--format",
                                                                            "--location"}
    assert options == {"--config", "--listen", "--threads", "--log-level", "--user", "--metrics",
                       "--xdp", "--control"}
    assert set(_help_options(synopsis)) == options
    readme = (CLI_SOURCE.parents[2] / "README.md").read_text()
    readme_synopsis = re.search(r"^sipdnsd \[--config.*$", readme, re.M).group(0)
    assert set(_help_options(readme_synopsis)) == options, readme_synopsis


def _project_version():
    cmake = (CLI_SOURCE.parents[2] / "CMakeLists.txt").read_text()
    return re.search(r"project\(sipdns VERSION ([0-9.]+)", cmake).group(1)


def _pkg_config(module):
    if not shutil.which("pkg-config"):
        return None
    r = subprocess.run(["pkg-config", "--modversion", module], capture_output=True, text=True)
    return r.stdout.strip() if r.returncode == 0 else None


def _header_define(path, name):
    m = re.search(rf"#define {name} (\S+)", pathlib.Path(path).read_text())
    return m.group(1).strip('"') if m else None


def test_version_names_sipdns_and_every_library():
    r = run_sipdnsd("--version")
    assert r.returncode == 0 and r.stderr == ""
    lines = r.stdout.splitlines()
    assert lines[0] == f"sipdnsd {_project_version()}"
    by_name = {}
    for line in lines[1:]:
        name, _, rest = line.strip().partition(" ")
        by_name[name] = rest.strip()
    assert set(by_name) == {"Boost", "ldns", "yaml-cpp", "spdlog", "fmt", "libsystemd",
                            "compiler"}, r.stdout
    # The versions, checked independently against what this machine's packages say (the
    # binary under test was built here).
    boost = int(_header_define("/usr/include/boost/version.hpp", "BOOST_VERSION"))
    assert by_name["Boost"].startswith(f"{boost // 100000}.{boost // 100 % 1000}.{boost % 100} ")
    assert by_name["ldns"].startswith(_pkg_config("ldns") + " "), by_name["ldns"]
    assert by_name["yaml-cpp"] == _pkg_config("yaml-cpp") + " (built)", by_name["yaml-cpp"]
    spdlog = ".".join(_header_define("/usr/include/spdlog/version.h", f"SPDLOG_VER_{p}")
                      for p in ("MAJOR", "MINOR", "PATCH"))
    assert by_name["spdlog"] == spdlog
    fmt = int(_header_define("/usr/include/fmt/core.h", "FMT_VERSION"))
    assert by_name["fmt"] == f"{fmt // 10000}.{fmt // 100 % 100}.{fmt % 100}"
    systemd = _pkg_config("libsystemd")
    if systemd:
        assert by_name["libsystemd"].startswith(systemd + " "), by_name["libsystemd"]
    else:
        assert by_name["libsystemd"].startswith("not linked")
    assert re.match(r"(GCC|clang) \d+\.\d+", by_name["compiler"]), by_name["compiler"]
    assert run_sipdnsd("-V").stdout == r.stdout
