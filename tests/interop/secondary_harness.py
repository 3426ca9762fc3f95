# SPDX-FileCopyrightText: 2026 The sipdns authors
# SPDX-License-Identifier: BSD-3-Clause
"""Secondaries harness: Knot DNS, NSD and BIND (named) as secondaries of sipdnsd on loopback ports (zone
transfer, NOTIFY), site files with a `server.transfer` section, and zone transfer clients.

Only loopback, bounded waits and loops, processes stopped by PID (docs/design.md §1).

The secondaries start without zone data: they get every zone by AXFR from sipdnsd
(127.0.0.1@<sipdnsd's port>) and accept NOTIFY from 127.0.0.1. Knot keeps the zones in memory
only (no zone file load or sync, no journal); NSD has no database and never writes zone files.
Their refresh timers come from the SOA (refresh 3600 by default), so a new serial that reaches
them within seconds was pushed by sipdnsd's NOTIFY.
"""

from __future__ import annotations

import pathlib
import re
import shutil
import socket
import struct
import subprocess
import time
from dataclasses import dataclass
from typing import Optional

import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.opcode
import dns.query
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.rrset
import dns.zone

from interop_harness import START_TIMEOUT, ReferenceServer, knot_conf_head, nsd_conf
from sipdnsd_harness import (LOOPBACK4, _assert_loopback, make_query, raw_udp,
                             recv_tcp_message)


# ---------------------------------------------------------------------------------------------
# Site files


def _top_level_block(lines: list[str], key: str) -> Optional[tuple[int, int]]:
    """[start, end) of the top-level block `key:` (its line and every indented, blank or
    comment line after it), or None."""
    for i, line in enumerate(lines):
        if re.match(rf"^{re.escape(key)}\s*:", line):
            j = i + 1
            while j < len(lines) and (not lines[j].strip() or lines[j][0] in " \t#"):
                j += 1
            # Trailing blank/comment lines belong to whatever follows.
            while j > i + 1 and (not lines[j - 1].strip() or lines[j - 1].lstrip()[0] == "#"):
                j -= 1
            return i, j
    return None


def _child_indent(lines: list[str], start: int, end: int) -> str:
    for line in lines[start + 1:end]:
        if line.strip() and not line.lstrip().startswith("#"):
            return line[:len(line) - len(line.lstrip())]
    return "  "


def with_transfer(text: str, allow: list[str], notify: list[str],
                  catalog: Optional[str] = None) -> str:
    """The site file text with `server.transfer: {allow, notify}` (and `catalog` when given)
    added; an existing block-style `server:` section keeps its other keys (the tests override
    `listen` with --listen)."""
    lines = text.rstrip("\n").splitlines()
    block = _top_level_block(lines, "server")
    children: list[str] = []
    ind = "  "
    if block:
        start, end = block
        head = lines[start].split("#", 1)[0].rstrip()
        assert re.fullmatch(r"server\s*:", head), \
            f"flow-style server section not handled: {lines[start]!r}"
        ind = _child_indent(lines, start, end)
        children = [l for l in lines[start + 1:end] if l.strip()]
        assert not any(re.match(rf"^{ind}transfer\s*:", l) for l in children), \
            "the site already has server.transfer"
        del lines[start:end]
    quoted = lambda xs: "[" + ", ".join(f'"{x}"' for x in xs) + "]"
    lines += ["", "server:", *children, f"{ind}transfer:",
              f"{ind}{ind}allow: {quoted(allow)}", f"{ind}{ind}notify: {quoted(notify)}"]
    if catalog:
        lines.append(f"{ind}{ind}catalog: {catalog}")
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class TsigKey:
    """A TSIG key (RFC 8945) as the secondaries' configurations and sipdnsd's site file name it:
    name, algorithm (hmac-sha256, ...) and the base64 secret."""
    name: str
    algorithm: str
    secret: str

    def site_yaml(self) -> str:
        """server.transfer.key, flow style."""
        return f"{{ name: {self.name}, algorithm: {self.algorithm}, secret: {self.secret} }}"


def with_transfer_key(text: str, key: TsigKey) -> str:
    """The site file text (with_transfer() made its server.transfer) with `key:` added."""
    lines = text.rstrip("\n").splitlines()
    for i, line in enumerate(lines):
        m = re.match(r"^(\s+)transfer\s*:\s*$", line)
        if m:
            ind = m.group(1)
            lines.insert(i + 1, f"{ind}{ind}key: {key.site_yaml()}")
            return "\n".join(lines) + "\n"
    raise AssertionError("no server.transfer block to add the key to")


