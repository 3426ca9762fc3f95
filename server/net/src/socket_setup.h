// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// Opening and binding the listening sockets, with errors that name the protocol and address
// (docs/design.md §6: a bind failure is a clear message, then exit 1).
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>

#include "sipdns/config/address.h"
#include "sipdns/config/expected.h"

namespace sipdns::net {

boost::asio::ip::address to_asio_address(const config::IpAddress& address);

// "127.0.0.1:53" / "[::1]:53", as written in `server.listen`.
std::string endpoint_text(const boost::asio::ip::address& address, unsigned short port);

enum class UdpSharing : std::uint8_t {
    Exclusive,       // no SO_REUSEPORT: the bind fails if anyone else holds the port
    ReusePortGroup,  // SO_REUSEPORT: one socket per worker on the same address (docs/design.md §5)
};

// A non-blocking UDP socket bound to `endpoint`. IPv6 sockets are IPV6_V6ONLY, so that [::]:53
// and 0.0.0.0:53 bind side by side. A wildcard-bound socket also asks for the destination
// address of each datagram (IP_PKTINFO / IPV6_RECVPKTINFO, RFC 3542 §6) to answer from it.
Expected<boost::asio::ip::udp::socket, std::string> open_udp_socket(
    boost::asio::io_context& context, const boost::asio::ip::udp::endpoint& endpoint,
    UdpSharing sharing);

// A listening TCP acceptor (SO_REUSEADDR, so that a restart is not blocked by connections in
// TIME_WAIT; IPV6_V6ONLY for IPv6).
Expected<boost::asio::ip::tcp::acceptor, std::string> open_tcp_acceptor(
    boost::asio::io_context& context, const boost::asio::ip::tcp::endpoint& endpoint);

}  // namespace sipdns::net
