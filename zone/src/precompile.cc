// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#include "precompile.h"

#include <string>
#include <utility>
#include <vector>

#include "sipdns/zone/name.h"
#include "sipdns/zone/rr_types.h"

namespace sipdns::zone {

namespace {

constexpr std::uint16_t kMaxPointerOffset = 0x3fff;  // RFC 1035 §4.1.4: 14-bit offsets

// RFC 3597 §4: only the well-known types of RFC 1035 may have their rdata names compressed.
bool rdata_names_compressible(std::uint16_t type) {
    return type == rrtype::NS || type == rrtype::CNAME || type == rrtype::SOA ||
           type == rrtype::PTR || type == rrtype::MX;
}

class BodyWriter {
public:
    // Writes into `answer` and keeps its suffixes in `offsets`, both emptied first: an
    // AnswerEncoder hands the same ones to every answer it encodes (their capacity reused).
    BodyWriter(EncodeMode mode, std::string_view name,
               std::vector<std::pair<std::string_view, std::uint16_t>>& offsets,
               EncodedAnswer& answer)
        : mode_(mode), anchor_(name), offsets_(offsets), body_(answer.body), answer_(answer) {
        offsets_.clear();
        std::string body = std::move(answer_.body);
        std::vector<AdditionalCut> cuts = std::move(answer_.cuts);
        std::vector<std::uint16_t> patches = std::move(answer_.patch_positions);
        answer_ = EncodedAnswer{};
        body.clear();
        cuts.clear();
        patches.clear();
        answer_.body = std::move(body);
        answer_.cuts = std::move(cuts);
        answer_.patch_positions = std::move(patches);
        if (mode_ == EncodeMode::Exact) {
            // The question name sits at offset 12; every suffix of it can be pointed to.
            for (std::size_t i = 0; i < anchor_.size() && anchor_[i] != 0;
                 i += static_cast<unsigned char>(anchor_[i]) + 1u)
                offsets_.push_back({anchor_.substr(i), static_cast<std::uint16_t>(kQuestionOffset + i)});
            base_ = kQuestionOffset + anchor_.size() + 4;  // + QTYPE, QCLASS
        }
    }

    std::string& body() { return body_; }
    EncodedAnswer& answer() { return answer_; }

    void write_name(std::string_view name, bool compress) {
        if (mode_ == EncodeMode::Exact) return write_exact(name, compress);
        if (mode_ == EncodeMode::QnameTemplate && name == anchor_) {
            put16(0xc000 | kQuestionOffset);
            return;
        }
        if (mode_ == EncodeMode::SuffixTemplate && compress &&
            name_is_at_or_below(name, anchor_)) {
            body_.append(name.substr(0, name.size() - anchor_.size()));
            answer_.patch_positions.push_back(static_cast<std::uint16_t>(body_.size()));
            put16(0);  // patched per query
            return;
        }
        body_.append(name);
    }

    void write_rr(std::string_view owner, const RRset& set, std::string_view rd,
                  std::uint32_t ttl) {
        write_name(owner, true);
        put16(set.type);
        put16(rrclass::IN);
        put32(ttl);
        const std::size_t rdlength_at = body_.size();
        put16(0);
        write_rdata(set.type, rd);
        const std::size_t len = body_.size() - rdlength_at - 2;
        body_[rdlength_at] = static_cast<char>(len >> 8);
        body_[rdlength_at + 1] = static_cast<char>(len & 0xff);
    }

