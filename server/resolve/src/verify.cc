// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#include "sipdns/resolve/verify.h"

#include <algorithm>
#include <cctype>
#include <iterator>
#include <ostream>

#include "sipdns/zone/name.h"
#include "sipdns/zone/rr_types.h"

#include "text.h"

namespace sipdns::resolve {

namespace {

std::vector<std::string> sorted(std::vector<std::string> v) {
    std::sort(v.begin(), v.end());
    return v;
}

std::string join(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& s : items) out += (out.empty() ? "" : " | ") + s;
    return out;
}

// How the plan shows the check: "scs1.scsnetwork.local A", "192.0.2.11 PTR".
std::string check_title(const zone::DnsCheck& check) {
    if (check.kind == zone::DnsCheck::Kind::ReverseAddress)
        return check.address->to_string() + " PTR (" + check.name + ")";
    return check.name + " " + zone::type_name(check.type) +
           (check.kind == zone::DnsCheck::Kind::Referral ? " (referral)" : "");
}

// " (missing: ...; not expected: ...)": what differs, when both sides have records.
std::string differences(const std::vector<std::string>& expected,
                        const std::vector<std::string>& got) {
    if (expected.empty() || got.empty()) return {};
    const auto e = sorted(expected), g = sorted(got);
    std::vector<std::string> missing, extra;
    std::set_difference(e.begin(), e.end(), g.begin(), g.end(), std::back_inserter(missing));
    std::set_difference(g.begin(), g.end(), e.begin(), e.end(), std::back_inserter(extra));
    std::string out;
    if (!missing.empty()) out += "missing: " + join(missing);
    if (!extra.empty()) out += (out.empty() ? "" : "; ") + std::string("not expected: ") + join(extra);
    return out.empty() ? out : " (" + out + ")";
}

}  // namespace

CheckResult compare_with_reply(const zone::DnsCheck& check, const Reply& reply) {
    CheckResult result;
    // A referral carries the delegation's NS in the authority section (RFC 1034 §4.3.2);
    // every other check's records are in the answer.
    const bool referral = check.kind == zone::DnsCheck::Kind::Referral;
    const auto& section = referral ? reply.authority : reply.answer;
    const std::string owner = lower(check.name) + ".";
    for (const ReplyRecord& r : section)
        if (r.type == check.type && (r.owner == owner || (check.name == "." && r.owner == ".")))
            result.got.push_back(zone::served_rdata_text(check, r.rdata_wire));
    if (result.got.empty())
        result.problem = reply.rcode_name == "NOERROR" ? "no records" : reply.rcode_name;
    const auto got = sorted(result.got);
    if (got == sorted(check.expected)) {
        result.ok = true;
        return result;
    }
    // Clients in a location get their own answer (geo-aware clusters); the plan prints it,
    // and a server asked from that location's subnet gives it.
    for (const auto& other : check.from_locations) {
        if (got == sorted(other.expected)) {
            result.ok = true;
            result.matched_location = other.location;
            return result;
        }
    }
    return result;
}

VerifyOutcome verify_checks(const zone::DnsChecks& checks, const AskFunction& ask,
                            std::ostream& out) {
    VerifyOutcome outcome;
    for (const auto& z : checks.zones) {
        for (const zone::DnsCheck& check : z.checks) {
            if (check.kind == zone::DnsCheck::Kind::BelowDelegation) continue;
            const bool referral = check.kind == zone::DnsCheck::Kind::Referral;
            // As the plan's commands ask: dig's default (recursion desired), +norecurse for a
            // referral.
            const Reply reply = ask(check.name, check.type, !referral);
            if (!reply.answered) {
                outcome.unreachable = reply.error;
                out << "NO REPLY  " << check_title(check) << ": " << reply.error << "\n";
                return outcome;
            }
            ++outcome.checked;
            const CheckResult result = compare_with_reply(check, reply);
            if (result.ok) {
                out << "ok        " << check_title(check);
                if (!result.matched_location.empty())
                    out << " (the answer for clients in " << result.matched_location << ")";
                out << "\n";
                continue;
            }
            ++outcome.mismatches;
            out << "MISMATCH  " << check_title(check) << ": expected " << join(check.expected)
                << "; got " << (result.got.empty() ? result.problem : join(result.got))
                << differences(check.expected, result.got) << "\n";
        }
    }
    return outcome;
}

}  // namespace sipdns::resolve
