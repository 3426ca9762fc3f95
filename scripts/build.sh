#!/usr/bin/env bash
# Configure and build sipdns into build/ (Ninja, warnings are errors, all cores).
#   scripts/build.sh [extra cmake -D options...]
#   SIPDNS_BUILD_DIR=dir   build somewhere else (default: build/ in the repository)
#   SIPDNS_BUILD_TYPE=...  CMAKE_BUILD_TYPE for a new build directory (default RelWithDebInfo)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

build_dir="${SIPDNS_BUILD_DIR:-build}"
jobs="$(nproc 2>/dev/null || echo 2)"

configure=(cmake -S . -B "$build_dir" -DSIPDNS_WERROR=ON -DSIPDNS_BUILD_TESTS=ON)
if [[ ! -f "$build_dir/CMakeCache.txt" ]]; then
  configure+=(-G Ninja -DCMAKE_BUILD_TYPE="${SIPDNS_BUILD_TYPE:-RelWithDebInfo}")
elif ! grep -q '^CMAKE_GENERATOR:INTERNAL=Ninja$' "$build_dir/CMakeCache.txt"; then
  echo "build.sh: $build_dir was configured with another generator; remove it or set SIPDNS_BUILD_DIR" >&2
  exit 1
fi
"${configure[@]}" "$@"
cmake --build "$build_dir" --parallel "$jobs"
