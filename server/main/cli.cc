#include "cli.h"

#include <charconv>

namespace sipdns::app {

namespace {

bool take_value(const std::vector<std::string>& args, std::size_t& i, const std::string& flag,
                std::string& value, Command& cmd) {
    const std::string& arg = args[i];
    if (arg.size() > flag.size() && arg.compare(0, flag.size() + 1, flag + "=") == 0) {
        value = arg.substr(flag.size() + 1);
        return true;
    }
    if (arg != flag) return false;
    if (i + 1 >= args.size()) {
        cmd.kind = Command::Kind::Error;
        cmd.error = flag + " needs a value";
        return true;
    }
    value = args[++i];
    return true;
}

Command error(std::string text) {
    Command c;
    c.kind = Command::Kind::Error;
    c.error = std::move(text);
    return c;
}

}  // namespace

// One block per command; `sipdnsd --help` prints them all, `sipdnsd CMD --help` its own.
constexpr const char* kServeUsage =
    R"(  sipdnsd [--config FILE] [--listen ADDR:PORT]... [--threads N] [--log-level LEVEL] [--user NAME]
      Serve the site in FILE (default /etc/sipdns/site.yaml) in the foreground over UDP and
      TCP until SIGTERM or SIGINT; SIGHUP reloads FILE (a file with errors is logged and the
      old zones keep serving).
)";
constexpr const char* kCheckUsage =
    R"(  sipdnsd check FILE
      Validate FILE and print a summary: the serial, each zone with its records by type, the
      SIP Domain to enter and the locations. Errors: every one as file:line:col: message,
      exit 1.
)";
constexpr const char* kExportUsage =
    R"(  sipdnsd export FILE [--format zone|dnscmd|nsupdate] [--location NAME]
      Print every generated record: zone (default) as RFC 1035 zone files, one $ORIGIN block
      per zone; dnscmd as a Windows batch file of dnscmd commands to run on the Windows DNS
      server; nsupdate as an RFC 2136 dynamic-update script for nsupdate (add a "server ADDR
      PORT" line first). With geo-aware clusters, as clients in location NAME see them
      (default: clients in none).
)";
constexpr const char* kPlanUsage =
    R"(  sipdnsd plan FILE [--listen ADDR:PORT]
      Print the installer's checklist: the SIP Domain to enter in the PBX, the DHCP options
      for a third-party DHCP server (6, 15, 42, 66, 120 as RFC 3361 hex; 43/120 for Lync),
      and the dig and nslookup commands that check every record, with the answers to
      expect. The commands ask the first server.listen address, or ADDR:PORT.
)";
constexpr const char* kServeOptions = R"(
Options:
  --config FILE       site description (YAML), see sipdns-site.yaml(5)
  --listen ADDR:PORT  address to serve on, e.g. 127.0.0.1:5353 or [::1]:5353; repeatable;
                      overrides server.listen in the site file (default 0.0.0.0:53 and [::]:53)
  --threads N         worker threads, 1 to 256 (default: server.threads, else the number of
                      cores)
  --log-level LEVEL   trace, debug, info (default), warn, error, critical or off
  --user NAME         after binding the sockets, switch to this user (when started as root)
  --metrics ADDR:PORT serve Prometheus metrics at http://ADDR:PORT/metrics, e.g.
                      127.0.0.1:9153; overrides server.metrics in the site file (default off)
  -h, --help          print this help (sipdnsd COMMAND --help: that command's) and exit
  -V, --version       print the version and the libraries sipdnsd was built with, and exit
An option's value may also follow an equals sign: --threads=4. Exit status: 0 success,
1 errors in the site file or a socket that cannot be bound, 2 a wrong command line.
)";

std::string usage_text(Command::Kind topic) {
    std::string text = "Usage:\n";
    switch (topic) {
        case Command::Kind::Check:
            return text + kCheckUsage;
        case Command::Kind::Export:
            return text + kExportUsage;
        case Command::Kind::Plan:
            return text + kPlanUsage;
        default:
            return text + kServeUsage + kCheckUsage + kExportUsage + kPlanUsage +
                   "  sipdnsd --help | --version\n" + kServeOptions;
    }
}

Command parse_command_line(const std::vector<std::string>& args) {
    Command cmd;
    std::size_t i = 0;
    if (!args.empty() && (args[0] == "check" || args[0] == "export" || args[0] == "plan")) {
        cmd.kind = args[0] == "check"    ? Command::Kind::Check
                   : args[0] == "export" ? Command::Kind::Export
                                         : Command::Kind::Plan;
        for (i = 1; i < args.size(); ++i) {
            std::string listen;
            if (cmd.kind == Command::Kind::Plan && take_value(args, i, "--listen", listen, cmd)) {
                if (cmd.kind == Command::Kind::Error) return cmd;
                cmd.serve.listen.push_back(listen);
                continue;
            }
            if (cmd.kind == Command::Kind::Export &&
                (take_value(args, i, "--format", cmd.format, cmd) ||
                 take_value(args, i, "--location", cmd.location, cmd))) {
                if (cmd.kind == Command::Kind::Error) return cmd;
                continue;
            }
            if (args[i] == "--help" || args[i] == "-h") {
                cmd.help_for = cmd.kind;
                cmd.kind = Command::Kind::Help;
                return cmd;
            }
            if (!args[i].empty() && args[i][0] == '-') return error("unknown option " + args[i]);
            if (!cmd.file.empty()) return error("only one site file, got '" + args[i] + "' too");
            cmd.file = args[i];
        }
        if (cmd.file.empty()) return error(args[0] + " needs a site file");
        return cmd;
    }
    for (; i < args.size(); ++i) {
        const std::string& a = args[i];
        std::string value;
        if (a == "--help" || a == "-h") {
            cmd.kind = Command::Kind::Help;
            return cmd;
        }
        if (a == "--version" || a == "-V") {
            cmd.kind = Command::Kind::Version;
            return cmd;
        }
        if (take_value(args, i, "--config", cmd.serve.config_file, cmd) ||
            take_value(args, i, "--log-level", cmd.serve.log_level, cmd) ||
            take_value(args, i, "--user", cmd.serve.user, cmd) ||
            take_value(args, i, "--metrics", cmd.serve.metrics, cmd)) {
            if (cmd.kind == Command::Kind::Error) return cmd;
            continue;
        }
        if (take_value(args, i, "--listen", value, cmd)) {
            if (cmd.kind == Command::Kind::Error) return cmd;
            cmd.serve.listen.push_back(value);
            continue;
        }
        if (take_value(args, i, "--threads", value, cmd)) {
            if (cmd.kind == Command::Kind::Error) return cmd;
            unsigned n = 0;
            auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
            if (ec != std::errc() || p != value.data() + value.size() || n == 0 || n > 256)
                return error("--threads expects a number from 1 to 256, got '" + value + "'");
            cmd.serve.threads = n;
            continue;
        }
        return error("unknown argument '" + a + "' (see sipdnsd --help)");
    }
    static const char* levels[] = {"trace", "debug", "info", "warn", "error", "critical", "off"};
    bool level_ok = false;
    for (const char* l : levels) level_ok |= cmd.serve.log_level == l;
    if (!level_ok) return error("--log-level expects trace, debug, info, warn, error, critical or off");
    return cmd;
}

}  // namespace sipdns::app
