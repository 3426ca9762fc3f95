// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// The XDP program of the AF_XDP fast path (bpf/sipdns_xdp.bpf.c, embedded in this library) on
// one interface. It redirects UDP to the served port into the AF_XDP socket of the queue it came
// in on (XskQueue) and passes everything else to the kernel.
//
// It is attached through a bpf_link (BPF_LINK_CREATE with BPF_XDP, kernel >= 5.9): the link
// belongs to this process's file descriptor, so exit, a crash or kill -9 detaches the program
// too; nothing is left on the interface for the next start to trip over.
#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "sipdns/config/expected.h"

struct bpf_object;

namespace sipdns::xdp {

// Native: the driver runs the program (XDP_FLAGS_DRV_MODE); Generic: the kernel runs it on the
// socket buffer after the driver (XDP_FLAGS_SKB_MODE), for drivers without XDP support.
enum class AttachMode : std::uint8_t { Native, Generic };

// The destination addresses whose queries the program takes (the daemon's listen addresses
// at the served port); the others stay the kernel's.
struct XdpDestinations {
    std::vector<std::array<std::uint8_t, 4>> ipv4;
    std::vector<std::array<std::uint8_t, 16>> ipv6;
};

// Adds the host's addresses of `family` (AF_INET or AF_INET6), for a wildcard listen address:
// those of every interface, as the kernel's wildcard socket gets them (the weak host model,
// RFC 1122 §3.3.4.2), but not loopback ones (the kernel drops them from another interface) and,
// for IPv6, link-local ones only of `interface` (RFC 4291 §2.5.6: link scope). Read once: an
// address added later is not in the map, so its queries stay on the kernel path (the socket
// answers them, only slower). Empty on success, else the reason.
std::string add_local_addresses(XdpDestinations& destinations, int family,
                                const std::string& interface);

struct XdpSetup {
    std::string interface;
    std::uint16_t port = 53;  // the UDP destination port that goes to the AF_XDP sockets
    unsigned max_queues = 1;  // queue_count() is at most this (and at most kMaxQueues)
    XdpDestinations destinations;
};

class XdpProgram {
  public:
    // The size of the program's XSKMAP: queues with a higher index stay on the kernel path.
    static constexpr unsigned kMaxQueues = 64;
    // The size of its destination map (the host's addresses, for a wildcard): more is an error.
    static constexpr std::size_t kMaxDestinations = 1024;

    // Loads the program with `setup.port` and attaches it, native mode first, then generic.
    // Refuses an interface that has another XDP program (naming it); removes a sipdns_xdp
    // program left attached the legacy (netlink, not bpf_link) way. The error is one line: what
    // failed and what to do.
    static Expected<std::unique_ptr<XdpProgram>, std::string> attach(const XdpSetup& setup);
    ~XdpProgram();  // detaches (closes the link) and unloads
    XdpProgram(const XdpProgram&) = delete;
    XdpProgram& operator=(const XdpProgram&) = delete;

    AttachMode mode() const { return mode_; }
    unsigned queue_count() const { return queue_count_; }  // RX queues, capped at max_queues
    const std::string& interface() const { return interface_; }
    int ifindex() const { return ifindex_; }
    std::uint16_t port() const { return port_; }
    std::uint32_t program_id() const { return program_id_; }

    // For XskQueue: puts an AF_XDP socket into the XSKMAP at `queue`. Empty on success, else
    // the reason. (Closing the socket takes it out of the map again.)
    std::string register_socket(unsigned queue, int socket_fd);
    // The UMEM bytes the queues opened so far registered (RLIMIT_MEMLOCK is per user, so every
    // queue's buffers count against the same limit).
    std::uint64_t registered_umem_bytes() const { return registered_umem_bytes_; }
    void add_registered_umem_bytes(std::uint64_t bytes) { registered_umem_bytes_ += bytes; }

  private:
    XdpProgram() = default;

    std::string interface_;
    int ifindex_ = 0;
    std::uint16_t port_ = 0;
    AttachMode mode_ = AttachMode::Native;
    unsigned queue_count_ = 1;
    bpf_object* object_ = nullptr;
    int link_fd_ = -1;
    int xsks_map_fd_ = -1;
    std::uint32_t program_id_ = 0;
    std::uint64_t registered_umem_bytes_ = 0;
};

}  // namespace sipdns::xdp
