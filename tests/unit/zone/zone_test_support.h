// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// Building zone sets from YAML text and printing lookup sections as zone-file lines, so the
// tests read like the SCS guide's tables.
#include <gtest/gtest.h>

#include <memory>
#include <set>
#include <string>

#include "sipdns/config/loader.h"
#include "sipdns/zone/builder.h"
#include "sipdns/zone/exporter.h"
#include "sipdns/zone/name.h"
#include "sipdns/zone/rr_types.h"
#include "sipdns/zone/zone.h"

namespace sipdns::test {

// A serial policy as after a previous build (or none), at a given base time.
inline zone::SerialPolicy serial_policy(std::uint32_t base_time,
                                        std::optional<std::uint32_t> previous_serial = {},
                                        std::uint64_t previous_hash = 0) {
    zone::SerialPolicy p;
    p.base_time = base_time;
    p.previous_serial = previous_serial;
    if (previous_serial) p.previous_content_hash = previous_hash;
    return p;
}

inline std::shared_ptr<const zone::ZoneSet> build_from_yaml(
    const std::string& yaml, zone::SerialPolicy policy = serial_policy(1)) {
    auto cfg = config::load_site_text(yaml, "site.yaml");
    if (!cfg) {
        std::string all;
        for (const auto& d : cfg.error()) all += d.to_string() + "\n";
        ADD_FAILURE() << "config errors:\n" << all;
        return nullptr;
    }
    auto zones = zone::build_zone_set(*cfg, policy);
    if (!zones) {
        std::string all;
        for (const auto& d : zones.error()) all += d.to_string() + "\n";
        ADD_FAILURE() << "zone errors:\n" << all;
        return nullptr;
    }
    return *zones;
}

// The diagnostics of a site that must not build, one string each.
inline std::vector<std::string> build_errors(const std::string& yaml) {
    std::vector<std::string> out;
    auto cfg = config::load_site_text(yaml, "site.yaml");
    if (!cfg) {
        for (const auto& d : cfg.error()) out.push_back(d.to_string());
        return out;
    }
    auto zones = zone::build_zone_set(*cfg, {});
    if (!zones)
        for (const auto& d : zones.error()) out.push_back(d.to_string());
    return out;
}

// "owner. TTL IN TYPE rdata" lines of a section (tabs turned into single spaces).
inline std::set<std::string> section_lines(const std::vector<zone::RRsetRef>& section) {
    std::set<std::string> out;
    for (const auto& ref : section)
        for (const auto& rd : ref.rrset->rdatas) {
            std::string line =
                zone::record_to_text(ref.owner, ref.rrset->type, ref.rrset->ttl, rd);
            for (char& c : line)
                if (c == '\t') c = ' ';
            out.insert(line);
        }
    return out;
}

// Every record of the zone set as lines, optionally only of one type.
inline std::set<std::string> all_lines(const zone::ZoneSet& zones, std::uint16_t type = 0) {
    std::set<std::string> out;
    for (const auto& z : zones.zones())
        for (const zone::Node* node : z->nodes_in_canonical_order())
            for (const auto& set : node->rrsets) {
                if (type && set.type != type) continue;
                for (const auto& rd : set.rdatas) {
                    std::string line = zone::record_to_text(node->name, set.type, set.ttl, rd);
                    for (char& c : line)
                        if (c == '\t') c = ' ';
                    out.insert(line);
                }
            }
    return out;
}

inline std::string wire(const std::string& text) { return zone::name_to_wire(text); }

}  // namespace sipdns::test
