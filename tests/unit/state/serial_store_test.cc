// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
// The state directory's serials file: its format (a garbage file is refused whole, with the
// line), and the store that reads it at start and rewrites it atomically.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "sipdns/state/serial_store.h"

namespace sipdns::test {
namespace {

namespace fs = std::filesystem;
using state::ServedSerials;

struct ParseCase {
    const char* name;
    std::string text;
    std::optional<ServedSerials> want;  // nullopt: refused
    std::string problem;                // the reason's start, when refused
};

const ParseCase kParseCases[] = {
    {"Empty", "", ServedSerials{}, ""},
    {"CommentsAndBlankLines", "# a comment\n\n   \n# zone serial content-hash\n",
     ServedSerials{}, ""},
    {"TwoZones",
     "example.test. 1795382498 3f2a9c0e12ab45cd\n2.0.192.in-addr.arpa. 7 0000000000000000\n",
     ServedSerials{{"example.test.", {1795382498u, 0x3f2a9c0e12ab45cdULL}},
                   {"2.0.192.in-addr.arpa.", {7u, 0}}},
     ""},
    {"TabsAndNoFinalNewline", "Example.TEST.\t4294967295\tFFFFFFFFFFFFFFFF",
     ServedSerials{{"example.test.", {4294967295u, 0xffffffffffffffffULL}}}, ""},
    {"TwoFields", "example.test. 1795382498\n", std::nullopt,
     "line 1: expected 'ZONE SERIAL CONTENT-HASH', got 2 fields"},
    {"NoFinalDot", "# x\nexample.test 1 0000000000000001\n", std::nullopt,
     "line 2: expected a zone name ending in '.'"},
    {"SerialTooLarge", "example.test. 4294967296 0000000000000001\n", std::nullopt,
     "line 1: expected a serial 0-4294967295"},
    {"NegativeSerial", "example.test. -1 0000000000000001\n", std::nullopt,
     "line 1: expected a serial 0-4294967295"},
    {"ShortHash", "example.test. 1 abc\n", std::nullopt,
     "line 1: expected a content hash of 16 hex digits"},
    {"HashNotHex", "example.test. 1 000000000000000g\n", std::nullopt,
     "line 1: expected a content hash of 16 hex digits"},
    {"Binary", std::string("\x7f" "ELF\x02\x01\x01\0\0\0", 10), std::nullopt,
     "line 1: expected 'ZONE SERIAL CONTENT-HASH', got 1 field"},
    {"Twice", "a.test. 1 0000000000000001\nA.test. 2 0000000000000001\n", std::nullopt,
     "line 2: zone A.test. listed twice"},
};

class SerialsFileFormat : public testing::TestWithParam<ParseCase> {};

TEST_P(SerialsFileFormat, Parses) {
    const ParseCase& c = GetParam();
    auto parsed = state::parse_serials(c.text);
    if (c.want) {
        ASSERT_TRUE(parsed) << parsed.error();
        EXPECT_EQ(*parsed, *c.want);
    } else {
        ASSERT_FALSE(parsed);
        EXPECT_EQ(parsed.error(), c.problem);
    }
}

INSTANTIATE_TEST_SUITE_P(Table, SerialsFileFormat, testing::ValuesIn(kParseCases),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(SerialsFileFormat, WhatIsWrittenReadsBack) {
    const ServedSerials served{{"example.test.", {1795382498u, 0x3f2a9c0e12ab45cdULL}},
                               {"2.0.192.in-addr.arpa.", {0, 1}}};
    const std::string text = state::format_serials(served);
    EXPECT_TRUE(text.starts_with("# ")) << text;
    EXPECT_NE(text.find("\nexample.test. 1795382498 3f2a9c0e12ab45cd\n"), std::string::npos)
        << text;
    EXPECT_NE(text.find("\n2.0.192.in-addr.arpa. 0 0000000000000001\n"), std::string::npos)
        << text;
    auto parsed = state::parse_serials(text);
    ASSERT_TRUE(parsed) << parsed.error();
    EXPECT_EQ(*parsed, served);
}

// A fresh directory under the test's temp dir, removed afterwards.
class StateDir : public testing::Test {
  protected:
    void SetUp() override {
        const auto* info = testing::UnitTest::GetInstance()->current_test_info();
        root_ = fs::temp_directory_path() /
                ("sipdns-state-" + std::to_string(::getpid()) + "-" + info->name());
        fs::remove_all(root_);
        fs::create_directories(root_);
    }
    void TearDown() override { fs::remove_all(root_); }

    static std::string read(const fs::path& p) {
        std::ifstream in(p);
        std::stringstream s;
        s << in.rdbuf();
        return s.str();
    }
    static void write(const fs::path& p, const std::string& text) {
        std::ofstream(p) << text;
    }

    fs::path root_;
};

TEST_F(StateDir, FirstStartHasNothingAndWritesTheDirectory) {
    const fs::path dir = root_ / "sipdns";  // missing: created at the first write
    state::SerialStore store(dir.string());
    EXPECT_EQ(store.file(), (dir / "serials").string());
    EXPECT_EQ(store.load(), std::nullopt);
    EXPECT_TRUE(store.served().empty());

    EXPECT_EQ(store.record({"example.test.", "2.0.192.in-addr.arpa."}, {1000, 0xab}), std::nullopt);
    ASSERT_TRUE(fs::is_directory(dir));
    EXPECT_FALSE(fs::exists(dir / "serials.tmp"));  // renamed over the file

    state::SerialStore next_run(dir.string());
    EXPECT_EQ(next_run.load(), std::nullopt);
    EXPECT_EQ(next_run.served(),
              (ServedSerials{{"example.test.", {1000, 0xab}}, {"2.0.192.in-addr.arpa.", {1000, 0xab}}}));
}

TEST_F(StateDir, ZonesNoLongerServedAreKept) {
    state::SerialStore store(root_.string());
    ASSERT_EQ(store.record({"a.test.", "b.test."}, {1000, 1}), std::nullopt);
    ASSERT_EQ(store.record({"a.test."}, {1001, 2}), std::nullopt);
    state::SerialStore next_run(root_.string());
    ASSERT_EQ(next_run.load(), std::nullopt);
    EXPECT_EQ(next_run.served(), (ServedSerials{{"a.test.", {1001, 2}}, {"b.test.", {1000, 1}}}));
}

TEST_F(StateDir, UnchangedServingDoesNotRewrite) {
    state::SerialStore store(root_.string());
    ASSERT_EQ(store.record({"a.test."}, {1000, 1}), std::nullopt);
    fs::remove(store.file());
    ASSERT_EQ(store.record({"a.test."}, {1000, 1}), std::nullopt);
    EXPECT_FALSE(fs::exists(store.file()));
    ASSERT_EQ(store.record({"a.test."}, {1001, 1}), std::nullopt);
    EXPECT_TRUE(fs::exists(store.file()));
}

TEST_F(StateDir, GarbageIsOneProblemWithTheLineAndIsReplacedAtTheNextWrite) {
    state::SerialStore store(root_.string());
    write(store.file(), "a.test. 1000 0000000000000001\nthis is not ours\n");
    EXPECT_EQ(store.load(), store.file() + ":2: expected 'ZONE SERIAL CONTENT-HASH', got 4 fields");
    EXPECT_TRUE(store.served().empty());  // none of it is trusted
    ASSERT_EQ(store.record({"a.test."}, {2000, 5}), std::nullopt);
    state::SerialStore next_run(root_.string());
    EXPECT_EQ(next_run.load(), std::nullopt);
    EXPECT_EQ(next_run.served(), (ServedSerials{{"a.test.", {2000, 5}}}));
}

TEST_F(StateDir, TooLargeIsRefused) {
    state::SerialStore store(root_.string());
    write(store.file(), std::string(state::kMaxSerialsFileSize + 1, '#'));
    auto problem = store.load();
    ASSERT_TRUE(problem);
    EXPECT_EQ(*problem, store.file() + ": larger than 4194304 octets; not a file sipdnsd wrote");
}

TEST_F(StateDir, AFileWhereTheDirectoryShouldBeCannotBeWritten) {
    write(root_ / "taken", "a file, not a directory\n");
    state::SerialStore store((root_ / "taken").string());
    EXPECT_EQ(store.load(), std::nullopt);  // nothing stored; the write says what is wrong
    auto problem = store.record({"a.test."}, {1000, 1});
    ASSERT_TRUE(problem);
    EXPECT_EQ(*problem, (root_ / "taken").string() + "/serials.tmp: cannot create: Not a directory");
    EXPECT_EQ(store.served(), (ServedSerials{{"a.test.", {1000, 1}}}));  // kept for the next try
}

TEST_F(StateDir, AMissingParentCannotBeCreated) {
    state::SerialStore store((root_ / "no" / "such").string());
    EXPECT_EQ(store.load(), std::nullopt);  // nothing was ever written there
    EXPECT_EQ(store.record({"a.test."}, {1000, 1}),
              (root_ / "no" / "such").string() + ": cannot create: No such file or directory");
}

}  // namespace
}  // namespace sipdns::test
