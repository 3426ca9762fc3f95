# SPDX-FileCopyrightText: 2026 The sipdns authors
# SPDX-License-Identifier: BSD-3-Clause
"""`sipdnsd plan FILE` (issue 9): the installer's checklist.

- The output for every example equals tests/integration/expected/plan/<example>.txt.
- The option-120 hex decodes (by RFC 3361 read here, sharing nothing with the C++) to the
  names and addresses the plan prints, and those agree with the exported zone.
- Every printed `dig` and `nslookup` command, run against a real sipdnsd on loopback, gets the
  answer the plan says to expect; without --listen and with a wildcard `server.listen`, they ask
  the first name server's address (IPv6 when it has only that), as sipdnsd(8) says.
- DHCPv6 (issue 14): options 23/24/21/22/56 agree with the exported zone, option 56's hex
  decodes by RFC 5908, and an NTP host on IPv6 only is no longer "no ntp host".
- A bad site file gives check's diagnostics and exit 1.
"""

import difflib
import ipaddress
import pathlib
import re
import shlex
import shutil
import subprocess

import dns.rdatatype
import dns.zone
import pytest

from sipdnsd_harness import EXAMPLES, export_zones, run_sipdnsd

ALL_EXAMPLES = sorted(p.stem for p in EXAMPLES.glob("*.yaml"))
EXPECTED = pathlib.Path(__file__).resolve().parent / "expected" / "plan"
COMMAND_TIMEOUT = 20  # seconds per dig/nslookup (dig's own default: 3 tries of 5 s)


def plan(path, *extra):
    r = run_sipdnsd("plan", str(path), *extra)
    assert r.returncode == 0, f"plan {path}: exit {r.returncode}\n{r.stderr}"
    assert r.stderr == "", r.stderr
    return r.stdout


# ---------------------------------------------------------------------------------------------
# Expected output


def test_every_example_has_an_expected_plan():
    assert ALL_EXAMPLES
    missing = [n for n in ALL_EXAMPLES if not (EXPECTED / f"{n}.txt").is_file()]
    assert not missing, f"no expected plan for {missing} in {EXPECTED}"


@pytest.mark.parametrize("name", ALL_EXAMPLES)
def test_plan_matches_expected(name):
    got = plan(EXAMPLES / f"{name}.yaml")
    want = (EXPECTED / f"{name}.txt").read_text()
    if got != want:
        diff = "".join(difflib.unified_diff(want.splitlines(True), got.splitlines(True),
                                            f"expected/plan/{name}.txt", "sipdnsd plan"))
        pytest.fail(f"plan for {name} differs from the expected file:\n{diff}\n"
                    f"(regenerate: sipdnsd plan packaging/examples/{name}.yaml > "
                    f"tests/integration/expected/plan/{name}.txt, then review the diff)")


def test_plan_is_deterministic():
    path = EXAMPLES / "scs-ha.yaml"
    assert plan(path) == plan(path)


# ---------------------------------------------------------------------------------------------
# Option 120, decoded from RFC 3361 itself:
#   §3    code 120, len, then an encoding byte 'enc' and the list; never both encodings.
#   §3.1  enc 0: domain names, each a sequence of RFC 1035 §3.1 labels (a length octet 1..63,
#         the label's octets) ending with the zero-length root label.
#   §3.2  enc 1: IPv4 addresses, 4 octets each, in order of preference.


