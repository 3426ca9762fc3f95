#!/usr/bin/env bash
# SPDX-FileCopyrightText: 2026 The sipdns authors
# SPDX-License-Identifier: BSD-3-Clause
# Soak test of sipdnsd (issue 8): bounded load + TCP clients + a reload every second
# (good / changed / broken site files). Everything is in soak.py; see its --help.
#   tests/soak/soak.sh [--duration 60] [--build-dir DIR] ...
# SIPDNS_BUILD_DIR picks the build directory (default build/). Needs dnsperf (exit 77 without).
set -euo pipefail
exec /usr/bin/python3 "$(dirname "${BASH_SOURCE[0]}")/soak.py" "$@"
