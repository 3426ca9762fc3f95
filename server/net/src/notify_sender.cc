// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#include "sipdns/net/notify_sender.h"

#include <array>
#include <chrono>
#include <optional>
#include <random>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <spdlog/spdlog.h>

#include "sipdns/engine/query_engine.h"

namespace sipdns::net {

namespace asio = boost::asio;
using asio::ip::udp;

namespace {

constexpr int kAttempts = 5;                             // RFC 1996 §3.6: retry a few times
constexpr auto kRetryInterval = std::chrono::seconds(2);

udp::endpoint to_endpoint(const config::IpEndpoint& e) {
    if (e.address.is_v4()) {
        asio::ip::address_v4::bytes_type b{};
        std::copy_n(e.address.bytes.begin(), 4, b.begin());
        return {asio::ip::address_v4(b), e.port};
    }
    asio::ip::address_v6::bytes_type b{};
    std::copy_n(e.address.bytes.begin(), 16, b.begin());
    return {asio::ip::address_v6(b), e.port};
}

// One NOTIFY to one secondary: its own socket, buffers and timer (nothing shared between
// overlapping sends).
class NotifyJob : public std::enable_shared_from_this<NotifyJob> {
public:
    NotifyJob(asio::io_context& io, std::vector<std::uint8_t> message, udp::endpoint target,
              std::string label)
        : socket_(io), timer_(io), message_(std::move(message)), target_(target),
          label_(std::move(label)) {}

    void start() {
        boost::system::error_code ec;
        socket_.open(target_.protocol(), ec);
        if (ec) {
            spdlog::warn("notify {}: {}", label_, ec.message());
            return;
        }
        receive();
        send();
    }

private:
    void send() {
        ++attempts_;
        auto self = shared_from_this();
        socket_.async_send_to(asio::buffer(message_), target_,
                              [self](const boost::system::error_code&, std::size_t) {});
        timer_.expires_after(kRetryInterval);
        timer_.async_wait([self](const boost::system::error_code& ec) {
            if (ec || self->done_) return;
            if (self->attempts_ >= kAttempts) {
                spdlog::warn("notify {}: no answer after {} tries", self->label_, kAttempts);
                self->socket_.close();
                return;
            }
            self->send();
        });
    }

    void receive() {
        auto self = shared_from_this();
        socket_.async_receive_from(
            asio::buffer(reply_), from_, [self](const boost::system::error_code& ec, std::size_t n) {
                if (ec) return;
                // The answer to our NOTIFY: same ID, QR set, opcode NOTIFY (RFC 1996 §4.7).
                const bool ours = n >= 12 && from_matches(*self) && reply_id(*self) == self->id() &&
                                  (self->reply_[2] & 0x80) && ((self->reply_[2] >> 3) & 0xf) == 4;
                if (!ours) return self->receive();
                self->done_ = true;
                self->timer_.cancel();
                spdlog::debug("notify {}: acknowledged", self->label_);
                self->socket_.close();
            });
    }

    static bool from_matches(const NotifyJob& j) { return j.from_ == j.target_; }
    static std::uint16_t reply_id(const NotifyJob& j) {
        return static_cast<std::uint16_t>(j.reply_[0] << 8 | j.reply_[1]);
    }
    std::uint16_t id() const { return static_cast<std::uint16_t>(message_[0] << 8 | message_[1]); }

    udp::socket socket_;
    asio::steady_timer timer_;
    std::vector<std::uint8_t> message_;
    udp::endpoint target_;
    udp::endpoint from_;
    std::array<std::uint8_t, 512> reply_{};
    std::string label_;
    int attempts_ = 0;
    bool done_ = false;
};

}  // namespace

struct NotifySender::Impl {
    asio::io_context io;
    asio::executor_work_guard<asio::io_context::executor_type> guard{io.get_executor()};
    std::mt19937 ids{std::random_device{}()};
    std::thread thread{[this] { io.run(); }};
};

NotifySender::NotifySender() : impl_(std::make_unique<Impl>()) {}

NotifySender::~NotifySender() {
    impl_->guard.reset();
    impl_->io.stop();
    impl_->thread.join();
}

void NotifySender::notify(const std::vector<std::string>& zone_apexes,
                          const std::vector<config::IpEndpoint>& targets,
                          const std::optional<engine::TsigKey>& key) {
    for (const auto& apex : zone_apexes) {
        for (const auto& target : targets) {
            const auto id = static_cast<std::uint16_t>(impl_->ids());
            auto job = std::make_shared<NotifyJob>(
                impl_->io,
                engine::make_notify(apex, id, key ? &*key : nullptr, engine::tsig_clock_now()),
                to_endpoint(target),
                target.to_string());
            asio::post(impl_->io, [job] { job->start(); });
        }
    }
}

}  // namespace sipdns::net
