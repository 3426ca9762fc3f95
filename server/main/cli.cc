// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#include "cli.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <filesystem>
#include <map>
#include <span>
#include <string_view>
#include <system_error>

#include "sipdns/config/address.h"
#include "sipdns/config/diagnostic.h"
#include "sipdns/config/interface_name.h"
#include "sipdns/querylog/line.h"
#include "sipdns/resolve/sip_uri.h"

namespace sipdns::app {

namespace {

using config::quote_value;

enum class Arity { Once, Repeated };

struct OptionSpec {
    std::string_view name;
    Arity arity;
};

// The options that take a value, per command; --help (and, for serving, --version) besides.
constexpr std::array<OptionSpec, 8> kServeSpecs{{{"--config", Arity::Once},
                                                 {"--listen", Arity::Repeated},
                                                 {"--threads", Arity::Once},
                                                 {"--log-level", Arity::Once},
                                                 {"--user", Arity::Once},
                                                 {"--metrics", Arity::Once},
                                                 {"--xdp", Arity::Once},
                                                 {"--control", Arity::Once}}};
constexpr std::array<OptionSpec, 0> kCheckSpecs{};
constexpr std::array<OptionSpec, 2> kExportSpecs{{{"--format", Arity::Once},
                                                  {"--location", Arity::Once}}};
constexpr std::array<OptionSpec, 1> kPlanSpecs{{{"--listen", Arity::Repeated}}};
constexpr std::array<OptionSpec, 2> kResolveSpecs{{{"--server", Arity::Once},
                                                   {"--transport", Arity::Once}}};
constexpr std::array<OptionSpec, 1> kVerifySpecs{{{"--server", Arity::Once}}};
// status and reload ask the running daemon over its control socket; status also takes --json.
constexpr std::array<OptionSpec, 1> kControlSpecs{{{"--control", Arity::Once}}};
constexpr std::array<OptionSpec, 4> kWatchSpecs{{{"--control", Arity::Once},
                                                 {"--client", Arity::Once},
                                                 {"--name", Arity::Once},
                                                 {"--type", Arity::Once}}};

constexpr std::array<std::string_view, 8> kCommands{"check",  "export", "plan",   "resolve",
                                                    "verify", "status", "reload", "watch"};
constexpr std::array<std::string_view, 7> kLogLevels{"trace", "debug",    "info", "warn",
                                                     "error", "critical", "off"};
constexpr std::array<std::string_view, 3> kFormats{"zone", "dnscmd", "nsupdate"};

std::string_view command_name(Command::Kind kind) {
    switch (kind) {
        case Command::Kind::Check:
            return "check";
        case Command::Kind::Export:
            return "export";
        case Command::Kind::Plan:
            return "plan";
        case Command::Kind::Resolve:
            return "resolve";
        case Command::Kind::Verify:
            return "verify";
        case Command::Kind::Status:
            return "status";
        case Command::Kind::Reload:
            return "reload";
        case Command::Kind::Watch:
            return "watch";
        default:
            return "";
    }
}

std::span<const OptionSpec> specs_of(Command::Kind kind) {
    switch (kind) {
        case Command::Kind::Check:
            return kCheckSpecs;
        case Command::Kind::Export:
            return kExportSpecs;
        case Command::Kind::Plan:
            return kPlanSpecs;
        case Command::Kind::Resolve:
            return kResolveSpecs;
        case Command::Kind::Verify:
            return kVerifySpecs;
        case Command::Kind::Status:
        case Command::Kind::Reload:
            return kControlSpecs;
        case Command::Kind::Watch:
            return kWatchSpecs;
        default:
            return kServeSpecs;
    }
}

// `try 'sipdnsd --help'`, or that command's help.
std::string help_hint(Command::Kind kind) {
    const std::string_view name = command_name(kind);
    return "try 'sipdnsd " + (name.empty() ? std::string() : std::string(name) + " ") + "--help'";
}

Command error(std::string text, std::string hint) {
    Command c;
    c.kind = Command::Kind::Error;
    c.error = std::move(text);
    c.hint = std::move(hint);
    return c;
}

// A word as the user would type it again in a shell: as it is when that is safe, else in
// double quotes.
std::string shell_word(std::string_view word) {
    const bool plain = !word.empty() && std::all_of(word.begin(), word.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               std::string_view("_./:@%+=,-").find(c) != std::string_view::npos;
    });
    if (plain) return std::string(word);
    std::string out = "\"";
    for (const char c : word) {
        if (c == '"' || c == '\\' || c == '$' || c == '`') out += '\\';
        out += c;
    }
    return out + "\"";
}

// "did you mean": the closest spelling (config::closest_spelling), else the one candidate that
// `typed` starts (exp for export, form for format).
std::string_view suggestion(std::string_view typed, std::span<const std::string_view> candidates) {
    const std::string_view close = config::closest_spelling(typed, candidates);
    if (!close.empty()) return close;
    std::string_view only;
    for (const std::string_view c : candidates) {
        if (typed.size() < 2 || !c.starts_with(typed)) continue;
        if (!only.empty()) return {};  // ambiguous
        only = c;
    }
    return only;
}

std::string did_you_mean(std::string_view typed, std::span<const std::string_view> candidates) {
    const std::string_view s = suggestion(typed, candidates);
    return s.empty() ? std::string() : "; did you mean '" + std::string(s) + "'?";
}

// A site file named where a command was expected: it exists, or it is named like one.
bool looks_like_site_file(const std::string& arg) {
    if (arg.ends_with(".yaml") || arg.ends_with(".yml")) return true;
    std::error_code ec;
    return std::filesystem::is_regular_file(arg, ec);
}

bool all_digits(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

std::optional<std::string> endpoint_problem(const std::string& text) {
    if (config::IpEndpoint::parse(text)) return std::nullopt;
    if (text.empty()) return "expected ADDR:PORT such as 127.0.0.1:53 or [::1]:53, got nothing";
    std::string_view host;
    std::string_view port;
    bool v6 = false;
    if (text.front() == '[') {
        const auto close = text.find(']');
        if (close == std::string::npos) return "the IPv6 address has no closing ']'";
        host = std::string_view(text).substr(1, close - 1);
        v6 = true;
        const std::string_view rest = std::string_view(text).substr(close + 1);
        if (rest.empty())
            return "the port is missing: write " + quote_value(text + ":53") + " for port 53";
        if (rest.front() != ':' || rest.size() == 1)
            return "expected ':' and a port after ']', as in [::1]:53";
        port = rest.substr(1);
    } else {
        const auto colons = std::count(text.begin(), text.end(), ':');
        if (colons == 0) {
            if (config::IpAddress::parse_v4(text))
                return "the port is missing: write " + quote_value(text + ":53") + " for port 53";
            return "expected ADDR:PORT such as 127.0.0.1:53 or [::1]:53";
        }
        if (colons > 1) {
            // An IPv6 address alone, or with a port glued on: both need brackets (RFC 3986
            // §3.2.2 notation).
            // "2001:db8::1:5353" is an address too; a port glued on is the likelier meaning.
            const auto last = text.rfind(':');
            if (all_digits(std::string_view(text).substr(last + 1)) &&
                config::IpAddress::parse_v6(std::string_view(text).substr(0, last)))
                return "IPv6 addresses go in brackets before the port: write " +
                       quote_value("[" + text.substr(0, last) + "]" + text.substr(last));
            if (config::IpAddress::parse_v6(text))
                return "IPv6 addresses go in brackets before the port: write " +
                       quote_value("[" + text + "]:53") + " for port 53";
            return "expected ADDR:PORT such as 127.0.0.1:53 or [::1]:53";
        }
        const auto colon = text.find(':');
        host = std::string_view(text).substr(0, colon);
        port = std::string_view(text).substr(colon + 1);
    }
    if (v6 ? !config::IpAddress::parse_v6(host) : !config::IpAddress::parse_v4(host)) {
        // A host name would need resolving, and a daemon binds before it may ask anyone.
        return quote_value(host) + " is not an " + (v6 ? "IPv6" : "IPv4") +
               " address (names are not resolved here)";
    }
    if (!all_digits(port)) return "the port " + quote_value(port) + " is not a number";
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc() || end != port.data() + port.size() || value < 1 || value > 65535)
        return "the port " + config::show_value(port) + " is out of range 1-65535";
    return "expected ADDR:PORT such as 127.0.0.1:53 or [::1]:53";
}

// One block per command; `sipdnsd --help` prints them all, `sipdnsd CMD --help` its own.
constexpr const char* kServeUsage =
    R"(  sipdnsd [--config FILE] [--listen ADDR:PORT]... [--threads N] [--log-level LEVEL]
          [--user NAME] [--metrics ADDR:PORT] [--xdp IFACE] [--control PATH]
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
constexpr const char* kResolveUsage =
    R"(  sipdnsd resolve sip:user@domain [--server ADDR:PORT] [--transport udp|tcp|tls]
      Locate the SIP server of a sip: or sips: URI as a phone does (RFC 3263 §4): NAPTR,
      SRV, A/AAAA, printed step by step, then the (transport, address, port) list in the
      order a phone tries it, with the priority/weight rules. Asks ADDR:PORT, else the first
      nameserver of /etc/resolv.conf. --transport: a client with that transport only. Exit 1
      when nothing is found or the server does not answer.
)";
constexpr const char* kVerifyUsage =
    R"(  sipdnsd verify FILE [--server ADDR:PORT]
      Ask a live server every DNS check that 'sipdnsd plan FILE' prints and print one line
      per check: ok, or MISMATCH with the answer expected and the one served. Asks the
      server plan's commands ask, or ADDR:PORT. Exit 1 on any mismatch or when the server
      does not answer.
)";
constexpr const char* kStatusUsage =
    R"(  sipdnsd status [--json] [--control PATH]
      Ask the running daemon how it is: version, uptime, site file, listeners, each zone's
      serial and record count, the last reload (when, result, errors), forwarding, and the
      queries answered since start by transport and rcode. --json: the same as one JSON
      object (fields in sipdnsd(8)).
)";
constexpr const char* kReloadUsage =
    R"(  sipdnsd reload [--control PATH]
      Make the running daemon reload its site file now, as SIGHUP does, and wait: prints
      "reloaded: serial N, M records" and exits 0, or every error as file:line:col: message
      and exits 1 while the old zones keep serving.
)";
constexpr const char* kWatchUsage =
    R"(  sipdnsd watch [--client PREFIX] [--name SUFFIX] [--type TYPE] [--control PATH]
      Show the running daemon's queries as they are answered, one line each, until Ctrl-C:
      time, client#port, transport, question, rcode, flags, answer/authority/additional
      counts, size, location (fwd and the upstream's time for forwarded names). --client: an
      address or prefix (192.0.2.55, 10.1.0.0/16); --name: that name and those below it;
      --type: SRV, A, NAPTR, ... Lines a slow terminal cannot take are dropped and counted.
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
  --xdp IFACE         answer UDP queries arriving on network interface IFACE through AF_XDP,
                      past the kernel's socket path (TCP stays on sockets); overrides
                      server.xdp.interface in the site file (default off)
  --control PATH      the control socket that status, reload and watch use (default
                      /run/sipdns/control); serving: overrides server.control
  -h, --help          print this help (sipdnsd COMMAND --help: that command's) and exit
  -V, --version       print the version and the libraries sipdnsd was built with, and exit
An option's value may also follow an equals sign: --threads=4. Each option but --listen is
given once. Exit status: 0 success, 1 errors in the site file or a socket that cannot be
bound, 2 a wrong command line; status, reload and watch: 1 also when the daemon cannot be
reached (or stops) or the reload failed.
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
        case Command::Kind::Resolve:
            return text + kResolveUsage;
        case Command::Kind::Verify:
            return text + kVerifyUsage;
        case Command::Kind::Status:
            return text + kStatusUsage;
        case Command::Kind::Reload:
            return text + kReloadUsage;
        case Command::Kind::Watch:
            return text + kWatchUsage;
        default:
            return text + kServeUsage + kCheckUsage + kExportUsage + kPlanUsage + kResolveUsage +
                   kVerifyUsage + kStatusUsage + kReloadUsage + kWatchUsage +
                   "  sipdnsd --help | --version\n" + kServeOptions;
    }
}