def decode_option_120(data: bytes):
    """-> ("names", [str]) or ("addresses", [str]); raises ValueError on a malformed value."""
    if not data:
        raise ValueError("empty option")
    if len(data) > 255:
        raise ValueError("one option instance carries at most 255 octets (RFC 2132)")
    enc, body = data[0], data[1:]
    if enc == 0:
        names, i = [], 0
        while i < len(body):
            labels, octets = [], 0
            while True:
                if i >= len(body):
                    raise ValueError("name runs past the end of the option")
                length = body[i]
                if length & 0xC0:
                    # Compression pointers (RFC 1035 §4.1.4) are not expected from sipdnsd.
                    raise ValueError(f"unexpected label type {length:#x} at {i}")
                i += 1
                octets += 1 + length
                if length == 0:
                    break
                if i + length > len(body):
                    raise ValueError("label runs past the end of the option")
                labels.append(body[i:i + length].decode("ascii"))
                i += length
            if not labels or octets > 255:
                raise ValueError("empty or over-long name")
            names.append(".".join(labels))
        if not names:
            raise ValueError("enc 0 without a name")
        return "names", names
    if enc == 1:
        if not body or len(body) % 4:
            raise ValueError(f"enc 1 needs 4 octets per address, got {len(body)}")
        return "addresses", [str(ipaddress.IPv4Address(body[i:i + 4]))
                             for i in range(0, len(body), 4)]
    raise ValueError(f"unknown encoding byte {enc}")


def test_decoder_on_rfc_example():
    # RFC 3361 §3.1's figure: "example.com" and "example.net", Len 27.
    data = bytes([0, 7]) + b"example" + bytes([3]) + b"com" + bytes([0, 7]) + b"example" + \
        bytes([3]) + b"net" + bytes([0])
    assert len(data) == 27
    assert decode_option_120(data) == ("names", ["example.com", "example.net"])
    assert decode_option_120(bytes([1, 192, 0, 2, 1])) == ("addresses", ["192.0.2.1"])
    for bad in (b"", bytes([2, 1]), bytes([1, 1, 2, 3]), bytes([0, 3]) + b"abc",
                bytes([0, 0xC0, 1])):
        with pytest.raises(ValueError):
            decode_option_120(bad)


def option_120_values(text):
    """[(kind, readable values, bytes)] from a plan: each `hex` line with the value line above
    it ("by name:", "by address:", or the Lync "120 SIP Servers (Lync)" line)."""
    out, current = [], None
    for line in text.splitlines():
        m = re.match(r"^\s+by (name|address):\s+(.*)$", line)
        if m:
            current = ("names" if m.group(1) == "name" else "addresses", m.group(2).split())
            continue
        m = re.match(r"^\s+120 SIP Servers \(Lync\)\s+(\S+)$", line)
        if m:
            current = ("names", [m.group(1)])
            continue
        m = re.match(r"^\s+hex ([0-9a-f]{2}(?::[0-9a-f]{2})*)$", line)
        if m:
            assert current, f"a hex line without its value: {line}"
            out.append((current[0], current[1], bytes.fromhex(m.group(1).replace(":", ""))))
            current = None
    return out


def zone_of(name):
    """The exported forward zone of an example, as dnspython reads it."""
    (origin, text), *_ = export_zones(EXAMPLES / f"{name}.yaml")
    return dns.zone.from_text(text, origin=origin + ".", relativize=False)


def srv_targets(zone, owner):
    """SRV targets at owner by priority (None when the owner has no SRV)."""
    node = zone.get_node(owner + ".")
    rrset = node.get_rdataset(1, dns.rdatatype.SRV) if node else None
    if not rrset:
        return None
    return [r.target.to_text(omit_final_dot=True) for r in sorted(rrset, key=lambda r: r.priority)]


def a_records(zone, name):
    node = zone.get_node(name + ".")
    rrset = node.get_rdataset(1, dns.rdatatype.A) if node else None
    return [r.address for r in rrset] if rrset else []


