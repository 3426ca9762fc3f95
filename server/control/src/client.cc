// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#include "sipdns/control/client.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace sipdns::control {

namespace {

// Closes the descriptor however ask() returns.
struct Fd {
    int fd = -1;
    ~Fd() {
        if (fd >= 0) ::close(fd);
    }
};

std::string connect_problem(const std::string& path, int err) {
    switch (err) {
        case ENOENT:
            return "no control socket at " + path +
                   " (is sipdnsd running? it listens where server.control or --control says)";
        case ECONNREFUSED:
            return "nothing listens on " + path + " (sipdnsd is not running)";
        case EACCES:
        case EPERM:
            return path + ": permission denied (only root and the daemon's user may use it)";
        default:
            return "cannot connect to " + path + ": " + std::strerror(err);
    }
}

// Waits until `fd` is ready for `events` or the deadline passes.
bool wait_for(int fd, short events, std::chrono::steady_clock::time_point deadline) {
    for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) return false;
        pollfd p{fd, events, 0};
        const int rc = ::poll(&p, 1, static_cast<int>(left.count()));
        if (rc > 0) return true;
        if (rc < 0 && errno != EINTR) return false;
    }
}


// A connected socket to the daemon, or -1 with `problem`.
int connect_to(const std::string& path, std::string& problem) {
    if (path.empty() || path.size() >= sizeof(sockaddr_un::sun_path)) {
        problem = "control socket path " + path + ": must have 1 to " +
                  std::to_string(sizeof(sockaddr_un::sun_path) - 1) + " bytes";
        return -1;
    }
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        problem = std::string("cannot create a unix socket: ") + std::strerror(errno);
        return -1;
    }
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
        problem = connect_problem(path, errno);
        ::close(fd);
        return -1;
    }
    return fd;
}

// Sends one request line. MSG_NOSIGNAL: a daemon that closed at once (it refused us) is read
// afterwards, not a SIGPIPE.
void send_line(int fd, const std::string& line) {
    std::size_t sent = 0;
    while (sent < line.size()) {
        const ssize_t n = ::send(fd, line.data() + sent, line.size() - sent, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) break;  // the reply (an "error" line) may still be there to read
        sent += static_cast<std::size_t>(n);
    }
}

}  // namespace

std::optional<Response> ask(const std::string& path, Request request, std::string& problem,
                            std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    Fd sock{connect_to(path, problem)};
    if (sock.fd < 0) return std::nullopt;
    send_line(sock.fd, std::string(request_text(request)) + "\n");
    std::string wire;
    char buf[4096];
    for (;;) {
        if (!wait_for(sock.fd, POLLIN, deadline)) {
            problem = "no answer from the daemon at " + path + " within " +
                      std::to_string(std::chrono::duration_cast<std::chrono::seconds>(timeout).count()) +
                      " s";
            return std::nullopt;
        }
        const ssize_t n = ::recv(sock.fd, buf, sizeof buf, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            if (!wire.empty()) break;
            problem = "reading from " + path + ": " + std::strerror(errno);
            return std::nullopt;
        }
        if (n == 0) break;
        wire.append(buf, static_cast<std::size_t>(n));
    }
    std::string parse_problem;
    auto response = parse_response(wire, &parse_problem);
    if (!response) problem = "unexpected reply from " + path + ": " + parse_problem;
    return response;
}

}  // namespace sipdns::control

namespace sipdns::control {

int watch(const std::string& path, const WatchRequest& request,
          const std::function<void(const ResponseLine&)>& on_line, std::string& problem) {
    Fd sock{connect_to(path, problem)};
    if (sock.fd < 0) return 1;
    send_line(sock.fd, format_watch_request(request) + "\n");
    std::string pending;
    char buf[16384];
    for (;;) {
        const ssize_t n = ::recv(sock.fd, buf, sizeof buf, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            problem = "the daemon at " + path + " ended the watch (it stopped or restarted)";
            return 1;
        }
        pending.append(buf, static_cast<std::size_t>(n));
        std::size_t start = 0;
        for (std::size_t end; (end = pending.find('\n', start)) != std::string::npos;
             start = end + 1) {
            const std::string_view line(pending.data() + start, end - start);
            if (line.starts_with("1 ") || line.starts_with("2 ")) {
                on_line({line[0] == '1' ? Stream::Out : Stream::Err, std::string(line.substr(2))});
            } else if (line == "ok") {
                return 0;
            } else if (line.starts_with("error ")) {
                problem = "the daemon at " + path + " answered: " + std::string(line.substr(6));
                return 1;
            } else {
                problem = "unexpected reply from " + path + ": '" +
                          std::string(line.substr(0, 80)) + "'";
                return 1;
            }
        }
        pending.erase(0, start);
    }
}

}  // namespace sipdns::control
