#pragma once
// The offline subcommands: `check` and `export` (DESIGN.md §6).
#include <iosfwd>
#include <string>

namespace sipdns::app {

// Validates FILE and prints a summary (zones, record counts per type, serial, the SIP Domain to
// enter in the PBX). Errors go to `err` as file:line:col: message. Returns the exit code.
int run_check(const std::string& file, std::ostream& out, std::ostream& err);

// Prints the generated records in the given format (zone, dnscmd, nsupdate), as seen by
// clients in `location`
// (empty: clients in no location). Returns the exit code.
int run_export(const std::string& file, const std::string& format, const std::string& location,
               std::ostream& out, std::ostream& err);

}  // namespace sipdns::app
