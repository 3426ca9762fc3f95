// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// `sipdnsd verify FILE`: the plan's DNS checks (zone::dns_checks) asked of a live server, one
// line per check.
#include <functional>
#include <iosfwd>
#include <string>
#include <vector>

#include "sipdns/resolve/dns_client.h"
#include "sipdns/zone/plan.h"

namespace sipdns::resolve {

struct VerifyOutcome {
    std::size_t checked = 0;
    std::size_t mismatches = 0;
    std::string unreachable;  // not empty: the server did not answer (why); the run stopped
    bool ok() const { return mismatches == 0 && unreachable.empty(); }
};

// How a check's answer is asked: `ask(name, type, recursion_desired)`.
using AskFunction = std::function<Reply(const std::string&, std::uint16_t, bool)>;

// What one check found: the served rdatas, as the check's `expected` values are written, or
// what came back instead ("NXDOMAIN", "no records").
struct CheckResult {
    bool ok = false;
    std::string matched_location;  // ok with a location's answer instead of the default one
    std::vector<std::string> got;
    std::string problem;  // no such records: the rcode or "no records"
};
CheckResult compare_with_reply(const zone::DnsCheck& check, const Reply& reply);

// Runs every check, prints "ok      NAME TYPE" or "MISMATCH NAME TYPE: expected ...; got ..."
// per check and a summary line. Stops at the first query without a reply.
VerifyOutcome verify_checks(const zone::DnsChecks& checks, const AskFunction& ask,
                            std::ostream& out);

}  // namespace sipdns::resolve
