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

}  // namespace

std::optional<Response> ask(const std::string& path, Request request, std::string& problem,
                            std::chrono::milliseconds timeout) {
    if (path.empty() || path.size() >= sizeof(sockaddr_un::sun_path)) {
        problem = "control socket path " + path + ": must have 1 to " +
                  std::to_string(sizeof(sockaddr_un::sun_path) - 1) + " bytes";
        return std::nullopt;
    }
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    Fd sock{::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)};
    if (sock.fd < 0) {
        problem = std::string("cannot create a unix socket: ") + std::strerror(errno);
        return std::nullopt;
    }
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
    if (::connect(sock.fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
        problem = connect_problem(path, errno);
        return std::nullopt;
    }
    const std::string line = std::string(request_text(request)) + "\n";
    // MSG_NOSIGNAL: a daemon that closed at once (it refused us) is read below, not a SIGPIPE.
    std::size_t sent = 0;
    while (sent < line.size()) {
        const ssize_t n = ::send(sock.fd, line.data() + sent, line.size() - sent, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) break;  // the reply (an "error" line) may still be there to read
        sent += static_cast<std::size_t>(n);
    }
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
