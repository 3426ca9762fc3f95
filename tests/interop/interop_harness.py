# SPDX-FileCopyrightText: 2026 The sipdns authors
# SPDX-License-Identifier: BSD-3-Clause
"""Interop harness: serve sipdnsd's exported zones with Knot DNS and NSD on loopback, send one
query corpus to all servers, and compare the answers (docs/design.md §1 `interop/`).

Only loopback, bounded waits, processes stopped by PID.

Deliberate differences (each rule in explain() still checks what sipdnsd must send):
- ANY over UDP (ANY_UDP), ANY over TCP (ANY_TCP), NAPTR additional data (NAPTR_ADD);
- NSD only: the NS RRset in the authority section of positive answers (NSD_NS, stripped), and
  refuse-any truncating ANY even for names without data (NSD_ANY_EMPTY).
Not differences: out-of-zone names are REFUSED by Knot 3.2 and NSD 4.6 as by sipdnsd; CHAOS
identification is hidden in all three (Knot/NSD configured so); negative answers carry the SOA
with TTL min(SOA TTL, minimum) in all three.
"""

from __future__ import annotations

import atexit
import pathlib
import random
import shutil
import sys
import tempfile
from dataclasses import dataclass
from typing import Optional

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "integration"))

import dns.exception  # noqa: E402
import dns.flags  # noqa: E402
import dns.message  # noqa: E402
import dns.name  # noqa: E402
import dns.rcode  # noqa: E402
import dns.rdataclass  # noqa: E402
import dns.rdatatype  # noqa: E402
import dns.reversename  # noqa: E402
import dns.zone  # noqa: E402

from sipdnsd_harness import (LOG_DIR, LOOPBACK4, Daemon, ReferenceServer,  # noqa: E402,F401
                             export_zones, free_port, make_query, raw_tcp, raw_udp)

START_TIMEOUT = 20.0
STOP_TIMEOUT = 10.0


# ---------------------------------------------------------------------------------------------
# Reference servers


def knot_conf_head(workdir: pathlib.Path, port: int) -> str:
    """The server:, log: and database: clauses of knot.conf for a test Knot on 127.0.0.1:port
    (one worker of each kind, CHAOS identity/version hidden); creates its run/ and db/ dirs."""
    w = workdir
    for d in ("run", "db"):
        (w / d).mkdir(exist_ok=True)
    # knotd binds its control socket rundir/knot.sock; a unix socket path has at most 107
    # bytes, which a deep test directory (a CI checkout, a long test name) can pass.
    rundir = w / "run"
    if len(str(rundir / "knot.sock")) > 100:
        rundir = pathlib.Path(tempfile.mkdtemp(prefix="knot-run-", dir="/tmp"))
        atexit.register(shutil.rmtree, rundir, True)
    return f"""server:
    rundir: "{rundir}"
    listen: 127.0.0.1@{port}
    identity: ""
    version: ""
    udp-workers: 1
    tcp-workers: 1
    background-workers: 1

log:
  - target: stderr
    any: info

database:
    storage: "{w}/db"
"""


class KnotServer(ReferenceServer):
    """knotd in the foreground with its own config: no rate limiting (mod-rrl is not loaded),
    CHAOS identity/version hidden like sipdnsd's defaults, no journal, no zone file writes."""

    name = "knot"
    binary = "knotd"

    def prepare(self) -> list[str]:
        w = self.workdir
        zones = "".join(f"  - domain: {origin}\n" for origin, _ in self.zones)
        conf = knot_conf_head(w, self.port) + f"""
template:
  - id: default
    storage: "{w}/zones"
    file: "%s.zone"
    semantic-checks: on
    zonefile-sync: -1
    zonefile-load: whole
    journal-content: none

zone:
{zones}"""
        (w / "knot.conf").write_text(conf)
        return ["knotd", "-c", str(w / "knot.conf")]


def nsd_conf(workdir: pathlib.Path, port: int, zones: str, verbosity: int = 1) -> str:
    """nsd.conf for a test NSD on 127.0.0.1:port: no chroot, no database, nothing written back,
    one server process, no RRL; `zones` is the text of the zone: clauses."""
    w = workdir
    return f"""server:
    ip-address: 127.0.0.1@{port}
    port: {port}
    do-ip6: no
    username: ""
    chroot: ""
    zonesdir: "{w}"
    zonelistfile: "{w}/zone.list"
    database: ""
    pidfile: "{w}/nsd.pid"
    xfrdfile: "{w}/xfrd.state"
    xfrdir: "{w}/xfr"
    zonefiles-write: 0
    server-count: 1
    verbosity: {verbosity}
    hide-version: yes
    hide-identity: yes
    refuse-any: yes
    confine-to-zone: yes
    minimal-responses: no
    round-robin: no
    rrl-ratelimit: 0
    rrl-whitelist-ratelimit: 0
    reuseport: no

remote-control:
    control-enable: no

{zones}"""


