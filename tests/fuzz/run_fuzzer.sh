#!/usr/bin/env bash
# SPDX-FileCopyrightText: 2026 The sipdns authors
# SPDX-License-Identifier: BSD-3-Clause
# Runs one libFuzzer target for a bounded time, every seed first (CI; or by hand, docs/testing.md):
#   run_fuzzer.sh FUZZER SEED_DIR WORK_DIR SECONDS
# WORK_DIR/corpus collects the inputs it finds (kept between runs), WORK_DIR/artifacts the input
# of a crash, leak or timeout. Exit code 0 only when nothing was found.
set -euo pipefail
fuzzer="$1" seeds="$2" work="$3" seconds="$4"
if [[ ! -x "$fuzzer" ]]; then
  echo "run_fuzzer.sh: $fuzzer not found: build a tree with -DSIPDNS_FUZZ=ON and clang" >&2
  exit 1
fi
mkdir -p "$work/corpus" "$work/artifacts"
# -timeout: one input taking longer is a finding (a hang); -rss_limit_mb: so is memory growth.
exec "$fuzzer" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=20 \
  -print_final_stats=1 -artifact_prefix="$work/artifacts/" "$work/corpus" "$seeds"
