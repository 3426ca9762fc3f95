// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// server.query_log (docs/design.md §11): the watch lines, kept — in a file (appended, reopened
// on SIGHUP so that logrotate can rename it) or in the systemd journal.
#include <memory>
#include <string>

#include "sipdns/querylog/query_log.h"

namespace sipdns::querylog {

// Opens `path` for appending (created 0640). Null with `problem` ("query log PATH: why").
std::unique_ptr<Sink> open_file_sink(const std::string& path, std::string& problem);

// One journal entry per query: MESSAGE is the line, SYSLOG_IDENTIFIER=sipdnsd and
// SIPDNS_QUERY=1, so that `journalctl -t sipdnsd SIPDNS_QUERY=1` shows only queries. Null with
// `problem` when the daemon was built without libsystemd.
std::unique_ptr<Sink> open_journal_sink(std::string& problem);

}  // namespace sipdns::querylog
