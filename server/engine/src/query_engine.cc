// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#include "sipdns/engine/query_engine.h"

#include <algorithm>
#include <cstring>
#include <optional>
#include <string_view>

#include "query_parser.h"
#include "sipdns/zone/name.h"
#include "sipdns/zone/rr_types.h"
#include "sipdns/zone/serial.h"

namespace sipdns::engine {

namespace {

using zone::PrecompiledAnswer;
namespace rrtype = zone::rrtype;
namespace rrclass = zone::rrclass;

constexpr std::uint16_t kOpcodeQuery = 0;
constexpr std::uint16_t kOpcodeNotify = 4;
constexpr std::uint16_t kOptionNsid = 3;
constexpr std::uint16_t kOptionClientSubnet = 8;  // RFC 7871 §6
constexpr std::uint16_t kOptionCookie = 10;       // RFC 7873 §4
constexpr std::size_t kPlainUdpLimit = 512;  // RFC 1035 §4.2.1

// Header flag bits (RFC 1035 §4.1.1, RFC 4035 §3.2 for AD/CD).
constexpr std::uint16_t kQr = 0x8000, kAa = 0x0400, kTc = 0x0200, kRd = 0x0100, kRa = 0x0080,
                        kAd = 0x0020, kCd = 0x0010;
constexpr std::uint16_t kOptionExtendedError = 15;  // RFC 8914 §2
// An extended error's EXTRA-TEXT is for the operator; bounded so that it always fits.
constexpr std::size_t kMaxExtendedErrorText = 200;
constexpr std::uint16_t kOpcodeMask = 0x7800;

class ResponseWriter {
public:
    explicit ResponseWriter(std::span<std::uint8_t> out) : out_(out) {}

    std::size_t size() const { return len_; }
    bool put(const void* data, std::size_t n) {
        if (len_ + n > out_.size()) return false;
        std::memcpy(out_.data() + len_, data, n);
        len_ += n;
        return true;
    }
    bool put16(std::uint16_t v) {
        const std::uint8_t b[2] = {static_cast<std::uint8_t>(v >> 8),
                                   static_cast<std::uint8_t>(v & 0xff)};
        return put(b, 2);
    }
    void set16(std::size_t at, std::uint16_t v) {
        out_[at] = static_cast<std::uint8_t>(v >> 8);
        out_[at + 1] = static_cast<std::uint8_t>(v & 0xff);
    }
    void truncate(std::size_t n) { len_ = n; }
    std::uint8_t* data() { return out_.data(); }
    std::span<std::uint8_t> buffer() { return out_; }

private:
    std::span<std::uint8_t> out_;
    std::size_t len_ = 0;
};

struct Counts {
    std::uint16_t qd = 0, an = 0, ns = 0, ar = 0;
};

// An RFC 8914 extended error to send in the OPT record (code, EXTRA-TEXT); none by default.
struct ExtendedError {
    bool present = false;
    std::uint16_t code = 0;
    std::string_view text;
};

// The EDNS Client Subnet option of a reply (RFC 7871 §6): FAMILY, SOURCE PREFIX-LENGTH and
// ADDRESS copied from the query's option, SCOPE PREFIX-LENGTH ours. Absent unless the query
// had a well-formed option and ECS is on (server.ecs_trust).
struct ClientSubnetReply {
    bool present = false;
    std::uint16_t offset = 0;  // of the query's option data (FAMILY)
    std::uint8_t length = 0;   // its OPTION-LENGTH
    std::uint8_t scope = 0;
};

// The COOKIE option of a reply (RFC 7873 §5.2): the query's client cookie and our server
// cookie. Absent unless the query had a well-formed option and cookies are on.
struct CookieReply {
    bool present = false;
    std::uint16_t client_offset = 0;  // of the query's client cookie
    ServerCookie server{};
};

std::size_t opt_size(const ParsedQuery& q, const EngineSettings& s, const ExtendedError& e = {},
                     const ClientSubnetReply& ecs = {}, const CookieReply& cookie = {}) {
    if (!q.has_edns) return 0;
    std::size_t n = 11;  // root name, type, class, ttl, rdlength
    if (q.nsid_requested && !s.nsid.empty()) n += 4 + s.nsid.size();
    if (e.present) n += 4 + 2 + e.text.size();
    if (ecs.present) n += 4 + ecs.length;
    if (cookie.present) n += 4 + kClientCookieSize + kServerCookieSize;
    return n;
}

// RFC 6891 §6.1.2-6.1.3: our payload size, the upper 8 bits of the rcode, version 0, DO copied.
void write_opt(ResponseWriter& w, std::span<const std::uint8_t> query, const ParsedQuery& q,
               const EngineSettings& s, std::uint16_t full_rcode, const ExtendedError& e,
               const ClientSubnetReply& ecs, const CookieReply& cookie) {
    const std::uint8_t root = 0;
    w.put(&root, 1);
    w.put16(rrtype::OPT);
    w.put16(s.edns_udp_size);
    const std::uint8_t ttl[4] = {static_cast<std::uint8_t>(full_rcode >> 4), 0,
                                 static_cast<std::uint8_t>(q.edns_do ? 0x80 : 0), 0};
    w.put(ttl, 4);
    const bool nsid = q.nsid_requested && !s.nsid.empty();
    w.put16(static_cast<std::uint16_t>(opt_size(q, s, e, ecs, cookie) - 11));
    if (nsid) {
        w.put16(kOptionNsid);
        w.put16(static_cast<std::uint16_t>(s.nsid.size()));
        w.put(s.nsid.data(), s.nsid.size());
    }
    if (e.present) {
        // RFC 8914 §2: INFO-CODE, then EXTRA-TEXT (UTF-8, not NUL-terminated).
        w.put16(kOptionExtendedError);
        w.put16(static_cast<std::uint16_t>(2 + e.text.size()));
        w.put16(e.code);
        w.put(e.text.data(), e.text.size());
    }
    if (ecs.present) {
        // RFC 7871 §7.2.1: "The FAMILY, SOURCE PREFIX-LENGTH, and ADDRESS fields MUST be copied
        // from the query"; SCOPE PREFIX-LENGTH (the fourth octet) is ours.
        w.put16(kOptionClientSubnet);
        w.put16(ecs.length);
        const std::uint8_t* option = query.data() + ecs.offset;
        w.put(option, 3);
        w.put(&ecs.scope, 1);
        w.put(option + 4, ecs.length - 4u);
    }
    if (cookie.present) {
        // RFC 7873 §5.2.3-5.2.5: the client cookie copied, then our server cookie.
        w.put16(kOptionCookie);
        w.put16(static_cast<std::uint16_t>(kClientCookieSize + kServerCookieSize));
        w.put(query.data() + cookie.client_offset, kClientCookieSize);
        w.put(cookie.server.data(), cookie.server.size());
    }
}

class Responder {
public:
    Responder(std::span<const std::uint8_t> query, const QueryContext& ctx,
              const EngineSettings& s, std::span<std::uint8_t> out)
        : query_(query), ctx_(ctx), settings_(s), w_(out) {}

