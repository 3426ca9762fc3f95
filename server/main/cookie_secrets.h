// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// The server secret of DNS Cookies (RFC 9018 §5, "Updating the Server Secret"): 128 random bits
// from getrandom(2) at start, never in the site file (it is shareable) nor on disk. Every 24
// hours a new secret makes the new cookies while the one before stays accepted, so a rotation
// invalidates no cookie a client holds (a cookie lives at most an hour, RFC 9018 §4.3). Reloads
// keep the secrets: frequent reloads would otherwise invalidate cookies for nothing.
//
// How a rotation reaches the workers: the secrets are part of the engine settings, so a rotation
// publishes a new serving snapshot with the same zones, exactly as a reload does; each worker
// notices the generation number change with one atomic load per batch (net/snapshot.h) — no
// lock on the query path. Rotations run on the control thread, where reloads and the health
// monitor publish too, so no two publishes race.
#include <chrono>
#include <memory>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "sipdns/engine/dns_cookie.h"
#include "sipdns/net/server.h"
#include "sipdns/net/snapshot.h"

namespace sipdns::app {

inline constexpr std::chrono::hours kCookieSecretRotation{24};

// 128 bits from the kernel's CSPRNG (getrandom(2), blocking only before the pool is seeded).
engine::CookieSecret random_cookie_secret();

class CookieSecretKeeper {
  public:
    CookieSecretKeeper();  // a random current secret, no previous one

    const engine::CookieSecrets& secrets() const { return secrets_; }

    // The current secret becomes the previous one (still accepted), a new random one current.
    void rotate();

    // Rotates every kCookieSecretRotation on `context` and publishes the serving snapshot with
    // the new secrets (the same zones and other settings).
    void start_rotation(boost::asio::io_context& context, net::SnapshotHolder& snapshots,
                        net::Server& server);
    void stop();

  private:
    void schedule();

    engine::CookieSecrets secrets_;
    std::unique_ptr<boost::asio::steady_timer> timer_;
    net::SnapshotHolder* snapshots_ = nullptr;
    net::Server* server_ = nullptr;
};

}  // namespace sipdns::app
