// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// Helpers shared by the unit tests.
#include <string>

namespace sipdns::test {

// Reads a whole file (examples, expected outputs); throws on failure.
std::string read_file(const std::string& path);

}  // namespace sipdns::test