class NsdServer(ReferenceServer):
    """nsd -d with its own nsd.conf: no privilege drop, no chroot, no database, no RRL,
    refuse-any (TC for ANY over UDP, like sipdnsd), additional data confined to the zone."""

    name = "nsd"
    binary = "nsd"

    def prepare(self) -> list[str]:
        w = self.workdir
        (w / "xfr").mkdir(exist_ok=True)
        zones = "".join(f"zone:\n    name: \"{origin}\"\n    zonefile: \"zones/{origin}.zone\"\n"
                        for origin, _ in self.zones)
        conf = nsd_conf(w, self.port, zones)
        (w / "nsd.conf").write_text(conf)
        return ["nsd", "-d", "-c", str(w / "nsd.conf")]


# ---------------------------------------------------------------------------------------------
# Corpus


@dataclass(frozen=True)
class CorpusQuery:
    qname: str          # as sent (random 0x20 case)
    qtype: str
    qclass: str = "IN"
    kind: str = ""      # positive / nodata / nxdomain / ent / out-of-zone / ptr / any / chaos


def _mixed_case(name: str, rng: random.Random) -> str:
    return "".join(c.upper() if c.isalpha() and rng.random() < 0.5 else c.lower() for c in name)


def build_corpus(zones: list[tuple[str, str]], seed: int = 20240) -> list[CorpusQuery]:
    """Every owner name x every type present in its zone (+ absent types), NXDOMAIN names,
    empty non-terminals, out-of-zone names, PTR names of the zones' addresses."""
    rng = random.Random(seed)
    out: list[CorpusQuery] = []
    absent_types = ["TXT", "HINFO", "CAA", "DNSKEY", "DS", "SSHFP"]
    all_origins = [dns.name.from_text(o + ".") for o, _ in zones]
    addresses = []
    for origin, text in zones:
        zone = dns.zone.from_text(text, origin=origin + ".", relativize=False)
        apex = dns.name.from_text(origin + ".")
        owners = sorted(zone.nodes.keys())
        zone_types = sorted({dns.rdatatype.to_text(rds.rdtype)
                             for node in zone.nodes.values() for rds in node.rdatasets})
        for owner in owners:
            node = zone.nodes[owner]
            present = {dns.rdatatype.to_text(rds.rdtype) for rds in node.rdatasets}
            for rds in node.rdatasets:
                if rds.rdtype in (dns.rdatatype.A, dns.rdatatype.AAAA):
                    addresses.extend(rd.address for rd in rds)
            for t in zone_types + ["ANY"] + rng.sample(absent_types, 2):
                kind = ("any" if t == "ANY" else "positive" if t in present
                        else "cname" if "CNAME" in present else "nodata")
                out.append(CorpusQuery(_mixed_case(owner.to_text(), rng), t, kind=kind))
            # Below every owner: NXDOMAIN (unless the owner has children: then an ENT/name).
            below = dns.name.from_text("nx-" + str(rng.randrange(10**6)), owner)
            out.append(CorpusQuery(_mixed_case(below.to_text(), rng), rng.choice(["A", "SRV"]),
                                   kind="nxdomain"))
        # Empty non-terminals: ancestors of owners below the apex that own nothing.
        ents = set()
        for owner in owners:
            n = owner.parent() if owner != apex else apex
            while n != apex and n.is_subdomain(apex):
                if n not in zone.nodes:
                    ents.add(n)
                n = n.parent()
        for ent in sorted(ents):
            for t in ("A", "SRV", "TXT", "ANY"):
                out.append(CorpusQuery(_mixed_case(ent.to_text(), rng), t, kind="ent"))
        for i in range(5):
            nx = dns.name.from_text(f"nothere{i}-{rng.randrange(10**6)}", apex)
            out.append(CorpusQuery(_mixed_case(nx.to_text(), rng),
                                   rng.choice(["A", "AAAA", "SRV", "NAPTR", "PTR"]),
                                   kind="nxdomain"))
    # PTR names of every address (in our reverse zones or not), and some absent ones.
    for a in sorted(set(addresses)):
        rev = dns.reversename.from_address(a)
        kind = "ptr" if any(rev.is_subdomain(o) for o in all_origins) else "out-of-zone"
        out.append(CorpusQuery(_mixed_case(rev.to_text(), rng), "PTR", kind=kind))
    out.append(CorpusQuery("250.2.0.192.in-addr.arpa.", "PTR", kind="ptr-nx"))
    out.append(CorpusQuery("1.0.0.127.in-addr.arpa.", "PTR", kind="out-of-zone"))
    # Out of zone: parents of the apexes, siblings, the root, unrelated names.
    for o in all_origins:
        out.append(CorpusQuery(o.parent().to_text(), "SOA", kind="out-of-zone"))
        out.append(CorpusQuery(o.parent().to_text(), "NS", kind="out-of-zone"))
        sib = dns.name.from_text("x" + o.labels[0].decode(), o.parent())
        out.append(CorpusQuery(_mixed_case(sib.to_text(), rng), "A", kind="out-of-zone"))
    for name in ("www.example.com.", "example.com.", ".", "com.", "localhost."):
        out.append(CorpusQuery(name, "A", kind="out-of-zone"))
    # CHAOS identification (hidden everywhere: Knot/NSD configured so).
    for name in ("version.bind.", "id.server.", "hostname.bind.", "version.server."):
        out.append(CorpusQuery(name, "TXT", "CH", kind="chaos"))
    # Deduplicate (keep order).
    seen = set()
    uniq = []
    for q in out:
        key = (q.qname.lower(), q.qtype, q.qclass)
        if key not in seen:
            seen.add(key)
            uniq.append(q)
    # Small sites: pad to MIN_CORPUS with the positive queries again in another random case
    # and more NXDOMAIN names, so each site gets at least MIN_CORPUS queries.
    positives = [q for q in uniq if q.kind in ("positive", "cname", "ptr")]
    i = 0
    while len(uniq) < MIN_CORPUS and i < 10 * MIN_CORPUS:
        base = positives[i % len(positives)]
        uniq.append(CorpusQuery(_mixed_case(base.qname, rng), base.qtype, base.qclass,
                                base.kind))
        if i % 3 == 0:
            origin = zones[i % len(zones)][0]
            uniq.append(CorpusQuery(_mixed_case(f"nx{i}-{rng.randrange(10**6)}.{origin}.", rng),
                                    rng.choice(["A", "SRV", "NAPTR", "PTR"]), kind="nxdomain"))
        i += 1
    return uniq