@pytest.mark.parametrize("name", ALL_EXAMPLES)
def test_option_120_hex_decodes_to_what_the_plan_says(name):
    text = plan(EXAMPLES / f"{name}.yaml")
    values = option_120_values(text)
    assert values, f"no option 120 value in the plan of {name}"
    zone = zone_of(name)
    domain = str(zone.origin).rstrip(".")
    sip_domain = re.search(r"^1\. SIP Domain.*\n   (\S+)", text, re.M).group(1)
    for kind, readable, data in values:
        decoded_kind, decoded = decode_option_120(data)
        assert (decoded_kind, decoded) == (kind, readable), (name, data.hex())
        # The ISC dhcpd, Kea and netsh lines carry the same bytes.
        if kind == "names":
            assert f"option sip-servers-3361 {data.hex(':')};" in text
            assert f'"data": "{data.hex()}"' in text
            assert f"set optionvalue 120 BINARY {data.hex()}" in text
    kinds = {(k, tuple(v)) for k, v, _ in values}
    udp = srv_targets(zone, f"_sip._udp.{domain}")
    lync = srv_targets(zone, f"_sipinternaltls._tcp.{domain}")
    if udp:
        # SCS sites: by name the SIP Domain (the phone follows its SRV records, RFC 3263);
        # by address the servers in SRV priority order (the primary first), from the zone.
        assert ("names", (sip_domain,)) in kinds
        assert sip_domain == domain
        expected = tuple(a for target in udp for a in a_records(zone, target))
        assert ("addresses", expected) in kinds, (kinds, expected)
    if lync:
        # Lync: the Registrar's FQDN, the target of _sipinternaltls._tcp.
        assert ("names", (lync[0],)) in kinds, kinds
    if not udp and not lync:
        # A cluster site: its FQDN, which has SIP SRV records of its own.
        (kind, names), = [(k, v) for k, v in kinds]
        assert kind == "names" and names == (sip_domain,)
        assert srv_targets(zone, f"_sip._udp.{sip_domain}"), sip_domain


# ---------------------------------------------------------------------------------------------
# DHCPv6 (issue 14), read from the RFCs here:
#   RFC 3646 §3  option 23: IPv6 addresses of recursive name servers, 16 octets each.
#   RFC 3646 §4  option 24: the domain search list.
#   RFC 3319 §3  options 21 (SIP server names) and 22 (their IPv6 addresses), no encoding byte.
#   RFC 5908 §4  option 56: suboptions of a 2-octet code, a 2-octet length and the data; code 1
#                a server's IPv6 address (§4.1), 3 its FQDN in RFC 1035 wire form (§4.3).


def decode_ntp_server(data: bytes):
    """-> [("address" | "fqdn", text)]; raises ValueError on a malformed value."""
    if not data:
        raise ValueError("option 56 carries at least one suboption")
    out, i = [], 0
    while i < len(data):
        if i + 4 > len(data):
            raise ValueError("suboption header runs past the end")
        code, length = int.from_bytes(data[i:i + 2], "big"), int.from_bytes(data[i + 2:i + 4], "big")
        body = data[i + 4:i + 4 + length]
        if len(body) != length:
            raise ValueError(f"suboption {code} runs past the end")
        if code == 1:
            if length != 16:
                raise ValueError(f"a server address is 16 octets, not {length}")
            out.append(("address", str(ipaddress.IPv6Address(body))))
        elif code == 3:
            _, names = decode_option_120(bytes([0]) + body)
            if len(names) != 1:
                raise ValueError("one FQDN per suboption")
            out.append(("fqdn", names[0]))
        else:
            raise ValueError(f"unexpected suboption {code}")
        i += 4 + length
    return out


def test_ntp_decoder_on_rfc_layout():
    address = ipaddress.IPv6Address("2001:db8::123").packed
    name = bytes([3]) + b"ntp" + bytes([7]) + b"example" + bytes([4]) + b"test" + bytes([0])
    assert decode_ntp_server(bytes([0, 1, 0, 16]) + address + bytes([0, 3, 0, len(name)]) + name) \
        == [("address", "2001:db8::123"), ("fqdn", "ntp.example.test")]
    for bad in (b"", bytes([0, 1, 0, 4, 1, 2, 3, 4]), bytes([0, 1, 0, 16]) + address[:8],
                bytes([0, 2, 0, 16]) + address, bytes([0, 1, 0])):
        with pytest.raises(ValueError):
            decode_ntp_server(bad)


