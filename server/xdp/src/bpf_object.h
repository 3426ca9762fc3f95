// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// The compiled bpf/sipdns_xdp.bpf.c (an ELF object), embedded by cmake/embed_bytes.cmake.
#include <cstddef>

namespace sipdns::xdp {
extern const unsigned char kSipdnsXdpObject[];
extern const std::size_t kSipdnsXdpObjectSize;
}  // namespace sipdns::xdp
