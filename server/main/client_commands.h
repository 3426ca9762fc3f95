// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// The commands that ask a DNS server as a client (issue 15): `resolve` and `verify`.
#include <iosfwd>
#include <string>

namespace sipdns::app {

// RFC 3263 §4 for `uri` (already checked by the command line) against `server` (ADDR:PORT;
// empty: the first nameserver of /etc/resolv.conf), with `transport` (empty: any) the only
// transport the client has. Exit 0 with a list of destinations, 1 with none or no reply.
int run_resolve(const std::string& uri, const std::string& server, const std::string& transport,
                std::ostream& out, std::ostream& err);

// The plan's DNS checks for `file` against `server` (empty: the server plan's commands ask).
// Exit 0 when every check matches, 1 on a mismatch, a server without reply or a broken file.
int run_verify(const std::string& file, const std::string& server, std::ostream& out,
               std::ostream& err);

}  // namespace sipdns::app
