// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
// The workers' cache of forwarded replies (answer_cache.h) and the outstanding-query limit
// (outstanding_limit.h).
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>

#include "message_builder.h"
#include "sipdns/forward/answer_cache.h"
#include "sipdns/forward/outstanding_limit.h"

namespace sipdns::test {
namespace {

using forward::AnswerCache;
using forward::ForwardedAnswer;
using namespace std::chrono_literals;

const AnswerCache::Clock::time_point t0 = AnswerCache::Clock::time_point{} + 1000h;

std::shared_ptr<const ForwardedAnswer> answer(std::uint32_t ttl,
                                              AnswerCache::Clock::time_point received = t0,
                                              std::size_t size = 40) {
    auto a = std::make_shared<ForwardedAnswer>();
    a->message.assign(size, 0x5a);
    a->ttl_offsets = {30};
    a->cache_ttl = ttl;
    a->received = received;
    return a;
}

std::string name(int i) { return "host" + std::to_string(i) + ".example.org."; }

TEST(AnswerCache, Hit) {
    AnswerCache cache;
    const auto a = answer(300);
    cache.insert(question("www.example.org.", type::A), a);
    EXPECT_EQ(cache.size(), 1u);
    EXPECT_GT(cache.bytes(), 0u);
    EXPECT_EQ(cache.find(question("www.example.org.", type::A), t0), a.get());
    EXPECT_EQ(cache.find(question("WWW.Example.org.", type::A), t0), a.get())
        << "questions are lower-cased";
}

TEST(AnswerCache, MissForAnotherNameOrType) {
    AnswerCache cache;
    EXPECT_EQ(cache.find(question("www.example.org.", type::A), t0), nullptr) << "empty";
    cache.insert(question("www.example.org.", type::A), answer(300));
    EXPECT_EQ(cache.find(question("www.example.org.", type::AAAA), t0), nullptr);
    EXPECT_EQ(cache.find(question("ww.example.org.", type::A), t0), nullptr);
    EXPECT_EQ(cache.find(question("www.example.org.", 0x0100 | type::A), t0), nullptr)
        << "both octets of the type are in the key";
}

TEST(AnswerCache, ExpiresByTime) {
    AnswerCache cache;
    const auto q = question("www.example.org.", type::A);
    cache.insert(q, answer(300));
    EXPECT_NE(cache.find(q, t0 + 299s), nullptr);
    EXPECT_NE(cache.find(q, t0 + 299999ms), nullptr);
    EXPECT_EQ(cache.find(q, t0 + 300s), nullptr);
    EXPECT_EQ(cache.size(), 0u) << "dropped when found expired";
    EXPECT_EQ(cache.bytes(), 0u);
}

TEST(AnswerCache, ExpiryCountsFromReception) {
    AnswerCache cache;
    const auto q = question("www.example.org.", type::A);
    cache.insert(q, answer(300, t0 - 200s));  // received 200 s before it was inserted
    EXPECT_NE(cache.find(q, t0 + 99s), nullptr);
    EXPECT_EQ(cache.find(q, t0 + 100s), nullptr);
}

TEST(AnswerCache, TtlCappedAtADay) {
    AnswerCache cache;
    const auto q = question("www.example.org.", type::A);
    cache.insert(q, answer(7 * 86400));
    EXPECT_NE(cache.find(q, t0 + 86399s), nullptr);
    EXPECT_EQ(cache.find(q, t0 + 86400s), nullptr);
}

TEST(AnswerCache, ZeroTtlOrNullIsNotCached) {
    AnswerCache cache;
    const auto q = question("www.example.org.", type::A);
    cache.insert(q, answer(0));
    cache.insert(q, nullptr);
    EXPECT_EQ(cache.size(), 0u);
    EXPECT_EQ(cache.find(q, t0), nullptr);
    AnswerCache none(0);
    none.insert(q, answer(300));
    EXPECT_EQ(none.size(), 0u);
}

TEST(AnswerCache, DoIsPartOfTheKey) {
    AnswerCache cache;
    const auto plain = answer(300), dnssec = answer(300);
    cache.insert(question("www.example.org.", type::A, false), plain);
    EXPECT_EQ(cache.find(question("www.example.org.", type::A, true), t0), nullptr);
    cache.insert(question("www.example.org.", type::A, true), dnssec);
    EXPECT_EQ(cache.size(), 2u);
    EXPECT_EQ(cache.find(question("www.example.org.", type::A, false), t0), plain.get());
    EXPECT_EQ(cache.find(question("www.example.org.", type::A, true), t0), dnssec.get());
}

TEST(AnswerCache, InsertReplaces) {
    AnswerCache cache;
    const auto q = question("www.example.org.", type::A);
    const auto first = answer(300), second = answer(600);
    cache.insert(q, first);
    const std::size_t bytes = cache.bytes();
    cache.insert(q, second);
    EXPECT_EQ(cache.size(), 1u);
    EXPECT_EQ(cache.bytes(), bytes);
    EXPECT_EQ(cache.find(q, t0 + 400s), second.get());
}

TEST(AnswerCache, BoundedByEntriesEvictingTheOldest) {
    AnswerCache cache(3);
    for (int i = 0; i < 4; ++i) cache.insert(question(name(i), type::A), answer(300));
    EXPECT_EQ(cache.size(), 3u);
    EXPECT_EQ(cache.find(question(name(0), type::A), t0), nullptr) << "the oldest went";
    for (int i = 1; i < 4; ++i) EXPECT_NE(cache.find(question(name(i), type::A), t0), nullptr) << i;
}

TEST(AnswerCache, AReplacedEntryIsAsNewAsItsReplacement) {
    AnswerCache cache(3);
    cache.insert(question(name(0), type::A), answer(300));
    cache.insert(question(name(1), type::A), answer(300));
    cache.insert(question(name(0), type::A), answer(300));  // 0 again: now the newest
    cache.insert(question(name(2), type::A), answer(300));
    EXPECT_EQ(cache.size(), 3u);
    cache.insert(question(name(3), type::A), answer(300));
    EXPECT_EQ(cache.size(), 3u);
    EXPECT_EQ(cache.find(question(name(1), type::A), t0), nullptr) << "1 was the oldest";
    EXPECT_NE(cache.find(question(name(0), type::A), t0), nullptr);
    EXPECT_NE(cache.find(question(name(2), type::A), t0), nullptr);
    EXPECT_NE(cache.find(question(name(3), type::A), t0), nullptr);
}

TEST(AnswerCache, ManyInsertsStayBounded) {
    AnswerCache cache(50);
    for (int i = 0; i < 5000; ++i) {
        cache.insert(question(name(i % 120), type::A), answer(300));
        ASSERT_LE(cache.size(), 50u);
    }
    EXPECT_NE(cache.find(question(name(4999 % 120), type::A), t0), nullptr);
}

TEST(AnswerCache, BoundedByBytes) {
    // Each entry costs its message plus a fixed share: two of 1000 octets fit in 2500, not three.
    AnswerCache cache(100, 2500);
    for (int i = 0; i < 3; ++i) cache.insert(question(name(i), type::A), answer(300, t0, 1000));
    EXPECT_EQ(cache.size(), 2u);
    EXPECT_LE(cache.bytes(), 2500u);
    EXPECT_EQ(cache.find(question(name(0), type::A), t0), nullptr);
    EXPECT_NE(cache.find(question(name(2), type::A), t0), nullptr);
    // Larger than the whole cache: not kept, and nothing else goes for it.
    cache.insert(question(name(9), type::A), answer(300, t0, 5000));
    EXPECT_EQ(cache.find(question(name(9), type::A), t0), nullptr);
    EXPECT_EQ(cache.size(), 2u);
}

TEST(AnswerCache, Clear) {
    AnswerCache cache;
    for (int i = 0; i < 10; ++i) cache.insert(question(name(i), type::A), answer(300));
    cache.clear();
    EXPECT_EQ(cache.size(), 0u);
    EXPECT_EQ(cache.bytes(), 0u);
    EXPECT_EQ(cache.find(question(name(3), type::A), t0), nullptr);
    // Usable again, with the eviction order starting afresh.
    cache.insert(question(name(3), type::A), answer(300));
    EXPECT_NE(cache.find(question(name(3), type::A), t0), nullptr);
}

TEST(AnswerCache, AFoundAnswerOutlivesItsEviction) {
    AnswerCache cache(1);
    const auto a = answer(300);
    cache.insert(question(name(0), type::A), a);
    const ForwardedAnswer* found = cache.find(question(name(0), type::A), t0);
    ASSERT_EQ(found, a.get());
    cache.insert(question(name(1), type::A), answer(300));
    EXPECT_EQ(cache.find(question(name(0), type::A), t0), nullptr);
    EXPECT_EQ(a.use_count(), 1) << "the cache let go of it";
}

// ---------------------------------------------------------------------------------------------
// OutstandingLimit

config::IpAddress address(const char* text) { return *config::IpAddress::parse(text); }

TEST(OutstandingLimit, PerClient) {
    forward::OutstandingLimit limit(100, 3);
    const auto a = address("192.0.2.1"), b = address("192.0.2.2");
    for (int i = 0; i < 3; ++i) EXPECT_TRUE(limit.try_acquire(a)) << i;
    EXPECT_FALSE(limit.try_acquire(a));
    EXPECT_EQ(limit.outstanding(), 3u) << "a refusal takes nothing";
    EXPECT_TRUE(limit.try_acquire(b)) << "another client has its own share";
    EXPECT_EQ(limit.outstanding(), 4u);
    limit.release(a);
    EXPECT_EQ(limit.outstanding(), 3u);
    EXPECT_TRUE(limit.try_acquire(a));
    EXPECT_FALSE(limit.try_acquire(a));
}

TEST(OutstandingLimit, Total) {
    forward::OutstandingLimit limit(4, 3);
    const auto a = address("192.0.2.1"), b = address("192.0.2.2"), c = address("198.51.100.3");
    for (int i = 0; i < 3; ++i) EXPECT_TRUE(limit.try_acquire(a));
    EXPECT_TRUE(limit.try_acquire(b));
    EXPECT_FALSE(limit.try_acquire(b)) << "total";
    EXPECT_FALSE(limit.try_acquire(c)) << "total";
    EXPECT_EQ(limit.outstanding(), 4u);
    limit.release(a);
    EXPECT_TRUE(limit.try_acquire(c));
    // The refusals by the total gave back their per-client share: b has two more.
    limit.release(a);
    limit.release(c);
    EXPECT_TRUE(limit.try_acquire(b));
    EXPECT_TRUE(limit.try_acquire(b));
    EXPECT_EQ(limit.outstanding(), 4u);
}

TEST(OutstandingLimit, ReleaseAll) {
    forward::OutstandingLimit limit(10, 10);
    const auto a = address("2001:db8::1");
    for (int i = 0; i < 10; ++i) ASSERT_TRUE(limit.try_acquire(a));
    EXPECT_FALSE(limit.try_acquire(a));
    for (int i = 0; i < 10; ++i) limit.release(a);
    EXPECT_EQ(limit.outstanding(), 0u);
    for (int i = 0; i < 10; ++i) EXPECT_TRUE(limit.try_acquire(a)) << i;
}

TEST(OutstandingLimit, AnIpv6HostIsItsSlash64) {
    forward::OutstandingLimit limit(100, 2);
    EXPECT_TRUE(limit.try_acquire(address("2001:db8:1:2::1")));
    EXPECT_TRUE(limit.try_acquire(address("2001:db8:1:2:aaaa:bbbb:cccc:dddd")));
    EXPECT_FALSE(limit.try_acquire(address("2001:db8:1:2::99"))) << "one /64, one share";
    EXPECT_TRUE(limit.try_acquire(address("2001:db8:1:3::1"))) << "another /64";
}

TEST(OutstandingLimit, Defaults) {
    forward::OutstandingLimit limit;
    const auto a = address("192.0.2.1");
    std::uint32_t taken = 0;
    while (taken < 1000 && limit.try_acquire(a)) ++taken;
    EXPECT_EQ(taken, forward::OutstandingLimit::kDefaultPerClient);
}

}  // namespace
}  // namespace sipdns::test
