// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#include "sipdns/engine/tsig.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <algorithm>
#include <cstring>
#include <ctime>
#include <memory>

#include "query_parser.h"

namespace sipdns::engine {

namespace {

constexpr std::uint16_t kTypeTsig = 250;   // RFC 8945 §4.2
constexpr std::uint16_t kClassAny = 255;   // §4.2: CLASS is ANY
constexpr std::size_t kLengthPrefix = 2;   // RFC 7766 §8 framing
constexpr std::size_t kMaxMac = 64;        // SHA-512

std::uint16_t get16(std::span<const std::uint8_t> m, std::size_t at) {
    return static_cast<std::uint16_t>((m[at] << 8) | m[at + 1]);
}
void set16(std::uint8_t* p, std::uint16_t v) {
    p[0] = static_cast<std::uint8_t>(v >> 8);
    p[1] = static_cast<std::uint8_t>(v & 0xff);
}
void put48(std::uint8_t* p, std::uint64_t v) {
    for (int i = 0; i < 6; ++i) p[i] = static_cast<std::uint8_t>(v >> (8 * (5 - i)));
}

// A name at `at` in `m`, decompressed (pointers go backwards only: no loops) and lower-cased
// into `out` (RFC 8945 §4.3.3: names in canonical form). Returns the offset past the name's own
// octets, 0 when malformed.
std::size_t read_name(std::span<const std::uint8_t> m, std::size_t at,
                      std::array<std::uint8_t, 255>& out, std::size_t& out_length) {
    std::size_t n = 0, end = 0, pos = at;
    while (pos < m.size()) {
        const std::uint8_t len = m[pos];
        if ((len & 0xc0) == 0xc0) {
            if (pos + 2 > m.size()) return 0;
            const std::size_t target = (static_cast<std::size_t>(len & 0x3f) << 8) | m[pos + 1];
            if (target >= pos) return 0;
            if (end == 0) end = pos + 2;
            pos = target;
            continue;
        }
        if (len > 63 || n + len + 1u > out.size() || pos + len + 1u > m.size()) return 0;
        out[n++] = len;
        for (std::size_t i = 1; i <= len; ++i) {
            std::uint8_t c = m[pos + i];
            if (c >= 'A' && c <= 'Z') c = static_cast<std::uint8_t>(c + 32);
            out[n++] = c;
        }
        pos += len + 1u;
        if (len == 0) {
            out_length = n;
            return end != 0 ? end : pos;
        }
    }
    return 0;
}

const EVP_MD* digest_of(TsigAlgorithm a) {
    switch (a) {
        case TsigAlgorithm::HmacSha1: return EVP_sha1();
        case TsigAlgorithm::HmacSha256: return EVP_sha256();
        case TsigAlgorithm::HmacSha384: return EVP_sha384();
        case TsigAlgorithm::HmacSha512: return EVP_sha512();
    }
    return EVP_sha256();
}

// An HMAC (RFC 2104) fed piece by piece: the TSIG input is the message and the variables
// around it, never one buffer.
class Hmac {
public:
    explicit Hmac(const TsigKey& key) {
        mac_.reset(EVP_MAC_fetch(nullptr, "HMAC", nullptr));
        if (mac_) ctx_.reset(EVP_MAC_CTX_new(mac_.get()));
        if (!ctx_) return;
        const char* digest = EVP_MD_get0_name(digest_of(key.algorithm));
        OSSL_PARAM params[] = {
            OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, const_cast<char*>(digest), 0),
            OSSL_PARAM_construct_end()};
        ok_ = EVP_MAC_init(ctx_.get(), reinterpret_cast<const unsigned char*>(key.secret.data()),
                           key.secret.size(), params) == 1;
    }
    void update(const void* data, std::size_t n) {
        if (ok_ && n != 0)
            ok_ = EVP_MAC_update(ctx_.get(), static_cast<const unsigned char*>(data), n) == 1;
    }
    void update16(std::uint16_t v) {
        std::uint8_t b[2];
        set16(b, v);
        update(b, 2);
    }
    // The MAC, or an empty span when OpenSSL failed (the caller treats that as BADSIG / no
    // signature: never a MAC of nothing).
    std::span<const std::uint8_t> finish() {
        std::size_t n = 0;
        if (!ok_ || EVP_MAC_final(ctx_.get(), out_.data(), &n, out_.size()) != 1) return {};
        return {out_.data(), n};
    }

private:
    struct FreeMac {
        void operator()(EVP_MAC* m) const { EVP_MAC_free(m); }
    };
    struct FreeCtx {
        void operator()(EVP_MAC_CTX* c) const { EVP_MAC_CTX_free(c); }
    };
    std::unique_ptr<EVP_MAC, FreeMac> mac_;
    std::unique_ptr<EVP_MAC_CTX, FreeCtx> ctx_;
    std::array<std::uint8_t, EVP_MAX_MD_SIZE> out_{};
    bool ok_ = false;
};

// The message as it was before its TSIG RR was added (RFC 8945 §4.3.1-§4.3.2): the header
// with the Original ID and one additional record less, then everything up to the RR.
void feed_message(Hmac& h, std::span<const std::uint8_t> m, std::size_t tsig_offset,
                  std::uint16_t original_id, std::uint16_t arcount_before) {
    std::uint8_t header[12];
    std::memcpy(header, m.data(), 12);
    set16(header, original_id);
    set16(header + 10, arcount_before);
    h.update(header, 12);
    h.update(m.data() + 12, tsig_offset - 12);
}

// The TSIG variables (§4.3.3), or the timers alone (§5.3.1: later messages of a transfer).
void feed_variables(Hmac& h, std::string_view name, std::string_view algorithm,
                    std::uint64_t time_signed, std::uint16_t fudge, std::uint16_t error,
                    std::span<const std::uint8_t> other, bool timers_only) {
    std::uint8_t timers[8];
    put48(timers, time_signed);
    set16(timers + 6, fudge);
    if (timers_only) {
        h.update(timers, 8);
        return;
    }
    h.update(name.data(), name.size());
    h.update16(kClassAny);
    h.update16(0);
    h.update16(0);  // TTL 0
    h.update(algorithm.data(), algorithm.size());
    h.update(timers, 8);
    h.update16(error);
    h.update16(static_cast<std::uint16_t>(other.size()));
    h.update(other.data(), other.size());
}

// Constant time: a MAC compared byte by byte would tell an attacker how much of it was right.
bool same_mac(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b) {
    return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

// Writes a TSIG RR at out[length]: owner, type, class, TTL, RDLENGTH, then the RDATA.
std::size_t write_record(std::span<std::uint8_t> out, std::size_t length, std::string_view name,
                         std::string_view algorithm, std::uint64_t time_signed,
                         std::uint16_t fudge, std::span<const std::uint8_t> mac,
                         std::uint16_t original_id, std::uint16_t error,
                         std::span<const std::uint8_t> other) {
    const std::size_t rdlength = algorithm.size() + 6 + 2 + 2 + mac.size() + 2 + 2 + 2 + other.size();
    const std::size_t size = name.size() + 10 + rdlength;
    if (length < 12 || length + size > out.size()) return 0;
    std::uint8_t* p = out.data() + length;
    std::memcpy(p, name.data(), name.size());
    p += name.size();
    set16(p, kTypeTsig);
    set16(p + 2, kClassAny);
    std::memset(p + 4, 0, 4);  // TTL 0
    set16(p + 8, static_cast<std::uint16_t>(rdlength));
    p += 10;
    std::memcpy(p, algorithm.data(), algorithm.size());
    p += algorithm.size();
    put48(p, time_signed);
    set16(p + 6, fudge);
    set16(p + 8, static_cast<std::uint16_t>(mac.size()));
    p += 10;
    if (!mac.empty()) std::memcpy(p, mac.data(), mac.size());
    p += mac.size();
    set16(p, original_id);
    set16(p + 2, error);
    set16(p + 4, static_cast<std::uint16_t>(other.size()));
    p += 6;
    if (!other.empty()) std::memcpy(p, other.data(), other.size());
    std::uint8_t* header = out.data();
    set16(header + 10, static_cast<std::uint16_t>(get16(out, 10) + 1));
    return length + size;
}

}  // namespace

std::optional<TsigAlgorithm> tsig_algorithm_from_name(std::string_view name) {
    if (name == "hmac-sha1") return TsigAlgorithm::HmacSha1;
    if (name == "hmac-sha256") return TsigAlgorithm::HmacSha256;
    if (name == "hmac-sha384") return TsigAlgorithm::HmacSha384;
    if (name == "hmac-sha512") return TsigAlgorithm::HmacSha512;
    return std::nullopt;
}

std::string_view tsig_algorithm_name(TsigAlgorithm a) {
    switch (a) {
        case TsigAlgorithm::HmacSha1: return "hmac-sha1";
        case TsigAlgorithm::HmacSha256: return "hmac-sha256";
        case TsigAlgorithm::HmacSha384: return "hmac-sha384";
        case TsigAlgorithm::HmacSha512: return "hmac-sha512";
    }
    return "hmac-sha256";
}

std::string_view tsig_algorithm_wire(TsigAlgorithm a) {
    switch (a) {
        case TsigAlgorithm::HmacSha1: return {"\011hmac-sha1\0", 11};
        case TsigAlgorithm::HmacSha256: return {"\013hmac-sha256\0", 13};
        case TsigAlgorithm::HmacSha384: return {"\013hmac-sha384\0", 13};
        case TsigAlgorithm::HmacSha512: return {"\013hmac-sha512\0", 13};
    }
    return {"\013hmac-sha256\0", 13};
}

std::size_t tsig_mac_size(TsigAlgorithm a) {
    switch (a) {
        case TsigAlgorithm::HmacSha1: return 20;
        case TsigAlgorithm::HmacSha256: return 32;
        case TsigAlgorithm::HmacSha384: return 48;
        case TsigAlgorithm::HmacSha512: return 64;
    }
    return 32;
}

std::optional<TsigKey> make_tsig_key(std::string_view name_text, std::string_view algorithm,
                                     std::string secret) {
    const auto a = tsig_algorithm_from_name(algorithm);
    if (!a) return std::nullopt;
    TsigKey key;
    key.algorithm = *a;
    key.secret = std::move(secret);
    // Text to wire, lower case (§4.3.3: canonical form); the loader checked the labels.
    std::string_view rest = name_text;
    if (rest.ends_with('.')) rest.remove_suffix(1);
    while (!rest.empty()) {
        const std::size_t dot = rest.find('.');
        const std::string_view label = rest.substr(0, dot);
        if (label.empty() || label.size() > 63) return std::nullopt;
        key.name.push_back(static_cast<char>(label.size()));
        for (char c : label) key.name.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c);
        if (dot == std::string_view::npos) break;
        rest.remove_prefix(dot + 1);
    }
    key.name.push_back('\0');
    if (key.name.size() > 255) return std::nullopt;
    return key;
}

