# SPDX-FileCopyrightText: 2026 The sipdns authors
# SPDX-License-Identifier: BSD-3-Clause
"""`sipdnsd export --format nsupdate` applied to a real BIND `named` by `nsupdate` (RFC 2136),
and `export --format dnscmd` (docs/design.md §6: sites with a third-party DNS server).

named runs on a free loopback port from its own temporary directory (own named.conf, no rndc
control channel, no recursion, no DNSSEC validation), with one primary zone per zone of the export
that holds only an SOA and an NS (`ns.sipdns-test.invalid.`, the "existing server"), and
`allow-update { 127.0.0.1; }`. The script goes to nsupdate behind a `server 127.0.0.1 PORT` line;
then named and sipdnsd (the same site, another port) get the same queries — every owner and
type of the export, plus A at every owner — and their answer sections must be the same sets.
The one expected difference: named's apex NS RRset also has the server's own NS.

Only loopback, bounded waits, processes stopped by PID.
"""

from __future__ import annotations

import os
import pathlib
import shutil
import subprocess

import dns.message
import dns.rcode
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.zone
import pytest

from sipdnsd_harness import (LOOPBACK4, ReferenceServer, example, make_query, raw_tcp,
                             run_sipdnsd, split_export)

NAMED = shutil.which("named") or "/usr/sbin/named"
NSUPDATE = shutil.which("nsupdate") or "/usr/bin/nsupdate"
STUB_NS = "ns.sipdns-test.invalid."
START_TIMEOUT = 20.0
STOP_TIMEOUT = 10.0

EXAMPLES_UNDER_TEST = ["scs-ha", "lab"]


# ---------------------------------------------------------------------------------------------
# The export


def parse_nsupdate(script: str) -> tuple[list[str], list[tuple[str, int, str, str]]]:
    """-> (zones in order, without the trailing dot; [(owner, ttl, type, rdata text)])."""
    zones: list[str] = []
    records = []
    for line in script.splitlines():
        if not line.strip() or line.startswith(";"):
            continue
        words = line.split()
        if words[0] == "zone":
            z = words[1].rstrip(".").lower()
            if z not in zones:
                zones.append(z)
        elif words[:2] == ["update", "add"]:
            owner, ttl, klass, rtype = words[2:6]
            assert klass == "IN", line
            records.append((owner.lower(), int(ttl), rtype.upper(), " ".join(words[6:])))
        else:
            assert words == ["send"], f"unexpected nsupdate command: {line!r}"
    return zones, records


def zone_export_records(name: str) -> set[tuple[str, int, str, str]]:
    """Every record of `export --format zone` but the SOAs, normalised by dnspython."""
    out = set()
    for origin, text in split_export(export(name, "zone")):
        zone = dns.zone.from_text(text, origin=origin + ".", relativize=False)
        for owner, node in zone.nodes.items():
            for rds in node.rdatasets:
                if rds.rdtype == dns.rdatatype.SOA:
                    continue
                for rd in rds:
                    out.add((owner.to_text().lower(), rds.ttl,
                             dns.rdatatype.to_text(rds.rdtype), rd.to_text().lower()))
    return out


def normalised(records) -> set[tuple[str, int, str, str]]:
    out = set()
    for o, ttl, t, rdata in records:
        rd = dns.rdata.from_text(dns.rdataclass.IN, dns.rdatatype.from_text(t), rdata)
        out.add((o, ttl, t, rd.to_text().lower()))
    return out


def export(name: str, fmt: str) -> str:
    r = run_sipdnsd("export", str(example(name)), "--format", fmt)
    assert r.returncode == 0, f"export --format {fmt} {name}: exit {r.returncode}\n{r.stderr}"
    assert r.stdout.strip(), "empty export"
    return r.stdout


# ---------------------------------------------------------------------------------------------
# named


def _apparmor_confines_named() -> bool:
    """Debian ships an AppArmor profile for /usr/sbin/named that only lets it read /etc/bind and
    write /var/cache/bind: where it is enforced, run a copy of the binary from the test's own
    directory instead (the profile attaches by path)."""
    try:
        enabled = pathlib.Path("/sys/module/apparmor/parameters/enabled").read_text().strip()
    except OSError:
        return False
    return enabled.upper().startswith("Y") and pathlib.Path("/etc/apparmor.d/usr.sbin.named").exists()


