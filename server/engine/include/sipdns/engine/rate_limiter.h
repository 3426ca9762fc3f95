// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// Response rate limiting (RRL) over UDP, as BIND's rate-limit, NSD's rrl-* and Knot's rrl module
// do it: a spoofed-source flood must not turn an authoritative server into an amplifier, yet a
// real client caught in it must still get through (over TCP, after a TC=1 "slip").
//
// Accounting is per client prefix (IPv4 /24, IPv6 /56 by default) and per response: the engine
// names each response with a ResponseKey (BIND's "identical responses": qname + qtype of a
// positive answer, the wildcard owner for synthesised ones, the zone for NXDOMAIN and NODATA,
// the delegation point for referrals, nothing for errors — so every REFUSED/FORMERR to one
// prefix shares a bucket).
//
// Each (prefix, response) has a token bucket refilled at responses_per_second, holding at most
// one second's worth (BIND: "account balances cannot be more positive than the per-second
// allowance"). Buckets live in one fixed-size, lossy hash table shared by every worker thread,
// as Knot's: SO_REUSEPORT spreads one client's queries over all workers, so per-thread tables
// would each grant the full rate (N threads -> N times the limit). A bucket is one 64-bit word
// updated by compare-and-swap with relaxed ordering — no lock, no allocation per query; when
// two keys land on the same slot the newer takes it over (starting full), which can only let
// more through, never block a client that is under the rate.
//
// No clock and no sockets here: the caller passes the time, so tests are deterministic.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "sipdns/config/address.h"
#include "sipdns/config/site_config.h"

namespace sipdns::engine {

// BIND's response classes (ARM, rate-limit: responses-per-second, nxdomains-per-second,
// nodata-per-second, referrals-per-second, errors-per-second); one rate here serves them all.
enum class ResponseKind : std::uint8_t { Positive, NoData, NxDomain, Referral, Error };

// What a response is, for accounting: its kind and a hash of the name (and type) that make it
// "the same response" (see above). Computed by the engine while answering.
struct ResponseKey {
    ResponseKind kind = ResponseKind::Error;
    std::uint64_t hash = 0;

    // name: a wire name, lower case; qtype only counts for Positive.
    static ResponseKey make(ResponseKind kind, std::string_view name, std::uint16_t qtype);
};

// Per worker thread (one per UDP socket server), plain counters: read by whoever reports them.
// `sequence` drives the slip: every slip-th limited response of this thread is truncated.
struct RateLimitCounters {
    std::uint64_t limited = 0;  // responses over the rate: dropped or slipped
    std::uint64_t slipped = 0;  // of those, sent as TC=1
    std::uint64_t sequence = 0;
};

enum class RateLimitVerdict : std::uint8_t {
    Send,  // under the rate
    Drop,  // over the rate: send nothing
    Slip,  // over the rate: send TC=1 with the question only, so a real client retries over TCP
};

class ResponseRateLimiter {
  public:
    // 2^18 buckets of 8 octets: 2 MiB, allocated once. Knot's default table holds 393 241
    // buckets; a DNS server for one SIP site sees far fewer distinct (prefix, response) pairs
    // per second, and a colliding pair only takes the slot over.
    static constexpr std::size_t kDefaultBuckets = std::size_t{1} << 18;

    // `buckets` is rounded up to a power of two (at least 2). `seed` keys the hash so that an
    // attacker cannot aim colliding keys at a victim's bucket (0 = a random seed).
    explicit ResponseRateLimiter(std::size_t buckets = kDefaultBuckets, std::uint64_t seed = 0);
    ResponseRateLimiter(const ResponseRateLimiter&) = delete;
    ResponseRateLimiter& operator=(const ResponseRateLimiter&) = delete;

    // Accounts one response to `client` and says what to do with it. `now_ms`: a monotonic
    // clock in milliseconds (any epoch). Thread-safe; `counters` belongs to the calling thread.
    // settings.responses_per_second = 0 (off) always sends.
    RateLimitVerdict check(const config::RateLimitSettings& settings,
                           const config::IpAddress& client, const ResponseKey& key,
                           std::uint64_t now_ms, RateLimitCounters& counters);

    std::size_t bucket_count() const { return mask_ + 1; }

    // The client prefix as hashed: the address with every bit past the prefix length cleared.
    static config::IpAddress prefix_of(const config::IpAddress& client,
                                       const config::RateLimitSettings& settings);

  private:
    std::unique_ptr<std::atomic<std::uint64_t>[]> buckets_;
    std::size_t mask_;
    std::uint64_t seed_;
};

}  // namespace sipdns::engine
