// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#include "sipdns/net/metrics_server.h"

#include <memory>
#include <optional>
#include <string_view>
#include <thread>
#include <utility>

#include <spdlog/spdlog.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "socket_setup.h"
#include "thread_entry.h"

namespace sipdns::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using boost::system::error_code;

namespace {

// A scrape request is a request line and a few headers; nothing bigger is read.
constexpr std::uint32_t kHeaderLimit = 8 * 1024;
constexpr std::uint64_t kBodyLimit = 1024;

// The exposition format's media type (Prometheus "Exposition formats", text format 0.0.4).
constexpr const char* kContentType = "text/plain; version=0.0.4; charset=utf-8";

}  // namespace

struct MetricsServer::Impl {
    explicit Impl(Render render_body) : render(std::move(render_body)) {}

    void accept_next();

    // Destruction runs bottom-up: the acceptor goes before its io_context; the io_context's
    // destructor destroys the sessions still waiting in it, which update `clients`, so that and
    // what the sessions read are declared before it.
    Render render;
    std::string name;
    std::size_t clients = 0;  // on the endpoint's thread only
    asio::io_context context{1};
    asio::ip::tcp::acceptor acceptor{context};
    std::thread thread;
    bool running = false;
};

namespace {

// One HTTP/1.1 client connection: read a request (within kRequestTimeout), answer it, and go on
// while the client keeps the connection alive (RFC 9112 §9.3).
class Session : public std::enable_shared_from_this<Session> {
  public:
    Session(asio::ip::tcp::socket socket, MetricsServer::Impl& server)
        : stream_(std::move(socket)), server_(server) {
        ++server_.clients;
    }
    ~Session() { --server_.clients; }

    void read_request() {
        parser_.emplace();
        parser_->header_limit(kHeaderLimit);
        parser_->body_limit(kBodyLimit);
        stream_.expires_after(MetricsServer::kRequestTimeout);
        http::async_read(
            stream_, buffer_, *parser_,
            [self = shared_from_this()](const error_code& ec, std::size_t) { self->on_read(ec); });
    }

  private:
    void on_read(const error_code& ec) {
        if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
            ec == asio::error::operation_aborted || ec == asio::error::connection_reset ||
            ec == asio::error::eof) {
            close();
            return;
        }
        if (ec) {
            // Not HTTP, or over the size limits: say so once, then close (RFC 9110 §15.5.1).
            respond(http::status::bad_request, "bad request: " + ec.message() + "\n", 11, false);
            return;
        }
        const auto& request = parser_->get();
        std::string_view target(request.target().data(), request.target().size());
        if (const auto query = target.find('?'); query != std::string_view::npos)
            target = target.substr(0, query);  // Prometheus may add parameters; none are used
        const bool keep_alive = request.keep_alive();
        if (target != "/metrics") {
            respond(http::status::not_found, "not found: try /metrics\n", request.version(),
                    keep_alive);
            return;
        }
        if (request.method() != http::verb::get && request.method() != http::verb::head) {
            // RFC 9110 §15.5.6: 405 names the methods that are allowed.
            respond(http::status::method_not_allowed, "only GET /metrics\n", request.version(),
                    keep_alive);
            return;
        }
        std::string body = server_.render();
        respond(http::status::ok, std::move(body), request.version(), keep_alive,
                request.method() == http::verb::head);
    }

    void respond(http::status status, std::string body, unsigned version, bool keep_alive,
                 bool head = false) {
        response_.emplace(status, version);
        response_->set(http::field::server, "sipdnsd");
        response_->set(http::field::content_type,
                       status == http::status::ok ? kContentType : "text/plain; charset=utf-8");
        if (status == http::status::method_not_allowed)
            response_->set(http::field::allow, "GET, HEAD");
        response_->keep_alive(keep_alive);
        const std::size_t length = body.size();
        if (!head) response_->body() = std::move(body);
        response_->content_length(length);
        stream_.expires_after(MetricsServer::kRequestTimeout);
        http::async_write(
            stream_, *response_,
            [self = shared_from_this(), keep_alive](const error_code& ec, std::size_t) {
                if (ec || !keep_alive) {
                    self->close();
                    return;
                }
                self->read_request();
            });
    }

    void close() {
        error_code ignored;
        stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
        stream_.close();
    }

    beast::tcp_stream stream_;
    MetricsServer::Impl& server_;
    beast::flat_buffer buffer_{kHeaderLimit};
    std::optional<http::request_parser<http::string_body>> parser_;
    std::optional<http::response<http::string_body>> response_;
};

}  // namespace

void MetricsServer::Impl::accept_next() {
    acceptor.async_accept(context, [this](const error_code& ec, asio::ip::tcp::socket socket) {
        if (ec == asio::error::operation_aborted || !acceptor.is_open()) return;  // stop()
        if (ec) {
            spdlog::debug("metrics {}: accept: {}", name, ec.message());
        } else if (clients >= kMaxClients) {
            error_code ignored;
            socket.close(ignored);  // a scraper needs one connection; this is someone else
        } else {
            std::make_shared<Session>(std::move(socket), *this)->read_request();
        }
        accept_next();
    });
}

Expected<std::unique_ptr<MetricsServer>, std::string> MetricsServer::bind(
    const config::IpEndpoint& endpoint, Render render) {
    auto impl = std::make_unique<Impl>(std::move(render));
    const asio::ip::address address = to_asio_address(endpoint.address);
    auto acceptor =
        open_tcp_acceptor(impl->context, asio::ip::tcp::endpoint(address, endpoint.port));
    if (!acceptor) return unexpected("metrics: " + acceptor.error());
    impl->acceptor = std::move(*acceptor);
    impl->name = endpoint_text(address, endpoint.port);
    return std::unique_ptr<MetricsServer>(new MetricsServer(std::move(impl)));
}

MetricsServer::MetricsServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

MetricsServer::~MetricsServer() {
    stop();
}

std::string MetricsServer::endpoint() const {
    return impl_->name;
}

void MetricsServer::start() {
    Impl& s = *impl_;
    if (s.running) return;
    s.running = true;
    s.accept_next();
    s.thread =
        std::thread([&s] { run_io_thread("sipdns-metrics", s.context, "metrics " + s.name); });
}

void MetricsServer::stop() {
    Impl& s = *impl_;
    if (!s.running) return;
    // Client connections are cut off: their pending handlers (and so the sessions) go when the
    // io_context is destroyed. Once the thread is joined the acceptor is ours to close.
    s.context.stop();
    s.thread.join();
    error_code ignored;
    s.acceptor.close(ignored);
    s.running = false;
}

}  // namespace sipdns::net
