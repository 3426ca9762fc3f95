#!/usr/bin/env python3
# SPDX-FileCopyrightText: 2026 The sipdns authors
# SPDX-License-Identifier: BSD-3-Clause
"""Writes a site of N hosts (default 100,000) as sipdns YAML, for the perf scripts.

Usage: gen_site.py [--hosts N] [--domain D] > site.yaml
       gen_site.py [--hosts N] [--domain D] --queries FILE [--query-count M] [--seed S]

The zone files for NSD/Knot are not written here: they are `sipdnsd export` of the YAML, so all
servers serve identical data. With --queries, also writes a dnsperf query file (`name TYPE` per
line) for that site, built deterministically from --seed (see QUERY_MIX); the YAML still goes to
stdout unless --no-site is given.

Host i is h<i>.<domain> with address 10.(i>>16).((i>>8)&255).(i&255) (only zone data: nothing
is ever sent to these addresses); the servers are scs1 (192.0.2.11) and scs2 (192.0.2.12).
"""
import argparse
import random
import sys

# (share in percent, kind): what a SIP site's DNS sees, plus negative answers.
QUERY_MIX = (
    (40, "a"),          # A of a random host
    (20, "ptr"),        # PTR of a random host's address
    (10, "srv_apex"),   # _sip._udp / _sip._tcp at the apex
    (5, "srv_rr"),      # _sip._tcp / _sip._udp .rr.scs1 / .rr.scs2
    (5, "naptr"),       # NAPTR at the apex
    (10, "nxdomain"),   # a name that does not exist
    (10, "nodata"),     # an existing host, type AAAA or MX
)

SERVERS = (("scs1", "192.0.2.11"), ("scs2", "192.0.2.12"))


def host_address(i: int) -> str:
    return f"10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}"


def host_ptr_name(i: int) -> str:
    return f"{i & 255}.{(i >> 8) & 255}.{(i >> 16) & 255}.10.in-addr.arpa"


def write_site(out, hosts: int, domain: str) -> None:
    out.write(f"domain: {domain}\nttl: 3600\n")
    out.write("servers:\n")
    for name, addr in SERVERS:
        out.write(f"  - {{ name: {name}, ipv4: {addr} }}\n")
    out.write("hosts:\n")
    for i in range(hosts):
        out.write(f"  h{i}: {host_address(i)}\n")
    out.write("reverse: auto\n")
    # dnsperf from one address is a flood to response rate limiting: off, as for NSD
    # (rrl-ratelimit 0) and Knot (no mod-rrl) in the benchmark.
    out.write("server:\n  rate_limit:\n    responses_per_second: 0\n")


def query_lines(hosts: int, domain: str, count: int, seed: int) -> list[str]:
    """`count` dnsperf lines in the QUERY_MIX proportions, shuffled with `seed`."""
    rng = random.Random(seed)
    kinds: list[str] = []
    total = sum(share for share, _ in QUERY_MIX)
    for share, kind in QUERY_MIX:
        kinds += [kind] * (count * share // total)
    while len(kinds) < count:
        kinds.append(QUERY_MIX[0][1])
    rng.shuffle(kinds)
    lines = []
    for kind in kinds:
        if kind == "a":
            lines.append(f"h{rng.randrange(hosts)}.{domain} A")
        elif kind == "ptr":
            lines.append(f"{host_ptr_name(rng.randrange(hosts))} PTR")
        elif kind == "srv_apex":
            lines.append(f"_sip._{rng.choice(('udp', 'tcp'))}.{domain} SRV")
        elif kind == "srv_rr":
            server = rng.choice(SERVERS)[0]
            lines.append(f"_sip._{rng.choice(('tcp', 'udp'))}.rr.{server}.{domain} SRV")
        elif kind == "naptr":
            lines.append(f"{domain} NAPTR")
        elif kind == "nxdomain":
            # 'x' never starts a generated name, so these never exist.
            lines.append(f"x{rng.randrange(1 << 30)}.{domain} {rng.choice(('A', 'A', 'SRV'))}")
        else:  # nodata
            lines.append(f"h{rng.randrange(hosts)}.{domain} {rng.choice(('AAAA', 'MX'))}")
    return lines


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--hosts", type=int, default=100_000)
    ap.add_argument("--domain", default="bench.example.test")
    ap.add_argument("--queries", metavar="FILE", help="also write a dnsperf query file")
    ap.add_argument("--query-count", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--no-site", action="store_true", help="do not write the YAML to stdout")
    args = ap.parse_args()
    if args.hosts < 1:
        ap.error("--hosts must be at least 1")
    if args.queries:
        lines = query_lines(args.hosts, args.domain, args.query_count, args.seed)
        with open(args.queries, "w", encoding="ascii") as f:
            f.write("\n".join(lines) + "\n")
    if not args.no_site:
        write_site(sys.stdout, args.hosts, args.domain)
    return 0


if __name__ == "__main__":
    sys.exit(main())