def with_host(text: str, name: str, address: str) -> str:
    """The site file text with `hosts: {name: address}` added (to a block-style `hosts:`)."""
    lines = text.rstrip("\n").splitlines()
    block = _top_level_block(lines, "hosts")
    if block is None:
        lines += ["", "hosts:", f"  {name}: {address}"]
    else:
        start, end = block
        assert re.fullmatch(r"hosts\s*:", lines[start].split("#", 1)[0].rstrip()), \
            f"flow-style hosts section not handled: {lines[start]!r}"
        lines.insert(start + 1, f"{_child_indent(lines, start, end)}{name}: {address}")
    return "\n".join(lines) + "\n"


def zone_records(zone_text: str, origin: str) -> set:
    """{(owner, ttl, type, rdata)} lowercased, of one exported zone."""
    z = dns.zone.from_text(zone_text, origin=origin + ".", relativize=False)
    out = set()
    for name, node in z.nodes.items():
        for rds in node.rdatasets:
            for rd in rds:
                out.add((name.to_text().lower(), rds.ttl, dns.rdatatype.to_text(rds.rdtype),
                         rd.to_text().lower()))
    return out


def unused_address_in_reverse_zone(zones: list[tuple[str, str]]) -> str:
    """An IPv4 address in the /24 of the forward zone's first A record whose in-addr.arpa zone
    the site already serves, that no record uses: a new host there changes the forward zone
    and an existing reverse zone (no new zone the secondaries would not know)."""
    origins = {o for o, _ in zones}
    forward_origin, forward_text = zones[0]
    used = {r[3] for o, t in zones for r in zone_records(t, o) if r[2] == "A"}
    for rec in sorted(zone_records(forward_text, forward_origin)):
        if rec[2] != "A":
            continue
        a, b, c, _ = rec[3].split(".")
        if f"{c}.{b}.{a}.in-addr.arpa" not in origins:
            continue
        for last in [99] + list(range(200, 250)):
            cand = f"{a}.{b}.{c}.{last}"
            if cand not in used:
                return cand
    raise AssertionError("no A record in a served /24 reverse zone")


# ---------------------------------------------------------------------------------------------
# Secondaries


class Secondary(ReferenceServer):
    """A secondary on a port chosen before it starts (sipdnsd's site file names it as a NOTIFY
    target), for `origins`, transferring from 127.0.0.1@primary_port. With `catalog` (a zone
    name, Knot and BIND) it also consumes that catalog zone (RFC 9432): its member zones are
    added and removed by what the catalog lists, with no change to the configuration."""

    def __init__(self, origins: list[str], workdir: pathlib.Path, port: int,
                 primary_port: int = 0, catalog: Optional[str] = None,
                 key: Optional[TsigKey] = None):
        self.catalog = catalog.rstrip(".") if catalog else None
        origins = [o for o in origins if o != self.catalog]
        super().__init__([(o, "") for o in origins], workdir)
        # The catalog first: the readiness probe asks origins[0].
        self.origins = ([self.catalog] if self.catalog else []) + list(origins)
        self.fixed_port = port
        self.primary_port = primary_port
        self.key = key  # transfers, SOA queries and accepted NOTIFYs signed with it (RFC 8945)

    def start(self) -> "Secondary":
        assert self.primary_port, "primary_port not set"
        assert shutil.which(self.binary), \
            f"{self.binary} is not installed (scripts/install-deps.sh installs it)"
        self.workdir.mkdir(parents=True, exist_ok=True)
        (self.workdir / "zones").mkdir(exist_ok=True)
        self.port = self.fixed_port
        self.argv = self.prepare()
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL, stdout=self._log,
                                     stderr=subprocess.STDOUT, cwd=self.workdir,
                                     close_fds=True)
        # Ready = answers at all (SERVFAIL/REFUSED until the first transfer is fine).
        deadline = time.monotonic() + START_TIMEOUT
        wire = make_query(self.origins[0] + ".", "SOA").to_wire()
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"{self.name} exited with {self.proc.returncode} "
                                     f"(port {self.port} taken?):\n{' '.join(self.argv)}\n"
                                     f"{self.log_text()}")
            try:
                if raw_udp(wire, self.port, LOOPBACK4, timeout=0.2):
                    return self
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise AssertionError(f"{self.name} did not answer within {START_TIMEOUT}s:\n"
                             f"{' '.join(self.argv)}\n{self.log_text()}")

    def soa_serial(self, origin: str) -> Optional[int]:
        return soa_serial(self.port, origin)


