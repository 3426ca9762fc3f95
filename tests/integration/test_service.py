# SPDX-FileCopyrightText: 2026 The sipdns authors
# SPDX-License-Identifier: BSD-3-Clause
"""The daemon as a service (docs/design.md §6): SIGHUP reloads under load that never lose or mix
answers, systemd notifications, journald-friendly logs, privilege drop with --user."""

from __future__ import annotations

import os
import pathlib
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time

import dns.rcode
import pytest

from sipdnsd_harness import (SIPDNSD, Daemon, free_port, make_query, query, raw_tcp, raw_udp,
                             rss_kib, write_site)

D = "reload.example.test."
QUERY_THREADS = 3
WRITES = 30            # file rewrites + SIGHUP, bounded
WRITE_INTERVAL = 0.15  # seconds between rewrites


def site_version(k: int) -> str:
    """A site whose every answer names its version k: `multi` has three addresses that all end
    in k, `_x._tcp` three SRV targets on port 1000 + k, and a TXT at the apex says v=k. An
    answer that mixed two versions would show two different k. The load below asks each of
    four answers about 500 times a second here, from 127.0.0.1: on a faster machine that
    would reach the default rate limit (1000/s per /24 and response), so it is off."""
    return f"""domain: reload.example.test
ttl: 60
servers:
  - {{ name: ns1, ipv4: 192.0.2.1 }}
hosts:
  multi: [192.0.2.{k}, 198.51.100.{k}, 203.0.113.{k}]
  t1: 192.0.2.101
  t2: 192.0.2.102
  t3: 192.0.2.103
services:
  - {{ service: _x._tcp, port: {1000 + k}, targets: [t1, t2, t3] }}
records:
  - '@ IN TXT "v={k}"'
reverse: off
server:
  rate_limit:
    responses_per_second: 0   # a load test from one address: no response rate limiting
"""


BROKEN = [
    "domain: reload.example.test\nservers:\n  - { name: ns1, ipv4: 192.0.2.300 }\n",
    "domain: reload.example.test\nsever: {}\nhosts: { a: 192.0.2.1 }\n",
    "domain: [reload\n",
]


def write_atomically(path: pathlib.Path, text: str) -> None:
    # As an editor or a config-management tool does: never a half-written file.
    tmp = path.with_suffix(".tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def versions_in(msg) -> set[int]:
    """Every version number an answer carries."""
    found = set()
    for rrset in msg.answer:
        for rd in rrset:
            text = rd.to_text()
            if rrset.rdtype == 1:  # A: the last octet
                found.add(int(text.rsplit(".", 1)[1]))
            elif rrset.rdtype == 33:  # SRV: port - 1000
                found.add(int(text.split()[2]) - 1000)
            elif rrset.rdtype == 16:  # TXT "v=k"
                found.add(int(re.search(r"v=(\d+)", text).group(1)))
    return found


def test_reload_under_load_never_loses_or_mixes_answers(tmp_path, start_server):
    import dns.message

    site = write_site(tmp_path, "site.yaml", site_version(1))
    srv = start_server(site, threads=2)
    stop = threading.Event()
    problems: list[str] = []
    stats = {"sent": 0, "answered": 0}
    lock = threading.Lock()
    written_good = {1}
    seen_versions: set[int] = set()

    def client(n: int) -> None:
        last_serial = 0
        last_version = 0
        i = 0
        while not stop.is_set() and i < 5000:
            i += 1
            name, qtype = [("multi." + D, "A"), ("_x._tcp." + D, "SRV"), (D, "TXT"),
                           (D, "SOA")][i % 4]
            tcp = (i + n) % 5 == 0
            wire = make_query(name, qtype).to_wire()
            raw = raw_tcp(wire, srv.port) if tcp else raw_udp(wire, srv.port, timeout=2.0)
            with lock:
                stats["sent"] += 1
            if raw is None:
                problems.append(f"no answer to {name} {qtype} ({'tcp' if tcp else 'udp'})")
                continue
            msg = dns.message.from_wire(raw)
            with lock:
                stats["answered"] += 1
            if msg.rcode() != dns.rcode.NOERROR:
                problems.append(f"{name} {qtype}: rcode {dns.rcode.to_text(msg.rcode())}")
                continue
            if qtype == "SOA":
                serial = msg.answer[0][0].serial
                if serial < last_serial:
                    problems.append(f"serial went back from {last_serial} to {serial}")
                last_serial = serial
                continue
            v = versions_in(msg)
            if len(v) != 1:
                problems.append(f"{name} {qtype}: answer mixes versions {sorted(v)}")
                continue
            (k,) = v
            if k not in written_good:
                problems.append(f"{name} {qtype}: version {k} was never a good file")
            if k < last_version:
                problems.append(f"{name} {qtype}: version went back from {last_version} to {k}")
            last_version = max(last_version, k)
            seen_versions.add(k)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(QUERY_THREADS)]
    for t in threads:
        t.start()
    try:
        version = 1
        for w in range(WRITES):
            kind = w % 3  # good again (same content), changed, broken
            if kind == 0:
                text = site_version(version)
            elif kind == 1:
                version += 1
                written_good.add(version)
                text = site_version(version)
            else:
                text = BROKEN[w % len(BROKEN)]
            write_atomically(site, text)
            srv.signal(signal.SIGHUP)
            time.sleep(WRITE_INTERVAL)
        # End on a good file and wait until it serves.
        write_atomically(site, site_version(version))
        srv.signal(signal.SIGHUP)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            m = query(D, "TXT", srv.port)
            if m.answer and f"v={version}" in m.answer[0][0].to_text():
                break
            time.sleep(0.1)
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=30)

    assert not problems, f"{len(problems)} problems, first: {problems[:5]}"
    assert stats["sent"] > 200, f"too little load: {stats}"
    assert stats["answered"] == stats["sent"]
    # The clients really saw the zone change under them, several times.
    assert len(seen_versions) >= 3, f"versions seen: {sorted(seen_versions)}"
    assert srv.proc.poll() is None
    log = srv.log_text()
    # Every broken file was reported with its position, at error level, and did not stop us.
    assert re.search(r"error: .*site\.yaml:\d+:\d+: ", log), log[-2000:]
    assert "reload failed; still serving serial" in log


