// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
// The IXFR journal (RFC 1995): the difference between two builds of a site, the versions kept,
// the chain from a client's serial, and the state file's form read back bounds-checked.
#include <gtest/gtest.h>

#include <cstdint>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "sipdns/zone/journal.h"
#include "sipdns/zone/name.h"
#include "zone_test_support.h"

namespace sipdns::test {
namespace {

std::string site(const std::string& hosts, int ttl = 3600) {
    return "domain: example.test\nttl: " + std::to_string(ttl) +
           "\nservers:\n  - { name: scs1, ipv4: 192.0.2.11 }\nhosts:\n" + hosts +
           "reverse: off\n";
}

std::set<std::string> text_of(const std::vector<zone::JournalRR>& rrs) {
    std::set<std::string> out;
    for (const auto& rr : rrs) out.insert(zone::record_to_text(rr.owner, rr.type, rr.ttl, rr.rdata));
    return out;
}

constexpr std::uint32_t kOld = 1000, kNew = 2000;

struct DiffCase {
    const char* name;
    std::string before, after;
    std::set<std::string> deleted, added;
};

const DiffCase kDiffCases[] = {
    {"OneHostChanged", site("  gw1: 192.0.2.50\n  ntp: 192.0.2.60\n"),
     site("  gw1: 192.0.2.51\n  ntp: 192.0.2.60\n"),
     {"gw1.example.test.\t3600\tIN\tA\t192.0.2.50"},
     {"gw1.example.test.\t3600\tIN\tA\t192.0.2.51"}},
    {"HostAdded", site("  gw1: 192.0.2.50\n"), site("  gw1: 192.0.2.50\n  gw2: 192.0.2.52\n"),
     {},
     {"gw2.example.test.\t3600\tIN\tA\t192.0.2.52"}},
    {"HostRemoved", site("  gw1: 192.0.2.50\n  gw2: 192.0.2.52\n"), site("  gw1: 192.0.2.50\n"),
     {"gw2.example.test.\t3600\tIN\tA\t192.0.2.52"},
     {}},
};

class JournalDiff : public testing::TestWithParam<DiffCase> {};

TEST_P(JournalDiff, DeletesAndAddsExactlyWhatChanged) {
    const DiffCase& c = GetParam();
    auto before = build_from_yaml(c.before, serial_policy(kOld));
    auto after = build_from_yaml(c.after, serial_policy(kNew, kOld, before->content_hash()));
    ASSERT_TRUE(before && after);
    const zone::Zone& old_zone = *before->forward_zone();
    const zone::Zone& new_zone = *after->forward_zone();
    const zone::ZoneJournal start = zone::next_journal(nullptr, nullptr, old_zone);
    EXPECT_TRUE(start.deltas.empty());
    EXPECT_EQ(start.serial, kOld);
    const zone::ZoneJournal j = zone::next_journal(&start, &old_zone, new_zone);
    ASSERT_EQ(j.deltas.size(), 1u);
    EXPECT_EQ(j.serial, kNew);
    EXPECT_EQ(j.content_hash, zone::transfer_content_hash(new_zone));
    const zone::ZoneDelta& d = j.deltas.front();
    EXPECT_EQ(d.from_serial(), kOld);
    EXPECT_EQ(d.to_serial(), kNew);
    EXPECT_EQ(text_of(d.deleted), c.deleted);
    EXPECT_EQ(text_of(d.added), c.added);
    // Applying the delta to the old records gives the new ones.
    std::set<zone::JournalRR> applied;
    for (const auto& rr : zone::transfer_records(old_zone)) applied.insert(rr);
    for (const auto& rr : d.deleted) EXPECT_EQ(applied.erase(rr), 1u);
    for (const auto& rr : d.added) EXPECT_TRUE(applied.insert(rr).second);
    const auto want = zone::transfer_records(new_zone);
    EXPECT_EQ(std::vector<zone::JournalRR>(applied.begin(), applied.end()), want);
}

INSTANTIATE_TEST_SUITE_P(Table, JournalDiff, testing::ValuesIn(kDiffCases),
                         [](const auto& info) { return std::string(info.param.name); });

// A TTL change is the old RR deleted and the new one added (RFC 1995 §4 compares RRs whole): a
// site-wide TTL change replaces every RR.
TEST(Journal, TtlChangeDeletesAndAddsTheRecord) {
    auto before = build_from_yaml(site("  gw1: 192.0.2.50\n", 3600), serial_policy(kOld));
    auto after = build_from_yaml(site("  gw1: 192.0.2.50\n", 600),
                                 serial_policy(kNew, kOld, before->content_hash()));
    ASSERT_TRUE(before && after);
    const zone::ZoneJournal j =
        zone::next_journal(nullptr, before->forward_zone(), *after->forward_zone());
    ASSERT_EQ(j.deltas.size(), 1u);
    EXPECT_EQ(j.deltas[0].deleted, zone::transfer_records(*before->forward_zone()));
    EXPECT_EQ(j.deltas[0].added, zone::transfer_records(*after->forward_zone()));
    EXPECT_TRUE(text_of(j.deltas[0].deleted).contains("gw1.example.test.\t3600\tIN\tA\t192.0.2.50"));
    EXPECT_TRUE(text_of(j.deltas[0].added).contains("gw1.example.test.\t600\tIN\tA\t192.0.2.50"));
}

// A journal of `versions` one-host changes, serials 1000, 1001, ...
zone::ZoneJournal journal_of(int versions) {
    auto previous = build_from_yaml(site("  gw1: 192.0.2.1\n"), serial_policy(1000));
    zone::ZoneJournal j = zone::next_journal(nullptr, nullptr, *previous->forward_zone());
    for (int v = 1; v <= versions; ++v) {
        auto next = build_from_yaml(
            site("  gw1: 192.0.2." + std::to_string(1 + v) + "\n"),
            serial_policy(static_cast<std::uint32_t>(1000 + v), previous->serial(),
                          previous->content_hash()));
        j = zone::next_journal(&j, previous->forward_zone(), *next->forward_zone());
        previous = next;
    }
    return j;
}

TEST(Journal, SameVersionKeepsTheJournal) {
    const zone::ZoneJournal j = journal_of(2);
    auto again = build_from_yaml(site("  gw1: 192.0.2.3\n"), serial_policy(1002));  // rebuilt
    ASSERT_EQ(again->serial(), 1002u);
    EXPECT_EQ(zone::next_journal(&j, again->forward_zone(), *again->forward_zone()), j);
}

TEST(Journal, KeepsAtMostTheNewestVersions) {
    const zone::ZoneJournal j = journal_of(static_cast<int>(zone::kMaxJournalVersions) + 5);
    ASSERT_EQ(j.deltas.size(), zone::kMaxJournalVersions);
    EXPECT_EQ(j.deltas.front().from_serial(), 1005u);
    EXPECT_EQ(j.deltas.back().to_serial(), 1025u);
    EXPECT_EQ(j.serial, 1025u);
}

struct ChainCase {
    const char* name;
    std::uint32_t client;
    bool found;
    std::size_t length;
};

const ChainCase kChainCases[] = {
    {"Oldest", 1000, true, 3},
    {"Middle", 1001, true, 2},
    {"Newest", 1002, true, 1},
    {"Current", 1003, false, 0},  // nothing to send: the engine answers with the SOA alone
    {"Unknown", 999, false, 0},
    {"Future", 5000, false, 0},
};

class JournalChain : public testing::TestWithParam<ChainCase> {};

TEST_P(JournalChain, ReachesFromTheClientToTheCurrentSerial) {
    const ChainCase& c = GetParam();
    const zone::ZoneJournal j = journal_of(3);
    const auto chain = j.chain_from(c.client);
    ASSERT_EQ(chain.has_value(), c.found);
    if (!chain) return;
    ASSERT_EQ(chain->size(), c.length);
    EXPECT_EQ(chain->front()->from_serial(), c.client);
    EXPECT_EQ(chain->back()->to_serial(), 1003u);
    for (std::size_t i = 1; i < chain->size(); ++i)
        EXPECT_EQ((*chain)[i]->from_serial(), (*chain)[i - 1]->to_serial());
}

INSTANTIATE_TEST_SUITE_P(Table, JournalChain, testing::ValuesIn(kChainCases),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(JournalFile, ReadsBackWhatItWrote) {
    const zone::ZoneJournal j = journal_of(3);
    const std::string bytes = zone::format_journal(j);
    auto parsed = zone::parse_journal(bytes);
    ASSERT_TRUE(parsed) << parsed.error();
    EXPECT_EQ(*parsed, j);
}

TEST(JournalFile, EveryTruncationIsAnError) {
    const std::string bytes = zone::format_journal(journal_of(2));
    for (std::size_t length = 0; length < bytes.size(); ++length) {
        auto parsed = zone::parse_journal(std::string_view(bytes).substr(0, length));
        ASSERT_FALSE(parsed) << "accepted " << length << " of " << bytes.size() << " octets";
        EXPECT_NE(parsed.error().find("expected"), std::string::npos) << parsed.error();
    }
    auto longer = zone::parse_journal(bytes + "x");
    ASSERT_FALSE(longer);
    EXPECT_NE(longer.error().find("expected the end of the file"), std::string::npos);
}

TEST(JournalFile, AVersionThatDoesNotFollowIsAnError) {
    zone::ZoneJournal j = journal_of(2);
    std::swap(j.deltas[0], j.deltas[1]);
    auto parsed = zone::parse_journal(zone::format_journal(j));
    ASSERT_FALSE(parsed);
    EXPECT_NE(parsed.error().find("a version starting at the serial the previous one ended at"),
              std::string::npos)
        << parsed.error();
}

TEST(JournalFile, AnotherFileIsAnError) {
    auto parsed = zone::parse_journal("example.test. 1795382498 3f2a9c0e12ab45cd\n");
    ASSERT_FALSE(parsed);
    EXPECT_EQ(parsed.error(), "offset 0: expected the journal header \"SIPDNS-IXFR-JOURNAL-1\"");
}

// The content hash is kept in the state directory and compared after a restart by the next
// version of sipdnsd: its value for a given zone must never change (else every kept IXFR
// journal is dropped on upgrade). Values from the first release that wrote them.
TEST(JournalContentHash, IsTheSameAsTheStateFilesOfEarlierVersions) {
    auto zones = build_from_yaml(
        "domain: example.test\nttl: 3600\nservers:\n  - { name: scs1, ipv4: 192.0.2.11 }\n"
        "  - { name: scs2, ipv4: 192.0.2.12 }\nhosts:\n  gw1: 192.0.2.50\n"
        "  ntp: [192.0.2.60, \"2001:db8::60\"]\n  Zed: 192.0.2.61\n",
        serial_policy(1000));
    ASSERT_TRUE(zones);
    std::vector<std::pair<std::string, std::uint64_t>> got;
    for (const auto& z : zones->zones())
        got.emplace_back(zone::name_to_text(z->apex()), zone::transfer_content_hash(*z));
    const std::vector<std::pair<std::string, std::uint64_t>> want = {
        {"example.test.", 0xe5a35d1b47ecbd35ULL},
        {"0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.",
         0x9269405efaa2274dULL},
        {"2.0.192.in-addr.arpa.", 0x08eb829da45b6384ULL},
    };
    EXPECT_EQ(got, want);
}

}  // namespace
}  // namespace sipdns::test
