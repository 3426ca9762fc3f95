# SPDX-FileCopyrightText: 2026 The sipdns authors
# SPDX-License-Identifier: BSD-3-Clause
"""Fixtures for the interop tests: for each example site, the exported zones, the query corpus,
and sipdnsd's answers to it (computed once per test module)."""

import os
import pathlib
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "integration"))

from interop_harness import Daemon, build_corpus, export_zones, run_corpus  # noqa: E402
import sipdnsd_harness  # noqa: E402
from sipdnsd_harness import example  # noqa: E402


@pytest.fixture(scope="session", autouse=True)
def daemon_log_dir(tmp_path_factory):
    """sipdnsd's stderr goes under pytest's base temp dir (see ../integration/conftest.py)."""
    if not os.environ.get("SIPDNS_TEST_LOGDIR"):
        sipdnsd_harness.LOG_DIR = tmp_path_factory.getbasetemp() / "daemon-logs"
    return sipdnsd_harness.LOG_DIR


@pytest.fixture(scope="session", autouse=True)
def daemon_state_dir(tmp_path_factory):
    """sipdnsd's serials of this run, never the host's /var/lib/sipdns (see
    ../integration/conftest.py)."""
    if not os.environ.get("STATE_DIRECTORY"):
        os.environ["STATE_DIRECTORY"] = str(tmp_path_factory.mktemp("state"))
    return os.environ["STATE_DIRECTORY"]

EXAMPLES = ["scs-single", "scs-ha", "lab"]


class Site:
    def __init__(self, name, tmp):
        self.name = name
        self.config = example(name)
        self.zones = export_zones(self.config)
        self.corpus = build_corpus(self.zones)
        self.tmp = tmp
        self._ours = None

    def ours(self):
        """sipdnsd's answers to the corpus (the daemon runs only while it is being queried)."""
        if self._ours is None:
            d = Daemon(self.config, listen=["127.0.0.1:{port}"], name=f"sipdnsd-{self.name}")
            d.start()
            try:
                self._ours = run_corpus(self.corpus, d.port)
            finally:
                rc = d.stop()
            assert rc == 0, f"sipdnsd exited with {rc} after SIGTERM"
        return self._ours


@pytest.fixture(scope="module", params=EXAMPLES)
def site(request, tmp_path_factory):
    return Site(request.param, tmp_path_factory.mktemp(request.param))
