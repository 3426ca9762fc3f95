// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
// `forward:` (the phones' DNS server for names outside the site's zones): what each valid
// form loads into, and the exact `file:line:col` diagnostics of each bad one.
#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <vector>

#include "sipdns/config/loader.h"

namespace sipdns::config {
namespace {

// A valid start that every row extends: `forward:` is on line 4.
const std::string kHead = "domain: scsnetwork.local\nhosts:\n  ntp: 192.0.2.1\n";

std::string diag(int line, int col, const std::string& message) {
    return "site.yaml:" + std::to_string(line) + ":" + std::to_string(col) + ": " + message;
}

// ForwardSettings in one line, so that a row can say what it loads into.
std::string summary(const ForwardSettings& f) {
    std::string s = f.from_root ? "root" : "to";
    for (const auto& u : f.upstreams) s += " " + u.to_string();
    s += "; allow";
    if (!f.allow) {
        s += " (default)";
    } else {
        for (const auto& p : *f.allow) s += " " + p.to_string();
    }
    s += f.dnssec ? "; dnssec " + f.trust_anchor : "; no dnssec";
    if (f.trust_anchor != ForwardSettings::kDefaultTrustAnchor && !f.dnssec) {
        s += " (anchor " + f.trust_anchor + ")";
    }
    if (!f.root_hints.empty()) s += "; hints " + f.root_hints;
    return s;
}

struct Row {
    std::string name;
    std::string yaml;  // after kHead
    std::string expected;
};

void PrintTo(const Row& r, std::ostream* os) {
    *os << r.name;
}

class ForwardLoads : public ::testing::TestWithParam<Row> {};

TEST_P(ForwardLoads, Into) {
    auto r = load_site_text(kHead + GetParam().yaml, "site.yaml");
    ASSERT_TRUE(r) << r.error().front().to_string();
    ASSERT_TRUE(r->forward.has_value());
    EXPECT_EQ(summary(*r->forward), GetParam().expected) << GetParam().yaml;
}

const std::vector<Row> kGood = {
    {"EveryUpstreamForm",
     "forward:\n  to: [192.0.2.1, \"2001:db8::1\", \"192.0.2.2:5353\", \"[2001:db8::2]:5353\"]\n",
     "to 192.0.2.1:53 [2001:db8::1]:53 192.0.2.2:5353 [2001:db8::2]:5353; allow (default); "
     "no dnssec"},
    {"BlockListUnquotedV6",
     "forward:\n  to:\n    - 2001:db8::1\n    - 192.0.2.1\n",
     "to [2001:db8::1]:53 192.0.2.1:53; allow (default); no dnssec"},
    {"BracketedV6WithoutPort",
     "forward: { to: [\"[2001:db8::1]\"] }\n",
     "to [2001:db8::1]:53; allow (default); no dnssec"},
    {"OneUpstreamWithoutAList",
     "forward: { to: 192.0.2.1 }\n",
     "to 192.0.2.1:53; allow (default); no dnssec"},
    {"SameAddressOtherPorts",
     "forward: { to: [192.0.2.1, \"192.0.2.1:5353\"] }\n",
     "to 192.0.2.1:53 192.0.2.1:5353; allow (default); no dnssec"},
    {"Root", "forward: { to: root }\n", "root; allow (default); no dnssec"},
    {"RootAnyCaseQuoted", "forward: { to: \"ROOT\" }\n", "root; allow (default); no dnssec"},
    {"RootWithHintsAndDnssec",
     "forward:\n  to: root\n  root_hints: /etc/sipdns/root.hints\n  dnssec: true\n",
     "root; allow (default); dnssec /usr/share/dns/root.key; hints /etc/sipdns/root.hints"},
    {"DnssecOwnAnchor",
     "forward:\n  to: [192.0.2.1]\n  dnssec: yes\n  trust_anchor: /var/lib/unbound/root.key\n",
     "to 192.0.2.1:53; allow (default); dnssec /var/lib/unbound/root.key"},
    {"DnssecOff",
     "forward:\n  to: [192.0.2.1]\n  dnssec: false\n",
     "to 192.0.2.1:53; allow (default); no dnssec"},
    {"AllowList",
     "forward:\n  to: [192.0.2.1]\n  allow: [192.168.0.0/16, 10.0.0.0/8, \"2001:db8::/32\"]\n",
     "to 192.0.2.1:53; allow 192.168.0.0/16 10.0.0.0/8 2001:db8::/32; no dnssec"},
    {"AllowOnePrefixWithoutAList",
     "forward:\n  to: [192.0.2.1]\n  allow: 192.168.11.0/24\n",
     "to 192.0.2.1:53; allow 192.168.11.0/24; no dnssec"},
};

INSTANTIATE_TEST_SUITE_P(Rows, ForwardLoads, ::testing::ValuesIn(kGood),
                         [](const auto& info) { return info.param.name; });

TEST(Forward, AbsentIsAuthoritativeOnly) {
    auto r = load_site_text(kHead, "site.yaml");
    ASSERT_TRUE(r);
    EXPECT_FALSE(r->forward.has_value());
}

TEST(Forward, KeepsItsPosition) {
    auto r = load_site_text(kHead + "forward:\n  to: root\n", "site.yaml");
    ASSERT_TRUE(r);
    ASSERT_TRUE(r->forward.has_value());
    EXPECT_EQ(r->forward->pos.line, 5u);
    EXPECT_EQ(r->forward->pos.column, 3u);
}

struct BadRow {
    std::string name;
    std::string yaml;  // after kHead
    std::vector<std::string> expected;
};

void PrintTo(const BadRow& r, std::ostream* os) {
    *os << r.name;
}

class ForwardErrors : public ::testing::TestWithParam<BadRow> {};

TEST_P(ForwardErrors, ReportsExactly) {
    auto r = load_site_text(kHead + GetParam().yaml, "site.yaml");
    std::vector<std::string> got;
    if (r) got.push_back("(loaded without errors)");
    if (!r) {
        for (const auto& d : r.error()) got.push_back(d.to_string());
    }
    EXPECT_EQ(got, GetParam().expected) << GetParam().yaml;
}

const std::string kNeedsTo =
    "forward: expected { to: ... }: the resolvers to forward other names to, such as "
    "{ to: [192.0.2.1] }, or { to: root }";
const std::string kToMissing =
    "forward.to: required key is missing (the resolvers to forward to, such as [192.0.2.1], "
    "or root)";
const std::string kNotUpstream =
    "expected a resolver address such as 192.0.2.1, 192.0.2.1:5353, 2001:db8::1 or "
    "[2001:db8::1]:5353, got ";

const std::vector<BadRow> kBad = {
    // --- the section
    {"Null", "forward:\n", {diag(4, 1, kNeedsTo)}},
    {"EmptyMapping", "forward: {}\n", {diag(4, 10, kNeedsTo)}},
    {"Scalar",
     "forward: 192.0.2.1\n",
     {diag(4, 10,
           "forward: expected a mapping of forwarding settings: { to, allow, dnssec, "
           "trust_anchor, root_hints }")}},
    {"List",
     "forward: [192.0.2.1]\n",
     {diag(4, 10,
           "forward: expected a mapping of forwarding settings: { to, allow, dnssec, "
           "trust_anchor, root_hints }")}},
    {"TopLevelTypo",
     "forwad:\n  to: root\n",
     {diag(4, 1, "forwad: unknown key; did you mean 'forward'?")}},
    {"UnknownKeys",
     "forward:\n  to: root\n  alow: [10.0.0.0/8]\n  dnsec: true\n  forwarders: [192.0.2.1]\n",
     {diag(6, 3, "forward.alow: unknown key; did you mean 'allow'?"),
      diag(7, 3, "forward.dnsec: unknown key; did you mean 'dnssec'?"),
      diag(8, 3,
           "forward.forwarders: unknown key (expected one of: to, allow, dnssec, trust_anchor, "
           "root_hints)")}},
    {"DuplicateKey",
     "forward:\n  to: root\n  to: [192.0.2.1]\n",
     {diag(6, 3, "forward.to: duplicate key (first at line 5)")}},

    // --- to
    {"ToMissing", "forward:\n  allow: [10.0.0.0/8]\n", {diag(5, 3, kToMissing)}},
    {"ToMissingOnlyUnknownKey",
     "forward: { too: root }\n",
     {diag(4, 10, kToMissing),
      diag(4, 12, "forward.too: unknown key; did you mean 'to'?")}},
    {"ToEmptyList",
     "forward:\n  to: []\n",
     {diag(5, 7, "forward.to: expected at least one resolver address, or root")}},
    {"ToNull",
     "forward:\n  to:\n  dnssec: true\n",
     {diag(5, 3,
           "forward.to: expected a list of resolver addresses such as [192.0.2.1, "
           "\"2001:db8::1\"], or root, got nothing")}},
    {"ToMapping",
     "forward:\n  to: { address: 192.0.2.1 }\n",
     {diag(5, 7,
           "forward.to: expected a list of resolver addresses such as [192.0.2.1, "
           "\"2001:db8::1\"], or root, got a mapping")}},
    {"ToBadScalar",
     "forward:\n  to: resolver.example.net\n",
     {diag(5, 7, "forward.to: " + kNotUpstream + "'resolver.example.net'")}},
    {"ToBadAddresses",
     "forward:\n"
     "  to:\n"
     "    - 192.0.2.300\n"
     "    - 192.0.2.1:0\n"
     "    - 192.0.2.1:65536\n"
     "    - 2001:db8::1]:53\n"
     "    - \"[192.0.2.1]:53\"\n"
     "    - dns.example.net\n"
     "    - [192.0.2.1]\n"
     "    - 0.0.0.0\n"
     "    - \"[::]:5353\"\n",
     {diag(6, 7, "forward.to[0]: " + kNotUpstream + "'192.0.2.300'"),
      diag(7, 7, "forward.to[1]: " + kNotUpstream + "'192.0.2.1:0'"),
      diag(8, 7, "forward.to[2]: " + kNotUpstream + "'192.0.2.1:65536'"),
      diag(9, 7, "forward.to[3]: " + kNotUpstream + "'2001:db8::1]:53'"),
      diag(10, 7, "forward.to[4]: " + kNotUpstream + "'[192.0.2.1]:53'"),
      diag(11, 7, "forward.to[5]: " + kNotUpstream + "'dns.example.net'"),
      diag(12, 7, "forward.to[6]: " + kNotUpstream + "a list"),
      diag(13, 7, "forward.to[7]: '0.0.0.0' is the unspecified address, not a resolver's"),
      diag(14, 7, "forward.to[8]: '[::]:5353' is the unspecified address, not a resolver's")}},
    {"ToDuplicates",
     "forward:\n  to: [192.0.2.1, 192.0.2.1, \"192.0.2.1:53\", \"[2001:db8::1]:53\", "
     "\"2001:db8::1\"]\n",
     {diag(5, 19, "forward.to[1]: '192.0.2.1' is listed twice"),
      diag(5, 30,
           "forward.to[2]: '192.0.2.1:53' is listed twice (as '192.0.2.1' before; both are "
           "192.0.2.1:53)"),
      diag(5, 66,
           "forward.to[4]: '2001:db8::1' is listed twice (as '[2001:db8::1]:53' before; both "
           "are [2001:db8::1]:53)")}},
    {"RootInAList",
     "forward:\n  to: [root, 192.0.2.1]\n",
     {diag(5, 8, "forward.to[0]: root is not a resolver address; write `to: root` on its own")}},

    // --- allow
    {"AllowBadPrefixes",
     "forward:\n  to: root\n  allow: [192.168.1.0/16, 10.0.0.0/8, 10.0.0.0/8, 192.168.1.10, "
     "\"2001:db8::/129\"]\n",
     {diag(6, 11,
           "forward.allow[0]: prefix '192.168.1.0/16' has host bits set; did you mean "
           "'192.168.0.0/16'?"),
      diag(6, 39, "forward.allow[2]: '10.0.0.0/8' is listed twice"),
      diag(6, 51,
           "forward.allow[3]: expected an address prefix such as 192.168.11.0/24 or "
           "2001:db8::/64, got '192.168.1.10'"),
      diag(6, 65,
           "forward.allow[4]: expected an address prefix such as 192.168.11.0/24 or "
           "2001:db8::/64, got '2001:db8::/129'")}},
    {"AllowEmptyList",
     "forward:\n  to: root\n  allow: []\n",
     {diag(6, 10,
           "forward.allow: expected at least one address prefix such as 192.168.0.0/16; leave "
           "allow out for loopback and this host's networks")}},
    {"AllowNull",
     "forward:\n  to: root\n  allow:\n",
     {diag(6, 3,
           "forward.allow: expected at least one address prefix such as 192.168.0.0/16; leave "
           "allow out for loopback and this host's networks")}},
    {"AllowMapping",
     "forward:\n  to: root\n  allow: { lan: 192.168.0.0/16 }\n",
     {diag(6, 10,
           "forward.allow: expected a list of address prefixes such as [192.168.0.0/16]")}},

    // --- dnssec, trust_anchor, root_hints
    {"DnssecNotABool",
     "forward:\n  to: root\n  dnssec: validate\n",
     {diag(6, 11, "forward.dnssec: expected true or false, got 'validate'")}},
    {"DnssecNumber",
     "forward:\n  to: root\n  dnssec: 1\n",
     {diag(6, 11, "forward.dnssec: expected true or false, got 1; did you mean true?")}},
    {"TrustAnchorRelative",
     "forward:\n  to: root\n  dnssec: true\n  trust_anchor: root.key\n",
     {diag(7, 17,
           "forward.trust_anchor: expected an absolute file path such as "
           "/usr/share/dns/root.key, got 'root.key'")}},
    {"TrustAnchorList",
     "forward:\n  to: root\n  dnssec: true\n  trust_anchor: [/usr/share/dns/root.key]\n",
     {diag(7, 17,
           "forward.trust_anchor: expected an absolute file path such as "
           "/usr/share/dns/root.key, got a list")}},
    {"TrustAnchorWithoutDnssec",
     "forward:\n  to: root\n  trust_anchor: /usr/share/dns/root.key\n",
     {diag(6, 17, "forward.trust_anchor: trust_anchor is only used with `dnssec: true`")}},
    {"TrustAnchorWithDnssecOff",
     "forward:\n  to: root\n  dnssec: off\n  trust_anchor: /usr/share/dns/root.key\n",
     {diag(7, 17, "forward.trust_anchor: trust_anchor is only used with `dnssec: true`")}},
    {"RootHintsWithUpstreams",
     "forward:\n  to: [192.0.2.1]\n  root_hints: /etc/sipdns/root.hints\n",
     {diag(6, 15,
           "forward.root_hints: root_hints is only for `to: root`; the resolvers in `to` find "
           "the root themselves")}},
    {"RootHintsRelative",
     "forward:\n  to: root\n  root_hints: root.hints\n",
     {diag(6, 15,
           "forward.root_hints: expected an absolute file path such as "
           "/etc/sipdns/root.hints, got 'root.hints'")}},
    {"RootHintsWithBrokenUpstreams",
     "forward:\n  to: [192.0.2.300]\n  root_hints: /etc/sipdns/root.hints\n",
     {diag(5, 8, "forward.to[0]: " + kNotUpstream + "'192.0.2.300'"),
      diag(6, 15,
           "forward.root_hints: root_hints is only for `to: root`; the resolvers in `to` find "
           "the root themselves")}},

    // --- every problem at once, in file order, with the rest of the file's
    {"SeveralAtOnce",
     "forward:\n"
     "  to: [192.0.2.1, 192.0.2.1]\n"
     "  allow: [10.0.0.1/8]\n"
     "  dnssec: maybe\n"
     "  root_hints: /etc/sipdns/root.hints\n"
     "sip:\n"
     "  proxy_port: 0\n",
     {diag(5, 19, "forward.to[1]: '192.0.2.1' is listed twice"),
      diag(6, 11,
           "forward.allow[0]: prefix '10.0.0.1/8' has host bits set; did you mean "
           "'10.0.0.0/8'?"),
      diag(7, 11, "forward.dnssec: expected true or false, got 'maybe'"),
      diag(8, 15,
           "forward.root_hints: root_hints is only for `to: root`; the resolvers in `to` find "
           "the root themselves"),
      diag(10, 15, "sip.proxy_port: expected a port number 1-65535, got 0")}},
};

INSTANTIATE_TEST_SUITE_P(Rows, ForwardErrors, ::testing::ValuesIn(kBad),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace sipdns::config
