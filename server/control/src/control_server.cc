// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#include "sipdns/control/control_server.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <list>
#include <optional>

#include <spdlog/spdlog.h>
#include <boost/asio/buffers_iterator.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>

namespace sipdns::control {

namespace asio = boost::asio;
using Socket = asio::local::stream_protocol::socket;

namespace {

// Who may use the socket: root and the user the daemon runs as (docs/design.md §11). Checked on
// the connected socket (SO_PEERCRED, unix(7)), whatever the socket file's mode.
std::optional<std::string> peer_refusal(Socket& socket) {
    ucred cred{};
    socklen_t len = sizeof cred;
    if (::getsockopt(socket.native_handle(), SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0)
        return std::string("cannot tell who is connecting: ") + std::strerror(errno);
    const uid_t own = ::geteuid();
    if (cred.uid == 0 || cred.uid == own) return std::nullopt;
    return "permission denied: uid " + std::to_string(cred.uid) +
           " may not use the control socket (only root and uid " + std::to_string(own) + ")";
}

// Is anyone listening at `path`? Connects once, without blocking on a backlog.
bool someone_listens(const std::string& path) {
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) return false;
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
    const int rc = ::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr);
    const int err = errno;
    ::close(fd);
    // EAGAIN: a listener with a full backlog is still a listener.
    return rc == 0 || err == EAGAIN;
}

}  // namespace

struct ControlServer::Impl : std::enable_shared_from_this<ControlServer::Impl> {
    struct Session {
        explicit Session(asio::io_context& context, std::uint64_t id)
            : socket(context), timer(context), id(id) {}
        Socket socket;
        asio::steady_timer timer;
        asio::streambuf input{kMaxRequestLine};
        std::string output;
        const std::uint64_t id;
        // A watch session: its feed, and whether a write of its lines is under way.
        std::unique_ptr<WatchFeed> feed;
        bool writing = false;
        char eof_probe = 0;
    };
    using SessionRef = std::list<Session>::iterator;

    Impl(asio::io_context& context, std::string path, ControlledDaemon& daemon, Options options)
        : context(context), acceptor(context), path(std::move(path)), daemon(daemon),
          options(options) {}

    void accept() {
        acceptor.async_accept([self = shared_from_this()](const boost::system::error_code& ec,
                                                          Socket socket) {
            if (!self->acceptor.is_open()) return;
            if (!ec) self->start(std::move(socket));
            self->accept();
        });
    }

    void start(Socket socket) {
        sessions.emplace_front(context, ++last_session_id);
        const SessionRef s = sessions.begin();
        s->socket = std::move(socket);
        if (auto refusal = peer_refusal(s->socket)) {
            spdlog::warn("control socket: {}", *refusal);
            reply(s, format_response({{}, Outcome::Error, *refusal}));
            return;
        }
        if (sessions.size() > options.max_clients) {
            reply(s, format_response({{}, Outcome::Error, "busy: too many control connections"}));
            return;
        }
        // A client that never sends (or never ends its line) is closed: it must not hold a
        // connection slot for ever.
        s->timer.expires_after(options.request_timeout);
        s->timer.async_wait([self = shared_from_this(), s](const boost::system::error_code& ec) {
            if (ec) return;
            self->close(s);
        });
        asio::async_read_until(
            s->socket, s->input, '\n',
            [self = shared_from_this(), s](const boost::system::error_code& ec, std::size_t n) {
                if (!self->acceptor.is_open()) return;
                self->on_request(s, ec, n);
            });
    }

    void on_request(SessionRef s, const boost::system::error_code& ec, std::size_t n) {
        if (ec == asio::error::operation_aborted) return;  // closed by its timer
        s->timer.cancel();
        if (ec == asio::error::not_found) {  // the buffer filled without a line end
            reply(s, format_response({{}, Outcome::Error,
                                      "request line longer than " +
                                          std::to_string(kMaxRequestLine) + " bytes"}));
            return;
        }
        if (ec) {
            close(s);
            return;
        }
        std::string line(asio::buffers_begin(s->input.data()),
                         asio::buffers_begin(s->input.data()) + static_cast<std::ptrdiff_t>(n - 1));
        std::string problem;
        if (auto watch_request = parse_watch_request(line, nullptr)) {
            start_watch(s, *watch_request);
            return;
        }
        if (line.starts_with("watch ")) {  // a watch request with a bad argument
            parse_watch_request(line, &problem);
            reply(s, format_response({{}, Outcome::Error, problem}));
            return;
        }
        const auto request = parse_request(line, &problem);
        if (!request) {
            reply(s, format_response({{}, Outcome::Error, problem}));
            return;
        }
        reply(s, format_response(answer(*request)));
    }