namespace {

// Where an option seen on the command line goes, and whether its value is right.
class Parser {
  public:
    Parser(const std::vector<std::string>& args, Command::Kind kind) : args_(args) {
        cmd_.kind = kind;
    }

    Command run(std::size_t first) {
        for (i_ = first; i_ < args_.size(); ++i_) {
            const std::string& arg = args_[i_];
            if (arg == "--help" || arg == "-h") {
                cmd_.help_for = cmd_.kind == Command::Kind::Serve ? Command::Kind::Help : cmd_.kind;
                cmd_.kind = Command::Kind::Help;
                return cmd_;
            }
            if (serving() && (arg == "--version" || arg == "-V")) {
                cmd_.kind = Command::Kind::Version;
                return cmd_;
            }
            if (cmd_.kind == Command::Kind::Status && arg == "--json") {
                cmd_.json = true;
                continue;
            }
            if (arg.size() > 1 && arg[0] == '-') {
                if (auto e = option(arg)) return *e;
            } else if (auto e = positional(arg)) {
                return *e;
            }
        }
        if (cmd_.kind == Command::Kind::Resolve && cmd_.uri.empty())
            return error("resolve needs a SIP URI: sipdnsd resolve sip:user@domain",
                         help_hint(cmd_.kind));
        if (cmd_.kind == Command::Kind::Resolve) return checked_uri();
        if (cmd_.kind == Command::Kind::Watch) {
            std::string problem;
            if (!querylog::parse_watch_filter(cmd_.watch.client, cmd_.watch.name, cmd_.watch.type,
                                              problem))
                return *fail(problem);
        }
        if (!serving() && !asks_daemon() && cmd_.file.empty()) {
            const std::string name(command_name(cmd_.kind));
            return error(name + " needs a site file: sipdnsd " + name + " FILE", help_hint(cmd_.kind));
        }
        return cmd_;
    }

