#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace sipdns::config {

// A place in the site file, 1-based like compilers and editors print it (yaml-cpp's marks are
// 0-based; the loader converts). line == 0 means "no position" (e.g. the file itself).
struct SourcePos {
    std::uint32_t line = 0;
    std::uint32_t column = 0;
    friend bool operator==(const SourcePos&, const SourcePos&) = default;
};

// One problem found in a site file. Printed as `file:line:col: message`; message names the key
// path and what was expected, e.g. "servers[0].ipv4: expected an IPv4 address, got '192.0.2.300'".
struct Diagnostic {
    std::string file;
    SourcePos pos;
    std::string message;

    std::string to_string() const;
};

using Diagnostics = std::vector<Diagnostic>;

}  // namespace sipdns::config
