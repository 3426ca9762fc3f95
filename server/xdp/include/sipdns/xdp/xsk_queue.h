// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// One AF_XDP socket bound to one RX queue of the XdpProgram's interface, with its own UMEM and
// its four rings (Linux Documentation/networking/af_xdp.rst): the fill ring gives the kernel
// empty frames to receive into, the RX ring hands back received ones, the TX ring takes the
// replies and the completion ring returns their frames once sent. Zero-copy where the driver
// supports it, copy mode otherwise. Used from one thread only; no allocation after open().
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include <xdp/xsk.h>

#include "sipdns/config/expected.h"
#include "sipdns/xdp/xdp_program.h"

namespace sipdns::xdp {

class FrameHandler {
  public:
    // rx: the received frame; tx: a free UMEM frame to write the reply into (the whole frame,
    // Ethernet header first). Returns the reply frame's length, 0 = no reply. The rx frame is
    // recycled either way; neither span may be kept after the call.
    virtual std::size_t on_frame(std::span<const std::uint8_t> rx, std::span<std::uint8_t> tx) = 0;

  protected:
    ~FrameHandler() = default;
};

struct XskCounters {
    std::uint64_t frames_received = 0;  // taken off the RX ring
    std::uint64_t replies_sent = 0;     // put on the TX ring
    std::uint64_t no_tx_frame = 0;      // received while every TX frame was in flight: no reply
};

class XskQueue {
  public:
    // UMEM: kFrameCount frames of kFrameSize bytes = 4 MiB, locked in memory (charged to
    // RLIMIT_MEMLOCK without CAP_IPC_LOCK): two queues fit in the 8 MiB default limit (Linux
    // >= 5.16, systemd). A frame holds any Ethernet frame of a 1500-byte MTU plus the kernel's
    // 256-byte XDP headroom; 2048 is the smallest chunk size an aligned UMEM allows. Half the
    // frames wait in the fill ring for queries, half are for replies in flight.
    static constexpr std::uint32_t kFrameSize = 2048;
    static constexpr std::uint32_t kFrameCount = 2048;
    static constexpr std::uint32_t kRingSize = 1024;  // each ring; fill ring = RX frames
    static constexpr std::uint64_t kUmemBytes = std::uint64_t{kFrameSize} * kFrameCount;

    // Creates the socket on `queue` (< program.queue_count()) and puts it into the program's
    // map. The error is one line: what failed and what to do.
    static Expected<std::unique_ptr<XskQueue>, std::string> open(XdpProgram& program,
                                                                 unsigned queue);
    ~XskQueue();
    XskQueue(const XskQueue&) = delete;
    XskQueue& operator=(const XskQueue&) = delete;

    int fd() const;  // poll/epoll: readable = frames in the RX ring
    bool zero_copy() const { return zero_copy_; }
    unsigned queue() const { return queue_; }
    const XskCounters& counters() const { return counters_; }

    // Takes up to `max` frames off the RX ring, calls handler.on_frame for each, puts the
    // replies on the TX ring, gives the received frames back to the fill ring, kicks TX and the
    // fill ring where the kernel needs it. Returns how many frames it took: 0 when the RX ring
    // is empty, and also when the fill ring has no room yet for the frames waiting there (see
    // serve_batch in xsk_queue.cc); either way the socket polls readable again when there is
    // work.
    std::size_t serve_batch(FrameHandler& handler, std::size_t max = 64);

  private:
    XskQueue() = default;
    void reclaim_completions();
    void kick_tx();
    std::uint32_t tx_unsent() const;  // TX descriptors submitted that the kernel has not taken

    unsigned queue_ = 0;
    bool zero_copy_ = false;
    void* umem_area_ = nullptr;
    xsk_umem* umem_ = nullptr;
    xsk_socket* socket_ = nullptr;
    xsk_ring_prod fill_{};
    xsk_ring_cons completion_{};
    xsk_ring_cons rx_{};
    xsk_ring_prod tx_{};
    std::vector<std::uint64_t> free_tx_frames_;  // capacity kFrameCount - kRingSize, never grows
    XskCounters counters_;
};

}  // namespace sipdns::xdp