MIN_CORPUS = 200


# ---------------------------------------------------------------------------------------------
# Sending and normalising

MODES = [("udp", True), ("udp", False), ("tcp", True), ("tcp", False)]  # (transport, edns)
FLAG_NAMES = ("QR", "AA", "TC", "RD", "RA", "AD", "CD")


def rr_tuples(section) -> frozenset:
    out = set()
    for rrset in section:
        for rd in rrset:
            out.add((rrset.name.to_text().lower(), rrset.ttl,
                     dns.rdataclass.to_text(rrset.rdclass), dns.rdatatype.to_text(rrset.rdtype),
                     rd.to_text().lower()))
    return frozenset(out)


@dataclass
class Answer:
    timeout: bool = False
    rcode: str = ""
    flags: tuple = ()
    question: tuple = ()
    answer: frozenset = frozenset()
    authority: frozenset = frozenset()
    additional: frozenset = frozenset()
    edns: int = -1
    payload: int = 0
    raw_len: int = 0

    def describe(self) -> str:
        if self.timeout:
            return "  (no answer)"
        lines = [f"  rcode {self.rcode} flags {' '.join(self.flags)} edns {self.edns}"
                 f" payload {self.payload} size {self.raw_len}"]
        for sec in ("answer", "authority", "additional"):
            for rr in sorted(getattr(self, sec)):
                lines.append(f"  {sec[:4]}: {' '.join(map(str, rr))}")
        return "\n".join(lines)


