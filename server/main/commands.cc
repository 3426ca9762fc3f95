#include "commands.h"

#include <map>
#include <ostream>

#include "sipdns/zone/exporter.h"
#include "sipdns/zone/name.h"
#include "sipdns/zone/rr_types.h"
#include "site_loader.h"

namespace sipdns::app {

namespace {

void print_diagnostics(const config::Diagnostics& diags, std::ostream& err) {
    for (const auto& d : diags) err << d.to_string() << "\n";
    err << diags.size() << (diags.size() == 1 ? " error" : " errors") << "\n";
}

bool has_sip_srv(const zone::Zone& z) {
    for (const char* owner : {"_sip._udp", "_sip._tcp", "_sips._tcp", "_sip._tls"}) {
        const zone::Node* n = z.find(zone::name_to_wire(std::string(owner) + "." +
                                                        zone::name_to_text(z.apex())));
        if (n && n->find(zone::rrtype::SRV)) return true;
    }
    return false;
}

}  // namespace

int run_check(const std::string& file, std::ostream& out, std::ostream& err) {
    auto site = load_site(file);
    if (!site) {
        print_diagnostics(site.error(), err);
        return 1;
    }
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
    // The SCS guide's rule of thumb: with SRV records the SIP Domain is the domain itself;
    // without them, the server's fully qualified name.
    const zone::Zone& fwd = *zones.forward_zone();
    if (has_sip_srv(fwd)) {
        out << "SIP domain: " << site->config.domain
            << " (SRV records are served: enter the domain, not a host name)\n";
    } else if (!site->config.servers.empty()) {
        out << "SIP domain: " << site->config.servers.front().name
            << " (no SIP SRV records: enter the server's fully qualified name)\n";
    } else if (!site->config.clusters.empty()) {
        // A geo-aware cluster: SIP clients and SBCs are given the cluster's FQDN.
        for (const auto& c : site->config.clusters)
            out << "SIP domain: " << c.name
                << " (the SIP cluster's FQDN; its SRV answers depend on the client's location)\n";
    } else {
        out << "SIP domain: none (no call servers in this site)\n";
    }
    for (const auto& l : site->config.locations) {
        out << "location " << l.name << ":";
        for (const auto& p : l.prefixes) out << " " << p.to_string();
        out << "\n";
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
        err << "export: unknown format '" << format << "' (expected: zone, dnscmd or nsupdate)\n";
        return 2;
    }
    auto site = load_site(file);
    if (!site) {
        print_diagnostics(site.error(), err);
        return 1;
    }
    // Per-location answers cannot be one zone file: each location's view is its own export
    // (the default is what clients in no location see).
    const zone::ZoneSet* view = &site->zones->default_view();
    if (!location.empty()) {
        view = site->zones->location_view(location);
        if (!view) {
            err << "export: no location '" << location << "' with its own answers in " << file
                << "\n";
            return 2;
        }
    }
    out << exporter(*view);
    return 0;
}

}  // namespace sipdns::app
