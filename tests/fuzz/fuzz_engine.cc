// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
// libFuzzer target: the query engine (server/engine respond()) on arbitrary bytes, against the
// example sites of packaging/examples plus tests/fuzz/sites (built once, with their location
// views). Property checked for every input (issue 8): the engine either drops the message or
// returns a response that ldns decodes, with QR set, the query's ID, the query's question
// (name bytes, type, class) when the query had one we can parse, and a length within what the
// transport allows (RFC 1035 §4.2.1: 512 without EDNS; RFC 6891 §6.2.5: the smaller of the two
// payload sizes with it). An allowed zone transfer is written out and every message decoded too.
//
// Forwarding is on for every client (allow 0.0.0.0/0 and ::/0; no client address = REFUSED), so
// a name outside the site goes the forwarded way: respond() must fill the ForwardQuestion with
// the query's name in lower case, its type and DO; then an upstream reply for it goes through
// forward::normalise_upstream_answer() and, when that accepts it, engine::write_forwarded(), else
// engine::write_forward_failure(); both replies are checked as above, plus RA=1 and AA=0. The
// upstream reply is the part of the input after kUpstreamMarker when there is one, else one made
// from the query (its header and question, then records owned by the question name).
//
// Input layout (so seeds are real query packets behind a short prefix):
//   byte 0  bit 0: TCP (else UDP)      bits 1-2: client (0 none, 1 from a table, 2 raw IPv4,
//           bits 3-4: our EDNS payload (512, 1232, 1400, 4096)    3 raw IPv6)
//           bits 5-7: site (index modulo the number of sites)
//   then    client: 1 byte (table index), 4 or 16 bytes (raw address), or nothing
//   rest    the DNS message, optionally followed by kUpstreamMarker and an upstream reply
#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "sipdns/config/loader.h"
#include "sipdns/engine/query_engine.h"
#include "sipdns/forward/upstream_answer.h"
#include "sipdns/zone/builder.h"
#include "fuzz_support.h"

#include <ldns/ldns.h>  // after the sipdns headers: ldns redefines bool

