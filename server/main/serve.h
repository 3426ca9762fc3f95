// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#pragma once
#include "cli.h"

namespace sipdns::app {

// Runs the daemon in the foreground until SIGTERM/SIGINT. Returns the exit code.
int run_server(const ServeOptions& options);

}  // namespace sipdns::app
