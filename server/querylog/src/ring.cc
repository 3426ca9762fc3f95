// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#include "sipdns/querylog/ring.h"

#include <bit>

namespace sipdns::querylog {

QueryRing::QueryRing(std::size_t slots, std::size_t query_capacity, std::size_t response_capacity)
    : slot_count_(std::bit_ceil(slots < 2 ? std::size_t{2} : slots)),
      query_capacity_(query_capacity),
      response_capacity_(response_capacity),
      stride_((kHeaderBytes + query_capacity + response_capacity + 63) & ~std::size_t{63}),
      // Not value-initialised: pages are touched (and become resident) only when used.
      slots_(new std::uint8_t[slot_count_ * stride_]) {}

}  // namespace sipdns::querylog
