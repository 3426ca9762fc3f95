// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// `sipdnsd --version`: the sipdns version and the libraries it was built and linked with.
#include <string>

namespace sipdns::app {

// "sipdnsd 0.1.0" followed by one line per library (Boost, ldns, yaml-cpp, spdlog, fmt,
// libsystemd) and the compiler: the version the headers had at build time and, where the
// library can say so at run time (ldns_version()), the linked one.
std::string version_text();

}  // namespace sipdns::app