def dhcpv6_section(text):
    """The DHCPv6 part of section 2, or None when the plan has none."""
    if "   DHCPv6 options" not in text:
        return None
    return text[text.index("   DHCPv6 options"):text.index("\n3. DNS checks")]


def dhcpv6_values(section):
    """{"00023": [values], ...}: the option lines; [] for "not set"."""
    values = {}
    for m in re.finditer(r"^   (000\d\d) [A-Za-z0-9 ]+?  +(.+)$", section, re.M):
        values[m.group(1)] = [] if m.group(2).startswith("not set") else m.group(2).split()
    return values


def aaaa_records(zone, name):
    node = zone.get_node(name + ".")
    rrset = node.get_rdataset(1, dns.rdatatype.AAAA) if node else None
    return [r.address for r in rrset] if rrset else []


# A dual-stack HA pair whose NTP server is on IPv6 only.
HA_IPV6_SITE = """\
domain: scsnetwork.local
servers:
  - { name: scs1, ipv4: 192.0.2.11, ipv6: "2001:db8::11" }
  - { name: scs2, ipv4: 192.0.2.12, ipv6: "2001:db8::12" }
hosts:
  ntp: "2001:db8::123"
"""


@pytest.mark.parametrize("name", ALL_EXAMPLES)
def test_dhcpv6_options_only_for_sites_with_ipv6(name):
    has_aaaa = any(re.search(r"\tIN\tAAAA\t", zone_text)
                   for _origin, zone_text in export_zones(EXAMPLES / f"{name}.yaml"))
    assert (dhcpv6_section(plan(EXAMPLES / f"{name}.yaml")) is not None) == has_aaaa


@pytest.mark.parametrize("site", ["lab", "ha-ipv6"])
def test_dhcpv6_options_agree_with_the_zone(site, tmp_path):
    if site == "lab":
        path = EXAMPLES / "lab.yaml"
    else:
        path = tmp_path / "ha-ipv6.yaml"
        path.write_text(HA_IPV6_SITE)
    text = plan(path)
    section = dhcpv6_section(text)
    assert section, text
    values = dhcpv6_values(section)
    (origin, zone_text), *_ = export_zones(path)
    zone = dns.zone.from_text(zone_text, origin=origin + ".", relativize=False)
    domain = origin.rstrip(".")
    ns_targets = [r.target.to_text(omit_final_dot=True)
                  for r in zone.get_node(origin + ".").get_rdataset(1, dns.rdatatype.NS)]
    # 23: the name servers' IPv6 addresses, primary first (as option 6); 24: the domain.
    assert values["00023"] == [a for ns in ns_targets for a in aaaa_records(zone, ns)]
    assert values["00024"] == [domain]
    # 21: the SIP Domain (as option 120 by name); 22: the SIP servers' IPv6 addresses in SRV
    # priority order.
    sip_domain = re.search(r"^1\. SIP Domain.*\n   (\S+)", text, re.M).group(1)
    assert values["00021"] == [sip_domain]
    udp = srv_targets(zone, f"_sip._udp.{domain}")
    assert values["00022"] == [a for target in udp for a in aaaa_records(zone, target)]
    # 56: ntp.<domain>'s IPv6 addresses; its hex, and the ISC dhcpd and Kea lines, decode to
    # them.
    ntp = aaaa_records(zone, f"ntp.{domain}")
    assert values["00056"] == ntp
    option42 = re.search(r"^   042 NTP Servers +(.+)$", text, re.M).group(1)
    if ntp:
        data = bytes.fromhex(re.search(r"^ +hex ([0-9a-f:]+)$", section[section.index("00056"):],
                                       re.M).group(1).replace(":", ""))
        assert decode_ntp_server(data) == [("address", a) for a in ntp]
        assert f"option dhcp6.ntp-server {data.hex(':')};" in section
        assert f'{{ "code": 56, "csv-format": false, "data": "{data.hex()}" }}' in section
    if not a_records(zone, f"ntp.{domain}"):
        # An NTP host on IPv6 only is not "no ntp host": option 42 says why it is empty.
        assert option42 == (f"not set: ntp.{domain} has no IPv4 address" if ntp else
                            "not set: the site has no ntp host"), option42
    if site == "ha-ipv6":
        assert values["00022"] == ["2001:db8::11", "2001:db8::12"]
        assert values["00056"] == ["2001:db8::123"]


