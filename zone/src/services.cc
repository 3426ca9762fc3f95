// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
// services: any other SRV service (RFC 2782), in the same style as the SIP records.
#include "sipdns/zone/generators.h"
#include "sipdns/zone/name.h"
#include "sipdns/zone/rr_types.h"

namespace sipdns::zone {

void generate_services(const config::SiteConfig& site, RecordList& out) {
    for (const auto& service : site.services) {
        const std::string owner = name_to_wire(service.owner);
        for (const auto& t : service.targets)
            out.push_back({owner, rrtype::SRV, site.ttl,
                           rdata::srv(t.priority, t.weight, t.port, name_to_wire(t.target)), t.pos,
                           section::kServices});
    }
}

}  // namespace sipdns::zone
