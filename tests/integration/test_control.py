# SPDX-FileCopyrightText: 2026 The sipdns authors
# SPDX-License-Identifier: BSD-3-Clause
"""The control socket (issue 15, docs/design.md §11): `sipdnsd status [--json]` and `sipdnsd reload`
against the real daemon on loopback, its socket in the test's own directory (--control).

Shown here: status as text and JSON against a known site (serials and record counts as `check`
prints them, counters by rcode); reload of an unchanged, a changed and a broken file (exit
codes, output, the old serial still served, the error in status); SIGHUP still reloads; a
connection from another uid is refused; a connection that never sends is closed and does not
block others; startup without a usable path warns once and serves; a stale socket file is
replaced and the socket is removed at a clean exit."""

from __future__ import annotations

import json
import os
import pathlib
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time

import pytest

from sipdnsd_harness import SIPDNSD, Daemon, query, run_sipdnsd

D = "ctl.example.test"
DIAGNOSTIC = re.compile(r"^\S+:\d+:\d+: .+")


def site_text(extra_hosts: str = "") -> str:
    return f"""domain: {D}
servers:
  - {{ name: ns1, ipv4: 192.0.2.1 }}
hosts:
  gw: 192.0.2.10
{extra_hosts}"""


BROKEN = f"""domain: {D}
servers:
  - {{ name: ns1, ipv4: 192.0.2.1 }}
hosts:
  gw: 192.0.2.300
  fax: [oops
"""


def check_counts(path: pathlib.Path) -> dict[str, int]:
    """`sipdnsd check`'s record count per zone: {"ctl.example.test.": 5, ...}."""
    r = run_sipdnsd("check", str(path))
    assert r.returncode == 0, r.stderr
    counts = {}
    for line in r.stdout.splitlines():
        m = re.match(r"^zone (\S+) (\d+) records:", line)
        if m:
            counts[m.group(1)] = int(m.group(2))
    assert counts, r.stdout
    return counts


def soa_serial(d: Daemon, zone: str = D) -> int:
    return query(zone, "SOA", d.port).answer[0][0].serial


def wait_log(d: Daemon, text: str, timeout: float = 5) -> str:
    """The daemon's log once it has `text`: DNS answers (the harness's readiness) come just
    before the control socket is opened and logged."""
    deadline = time.monotonic() + timeout
    while text not in d.log_text():
        assert time.monotonic() < deadline, f"{text!r} not logged:\n{d.log_text()}"
        time.sleep(0.05)
    return d.log_text()


def ctl(*args: str, control: str, timeout: float = 30) -> subprocess.CompletedProcess:
    return run_sipdnsd(*args, "--control", control, timeout=timeout)


def status_json(d: Daemon) -> dict:
    r = ctl("status", "--json", control=d.control)
    assert r.returncode == 0, r.stderr
    assert r.stdout.count("\n") == 1, r.stdout  # one line
    return json.loads(r.stdout)