  private:
    bool serving() const { return cmd_.kind == Command::Kind::Serve; }
    bool asks_daemon() const {
        return cmd_.kind == Command::Kind::Status || cmd_.kind == Command::Kind::Reload ||
               cmd_.kind == Command::Kind::Watch;
    }

    std::optional<Command> fail(std::string text) const {
        return error(std::move(text), help_hint(cmd_.kind));
    }

    std::optional<Command> option(const std::string& arg) {
        const auto eq = arg.find('=');
        const std::string name = arg.substr(0, eq);
        const auto specs = specs_of(cmd_.kind);
        const auto spec = std::find_if(specs.begin(), specs.end(),
                                       [&](const OptionSpec& s) { return s.name == name; });
        if (spec == specs.end() || !name.starts_with("--")) return unknown_option(arg, name);
        std::string value;
        if (eq != std::string::npos) {
            value = arg.substr(eq + 1);
        } else if (i_ + 1 < args_.size()) {
            value = args_[++i_];
        }
        if (value.empty()) return fail(name + " needs a value");
        if (spec->arity == Arity::Once) {
            auto [first, fresh] = seen_.emplace(name, value);
            if (!fresh)
                return fail(name + " is given twice (" + quote_value(first->second) + ", then " +
                            quote_value(value) + "); give it once");
        }
        return take(name, value);
    }

