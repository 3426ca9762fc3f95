// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// A SIP or SIPS URI (RFC 3261 §19.1.1), as far as locating its server needs it (RFC 3263 §4):
// the scheme, the host (name or numeric), an explicit port, the transport and maddr parameters.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "sipdns/config/expected.h"

namespace sipdns::resolve {

// The transports RFC 3263 §4.1 names in NAPTR services: SIP+D2U, SIP+D2T, SIPS+D2T.
enum class Transport : std::uint8_t { Udp, Tcp, Tls };

std::string_view transport_name(Transport t);  // "udp", "tcp", "tls"
std::optional<Transport> parse_transport(std::string_view text);  // case-insensitive

struct SipUri {
    bool sips = false;
    std::string user;         // may be empty (sip:example.com)
    std::string host;         // a name (lower case, no trailing dot) or a numeric address
    bool numeric_host = false;
    std::optional<std::uint16_t> port;
    std::optional<Transport> transport;  // ;transport= (tls: RFC 3261's deprecated form)
};

// nullopt-free parse: the URI, or one line saying what is wrong with it. A maddr parameter
// (RFC 3263 §4: it replaces the host as the target) becomes the host.
Expected<SipUri, std::string> parse_sip_uri(std::string_view text);

}  // namespace sipdns::resolve
