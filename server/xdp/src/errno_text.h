// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// The text of an errno value, for the one-line errors of xdp_program.cc and xsk_queue.cc.
#include <cstring>
#include <string>

namespace sipdns::xdp {

inline std::string errno_text(int error) {
    return std::strerror(error);
}

}  // namespace sipdns::xdp