    std::optional<Command> unknown_option(const std::string& arg, const std::string& name) {
        // Another command's option: say whose it is.
        for (const Command::Kind other :
             {Command::Kind::Serve, Command::Kind::Export, Command::Kind::Plan,
              Command::Kind::Resolve}) {
            if (other == cmd_.kind) continue;
            for (const OptionSpec& s : specs_of(other)) {
                if (s.name != name) continue;
                if (name == "--config" && !serving()) {
                    const std::string command(command_name(cmd_.kind));
                    return error(command + " takes the site file as its argument, not --config",
                                 "try 'sipdnsd " + command + " FILE'");
                }
                return fail(name + " is an option of " +
                            (other == Command::Kind::Serve
                                 ? std::string("serving (sipdnsd without a command)")
                                 : "'sipdnsd " + std::string(command_name(other)) + "'") +
                            ", not of " +
                            (serving() ? std::string("serving")
                                       : "'" + std::string(command_name(cmd_.kind)) + "'"));
            }
        }
        std::vector<std::string_view> known{"help"};
        if (serving()) known.push_back("version");
        if (cmd_.kind == Command::Kind::Status) known.push_back("json");
        for (const OptionSpec& s : specs_of(cmd_.kind)) known.push_back(s.name.substr(2));
        // Compared without their dashes, so that -config and ---config find --config too.
        const auto letters = name.find_first_not_of('-');
        const std::string_view bare =
            letters == std::string::npos ? std::string_view() : std::string_view(name).substr(letters);
        const std::string_view close = suggestion(bare, known);
        return fail("unknown option " + quote_value(arg) +
                    (close.empty() ? std::string() : "; did you mean '--" + std::string(close) + "'?"));
    }

