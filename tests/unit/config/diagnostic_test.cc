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
        Shown{"Huge", std::string(50 * 1024 * 1024, 'x'),
              "'" + std::string(80, 'x') + "\u2026' (52428800 bytes)"},
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

TEST(ShowValue, NoQuotesSameRules) {
    EXPECT_EQ(show_value("a\nb"), "a\\nb");
    EXPECT_EQ(show_value(k81), k80 + "\u2026 (81 bytes)");
}

// Through the loader: whatever is echoed (a bad value, a key in a path, a zone-file line, a
// name) stays short and on one line.
class LongValues : public ::testing::TestWithParam<std::pair<const char*, std::string>> {};

TEST_P(LongValues, DiagnosticsStayShort) {
    const auto r = load_site_text(GetParam().second, "site.yaml");
    ASSERT_FALSE(r) << GetParam().first;
    for (const Diagnostic& d : r.error()) {
        const std::string line = d.to_string();
        EXPECT_LT(line.size(), 400u) << GetParam().first << ": " << line.substr(0, 400);
        EXPECT_EQ(line.find('\n'), std::string::npos) << GetParam().first;
    }
}

const std::string kMillion(1000000, 'q');

INSTANTIATE_TEST_SUITE_P(
    Rows, LongValues,
    ::testing::Values(
        std::pair{"ttl", "domain: example.test\nhosts: { a: 192.0.2.1 }\nttl: " + kMillion + "\n"},
        std::pair{"digits", "domain: example.test\nhosts: { a: 192.0.2.1 }\nttl: " +
                                std::string(1000000, '7') + "\n"},
        std::pair{"address", "domain: example.test\nhosts: { a: " + kMillion + " }\n"},
        std::pair{"host key", "domain: example.test\nhosts:\n  " + kMillion + ": 192.0.2.1\n"},
        std::pair{"unknown top key", "domain: example.test\nhosts: { a: 192.0.2.1 }\n" +
                                         kMillion + ": 1\n"},
        std::pair{"domain", "domain: " + kMillion + "\nhosts: { a: 192.0.2.1 }\n"},
        std::pair{"record", "domain: example.test\nrecords:\n  - \"" + kMillion + "\"\n"},
        std::pair{"transport", "domain: example.test\nservers: [{ name: a, ipv4: 192.0.2.1 }]\n"
                               "sip: { transports: [" + kMillion + "] }\n"}));

}  // namespace
}  // namespace sipdns::config
