// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// server.dnstap (docs/design.md §11): every query and its response as dnstap messages
// (https://dnstap.info) in Frame Streams, content type "protobuf:dnstap.Dnstap" — written to a
// reader's unix socket (fstrm_capture, a collector) or to a file. AUTH_QUERY and AUTH_RESPONSE
// for names of our zones, CLIENT_QUERY and CLIENT_RESPONSE for forwarded names; a dropped query
// is logged as its query only.
//
// The frames leave through libfstrm's I/O thread: the logger thread only queues them. A full
// queue drops the frame (counted in lost()); a socket reader that is not there yet, or goes away,
// costs nothing but its frames (libfstrm discards them, uncounted, while it has no reader): the
// I/O thread tries to connect again each second.
#include <memory>
#include <string>

#include "sipdns/querylog/query_log.h"

namespace sipdns::querylog {

// Writes to the reader listening on `unix_socket_path` (connecting when it appears). `identity`
// and `version` go into every frame (left out when empty). Null with `problem`
// ("dnstap socket PATH: why") when the path cannot be a unix socket's.
std::unique_ptr<Sink> open_dnstap_socket_sink(const std::string& unix_socket_path,
                                              std::string identity, std::string version,
                                              std::string& problem);

// Writes a Frame Streams file at `path` (created 0640; an existing file is started anew, as a
// Frame Streams file holds one stream). reopen() — SIGHUP, for logrotate — starts a new file only
// when `path` no longer names the file being written. Null with `problem`
// ("dnstap file PATH: why") when it cannot be created.
std::unique_ptr<Sink> open_dnstap_file_sink(const std::string& path, std::string identity,
                                            std::string version, std::string& problem);

}  // namespace sipdns::querylog
