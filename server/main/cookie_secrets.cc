// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#include "cookie_secrets.h"

#include <sys/random.h>

#include <cerrno>
#include <cstdlib>
#include <system_error>

#include <spdlog/spdlog.h>

#include "health_monitor.h"

namespace sipdns::app {

engine::CookieSecret random_cookie_secret() {
    engine::CookieSecret secret{};
    std::size_t filled = 0;
    while (filled < secret.size()) {
        const ssize_t n = getrandom(secret.data() + filled, secret.size() - filled, 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            // No kernel CSPRNG (Linux < 3.17): a guessable secret would make cookies worthless.
            spdlog::critical("getrandom: {}; cannot make a DNS Cookie secret",
                             std::generic_category().message(errno));
            std::abort();
        }
        filled += static_cast<std::size_t>(n);
    }
    return secret;
}

CookieSecretKeeper::CookieSecretKeeper() { secrets_.current = random_cookie_secret(); }

void CookieSecretKeeper::rotate() {
    secrets_.previous = secrets_.current;
    secrets_.has_previous = true;
    secrets_.current = random_cookie_secret();
}

void CookieSecretKeeper::start_rotation(boost::asio::io_context& context,
                                        net::SnapshotHolder& snapshots, net::Server& server) {
    snapshots_ = &snapshots;
    server_ = &server;
    timer_ = std::make_unique<boost::asio::steady_timer>(context);
    schedule();
}

void CookieSecretKeeper::stop() {
    if (timer_) timer_->cancel();
}

void CookieSecretKeeper::schedule() {
    timer_->expires_after(kCookieSecretRotation);
    timer_->async_wait([this](const boost::system::error_code& error) {
        if (error) return;  // cancelled: shutting down
        rotate();
        const auto serving = snapshots_->current();
        net::ServingSnapshot next{serving->zones, serving->settings};
        next.settings.cookie_secrets = secrets_;
        free_when_unused(*server_, snapshots_->publish(
                                       std::make_shared<const net::ServingSnapshot>(std::move(next))));
        spdlog::info("DNS Cookie secret rotated (the previous one stays accepted)");
        schedule();
    });
}

}  // namespace sipdns::app
