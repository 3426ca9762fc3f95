// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
// hosts: (A/AAAA for lab gateways, NTP, phones...) and aliases: (CNAME), docs/design.md §2.
#include "sipdns/zone/generators.h"
#include "sipdns/zone/name.h"
#include "sipdns/zone/rr_types.h"

namespace sipdns::zone {

void generate_hosts(const config::SiteConfig& site, RecordList& out) {
    std::string owner;  // one buffer for every host's name (wire)
    for (const auto& host : site.hosts) {
        name_to_wire(host.name, owner);
        for (const auto& addr : host.addresses)
            out.push_back({owner, addr.is_v4() ? rrtype::A : rrtype::AAAA, site.ttl,
                           rdata::from_address(addr.bytes.data(), addr.size()), host.pos,
                           section::kHosts});
    }
}

void generate_aliases(const config::SiteConfig& site, RecordList& out) {
    for (const auto& alias : site.aliases)
        out.push_back({name_to_wire(alias.name), rrtype::CNAME, site.ttl,
                       rdata::name(name_to_wire(alias.target)), alias.pos, section::kAliases});
}

}  // namespace sipdns::zone
