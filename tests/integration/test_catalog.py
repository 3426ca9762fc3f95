# SPDX-FileCopyrightText: 2026 The sipdns authors
# SPDX-License-Identifier: BSD-3-Clause
"""The catalog zone of server.transfer.catalog (RFC 9432, version 2): transferred by AXFR like
the site's zones, listing every one of them under ids that stay the same across reloads and
restarts; its serial and its NOTIFY follow the member list only."""

from __future__ import annotations

import signal
import time

import dns.name
import dns.query
import dns.rdatatype
import dns.zone

from sipdnsd_harness import query, run_sipdnsd, split_export, write_site
from test_transfer import StandInSecondary, wait_until

CATALOG = "catalog.sipdns.invalid."

SITE = """domain: scsnetwork.local
servers:
  - {{ name: scs1, ipv4: 192.0.2.11 }}
hosts:
{hosts}
server:
  transfer:
    allow: [127.0.0.1/32]
    notify: [{notify}]
    catalog: catalog.sipdns.invalid
"""


def site_text(hosts="  gw: 192.0.2.1", notify=""):
    return SITE.format(hosts=hosts, notify=notify)


def transfer(port: int, origin: str = CATALOG) -> dns.zone.Zone:
    return dns.zone.from_xfr(dns.query.xfr("127.0.0.1", origin, port=port, timeout=5,
                                           lifetime=10, relativize=False), relativize=False)


def members(catalog: dns.zone.Zone) -> dict[str, str]:
    """member zone -> its id label, from the PTR records under zones.<catalog>."""
    zones_node = dns.name.from_text("zones." + CATALOG)
    out = {}
    for name, node in catalog.nodes.items():
        ptr = node.get_rdataset(dns.rdataclass.IN, dns.rdatatype.PTR)
        if ptr is None:
            continue
        assert name.parent() == zones_node, name
        assert len(ptr) == 1, name  # RFC 9432 §4.2.2: one PTR per member node
        out[ptr[0].target.to_text()] = name.labels[0].decode()
    return out


def catalog_serial(catalog: dns.zone.Zone) -> int:
    return catalog.get_rdataset(CATALOG, "SOA")[0].serial


def test_axfr_of_the_catalog_lists_every_zone(tmp_path, start_server):
    site = write_site(tmp_path, "site.yaml", site_text())
    srv = start_server(site)
    catalog = transfer(srv.port)
    # RFC 9432 §4.1: NS invalid.; §4.2.1: version "2".
    assert [r.target.to_text() for r in catalog.get_rdataset(CATALOG, "NS")] == ["invalid."]
    assert [r.strings for r in catalog.get_rdataset("version." + CATALOG, "TXT")] == [(b"2",)]
    soa = catalog.get_rdataset(CATALOG, "SOA")[0]
    assert soa.mname.to_text() == "scs1.scsnetwork.local."
    # Every zone the export lists (and transfers), and nothing else.
    exported = [origin + "." for origin, _ in split_export(run_sipdnsd("export", str(site)).stdout)]
    assert CATALOG in exported
    site_zones = sorted(z for z in exported if z != CATALOG)
    assert sorted(members(catalog)) == site_zones == ["2.0.192.in-addr.arpa.",
                                                      "scsnetwork.local."]
    # The transferred catalog is what the export prints.
    exported_catalog = dict(split_export(run_sipdnsd("export", str(site)).stdout))[CATALOG[:-1]]
    assert dns.zone.from_text(exported_catalog, origin=CATALOG, relativize=False) == catalog


def test_ids_stay_across_a_restart_and_a_reload_that_adds_a_zone(tmp_path, start_server):
    secondary = StandInSecondary()
    try:
        notify = f'"127.0.0.1:{secondary.port}"'
        site = write_site(tmp_path, "site.yaml", site_text(notify=notify))
        srv = start_server(site)
        zones = {"scsnetwork.local.", "2.0.192.in-addr.arpa.", CATALOG}
        assert wait_until(lambda: set(secondary.zones_notified()) == zones), secondary.notifies
        first = transfer(srv.port)
        ids = members(first)

        # A restart with the same file: the same ids and the same serial (state directory).
        srv.stop()
        notified = len(secondary.notifies)
        srv.start()
        # Every zone is notified at start (RFC 1996 §4.1): wait for those before counting.
        assert wait_until(lambda: set(secondary.zones_notified()[notified:]) == zones), \
            secondary.notifies
        again = transfer(srv.port)
        assert members(again) == ids
        assert catalog_serial(again) == catalog_serial(first)

        # A record that changes content in an existing zone: the site's serial grows, the
        # catalog's does not, and only the site's zones are notified.
        notified = len(secondary.notifies)
        time.sleep(1.1)
        site.write_text(site_text(hosts="  gw: 192.0.2.1\n  gw2: 192.0.2.2", notify=notify))
        srv.signal(signal.SIGHUP)
        assert wait_until(lambda: len(secondary.notifies) >= notified + 2), secondary.notifies
        time.sleep(0.5)
        assert set(secondary.zones_notified()[notified:]) == zones - {CATALOG}
        assert catalog_serial(transfer(srv.port)) == catalog_serial(first)

        # A host in a new subnet: a new reverse zone, a new member under a new id, the old
        # ids kept, a greater catalog serial and a NOTIFY of the catalog.
        notified = len(secondary.notifies)
        time.sleep(1.1)
        site.write_text(site_text(hosts="  gw: 192.0.2.1\n  gw2: 192.0.2.2\n"
                                        "  phone: 198.51.100.7", notify=notify))
        srv.signal(signal.SIGHUP)
        assert wait_until(lambda: CATALOG in secondary.zones_notified()[notified:]), \
            secondary.notifies
        grown = transfer(srv.port)
        assert catalog_serial(grown) > catalog_serial(first)
        now = members(grown)
        assert set(now) == set(ids) | {"100.51.198.in-addr.arpa."}
        assert all(now[zone] == ids[zone] for zone in ids)
        assert query(CATALOG, "SOA", srv.port).answer[0][0].serial == catalog_serial(grown)

        # The host goes again: its zone's entry goes, the others keep their ids.
        site.write_text(site_text(hosts="  gw: 192.0.2.1\n  gw2: 192.0.2.2", notify=notify))
        srv.signal(signal.SIGHUP)
        assert wait_until(lambda: members(transfer(srv.port)) == ids, timeout=5)
    finally:
        secondary.close()


def test_check_shows_the_catalog_and_refuses_one_inside_the_domain(tmp_path):
    site = write_site(tmp_path, "site.yaml", site_text())
    r = run_sipdnsd("check", str(site))
    assert r.returncode == 0, r.stderr
    assert f"zone {CATALOG} " in r.stdout
    assert f"catalog: {CATALOG} serial " in r.stdout and ", 2 member zones" in r.stdout

    inside = write_site(tmp_path, "inside.yaml",
                        site_text().replace("catalog.sipdns.invalid", "catalog.scsnetwork.local"))
    r = run_sipdnsd("check", str(inside))
    assert r.returncode != 0
    assert (f"{inside}:10:14: server.transfer.catalog: 'catalog.scsnetwork.local' lies inside "
            "the zone scsnetwork.local") in r.stderr + r.stdout
