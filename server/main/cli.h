// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// Command-line parsing for sipdnsd (docs/design.md §6). No globals: parse() returns what to do.
#include <optional>
#include <string>
#include <vector>

namespace sipdns::app {

struct ServeOptions {
    std::string config_file = "/etc/sipdns/site.yaml";
    std::vector<std::string> listen;  // --listen ADDR:PORT, repeatable; overrides the file
                                      // (plan: where its commands send their queries)
    std::optional<unsigned> threads;  // --threads N; default: the file, then the core count
    std::string log_level = "info";   // trace debug info warn error critical off
    std::string user;                 // --user NAME: drop privileges after binding
    std::string metrics;              // --metrics ADDR:PORT: Prometheus endpoint; overrides
                                      // server.metrics (empty: the file's, else off)
    std::string xdp;                  // --xdp IFACE: AF_XDP fast path on IFACE; overrides
                                      // server.xdp.interface (empty: the file's, else off)
    std::string control;              // --control PATH: the control socket; serving: overrides
                                      // server.control; status/reload: where to ask (empty:
                                      // config::kDefaultControlSocket)
};

struct Command {
    enum class Kind { Serve, Check, Export, Plan, Resolve, Verify, Status, Reload, Watch, Help,
                      Version, Error };
    Kind kind = Kind::Serve;
    ServeOptions serve;
    std::string file;              // check / export / plan
    std::string format = "zone";   // export
    std::string location;          // export --location NAME
    std::string uri;               // resolve: the SIP or SIPS URI (checked: parse_sip_uri)
    std::string server;            // resolve / verify --server ADDR:PORT (empty: the default)
    std::string transport;         // resolve --transport udp|tcp|tls (empty: any)
    bool json = false;             // status --json
    struct WatchFilter {           // watch --client / --name / --type (checked; empty = all)
        std::string client;
        std::string name;
        std::string type;
    } watch;
    std::string error;             // Kind::Error: the mistake, in one line
    std::string hint;              // Kind::Error: what to try instead, in one line
    Kind help_for = Kind::Help;    // Kind::Help: the subcommand asked about (Help: all of them)
};

// Every value is checked here (ADDR:PORT, thread count, log level, export format), so that a
// wrong command line is a usage error (exit 2) before any file is read. A mistake gives one
// line saying what is wrong (with "did you mean" for a mistyped command or option) and one hint
// line, `try 'sipdnsd --help'` or a corrected command line.
Command parse_command_line(const std::vector<std::string>& args);

// Why `text` is not an ADDR:PORT as --listen and --metrics take it ("the port is missing",
// "IPv6 addresses go in brackets", ...); nullopt when it is one.
std::optional<std::string> endpoint_problem(const std::string& text);

// The text of `sipdnsd --help` (`topic` Help), or of `sipdnsd COMMAND --help` (Check, Export,
// Plan, Resolve, Verify, Status, Reload, Watch: that subcommand's usage alone).
std::string usage_text(Command::Kind topic = Command::Kind::Help);

}  // namespace sipdns::app
