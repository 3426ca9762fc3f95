#!/usr/bin/env bash
# SPDX-FileCopyrightText: 2026 The sipdns authors
# SPDX-License-Identifier: BSD-3-Clause
# Forwarding benchmark (issue 13): sipdnsd's forwarder against Unbound and dnsmasq on cache hits
# (QPS, CPU per answer; one thread each, pinned, same run, same upstream data), and sipdnsd's
# authoritative QPS with forward: on and off. See tests/perf/forward_bench.py --help.
#
#   tests/perf/forward_bench.sh                     2,000 names, 3 rounds of 10 s (~3 min)
#   tests/perf/forward_bench.sh --rounds 1 --duration 3 --out forward.json
#   tests/perf/forward_bench.sh --smoke             < 60 s, only checks that the script works
#
# Builds the sipdnsd target first (SIPDNS_BENCH_NO_BUILD=1: don't); SIPDNS_BUILD_DIR picks the
# build directory (default build/). Needs unbound, dnsmasq-base, dnsperf and util-linux's
# taskset (scripts/install-deps.sh). Exit 77 when dnsperf or unbound is missing.
#
# The python driver stops every process it started (by PID, on exit and on SIGINT/SIGTERM/
# SIGHUP); this wrapper also stops the driver itself if the wrapper is interrupted.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
build=${SIPDNS_BUILD_DIR:-$repo/build}

if [[ "${SIPDNS_BENCH_NO_BUILD:-0}" != 1 ]]; then
    if [[ ! -f "$build/CMakeCache.txt" ]]; then
        SIPDNS_BUILD_DIR="$build" "$repo/scripts/build.sh" >&2
    fi
    cmake --build "$build" --target sipdnsd >&2
fi

driver=
stop_driver() {
    if [[ -n "$driver" ]] && kill -0 "$driver" 2>/dev/null; then
        kill -TERM "$driver" 2>/dev/null || true
        wait "$driver" 2>/dev/null || true
    fi
}
trap stop_driver EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
/usr/bin/python3 "$here/forward_bench.py" --build-dir "$build" "$@" &
driver=$!
status=0
wait "$driver" || status=$?
driver=
exit "$status"
