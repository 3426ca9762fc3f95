# SPDX-FileCopyrightText: 2026 The sipdns authors
# SPDX-License-Identifier: BSD-3-Clause
"""`sipdnsd plan`'s DHCP section (issue 9) put into real DHCP servers from Debian.

For each example with DHCP values, ISC dhcpd and Kea are configured with the plan's own option-120
lines (pasted as the plan prints them) and its options 6, 15, 42 and 66; each first checks the
configuration (`dhcpd -t`, `kea-dhcp4 -t`), then serves one DHCPDISCOVER from dhcp_client.py. The
offer's options must be the plan's values, and option 120 must decode (RFC 3361, by
test_plan.decode_option_120) to the plan's SIP servers.

DHCPv6 (issue 14): for sites with IPv6 addresses, `dhcpd -6` and kea-dhcp6 are configured with
the plan's DHCPv6 lines exactly as printed (checked with `dhcpd -6 -t`, `kea-dhcp6 -t`), then
answer one Information-request from dhcp6_client.py; options 21-24 and 56 of the Reply, decoded
here from RFC 3319, RFC 3646 and RFC 5908, must be the plan's values.

Network: the servers and the client each live in a network namespace made here, joined by one
veth pair; nothing is sent anywhere else. Needs root (ip netns); skipped otherwise, and skipped
with ip's error when the machine refuses the namespaces or the veth pair (no CAP_SYS_ADMIN or
CAP_NET_ADMIN: containers, CI sandboxes). Any other error fails.
"""

import ipaddress
import json
import os
import pathlib
import re
import shutil
import signal
import struct
import subprocess
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "integration"))

from sipdnsd_harness import EXAMPLES, run_sipdnsd, stop_process  # noqa: E402
from test_plan import decode_option_120  # noqa: E402

HERE = pathlib.Path(__file__).resolve().parent
SITES = ["scs-ha", "lab", "lync"]
SERVERS = ["isc", "kea"]
SUBNET = "10.253.120"  # on the test's own veth pair only
SERVER_ADDRESS = f"{SUBNET}.1"
SUBNET6 = "2001:db8:253:120"  # a documentation prefix (RFC 3849), on the same veth pair only
SERVER_ADDRESS6 = f"{SUBNET6}::1"
CLIENT_TIMEOUT = 30

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="network namespaces need root")


# ---------------------------------------------------------------------------------------------
# What the plan says


def plan_dhcp(site: str) -> dict:
    r = run_sipdnsd("plan", str(EXAMPLES / f"{site}.yaml"))
    assert r.returncode == 0, r.stderr
    text = r.stdout
    section = text[text.index("2. DHCP options"):text.index("3. DNS checks")]

    def value(code: str):
        m = re.search(rf"^   {code} [A-Za-z ()]+?  +(.+)$", section, re.M)
        assert m, f"no option {code} line in the plan of {site}"
        return None if m.group(1).startswith("not set") else m.group(1).strip()

    # The option-120 lines, exactly as printed: "ISC dhcpd:" and "Kea:" each start a block that
    # runs until the next label.
    blocks: dict[str, list[str]] = {}
    label = None
    for line in section.splitlines():
        m = re.match(r"^\s{7}(ISC dhcpd|Kea|Windows):\s+(.*)$", line)
        if m:
            label = m.group(1)
            blocks[label] = [m.group(2)]
        elif label and re.match(r"^\s{19,}\S", line):
            blocks[label].append(line.strip())
        else:
            label = None
    sip_servers = None
    m = re.search(r"^   120 SIP Servers \(Lync\)\s+(\S+)$", section, re.M)
    if m:
        sip_servers = [m.group(1)]
    m = re.search(r"^\s+by name:\s+(.*)$", section, re.M)
    if m:
        sip_servers = m.group(1).split()
    assert sip_servers, f"no SIP servers for option 120 in the plan of {site}"
    return {
        "dns": value("006").split(),
        "domain": value("015"),
        "ntp": (value("042") or "").split(),
        "boot": value("066"),
        "isc": blocks["ISC dhcpd"],
        "kea": blocks["Kea"],
        "sip_servers": sip_servers,
    }


# ---------------------------------------------------------------------------------------------
# The two namespaces


def ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True, timeout=20)


# What ip(8) prints when the machine, not the test, says no: no CAP_SYS_ADMIN / CAP_NET_ADMIN
# (a container, a CI sandbox), a read-only /run, no veth driver. Any other error is a failure.
REFUSED = re.compile(r"Operation not permitted|Permission denied|Operation not supported|"
                     r"Read-only file system|Unknown device type")


