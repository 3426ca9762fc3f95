#pragma once
#include <string>

#include "sipdns/zone/zone.h"

namespace sipdns::zone {

// RFC 1035 §5 master files: for each zone `$ORIGIN <zone>.`, `$TTL`, the SOA, then every RRset in
// canonical order, so the output splits into files named-checkzone and ldns-read-zone accept.
std::string export_zone_files(const ZoneSet& zones);

// One RR in presentation format (via ldns), absolute owner, e.g.
// "_sip._udp.scsnetwork.local.\t1800\tIN\tSRV\t1 0 5060 scs1.scsnetwork.local."
std::string record_to_text(std::string_view owner_wire, std::uint16_t type, std::uint32_t ttl,
                           std::string_view rdata);

}  // namespace sipdns::zone
