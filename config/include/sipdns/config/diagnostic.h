// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#pragma once
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
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

// How much of a value a message shows: enough to recognise it, short enough that a diagnostic
// stays one terminal line even when the value is a 50 MB scalar.
inline constexpr std::size_t kShownValueColumns = 80;

// A value as a diagnostic shows it, on one line: control characters (newline, tab, ...),
// C1 controls, U+2028/U+2029 and bytes that are not UTF-8 are escaped (\n, \t, \x1b, \u2028);
// past kShownValueColumns columns it is cut at a character boundary and ends in
// "… (N bytes)", N being the whole value's size. Short printable values come back as they are.
std::string show_value(std::string_view value);

// show_value in single quotes, the way messages cite what the user wrote:
// 'udp, tcp', or 'xxxx…' (52428800 bytes) when cut.
std::string quote_value(std::string_view value);

// "Did you mean": the entry of `known` closest to `typed`, ASCII case ignored, if it is at
// most 2 edits away (a character added, dropped or changed, or two neighbours swapped) and the
// edits change at most half of `typed` ("foo" is no typo of "soa"); empty if none is.
std::string_view closest_spelling(std::string_view typed, std::span<const std::string_view> known);

// Edit distance behind closest_spelling: Levenshtein plus adjacent transpositions ("nmae" ->
// "name" is one typo), the optimal-string-alignment variant.
std::size_t edit_distance(std::string_view a, std::string_view b);

}  // namespace sipdns::config