def ip_or_skip(what: str, *args: str) -> None:
    """ip(8), skipping the module with the reason when the machine refuses it (see REFUSED)."""
    try:
        ip(*args)
    except subprocess.CalledProcessError as e:
        error = e.stderr.decode(errors="replace").strip()
        if REFUSED.search(error):
            pytest.skip(f"cannot {what} here (`ip {' '.join(args)}`): {error}")
        raise


@pytest.fixture(scope="module")
def link():
    """Two namespaces, server and client, joined by a veth pair; the server side has
    SERVER_ADDRESS/24. Removed at the end (deleting a namespace deletes its veth end)."""
    if not shutil.which("ip"):
        pytest.skip("iproute2 is not installed")
    tag = str(os.getpid())
    names = {"server_ns": f"sipdns-dhcp-s-{tag}", "client_ns": f"sipdns-dhcp-c-{tag}",
             "server_if": f"sdh{tag[-6:]}s", "client_if": f"sdh{tag[-6:]}c"}
    try:
        ip_or_skip("create a network namespace", "netns", "add", names["server_ns"])
        ip("netns", "add", names["client_ns"])
        # Without CAP_NET_ADMIN the namespaces can be made but no link between them.
        ip_or_skip("join two network namespaces with a veth pair",
                   "link", "add", names["server_if"], "netns", names["server_ns"], "type", "veth",
                   "peer", "name", names["client_if"], "netns", names["client_ns"])
        ip("-n", names["server_ns"], "addr", "add", f"{SERVER_ADDRESS}/24", "dev",
           names["server_if"])
        # DHCPv6 servers answer on a link with an address in their subnet6 (no duplicate
        # address detection needed on a two-ended veth).
        ip("-n", names["server_ns"], "-6", "addr", "add", f"{SERVER_ADDRESS6}/64", "dev",
           names["server_if"], "nodad")
        for ns, ifname in ((names["server_ns"], names["server_if"]),
                           (names["client_ns"], names["client_if"])):
            ip("-n", ns, "link", "set", ifname, "up")
            ip("-n", ns, "link", "set", "lo", "up")
        yield names
    finally:
        for ns in (names["server_ns"], names["client_ns"]):
            subprocess.run(["ip", "netns", "del", ns], capture_output=True, timeout=20)


# ---------------------------------------------------------------------------------------------
# The servers' configurations


def isc_config(values: dict) -> str:
    lines = list(values["isc"])  # the plan's lines, verbatim
    lines.append(f"option domain-name-servers {', '.join(values['dns'])};")
    lines.append(f'option domain-name "{values["domain"]}";')
    if values["ntp"]:
        lines.append(f"option ntp-servers {', '.join(values['ntp'])};")
    if values["boot"]:
        lines.append(f'option tftp-server-name "{values["boot"]}";')
    lines.append(f"subnet {SUBNET}.0 netmask 255.255.255.0 {{ range {SUBNET}.100 {SUBNET}.200; }}")
    return "\n".join(lines) + "\n"


def kea_config(values: dict, ifname: str, tmp: pathlib.Path) -> str:
    # The plan's `"option-data": [...]` fragment, verbatim, is JSON once wrapped in braces.
    option_data = json.loads("{" + " ".join(values["kea"]) + "}")["option-data"]
    option_data.append({"name": "domain-name-servers", "data": ", ".join(values["dns"])})
    option_data.append({"name": "domain-name", "data": values["domain"]})
    if values["ntp"]:
        option_data.append({"name": "ntp-servers", "data": ", ".join(values["ntp"])})
    if values["boot"]:
        option_data.append({"name": "tftp-server-name", "data": values["boot"]})
    return json.dumps({"Dhcp4": {
        "interfaces-config": {"interfaces": [ifname], "dhcp-socket-type": "raw"},
        "lease-database": {"type": "memfile", "persist": False},
        "control-socket": {"socket-type": "unix", "socket-name": str(tmp / "kea.sock")},
        "option-data": option_data,
        "subnet4": [{"subnet": f"{SUBNET}.0/24", "pools": [{"pool": f"{SUBNET}.100 - {SUBNET}.200"}]}],
        "loggers": [{"name": "kea-dhcp4", "severity": "INFO",
                     "output_options": [{"output": str(tmp / "kea.log")}]}],
    }}, indent=2)


