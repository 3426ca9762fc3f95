#!/usr/bin/env bash
# SPDX-FileCopyrightText: 2026 The sipdns authors
# SPDX-License-Identifier: BSD-3-Clause
# Configure and build sipdns into build/ (Ninja, warnings are errors, all cores).
#   scripts/build.sh [extra cmake -D options...]          everything, tests included
#   scripts/build.sh --daemon [extra cmake -D options...]  only sipdnsd (scripts/run-example.sh):
#                          a new build directory is configured without the tests
#                          (SIPDNS_BUILD_TESTS=OFF: GoogleTest and the test tools are not needed);
#                          one configured before keeps its tests and only the daemon is built
#   SIPDNS_BUILD_DIR=dir   build somewhere else (default: build/ in the repository)
#   SIPDNS_BUILD_TYPE=...  CMAKE_BUILD_TYPE for a new build directory (default RelWithDebInfo)
#   CXX=clang++-14         the compiler of a new build directory (CMake reads CXX then only);
#                          scripts/test.sh builds the sanitizer tree so: -DSIPDNS_FUZZ=ON
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

build_dir="${SIPDNS_BUILD_DIR:-build}"
jobs="$(nproc 2>/dev/null || echo 2)"

daemon_only=0
if [[ "${1:-}" == --daemon ]]; then daemon_only=1; shift; fi

configure=(cmake -S . -B "$build_dir" -DSIPDNS_WERROR=ON)
targets=()
if ((daemon_only)); then
  targets=(--target sipdnsd)
  [[ -f "$build_dir/CMakeCache.txt" ]] || configure+=(-DSIPDNS_BUILD_TESTS=OFF)
else
  configure+=(-DSIPDNS_BUILD_TESTS=ON)
fi
if [[ ! -f "$build_dir/CMakeCache.txt" ]]; then
  configure+=(-G Ninja -DCMAKE_BUILD_TYPE="${SIPDNS_BUILD_TYPE:-RelWithDebInfo}")
elif ! grep -q '^CMAKE_GENERATOR:INTERNAL=Ninja$' "$build_dir/CMakeCache.txt"; then
  echo "build.sh: $build_dir was configured with another generator; remove it or set SIPDNS_BUILD_DIR" >&2
  exit 1
fi
if [[ -n "${CXX:-}" && -f "$build_dir/CMakeCache.txt" ]]; then
  # A tree keeps its compiler: say so rather than silently building with another one.
  cached="$(sed -n 's/^CMAKE_CXX_COMPILER:[A-Z]*=//p' "$build_dir/CMakeCache.txt")"
  wanted="$(command -v "$CXX" || echo "$CXX")"
  if [[ "$(readlink -f "$wanted")" != "$(readlink -f "$cached")" ]]; then
    echo "build.sh: $build_dir was configured with $cached, not $CXX; remove it or set SIPDNS_BUILD_DIR" >&2
    exit 1
  fi
fi
"${configure[@]}" "$@"
cmake --build "$build_dir" --parallel "$jobs" "${targets[@]}"
