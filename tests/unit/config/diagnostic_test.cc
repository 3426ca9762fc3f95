// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
// How diagnostics show a value the user wrote (show_value / quote_value): one line, at most
// kShownValueColumns columns of it, whatever the value holds.
#include <gtest/gtest.h>

#include <string>

#include "sipdns/config/diagnostic.h"
#include "sipdns/config/loader.h"

namespace sipdns::config {
namespace {

struct Shown {
    const char* name;
    std::string value;
    std::string quoted;
};

void PrintTo(const Shown& c, std::ostream* os) {
    *os << c.name;
}

const std::string k80(80, 'a');
const std::string k81(81, 'a');
// 79 ASCII columns, then a two-byte character: still 80 columns, not cut.
const std::string k79e = std::string(79, 'a') + "\u00e9";

class QuoteValue : public ::testing::TestWithParam<Shown> {};

TEST_P(QuoteValue, ShowsTheValueOnOneLine) {
    EXPECT_EQ(quote_value(GetParam().value), GetParam().quoted);
}

INSTANTIATE_TEST_SUITE_P(
    Rows, QuoteValue,
    ::testing::Values(
        Shown{"Plain", "udp, tcp", "'udp, tcp'"},
        Shown{"Empty", "", "''"},
        Shown{"ExactlyTheLimit", k80, "'" + k80 + "'"},
        Shown{"OneOverTheLimit", k81, "'" + k80 + "\u2026' (81 bytes)"},
        Shown{"NewlineTabReturn", "a\nb\tc\rd", "'a\\nb\\tc\\rd'"},
        Shown{"OtherControlsAndDel", std::string("\x1b[31m\x7f\0", 7), "'\\x1b[31m\\x7f\\x00'"},
        Shown{"Utf8KeptWhole", "caf\u00e9 \u65e5\u672c", "'caf\u00e9 \u65e5\u672c'"},
        Shown{"Utf8CountsAsOneColumn", k79e, "'" + k79e + "'"},
        Shown{"CutAtACharacterBoundary", std::string(79, 'a') + "\u65e5\u672c",
              "'" + std::string(79, 'a') + "\u65e5\u2026' (85 bytes)"},
        Shown{"NotUtf8", "a\xff\xc3(", "'a\\xff\\xc3('"},
        Shown{"OverlongAndSurrogate", "\xc0\xaf\xed\xa0\x80", "'\\xc0\\xaf\\xed\\xa0\\x80'"},
        Shown{"C1ControlAndLineSeparator", "a\u0085b\u2028c\u2029", "'a\\u0085b\\u2028c\\u2029'"},
        // An escape is as wide as its text: 78 columns + "\n" (2) = 80, then cut.
        Shown{"EscapesCountTheirWidth", std::string(78, 'a') + "\n\nz",
              "'" + std::string(78, 'a') + "\\n\u2026' (81 bytes)"}),
    [](const ::testing::TestParamInfo<Shown>& info) { return std::string(info.param.name); });

// Not a row: a 50 MB parameter would be built (and copied) when every test process of the
// binary starts, as ctest runs each test in a process of its own.
TEST(QuoteValueHuge, FiftyMegabytesAreCut) {
    const std::string huge(50 * 1024 * 1024, 'x');
    EXPECT_EQ(quote_value(huge), "'" + std::string(80, 'x') + "\u2026' (52428800 bytes)");
}

TEST(ShowValue, NoQuotesSameRules) {
    EXPECT_EQ(show_value("a\nb"), "a\\nb");
    EXPECT_EQ(show_value(k81), k80 + "\u2026 (81 bytes)");
}

// Through the loader: whatever is echoed (a bad value, a key in a path, a zone-file line, a
// name) stays short and on one line. Each row builds its megabyte when it runs, not when the
// test binary starts (ctest starts it once per test).
struct LongValue {
    const char* what;
    std::string (*text)();
};

void PrintTo(const LongValue& v, std::ostream* os) { *os << v.what; }

class LongValues : public ::testing::TestWithParam<LongValue> {};

TEST_P(LongValues, DiagnosticsStayShort) {
    const auto r = load_site_text(GetParam().text(), "site.yaml");
    ASSERT_FALSE(r) << GetParam().what;
    for (const Diagnostic& d : r.error()) {
        const std::string line = d.to_string();
        EXPECT_LT(line.size(), 400u) << GetParam().what << ": " << line.substr(0, 400);
        EXPECT_EQ(line.find('\n'), std::string::npos) << GetParam().what;
    }
}

std::string million() { return std::string(1000000, 'q'); }

INSTANTIATE_TEST_SUITE_P(
    Rows, LongValues,
    ::testing::Values(
        LongValue{"ttl", [] { return "domain: example.test\nhosts: { a: 192.0.2.1 }\nttl: " + million() + "\n"; }},
        LongValue{"digits", [] {
                      return "domain: example.test\nhosts: { a: 192.0.2.1 }\nttl: " +
                             std::string(1000000, '7') + "\n";
                  }},
        LongValue{"address", [] { return "domain: example.test\nhosts: { a: " + million() + " }\n"; }},
        LongValue{"host key", [] { return "domain: example.test\nhosts:\n  " + million() + ": 192.0.2.1\n"; }},
        LongValue{"unknown top key",
                  [] { return "domain: example.test\nhosts: { a: 192.0.2.1 }\n" + million() + ": 1\n"; }},
        LongValue{"domain", [] { return "domain: " + million() + "\nhosts: { a: 192.0.2.1 }\n"; }},
        LongValue{"record", [] { return "domain: example.test\nrecords:\n  - \"" + million() + "\"\n"; }},
        LongValue{"transport", [] {
                      return "domain: example.test\nservers: [{ name: a, ipv4: 192.0.2.1 }]\n"
                             "sip: { transports: [" + million() + "] }\n";
                  }}));

}  // namespace
}  // namespace sipdns::config
