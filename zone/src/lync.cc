// lync: what Lync 2010 devices and Office Communicator look up to find their registrar
// (references: lync-2010-device-registrar-discovery.txt — internal SRV over TLS, then TCP, then
// external; ocs-2007-automatic-configuration-lookups.txt — _sipinternaltls._tcp, then the A
// records sipinternal, sip, sipexternal in that order). SRV targets are A records, never
// CNAMEs (the OCS note: "a SRV record must always point to an A record").
#include "sipdns/zone/generators.h"
#include "sipdns/zone/name.h"
#include "sipdns/zone/rr_types.h"

namespace sipdns::zone {

namespace {

void add_addresses(const config::LyncHost& host, const std::string& owner, std::uint32_t ttl,
                   RecordList& out) {
    if (host.ipv4)
        out.push_back({owner, rrtype::A, ttl, rdata::from_address(host.ipv4->bytes.data(), 4),
                       host.pos, section::kLync});
    if (host.ipv6)
        out.push_back({owner, rrtype::AAAA, ttl,
                       rdata::from_address(host.ipv6->bytes.data(), 16), host.pos,
                       section::kLync});
}

}  // namespace

void generate_lync(const config::SiteConfig& site, RecordList& out) {
    if (!site.lync) return;
    const auto& lync = *site.lync;
    const std::string apex = name_to_wire(site.domain);
    const std::uint32_t ttl = site.ttl;
    const std::string pool = name_to_wire(lync.pool.name);
    add_addresses(lync.pool, pool, ttl, out);
    // Internal clients: TLS first (5061), then TCP (5060).
    out.push_back({name_under("_sipinternaltls._tcp", apex), rrtype::SRV, ttl,
                   rdata::srv(0, 0, 5061, pool), lync.pool.pos, section::kLync});
    out.push_back({name_under("_sipinternal._tcp", apex), rrtype::SRV, ttl,
                   rdata::srv(0, 0, 5060, pool), lync.pool.pos, section::kLync});
    // The fall-back names, tried in this order when no SRV answers: sipinternal, sip (both
    // the pool), sipexternal (the edge, when there is one).
    add_addresses(lync.pool, name_under("sipinternal", apex), ttl, out);
    add_addresses(lync.pool, name_under("sip", apex), ttl, out);
    if (!lync.edge) return;
    const std::string edge = name_to_wire(lync.edge->name);
    add_addresses(*lync.edge, edge, ttl, out);
    // Remote clients reach the access edge on 443; federation on 5061.
    out.push_back({name_under("_sip._tls", apex), rrtype::SRV, ttl, rdata::srv(0, 0, 443, edge),
                   lync.edge->pos, section::kLync});
    out.push_back({name_under("_sipfederationtls._tcp", apex), rrtype::SRV, ttl,
                   rdata::srv(0, 0, 5061, edge), lync.edge->pos, section::kLync});
    add_addresses(*lync.edge, name_under("sipexternal", apex), ttl, out);
}

}  // namespace sipdns::zone
