# SPDX-FileCopyrightText: 2026 The sipdns authors
# SPDX-License-Identifier: BSD-3-Clause
"""sipdnsd gives the same answers as NSD serving the zones sipdnsd exports (see test_knot.py for
the corpus and what is compared). NSD always adds the zone's NS RRset to the authority section
of positive answers; it is stripped before comparing (NSD_NS in interop_harness.py). The other
deliberate differences (ANY, NAPTR additional data) are listed there with their reasons.
NSD runs with refuse-any, no RRL, confine-to-zone, hidden CHAOS identity/version."""

from interop_harness import (KnotServer, NsdServer, ZoneData, compare_corpus, report,
                             run_corpus)


def test_same_answers_as_nsd(site):
    nsd = NsdServer(site.zones, site.tmp / "nsd").start()
    try:
        theirs = run_corpus(site.corpus, nsd.port)
    finally:
        nsd.stop()
    ours = site.ours()
    mismatches, explained, n = compare_corpus(site.corpus, ours, theirs, ZoneData(site.zones),
                                              "nsd")
    text = report("NSD", site.name, mismatches, explained, n)
    print(text)
    assert not mismatches, text
