// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
// The site file's YAML syntax (config/src/yaml_document.cc on yaml-cpp, yaml_source.cc): the
// slips people make when they write YAML by hand are explained in plain words at the place to
// fix; valid YAML that looks like a slip is not; and no text, however broken, gets anything but
// diagnostics out of the loader (the fuzz seeds and mutations of them).
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <ostream>
#include <sstream>
#include <string>
#include <vector>

#include "sipdns/config/loader.h"

namespace sipdns::config {
namespace {

struct Slip {
    std::string name;
    std::string yaml;
    std::string place;    // "line:col"
    std::string message;  // a fragment of the one diagnostic
};

void PrintTo(const Slip& c, std::ostream* os) {
    *os << c.name;
}

// A valid start: line 1 the domain, lines 2-3 a host (line 4 is the first the rows add).
const std::string kHead = "domain: scsnetwork.local\nhosts:\n  ntp: 192.0.2.1\n";
const std::string kTab = "tabs are not allowed in YAML indentation; use spaces";

const std::vector<Slip> kSlips = {
    // A tab in indentation (YAML 1.2 §6.1: indentation is spaces only), at the tab.
    {"TabIndentsTopKey", kHead + "\tttl: 60\n", "4:1", kTab},
    {"TabAfterSpaces", kHead + "  \tgw1: 192.0.2.2\n", "4:3", kTab},
    {"TabIndentsListItem", kHead + "servers:\n\t- { name: scs1, ipv4: 192.0.2.11 }\n", "5:1",
     kTab},
    {"TabIndentsNestedKey", kHead + "sip:\n  proxy_port: 5060\n\t\ttls_port: 5061\n", "6:1", kTab},
    // A quote never closed, at the opening quote: to the end of a file that ends with a newline
    // (which yaml-cpp would otherwise accept), or without one, or inside a flow list.
    {"UnclosedDoubleQuote", kHead + "ttl: \"60\n", "4:6",
     "unclosed quote: the string that starts here with \" has no closing \""},
    {"UnclosedSingleQuoteEatsNextLines", kHead + "  gw1: '192.0.2.2\n  gw2: 192.0.2.3\n", "4:8",
     "unclosed quote: the string that starts here with ' has no closing '"},
    {"UnclosedQuoteNoFinalNewline", kHead + "ttl: \"60", "4:6",
     "unclosed quote: the string that starts here with \" has no closing \""},
    {"UnclosedQuoteInFlowList", kHead + "  gw1: [\"192.0.2.2, 192.0.2.3]\n", "4:9",
     "unclosed quote: the string that starts here with \" has no closing \""},
    {"UnclosedQuoteAfterAnchor", kHead + "  gw1: &a '192.0.2.2\n", "4:11",
     "unclosed quote: the string that starts here with ' has no closing '"},
    // `key:value`: YAML needs a space after the ':' of a key (§7.4), at the ':'.
    {"ColonWithoutSpaceLastLine", kHead + "ttl:60\n", "4:4",
     "missing space after ':' in 'ttl:60': YAML reads it as one word; write 'ttl: 60'"},
    {"ColonWithoutSpaceBeforeNextKey", kHead + "ttl:60\nsoa: { minimum: 60 }\n", "4:4",
     "missing space after ':' in 'ttl:60'"},
    {"ColonWithoutSpaceNested", kHead + "  gw1:192.0.2.2\n", "4:6",
     "missing space after ':' in 'gw1:192.0.2.2': YAML reads it as one word; write "
     "'gw1: 192.0.2.2'"},
    {"ColonWithoutSpaceInListItem",
     kHead + "servers:\n  - name:scs1\n    ipv4: 192.0.2.11\n", "5:9",
     "missing space after ':' in 'name:scs1'"},
    {"ColonWithoutSpaceOnFirstLine", "domain:scsnetwork.local\nhosts:\n  ntp: 192.0.2.1\n",
     "1:7", "missing space after ':' in 'domain:scsnetwork.local'"},
    {"WordWithoutColon", kHead + "  justaword\n", "4:3",
     "expected 'key: value' here, found 'justaword' with no ':' after it"},
    {"WordWithoutColonThenComment", kHead + "  gw1 192.0.2.2   # the gateway\n", "4:3",
     "expected 'key: value' here, found 'gw1 192.0.2.2' with no ':' after it"},
    // Indentation that matches no block above it (§6.1), at the line's first character.
    {"IndentedDeeperThanACompleteEntry", kHead + "    gw1: 192.0.2.2\n", "4:5",
     "this line is indented 4 spaces, deeper than line 3 (2 spaces), which already has its "
     "value"},
    {"IndentedBetweenLevels",
     "domain: scsnetwork.local\nhosts:\n    ntp: 192.0.2.1\n  gw1: 192.0.2.2\n", "4:3",
     "this line is indented 2 spaces, which matches no block above it (line 3 has 4, line 2 "
     "has 0)"},
    {"ListItemIndentedBetweenLevels",
     kHead + "servers:\n    - { name: scs1, ipv4: 192.0.2.11 }\n  - { name: scs2, ipv4: "
             "192.0.2.12 }\n",
     "6:3", "this line is indented 2 spaces, which matches no block above it"},
    // The rest: yaml-cpp's finding in plainer words, at its place.
    {"UnclosedFlowList", "domain: [scsnetwork.local\n", "2:1",
     "did not find the ',' or ']' expected in this [ ] list"},
    {"UnclosedFlowMapping", kHead + "soa: { minimum: 60\n", "5:1",
     "did not find the ',' or '}' expected in this { } mapping"},
    {"ValueInsideAValue", "domain: a: b\n", "1:10",
     "a ':' that starts a value is not allowed here"},
};

class YamlSlips : public ::testing::TestWithParam<Slip> {};

TEST_P(YamlSlips, ExplainedAtThePlace) {
    const Slip& c = GetParam();
    auto r = load_site_text(c.yaml, "site.yaml");
    ASSERT_FALSE(r) << c.yaml;
    ASSERT_EQ(r.error().size(), 1u) << r.error()[0].to_string();
    const Diagnostic& d = r.error()[0];
    EXPECT_EQ(std::to_string(d.pos.line) + ":" + std::to_string(d.pos.column), c.place)
        << d.to_string();
    EXPECT_TRUE(d.message.starts_with("not valid YAML: ")) << d.to_string();
    EXPECT_NE(d.message.find(c.message), std::string::npos) << d.to_string();
}

INSTANTIATE_TEST_SUITE_P(Rows, YamlSlips, ::testing::ValuesIn(kSlips),
                         [](const auto& info) { return info.param.name; });

// Valid YAML that resembles a slip: no syntax diagnostic (the site's own checks may still
// complain about the values).
struct LooksLikeSlip {
    std::string name;
    std::string yaml;
};

void PrintTo(const LooksLikeSlip& c, std::ostream* os) {
    *os << c.name;
}

const std::vector<LooksLikeSlip> kValid = {
    {"Ipv6ValueHasColons", kHead + "  gw1: 2001:db8::20\n"},
    {"TabAfterListDash", kHead + "servers:\n  -\t{ name: scs1, ipv4: 192.0.2.11 }\n"},
    {"TabInsideAValue", kHead + "  gw1:\t192.0.2.2\n"},
    {"QuotedColonNoSpace", kHead + "  gw1: \"192.0.2.2\"\nttl: '60'\n"},
    {"QuoteInsidePlainValue", kHead + "soa: { rname: it's.example.com }\n"},
    {"FlowMappingKeyWithoutValue", kHead + "locations: { dc1, dc2: [192.0.2.0/24] }\n"},
    {"ExplicitKeyWithoutValue", kHead + "? ttl\n"},
    {"ClosedQuoteAcrossLines", kHead + "  gw1: \"192.0.2.2\n    \"\n"},
    {"QuoteEndsTheFile", kHead + "ttl: \"60\""},
    {"EscapedQuotes", kHead + "soa: { rname: \"a\\\"b\" , mname: 'it''s' }\n"},
};

class YamlLooksLikeSlip : public ::testing::TestWithParam<LooksLikeSlip> {};

TEST_P(YamlLooksLikeSlip, NoSyntaxDiagnostic) {
    auto r = load_site_text(GetParam().yaml, "site.yaml");
    if (r) return;
    for (const auto& d : r.error()) {
        EXPECT_FALSE(d.message.starts_with("not valid YAML")) << d.to_string();
    }
}

INSTANTIATE_TEST_SUITE_P(Rows, YamlLooksLikeSlip, ::testing::ValuesIn(kValid),
                         [](const auto& info) { return info.param.name; });

// Columns count characters, not bytes, whatever comes before on the line.
TEST(YamlPositions, ColumnsCountCharacters) {
    // "  héé: [192.0.2.2, x]": the x is the 20th character (the 22nd byte).
    auto r = load_site_text(kHead + "  h\xC3\xA9\xC3\xA9: [192.0.2.2, x]\n", "site.yaml");
    ASSERT_FALSE(r);
    bool found = false;
    for (const auto& d : r.error()) {
        if (d.message.ends_with("got 'x'")) {
            EXPECT_EQ(d.pos, (SourcePos{4, 20})) << d.to_string();
            found = true;
        }
    }
    EXPECT_TRUE(found);
}

TEST(YamlPositions, ByteOrderMarkIsNotAColumn) {
    auto r = load_site_text("\xEF\xBB\xBFttl: x\n" + kHead.substr(0), "site.yaml");
    ASSERT_FALSE(r);
    bool found = false;
    for (const auto& d : r.error()) {
        if (d.message.starts_with("ttl:")) {
            EXPECT_EQ(d.pos, (SourcePos{1, 6})) << d.to_string();
            found = true;
        }
    }
    EXPECT_TRUE(found);
}

// ---------------------------------------------------------------------------------------------
// Robustness: every fuzz seed, and mutations of each, load or fail with positioned messages.

std::string read_file(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

std::vector<std::filesystem::path> seed_files() {
    std::vector<std::filesystem::path> files;
    for (const char* dir : {"/tests/fuzz/corpus/site_yaml", "/tests/fuzz/sites"}) {
        for (const auto& e : std::filesystem::directory_iterator(std::string(SIPDNS_SOURCE_DIR) + dir)) {
            if (e.is_regular_file()) files.push_back(e.path());
        }
    }
    std::sort(files.begin(), files.end());
    return files;
}

// What the loader promises for any text: a result, or diagnostics that each say something and
// point inside the text (or nowhere).
void expect_diagnostics_or_site(const std::string& text, const std::string& what) {
    auto r = load_site_text(text, "seed.yaml");
    if (r) return;
    ASSERT_FALSE(r.error().empty()) << what;
    const auto lines = static_cast<std::uint32_t>(std::count(text.begin(), text.end(), '\n') + 1);
    for (const auto& d : r.error()) {
        ASSERT_FALSE(d.message.empty()) << what;
        ASSERT_LE(d.pos.line, lines) << what << ": " << d.to_string();
    }
}

TEST(YamlSeeds, EverySeedLoadsOrIsDiagnosed) {
    const auto files = seed_files();
    ASSERT_GE(files.size(), 10u);
    for (const auto& f : files) expect_diagnostics_or_site(read_file(f), f.string());
}

TEST(YamlSeeds, MutatedSeedsLoadOrAreDiagnosed) {
    // YAML's structural characters, dropped at evenly spread places of each seed, plus each
    // seed cut short there.
    const std::string kChars = "[]{}\"'\t:-&*!|>#,?\n\xFF";
    for (const auto& f : seed_files()) {
        const std::string seed = read_file(f);
        const std::size_t step = std::max<std::size_t>(1, seed.size() / 48);
        for (std::size_t at = 0; at < seed.size(); at += step) {
            expect_diagnostics_or_site(seed.substr(0, at), f.string() + " cut at " +
                                                                std::to_string(at));
            for (const char c : kChars) {
                std::string m = seed;
                m[at] = c;
                expect_diagnostics_or_site(m, f.string() + " with byte " +
                                                  std::to_string(static_cast<unsigned char>(c)) +
                                                  " at " + std::to_string(at));
            }
        }
    }
}

TEST(YamlSeeds, DeepNestingOfEveryKindIsDiagnosed) {
    const std::vector<std::string> deep = {
        kHead + "records: " + std::string(100000, '['),
        kHead + "records: " + std::string(100000, '{'),
        [] {
            std::string s = kHead + "records: ";
            for (int i = 0; i < 30000; ++i) s += "{a: ";
            return s + "1" + std::string(30000, '}') + "\n";
        }(),
        [] {
            std::string s = kHead + "records:\n";
            for (int i = 0; i < 5000; ++i) s += std::string(static_cast<std::size_t>(i), ' ') + "a:\n";
            return s;
        }(),
        [] {
            std::string s = kHead + "records:\n";
            for (int i = 0; i < 20000; ++i) s += "- ";
            return s + "x\n";
        }(),
        [] {
            std::string s = kHead + "records: ";
            for (int i = 0; i < 20000; ++i) s += "&a" + std::to_string(i) + " [";
            return s;
        }(),
    };
    for (std::size_t i = 0; i < deep.size(); ++i) {
        auto r = load_site_text(deep[i], "deep.yaml");
        ASSERT_FALSE(r) << i;
        EXPECT_NE(r.error()[0].message.find("nested"), std::string::npos)
            << i << ": " << r.error()[0].to_string();
    }
}

}  // namespace
}  // namespace sipdns::config
