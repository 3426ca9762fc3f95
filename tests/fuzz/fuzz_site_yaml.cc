// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
// libFuzzer target: the YAML site loader (config/, on yaml-cpp) on arbitrary text; when the text
// loads, the zone build too (every generator, the conflict checks, precompiled answers, every
// location view) and the three exports. Besides the sanitizers, it checks what the loader
// promises (docs/design.md §2): a failed load names at least one problem, each with a message.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "sipdns/config/loader.h"
#include "sipdns/zone/builder.h"
#include "sipdns/zone/exporter.h"

namespace {

[[noreturn]] void violated(const char* what) {
    std::fprintf(stderr, "fuzz_site_yaml: property violated: %s\n", what);
    __builtin_trap();
}
#define CHECK(cond)                     \
    do {                                \
        if (!(cond)) violated(#cond);   \
    } while (0)

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace sipdns;
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    auto site = config::load_site_text(text, "fuzz.yaml");
    if (!site) {
        CHECK(!site.error().empty());
        for (const auto& d : site.error()) CHECK(!d.message.empty());
        return 0;
    }
    zone::SerialPolicy serial;
    serial.base_time = 1700000000;
    auto zones = zone::build_site_zones(*site, serial);
    if (!zones) {
        CHECK(!zones.error().empty());
        return 0;
    }
    const zone::ZoneSet& view = (*zones)->default_view();
    CHECK(!view.zones().empty());
    CHECK(!zone::export_zone_files(view).empty());
    (void)zone::export_dnscmd(view);
    (void)zone::export_nsupdate(view);
    for (const std::string& location : (*zones)->location_names())
        CHECK((*zones)->location_view(location) != nullptr);
    return 0;
}
