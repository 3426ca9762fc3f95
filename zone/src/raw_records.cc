// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
// records: lines in zone-file syntax, parsed by config/ with ldns into wire form.
#include "sipdns/zone/generators.h"
#include "sipdns/zone/name.h"

namespace sipdns::zone {

namespace {
// Names inside rdata keep the case they were written in (config/ does not touch them), but the
// zone compares names as lower-case bytes: lower-case the names that lookups follow
// (CNAME/NS/PTR/MX/SRV/NAPTR targets, the SOA names are never raw).
std::string normalised_rdata(std::uint16_t type, std::string rdata) {
    const std::size_t at = rdata_target_offset(type, rdata);
    if (at == std::string::npos) return rdata;
    for (std::size_t i = at; i < rdata.size();) {
        const auto len = static_cast<unsigned char>(rdata[i]);
        if (len == 0) break;
        for (std::size_t j = i + 1; j <= i + len && j < rdata.size(); ++j)
            if (rdata[j] >= 'A' && rdata[j] <= 'Z') rdata[j] = static_cast<char>(rdata[j] + 32);
        i += len + 1u;
    }
    return rdata;
}
}  // namespace

void generate_raw_records(const config::SiteConfig& site, RecordList& out) {
    for (const auto& r : site.records)
        out.push_back({name_to_wire(r.owner), r.type, r.ttl, normalised_rdata(r.type, r.rdata),
                       r.pos, section::kRecords});
}

}  // namespace sipdns::zone
