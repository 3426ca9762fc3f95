// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#pragma once
#include <string>
#include <string_view>

#include "sipdns/config/expected.h"

namespace sipdns::config {

// Domain-name text rules shared by the loader and the zone builder (RFC 1035 §2.3.4: labels
// of 1..63 octets, whole name <= 255 octets in wire form).
//
// Turns a name as written in the site file into an absolute, lower-case name without the
// trailing dot. Names without a trailing dot are relative to `origin` (docs/design.md §2); "@" is
// the origin itself. The error text says what is wrong ("label 'x…' is 64 octets, at most 63").
Expected<std::string, std::string> absolute_name(std::string_view name, std::string_view origin);

// Checks an absolute name (no trailing dot) against the length rules; empty string = valid root.
Expected<std::string, std::string> check_domain_name(std::string_view name);

// Why a name as written is not a host name, or "" when it is one. A name that gets addresses
// (a server, a host) is a host name: RFC 952 as RFC 1123 §2.1 relaxed it: labels of letters,
// digits and '-', neither first nor last; a leading '*' label (a wildcard, RFC 4592) is fine.
// The '_' that SRV owners need (RFC 2782) is not: phones and DHCP clients refuse such names.
// "@" (the origin) is checked as the domain, so it is fine here.
std::string host_name_problem(std::string_view written);

}  // namespace sipdns::config