class KnotSecondary(Secondary):
    """knotd as a secondary: `master` = sipdnsd, NOTIFY accepted from 127.0.0.1 (acl), zones in
    memory only, semantic checks on every transferred zone, no RRL, CHAOS identity hidden."""

    name = "knot-secondary"
    binary = "knotd"

    def prepare(self) -> list[str]:
        w = self.workdir
        zones = "".join(f"  - domain: {o}\n" for o in self.origins if o != self.catalog)
        member_template = ""
        if self.catalog:
            # Knot 3.2 (knot.conf(5) catalog-role, catalog-template): the members the catalog
            # lists are configured from the template, here the same as the default one.
            zones += (f"  - domain: {self.catalog}\n    catalog-role: interpret\n"
                      "    catalog-template: catalog-member\n")
            member_template = f"""  - id: catalog-member
    storage: "{w}/zones"
    file: "%s.zone"
    master: sipdnsd
    acl: notify-from-sipdnsd
    semantic-checks: on
    zonefile-sync: -1
    zonefile-load: none
    journal-content: none
"""
        key_section = key_line = ""
        if self.key:
            key_section = (f"\nkey:\n  - id: {self.key.name}\n    algorithm: {self.key.algorithm}"
                           f"\n    secret: {self.key.secret}\n")
            key_line = f"\n    key: {self.key.name}"
        conf = knot_conf_head(w, self.port) + key_section + f"""
remote:
  - id: sipdnsd
    address: 127.0.0.1@{self.primary_port}{key_line}

acl:
  - id: notify-from-sipdnsd
    address: 127.0.0.1{key_line}
    action: notify

template:
  - id: default
    storage: "{w}/zones"
    file: "%s.zone"
    master: sipdnsd
    acl: notify-from-sipdnsd
    semantic-checks: on
    zonefile-sync: -1
    zonefile-load: none
    journal-content: none
{member_template}
zone:
{zones}"""
        (w / "knot.conf").write_text(conf)
        return ["knotd", "-c", str(w / "knot.conf")]


def _apparmor_confines_named() -> bool:
    """Debian's AppArmor profile for /usr/sbin/named lets it read /etc/bind and write
    /var/cache/bind only: where it is enforced, a copy of the binary in the test's directory
    runs instead (the profile attaches by path)."""
    try:
        enabled = pathlib.Path("/sys/module/apparmor/parameters/enabled").read_text().strip()
    except OSError:
        return False
    return (enabled.upper().startswith("Y")
            and pathlib.Path("/etc/apparmor.d/usr.sbin.named").exists())