# ---------------------------------------------------------------------------------------------
# The printed commands, against a real sipdnsd


def command_blocks(text, port):
    """[(header, [command argv], [expected values])] from section 3 of a plan; the answers for
    other locations are left out (the tests ask from 127.0.0.1, in no location)."""
    blocks, current, in_location = [], None, False
    section = text.split("\n3. ", 1)[1]
    for line in section.splitlines():
        if re.match(r"^   \S", line):
            current = {"header": line.strip(), "commands": [], "expect": []}
            blocks.append(current)
            in_location = False
        elif line.startswith("     asked from "):
            in_location = True
        elif line.startswith("     dig ") or line.startswith("     nslookup "):
            current["commands"].append(shlex.split(line.strip()))
        elif line.startswith("     expect: "):
            if not in_location:
                current["expect"].append(line[len("     expect: "):])
        elif line.startswith("             ") and current and current["expect"] and \
                not in_location:
            current["expect"].append(line.strip())
    return [b for b in blocks if b["commands"]]


def run_command(argv, port, address="127.0.0.1"):
    # Only loopback, only this test's daemon.
    assert address in ("127.0.0.1", "::1"), address
    assert argv[0] in ("dig", "nslookup"), argv
    if argv[0] == "dig":
        assert argv[1] == f"@{address}" and argv[2:4] == ["-p", str(port)], argv
    else:
        assert argv[1] == f"-port={port}" and argv[-1] == address, argv
    r = subprocess.run(argv, capture_output=True, text=True, timeout=COMMAND_TIMEOUT)
    return r


def dig_answer(stdout, authority):
    values = []
    for line in stdout.splitlines():
        if not line.strip() or line.startswith(";"):
            continue
        if authority:  # "owner TTL IN NS target": the rdata after the fourth field
            values.append(" ".join(line.split()[4:]))
        else:
            values.append(line.strip())
    return values


def matches(expected, got):
    pattern = "^" + re.escape(expected).replace(re.escape("<serial>"), r"\d+") + "$"
    return re.match(pattern, got) is not None


def failed_checks(text, port, address="127.0.0.1"):
    """Runs every command of the plan's section 3; -> the failures, as text."""
    failures = []
    for b in command_blocks(text, port):
        assert b["expect"], b
        for argv in b["commands"]:
            r = run_command(argv, port, address)
            if r.returncode != 0:
                failures.append(f"{shlex.join(argv)}: exit {r.returncode}\n{r.stdout}{r.stderr}")
                continue
            if argv[0] == "dig":
                got = dig_answer(r.stdout, "+authority" in argv)
                ok = len(got) == len(b["expect"]) and all(
                    any(matches(e, g) for g in got) for e in b["expect"])
            else:
                # nslookup words each type its own way ("service = 1 0 5060 scs1...",
                # "name = ...", "Address: ..."), but prints each record's data as dig does;
                # the SOA comes field by field.
                if b["header"].endswith(" SOA"):
                    ok = all(w.rstrip(".") in r.stdout for e in b["expect"] for w in e.split()
                             if w != "<serial>")
                else:
                    ok = all(e in r.stdout for e in b["expect"])
                got = r.stdout
            if not ok:
                failures.append(f"{b['header']}\n  {shlex.join(argv)}\n  expected "
                                f"{b['expect']}\n  got {got}")
    return failures