    ParsedQuery& parsed() { return q_; }
    std::span<const std::uint8_t> query() const { return query_; }

    // ECS (RFC 7871): echo the query's option (scope 0 until set_client_subnet_scope()).
    void echo_client_subnet() {
        client_subnet_ = {true, q_.ecs_offset, q_.ecs_length, 0};
    }
    void set_client_subnet_scope(std::uint8_t scope) { client_subnet_.scope = scope; }
    std::size_t reply_opt_size() const {
        return opt_size(q_, settings_, {}, client_subnet_, cookie_);
    }

    // DNS Cookies (RFC 7873 §5.2, RFC 9018 §4.3), once the query parsed: judges the query's
    // COOKIE option and prepares the one of the reply. Cookies off, or no option: nothing.
    CookieStatus process_cookie() {
        if (!settings_.cookies || !q_.cookie_present) return cookie_status_ = CookieStatus::None;
        if (q_.cookie_malformed) return cookie_status_ = CookieStatus::Malformed;
        const std::span<const std::uint8_t> client =
            query_.subspan(q_.cookie_offset, kClientCookieSize);
        const config::IpAddress* address = ctx_.has_client ? &ctx_.client : nullptr;
        cookie_.present = true;
        cookie_.client_offset = q_.cookie_offset;
        ServerCookieCheck check = ServerCookieCheck::Invalid;
        if (q_.cookie_length == kClientCookieSize) {
            cookie_status_ = CookieStatus::ClientOnly;
        } else {
            const std::span<const std::uint8_t> server = query_.subspan(
                q_.cookie_offset + kClientCookieSize, q_.cookie_length - kClientCookieSize);
            check = check_server_cookie(client, server, address, ctx_.now_seconds,
                                        settings_.cookie_secrets);
            cookie_status_ = check == ServerCookieCheck::Invalid ? CookieStatus::Invalid
                                                                 : CookieStatus::Valid;
            // A fresh one, made with the current secret, is echoed as it came (RFC 9018 §4.3
            // renews only past half an hour): one hash per query, not two.
            if (check == ServerCookieCheck::Valid) std::copy(server.begin(), server.end(),
                                                             cookie_.server.begin());
        }
        if (check != ServerCookieCheck::Valid)
            cookie_.server = make_server_cookie(client, address, ctx_.now_seconds,
                                                settings_.cookie_secrets.current);
        return cookie_status_;
    }

    // What the transport allows.
    std::size_t transport_limit() const {
        if (ctx_.transport == Transport::Tcp) return kMaxTcpMessage;
        if (!q_.has_edns) return kPlainUdpLimit;
        const std::size_t negotiated = std::clamp<std::size_t>(
            std::min(q_.edns_payload, settings_.edns_udp_size), kPlainUdpLimit, kMinOutputBuffer);
        if (ctx_.udp_payload_limit == 0) return negotiated;
        return std::max<std::size_t>(std::min<std::size_t>(negotiated, ctx_.udp_payload_limit),
                                     kPlainUdpLimit);
    }
    // Less the room the answer's TSIG RR takes (a request's key name may take most of 512
    // octets: then the header and question alone are left, and the TSIG may not fit at all).
    std::size_t limit() const {
        const std::size_t whole = transport_limit();
        return whole > tsig_room_ + 12 ? whole - tsig_room_ : 12;
    }

    // RFC 8945 §5.2: a signed query's TSIG checked before anything else is answered. nullopt:
    // valid, and the answer will be signed (§5.3); else the answer: FORMERR for a malformed
    // TSIG, NOTAUTH with the TSIG error otherwise — unsigned for BADKEY and BADSIG (§5.3.2:
    // the client's key cannot check it), signed for BADTIME (our time in Other Data, §5.2.3)
    // and BADTRUNC.
    std::optional<EngineResult> check_tsig() {
        if (!parse_tsig_record(query_, q_.tsig_offset, tsig_record_)) return error(rcode::FormErr);
        tsig_now_ = ctx_.now_seconds != 0 ? ctx_.now_seconds : tsig_clock_now();
        tsig_key_ = settings_.transfer_key ? &*settings_.transfer_key : nullptr;
        switch (verify_tsig(query_, tsig_record_, tsig_key_, tsig_now_)) {
            case TsigVerdict::Ok:
                tsig_mode_ = TsigMode::Signed;
                tsig_room_ = tsig_record_size(*tsig_key_);
                return std::nullopt;
            case TsigVerdict::FormErr:
                return error(rcode::FormErr);
            case TsigVerdict::BadKey:
                tsig_error_ = tsig_error::BadKey;
                break;
            case TsigVerdict::BadSig:
                tsig_error_ = tsig_error::BadSig;
                break;
            case TsigVerdict::BadTime:
                tsig_error_ = tsig_error::BadTime;
                break;
            case TsigVerdict::BadTrunc:
                tsig_error_ = tsig_error::BadTrunc;
                break;
        }
        if (tsig_error_ == tsig_error::BadKey || tsig_error_ == tsig_error::BadSig) {
            tsig_mode_ = TsigMode::Unsigned;
            tsig_room_ = tsig_record_.name_length + 10 + tsig_record_.algorithm_length + 16;
        } else {
            tsig_mode_ = TsigMode::Signed;
            tsig_room_ = tsig_record_size(*tsig_key_, 6);
        }
        return error(rcode::NotAuth);
    }
    bool tsig_verified() const { return tsig_mode_ == TsigMode::Signed && tsig_error_ == 0; }

    // Header + question (echoed byte for byte: 0x20 case preserved) with the given flags.
    void begin(std::uint16_t flags, bool with_question) {
        w_.truncate(0);
        w_.put16(q_.id);
        w_.put16(flags);
        for (int i = 0; i < 4; ++i) w_.put16(0);
        if (with_question && q_.has_question) {
            w_.put(query_.data() + 12, q_.question_end - 12);
            counts_.qd = 1;
        }
        question_end_ = w_.size();
    }

    // Which response this is, for rate limiting (rate_limiter.h); error() sets its own.
    // Only computed when rate limiting is on: hashing the name costs about 180 instructions, a
    // tenth of a query, which a site that turned RRL off should not pay.
    bool wants_key() const { return settings_.rate_limit.enabled(); }
    void classify(ResponseKind kind, std::string_view name, std::uint16_t qtype) {
        if (wants_key()) key_ = ResponseKey::make(kind, name, qtype);
    }
    void set_key(const ResponseKey& key) { key_ = key; }

