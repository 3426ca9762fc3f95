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
// The reply's headers are the frame library's (sipdns/xdp/frame.h), as in the daemon.
#include <poll.h>
#include <sys/socket.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <span>
#include <string>

#include "sipdns/xdp/frame.h"
#include "sipdns/xdp/xdp_program.h"
#include "sipdns/xdp/xsk_queue.h"

namespace {

volatile std::sig_atomic_t stop_requested = 0;
void request_stop(int) {
    stop_requested = 1;
}

class ReverseEcho : public sipdns::xdp::FrameHandler {
  public:
    explicit ReverseEcho(std::uint16_t port) : port_(port) {}

    std::size_t on_frame(std::span<const std::uint8_t> rx, std::span<std::uint8_t> tx) override {
        sipdns::xdp::UdpFrame frame;
        if (sipdns::xdp::parse_udp_frame(rx, port_, frame) != sipdns::xdp::FrameKind::Query)
            return 0;
        if (frame.payload_offset + frame.payload_length > tx.size()) return 0;
        const std::uint8_t* payload = rx.data() + frame.payload_offset;
        for (std::size_t i = 0; i < frame.payload_length; ++i)
            tx[frame.payload_offset + i] = payload[frame.payload_length - 1 - i];
        return sipdns::xdp::write_reply_headers(rx, frame, tx, frame.payload_length);
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
    // As sipdnsd listening on the wildcard addresses: the host's own addresses.
    for (int family : {AF_INET, AF_INET6}) {
        if (std::string error =
                sipdns::xdp::add_local_addresses(setup.destinations, family, setup.interface);
            !error.empty()) {
            std::fprintf(stderr, "%s\n", error.c_str());
            return 1;
        }
    }
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