std::string_view tsig_error_name(std::uint16_t error) {
    switch (error) {
        case 0: return "NOERROR";
        case tsig_error::BadSig: return "BADSIG";
        case tsig_error::BadKey: return "BADKEY";
        case tsig_error::BadTime: return "BADTIME";
        case tsig_error::BadTrunc: return "BADTRUNC";
        default: return "FORMERR";
    }
}

std::size_t tsig_record_size(const TsigKey& key, std::size_t other_length) {
    return key.name.size() + 10 + tsig_algorithm_wire(key.algorithm).size() + 6 + 2 + 2 +
           tsig_mac_size(key.algorithm) + 2 + 2 + 2 + other_length;
}

bool parse_tsig_record(std::span<const std::uint8_t> m, std::size_t offset, TsigRecord& r) {
    if (offset < 12 || offset >= m.size()) return false;
    r.offset = offset;
    std::size_t at = read_name(m, offset, r.name, r.name_length);
    if (at == 0 || at + 10 > m.size()) return false;
    if (get16(m, at) != kTypeTsig) return false;
    // §4.2: CLASS ANY, TTL 0.
    if (get16(m, at + 2) != kClassAny || get16(m, at + 4) != 0 || get16(m, at + 6) != 0)
        return false;
    const std::size_t rdlength = get16(m, at + 8);
    at += 10;
    const std::size_t end = at + rdlength;
    if (end != m.size()) return false;  // the last RR, and nothing after it
    // The algorithm name is never compressed (§4.2): a pointer in it is malformed.
    std::size_t n = 0;
    for (;;) {
        if (at >= end) return false;
        const std::uint8_t len = m[at];
        if (len > 63 || n + len + 1u > r.algorithm.size() || at + len + 1u > end) return false;
        r.algorithm[n++] = len;
        for (std::size_t i = 1; i <= len; ++i) {
            std::uint8_t c = m[at + i];
            if (c >= 'A' && c <= 'Z') c = static_cast<std::uint8_t>(c + 32);
            r.algorithm[n++] = c;
        }
        at += len + 1u;
        if (len == 0) break;
    }
    r.algorithm_length = n;
    if (at + 10 > end) return false;
    r.time_signed = 0;
    for (int i = 0; i < 6; ++i) r.time_signed = (r.time_signed << 8) | m[at + static_cast<std::size_t>(i)];
    r.fudge = get16(m, at + 6);
    const std::size_t mac_size = get16(m, at + 8);
    at += 10;
    if (at + mac_size + 6 > end) return false;
    r.mac = m.subspan(at, mac_size);
    at += mac_size;
    r.original_id = get16(m, at);
    r.error = get16(m, at + 2);
    const std::size_t other_length = get16(m, at + 4);
    at += 6;
    if (at + other_length != end) return false;
    r.other = m.subspan(at, other_length);
    return true;
}