def test_status_text_and_json(tmp_path):
    path = tmp_path / "site.yaml"
    path.write_text(site_text())
    counts = check_counts(path)
    with Daemon(path) as d:
        serial = soa_serial(d)
        for name in ("a", "b", "c"):
            assert query(f"{name}.nothing.{D}", "A", d.port).rcode() == 3  # NXDOMAIN
        assert query("example.org", "A", d.port).rcode() == 5  # REFUSED: not our zone
        assert query(D, "SOA", d.port, tcp=True).answer

        r = ctl("status", control=d.control)
        assert r.returncode == 0, r.stderr
        assert r.stderr == ""
        lines = r.stdout.splitlines()
        assert re.match(r"^sipdnsd \d+\.\d+\.\d+, up (\d+m )?\d+s \(since \d{4}-\d\d-\d\dT", lines[0]), lines
        assert f"config: {path}" in lines
        assert f"listening: udp 127.0.0.1:{d.port}" in lines
        assert f"listening: tcp [::1]:{d.port}" in lines
        for zone, count in counts.items():
            assert f"zone {zone}: serial {serial}, {count} records" in lines, lines
        assert "last reload: none since start" in lines
        assert "reloads: 0 ok, 0 failed" in lines
        queries = next(l for l in lines if l.startswith("queries: "))
        assert "NXDOMAIN 3" in queries and "REFUSED 1" in queries, queries
        assert not any(l.startswith(("forward", "health")) for l in lines)
        assert "query log: no file, journal or dnstap; 0 watchers; 0 logged, 0 not logged " \
            "(rings full)" in lines, lines

        s = status_json(d)
        assert list(s) == ["version", "started", "uptime_seconds", "config_file", "listeners",
                           "zones", "last_reload", "reloads", "forward", "health", "query_log",
                           "counters"]
        assert isinstance(s["version"], str) and isinstance(s["uptime_seconds"], int)
        assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", s["started"])
        assert s["config_file"] == str(path)
        assert {"protocol": "udp", "address": f"127.0.0.1:{d.port}"} in s["listeners"]
        assert {"protocol": "tcp", "address": f"[::1]:{d.port}"} in s["listeners"]
        assert {z["name"]: (z["serial"], z["records"]) for z in s["zones"]} == \
            {zone: (serial, count) for zone, count in counts.items()}
        assert s["last_reload"] is None and s["forward"] is None
        assert s["reloads"] == {"ok": 0, "failed": 0}
        assert s["query_log"] == {"outputs": [], "watchers": 0, "logged": 0, "not_logged": 0,
                                  "write_failures": 0}
        c = s["counters"]
        assert c["by_rcode"]["NXDOMAIN"] == 3 and c["by_rcode"]["REFUSED"] == 1
        assert c["by_transport"]["tcp"] == 1
        assert c["queries"] == c["by_transport"]["udp"] + c["by_transport"]["tcp"] \
            == sum(c["by_rcode"].values())
        for key in ("truncated", "dropped", "rate_limited_dropped", "rate_limited_slipped",
                    "forwarded"):
            assert isinstance(c[key], int)


def test_reload_good_changed_and_broken(tmp_path):
    path = tmp_path / "site.yaml"
    path.write_text(site_text())
    with Daemon(path) as d:
        serial = soa_serial(d)
        records = sum(check_counts(path).values())

        # Unchanged: same serial (docs/design.md §3), exit 0.
        r = ctl("reload", control=d.control)
        assert (r.returncode, r.stdout, r.stderr) == \
            (0, f"reloaded: serial {serial}, {records} records\n", "")

        # Changed: a greater serial, served at once (reload is synchronous).
        time.sleep(1.1)  # a new modification second
        path.write_text(site_text("  pbx: 192.0.2.11\n"))
        changed = sum(check_counts(path).values())
        r = ctl("reload", control=d.control)
        assert r.returncode == 0, r.stderr
        m = re.fullmatch(r"reloaded: serial (\d+), (\d+) records\n", r.stdout)
        assert m, r.stdout
        new_serial = int(m.group(1))
        assert new_serial > serial and int(m.group(2)) == changed > records  # A and PTR more
        assert soa_serial(d) == new_serial
        assert query(f"pbx.{D}", "A", d.port).answer

        # Broken: every diagnostic `check` prints, exit 1, the old zones keep serving.
        path.write_text(BROKEN)
        expected = [l for l in run_sipdnsd("check", str(path)).stderr.splitlines()
                    if DIAGNOSTIC.match(l)]
        assert expected
        r = ctl("reload", control=d.control)
        assert r.returncode == 1 and r.stdout == "", (r.stdout, r.stderr)
        lines = r.stderr.splitlines()
        assert lines[-1] == f"reload failed: still serving serial {new_serial}, {changed} records"
        assert all(DIAGNOSTIC.match(l) for l in lines[:-1]), lines
        # The reload stops at the loader's errors; check goes on to the zone build.
        assert set(lines[:-1]) <= set(expected) and lines[:-1], (lines, expected)
        assert soa_serial(d) == new_serial
        assert query(f"pbx.{D}", "A", d.port).answer

        text = ctl("status", control=d.control).stdout.splitlines()
        failed = next(i for i, l in enumerate(text) if l.startswith("last reload: "))
        assert re.match(rf"last reload: \S+ failed \({len(lines) - 1} errors?\), still serving "
                        rf"serial {new_serial}, {changed} records:$", text[failed]), text
        assert text[failed + 1:failed + len(lines)] == ["  " + l for l in lines[:-1]]
        s = status_json(d)
        assert s["last_reload"]["result"] == "failed"
        assert s["last_reload"]["errors"] == lines[:-1]
        assert s["reloads"] == {"ok": 2, "failed": 1}

        # SIGHUP keeps working, and status sees that reload too.
        path.write_text(site_text())
        d.signal(signal.SIGHUP)
        deadline = time.monotonic() + 10
        while status_json(d)["reloads"]["ok"] != 3:
            assert time.monotonic() < deadline, d.log_text()
            time.sleep(0.1)
        assert status_json(d)["last_reload"]["result"] == "ok"
        assert not query(f"pbx.{D}", "A", d.port).answer


