// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#include "sipdns/net/signal_loop.h"

#include <csignal>
#include <exception>

#include <spdlog/spdlog.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

namespace sipdns::net {

struct SignalLoop::Impl {
    Impl() : signals(context, SIGINT, SIGTERM, SIGHUP) {}

    void wait(const std::function<void()>& on_reload, int& stop_signal) {
        signals.async_wait([this, &on_reload, &stop_signal](const boost::system::error_code& ec,
                                                            int signal_number) {
            if (ec) return;
            if (signal_number != SIGHUP) {
                stop_signal = signal_number;
                context.stop();  // run() returns, whatever else (the control socket) waits
                return;
            }
            try {
                on_reload();
            } catch (const std::exception& e) {
                spdlog::error("reload failed: {}", e.what());
            }
            wait(on_reload, stop_signal);
        });
    }

    boost::asio::io_context context{1};
    boost::asio::signal_set signals;
};

SignalLoop::SignalLoop() {
    // A write to a TCP connection the client already closed must be an error, not a SIGPIPE.
    std::signal(SIGPIPE, SIG_IGN);
    impl_ = std::make_unique<Impl>();
}

SignalLoop::~SignalLoop() = default;

boost::asio::io_context& SignalLoop::context() { return impl_->context; }

int SignalLoop::run(const std::function<void()>& on_reload) {
    int stop_signal = 0;
    impl_->wait(on_reload, stop_signal);
    impl_->context.run();
    impl_->context.restart();
    return stop_signal;
}

}  // namespace sipdns::net
