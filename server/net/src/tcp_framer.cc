// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#include "sipdns/net/tcp_framer.h"

#include <algorithm>
#include <cstring>

namespace sipdns::net {

namespace {

std::size_t frame_length(const std::uint8_t* prefix) {
    return (static_cast<std::size_t>(prefix[0]) << 8) | prefix[1];
}

}  // namespace

TcpFramer::TcpFramer() : buffer_(kInitialCapacity) {}

std::span<std::uint8_t> TcpFramer::free_space() {
    return std::span<std::uint8_t>(buffer_).subspan(used_);
}

void TcpFramer::received(std::size_t bytes) { used_ += std::min(bytes, buffer_.size() - used_); }

bool TcpFramer::holds_message() const {
    const std::size_t available = used_ - returned_;
    return available >= kLengthPrefix &&
           available - kLengthPrefix >= frame_length(buffer_.data() + returned_);
}

std::optional<std::span<const std::uint8_t>> TcpFramer::next_message() {
    const std::size_t available = used_ - returned_;
    if (available < kLengthPrefix) return std::nullopt;
    const std::size_t length = frame_length(buffer_.data() + returned_);
    if (available - kLengthPrefix < length) return std::nullopt;  // half a message: wait
    const std::span<const std::uint8_t> message(buffer_.data() + returned_ + kLengthPrefix,
                                                length);
    returned_ += kLengthPrefix + length;
    return message;
}

bool TcpFramer::consume() {
    const bool dropped = returned_ != 0;
    if (dropped) {
        std::memmove(buffer_.data(), buffer_.data() + returned_, used_ - returned_);
        used_ -= returned_;
        returned_ = 0;
    }
    // The buffer holds at most one incomplete message here (or complete ones held back by
    // back-pressure): grow it so that the first one, whose length is known, fits whole.
    std::size_t needed = kInitialCapacity;
    if (used_ >= kLengthPrefix) needed = std::max(needed, kLengthPrefix + frame_length(buffer_.data()));
    if (buffer_.size() < needed) buffer_.resize(needed);
    return dropped;
}

}  // namespace sipdns::net
