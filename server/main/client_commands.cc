// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#include "client_commands.h"

#include <ostream>

#include "sipdns/config/address.h"
#include "sipdns/resolve/dns_client.h"
#include "sipdns/resolve/rfc3263.h"
#include "sipdns/resolve/sip_uri.h"
#include "sipdns/resolve/verify.h"
#include "sipdns/zone/plan.h"
#include "site_loader.h"

namespace sipdns::app {

namespace {

constexpr const char* kResolvConf = "/etc/resolv.conf";

std::string where(const config::IpEndpoint& server) {
    return server.address.to_string() + " port " + std::to_string(server.port);
}

}  // namespace

int run_resolve(const std::string& uri_text, const std::string& server,
                const std::string& transport, std::ostream& out, std::ostream& err) {
    const auto uri = resolve::parse_sip_uri(uri_text);
    if (!uri) {  // the command line checked it already
        err << "sipdnsd: resolve: " << uri.error() << "\n";
        return 2;
    }
    std::optional<config::IpEndpoint> endpoint;
    std::string source = "--server";
    if (!server.empty()) {
        endpoint = config::IpEndpoint::parse(server);
    } else {
        endpoint = resolve::first_nameserver(kResolvConf);
        source = std::string("the first nameserver of ") + kResolvConf;
    }
    if (!endpoint) {
        err << "sipdnsd: resolve: no nameserver line in " << kResolvConf
            << "; name the server with --server ADDR:PORT\n";
        return 1;
    }
    resolve::DnsClient client(*endpoint);
    resolve::ClientLookups lookups(client);
    out << "Locating the server of " << uri_text << " as a SIP client does (RFC 3263 §4), asking "
        << where(*endpoint) << " (" << source << ")\n\n";
    const resolve::Resolution r =
        resolve::resolve_sip_uri(*uri, resolve::parse_transport(transport), lookups);
    out << resolve::render_resolution(r);
    if (r.unreachable) {
        err << "sipdnsd: resolve: no answer from " << where(*endpoint) << ": " << *r.unreachable
            << "\n";
        return 1;
    }
    return r.destinations.empty() ? 1 : 0;
}

int run_verify(const std::string& file, const std::string& server, std::ostream& out,
               std::ostream& err) {
    // The same problems as `check` and `plan`, on stderr; errors stop here.
    const auto checked = check_site(file);
    for (const auto& d : checked.diagnostics) err << d.to_string() << "\n";
    if (!checked.site) return 1;
    const zone::DnsChecks checks = zone::dns_checks(checked.site->config, *checked.site->zones);
    std::optional<config::IpEndpoint> endpoint;
    std::string why = "--server";
    if (!server.empty()) {
        endpoint = config::IpEndpoint::parse(server);
    } else {
        // Where plan's commands send their queries (zone::choose_query_target).
        if (auto address = config::IpAddress::parse(checks.target.address))
            endpoint = config::IpEndpoint{*address, checks.target.port};
        why = checks.target.why;
        if (!endpoint) {
            err << "sipdnsd: verify: the plan asks " << checks.target.address
                << " by name (the site file has no address for it); name the server with "
                   "--server ADDR:PORT\n";
            return 1;
        }
    }
    out << "Verifying " << file << " against " << where(*endpoint) << " (" << why << ")\n";
    resolve::DnsClient client(*endpoint);
    const resolve::VerifyOutcome outcome = resolve::verify_checks(
        checks,
        [&](const std::string& name, std::uint16_t type, bool rd) {
            return client.ask(name, type, rd);
        },
        out);
    if (!outcome.unreachable.empty()) {
        err << "sipdnsd: verify: no answer from " << where(*endpoint) << ": "
            << outcome.unreachable << "\n";
        return 1;
    }
    out << outcome.checked << " checks: " << outcome.checked - outcome.mismatches << " ok, "
        << outcome.mismatches << (outcome.mismatches == 1 ? " mismatch" : " mismatches") << "\n";
    return outcome.mismatches == 0 ? 0 : 1;
}

}  // namespace sipdns::app
