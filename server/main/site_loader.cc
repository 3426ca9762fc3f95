#include "site_loader.h"

#include <malloc.h>
#include <sys/stat.h>

#include "sipdns/config/loader.h"

namespace sipdns::app {

Expected<LoadedSite, config::Diagnostics> load_site(const std::string& path,
                                                    zone::SerialPolicy policy, SiteHosts hosts,
                                                    const BeforeBuild& before_build) {
    auto cfg = config::load_site_file(path);
    if (!cfg) return unexpected(std::move(cfg.error()));
    if (before_build) before_build(*cfg, policy);
    if (policy.base_time == 0) {
        struct stat st {};
        if (::stat(path.c_str(), &st) == 0 && st.st_mtime > 0)
            policy.base_time = static_cast<std::uint32_t>(st.st_mtime);
    }
    auto zones = hosts == SiteHosts::Release ? zone::build_site_zones_releasing_hosts(*cfg, policy)
                                             : zone::build_site_zones(*cfg, policy);
    if (!zones) return unexpected(std::move(zones.error()));
    return LoadedSite{std::move(*cfg), std::move(*zones)};
}

void use_fixed_allocator_thresholds() {
    constexpr int kThreshold = 128 * 1024;  // glibc's initial value, kept from now on
    ::mallopt(M_MMAP_THRESHOLD, kThreshold);
    ::mallopt(M_TRIM_THRESHOLD, kThreshold);
}

void release_build_memory() { ::malloc_trim(0); }

}  // namespace sipdns::app
