#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace sipdns::config {

// A place in the site file, 1-based like compilers and editors print it (libyaml's marks are
// 0-based; the loader converts). line == 0 means "no position" (e.g. the file itself).
struct SourcePos {
    std::uint32_t line = 0;
    std::uint32_t column = 0;
    friend bool operator==(const SourcePos&, const SourcePos&) = default;
};

// One problem found in a site file. Printed as `file:line:col: message`; message names the key
// path and what was expected, e.g. "servers[0].ipv4: expected an IPv4 address, got '192.0.2.300'".
// An error stops the site from loading; a warning is printed (`file:line:col: warning: ...`)
// and the site serves as written.
struct Diagnostic {
    enum class Severity : std::uint8_t { Error, Warning };

    std::string file;
    SourcePos pos;
    std::string message;
    Severity severity = Severity::Error;

    bool is_error() const { return severity == Severity::Error; }
    std::string to_string() const;
};

using Diagnostics = std::vector<Diagnostic>;

// How many of `diags` are errors.
std::size_t count_errors(const Diagnostics& diags);

// File order (line, then column; no position first), keeping the order of finding for equal
// positions, and one copy of a message repeated at the same place.
void sort_by_position(Diagnostics& diags);

}  // namespace sipdns::config
