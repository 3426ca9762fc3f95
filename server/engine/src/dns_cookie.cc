// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#include "sipdns/engine/dns_cookie.h"

#include <cstring>

namespace sipdns::engine {

namespace {

constexpr std::uint8_t kCookieVersion = 1;  // RFC 9018 §4.1

std::uint64_t load_le64(const std::uint8_t* p) {
    std::uint64_t v = 0;
    for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
    return v;
}

constexpr std::uint64_t rotl(std::uint64_t x, int b) { return (x << b) | (x >> (64 - b)); }

struct SipState {
    std::uint64_t v0, v1, v2, v3;

    void round() {
        v0 += v1; v1 = rotl(v1, 13); v1 ^= v0; v0 = rotl(v0, 32);
        v2 += v3; v3 = rotl(v3, 16); v3 ^= v2;
        v0 += v3; v3 = rotl(v3, 21); v3 ^= v0;
        v2 += v1; v1 = rotl(v1, 17); v1 ^= v2; v2 = rotl(v2, 32);
    }
    void compress(std::uint64_t m) {  // c = 2 rounds per message word
        v3 ^= m;
        round();
        round();
        v0 ^= m;
    }
};

// The hashed input of RFC 9018 §4.4: Client Cookie | Version | Reserved | Timestamp | Client-IP.
// At most 8 + 1 + 3 + 4 + 16 octets.
std::size_t hash_input(std::span<const std::uint8_t> client_cookie,
                       const config::IpAddress* client, std::uint32_t timestamp,
                       std::array<std::uint8_t, 32>& in) {
    std::memcpy(in.data(), client_cookie.data(), kClientCookieSize);
    in[8] = kCookieVersion;
    in[9] = in[10] = in[11] = 0;
    in[12] = static_cast<std::uint8_t>(timestamp >> 24);
    in[13] = static_cast<std::uint8_t>(timestamp >> 16);
    in[14] = static_cast<std::uint8_t>(timestamp >> 8);
    in[15] = static_cast<std::uint8_t>(timestamp);
    std::size_t n = 16;
    if (client != nullptr) {
        std::memcpy(in.data() + n, client->bytes.data(), client->size());
        n += client->size();
    }
    return n;
}

std::uint64_t cookie_hash(std::span<const std::uint8_t> client_cookie,
                          const config::IpAddress* client, std::uint32_t timestamp,
                          const CookieSecret& secret) {
    std::array<std::uint8_t, 32> in{};
    const std::size_t n = hash_input(client_cookie, client, timestamp, in);
    return siphash24(secret, std::span<const std::uint8_t>(in.data(), n));
}

// The Hash field holds SipHash's 8 output octets in the reference implementation's order
// (little-endian), as BIND and Knot write them (RFC 9018 Appendix A).
bool hash_equals(std::uint64_t hash, const std::uint8_t* field) {
    std::uint8_t diff = 0;
    for (int i = 0; i < 8; ++i) diff |= static_cast<std::uint8_t>(field[i] ^ (hash >> (8 * i)));
    return diff == 0;
}

}  // namespace

std::uint64_t siphash24(const CookieSecret& key, std::span<const std::uint8_t> data) {
    const std::uint64_t k0 = load_le64(key.data());
    const std::uint64_t k1 = load_le64(key.data() + 8);
    // "somepseudorandomlygeneratedbytes", the paper's initialisation constants.
    SipState s{k0 ^ 0x736f6d6570736575ULL, k1 ^ 0x646f72616e646f6dULL,
               k0 ^ 0x6c7967656e657261ULL, k1 ^ 0x7465646279746573ULL};
    const std::size_t whole = data.size() - data.size() % 8;
    for (std::size_t i = 0; i < whole; i += 8) s.compress(load_le64(data.data() + i));
    // The last word: the remaining octets and the length modulo 256 in the top octet.
    std::uint64_t last = static_cast<std::uint64_t>(data.size() & 0xff) << 56;
    for (std::size_t i = whole; i < data.size(); ++i)
        last |= static_cast<std::uint64_t>(data[i]) << (8 * (i - whole));
    s.compress(last);
    s.v2 ^= 0xff;
    for (int i = 0; i < 4; ++i) s.round();  // d = 4 finalisation rounds
    return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}

ServerCookie make_server_cookie(std::span<const std::uint8_t> client_cookie,
                                const config::IpAddress* client, std::uint32_t timestamp,
                                const CookieSecret& secret) {
    ServerCookie cookie{};
    cookie[0] = kCookieVersion;  // Reserved (octets 1-3) stays 0
    cookie[4] = static_cast<std::uint8_t>(timestamp >> 24);
    cookie[5] = static_cast<std::uint8_t>(timestamp >> 16);
    cookie[6] = static_cast<std::uint8_t>(timestamp >> 8);
    cookie[7] = static_cast<std::uint8_t>(timestamp);
    const std::uint64_t hash = cookie_hash(client_cookie, client, timestamp, secret);
    for (int i = 0; i < 8; ++i) cookie[8 + i] = static_cast<std::uint8_t>(hash >> (8 * i));
    return cookie;
}

ServerCookieCheck check_server_cookie(std::span<const std::uint8_t> client_cookie,
                                      std::span<const std::uint8_t> server_cookie,
                                      const config::IpAddress* client, std::uint32_t now,
                                      const CookieSecrets& secrets) {
    // Another format (another server of an anycast set, an older secret scheme): not ours.
    if (client_cookie.size() != kClientCookieSize || server_cookie.size() != kServerCookieSize ||
        server_cookie[0] != kCookieVersion || server_cookie[1] != 0 || server_cookie[2] != 0 ||
        server_cookie[3] != 0)
        return ServerCookieCheck::Invalid;
    const std::uint32_t timestamp = std::uint32_t{server_cookie[4]} << 24 |
                                    std::uint32_t{server_cookie[5]} << 16 |
                                    std::uint32_t{server_cookie[6]} << 8 | server_cookie[7];
    // RFC 1982 serial arithmetic: the signed 32-bit difference.
    const auto age = static_cast<std::int64_t>(static_cast<std::int32_t>(now - timestamp));
    if (age > kCookieLifetimeSeconds || age < -kCookieFutureSeconds)
        return ServerCookieCheck::Invalid;
    const std::uint8_t* hash = server_cookie.data() + 8;
    if (hash_equals(cookie_hash(client_cookie, client, timestamp, secrets.current), hash))
        return age > kCookieRenewSeconds ? ServerCookieCheck::Renew : ServerCookieCheck::Valid;
    if (secrets.has_previous &&
        hash_equals(cookie_hash(client_cookie, client, timestamp, secrets.previous), hash))
        return ServerCookieCheck::Renew;
    return ServerCookieCheck::Invalid;
}

}  // namespace sipdns::engine