def server_command(kind: str, values: dict, link: dict, tmp: pathlib.Path):
    """-> (check command, serve command, environment), both to run in the server namespace (Kea
    checks that its interface exists)."""
    env = dict(os.environ)
    if kind == "isc":
        conf = tmp / "dhcpd.conf"
        conf.write_text(isc_config(values))
        leases = tmp / "dhcpd.leases"
        leases.touch()
        check = ["dhcpd", "-4", "-t", "-cf", str(conf)]
        serve = ["dhcpd", "-4", "-f", "-d", "-cf", str(conf), "-lf", str(leases),
                 "-pf", str(tmp / "dhcpd.pid"), link["server_if"]]
    else:
        conf = tmp / "kea.json"
        conf.write_text(kea_config(values, link["server_if"], tmp))
        # Kea's pid and lock files go to the test's directory, not /run.
        env.update(KEA_PIDFILE_DIR=str(tmp), KEA_LOCKFILE_DIR=str(tmp))
        check = ["kea-dhcp4", "-t", str(conf)]
        serve = ["kea-dhcp4", "-c", str(conf)]
    in_ns = ["ip", "netns", "exec", link["server_ns"]]
    return in_ns + check, in_ns + serve, env


def serve_one_client(check, serve, env, link, tmp_path, config_text, client_script, log_name,
                     kea_log_name) -> str:
    """The DHCP server's own config check, then the server and one exchange by the client
    script in the client's namespace; the client's JSON on stdout."""
    checked = subprocess.run(check, capture_output=True, text=True, timeout=30, env=env)
    assert checked.returncode == 0, f"{' '.join(check)} refused the plan's lines:\n" \
        f"{checked.stdout}{checked.stderr}\n{config_text}"
    log = open(tmp_path / log_name, "w")
    server = subprocess.Popen(serve, env=env,
                              stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
    try:
        client = subprocess.run(
            ["ip", "netns", "exec", link["client_ns"], sys.executable,
             str(HERE / client_script), link["client_if"]],
            capture_output=True, text=True, timeout=CLIENT_TIMEOUT)
    finally:
        stop_process(server, log)
    server_log = (tmp_path / log_name).read_text()
    if (tmp_path / kea_log_name).exists():
        server_log += (tmp_path / kea_log_name).read_text()
    assert client.returncode == 0, f"{client.stderr}\nserver log:\n{server_log[-3000:]}"
    return client.stdout


@pytest.mark.parametrize("kind", SERVERS)
@pytest.mark.parametrize("site", SITES)
def test_dhcp_server_hands_out_what_the_plan_says(site, kind, link, tmp_path):
    binary = "dhcpd" if kind == "isc" else "kea-dhcp4"
    if not shutil.which(binary):
        pytest.skip(f"{binary} is not installed (scripts/install-deps.sh installs it)")
    values = plan_dhcp(site)
    check, serve, env = server_command(kind, values, link, tmp_path)
    config_text = (tmp_path / "dhcpd.conf").read_text() if kind == "isc" else ""
    offer = json.loads(serve_one_client(check, serve, env, link, tmp_path, config_text,
                                        "dhcp_client.py", "server.log", "kea.log"))
    options = {int(code): bytes.fromhex(value) for code, value in offer["options"].items()}
    assert offer["yiaddr"].startswith(SUBNET + "."), offer

    # Option 120 decodes, independently of the C++, to the plan's SIP servers.
    assert 120 in options, f"no option 120 in the offer: {sorted(options)}"
    assert decode_option_120(options[120]) == ("names", values["sip_servers"])
    # RFC 2132 §3.8 (6) and §8.3 (42): IPv4 addresses, 4 octets each; §3.17 (15) and §9.4 (66):
    # text.
    def addresses(data: bytes) -> list[str]:
        return [".".join(str(b) for b in data[i:i + 4]) for i in range(0, len(data), 4)]

    assert addresses(options[6]) == values["dns"]
    assert options[15].decode() == values["domain"]
    if values["ntp"]:
        assert addresses(options[42]) == values["ntp"]
    else:
        assert 42 not in options
    if values["boot"]:
        assert options[66].decode() == values["boot"]
    else:
        assert 66 not in options


def test_a_wrong_option_120_line_is_refused_by_both_servers(link, tmp_path):
    """The check above can fail: a value that is not hex is refused by both servers' checks."""
    values = plan_dhcp("scs-ha")
    values["isc"] = [values["isc"][0], values["isc"][1].replace("00:0a", "00:zz", 1)]
    values["kea"] = [values["kea"][0], values["kea"][1].replace('"000a', '"00zz', 1)]
    for kind, binary in (("isc", "dhcpd"), ("kea", "kea-dhcp4")):
        if not shutil.which(binary):
            pytest.skip(f"{binary} is not installed")
        check, _, env = server_command(kind, values, link, tmp_path)
        checked = subprocess.run(check, capture_output=True, text=True, timeout=30, env=env)
        assert checked.returncode != 0, f"{kind} accepted a non-hex option 120"


# ---------------------------------------------------------------------------------------------
# DHCPv6 (issue 14)

# A dual-stack HA pair whose NTP server has an IPv6 address only: options 22 with two servers,
# 23 with two name servers, 56 from an IPv6-only host.
HA_IPV6_SITE = """\
domain: scsnetwork.local
servers:
  - { name: scs1, ipv4: 192.0.2.11, ipv6: "2001:db8::11" }
  - { name: scs2, ipv4: 192.0.2.12, ipv6: "2001:db8::12" }
hosts:
  ntp: "2001:db8::123"
"""
SITES6 = ["lab", "ha-ipv6"]


def site_path(site: str, tmp: pathlib.Path) -> pathlib.Path:
    if site == "ha-ipv6":
        path = tmp / "ha-ipv6.yaml"
        path.write_text(HA_IPV6_SITE)
        return path
    return EXAMPLES / f"{site}.yaml"


def plan_dhcp6(path: pathlib.Path) -> dict:
    r = run_sipdnsd("plan", str(path))
    assert r.returncode == 0, r.stderr
    text = r.stdout
    section = text[text.index("   DHCPv6 options"):text.index("3. DNS checks")]

    def value(code: str):
        m = re.search(rf"^   {code} [A-Za-z0-9 ]+?  +(.+)$", section, re.M)
        assert m, f"no option {code} line in the DHCPv6 options of {path}"
        return [] if m.group(1).startswith("not set") else m.group(1).split()

    isc = section[section.index("ISC dhcpd (dhcpd.conf of dhcpd -6):"):section.index("Kea (")]
    kea = section[section.index("Kea (kea-dhcp6, in \"Dhcp6\"):"):]
    return {
        "dns": value("00023"), "search": value("00024"), "ntp": value("00056"),
        "sip_names": value("00021"), "sip_addresses": value("00022"),
        # The lines to paste, verbatim: everything after each block's label line.
        "isc": [line.strip() for line in isc.splitlines()[1:] if line.strip()],
        "kea": [line.strip() for line in kea.splitlines()[1:] if line.strip()],
    }


def isc6_config(values: dict) -> str:
    lines = list(values["isc"])
    lines.append(f"subnet6 {SUBNET6}::/64 {{ range6 {SUBNET6}::100 {SUBNET6}::1ff; }}")
    return "\n".join(lines) + "\n"


def kea6_config(values: dict, ifname: str, tmp: pathlib.Path) -> str:
    option_data = json.loads("{" + " ".join(values["kea"]) + "}")["option-data"]
    return json.dumps({"Dhcp6": {
        "interfaces-config": {"interfaces": [ifname]},
        "lease-database": {"type": "memfile", "persist": False},
        # The server's DUID (RFC 8415 §11) made from the interface's address and kept in
        # memory, not written to /var/lib/kea.
        "server-id": {"type": "LL", "persist": False},
        "control-socket": {"socket-type": "unix", "socket-name": str(tmp / "kea6.sock")},
        "option-data": option_data,
        "subnet6": [{"subnet": f"{SUBNET6}::/64", "interface": ifname,
                     "pools": [{"pool": f"{SUBNET6}::100 - {SUBNET6}::1ff"}]}],
        "loggers": [{"name": "kea-dhcp6", "severity": "INFO",
                     "output_options": [{"output": str(tmp / "kea6.log")}]}],
    }}, indent=2)


def server6_command(kind: str, values: dict, link: dict, tmp: pathlib.Path):
    """-> (check command, serve command, environment), both to run in the server namespace."""
    env = dict(os.environ)
    if kind == "isc":
        conf = tmp / "dhcpd6.conf"
        conf.write_text(isc6_config(values))
        leases = tmp / "dhcpd6.leases"
        leases.touch()
        check = ["dhcpd", "-6", "-t", "-cf", str(conf)]
        serve = ["dhcpd", "-6", "-f", "-d", "-cf", str(conf), "-lf", str(leases),
                 "-pf", str(tmp / "dhcpd6.pid"), link["server_if"]]
    else:
        conf = tmp / "kea6.json"
        conf.write_text(kea6_config(values, link["server_if"], tmp))
        env.update(KEA_PIDFILE_DIR=str(tmp), KEA_LOCKFILE_DIR=str(tmp))
        check = ["kea-dhcp6", "-t", str(conf)]
        serve = ["kea-dhcp6", "-c", str(conf)]
    in_ns = ["ip", "netns", "exec", link["server_ns"]]
    return in_ns + check, in_ns + serve, env


def ipv6_addresses(data: bytes) -> list[str]:
    """RFC 3319 §3.2, RFC 3646 §3: 16 octets per address."""
    assert len(data) % 16 == 0, data.hex()
    return [str(ipaddress.IPv6Address(data[i:i + 16])) for i in range(0, len(data), 16)]


def domain_list(data: bytes) -> list[str]:
    """RFC 3319 §3.1, RFC 3646 §4: names in RFC 1035 §3.1 wire form, uncompressed (RFC 8415
    §10). The option-120 decoder reads the same list after its encoding byte."""
    kind, names = decode_option_120(bytes([0]) + data)
    assert kind == "names"
    return names


def ntp_time_sources(data: bytes) -> list[str]:
    """RFC 5908 §4: suboptions of a 2-octet code and length; code 1 a server's IPv6 address
    (§4.1), 3 its FQDN (§4.3)."""
    out, i = [], 0
    while i < len(data):
        code, length = struct.unpack("!HH", data[i:i + 4])
        body = data[i + 4:i + 4 + length]
        assert len(body) == length, f"suboption {code} runs past the end: {data.hex()}"
        if code == 1:
            assert length == 16, length
            out.append(str(ipaddress.IPv6Address(body)))
        elif code == 3:
            out.extend(domain_list(body))
        else:
            raise AssertionError(f"unexpected NTP suboption {code}")
        i += 4 + length
    return out


@pytest.mark.parametrize("kind", SERVERS)
@pytest.mark.parametrize("site", SITES6)
def test_dhcpv6_server_hands_out_what_the_plan_says(site, kind, link, tmp_path):
    binary = "dhcpd" if kind == "isc" else "kea-dhcp6"
    if not shutil.which(binary):
        pytest.skip(f"{binary} is not installed (scripts/install-deps.sh installs it)")
    values = plan_dhcp6(site_path(site, tmp_path))
    check, serve, env = server6_command(kind, values, link, tmp_path)
    reply = serve_one_client(check, serve, env, link, tmp_path, "", "dhcp6_client.py",
                             "server6.log", "kea6.log")
    options = {int(code): bytes.fromhex(value)
               for code, value in json.loads(reply)["options"].items()}

    def decoded(code, decode):
        return decode(options[code]) if code in options else []

    assert decoded(23, ipv6_addresses) == values["dns"]
    assert decoded(24, domain_list) == values["search"]
    assert decoded(21, domain_list) == values["sip_names"]
    assert decoded(22, ipv6_addresses) == values["sip_addresses"]
    assert decoded(56, ntp_time_sources) == values["ntp"]
    # Each site's plan sets what it can: the Reply is not trivially empty.
    assert values["search"] and values["sip_names"] and values["dns"], values
    if site == "ha-ipv6":
        assert values["ntp"] == ["2001:db8::123"]
        assert values["sip_addresses"] == ["2001:db8::11", "2001:db8::12"]


def test_a_wrong_dhcpv6_line_is_refused_by_both_servers(link, tmp_path):
    """The check above can fail: an option-56 value that is not hex is refused by both."""
    values = plan_dhcp6(site_path("ha-ipv6", tmp_path))
    values["isc"] = [l.replace("option dhcp6.ntp-server 00:01", "option dhcp6.ntp-server 00:zz")
                     for l in values["isc"]]
    values["kea"] = [l.replace('"data": "0001', '"data": "00zz') for l in values["kea"]]
    assert any("00:zz" in l for l in values["isc"]) and any("00zz" in l for l in values["kea"])
    for kind, binary in (("isc", "dhcpd"), ("kea", "kea-dhcp6")):
        if not shutil.which(binary):
            pytest.skip(f"{binary} is not installed")
        check, _, env = server6_command(kind, values, link, tmp_path)
        checked = subprocess.run(check, capture_output=True, text=True, timeout=30, env=env)
        assert checked.returncode != 0, f"{kind} accepted a non-hex option 56"
