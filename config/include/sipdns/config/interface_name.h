// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// A network interface name as the kernel takes it (server.xdp.interface, --xdp): 1 to 15 bytes
// (IFNAMSIZ - 1, linux/if.h), no '/', ':' or blanks (dev_valid_name() in net/core/dev.c), not
// "." or "..".
#include <algorithm>
#include <string_view>

namespace sipdns::config {

inline bool is_interface_name(std::string_view name) {
    if (name.empty() || name.size() > 15 || name == "." || name == "..") return false;
    return std::none_of(name.begin(), name.end(), [](char ch) {
        const auto c = static_cast<unsigned char>(ch);
        return ch == '/' || ch == ':' || c <= ' ' || c >= 0x7f;
    });
}

}  // namespace sipdns::config
