// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
// SCS call-server records, exactly as the SCS 4.0 guide's tables ("Configuring DNS and DHCP",
// single-server and dual-server HA tables), generalised to N servers as docs/design.md §3 writes:
//   apex  _sip._udp  S_i  priority i      weight 0  port proxy_port
//   apex  _sip._tcp  S_i  priority N + i  weight 0  port proxy_port
//   N >= 2, for each Sk: rr.Sk A/AAAA = Sk's addresses, and at rr.Sk, port redirect_port:
//     _sip._tcp  Sk 1 0, every other server 2 100;  _sip._udp  Sk 3 0, others 4 100.
// With TLS: _sips._tcp and _sip._tls at the apex, port tls_port, S_i priority i.
#include <algorithm>

#include "sipdns/zone/generators.h"
#include "sipdns/zone/name.h"
#include "sipdns/zone/rr_types.h"

namespace sipdns::zone {

namespace {

bool has_transport(const config::SipSettings& sip, config::SipTransport t) {
    return std::find(sip.transports.begin(), sip.transports.end(), t) != sip.transports.end();
}


}  // namespace

void add_address_records(const config::NamedHost& host, const std::string& owner,
                         std::uint32_t ttl, const char* section, RecordList& out) {
    if (host.ipv4)
        out.push_back({owner, rrtype::A, ttl, rdata::from_address(host.ipv4->bytes.data(), 4),
                       host.pos, section});
    if (host.ipv6)
        out.push_back({owner, rrtype::AAAA, ttl, rdata::from_address(host.ipv6->bytes.data(), 16),
                       host.pos, section});
}

void generate_scs_servers(const config::SiteConfig& site, RecordList& out) {
    const auto& servers = site.servers;
    if (servers.empty()) return;
    const auto n = static_cast<std::uint16_t>(servers.size());
    const std::string apex = name_to_wire(site.domain);
    const std::uint32_t ttl = site.ttl;
    const auto& sip = site.sip;

    std::vector<std::string> fqdn;
    for (const auto& s : servers) fqdn.push_back(name_to_wire(s.name));

    for (std::size_t i = 0; i < servers.size(); ++i)
        add_address_records(servers[i], fqdn[i], ttl, section::kServers, out);

    // The SCS guide's single server with A records only: no SRV (the loader refuses this for
    // an HA site, which needs them).
    if (!sip.srv) return;

    const bool udp = has_transport(sip, config::SipTransport::Udp);
    const bool tcp = has_transport(sip, config::SipTransport::Tcp);
    const bool tls = has_transport(sip, config::SipTransport::Tls);

    for (std::uint16_t i = 0; i < n; ++i) {
        const auto& pos = servers[i].pos;
        const auto prio = static_cast<std::uint16_t>(i + 1);
        if (udp)
            out.push_back({name_under("_sip._udp", apex), rrtype::SRV, ttl,
                           rdata::srv(prio, 0, sip.proxy_port, fqdn[i]), pos, section::kServers});
        if (tcp)
            out.push_back({name_under("_sip._tcp", apex), rrtype::SRV, ttl,
                           rdata::srv(static_cast<std::uint16_t>(n + prio), 0, sip.proxy_port,
                                      fqdn[i]),
                           pos, section::kServers});
        if (tls) {
            // RFC 3263 §4.1: SIPS over TLS/TCP is found at _sips._tcp; _sip._tls is the legacy
            // owner that older phones (and the Lync references) still look up.
            out.push_back({name_under("_sips._tcp", apex), rrtype::SRV, ttl,
                           rdata::srv(prio, 0, sip.tls_port, fqdn[i]), pos, section::kServers});
            out.push_back({name_under("_sip._tls", apex), rrtype::SRV, ttl,
                           rdata::srv(prio, 0, sip.tls_port, fqdn[i]), pos, section::kServers});
        }
    }

    if (n < 2) return;  // the guide's redirect records exist only in HA sites
    for (std::size_t k = 0; k < servers.size(); ++k) {
        const std::string rr = name_under("rr", fqdn[k]);
        add_address_records(servers[k], rr, ttl, section::kRedirect, out);
        const auto& pos = servers[k].pos;
        for (std::size_t j = 0; j < servers.size(); ++j) {
            const bool self = j == k;
            const std::uint16_t weight = self ? 0 : 100;
            if (tcp)
                out.push_back({name_under("_sip._tcp", rr), rrtype::SRV, ttl,
                               rdata::srv(self ? 1 : 2, weight, sip.redirect_port, fqdn[j]), pos,
                               section::kRedirect});
            if (udp)
                out.push_back({name_under("_sip._udp", rr), rrtype::SRV, ttl,
                               rdata::srv(self ? 3 : 4, weight, sip.redirect_port, fqdn[j]), pos,
                               section::kRedirect});
        }
    }
}

void generate_naptr(const config::SiteConfig& site, RecordList& out) {
    // NAPTR records point at the SRV owners (RFC 3263 §4.1): none without SRV records.
    if (!site.sip.naptr || !site.sip.srv || site.servers.empty()) return;
    const std::string apex = name_to_wire(site.domain);
    const auto& sip = site.sip;
    // RFC 3263 §4.1 / RFC 3403: order 10, preference by transport, flag "s" (the replacement is
    // an SRV owner), no regexp.
    struct Row {
        config::SipTransport transport;
        std::uint16_t preference;
        const char* service;
        const char* srv_owner;
    };
    static constexpr Row rows[] = {
        {config::SipTransport::Udp, 10, "SIP+D2U", "_sip._udp"},
        {config::SipTransport::Tcp, 20, "SIP+D2T", "_sip._tcp"},
        {config::SipTransport::Tls, 30, "SIPS+D2T", "_sips._tcp"},
    };
    for (const Row& row : rows) {
        if (!has_transport(sip, row.transport)) continue;
        out.push_back({apex, rrtype::NAPTR, site.ttl,
                       rdata::naptr(10, row.preference, "s", row.service, "",
                                    name_under(row.srv_owner, apex)),
                       sip.pos, section::kNaptr});
    }
}

}  // namespace sipdns::zone
