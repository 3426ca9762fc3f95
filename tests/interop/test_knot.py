# SPDX-FileCopyrightText: 2026 The sipdns authors
# SPDX-License-Identifier: BSD-3-Clause
"""sipdnsd gives the same answers as Knot DNS serving the zones sipdnsd exports.

One corpus per example site (>= 200 queries: every owner name x every type of its zone, in
random 0x20 case, NXDOMAIN and NODATA names, empty non-terminals, out-of-zone and PTR names,
CHAOS), each sent over UDP and TCP, with and without EDNS. Compared: rcode, flags
(QR AA TC RD RA AD CD), the question, EDNS version and payload, and every section as a set of
(name lowercased, TTL, class, type, rdata). The deliberate differences are listed, with their
reasons, in interop_harness.py (ANY_UDP, ANY_TCP, NAPTR_ADD); everything else must match.
"""

import collections

from interop_harness import MIN_CORPUS, KnotServer, ZoneData, compare_corpus, report, run_corpus


def test_corpus_covers_the_site(site):
    kinds = collections.Counter(q.kind for q in site.corpus)
    assert len(site.corpus) >= MIN_CORPUS
    for kind in ("positive", "nodata", "nxdomain", "ent", "out-of-zone", "any", "chaos"):
        assert kinds[kind] > 0, f"no {kind} query in the corpus of {site.name}: {kinds}"
    cases = {q.qname for q in site.corpus}
    assert any(n != n.lower() for n in cases), "no 0x20 mixed-case names"


def test_same_answers_as_knot(site):
    knot = KnotServer(site.zones, site.tmp / "knot").start()
    try:
        theirs = run_corpus(site.corpus, knot.port)
    finally:
        knot.stop()
    ours = site.ours()
    mismatches, explained, n = compare_corpus(site.corpus, ours, theirs, ZoneData(site.zones),
                                              "knot")
    text = report("Knot DNS", site.name, mismatches, explained, n)
    print(text)
    assert not mismatches, text