def test_daemon_not_reachable_and_usage_errors(socket_dir):
    r = ctl("status", control=str(socket_dir / "none" / "control"))
    assert r.returncode == 1 and r.stdout == ""
    assert r.stderr == (f"sipdnsd: no control socket at {socket_dir}/none/control (is sipdnsd "
                        "running? it listens where server.control or --control says)\n")

    stale = socket_dir / "stale"
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(str(stale))
    s.close()  # the file stays, nobody listens
    r = ctl("reload", control=str(stale))
    assert (r.returncode, r.stderr) == \
        (1, f"sipdnsd: nothing listens on {stale} (sipdnsd is not running)\n")

    for args in (["reload", "now"], ["status", "--jsn"], ["reload", "--json"],
                 ["status", "--control"]):
        r = run_sipdnsd(*args)
        assert r.returncode == 2, (args, r.stderr)
        assert len(r.stderr.splitlines()) == 2, r.stderr


def test_other_uid_is_refused(tmp_path):
    if os.geteuid() != 0:
        pytest.skip("needs root to run a command as another user")
    runuser = shutil.which("runuser")
    if runuser is None:
        pytest.skip("runuser (util-linux) is not installed")
    # A directory `nobody` can traverse, and a copy of sipdnsd it can run.
    shared = pathlib.Path(tempfile.mkdtemp(prefix="sipdns-control-"))
    try:
        shared.chmod(0o755)
        binary = shared / "sipdnsd"
        shutil.copy(SIPDNSD, binary)
        binary.chmod(0o755)
        control = str(shared / "control")
        path = tmp_path / "site.yaml"
        path.write_text(site_text())
        with Daemon(path, extra_args=["--control", control]) as d:
            r = subprocess.run([runuser, "-u", "nobody", "--", str(binary), "status",
                                "--control", control],
                               capture_output=True, text=True, timeout=30)
            nobody = int(subprocess.run(["id", "-u", "nobody"], capture_output=True,
                                        text=True).stdout)
            assert r.returncode == 1 and r.stdout == "", (r.stdout, r.stderr)
            assert r.stderr == (f"sipdnsd: the daemon at {control} answered: permission denied: "
                                f"uid {nobody} may not use the control socket (only root and "
                                f"uid 0)\n")
            wait_log(d, f"uid {nobody} may not use the control socket")
            # Root still may.
            assert ctl("status", control=control).returncode == 0
    finally:
        shutil.rmtree(shared, ignore_errors=True)


def connect(path: str) -> socket.socket:
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(15)
    s.connect(path)
    return s


