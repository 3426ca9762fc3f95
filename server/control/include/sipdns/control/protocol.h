// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// The control socket's line protocol (docs/design.md §11), between `sipdnsd status|reload` and the
// daemon. Plain text, one exchange per connection:
//
//   client -> daemon   one request line, ended by LF, at most kMaxRequestLine bytes with it:
//                        status          the status report as text
//                        status json     the status report as one line of JSON
//                        reload          reload the site file now and answer when done
//                        watch [client=PREFIX] [name=SUFFIX] [type=TYPE]
//                                        the live query log: "1 LINE" per query that passes
//                                        the filter, "2 -- N lines lost ... --" when the client
//                                        reads too slowly, until the client closes
//   daemon -> client   response lines, then one status line, then the daemon closes:
//                        "1 TEXT"        a line for the client's standard output
//                        "2 TEXT"        a line for the client's standard error
//                        "ok"            done (exit 0)
//                        "failed"        done, and it failed: a reload of a site file with
//                                        errors; the old zones keep serving (exit 1)
//                        "error TEXT"    not done: unknown request, a peer that may not
//                                        connect, no request in time (exit 1)
//
// TEXT never holds a line break (control characters become spaces). A peer that is neither
// root nor the daemon's own user (SO_PEERCRED) gets one "error" line and is closed.
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sipdns::control {

inline constexpr std::size_t kMaxRequestLine = 256;
// A client that sends no complete request line within this is closed.
inline constexpr std::chrono::seconds kRequestTimeout{5};

enum class Request { Status, StatusJson, Reload, Watch };

// The filter of a watch request; an empty field is not filtered. The values are checked by the
// daemon (it knows what an address prefix and a record type are), not here.
struct WatchRequest {
    std::string client;
    std::string name;
    std::string type;
    bool operator==(const WatchRequest&) const = default;
};
// "watch client=10.0.0.0/8 type=SRV" (the fields that are set, in this order).
std::string format_watch_request(const WatchRequest& request);
// The arguments of a "watch ..." line; nullopt with `problem` when it is another request or an
// argument is not KEY=VALUE with a known key (once each, no spaces in values).
std::optional<WatchRequest> parse_watch_request(std::string_view line, std::string* problem);

std::string_view request_text(Request request);  // "status json"

// A request line without its LF (a CR before it is allowed). nullopt: not a request; `problem`
// then says why, for the "error" line.
std::optional<Request> parse_request(std::string_view line, std::string* problem = nullptr);

enum class Stream { Out, Err };
struct ResponseLine {
    Stream stream = Stream::Out;
    std::string text;
    bool operator==(const ResponseLine&) const = default;
};

enum class Outcome { Ok, Failed, Error };
struct Response {
    std::vector<ResponseLine> lines;
    Outcome outcome = Outcome::Ok;
    std::string error;  // Outcome::Error: why, in one line
    bool operator==(const Response&) const = default;
};

// The whole reply as sent: the lines, then the status line, each ended by LF.
std::string format_response(const Response& response);
// One "1 TEXT" / "2 TEXT" line with its LF (a watch's stream).
std::string format_response_line(const ResponseLine& line);

// The reply as received, up to the status line (what follows it is ignored). nullopt when it is
// not one (a line of another form, or no status line before the end); `problem` says which.
std::optional<Response> parse_response(std::string_view wire, std::string* problem = nullptr);

// What a reload did, as `sipdnsd reload` prints it.
struct ReloadOutcome {
    bool ok = false;
    std::string serving;                // "serial 2026120301, 26 records": now served
    std::vector<std::string> errors;    // failed: every diagnostic, "file:line:col: message"
    std::vector<std::string> warnings;  // the file's warnings and restart-only notes
};

// ok: the warnings on standard error, then "reloaded: serial N, M records"; failed: every
// error on standard error, then "reload failed: still serving serial N, M records".
Response reload_response(const ReloadOutcome& outcome);

}  // namespace sipdns::control
