// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// Private to sipdns_resolve: DNS names and URI parts compare case-insensitively (RFC 4343,
// RFC 3261 §19.1.4), so they are lower-cased once where they come in.
#include <algorithm>
#include <cctype>
#include <string>
#include <string_view>

namespace sipdns::resolve {

inline std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

}  // namespace sipdns::resolve