class NamedServer(ReferenceServer):
    """named -g (foreground, log to stderr) with a private config, serving stub zones (SOA and
    NS only) on 127.0.0.1:port with dynamic updates allowed from 127.0.0.1."""

    name = "named"
    binary = NAMED

    def __init__(self, zones: dict[str, int], workdir: pathlib.Path):
        # origin -> TTL of the stub SOA/NS; the records arrive by dynamic update.
        super().__init__([(origin, "") for origin in zones], workdir)
        self.ttls = zones

    def write_zone_files(self) -> None:
        for origin, ttl in self.ttls.items():
            (self.workdir / f"{origin}.zone").write_text(
                f"$TTL {ttl}\n"
                f"{origin}. {ttl} IN SOA {STUB_NS} hostmaster.sipdns-test.invalid. "
                f"1 3600 600 604800 300\n"
                f"{origin}. {ttl} IN NS {STUB_NS}\n")

    def prepare(self) -> list[str]:
        w = self.workdir
        zone_blocks = "".join(
            f'zone "{origin}" {{ type primary; file "{w}/{origin}.zone"; '
            f"allow-update {{ 127.0.0.1; }}; }};\n" for origin in self.ttls)
        (w / "named.conf").write_text(f"""options {{
    directory "{w}";
    listen-on port {self.port} {{ 127.0.0.1; }};
    listen-on-v6 {{ none; }};
    pid-file "{w}/named.pid";
    session-keyfile "{w}/session.key";
    managed-keys-directory "{w}";
    recursion no;
    dnssec-validation no;
    notify no;
    allow-query {{ 127.0.0.1; }};
    minimal-responses yes;
}};
controls {{ }};
{zone_blocks}""")
        binary = NAMED
        if _apparmor_confines_named():
            binary = str(w / "named")
            shutil.copy2(NAMED, binary)
        return [binary, "-g", "-n", "1", "-c", str(w / "named.conf")]


@pytest.fixture
def start_named(tmp_path):
    started: list[NamedServer] = []

    def start(zones: dict[str, int]) -> NamedServer:
        n = NamedServer(zones, tmp_path / f"named-{len(started)}")
        started.append(n)
        return n.start()

    yield start
    for n in started:
        rc = n.stop()
        print(f"--- named {' '.join(n.argv)} (exit {rc}); log {n.log_path}")
        print(n.log_text()[-4000:])
        assert rc == 0, f"named exited with {rc} after SIGTERM"


def apply_nsupdate(script: str, port: int) -> subprocess.CompletedProcess:
    assert os.access(NSUPDATE, os.X_OK), \
        f"{NSUPDATE} is not installed (scripts/install-deps.sh installs bind9-dnsutils)"
    text = f"server {LOOPBACK4} {port}\n" + script
    return subprocess.run([NSUPDATE, "-v"], input=text, capture_output=True, text=True,
                          timeout=120)


# ---------------------------------------------------------------------------------------------
# Comparing answers


def ask_tcp(qname: str, qtype: str, port: int) -> dns.message.Message:
    # TCP: no truncation, so whole RRsets are compared.
    q = make_query(qname, qtype)
    return dns.message.from_wire(raw_tcp(q.to_wire(), port, LOOPBACK4, timeout=5.0))


def answer_set(m: dns.message.Message) -> frozenset:
    out = set()
    for rrset in m.answer:
        for rd in rrset:
            out.add((rrset.name.to_text().lower(), rrset.ttl,
                     dns.rdatatype.to_text(rrset.rdtype), rd.to_text().lower()))
    return frozenset(out)


def soa_serial(origin: str, port: int) -> int:
    m = ask_tcp(origin + ".", "SOA", port)
    return m.answer[0][0].serial


def exported_set(records, owner: str, rtype: str) -> frozenset:
    # The export's rdata text through dnspython, so both sides print alike.
    return frozenset(normalised(r for r in records if r[0] == owner and r[2] == rtype))


