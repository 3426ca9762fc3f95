// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// An upstream reply made fit to serve and to cache: what libunbound returned, checked and
// re-encoded with ldns (off the query path) so that a worker only copies it.
#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "sipdns/config/expected.h"
#include "sipdns/engine/forwarding.h"

namespace sipdns::forward {

struct ForwardedAnswer {
    // A whole message as engine::UpstreamAnswer describes it: no OPT, the question as asked.
    std::vector<std::uint8_t> message;
    std::vector<std::uint16_t> ttl_offsets;
    // How long it may be served from the workers' cache: the smallest TTL in it (RFC 2181
    // §5.2), for a negative answer the SOA's negative TTL (RFC 2308 §5); 0 = do not cache.
    std::uint32_t cache_ttl = 0;
    std::uint16_t rcode = 0;
    bool authenticated = false;
    std::chrono::steady_clock::time_point received{};

    engine::UpstreamAnswer view(std::chrono::steady_clock::time_point now) const;
};

// Checks an upstream reply for `question` and normalises it: the question must be the one
// asked (any case); the OPT record goes (the engine writes ours); DNSSEC records (RRSIG, NSEC,
// NSEC3) go unless the client set DO or asked for that type (RFC 4035 §3.2.1); every record's
// TTL offset is noted. `negative_ttl`: libunbound's TTL for the result (the SOA rule for
// negative answers). An error says what was wrong with the reply.
Expected<ForwardedAnswer, std::string> normalise_upstream_answer(
    std::span<const std::uint8_t> wire, const engine::ForwardQuestion& question,
    std::uint32_t result_ttl, bool authenticated);

// Every record's TTL offset in a message (header, question, three sections), bounds-checked;
// an error if the message does not parse. For tests and for normalise_upstream_answer().
Expected<std::vector<std::uint16_t>, std::string> record_ttl_offsets(
    std::span<const std::uint8_t> message);

// Cuts the OPT record (and any additional record after it) out of a message; true if there
// was one. An error if the message does not parse.
Expected<bool, std::string> drop_opt(std::vector<std::uint8_t>& message);

// A wire name as presentation text for libunbound ("www.example.com."), every byte that is not
// a letter, digit, '-' or '_' escaped as \DDD (RFC 4343 §2.1) so that any label round-trips.
std::string wire_name_to_text(std::string_view wire);

}  // namespace sipdns::forward
