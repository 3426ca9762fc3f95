// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
// sipdnsd: wiring only (docs/design.md §1). Each command lives in its own file.
#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include "cli.h"
#include "client_commands.h"
#include "commands.h"
#include "control_commands.h"
#include "serve.h"
#include "version.h"

int main(int argc, char** argv) {
    using sipdns::app::Command;
    std::vector<std::string> args(argv + 1, argv + argc);
    const Command cmd = sipdns::app::parse_command_line(args);
    try {
        switch (cmd.kind) {
            case Command::Kind::Help:
                std::cout << sipdns::app::usage_text(cmd.help_for);
                return 0;
            case Command::Kind::Version:
                std::cout << sipdns::app::version_text();
                return 0;
            case Command::Kind::Error:
                std::cerr << "sipdnsd: " << cmd.error << "\n" << cmd.hint << "\n";
                return 2;
            case Command::Kind::Check:
                return sipdns::app::run_check(cmd.file, std::cout, std::cerr);
            case Command::Kind::Export:
                return sipdns::app::run_export(cmd.file, cmd.format, cmd.location, std::cout, std::cerr);
            case Command::Kind::Plan:
                return sipdns::app::run_plan(cmd.file, cmd.serve.listen, std::cout, std::cerr);
            case Command::Kind::Resolve:
                return sipdns::app::run_resolve(cmd.uri, cmd.server, cmd.transport, std::cout,
                                                std::cerr);
            case Command::Kind::Verify:
                return sipdns::app::run_verify(cmd.file, cmd.server, std::cout, std::cerr);
            case Command::Kind::Status:
                return sipdns::app::run_control_request(
                    cmd.serve.control,
                    cmd.json ? sipdns::control::Request::StatusJson : sipdns::control::Request::Status,
                    std::cout, std::cerr);
            case Command::Kind::Reload:
                return sipdns::app::run_control_request(
                    cmd.serve.control, sipdns::control::Request::Reload, std::cout, std::cerr);
            case Command::Kind::Watch:
                return sipdns::app::run_watch(
                    cmd.serve.control, {cmd.watch.client, cmd.watch.name, cmd.watch.type},
                    std::cout, std::cerr);
            case Command::Kind::Serve:
                return sipdns::app::run_server(cmd.serve);
        }
    } catch (const std::exception& e) {
        std::cerr << "sipdnsd: fatal: " << e.what() << "\n";
        return 1;
    }
    return 1;
}
