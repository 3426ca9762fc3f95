#pragma once
// Command-line parsing for sipdnsd (DESIGN.md §6). No globals: parse() returns what to do.
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
};

struct Command {
    enum class Kind { Serve, Check, Export, Plan, Help, Version, Error };
    Kind kind = Kind::Serve;
    ServeOptions serve;
    std::string file;              // check / export / plan
    std::string format = "zone";   // export
    std::string location;          // export --location NAME
    std::string error;             // Kind::Error: what was wrong
    Kind help_for = Kind::Help;    // Kind::Help: the subcommand asked about (Help: all of them)
};

Command parse_command_line(const std::vector<std::string>& args);

// The text of `sipdnsd --help` (`topic` Help), or of `sipdnsd check|export|plan --help`
// (Check, Export, Plan: that subcommand's usage alone).
std::string usage_text(Command::Kind topic = Command::Kind::Help);

}  // namespace sipdns::app
