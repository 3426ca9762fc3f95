// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
// EDNS Client Subnet (RFC 7871) on a geo-aware site: which view answers, the reply's option
// (FAMILY, SOURCE, ADDRESS echoed, SCOPE ours) and FORMERR for a malformed option.
#include <gtest/gtest.h>

#include <optional>

#include "../zone/zone_test_support.h"
#include "engine_test_support.h"

namespace sipdns::test {
namespace {

namespace rr = zone::rrtype;

// Nested locations and a default that is not dc1, so that scopes have something to avoid:
// views 0 (no location) and 2 (dc2) and 3 (dc3: no members, so the default's) answer the
// cluster SRV alike; dc1's answer differs.
constexpr const char* kSite = R"(
domain: example.com
ttl: 300
nameservers: [dns1]
hosts:
  dns1: 192.0.2.53
locations:
  dc1: [192.168.11.0/24, 10.1.0.0/16]
  dc2: [192.168.22.0/24, "2001:db8:22::/48"]
  dc3: [10.0.0.0/8]
clusters:
  - name: spx-srv
    default: dc2
    members:
      dc1: [ { name: dc1-spx1, ipv4: 192.168.11.121 } ]
      dc2: [ { name: dc2-spx1, ipv4: 192.168.22.121 } ]
reverse: off
)";

std::shared_ptr<const zone::SiteZones> site() {
    static std::shared_ptr<const zone::SiteZones> built = [] {
        auto cfg = config::load_site_text(kSite, "site.yaml");
        EXPECT_TRUE(cfg);
        auto zones = zone::build_site_zones(*cfg, serial_policy(1));
        EXPECT_TRUE(zones);
        return *zones;
    }();
    return built;
}

std::vector<std::uint8_t> ecs(std::uint16_t family, std::uint8_t source, std::uint8_t scope,
                              const std::vector<std::uint8_t>& address) {
    return ecs_option(family, source, scope, address);
}

std::vector<std::uint8_t> v4(std::initializer_list<std::uint8_t> bytes) { return bytes; }

struct Reply {
    engine::EngineResult result;
    std::uint8_t rcode = 0;
    std::string local_member;                         // the SRV target at priority 10, if any
    std::optional<std::vector<std::uint8_t>> option;  // the ECS option's data, if any
    std::size_t opt_count = 0;
};

Reply ask(const std::string& qname, std::uint16_t qtype, std::vector<std::uint8_t> options,
          const char* source, const std::vector<std::string>& trust) {
    QuerySpec spec{qname, qtype};
    spec.edns = true;
    spec.options = std::move(options);
    const auto query = make_query(spec);
    engine::EngineSettings settings;
    for (const auto& p : trust) settings.ecs_trust.push_back(*config::IpPrefix::parse(p));
    engine::QueryContext ctx{engine::Transport::Udp};
    ctx.has_client = true;
    ctx.client = *config::IpAddress::parse(source);
    std::vector<std::uint8_t> out(engine::kMaxTcpMessage);
    Reply reply;
    reply.result = engine::respond(query, ctx, *site(), settings, out);
    EXPECT_EQ(reply.result.action, engine::EngineResult::Action::Respond);
    out.resize(reply.result.length);
    reply.rcode = static_cast<std::uint8_t>(out[3] & 0x0f);
    // The OPT RR is last (opt_offset): root, TYPE, CLASS, TTL, RDLENGTH, then options.
    const std::size_t opt = reply.result.opt_offset;
    EXPECT_NE(opt, 0u);
    if (opt == 0 || opt + 11 > out.size()) return reply;
    const std::size_t end = opt + 11 + (out[opt + 9] << 8 | out[opt + 10]);
    EXPECT_EQ(end, out.size());
    for (std::size_t o = opt + 11; o + 4 <= end;) {
        const std::size_t code = out[o] << 8 | out[o + 1], len = out[o + 2] << 8 | out[o + 3];
        if (code == 8) {
            ++reply.opt_count;
            reply.option.emplace(out.begin() + static_cast<long>(o + 4),
                                 out.begin() + static_cast<long>(o + 4 + len));
        }
        o += 4 + len;
    }
    Response decoded;
    decoded.bytes = out;
    ldns_pkt* pkt = nullptr;
    EXPECT_EQ(ldns_wire2pkt(&pkt, out.data(), out.size()), LDNS_STATUS_OK);
    decoded.pkt.reset(pkt, ldns_pkt_free);
    for (const auto& line : decoded.lines(LDNS_SECTION_ANSWER)) {
        const auto at = line.find(" SRV 10 ");
        if (at != std::string::npos) reply.local_member = line.substr(line.rfind(' ') + 1);
    }
    return reply;
}

const std::string kSrv = "_sip._udp.spx-srv.example.com.";
const std::string kDc1 = "dc1-spx1.example.com.";
const std::string kDc2 = "dc2-spx1.example.com.";

struct ChoiceCase {
    const char* what;
    std::string qname;
    std::uint16_t qtype;
    std::vector<std::uint8_t> option;  // the query's ECS option (empty: none)
    const char* source;                // the packet's source address
    std::vector<std::string> trust;    // server.ecs_trust
    std::string local_member;          // whose view answered ("" = not an SRV answer)
    std::optional<std::uint8_t> scope;  // the reply's SCOPE; nullopt = no ECS in the reply
    std::uint8_t rcode = 0;
};

class ClientSubnetChoice : public ::testing::TestWithParam<ChoiceCase> {};

TEST_P(ClientSubnetChoice, ViewAndScope) {
    const ChoiceCase& c = GetParam();
    const Reply reply = ask(c.qname, c.qtype, c.option, c.source, c.trust);
    EXPECT_EQ(reply.rcode, c.rcode) << c.what;
    EXPECT_EQ(reply.local_member, c.local_member) << c.what;
    if (!c.scope) {
        EXPECT_FALSE(reply.option) << c.what;
        return;
    }
    ASSERT_TRUE(reply.option) << c.what;
    EXPECT_EQ(reply.opt_count, 1u);
    // FAMILY, SOURCE and ADDRESS as sent (RFC 7871 §7.2.1), SCOPE ours.
    std::vector<std::uint8_t> expected(c.option.begin() + 4, c.option.end());
    expected[3] = *c.scope;
    EXPECT_EQ(*reply.option, expected) << c.what;
}

const std::vector<std::string> kTrustLoopback{"127.0.0.0/8"};
const std::vector<std::string> kTrustOther{"127.0.0.2/32"};

// Scopes worked out by hand from the site above (the shortest prefix of the subnet whose every
// address gets the same SRV answer; dc1's prefixes are what the others must avoid):
INSTANTIATE_TEST_SUITE_P(
    Rfc7871, ClientSubnetChoice,
    ::testing::Values(
        ChoiceCase{"trusted, dc1's /24: dc1's view, scope 24 (a /23 holds no-location space)",
                   kSrv, rr::SRV, ecs(1, 24, 0, v4({192, 168, 11})), "127.0.0.1",
                   kTrustLoopback, kDc1, 24},
        ChoiceCase{"trusted, dc2's /24: dc2's view; 192.168.16.0/20 holds no dc1 prefix", kSrv,
                   rr::SRV, ecs(1, 24, 0, v4({192, 168, 22})), "127.0.0.1", kTrustLoopback, kDc2,
                   20},
        ChoiceCase{"trusted, a /16 that holds dc1 and dc2: scope 21 > source 16", kSrv, rr::SRV,
                   ecs(1, 16, 0, v4({192, 168})), "127.0.0.1", kTrustLoopback, kDc2, 21},
        ChoiceCase{"trusted, dc3 (inside 10/8, default's answer): /15 avoids dc1's 10.1/16",
                   kSrv, rr::SRV, ecs(1, 16, 0, v4({10, 3})), "127.0.0.1", kTrustLoopback, kDc2,
                   15},
        ChoiceCase{"trusted, dc1's 10.1/16 inside dc3's 10/8: scope 16", kSrv, rr::SRV,
                   ecs(1, 24, 0, v4({10, 1, 2})), "127.0.0.1", kTrustLoopback, kDc1, 16},
        ChoiceCase{"trusted, a /32 (no bits past source) in dc1", kSrv, rr::SRV,
                   ecs(1, 32, 0, v4({192, 168, 11, 7})), "127.0.0.1", kTrustLoopback, kDc1, 24},
        ChoiceCase{"trusted, /20 source with its low 4 bits of the last octet zero", kSrv,
                   rr::SRV, ecs(1, 20, 0, v4({10, 1, 0x10})), "127.0.0.1", kTrustLoopback, kDc1,
                   16},
        ChoiceCase{"trusted, no location: 198.51.100/24, /6 avoids 192.168.11/24", kSrv,
                   rr::SRV, ecs(1, 24, 0, v4({198, 51, 100})), "127.0.0.1", kTrustLoopback, kDc2,
                   6},
        ChoiceCase{"trusted, IPv6 in dc2: no IPv6 prefix answers otherwise, scope 0", kSrv,
                   rr::SRV, ecs(2, 48, 0, {0x20, 0x01, 0x0d, 0xb8, 0x00, 0x22}), "127.0.0.1",
                   kTrustLoopback, kDc2, 0},
        ChoiceCase{"trusted, a name the same in every view: scope 0", "dns1.example.com.",
                   rr::A, ecs(1, 24, 0, v4({192, 168, 11})), "127.0.0.1", kTrustLoopback, "", 0},
        ChoiceCase{"trusted, NXDOMAIN is the same everywhere: scope 0", "nope.example.com.",
                   rr::A, ecs(1, 24, 0, v4({192, 168, 11})), "127.0.0.1", kTrustLoopback, "", 0, 3},
        ChoiceCase{"trusted, NODATA at the cluster owner: scope 0", kSrv, rr::A,
                   ecs(1, 24, 0, v4({192, 168, 11})), "127.0.0.1", kTrustLoopback, "", 0},
        ChoiceCase{"trusted, SOURCE 0: the resolver's own address (no location), scope 0",
                   kSrv, rr::SRV, ecs(1, 0, 0, {}), "127.0.0.1", kTrustLoopback, kDc2, 0},
        ChoiceCase{"trusted resolver inside dc1, SOURCE 0: dc1's view by its address", kSrv,
                   rr::SRV, ecs(1, 0, 0, {}), "192.168.11.53", {"192.168.11.53/32"}, kDc1, 0},
        ChoiceCase{"untrusted: the source address chooses, option echoed with scope 0", kSrv,
                   rr::SRV, ecs(1, 24, 0, v4({192, 168, 11})), "127.0.0.1", kTrustOther, kDc2,
                   0},
        ChoiceCase{"untrusted resolver inside dc1 naming dc2's subnet: still dc1", kSrv,
                   rr::SRV, ecs(1, 24, 0, v4({192, 168, 22})), "192.168.11.53", kTrustOther,
                   kDc1, 0},
        ChoiceCase{"ECS off (no ecs_trust): ignored, not echoed", kSrv, rr::SRV,
                   ecs(1, 24, 0, v4({192, 168, 11})), "127.0.0.1", {}, kDc2, std::nullopt},
        ChoiceCase{"no option: no option back", kSrv, rr::SRV, {}, "127.0.0.1", kTrustLoopback,
                   kDc2, std::nullopt}),
    [](const auto& info) { return "case" + std::to_string(info.index); });

struct MalformedCase {
    const char* what;
    std::vector<std::uint8_t> options;
};

class ClientSubnetMalformed : public ::testing::TestWithParam<MalformedCase> {};

// RFC 7871 §6 and §7.2.1: FORMERR, from anyone once ECS is on (a server that uses ECS checks
// it); the OPT comes back without an ECS option (there is nothing valid to echo). With ECS off
// the option is not ours to judge (RFC 6891 §6.1.2: unknown options are ignored).
TEST_P(ClientSubnetMalformed, FormErrWhenOnIgnoredWhenOff) {
    const MalformedCase& c = GetParam();
    for (const auto& trust : {kTrustLoopback, kTrustOther}) {
        const Reply reply = ask(kSrv, rr::SRV, c.options, "127.0.0.1", trust);
        EXPECT_EQ(reply.rcode, 1) << c.what;
        EXPECT_EQ(reply.result.rcode, 1) << c.what;
        EXPECT_FALSE(reply.option) << c.what;
        EXPECT_EQ(reply.local_member, "") << c.what;
    }
    const Reply off = ask(kSrv, rr::SRV, c.options, "127.0.0.1", {});
    EXPECT_EQ(off.rcode, 0) << c.what;
    EXPECT_EQ(off.local_member, kDc2) << c.what;
    EXPECT_FALSE(off.option) << c.what;
}

std::vector<std::uint8_t> twice(std::vector<std::uint8_t> o) {
    std::vector<std::uint8_t> both = o;
    both.insert(both.end(), o.begin(), o.end());
    return both;
}

INSTANTIATE_TEST_SUITE_P(
    Rfc7871, ClientSubnetMalformed,
    ::testing::Values(
        MalformedCase{"FAMILY 3", ecs(3, 0, 0, {})},
        MalformedCase{"FAMILY 0", ecs(0, 8, 0, {10})},
        MalformedCase{"IPv4 SOURCE 33", ecs(1, 33, 0, v4({192, 168, 11, 7, 0}))},
        MalformedCase{"IPv6 SOURCE 129",
                      ecs(2, 129, 0, std::vector<std::uint8_t>(17, 0))},
        MalformedCase{"SCOPE not 0 in a query", ecs(1, 24, 24, v4({192, 168, 11}))},
        MalformedCase{"ADDRESS one octet too long", ecs(1, 24, 0, v4({192, 168, 11, 0}))},
        MalformedCase{"ADDRESS one octet short", ecs(1, 24, 0, v4({192, 168}))},
        MalformedCase{"SOURCE 0 with an ADDRESS octet", ecs(1, 0, 0, v4({0}))},
        MalformedCase{"a bit set past SOURCE 23", ecs(1, 23, 0, v4({192, 168, 11}))},
        MalformedCase{"a bit set past SOURCE 20", ecs(1, 20, 0, v4({10, 1, 0x18}))},
        MalformedCase{"OPTION-LENGTH 3", {0, 8, 0, 3, 0, 1, 0}},
        MalformedCase{"OPTION-LENGTH 0", {0, 8, 0, 0}},
        MalformedCase{"two ECS options", twice(ecs(1, 24, 0, v4({192, 168, 11})))}),
    [](const auto& info) { return "case" + std::to_string(info.index); });

}  // namespace
}  // namespace sipdns::test