    EngineResult finish(std::uint16_t full_rcode, bool truncated) {
        std::size_t opt_offset = 0;
        if (q_.has_edns) {
            opt_offset = w_.size();
            write_opt(w_, query_, q_, settings_, full_rcode, extended_error_, client_subnet_,
                      cookie_);
            ++counts_.ar;
        }
        std::uint16_t flags = static_cast<std::uint16_t>(w_.data()[2] << 8 | w_.data()[3]);
        flags = static_cast<std::uint16_t>((flags & ~0x000f) | (full_rcode & 0xf));
        if (truncated) flags |= kTc;
        w_.set16(2, flags);
        w_.set16(4, counts_.qd);
        w_.set16(6, counts_.an);
        w_.set16(8, counts_.ns);
        w_.set16(10, counts_.ar);
        const std::size_t before_tsig = w_.size();
        if (tsig_mode_ != TsigMode::None) sign();
        EngineResult result{EngineResult::Action::Respond, w_.size(), full_rcode, truncated,
                            q_.qtype};
        if (w_.size() != before_tsig) result.tsig_offset = static_cast<std::uint16_t>(before_tsig);
        result.tsig_error = tsig_error_;
        result.tsig_signed = tsig_mode_ == TsigMode::Signed;
        result.question_end = static_cast<std::uint16_t>(question_end_);
        result.opt_offset = static_cast<std::uint16_t>(opt_offset);
        result.key = key_;
        result.cookie = cookie_status_;
        return result;
    }

    std::uint16_t reply_flags(bool aa) const {
        // QR set, opcode/RD/CD copied (RFC 1035 §4.1.1, RFC 6840 §5.9); RA only on the replies
        // to forwarded queries: for our own zones we are not recursive.
        std::uint16_t f = kQr | static_cast<std::uint16_t>(q_.flags & (kOpcodeMask | kRd | kCd));
        if (aa) f |= kAa;
        if (recursion_available_) f |= kRa;
        return f;
    }

    // The reply to a forwarded query (write_forwarded()): RA=1, the upstream's sections.
    EngineResult forwarded(const UpstreamAnswer& up) {
        recursion_available_ = true;
        const std::span<const std::uint8_t> m = up.message;
        const auto rc = static_cast<std::uint16_t>(m[3] & 0x0f);
        const std::size_t body = m.size() - q_.question_end;
        if (q_.question_end + body + reply_opt_size() > limit())
            return truncated_reply(false, rc);
        // AD only for a validated answer and a client that shows it understands it (RFC 6840
        // §5.8: DO or AD set in the query).
        const bool ad = up.authenticated && (q_.edns_do || (q_.flags & kAd) != 0);
        begin(static_cast<std::uint16_t>(reply_flags(false) | (ad ? kAd : 0)), true);
        const std::size_t at = w_.size();  // == q_.question_end: the same offsets as upstream
        w_.put(m.data() + q_.question_end, body);
        for (const std::uint16_t offset : up.ttl_offsets) {
            if (offset < at || offset + std::size_t{4} > m.size()) continue;
            std::uint8_t* ttl = w_.data() + offset;
            const std::uint32_t value = std::uint32_t{ttl[0]} << 24 | std::uint32_t{ttl[1]} << 16 |
                                        std::uint32_t{ttl[2]} << 8 | ttl[3];
            const std::uint32_t left = value > up.age_seconds ? value - up.age_seconds : 0;
            ttl[0] = static_cast<std::uint8_t>(left >> 24);
            ttl[1] = static_cast<std::uint8_t>(left >> 16);
            ttl[2] = static_cast<std::uint8_t>(left >> 8);
            ttl[3] = static_cast<std::uint8_t>(left);
        }
        counts_.an = static_cast<std::uint16_t>(m[6] << 8 | m[7]);
        counts_.ns = static_cast<std::uint16_t>(m[8] << 8 | m[9]);
        counts_.ar = static_cast<std::uint16_t>(m[10] << 8 | m[11]);
        return finish(rc, false);
    }

    // SERVFAIL, RA=1, for a forwarded query without a usable answer (write_forward_failure()).
    EngineResult forward_failure(std::uint16_t code, std::string_view text) {
        recursion_available_ = true;
        extended_error_ = {true, code, text.substr(0, kMaxExtendedErrorText)};
        return error(rcode::ServFail);
    }

    EngineResult error(std::uint16_t full_rcode) {
        // BIND's errors-per-second: every error to one client prefix is one response.
        classify(ResponseKind::Error, {}, 0);
        begin(reply_flags(false), true);
        return finish(full_rcode, false);
    }

    EngineResult truncated_reply(bool aa, std::uint16_t rc) {
        begin(reply_flags(aa), true);
        return finish(rc, true);
    }

    EngineResult precompiled(const zone::AnswerStore& store, const PrecompiledAnswer& a) {
        const std::size_t budget = limit();
        const std::size_t fixed = q_.question_end + a.additional_offset + reply_opt_size();
        if (fixed > budget) return truncated_reply(a.authoritative, a.rcode);
        begin(reply_flags(a.authoritative), true);
        // Additional RRsets that fit, whole; the rest is left out, never TC (docs/design.md §4).
        std::size_t body_len = a.additional_offset;
        std::uint16_t ar = 0;
        for (const zone::AdditionalCut& cut : store.cuts(a)) {
            if (fixed - a.additional_offset + cut.end > budget) break;
            body_len = cut.end;
            ar = cut.count;
        }
        const std::string_view body = store.body(a);
        const std::size_t body_at = w_.size();
        w_.put(body.data(), body_len);
        if (a.patch_count) {
            // Template: point at the anchor's suffix of this query's name.
            const auto target =
                static_cast<std::uint16_t>(0xc000 | (12 + q_.qname_length - a.anchor_length));
            for (std::uint16_t p : store.patches(a))
                if (p < body_len) w_.set16(body_at + p, target);
        }
        counts_.an = a.ancount;
        counts_.ns = a.nscount;
        counts_.ar = ar;
        return finish(a.rcode, false);
    }

