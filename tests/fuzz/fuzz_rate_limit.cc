// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
// libFuzzer target: response rate limiting (rate_limiter.h), the step every UDP answer takes
// after respond(): engine::rate_limit() and ResponseRateLimiter::check() — the accounting per
// client prefix and response, the lossy bucket table, the slip that rewrites the answer in place
// as TC=1 with the question only (the OPT kept, RFC 6891 §7) and the drop.
//
// Each input is a sequence of queries to one site (the example sites and tests/fuzz/sites, as
// fuzz_engine), each from a client over a transport at a time; every answer is a real respond()
// into a buffer of exactly the documented size, then goes through rate_limit(). Properties:
// - an answer not limited (TCP, no client address, RRL off, a drop by the engine, or under the
//   rate) leaves the result and every byte of the buffer as respond() wrote them;
// - a drop is Action::Drop with nothing to send;
// - a slip is the answer's own header (ID, opcode, flags, rcode) with TC=1, its question byte
//   for byte, ANCOUNT = NSCOUNT = 0, ARCOUNT = 1 and the answer's OPT byte for byte when it had
//   one (else 0), no longer than the answer, decoded by ldns;
// - a (client prefix, response) asked for at most responses_per_second times in every second
//   (a sliding window of 1000 ms) is never limited, however the lossy table's slots are shared;
//   while one (prefix, response) is all an input has used, the verdicts agree exactly with an
//   independent token-bucket model (rate_limiter.h's arithmetic, no table); the counters count
//   each limited answer once and every slip-th of them is a slip (BIND's and NSD's slip);
// - rate_limit() on a result whose offsets are not respond()'s (fuzzed question_end, opt_offset,
//   length) never reads or writes outside the buffer and sends either nothing or a message
//   inside it.
//
// Input layout:
//   byte 0  bits 0-2: responses_per_second (kRates)  bits 3-4: slip (0-3)
//           bits 5-6: IPv4 /24 /32 /16 /0, IPv6 /56 /128 /48 /0  bit 7: a 2-bucket table
//   byte 1  bits 0-4: site (modulo the number of sites); bits 5-7: the clock's start (some
//           start just before the 24-bit stamp wraps)
//   then steps of 3 octets, the last one perhaps followed by a raw query:
//     client   bits 0-2: kClients index  bits 3-4: 0-1 UDP, 2 TCP, 3 UDP without an address
//              bit 5: EDNS on the query  bit 6: DO  bit 7: fuzz the result's offsets (below)
//     query    kQueryKinds index modulo its size; 0xff: the rest of the input is one raw query
//              (the last step)
//     time     milliseconds to the previous step: 0-127 as is, above: (n - 127) * 64
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <deque>
#include <filesystem>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <tuple>
#include <vector>

#include "sipdns/config/loader.h"
#include "sipdns/engine/query_engine.h"
#include "sipdns/engine/rate_limiter.h"
#include "sipdns/zone/builder.h"
#include "fuzz_support.h"

#include <ldns/ldns.h>  // after the sipdns headers: ldns redefines bool

