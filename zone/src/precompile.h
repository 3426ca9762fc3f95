#pragma once
// Encoding lookup results into PrecompiledAnswer bodies (docs/design.md §7). Internal to zone/.
#include <string>
#include <string_view>

#include "sipdns/zone/precompiled.h"
#include "sipdns/zone/zone.h"

namespace sipdns::zone {

// How names are written into a body:
//  - Exact: the question name is known (a query for this very node). Full compression against
//    the question at offset 12 and everything written before.
//  - QnameTemplate: one body for every query name a wildcard matches. Owners equal to `anchor`
//    (the wildcard owner) are written as a pointer to offset 12; other names uncompressed.
//  - SuffixTemplate: one body for every query name below `anchor` (NXDOMAIN/NODATA: the apex;
//    referrals: the cut). Names at or below the anchor end in a pointer to the anchor's suffix
//    of the question, patched per query (PrecompiledAnswer::patch_positions).
enum class EncodeMode { Exact, QnameTemplate, SuffixTemplate };

EncodedAnswer encode_answer(const LookupResult& result, EncodeMode mode,
                                std::string_view qname_or_anchor);

}  // namespace sipdns::zone
