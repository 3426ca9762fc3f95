// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
// TcpFramer (server/net): DNS-over-TCP length framing (RFC 1035 §4.2.2, RFC 7766 §8), pipelining
// and partial reads, driven as TcpConnection drives it.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "sipdns/net/tcp_framer.h"

namespace {

using sipdns::net::TcpFramer;
using Bytes = std::vector<std::uint8_t>;

Bytes frame(const std::string& body) {
    Bytes b(2 + body.size());
    b[0] = static_cast<std::uint8_t>(body.size() >> 8);
    b[1] = static_cast<std::uint8_t>(body.size() & 0xff);
    std::memcpy(b.data() + 2, body.data(), body.size());
    return b;
}

Bytes concat(std::initializer_list<Bytes> parts) {
    Bytes all;
    for (const auto& p : parts) all.insert(all.end(), p.begin(), p.end());
    return all;
}

// Feeds `stream` in reads of the given sizes (cycled), taking at most `per_round` messages after
// each read (0 = all) and reading again only once none is held, as TcpConnection does.
struct Outcome {
    std::vector<std::string> messages;
    std::size_t left = 0;
    std::size_t rounds_held = 0;  // rounds in which back-pressure held a message back
};

Outcome drive(const Bytes& stream, const std::vector<std::size_t>& reads, std::size_t per_round) {
    TcpFramer framer;
    Outcome o;
    std::size_t fed = 0;
    for (std::size_t round = 0; round < 100000; ++round) {
        std::size_t taken = 0;
        while (per_round == 0 || taken < per_round) {
            const auto m = framer.next_message();
            if (!m) break;
            o.messages.emplace_back(m->begin(), m->end());
            ++taken;
        }
        framer.consume();
        if (framer.holds_message()) {
            ++o.rounds_held;
            continue;
        }
        if (fed == stream.size()) break;
        auto space = framer.free_space();
        EXPECT_FALSE(space.empty());
        const std::size_t n =
            std::min({reads[round % reads.size()], space.size(), stream.size() - fed});
        std::memcpy(space.data(), stream.data() + fed, n);
        framer.received(n);
        fed += n;
    }
    o.left = framer.buffered();
    return o;
}

struct Case {
    const char* name;
    Bytes stream;
    std::vector<std::size_t> reads;
    std::size_t per_round;
    std::vector<std::string> messages;
    std::size_t left;
};

class TcpFramerCases : public ::testing::TestWithParam<Case> {};

TEST_P(TcpFramerCases, DeliversEveryCompleteMessageOnceInOrder) {
    const Case& c = GetParam();
    const Outcome o = drive(c.stream, c.reads, c.per_round);
    EXPECT_EQ(o.messages, c.messages);
    EXPECT_EQ(o.left, c.left);
}

const std::string kBig(5000, 'q');  // beyond the initial 4096-octet buffer
const std::string kLargest(65535, 'L');

INSTANTIATE_TEST_SUITE_P(
    Streams, TcpFramerCases,
    ::testing::Values(
        Case{"one_message_one_read", frame("abc"), {4096}, 0, {"abc"}, 0},
        Case{"one_message_byte_by_byte", frame("abcdef"), {1}, 0, {"abcdef"}, 0},
        Case{"prefix_split_between_reads", concat({frame("ab"), frame("cd")}), {3, 1, 2}, 0,
             {"ab", "cd"}, 0},
        Case{"pipelined_in_one_read", concat({frame("a"), frame("bb"), frame("ccc")}), {4096}, 0,
             {"a", "bb", "ccc"}, 0},
        Case{"zero_length_message_is_delivered_empty", concat({frame(""), frame("x")}), {4096},
             0, {"", "x"}, 0},
        Case{"incomplete_tail_is_kept", concat({frame("done"), Bytes{0, 9, 'p', 'a'}}), {4096},
             0, {"done"}, 4},
        Case{"lone_prefix_byte_is_kept", Bytes{0}, {4096}, 0, {}, 1},
        Case{"message_larger_than_initial_buffer", concat({frame("s"), frame(kBig), frame("t")}),
             {4096}, 0, {"s", kBig, "t"}, 0},
        Case{"largest_message", concat({frame(kLargest), frame("after")}), {65536}, 0,
             {kLargest, "after"}, 0},
        Case{"back_pressure_one_per_round", concat({frame("1"), frame("2"), frame("3")}), {4096},
             1, {"1", "2", "3"}, 0},
        Case{"back_pressure_then_a_large_message",
             concat({frame("1"), frame("2"), frame(kBig), frame("3")}), {4096}, 1,
             {"1", "2", kBig, "3"}, 0}),
    [](const ::testing::TestParamInfo<Case>& info) { return std::string(info.param.name); });

TEST(TcpFramer, ReceivedBeyondTheFreeSpaceIsIgnored) {
    TcpFramer framer;
    const std::size_t space = framer.free_space().size();
    framer.received(space + 100);
    EXPECT_EQ(framer.buffered(), space);
    EXPECT_TRUE(framer.free_space().empty());
}

TEST(TcpFramer, GrowsForTheMessageBeingReadAndNoFurther) {
    TcpFramer framer;
    EXPECT_EQ(framer.capacity(), TcpFramer::kInitialCapacity);
    const Bytes prefix = {0xff, 0xff};  // a 65535-octet message announced
    std::memcpy(framer.free_space().data(), prefix.data(), 2);
    framer.received(2);
    EXPECT_FALSE(framer.next_message());
    EXPECT_FALSE(framer.consume());
    EXPECT_EQ(framer.capacity(), TcpFramer::kMaxCapacity);
    EXPECT_EQ(framer.free_space().size(), TcpFramer::kMaxCapacity - 2);
}

// The regression behind holds_message(): messages held back by back-pressure while a read is in
// progress. TcpConnection used to read on; answering the held ones then moved the buffer (and a
// large message after them grew it) under that read, so its bytes landed where the stream no
// longer was, or in freed memory. With nothing held, consume() leaves the read's space alone.
TEST(TcpFramer, ConsumeWithNothingTakenLeavesTheReadSpaceInPlace) {
    TcpFramer framer;
    const Bytes stream = concat({frame("a"), frame("b"), Bytes{0x13, 0x88}});  // then 5000 octets
    std::memcpy(framer.free_space().data(), stream.data(), stream.size());
    framer.received(stream.size());
    ASSERT_TRUE(framer.next_message());
    framer.consume();                     // "b" held back (back-pressure)
    EXPECT_TRUE(framer.holds_message());  // so TcpConnection does not read now
    ASSERT_TRUE(framer.next_message());
    EXPECT_TRUE(framer.consume());  // moves the 5000-octet message's prefix to the front, grows
    EXPECT_FALSE(framer.holds_message());
    const auto space = framer.free_space();  // a read may be in progress into this now
    EXPECT_FALSE(framer.next_message());
    EXPECT_FALSE(framer.consume());  // on_written() while it is: nothing moves
    EXPECT_EQ(framer.free_space().data(), space.data());
    EXPECT_EQ(framer.free_space().size(), space.size());
    EXPECT_EQ(framer.buffered(), 2u);
    EXPECT_GE(framer.capacity(), 5002u);
}

}  // namespace