@pytest.mark.parametrize("name", ALL_EXAMPLES)
def test_printed_commands_get_the_expected_answers(name, start_server):
    for tool in ("dig", "nslookup"):
        assert shutil.which(tool), f"{tool} is not installed (scripts/install-deps.sh: bind9-dnsutils)"
    daemon = start_server(EXAMPLES / f"{name}.yaml", listen=["127.0.0.1:{port}"])
    text = plan(EXAMPLES / f"{name}.yaml", "--listen", f"127.0.0.1:{daemon.port}")
    blocks = command_blocks(text, daemon.port)
    exported = sum(1 for _origin, zone_text in export_zones(EXAMPLES / f"{name}.yaml")
                   for line in zone_text.splitlines()
                   if line and not line.startswith("$"))
    assert sum(len(b["expect"]) for b in blocks) == exported, \
        "the plan must check every exported record"
    failures = failed_checks(text, daemon.port)
    assert not failures, "\n".join(failures)


# A site whose first name server has an IPv6 address only (::1 here, so that the checks reach
# this test's daemon), the second an IPv4 one; the NTP server is on IPv6 only. LISTEN is the
# installer's `server.listen`: every address of the host.
FIRST_NS_IPV6_SITE = """\
domain: v6.example.test
nameservers: [ns1, ns2]
hosts:
  ns1: "::1"
  ns2: 127.0.0.1
  pbx: [192.0.2.10, "2001:db8::10"]
  ntp: "2001:db8::123"
reverse: off
LISTEN
"""


def test_wildcard_listen_asks_the_first_name_server_even_on_ipv6(start_server, tmp_path):
    """sipdnsd(8): a wildcard listen address means the first name server's address: here ns1's
    IPv6 address, though ns2 has an IPv4 one. The daemon serves the same zones on [::1] only
    (started with --listen); the plan reads the installer's file, whose listen is [::]."""
    served = tmp_path / "served.yaml"
    served.write_text(FIRST_NS_IPV6_SITE.replace("LISTEN", ""))
    daemon = start_server(served, listen=["[::1]:{port}"], probe_addr="::1")
    port = daemon.port
    site = tmp_path / "v6.yaml"
    site.write_text(FIRST_NS_IPV6_SITE.replace("LISTEN", f'server: {{ listen: ["[::]:{port}"] }}'))
    text = plan(site)
    assert f"Queries go to ::1 port {port} (the address of ns1.v6.example.test, the zone's " \
        "first name server)" in flat(text), text
    commands = [argv for b in command_blocks(text, port) for argv in b["commands"]]
    assert commands and all("::1" in (argv[1].lstrip("@"), argv[-1]) for argv in commands)
    failures = failed_checks(text, port, "::1")
    assert not failures, "\n".join(failures)


# ---------------------------------------------------------------------------------------------
# Forwarding (issue 13): option 6 makes sipdnsd the phones' only DNS server, so the plan says
# what happens to every name outside the site's zones.


def option6_section(text):
    """Option 6's lines, from its own line to option 15's."""
    m = re.search(r"^   006 DNS Servers.*?(?=^   015 )", text, re.M | re.S)
    assert m, text
    return m.group(0)


def flat(text):
    return " ".join(text.split())


WARNING = ("Warning: the site file has no forward: section, so sipdnsd answers only this site's "
           "names and refuses all others. Phones that get it as their DNS server resolve nothing "
           "else: their NTP servers, firmware and provisioning hosts, and the ITSP's SIP trunk "
           "fail.")


@pytest.mark.parametrize("name", ALL_EXAMPLES)
def test_without_forward_the_plan_warns_and_its_fragment_works(name, tmp_path):
    section = option6_section(plan(EXAMPLES / f"{name}.yaml"))
    assert WARNING in flat(section), section
    # The fragment to add is a line of its own; with a resolver filled in, it is a valid site
    # file, and the plan then says where other names go instead of warning.
    fragments = re.findall(r"^ {11}(forward: .*)$", section, re.M)
    assert fragments == ["forward: { to: [<your resolver>] }"], section
    site = tmp_path / f"{name}-forward.yaml"
    site.write_text((EXAMPLES / f"{name}.yaml").read_text() +
                    fragments[0].replace("<your resolver>", "192.0.2.1") + "\n")
    c = run_sipdnsd("check", str(site))
    assert c.returncode == 0, c.stderr
    assert "forward: to 192.0.2.1:53 for loopback and this host's networks; dnssec off\n" \
        in c.stdout, c.stdout
    section = option6_section(plan(site))
    assert "Warning" not in section and "<your resolver>" not in section, section
    assert "Other names are forwarded to 192.0.2.1:53 (forward:)" in flat(section), section


