#!/usr/bin/env bash
# SPDX-FileCopyrightText: 2026 The sipdns authors
# SPDX-License-Identifier: BSD-3-Clause
# sipdnsd against NSD and Knot DNS (UDP full speed, UDP fixed rate, TCP pipelined; CPU per
# answer, QPS, latency, lost queries, RSS, start time), see tests/perf/bench.py --help.
#
#   tests/perf/bench.sh                       100,000 hosts, 3 rounds, 10 s UDP runs (~4-5 min)
#   tests/perf/bench.sh --hosts 2000 --rounds 1 --duration 2
#   tests/perf/bench.sh --smoke               < 60 s, only checks that the script works
#   tests/perf/bench.sh --out bench.json --perf \
#       --callgrind 20000 --callgrind-servers sipdnsd,nsd,knot   + where the CPU time goes
#
# Builds the sipdnsd and zone_build_bench targets first (SIPDNS_BENCH_NO_BUILD=1: don't);
# SIPDNS_BUILD_DIR picks the build directory (default build/). Needs nsd, knot, dnsperf and
# util-linux's taskset (scripts/install-deps.sh). Exit 77 when dnsperf is missing.
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
    cmake --build "$build" --target sipdnsd zone_build_bench >&2
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
/usr/bin/python3 "$here/bench.py" --build-dir "$build" "$@" &
driver=$!
status=0
wait "$driver" || status=$?
driver=
exit "$status"
