#!/usr/bin/env bash
# SPDX-FileCopyrightText: 2026 The sipdns authors
# SPDX-License-Identifier: BSD-3-Clause
# Runs a command from the sanitizer tree (SIPDNS_SANITIZE=ON) so that ANY sanitizer report fails
# the test, even one from a daemon the command started and whose exit code nobody looks at:
#   run_checked.sh REPORT_DIR COMMAND [ARGS...]
# Every ASan/UBSan/LSan report of every process below goes to REPORT_DIR/report.<pid> (not to
# stderr, which tests may parse); after the command the reports are printed and the exit code is
# 1 if there is any, else the command's.
set -uo pipefail
report_dir="$1"
shift
rm -rf "$report_dir"
mkdir -p "$report_dir"
# A daemon that drops privileges (--user) still writes its report here.
chmod 1777 "$report_dir"

common="log_path=$report_dir/report:print_summary=1:handle_abort=1"
# file:line in the reports (Debian's llvm-14 puts no unversioned llvm-symbolizer on PATH).
if [[ -x /usr/lib/llvm-14/bin/llvm-symbolizer ]]; then
  common+=":external_symbolizer_path=/usr/lib/llvm-14/bin/llvm-symbolizer"
fi
export ASAN_OPTIONS="$common:detect_leaks=1:check_initialization_order=1:strict_init_order=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export UBSAN_OPTIONS="$common:print_stacktrace=1:halt_on_error=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
# Leaks inside third-party libraries, each with its reason: lsan.supp.
export LSAN_OPTIONS="suppressions=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lsan.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"

"$@"
rc=$?

reports=()
for f in "$report_dir"/report.*; do
  [[ -s "$f" ]] && reports+=("$f")
done
if ((${#reports[@]})); then
  for f in "${reports[@]}"; do
    echo "=== sanitizer report: $f"
    cat "$f"
  done
  echo "run_checked.sh: ${#reports[@]} sanitizer report(s) (command exit code $rc)" >&2
  exit 1
fi
exit "$rc"
