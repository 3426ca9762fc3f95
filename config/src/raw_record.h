// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// Private to config/: one `records:` line through ldns (docs/design.md §2).
#include <cstdint>
#include <string>

#include "sipdns/config/expected.h"
#include "sipdns/config/site_config.h"

namespace sipdns::config::detail {

// Largest TTL (and SOA time): the top bit of a 32-bit TTL must be zero (RFC 2181 §8).
inline constexpr std::uint32_t kMaxTtl = 2147483647;

// Parses one zone-file line: relative names are relative to `origin` (the site's domain, no
// trailing dot; "" when unknown, which also skips the in-zone check), a line without TTL gets
// `default_ttl`. Fills every RawRecord field but `pos`. On failure returns the message, e.g.
// "cannot parse 'foo IN A 1.2.3': <ldns's reason>", without the key path.
Expected<RawRecord, std::string> parse_raw_record(const std::string& text,
                                                  const std::string& origin,
                                                  std::uint32_t default_ttl);

}  // namespace sipdns::config::detail
