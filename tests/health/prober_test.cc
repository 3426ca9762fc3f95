// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
// The SIP OPTIONS prober (sipdns/health/prober.h) against SIP responders in this process on
// loopback: UDP, TCP and TLS (a throwaway self-signed certificate made here with OpenSSL),
// answering, silent, refusing, answering another transaction or garbage. Short intervals and
// bounded waits (polling the prober's status with a deadline), no assertion on exact timing.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/buffer.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>

#include "sipdns/health/prober.h"

namespace sipdns::health {
namespace {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
using boost::system::error_code;
using namespace std::chrono_literals;

// How a responder treats an OPTIONS request.
enum class Mode { Answer, Silent, WrongBranch, Garbage };

// The header line named `name` of a request, with its CRLF; empty when absent.
std::string header_line(const std::string& request, const std::string& name) {
    const std::size_t at = request.find("\r\n" + name + ":");
    if (at == std::string::npos) return "";
    const std::size_t end = request.find("\r\n", at + 2);
    return request.substr(at + 2, end - at);
}

// What a SIP stack answers to `request` (RFC 3261 §8.2.6: Via, From, To, Call-ID and CSeq
// copied), or nothing.
std::optional<std::string> answer_for(const std::string& request, Mode mode, int status) {
    if (request.rfind("OPTIONS ", 0) != 0)
        return std::string("SIP/2.0 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
    switch (mode) {
        case Mode::Silent: return std::nullopt;
        case Mode::Garbage: return std::string("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
        case Mode::Answer:
        case Mode::WrongBranch: break;
    }
    std::string via = header_line(request, "Via");
    if (mode == Mode::WrongBranch) {
        const std::size_t at = via.find("branch=z9hG4bK");
        via.insert(at + 14, "other");
    }
    return "SIP/2.0 " + std::to_string(status) + " Whatever\r\n" + via +
           header_line(request, "From") + header_line(request, "To") +
           header_line(request, "Call-ID") + header_line(request, "CSeq") +
           "Server: test responder\r\nContent-Length: 0\r\n\r\n";
}

// A throwaway self-signed certificate and key (P-256, one hour), PEM, for the TLS responder.
struct Certificate {
    std::string cert_pem;
    std::string key_pem;
};

std::string bio_text(BIO* bio) {
    char* data = nullptr;
    const long n = BIO_get_mem_data(bio, &data);
    return std::string(data, static_cast<std::size_t>(n));
}

Certificate make_certificate() {
    EVP_PKEY* key = EVP_EC_gen("P-256");
    X509* x509 = X509_new();
    X509_set_version(x509, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x509), 1);
    X509_gmtime_adj(X509_getm_notBefore(x509), 0);
    X509_gmtime_adj(X509_getm_notAfter(x509), 3600);
    X509_set_pubkey(x509, key);
    X509_NAME* name = X509_get_subject_name(x509);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>("sip.test"), -1, -1, 0);
    X509_set_issuer_name(x509, name);
    X509_sign(x509, key, EVP_sha256());
    BIO* cert_bio = BIO_new(BIO_s_mem());
    BIO* key_bio = BIO_new(BIO_s_mem());
    PEM_write_bio_X509(cert_bio, x509);
    PEM_write_bio_PrivateKey(key_bio, key, nullptr, nullptr, 0, nullptr, nullptr);
    Certificate c{bio_text(cert_bio), bio_text(key_bio)};
    BIO_free(cert_bio);
    BIO_free(key_bio);
    X509_free(x509);
    EVP_PKEY_free(key);
    return c;
}

// The responders' own thread and io_context.
class Loop {
public:
    Loop() : thread_([this] { io.run(); }) {}
    ~Loop() { halt(); }
    // Ends the thread; the io_context (and the sockets made with it) stays for destruction.
    void halt() {
        work_.reset();
        io.stop();
        if (thread_.joinable()) thread_.join();
    }
    asio::io_context io;

private:
    asio::executor_work_guard<asio::io_context::executor_type> work_{io.get_executor()};
    std::thread thread_;
};

struct ResponderState {
    std::atomic<Mode> mode{Mode::Answer};
    std::atomic<int> status{200};
    std::atomic<int> requests{0};
    std::mutex mutex;
    std::string last_request;
};

class UdpResponder {
public:
    UdpResponder(asio::io_context& io, const asio::ip::address& address)
        : socket_(io, asio::ip::udp::endpoint(address, 0)) {
        receive();
    }
    std::uint16_t port() const { return socket_.local_endpoint().port(); }
    ResponderState state;

private:
    void receive() {
        socket_.async_receive_from(asio::buffer(buffer_), peer_, [this](error_code e,
                                                                        std::size_t n) {
            if (e == asio::error::operation_aborted) return;
            if (!e) {
                const std::string request(buffer_.data(), n);
                ++state.requests;
                {
                    std::lock_guard lock(state.mutex);
                    state.last_request = request;
                }
                if (auto answer = answer_for(request, state.mode, state.status)) {
                    error_code ignored;
                    socket_.send_to(asio::buffer(*answer), peer_, 0, ignored);
                }
            }
            receive();
        });
    }
    asio::ip::udp::socket socket_;
    asio::ip::udp::endpoint peer_;
    std::array<char, 65536> buffer_{};
};

using StreamIterator = asio::buffers_iterator<asio::streambuf::const_buffers_type>;

// The end of a request's headers, or at once the bytes seen so far when they cannot begin one
// (a TLS ClientHello on a plain port gets its 400 without waiting for a CRLFCRLF never sent).
std::pair<StreamIterator, bool> request_end(StreamIterator begin, StreamIterator end) {
    const std::string seen(begin, end);
    const std::string_view prefix = "OPTIONS ";
    const std::size_t n = std::min(seen.size(), prefix.size());
    if (seen.compare(0, n, prefix.substr(0, n)) != 0) return {end, true};
    const std::size_t at = seen.find("\r\n\r\n");
    if (at == std::string::npos) return {begin, false};
    return {begin + static_cast<std::ptrdiff_t>(at + 4), true};
}

// TCP, or TLS when given a server context: one request per connection, answered (or not),
// the connection then kept open (a SIP stack's connection outlives the transaction) until the
// client closes it or the responder goes.
class StreamResponder {
public:
    StreamResponder(asio::io_context& io, const asio::ip::address& address,
                    ssl::context* tls = nullptr)
        : io_(io), acceptor_(io, asio::ip::tcp::endpoint(address, 0)), tls_(tls) {
        accept();
    }
    std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
    ResponderState state;

private:
    struct Connection {
        explicit Connection(asio::io_context& io, ssl::context* tls)
            : socket(io), stream(tls ? std::make_unique<ssl::stream<asio::ip::tcp::socket&>>(
                                           socket, *tls)
                                     : nullptr) {}
        asio::ip::tcp::socket socket;
        std::unique_ptr<ssl::stream<asio::ip::tcp::socket&>> stream;
        asio::streambuf buffer;
        std::string answer;
    };

