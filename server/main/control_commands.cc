// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
// `sipdnsd status`, `sipdnsd reload` and `sipdnsd watch`: ask the running daemon over its control socket
// (sipdns/control/protocol.h) and print its reply.
#include <ostream>

#include "control_commands.h"
#include "sipdns/config/site_config.h"
#include "sipdns/control/client.h"

namespace sipdns::app {

int run_control_request(const std::string& control_path, control::Request request,
                        std::ostream& out, std::ostream& err) {
    const std::string path =
        control_path.empty() ? std::string(config::kDefaultControlSocket) : control_path;
    std::string problem;
    const auto response = control::ask(path, request, problem);
    if (!response) {
        err << "sipdnsd: " << problem << "\n";
        return 1;
    }
    for (const auto& line : response->lines)
        (line.stream == control::Stream::Out ? out : err) << line.text << "\n";
    switch (response->outcome) {
        case control::Outcome::Ok:
            return 0;
        case control::Outcome::Failed:
            return 1;
        case control::Outcome::Error:
            err << "sipdnsd: the daemon at " << path << " answered: " << response->error << "\n";
            return 1;
    }
    return 1;
}

int run_watch(const std::string& control_path, const control::WatchRequest& request,
              std::ostream& out, std::ostream& err) {
    const std::string path =
        control_path.empty() ? std::string(config::kDefaultControlSocket) : control_path;
    std::string problem;
    const int code = control::watch(
        path, request,
        [&](const control::ResponseLine& line) {
            (line.stream == control::Stream::Out ? out : err) << line.text << std::endl;
        },
        problem);
    if (code != 0) err << "sipdnsd: " << problem << "\n";
    return code;
}

}  // namespace sipdns::app
