// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// Site file -> zone set, shared by check, export, the daemon's start and its SIGHUP reload.
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "sipdns/config/expected.h"
#include "sipdns/config/site_config.h"
#include "sipdns/zone/builder.h"
#include "sipdns/zone/site_zones.h"
#include "sipdns/zone/zone.h"

namespace sipdns::app {

struct LoadedSite {
    config::SiteConfig config;
    std::shared_ptr<const zone::SiteZones> zones;  // every location view
};

// What the daemon logs after a successful load or reload: the build's warnings (two names on
// one address, ...), which serve but deserve a look.
void log_site_warnings(const LoadedSite& site);

// Loads, validates and builds. The serial policy's base time is the file's modification time,
// so an untouched file gives the same serial run after run (docs/design.md §3).
// With SiteHosts::Release the returned config has no hosts (they were freed during the build,
// lowering its peak memory): for the daemon, which keeps only the zones and `server:` — unless
// the site has `health:`, whose rebuilds need them.
// `before_build`, when given, sees the parsed site and may add to the policy (the daemon: what
// its state directory, named in the site's `server:`, says the last run served).
enum class SiteHosts { Keep, Release };
using BeforeBuild = std::function<void(const config::SiteConfig&, zone::SerialPolicy&)>;
Expected<LoadedSite, config::Diagnostics> load_site(const std::string& path,
                                                    zone::SerialPolicy policy = {},
                                                    SiteHosts hosts = SiteHosts::Keep,
                                                    const BeforeBuild& before_build = {});

// `check`: every problem of the file in one run. The loader's errors do not stop the zone
// build (it runs on what could be read), so a bad value early in the file does not hide a
// record clash later; all diagnostics come back sorted by position. `site` is set only when
// there is no error at all (warnings allowed).
struct CheckedSite {
    std::optional<LoadedSite> site;
    config::Diagnostics diagnostics;
};
CheckedSite check_site(const std::string& path);

// Fixes glibc's mmap and trim thresholds at 128 KiB. By default glibc raises both after a large
// block is freed (up to 32 MiB / 64 MiB: its "dynamic threshold"), so once the YAML document's
// arrays are freed, the zone build's large arrays come from the heap and freed heap is kept:
// with a 100,000-host site that put 12 MiB more on the daemon's peak RSS. Call before loading.
// Until release_build_memory(), the heap also keeps up to kLoadTopPad of freed pages at its top
// instead of handing them back at once: the first load reuses what the YAML document and the
// parsed hosts freed rather than faulting in new pages (a 100,000-host site starts ~15 % sooner
// on a VM, for ~5 MiB more resident memory).
void use_fixed_allocator_thresholds();
inline constexpr int kLoadTopPad = 32 * 1024 * 1024;
inline constexpr int kDefaultTopPad = 128 * 1024;  // glibc's M_TOP_PAD default (mallopt(3))

// Hands the heap pages that building a zone set freed back to the system (glibc keeps them
// otherwise): after a load the peak of parsing and building would stay as resident memory.
// Also ends the first load's larger top pad.
void release_build_memory();

}  // namespace sipdns::app