class BindSecondary(Secondary):
    """named -g (BIND 9.18) as a secondary: `primaries` = sipdnsd, NOTIFY accepted from it (a
    secondary accepts NOTIFY from its primaries), zone files in workdir/zones, no recursion,
    no rndc. With `catalog`: `catalog-zones { zone CATALOG default-primaries { sipdnsd }; }`
    (BIND ARM, "Catalog Zones"), members re-read at most every second. With `key` (TSIG,
    RFC 8945): transfers and SOA queries signed with it, NOTIFY accepted only signed."""

    name = "bind-secondary"
    binary = shutil.which("named") or "/usr/sbin/named"

    def key_clause(self) -> str:
        """With `key`: the key, and sipdnsd as a server whose transfers and SOA queries are
        signed with it (named.conf `server`)."""
        if not self.key:
            return ""
        return (f'key "{self.key.name}" {{ algorithm {self.key.algorithm}; '
                f'secret "{self.key.secret}"; }};\n'
                f'server 127.0.0.1 {{ keys {{ "{self.key.name}"; }}; }};\n')

    def zone_clause(self, origin: str) -> str:
        """One member zone; with `key`, primaries with the key and NOTIFY accepted only signed
        with it."""
        w = self.workdir
        key = f' key "{self.key.name}"' if self.key else ""
        notify = f' allow-notify {{ key "{self.key.name}"; }};' if self.key else ""
        return (f'zone "{origin}" {{ type secondary; primaries {{ 127.0.0.1 port '
                f'{self.primary_port}{key}; }}; file "{w}/zones/{origin}.db";{notify} }};\n')

    def prepare(self) -> list[str]:
        w = self.workdir
        zones = self.key_clause() + "".join(self.zone_clause(o) for o in self.origins)
        catalog_zones = ""
        if self.catalog:
            catalog_zones = (
                f'    catalog-zones {{ zone "{self.catalog}" default-primaries '
                f'{{ 127.0.0.1 port {self.primary_port}; }} zone-directory "{w}/zones" '
                "min-update-interval 1; };\n")
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
{catalog_zones}}};
controls {{ }};
{zones}""")
        binary = self.binary
        if _apparmor_confines_named():
            binary = str(w / "named")
            shutil.copy2(self.binary, binary)
        return [binary, "-g", "-n", "1", "-c", str(w / "named.conf")]


class NsdSecondary(Secondary):
    """nsd -d as a secondary: request-xfr from sipdnsd (IXFR over TCP, AXFR first), NOTIFY
    allowed from 127.0.0.1, no database, no zone file writes; otherwise as NsdServer
    (refuse-any, confine-to-zone, no RRL, CHAOS identity hidden)."""

    name = "nsd-secondary"
    binary = "nsd"

    def prepare(self) -> list[str]:
        w = self.workdir
        (w / "xfr").mkdir(exist_ok=True)
        key_name = self.key.name if self.key else "NOKEY"
        keys = (f'key:\n    name: "{self.key.name}"\n    algorithm: {self.key.algorithm}\n'
                f'    secret: "{self.key.secret}"\n') if self.key else ""
        zones = keys + "".join(f"""zone:
    name: "{o}"
    zonefile: "zones/{o}.zone"
    request-xfr: 127.0.0.1@{self.primary_port} {key_name}
    allow-notify: 127.0.0.1 {key_name}
""" for o in self.origins)
        conf = nsd_conf(w, self.port, zones, verbosity=2)
        (w / "nsd.conf").write_text(conf)
        return ["nsd", "-d", "-c", str(w / "nsd.conf")]


# ---------------------------------------------------------------------------------------------
# Queries


def soa_serial(port: int, origin: str, addr: str = LOOPBACK4) -> Optional[int]:
    """The serial in the SOA answer for `origin` (None: no answer, an error or no SOA)."""
    try:
        data = raw_udp(make_query(origin + ".", "SOA").to_wire(), port, addr, timeout=0.5)
    except OSError:
        return None
    if not data:
        return None
    m = dns.message.from_wire(data)
    if m.rcode() != dns.rcode.NOERROR:
        return None
    for rrset in m.answer:
        if rrset.rdtype == dns.rdatatype.SOA:
            return rrset[0].serial
    return None


def rrset_texts(port: int, qname: str, qtype: str) -> set:
    try:
        data = raw_udp(make_query(qname, qtype).to_wire(), port, LOOPBACK4, timeout=0.5)
    except OSError:
        return set()
    if not data:
        return set()
    m = dns.message.from_wire(data)
    return {rd.to_text().lower() for rrset in m.answer if rrset.rdtype ==
            dns.rdatatype.from_text(qtype) for rd in rrset}


def wait_until(pred, timeout: float, step: float = 0.1) -> tuple[bool, float]:
    """Poll pred() until true or timeout; -> (ok, seconds taken)."""
    t0 = time.monotonic()
    while True:
        if pred():
            return True, time.monotonic() - t0
        if time.monotonic() - t0 >= timeout:
            return False, time.monotonic() - t0
        time.sleep(step)


def ixfr_query(origin: str, serial: int) -> dns.message.Message:
    """IXFR with the client's SOA (serial) in the authority section (RFC 1995 §3)."""
    q = dns.message.make_query(origin + ".", "IXFR", use_edns=False)
    q.flags &= ~dns.flags.RD
    q.authority.append(dns.rrset.from_text(origin + ".", 0, "IN", "SOA",
                                           f". . {serial} 0 0 0 0"))
    return q


