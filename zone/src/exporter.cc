// Zone-file export (DESIGN.md §6 `export --format zone`). ldns prints each RR, so the
// presentation format (escapes, TXT quoting, NAPTR strings) is that of a DNS library rather than
// ours; it is never on the query path.
#include "sipdns/zone/exporter.h"

#include <ldns/ldns.h>

#include <memory>
#include <stdexcept>

#include "sipdns/zone/name.h"
#include "sipdns/zone/rr_types.h"

namespace sipdns::zone {

std::string record_to_text(std::string_view owner, std::uint16_t type, std::uint32_t ttl,
                           std::string_view rdata) {
    std::string wire(owner);
    auto put16 = [&](std::uint32_t v) {
        wire.push_back(static_cast<char>((v >> 8) & 0xff));
        wire.push_back(static_cast<char>(v & 0xff));
    };
    put16(type);
    put16(rrclass::IN);
    put16(ttl >> 16);
    put16(ttl & 0xffff);
    put16(static_cast<std::uint32_t>(rdata.size()));
    wire.append(rdata);

    ldns_rr* rr = nullptr;
    size_t pos = 0;
    if (ldns_wire2rr(&rr, reinterpret_cast<const uint8_t*>(wire.data()), wire.size(), &pos,
                     LDNS_SECTION_ANSWER) != LDNS_STATUS_OK)
        throw std::runtime_error("cannot encode a record of " + name_to_text(owner));
    std::unique_ptr<ldns_rr, decltype(&ldns_rr_free)> guard(rr, ldns_rr_free);
    char* text = ldns_rr2str(rr);
    if (!text) throw std::runtime_error("cannot print a record of " + name_to_text(owner));
    std::string out(text);
    LDNS_FREE(text);
    while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
    return out;
}

std::string export_zone_files(const ZoneSet& zones) {
    std::string out;
    for (const auto& z : zones.zones()) {
        if (!out.empty()) out += "\n";
        out += "$ORIGIN " + name_to_text(z->apex()) + "\n";
        const RRset& soa = z->soa();
        out += "$TTL " + std::to_string(soa.ttl) + "\n";
        // SOA first (RFC 1035 §5.2), then the rest in canonical order.
        out += record_to_text(z->apex(), rrtype::SOA, soa.ttl, soa.rdatas.front()) + "\n";
        for (const Node* node : z->nodes_in_canonical_order())
            for (const auto& set : node->rrsets) {
                if (set.type == rrtype::SOA) continue;
                for (const auto& rd : set.rdatas)
                    out += record_to_text(node->name, set.type, set.ttl, rd) + "\n";
            }
    }
    return out;
}

}  // namespace sipdns::zone
