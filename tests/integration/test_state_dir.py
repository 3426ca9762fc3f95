# SPDX-FileCopyrightText: 2026 The sipdns authors
# SPDX-License-Identifier: BSD-3-Clause
"""Serials across restarts (issue 14, RFC 1982, RFC 1996 §4.7): the state directory
(server.state_dir) keeps each zone's last serial and content hash, so a restart with the same
content serves the same serial, and changed content a greater one — also when the site file was
restored with an old modification time (cp -p, a backup). Without a writable state directory:
one warning, and the serial follows the file's time as before."""

from __future__ import annotations

import os
import pathlib
import signal
import time

import pytest

from sipdnsd_harness import Daemon, query, run_sipdnsd

D = "state.example.test."
REVERSE = "2.0.192.in-addr.arpa."
DAY = 86400


def site_text(k: int, state_dir: pathlib.Path | str | None = None, extra: str = "") -> str:
    """Content version k: the gateway's address (and its PTR) change with k."""
    text = f"""domain: state.example.test
servers:
  - {{ name: ns1, ipv4: 192.0.2.1 }}
hosts:
  gw: 192.0.2.{k}
"""
    if state_dir is not None:
        text += f"server:\n  state_dir: {state_dir}\n"
    return text + extra


def write_site(path: pathlib.Path, text: str, mtime: int) -> None:
    path.write_text(text)
    os.utime(path, (mtime, mtime))


def serial(d: Daemon, zone: str = D) -> int:
    answer = query(zone, "SOA", d.port).answer
    assert answer, f"no SOA for {zone}"
    return answer[0][0].serial


def state_lines(state: pathlib.Path) -> dict[str, tuple[int, str]]:
    """The serials file: zone -> (serial, content hash)."""
    out = {}
    for line in (state / "serials").read_text().splitlines():
        if line and not line.startswith("#"):
            zone, number, content = line.split()
            out[zone] = (int(number), content)
    return out


def warnings(d: Daemon, about: str) -> list[str]:
    return [l for l in d.log_text().splitlines() if "warning:" in l and about in l]


def reload_and_wait(d: Daemon, count: int) -> None:
    """SIGHUP, then wait (bounded) until the log shows `count` reloads done."""
    d.signal(signal.SIGHUP)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if d.log_text().count("info: reloaded: ") >= count:
            return
        time.sleep(0.05)
    raise AssertionError(f"no reload within 10 s\n{d.log_text()}")


def test_restart_never_serves_a_lower_serial(tmp_path):
    state = tmp_path / "state"
    path = tmp_path / "site.yaml"
    t0 = int(time.time()) - DAY
    write_site(path, site_text(10, state), t0)
    with Daemon(path, name="sipdnsd-state") as d:
        first = serial(d)
        assert first == t0  # nothing stored: the file's time, as without a state dir
        assert serial(d, REVERSE) == first
    stored = state_lines(state)
    assert set(stored) == {D, REVERSE}, stored
    assert {s for s, _ in stored.values()} == {first}

    # Changed content restored with a time a month older: still greater than what was served.
    write_site(path, site_text(11, state), t0 - 30 * DAY)
    with Daemon(path, name="sipdnsd-state") as d:
        second = serial(d)
        assert second == first + 1, d.log_text()
        assert serial(d, REVERSE) == second
    assert {s for s, _ in state_lines(state).values()} == {second}

    # Same content: the same serial, whatever time the file has now.
    for mtime in (t0 - 60 * DAY, int(time.time())):
        os.utime(path, (mtime, mtime))
        with Daemon(path, name="sipdnsd-state") as d:
            assert serial(d) == second, d.log_text()
            assert not warnings(d, "state dir"), d.log_text()

    # Changed content with a newer time: the file's time, as before.
    t1 = int(time.time())
    write_site(path, site_text(12, state), t1)
    with Daemon(path, name="sipdnsd-state") as d:
        assert serial(d) == t1


def test_a_reload_records_the_new_serial_for_the_next_start(tmp_path):
    state = tmp_path / "state"
    path = tmp_path / "site.yaml"
    t0 = int(time.time()) - DAY
    write_site(path, site_text(20, state), t0)
    with Daemon(path, name="sipdnsd-state-reload") as d:
        assert serial(d) == t0
        write_site(path, site_text(21, state), t0 - DAY)  # older: t0 + 1 while running
        reload_and_wait(d, 1)
        assert serial(d) == t0 + 1
        assert {s for s, _ in state_lines(state).values()} == {t0 + 1}
    write_site(path, site_text(22, state), t0 - 2 * DAY)
    with Daemon(path, name="sipdnsd-state-reload") as d:
        assert serial(d) == t0 + 2


def test_unwritable_state_dir_is_one_warning_and_today_s_rule(tmp_path):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the state directory should be\n")
    state = blocker / "state"
    path = tmp_path / "site.yaml"
    t0 = int(time.time()) - DAY
    write_site(path, site_text(30, state), t0)
    with Daemon(path, name="sipdnsd-state-unwritable") as d:
        assert serial(d) == t0
        lines = warnings(d, "state dir")
        assert len(lines) == 1, d.log_text()
        assert f"state dir {state} is not writable" in lines[0], lines
        assert "Not a directory" in lines[0], lines
        # Reloads keep serving and do not repeat it; the serial follows the file's time.
        write_site(path, site_text(31, state), t0 + 60)
        reload_and_wait(d, 1)
        assert serial(d) == t0 + 60
        assert len(warnings(d, "state dir")) == 1, d.log_text()
    # Nothing kept: a restart with changed content and an old file goes back, as before.
    write_site(path, site_text(32, state), t0 - DAY)
    with Daemon(path, name="sipdnsd-state-unwritable") as d:
        assert serial(d) == t0 - DAY