namespace {

using namespace sipdns;
using fuzz::dump;
using fuzz::get16;

std::span<const std::uint8_t> g_query, g_answer, g_slipped;

[[noreturn]] void violated(const char* what) {
    std::fprintf(stderr, "fuzz_rate_limit: property violated: %s\n", what);
    dump("query", g_query);
    dump("answer", g_answer);
    dump("after rate_limit", g_slipped);
    __builtin_trap();
}
#define CHECK(cond)                     \
    do {                                \
        if (!(cond)) violated(#cond);   \
    } while (0)


void put16(std::vector<std::uint8_t>& v, std::uint16_t x) {
    v.push_back(static_cast<std::uint8_t>(x >> 8));
    v.push_back(static_cast<std::uint8_t>(x & 0xff));
}

struct Site {
    std::shared_ptr<const zone::SiteZones> zones;
    std::vector<std::string> apexes;  // wire names of its zones
};

std::vector<Site> load_sites() {
    std::vector<Site> sites;
    for (auto& loaded : fuzz::load_fuzz_sites("fuzz_rate_limit")) {
        Site s{std::move(loaded.zones), {}};
        for (const auto& z : s.zones->default_view().zones()) s.apexes.push_back(z->apex());
        if (s.apexes.empty()) std::abort();
        sites.push_back(std::move(s));
    }
    return sites;
}

const std::vector<Site>& sites() {
    static const std::vector<Site> s = load_sites();
    return s;
}

config::IpAddress address(const char* text) {
    auto a = config::IpAddress::parse(text);
    if (!a) std::abort();
    return *a;
}

// Clients sharing and not sharing the prefixes the settings can choose.
const std::array<config::IpAddress, 8>& clients() {
    static const std::array<config::IpAddress, 8> c = {
        address("192.0.2.1"),     address("192.0.2.200"),   address("192.0.3.1"),
        address("198.51.100.7"),  address("2001:db8::1"),   address("2001:db8:0:ff::2"),
        address("2001:db8:1::1"), address("::ffff:192.0.2.9"),
    };
    return c;
}

constexpr std::uint32_t kRates[8] = {1, 2, 3, 5, 10, 100, 1000, 0};
constexpr std::uint8_t kV4Prefix[4] = {24, 32, 16, 0};
constexpr std::uint8_t kV6Prefix[4] = {56, 128, 48, 0};

// What is asked (each of a zone's apex, a name under it, or outside every zone): positive
// answers, NODATA, NXDOMAIN, a referral perhaps, and errors — the response classes RRL keys on.
struct QueryKind {
    const char* prefix;  // a label put before the apex, "" for the apex, nullptr: outside
    std::uint16_t qtype;
    std::uint16_t qclass;
};
constexpr QueryKind kQueryKinds[] = {
    {"", 6, 1},            {"", 2, 1},           {"", 35, 1},        {"", 28, 1},
    {"\x04_sip\x04_udp", 33, 1}, {"\x04_sip\x04_tcp", 33, 1}, {"\x07nothere", 1, 1},
    {"\x04scs1", 1, 1},    {"\x03ns1", 1, 1},    {"", 255, 1},       {"", 252, 1},
    {nullptr, 1, 1},       {"", 6, 3},           {"\x01x\x07nothere", 16, 1},
};
constexpr std::size_t kKinds = sizeof kQueryKinds / sizeof kQueryKinds[0];

std::vector<std::uint8_t> make_query(const Site& site, std::size_t kind_index, bool edns,
                                     bool dnssec_ok, std::uint16_t id) {
    const QueryKind& k = kQueryKinds[kind_index % kKinds];
    const std::string& apex = site.apexes[(kind_index / kKinds) % site.apexes.size()];
    std::vector<std::uint8_t> q;
    put16(q, id);
    put16(q, 0x0100);  // RD, as stub resolvers send
    put16(q, 1);
    put16(q, 0);
    put16(q, 0);
    put16(q, edns ? 1 : 0);
    if (k.prefix == nullptr) {
        const char outside[] = "\x07" "example\x07invalid";
        q.insert(q.end(), outside, outside + sizeof outside);  // with the root's 0
    } else {
        q.insert(q.end(), k.prefix, k.prefix + std::strlen(k.prefix));
        q.insert(q.end(), apex.begin(), apex.end());
    }
    put16(q, k.qtype);
    put16(q, k.qclass);
    if (edns) {
        q.push_back(0);  // root
        put16(q, 41);    // OPT (RFC 6891 §6.1.2)
        put16(q, 1232);
        put16(q, 0);
        put16(q, dnssec_ok ? 0x8000 : 0);
        put16(q, 0);
    }
    return q;
}

// The model the limiter must agree with: one exact token bucket per (prefix, response), BIND's
// "account balances" refilled per elapsed millisecond as rate_limiter.h describes, at most one
// second's worth; a key not seen for a second or more is full again.
struct ModelBucket {
    std::uint64_t stamp;
    std::uint64_t tokens;
};
using ModelKey = std::tuple<std::array<std::uint8_t, 16>, bool, std::uint64_t>;

bool model_take(std::map<ModelKey, ModelBucket>& buckets, const ModelKey& key, std::uint64_t rate,
                std::uint64_t now) {
    auto [it, fresh] = buckets.try_emplace(key, ModelBucket{now, rate});
    ModelBucket& b = it->second;
    const std::uint64_t elapsed = now - b.stamp;
    if (!fresh && elapsed >= 1000) {
        b = {now, rate};
    } else if (!fresh) {
        const std::uint64_t earned = elapsed * rate / 1000;
        if (earned > 0) {
            b.tokens = std::min(rate, b.tokens + earned);
            b.stamp = b.tokens == rate ? now : b.stamp + earned * 1000 / rate;
        }
    }
    if (b.tokens == 0) return false;
    --b.tokens;
    return true;
}

void check_unchanged(const engine::EngineResult& before, const engine::EngineResult& after,
                     std::span<const std::uint8_t> out_before, std::span<const std::uint8_t> out) {
    CHECK(after.action == before.action);
    CHECK(after.length == before.length);
    CHECK(after.rcode == before.rcode && after.truncated == before.truncated);
    CHECK(after.question_end == before.question_end && after.opt_offset == before.opt_offset);
    CHECK(std::equal(out.begin(), out.end(), out_before.begin()));
}

struct PacketDeleter {
    void operator()(ldns_pkt* p) const { ldns_pkt_free(p); }
};

// A slip of a real answer (`answer`: respond()'s bytes, `a`: its result).
void check_slip(const engine::EngineResult& a, std::span<const std::uint8_t> answer,
                const engine::EngineResult& s, std::span<const std::uint8_t> out) {
    CHECK(s.action == engine::EngineResult::Action::Respond);
    CHECK(s.truncated);
    CHECK(s.length <= a.length && s.length <= out.size());
    CHECK(s.question_end == a.question_end);
    const bool had_opt = a.opt_offset != 0;
    const std::size_t opt_length = had_opt ? a.length - a.opt_offset : 0;
    CHECK(s.length == a.question_end + opt_length);
    CHECK(s.opt_offset == (had_opt ? a.question_end : 0));
    g_slipped = out.first(s.length);
    // Header: ID, then flags with TC set and nothing else changed, QDCOUNT kept.
    CHECK(out[0] == answer[0] && out[1] == answer[1]);
    CHECK(out[2] == (answer[2] | 0x02));
    CHECK(out[3] == answer[3]);
    CHECK(get16(out.data() + 4) == get16(answer.data() + 4));
    CHECK(get16(out.data() + 6) == 0 && get16(out.data() + 8) == 0);
    CHECK(get16(out.data() + 10) == (had_opt ? 1 : 0));
    CHECK(std::equal(out.begin() + 12, out.begin() + a.question_end, answer.begin() + 12));
    if (had_opt)
        CHECK(std::equal(out.begin() + a.question_end, out.begin() + s.length,
                         answer.begin() + a.opt_offset));
    ldns_pkt* raw = nullptr;
    CHECK(ldns_wire2pkt(&raw, out.data(), s.length) == LDNS_STATUS_OK);
    std::unique_ptr<ldns_pkt, PacketDeleter> pkt(raw);
    CHECK(ldns_pkt_tc(pkt.get()));
    CHECK(ldns_pkt_ancount(pkt.get()) == 0 && ldns_pkt_nscount(pkt.get()) == 0);
    CHECK(ldns_pkt_edns(pkt.get()) == had_opt);
}

// rate_limit() on a result with arbitrary offsets, through a limiter of its own (the model's
// accounting stays exact): a slip stays inside the buffer whatever they say, or sends nothing.
void check_guard(engine::EngineResult r, const std::uint8_t* bytes,
                 const engine::EngineSettings& settings, const engine::QueryContext& ctx,
                 std::uint64_t now) {
    r.action = engine::EngineResult::Action::Respond;
    r.question_end = get16(bytes);
    r.opt_offset = get16(bytes + 2);
    r.length = get16(bytes + 4) % (engine::kMinOutputBuffer + 64);
    std::vector<std::uint8_t> out(engine::kMinOutputBuffer, 0x5a);
    engine::ResponseRateLimiter limiter(2, 0x5eed);
    engine::RateLimitCounters counters;
    for (int i = 0; i < 4; ++i) {  // past the lowest rates, so that some are slips
        const std::uint64_t slipped = counters.slipped;
        const engine::EngineResult s =
            engine::rate_limit(r, ctx, settings, limiter, now, counters, out);
        if (counters.slipped != slipped && s.action == engine::EngineResult::Action::Respond) {
            CHECK(s.truncated && s.length >= 12 && s.length <= out.size());
            CHECK(s.length <= r.length);
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    (void)sites();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 2) return 0;
    engine::EngineSettings settings;
    settings.nsid = "fuzz-nsid";
    settings.transfer_allow = {*config::IpPrefix::parse("127.0.0.0/8")};
    settings.rate_limit.responses_per_second = kRates[data[0] & 7];
    settings.rate_limit.slip = (data[0] >> 3) & 3;
    settings.rate_limit.ipv4_prefix = kV4Prefix[(data[0] >> 5) & 3];
    settings.rate_limit.ipv6_prefix = kV6Prefix[(data[0] >> 5) & 3];
    const bool tiny_table = (data[0] & 0x80) != 0;
    const Site& site = sites()[(data[1] & 0x1f) % sites().size()];
    // The stamps are 24 bits of milliseconds: some inputs start just before they wrap.
    constexpr std::uint64_t kStarts[8] = {0, 1, 999, 5'000'000, 0xffffff - 500, 0xffffff,
                                          0x1000000 - 3000, 123'456'789};
    std::uint64_t now = kStarts[data[1] >> 5];
    const std::uint64_t start = now;

    engine::ResponseRateLimiter limiter(tiny_table ? 2 : 4096, 0x5eed);
    engine::RateLimitCounters counters;
    std::map<ModelKey, ModelBucket> model;
    std::map<ModelKey, std::deque<std::uint64_t>> history;  // when each key was asked for
    std::uint64_t model_limited = 0, model_slipped = 0;
    std::size_t keys_used = 0;
    const std::uint64_t rate = settings.rate_limit.responses_per_second;

    std::uint16_t id = 0x1000;
    for (std::size_t at = 2; at + 3 <= size; at += 3) {
        const std::uint8_t who = data[at], what = data[at + 1], when = data[at + 2];
        now += when < 128 ? when : (when - 127u) * 64u;
        // The model counts real milliseconds; the limiter's stamps wrap after 2^24 ms (4.6 h),
        // longer than any bucket lives (one second refills it), but not longer than an input.
        if (now - start >= (std::uint64_t{1} << 24) - 2000) break;

        engine::QueryContext ctx;
        const unsigned transport = (who >> 3) & 3;
        ctx.transport = transport == 2 ? engine::Transport::Tcp : engine::Transport::Udp;
        ctx.has_client = transport != 3;
        ctx.client = clients()[who & 7];
        const bool raw = what == 0xff;
        const std::vector<std::uint8_t> query =
            raw ? std::vector<std::uint8_t>(data + at + 3, data + size)
                : make_query(site, what, (who & 0x20) != 0, (who & 0x40) != 0, id++);
        g_query = query;
        const bool tcp = ctx.transport == engine::Transport::Tcp;
        std::vector<std::uint8_t> out(tcp ? engine::kMaxTcpMessage : engine::kMinOutputBuffer);
        const engine::EngineResult answer = engine::respond(query, ctx, *site.zones, settings, out);
        const std::vector<std::uint8_t> answer_bytes = out;
        g_answer = std::span<const std::uint8_t>(answer_bytes).first(
            std::min(answer.length, answer_bytes.size()));
        g_slipped = {};

        const engine::RateLimitCounters before = counters;
        const engine::EngineResult r =
            engine::rate_limit(answer, ctx, settings, limiter, now, counters, out);
        const bool accounted = !tcp && ctx.has_client && settings.rate_limit.enabled() &&
                               answer.action == engine::EngineResult::Action::Respond;
        if (!accounted) {
            check_unchanged(answer, r, answer_bytes, out);
            CHECK(counters.limited == before.limited && counters.slipped == before.slipped);
        } else {
            CHECK(answer.length <= out.size() && answer.question_end >= 12);
            const std::uint64_t limited = counters.limited - before.limited;
            const std::uint64_t slipped = counters.slipped - before.slipped;
            CHECK(limited <= 1 && slipped <= limited);

            const config::IpAddress prefix =
                engine::ResponseRateLimiter::prefix_of(ctx.client, settings.rate_limit);
            const ModelKey key{prefix.bytes, prefix.is_v4(), answer.key.hash};
            const bool known = model.count(key) != 0;
            keys_used += known ? 0 : 1;
            const bool model_allows = model_take(model, key, rate, now);
            std::deque<std::uint64_t>& asked = history[key];
            asked.push_back(now);
            while (asked.front() + 1000 <= now) asked.pop_front();
            // Under the rate in the last second: never limited. (Not "whenever the model
            // allows": a slot taken over restarts full at another phase than the model's.)
            if (asked.size() <= rate) CHECK(limited == 0 && model_allows);
            if (keys_used == 1) CHECK((limited == 0) == model_allows);
            if (limited != 0) {
                ++model_limited;
                const bool model_slip = settings.rate_limit.slip != 0 &&
                                        model_limited % settings.rate_limit.slip == 0;
                model_slipped += model_slip ? 1 : 0;
                CHECK((slipped != 0) == model_slip);
            }
            if (limited == 0) {
                check_unchanged(answer, r, answer_bytes, out);
            } else if (slipped == 0) {
                CHECK(r.action == engine::EngineResult::Action::Drop && r.length == 0);
            } else {
                check_slip(answer, answer_bytes, r, out);
            }
            CHECK(counters.limited == model_limited && counters.slipped == model_slipped);
        }
        if ((who & 0x80) != 0 && at + 9 <= size && !tcp && ctx.has_client)
            check_guard(answer, data + at + 3, settings, ctx, now);
        if (raw) break;
    }
    return 0;
}