    // An authoritative answer of `rrs`, uncompressed, when all of them fit the transport's
    // limit; nullopt otherwise (nothing written).
    std::optional<EngineResult> records(const std::vector<const zone::JournalRR*>& rrs) {
        std::size_t need = q_.question_end + reply_opt_size();
        for (const auto* rr : rrs) need += rr->wire_size();
        if (need > limit() || rrs.size() > 0xffff) return std::nullopt;
        begin(reply_flags(true), true);
        for (const auto* rr : rrs) {
            w_.put(rr->owner.data(), rr->owner.size());
            w_.put16(rr->type);
            w_.put16(rrclass::IN);
            w_.put16(static_cast<std::uint16_t>(rr->ttl >> 16));
            w_.put16(static_cast<std::uint16_t>(rr->ttl & 0xffff));
            w_.put16(static_cast<std::uint16_t>(rr->rdata.size()));
            w_.put(rr->rdata.data(), rr->rdata.size());
        }
        counts_.an = static_cast<std::uint16_t>(rrs.size());
        return finish(rcode::NoError, false);
    }

    EngineResult chaos(std::string_view text) {
        // RFC 4892: CHAOS TXT; a single TXT string, owner = the question name.
        begin(reply_flags(true), true);
        const std::size_t len = std::min<std::size_t>(text.size(), 255);
        const std::size_t need = 2 + 2 + 2 + 4 + 2 + 1 + len + reply_opt_size();
        if (w_.size() + need > limit()) return truncated_reply(true, rcode::NoError);
        w_.put16(0xc000 | 12);
        w_.put16(rrtype::TXT);
        w_.put16(rrclass::CH);
        w_.put16(0);
        w_.put16(0);
        w_.put16(static_cast<std::uint16_t>(len + 1));
        const auto l = static_cast<std::uint8_t>(len);
        w_.put(&l, 1);
        w_.put(text.data(), len);
        counts_.an = 1;
        return finish(rcode::NoError, false);
    }

private:
    // The answer's TSIG RR (RFC 8945 §5.3), after everything else. limit() left it the room;
    // should it still not fit, the answer goes unsigned rather than not at all.
    void sign() {
        std::size_t n = 0;
        const auto room = w_.buffer().first(std::min(w_.buffer().size(), transport_limit()));
        if (tsig_mode_ == TsigMode::Unsigned) {
            n = append_unsigned_tsig(room, w_.size(), tsig_record_, tsig_error_);
        } else {
            TsigSigning signing;
            // BADTIME: the request's Time Signed, ours in Other Data (§5.2.3).
            signing.time_signed =
                tsig_error_ == tsig_error::BadTime ? tsig_record_.time_signed : tsig_now_;
            signing.error = tsig_error_;
            signing.with_other_time = tsig_error_ == tsig_error::BadTime;
            signing.other_time = tsig_now_;
            n = append_tsig(room, w_.size(), *tsig_key_, tsig_record_.mac, signing);
        }
        if (n != 0) w_.truncate(n);
    }

    enum class TsigMode : std::uint8_t { None, Signed, Unsigned };

