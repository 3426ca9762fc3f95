// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
// lync: what Lync 2010 devices and Office Communicator look up to find their registrar
// (references: lync-2010-device-registrar-discovery.txt — internal SRV over TLS, then TCP, then
// external; ocs-2007-automatic-configuration-lookups.txt — _sipinternaltls._tcp, then the A
// records sipinternal, sip, sipexternal in that order). SRV targets are A records, never
// CNAMEs (the OCS note: "a SRV record must always point to an A record").
#include "sipdns/zone/generators.h"
#include "sipdns/zone/name.h"
#include "sipdns/zone/rr_types.h"

namespace sipdns::zone {

void generate_lync(const config::SiteConfig& site, RecordList& out) {
    if (!site.lync) return;
    const auto& lync = *site.lync;
    const std::string apex = name_to_wire(site.domain);
    const std::uint32_t ttl = site.ttl;
    const std::string pool = name_to_wire(lync.pool.name);
    add_address_records(lync.pool, pool, ttl, section::kLync, out);
    // Internal clients: TLS first (5061), then TCP (5060).
    out.push_back({name_under("_sipinternaltls._tcp", apex), rrtype::SRV, ttl,
                   rdata::srv(0, 0, 5061, pool), lync.pool.pos, section::kLync});
    out.push_back({name_under("_sipinternal._tcp", apex), rrtype::SRV, ttl,
                   rdata::srv(0, 0, 5060, pool), lync.pool.pos, section::kLync});
    // The fall-back names, tried in this order when no SRV answers: sipinternal, sip (both
    // the pool), sipexternal (the edge, when there is one).
    add_address_records(lync.pool, name_under("sipinternal", apex), ttl, section::kLync, out);
    add_address_records(lync.pool, name_under("sip", apex), ttl, section::kLync, out);
    if (!lync.edge) return;
    const std::string edge = name_to_wire(lync.edge->name);
    add_address_records(*lync.edge, edge, ttl, section::kLync, out);
    // Remote clients reach the access edge on 443; federation on 5061.
    out.push_back({name_under("_sip._tls", apex), rrtype::SRV, ttl, rdata::srv(0, 0, 443, edge),
                   lync.edge->pos, section::kLync});
    out.push_back({name_under("_sipfederationtls._tcp", apex), rrtype::SRV, ttl,
                   rdata::srv(0, 0, 5061, edge), lync.edge->pos, section::kLync});
    add_address_records(*lync.edge, name_under("sipexternal", apex), ttl, section::kLync, out);
}

}  // namespace sipdns::zone
