// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#include "site_loader.h"

#include <malloc.h>
#include <sys/stat.h>

#include <spdlog/spdlog.h>

#include "sipdns/config/loader.h"

namespace sipdns::app {

namespace {

// The file's modification time: an untouched file gives the same serial run after run.
void default_base_time(const std::string& path, zone::SerialPolicy& policy) {
    if (policy.base_time != 0) return;
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0 && st.st_mtime > 0)
        policy.base_time = static_cast<std::uint32_t>(st.st_mtime);
}

}  // namespace

Expected<LoadedSite, config::Diagnostics> load_site(const std::string& path,
                                                    zone::SerialPolicy policy, SiteHosts hosts,
                                                    const BeforeBuild& before_build) {
    auto cfg = config::load_site_file(path);
    if (!cfg) return unexpected(std::move(cfg.error()));
    if (before_build) before_build(*cfg, policy);
    default_base_time(path, policy);
    // With `health:` the daemon rebuilds the site's answers whenever a SIP target goes down or
    // comes back (docs/design.md §10): it needs the hosts after the build.
    const bool release = hosts == SiteHosts::Release && !cfg->health;
    auto zones = release ? zone::build_site_zones_releasing_hosts(*cfg, policy)
                         : zone::build_site_zones(*cfg, policy);
    if (!zones) return unexpected(std::move(zones.error()));
    return LoadedSite{std::move(*cfg), std::move(*zones)};
}

void log_site_warnings(const LoadedSite& site) {
    for (const auto& warning : site.config.warnings) spdlog::warn("{}", warning.to_string());
    for (const auto& warning : site.zones->warnings()) spdlog::warn("{}", warning.to_string());
}

CheckedSite check_site(const std::string& path) {
    CheckedSite checked;
    auto partial = config::load_site_file_partial(path);
    checked.diagnostics = std::move(partial.diagnostics);
    if (partial.site) {
        zone::SerialPolicy policy;
        default_base_time(path, policy);
        auto zones = zone::build_site_zones(*partial.site, policy);
        if (!zones) {
            for (auto& d : zones.error()) checked.diagnostics.push_back(std::move(d));
        } else {
            const auto& warnings = (*zones)->warnings();
            checked.diagnostics.insert(checked.diagnostics.end(), warnings.begin(), warnings.end());
            if (config::count_errors(checked.diagnostics) == 0)
                checked.site = LoadedSite{std::move(*partial.site), std::move(*zones)};
        }
    }
    config::sort_by_position(checked.diagnostics);
    return checked;
}

void use_fixed_allocator_thresholds() {
    constexpr int kThreshold = 128 * 1024;  // glibc's initial value, kept from now on
    ::mallopt(M_MMAP_THRESHOLD, kThreshold);
    ::mallopt(M_TRIM_THRESHOLD, kThreshold);
    ::mallopt(M_TOP_PAD, kLoadTopPad);
}

void release_build_memory() {
    ::mallopt(M_TOP_PAD, kDefaultTopPad);
    ::malloc_trim(0);
}

}  // namespace sipdns::app
