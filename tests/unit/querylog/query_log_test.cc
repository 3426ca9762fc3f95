// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
// The query log (server/querylog, docs/design.md §11) without sockets: the line format, the
// watch filters, the rings (full = dropped and counted), the watch queue (bounded, lost lines
// counted, woken once), and the logger thread feeding watchers and sinks in query order.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <thread>

#include "sipdns/querylog/query_log.h"

namespace sipdns::querylog {
namespace {

// A DNS message: header (id 0x1234, the flags, the counts) and one question.
std::vector<std::uint8_t> message(std::string_view name, std::uint16_t type, std::uint16_t flags,
                                  std::array<std::uint16_t, 3> counts = {0, 0, 0},
                                  std::uint16_t qclass = 1) {
    std::vector<std::uint8_t> m{0x12, 0x34, static_cast<std::uint8_t>(flags >> 8),
                                static_cast<std::uint8_t>(flags), 0, 1};
    for (const auto c : counts) {
        m.push_back(static_cast<std::uint8_t>(c >> 8));
        m.push_back(static_cast<std::uint8_t>(c));
    }
    std::size_t start = 0;
    while (start <= name.size() && !name.empty()) {
        auto dot = name.find('.', start);
        if (dot == std::string_view::npos) dot = name.size();
        m.push_back(static_cast<std::uint8_t>(dot - start));
        m.insert(m.end(), name.begin() + static_cast<std::ptrdiff_t>(start),
                 name.begin() + static_cast<std::ptrdiff_t>(dot));
        start = dot + 1;
    }
    m.push_back(0);
    m.push_back(static_cast<std::uint8_t>(type >> 8));
    m.push_back(static_cast<std::uint8_t>(type));
    m.push_back(static_cast<std::uint8_t>(qclass >> 8));
    m.push_back(static_cast<std::uint8_t>(qclass));
    return m;
}

// 2026-12-03 16:40:01.123 in local time, whatever the zone the test runs in.
std::int64_t local_time_ns(int hour, int minute, int second, int millis) {
    tm t{};
    t.tm_year = 126;
    t.tm_mon = 11;
    t.tm_mday = 3;
    t.tm_hour = hour;
    t.tm_min = minute;
    t.tm_sec = second;
    t.tm_isdst = -1;
    return static_cast<std::int64_t>(::mktime(&t)) * 1000000000 + millis * 1000000LL;
}

struct Rec {
    RecordHeader header;
    std::vector<std::uint8_t> query;
    std::vector<std::uint8_t> response;
    RecordView view() const { return {&header, query, response}; }
};

Rec make_record(std::string_view client, std::uint16_t port, Transport transport,
                std::vector<std::uint8_t> query, std::vector<std::uint8_t> response,
                std::uint16_t rcode = 0, std::uint8_t flags = 0, std::uint16_t view = 0,
                std::uint32_t upstream_us = 0) {
    Rec r;
    r.header.query_time_ns = local_time_ns(16, 40, 1, 123);
    r.header.client = *config::IpAddress::parse(client);
    r.header.client_port = port;
    r.header.transport = transport;
    r.header.flags = flags;
    r.header.view = view;
    r.header.rcode = rcode;
    r.header.query_length = static_cast<std::uint16_t>(query.size());
    r.header.response_length = static_cast<std::uint16_t>(response.size());
    r.header.query_stored = r.header.query_length;
    r.header.response_stored = r.header.response_length;
    r.header.upstream_us = upstream_us;
    r.query = std::move(query);
    r.response = std::move(response);
    return r;
}

// The response's flags: QR AA (0x8400), + RD RA etc.
constexpr std::uint16_t kAa = 0x8400, kRefused = 0x8005, kRaNx = 0x8183, kTc = 0x8600;

struct LineRow {
    const char* name;
    Rec record;
    std::string line;
};
void PrintTo(const LineRow& r, std::ostream* os) { *os << r.name; }
class Lines : public ::testing::TestWithParam<LineRow> {};

TEST_P(Lines, FormatAsDocumented) {
    const std::vector<std::string> views{"dc1", "dc2"};
    EXPECT_EQ(format_line(GetParam().record.view(), views), GetParam().line);
}

const auto kSrvQuery = message("_sip._udp.scsnetwork.local", 33, 0x0100);

INSTANTIATE_TEST_SUITE_P(
    Rows, Lines,
    ::testing::Values(
        // docs/design.md §11's example line.
        LineRow{"DesignExample",
                make_record("192.0.2.55", 5062, Transport::Udp, kSrvQuery,
                            [] {
                                auto r = message("_sip._udp.scsnetwork.local", 33, kAa, {2, 0, 3});
                                r.resize(211);
                                return r;
                            }(),
                            0, 0, 1),
                "16:40:01.123 192.0.2.55#5062 udp _sip._udp.scsnetwork.local SRV NOERROR aa "
                "2/0/3 211B dc1"},
        LineRow{"Ipv6TcpNxdomainNoView",
                make_record("2001:db8::7", 40000, Transport::Tcp, message("Nope.Example.COM", 1, 0),
                            message("Nope.Example.COM", 1, kAa | 3, {0, 1, 0}), 3),
                "16:40:01.123 2001:db8::7#40000 tcp Nope.Example.COM A NXDOMAIN aa 0/1/0 34B"},
        LineRow{"RefusedNoFlags",
                make_record("127.0.0.1", 53000, Transport::Udp, message("example.org", 1, 0x0100),
                            message("example.org", 1, kRefused), 5),
                "16:40:01.123 127.0.0.1#53000 udp example.org A REFUSED - 0/0/0 29B"},
        LineRow{"BadversFromTheEngine",
                make_record("127.0.0.1", 1, Transport::Udp, message("a.b", 6, 0),
                            message("a.b", 6, kAa, {0, 0, 1}), 16),
                "16:40:01.123 127.0.0.1#1 udp a.b SOA BADVERS aa 0/0/1 21B"},
        LineRow{"ForwardedWithUpstreamTime",
                make_record("127.0.0.1", 2, Transport::Udp, message("www.debian.org", 28, 0x0100),
                            message("www.debian.org", 28, kRaNx, {0, 1, 0}), 3,
                            flag::Forwarded, 0, 12400),
                "16:40:01.123 127.0.0.1#2 udp www.debian.org AAAA NXDOMAIN ra 0/1/0 32B fwd 12ms"},
        LineRow{"ForwardedFromCache",
                make_record("127.0.0.1", 2, Transport::Udp, message("debian.org", 1, 0x0100),
                            message("debian.org", 1, 0x8180, {1, 0, 0}), 0,
                            flag::Forwarded | flag::FromCache),
                "16:40:01.123 127.0.0.1#2 udp debian.org A NOERROR ra 1/0/0 28B fwd cached"},
        LineRow{"RateLimitSlip",
                make_record("10.1.2.3", 9, Transport::Udp, kSrvQuery,
                            message("_sip._udp.scsnetwork.local", 33, kTc), 0,
                            flag::RateLimited, 2),
                "16:40:01.123 10.1.2.3#9 udp _sip._udp.scsnetwork.local SRV NOERROR aa tc 0/0/0 "
                "44B dc2 rrl"},
        LineRow{"RateLimitDrop",
                make_record("10.1.2.3", 9, Transport::Udp, kSrvQuery, {}, 0,
                            flag::RateLimited | flag::Dropped),
                "16:40:01.123 10.1.2.3#9 udp _sip._udp.scsnetwork.local SRV dropped rrl"},
        LineRow{"MalformedDropped",
                make_record("127.0.0.1", 3, Transport::Udp, {0x12, 0x34, 0x81, 0, 0, 0, 0, 0, 0, 0, 0, 0},
                            {}, 0, flag::Dropped),
                "16:40:01.123 127.0.0.1#3 udp (malformed, 12B) dropped"},
        LineRow{"ChaosClassAndEscapes",
                make_record("127.0.0.1", 4, Transport::Udp, message("version.bind", 16, 0, {0, 0, 0}, 3),
                            message("version.bind", 16, kAa, {1, 0, 0}, 3), 0),
                "16:40:01.123 127.0.0.1#4 udp version.bind TXT CH NOERROR aa 1/0/0 30B"},
        LineRow{"Transfer",
                make_record("127.0.0.1", 5, Transport::Tcp, message("scsnetwork.local", 252, 0),
                            message("scsnetwork.local", 252, kAa, {9, 0, 0}), 0, flag::Transfer),
                "16:40:01.123 127.0.0.1#5 tcp scsnetwork.local AXFR NOERROR aa xfr 34B"},
        LineRow{"ViewOutOfRangeNotShown",
                make_record("127.0.0.1", 6, Transport::Udp, message("a.b", 1, 0),
                            message("a.b", 1, kAa), 0, 0, 7),
                "16:40:01.123 127.0.0.1#6 udp a.b A NOERROR aa 0/0/0 21B"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(QuestionOf, RejectsWhatIsNoQuestion) {
    EXPECT_FALSE(question_of({}));
    auto no_question = message("a.b", 1, 0);
    no_question[5] = 0;  // QDCOUNT 0
    EXPECT_FALSE(question_of(no_question));
    auto pointer = message("a.b", 1, 0);
    pointer[12] = 0xc0;  // a compression pointer in the question
    EXPECT_FALSE(question_of(pointer));
    auto cut = message("a.b", 1, 0);
    cut.resize(cut.size() - 2);  // no class
    EXPECT_FALSE(question_of(cut));
    const auto wire = message("A.b", 33, 0);  // the question views into it
    const auto q = question_of(wire);
    ASSERT_TRUE(q);
    EXPECT_EQ(q->type, 33);
    EXPECT_EQ(q->name_wire, std::string_view("\x01" "A\x01" "b\x00", 5));
}

struct FilterRow {
    const char* name;
    std::string client, suffix, type;
    std::string problem;  // "" = valid
    std::string describe;
    // Queries (client, name, type) and whether the filter passes each.
    std::vector<std::tuple<std::string, std::string, std::uint16_t, bool>> cases;
};
void PrintTo(const FilterRow& r, std::ostream* os) { *os << r.name; }
class Filters : public ::testing::TestWithParam<FilterRow> {};

TEST_P(Filters, ParseAndMatch) {
    const FilterRow& row = GetParam();
    std::string problem;
    const auto filter = parse_watch_filter(row.client, row.suffix, row.type, problem);
    if (!row.problem.empty()) {
        EXPECT_FALSE(filter);
        EXPECT_EQ(problem, row.problem);
        return;
    }
    ASSERT_TRUE(filter) << problem;
    EXPECT_EQ(filter->describe(), row.describe);
    for (const auto& [client, name, type, passes] : row.cases) {
        const Rec r = make_record(client, 1, Transport::Udp, message(name, type, 0), {});
        EXPECT_EQ(filter->matches(r.view()), passes) << client << " " << name << " " << type;
    }
}

INSTANTIATE_TEST_SUITE_P(
    Rows, Filters,
    ::testing::Values(
        FilterRow{"None", "", "", "", "", "", {{"192.0.2.1", "a.b", 1, true}}},
        FilterRow{"OneAddress", "192.0.2.55", "", "", "", "client 192.0.2.55/32",
                  {{"192.0.2.55", "a.b", 1, true}, {"192.0.2.56", "a.b", 1, false},
                   {"::ffff:192.0.2.55", "a.b", 1, false}}},
        FilterRow{"PrefixWithHostBits", "10.1.2.3/16", "", "", "", "client 10.1.0.0/16",
                  {{"10.1.200.1", "a.b", 1, true}, {"10.2.0.1", "a.b", 1, false}}},
        FilterRow{"Ipv6", "2001:db8::/32", "", "", "", "client 2001:db8::/32",
                  {{"2001:db8:1::5", "a.b", 1, true}, {"192.0.2.1", "a.b", 1, false}}},
        FilterRow{"NameLabelWiseAnyCase", "", "ScsNetwork.Local.", "", "",
                  "name scsnetwork.local",
                  {{"192.0.2.1", "_sip._udp.SCSnetwork.local", 33, true},
                   {"192.0.2.1", "scsnetwork.local", 6, true},
                   {"192.0.2.1", "xscsnetwork.local", 1, false},
                   {"192.0.2.1", "local", 1, false}}},
        FilterRow{"TypeMnemonicOrNumber", "", "", "naptr", "", "type NAPTR",
                  {{"192.0.2.1", "a.b", 35, true}, {"192.0.2.1", "a.b", 33, false}}},
        FilterRow{"TypeGeneric", "", "", "TYPE65", "", "type HTTPS",
                  {{"192.0.2.1", "a.b", 65, true}}},
        FilterRow{"TypeAny", "", "", "any", "", "type ANY", {{"192.0.2.1", "a.b", 255, true}}},
        FilterRow{"All3", "127.0.0.0/8", "example.com", "SRV", "",
                  "client 127.0.0.0/8, name example.com, type SRV",
                  {{"127.0.0.1", "_sip._tcp.example.com", 33, true},
                   {"127.0.0.1", "_sip._tcp.example.com", 1, false},
                   {"127.0.0.1", "example.org", 33, false},
                   {"::1", "_sip._tcp.example.com", 33, false}}},
        FilterRow{"BadAddress", "192.0.2.300", "", "", "--client '192.0.2.300': expected an IP "
                  "address or prefix (192.0.2.55, 10.1.0.0/16, 2001:db8::/32)", "", {}},
        FilterRow{"BadPrefixLength", "10.0.0.0/40", "", "", "--client '10.0.0.0/40': expected "
                  "an IP address or prefix (192.0.2.55, 10.1.0.0/16, 2001:db8::/32)", "", {}},
        FilterRow{"EmptyLabel", "", "a..b", "", "--name 'a..b': expected a domain name "
                  "(scsnetwork.local, _sip._udp.example.com)", "", {}},
        FilterRow{"LongLabel", "", std::string(64, 'x') + ".com", "", "--name '" +
                  std::string(64, 'x') + ".com': expected a domain name (scsnetwork.local, "
                  "_sip._udp.example.com)", "", {}},
        FilterRow{"BadType", "", "", "SRVV", "--type 'SRVV': expected a record type (A, AAAA, "
                  "SRV, NAPTR, PTR, TYPE65, ...)", "", {}},
        FilterRow{"TypeTooBig", "", "", "TYPE70000", "--type 'TYPE70000': expected a record "
                  "type (A, AAAA, SRV, NAPTR, PTR, TYPE65, ...)", "", {}}),
    [](const auto& info) { return std::string(info.param.name); });

void push(QueryRing& ring, std::uint16_t port, std::int64_t time_ns = 0) {
    QueryRing::Slot slot;
    ASSERT_TRUE(ring.begin(slot));
    *slot.header = RecordHeader{};
    slot.header->client_port = port;
    slot.header->query_time_ns = time_ns;
    ring.commit();
}

TEST(QueryRing, FullDropsAndCountsThenReusesFreedSlots) {
    QueryRing ring(3, kQueryCapacity, kDnsHeaderBytes);  // rounded up to 4
    for (std::uint16_t i = 0; i < 4; ++i) push(ring, i);
    QueryRing::Slot slot;
    EXPECT_FALSE(ring.begin(slot));
    EXPECT_FALSE(ring.begin(slot));
    EXPECT_EQ(ring.dropped(), 2u);
    std::vector<std::uint16_t> ports;
    EXPECT_EQ(ring.drain(ring.committed(), [&](const RecordView& r) {
        ports.push_back(r.header->client_port);
    }), 4u);
    EXPECT_EQ(ports, (std::vector<std::uint16_t>{0, 1, 2, 3}));
    push(ring, 9);
    ports.clear();
    ring.drain(ring.committed(), [&](const RecordView& r) { ports.push_back(r.header->client_port); });
    EXPECT_EQ(ports, std::vector<std::uint16_t>{9});
}

TEST(QueryRing, ProducerAndConsumerOnTwoThreads) {
    QueryRing ring(64, kQueryCapacity, kDnsHeaderBytes);
    constexpr int kRecords = 200000;
    std::thread producer([&] {
        for (int i = 0; i < kRecords; ++i) {
            QueryRing::Slot slot;
            while (!ring.begin(slot)) std::this_thread::yield();
            slot.header->query_time_ns = i;
            ring.commit();
        }
    });
    std::int64_t expected = 0;
    bool in_order = true;
    while (expected < kRecords) {
        ring.drain(ring.committed(), [&](const RecordView& r) {
            in_order = in_order && r.header->query_time_ns == expected;
            ++expected;
        });
    }
    producer.join();
    EXPECT_TRUE(in_order);
}

TEST(Watch, BoundedQueueCountsLostLinesAndWakesOnce) {
    Watch watch(WatchFilter{}, 10);
    int wakeups = 0;
    watch.set_wakeup([&] { ++wakeups; });
    watch.offer("12345");
    watch.offer("6789");
    watch.offer("abc");  // over 10 bytes: lost
    EXPECT_EQ(wakeups, 1);
    auto taken = watch.take();
    EXPECT_EQ(taken.lines, (std::vector<std::string>{"12345", "6789"}));
    EXPECT_EQ(taken.lost, 1u);
    EXPECT_TRUE(watch.take().empty());  // nothing: the reader waits again
    watch.note_unlogged(5);
    EXPECT_EQ(wakeups, 2);
    taken = watch.take();
    EXPECT_EQ(taken.unlogged, 5u);
    EXPECT_TRUE(taken.lines.empty());
}

// A line sink that keeps what it gets.
class Collect final : public Sink {
  public:
    explicit Collect(std::vector<std::string>& lines, int& reopened)
        : lines_(lines), reopened_(reopened) {}
    void write_line(std::string_view line) override { lines_.emplace_back(line); }
    void reopen() override { ++reopened_; }
    std::string describe() const override { return "collect"; }

  private:
    std::vector<std::string>& lines_;
    int& reopened_;
};

void log_query(QueryRing& ring, std::string_view client, std::string_view name,
               std::int64_t time_ns) {
    QueryRing::Slot slot;
    ASSERT_TRUE(ring.begin(slot));
    *slot.header = RecordHeader{};
    slot.header->query_time_ns = time_ns;
    slot.header->client = *config::IpAddress::parse(client);
    const auto q = message(name, 1, 0);
    const auto r = message(name, 1, kAa);
    std::memcpy(slot.query, q.data(), q.size());
    std::memcpy(slot.response, r.data(), kDnsHeaderBytes);
    slot.header->query_length = slot.header->query_stored = static_cast<std::uint16_t>(q.size());
    slot.header->response_length = static_cast<std::uint16_t>(r.size());
    slot.header->response_stored = kDnsHeaderBytes;
    ring.commit();
}

TEST(QueryLog, ActiveOnlyWithAConsumerAndLinesInQueryOrder) {
    QueryLog::Options options;
    options.idle_sleep = std::chrono::milliseconds(1);
    QueryLog log(options);
    QueryRing& first = log.add_ring();
    QueryRing& second = log.add_ring();
    log.start();
    EXPECT_FALSE(log.active_flag().load());  // nobody logs: the workers' branch is not taken

    auto watch = std::make_shared<Watch>(
        *[] { std::string p; return parse_watch_filter("", "example.com", "", p); }());
    std::atomic<int> wakeups{0};
    watch->set_wakeup([&] { ++wakeups; });
    log.subscribe(watch);
    EXPECT_TRUE(log.active_flag().load());

    // Two workers' rings, their records interleaved in time.
    log_query(second, "192.0.2.2", "b.example.com", 2000);
    log_query(first, "192.0.2.1", "a.example.com", 1000);
    log_query(first, "192.0.2.3", "c.example.org", 3000);  // filtered out
    log_query(second, "192.0.2.4", "d.example.com", 4000);
    std::vector<std::string> got;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (got.size() < 3 && std::chrono::steady_clock::now() < deadline) {
        auto taken = watch->take();
        for (auto& l : taken.lines) got.push_back(l);
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    ASSERT_EQ(got.size(), 3u);
    EXPECT_NE(got[0].find("192.0.2.1#0 udp a.example.com A NOERROR"), std::string::npos) << got[0];
    EXPECT_NE(got[1].find("b.example.com"), std::string::npos) << got[1];
    EXPECT_NE(got[2].find("d.example.com"), std::string::npos) << got[2];
    EXPECT_GE(wakeups.load(), 1);

    // The watcher goes: nobody logs any more.
    watch.reset();
    const auto off_deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (log.active_flag().load() && std::chrono::steady_clock::now() < off_deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    EXPECT_FALSE(log.active_flag().load());
    log.stop();
    EXPECT_EQ(log.stats().records, 4u);
}

// A watcher sees what is answered after it came, not what the rings still held then (the
// logger thread had not drained it yet): `sipdnsd watch`'s notice says "watching" from now on.
TEST(QueryLog, AWatcherSeesOnlyQueriesLoggedAfterItCame) {
    QueryLog log;
    std::vector<std::string> file;
    int reopened = 0;
    log.add_sink(std::make_unique<Collect>(file, reopened));  // the workers log all along
    QueryRing& first = log.add_ring();
    QueryRing& second = log.add_ring();
    log_query(first, "192.0.2.1", "before.example.com", 1000);
    log_query(second, "192.0.2.2", "before.example.com", 1500);

    auto watch = std::make_shared<Watch>(
        *[] { std::string p; return parse_watch_filter("", "example.com", "", p); }());
    log.subscribe(watch);
    log_query(second, "192.0.2.3", "after.example.com", 2000);
    log_query(first, "192.0.2.4", "after.example.com", 3000);
    log.start();  // the logger drains all four records in one round

    std::vector<std::string> got;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (got.size() < 2 && std::chrono::steady_clock::now() < deadline) {
        for (auto& l : watch->take().lines) got.push_back(l);
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    log.stop();
    for (auto& l : watch->take().lines) got.push_back(l);
    ASSERT_EQ(got.size(), 2u) << ::testing::PrintToString(got);
    EXPECT_NE(got[0].find("192.0.2.3#0 udp after.example.com"), std::string::npos) << got[0];
    EXPECT_NE(got[1].find("192.0.2.4#0 udp after.example.com"), std::string::npos) << got[1];
    EXPECT_EQ(file.size(), 4u);  // the log file has them all
}

// Likewise the rings' drops: a watcher hears of those after it came, not of earlier ones.
TEST(QueryLog, AWatcherIsToldOnlyOfDropsAfterItCame) {
    QueryLog::Options options;
    options.ring_slots = 2;
    QueryLog log(options);
    std::vector<std::string> file;
    int reopened = 0;
    log.add_sink(std::make_unique<Collect>(file, reopened));
    QueryRing& ring = log.add_ring();
    QueryRing::Slot slot;
    log_query(ring, "192.0.2.1", "a.example.com", 1000);
    log_query(ring, "192.0.2.2", "b.example.com", 2000);
    EXPECT_FALSE(ring.begin(slot));  // full: one dropped before the watcher came

    auto early = std::make_shared<Watch>(
        *[] { std::string p; return parse_watch_filter("", "", "", p); }());
    log.subscribe(early);
    log.start();  // drains the two; the drop is older than the watcher
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (file.size() < 2 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    log.stop();
    ASSERT_EQ(file.size(), 2u);
    Watch::Taken taken = early->take();
    EXPECT_EQ(taken.unlogged, 0u);
    EXPECT_TRUE(taken.lines.empty());  // both were logged before it came

    // Two drops after it came are reported, to it and to one that came later still.
    auto later = std::make_shared<Watch>(
        *[] { std::string p; return parse_watch_filter("", "", "", p); }());
    log_query(ring, "192.0.2.3", "c.example.com", 3000);
    log_query(ring, "192.0.2.4", "d.example.com", 4000);
    EXPECT_FALSE(ring.begin(slot));
    log.subscribe(later);
    EXPECT_FALSE(ring.begin(slot));
    log.start();
    log.stop();  // stop() drains one last round
    EXPECT_EQ(early->take().unlogged, 2u);
    EXPECT_EQ(later->take().unlogged, 1u);
}

TEST(QueryLog, SinksGetEveryLineAndReopen) {
    std::vector<std::string> lines;
    int reopened = 0;
    QueryLog log;
    QueryRing& ring = log.add_ring();
    log.add_sink(std::make_unique<Collect>(lines, reopened));
    EXPECT_TRUE(log.active_flag().load());
    log.start();
    log_query(ring, "192.0.2.1", "a.example.com", 1000);
    log_query(ring, "192.0.2.1", "b.example.net", 2000);
    log.reopen();
    log.stop();  // drains what is left
    ASSERT_EQ(lines.size(), 2u);
    EXPECT_NE(lines[1].find("b.example.net"), std::string::npos);
    EXPECT_EQ(reopened, 1);
    const auto stats = log.stats();
    EXPECT_EQ(stats.sinks, std::vector<std::string>{"collect"});
    EXPECT_EQ(stats.unlogged, 0u);
}

}  // namespace
}  // namespace sipdns::querylog