    std::span<const std::uint8_t> query_;
    const QueryContext& ctx_;
    const EngineSettings& settings_;
    ResponseWriter w_;
    TsigMode tsig_mode_ = TsigMode::None;
    TsigRecord tsig_record_;
    const TsigKey* tsig_key_ = nullptr;
    std::uint64_t tsig_now_ = 0;
    std::uint16_t tsig_error_ = 0;
    std::size_t tsig_room_ = 0;
    ParsedQuery q_;
    Counts counts_;
    std::size_t question_end_ = 12;
    ResponseKey key_{};
    bool recursion_available_ = false;
    ExtendedError extended_error_;
    ClientSubnetReply client_subnet_;
    CookieReply cookie_;
    CookieStatus cookie_status_ = CookieStatus::None;
};

bool name_equals(const ParsedQuery& q, std::string_view wire) {
    return q.qname_length == wire.size() &&
           std::memcmp(q.qname_lower.data(), wire.data(), wire.size()) == 0;
}

EngineResult answer_chaos(Responder& r, const ParsedQuery& q, const EngineSettings& s) {
    // RFC 4892 identification queries; hidden unless configured (docs/design.md §4).
    if (q.qtype == rrtype::TXT || q.qtype == rrtype::ANY) {
        const std::string* text = nullptr;
        if (name_equals(q, std::string_view("\7version\4bind\0", 14)) ||
            name_equals(q, std::string_view("\7version\6server\0", 16)))
            text = &s.version;
        else if (name_equals(q, std::string_view("\2id\6server\0", 11)) ||
                 name_equals(q, std::string_view("\10hostname\4bind\0", 15)))
            text = &s.identity;
        if (text && !text->empty()) {
            r.classify(ResponseKind::Positive,
                       std::string_view(reinterpret_cast<const char*>(q.qname_lower.data()),
                                        q.qname_length),
                       q.qtype);
            return r.chaos(*text);
        }
    }
    return r.error(rcode::Refused);
}

bool transfer_allowed(const QueryContext& ctx, const EngineSettings& s) {
    if (!ctx.has_client) return false;
    for (const auto& p : s.transfer_allow)
        if (p.contains(ctx.client)) return true;
    return false;
}

std::uint32_t zone_serial(const zone::Zone& zone) {
    return zone::soa_rdata_serial(zone.soa().rdatas.front()).value_or(0);
}

// The journal's deltas from an IXFR query's serial to `our_serial`, when the journal of `apex`
// ends at our serial and reaches back to the client's; nullopt otherwise (no journal, no
// serial in the query, the client as new as we are, or a serial the journal does not hold).
std::optional<std::vector<const zone::ZoneDelta*>> journal_chain(
    std::span<const std::uint8_t> query, std::string_view apex, std::uint32_t our_serial,
    const EngineSettings& s) {
    if (!s.transfer_journals) return std::nullopt;
    const auto found = s.transfer_journals->find(apex);
    if (found == s.transfer_journals->end() || found->second.serial != our_serial)
        return std::nullopt;
    const auto client = ixfr_client_serial(query);
    if (!client || *client == our_serial) return std::nullopt;
    return found->second.chain_from(*client);
}

// AXFR/IXFR (RFC 5936, RFC 1995): only for a zone apex, only from allowed clients (REFUSED,
// §6), over TCP. IXFR over UDP (RFC 1995 §2): the differences when the journal has them and
// they fit in one message, else the SOA alone, the "does not fit" answer that sends the client
// to TCP; AXFR over UDP is not a thing (RFC 5936 §4.2): NOTIMP.
EngineResult transfer(Responder& r, const ParsedQuery& q, const QueryContext& ctx,
                      const zone::ZoneSet& zones, const EngineSettings& s) {
    const std::string_view qname(reinterpret_cast<const char*>(q.qname_lower.data()),
                                 q.qname_length);
    const zone::Zone* zone = zones.find_zone(qname);
    if (!zone) return r.error(rcode::Refused);
    if (zone->apex() != qname) return r.error(rcode::NotAuth);
    if (s.transfer_key) {
        // A key set: the signature is what admits a transfer (RFC 8945 §1); a non-empty
        // `allow` still narrows where from, as an ACL of address and key does in Knot.
        if (!r.tsig_verified()) {
            EngineResult refused = r.error(rcode::Refused);
            refused.tsig_missing = true;
            return refused;
        }
        if (!s.transfer_allow.empty() && !transfer_allowed(ctx, s)) return r.error(rcode::Refused);
    } else if (!transfer_allowed(ctx, s)) {
        return r.error(rcode::Refused);
    }
    if (ctx.transport == Transport::Udp) {
        if (q.qtype == rrtype::AXFR) return r.error(rcode::NotImp);
        r.classify(ResponseKind::Positive, qname, q.qtype);
        // Every view has the transfer view's serial (SOA serials are the site's); the journal
        // is the transfer view's.
        if (auto chain = journal_chain(r.query(), zone->apex(), zone_serial(*zone), s))
            if (auto answer = r.records(ixfr_records(*chain))) return *answer;
        return r.precompiled(zones.answers(), zone->apex_node().answer_for(rrtype::SOA));
    }
    EngineResult result;
    result.action = EngineResult::Action::Transfer;
    result.qtype = q.qtype;
    result.transfer_zone = zone;
    result.tsig_signed = r.tsig_verified();
    return result;
}

// The rate-limit identity of an answer from the zone (BIND's classes, rate_limiter.h):
// NXDOMAIN and NODATA by zone, so that random names cost one bucket; referrals by the node
// above the cut the query fell under; data by qname and qtype — or, when synthesised from a
// wildcard, by the wildcard's owner (random names under it again share one bucket).
ResponseKey classify_answer(const PrecompiledAnswer& a, const zone::Node& owner,
                            bool from_wildcard, std::string_view qname, std::uint16_t qtype) {
    const std::string_view apex = owner.zone ? std::string_view(owner.zone->apex()) : qname;
    if (a.rcode == rcode::NxDomain) return ResponseKey::make(ResponseKind::NxDomain, apex, 0);
    if (!a.authoritative) return ResponseKey::make(ResponseKind::Referral, owner.name, 0);
    if (a.ancount == 0) return ResponseKey::make(ResponseKind::NoData, apex, 0);
    return ResponseKey::make(ResponseKind::Positive, from_wildcard ? owner.name : qname, qtype);
}

// A name in none of our zones: forwarded for a client that may use the forwarder, REFUSED
// otherwise (RFC 5358 §4: no open resolver). A name in our zones never gets here: our zones
// shadow the same names upstream. Only class IN is forwarded.
EngineResult not_ours(Responder& r, const ParsedQuery& q, const QueryContext& ctx,
                      const EngineSettings& s, ForwardQuestion* forward) {
    if (forward == nullptr || !s.forward.enabled || q.qclass != rrclass::IN || !ctx.has_client ||
        !s.forward.allows(ctx.client))
        return r.error(rcode::Refused);
    std::memcpy(forward->qname.data(), q.qname_lower.data(), q.qname_length);
    forward->qname_length = static_cast<std::uint16_t>(q.qname_length);
    forward->qtype = q.qtype;
    forward->dnssec_ok = q.edns_do;
    EngineResult result;
    result.action = EngineResult::Action::Forward;
    result.qtype = q.qtype;
    return result;
}


bool client_subnet_trusted(const QueryContext& ctx, const EngineSettings& s) {
    if (!ctx.has_client) return false;
    for (const auto& p : s.ecs_trust)
        if (p.contains(ctx.client)) return true;
    return false;
}

// The client subnet of a trusted resolver's ECS option (RFC 7871 §6): ADDRESS zero-padded to a
// whole address (its bits past SOURCE PREFIX-LENGTH are zero: parse_query() checked).
config::IpAddress client_subnet_address(std::span<const std::uint8_t> query,
                                        const ParsedQuery& q) {
    config::IpAddress a;
    a.family = q.ecs_family == 1 ? config::IpAddress::Family::V4 : config::IpAddress::Family::V6;
    std::memcpy(a.bytes.data(), query.data() + q.ecs_offset + 4, q.ecs_length - 4u);
    return a;
}

// Where a query's answer comes from when a trusted resolver's ECS option chose the view: the
// site and view, to ask for the reply's SCOPE PREFIX-LENGTH once the answer is known.
struct ClientSubnetView {
    const zone::SiteZones* site = nullptr;
    std::size_t view = 0;
    config::IpAddress address{};
};

// A query parsed into `r` (status: parse_query()'s), answered from `zones`.
EngineResult respond_parsed(Responder& r, ParseStatus status, const QueryContext& context,
                            const zone::ZoneSet& zones, const EngineSettings& settings,
                            ForwardQuestion* forward, const ClientSubnetView* subnet) {
    ParsedQuery& q = r.parsed();
    if (status == ParseStatus::Drop) return {};
    const std::uint16_t opcode = q.opcode();
    if (opcode != kOpcodeQuery && opcode != kOpcodeNotify) {
        // NOTIMP whatever the sections hold: another opcode's message need not have the QUERY
        // layout (DSO, RFC 8490, has TLVs after the header; a server without DSO answers
        // NOTIMP). The question and OPT are echoed only when they parsed as such.
        if (status != ParseStatus::Ok) q.has_question = q.has_edns = false;
        return r.error(rcode::NotImp);
    }
    if (status == ParseStatus::FormErr) return r.error(rcode::FormErr);
    if (q.has_tsig)
        if (auto rejected = r.check_tsig()) return *rejected;
    // DNS Cookies (RFC 7873 §5.2). A malformed option is FORMERR (§5.2.2). A server cookie we
    // did not make, or too old (§5.2.4), over UDP is BADCOOKIE with a new server cookie, as BIND
    // and Knot answer it: the client retries with that one, and a spoofed source learns
    // nothing; over TCP the address is proven by the handshake, so the query is answered as
    // one with a client cookie only (§5.2.3), with a new server cookie.
    switch (r.process_cookie()) {
        case CookieStatus::Malformed:
            return r.error(rcode::FormErr);
        case CookieStatus::Invalid:
            if (context.transport == Transport::Udp) return r.error(rcode::BadCookie);
            break;
        default:
            break;
    }
    if (opcode == kOpcodeNotify) return r.error(rcode::Refused);  // we are nobody's secondary
    if (q.has_edns && q.edns_version > 0) return r.error(rcode::BadVers);  // RFC 6891 §6.1.3
    // ECS on (server.ecs_trust): a malformed option is FORMERR (RFC 7871 §7.2.1), a good one is
    // echoed in every reply, scope 0 unless the answer below depends on the subnet: "An
    // Authoritative Nameserver that implements this protocol and receives an ECS option MUST
    // include an ECS option in its response". From an untrusted source, and with SOURCE
    // PREFIX-LENGTH 0 (§7.1.2: no address to use), the answer does not depend on the option, so
    // scope 0 is the truth: it holds for every subnet. ECS off: the option is ignored.
    if (q.ecs_present && !settings.ecs_trust.empty()) {
        if (q.ecs_malformed) return r.error(rcode::FormErr);
        r.echo_client_subnet();
    }

    if (q.qclass == rrclass::CH) return answer_chaos(r, q, settings);
    if (q.qclass != rrclass::IN && q.qclass != rrclass::ANY) return r.error(rcode::Refused);
    if (q.qtype == rrtype::AXFR || q.qtype == rrtype::IXFR) return transfer(r, q, context, zones, settings);

    const std::string_view qname(reinterpret_cast<const char*>(q.qname_lower.data()),
                                 q.qname_length);
    const PrecompiledAnswer* answer = nullptr;
    const zone::Node* owner = nullptr;  // the node that answers (rate-limit identity)
    bool from_wildcard = false;
    if (const zone::Node* node = zones.find_node(qname)) {
        answer = &node->answer_for(q.qtype);
        owner = node;
    } else {
        // The closest encloser decides (RFC 4592 §3.3.1): NXDOMAIN, wildcard or referral.
        for (std::string_view n = zone::name_parent(qname); !n.empty();
             n = zone::name_parent(n)) {
            const zone::Node* ce = zones.find_node(n);
            if (!ce) continue;
            owner = ce;
            switch (ce->descendants) {
                case zone::Node::DescendantKind::NxDomain:
                    answer = &ce->zone->nxdomain();
                    break;
                case zone::Node::DescendantKind::Wildcard:
                    answer = &ce->wildcard->answer_for(q.qtype);
                    owner = ce->wildcard;
                    from_wildcard = true;
                    break;
                case zone::Node::DescendantKind::Referral:
                    answer = ce->referral;
                    break;
            }
            break;
        }
    }
    if (!answer) return not_ours(r, q, context, settings, forward);
    if (r.wants_key()) r.set_key(classify_answer(*answer, *owner, from_wildcard, qname, q.qtype));
    if (subnet != nullptr)
        r.set_client_subnet_scope(
            subnet->site->client_subnet_scope(subnet->view, *answer, subnet->address));

    // ANY over UDP: TC so the client retries over TCP and gets every RRset (docs/design.md §4,
    // RFC 8482 §4.4 amplification safety without hiding data from `dig ANY`).
    if (q.qtype == rrtype::ANY && context.transport == Transport::Udp && answer->authoritative &&
        answer->ancount > 0)
        return r.truncated_reply(true, answer->rcode);
    return r.precompiled(zones.answers(), *answer);
}

}  // namespace

EngineResult respond(std::span<const std::uint8_t> query, const QueryContext& context,
                     const zone::ZoneSet& zones, const EngineSettings& settings,
                     std::span<std::uint8_t> out, ForwardQuestion* forward) {
    if (out.size() < kPlainUdpLimit) return {};
    Responder r(query, context, settings, out);
    const ParseStatus status = parse_query(query, r.parsed());
    return respond_parsed(r, status, context, zones, settings, forward, nullptr);
}

}  // namespace sipdns::engine

