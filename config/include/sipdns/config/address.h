// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sipdns::config {

// An IPv4 or IPv6 address in network byte order. Parsed with inet_pton, so "192.0.2.300" or
// "1.2.3" are rejected rather than guessed at.
struct IpAddress {
    enum class Family : std::uint8_t { V4, V6 };
    Family family = Family::V4;
    std::array<std::uint8_t, 16> bytes{};  // V4 uses the first 4

    static std::optional<IpAddress> parse(std::string_view text);
    static std::optional<IpAddress> parse_v4(std::string_view text);
    static std::optional<IpAddress> parse_v6(std::string_view text);
    bool is_v4() const { return family == Family::V4; }
    std::size_t size() const { return is_v4() ? 4 : 16; }
    // 0.0.0.0 or :: (RFC 4291 §2.5.2): as a listen address, a wildcard.
    bool is_unspecified() const;
    std::string to_string() const;
    friend bool operator==(const IpAddress&, const IpAddress&) = default;
    friend auto operator<=>(const IpAddress&, const IpAddress&) = default;
};

// An address prefix such as 192.168.11.0/24 or 2001:db8::/64. parse() checks syntax only
// (address, '/', length 0..32 or 0..128); it accepts host bits set, so that the loader can say
// "did you mean 192.168.11.0/24" — has_host_bits() / network() tell and fix that.
struct IpPrefix {
    IpAddress address;
    std::uint8_t length = 0;

    static std::optional<IpPrefix> parse(std::string_view text);
    bool contains(const IpAddress& a) const;
    bool has_host_bits() const;
    IpPrefix network() const;  // host bits cleared
    std::string to_string() const;
    friend bool operator==(const IpPrefix&, const IpPrefix&) = default;
};

// A socket address as written in `server.listen`: "192.0.2.1:53" or "[2001:db8::1]:53"
// (IPv6 always bracketed), port 1..65535.
struct IpEndpoint {
    IpAddress address;
    std::uint16_t port = 0;

    static std::optional<IpEndpoint> parse(std::string_view text);
    std::string to_string() const;
    friend bool operator==(const IpEndpoint&, const IpEndpoint&) = default;
};

}  // namespace sipdns::config
