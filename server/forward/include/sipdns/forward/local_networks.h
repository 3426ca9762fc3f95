// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// The default `forward.allow`: loopback and the networks of this host's interfaces, as BIND's
// `allow-recursion { localhost; localnets; }`.
#include <vector>

#include "sipdns/config/address.h"

namespace sipdns::forward {

// 127.0.0.0/8, ::1/128 and, per address of every interface that is up (getifaddrs), the
// network it is on (address and netmask), without repeats.
std::vector<config::IpPrefix> loopback_and_local_networks();

}  // namespace sipdns::forward