    std::optional<Command> take(const std::string& name, const std::string& value) {
        if (name == "--listen" || name == "--metrics" || name == "--server") {
            if (auto problem = endpoint_problem(value))
                return fail(name + " " + quote_value(value) + ": " + *problem);
            if (name == "--listen") cmd_.serve.listen.push_back(value);
            else if (name == "--server") cmd_.server = value;
            else cmd_.serve.metrics = value;
        } else if (name == "--transport") {
            if (!resolve::parse_transport(value))
                return fail("--transport " + quote_value(value) + ": expected udp, tcp or tls");
            cmd_.transport = value;
        } else if (name == "--threads") {
            unsigned n = 0;
            auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
            if (ec != std::errc() || p != value.data() + value.size() || n == 0 || n > 256)
                return fail("--threads " + quote_value(value) + ": expected a number from 1 to 256");
            cmd_.serve.threads = n;
        } else if (name == "--log-level") {
            if (std::find(kLogLevels.begin(), kLogLevels.end(), value) == kLogLevels.end())
                return fail("--log-level " + quote_value(value) +
                            ": expected trace, debug, info, warn, error, critical or off" +
                            did_you_mean(value, kLogLevels));
            cmd_.serve.log_level = value;
        } else if (name == "--format") {
            if (std::find(kFormats.begin(), kFormats.end(), value) == kFormats.end())
                return fail("--format " + quote_value(value) + ": expected zone, dnscmd or nsupdate" +
                            did_you_mean(value, kFormats));
            cmd_.format = value;
        } else if (name == "--config") {
            cmd_.serve.config_file = value;
        } else if (name == "--user") {
            cmd_.serve.user = value;
        } else if (name == "--xdp") {
            if (!config::is_interface_name(value))
                return fail("--xdp " + quote_value(value) +
                            ": expected a network interface name such as eth1 (at most 15 "
                            "characters)");
            cmd_.serve.xdp = value;
        } else if (name == "--control") {
            cmd_.serve.control = value;
        } else if (name == "--location") {
            cmd_.location = value;
        } else if (name == "--client") {
            cmd_.watch.client = value;
        } else if (name == "--name") {
            cmd_.watch.name = value;
        } else if (name == "--type") {
            cmd_.watch.type = value;
        }
        return std::nullopt;
    }