namespace sipdns::engine {

config::IpAddress client_address_v4(const std::uint8_t (&bytes)[4]) {
    config::IpAddress a;
    a.family = config::IpAddress::Family::V4;
    std::memcpy(a.bytes.data(), bytes, 4);
    return a;
}

config::IpAddress client_address_v6(const std::uint8_t (&bytes)[16]) {
    // ::ffff:a.b.c.d (RFC 4291 §2.5.5.2) is an IPv4 client on a dual-stack socket.
    static constexpr std::uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (std::memcmp(bytes, kMapped, 12) == 0) {
        const std::uint8_t v4[4] = {bytes[12], bytes[13], bytes[14], bytes[15]};
        return client_address_v4(v4);
    }
    config::IpAddress a;
    a.family = config::IpAddress::Family::V6;
    std::memcpy(a.bytes.data(), bytes, 16);
    return a;
}

EngineResult respond(std::span<const std::uint8_t> query, const QueryContext& context,
                     const zone::SiteZones& site, const EngineSettings& settings,
                     std::span<std::uint8_t> out, ForwardQuestion* forward) {
    if (out.size() < kPlainUdpLimit) return {};
    Responder r(query, context, settings, out);
    const ParsedQuery& q = r.parsed();
    const ParseStatus status = parse_query(query, r.parsed());
    std::size_t view = 0;
    ClientSubnetView subnet;
    const ClientSubnetView* by_subnet = nullptr;
    if (site.has_location_views()) {
        // A trusted resolver's client subnet stands for the client (RFC 7871 §7.2.1); SOURCE 0
        // means "do not use my address" (§7.1.2): the resolver's own address chooses then.
        if (status == ParseStatus::Ok && q.ecs_present && !q.ecs_malformed &&
            q.ecs_source_length > 0 && client_subnet_trusted(context, settings)) {
            subnet = {&site, 0, client_subnet_address(query, q)};
            view = subnet.view = site.view_index_for(subnet.address);
            by_subnet = &subnet;
        } else if (context.has_client) {
            view = site.view_index_for(context.client);
        }
    }
    const zone::ZoneSet& zones = site.view(view);
    EngineResult result =
        respond_parsed(r, status, context, zones, settings, forward, by_subnet);
    result.view = static_cast<std::uint16_t>(view);
    // A zone transfer carries the view of clients in no location, whoever asks: a secondary
    // must not get another location's data under the same serial (docs/design.md §3), nor the
    // live view with down SIP targets withdrawn: the configured records (§10).
    if (result.action == EngineResult::Action::Transfer && &zones != &site.transfer_view())
        result.transfer_zone = site.transfer_view().find_zone(result.transfer_zone->apex());
    return result;
}

EngineResult write_forwarded(std::span<const std::uint8_t> query, const QueryContext& context,
                             const EngineSettings& settings, const UpstreamAnswer& upstream,
                             std::span<std::uint8_t> out) {
    if (out.size() < kPlainUdpLimit) return {};
    Responder r(query, context, settings, out);
    ParsedQuery& q = r.parsed();
    // The query parsed when respond() forwarded it; anything else is not ours to answer.
    if (parse_query(query, q) != ParseStatus::Ok || !q.has_question) return {};
    // Resolved without the client's subnet: scope 0 (RFC 7871 §7.2.1), as respond() would.
    if (q.ecs_present && !q.ecs_malformed && !settings.ecs_trust.empty()) r.echo_client_subnet();
    // Our cookie as for our own answers (respond() already sent BADCOOKIE where due).
    r.process_cookie();
    const std::span<const std::uint8_t> m = upstream.message;
    if (m.size() < q.question_end || m.size() > kMaxTcpMessage)
        return r.forward_failure(ede::Other, "malformed upstream answer");
    const std::string_view qname(reinterpret_cast<const char*>(q.qname_lower.data()),
                                 q.qname_length);
    // Rate-limit identity (rate_limiter.h): data by name and type; every NXDOMAIN from upstream
    // to one client prefix shares a bucket, as random names under one zone do for our own.
    if (r.wants_key()) {
        const auto rc = static_cast<std::uint16_t>(m[3] & 0x0f);
        const bool empty = m[6] == 0 && m[7] == 0;
        if (rc == rcode::NxDomain)
            r.classify(ResponseKind::NxDomain, {}, 0);
        else if (rc != rcode::NoError)
            r.classify(ResponseKind::Error, {}, 0);
        else
            r.classify(empty ? ResponseKind::NoData : ResponseKind::Positive, qname, q.qtype);
    }
    return r.forwarded(upstream);
}

EngineResult write_forward_failure(std::span<const std::uint8_t> query,
                                   const QueryContext& context, const EngineSettings& settings,
                                   std::uint16_t ede_code, std::string_view ede_text,
                                   std::span<std::uint8_t> out) {
    if (out.size() < kPlainUdpLimit) return {};
    Responder r(query, context, settings, out);
    const ParsedQuery& q = r.parsed();
    if (parse_query(query, r.parsed()) != ParseStatus::Ok || !q.has_question) return {};
    if (q.ecs_present && !q.ecs_malformed && !settings.ecs_trust.empty()) r.echo_client_subnet();
    r.process_cookie();
    return r.forward_failure(ede_code, ede_text);
}

EngineResult rate_limit(const EngineResult& result, const QueryContext& context,
                        const EngineSettings& settings, ResponseRateLimiter& limiter,
                        std::uint64_t now_ms, RateLimitCounters& counters,
                        std::span<std::uint8_t> out) {
    // TCP answers are never limited: a TCP client's address is not spoofed (the handshake), and
    // TCP is where a slip sends real clients.
    if (context.transport != Transport::Udp || !context.has_client ||
        result.action != EngineResult::Action::Respond || !settings.rate_limit.enabled() ||
        result.cookie == CookieStatus::Valid)
        return result;
    switch (limiter.check(settings.rate_limit, context.client, result.key, now_ms, counters)) {
        case RateLimitVerdict::Send:
            return result;
        case RateLimitVerdict::Drop:
            return {};
        case RateLimitVerdict::Slip:
            break;
    }
    // Header + question, then the OPT moved up behind it; every other section emptied.
    const std::size_t question_end = result.question_end;
    const bool has_opt = result.opt_offset != 0;
    if (question_end < 12 || question_end > result.length || result.length > out.size() ||
        (has_opt && (result.opt_offset < question_end || result.opt_offset > result.length)))
        return {};  // not an answer of ours: send nothing rather than something malformed
    // A slip goes unsigned (its TSIG RR would sign other bytes): TC sends the client to TCP,
    // where the signed answer is.
    const std::size_t opt_end = result.tsig_offset != 0 ? result.tsig_offset : result.length;
    if (has_opt && opt_end < result.opt_offset) return {};
    const std::size_t opt_length = has_opt ? opt_end - result.opt_offset : 0;
    if (has_opt) std::memmove(out.data() + question_end, out.data() + result.opt_offset, opt_length);
    out[2] |= 0x02;  // TC (RFC 1035 §4.1.1)
    const std::uint8_t counts[6] = {0, 0, 0, 0, 0, static_cast<std::uint8_t>(has_opt ? 1 : 0)};
    std::memcpy(out.data() + 6, counts, sizeof counts);  // ANCOUNT, NSCOUNT, ARCOUNT
    EngineResult slipped = result;
    slipped.length = question_end + opt_length;
    slipped.truncated = true;
    slipped.opt_offset = static_cast<std::uint16_t>(has_opt ? question_end : 0);
    slipped.tsig_offset = 0;
    slipped.tsig_signed = false;
    return slipped;
}

}  // namespace sipdns::engine

