// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// What the engine-facing fuzzers share: the sites they answer from, and how they print the
// messages of a violated property.
//
// The sites: every example of packaging/examples and every
// site of tests/fuzz/sites, built once with a fixed serial base, so that the same input always
// gives the same answer. A site that does not load or build stops the fuzzer: its seeds would
// test nothing.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "sipdns/config/loader.h"
#include "sipdns/zone/builder.h"

namespace sipdns::fuzz {

// `bytes` in hex, 16 octets a line, under `label`: the messages behind a violated property.
inline void dump(const char* label, std::span<const std::uint8_t> bytes) {
    std::fprintf(stderr, "%s (%zu octets):", label, bytes.size());
    for (std::size_t i = 0; i < bytes.size(); ++i)
        std::fprintf(stderr, "%s%02x", i % 16 ? " " : "\n  ", bytes[i]);
    std::fprintf(stderr, "\n");
}

// A 16-bit field of a DNS message (network order).
inline std::uint16_t get16(const std::uint8_t* p) {
    return static_cast<std::uint16_t>(p[0] << 8 | p[1]);
}

struct FuzzSite {
    std::string name;  // the file's name
    std::shared_ptr<const zone::SiteZones> zones;
};

// `fuzzer`: the target's name, for the message when a site fails.
inline std::vector<FuzzSite> load_fuzz_sites(const char* fuzzer) {
    std::vector<std::filesystem::path> files;
    for (const char* dir : {SIPDNS_EXAMPLES_DIR, SIPDNS_FUZZ_SITES_DIR})
        for (const auto& e : std::filesystem::directory_iterator(dir))
            if (e.path().extension() == ".yaml") files.push_back(e.path());
    std::sort(files.begin(), files.end());
    std::vector<FuzzSite> sites;
    for (const auto& f : files) {
        auto cfg = config::load_site_file(f.string());
        if (!cfg) {
            std::fprintf(stderr, "%s: %s does not load\n", fuzzer, f.c_str());
            std::abort();
        }
        zone::SerialPolicy serial;
        serial.base_time = 1700000000;  // deterministic: same input, same answer
        auto built = zone::build_site_zones(*cfg, serial);
        if (!built) {
            std::fprintf(stderr, "%s: %s does not build\n", fuzzer, f.c_str());
            std::abort();
        }
        sites.push_back({f.filename().string(), *built});
    }
    return sites;
}

}  // namespace sipdns::fuzz
