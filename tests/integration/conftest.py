# SPDX-FileCopyrightText: 2026 The sipdns authors
# SPDX-License-Identifier: BSD-3-Clause
"""pytest fixtures: the real sipdnsd on random loopback ports (127.0.0.1 and ::1)."""

import os
import pathlib
import shutil
import sys
import tempfile

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

import sipdnsd_harness  # noqa: E402
from sipdnsd_harness import SIPDNSD, Daemon, example  # noqa: E402


@pytest.fixture(scope="session", autouse=True)
def daemon_log_dir(tmp_path_factory):
    """The daemons' stderr files go under pytest's base temp dir (cleared on the next run;
    ctest passes --basetemp in the build tree) unless SIPDNS_TEST_LOGDIR says otherwise."""
    if not os.environ.get("SIPDNS_TEST_LOGDIR"):
        sipdnsd_harness.LOG_DIR = tmp_path_factory.getbasetemp() / "daemon-logs"
    return sipdnsd_harness.LOG_DIR


@pytest.fixture(scope="session", autouse=True)
def daemon_state_dir(tmp_path_factory):
    """A sipdnsd started without the harness's Daemon (by hand, or by the README's commands)
    keeps its serials in $STATE_DIRECTORY when the site file names no server.state_dir: one of
    this run, never the host's /var/lib/sipdns."""
    if not os.environ.get("STATE_DIRECTORY"):
        os.environ["STATE_DIRECTORY"] = str(tmp_path_factory.mktemp("state"))
    return os.environ["STATE_DIRECTORY"]


def _require_binary():
    if not os.access(SIPDNSD, os.X_OK):
        pytest.fail(f"sipdnsd binary not found at {SIPDNSD} (set SIPDNSD)")


@pytest.fixture
def start_server():
    """Factory: start_server(config, **Daemon kwargs) -> running Daemon. Every daemon is stopped
    with SIGTERM (by PID) at the end of the test and must exit 0."""
    _require_binary()
    started = []

    def start(config, **kwargs):
        d = Daemon(config, **kwargs)
        started.append(d)
        return d.start()

    yield start
    codes = [(d.args, d.stop()) for d in started if d.proc is not None]
    bad = [(a, c) for a, c in codes if c != 0]
    assert not bad, f"sipdnsd exit code after SIGTERM is not 0: {bad}"


def _module_server(name):
    _require_binary()
    d = Daemon(example(name), name=f"sipdnsd-{name}")
    d.start()
    yield d
    rc = d.stop()
    assert rc == 0, f"sipdnsd ({name}) exited with {rc} after SIGTERM"


@pytest.fixture(scope="module")
def scs_ha():
    yield from _module_server("scs-ha")


@pytest.fixture(scope="module")
def scs_single():
    yield from _module_server("scs-single")


@pytest.fixture(scope="module")
def lab():
    yield from _module_server("lab")


@pytest.fixture
def socket_dir():
    """A short directory for socket paths: a unix socket path has at most 107 bytes, and
    pytest's tmp_path under a CI checkout can be longer than that."""
    d = pathlib.Path(tempfile.mkdtemp(prefix="sipdns-ctl-", dir="/tmp"))
    yield d
    shutil.rmtree(d, ignore_errors=True)
