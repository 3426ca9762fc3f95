// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// The SIP messages of a health probe, without sockets: the OPTIONS request (RFC 3261 §11) and
// a bounded, strict parse of the response's status line and the headers a client transaction
// needs to match it (RFC 3261 §17.1.3: the top Via's branch and the CSeq method).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "sipdns/config/site_config.h"

namespace sipdns::health {

// The site file's transports; config::transport_name gives "udp", "tcp", "tls", as the
// transport= URI parameter (RFC 3261 §19.1.1) and log text write them.
using Transport = config::SipTransport;
using config::transport_name;
// "UDP", "TCP", "TLS": the Via's sent-protocol transport (RFC 3261 §20.42).
std::string_view via_transport(Transport transport);

// A response bigger than this is malformed (nothing a liveness probe needs is that large;
// RFC 3261 §18.1.1 keeps UDP messages far below it).
inline constexpr std::size_t kMaxResponseBytes = 64 * 1024;

struct OptionsRequest {
    std::string target_name;  // host name without a trailing dot (Request-URI, To)
    std::uint16_t target_port = 0;
    Transport transport = Transport::Udp;
    std::string local_host;   // our address as URI host text: "192.0.2.1" or "[2001:db8::1]"
    std::uint16_t local_port = 0;
    std::string branch;       // the whole branch, magic cookie "z9hG4bK" included
    std::string from_tag;
    std::string call_id;      // the whole Call-ID, "...@host" included
    std::uint32_t cseq = 1;
};

// The OPTIONS request as sent on the wire (CRLF line ends, Content-Length: 0, no body).
std::string build_options(const OptionsRequest& request);

// A fresh branch (RFC 3261 §8.1.1.7: begins with the magic cookie "z9hG4bK"), tag or Call-ID
// part: `length` random lower-case hex digits from the caller's generator.
template <class RandomEngine>
std::string random_token(RandomEngine& engine, std::size_t length) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string token;
    token.reserve(length);
    for (std::size_t i = 0; i < length; ++i) token.push_back(kHex[engine() % 16]);
    return token;
}

struct SipResponse {
    int status = 0;             // 100..699
    std::string reason;         // Reason-Phrase, may be empty
    std::string branch;         // the top Via's branch parameter
    std::string cseq_method;    // "OPTIONS"
    std::uint32_t cseq_number = 0;
    std::size_t total_length = 0;  // bytes of this message (headers + body) in the input
};

enum class ParseStatus : std::uint8_t { Complete, NeedMore, Malformed };

struct ParseResult {
    ParseStatus status = ParseStatus::NeedMore;
    SipResponse response;  // when Complete
    std::string error;     // when Malformed: what was wrong, for the probe's failure reason
};

// How the input was framed: a stream (TCP, TLS) may hold a partial message (NeedMore) and needs
// Content-Length to find the end (RFC 3261 §18.3); a datagram is one whole message, whose
// Content-Length may not claim more than it holds.
enum class Framing : std::uint8_t { Stream, Datagram };

// Parses one response from the start of `input`. Strict: "SIP/2.0 NNN reason" CRLF, header
// lines (folded continuation lines allowed, RFC 3261 §7.3.1) up to an empty line, a top Via
// with a branch, a CSeq, at most kMaxResponseBytes. Requests and anything else are Malformed.
ParseResult parse_response(std::string_view input, Framing framing = Framing::Stream);

}  // namespace sipdns::health
