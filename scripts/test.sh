#!/usr/bin/env bash
# SPDX-FileCopyrightText: 2026 The sipdns authors
# SPDX-License-Identifier: BSD-3-Clause
# The README's second command: install the dependencies, build, and run every test (unit,
# integration: the real daemon on loopback, interop: the same answers as Knot DNS and NSD).
#   scripts/test.sh [extra ctest options, e.g. -L integration or -R queries]
#   --run-only           skip installing and building (run ctest on the existing build/)
#   SIPDNS_SKIP_DEPS=1   skip installing packages only
#   SIPDNS_TEST_TIMEOUT  per-test timeout in seconds (default 300)
#   SIPDNS_SANITIZE=0    skip the sanitizer tree (quick local runs; CI builds and runs it)
#   SIPDNS_SANITIZE_BUILD_DIR  the sanitizer tree (default: the build dir + "-san")
#   SIPDNS_FUZZ_SECONDS  how long each fuzzer runs (default 60)
# Two trees: build/ (GCC, warnings are errors) and build-san/ (clang-14, ASan + UBSan, and the
# libFuzzer targets of tests/fuzz). build/'s ctest runs both: the sanitizer tree's unit tests,
# integration suite and fuzzers are its tests labelled `sanitize` and `fuzz`
# (tests/sanitize/CMakeLists.txt), so `-L sanitize` or `-LE sanitize` select them.
# The output ends with ctest's summary line; the exit code is ctest's.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

build_dir="${SIPDNS_BUILD_DIR:-build}"
san_dir="${SIPDNS_SANITIZE_BUILD_DIR:-$build_dir-san}"

run_only=0
if [[ "${1:-}" == --run-only ]]; then run_only=1; shift; fi
if ((!run_only)); then
  scripts/install-deps.sh
  main_options=()
  if [[ "${SIPDNS_SANITIZE:-1}" != 0 ]]; then
    # CXX is read when the tree is first configured (scripts/build.sh).
    SIPDNS_BUILD_DIR="$san_dir" CXX=clang++-14 scripts/build.sh -DSIPDNS_FUZZ=ON
    main_options+=(-DSIPDNS_SANITIZER_TREE="$(cd "$san_dir" && pwd)")
  else
    main_options+=(-DSIPDNS_SANITIZER_TREE=)
  fi
  if [[ -n "${SIPDNS_FUZZ_SECONDS:-}" ]]; then
    main_options+=(-DSIPDNS_FUZZ_SECONDS="$SIPDNS_FUZZ_SECONDS")
  fi
  scripts/build.sh "${main_options[@]}"
fi

log="$build_dir/ctest-output.log"
set +e
ctest --test-dir "$build_dir" --output-on-failure -j2 --no-tests=error \
  --timeout "${SIPDNS_TEST_TIMEOUT:-300}" "$@" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
set -e
# What was skipped inside the pytest files because this machine cannot do it (a network
# namespace, a bootable container, a tool), with pytest's reason: ctest shows no output of
# tests that passed.
skips="$(grep -hE '^SKIPPED \[[0-9]+\] ' "$build_dir/Testing/Temporary/LastTest.log" 2>/dev/null | sort -u || true)"
if [[ -n "$skips" ]]; then
  echo
  echo "Skipped test cases, with the reason:"
  echo "$skips" | sed 's/^/  /'
fi
# ctest prints the failed tests after its summary: repeat the summary as the last line.
summary="$(grep -E '^[0-9]+% tests passed' "$log" | tail -n 1 || true)"
echo
echo "${summary:-ctest did not print a summary (exit code $rc)}"
exit "$rc"