def _big_site(version: int, hosts: int = 30000) -> str:
    """A site big enough that its zone set dwarfs the daemon's own memory; `version` changes one
    address, so each reload builds a new zone set with a new serial."""
    lines = ["domain: big.example.test", "servers:", "  - { name: ns1, ipv4: 192.0.2.1 }",
             "hosts:", f"  changed: 192.0.2.{version}"]
    lines += [f"  h{i}: 10.{i >> 16}.{(i >> 8) & 255}.{i & 255}" for i in range(hosts)]
    lines += ["server:", "  rate_limit: { responses_per_second: 0 }", ""]
    return "\n".join(lines)


@pytest.mark.skipif("ASAN_OPTIONS" in os.environ,
                    reason="ASan's allocator keeps freed memory in quarantine; this checks glibc's")
def test_reload_frees_the_old_zone_set_without_any_query(tmp_path, start_server):
    """An idle PBX: after SIGHUP the workers let go of the old zone set and the daemon returns
    the memory, with no query arriving (the old set once stayed until each worker's next query,
    and its memory after that)."""
    site = write_site(tmp_path, "site.yaml", _big_site(1))
    srv = start_server(site, threads=2)
    before = rss_kib(srv.pid)
    for version in (2, 3):
        write_atomically(site, _big_site(version))
        srv.signal(signal.SIGHUP)
        deadline = time.monotonic() + 30
        while srv.log_text().count("info: reloaded: ") < version - 1:
            assert time.monotonic() < deadline, srv.log_text()[-2000:]
            time.sleep(0.05)
    # The zone set is tens of MiB here; old + new would be double. Allow for the allocator's
    # slack and the log, not for a second zone set.
    zone_kib = before - 8 * 1024
    assert zone_kib > 8 * 1024, f"the site is too small to tell: RSS {before} KiB"
    deadline = time.monotonic() + 5
    after = rss_kib(srv.pid)
    while after > before + zone_kib // 3 and time.monotonic() < deadline:
        time.sleep(0.1)
        after = rss_kib(srv.pid)
    assert after <= before + zone_kib // 3, f"RSS {before} KiB before two reloads, {after} after"
    assert query("changed.big.example.test", "A", srv.port).answer[0][0].address == "192.0.2.3"


def _notify_socket(short_dir: str) -> tuple[socket.socket, str]:
    # A socket path must fit sockaddr_un's 108 bytes (unix(7)), and pytest's tmp_path under a
    # CI checkout does not (CI failed with "AF_UNIX path too long"), so it lives in a short
    # directory of its own under /tmp.
    path = os.path.join(short_dir, "notify.sock")
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind(path)
    s.settimeout(10)
    return s, path


def _receive_until(sock: socket.socket, key: str, limit: int = 20) -> list[str]:
    messages = []
    for _ in range(limit):
        data = sock.recv(4096).decode()
        messages.append(data)
        if key in data.split("\n"):
            return messages
    raise AssertionError(f"no {key} among {messages}")