TsigVerdict verify_tsig(std::span<const std::uint8_t> m, const TsigRecord& r, const TsigKey* key,
                        std::uint64_t now) {
    // §5.2.1: a key we know, under this name and with this algorithm.
    if (key == nullptr || r.name_wire() != key->name ||
        r.algorithm_wire() != tsig_algorithm_wire(key->algorithm))
        return TsigVerdict::BadKey;
    // §5.2.2.1: a truncated MAC shorter than half the hash or 10 octets, or a MAC longer than
    // the hash, is FORMERR; any other truncation is below our policy (the whole MAC): BADTRUNC,
    // once the part that was sent is right.
    const std::size_t full = tsig_mac_size(key->algorithm);
    if (r.mac.size() > full || r.mac.size() < std::max<std::size_t>(10, (full + 1) / 2))
        return TsigVerdict::FormErr;
    const std::uint16_t arcount = get16(m, 10);
    if (arcount == 0) return TsigVerdict::FormErr;
    Hmac h(*key);
    feed_message(h, m, r.offset, r.original_id, static_cast<std::uint16_t>(arcount - 1));
    feed_variables(h, r.name_wire(), r.algorithm_wire(), r.time_signed, r.fudge, r.error, r.other,
                   false);
    const auto mac = h.finish();
    if (mac.size() != full || !same_mac(mac.first(r.mac.size()), r.mac)) return TsigVerdict::BadSig;
    if (r.mac.size() < full) return TsigVerdict::BadTrunc;
    // §5.2.3: Time Signed within Fudge of our clock, either way.
    const std::uint64_t skew = now > r.time_signed ? now - r.time_signed : r.time_signed - now;
    if (skew > r.fudge) return TsigVerdict::BadTime;
    return TsigVerdict::Ok;
}