namespace sipdns::engine {

namespace {

constexpr std::size_t kTransferMessageLimit = 16384;  // well under 65535, as Knot and NSD do

void append16(std::vector<std::uint8_t>& v, std::uint16_t x) {
    v.push_back(static_cast<std::uint8_t>(x >> 8));
    v.push_back(static_cast<std::uint8_t>(x & 0xff));
}

class TransferWriter {
public:
    TransferWriter(std::span<const std::uint8_t> query, const ParsedQuery& q,
                   const EngineSettings& s)
        : query_(query), q_(q), settings_(s) {
        begin_message(true);
    }

    void add(const zone::JournalRR& rr) { add(rr.owner, rr.type, rr.ttl, rr.rdata); }

    void add(std::string_view owner, std::uint16_t type, std::uint32_t ttl, std::string_view rd) {
        const std::size_t size = owner.size() + 10 + rd.size();
        if (count_ > 0 &&
            message_.size() + size + opt_size() + tsig_room() > kTransferMessageLimit) {
            end_message();
            begin_message(false);
        }
        message_.insert(message_.end(), owner.begin(), owner.end());
        append16(message_, type);
        append16(message_, rrclass::IN);
        append16(message_, static_cast<std::uint16_t>(ttl >> 16));
        append16(message_, static_cast<std::uint16_t>(ttl & 0xffff));
        append16(message_, static_cast<std::uint16_t>(rd.size()));
        message_.insert(message_.end(), rd.begin(), rd.end());
        ++count_;
    }

    std::vector<std::uint8_t> finish() {
        end_message();
        return std::move(out_);
    }

private:
    std::size_t opt_size() const { return q_.has_edns ? 11 : 0; }
    // sign_transfer() appends a TSIG RR to each message of a signed transfer (RFC 8945 §5.3.1).
    std::size_t tsig_room() const {
        return q_.has_tsig && settings_.transfer_key ? tsig_record_size(*settings_.transfer_key)
                                                     : 0;
    }

    void begin_message(bool first) {
        message_.clear();
        count_ = 0;
        append16(message_, q_.id);
        // QR, AA; opcode QUERY; RD copied (RFC 5936 §2.2.1 header rules).
        append16(message_, static_cast<std::uint16_t>(0x8400 | (q_.flags & 0x0100)));
        append16(message_, first ? 1 : 0);
        append16(message_, 0);
        append16(message_, 0);
        append16(message_, 0);
        if (first)
            message_.insert(message_.end(), query_.begin() + 12,
                            query_.begin() + static_cast<long>(q_.question_end));
    }