    void accept() {
        auto connection = std::make_shared<Connection>(io_, tls_);
        acceptor_.async_accept(connection->socket, [this, connection](error_code e) {
            if (e == asio::error::operation_aborted) return;
            if (!e) {
                connections_.push_back(connection);
                serve(connection);
            }
            accept();
        });
    }
    void serve(const std::shared_ptr<Connection>& c) {
        if (c->stream) {
            c->stream->async_handshake(ssl::stream_base::server, [this, c](error_code e) {
                if (!e) read(c, *c->stream);
            });
        } else {
            read(c, c->socket);
        }
    }
    template <class Stream>
    void read(const std::shared_ptr<Connection>& c, Stream& stream) {
        // A non-SIP client (a TLS ClientHello on a plain port) gets its 400 at its first bytes.
        asio::async_read_until(stream, c->buffer, request_end, [this, c, &stream](error_code e,
                                                                                     std::size_t) {
            std::string request(asio::buffers_begin(c->buffer.data()),
                                asio::buffers_end(c->buffer.data()));
            if (e && request.empty()) return;
            if (request.rfind("OPTIONS ", 0) == 0 && e) return;
            ++state.requests;
            {
                std::lock_guard lock(state.mutex);
                state.last_request = request;
            }
            auto answer = answer_for(request, state.mode, state.status);
            if (!answer) return;  // silent: keep the connection, say nothing
            c->answer = std::move(*answer);
            asio::async_write(stream, asio::buffer(c->answer), [c](error_code, std::size_t) {});
        });
    }

