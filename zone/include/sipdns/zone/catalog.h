// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// The catalog zone (RFC 9432, version 2) of `server.transfer.catalog`: every zone of the site as
// a member, so that secondaries which consume catalogs (Knot, BIND) add a new reverse zone by
// themselves. The builder adds the SOA and places these records in a zone of their own.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sipdns::zone {

// One record of the catalog zone (wire owner and rdata).
struct CatalogRecord {
    std::string owner;
    std::uint16_t type = 0;
    std::string rdata;
};

// A member's unique id (RFC 9432 §4.1: a label unique in the catalog that changes only when the
// member is removed and added again): 16 hex digits of a 64-bit FNV-1a hash of the member's
// name (lower-case wire form), the same in every build, run and version of sipdnsd.
std::string catalog_member_id(std::string_view member_wire);

// The catalog's records but the SOA: NS "invalid." at the apex (RFC 9432 §4.1), the schema
// version "version.<catalog> TXT "2"" (§4.2.1) and one "<id>.zones.<catalog> PTR <member>"
// per member zone (§4.2.2). Two members whose ids collide (never seen for 64-bit hashes) take
// the next hash of the later one's name in canonical order, so the result stays deterministic.
std::vector<CatalogRecord> catalog_records(std::string_view catalog_wire,
                                           const std::vector<std::string>& member_apexes_wire);

}  // namespace sipdns::zone
