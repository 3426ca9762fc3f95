// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// TSIG (RFC 8945): the HMAC over a DNS message with a secret shared with the secondaries.
// Parsing and verifying a request's TSIG RR (§5.2), signing a response (§5.3), every message of
// a zone transfer (§5.3.1) and a request of our own (NOTIFY, §5.1). HMAC from OpenSSL libcrypto.
// Not on the unsigned query path: signing allocates.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sipdns::engine {

enum class TsigAlgorithm : std::uint8_t { HmacSha1, HmacSha256, HmacSha384, HmacSha512 };

// A key as both ends know it (RFC 8945 §6: name and algorithm identify it).
struct TsigKey {
    std::string name;  // wire form, lower case
    TsigAlgorithm algorithm = TsigAlgorithm::HmacSha256;
    std::string secret;  // octets
    bool operator==(const TsigKey&) const = default;
};

// "hmac-sha256" etc. (the site file's and BIND's names) -> the algorithm; nullopt if unknown.
std::optional<TsigAlgorithm> tsig_algorithm_from_name(std::string_view name);
// The algorithm's name as the site file writes it ("hmac-sha256").
std::string_view tsig_algorithm_name(TsigAlgorithm algorithm);
// The algorithm's domain name in wire form (RFC 8945 §6: hmac-sha256. etc.; HMAC-MD5 absent).
std::string_view tsig_algorithm_wire(TsigAlgorithm algorithm);
// Full MAC length: the hash's output size.
std::size_t tsig_mac_size(TsigAlgorithm algorithm);

// A key from the site file's text: name ("sipdns-transfer", no trailing dot needed),
// algorithm name, secret octets. nullopt when the algorithm is unknown.
std::optional<TsigKey> make_tsig_key(std::string_view name_text, std::string_view algorithm,
                                     std::string secret);

// TSIG error codes (RFC 8945 §3, the TSIG RR's Error field).
namespace tsig_error {
inline constexpr std::uint16_t BadSig = 16;
inline constexpr std::uint16_t BadKey = 17;
inline constexpr std::uint16_t BadTime = 18;
inline constexpr std::uint16_t BadTrunc = 22;
}  // namespace tsig_error
// "BADSIG" etc. for the log; "NOERROR" for 0.
std::string_view tsig_error_name(std::uint16_t error);

// The fudge we sign with: RFC 8945 §10 recommends 300 seconds.
inline constexpr std::uint16_t kTsigFudge = 300;

// Octets a TSIG RR signed with `key` adds to a message (Other Data: 6 for BADTIME).
std::size_t tsig_record_size(const TsigKey& key, std::size_t other_length = 0);
// The most a TSIG RR of any key can add (names of 255 octets, a 64-octet MAC, 6 octets of
// Other Data): what a message writer that does not know the key leaves free.
inline constexpr std::size_t kMaxTsigRecordSize = 255 + 10 + 255 + 6 + 2 + 2 + 64 + 2 + 2 + 2 + 6;

// A TSIG RR as found in a message (RFC 8945 §4.2), its fields bounds-checked.
struct TsigRecord {
    std::size_t offset = 0;  // where the RR starts: the message before it is what was signed
    std::array<std::uint8_t, 255> name{};  // the key name, uncompressed, lower case
    std::size_t name_length = 0;
    std::array<std::uint8_t, 255> algorithm{};  // lower case
    std::size_t algorithm_length = 0;
    std::uint64_t time_signed = 0;  // 48 bits, seconds since the epoch
    std::uint16_t fudge = 0;
    std::span<const std::uint8_t> mac;
    std::uint16_t original_id = 0;
    std::uint16_t error = 0;
    std::span<const std::uint8_t> other;

    std::string_view name_wire() const {
        return {reinterpret_cast<const char*>(name.data()), name_length};
    }
    std::string_view algorithm_wire() const {
        return {reinterpret_cast<const char*>(algorithm.data()), algorithm_length};
    }
};

// The TSIG RR starting at `offset`, which must run to the end of `message` (it is the last RR,
// RFC 8945 §5.1); false when any field is malformed (FORMERR, §5.2).
bool parse_tsig_record(std::span<const std::uint8_t> message, std::size_t offset,
                       TsigRecord& record);

// RFC 8945 §5.2, in its order: the key (name and algorithm) -> BADKEY; the MAC -> BADSIG (a
// MAC shorter than the hash: BADTRUNC, FORMERR below half of it or 10 octets, §5.2.2.1); the
// time, Time Signed within Fudge of `now` (seconds since the epoch) -> BADTIME.
enum class TsigVerdict : std::uint8_t { Ok, FormErr, BadKey, BadSig, BadTime, BadTrunc };
TsigVerdict verify_tsig(std::span<const std::uint8_t> message, const TsigRecord& record,
                        const TsigKey* key, std::uint64_t now);

// What a signed message's TSIG RR says besides the MAC.
struct TsigSigning {
    std::uint64_t time_signed = 0;
    std::uint16_t error = 0;
    std::uint64_t other_time = 0;  // BADTIME: our time in Other Data (§5.2.3); else none
    bool with_other_time = false;
    // §5.3.1: the second and later messages of a transfer sign the previous MAC, the message
    // and the timers (Time Signed, Fudge) only.
    bool timers_only = false;
};

// Appends a TSIG RR signed with `key` to the message in out[0, length) and counts it in
// ARCOUNT. `prior_mac`: the request's MAC for a response (§5.3), the previous message's for a
// later message of a transfer (§5.3.1), empty for a request of our own (§5.1). The MAC goes
// to `mac_out` when given (the next message's prior MAC). Returns the new length; 0 when
// `out` has no room.
std::size_t append_tsig(std::span<std::uint8_t> out, std::size_t length, const TsigKey& key,
                        std::span<const std::uint8_t> prior_mac, const TsigSigning& signing,
                        std::vector<std::uint8_t>* mac_out = nullptr);

// The unsigned TSIG RR of a BADKEY / BADSIG answer (§5.3.2: MAC size 0), the request's key and
// algorithm names and time. Returns the new length; 0 when `out` has no room.
std::size_t append_unsigned_tsig(std::span<std::uint8_t> out, std::size_t length,
                                 const TsigRecord& request, std::uint16_t error);

// Every message of a transfer (framed, each behind its 2-octet TCP length) signed with `key`,
// as RFC 8945 §5.3.1 says: the first with the request's MAC and every TSIG variable, each later
// one with the previous message's MAC and the timers. `request`: the signed AXFR/IXFR query
// (respond() verified it). Empty when the request carries no TSIG or a message has no room.
std::vector<std::uint8_t> sign_transfer(std::span<const std::uint8_t> request,
                                        std::span<const std::uint8_t> framed_messages,
                                        const TsigKey& key, std::uint64_t now);

// Seconds since the epoch, from the system clock: for callers that do not pass their own.
std::uint64_t tsig_clock_now();

}  // namespace sipdns::engine
