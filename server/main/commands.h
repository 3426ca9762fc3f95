// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// The offline subcommands: `check`, `export` and `plan` (docs/design.md §6, issue 9).
#include <iosfwd>
#include <string>
#include <vector>

namespace sipdns::app {

// Validates FILE and prints a summary (zones, record counts per type, serial, the SIP Domain to
// enter in the PBX). Errors go to `err` as file:line:col: message. Returns the exit code.
int run_check(const std::string& file, std::ostream& out, std::ostream& err);

// Prints the generated records in the given format (zone, dnscmd, nsupdate), as seen by
// clients in `location`
// (empty: clients in no location). Returns the exit code.
int run_export(const std::string& file, const std::string& format, const std::string& location,
               std::ostream& out, std::ostream& err);

// Prints the installer's checklist for FILE (zone::render_install_plan): the SIP Domain, the
// DHCP options, the nslookup/dig commands with their expected answers. `listen` (the daemon's
// --listen values) says where the commands send their queries. Errors as for check: exit 1.
int run_plan(const std::string& file, const std::vector<std::string>& listen, std::ostream& out,
             std::ostream& err);

}  // namespace sipdns::app
