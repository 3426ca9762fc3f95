// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#include "sipdns/zone/catalog.h"

#include <algorithm>
#include <cstdio>
#include <set>

#include "sipdns/zone/name.h"
#include "sipdns/zone/record.h"
#include "sipdns/zone/rr_types.h"

namespace sipdns::zone {

namespace {
// FNV-1a, 64 bit (offset basis and prime as published by its authors): a fixed function, unlike
// std::hash, so an id is the same in every build of sipdnsd.
std::uint64_t fnv1a64(std::string_view bytes, std::uint64_t h = 0xcbf29ce484222325ULL) {
    for (unsigned char c : bytes) {
        h ^= c;
        h *= 0x100000001b3ULL;
    }
    return h;
}

std::string hex16(std::uint64_t v) {
    char text[17];
    std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(v));
    return text;
}

std::string lower(std::string_view wire) {
    std::string out(wire);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) {
        return static_cast<char>(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
    });
    return out;
}

std::string label(std::string_view text) {
    std::string wire(1, static_cast<char>(text.size()));
    wire.append(text);
    return wire;
}
}  // namespace

std::string catalog_member_id(std::string_view member_wire) {
    return hex16(fnv1a64(lower(member_wire)));
}

std::vector<CatalogRecord> catalog_records(std::string_view catalog_wire,
                                           const std::vector<std::string>& member_apexes_wire) {
    const std::string apex(catalog_wire);
    std::vector<CatalogRecord> records;
    // RFC 9432 §4.1: the apex NS RRset has one record with RDATA "invalid.".
    records.push_back({apex, rrtype::NS, rdata::name(name_to_wire("invalid."))});
    // RFC 9432 §4.2.1: the schema version, "2", as the one TXT string at version.<catalog>.
    records.push_back({label("version") + apex, rrtype::TXT, label("2")});

    std::vector<std::string> members;
    for (const auto& m : member_apexes_wire) members.push_back(lower(m));
    std::sort(members.begin(), members.end(), [](const std::string& a, const std::string& b) {
        return name_canonical_less(a, b);
    });
    members.erase(std::unique(members.begin(), members.end()), members.end());
    const std::string zones_apex = label("zones") + apex;
    std::set<std::string> taken;
    for (const auto& member : members) {
        std::uint64_t h = fnv1a64(member);
        while (!taken.insert(hex16(h)).second) h = fnv1a64(member, h);
        // RFC 9432 §4.2.2: "<unique-id>.zones.<catalog> PTR <member zone>".
        records.push_back({label(hex16(h)) + zones_apex, rrtype::PTR, rdata::name(member)});
    }
    return records;
}

}  // namespace sipdns::zone
