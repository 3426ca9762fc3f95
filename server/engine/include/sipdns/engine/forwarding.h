// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// Answering names outside the site's zones when the site file has `forward:` (the phones' only
// DNS server). The engine decides (respond() returns Action::Forward for an allowed client) and
// writes the client's reply from what the forwarder (server/forward, libunbound) got upstream;
// the resolving itself, its cache and its threads are elsewhere. Still no sockets, no Asio.
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "sipdns/config/address.h"

namespace sipdns::engine {

// Who may have names outside our zones resolved (RFC 5358 §4: no open resolver).
struct ForwardPolicy {
    bool enabled = false;
    std::vector<config::IpPrefix> allow;  // none = nobody

    bool allows(const config::IpAddress& client) const {
        for (const auto& prefix : allow)
            if (prefix.contains(client)) return true;
        return false;
    }
};

// The question of a query to forward, filled by respond() when it returns Action::Forward.
struct ForwardQuestion {
    std::array<std::uint8_t, 255> qname{};  // wire form, lower case
    std::uint16_t qname_length = 0;
    std::uint16_t qtype = 0;
    // DO (RFC 3225): the client wants DNSSEC records; the forwarder keeps RRSIG/NSEC/NSEC3 in its
    // reply only then, so a cached reply is per (name, type, DO).
    bool dnssec_ok = false;

    std::string_view name() const {
        return {reinterpret_cast<const char*>(qname.data()), qname_length};
    }
};

// An upstream reply as the forwarder normalised it: a whole DNS message — header, the question
// as it was asked upstream (the client's name, perhaps in another case), then the answer,
// authority and additional sections, with no OPT record. Its question has the length of the
// client's, so the compression pointers of its sections stay right behind the client's question.
struct UpstreamAnswer {
    std::span<const std::uint8_t> message;
    std::span<const std::uint16_t> ttl_offsets;  // where each record's TTL is in `message`
    std::uint32_t age_seconds = 0;  // since it was received: every TTL is counted down by this
    bool authenticated = false;     // DNSSEC-validated: AD for clients that ask (RFC 6840 §5.8)
};

// RFC 8914 extended DNS error codes the forwarder sends with its SERVFAILs.
namespace ede {
inline constexpr std::uint16_t Other = 0;
inline constexpr std::uint16_t DnssecBogus = 6;
inline constexpr std::uint16_t NoReachableAuthority = 22;
}  // namespace ede

}  // namespace sipdns::engine
