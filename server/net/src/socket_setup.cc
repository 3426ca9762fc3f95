// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#include "socket_setup.h"

#include <netinet/in.h>
#include <sys/socket.h>

#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/socket_base.hpp>

namespace sipdns::net {

namespace asio = boost::asio;
using boost::system::error_code;

namespace {

// socket(7): the kernel doubles the value for its bookkeeping; 8 MiB holds ~100 ms of 50k
// queries/s per socket.
constexpr int kUdpReceiveBufferBytes = 4 << 20;

// "cannot listen on udp 0.0.0.0:53: <step>: Permission denied (...)"
std::string listen_error(std::string_view protocol, const asio::ip::address& address,
                         unsigned short port, std::string_view step, const error_code& ec) {
    std::string text = "cannot listen on ";
    text.append(protocol).append(" ").append(endpoint_text(address, port)).append(": ");
    if (!step.empty()) text.append(step).append(": ");
    text += ec.message();
    if (ec == asio::error::access_denied && port < 1024)
        text += " (ports below 1024 need root or CAP_NET_BIND_SERVICE)";
    else if (ec == asio::error::address_in_use)
        text += " (another DNS server, or another sipdnsd, is using this port)";
    else if (ec == boost::system::errc::address_not_available)
        text += " (not an address of this host)";
    return text;
}

// setsockopt(level, name, 1) for options Asio has no type for.
void enable_option(int fd, int level, int name, error_code& ec) {
    const int on = 1;
    if (::setsockopt(fd, level, name, &on, sizeof on) != 0)
        ec.assign(errno, boost::system::system_category());
}

}  // namespace

asio::ip::address to_asio_address(const config::IpAddress& address) {
    if (address.is_v4()) {
        asio::ip::address_v4::bytes_type bytes;
        std::copy_n(address.bytes.begin(), bytes.size(), bytes.begin());
        return asio::ip::address_v4(bytes);
    }
    asio::ip::address_v6::bytes_type bytes;
    std::copy_n(address.bytes.begin(), bytes.size(), bytes.begin());
    return asio::ip::address_v6(bytes);
}

std::string endpoint_text(const asio::ip::address& address, unsigned short port) {
    const std::string host =
        address.is_v6() ? "[" + address.to_string() + "]" : address.to_string();
    return host + ":" + std::to_string(port);
}

Expected<asio::ip::udp::socket, std::string> open_udp_socket(
    asio::io_context& context, const asio::ip::udp::endpoint& endpoint, UdpSharing sharing) {
    const auto fail = [&](std::string_view step, const error_code& ec) {
        return unexpected(listen_error("udp", endpoint.address(), endpoint.port(), step, ec));
    };
    const bool v6 = endpoint.address().is_v6();
    asio::ip::udp::socket socket(context);
    error_code ec;
    if (socket.open(endpoint.protocol(), ec); ec) return fail("creating the socket", ec);
    if (v6) {
        if (socket.set_option(asio::ip::v6_only(true), ec); ec) return fail("IPV6_V6ONLY", ec);
    }
    // No SO_REUSEADDR on UDP: on Linux it lets a process of any user bind the same address and
    // port (if it sets SO_REUSEADDR too) and take queries away; SO_REUSEPORT checks the user.
    if (sharing == UdpSharing::ReusePortGroup) {
        if (enable_option(socket.native_handle(), SOL_SOCKET, SO_REUSEPORT, ec); ec)
            return fail("SO_REUSEPORT", ec);
    }
    if (endpoint.address().is_unspecified()) {
        // RFC 3542 §6.1 (IPv6) and ip(7) IP_PKTINFO: deliver each datagram's destination address,
        // so that a wildcard socket answers from the address the query was sent to.
        if (v6)
            enable_option(socket.native_handle(), IPPROTO_IPV6, IPV6_RECVPKTINFO, ec);
        else
            enable_option(socket.native_handle(), IPPROTO_IP, IP_PKTINFO, ec);
        if (ec) return fail(v6 ? "IPV6_RECVPKTINFO" : "IP_PKTINFO", ec);
    }
    if (sharing == UdpSharing::ReusePortGroup) {
        // A deeper receive queue absorbs the moments a worker is not running: it answers a
        // batch, or a busy or shared host schedules it out for tens of ms (the default ~208 KiB
        // overflows in 2 ms at 100k queries/s). Started as root, the daemon sets it before
        // dropping privileges and SO_RCVBUFFORCE may exceed net.core.rmem_max; otherwise
        // SO_RCVBUF is capped at rmem_max. Best effort: a failure keeps the default.
        const int bytes = kUdpReceiveBufferBytes;
        const int fd = socket.native_handle();
        if (::setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &bytes, sizeof bytes) != 0)
            ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof bytes);
    }
    if (socket.bind(endpoint, ec); ec) return fail("", ec);
    if (socket.non_blocking(true, ec); ec) return fail("O_NONBLOCK", ec);
    return socket;
}

Expected<asio::ip::tcp::acceptor, std::string> open_tcp_acceptor(
    asio::io_context& context, const asio::ip::tcp::endpoint& endpoint) {
    const auto fail = [&](std::string_view step, const error_code& ec) {
        return unexpected(listen_error("tcp", endpoint.address(), endpoint.port(), step, ec));
    };
    asio::ip::tcp::acceptor acceptor(context);
    error_code ec;
    if (acceptor.open(endpoint.protocol(), ec); ec) return fail("creating the socket", ec);
    if (endpoint.address().is_v6()) {
        if (acceptor.set_option(asio::ip::v6_only(true), ec); ec) return fail("IPV6_V6ONLY", ec);
    }
    if (acceptor.set_option(asio::socket_base::reuse_address(true), ec); ec)
        return fail("SO_REUSEADDR", ec);
    if (acceptor.bind(endpoint, ec); ec) return fail("", ec);
    if (acceptor.listen(asio::socket_base::max_listen_connections, ec); ec)
        return fail("listen", ec);
    return acceptor;
}

}  // namespace sipdns::net