namespace {

using namespace sipdns;
using fuzz::dump;
using fuzz::get16;

// The message being checked, printed when a property fails.
std::span<const std::uint8_t> g_query, g_response;

[[noreturn]] void violated(const char* what) {
    std::fprintf(stderr, "fuzz_engine: property violated: %s\n", what);
    dump("query", g_query);
    dump("response", g_response);
    __builtin_trap();
}
#define CHECK(cond)                     \
    do {                                \
        if (!(cond)) violated(#cond);   \
    } while (0)

using Site = fuzz::FuzzSite;

std::vector<Site> load_sites() {
    std::vector<Site> sites = fuzz::load_fuzz_sites("fuzz_engine");
    // The geo-aware example must be among them, or the location views go unfuzzed.
    bool views = false;
    for (const auto& s : sites) views = views || s.zones->has_location_views();
    if (!views) {
        std::fprintf(stderr, "fuzz_engine: no site with location views\n");
        std::abort();
    }
    return sites;
}

const std::vector<Site>& sites() {
    static const std::vector<Site> s = load_sites();
    return s;
}

config::IpAddress parse_address(const char* text) {
    auto a = config::IpAddress::parse(text);
    if (!a) std::abort();
    return *a;
}

// Clients inside and outside the example locations (sip-cluster.yaml: dc1, dc2) and the
// transfer ACL below.
const std::vector<config::IpAddress>& client_table() {
    static const std::vector<config::IpAddress> t = {
        parse_address("192.168.11.7"), parse_address("192.168.22.9"),
        parse_address("127.0.0.1"),    parse_address("10.1.2.3"),
        parse_address("::1"),          parse_address("2001:db8::99"),
        parse_address("192.168.11.0"), parse_address("192.168.22.255"),
    };
    return t;
}

// The fuzzer's clock (QueryContext::now_seconds): the TSIG seeds were signed at it.
constexpr std::uint64_t kFuzzNow = 1700000000;

engine::EngineSettings make_settings(std::uint16_t payload) {
    engine::EngineSettings s;
    s.edns_udp_size = payload;
    s.nsid = "fuzz-nsid";
    s.identity = "ns1.fuzz.example";
    s.version = "sipdnsd-fuzz";
    s.transfer_allow = {*config::IpPrefix::parse("127.0.0.0/8"), *config::IpPrefix::parse("::1/128")};
    s.forward.enabled = true;
    s.forward.allow = {*config::IpPrefix::parse("0.0.0.0/0"), *config::IpPrefix::parse("::/0")};
    // EDNS Client Subnet (RFC 7871) from 127.0.0.1 and ::1 of the client table; the others'
    // options are echoed with scope 0.
    s.ecs_trust = {*config::IpPrefix::parse("127.0.0.0/8"), *config::IpPrefix::parse("::1/128")};
    // DNS Cookies with known secrets (00..0f current, 10..1f previous) at kFuzzNow, so
    // that make_seeds.py can make valid server cookies (RFC 9018 §4) for the client table.
    for (std::uint8_t i = 0; i < 16; ++i) {
        s.cookie_secrets.current[i] = i;
        s.cookie_secrets.previous[i] = static_cast<std::uint8_t>(0x10 + i);
    }
    s.cookie_secrets.has_previous = true;
    // TSIG (RFC 8945): make_seeds.py signs its tsig-* seeds with this key at kFuzzNow.
    s.transfer_key = engine::make_tsig_key("fuzz-key", "hmac-sha256", "fuzz tsig secret");
    return s;
}


// Where the upstream reply starts in an input (libFuzzer's memcmp hooks find it).
constexpr std::uint8_t kUpstreamMarker[4] = {0xfe, 'U', 'P', 0xfe};

void put16(std::vector<std::uint8_t>& v, std::uint16_t x) {
    v.push_back(static_cast<std::uint8_t>(x >> 8));
    v.push_back(static_cast<std::uint8_t>(x & 0xff));
}

// An upstream reply made from the query (its first `qend` octets: header and question): QR RD
// RA, an rcode and TTLs from the query's ID, an A and a TXT record owned by the question name.
std::vector<std::uint8_t> upstream_from_query(std::span<const std::uint8_t> query,
                                              std::size_t qend) {
    std::vector<std::uint8_t> m(query.begin(), query.begin() + static_cast<long>(qend));
    const std::uint16_t id = get16(query.data());
    const std::uint16_t rcodes[4] = {0, 0, 3, 2};
    m[2] = 0x81;
    m[3] = static_cast<std::uint8_t>(0x80 | rcodes[id & 3]);
    m[6] = 0, m[7] = 1;    // ANCOUNT
    m[8] = 0, m[9] = 1;    // NSCOUNT
    m[10] = 0, m[11] = 0;  // ARCOUNT
    const std::uint32_t ttl = id >> 2;
    for (const std::uint16_t type : {1, 16}) {
        put16(m, 0xc00c);
        put16(m, type);
        put16(m, 1);
        put16(m, static_cast<std::uint16_t>(ttl >> 16));
        put16(m, static_cast<std::uint16_t>(ttl & 0xffff));
        if (type == 1) {
            put16(m, 4);
            m.insert(m.end(), {192, 0, 2, static_cast<std::uint8_t>(id)});
        } else {
            put16(m, 4);
            m.insert(m.end(), {3, 'f', 'u', 'z'});
        }
    }
    return m;
}

struct PacketDeleter {
    void operator()(ldns_pkt* p) const { ldns_pkt_free(p); }
};
using PacketPtr = std::unique_ptr<ldns_pkt, PacketDeleter>;

PacketPtr decode(const std::uint8_t* data, std::size_t len) {
    ldns_pkt* p = nullptr;
    if (ldns_wire2pkt(&p, data, len) != LDNS_STATUS_OK) {
        if (p) ldns_pkt_free(p);
        return nullptr;
    }
    return PacketPtr(p);
}

// The question as RFC 1035 §4.1.2 lays it out, read independently of the engine's parser:
// QDCOUNT 1, a name of plain labels (no compression: nothing precedes it) of at most 255
// octets, then QTYPE and QCLASS. Returns the offset past QCLASS, or 0.
std::size_t question_end(std::span<const std::uint8_t> m) {
    if (m.size() < 12 || get16(m.data() + 4) != 1) return 0;
    std::size_t at = 12, name = 0;
    for (;;) {
        if (at >= m.size()) return 0;
        const std::uint8_t len = m[at];
        if (len > 63) return 0;
        name += len + 1u;
        if (name > 255 || at + 1 + len > m.size()) return 0;
        at += 1u + len;
        if (len == 0) break;
    }
    return at + 4 <= m.size() ? at + 4 : 0;
}

// One response message (UDP datagram, TCP message, or one message of a transfer).
void check_message(std::span<const std::uint8_t> query, std::size_t qend,
                   const std::uint8_t* r, std::size_t len, bool must_echo_question) {
    g_response = std::span<const std::uint8_t>(r, len);
    CHECK(len >= 12);
    PacketPtr pkt = decode(r, len);
    CHECK(pkt != nullptr);  // ldns decodes every byte we send
    CHECK(get16(r) == get16(query.data()));          // ID (RFC 1035 §4.1.1)
    CHECK((r[2] & 0x80) != 0);                       // QR
    CHECK((r[2] & 0x78) == (query[2] & 0x78));       // opcode copied
    const std::uint16_t qd = get16(r + 4);
    CHECK(qd <= 1);
    if (qend != 0 && (qd == 1 || must_echo_question)) {
        // The question byte for byte (0x20 case preserved), and as ldns reads it.
        CHECK(qd == 1);
        CHECK(len >= qend);
        CHECK(std::memcmp(r + 12, query.data() + 12, qend - 12) == 0);
        const ldns_rr_list* q = ldns_pkt_question(pkt.get());
        CHECK(q != nullptr && ldns_rr_list_rr_count(q) == 1);
        const ldns_rr* rr = ldns_rr_list_rr(q, 0);
        CHECK(ldns_rr_get_type(rr) == get16(query.data() + qend - 4));
        CHECK(ldns_rr_get_class(rr) == get16(query.data() + qend - 2));
    }
}

// The UDP limit: 512 without EDNS, else the smaller payload (at least 512, and never more than
// our buffer). The query's OPT as ldns reads it, when it decodes the query.
std::size_t udp_limit(std::span<const std::uint8_t> query, const engine::EngineSettings& settings) {
    std::size_t limit =
        std::clamp<std::size_t>(settings.edns_udp_size, 512, engine::kMinOutputBuffer);
    if (PacketPtr qp = decode(query.data(), query.size())) {
        if (!ldns_pkt_edns(qp.get()))
            limit = 512;
        else
            limit = std::min<std::size_t>(
                limit, std::max<std::size_t>(512, ldns_pkt_edns_udp_size(qp.get())));
    }
    return limit;
}

// A reply to a forwarded query: as any response, plus RA=1 and AA=0 (RFC 1035 §4.1.1: we
// recursed; the data is not ours).
void check_forward_reply(std::span<const std::uint8_t> query, std::size_t qend,
                         const engine::QueryContext& ctx, const engine::EngineSettings& settings,
                         const engine::EngineResult& res, std::span<const std::uint8_t> out) {
    CHECK(res.action == engine::EngineResult::Action::Respond);
    CHECK(res.length <= out.size());
    if (ctx.transport == engine::Transport::Udp) CHECK(res.length <= udp_limit(query, settings));
    check_message(query, qend, out.data(), res.length, true);
    CHECK((out[3] & 0x0f) == (res.rcode & 0x0f));
    CHECK(((out[2] & 0x02) != 0) == res.truncated);
    CHECK((out[3] & 0x80) != 0);  // RA
    CHECK((out[2] & 0x04) == 0);  // AA
}

// Action::Forward: the question handed over, then both replies the forwarder can cause.
void check_forwarded(std::span<const std::uint8_t> query, std::size_t qend,
                     const engine::QueryContext& ctx, const engine::EngineSettings& settings,
                     const engine::ForwardQuestion& fq,
                     const std::optional<std::vector<std::uint8_t>>& given_upstream,
                     std::span<std::uint8_t> out) {
    // Only a well-formed QUERY from an allowed client is forwarded: its question parses, and
    // the name handed over is its name in lower case.
    CHECK(ctx.has_client && qend != 0);
    CHECK(fq.qname_length == qend - 4 - 12);
    for (std::size_t i = 0; i < fq.qname_length; ++i) {
        const std::uint8_t c = query[12 + i];
        CHECK(fq.qname[i] == (c >= 'A' && c <= 'Z' ? c + 32 : c));
    }
    CHECK(fq.qtype == get16(query.data() + qend - 4));
    CHECK(get16(query.data() + qend - 2) == 1);  // class IN only

    const std::vector<std::uint8_t> upstream =
        given_upstream ? *given_upstream : upstream_from_query(query, qend);
    const std::uint16_t id = get16(query.data());
    auto normalised =
        forward::normalise_upstream_answer(upstream, fq, 3600, (id & 0x100) != 0);
    g_response = {};
    if (normalised) {
        const forward::ForwardedAnswer& a = *normalised;
        // What the workers' cache keeps: the question's length as the client's, every TTL
        // offset inside the message, no OPT.
        CHECK(a.message.size() >= qend);
        for (const std::uint16_t o : a.ttl_offsets) CHECK(o >= qend && o + 4u <= a.message.size());
        auto offsets = forward::record_ttl_offsets(a.message);
        CHECK(offsets && *offsets == a.ttl_offsets);
        std::vector<std::uint8_t> copy = a.message;
        auto cut = forward::drop_opt(copy);
        CHECK(cut && !*cut);
        CHECK(a.cache_ttl <= 3600);  // never longer than libunbound's TTL for the result
        engine::UpstreamAnswer view = a.view(a.received + std::chrono::seconds(id >> 4));
        const engine::EngineResult r = engine::write_forwarded(query, ctx, settings, view, out);
        check_forward_reply(query, qend, ctx, settings, r, out);
        CHECK((out[3] & 0x0f) == a.rcode);
        if (!r.truncated) {
            CHECK(get16(out.data() + 6) == get16(a.message.data() + 6));
            CHECK(get16(out.data() + 8) == get16(a.message.data() + 8));
        }
    }
    static const std::string long_text(300, 'x');
    const engine::EngineResult f = engine::write_forward_failure(
        query, ctx, settings, static_cast<std::uint16_t>(id % 25),
        (id & 0x200) ? std::string_view(long_text) : std::string_view("fuzz"), out);
    check_forward_reply(query, qend, ctx, settings, f, out);
    CHECK(f.rcode == engine::rcode::ServFail && !f.truncated);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    (void)sites();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    const std::uint8_t flags = data[0];
    std::size_t at = 1;

    engine::QueryContext ctx;
    ctx.now_seconds = kFuzzNow;
    ctx.transport = (flags & 1) ? engine::Transport::Tcp : engine::Transport::Udp;
    switch ((flags >> 1) & 3) {
        case 0:
            break;
        case 1:
            if (at + 1 > size) return 0;
            ctx.has_client = true;
            ctx.client = client_table()[data[at] % client_table().size()];
            at += 1;
            break;
        case 2: {
            if (at + 4 > size) return 0;
            std::uint8_t b[4];
            std::memcpy(b, data + at, 4);
            ctx.has_client = true;
            ctx.client = engine::client_address_v4(b);
            at += 4;
            break;
        }
        default: {
            if (at + 16 > size) return 0;
            std::uint8_t b[16];
            std::memcpy(b, data + at, 16);
            ctx.has_client = true;
            ctx.client = engine::client_address_v6(b);
            at += 16;
            break;
        }
    }
    static const std::uint16_t kPayloads[4] = {512, 1232, 1400, 4096};
    static const engine::EngineSettings kSettings[4] = {
        make_settings(kPayloads[0]), make_settings(kPayloads[1]), make_settings(kPayloads[2]),
        make_settings(kPayloads[3])};
    const engine::EngineSettings& settings = kSettings[(flags >> 3) & 3];
    const Site& site = sites()[(flags >> 5) % sites().size()];

    // The query in its own allocation, so ASan sees any read past its end; an upstream reply
    // after the marker in another.
    const std::uint8_t* end = data + size;
    const std::uint8_t* marker =
        std::search(data + at, end, std::begin(kUpstreamMarker), std::end(kUpstreamMarker));
    const std::vector<std::uint8_t> query(data + at, marker);
    std::optional<std::vector<std::uint8_t>> given_upstream;
    if (marker != end) given_upstream.emplace(marker + sizeof kUpstreamMarker, end);
    g_query = query;
    g_response = {};
    const bool tcp = ctx.transport == engine::Transport::Tcp;
    // Exactly the buffer size respond() documents, so ASan sees any write past it.
    std::vector<std::uint8_t> out(tcp ? engine::kMaxTcpMessage : engine::kMinOutputBuffer);
    engine::ForwardQuestion fq;
    const engine::EngineResult res = engine::respond(query, ctx, *site.zones, settings, out, &fq);

    if (res.action == engine::EngineResult::Action::Drop) return 0;
    const std::size_t qend = question_end(query);
    if (res.action == engine::EngineResult::Action::Forward) {
        check_forwarded(query, qend, ctx, settings, fq, given_upstream, out);
        return 0;
    }
    if (res.action == engine::EngineResult::Action::Transfer) {
        // RFC 5936 §4.2: transfers only over TCP; the messages carry the query's ID and the
        // first one its question (§2.2.1).
        CHECK(tcp && res.transfer_zone != nullptr && qend != 0);
        std::vector<std::uint8_t> stream =
            engine::write_transfer(query, *res.transfer_zone, settings);
        // A signed request: every message signed (RFC 8945 §5.3.1), still one framed stream.
        if (res.tsig_signed)
            stream = engine::sign_transfer(query, stream, *settings.transfer_key, kFuzzNow);
        CHECK(!stream.empty());
        bool first = true;
        for (std::size_t i = 0; i < stream.size();) {
            CHECK(i + 2 <= stream.size());
            const std::size_t n = get16(stream.data() + i);
            CHECK(i + 2 + n <= stream.size());
            check_message(query, first ? qend : 0, stream.data() + i + 2, n, first);
            first = false;
            i += 2 + n;
        }
        return 0;
    }

    CHECK(res.length <= out.size());
    if (!tcp) CHECK(res.length <= udp_limit(query, settings));
    // A parseable question is echoed, except that a FORMERR may leave it out, and so may a
    // NOTIMP (another opcode's sections need not be laid out as a QUERY's, RFC 1035 §4.1.1).
    check_message(query, qend, out.data(), res.length,
                  res.rcode != engine::rcode::FormErr && res.rcode != engine::rcode::NotImp);
    CHECK((out[3] & 0x0f) == (res.rcode & 0x0f));
    CHECK(((out[2] & 0x02) != 0) == res.truncated);
    // BADCOOKIE only for a server cookie we did not make, and only over UDP (RFC 7873 §5.2.4).
    if (res.rcode == engine::rcode::BadCookie)
        CHECK(!tcp && res.cookie == engine::CookieStatus::Invalid);
    return 0;
}