    Response answer(Request request) {
        Response r;
        try {
            switch (request) {
                case Request::Status:
                    for (auto& line : format_status_text(daemon.status()))
                        r.lines.push_back({Stream::Out, std::move(line)});
                    break;
                case Request::StatusJson:
                    r.lines.push_back({Stream::Out, format_status_json(daemon.status())});
                    break;
                case Request::Reload:
                    r = reload_response(daemon.reload());
                    break;
                case Request::Watch:  // answered by start_watch()
                    break;
            }
        } catch (const std::exception& e) {
            r = {{}, Outcome::Error, std::string(request_text(request)) + " failed: " + e.what()};
        }
        return r;
    }

    // `sipdnsd watch`: the session stays open, the feed's lines are written as they come, and
    // it ends when the client closes (Ctrl-C) or the daemon stops. A client that reads slowly
    // makes its own feed drop lines (counted and told), never anyone else wait.
    void start_watch(SessionRef s, const WatchRequest& request) {
        std::string problem;
        std::weak_ptr<Impl> weak = weak_from_this();
        const std::uint64_t id = s->id;
        std::string watch_notice;
        auto feed = daemon.watch(
            request,
            [weak, id] {
                auto self = weak.lock();
                if (!self) return;
                asio::post(self->context, [weak, id] {
                    if (auto me = weak.lock()) me->pump(id);
                });
            },
            problem, watch_notice);
        if (!feed) {
            reply(s, format_response({{}, Outcome::Error, problem}));
            return;
        }
        s->feed = std::move(feed);
        // Anything the client sends now, or its end, closes the watch.
        s->socket.async_read_some(
            asio::buffer(&s->eof_probe, 1),
            [self = shared_from_this(), s](const boost::system::error_code& ec, std::size_t) {
                if (ec == asio::error::operation_aborted) return;
                self->close(s);
            });
        // The first line says the watch is on: from here every query is seen.
        write_watch(s, format_response_line({Stream::Err, watch_notice}));
    }

    void pump(std::uint64_t id) {
        SessionRef s = sessions.begin();
        while (s != sessions.end() && s->id != id) ++s;
        if (s == sessions.end() || !s->feed || s->writing || !s->socket.is_open()) return;
        WatchFeed::Batch batch = s->feed->take();
        if (batch.empty()) return;  // the feed calls back when lines come
        std::string text;
        for (const auto& line : batch.lines) text += format_response_line({Stream::Out, line});
        if (batch.lost != 0)
            text += format_response_line(
                {Stream::Err, "-- " + std::to_string(batch.lost) + " line" +
                                  (batch.lost == 1 ? "" : "s") +
                                  " lost: this watcher did not read fast enough --"});
        if (batch.unlogged != 0)
            text += format_response_line(
                {Stream::Err, "-- " + std::to_string(batch.unlogged) + " quer" +
                                  (batch.unlogged == 1 ? "y" : "ies") +
                                  " not logged: the workers' log rings were full --"});
        write_watch(s, std::move(text));
    }

    // One write of a watch session at a time; when it is done, the next batch.
    void write_watch(SessionRef s, std::string text) {
        s->output = std::move(text);
        s->writing = true;
        asio::async_write(s->socket, asio::buffer(s->output),
                          [self = shared_from_this(), s](const boost::system::error_code& ec,
                                                         std::size_t) {
                              if (ec == asio::error::operation_aborted) return;
                              s->writing = false;
                              if (ec) {
                                  self->close(s);
                                  return;
                              }
                              self->pump(s->id);
                          });
    }