@pytest.mark.parametrize("forward, says", [
    ("forward:\n  to: [192.0.2.1, \"[2001:db8::1]:5353\"]\n  allow: [192.0.2.0/24]\n",
     "Other names are forwarded to 192.0.2.1:53, [2001:db8::1]:5353 (forward:), for clients in "
     "192.0.2.0/24 (forward.allow): phones outside these get REFUSED."),
    ("forward: { to: root, dnssec: true }\n",
     "Other names are resolved from the root servers (forward:), with DNSSEC validation "
     "(RFC 4033), for clients on loopback and this host's networks (forward.allow left out): "
     "phones in other subnets, behind a router, get REFUSED unless forward.allow lists them."),
], ids=["to-allow", "root-dnssec"])
def test_with_forward_the_plan_says_where_other_names_go(forward, says, tmp_path):
    site = tmp_path / "site.yaml"
    site.write_text((EXAMPLES / "scs-ha.yaml").read_text() + forward)
    section = option6_section(plan(site))
    assert says in flat(section), section
    assert "Warning" not in section, section
    # The rest of the plan is the example's own.
    assert plan(site).replace(section, "") == \
        plan(EXAMPLES / "scs-ha.yaml").replace(option6_section(plan(EXAMPLES / "scs-ha.yaml")), "")


# ---------------------------------------------------------------------------------------------
# Errors


def test_bad_site_gives_checks_diagnostics(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("domain: scsnetwork.local\n"
                   "servers:\n"
                   "  - { name: scs1, ipv4: 192.0.2.300 }\n"
                   "sever: {}\n")
    p = run_sipdnsd("plan", str(bad))
    c = run_sipdnsd("check", str(bad))
    assert p.returncode == 1 and c.returncode == 1
    assert p.stdout == ""
    assert p.stderr == c.stderr
    assert re.search(rf"^{re.escape(str(bad))}:3:\d+: .*192\.0\.2\.300", p.stderr, re.M), p.stderr


def test_bad_forward_gives_checks_diagnostics(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text((EXAMPLES / "scs-single.yaml").read_text() +
                   "forward:\n  to: [192.0.2.1]\n  root_hints: /etc/sipdns/root.hints\n")
    lines = (EXAMPLES / "scs-single.yaml").read_text().count("\n")
    p = run_sipdnsd("plan", str(bad))
    assert p.returncode == 1 and p.stdout == ""
    assert p.stderr == (f"{bad}:{lines + 3}:15: forward.root_hints: root_hints is only for "
                        "`to: root`; the resolvers in `to` find the root themselves\n1 error\n")


def test_usage_errors():
    r = run_sipdnsd("plan")
    assert r.returncode == 2 and "needs a site file" in r.stderr
    r = run_sipdnsd("plan", str(EXAMPLES / "scs-ha.yaml"), "--listen", "127.0.0.1")
    assert r.returncode == 2 and r.stderr.splitlines() == [
        "sipdnsd: --listen '127.0.0.1': the port is missing: write '127.0.0.1:53' for port 53",
        "try 'sipdnsd plan --help'"], r.stderr
    r = run_sipdnsd("plan", str(EXAMPLES / "scs-ha.yaml"), "--format", "zone")
    assert r.returncode == 2, r.stderr
    r = run_sipdnsd("--help")
    assert "sipdnsd plan FILE" in r.stdout