@pytest.mark.skipif(os.geteuid() != 0, reason="--user needs root")
def test_a_state_dir_the_user_cannot_write_is_one_warning(tmp_path):
    """--user NAME writes as NAME: a directory of root's, mode 0755, is not writable for it."""
    os.chmod(tmp_path, 0o755)
    state = tmp_path / "state"
    state.mkdir(mode=0o755)
    path = tmp_path / "site.yaml"
    write_site(path, site_text(40, state), int(time.time()) - DAY)
    os.chmod(path, 0o644)
    with Daemon(path, extra_args=["--user", "nobody"], name="sipdnsd-state-user") as d:
        assert serial(d)
        lines = warnings(d, "state dir")
        assert len(lines) == 1, d.log_text()
        assert f"state dir {state} is not writable" in lines[0], lines
        assert "Permission denied" in lines[0], lines
    assert not (state / "serials").exists()


def test_a_corrupt_state_file_is_one_warning_and_is_replaced(tmp_path):
    state = tmp_path / "state"
    state.mkdir()
    (state / "serials").write_text(f"{D} 4000000000 0123456789abcdef\nnot ours at all\n")
    path = tmp_path / "site.yaml"
    t0 = int(time.time()) - DAY
    write_site(path, site_text(50, state), t0)
    with Daemon(path, name="sipdnsd-state-corrupt") as d:
        assert serial(d) == t0  # none of the file is trusted
        lines = warnings(d, "state dir")
        assert len(lines) == 1, d.log_text()
        assert f"{state}/serials:2: expected 'ZONE SERIAL CONTENT-HASH', got 4 fields" in lines[0]
    assert {s for s, _ in state_lines(state).values()} == {t0}


def test_a_fixed_soa_serial_is_served_as_written_with_a_warning_when_lower(tmp_path):
    state = tmp_path / "state"
    path = tmp_path / "site.yaml"
    write_site(path, site_text(60, state, "soa: { serial: 2026120301 }\n"), int(time.time()))
    with Daemon(path, name="sipdnsd-state-fixed") as d:
        assert serial(d) == 2026120301
        assert not warnings(d, "soa.serial"), d.log_text()
    write_site(path, site_text(61, state, "soa: { serial: 2026120201 }\n"), int(time.time()))
    with Daemon(path, name="sipdnsd-state-fixed") as d:
        assert serial(d) == 2026120201
        lines = warnings(d, "soa.serial")
        assert len(lines) == 1, d.log_text()
        assert "soa.serial 2026120201 is lower than the serial 2026120301" in lines[0], lines
    # Back to automatic serials: above the highest one served.
    write_site(path, site_text(62, state), int(time.time()))
    with Daemon(path, name="sipdnsd-state-fixed") as d:
        assert serial(d) == 2026120202


def test_state_directory_from_systemd_unless_the_site_names_one(tmp_path):
    """$STATE_DIRECTORY (systemd's StateDirectory=) when the site file has no state_dir."""
    from_env = tmp_path / "from-systemd"
    from_site = tmp_path / "from-site"
    path = tmp_path / "site.yaml"
    write_site(path, site_text(70), int(time.time()) - DAY)
    with Daemon(path, name="sipdnsd-state-env", env={"STATE_DIRECTORY": str(from_env)}) as d:
        assert set(state_lines(from_env)) == {D, REVERSE}
    write_site(path, site_text(71, from_site), int(time.time()) - DAY)
    with Daemon(path, name="sipdnsd-state-env", env={"STATE_DIRECTORY": str(from_env)}) as d:
        assert set(state_lines(from_site)) == {D, REVERSE}


def test_a_reload_does_not_move_the_state_dir(tmp_path):
    state = tmp_path / "state"
    other = tmp_path / "other"
    path = tmp_path / "site.yaml"
    write_site(path, site_text(80, state), int(time.time()) - DAY)
    with Daemon(path, name="sipdnsd-state-move") as d:
        write_site(path, site_text(81, other), int(time.time()))
        reload_and_wait(d, 1)
        lines = warnings(d, "server.state_dir")
        assert len(lines) == 1, d.log_text()
        assert (f"server.state_dir takes effect on restart only (serials are kept in {state})"
                in lines[0]), lines
        assert {s for s, _ in state_lines(state).values()} == {serial(d)}
    assert not other.exists()


def test_check_plan_and_export_do_not_touch_the_state_dir(tmp_path):
    """Only the daemon reads and writes it: `check` is a dry run."""
    state = tmp_path / "state"
    path = tmp_path / "site.yaml"
    write_site(path, site_text(90, state), int(time.time()) - DAY)
    for args in (["check", str(path)], ["export", str(path)], ["plan", str(path)]):
        r = run_sipdnsd(*args)
        assert r.returncode == 0, (args, r.stderr)
    assert not state.exists()
