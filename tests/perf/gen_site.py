#!/usr/bin/env python3
"""Writes a site of N hosts (default 100,000) as sipdns YAML, for the perf scripts.

Usage: gen_site.py [--hosts N] [--zone-file FILE] > site.yaml
With --zone-file, also writes the same records as an RFC 1035 zone file is NOT done here: the
zone file for NSD/Knot is `sipdnsd export` of the YAML, so all servers serve identical data.
"""
import argparse
import sys


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--hosts", type=int, default=100_000)
    ap.add_argument("--domain", default="bench.example.test")
    args = ap.parse_args()
    out = sys.stdout
    out.write(f"domain: {args.domain}\nttl: 3600\n")
    out.write("servers:\n  - { name: scs1, ipv4: 192.0.2.11 }\n  - { name: scs2, ipv4: 192.0.2.12 }\n")
    out.write("hosts:\n")
    # Addresses from 10.0.0.0/8 are only zone data: nothing is ever sent to them.
    for i in range(args.hosts):
        out.write(f"  h{i}: 10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}\n")
    out.write("reverse: auto\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