std::size_t append_tsig(std::span<std::uint8_t> out, std::size_t length, const TsigKey& key,
                        std::span<const std::uint8_t> prior_mac, const TsigSigning& s,
                        std::vector<std::uint8_t>* mac_out) {
    if (length < 12 || length > out.size()) return 0;
    std::uint8_t other[6];
    std::span<const std::uint8_t> other_data;
    if (s.with_other_time) {
        put48(other, s.other_time);
        other_data = {other, 6};
    }
    const std::string_view algorithm = tsig_algorithm_wire(key.algorithm);
    const std::uint16_t id = get16(out, 0);
    Hmac h(key);
    if (!prior_mac.empty()) {
        h.update16(static_cast<std::uint16_t>(prior_mac.size()));
        h.update(prior_mac.data(), prior_mac.size());
    }
    h.update(out.data(), length);  // ID and ARCOUNT as they stand: the TSIG is not counted yet
    feed_variables(h, key.name, algorithm, s.time_signed, kTsigFudge, s.error, other_data,
                   s.timers_only);
    const auto mac = h.finish();
    if (mac.empty()) return 0;
    std::array<std::uint8_t, kMaxMac> kept{};
    std::memcpy(kept.data(), mac.data(), mac.size());
    const std::span<const std::uint8_t> mac_span(kept.data(), mac.size());
    const std::size_t n = write_record(out, length, key.name, algorithm, s.time_signed,
                                       kTsigFudge, mac_span, id, s.error, other_data);
    if (n != 0 && mac_out != nullptr) mac_out->assign(mac_span.begin(), mac_span.end());
    return n;
}

