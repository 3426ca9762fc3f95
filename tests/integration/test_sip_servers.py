# SPDX-FileCopyrightText: 2026 The sipdns authors
# SPDX-License-Identifier: BSD-3-Clause
"""The real-SIP-server fixture of the live-health tests (issue 16): Debian's kamailio answers
SIP OPTIONS (RFC 3261 §11) over UDP, TCP and TLS with the configured status, stops answering when
stopped, answers again when restarted, and one transport can go while another keeps answering."""

from __future__ import annotations

import socket
import threading

import pytest

from sip_servers import KamailioServer, free_loopback_address, kamailio_missing, sip_options

pytestmark = pytest.mark.skipif(kamailio_missing() is not None,
                                reason=kamailio_missing() or "")

PROBE = 2.0  # seconds one OPTIONS may take on a busy machine


@pytest.fixture
def addr():
    return free_loopback_address()


def answers(addr: str, server: KamailioServer) -> dict[str, int | None]:
    return {t: sip_options(addr, p, t, PROBE) for t, p in server.listeners()}


def test_options_answered_on_udp_tcp_and_tls(addr):
    with KamailioServer(addr, udp=5060, tcp=5060, tls=5061) as server:
        got = answers(addr, server)
        assert got == {"udp": 200, "tcp": 200, "tls": 200}, server.log_tail()
        # Ready within the fixture's bound; the figure the health tests' timings build on.
        assert server.ready_seconds is not None and server.ready_seconds < 10.0


@pytest.mark.parametrize("status", [404, 503])
def test_configured_status_is_the_answer(addr, status):
    # RFC 3261 §8.2.6 / §21: an error response still shows a SIP stack answered.
    with KamailioServer(addr, udp=5060, tcp=5060, tls=5061, status=status) as server:
        got = answers(addr, server)
        assert got == {"udp": status, "tcp": status, "tls": status}, server.log_tail()


def test_stopped_server_does_not_answer_and_restart_brings_it_back(addr):
    with KamailioServer(addr, udp=5060, tcp=5060, tls=5061) as server:
        assert answers(addr, server) == {"udp": 200, "tcp": 200, "tls": 200}, server.log_tail()
        assert server.stop() == 0, server.log_tail()
        assert not server.running()
        assert answers(addr, server) == {"udp": None, "tcp": None, "tls": None}, \
            server.log_tail()
        server.restart()
        assert answers(addr, server) == {"udp": 200, "tcp": 200, "tls": 200}, server.log_tail()


def test_udp_only_server_gives_none_over_tcp_and_tls(addr):
    with KamailioServer(addr, udp=5060, tcp=None) as server:
        assert sip_options(addr, 5060, "udp", PROBE) == 200, server.log_tail()
        assert sip_options(addr, 5060, "tcp", PROBE) is None, server.log_tail()
        assert sip_options(addr, 5061, "tls", PROBE) is None, server.log_tail()


def test_tcp_listener_gone_while_udp_keeps_answering(addr):
    # Two instances on one address, one per transport: the docstring's recipe.
    with KamailioServer(addr, udp=5060, tcp=None) as udp, \
         KamailioServer(addr, udp=None, tcp=5060) as tcp:
        assert sip_options(addr, 5060, "udp", PROBE) == 200, udp.log_tail()
        assert sip_options(addr, 5060, "tcp", PROBE) == 200, tcp.log_tail()
        tcp.stop()
        assert sip_options(addr, 5060, "tcp", PROBE) is None, tcp.log_tail()
        assert sip_options(addr, 5060, "udp", PROBE) == 200, udp.log_tail()
        tcp.restart()
        assert sip_options(addr, 5060, "tcp", PROBE) == 200, tcp.log_tail()


def not_sip_server(addr: str, reply: bytes):
    """A TCP listener that answers any request with `reply` (not a SIP response) and closes."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind((addr, 0))
    listener.listen(1)
    listener.settimeout(5.0)

    def serve():
        try:
            conn, _ = listener.accept()
            with conn:
                conn.settimeout(5.0)
                conn.recv(65535)
                conn.sendall(reply)
        except OSError:
            pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    return listener, thread


@pytest.mark.parametrize("reply", [
    b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n",          # another protocol
    b"SIP/2.0 200 OK\r\nVia: SIP/2.0/TCP 127.0.0.1:9;branch=z9hG4bKother\r\n\r\n",  # not ours
    b"",                                                               # closed, no answer
])
def test_sip_options_counts_only_a_response_to_its_own_request(addr, reply):
    listener, thread = not_sip_server(addr, reply)
    with listener:
        assert sip_options(addr, listener.getsockname()[1], "tcp", 1.0) is None
        thread.join(5.0)
