// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#pragma once
#include <optional>
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

// For `check`, which reports every problem of a file in one run: the site as far as it could
// be read (entries with errors left out, their names in refused_names), with the loader's
// diagnostics. `site` is empty when the file is not a YAML mapping or has no usable domain.
struct PartialSite {
    std::optional<SiteConfig> site;
    Diagnostics diagnostics;
};
PartialSite load_site_file_partial(const std::string& path);
PartialSite load_site_text_partial(std::string_view text, const std::string& file_name);

}  // namespace sipdns::config