class Transfer:
    """What one AXFR/IXFR over TCP got: the messages and their answer records in order."""

    def __init__(self, messages: list[dns.message.Message]):
        self.messages = messages
        self.rcode = messages[0].rcode() if messages else None
        self.rrs: list[tuple] = []  # (name, ttl, type, rdata) in order, lowercased
        for m in messages:
            for rrset in m.answer:
                for rd in rrset:
                    self.rrs.append((rrset.name.to_text().lower(), rrset.ttl,
                                     dns.rdatatype.to_text(rrset.rdtype), rd.to_text().lower()))

    def describe(self) -> str:
        return "\n".join(m.to_text() for m in self.messages[:3])


def tcp_transfer(port: int, q: dns.message.Message, addr: str = LOOPBACK4,
                 source: Optional[str] = None, timeout: float = 5.0,
                 max_messages: int = 1000) -> Transfer:
    """Send q over TCP, read messages until the closing SOA (or an error rcode, or a single-SOA
    IXFR answer, or the connection closes); bounded by `timeout` and `max_messages`."""
    _assert_loopback(addr)
    if source:
        _assert_loopback(source)
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    messages = []
    deadline = time.monotonic() + timeout
    with socket.socket(fam, socket.SOCK_STREAM) as s:
        s.settimeout(timeout)
        if source:
            s.bind((source, 0))
        s.connect((addr, port))
        wire = q.to_wire()
        s.sendall(struct.pack("!H", len(wire)) + wire)
        soa_seen = 0
        first_serial = None
        while len(messages) < max_messages and time.monotonic() < deadline:
            s.settimeout(max(0.1, deadline - time.monotonic()))
            try:
                data = recv_tcp_message(s)
            except (ConnectionError, socket.timeout):
                break
            # One RR per RRset: the closing SOA must not merge into the opening one.
            m = dns.message.from_wire(data, one_rr_per_rrset=True)
            assert m.id == q.id, f"answer id {m.id} != query id {q.id}"
            messages.append(m)
            if m.rcode() != dns.rcode.NOERROR:
                break
            for rrset in m.answer:
                if rrset.rdtype == dns.rdatatype.SOA:
                    for rd in rrset:
                        soa_seen += 1
                        if first_serial is None:
                            first_serial = rd.serial
            rrs = sum(len(r) for msg in messages for r in msg.answer)
            if soa_seen >= 2 and messages[-1].answer and \
                    messages[-1].answer[-1].rdtype == dns.rdatatype.SOA:
                break
            if q.question[0].rdtype == dns.rdatatype.IXFR and rrs == 1 and soa_seen == 1:
                break  # "you are up to date" (RFC 1995 §2)
    return Transfer(messages)


# ---------------------------------------------------------------------------------------------
# A NOTIFY receiver (a stand-in secondary that records what sipdnsd sends)


class NotifySink:
    """A UDP socket on loopback recording NOTIFY messages; answers them when `answer`.
    `target` is what the site file's server.transfer.notify lists for it."""

    def __init__(self, answer: bool = True, addr: str = LOOPBACK4):
        _assert_loopback(addr)
        self.sock = socket.socket(socket.AF_INET6 if ":" in addr else socket.AF_INET,
                                  socket.SOCK_DGRAM)
        self.sock.bind((addr, 0))
        self.port = self.sock.getsockname()[1]
        self.target = f"[{addr}]:{self.port}" if ":" in addr else f"{addr}:{self.port}"
        self.answer = answer
        self.received: list[tuple[float, tuple, dns.message.Message]] = []

    def receive_one(self, timeout: float = 0.01) -> bool:
        """Receive (and answer) one datagram if one arrives within `timeout`."""
        self.sock.settimeout(timeout)
        try:
            data, peer = self.sock.recvfrom(65535)
        except socket.timeout:
            return False
        _assert_loopback(peer[0])
        try:
            m = dns.message.from_wire(data)
        except dns.exception.DNSException as e:
            raise AssertionError(f"unparsable datagram from {peer}: {e}: {data.hex()}")
        self.received.append((time.monotonic(), peer, m))
        if self.answer and m.opcode() == dns.opcode.NOTIFY and not m.flags & dns.flags.QR:
            r = dns.message.make_response(m)
            r.flags |= dns.flags.AA
            self.sock.sendto(r.to_wire(), peer)
        return True

    def close(self) -> None:
        self.sock.close()
