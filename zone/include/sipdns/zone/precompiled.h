#pragma once
// Precompiled response bodies (DESIGN.md §7): everything after the question section, encoded at
// zone build time with compression pointers into the question name at offset 12. At query time
// the engine copies header + question + body and patches ID/flags/counts — no lookup logic and no
// allocation per query.
#include <cstdint>
#include <string>
#include <vector>

namespace sipdns::zone {

inline constexpr std::uint16_t kQuestionOffset = 12;  // RFC 1035 §4.1.1: header is 12 octets

struct PrecompiledAnswer {
    std::uint8_t rcode = 0;       // RFC 1035 §4.1.1 RCODE
    bool authoritative = true;    // AA
    std::uint16_t ancount = 0;
    std::uint16_t nscount = 0;
    std::uint16_t arcount = 0;
    std::string body;             // answer + authority + additional RRs
    std::uint32_t additional_offset = 0;  // where the additional section starts in body
    // The additional section may be cut, never the rest (DESIGN.md §4: "additional data is left
    // out (never TC) when it does not fit"): end offsets of each additional RRset in body and
    // the number of RRs up to and including it.
    std::vector<std::uint32_t> additional_ends;
    std::vector<std::uint16_t> additional_counts;

    // Template answers (NXDOMAIN, referrals below a cut) serve many query names, so the owner
    // of some RRs is a pointer to a suffix of the question name whose offset depends on the
    // query's name length: patch offset = 12 + qname_length - anchor_length.
    std::vector<std::uint16_t> patch_positions;  // positions in body of 2-octet pointers
    std::uint16_t anchor_length = 0;             // wire length of the suffix pointed to
};

}  // namespace sipdns::zone
