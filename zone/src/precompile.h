// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// Encoding lookup results into PrecompiledAnswer bodies (docs/design.md §7). Internal to zone/.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

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

// encode_answer for answer after answer (a zone's precompile): the returned answer and the
// encoder's working lists are reused by the next call, so that 200,000 answers do not cost
// a handful of allocations each.
class AnswerEncoder {
public:
    // Valid until the next call.
    const EncodedAnswer& encode(const LookupResult& result, EncodeMode mode,
                                std::string_view qname_or_anchor);

private:
    std::vector<std::pair<std::string_view, std::uint16_t>> offsets_;
    EncodedAnswer answer_;
};

}  // namespace sipdns::zone