def test_systemd_notify_ready_reloading_stopping(tmp_path):
    """Type=notify (sd_notify(3)): READY=1 with STATUS once serving, RELOADING=1 with
    MONOTONIC_USEC then READY=1 around a reload, STOPPING=1 on shutdown."""
    short_dir = tempfile.mkdtemp(prefix="sipdns-", dir="/tmp")
    sock, sock_path = _notify_socket(short_dir)
    port = free_port(["127.0.0.1"])
    site = write_site(tmp_path, "site.yaml", site_version(1))
    env = dict(os.environ, NOTIFY_SOCKET=sock_path)
    log = open(tmp_path / "daemon.log", "w")
    proc = subprocess.Popen([SIPDNSD, "--config", str(site), "--listen", f"127.0.0.1:{port}",
                             "--threads", "1"], env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        ready = _receive_until(sock, "READY=1")[-1]
        assert re.search(r"STATUS=.*serial \d+.*\d+ records", ready), ready
        # READY means every listener is bound and the zone is loaded.
        assert query(D, "SOA", port).rcode() == dns.rcode.NOERROR

        write_atomically(site, site_version(2))
        proc.send_signal(signal.SIGHUP)
        reloading = _receive_until(sock, "RELOADING=1")[-1]
        assert re.search(r"^MONOTONIC_USEC=\d+$", reloading, re.M), reloading
        ready2 = _receive_until(sock, "READY=1")[-1]
        assert "STATUS=" in ready2

        proc.send_signal(signal.SIGTERM)
        _receive_until(sock, "STOPPING=1")
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        log.close()
        sock.close()
        shutil.rmtree(short_dir, ignore_errors=True)


def test_startup_logs_one_line_per_listener_zone_and_ready(start_server, tmp_path):
    site = write_site(tmp_path, "site.yaml", site_version(3))
    srv = start_server(site, threads=1)
    log = srv.log_text()
    assert re.search(rf"info: listening on udp 127\.0\.0\.1:{srv.port}\b", log), log
    assert re.search(rf"info: listening on tcp \[::1\]:{srv.port}\b", log), log
    assert re.search(r"info: zone reload\.example\.test\.: serial \d+, \d+ records", log), log
    assert re.search(r"info: ready: 1 worker threads?, serial \d+, \d+ records", log), log
    # Outside journald each line carries a time stamp.
    assert re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} ", log.splitlines()[0])


def test_journald_lines_have_priorities_and_no_time_stamps(tmp_path):
    """Under systemd, stderr is the journal stream and JOURNAL_STREAM names it
    (systemd.exec(5)): the journal adds the time, so the daemon writes only a <N> priority."""
    port = free_port(["127.0.0.1"])
    site = write_site(tmp_path, "site.yaml", site_version(4))
    log_path = tmp_path / "journal.log"
    with open(log_path, "w") as log:
        st = os.fstat(log.fileno())
        env = dict(os.environ, JOURNAL_STREAM=f"{st.st_dev}:{st.st_ino}")
        proc = subprocess.Popen([SIPDNSD, "--config", str(site), "--listen",
                                 f"127.0.0.1:{port}", "--threads", "1"],
                                env=env, stdout=log, stderr=log)
        try:
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and "ready" not in log_path.read_text():
                time.sleep(0.05)
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(timeout=10) == 0
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    lines = log_path.read_text().splitlines()
    assert lines, "nothing logged"
    for line in lines:
        assert re.match(r"<[0-7]>", line), f"no journald priority: {line!r}"
        assert not re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d", line), f"time stamp: {line!r}"
    assert any(l.startswith("<6>") and "ready" in l for l in lines), lines


@pytest.mark.skipif(os.geteuid() != 0, reason="privilege drop needs root")
def test_user_drops_privileges_after_binding_and_reload_still_works():
    """Started as root outside systemd, --user NAME binds first, then runs as NAME; the site
    file stays readable, so SIGHUP still reloads. The state directory, missing at the start, is
    created for NAME, who writes the serials there."""
    import pwd

    nobody = pwd.getpwnam("nobody")
    tmp = pathlib.Path(tempfile.mkdtemp(prefix="sipdns-user-"))
    try:
        os.chmod(tmp, 0o755)
        site = tmp / "site.yaml"
        site.write_text(site_version(5))
        os.chmod(site, 0o644)
        state = tmp / "state"
        srv = Daemon(site, threads=2, extra_args=["--user", "nobody"], name="sipdnsd-user",
                     env={"STATE_DIRECTORY": str(state)})
        srv.start()
        try:
            status = pathlib.Path(f"/proc/{srv.pid}/status").read_text()
            uids = re.search(r"^Uid:\s+(.*)$", status, re.M).group(1).split()
            gids = re.search(r"^Gid:\s+(.*)$", status, re.M).group(1).split()
            assert set(map(int, uids)) == {nobody.pw_uid}, status
            assert set(map(int, gids)) == {nobody.pw_gid}, status
            for task in pathlib.Path(f"/proc/{srv.pid}/task").iterdir():  # every thread
                t_uids = re.search(r"^Uid:\s+(.*)$", (task / "status").read_text(), re.M)
                assert set(map(int, t_uids.group(1).split())) == {nobody.pw_uid}

            write_atomically(site, site_version(6))
            os.chmod(site, 0o644)
            srv.signal(signal.SIGHUP)
            deadline = time.monotonic() + 5
            txt = ""
            while time.monotonic() < deadline:
                m = query(D, "TXT", srv.port)
                txt = m.answer[0][0].to_text() if m.answer else ""
                if "v=6" in txt:
                    break
                time.sleep(0.1)
            assert "v=6" in txt, srv.log_text()[-2000:]
            serial = query(D, "SOA", srv.port).answer[0][0].serial
            assert (state.stat().st_uid, (state / "serials").stat().st_uid) == \
                (nobody.pw_uid, nobody.pw_uid)
            assert f"reload.example.test. {serial} " in (state / "serials").read_text()
            assert "state dir" not in srv.log_text(), srv.log_text()
        finally:
            assert srv.stop() == 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