def read_all(s: socket.socket) -> bytes:
    """Up to the daemon's close. A close with part of our request unread is a reset on Linux
    (unix(7) sockets too), after the data it sent."""
    data = b""
    while True:
        try:
            chunk = s.recv(4096)
        except ConnectionResetError:
            return data
        if not chunk:
            return data
        data += chunk


def test_silent_connection_is_closed_and_blocks_nobody(tmp_path):
    path = tmp_path / "site.yaml"
    path.write_text(site_text())
    with Daemon(path) as d:
        silent = [connect(d.control) for _ in range(3)]
        started = time.monotonic()
        r = ctl("status", control=d.control, timeout=10)
        assert r.returncode == 0, r.stderr
        assert time.monotonic() - started < 3  # not behind the silent ones
        assert ctl("reload", control=d.control).returncode == 0
        for s in silent:
            with s:
                assert read_all(s) == b""  # closed by the daemon (its 5 s request timeout)
        assert time.monotonic() - started < 10

        # Bounded request lines, and only the three requests.
        with connect(d.control) as s:
            s.sendall(b"x" * 300)
            assert read_all(s) == b"error request line longer than 256 bytes\n"
        with connect(d.control) as s:
            s.sendall(b"shutdown\n")
            assert read_all(s) == \
                b"error unknown request 'shutdown' (expected status, status json, reload or watch)\n"
        with connect(d.control) as s:
            s.sendall(b"status json\n")
            reply = read_all(s).decode()
            assert reply.startswith("1 {") and reply.endswith("}\nok\n"), reply


def test_startup_without_usable_path_serves_and_warns_once(tmp_path, socket_dir):
    path = tmp_path / "site.yaml"
    path.write_text(site_text())
    missing = str(socket_dir / "no-such-dir" / "control")
    with Daemon(path, extra_args=["--control", missing]) as d:
        assert query(D, "SOA", d.port).answer
        log = wait_log(d, "ready: ")
        warnings = [l for l in log.splitlines() if "control socket" in l]
        assert warnings == [l for l in warnings if "warning" in l] and len(warnings) == 1, warnings
        assert f"control socket {missing}: its directory does not exist" in warnings[0]

    # A path a live daemon listens on is left to it; the second daemon serves without one.
    control = str(socket_dir / "control")
    with Daemon(path, extra_args=["--control", control]) as first:
        with Daemon(path, extra_args=["--control", control], name="second") as second:
            assert query(D, "SOA", second.port).answer
            wait_log(second, f"control socket {control}: another sipdnsd listens there")
        # The second one's exit did not remove the first one's socket.
        assert pathlib.Path(control).is_socket()
        assert f"listening: udp 127.0.0.1:{first.port}\n" in ctl("status", control=control).stdout
    assert not os.path.exists(control)  # removed at a clean exit

    # A stale socket file (nobody listens) is replaced.
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(control)
    s.close()
    with Daemon(path, extra_args=["--control", control]) as d:
        wait_log(d, "replaced a stale socket file")
        assert ctl("status", control=control).returncode == 0
    # A file that is not a socket is never replaced.
    pathlib.Path(control).write_text("mine\n")
    with Daemon(path, extra_args=["--control", control]) as d:
        wait_log(d, "exists and is not a socket (not replaced)")
    assert pathlib.Path(control).read_text() == "mine\n"


def test_site_file_names_the_socket(tmp_path, socket_dir):
    control = socket_dir / "from-site"
    path = tmp_path / "site.yaml"
    path.write_text(site_text() + f"server:\n  control: {control}\n")
    with Daemon(path, control_flag=False) as d:
        assert "--control" not in d.args
        wait_log(d, f"control socket {control}")
        assert ctl("status", control=str(control)).returncode == 0
        # --control wins over the file.
        other = str(socket_dir / "from-flag")
        with Daemon(path, extra_args=["--control", other], name="flag") as e:
            assert f"listening: udp 127.0.0.1:{e.port}\n" in ctl("status", control=other).stdout
    assert not control.exists()