def send(q: CorpusQuery, port: int, transport: str, edns: bool, msg_id: int) -> Answer:
    m = make_query(q.qname, q.qtype, q.qclass, edns=0 if edns else None, payload=1232)
    m.id = msg_id
    wire = m.to_wire()
    try:
        if transport == "udp":
            data = raw_udp(wire, port, LOOPBACK4, timeout=2.0)
        else:
            data = raw_tcp(wire, port, LOOPBACK4, timeout=3.0)
    except (OSError, ConnectionError):
        data = None
    if data is None:
        return Answer(timeout=True)
    r = dns.message.from_wire(data)
    flags = tuple(f for f in FLAG_NAMES if r.flags & getattr(dns.flags, f))
    question = tuple((rr.name.to_text(), dns.rdatatype.to_text(rr.rdtype),
                      dns.rdataclass.to_text(rr.rdclass)) for rr in r.question)
    return Answer(rcode=dns.rcode.to_text(r.rcode()), flags=flags, question=question,
                  answer=rr_tuples(r.answer), authority=rr_tuples(r.authority),
                  additional=rr_tuples(r.additional), edns=r.edns,
                  payload=r.payload if r.edns >= 0 else 0, raw_len=len(data))


def run_corpus(corpus: list[CorpusQuery], port: int) -> dict:
    results = {}
    for i, q in enumerate(corpus):
        for transport, edns in MODES:
            results[(q, transport, edns)] = send(q, port, transport, edns,
                                                 msg_id=(i * 4 + len(results)) & 0xFFFF)
    return results


# ---------------------------------------------------------------------------------------------
# Comparing


@dataclass
class Mismatch:
    query: CorpusQuery
    transport: str
    edns: bool
    fields: list
    ours: Answer
    theirs: Answer
    server: str

    def describe(self) -> str:
        return (f"{self.query.qname} {self.query.qclass} {self.query.qtype} "
                f"[{self.transport}, {'EDNS' if self.edns else 'no EDNS'}, {self.query.kind}]"
                f" differs in {', '.join(self.fields)}\n sipdnsd:\n{self.ours.describe()}\n"
                f" {self.server}:\n{self.theirs.describe()}")


COMPARED = ("timeout", "rcode", "flags", "question", "answer", "authority", "additional",
            "edns", "payload")


def compare(ours: Answer, theirs: Answer) -> list[str]:
    return [f for f in COMPARED if getattr(ours, f) != getattr(theirs, f)]


# ---------------------------------------------------------------------------------------------
# Deliberate differences (docs/design.md §4 decides; Knot and NSD are configured as close as they
# go)


class ZoneData:
    """The exported records, indexed for the difference rules."""

    def __init__(self, zones: list[tuple[str, str]]):
        self.by_name: dict[str, set] = {}
        self.apexes = set()
        for origin, text in zones:
            self.apexes.add(origin.lower() + ".")
            zone = dns.zone.from_text(text, origin=origin + ".", relativize=False)
            for name, node in zone.nodes.items():
                for rds in node.rdatasets:
                    for rd in rds:
                        self.by_name.setdefault(name.to_text().lower(), set()).add(
                            (name.to_text().lower(), rds.ttl, "IN",
                             dns.rdatatype.to_text(rds.rdtype), rd.to_text().lower()))

    def at(self, name: str) -> frozenset:
        return frozenset(self.by_name.get(name.lower(), ()))

    def addresses(self, name: str) -> set:
        return {rr for rr in self.at(name) if rr[3] in ("A", "AAAA")}

    def naptr_additions(self, answer: frozenset) -> set:
        """What docs/design.md §4 adds for NAPTR flag "s": the SRV RRsets named by the replacement
        fields and the addresses of their targets."""
        out = set()
        for rr in answer:
            if rr[3] != "NAPTR":
                continue
            fields = rr[4].split()
            if fields[2].strip('"').lower() != "s":
                continue
            srvs = {r for r in self.at(fields[-1]) if r[3] == "SRV"}
            out |= srvs
            for srv in srvs:
                out |= self.addresses(srv[4].split()[-1])
        return out


# Reasons, quoted in the test report.
ANY_UDP = ("ANY over UDP: sipdnsd answers TC=1 with the question only so the client retries "
           "over TCP (docs/design.md §4); Knot answers with one RRset (RFC 8482 §4.2); NSD "
           "(refuse-any) sets TC without AA and without the question")
ANY_TCP = ("ANY over TCP: sipdnsd returns every RRset at the name (docs/design.md §4: no data "
           "hidden from `dig ANY`); Knot and NSD return a single RRset (RFC 8482 §4.2)")
NAPTR_ADD = ("NAPTR: sipdnsd adds the SRV RRsets named by the replacements and their targets' "
             "addresses to the additional section (docs/design.md §4, RFC 3263 §4.1 / "
             "RFC 2915 §6); Knot and NSD add nothing for NAPTR")