std::size_t append_unsigned_tsig(std::span<std::uint8_t> out, std::size_t length,
                                 const TsigRecord& request, std::uint16_t error) {
    if (length < 12 || length > out.size()) return 0;
    return write_record(out, length, request.name_wire(), request.algorithm_wire(),
                        request.time_signed, request.fudge, {}, get16(out, 0), error, {});
}

std::vector<std::uint8_t> sign_transfer(std::span<const std::uint8_t> request,
                                        std::span<const std::uint8_t> framed,
                                        const TsigKey& key, std::uint64_t now) {
    ParsedQuery q;
    TsigRecord record;
    if (parse_query(request, q) != ParseStatus::Ok || !q.has_tsig ||
        !parse_tsig_record(request, q.tsig_offset, record))
        return {};
    std::vector<std::uint8_t> prior(record.mac.begin(), record.mac.end());
    std::vector<std::uint8_t> out;
    out.reserve(framed.size() + (framed.size() / 1024 + 1) * tsig_record_size(key));
    std::vector<std::uint8_t> message;
    bool first = true;
    for (std::size_t at = 0; at + kLengthPrefix <= framed.size();) {
        const std::size_t length = get16(framed, at);
        if (at + kLengthPrefix + length > framed.size() || length < 12) return {};
        message.resize(length + tsig_record_size(key));
        std::memcpy(message.data(), framed.data() + at + kLengthPrefix, length);
        TsigSigning signing;
        signing.time_signed = now;
        signing.timers_only = !first;
        const std::size_t signed_length =
            append_tsig(message, length, key, prior, signing, &prior);
        if (signed_length == 0 || signed_length > 65535) return {};
        out.push_back(static_cast<std::uint8_t>(signed_length >> 8));
        out.push_back(static_cast<std::uint8_t>(signed_length & 0xff));
        out.insert(out.end(), message.begin(), message.begin() + static_cast<long>(signed_length));
        at += kLengthPrefix + length;
        first = false;
    }
    return out;
}

std::uint64_t tsig_clock_now() {
    return static_cast<std::uint64_t>(std::time(nullptr));
}

}  // namespace sipdns::engine
