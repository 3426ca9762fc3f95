// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// Logging setup for the daemon (docs/design.md §6): spdlog to stderr, one line per event.
#include <string>

namespace sipdns::app {

// True when stderr is connected to journald: JOURNAL_STREAM ("<device>:<inode>", set by
// systemd) names the file stderr is (systemd.exec(5) says to compare, since the variable is
// inherited by children whose stderr may go elsewhere).
bool stderr_is_journal();

// Installs the default logger. Under journald each line is prefixed with its syslog priority
// ("<6>", sd-daemon(3)) and has no timestamp (the journal adds its own); otherwise lines carry
// the time and level. `level` is one of trace debug info warn error critical off.
void setup_logging(const std::string& level);

}  // namespace sipdns::app
