# SPDX-FileCopyrightText: 2026 The sipdns authors
# SPDX-License-Identifier: BSD-3-Clause
"""Knot DNS, NSD and BIND (named) as secondaries of sipdnsd with a TSIG key (RFC 8945).

With `server.transfer.key` in the site file (no `allow:`: the key alone admits) and the same key
in each secondary's configuration:
- each secondary transfers every zone of the site (signed AXFR, every message verified by the
  secondary) and serves sipdnsd's serial;
- a change and SIGHUP reach each within NOTIFY_WAIT seconds: sipdnsd's NOTIFY is signed and
  each secondary accepts it only signed (Knot acl with the key, NSD allow-notify with the key,
  BIND allow-notify { key ...; }).
With a wrong secret in a secondary's configuration:
- it gets no zone; its log says the TSIG check failed, and sipdnsd's log has one line naming the
  client, the zone and the TSIG error (BADSIG).
"""

from __future__ import annotations

import base64
import pathlib
import signal

import pytest

from interop_harness import LOOPBACK4, Daemon, export_zones, free_port
from secondary_harness import (BindSecondary, KnotSecondary, NsdSecondary, TsigKey,
                               rrset_texts, soa_serial, unused_address_in_reverse_zone,
                               wait_until, with_host, with_transfer, with_transfer_key)
from sipdnsd_harness import example

SITE = "scs-ha"
TRANSFER_WAIT = 20.0
RELOAD_WAIT = 5.0
NOTIFY_WAIT = 10.0
WRONG_WAIT = 6.0
KEY = TsigKey("sipdns-transfer", "hmac-sha256",
              base64.b64encode(b"interop secret for the secondary").decode())
WRONG = TsigKey(KEY.name, KEY.algorithm, base64.b64encode(b"a different secret, same length!").decode())
SECONDARIES = {"knot": KnotSecondary, "nsd": NsdSecondary, "bind": BindSecondary}


def _tail(text: str, n: int = 30) -> str:
    return "\n".join(text.splitlines()[-n:])


def start(tmp: pathlib.Path, which: str, secondary_key: TsigKey):
    port = free_port([LOOPBACK4])
    site_text = with_transfer_key(with_transfer(example(SITE).read_text(), [],
                                                [f"127.0.0.1:{port}"]), KEY)
    site = tmp / "site.yaml"
    site.write_text(site_text)
    zones = export_zones(site)
    origins = [o for o, _ in zones]
    daemon = Daemon(site, listen=["127.0.0.1:{port}"], name=f"sipdnsd-tsig-{which}").start()
    sec = SECONDARIES[which](origins, tmp / which, port, daemon.port, key=secondary_key)
    sec.start()
    return daemon, sec, site, site_text, zones


@pytest.mark.parametrize("which", sorted(SECONDARIES))
def test_signed_transfer_and_notify(tmp_path, which):
    daemon, sec, site, site_text, zones = start(tmp_path, which, KEY)
    try:
        origins = [o for o, _ in zones]
        serial = soa_serial(daemon.port, origins[0])

        def diagnostics():
            return (f"--- {sec.name} log:\n{_tail(sec.log_text())}\n--- sipdnsd log:\n"
                    f"{_tail(daemon.log_text())}")
        ok, took = wait_until(lambda: all(sec.soa_serial(o) == serial for o in origins),
                              TRANSFER_WAIT)
        assert ok, f"{which} did not transfer every zone with the key\n{diagnostics()}"
        print(f"{which}: {len(origins)} zones transferred with TSIG in {took:.2f}s")
        assert "TSIG" not in daemon.log_text(), daemon.log_text()

        address = unused_address_in_reverse_zone(zones)
        site.write_text(with_host(site_text, "newhost", address))
        daemon.signal(signal.SIGHUP)
        ok, _ = wait_until(lambda: soa_serial(daemon.port, origins[0]) not in (None, serial),
                           RELOAD_WAIT)
        assert ok, _tail(daemon.log_text())
        new_serial = soa_serial(daemon.port, origins[0])
        fqdn = f"newhost.{origins[0]}."
        ok, took = wait_until(lambda: all(sec.soa_serial(o) == new_serial for o in origins)
                              and rrset_texts(sec.port, fqdn, "A") == {address}, NOTIFY_WAIT)
        assert ok, f"{which} did not follow the signed NOTIFY\n{diagnostics()}"
        print(f"{which}: new serial {new_serial} by signed NOTIFY in {took:.2f}s")
    finally:
        sec.stop()
        assert daemon.stop() == 0


# What each secondary logs when sipdnsd's answer fails its TSIG check (lower-cased).
WRONG_KEY_LOG = {"knot": "failed to verify tsig", "nsd": "tsig", "bind": "tsig"}


@pytest.mark.parametrize("which", sorted(SECONDARIES))
def test_wrong_secret_fails_and_both_logs_say_why(tmp_path, which):
    daemon, sec, _, _, zones = start(tmp_path, which, WRONG)
    try:
        origins = [o for o, _ in zones]
        ok, _ = wait_until(lambda: "TSIG BADSIG" in daemon.log_text(), WRONG_WAIT)
        assert ok, f"sipdnsd did not log the BADSIG\n{_tail(daemon.log_text())}\n" \
                   f"--- {sec.name}:\n{_tail(sec.log_text())}"
        line = next(l for l in daemon.log_text().splitlines() if "TSIG BADSIG" in l)
        assert "client 127.0.0.1 " in line and any(o + "." in line for o in origins), line
        assert all(sec.soa_serial(o) is None for o in origins), "a zone got through"
        ok, _ = wait_until(lambda: WRONG_KEY_LOG[which] in sec.log_text().lower(), WRONG_WAIT)
        assert ok, f"{which} log does not say why:\n{_tail(sec.log_text())}"
        print(f"sipdnsd: {line}")
        print(f"{which}: " + next(l for l in sec.log_text().splitlines()
                                   if WRONG_KEY_LOG[which] in l.lower()))
    finally:
        sec.stop()
        assert daemon.stop() == 0
