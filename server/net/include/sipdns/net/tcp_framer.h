// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// The receive side of a DNS-over-TCP connection without the socket: a byte stream in, whole
// messages out. Every message is preceded by its length in two octets (RFC 1035 §4.2.2, RFC 7766
// §8); several may arrive in one read (pipelining, RFC 7766 §6.2.1.1) and one may be split over
// many reads. TcpConnection reads into free_space(), reports the count with received(), takes
// the complete messages with next_message() (as many as back-pressure lets it) and then calls
// consume(). Kept apart from Asio so that it can be unit-tested and fuzzed (tests/fuzz).
//
// Memory: the buffer starts at kInitialCapacity and grows only to hold the message whose length
// is known, at most kMaxCapacity (a 65535-octet message and its prefix); it never shrinks.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace sipdns::net {

class TcpFramer {
  public:
    static constexpr std::size_t kLengthPrefix = 2;  // RFC 1035 §4.2.2
    static constexpr std::size_t kInitialCapacity = 4096;
    static constexpr std::size_t kMaxCapacity = kLengthPrefix + 65535;

    TcpFramer();

    // Where the next read puts its bytes. Never empty after consume() while holds_message() is
    // false (at most the start of one message is held then, with room for all of it).
    // A read may be in progress into it only while holds_message() is false: consume() moves
    // and may reallocate the buffer only after next_message() returned something, which it
    // cannot do then.
    std::span<std::uint8_t> free_space();
    // `bytes` were read into free_space(); any beyond its size are ignored.
    void received(std::size_t bytes);
    // Octets held: messages not yet consumed, then the start of the next one.
    std::size_t buffered() const { return used_; }
    // A complete message is held that next_message() has not returned yet (held back by the
    // caller's back-pressure): answer it before reading more.
    bool holds_message() const;

    // The next complete message after those returned since the last consume() (a zero-length
    // one included: what to do with it is the caller's business), or nothing when the rest is
    // incomplete. The span points into the buffer: valid until the next received(), consume()
    // or free_space() call.
    std::optional<std::span<const std::uint8_t>> next_message();
    // Drops the messages next_message() returned, moves what follows to the front and grows the
    // buffer so that the next message fits whole once its length is here. Returns whether any
    // message was dropped (the bytes left, if any, are then the start of a new message).
    bool consume();

    std::size_t capacity() const { return buffer_.size(); }

  private:
    std::vector<std::uint8_t> buffer_;
    std::size_t used_ = 0;       // bytes received and not consumed
    std::size_t returned_ = 0;   // bytes of the messages next_message() returned, in front
};

}  // namespace sipdns::net