    // resolve's URI: a usage error when it is not one (RFC 3261 §19.1.1), or when --transport
    // leaves nothing a sips: URI (TLS only) or its transport parameter allows.
    Command checked_uri() const {
        const auto uri = resolve::parse_sip_uri(cmd_.uri);
        if (!uri)
            return error("resolve " + quote_value(cmd_.uri) + ": " + uri.error(),
                         "try 'sipdnsd resolve sip:alice@example.com'");
        const auto only = resolve::parse_transport(cmd_.transport);
        if (only && uri->sips && *only != resolve::Transport::Tls)
            return *fail("--transport " + cmd_.transport +
                        ": a sips: URI is reached over TLS only (RFC 3261 §26.2.2)");
        if (only && uri->transport && *uri->transport != *only)
            return *fail("--transport " + cmd_.transport + " contradicts the URI's transport=" +
                        std::string(resolve::transport_name(*uri->transport)));
        return cmd_;
    }

    std::optional<Command> positional(const std::string& arg) {
        if (cmd_.kind == Command::Kind::Resolve) {
            if (!cmd_.uri.empty())
                return fail("only one URI: got " + quote_value(cmd_.uri) + " and " +
                            quote_value(arg));
            cmd_.uri = arg;
            return std::nullopt;
        }
        if (asks_daemon()) {
            const std::string name(command_name(cmd_.kind));
            return fail(name + " takes no argument, got " + quote_value(arg) +
                        " (it asks the running daemon; --control PATH names its socket)");
        }
        if (!serving()) {
            if (!cmd_.file.empty())
                return fail("only one site file: got " + quote_value(cmd_.file) + " and " +
                            quote_value(arg));
            cmd_.file = arg;
            return std::nullopt;
        }
        // Serving takes no argument: a command after the options, a site file without
        // --config, or a mistyped command.
        if (std::find(kCommands.begin(), kCommands.end(), arg) != kCommands.end())
            return error("the command " + quote_value(arg) + " must come first: sipdnsd " + arg +
                             (arg == "resolve" ? " sip:user@domain"
                              : arg == "status" || arg == "reload" || arg == "watch"
                                  ? ""
                                  : " FILE") +
                             " [options]",
                         "try 'sipdnsd " + arg + " --help'");
        if (arg.starts_with("sip:") || arg.starts_with("sips:"))
            return error(quote_value(arg) + " is not a command; to locate its SIP server, use resolve",
                         "try 'sipdnsd resolve " + shell_word(arg) + "'");
        if (arg.size() <= 4096 && looks_like_site_file(arg)) {
            const std::string file = shell_word(arg);
            return error(quote_value(arg) + " is not a command; to serve a site file, name it "
                                            "with --config",
                         "try 'sipdnsd --config " + file + "' to serve it, or 'sipdnsd check " +
                             file + "' to check it");
        }
        if (arg == "help" || arg == "version")
            return fail("unknown command '" + arg + "'; did you mean '--" + arg + "'?");
        const std::string_view close = suggestion(arg, kCommands);
        return fail("unknown command " + quote_value(arg) +
                    (close.empty() ? " (the commands are check, export, plan, resolve, verify, "
                                     "status, reload and watch; serving takes options only)"
                                   : "; did you mean '" + std::string(close) + "'?"));
    }

    const std::vector<std::string>& args_;
    std::size_t i_ = 0;
    Command cmd_;
    std::map<std::string, std::string> seen_;  // options given once: name -> value
};

}  // namespace

Command parse_command_line(const std::vector<std::string>& args) {
    if (!args.empty()) {
        for (const Command::Kind kind :
             {Command::Kind::Check, Command::Kind::Export, Command::Kind::Plan,
              Command::Kind::Resolve, Command::Kind::Verify, Command::Kind::Status,
              Command::Kind::Reload, Command::Kind::Watch})
            if (args[0] == command_name(kind)) return Parser(args, kind).run(1);
    }
    return Parser(args, Command::Kind::Serve).run(0);
}

}  // namespace sipdns::app