    asio::io_context& io_;
    asio::ip::tcp::acceptor acceptor_;
    ssl::context* tls_;
    std::vector<std::shared_ptr<Connection>> connections_;  // the loop's thread only
};

std::optional<asio::ip::address> ipv6_loopback() {
    asio::io_context io;
    error_code ec;
    asio::ip::udp::socket s(io);
    s.open(asio::ip::udp::v6(), ec);
    if (!ec) s.bind(asio::ip::udp::endpoint(asio::ip::address_v6::loopback(), 0), ec);
    if (ec) return std::nullopt;
    return asio::ip::address(asio::ip::address_v6::loopback());
}

config::IpAddress ip(const asio::ip::address& a) { return *config::IpAddress::parse(a.to_string()); }
config::IpAddress ip(const char* text) { return *config::IpAddress::parse(text); }

const asio::ip::address kV4 = asio::ip::make_address("127.0.0.1");

ProbeTarget target(std::uint16_t port, Transport transport,
                   std::vector<config::IpAddress> addresses, std::string name = "sip.test") {
    ProbeTarget t;
    t.name = std::move(name);
    t.port = port;
    t.transport = transport;
    t.addresses = std::move(addresses);
    return t;
}

// The server name (SNI) of the last TLS handshake the responders saw.
std::mutex sni_mutex;
std::string last_sni;

int record_sni(SSL* ssl, int*, void*) {
    const char* name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
    std::lock_guard lock(sni_mutex);
    last_sni = name ? name : "";
    return SSL_TLSEXT_ERR_OK;
}

ssl::context server_tls() {
    static const Certificate certificate = make_certificate();
    ssl::context context(ssl::context::tls_server);
    SSL_CTX_set_tlsext_servername_callback(context.native_handle(), record_sni);
    context.use_certificate_chain(asio::buffer(certificate.cert_pem));
    context.use_private_key(asio::buffer(certificate.key_pem), ssl::context::pem);
    return context;
}

// The prober under test, with its changes recorded, and the responders it probes.
class ProberFixture : public ::testing::Test {
protected:
    static ProberSettings fast() {
        ProberSettings s;
        s.interval_ms = 150;
        s.timeout_ms = 120;
        s.rise = 2;
        s.fall = 3;
        return s;
    }
    // For targets that answer: a loaded machine (the sanitizer tree beside a fuzzer in CI) can
    // take longer than fast()'s 120 ms for an answer, which would read as a failed round.
    static ProberSettings patient() {
        ProberSettings s = fast();
        s.timeout_ms = 2000;
        return s;
    }

    void make_prober(ProberSettings settings = fast()) {
        prober_ = std::make_unique<Prober>(settings, [this](std::vector<TargetChange> changes) {
            std::lock_guard lock(mutex_);
            for (auto& c : changes) changes_.push_back(std::move(c));
        });
    }

    std::vector<TargetChange> changes() {
        std::lock_guard lock(mutex_);
        return changes_;
    }

    std::optional<TargetStatus> status_of(const ProbeTarget& t) {
        for (auto& s : prober_->status())
            if (s.target == t) return s;
        return std::nullopt;
    }

    // Polls until `done` holds, for at most 10 s (a loaded machine is slow, not wrong).
    bool eventually(const std::function<bool()>& done) {
        const auto deadline = std::chrono::steady_clock::now() + 10s;
        while (std::chrono::steady_clock::now() < deadline) {
            if (done()) return true;
            std::this_thread::sleep_for(10ms);
        }
        return done();
    }

    bool probed_at_least(const ProbeTarget& t, std::uint64_t rounds) {
        return eventually([&] {
            auto s = status_of(t);
            return s && s->probes_sent >= rounds && !s->last_result.empty();
        });
    }

    bool goes(const ProbeTarget& t, bool up) {
        return eventually([&] {
            auto s = status_of(t);
            return s && s->up == up;
        });
    }

    std::string last_change_reason(const ProbeTarget& t) {
        std::string reason;
        for (auto& c : changes())
            if (c.target == t) reason = c.reason;
        return reason;
    }

    ~ProberFixture() override {
        // The prober first, then the responders' thread; their sockets go with the members.
        if (prober_) prober_->stop();
        loop_.halt();
    }

    UdpResponder& udp(const asio::ip::address& address) {
        return *udp_.emplace_back(std::make_unique<UdpResponder>(loop_.io, address));
    }
    StreamResponder& stream(const asio::ip::address& address, bool use_tls = false) {
        return *streams_.emplace_back(
            std::make_unique<StreamResponder>(loop_.io, address, use_tls ? &tls_ : nullptr));
    }

