// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
// Zone build time (YAML -> ready snapshot with precompiled answers) for a large site, and the
// memory it takes. A benchmark, not a test: run by tests/perf/zone_build.sh.
#include <malloc.h>
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <string>

#include "sipdns/config/loader.h"
#include "sipdns/zone/builder.h"

namespace {
double ms_since(std::chrono::steady_clock::time_point t) {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count();
}
long current_rss_kib() {
    long pages = 0, resident = 0;
    if (FILE* f = std::fopen("/proc/self/statm", "r")) {
        if (std::fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
        std::fclose(f);
    }
    return resident * 4;
}
long peak_rss_kib() {
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}
}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s SITE.yaml\n", argv[0]);
        return 2;
    }
    // As sipdnsd does before loading (server/main/site_loader.h): fixed glibc thresholds, so the
    // figures here are the daemon's.
    mallopt(M_MMAP_THRESHOLD, 128 * 1024);
    mallopt(M_TRIM_THRESHOLD, 128 * 1024);
    mallopt(M_TOP_PAD, 32 * 1024 * 1024);  // the first load's (site_loader.h kLoadTopPad)
    const long rss_before = peak_rss_kib();
    const long rss_baseline = current_rss_kib();
    const auto t0 = std::chrono::steady_clock::now();
    auto cfg = sipdns::config::load_site_file(argv[1]);
    const double load_ms = ms_since(t0);
    if (!cfg) {
        for (const auto& d : cfg.error()) std::fprintf(stderr, "%s\n", d.to_string().c_str());
        return 1;
    }
    const long rss_config = current_rss_kib();
    const long peak_after_load = peak_rss_kib();
    {
        const struct mallinfo2 mi = mallinfo2();
        std::printf("after_yaml: heap_in_use_mib=%.1f mmapped_mib=%.1f free_in_heap_mib=%.1f\n",
                    mi.uordblks / 1048576.0, mi.hblkhd / 1048576.0, mi.fordblks / 1048576.0);
    }
    const auto t1 = std::chrono::steady_clock::now();
    const std::size_t hosts = cfg->hosts.size();
    // As the daemon builds (server/main/site_loader.cc): the hosts are freed during the build.
    auto zones = sipdns::zone::build_site_zones_releasing_hosts(*cfg);
    const double build_ms = ms_since(t1);
    if (!zones) {
        for (const auto& d : zones.error()) std::fprintf(stderr, "%s\n", d.to_string().c_str());
        return 1;
    }
    const std::size_t records = (*zones)->record_count();
    const long rss = peak_rss_kib();
    // What the served snapshot keeps: drop the parsed site, hand freed pages back, measure.
    *cfg = sipdns::config::SiteConfig{};
    malloc_trim(0);
    const long rss_zones = current_rss_kib();
    std::printf("hosts_in_file=%zu records=%zu zones=%zu\n", hosts, records,
                (*zones)->default_view().zones().size());
    std::printf("yaml_load_ms=%.1f zone_build_ms=%.1f total_ms=%.1f\n", load_ms, build_ms,
                load_ms + build_ms);
    // The snapshot's own memory: resident size with only the zone set left, over the baseline.
    std::printf("peak_rss_mib=%.1f snapshot_mib=%.1f snapshot_bytes_per_record=%.0f\n",
                rss / 1024.0, (rss_zones - rss_baseline) / 1024.0,
                (rss_zones - rss_baseline) * 1024.0 / static_cast<double>(records));
    // Where the peak is: reading the YAML (document tree + site), or building the zones.
    std::printf("peak_rss_after_yaml_mib=%.1f rss_after_yaml_mib=%.1f\n", peak_after_load / 1024.0,
                rss_config / 1024.0);
    (void)rss_before;
    return 0;
}
