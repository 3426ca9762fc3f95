// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#include "sipdns/forward/upstream_answer.h"

#include <ldns/ldns.h>

#include <algorithm>
#include <limits>
#include <memory>

namespace sipdns::forward {

namespace {

constexpr std::size_t kHeader = 12;
constexpr std::uint16_t kTypeOpt = 41, kTypeRrsig = 46, kTypeNsec = 47, kTypeNsec3 = 50;

struct PacketDeleter {
    void operator()(ldns_pkt* p) const { ldns_pkt_free(p); }
};
using Packet = std::unique_ptr<ldns_pkt, PacketDeleter>;

std::uint16_t read16(std::span<const std::uint8_t> m, std::size_t at) {
    return static_cast<std::uint16_t>(m[at] << 8 | m[at + 1]);
}

// Past a (possibly compressed) name starting at `at`; 0 if it runs off the message or a label
// is not a label (RFC 1035 §4.1.4: a pointer ends the name).
std::size_t skip_name(std::span<const std::uint8_t> m, std::size_t at) {
    for (std::size_t labels = 0; labels < 128; ++labels) {
        if (at >= m.size()) return 0;
        const std::uint8_t len = m[at];
        if ((len & 0xc0) == 0xc0) return at + 2 <= m.size() ? at + 2 : 0;
        if ((len & 0xc0) != 0) return 0;
        if (len == 0) return at + 1;
        at += 1 + len;
    }
    return 0;
}

// Removes from `list` the DNSSEC records a client without DO does not get.
void strip_dnssec(ldns_rr_list* list, std::uint16_t qtype) {
    if (list == nullptr) return;
    ldns_rr_list* kept = ldns_rr_list_new();
    for (std::size_t i = 0; i < ldns_rr_list_rr_count(list); ++i) {
        ldns_rr* rr = ldns_rr_list_rr(list, i);
        const auto type = static_cast<std::uint16_t>(ldns_rr_get_type(rr));
        const bool dnssec = type == kTypeRrsig || type == kTypeNsec || type == kTypeNsec3;
        if (dnssec && type != qtype)
            ldns_rr_free(rr);
        else
            ldns_rr_list_push_rr(kept, rr);
    }
    ldns_rr_list_set_rr_count(list, 0);
    for (std::size_t i = 0; i < ldns_rr_list_rr_count(kept); ++i)
        ldns_rr_list_push_rr(list, ldns_rr_list_rr(kept, i));
    ldns_rr_list_set_rr_count(kept, 0);
    ldns_rr_list_free(kept);
}

std::uint16_t record_type(std::span<const std::uint8_t> m, std::size_t at) {
    return read16(m, at);
}

}  // namespace

// Removes OPT records from the additional section (ldns puts the OPT last, RFC 6891 §6.1.1
// allows one); an OPT before other additional records takes those with it (they are optional
// data, and cutting them keeps every compression pointer before the cut valid).
Expected<bool, std::string> drop_opt(std::vector<std::uint8_t>& m) {
    if (m.size() < kHeader) return unexpected(std::string("shorter than a DNS header"));
    std::size_t at = kHeader;
    for (std::uint16_t i = 0; i < read16(m, 4); ++i) {
        at = skip_name(m, at);
        if (at == 0 || at + 4 > m.size()) return unexpected(std::string("bad question"));
        at += 4;
    }
    const std::size_t before_additional = std::size_t{read16(m, 6)} + read16(m, 8);
    const std::size_t additional = read16(m, 10);
    for (std::size_t i = 0; i < before_additional + additional; ++i) {
        const std::size_t start = at;
        at = skip_name(m, at);
        if (at == 0 || at + 10 > m.size()) return unexpected(std::string("bad record"));
        if (i >= before_additional && record_type(m, at) == kTypeOpt) {
            m.resize(start);
            const auto kept = static_cast<std::uint16_t>(i - before_additional);
            m[10] = static_cast<std::uint8_t>(kept >> 8);
            m[11] = static_cast<std::uint8_t>(kept & 0xff);
            return true;
        }
        at += 10 + read16(m, at + 8);
        if (at > m.size()) return unexpected(std::string("record data runs past the message"));
    }
    return false;
}

engine::UpstreamAnswer ForwardedAnswer::view(std::chrono::steady_clock::time_point now) const {
    const auto age = std::chrono::duration_cast<std::chrono::seconds>(now - received).count();
    engine::UpstreamAnswer a;
    a.message = message;
    a.ttl_offsets = ttl_offsets;
    a.age_seconds = age > 0 ? static_cast<std::uint32_t>(
                                  std::min<long long>(age, std::numeric_limits<std::uint32_t>::max()))
                            : 0;
    a.authenticated = authenticated;
    return a;
}

Expected<std::vector<std::uint16_t>, std::string> record_ttl_offsets(
    std::span<const std::uint8_t> m) {
    if (m.size() < kHeader) return unexpected(std::string("shorter than a DNS header"));
    if (m.size() > 65535) return unexpected(std::string("longer than a DNS message"));
    std::size_t at = kHeader;
    for (std::uint16_t i = 0; i < read16(m, 4); ++i) {
        at = skip_name(m, at);
        if (at == 0 || at + 4 > m.size()) return unexpected(std::string("bad question"));
        at += 4;
    }
    const std::size_t records = std::size_t{read16(m, 6)} + read16(m, 8) + read16(m, 10);
    std::vector<std::uint16_t> offsets;
    offsets.reserve(records);
    for (std::size_t i = 0; i < records; ++i) {
        at = skip_name(m, at);
        if (at == 0 || at + 10 > m.size()) return unexpected(std::string("bad record"));
        offsets.push_back(static_cast<std::uint16_t>(at + 4));  // TYPE, CLASS, then TTL
        const std::size_t rdlength = read16(m, at + 8);
        at += 10 + rdlength;
        if (at > m.size()) return unexpected(std::string("record data runs past the message"));
    }
    if (at != m.size()) return unexpected(std::string("bytes after the last record"));
    return offsets;
}

Expected<ForwardedAnswer, std::string> normalise_upstream_answer(
    std::span<const std::uint8_t> wire, const engine::ForwardQuestion& question,
    std::uint32_t result_ttl, bool authenticated) {
    ldns_pkt* raw = nullptr;
    if (ldns_wire2pkt(&raw, wire.data(), wire.size()) != LDNS_STATUS_OK || raw == nullptr)
        return unexpected(std::string("the upstream answer does not parse"));
    Packet packet(raw);
    // The question must be ours: its name (any case), type and class IN.
    const ldns_rr_list* q = ldns_pkt_question(packet.get());
    if (q == nullptr || ldns_rr_list_rr_count(q) != 1)
        return unexpected(std::string("the upstream answer has no single question"));
    const ldns_rr* asked = ldns_rr_list_rr(q, 0);
    const ldns_rdf* owner = ldns_rr_owner(asked);
    const std::string_view name = question.name();
    if (owner == nullptr || ldns_rdf_size(owner) != name.size() ||
        !std::equal(name.begin(), name.end(), ldns_rdf_data(owner), [](char a, std::uint8_t b) {
            return static_cast<std::uint8_t>(a) == (b >= 'A' && b <= 'Z' ? b + 32 : b);
        }) ||
        static_cast<std::uint16_t>(ldns_rr_get_type(asked)) != question.qtype ||
        ldns_rr_get_class(asked) != LDNS_RR_CLASS_IN)
        return unexpected(std::string("the upstream answer is for another question"));
    if (!question.dnssec_ok) {
        strip_dnssec(ldns_pkt_answer(packet.get()), question.qtype);
        strip_dnssec(ldns_pkt_authority(packet.get()), question.qtype);
        strip_dnssec(ldns_pkt_additional(packet.get()), question.qtype);
    }
    ldns_pkt_set_ancount(packet.get(), static_cast<std::uint16_t>(
                                           ldns_rr_list_rr_count(ldns_pkt_answer(packet.get()))));
    ldns_pkt_set_nscount(packet.get(), static_cast<std::uint16_t>(ldns_rr_list_rr_count(
                                           ldns_pkt_authority(packet.get()))));
    ldns_pkt_set_arcount(packet.get(), static_cast<std::uint16_t>(ldns_rr_list_rr_count(
                                           ldns_pkt_additional(packet.get()))));
    std::uint8_t* out = nullptr;
    std::size_t out_size = 0;
    if (ldns_pkt2wire(&out, packet.get(), &out_size) != LDNS_STATUS_OK || out == nullptr)
        return unexpected(std::string("the upstream answer cannot be re-encoded"));
    ForwardedAnswer answer;
    answer.message.assign(out, out + out_size);
    LDNS_FREE(out);
    // No OPT: the engine writes ours, for the client's EDNS (RFC 6891 §7: hop by hop). ldns
    // writes the upstream's back whenever the reply had one, so it is cut off here.
    if (auto cut = drop_opt(answer.message); !cut) return unexpected(std::move(cut.error()));
    auto offsets = record_ttl_offsets(answer.message);
    if (!offsets) return unexpected("the re-encoded answer does not parse: " + offsets.error());
    answer.ttl_offsets = std::move(*offsets);
    answer.rcode = static_cast<std::uint16_t>(answer.message[3] & 0x0f);
    answer.authenticated = authenticated;

    // The cache lifetime: the smallest TTL of the records (RFC 2181 §5.2 - an RRset's TTLs are
    // one), capped by libunbound's own TTL for the result (for a negative answer the SOA rule of
    // RFC 2308 §5). An answer without records (a bare SERVFAIL) is not cached.
    std::uint32_t ttl = result_ttl;
    for (const std::uint16_t at : answer.ttl_offsets) {
        const std::uint32_t t = std::uint32_t{answer.message[at]} << 24 |
                                std::uint32_t{answer.message[at + 1]} << 16 |
                                std::uint32_t{answer.message[at + 2]} << 8 | answer.message[at + 3];
        ttl = std::min(ttl, t);
    }
    const bool cacheable = answer.rcode == 0 || answer.rcode == 3;  // NOERROR, NXDOMAIN
    answer.cache_ttl = cacheable && !answer.ttl_offsets.empty() ? ttl : 0;
    return answer;
}

std::string wire_name_to_text(std::string_view wire) {
    std::string text;
    std::size_t at = 0;
    while (at < wire.size()) {
        const auto len = static_cast<std::uint8_t>(wire[at]);
        if (len == 0 || at + 1 + len > wire.size()) break;
        for (std::size_t i = at + 1; i <= at + len; ++i) {
            const auto ch = static_cast<unsigned char>(wire[i]);
            const bool plain = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                               (ch >= '0' && ch <= '9') || ch == '-' || ch == '_';
            if (plain) {
                text += static_cast<char>(ch);
            } else {
                const char escaped[5] = {'\\', static_cast<char>('0' + ch / 100),
                                         static_cast<char>('0' + ch / 10 % 10),
                                         static_cast<char>('0' + ch % 10), 0};
                text += escaped;
            }
        }
        text += '.';
        at += 1 + len;
    }
    return text.empty() ? "." : text;
}

}  // namespace sipdns::forward
