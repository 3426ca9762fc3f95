// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#include "sipdns/forward/local_networks.h"

#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>

#include <algorithm>
#include <bit>
#include <cstring>

namespace sipdns::forward {

namespace {

std::uint8_t prefix_length(const std::uint8_t* mask, std::size_t bytes) {
    std::uint8_t n = 0;
    for (std::size_t i = 0; i < bytes; ++i) n += static_cast<std::uint8_t>(std::popcount(mask[i]));
    return n;
}

void add(std::vector<config::IpPrefix>& out, const config::IpPrefix& p) {
    const config::IpPrefix net = p.network();
    if (std::find(out.begin(), out.end(), net) == out.end()) out.push_back(net);
}

}  // namespace

std::vector<config::IpPrefix> loopback_and_local_networks() {
    std::vector<config::IpPrefix> prefixes;
    add(prefixes, *config::IpPrefix::parse("127.0.0.0/8"));
    add(prefixes, *config::IpPrefix::parse("::1/128"));
    ifaddrs* list = nullptr;
    if (::getifaddrs(&list) != 0) return prefixes;
    for (const ifaddrs* i = list; i != nullptr; i = i->ifa_next) {
        if (i->ifa_addr == nullptr || i->ifa_netmask == nullptr || (i->ifa_flags & IFF_UP) == 0)
            continue;
        config::IpPrefix p;
        if (i->ifa_addr->sa_family == AF_INET) {
            const auto* a = reinterpret_cast<const sockaddr_in*>(i->ifa_addr);
            const auto* m = reinterpret_cast<const sockaddr_in*>(i->ifa_netmask);
            p.address.family = config::IpAddress::Family::V4;
            std::memcpy(p.address.bytes.data(), &a->sin_addr, 4);
            p.length = prefix_length(reinterpret_cast<const std::uint8_t*>(&m->sin_addr), 4);
        } else if (i->ifa_addr->sa_family == AF_INET6) {
            const auto* a = reinterpret_cast<const sockaddr_in6*>(i->ifa_addr);
            const auto* m = reinterpret_cast<const sockaddr_in6*>(i->ifa_netmask);
            p.address.family = config::IpAddress::Family::V6;
            std::memcpy(p.address.bytes.data(), &a->sin6_addr, 16);
            p.length = prefix_length(reinterpret_cast<const std::uint8_t*>(&m->sin6_addr), 16);
        } else {
            continue;
        }
        add(prefixes, p);
    }
    ::freeifaddrs(list);
    return prefixes;
}

}  // namespace sipdns::forward
