# SPDX-FileCopyrightText: 2026 The sipdns authors
# SPDX-License-Identifier: BSD-3-Clause
"""Transport and lifecycle (docs/design.md §5, §6): TCP framing, pipelining, idle timeout, the
connection cap, wildcard listeners answering from the queried address, SIGTERM, SIGHUP."""

import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import threading
import time

import dns.flags
import dns.message
import dns.rcode
import pytest

from sipdnsd_harness import (LOOPBACK4, LOOPBACK6, Daemon, example, make_query, query, raw_udp,
                             recv_tcp_message, tcp_connect, wait_until, write_site)

D = "scsnetwork.local."


def framed(m):
    w = m.to_wire()
    return struct.pack("!H", len(w)) + w


def a_answer(m):
    return sorted(rd.to_text() for rrset in m.answer for rd in rrset)


def closed_by_peer(s, within):
    """True when the server closes s (EOF or reset) within `within` seconds."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        s.settimeout(max(0.05, deadline - time.monotonic()))
        try:
            data = s.recv(4096)
        except socket.timeout:
            return False
        except (ConnectionResetError, BrokenPipeError):
            return True
        if data == b"":
            return True
    return False


def site_with_server_settings(tmp_path, settings):
    text = example("scs-ha").read_text()
    # Replace the example's server: section by ours.
    head = text.split("\nserver:")[0]
    return write_site(tmp_path, "site.yaml", head + "\nserver:\n" + settings)


# ---------------------------------------------------------------------------------------------
# TCP framing


@pytest.mark.parametrize("addr", [LOOPBACK4, LOOPBACK6])
def test_tcp_pipelining(scs_ha, addr):
    names = ["scs1." + D, "scs2." + D, "rr.scs1." + D, "rr.scs2." + D, "nothere." + D]
    queries = [make_query(n, "A") for n in names]
    with tcp_connect(scs_ha.port, addr) as s:
        s.sendall(b"".join(framed(m) for m in queries))  # all in one send
        answers = {}
        for _ in queries:
            m = dns.message.from_wire(recv_tcp_message(s))
            answers[m.id] = m
    assert set(answers) == {m.id for m in queries}, "every pipelined query is answered"
    for qm in queries:
        m = answers[qm.id]
        assert m.question[0].name == qm.question[0].name
    by_name = {str(answers[qm.id].question[0].name): answers[qm.id] for qm in queries}
    assert a_answer(by_name["scs1." + D]) == ["192.0.2.11"]
    assert a_answer(by_name["rr.scs2." + D]) == ["192.0.2.12"]
    assert by_name["nothere." + D].rcode() == dns.rcode.NXDOMAIN


def test_tcp_query_split_across_sends(scs_ha):
    qm = make_query("_sip._tcp." + D, "SRV")
    data = framed(qm)
    with tcp_connect(scs_ha.port) as s:
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        s.sendall(data[:1])           # half the length prefix
        time.sleep(0.2)
        s.sendall(data[1:9])          # rest of the prefix, part of the header
        time.sleep(0.2)
        s.sendall(data[9:])
        m = dns.message.from_wire(recv_tcp_message(s))
        assert m.id == qm.id and len(m.answer) == 1 and len(m.answer[0]) == 2
        # The connection stays usable for the next query.
        qm2 = make_query("scs1." + D, "A")
        s.sendall(framed(qm2))
        m2 = dns.message.from_wire(recv_tcp_message(s))
        assert m2.id == qm2.id and a_answer(m2) == ["192.0.2.11"]


def test_tcp_many_queries_on_one_connection(scs_ha):
    with tcp_connect(scs_ha.port, LOOPBACK6) as s:
        for i in range(50):
            qm = make_query("scs2." + D if i % 2 else "scs1." + D, "A")
            s.sendall(framed(qm))
            m = dns.message.from_wire(recv_tcp_message(s))
            assert m.id == qm.id
            assert a_answer(m) == ["192.0.2.12" if i % 2 else "192.0.2.11"]


# ---------------------------------------------------------------------------------------------
# Idle timeout and connection cap


def test_idle_tcp_connections_are_closed(tmp_path, start_server):
    site = site_with_server_settings(tmp_path, "  tcp_idle_timeout_ms: 1000\n")
    srv = start_server(site)
    silent = tcp_connect(srv.port)                  # connects, sends nothing
    half = tcp_connect(srv.port, LOOPBACK6)
    half.sendall(b"\x00")                           # half a length prefix
    busy = tcp_connect(srv.port)                    # keeps asking: must not time out
    try:
        t0 = time.monotonic()
        # Meanwhile, other clients get answers (the silent ones block nobody).
        for i in range(3):
            assert a_answer(query("scs1." + D, "A", srv.port)) == ["192.0.2.11"]
            assert a_answer(query("scs2." + D, "A", srv.port, tcp=True)) == ["192.0.2.12"]
            qm = make_query("scs1." + D, "A")
            busy.sendall(framed(qm))
            assert dns.message.from_wire(recv_tcp_message(busy)).id == qm.id
            time.sleep(0.15)
        assert time.monotonic() - t0 < 0.95
        assert not closed_by_peer(silent, 0.05), "closed long before the idle timeout"
        # Wait (bounded) for the server to close the silent and the half-prefix connections,
        # while `busy` keeps asking every 0.3 s: activity resets its idle timer.
        open_ones = {"silent": silent, "half": half}
        closed_at = {}
        deadline = t0 + 5.0
        while open_ones and time.monotonic() < deadline:
            for name, s in list(open_ones.items()):
                if closed_by_peer(s, 0.15):
                    closed_at[name] = time.monotonic() - t0
                    del open_ones[name]
            qm = make_query("scs2." + D, "A")
            busy.sendall(framed(qm))
            assert dns.message.from_wire(recv_tcp_message(busy)).id == qm.id, \
                "a connection in use was closed"
        assert not open_ones, f"still open 5 s after the 1 s idle timeout: {list(open_ones)}"
        for name, t in closed_at.items():
            assert 0.8 <= t <= 5.0, f"{name} closed after {t:.2f}s (idle timeout 1 s)"
        # `busy` lives well past the timeout as long as it is used.
        for _ in range(40):
            if time.monotonic() - t0 > 2.5:
                break
            time.sleep(0.3)
            qm = make_query("scs1." + D, "A")
            busy.sendall(framed(qm))
            assert dns.message.from_wire(recv_tcp_message(busy)).id == qm.id
        assert time.monotonic() - t0 > 2.5
        assert a_answer(query("scs1." + D, "A", srv.port, tcp=True)) == ["192.0.2.11"]
    finally:
        for s in (silent, half, busy):
            s.close()


def test_connection_cap_never_crashes(tmp_path, start_server):
    site = site_with_server_settings(tmp_path, "  tcp_max_connections: 5\n")
    srv = start_server(site)
    conns = []
    try:
        for _ in range(10):
            try:
                conns.append(tcp_connect(srv.port, timeout=1.0))
            except OSError:
                pass  # refused/reset: acceptable for the excess
        answered = 0
        for s in conns:
            qm = make_query("scs1." + D, "A")
            try:
                s.settimeout(1.0)
                s.sendall(framed(qm))
                m = dns.message.from_wire(recv_tcp_message(s))
                if m.id == qm.id:
                    answered += 1
            except (OSError, ConnectionError):
                pass
        assert answered <= 5, f"{answered} connections served with tcp_max_connections: 5"
        assert srv.proc.poll() is None, "sipdnsd died with too many connections"
        # UDP is unaffected while the connections are open.
        assert a_answer(query("scs1." + D, "A", srv.port)) == ["192.0.2.11"]
    finally:
        for s in conns:
            s.close()
    # Once they are closed, TCP answers again (bounded retry: closing is asynchronous).
    deadline = time.monotonic() + 5
    while True:
        try:
            m = query("scs2." + D, "A", srv.port, tcp=True, timeout=1.0)
            assert a_answer(m) == ["192.0.2.12"]
            break
        except (OSError, dns.exception.DNSException, ConnectionError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def test_many_connections_opened_and_closed(scs_ha):
    for _ in range(100):
        s = tcp_connect(scs_ha.port)
        s.close()
    assert a_answer(query("scs1." + D, "A", scs_ha.port, tcp=True)) == ["192.0.2.11"]


# ---------------------------------------------------------------------------------------------
# Wildcard listeners


def test_udp_receive_queues_are_deep(scs_ha):
    """Each worker's UDP socket asks for a 4 MiB receive buffer (socket(7): the kernel reports
    double): root may exceed net.core.rmem_max (SO_RCVBUFFORCE, set before any privilege drop),
    anyone else gets up to it."""
    if not shutil.which("ss"):
        pytest.skip("ss (iproute2) is not installed")
    out = subprocess.run(["ss", "-Hlunm", f"sport = :{scs_ha.port}"], capture_output=True,
                         text=True, timeout=10, check=True).stdout
    sizes = [int(m) for m in re.findall(r"\brb(\d+)", out)]
    assert sizes, out
    requested = 4 << 20
    if os.geteuid() != 0:
        with open("/proc/sys/net/core/rmem_max") as f:
            requested = min(requested, int(f.read()))
    assert all(size == 2 * requested for size in sizes), out


def test_wildcard_listener_answers_from_queried_address(start_server):
    srv = start_server(example("scs-ha"), listen=["0.0.0.0:{port}", "[::]:{port}"])
    wire = make_query("scs1." + D, "A").to_wire()
    for addr in ("127.0.0.1", "127.0.0.2", "127.1.2.3"):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.settimeout(2.0)
            s.sendto(wire, (addr, srv.port))
            data, source = s.recvfrom(65535)
            assert source == (addr, srv.port), f"query to {addr} answered from {source}"
            assert a_answer(dns.message.from_wire(data)) == ["192.0.2.11"]
        m = query("scs2." + D, "A", srv.port, addr=addr, tcp=True)
        assert a_answer(m) == ["192.0.2.12"]
    with socket.socket(socket.AF_INET6, socket.SOCK_DGRAM) as s:
        s.settimeout(2.0)
        s.sendto(wire, (LOOPBACK6, srv.port))
        data, source = s.recvfrom(65535)
        assert source[:2] == (LOOPBACK6, srv.port)
    assert a_answer(query("scs1." + D, "A", srv.port, addr=LOOPBACK6, tcp=True)) == ["192.0.2.11"]


# ---------------------------------------------------------------------------------------------
# Signals


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_stop_signal_exits_zero(sig):
    d = Daemon(example("scs-single"), name="sipdnsd-stop")
    d.start()
    idle = tcp_connect(d.port)  # an open idle connection must not hold up the exit
    try:
        assert a_answer(query("scs1." + D, "A", d.port)) == ["192.0.2.11"]
        os.kill(d.pid, sig)
        d.proc.wait(timeout=10)
    finally:
        idle.close()
        rc = d.stop()  # SIGTERM (by PID) only if it is still running
    assert rc == 0, f"exit code {rc} after {sig.name}"


def soa_serial(port):
    m = query(D, "SOA", port)
    return m.answer[0][0].serial



def test_sighup_reload(tmp_path, start_server):
    good = example("scs-ha").read_text()
    site = write_site(tmp_path, "site.yaml", good)
    srv = start_server(site)
    serial0 = soa_serial(srv.port)
    assert a_answer(query("scs1." + D, "A", srv.port)) == ["192.0.2.11"]

    # Unchanged file: same serial.
    srv.signal(signal.SIGHUP)
    time.sleep(0.5)
    assert srv.proc.poll() is None
    assert soa_serial(srv.port) == serial0

    # A broken file: errors are logged, the old zone keeps serving.
    time.sleep(1.1)
    site.write_text(good.replace("192.0.2.11", "192.0.2.300") + "\nsever: {}\n")
    srv.signal(signal.SIGHUP)
    time.sleep(1.0)
    assert srv.proc.poll() is None, "a bad reload must not stop the daemon"
    assert a_answer(query("scs1." + D, "A", srv.port)) == ["192.0.2.11"]
    assert soa_serial(srv.port) == serial0
    assert "192.0.2.300" in srv.log_text() or "sever" in srv.log_text(), \
        "the reload errors are logged"

    # A good, changed file: new data, larger serial.
    time.sleep(1.1)
    site.write_text(good.replace("192.0.2.12", "192.0.2.22"))
    srv.signal(signal.SIGHUP)
    assert wait_until(lambda: a_answer(query("scs2." + D, "A", srv.port)) == ["192.0.2.22"]), \
        "SIGHUP did not load the changed file"
    assert soa_serial(srv.port) > serial0
    m = query("12.2.0.192.in-addr.arpa.", "PTR", srv.port)
    assert m.rcode() == dns.rcode.NXDOMAIN
    m = query("22.2.0.192.in-addr.arpa.", "PTR", srv.port, tcp=True)
    assert [rd.to_text() for rd in m.answer[0]] == ["scs2." + D]


def test_queries_during_reloads_are_answered(tmp_path, start_server):
    site = write_site(tmp_path, "site.yaml", example("scs-ha").read_text())
    srv = start_server(site)
    stop = threading.Event()

    def reloader():
        for _ in range(5):
            if stop.is_set():
                return
            srv.signal(signal.SIGHUP)
            time.sleep(0.1)

    t = threading.Thread(target=reloader)
    t.start()
    lost = 0
    try:
        for i in range(300):
            wire = make_query("scs1." + D, "A").to_wire()
            if raw_udp(wire, srv.port, timeout=1.0) is None:
                lost += 1
    finally:
        stop.set()
        t.join(timeout=5)
    assert lost == 0, f"{lost} of 300 queries got no answer while reloading"
    assert srv.proc.poll() is None