    Loop loop_;
    ssl::context tls_ = server_tls();  // outlives the responders' connections
    std::vector<std::unique_ptr<UdpResponder>> udp_;
    std::vector<std::unique_ptr<StreamResponder>> streams_;
    std::unique_ptr<Prober> prober_;
    std::mutex mutex_;
    std::vector<TargetChange> changes_;
};

struct AnswerRow {
    const char* name;
    Transport transport;
    bool ipv6;
    int status;
};

void PrintTo(const AnswerRow& r, std::ostream* os) { *os << r.name; }

class AnsweringTarget : public ProberFixture, public ::testing::WithParamInterface<AnswerRow> {};

// Any SIP response is a SIP stack alive (RFC 3261 §21: 1xx..6xx alike).
TEST_P(AnsweringTarget, StaysUp) {
    const AnswerRow& row = GetParam();
    asio::ip::address address = kV4;
    if (row.ipv6) {
        auto v6 = ipv6_loopback();
        if (!v6) GTEST_SKIP() << "no IPv6 loopback (::1) on this machine";
        address = *v6;
    }
    ResponderState* state = nullptr;
    std::uint16_t port = 0;
    if (row.transport == Transport::Udp) {
        UdpResponder& responder = udp(address);
        state = &responder.state;
        port = responder.port();
    } else {
        StreamResponder& responder = stream(address, row.transport == Transport::Tls);
        state = &responder.state;
        port = responder.port();
    }
    state->status = row.status;
    const ProbeTarget t = target(port, row.transport, {ip(address)});
    make_prober(patient());
    prober_->set_targets({t});
    prober_->start();
    ASSERT_TRUE(probed_at_least(t, 4));
    prober_->stop();
    const TargetStatus s = *status_of(t);
    EXPECT_TRUE(s.up);
    EXPECT_TRUE(changes().empty()) << last_change_reason(t);
    EXPECT_EQ(s.last_result, std::to_string(row.status) + " Whatever from " + address.to_string());
    ASSERT_TRUE(s.last_latency_ms.has_value());
    EXPECT_GE(*s.last_latency_ms, 0.0);
    EXPECT_GE(state->requests.load(), 3);  // the fourth round may still be on its way
    // The request as RFC 3261 §8.1.1 and §11 want it.
    std::lock_guard lock(state->mutex);
    const std::string& request = state->last_request;
    const std::string host = row.ipv6 ? "[::1]" : "127.0.0.1";
    const std::string t_name(transport_name(row.transport));
    EXPECT_EQ(request.rfind("OPTIONS sip:sip.test:" + std::to_string(port) + ";transport=" +
                                t_name + " SIP/2.0\r\n",
                            0),
              0u)
        << request;
    const std::string via = header_line(request, "Via");
    EXPECT_EQ(via.rfind("Via: SIP/2.0/" + std::string(via_transport(row.transport)) + " " +
                            host + ":",
                        0),
              0u)
        << via;
    EXPECT_NE(via.find(";branch=z9hG4bK"), std::string::npos) << via;
    EXPECT_EQ(header_line(request, "Max-Forwards"), "Max-Forwards: 70\r\n");
    EXPECT_EQ(header_line(request, "To"),
              "To: <sip:sip.test:" + std::to_string(port) + ">\r\n");
    EXPECT_NE(header_line(request, "From").find(";tag="), std::string::npos);
    EXPECT_NE(header_line(request, "Call-ID"), "");
    EXPECT_NE(header_line(request, "CSeq").find(" OPTIONS\r\n"), std::string::npos);
    EXPECT_EQ(header_line(request, "Content-Length"), "Content-Length: 0\r\n");
    if (row.transport == Transport::Tls) {
        std::lock_guard sni_lock(sni_mutex);
        EXPECT_EQ(last_sni, "sip.test");
    }
}

INSTANTIATE_TEST_SUITE_P(
    Rows, AnsweringTarget,
    ::testing::Values(AnswerRow{"UdpOk", Transport::Udp, false, 200},
                      AnswerRow{"UdpServiceUnavailable", Transport::Udp, false, 503},
                      AnswerRow{"UdpTrying", Transport::Udp, false, 100},
                      AnswerRow{"UdpNotFound", Transport::Udp, false, 404},
                      AnswerRow{"TcpOk", Transport::Tcp, false, 200},
                      AnswerRow{"TcpMethodNotAllowed", Transport::Tcp, false, 405},
                      AnswerRow{"TlsOk", Transport::Tls, false, 200},
                      AnswerRow{"TlsServiceUnavailable", Transport::Tls, false, 503},
                      AnswerRow{"Udp6Ok", Transport::Udp, true, 200},
                      AnswerRow{"Tcp6Ok", Transport::Tcp, true, 200},
                      AnswerRow{"Tls6Ok", Transport::Tls, true, 200}),
    [](const auto& info) { return std::string(info.param.name); });

struct FailureRow {
    const char* name;
    Transport transport;
    Mode mode;
    std::string reason;  // of the change to down
};

void PrintTo(const FailureRow& r, std::ostream* os) { *os << r.name; }

class FailingTarget : public ProberFixture, public ::testing::WithParamInterface<FailureRow> {};

// fall (3) failed rounds in a row take the target down, with a reason naming the count.
TEST_P(FailingTarget, GoesDownAfterFallRounds) {
    const FailureRow& row = GetParam();
    ResponderState* state = nullptr;
    std::uint16_t port = 0;
    if (row.transport == Transport::Udp) {
        UdpResponder& responder = udp(kV4);
        state = &responder.state;
        port = responder.port();
    } else {
        StreamResponder& responder = stream(kV4, row.transport == Transport::Tls);
        state = &responder.state;
        port = responder.port();
    }
    state->mode = row.mode;
    const ProbeTarget t = target(port, row.transport, {ip("127.0.0.1")});
    make_prober();
    prober_->set_targets({t});
    prober_->start();
    ASSERT_TRUE(goes(t, false));
    const TargetStatus s = *status_of(t);
    EXPECT_GE(s.probes_failed, 3u);
    EXPECT_EQ(prober_->up_count(), 0u);
    const auto all = changes();
    ASSERT_EQ(all.size(), 1u);
    EXPECT_FALSE(all[0].up);
    EXPECT_EQ(all[0].target, t);
    EXPECT_EQ(all[0].reason.rfind(row.reason, 0), 0u) << all[0].reason;
}

INSTANTIATE_TEST_SUITE_P(
    Rows, FailingTarget,
    ::testing::Values(
        FailureRow{"UdpSilent", Transport::Udp, Mode::Silent, "3 OPTIONS without answer"},
        FailureRow{"TcpSilent", Transport::Tcp, Mode::Silent, "3 OPTIONS without answer"},
        FailureRow{"TlsSilent", Transport::Tls, Mode::Silent, "3 OPTIONS without answer"},
        // RFC 3261 §17.1.3: another transaction's response is not an answer to ours.
        FailureRow{"UdpWrongBranch", Transport::Udp, Mode::WrongBranch,
                   "3 OPTIONS without answer"},
        FailureRow{"TcpWrongBranch", Transport::Tcp, Mode::WrongBranch,
                   "3 OPTIONS without answer"},
        FailureRow{"UdpGarbage", Transport::Udp, Mode::Garbage,
                   "3 probes failed: malformed response: no SIP/2.0 status line"},
        FailureRow{"TcpGarbage", Transport::Tcp, Mode::Garbage,
                   "3 probes failed: malformed response: no SIP/2.0 status line"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST_F(ProberFixture, ClosedTcpPortIsConnectionRefused) {
    std::uint16_t port = 0;
    {
        asio::ip::tcp::acceptor closed(loop_.io, asio::ip::tcp::endpoint(kV4, 0));
        port = closed.local_endpoint().port();
    }
    const ProbeTarget t = target(port, Transport::Tcp, {ip("127.0.0.1")});
    make_prober();
    prober_->set_targets({t});
    prober_->start();
    ASSERT_TRUE(goes(t, false));
    EXPECT_EQ(last_change_reason(t), "3 probes failed: connection refused");
}

TEST_F(ProberFixture, ClosedUdpPortIsPortUnreachable) {
    std::uint16_t port = 0;
    {
        asio::ip::udp::socket closed(loop_.io, asio::ip::udp::endpoint(kV4, 0));
        port = closed.local_endpoint().port();
    }
    const ProbeTarget t = target(port, Transport::Udp, {ip("127.0.0.1")});
    make_prober();
    prober_->set_targets({t});
    prober_->start();
    ASSERT_TRUE(goes(t, false));
    EXPECT_EQ(last_change_reason(t), "3 probes failed: port unreachable");
}

TEST_F(ProberFixture, TlsPortSpeakingPlainTcpFailsTheHandshake) {
    StreamResponder& plain = stream(kV4);  // answers a ClientHello with a plain SIP 400
    const ProbeTarget t = target(plain.port(), Transport::Tls, {ip("127.0.0.1")});
    make_prober();
    prober_->set_targets({t});
    prober_->start();
    ASSERT_TRUE(goes(t, false));
    const std::string reason = last_change_reason(t);
    EXPECT_EQ(reason.rfind("3 probes failed: TLS handshake failed: ", 0), 0u) << reason;
}

TEST_F(ProberFixture, ComesBackAfterRiseAnswers) {
    UdpResponder& responder = udp(kV4);
    responder.state.mode = Mode::Silent;
    const ProbeTarget t = target(responder.port(), Transport::Udp, {ip("127.0.0.1")});
    make_prober();
    prober_->set_targets({t});
    prober_->start();
    ASSERT_TRUE(goes(t, false));
    responder.state.mode = Mode::Answer;
    ASSERT_TRUE(goes(t, true));
    const auto all = changes();
    ASSERT_EQ(all.size(), 2u);
    EXPECT_FALSE(all[0].up);
    EXPECT_TRUE(all[1].up);
    EXPECT_EQ(all[1].reason, "answered 2 OPTIONS (200 Whatever)");
    EXPECT_EQ(prober_->up_count(), 1u);
}

// A target is up when any of its addresses answers (IPv4 or IPv6, docs/design.md §10).
TEST_F(ProberFixture, UpWhileOneOfTwoAddressesAnswers) {
    UdpResponder& alive = udp(kV4);
    // 127.0.0.2 is loopback too, but nothing listens there on that port.
    const ProbeTarget t =
        target(alive.port(), Transport::Udp, {ip("127.0.0.2"), ip("127.0.0.1")});
    make_prober(patient());
    prober_->set_targets({t});
    prober_->start();
    ASSERT_TRUE(probed_at_least(t, 4));
    const TargetStatus s = *status_of(t);
    EXPECT_TRUE(s.up);
    EXPECT_EQ(s.probes_failed, 0u);
    EXPECT_EQ(s.last_result, "200 Whatever from 127.0.0.1");
    EXPECT_TRUE(changes().empty());
}

TEST_F(ProberFixture, DownWhenEveryAddressFailsWithEachReason) {
    UdpResponder& silent = udp(kV4);
    silent.state.mode = Mode::Silent;
    const ProbeTarget t =
        target(silent.port(), Transport::Udp, {ip("127.0.0.2"), ip("127.0.0.1")});
    make_prober();
    prober_->set_targets({t});
    prober_->start();
    ASSERT_TRUE(goes(t, false));
    EXPECT_EQ(last_change_reason(t),
              "3 probes failed: 127.0.0.2: port unreachable, 127.0.0.1: no answer");
}

TEST_F(ProberFixture, Ipv4AndIpv6AddressesOfOneTarget) {
    const auto v6 = ipv6_loopback();
    if (!v6) GTEST_SKIP() << "no IPv6 loopback (::1) on this machine";
    StreamResponder& alive = stream(*v6);
    // The same port on 127.0.0.1 refuses (or, if another test's listener has it, answers).
    const ProbeTarget t = target(alive.port(), Transport::Tcp, {ip("127.0.0.2"), ip(*v6)});
    make_prober(patient());
    prober_->set_targets({t});
    prober_->start();
    ASSERT_TRUE(probed_at_least(t, 3));
    const TargetStatus s = *status_of(t);
    EXPECT_TRUE(s.up);
    EXPECT_EQ(s.last_result, "200 Whatever from ::1");
}

TEST_F(ProberFixture, SetTargetsKeepsTheStateOfKeptTargets) {
    UdpResponder& silent = udp(kV4);
    silent.state.mode = Mode::Silent;
    UdpResponder& alive = udp(kV4);
    const ProbeTarget a = target(silent.port(), Transport::Udp, {ip("127.0.0.1")}, "a.test");
    const ProbeTarget b = target(alive.port(), Transport::Udp, {ip("127.0.0.1")}, "b.test");
    make_prober();
    prober_->set_targets({a});
    prober_->start();
    ASSERT_TRUE(goes(a, false));
    const std::uint64_t failed_before = status_of(a)->probes_failed;

    prober_->set_targets({b, a});  // a kept (still down), b new (starts up)
    EXPECT_EQ(prober_->target_count(), 2u);
    EXPECT_FALSE(status_of(a)->up);
    EXPECT_GE(status_of(a)->probes_failed, failed_before);
    EXPECT_TRUE(status_of(b)->up);
    ASSERT_TRUE(probed_at_least(b, 3));
    EXPECT_FALSE(status_of(a)->up);
    EXPECT_EQ(prober_->up_count(), 1u);

    prober_->set_targets({b});  // a removed: no longer probed, no longer listed
    EXPECT_EQ(prober_->target_count(), 1u);
    EXPECT_FALSE(status_of(a).has_value());
    std::this_thread::sleep_for(300ms);  // let a round in flight end
    const int requests = silent.state.requests.load();
    std::this_thread::sleep_for(600ms);  // four intervals
    EXPECT_EQ(silent.state.requests.load(), requests);

    // A target that comes back after removal is new again: up, no history.
    prober_->set_targets({a, b});
    EXPECT_TRUE(status_of(a)->up);
    EXPECT_EQ(status_of(a)->probes_failed, 0u);
}

// Probes are bounded: one outstanding per target, rounds no closer than the interval.
TEST_F(ProberFixture, NeverFasterThanTheInterval) {
    UdpResponder& responder = udp(kV4);
    ProberSettings settings = fast();
    settings.interval_ms = 200;
    make_prober(settings);
    const ProbeTarget t = target(responder.port(), Transport::Udp, {ip("127.0.0.1")});
    prober_->set_targets({t});
    const auto started = std::chrono::steady_clock::now();
    prober_->start();
    std::this_thread::sleep_for(1s);
    prober_->stop();
    const double elapsed_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
            .count();
    // Rounds at 0, 200, 400, ... ms: at most elapsed/interval + 1 requests.
    EXPECT_LE(responder.state.requests.load(), static_cast<int>(elapsed_ms / 200) + 1);
    EXPECT_GE(responder.state.requests.load(), 1);
}

// stop() cancels probes in flight: it does not wait for their timeouts.
TEST_F(ProberFixture, StopIsPrompt) {
    StreamResponder& silent = stream(kV4);
    silent.state.mode = Mode::Silent;
    ProberSettings settings = fast();
    settings.interval_ms = 60000;
    settings.timeout_ms = 30000;
    make_prober(settings);
    const ProbeTarget t = target(silent.port(), Transport::Tcp, {ip("127.0.0.1")});
    prober_->set_targets({t});
    prober_->start();
    ASSERT_TRUE(eventually([&] { return silent.state.requests.load() >= 1; }));
    const auto before = std::chrono::steady_clock::now();
    prober_->stop();
    EXPECT_LT(std::chrono::steady_clock::now() - before, 5s);
    EXPECT_TRUE(status_of(t)->up);  // no round finished, no change
    prober_->stop();                // idempotent
}

TEST_F(ProberFixture, StopWithoutStartAndNoTargets) {
    make_prober();
    EXPECT_EQ(prober_->target_count(), 0u);
    EXPECT_EQ(prober_->up_count(), 0u);
    prober_->set_targets({target(5060, Transport::Udp, {ip("127.0.0.1")})});
    EXPECT_EQ(prober_->target_count(), 1u);
    prober_->stop();
    EXPECT_EQ(status_of(target(5060, Transport::Udp, {}))->probes_sent, 0u);
}

TEST(TargetKey, NameOfPortAndTransportOnly) {
    const ProbeTarget a = target(5060, Transport::Udp, {ip("192.0.2.1")});
    const ProbeTarget b = target(5060, Transport::Udp, {ip("192.0.2.2")});
    const ProbeTarget c = target(5060, Transport::Tcp, {ip("192.0.2.1")});
    EXPECT_EQ(a, b);
    EXPECT_FALSE(a == c);
    EXPECT_TRUE(a < c);
    EXPECT_FALSE(a < b || b < a);
}

}  // namespace
}  // namespace sipdns::health
