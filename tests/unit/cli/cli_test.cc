// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
// sipdnsd's command line: what each argument list becomes, and for each mistake the exact one
// line that says what is wrong and the hint line after it.
#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "cli.h"

namespace sipdns::app {
namespace {

struct Mistake {
    const char* name;
    std::vector<std::string> args;
    std::string error;
    std::string hint;
};

void PrintTo(const Mistake& m, std::ostream* os) {
    *os << m.name;
}

class CommandLineMistakes : public ::testing::TestWithParam<Mistake> {};

TEST_P(CommandLineMistakes, OneLineAndAHint) {
    const Command cmd = parse_command_line(GetParam().args);
    ASSERT_EQ(cmd.kind, Command::Kind::Error) << GetParam().name;
    EXPECT_EQ(cmd.error, GetParam().error);
    EXPECT_EQ(cmd.hint, GetParam().hint);
    EXPECT_EQ(cmd.error.find('\n'), std::string::npos);
}

const std::string kHelp = "try 'sipdnsd --help'";

INSTANTIATE_TEST_SUITE_P(
    Rows, CommandLineMistakes,
    ::testing::Values(
        // Mistyped commands: within two edits, or a prefix of exactly one command.
        Mistake{"CommandTypo", {"chek", "site.yaml"},
                "unknown command 'chek'; did you mean 'check'?", kHelp},
        Mistake{"CommandSwap", {"palns"}, "unknown command 'palns'; did you mean 'plan'?", kHelp},
        Mistake{"CommandPrefix", {"exp", "a.yaml"},
                "unknown command 'exp'; did you mean 'export'?", kHelp},
        Mistake{"HelpAsCommand", {"help"}, "unknown command 'help'; did you mean '--help'?",
                kHelp},
        Mistake{"UnknownCommand", {"serve"},
                "unknown command 'serve' (the commands are check, export, plan, resolve, verify, "
                "status, reload and watch; serving takes options only)",
                kHelp},
        Mistake{"StatusWithFile", {"status", "site.yaml"},
                "status takes no argument, got 'site.yaml' (it asks the running daemon; "
                "--control PATH names its socket)",
                "try 'sipdnsd status --help'"},
        Mistake{"ReloadJson", {"reload", "--json"},
                "unknown option '--json'", "try 'sipdnsd reload --help'"},
        Mistake{"StatusJsonTypo", {"status", "--jsn"},
                "unknown option '--jsn'; did you mean '--json'?", "try 'sipdnsd status --help'"},
        Mistake{"ControlTwice", {"status", "--control", "/a", "--control=/b"},
                "--control is given twice ('/a', then '/b'); give it once",
                "try 'sipdnsd status --help'"},
        Mistake{"ControlWithoutValue", {"reload", "--control"}, "--control needs a value",
                "try 'sipdnsd reload --help'"},
        Mistake{"StatusAfterOptions", {"--control", "/a", "status"},
                "the command 'status' must come first: sipdnsd status [options]",
                "try 'sipdnsd status --help'"},
        Mistake{"CommandAfterOptions", {"--log-level", "debug", "check", "site.yaml"},
                "the command 'check' must come first: sipdnsd check FILE [options]",
                "try 'sipdnsd check --help'"},
        // A site file where a command goes.
        Mistake{"SiteFileWithoutConfig", {"site.yaml"},
                "'site.yaml' is not a command; to serve a site file, name it with --config",
                "try 'sipdnsd --config site.yaml' to serve it, or 'sipdnsd check site.yaml' to "
                "check it"},
        Mistake{"SiteFileYml", {"/etc/sipdns/my site.yml"},
                "'/etc/sipdns/my site.yml' is not a command; to serve a site file, name it with "
                "--config",
                "try 'sipdnsd --config \"/etc/sipdns/my site.yml\"' to serve it, or 'sipdnsd "
                "check \"/etc/sipdns/my site.yml\"' to check it"},
        // Mistyped options.
        Mistake{"OptionTypo", {"--confg", "site.yaml"},
                "unknown option '--confg'; did you mean '--config'?", kHelp},
        Mistake{"OptionOneDash", {"-config", "site.yaml"},
                "unknown option '-config'; did you mean '--config'?", kHelp},
        Mistake{"OptionPrefix", {"export", "a.yaml", "--form", "zone"},
                "unknown option '--form'; did you mean '--format'?",
                "try 'sipdnsd export --help'"},
        Mistake{"OptionWithValueTypo", {"--log-levle=debug"},
                "unknown option '--log-levle=debug'; did you mean '--log-level'?", kHelp},
        Mistake{"UnknownOption", {"--bogus"}, "unknown option '--bogus'", kHelp},
        Mistake{"DoubleDash", {"--"}, "unknown option '--'", kHelp},
        Mistake{"AnotherCommandsOption", {"plan", "x.yaml", "--format", "zone"},
                "--format is an option of 'sipdnsd export', not of 'plan'",
                "try 'sipdnsd plan --help'"},
        Mistake{"ExportOptionWhenServing", {"--location", "dc1"},
                "--location is an option of 'sipdnsd export', not of serving", kHelp},
        Mistake{"ServeOptionOnCheck", {"check", "a.yaml", "--threads", "2"},
                "--threads is an option of serving (sipdnsd without a command), not of 'check'",
                "try 'sipdnsd check --help'"},
        Mistake{"ConfigOnCheck", {"check", "--config", "site.yaml"},
                "check takes the site file as its argument, not --config",
                "try 'sipdnsd check FILE'"},
        // Values.
        Mistake{"SecondConfig", {"--config", "a.yaml", "--config=b.yaml"},
                "--config is given twice ('a.yaml', then 'b.yaml'); give it once", kHelp},
        Mistake{"SecondFormat", {"export", "a.yaml", "--format", "zone", "--format", "dnscmd"},
                "--format is given twice ('zone', then 'dnscmd'); give it once",
                "try 'sipdnsd export --help'"},
        Mistake{"MissingValue", {"--threads"}, "--threads needs a value", kHelp},
        Mistake{"EmptyValue", {"--config="}, "--config needs a value", kHelp},
        Mistake{"ThreadsZero", {"--threads", "0"},
                "--threads '0': expected a number from 1 to 256", kHelp},
        Mistake{"LogLevel", {"--log-level", "warning"},
                "--log-level 'warning': expected trace, debug, info, warn, error, critical or off",
                kHelp},
        Mistake{"LogLevelTypo", {"--log-level", "debg"},
                "--log-level 'debg': expected trace, debug, info, warn, error, critical or off; "
                "did you mean 'debug'?",
                kHelp},
        Mistake{"Format", {"export", "a.yaml", "--format=bind"},
                "--format 'bind': expected zone, dnscmd or nsupdate",
                "try 'sipdnsd export --help'"},
        Mistake{"FormatTypo", {"export", "a.yaml", "--format=nsupdat"},
                "--format 'nsupdat': expected zone, dnscmd or nsupdate; did you mean "
                "'nsupdate'?",
                "try 'sipdnsd export --help'"},
        // --listen and --metrics: ADDR:PORT, checked here for serving and for plan.
        Mistake{"ListenNoPort", {"--listen", "127.0.0.1"},
                "--listen '127.0.0.1': the port is missing: write '127.0.0.1:53' for port 53",
                kHelp},
        Mistake{"ListenPortZero", {"--listen", "127.0.0.1:0"},
                "--listen '127.0.0.1:0': the port 0 is out of range 1-65535", kHelp},
        Mistake{"ListenPortTooBig", {"--listen=[::1]:65536"},
                "--listen '[::1]:65536': the port 65536 is out of range 1-65535", kHelp},
        Mistake{"ListenPortNotANumber", {"--listen", "127.0.0.1:dns"},
                "--listen '127.0.0.1:dns': the port 'dns' is not a number", kHelp},
        Mistake{"ListenHostName", {"--listen", "localhost:53"},
                "--listen 'localhost:53': 'localhost' is not an IPv4 address (names are not "
                "resolved here)",
                kHelp},
        Mistake{"ListenBadAddress", {"--listen", "192.0.2.300:53"},
                "--listen '192.0.2.300:53': '192.0.2.300' is not an IPv4 address (names are not "
                "resolved here)",
                kHelp},
        Mistake{"ListenV6NoBrackets", {"--listen", "::1"},
                "--listen '::1': IPv6 addresses go in brackets before the port: write "
                "'[::1]:53' for port 53",
                kHelp},
        Mistake{"ListenV6PortNoBrackets", {"--listen", "2001:db8::1:5353"},
                "--listen '2001:db8::1:5353': IPv6 addresses go in brackets before the port: "
                "write '[2001:db8::1]:5353'",
                kHelp},
        Mistake{"ListenV6Unclosed", {"--listen", "[::1:53"},
                "--listen '[::1:53': the IPv6 address has no closing ']'", kHelp},
        Mistake{"ListenV6NoPort", {"--listen", "[::1]"},
                "--listen '[::1]': the port is missing: write '[::1]:53' for port 53", kHelp},
        Mistake{"ListenBadV6", {"--listen", "[::g]:53"},
                "--listen '[::g]:53': '::g' is not an IPv6 address (names are not resolved here)",
                kHelp},
        Mistake{"PlanListen", {"plan", "a.yaml", "--listen", "127.0.0.1:0"},
                "--listen '127.0.0.1:0': the port 0 is out of range 1-65535",
                "try 'sipdnsd plan --help'"},
        Mistake{"Metrics", {"--metrics", "9153"},
                "--metrics '9153': expected ADDR:PORT such as 127.0.0.1:53 or [::1]:53", kHelp},
        // --xdp: an interface name as the kernel takes it (IFNAMSIZ - 1 bytes, no '/').
        Mistake{"XdpLongName", {"--xdp", "a-very-long-name0"},
                "--xdp 'a-very-long-name0': expected a network interface name such as eth1 (at "
                "most 15 characters)",
                kHelp},
        Mistake{"XdpSlash", {"--xdp", "eth/1"},
                "--xdp 'eth/1': expected a network interface name such as eth1 (at most 15 "
                "characters)",
                kHelp},
        Mistake{"XdpTwice", {"--xdp", "eth1", "--xdp", "eth2"},
                "--xdp is given twice ('eth1', then 'eth2'); give it once", kHelp},
        // Files.
        Mistake{"CheckWithoutFile", {"check"}, "check needs a site file: sipdnsd check FILE",
                "try 'sipdnsd check --help'"},
        Mistake{"TwoFiles", {"export", "a.yaml", "b.yaml"},
                "only one site file: got 'a.yaml' and 'b.yaml'", "try 'sipdnsd export --help'"},
        // resolve and verify (issue 15): the URI is checked here (RFC 3261 §19.1.1).
        Mistake{"ResolveWithoutUri", {"resolve"},
                "resolve needs a SIP URI: sipdnsd resolve sip:user@domain",
                "try 'sipdnsd resolve --help'"},
        Mistake{"ResolveNotAUri", {"resolve", "alice@example.com"},
                "resolve 'alice@example.com': expected a sip: or sips: URI such as "
                "sip:alice@example.com",
                "try 'sipdnsd resolve sip:alice@example.com'"},
        Mistake{"ResolveTwoUris", {"resolve", "sip:a@b.test", "sip:c@d.test"},
                "only one URI: got 'sip:a@b.test' and 'sip:c@d.test'",
                "try 'sipdnsd resolve --help'"},
        Mistake{"ResolveBadTransport", {"resolve", "sip:a@b.test", "--transport", "sctp"},
                "--transport 'sctp': expected udp, tcp or tls", "try 'sipdnsd resolve --help'"},
        Mistake{"ResolveSipsOverUdp", {"resolve", "sips:a@b.test", "--transport", "udp"},
                "--transport udp: a sips: URI is reached over TLS only (RFC 3261 §26.2.2)",
                "try 'sipdnsd resolve --help'"},
        Mistake{"ResolveTransportContradiction",
                {"resolve", "sip:a@b.test;transport=tcp", "--transport", "udp"},
                "--transport udp contradicts the URI's transport=tcp",
                "try 'sipdnsd resolve --help'"},
        Mistake{"VerifyServerWithoutPort", {"verify", "a.yaml", "--server", "127.0.0.1"},
                "--server '127.0.0.1': the port is missing: write '127.0.0.1:53' for port 53",
                "try 'sipdnsd verify --help'"},
        Mistake{"VerifyWithoutFile", {"verify"}, "verify needs a site file: sipdnsd verify FILE",
                "try 'sipdnsd verify --help'"},
        Mistake{"UriAsCommand", {"sip:alice@example.com"},
                "'sip:alice@example.com' is not a command; to locate its SIP server, use resolve",
                "try 'sipdnsd resolve sip:alice@example.com'"},
        // A huge value is cut (config::quote_value).
        Mistake{"HugeValue", {"--threads", std::string(1 << 20, '9')},
                "--threads '" + std::string(80, '9') +
                    "\u2026' (1048576 bytes): expected a number from 1 to 256",
                kHelp},
        Mistake{"NewlineInValue", {"--log-level", "info\nx"},
                "--log-level 'info\\nx': expected trace, debug, info, warn, error, critical or "
                "off; did you mean 'info'?",
                kHelp}),
    [](const ::testing::TestParamInfo<Mistake>& info) { return std::string(info.param.name); });

TEST(CommandLine, AnExistingFileWithoutYamlSuffixIsASiteFileToo) {
    const std::string path = ::testing::TempDir() + "sipdns-site.conf";
    std::ofstream(path) << "domain: example.test\n";
    const Command cmd = parse_command_line({path});
    ASSERT_EQ(cmd.kind, Command::Kind::Error);
    EXPECT_EQ(cmd.hint, "try 'sipdnsd --config " + path + "' to serve it, or 'sipdnsd check " +
                            path + "' to check it");
}

TEST(CommandLine, ValidLinesParse) {
    Command c = parse_command_line({});
    EXPECT_EQ(c.kind, Command::Kind::Serve);
    EXPECT_EQ(c.serve.config_file, "/etc/sipdns/site.yaml");

    c = parse_command_line({"--config", "a.yaml", "--listen", "127.0.0.1:5353",
                            "--listen=[::1]:5353", "--threads=4", "--log-level", "warn",
                            "--user", "sipdns", "--metrics", "127.0.0.1:9153", "--xdp", "eth1"});
    ASSERT_EQ(c.kind, Command::Kind::Serve) << c.error;
    EXPECT_EQ(c.serve.config_file, "a.yaml");
    EXPECT_EQ(c.serve.listen, (std::vector<std::string>{"127.0.0.1:5353", "[::1]:5353"}));
    EXPECT_EQ(c.serve.threads, 4u);
    EXPECT_EQ(c.serve.log_level, "warn");
    EXPECT_EQ(c.serve.user, "sipdns");
    EXPECT_EQ(c.serve.metrics, "127.0.0.1:9153");
    EXPECT_EQ(c.serve.xdp, "eth1");

    c = parse_command_line({"export", "a.yaml", "--format", "nsupdate", "--location=dc1"});
    ASSERT_EQ(c.kind, Command::Kind::Export) << c.error;
    EXPECT_EQ(c.file, "a.yaml");
    EXPECT_EQ(c.format, "nsupdate");
    EXPECT_EQ(c.location, "dc1");

    c = parse_command_line({"plan", "--listen", "127.0.0.1:5353", "a.yaml"});
    ASSERT_EQ(c.kind, Command::Kind::Plan) << c.error;
    EXPECT_EQ(c.file, "a.yaml");
    EXPECT_EQ(c.serve.listen, std::vector<std::string>{"127.0.0.1:5353"});

    c = parse_command_line({"check", "a.yaml"});
    ASSERT_EQ(c.kind, Command::Kind::Check) << c.error;

    c = parse_command_line({"resolve", "--transport=tls", "sips:alice@example.com",
                            "--server", "[::1]:5353"});
    ASSERT_EQ(c.kind, Command::Kind::Resolve) << c.error;
    EXPECT_EQ(c.uri, "sips:alice@example.com");
    EXPECT_EQ(c.transport, "tls");
    EXPECT_EQ(c.server, "[::1]:5353");

    c = parse_command_line({"verify", "a.yaml", "--server=127.0.0.1:5353"});
    ASSERT_EQ(c.kind, Command::Kind::Verify) << c.error;
    EXPECT_EQ(c.file, "a.yaml");
    EXPECT_EQ(c.server, "127.0.0.1:5353");

    c = parse_command_line({"plan", "a.yaml", "-h"});
    EXPECT_EQ(c.kind, Command::Kind::Help);
    EXPECT_EQ(c.help_for, Command::Kind::Plan);
    EXPECT_EQ(parse_command_line({"-V"}).kind, Command::Kind::Version);
}

TEST(CommandLine, StatusAndReloadAskTheDaemon) {
    struct Row {
        std::vector<std::string> args;
        Command::Kind kind;
        bool json;
        std::string control;
    };
    for (const Row& row : std::vector<Row>{
             {{"status"}, Command::Kind::Status, false, ""},
             {{"status", "--json"}, Command::Kind::Status, true, ""},
             {{"status", "--control", "/tmp/c", "--json"}, Command::Kind::Status, true, "/tmp/c"},
             {{"reload", "--control=/run/x/control"}, Command::Kind::Reload, false, "/run/x/control"},
             {{"--control", "/tmp/c"}, Command::Kind::Serve, false, "/tmp/c"},
         }) {
        const Command c = parse_command_line(row.args);
        ASSERT_EQ(c.kind, row.kind) << row.args.front() << ": " << c.error;
        EXPECT_EQ(c.json, row.json) << row.args.front();
        EXPECT_EQ(c.serve.control, row.control) << row.args.front();
    }
    const Command help = parse_command_line({"reload", "--help"});
    EXPECT_EQ(help.kind, Command::Kind::Help);
    EXPECT_EQ(help.help_for, Command::Kind::Reload);
    EXPECT_EQ(usage_text(Command::Kind::Status).rfind("Usage:\n  sipdnsd status [--json]", 0), 0u);
}

TEST(CommandLine, SynopsisNamesEveryServeOption) {
    const std::string help = usage_text();
    const std::string synopsis = help.substr(0, help.find("Serve the site"));
    for (const char* option :
         {"--config", "--listen", "--threads", "--log-level", "--user", "--metrics", "--xdp",
          "--control"})
        EXPECT_NE(synopsis.find(option), std::string::npos) << option;
}

}  // namespace
}  // namespace sipdns::app
