#!/usr/bin/env bash
# The README's second command: install the dependencies, build, and run every test (unit,
# integration: the real daemon on loopback, interop: the same answers as Knot DNS and NSD).
#   scripts/test.sh [extra ctest options, e.g. -L integration or -R queries]
#   --run-only           skip installing and building (run ctest on the existing build/)
#   SIPDNS_SKIP_DEPS=1   skip installing packages only
#   SIPDNS_TEST_TIMEOUT  per-test timeout in seconds (default 300)
# The output ends with ctest's summary line; the exit code is ctest's.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

run_only=0
if [[ "${1:-}" == --run-only ]]; then run_only=1; shift; fi
if ((!run_only)); then
  scripts/install-deps.sh
  scripts/build.sh
fi

build_dir="${SIPDNS_BUILD_DIR:-build}"
log="$build_dir/ctest-output.log"
set +e
ctest --test-dir "$build_dir" --output-on-failure -j2 --no-tests=error \
  --timeout "${SIPDNS_TEST_TIMEOUT:-300}" "$@" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
set -e
# ctest prints the failed tests after its summary: repeat the summary as the last line.
summary="$(grep -E '^[0-9]+% tests passed' "$log" | tail -n 1 || true)"
echo
echo "${summary:-ctest did not print a summary (exit code $rc)}"
exit "$rc"
