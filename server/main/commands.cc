// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#include "commands.h"

#include <map>
#include <ostream>

#include "sipdns/config/diagnostic.h"
#include "sipdns/zone/exporter.h"
#include "sipdns/zone/health.h"
#include "sipdns/zone/name.h"
#include "sipdns/zone/plan.h"
#include "sipdns/zone/rr_types.h"
#include "site_loader.h"

namespace sipdns::app {

namespace {

void print_diagnostics(const config::Diagnostics& diags, std::ostream& err) {
    for (const auto& d : diags) err << d.to_string() << "\n";
    const std::size_t errors = config::count_errors(diags);
    const std::size_t warnings = diags.size() - errors;
    if (errors > 0) err << errors << (errors == 1 ? " error" : " errors");
    if (errors > 0 && warnings > 0) err << ", ";
    if (warnings > 0) err << warnings << (warnings == 1 ? " warning" : " warnings");
    err << "\n";
}

}  // namespace

int run_check(const std::string& file, std::ostream& out, std::ostream& err) {
    // Errors exit 1; warnings are printed (to stderr, like errors) and the site is OK.
    auto checked = check_site(file);
    if (!checked.diagnostics.empty()) print_diagnostics(checked.diagnostics, err);
    if (!checked.site) return 1;
    const auto* site = &*checked.site;
    const auto& zones = site->zones->default_view();
    out << file << ": OK\n";
    out << "serial: " << zones.serial() << "\n";
    for (const auto& z : zones.zones()) {
        std::map<std::string, std::size_t> by_type;
        for (const zone::Node* node : z->nodes_in_canonical_order())
            for (const auto& set : node->rrsets) by_type[zone::type_name(set.type)] += set.rdatas.size();
        out << "zone " << zone::name_to_text(z->apex()) << " " << z->record_count() << " records:";
        for (const auto& [type, count] : by_type) out << " " << type << " " << count;
        out << "\n";
    }
    // The catalog zone (RFC 9432) has a serial of its own: it changes with its member list.
    if (const zone::Zone* catalog = zones.catalog_zone())
        out << "catalog: " << zone::name_to_text(catalog->apex()) << " serial "
            << catalog->serial() << ", " << zones.zones().size() - 1 << " member zones\n";
    // The SCS guide's rule of thumb (zone::advise_sip_domain, shared with `plan`): with SRV
    // records the SIP Domain is the domain itself; without them, the server's FQDN.
    const zone::SipDomainAdvice advice = zone::advise_sip_domain(site->config, zones);
    switch (advice.basis) {
        case zone::SipDomainAdvice::Basis::SrvRecords:
            out << "SIP domain: " << advice.values.front()
                << " (SRV records are served: enter the domain, not a host name)\n";
            break;
        case zone::SipDomainAdvice::Basis::ServerFqdn:
            out << "SIP domain: " << advice.values.front()
                << " (no SIP SRV records: enter the server's fully qualified name)\n";
            break;
        case zone::SipDomainAdvice::Basis::Cluster:
            for (const auto& name : advice.values)
                out << "SIP domain: " << name
                    << " (the SIP cluster's FQDN; its SRV answers depend on the client's "
                       "location)\n";
            break;
        case zone::SipDomainAdvice::Basis::None:
            out << "SIP domain: none (no call servers in this site)\n";
            break;
    }
    for (const auto& l : site->config.locations) {
        out << "location " << l.name << ":";
        for (const auto& p : l.prefixes) out << " " << p.to_string();
        out << "\n";
    }
    // EDNS Client Subnet (RFC 7871): whose option stands for the client's address.
    if (!site->config.server.ecs_trust.empty()) {
        out << "ecs_trust:";
        for (const auto& p : site->config.server.ecs_trust) out << " " << p.to_string();
        out << (site->zones->has_location_views()
                    ? " (their EDNS Client Subnet picks the location)\n"
                    : " (no clusters with locations: every answer is the same, scope 0)\n");
    }
    // Names outside the site's zones (issue 13); without `forward:` they get REFUSED, as
    // before, and check says nothing.
    if (site->config.forward)
        out << "forward: " << zone::describe_forward(*site->config.forward) << "\n";
    // Live SIP health (docs/design.md §10): the settings, and every target the daemon probes.
    if (site->config.health) {
        const auto targets = zone::sip_health_targets(*site->zones, *site->config.health);
        out << "health: " << zone::describe_health(*site->config.health, targets.size()) << "\n";
        for (const auto& t : targets) {
            out << "health target: " << t.key.name << " " << t.key.port << "/"
                << config::transport_name(t.key.transport);
            for (const auto& a : t.addresses) out << " " << a.to_string();
            out << "\n";
        }
        for (const auto& name : site->config.health->exclude)
            out << "health exclude: " << name << " (never probed, always served)\n";
    }
    return 0;
}

int run_export(const std::string& file, const std::string& format, const std::string& location,
               std::ostream& out, std::ostream& err) {
    using Exporter = std::string (*)(const zone::ZoneSet&);
    Exporter exporter = nullptr;
    if (format == "zone") {
        exporter = zone::export_zone_files;
    } else if (format == "dnscmd") {
        exporter = [](const zone::ZoneSet& zs) { return zone::export_dnscmd(zs); };
    } else if (format == "nsupdate") {
        exporter = zone::export_nsupdate;
    } else {
        err << "export: unknown format " << config::quote_value(format)
            << " (expected: zone, dnscmd or nsupdate)\n";
        return 2;
    }
    // The same problems as `check`, all of them; warnings go to stderr, apart from the text.
    auto checked = check_site(file);
    if (!checked.diagnostics.empty()) print_diagnostics(checked.diagnostics, err);
    if (!checked.site) return 1;
    const auto* site = &*checked.site;
    // Per-location answers cannot be one zone file: each location's view is its own export
    // (the default is what clients in no location see).
    const zone::ZoneSet* view = &site->zones->default_view();
    if (!location.empty()) {
        view = site->zones->location_view(location);
        if (!view) {
            err << "export: no location " << config::quote_value(location)
                << " with its own answers in " << file << "\n";
            return 2;
        }
    }
    out << exporter(*view);
    return 0;
}

int run_plan(const std::string& file, const std::vector<std::string>& listen, std::ostream& out,
             std::ostream& err) {
    zone::PlanOptions options;
    for (const auto& text : listen) {
        auto endpoint = config::IpEndpoint::parse(text);
        if (!endpoint) {
            err << "plan: --listen expects ADDR:PORT (e.g. 127.0.0.1:5353 or [::1]:5353), got "
                << config::quote_value(text) << "\n";
            return 2;
        }
        options.listen.push_back(*endpoint);
    }
    // The same problems as `check`, all of them; warnings go to stderr, apart from the text.
    auto checked = check_site(file);
    if (!checked.diagnostics.empty()) print_diagnostics(checked.diagnostics, err);
    if (!checked.site) return 1;
    const auto* site = &*checked.site;
    out << zone::render_install_plan(site->config, *site->zones, options);
    return 0;
}

}  // namespace sipdns::app
