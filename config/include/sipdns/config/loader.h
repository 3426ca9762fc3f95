#pragma once
#include <string>
#include <string_view>

#include "sipdns/config/diagnostic.h"
#include "sipdns/config/expected.h"
#include "sipdns/config/site_config.h"

namespace sipdns::config {

// Reads and validates a site file. On failure returns every problem found (not just the first),
// each with file:line:col, the key path and what was expected.
Expected<SiteConfig, Diagnostics> load_site_file(const std::string& path);

// Same, from text already in memory; `file_name` is used in diagnostics.
Expected<SiteConfig, Diagnostics> load_site_text(std::string_view text,
                                                 const std::string& file_name);

}  // namespace sipdns::config
