// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
// clusters: geo-aware SRV for multi-data-centre SIP clusters (reference:
// sip-cluster-geo-aware-srv.txt, "SRV records for SIP Cluster"). A client in data centre X gets
// X's proxies at the local priority (10) and every other data centre's at the remote priority
// (200), same weight (50) and port; clients in no location get the cluster's default view.
// Which view is generated is the builder's viewpoint: one zone set per location.
#include <algorithm>

#include "sipdns/zone/generators.h"
#include "sipdns/zone/name.h"
#include "sipdns/zone/rr_types.h"

namespace sipdns::zone {

namespace {

const char* srv_prefix(config::SipTransport t) {
    switch (t) {
        case config::SipTransport::Udp: return "_sip._udp";
        case config::SipTransport::Tcp: return "_sip._tcp";
        case config::SipTransport::Tls: return "_sips._tcp";  // RFC 3263 §4.1
    }
    return "";
}

// The data centre whose members are local for this viewpoint: the viewpoint when the cluster
// has members there, else the cluster's default (or its first member location).
const std::string& local_location(const config::ClusterEntry& c, const std::string* viewpoint) {
    if (viewpoint)
        for (const auto& m : c.members)
            if (m.location == *viewpoint) return m.location;
    if (!c.default_location.empty()) return c.default_location;
    static const std::string none;
    return c.members.empty() ? none : c.members.front().location;
}

}  // namespace

void generate_clusters(const config::SiteConfig& site, const std::string* viewpoint,
                       RecordList& out) {
    for (const auto& cluster : site.clusters) {
        const std::string base = name_to_wire(cluster.name);
        const std::string& local = local_location(cluster, viewpoint);
        for (const auto& group : cluster.members) {
            const bool is_local = group.location == local;
            for (const auto& m : group.members) {
                const std::string target = name_to_wire(m.name);
                add_address_records(m, target, site.ttl, section::kClusters, out);
                for (config::SipTransport t : cluster.transports)
                    out.push_back({name_under(srv_prefix(t), base), rrtype::SRV, site.ttl,
                                   rdata::srv(is_local ? cluster.local_priority
                                                       : cluster.remote_priority,
                                              cluster.weight, cluster.port, target),
                                   m.pos, section::kClusters});
            }
        }
    }
}

}  // namespace sipdns::zone
