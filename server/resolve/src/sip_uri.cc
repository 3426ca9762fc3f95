// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#include "sipdns/resolve/sip_uri.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "sipdns/config/address.h"

#include "text.h"

namespace sipdns::resolve {

namespace {

// RFC 3261 §25.1: hostname = *( domainlabel "." ) toplabel [ "." ], labels of alphanumerics and
// hyphens, not starting or ending with a hyphen.
bool valid_hostname(std::string_view name) {
    if (!name.empty() && name.back() == '.') name.remove_suffix(1);
    if (name.empty() || name.size() > 253) return false;
    std::size_t start = 0;
    while (start <= name.size()) {
        std::size_t dot = name.find('.', start);
        if (dot == std::string_view::npos) dot = name.size();
        const std::string_view label = name.substr(start, dot - start);
        if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-')
            return false;
        for (const char c : label)
            if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') return false;
        start = dot + 1;
    }
    return true;
}

bool all_digits_and_dots(std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || c == '.'; });
}

// A host as RFC 3261 §25.1 writes it: a name, an IPv4 address or an IPv6 reference in
// brackets. Sets host and numeric_host, or says what is wrong.
std::optional<std::string> take_host(std::string_view text, SipUri& uri) {
    if (text.empty()) return std::string("the host is missing");
    if (text.front() == '[') {
        if (text.back() != ']') return std::string("the IPv6 address has no closing ']'");
        const auto address = config::IpAddress::parse_v6(text.substr(1, text.size() - 2));
        if (!address) return "'" + std::string(text) + "' is not an IPv6 address";
        uri.host = address->to_string();
        uri.numeric_host = true;
        return std::nullopt;
    }
    if (all_digits_and_dots(text)) {
        const auto address = config::IpAddress::parse_v4(text);
        if (!address) return "'" + std::string(text) + "' is not an IPv4 address";
        uri.host = address->to_string();
        uri.numeric_host = true;
        return std::nullopt;
    }
    if (config::IpAddress::parse_v6(text))
        return "an IPv6 address goes in brackets: sip:user@[" + std::string(text) + "]";
    if (!valid_hostname(text)) return "'" + std::string(text) + "' is not a host name";
    uri.host = lower(text);
    if (uri.host.back() == '.') uri.host.pop_back();
    return std::nullopt;
}

}  // namespace

std::string_view transport_name(Transport t) {
    switch (t) {
        case Transport::Udp:
            return "udp";
        case Transport::Tcp:
            return "tcp";
        case Transport::Tls:
            return "tls";
    }
    return "udp";
}

std::optional<Transport> parse_transport(std::string_view text) {
    const std::string t = lower(text);
    if (t == "udp") return Transport::Udp;
    if (t == "tcp") return Transport::Tcp;
    if (t == "tls") return Transport::Tls;
    return std::nullopt;
}

Expected<SipUri, std::string> parse_sip_uri(std::string_view text) {
    SipUri uri;
    const auto colon = text.find(':');
    const std::string scheme = lower(text.substr(0, colon == std::string_view::npos ? 0 : colon));
    if (scheme != "sip" && scheme != "sips")
        return unexpected(std::string("expected a sip: or sips: URI such as sip:alice@example.com"));
    uri.sips = scheme == "sips";
    std::string_view rest = text.substr(colon + 1);
    rest = rest.substr(0, rest.find('?'));  // headers (RFC 3261 §19.1.1): not for locating
    // userinfo "@" hostport *( ";" uri-parameter ); the user part may hold ';' (§25.1
    // user-unreserved), the host part never holds '@'.
    const auto at = rest.rfind('@');
    if (at != std::string_view::npos) {
        uri.user = std::string(rest.substr(0, at));
        if (uri.user.empty()) return unexpected(std::string("the user before '@' is empty"));
        rest = rest.substr(at + 1);
    }
    const auto semicolon = rest.find(';');
    std::string_view hostport = rest.substr(0, semicolon);
    std::string_view params =
        semicolon == std::string_view::npos ? std::string_view() : rest.substr(semicolon + 1);
    // An explicit port follows the last ':' outside an IPv6 reference.
    std::string_view host = hostport;
    const auto close = hostport.find(']');
    const auto port_colon = hostport.find(':', close == std::string_view::npos ? 0 : close);
    const bool bracketed = !hostport.empty() && hostport.front() == '[';
    const bool one_colon = std::count(hostport.begin(), hostport.end(), ':') == 1;
    if (port_colon != std::string_view::npos && (bracketed || one_colon)) {
        host = hostport.substr(0, port_colon);
        const std::string_view port_text = hostport.substr(port_colon + 1);
        unsigned value = 0;
        const auto [end, ec] =
            std::from_chars(port_text.data(), port_text.data() + port_text.size(), value);
        if (port_text.empty() || ec != std::errc() || end != port_text.data() + port_text.size() ||
            value < 1 || value > 65535)
            return unexpected("the port '" + std::string(port_text) + "' is not a number from 1 to 65535");
        uri.port = static_cast<std::uint16_t>(value);
    }
    if (auto problem = take_host(host, uri)) return unexpected(*problem);
    std::optional<std::string> maddr;
    while (!params.empty()) {
        const auto next = params.find(';');
        const std::string_view param = params.substr(0, next);
        params = next == std::string_view::npos ? std::string_view() : params.substr(next + 1);
        const auto eq = param.find('=');
        const std::string name = lower(param.substr(0, eq));
        const std::string_view value =
            eq == std::string_view::npos ? std::string_view() : param.substr(eq + 1);
        if (name == "transport") {
            uri.transport = parse_transport(value);
            if (!uri.transport)
                return unexpected("transport=" + std::string(value) +
                                  ": expected udp, tcp or tls");
        } else if (name == "maddr") {
            maddr = std::string(value);
        }
    }
    if (maddr) {
        // RFC 3263 §4: "If the URI contains an maddr parameter, the maddr parameter is the
        // TARGET".
        if (auto problem = take_host(*maddr, uri)) return unexpected("maddr: " + *problem);
    }
    // A SIPS URI is reached over TLS only (RFC 3261 §26.2.2); transport=tcp means TLS over TCP.
    if (uri.sips && uri.transport == Transport::Udp)
        return unexpected(std::string("a sips: URI is reached over TLS only, not transport=udp "
                                      "(RFC 3261 §26.2.2)"));
    if (uri.sips && uri.transport == Transport::Tcp) uri.transport = Transport::Tls;
    return uri;
}

}  // namespace sipdns::resolve