@pytest.mark.parametrize("name", EXAMPLES_UNDER_TEST)
def test_nsupdate_script_makes_named_answer_like_sipdnsd(name, start_named, start_server):
    script = export(name, "nsupdate")
    zones, records = parse_nsupdate(script)
    assert zones and records, script
    assert all(t != "SOA" for _, _, t, _ in records), "the SOA is not sent"
    # The script adds exactly the records of the zone-file export, SOA aside.
    in_zone_files = zone_export_records(name)
    assert normalised(records) == in_zone_files, (
        f"missing from the script: {sorted(in_zone_files - normalised(records))}\n"
        f"not in the zone files: {sorted(normalised(records) - in_zone_files)}")
    # Stub zones: SOA + the existing server's NS, with the TTL of the site's NS records so the
    # merged NS RRset has one TTL.
    ns_ttl = {z: next((ttl for o, ttl, t, _ in records if o == z + "." and t == "NS"), 3600)
              for z in zones}
    named = start_named(ns_ttl)

    r = apply_nsupdate(script, named.port)
    assert r.returncode == 0, f"nsupdate failed ({r.returncode}):\n{r.stdout}\n{r.stderr}"
    serials = {z: soa_serial(z, named.port) for z in zones}
    assert all(s > 1 for s in serials.values()), f"the updates changed nothing: {serials}"

    sipdnsd = start_server(example(name))
    # Every owner and type of the zone files, and A at every owner (CNAME chains, NODATA).
    corpus = sorted({(o, t) for o, _, t, _ in in_zone_files} |
                    {(o, "A") for o, _, _, _ in in_zone_files})
    assert len(corpus) >= len(zones) * 2
    mismatches = []
    for owner, rtype in corpus:
        ours = ask_tcp(owner, rtype, sipdnsd.port)
        theirs = ask_tcp(owner, rtype, named.port)
        mine, bind = answer_set(ours), answer_set(theirs)
        expected = mine
        apex = owner.rstrip(".") in zones
        if apex and rtype == "NS":
            # The server's own NS stays beside the site's (RFC 2136 add, not replace).
            ttl = ns_ttl[owner.rstrip(".")]
            expected = mine | {(owner, ttl, "NS", STUB_NS)}
        if (ours.rcode(), expected) != (theirs.rcode(), bind):
            mismatches.append(f"{owner} {rtype}: sipdnsd {dns.rcode.to_text(ours.rcode())} "
                              f"{sorted(mine)}\n    named {dns.rcode.to_text(theirs.rcode())} "
                              f"{sorted(bind)}")
        # The export holds exactly what sipdnsd serves at that owner and type.
        if any(o == owner and t == rtype for o, _, t, _ in records):
            served = frozenset(rr for rr in mine if rr[0] == owner and rr[2] == rtype)
            want = exported_set(records, owner, rtype)
            if served != want:
                mismatches.append(f"{owner} {rtype}: exported {sorted(want)}\n"
                                  f"    served {sorted(served)}")
    assert not mismatches, f"{len(mismatches)} of {len(corpus)} queries differ:\n" + \
        "\n".join(mismatches[:40])


@pytest.mark.parametrize("name", EXAMPLES_UNDER_TEST[:1])
def test_nsupdate_script_applied_twice_changes_nothing_the_second_time(name, start_named):
    script = export(name, "nsupdate")
    zones, records = parse_nsupdate(script)
    named = start_named({z: 1800 for z in zones})
    r = apply_nsupdate(script, named.port)
    assert r.returncode == 0, r.stderr
    before = {z: soa_serial(z, named.port) for z in zones}
    r = apply_nsupdate(script, named.port)
    assert r.returncode == 0, r.stderr
    # RFC 2136 §3.4.2.2: adding an RR that is there is a no-op, and an update that changes
    # nothing leaves the serial alone.
    assert {z: soa_serial(z, named.port) for z in zones} == before


def test_nsupdate_script_has_no_server_and_says_how_to_add_one():
    script = export("scs-ha", "nsupdate")
    commands = [l for l in script.splitlines() if l.strip() and not l.startswith(";")]
    assert not any(l.startswith("server") for l in commands)
    assert any("server ADDRESS" in l for l in script.splitlines() if l.startswith(";"))


# ---------------------------------------------------------------------------------------------
# dnscmd and the CLI


def test_dnscmd_export_for_the_ha_site():
    out = export("scs-ha", "dnscmd")
    lines = out.splitlines()
    assert lines[0].startswith("rem "), lines[0]
    adds = [l for l in lines if l.startswith("dnscmd . /RecordAdd ")]
    zone_adds = [l for l in lines if l.startswith("dnscmd . /ZoneAdd ")]
    assert zone_adds == [
        "dnscmd . /ZoneAdd scsnetwork.local /Primary /file scsnetwork.local.dns",
        "dnscmd . /ZoneAdd 2.0.192.in-addr.arpa /Primary /file 2.0.192.in-addr.arpa.dns"]
    assert len([l for l in adds if " SRV " in l]) == 12
    assert "dnscmd . /RecordAdd scsnetwork.local _sip._tcp.rr.scs1 1800 SRV 2 100 5070 " \
           "scs2.scsnetwork.local." in adds
    assert not [l for l in adds if " SOA " in l or " NS " in l]
    assert export("scs-ha", "dnscmd") == out, "dnscmd export is not deterministic"


def test_export_unknown_format_names_the_formats():
    r = run_sipdnsd("export", str(example("scs-ha")), "--format", "bind")
    assert r.returncode == 2
    for fmt in ("zone", "dnscmd", "nsupdate"):
        assert fmt in r.stderr, r.stderr


def test_export_location_applies_to_every_format():
    for fmt in ("dnscmd", "nsupdate"):
        r = run_sipdnsd("export", str(example("sip-cluster")), "--format", fmt,
                        "--location", "dc2")
        assert r.returncode == 0, r.stderr
        # DC2's own proxies at the local priority.
        assert "10 50 5060 dc2-spx1.example.com." in r.stdout, r.stdout
