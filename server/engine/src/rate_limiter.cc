// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#include "sipdns/engine/rate_limiter.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <random>

namespace sipdns::engine {

namespace {

// One bucket in one 64-bit word, so that a compare-and-swap updates it whole:
//   [63..44] tag    20 bits of the key's hash, lowest bit always 1 (an all-zero word, a slot
//                   never used, matches no key)
//   [43..20] stamp  milliseconds, modulo 2^24 (about 4.7 hours)
//   [19..0]  tokens up to 2^20 - 1 (the configured rate is at most 1 000 000)
constexpr unsigned kTokenBits = 20;
constexpr unsigned kStampBits = 24;
constexpr unsigned kTagBits = 20;
static_assert(kTokenBits + kStampBits + kTagBits == 64);
constexpr std::uint64_t kTokenMask = (std::uint64_t{1} << kTokenBits) - 1;
constexpr std::uint64_t kStampMask = (std::uint64_t{1} << kStampBits) - 1;
constexpr std::uint64_t kMaxRate = kTokenMask;
constexpr std::uint64_t kMillisPerSecond = 1000;
// A CAS that keeps losing means other threads are updating the same bucket right now; after this
// many tries the response is sent unaccounted (fail open: RRL must never block a client because
// of our own contention).
constexpr int kMaxCasTries = 8;

struct Bucket {
    std::uint64_t tag;
    std::uint64_t stamp;
    std::uint64_t tokens;

    static Bucket unpack(std::uint64_t w) {
        return {w >> (kTokenBits + kStampBits), (w >> kTokenBits) & kStampMask, w & kTokenMask};
    }
    std::uint64_t pack() const {
        return tag << (kTokenBits + kStampBits) | (stamp & kStampMask) << kTokenBits |
               (tokens & kTokenMask);
    }
};

// SplitMix64's finaliser (Steele, Lea, Flood 2014): every input bit reaches every output bit.
constexpr std::uint64_t mix(std::uint64_t x) {
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return x;
}

std::uint64_t load64(const std::uint8_t* p) {
    std::uint64_t v;
    std::memcpy(&v, p, sizeof v);
    return v;
}

// Refills `b` for the time since its stamp (tokens accrue at `rate` per second, at most `rate`
// held) and takes one token if there is one. Returns whether it took one.
bool take_token(Bucket& b, std::uint64_t rate, std::uint64_t now) {
    const std::uint64_t elapsed = (now - b.stamp) & kStampMask;
    if (elapsed >= kMillisPerSecond) {
        b.tokens = rate;
        b.stamp = now;
    } else {
        const std::uint64_t earned = elapsed * rate / kMillisPerSecond;  // < 2^30: no overflow
        if (earned > 0) {
            b.tokens = std::min(rate, b.tokens + earned);
            // Only the time that bought whole tokens is spent: the remainder keeps accruing, so
            // a slow rate (5/s) is not lost to rounding between frequent queries.
            b.stamp = b.tokens == rate ? now : b.stamp + earned * kMillisPerSecond / rate;
        }
        b.tokens = std::min(b.tokens, rate);  // the rate may have been lowered by a reload
    }
    if (b.tokens == 0) return false;
    --b.tokens;
    return true;
}

}  // namespace

ResponseKey ResponseKey::make(ResponseKind kind, std::string_view name, std::uint16_t qtype) {
    // FNV-1a over the name (short, hashed once per query), then mixed with kind and type.
    std::uint64_t h = 0xcbf29ce484222325ULL;
    for (char c : name) {
        h ^= static_cast<std::uint8_t>(c);
        h *= 0x100000001b3ULL;
    }
    const std::uint64_t type = kind == ResponseKind::Positive ? qtype : 0;
    return {kind, mix(h ^ (static_cast<std::uint64_t>(kind) << 16 | type))};
}

ResponseRateLimiter::ResponseRateLimiter(std::size_t buckets, std::uint64_t seed)
    : mask_(std::bit_ceil(std::max<std::size_t>(buckets, 2)) - 1), seed_(seed) {
    buckets_ = std::make_unique<std::atomic<std::uint64_t>[]>(mask_ + 1);
    for (std::size_t i = 0; i <= mask_; ++i) buckets_[i].store(0, std::memory_order_relaxed);
    if (seed_ == 0) {
        std::random_device random;
        seed_ = (static_cast<std::uint64_t>(random()) << 32 | random()) | 1;
    }
}

config::IpAddress ResponseRateLimiter::prefix_of(const config::IpAddress& client,
                                                 const config::RateLimitSettings& settings) {
    config::IpAddress p = client;
    const std::size_t bits = client.is_v4() ? std::min<std::size_t>(settings.ipv4_prefix, 32)
                                            : std::min<std::size_t>(settings.ipv6_prefix, 128);
    for (std::size_t i = 0; i < p.bytes.size(); ++i) {
        const std::size_t first_bit = i * 8;
        if (first_bit + 8 <= bits) continue;
        p.bytes[i] = first_bit >= bits
                         ? 0
                         : static_cast<std::uint8_t>(p.bytes[i] & (0xff00 >> (bits - first_bit)));
    }
    return p;
}

RateLimitVerdict ResponseRateLimiter::check(const config::RateLimitSettings& settings,
                                            const config::IpAddress& client, const ResponseKey& key,
                                            std::uint64_t now_ms, RateLimitCounters& counters) {
    if (!settings.enabled()) return RateLimitVerdict::Send;
    const std::uint64_t rate = std::min<std::uint64_t>(settings.responses_per_second, kMaxRate);

    const config::IpAddress prefix = prefix_of(client, settings);
    std::uint64_t h = mix(seed_ ^ (client.is_v4() ? 4 : 6));
    h = mix(h ^ load64(prefix.bytes.data()));
    h = mix(h ^ load64(prefix.bytes.data() + 8));
    h = mix(h ^ key.hash);
    const std::uint64_t tag = (h >> (64 - kTagBits)) | 1;
    std::atomic<std::uint64_t>& slot = buckets_[h & mask_];
    const std::uint64_t now = now_ms & kStampMask;

    bool allowed = true;
    std::uint64_t word = slot.load(std::memory_order_relaxed);
    for (int attempt = 0; attempt < kMaxCasTries; ++attempt) {
        Bucket b = Bucket::unpack(word);
        if (b.tag != tag) b = {tag, now, rate};  // a new key (or a collision): starts full
        allowed = take_token(b, rate, now);
        if (slot.compare_exchange_weak(word, b.pack(), std::memory_order_relaxed)) break;
        if (attempt + 1 == kMaxCasTries) allowed = true;
    }
    if (allowed) return RateLimitVerdict::Send;

    ++counters.limited;
    if (settings.slip == 0) return RateLimitVerdict::Drop;
    if (++counters.sequence % settings.slip != 0) return RateLimitVerdict::Drop;
    ++counters.slipped;
    return RateLimitVerdict::Slip;
}

}  // namespace sipdns::engine
