// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#include "version.h"

#include <boost/version.hpp>
#include <fmt/core.h>
#include <spdlog/version.h>

// Last: ldns redefines bool for whatever follows it.
#include <ldns/ldns.h>

// Set by server/main/CMakeLists.txt: the project version and, from pkg-config at configure
// time, the versions of the libraries that have no version macro of their own.
#ifndef SIPDNS_VERSION
#error "SIPDNS_VERSION must be defined by the build"
#endif
#ifndef SIPDNS_YAML_CPP_BUILD_VERSION
#define SIPDNS_YAML_CPP_BUILD_VERSION "unknown"
#endif

namespace sipdns::app {

namespace {

std::string compiler() {
#if defined(__clang__)
    return "clang " __clang_version__;
#elif defined(__GNUC__)
    return "GCC " __VERSION__;
#else
    return "unknown compiler";
#endif
}

// "1.8.3" built, "1.8.3" linked -> "1.8.3"; otherwise say both.
std::string built_and_linked(const std::string& built, const char* linked) {
    const std::string run = linked != nullptr ? linked : "unknown";
    if (run == built) return built + " (built and linked)";
    return built + " (built), " + run + " (linked)";
}

}  // namespace

std::string version_text() {
    std::string boost = std::to_string(BOOST_VERSION / 100000) + "." +
                        std::to_string(BOOST_VERSION / 100 % 1000) + "." +
                        std::to_string(BOOST_VERSION % 100);
    std::string text = "sipdnsd " SIPDNS_VERSION "\n";
    text += "  Boost       " + boost + " (headers, BOOST_LIB_VERSION " BOOST_LIB_VERSION ")\n";
    text += "  ldns        " + built_and_linked(LDNS_VERSION, ldns_version()) + "\n";
    // yaml-cpp has no version call: its soname (libyaml-cpp.so.0.7) pins the version linked.
    text += "  yaml-cpp    " SIPDNS_YAML_CPP_BUILD_VERSION " (built)\n";
    text += "  spdlog      " + std::to_string(SPDLOG_VER_MAJOR) + "." +
            std::to_string(SPDLOG_VER_MINOR) + "." + std::to_string(SPDLOG_VER_PATCH) + "\n";
    text += "  fmt         " + std::to_string(FMT_VERSION / 10000) + "." +
            std::to_string(FMT_VERSION / 100 % 100) + "." + std::to_string(FMT_VERSION % 100) +
            "\n";
#if defined(SIPDNS_HAVE_LIBSYSTEMD)
    text += "  libsystemd  " SIPDNS_LIBSYSTEMD_VERSION " (sd_notify for Type=notify)\n";
#else
    text += "  libsystemd  not linked (no sd_notify: run as Type=simple)\n";
#endif
    text += "  compiler    " + compiler() + "\n";
    return text;
}

}  // namespace sipdns::app
