// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// Precompiled response bodies (docs/design.md §7): everything after the question section, encoded
// at zone build time with compression pointers into the question name at offset 12. At query time
// the engine copies header + question + body and patches ID/flags/counts — no lookup logic and no
// allocation per query.
//
// Memory is traded for speed, but not wasted: every body of a zone set lives in one byte arena
// (AnswerStore) and each answer is a 32-byte record of offsets and counts into it.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sipdns::zone {

inline constexpr std::uint16_t kQuestionOffset = 12;  // RFC 1035 §4.1.1: header is 12 octets

// The additional section may be cut, never the rest (docs/design.md §4: additional RRsets that
// do not fit are left out whole, never TC): where each additional RRset ends in the body, and
// the number of RRs up to and including it.
struct AdditionalCut {
    std::uint32_t end;
    std::uint16_t count;
};

struct PrecompiledAnswer {
    std::uint32_t body_offset = 0;        // into AnswerStore::bytes
    std::uint32_t body_length = 0;
    std::uint32_t additional_offset = 0;  // where the additional section starts, in the body
    std::uint32_t extras_index = 0;       // first patch position / additional cut in the store
    std::uint16_t ancount = 0;
    std::uint16_t nscount = 0;
    std::uint16_t arcount = 0;
    // Template answers (NXDOMAIN, NODATA, referrals below a cut) serve many query names, so the
    // owner of some RRs is a pointer to a suffix of the question name whose offset depends on
    // the query's name length: pointer = 12 + qname_length - anchor_length.
    std::uint16_t anchor_length = 0;
    std::uint8_t rcode = 0;               // RFC 1035 §4.1.1 RCODE
    bool authoritative = true;            // AA
    std::uint8_t patch_count = 0;         // 2-octet pointers to write, positions in body
    std::uint8_t cut_count = 0;           // additional RRsets (AdditionalCut entries)
};

// An answer as the encoder produces it, before it moves into the store.
struct EncodedAnswer {
    std::uint8_t rcode = 0;
    bool authoritative = true;
    std::uint16_t ancount = 0, nscount = 0, arcount = 0;
    std::string body;
    std::uint32_t additional_offset = 0;
    std::vector<AdditionalCut> cuts;
    std::vector<std::uint16_t> patch_positions;
    std::uint16_t anchor_length = 0;
};

class AnswerStore {
public:
    PrecompiledAnswer add(const EncodedAnswer& e);

    std::string_view body(const PrecompiledAnswer& a) const {
        return std::string_view(bytes_).substr(a.body_offset, a.body_length);
    }
    std::span<const std::uint16_t> patches(const PrecompiledAnswer& a) const {
        return {patches_.data() + a.extras_index, a.patch_count};
    }
    std::span<const AdditionalCut> cuts(const PrecompiledAnswer& a) const {
        return {cuts_.data() + a.extras_index, a.cut_count};
    }
    std::size_t bytes() const { return bytes_.size(); }
    // Room for `body_bytes` of bodies, made before the answers are added: growing 12 MiB of
    // bodies by doubling touched twice the memory (page faults are most of the cost).
    void reserve(std::size_t body_bytes) { bytes_.reserve(body_bytes); }
    void shrink_to_fit();

private:
    std::string bytes_;
    // Indexed by extras_index: patches and cuts share the index (both vectors grow together).
    std::vector<std::uint16_t> patches_;
    std::vector<AdditionalCut> cuts_;
};

}  // namespace sipdns::zone
