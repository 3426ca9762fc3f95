// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
// A test program for server/xdp (tests/integration/test_xdp_socket.py): attaches the XDP
// program to an interface, opens queue 0 and answers every UDP datagram to the port with the
// datagram's payload reversed, built in the AF_XDP TX frame.
//
//   xdp_echo IFACE PORT     prints "ready <native|generic> <copy|zero-copy> <program id>" once
//                           serving, and "received N replied N no-tx-frame N" on SIGTERM/SIGINT;
//                           an attach or open error is one line on stderr, exit 1.
//
// The reply headers are written here by hand (Ethernet, up to two VLAN tags, IPv4 without
// options or IPv6, UDP; RFC 791, RFC 8200, RFC 768 checksums): the frame library
// (sipdns/xdp/frame.h) is a separate part of issue 19.
#include <poll.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <span>
#include <string>

#include "sipdns/xdp/xdp_program.h"
#include "sipdns/xdp/xsk_queue.h"

namespace {

volatile std::sig_atomic_t stop_requested = 0;
void request_stop(int) {
    stop_requested = 1;
}

std::uint16_t get16(const std::uint8_t* p) {
    return static_cast<std::uint16_t>(p[0] << 8 | p[1]);
}
void put16(std::uint8_t* p, std::uint32_t value) {
    p[0] = static_cast<std::uint8_t>(value >> 8);
    p[1] = static_cast<std::uint8_t>(value);
}

// The one's complement sum of RFC 1071, not yet folded.
std::uint32_t sum16(const std::uint8_t* p, std::size_t length, std::uint32_t sum = 0) {
    for (; length > 1; p += 2, length -= 2) sum += get16(p);
    if (length) sum += static_cast<std::uint32_t>(p[0]) << 8;
    return sum;
}
std::uint16_t fold(std::uint32_t sum) {
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    return static_cast<std::uint16_t>(~sum);
}

class ReverseEcho : public sipdns::xdp::FrameHandler {
  public:
    explicit ReverseEcho(std::uint16_t port) : port_(port) {}

    std::size_t on_frame(std::span<const std::uint8_t> rx, std::span<std::uint8_t> tx) override {
        const std::uint8_t* in = rx.data();
        std::size_t offset = 12;
        if (rx.size() < 14) return 0;
        std::uint16_t type = get16(in + offset);
        for (int tags = 0; tags < 2 && (type == 0x8100 || type == 0x88a8); ++tags) {
            offset += 4;
            if (rx.size() < offset + 2) return 0;
            type = get16(in + offset);
        }
        offset += 2;  // the EtherType: the IP header starts here
        const std::size_t ip = offset;
        std::size_t ip_header = 0;
        if (type == 0x0800) {
            if (rx.size() < ip + 20 || in[ip] != 0x45 || in[ip + 9] != 17 ||
                (get16(in + ip + 6) & 0x3fff))
                return 0;
            ip_header = 20;
        } else if (type == 0x86dd) {
            if (rx.size() < ip + 40 || (in[ip] >> 4) != 6 || in[ip + 6] != 17) return 0;
            ip_header = 40;
        } else {
            return 0;
        }
        const std::size_t udp = ip + ip_header;
        if (rx.size() < udp + 8 || get16(in + udp + 2) != port_) return 0;
        const std::size_t udp_length = get16(in + udp + 4);
        if (udp_length < 8 || udp + udp_length > rx.size() || udp + udp_length > tx.size())
            return 0;
        const std::size_t payload = udp_length - 8;

        std::uint8_t* out = tx.data();
        std::memcpy(out, in + 6, 6);  // destination MAC = the query's source
        std::memcpy(out + 6, in, 6);
        std::memcpy(out + 12, in + 12, ip - 12);  // VLAN tags and EtherType kept
        for (std::size_t i = 0; i < payload; ++i) out[udp + 8 + i] = in[udp + 8 + payload - 1 - i];
        std::uint32_t pseudo = 0;
        if (ip_header == 20) {
            std::memset(out + ip, 0, 20);
            out[ip] = 0x45;
            put16(out + ip + 2, 20 + udp_length);
            put16(out + ip + 6, 0x4000);  // DF
            out[ip + 8] = 64;
            out[ip + 9] = 17;
            std::memcpy(out + ip + 12, in + ip + 16, 4);
            std::memcpy(out + ip + 16, in + ip + 12, 4);
            put16(out + ip + 10, fold(sum16(out + ip, 20)));
            pseudo = sum16(out + ip + 12, 8);
        } else {
            std::memcpy(out + ip, in + ip, 4);  // version, traffic class, flow label
            put16(out + ip + 4, udp_length);
            out[ip + 6] = 17;
            out[ip + 7] = 64;
            std::memcpy(out + ip + 8, in + ip + 24, 16);
            std::memcpy(out + ip + 24, in + ip + 8, 16);
            pseudo = sum16(out + ip + 8, 32);
        }
        put16(out + udp, get16(in + udp + 2));
        put16(out + udp + 2, get16(in + udp));
        put16(out + udp + 4, udp_length);
        put16(out + udp + 6, 0);
        std::uint16_t checksum = fold(sum16(out + udp, udp_length, pseudo + 17 + udp_length));
        put16(out + udp + 6, checksum == 0 ? 0xffff : checksum);  // RFC 768: 0 means none
        return udp + udp_length;
    }

  private:
    std::uint16_t port_;
};

}  // namespace

int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: xdp_echo IFACE PORT\n");
        return 2;
    }
    // The library's warnings on stderr: stdout has only the lines above.
    spdlog::set_default_logger(spdlog::stderr_logger_st("xdp_echo"));
    sipdns::xdp::XdpSetup setup;
    setup.interface = argv[1];
    setup.port = static_cast<std::uint16_t>(std::atoi(argv[2]));
    auto program = sipdns::xdp::XdpProgram::attach(setup);
    if (!program) {
        std::fprintf(stderr, "%s\n", program.error().c_str());
        return 1;
    }
    auto queue = sipdns::xdp::XskQueue::open(**program, 0);
    if (!queue) {
        std::fprintf(stderr, "%s\n", queue.error().c_str());
        return 1;
    }
    std::signal(SIGTERM, request_stop);
    std::signal(SIGINT, request_stop);
    std::printf("ready %s %s %u\n",
                (*program)->mode() == sipdns::xdp::AttachMode::Native ? "native" : "generic",
                (*queue)->zero_copy() ? "zero-copy" : "copy", (*program)->program_id());
    std::fflush(stdout);

    ReverseEcho echo(setup.port);
    pollfd wait{(*queue)->fd(), POLLIN, 0};
    while (!stop_requested) {
        if ((*queue)->serve_batch(echo) == 0) ::poll(&wait, 1, 100);
    }
    const auto& counters = (*queue)->counters();
    std::printf("received %llu replied %llu no-tx-frame %llu\n",
                static_cast<unsigned long long>(counters.frames_received),
                static_cast<unsigned long long>(counters.replies_sent),
                static_cast<unsigned long long>(counters.no_tx_frame));
    return 0;
}