    void put16(std::uint16_t v) {
        body_.push_back(static_cast<char>(v >> 8));
        body_.push_back(static_cast<char>(v & 0xff));
    }
    void put32(std::uint32_t v) {
        put16(static_cast<std::uint16_t>(v >> 16));
        put16(static_cast<std::uint16_t>(v & 0xffff));
    }

private:
    void write_exact(std::string_view name, bool compress) {
        // Longest known suffix first; record each new suffix written so later names can point
        // to it.
        std::size_t i = 0;
        while (i < name.size() && name[i] != 0) {
            const std::string_view suffix = name.substr(i);
            if (compress) {
                if (const auto* known = find_suffix(suffix)) {
                    put16(static_cast<std::uint16_t>(0xc000 | *known));
                    return;
                }
            }
            const std::size_t at = base_ + body_.size();
            if (at <= kMaxPointerOffset && !find_suffix(suffix))
                offsets_.push_back({suffix, static_cast<std::uint16_t>(at)});
            const auto len = static_cast<unsigned char>(name[i]);
            body_.append(name.substr(i, len + 1u));
            i += len + 1u;
        }
        body_.push_back('\0');
    }

    void write_rdata(std::uint16_t type, std::string_view rd) {
        if (!rdata_names_compressible(type)) {
            body_.append(rd);
            return;
        }
        if (type == rrtype::SOA) {
            const std::size_t m = name_wire_length(rd);
            const std::size_t r = name_wire_length(rd.substr(m));
            write_name(rd.substr(0, m), true);
            write_name(rd.substr(m, r), true);
            body_.append(rd.substr(m + r));
            return;
        }
        const std::size_t at = type == rrtype::MX ? 2 : 0;
        body_.append(rd.substr(0, at));
        write_name(rd.substr(at), true);
    }

    const std::uint16_t* find_suffix(std::string_view suffix) const {
        for (const auto& [name, offset] : offsets_)
            if (name == suffix) return &offset;
        return nullptr;
    }

    EncodeMode mode_;
    std::string_view anchor_;
    std::size_t base_ = 0;
    // Names already written and where: views into the names being encoded (they outlive the
    // writer). A linear list: an answer holds a few dozen names at most.
    std::vector<std::pair<std::string_view, std::uint16_t>>& offsets_;
    std::string& body_;  // answer_.body
    EncodedAnswer& answer_;
};

std::uint8_t rcode_of(LookupStatus s) {
    return s == LookupStatus::NxDomain ? 3 : s == LookupStatus::NotAuthoritative ? 5 : 0;
}

}  // namespace

EncodedAnswer encode_answer(const LookupResult& result, EncodeMode mode,
                            std::string_view qname_or_anchor) {
    AnswerEncoder encoder;
    return encoder.encode(result, mode, qname_or_anchor);
}

const EncodedAnswer& AnswerEncoder::encode(const LookupResult& result, EncodeMode mode,
                                           std::string_view qname_or_anchor) {
    BodyWriter w(mode, qname_or_anchor, offsets_, answer_);
    EncodedAnswer& a = w.answer();
    a.rcode = rcode_of(result.status);
    a.authoritative = result.status != LookupStatus::Referral &&
                      result.status != LookupStatus::NotAuthoritative;
    if (mode == EncodeMode::SuffixTemplate)
        a.anchor_length = static_cast<std::uint16_t>(qname_or_anchor.size());

    // (The negative SOA already carries min(SOA TTL, minimum): Zone::set_negative.)
    auto write_section = [&](const std::vector<RRsetRef>& section) {
        std::uint16_t count = 0;
        for (const auto& ref : section) {
            for (const auto& rd : ref.rrset->rdatas) {
                w.write_rr(ref.owner, *ref.rrset, rd, ref.rrset->ttl);
                ++count;
            }
        }
        return count;
    };
    a.ancount = write_section(result.answer);
    a.nscount = write_section(result.authority);
    a.additional_offset = static_cast<std::uint32_t>(w.body().size());
    std::uint16_t ar = 0;
    for (const auto& ref : result.additional) {
        if (a.cuts.size() == 255) break;  // AnswerStore keeps at most 255 cut points
        for (const auto& rd : ref.rrset->rdatas) {
            w.write_rr(ref.owner, *ref.rrset, rd, ref.rrset->ttl);
            ++ar;
        }
        a.cuts.push_back({static_cast<std::uint32_t>(w.body().size()), ar});
    }
    a.arcount = ar;
    return a;
}

}  // namespace sipdns::zone