    void end_message() {
        message_[6] = static_cast<std::uint8_t>(count_ >> 8);
        message_[7] = static_cast<std::uint8_t>(count_ & 0xff);
        if (q_.has_edns) {
            // RFC 5936 §2.2.5: an OPT in each message when the query had one.
            message_.push_back(0);
            append16(message_, rrtype::OPT);
            append16(message_, settings_.edns_udp_size);
            append16(message_, 0);
            append16(message_, 0);
            append16(message_, 0);
            message_[11] = 1;
        }
        append16(out_, static_cast<std::uint16_t>(message_.size()));
        out_.insert(out_.end(), message_.begin(), message_.end());
    }

    std::span<const std::uint8_t> query_;
    const ParsedQuery& q_;
    const EngineSettings& settings_;
    std::vector<std::uint8_t> message_;
    std::uint16_t count_ = 0;
    std::vector<std::uint8_t> out_;
};

// A wire name at `at` in `m` (labels, ending in a root label or a compression pointer); the
// offset just past it, or nullopt when it runs past the message or is not a name.
std::optional<std::size_t> skip_wire_name(std::span<const std::uint8_t> m, std::size_t at) {
    for (std::size_t labels = 0; labels < 128 && at < m.size(); ++labels) {
        const std::uint8_t length = m[at];
        if ((length & 0xc0) == 0xc0) return at + 2 <= m.size() ? std::optional(at + 2) : std::nullopt;
        if ((length & 0xc0) != 0) return std::nullopt;  // RFC 6891 §5: extended labels are gone
        if (length == 0) return at + 1;
        at += 1 + std::size_t{length};
    }
    return std::nullopt;
}

std::uint16_t read16(std::span<const std::uint8_t> m, std::size_t at) {
    return static_cast<std::uint16_t>(m[at] << 8 | m[at + 1]);
}

}  // namespace

std::optional<std::uint32_t> ixfr_client_serial(std::span<const std::uint8_t> query) {
    // RFC 1995 §3: one question, no answers, the client's SOA in the authority section.
    if (query.size() < 12 || read16(query, 4) != 1 || read16(query, 6) != 0 ||
        read16(query, 8) == 0)
        return std::nullopt;
    auto at = skip_wire_name(query, 12);
    if (!at || *at + 4 > query.size()) return std::nullopt;
    at = skip_wire_name(query, *at + 4);  // the SOA's owner
    if (!at || *at + 10 > query.size() || read16(query, *at) != rrtype::SOA) return std::nullopt;
    const std::size_t rdata = *at + 10;
    const std::size_t rdata_end = rdata + read16(query, *at + 8);
    if (rdata_end > query.size()) return std::nullopt;
    const auto rdata_only = query.first(rdata_end);
    auto serial_at = skip_wire_name(rdata_only, rdata);  // MNAME
    if (serial_at) serial_at = skip_wire_name(rdata_only, *serial_at);  // RNAME
    // SERIAL, then REFRESH, RETRY, EXPIRE, MINIMUM: 20 octets to the end of the rdata.
    if (!serial_at || *serial_at + 20 != rdata_end) return std::nullopt;
    return std::uint32_t{read16(query, *serial_at)} << 16 | read16(query, *serial_at + 2);
}

std::vector<const zone::JournalRR*> ixfr_records(const std::vector<const zone::ZoneDelta*>& chain) {
    std::vector<const zone::JournalRR*> rrs;
    if (chain.empty()) return rrs;
    const zone::JournalRR* current = &chain.back()->new_soa;
    rrs.push_back(current);
    for (const zone::ZoneDelta* delta : chain) {
        rrs.push_back(&delta->old_soa);
        for (const auto& rr : delta->deleted) rrs.push_back(&rr);
        rrs.push_back(&delta->new_soa);
        for (const auto& rr : delta->added) rrs.push_back(&rr);
    }
    rrs.push_back(current);
    return rrs;
}

std::vector<std::uint8_t> write_transfer(std::span<const std::uint8_t> query,
                                         const zone::Zone& zone, const EngineSettings& settings) {
    ParsedQuery q;
    if (parse_query(query, q) != ParseStatus::Ok) return {};
    TransferWriter w(query, q, settings);
    const zone::RRset& soa = zone.soa();
    if (q.qtype == rrtype::IXFR) {
        const std::uint32_t ours = zone_serial(zone);
        const auto client = ixfr_client_serial(query);
        // RFC 1995 §2: a client as new as we are (RFC 1982), or newer, gets our SOA alone.
        if (client && !zone::serial_greater(ours, *client)) {
            w.add(zone.apex(), rrtype::SOA, soa.ttl, soa.rdatas.front());
            return w.finish();
        }
        if (auto chain = journal_chain(query, zone.apex(), ours, settings)) {
            for (const zone::JournalRR* rr : ixfr_records(*chain)) w.add(*rr);
            return w.finish();
        }
    }
    // RFC 5936 §2.2 (and RFC 1995 §4 for an IXFR the journal cannot answer): the SOA, every
    // other RR of the zone (glue included), the SOA again.
    w.add(zone.apex(), rrtype::SOA, soa.ttl, soa.rdatas.front());
    for (const zone::Node* node : zone.nodes_in_canonical_order())
        for (const auto& set : node->rrsets) {
            if (set.type == rrtype::SOA) continue;
            for (const auto& rd : set.rdatas) w.add(node->name, set.type, set.ttl, rd);
        }
    w.add(zone.apex(), rrtype::SOA, soa.ttl, soa.rdatas.front());
    return w.finish();
}

std::vector<std::uint8_t> make_notify(std::string_view apex_wire, std::uint16_t id,
                                      const TsigKey* key, std::uint64_t now) {
    std::vector<std::uint8_t> m;
    append16(m, id);
    append16(m, 0x2400);  // opcode NOTIFY (4), AA (RFC 1996 §3.7)
    append16(m, 1);
    append16(m, 0);
    append16(m, 0);
    append16(m, 0);
    m.insert(m.end(), apex_wire.begin(), apex_wire.end());
    append16(m, rrtype::SOA);
    append16(m, rrclass::IN);
    if (key != nullptr) {
        // RFC 8945 §5.1: a request of ours, signed with no prior MAC.
        const std::size_t length = m.size();
        m.resize(length + tsig_record_size(*key));
        TsigSigning signing;
        signing.time_signed = now != 0 ? now : tsig_clock_now();
        m.resize(append_tsig(m, length, *key, {}, signing));
    }
    return m;
}

}  // namespace sipdns::engine
