#!/usr/bin/env bash
# SPDX-FileCopyrightText: 2026 The sipdns authors
# SPDX-License-Identifier: BSD-3-Clause
# The README's first command: install what building and running the daemon needs
# (scripts/install-deps.sh --run: no test tools), build the daemon only (scripts/build.sh --daemon)
# and serve the SCS HA example on 127.0.0.1:5353 in the foreground (Ctrl-C stops it). Try it from
# another terminal:
#   dig @127.0.0.1 -p 5353 _sip._udp.scsnetwork.local SRV
#   nslookup -port=5353 scs1.scsnetwork.local 127.0.0.1
# Options: --run-only (or SIPDNS_SKIP_DEPS=1 for the packages only) skips installing and building.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

run_only=0
if [[ "${1:-}" == --run-only ]]; then run_only=1; shift; fi
if ((!run_only)); then
  scripts/install-deps.sh --run
  scripts/build.sh --daemon
fi
exec build/server/main/sipdnsd --config packaging/examples/scs-ha.yaml \
  --listen 127.0.0.1:5353 --log-level info "$@"