    void reply(SessionRef s, std::string text) {
        s->output = std::move(text);
        // The reply is small; a client that does not read it is closed all the same.
        s->timer.expires_after(options.request_timeout);
        s->timer.async_wait([self = shared_from_this(), s](const boost::system::error_code& ec) {
            if (ec) return;
            self->close(s);
        });
        asio::async_write(s->socket, asio::buffer(s->output),
                          [self = shared_from_this(), s](const boost::system::error_code& ec,
                                                         std::size_t) {
                              if (ec == asio::error::operation_aborted) return;
                              self->close(s);
                          });
    }

    // The session ends here, once: its socket and timer are closed and it leaves the list when
    // the handlers it still has pending have run (they hold `s`).
    void close(SessionRef s) {
        if (!s->socket.is_open()) return;
        boost::system::error_code ignored;
        s->socket.shutdown(Socket::shutdown_both, ignored);
        s->socket.close(ignored);
        s->timer.cancel();
        s->feed.reset();  // the watch ends here
        asio::post(context, [self = shared_from_this(), s] { self->sessions.erase(s); });
    }

    void shut() {
        boost::system::error_code ignored;
        acceptor.close(ignored);
        for (auto& s : sessions) {
            s.socket.close(ignored);
            s.timer.cancel();
            s.feed.reset();
        }
        // Ours still (same inode): a later daemon may have replaced a file we no longer own.
        struct stat st{};
        if (::lstat(path.c_str(), &st) == 0 && st.st_ino == inode && st.st_dev == device &&
            ::unlink(path.c_str()) != 0)
            spdlog::debug("control socket {}: not removed: {}", path, std::strerror(errno));
    }

    asio::io_context& context;
    asio::local::stream_protocol::acceptor acceptor;
    std::string path;
    ControlledDaemon& daemon;
    Options options;
    std::list<Session> sessions;
    std::uint64_t last_session_id = 0;
    ino_t inode = 0;
    dev_t device = 0;
};

std::unique_ptr<ControlServer> ControlServer::open(asio::io_context& context,
                                                   const std::string& path,
                                                   ControlledDaemon& daemon, std::string& problem,
                                                   Options options) {
    const std::string where = "control socket " + path + ": ";
    if (path.empty() || path.size() >= sizeof(sockaddr_un::sun_path)) {
        problem = where + "the path must have 1 to " +
                  std::to_string(sizeof(sockaddr_un::sun_path) - 1) + " bytes";
        return nullptr;
    }
    struct stat st{};
    if (::lstat(path.c_str(), &st) == 0) {
        if (!S_ISSOCK(st.st_mode)) {
            problem = where + "exists and is not a socket (not replaced)";
            return nullptr;
        }
        if (someone_listens(path)) {
            problem = where + "another sipdnsd listens there";
            return nullptr;
        }
        // A socket file nobody listens on: left by a daemon that did not exit cleanly.
        if (::unlink(path.c_str()) != 0) {
            problem = where + "cannot remove the stale socket: " + std::strerror(errno);
            return nullptr;
        }
        spdlog::info("control socket {}: replaced a stale socket file", path);
    }
    auto impl = std::make_shared<Impl>(context, path, daemon, options);
    boost::system::error_code ec;
    impl->acceptor.open(asio::local::stream_protocol(), ec);
    if (!ec) impl->acceptor.bind(asio::local::stream_protocol::endpoint(path), ec);
    if (!ec) impl->acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
        problem = where + (ec == boost::system::errc::no_such_file_or_directory
                               ? std::string("its directory does not exist")
                               : ec.message());
        return nullptr;
    }
    // Anyone may connect; the peer's uid decides (peer_refusal), and says so in its answer.
    if (::chmod(path.c_str(), 0666) != 0 || ::lstat(path.c_str(), &st) != 0) {
        problem = where + std::strerror(errno);
        ::unlink(path.c_str());
        return nullptr;
    }
    impl->inode = st.st_ino;
    impl->device = st.st_dev;
    impl->accept();
    return std::unique_ptr<ControlServer>(new ControlServer(std::move(impl)));
}

ControlServer::ControlServer(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}

ControlServer::~ControlServer() { impl_->shut(); }

const std::string& ControlServer::path() const { return impl_->path; }

}  // namespace sipdns::control
