// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
// "No heap allocation per query" (docs/design.md §7), proven by counting: this test binary replaces
// the global operator new, and the count must not move while the engine answers.
#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <cstdlib>
#include <new>

#include "../zone/zone_test_support.h"
#include "engine_test_support.h"
#include "test_support.h"

namespace {
std::atomic<long> g_allocations{0};
}  // namespace

void* operator new(std::size_t n) {
    g_allocations.fetch_add(1, std::memory_order_relaxed);
    if (void* p = std::malloc(n ? n : 1)) return p;
    throw std::bad_alloc();
}
void* operator new[](std::size_t n) { return operator new(n); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }

namespace sipdns::test {
namespace {

namespace rr = zone::rrtype;

TEST(NoAllocation, EngineAnswersWithoutTouchingTheHeap) {
    auto zones = build_from_yaml(read_file(std::string(SIPDNS_EXAMPLES_DIR) + "/lab.yaml"));
    ASSERT_TRUE(zones);
    // Every kind of answer: data, additional, CNAME, NODATA, NXDOMAIN, REFUSED, FORMERR, TC,
    // EDNS, BADVERS, CHAOS.
    std::vector<std::vector<std::uint8_t>> queries;
    for (const char* name : {"pbx.lab.example.test.", "PBX.Lab.Example.Test.",
                             "tftp.lab.example.test.", "nope.lab.example.test.",
                             "a.b.c.nope.lab.example.test.", "_udp.lab.example.test.",
                             "example.org.", "10.100.51.198.in-addr.arpa.",
                             "_sip._udp.lab.example.test.", "lab.example.test."}) {
        for (std::uint16_t type : {rr::A, rr::AAAA, rr::SRV, rr::NAPTR, rr::PTR, rr::MX, rr::ANY}) {
            QuerySpec s{name, type};
            queries.push_back(make_query(s));
            s.edns = true;
            s.nsid = true;
            queries.push_back(make_query(s));
            s.edns_version = 1;
            queries.push_back(make_query(s));
        }
    }
    queries.push_back(make_query(QuerySpec{"version.bind.", rr::TXT, 3}));
    auto malformed = make_query(QuerySpec{"pbx.lab.example.test.", rr::A});
    malformed[5] = 2;  // QDCOUNT 2
    queries.push_back(malformed);

    engine::EngineSettings settings;
    settings.nsid = "pbx";
    settings.version = "sipdnsd";
    std::vector<std::uint8_t> out(engine::kMaxTcpMessage);
    std::size_t answered = 0;
    // Response rate limiting runs on the same path (UDP): its table is allocated once, here, and
    // the low rate makes it drop and slip (TC rewrite) as well as send.
    engine::ResponseRateLimiter limiter(1 << 10, 1);
    engine::RateLimitCounters counters;
    engine::EngineSettings limited = settings;
    limited.rate_limit.responses_per_second = 3;
    limited.rate_limit.slip = 2;
    engine::QueryContext udp_client{engine::Transport::Udp};
    udp_client.has_client = true;
    udp_client.client = engine::client_address_v6(
        {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x53});
    std::size_t rate_limited_sent = 0;
    const long before = g_allocations.load();
    for (int round = 0; round < 10; ++round)
        for (const auto& q : queries)
            for (auto transport : {engine::Transport::Udp, engine::Transport::Tcp}) {
                const auto r = engine::respond(q, {transport}, *zones, settings, out);
                answered += r.action == engine::EngineResult::Action::Respond;
            }
    for (std::uint64_t now_ms = 0; now_ms < 3000; now_ms += 500)
        for (const auto& q : queries) {
            const auto r = engine::rate_limit(engine::respond(q, udp_client, *zones, limited, out),
                                              udp_client, limited, limiter, now_ms, counters, out);
            rate_limited_sent += r.action == engine::EngineResult::Action::Respond;
        }
    const long after = g_allocations.load();
    EXPECT_EQ(after - before, 0) << "allocations while answering " << answered << " queries";
    EXPECT_EQ(answered, queries.size() * 20);
    EXPECT_GT(counters.limited, 0u);
    EXPECT_GT(counters.slipped, 0u);
    EXPECT_GT(rate_limited_sent, counters.slipped);
}

TEST(NoAllocation, ClientSubnetOnAGeoAwareSite) {
    // EDNS Client Subnet (RFC 7871) on the cluster example: the view chosen by the option, the
    // scope worked out from the locations, the option echoed; malformed options are FORMERR.
    auto cfg = config::load_site_file(std::string(SIPDNS_EXAMPLES_DIR) + "/sip-cluster.yaml");
    ASSERT_TRUE(cfg);
    auto site = zone::build_site_zones(*cfg, serial_policy(1));
    ASSERT_TRUE(site);
    std::vector<std::vector<std::uint8_t>> options;
    options.push_back(ecs_option(1, 24, 0, {192, 168, 11}));
    options.push_back(ecs_option(1, 24, 0, {192, 168, 22}));
    options.push_back(ecs_option(1, 16, 0, {192, 168}));
    options.push_back(ecs_option(1, 32, 0, {198, 51, 100, 7}));
    options.push_back(ecs_option(2, 56, 0, {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0}));
    options.push_back(ecs_option(1, 0, 0, {}));
    options.push_back(ecs_option(1, 23, 0, {192, 168, 11}));  // a bit past SOURCE: FORMERR
    options.push_back(ecs_option(3, 0, 0, {}));               // unknown FAMILY: FORMERR
    options.push_back({});                                    // no option
    std::vector<std::vector<std::uint8_t>> queries;
    for (const char* name : {"_sip._udp.spx-srv.example.com.", "_sip._tcp.spx-srv.example.com.",
                             "dc1-spx1.example.com.", "nope.example.com."})
        for (std::uint16_t type : {rr::SRV, rr::A, rr::ANY})
            for (const auto& o : options) {
                QuerySpec s{name, type};
                s.edns = true;
                s.options = o;
                queries.push_back(make_query(s));
            }
    engine::EngineSettings settings;
    settings.ecs_trust.push_back(*config::IpPrefix::parse("192.0.2.0/24"));
    engine::QueryContext trusted{engine::Transport::Udp};
    trusted.has_client = true;
    trusted.client = *config::IpAddress::parse("192.0.2.53");
    engine::QueryContext untrusted = trusted;
    untrusted.client = *config::IpAddress::parse("192.168.22.9");
    std::vector<std::uint8_t> out(engine::kMaxTcpMessage);
    std::size_t answered = 0, with_scope = 0;
    const long before = g_allocations.load();
    for (int round = 0; round < 10; ++round)
        for (const auto& q : queries)
            for (const auto* context : {&trusted, &untrusted}) {
                const auto r = engine::respond(q, *context, **site, settings, out);
                answered += r.action == engine::EngineResult::Action::Respond;
                // The ECS option, when echoed, is the OPT's last 4 + 4 + address octets; count
                // the replies whose SCOPE is not 0.
                with_scope += r.opt_offset != 0 && r.length >= r.opt_offset + 19u &&
                              out[r.opt_offset + 11] == 0 && out[r.opt_offset + 12] == 8 &&
                              out[r.opt_offset + 18] != 0;
            }
    const long after = g_allocations.load();
    EXPECT_EQ(after - before, 0) << "allocations while answering " << answered << " queries";
    EXPECT_EQ(answered, queries.size() * 20);
    EXPECT_GT(with_scope, 0u);
}

TEST(NoAllocation, DnsCookies) {
    // RFC 7873 / RFC 9018: a client cookie alone, a valid server cookie, a wrong one (BADCOOKIE
    // over UDP), a malformed option (FORMERR); with rate limiting, which a valid cookie skips.
    auto zones = build_from_yaml(read_file(std::string(SIPDNS_EXAMPLES_DIR) + "/lab.yaml"));
    ASSERT_TRUE(zones);
    engine::QueryContext client{engine::Transport::Udp};
    client.has_client = true;
    client.client = *config::IpAddress::parse("192.0.2.7");
    client.now_seconds = 1'800'000'000;
    engine::EngineSettings settings;
    settings.rate_limit.responses_per_second = 3;
    settings.cookie_secrets.current[0] = 1;
    const std::array<std::uint8_t, 8> client_cookie{1, 2, 3, 4, 5, 6, 7, 8};
    const auto server = engine::make_server_cookie(client_cookie, &client.client,
                                                   client.now_seconds,
                                                   settings.cookie_secrets.current);
    auto wrong = server;
    wrong.back() ^= 1;
    const std::array<std::uint8_t, 3> too_short{};
    std::vector<std::vector<std::uint8_t>> options;
    options.push_back(dns_cookie_option(client_cookie));
    options.push_back(dns_cookie_option(client_cookie, server));
    options.push_back(dns_cookie_option(client_cookie, wrong));
    options.push_back(dns_cookie_option(too_short));
    std::vector<std::vector<std::uint8_t>> queries;
    for (const auto& o : options) {
        QuerySpec s{"pbx.lab.example.test.", rr::A};
        s.edns = true;
        s.options = o;
        queries.push_back(make_query(s));
    }
    engine::ResponseRateLimiter limiter(1 << 10, 1);
    engine::RateLimitCounters counters;
    std::vector<std::uint8_t> out(engine::kMaxTcpMessage);
    std::size_t statuses[5] = {};
    const long before = g_allocations.load();
    for (int round = 0; round < 10; ++round)
        for (const auto& q : queries)
            for (auto transport : {engine::Transport::Udp, engine::Transport::Tcp}) {
                engine::QueryContext ctx = client;
                ctx.transport = transport;
                const auto r = engine::rate_limit(engine::respond(q, ctx, *zones, settings, out),
                                                  ctx, settings, limiter, 0, counters, out);
                ++statuses[static_cast<std::size_t>(r.cookie)];
            }
    const long after = g_allocations.load();
    EXPECT_EQ(after - before, 0);
    EXPECT_GT(statuses[static_cast<std::size_t>(engine::CookieStatus::Valid)], 0u);
    EXPECT_GT(statuses[static_cast<std::size_t>(engine::CookieStatus::Invalid)], 0u);
}

TEST(NoAllocation, TheCounterCountsAtAll) {
    // Guard against a test that cannot fail: an allocation is seen.
    const long before = g_allocations.load();
    auto* p = new std::vector<int>(100);
    EXPECT_GT(g_allocations.load(), before);
    delete p;
}

}  // namespace
}  // namespace sipdns::test
