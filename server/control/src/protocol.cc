// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#include "sipdns/control/protocol.h"

namespace sipdns::control {

namespace {

// TEXT never holds a line break: a diagnostic quoting a file's bytes must not end the line.
std::string one_line(std::string_view text) {
    std::string out(text);
    for (char& c : out)
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
    return out;
}

void set_problem(std::string* problem, std::string text) {
    if (problem) *problem = std::move(text);
}

}  // namespace

std::string_view request_text(Request request) {
    switch (request) {
        case Request::Status:
            return "status";
        case Request::StatusJson:
            return "status json";
        case Request::Reload:
            return "reload";
        case Request::Watch:
            return "watch";
    }
    return "";
}

std::string format_watch_request(const WatchRequest& request) {
    std::string line = "watch";
    if (!request.client.empty()) line += " client=" + request.client;
    if (!request.name.empty()) line += " name=" + request.name;
    if (!request.type.empty()) line += " type=" + request.type;
    return line;
}

std::optional<WatchRequest> parse_watch_request(std::string_view line, std::string* problem) {
    if (line.ends_with('\r')) line.remove_suffix(1);
    if (line != "watch" && !line.starts_with("watch ")) {
        set_problem(problem, "not a watch request");
        return std::nullopt;
    }
    line.remove_prefix(5);
    WatchRequest request;
    while (!line.empty()) {
        if (line.front() == ' ') {
            line.remove_prefix(1);
            continue;
        }
        const auto end = line.find(' ');
        const std::string_view word = line.substr(0, end);
        line.remove_prefix(end == std::string_view::npos ? line.size() : end);
        const auto eq = word.find('=');
        const std::string_view key = word.substr(0, eq);
        std::string* field = key == "client" ? &request.client
                             : key == "name" ? &request.name
                             : key == "type" ? &request.type
                                             : nullptr;
        if (eq == std::string_view::npos || eq + 1 == word.size() || field == nullptr ||
            !field->empty()) {
            set_problem(problem, "watch: '" + one_line(word) +
                                     "' is not client=PREFIX, name=SUFFIX or type=TYPE (each "
                                     "at most once)");
            return std::nullopt;
        }
        *field = std::string(word.substr(eq + 1));
    }
    return request;
}

std::optional<Request> parse_request(std::string_view line, std::string* problem) {
    if (line.ends_with('\r')) line.remove_suffix(1);
    for (const Request r : {Request::Status, Request::StatusJson, Request::Reload})
        if (line == request_text(r)) return r;
    if (line.size() + 1 > kMaxRequestLine) {
        set_problem(problem, "request line longer than " + std::to_string(kMaxRequestLine) +
                                 " bytes");
    } else {
        set_problem(problem, "unknown request '" + one_line(line) +
                                 "' (expected status, status json, reload or watch)");
    }
    return std::nullopt;
}

std::string format_response_line(const ResponseLine& line) {
    std::string wire = line.stream == Stream::Out ? "1 " : "2 ";
    wire += one_line(line.text);
    wire += '\n';
    return wire;
}

std::string format_response(const Response& response) {
    std::string wire;
    for (const ResponseLine& line : response.lines) wire += format_response_line(line);
    switch (response.outcome) {
        case Outcome::Ok:
            wire += "ok\n";
            break;
        case Outcome::Failed:
            wire += "failed\n";
            break;
        case Outcome::Error:
            wire += "error " + one_line(response.error) + "\n";
            break;
    }
    return wire;
}

std::optional<Response> parse_response(std::string_view wire, std::string* problem) {
    Response response;
    std::size_t number = 0;
    while (!wire.empty()) {
        const auto end = wire.find('\n');
        if (end == std::string_view::npos) break;  // an unfinished last line: no status line
        const std::string_view line = wire.substr(0, end);
        wire.remove_prefix(end + 1);
        ++number;
        if (line.starts_with("1 ") || line.starts_with("2 ")) {
            response.lines.push_back(
                {line[0] == '1' ? Stream::Out : Stream::Err, std::string(line.substr(2))});
        } else if (line == "ok") {
            response.outcome = Outcome::Ok;
            return response;
        } else if (line == "failed") {
            response.outcome = Outcome::Failed;
            return response;
        } else if (line.starts_with("error ")) {
            response.outcome = Outcome::Error;
            response.error = std::string(line.substr(6));
            return response;
        } else {
            set_problem(problem, "line " + std::to_string(number) + " of the reply is '" +
                                     one_line(line.substr(0, 80)) +
                                     "' (expected '1 ', '2 ', ok, failed or error)");
            return std::nullopt;
        }
    }
    set_problem(problem, "the reply ended before its status line");
    return std::nullopt;
}

Response reload_response(const ReloadOutcome& outcome) {
    Response r;
    if (outcome.ok) {
        for (const auto& w : outcome.warnings) r.lines.push_back({Stream::Err, w});
        r.lines.push_back({Stream::Out, "reloaded: " + outcome.serving});
        r.outcome = Outcome::Ok;
    } else {
        for (const auto& e : outcome.errors) r.lines.push_back({Stream::Err, e});
        r.lines.push_back({Stream::Err, "reload failed: still serving " + outcome.serving});
        r.outcome = Outcome::Failed;
    }
    return r;
}

}  // namespace sipdns::control
