#!/usr/bin/env bash
# SPDX-FileCopyrightText: 2026 The sipdns authors
# SPDX-License-Identifier: BSD-3-Clause
# Zone build time for a site of N hosts (default 100,000): YAML load + record generation +
# checks + index + precompiled answers. Usage: tests/perf/zone_build.sh [HOSTS] [BUILD_DIR]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
hosts=${1:-100000}
build=${2:-$here/../../build}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 "$here/gen_site.py" --hosts "$hosts" > "$tmp/site.yaml"
cmake --build "$build" --target zone_build_bench >/dev/null
for run in 1 2 3; do
    echo "run $run:"
    "$build/tests/perf/zone_build_bench" "$tmp/site.yaml" | sed 's/^/  /'
done
