// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// Record generators, one per section of the site file (docs/design.md §3). Each appends to `out`;
// none checks conflicts — the builder merges everything and checks once.
#include <string>
#include <vector>

#include "sipdns/config/site_config.h"
#include "sipdns/zone/record.h"

namespace sipdns::zone {

// Section labels carried by each Record, for diagnostics and the reverse generator.
namespace section {
inline constexpr const char* kServers = "servers";
inline constexpr const char* kRedirect = "servers (rr)";
inline constexpr const char* kNaptr = "sip.naptr";
inline constexpr const char* kHosts = "hosts";
inline constexpr const char* kAliases = "aliases";
inline constexpr const char* kServices = "services";
inline constexpr const char* kRecords = "records";
inline constexpr const char* kReverse = "reverse";
inline constexpr const char* kApex = "zone apex";
inline constexpr const char* kClusters = "clusters";
inline constexpr const char* kLync = "lync";
}  // namespace section

// The A and AAAA records of a host the site names with its addresses, at `owner` (wire): shared
// by the generators of servers, clusters and Lync.
void add_address_records(const config::NamedHost& host, const std::string& owner,
                         std::uint32_t ttl, const char* section, RecordList& out);

// SCS call servers: A/AAAA, apex _sip._udp/_sip._tcp SRV, rr.<server> redirect records when
// there are two or more servers, _sips._tcp/_sip._tls with TLS (SCS 4.0 guide tables).
void generate_scs_servers(const config::SiteConfig& site, RecordList& out);

// RFC 3263 NAPTR records at the apex, one per transport, pointing at the SRV owners.
void generate_naptr(const config::SiteConfig& site, RecordList& out);

// hosts: A/AAAA; aliases: CNAME.
void generate_hosts(const config::SiteConfig& site, RecordList& out);
void generate_aliases(const config::SiteConfig& site, RecordList& out);

// services: SRV RRsets.
void generate_services(const config::SiteConfig& site, RecordList& out);

// clusters: member addresses and the geo-aware SRV records as seen from `viewpoint` (a location
// name; nullptr = a client in no location).
void generate_clusters(const config::SiteConfig& site, const std::string* viewpoint,
                       RecordList& out);

// lync: Lync / OCS automatic-configuration SRV and fall-back A records.
void generate_lync(const config::SiteConfig& site, RecordList& out);

// records: the raw zone-file lines, already parsed by config/.
void generate_raw_records(const config::SiteConfig& site, RecordList& out);

// reverse: PTR records for every server and host address (servers first, so they win when two
// names share an address; rr.* names never get one), grouped into reverse zones: the /24 or /64
// around each address, or the prefixes the site lists.
struct ReversePlan {
    std::vector<std::string> zone_apexes;  // wire
    config::Diagnostics problems;
    // Which addresses get a PTR, in the order servers, hosts, cluster members, Lync: one bit
    // each, so the records can be made later without sorting the addresses again.
    std::vector<bool> gets_ptr;
};
// The zones, the problems and which addresses get a PTR; the records themselves come from
// reverse_ptr_records, which the builder calls once the forward records are freed (peak
// memory). The site must not change in between.
ReversePlan plan_reverse(const config::SiteConfig& site);
RecordList reverse_ptr_records(const config::SiteConfig& site, const ReversePlan& plan);

// The reverse-tree name of an address: 11.2.0.192.in-addr.arpa / nibbles.ip6.arpa (wire).
std::string reverse_name(const config::IpAddress& address);
// The reverse zone apex for a prefix whose length is a multiple of 8 (v4) or 4 (v6).
std::string reverse_zone_apex(const config::IpPrefix& prefix);

}  // namespace sipdns::zone
