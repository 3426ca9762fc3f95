// records: lines in zone-file syntax, parsed by config/ with ldns into wire form.
#include "sipdns/zone/generators.h"
#include "sipdns/zone/name.h"

namespace sipdns::zone {

void generate_raw_records(const config::SiteConfig& site, RecordList& out) {
    for (const auto& r : site.records)
        out.push_back({name_to_wire(r.owner), r.type, r.ttl, r.rdata, r.pos, section::kRecords});
}

}  // namespace sipdns::zone
