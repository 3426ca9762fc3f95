// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#include "sipdns/config/address.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <charconv>
#include <cstring>

namespace sipdns::config {

namespace {

// inet_pton needs a NUL-terminated string; a string_view need not be one.
std::optional<IpAddress> parse_family(std::string_view text, IpAddress::Family family) {
    if (text.empty() || text.size() > INET6_ADDRSTRLEN) return std::nullopt;
    const std::string copy(text);
    IpAddress a;
    a.family = family;
    const int af = family == IpAddress::Family::V4 ? AF_INET : AF_INET6;
    if (inet_pton(af, copy.c_str(), a.bytes.data()) != 1) return std::nullopt;
    return a;
}

std::uint8_t max_length(const IpAddress& a) {
    return a.is_v4() ? 32 : 128;
}

// True if bit `i` (0 = most significant bit of the first byte) is set.
bool bit(const IpAddress& a, unsigned i) {
    return (a.bytes[i / 8] >> (7 - i % 8)) & 1U;
}

}  // namespace

std::optional<IpAddress> IpAddress::parse_v4(std::string_view text) {
    return parse_family(text, Family::V4);
}

std::optional<IpAddress> IpAddress::parse_v6(std::string_view text) {
    return parse_family(text, Family::V6);
}

std::optional<IpAddress> IpAddress::parse(std::string_view text) {
    return text.find(':') == std::string_view::npos ? parse_v4(text) : parse_v6(text);
}

bool IpAddress::is_unspecified() const {
    return std::all_of(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(size()),
                       [](std::uint8_t b) { return b == 0; });
}

std::string IpAddress::to_string() const {
    char buf[INET6_ADDRSTRLEN] = {};
    const int af = is_v4() ? AF_INET : AF_INET6;
    if (inet_ntop(af, bytes.data(), buf, sizeof buf) == nullptr) return {};
    return buf;
}

std::optional<IpPrefix> IpPrefix::parse(std::string_view text) {
    const auto slash = text.find('/');
    if (slash == std::string_view::npos) return std::nullopt;
    auto address = IpAddress::parse(text.substr(0, slash));
    if (!address) return std::nullopt;

    const std::string_view digits = text.substr(slash + 1);
    if (digits.empty() || digits.size() > 3) return std::nullopt;
    unsigned length = 0;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), length);
    if (ec != std::errc{} || end != digits.data() + digits.size()) return std::nullopt;
    if (length > max_length(*address)) return std::nullopt;

    IpPrefix p;
    p.address = *address;
    p.length = static_cast<std::uint8_t>(length);
    return p;
}

bool IpPrefix::contains(const IpAddress& a) const {
    if (a.family != address.family) return false;
    for (unsigned i = 0; i < length; ++i) {
        if (bit(a, i) != bit(address, i)) return false;
    }
    return true;
}

bool IpPrefix::has_host_bits() const {
    for (unsigned i = length; i < max_length(address); ++i) {
        if (bit(address, i)) return true;
    }
    return false;
}

IpPrefix IpPrefix::network() const {
    IpPrefix p = *this;
    for (unsigned i = length; i < max_length(address); ++i) {
        p.address.bytes[i / 8] &= static_cast<std::uint8_t>(~(1U << (7 - i % 8)));
    }
    return p;
}

std::string IpPrefix::to_string() const {
    return address.to_string() + "/" + std::to_string(length);
}

std::optional<IpEndpoint> IpEndpoint::parse(std::string_view text) {
    std::string_view host;
    std::string_view port;
    std::optional<IpAddress> address;
    if (!text.empty() && text.front() == '[') {
        // IPv6 must be bracketed so that the port's colon is not read as part of it
        // (RFC 3986 §3.2.2 notation).
        const auto close = text.find("]:");
        if (close == std::string_view::npos) return std::nullopt;
        host = text.substr(1, close - 1);
        port = text.substr(close + 2);
        address = IpAddress::parse_v6(host);
    } else {
        const auto colon = text.find(':');
        if (colon == std::string_view::npos) return std::nullopt;
        host = text.substr(0, colon);
        port = text.substr(colon + 1);
        address = IpAddress::parse_v4(host);
    }
    if (!address || port.empty() || port.size() > 5) return std::nullopt;
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc{} || end != port.data() + port.size()) return std::nullopt;
    if (value < 1 || value > 65535) return std::nullopt;
    return IpEndpoint{*address, static_cast<std::uint16_t>(value)};
}

std::string IpEndpoint::to_string() const {
    const std::string host =
        address.is_v4() ? address.to_string() : "[" + address.to_string() + "]";
    return host + ":" + std::to_string(port);
}

}  // namespace sipdns::config
