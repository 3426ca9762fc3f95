// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// DNS Cookies (RFC 7873) with the interoperable server cookie of RFC 9018 §4: Version 1,
// Reserved 0, a 32-bit Timestamp and a SipHash-2-4 over the client cookie, those fields and the
// client's address, keyed with a 128-bit server secret. A server cookie proves that the client
// received an earlier answer at its source address, so such a client is exempt from response
// rate limiting (rate_limit() in query_engine.h).
//
// Pure functions: the caller passes the secrets and the time (seconds since the epoch), so tests
// control both; no allocation.
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "sipdns/config/address.h"

namespace sipdns::engine {

// RFC 7873 §4: the client cookie is 8 octets, a server cookie 8 to 32; ours is 16 (RFC 9018 §4).
inline constexpr std::size_t kClientCookieSize = 8;
inline constexpr std::size_t kServerCookieSize = 16;
inline constexpr std::size_t kMinServerCookieSize = 8;
inline constexpr std::size_t kMaxServerCookieSize = 32;

// RFC 9018 §4.3: a cookie older than an hour, or more than five minutes ahead of our clock, is
// invalid; one older than half an hour is still valid but replaced by a fresh one.
inline constexpr std::int64_t kCookieLifetimeSeconds = 3600;
inline constexpr std::int64_t kCookieRenewSeconds = 1800;
inline constexpr std::int64_t kCookieFutureSeconds = 300;

using CookieSecret = std::array<std::uint8_t, 16>;  // SipHash-2-4's 128-bit key
using ServerCookie = std::array<std::uint8_t, kServerCookieSize>;

// The secrets the server cookies are made and checked with (RFC 9018 §5, "Updating the Server
// Secret"): new cookies are made with `current`; a cookie made with `previous` is still accepted
// (and replaced) so that a rotation does not invalidate the cookies clients hold.
struct CookieSecrets {
    CookieSecret current{};
    CookieSecret previous{};
    bool has_previous = false;
};

// SipHash-2-4 with a 64-bit output (Aumasson and Bernstein, "SipHash: a fast short-input PRF",
// 2012), returned as the reference implementation's 8 output octets read little-endian.
std::uint64_t siphash24(const CookieSecret& key, std::span<const std::uint8_t> data);

// The RFC 9018 §4 server cookie for `client_cookie` (8 octets) from `client` at `timestamp`.
// `client` null: no source address (the hash then covers no address).
ServerCookie make_server_cookie(std::span<const std::uint8_t> client_cookie,
                                const config::IpAddress* client, std::uint32_t timestamp,
                                const CookieSecret& secret);

enum class ServerCookieCheck : std::uint8_t {
    Valid,    // made by us, for this client, with the current secret, at most 30 minutes ago
    Renew,    // valid, but older than 30 minutes or made with the previous secret: send a new one
    Invalid,  // not ours, another client's, too old, from the future, or of a foreign format
};

// Checks a server cookie a client sent back (RFC 9018 §4.3), in constant time for the hash.
// Timestamps compare by serial number arithmetic (RFC 1982), as §4.3 asks, so 2106 is no cliff.
ServerCookieCheck check_server_cookie(std::span<const std::uint8_t> client_cookie,
                                      std::span<const std::uint8_t> server_cookie,
                                      const config::IpAddress* client, std::uint32_t now,
                                      const CookieSecrets& secrets);

}  // namespace sipdns::engine
