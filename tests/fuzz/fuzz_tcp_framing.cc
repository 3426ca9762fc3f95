// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
// libFuzzer target: the receive side of DNS over TCP (server/net TcpFramer, which
// tcp_connection.cc reads through) on an arbitrary byte stream cut into arbitrary reads, driven
// the way TcpConnection drives it: read into free_space() only while no complete message is held
// (read_more()), take messages until back-pressure says stop (answer_complete_queries()), then
// consume(); a write completing while a read is in progress takes and consumes again
// (on_written()) before the read's bytes arrive.
//
// Properties checked against an independent split of the whole stream into length-prefixed
// messages (RFC 1035 §4.2.2, RFC 7766 §8): every complete message is delivered exactly once, in
// order, byte for byte, a zero-length one included (the connection skips those: no answer, the
// connection stays open); the bytes left at the end are exactly the incomplete tail; a read in
// progress is never moved under (the free space handed out is where the bytes are kept); the
// free space is never empty when the connection reads (else it would close the connection); the
// buffer never grows past one largest message and its prefix.
//
// Input layout:
//   byte 0      n: the schedule has n % 16 + 1 steps (bytes), used in turn, round after round
//   schedule    bits 0-5: the size of this round's read (read_size()); bit 6: back-pressure
//               this round (at most 1 + bit 7 messages taken); bit 7: a write completes while
//               this round's read is in progress
//   rest        the stream the client sends
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <span>
#include <vector>

#include "sipdns/net/tcp_framer.h"

namespace {

using sipdns::net::TcpFramer;

[[noreturn]] void violated(const char* what) {
    std::fprintf(stderr, "fuzz_tcp_framing: property violated: %s\n", what);
    __builtin_trap();
}
#define CHECK(cond)                     \
    do {                                \
        if (!(cond)) violated(#cond);   \
    } while (0)

struct Frame {
    std::size_t offset;  // of the message (past its prefix) in the stream
    std::size_t length;
};

// The stream split independently of TcpFramer: whole messages, then the incomplete tail.
std::vector<Frame> split(std::span<const std::uint8_t> stream, std::size_t& tail) {
    std::vector<Frame> frames;
    std::size_t at = 0;
    while (stream.size() - at >= 2) {
        const std::size_t n = static_cast<std::size_t>(stream[at]) << 8 | stream[at + 1];
        if (stream.size() - at - 2 < n) break;
        frames.push_back({at + 2, n});
        at += 2 + n;
    }
    tail = stream.size() - at;
    return frames;
}

std::size_t read_size(std::uint8_t step, std::size_t free) {
    const std::size_t code = step & 0x3f;
    // 0: as much as fits (one segment filling the buffer); small codes: a byte or two, so that
    // prefixes split; larger ones: up to ~4 KiB, as a loopback segment may bring.
    const std::size_t want = code == 0 ? free : code < 8 ? code : (code - 7) * 73;
    return std::min(want, free);
}

struct Driver {
    std::span<const std::uint8_t> stream;
    std::vector<Frame> frames;
    TcpFramer framer;
    std::size_t delivered = 0;  // frames delivered so far
    std::size_t consumed = 0;   // stream octets of the delivered frames (prefixes included)
    std::size_t fed = 0;        // stream octets handed to the framer

    // Takes at most `limit` messages, checking each; returns how many it took.
    std::size_t take(std::size_t limit) {
        std::size_t taken = 0;
        while (taken < limit) {
            const auto message = framer.next_message();
            if (!message) break;
            CHECK(delivered < frames.size());
            const Frame& f = frames[delivered];
            CHECK(message->size() == f.length);
            CHECK(f.offset + f.length <= fed);  // never a byte not yet received
            CHECK(f.length == 0 ||
                  std::memcmp(message->data(), stream.data() + f.offset, f.length) == 0);
            consumed = f.offset + f.length;
            ++delivered;
            ++taken;
        }
        if (taken < limit) CHECK(!framer.holds_message());
        return taken;
    }

    void check_held() {
        CHECK(framer.buffered() == fed - consumed);
        CHECK(framer.capacity() <= TcpFramer::kMaxCapacity);
        CHECK(framer.capacity() >= TcpFramer::kInitialCapacity);
    }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    const std::size_t steps = data[0] % 16 + 1u;
    if (size < 1 + steps) return 0;
    const std::span<const std::uint8_t> schedule(data + 1, steps);
    // The stream in its own allocation, so that ASan sees a read past its end.
    const std::vector<std::uint8_t> stream(data + 1 + steps, data + size);

    Driver d;
    d.stream = stream;
    std::size_t tail = 0;
    d.frames = split(stream, tail);

    const std::size_t no_limit = static_cast<std::size_t>(-1);
    for (std::size_t round = 0;; ++round) {
        const std::uint8_t step = schedule[round % steps];
        // answer_complete_queries(): back-pressure may stop it before every message is taken.
        const bool back_pressure = (step & 0x40) != 0;
        const std::size_t took = d.take(back_pressure ? 1u + (step >> 7) : no_limit);
        const bool held_back = back_pressure && took == 1u + (step >> 7) && d.framer.holds_message();
        const bool dropped = d.framer.consume();
        CHECK(dropped == (took > 0));
        d.check_held();
        if (held_back) continue;  // read_more() does not read: the held ones come first
        CHECK(!d.framer.holds_message());
        if (d.fed == stream.size()) break;  // the client sent everything

        // read_more(): a read into the free space.
        const std::span<std::uint8_t> space = d.framer.free_space();
        CHECK(!space.empty());  // else the connection would close
        CHECK(space.size() <= TcpFramer::kMaxCapacity);
        if ((step & 0x80) != 0) {
            // on_written() while the read is in progress: answers, consumes; the space the
            // read writes into must stay where it is.
            CHECK(d.take(no_limit) == 0);
            CHECK(!d.framer.consume());
            const std::span<std::uint8_t> again = d.framer.free_space();
            CHECK(again.data() == space.data() && again.size() == space.size());
        }
        const std::size_t n = read_size(step, std::min(space.size(), stream.size() - d.fed));
        CHECK(n > 0);
        std::memcpy(space.data(), stream.data() + d.fed, n);
        // on_read(): the count the kernel reports (never more than asked for).
        d.framer.received(n);
        d.fed += n;
        d.check_held();
    }
    CHECK(d.delivered == d.frames.size());
    CHECK(d.framer.buffered() == tail);
    return 0;
}
