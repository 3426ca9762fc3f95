// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
// The IXFR journal files of the state directory: their names, written and read back, and what
// is said about a file that is not one sipdnsd wrote.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "sipdns/state/journal_store.h"
#include "sipdns/zone/name.h"
#include "sipdns/zone/rr_types.h"

namespace sipdns::test {
namespace {

namespace fs = std::filesystem;

struct NameCase {
    const char* apex;
    const char* file;
};

const NameCase kNameCases[] = {
    {"sipdns.example.", "journal.sipdns.example"},
    {"2.0.192.in-addr.arpa.", "journal.2.0.192.in-addr.arpa"},
    {"Ex_1-a.test", "journal.Ex_1-a.test"},
    // Nothing in a name makes another path: '/' and the rest are escaped.
    {"a/b.test.", "journal.a%2Fb.test"},
    {"..", "journal.."},
    {"x y\\.test.", "journal.x%20y%5C.test"},
};

class JournalFileName : public testing::TestWithParam<NameCase> {};

TEST_P(JournalFileName, IsOnePlainName) {
    EXPECT_EQ(state::journal_file_name(GetParam().apex), GetParam().file);
}

INSTANTIATE_TEST_SUITE_P(Table, JournalFileName, testing::ValuesIn(kNameCases));

// A journal with one version: serial 1 -> 2, one A record replaced.
zone::ZoneJournal small_journal() {
    const std::string apex = zone::name_to_wire("example.test.");
    const std::string soa_head = zone::name_to_wire("ns.example.test.") +
                                 zone::name_to_wire("hostmaster.example.test.");
    auto soa = [&](std::uint32_t serial) {
        std::string rdata = soa_head;
        for (int shift = 24; shift >= 0; shift -= 8) rdata.push_back(static_cast<char>(serial >> shift));
        rdata.append(16, '\0');
        return zone::JournalRR{apex, zone::rrtype::SOA, 3600, rdata};
    };
    zone::ZoneJournal j;
    j.apex = apex;
    j.serial = 2;
    j.content_hash = 0x0123456789abcdefULL;
    zone::ZoneDelta d;
    d.old_soa = soa(1);
    d.new_soa = soa(2);
    d.deleted = {{zone::name_to_wire("gw1.example.test."), zone::rrtype::A, 3600, std::string("\xc0\x00\x02\x32", 4)}};
    d.added = {{zone::name_to_wire("gw1.example.test."), zone::rrtype::A, 3600, std::string("\xc0\x00\x02\x33", 4)}};
    j.deltas.push_back(d);
    return j;
}

class JournalStoreTest : public testing::Test {
  protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() /
               ("sipdns-journal-test-" + std::to_string(::getpid()) + "-" +
                testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(dir_);
    }
    void TearDown() override { fs::remove_all(dir_); }
    fs::path dir_;
};

TEST_F(JournalStoreTest, NoFileIsNoJournal) {
    auto loaded = state::load_journal(dir_.string(), "example.test.");
    ASSERT_TRUE(loaded) << loaded.error();
    EXPECT_FALSE(loaded->has_value());
}

TEST_F(JournalStoreTest, ReadsBackWhatItWrote) {
    const zone::ZoneJournal j = small_journal();
    ASSERT_EQ(state::save_journal(dir_.string(), "example.test.", j), std::nullopt);
    EXPECT_TRUE(fs::exists(dir_ / "journal.example.test"));
    EXPECT_FALSE(fs::exists(dir_ / "journal.example.test.tmp"));
    auto loaded = state::load_journal(dir_.string(), "example.test.");
    ASSERT_TRUE(loaded) << loaded.error();
    ASSERT_TRUE(loaded->has_value());
    EXPECT_EQ(**loaded, j);
}

TEST_F(JournalStoreTest, SeveralAtOnceReadBackAndLeaveNoTemporaries) {
    zone::ZoneJournal first = small_journal();
    zone::ZoneJournal second = small_journal();
    second.apex = zone::name_to_wire("2.0.192.in-addr.arpa.");
    ASSERT_EQ(state::save_journals(dir_.string(), {&first, &second}), std::nullopt);
    for (const auto* j : {&first, &second}) {
        const std::string apex = zone::name_to_text(j->apex);
        auto loaded = state::load_journal(dir_.string(), apex);
        ASSERT_TRUE(loaded) << loaded.error();
        ASSERT_TRUE(loaded->has_value()) << apex;
        EXPECT_EQ(**loaded, *j);
    }
    for (const auto& entry : fs::directory_iterator(dir_))
        EXPECT_NE(entry.path().extension(), ".tmp") << entry.path();
}

TEST_F(JournalStoreTest, SeveralAtOnceFailWithTheReasonAndRemoveTheirTemporaries) {
    // A directory where the second file's temporary would go: its open fails.
    fs::create_directories(dir_ / "journal.2.0.192.in-addr.arpa.tmp" / "x");
    zone::ZoneJournal first = small_journal();
    zone::ZoneJournal second = small_journal();
    second.apex = zone::name_to_wire("2.0.192.in-addr.arpa.");
    const auto problem = state::save_journals(dir_.string(), {&first, &second});
    ASSERT_TRUE(problem.has_value());
    EXPECT_NE(problem->find("journal.2.0.192.in-addr.arpa.tmp: cannot create"), std::string::npos)
        << *problem;
    EXPECT_FALSE(fs::exists(dir_ / "journal.example.test.tmp"));
    EXPECT_FALSE(fs::exists(dir_ / "journal.example.test"));  // nothing renamed
}

TEST_F(JournalStoreTest, AnotherFileIsAnErrorNamingIt) {
    fs::create_directories(dir_);
    std::ofstream(dir_ / "journal.example.test") << "example.test. 1 0000000000000000\n";
    auto loaded = state::load_journal(dir_.string(), "example.test.");
    ASSERT_FALSE(loaded);
    EXPECT_EQ(loaded.error(), (dir_ / "journal.example.test").string() +
                                  ": offset 0: expected the journal header "
                                  "\"SIPDNS-IXFR-JOURNAL-1\"");
}

TEST_F(JournalStoreTest, ATooLargeFileIsRefusedUnread) {
    fs::create_directories(dir_);
    std::ofstream(dir_ / "journal.example.test")
        << std::string(state::kMaxJournalFileSize + 1, 'x');
    auto loaded = state::load_journal(dir_.string(), "example.test.");
    ASSERT_FALSE(loaded);
    EXPECT_NE(loaded.error().find("not a file sipdnsd wrote"), std::string::npos) << loaded.error();
}

}  // namespace
}  // namespace sipdns::test