NSD_NS = ("NSD adds the zone's NS RRset to the authority section of positive answers (and its "
          "targets' addresses to the additional section); sipdnsd gives minimal responses "
          "like Knot (docs/design.md §4): stripped from NSD's answer before comparing")
NSD_ANY_EMPTY = ("ANY over UDP for a name without data (empty non-terminal): NSD's refuse-any "
                 "truncates every ANY; sipdnsd and Knot answer NOERROR/NODATA")


def strip_nsd_ns(q: CorpusQuery, ours: Answer, theirs: Answer, data: ZoneData) -> Answer:
    if theirs.timeout or theirs.rcode != "NOERROR" or not theirs.answer:
        return theirs
    ns = {rr for rr in theirs.authority if rr[3] == "NS" and rr[0] in data.apexes}
    if not ns or ns & ours.authority:
        return theirs
    targets = {rr[4] for rr in ns}
    extra = {rr for rr in theirs.additional
             if rr[0] in targets and rr[3] in ("A", "AAAA") and rr not in ours.additional}
    return Answer(**{**theirs.__dict__, "authority": theirs.authority - ns,
                     "additional": theirs.additional - extra})


def explain(q: CorpusQuery, transport: str, edns: bool, ours: Answer, theirs: Answer,
            data: ZoneData, server: str) -> Optional[str]:
    """The documented reason when ours and theirs differ deliberately; None for a real
    mismatch. Every rule still checks what sipdnsd must do."""
    if ours.timeout or theirs.timeout:
        return None
    base_equal = lambda *fields: all(getattr(ours, f) == getattr(theirs, f) for f in fields)
    if q.qtype == "ANY" and q.qclass == "IN":
        name_data = data.at(q.qname)
        if transport == "udp":
            if name_data:
                ours_ok = ("TC" in ours.flags and "AA" in ours.flags and not ours.answer
                           and not ours.authority and not ours.additional
                           and ours.rcode == "NOERROR" and ours.question == theirs.question
                           if server == "knot" else
                           "TC" in ours.flags and not ours.answer and ours.rcode == "NOERROR")
                return ANY_UDP if ours_ok else None
            if server == "nsd" and "TC" in theirs.flags and "TC" not in ours.flags \
                    and ours.rcode == "NOERROR" and not ours.answer:
                return NSD_ANY_EMPTY
            return None
        # TCP: every RRset of ours; theirs is one of them.
        if (name_data and ours.answer == name_data and theirs.answer <= ours.answer
                and theirs.additional <= ours.additional
                and base_equal("rcode", "flags", "question", "authority", "edns", "payload")):
            return ANY_TCP
        return None
    if any(rr[3] == "NAPTR" for rr in ours.answer):
        extra = ours.additional - theirs.additional
        if (base_equal("rcode", "flags", "question", "answer", "authority", "edns", "payload")
                and theirs.additional <= ours.additional and extra
                and extra <= data.naptr_additions(ours.answer)):
            return NAPTR_ADD
    return None


def compare_corpus(corpus, ours: dict, theirs: dict, data: ZoneData, server: str):
    """-> (mismatches, {reason: count}, compared)"""
    mismatches = []
    explained: dict[str, int] = {}
    for key, mine in ours.items():
        q, transport, edns = key
        other = theirs[key]
        if server == "nsd":
            stripped = strip_nsd_ns(q, mine, other, data)
            if stripped is not other:
                explained[NSD_NS] = explained.get(NSD_NS, 0) + 1
                other = stripped
        fields = compare(mine, other)
        if not fields:
            continue
        reason = explain(q, transport, edns, mine, other, data, server)
        if reason:
            explained[reason] = explained.get(reason, 0) + 1
            continue
        mismatches.append(Mismatch(q, transport, edns, fields, mine, other, server))
    return mismatches, explained, len(ours)


def report(server: str, site: str, mismatches, explained, compared) -> str:
    lines = [f"{site}: {compared} answers compared with {server}, "
             f"{len(mismatches)} unexplained mismatches"]
    for reason, n in sorted(explained.items(), key=lambda kv: -kv[1]):
        lines.append(f"  deliberate ({n}x): {reason}")
    for m in mismatches[:25]:
        lines.append(m.describe())
    if len(mismatches) > 25:
        lines.append(f"... and {len(mismatches) - 25} more")
    return "\n".join(lines)
