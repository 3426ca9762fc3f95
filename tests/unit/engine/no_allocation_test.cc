// "No heap allocation per query" (DESIGN.md §7), proven by counting: this test binary replaces
// the global operator new, and the count must not move while the engine answers.
#include <gtest/gtest.h>

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
    const long before = g_allocations.load();
    for (int round = 0; round < 10; ++round)
        for (const auto& q : queries)
            for (auto transport : {engine::Transport::Udp, engine::Transport::Tcp}) {
                const auto r = engine::respond(q, {transport}, *zones, settings, out);
                answered += r.action == engine::EngineResult::Action::Respond;
            }
    const long after = g_allocations.load();
    EXPECT_EQ(after - before, 0) << "allocations while answering " << answered << " queries";
    EXPECT_EQ(answered, queries.size() * 20);
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
