// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
// The catalog zone of server.transfer.catalog (RFC 9432, version 2): its records, member ids
// that stay the same across rebuilds, its own serial, and where its name may not lie.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "sipdns/zone/catalog.h"
#include "zone_test_support.h"

namespace sipdns::test {
namespace {

const std::string kSite = R"(domain: example.test
hosts:
  ns: 192.0.2.53
  pbx: 192.0.2.10
nameservers: [ns]
)";
const std::string kCatalog = "server:\n  transfer:\n    catalog: catalog.sipdns.invalid\n";
// A host in a new subnet: one more reverse zone.
const std::string kNewSubnetHost = "  phone: 198.51.100.7\n";

std::string with_new_host(const std::string& site) {
    std::string out = site;
    out.insert(out.find("nameservers:"), kNewSubnetHost);
    return out;
}

// member zone (text) -> the id label its PTR record sits under.
std::map<std::string, std::string> members_of(const zone::ZoneSet& zones) {
    std::map<std::string, std::string> out;
    const zone::Zone* catalog = zones.catalog_zone();
    if (!catalog) return out;
    const std::string zones_label = zone::name_to_wire("zones.catalog.sipdns.invalid");
    for (const zone::Node* node : catalog->nodes_in_canonical_order()) {
        const zone::RRset* ptr = node->find(zone::rrtype::PTR);
        if (!ptr) continue;
        EXPECT_EQ(zone::name_parent(node->name), zones_label);
        EXPECT_EQ(ptr->rdatas.size(), 1u);  // RFC 9432 §4.2.2: one PTR per member node
        const std::string id_label = zone::name_to_text(node->name);
        out[zone::name_to_text(ptr->rdatas.front())] = id_label.substr(0, id_label.find('.'));
    }
    return out;
}

struct CatalogCase {
    const char* name;
    std::string yaml;
    std::vector<std::string> members;  // empty: no catalog zone
};

const CatalogCase kCases[] = {
    {"WithoutCatalog", kSite, {}},
    {"WithCatalog", kSite + kCatalog, {"2.0.192.in-addr.arpa.", "example.test."}},
    {"NameWithTrailingDot",
     kSite + "server:\n  transfer: { catalog: Catalog.Sipdns.Invalid. }\n",
     {"2.0.192.in-addr.arpa.", "example.test."}},
    {"NewSubnetAddsReverseZone",
     with_new_host(kSite) + kCatalog,
     {"100.51.198.in-addr.arpa.", "2.0.192.in-addr.arpa.", "example.test."}},
};

class CatalogZone : public testing::TestWithParam<CatalogCase> {};

TEST_P(CatalogZone, ListsEveryZoneOfTheSite) {
    const CatalogCase& c = GetParam();
    auto zones = build_from_yaml(c.yaml);
    ASSERT_TRUE(zones);
    const zone::Zone* catalog = zones->catalog_zone();
    if (c.members.empty()) {
        EXPECT_EQ(catalog, nullptr);
        EXPECT_TRUE(all_lines(*zones, zone::rrtype::TXT).empty());
        return;
    }
    ASSERT_NE(catalog, nullptr);
    EXPECT_EQ(zones->zones().back().get(), catalog);
    EXPECT_EQ(zone::name_to_text(catalog->apex()), "catalog.sipdns.invalid.");
    std::vector<std::string> got;
    for (const auto& [member, id] : members_of(*zones)) {
        got.push_back(member);
        EXPECT_EQ(id, zone::catalog_member_id(zone::name_to_wire(member))) << member;
    }
    EXPECT_EQ(got, c.members);
    // RFC 9432 §4.1 / §4.2.1: NS invalid. at the apex, version "2"; the SOA as the site's.
    auto ns = zones->lookup(catalog->apex(), zone::rrtype::NS);
    EXPECT_EQ(section_lines(ns.answer),
              (std::set<std::string>{"catalog.sipdns.invalid. 3600 IN NS invalid."}));
    auto version =
        zones->lookup(zone::name_to_wire("version.catalog.sipdns.invalid"), zone::rrtype::TXT);
    EXPECT_EQ(section_lines(version.answer),
              (std::set<std::string>{"version.catalog.sipdns.invalid. 3600 IN TXT \"2\""}));
    zone::SoaFields soa;
    ASSERT_TRUE(zone::parse_soa(catalog->soa().rdatas.front(), soa));
    EXPECT_EQ(zone::name_to_text(soa.mname), "ns.example.test.");
    EXPECT_EQ(zone::name_to_text(soa.rname), "hostmaster.example.test.");
    EXPECT_EQ(soa.serial, catalog->serial());
}

INSTANTIATE_TEST_SUITE_P(Table, CatalogZone, testing::ValuesIn(kCases),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(CatalogZone, IdsStableAcrossRebuildsAndRemovedZoneGoes) {
    auto before = build_from_yaml(kSite + kCatalog);
    auto again = build_from_yaml(kSite + kCatalog);
    auto grown = build_from_yaml(with_new_host(kSite) + kCatalog);
    ASSERT_TRUE(before && again && grown);
    const auto first = members_of(*before);
    EXPECT_EQ(members_of(*again), first);
    const auto more = members_of(*grown);
    ASSERT_EQ(more.size(), first.size() + 1);
    for (const auto& [member, id] : first) EXPECT_EQ(more.at(member), id) << member;
    // The host leaves again: its reverse zone's entry goes, the others keep their ids.
    auto shrunk = build_from_yaml(kSite + kCatalog);
    ASSERT_TRUE(shrunk);
    EXPECT_EQ(members_of(*shrunk), first);
    EXPECT_FALSE(members_of(*shrunk).contains("100.51.198.in-addr.arpa."));
}

TEST(CatalogZone, IdsAreUniqueAndLowerCaseInsensitive) {
    const std::string a = zone::name_to_wire("example.test");
    EXPECT_EQ(zone::catalog_member_id(a), zone::catalog_member_id(zone::name_to_wire("EXAMPLE.test")));
    EXPECT_EQ(zone::catalog_member_id(a).size(), 16u);
    // The id is a fixed function of the name (FNV-1a 64): the same in every sipdnsd version.
    EXPECT_EQ(zone::catalog_member_id(zone::name_to_wire("a.")),
              zone::catalog_member_id(zone::name_to_wire("A.")));
    std::vector<std::string> many;
    for (int i = 0; i < 2000; ++i)
        many.push_back(zone::name_to_wire(std::to_string(i % 256) + "." + std::to_string(i / 256) +
                                          ".10.in-addr.arpa"));
    std::set<std::string> owners;
    std::size_t ptrs = 0;
    for (const auto& r : zone::catalog_records(zone::name_to_wire("cat.invalid"), many))
        if (r.type == zone::rrtype::PTR) {
            ++ptrs;
            owners.insert(r.owner);
        }
    EXPECT_EQ(ptrs, many.size());
    EXPECT_EQ(owners.size(), many.size());
}

// Its own serial: unchanged when only the content of a member changes (RFC 9432 §5.1: a
// secondary transfers the catalog when its serial grows), grown when the member list does.
struct SerialCase {
    const char* name;
    std::string next_yaml;
    bool site_serial_changes;
    bool catalog_serial_changes;
};

const SerialCase kSerialCases[] = {
    {"SameSite", kSite + kCatalog, false, false},
    {"MemberContentChanged",
     [] {
         std::string s = kSite + kCatalog;
         s.insert(s.find("nameservers:"), "  sbc: 192.0.2.11\n");
         return s;
     }(),
     true, false},
    {"MemberAdded", with_new_host(kSite) + kCatalog, true, true},
};

class CatalogSerial : public testing::TestWithParam<SerialCase> {};

TEST_P(CatalogSerial, ChangesOnlyWithTheMemberList) {
    const SerialCase& c = GetParam();
    auto first = build_from_yaml(kSite + kCatalog, serial_policy(1000));
    ASSERT_TRUE(first && first->catalog_zone());
    zone::SerialPolicy next = serial_policy(2000, first->serial(), first->content_hash());
    next.previous_catalog = first->catalog_served();
    auto second = build_from_yaml(c.next_yaml, next);
    ASSERT_TRUE(second && second->catalog_zone());
    EXPECT_EQ(second->serial() != first->serial(), c.site_serial_changes);
    EXPECT_EQ(second->catalog_zone()->serial() != first->catalog_zone()->serial(),
              c.catalog_serial_changes);
    EXPECT_FALSE(zone::serial_greater(first->catalog_zone()->serial(),
                                      second->catalog_zone()->serial()));
    // The site's zones keep the site's serial.
    for (const auto& z : second->zones()) {
        if (z.get() != second->catalog_zone()) {
            EXPECT_EQ(z->serial(), second->serial());
        }
    }
}

INSTANTIATE_TEST_SUITE_P(Table, CatalogSerial, testing::ValuesIn(kSerialCases),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(CatalogSerial, NeverGoesBackAfterARestart) {
    // The state dir remembers a catalog serial above the file's time, with other members.
    auto first = build_from_yaml(kSite + kCatalog, serial_policy(1000));
    ASSERT_TRUE(first && first->catalog_zone());
    zone::SerialPolicy restart = serial_policy(500);
    restart.served_before["catalog.sipdns.invalid."] = {5000, first->catalog_served().content_hash};
    auto same = build_from_yaml(kSite + kCatalog, restart);
    ASSERT_TRUE(same && same->catalog_zone());
    EXPECT_EQ(same->catalog_zone()->serial(), 5000u);  // same members: the serial served
    restart.served_before["catalog.sipdns.invalid."].content_hash ^= 1;
    auto changed = build_from_yaml(kSite + kCatalog, restart);
    ASSERT_TRUE(changed && changed->catalog_zone());
    EXPECT_EQ(changed->catalog_zone()->serial(), 5001u);
}

struct PlacementCase {
    const char* name;
    std::string catalog;
    std::string want;  // the error; empty: builds
};

const PlacementCase kPlacementCases[] = {
    {"Outside", "catalog.sipdns.invalid", ""},
    {"TheForwardZone", "example.test",
     "site.yaml:8:14: server.transfer.catalog: 'example.test' is the zone example.test"},
    {"InsideTheForwardZone", "catalog.example.test",
     "site.yaml:8:14: server.transfer.catalog: 'catalog.example.test' lies inside the zone "
     "example.test"},
    {"AboveAZone", "test",
     "site.yaml:8:14: server.transfer.catalog: 'test' lies above the zone example.test"},
    {"AReverseZone", "2.0.192.in-addr.arpa",
     "site.yaml:8:14: server.transfer.catalog: '2.0.192.in-addr.arpa' is the zone "
     "2.0.192.in-addr.arpa"},
    {"AboveAReverseZone", "in-addr.arpa",
     "site.yaml:8:14: server.transfer.catalog: 'in-addr.arpa' lies above the zone "
     "2.0.192.in-addr.arpa"},
};

class CatalogPlacement : public testing::TestWithParam<PlacementCase> {};

TEST_P(CatalogPlacement, OutsideTheSiteZones) {
    const PlacementCase& c = GetParam();
    const auto errors =
        build_errors(kSite + "server:\n  transfer:\n    catalog: " + c.catalog + "\n");
    if (c.want.empty()) {
        EXPECT_TRUE(errors.empty()) << errors.front();
        return;
    }
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_TRUE(errors.front().starts_with(c.want)) << errors.front();
    EXPECT_NE(errors.front().find("expected a name outside the site's zones"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Table, CatalogPlacement, testing::ValuesIn(kPlacementCases),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(CatalogZone, ExportedAsAZoneFile) {
    auto zones = build_from_yaml(kSite + kCatalog);
    ASSERT_TRUE(zones);
    const std::string text = zone::export_zone_files(*zones);
    EXPECT_NE(text.find("$ORIGIN catalog.sipdns.invalid."), std::string::npos);
    EXPECT_NE(text.find("zones.catalog.sipdns.invalid.\t3600\tIN\tPTR\texample.test."),
              std::string::npos)
        << text;
}

}  // namespace
}  // namespace sipdns::test
