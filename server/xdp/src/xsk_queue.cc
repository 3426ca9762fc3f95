// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#include "sipdns/xdp/xsk_queue.h"

#include <linux/if_xdp.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <iterator>
#include <thread>

#include "errno_text.h"

namespace sipdns::xdp {
namespace {

constexpr std::uint32_t kTxFrames = XskQueue::kFrameCount - XskQueue::kRingSize;
static_assert(kTxFrames <= XskQueue::kRingSize,
              "the TX and completion rings must hold every TX frame at once");
// Copy mode sends at most this many TX descriptors per sendto() and answers EAGAIN when more
// are left (net/xdp/xsk.c, TX_BATCH_SIZE).
constexpr std::uint32_t kKernelTxBatch = 32;
// How long a queue may stay busy with the socket of a process that just exited, and a closed
// UMEM's pages stay charged to RLIMIT_MEMLOCK.
constexpr std::chrono::seconds kBusyWait{2};

std::uint64_t kib(std::uint64_t bytes) {
    return bytes / 1024;
}

// The UMEM's pages are locked and, without CAP_IPC_LOCK, charged to the user's RLIMIT_MEMLOCK
// (net/xdp/xdp_umem.c, xdp_umem_account_pages): raise the soft limit as far as the process may.
void raise_memlock_limit(std::uint64_t needed) {
    rlimit limit{};
    if (::getrlimit(RLIMIT_MEMLOCK, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY ||
        limit.rlim_cur >= needed)
        return;
    rlimit wanted{RLIM_INFINITY, RLIM_INFINITY};
    if (::setrlimit(RLIMIT_MEMLOCK, &wanted) == 0) return;  // with CAP_SYS_RESOURCE
    wanted = {limit.rlim_max, limit.rlim_max};
    ::setrlimit(RLIMIT_MEMLOCK, &wanted);
}

std::uint64_t memlock_limit() {
    rlimit limit{};
    ::getrlimit(RLIMIT_MEMLOCK, &limit);
    return limit.rlim_cur;
}

}  // namespace

Expected<std::unique_ptr<XskQueue>, std::string> XskQueue::open(XdpProgram& program,
                                                                unsigned queue) {
    const std::string where =
        "AF_XDP socket on " + program.interface() + " queue " + std::to_string(queue);
    if (queue >= program.queue_count())
        return unexpected(where + ": the interface has " + std::to_string(program.queue_count()) +
                          " queue(s) in use");
    // socket(AF_XDP) needs CAP_NET_RAW: tried on its own, so that EPERM from the UMEM
    // registration below can only mean the locked-memory limit.
    if (int probe = ::socket(AF_XDP, SOCK_RAW | SOCK_CLOEXEC, 0); probe < 0) {
        int code = errno;
        return unexpected(where + ": " + errno_text(code) +
                          (code == EPERM ? "; needs CAP_NET_RAW (root, or "
                                           "AmbientCapabilities=CAP_NET_RAW in the unit)"
                                         : ""));
    } else {
        ::close(probe);
    }

    std::unique_ptr<XskQueue> xsk(new XskQueue());
    xsk->queue_ = queue;
    const std::uint64_t needed = program.registered_umem_bytes() + kUmemBytes;
    raise_memlock_limit(needed);
    xsk->umem_area_ =
        ::mmap(nullptr, kUmemBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (xsk->umem_area_ == MAP_FAILED) {
        xsk->umem_area_ = nullptr;
        return unexpected(where + ": cannot map " + std::to_string(kib(kUmemBytes)) +
                          " KiB for its buffers: " + errno_text(errno));
    }

    // Zero-copy where the driver can, else copy. A failed bind leaves the UMEM's socket with
    // its rings set up, so each attempt starts from a new UMEM over the same memory.
    // EBUSY: the queue still has a socket. The kernel frees a closed socket's buffer pool in a
    // work item after close() returns (net/xdp/xsk_buff_pool.c, xp_put_pool), so a restart
    // right after the previous process exited sees it for a moment: wait that out.
    const auto busy_deadline = std::chrono::steady_clock::now() + kBusyWait;
    int bind_error = 0;
    std::uint16_t modes[] = {XDP_ZEROCOPY, XDP_COPY};
    for (std::size_t attempt = 0; attempt < std::size(modes); ++attempt) {
        const std::uint16_t mode = modes[attempt];
        xsk_umem_config umem_config{};
        umem_config.fill_size = kRingSize;
        umem_config.comp_size = kRingSize;
        umem_config.frame_size = kFrameSize;
        umem_config.frame_headroom = 0;
        umem_config.flags = 0;
        if (int rc = xsk_umem__create(&xsk->umem_, xsk->umem_area_, kUmemBytes, &xsk->fill_,
                                      &xsk->completion_, &umem_config);
            rc < 0) {
            xsk->umem_ = nullptr;
            int code = -rc;
            std::uint64_t limit = memlock_limit();
            // A UMEM just closed (the failed zero-copy attempt's, or one of a process of the same
            // user that just exited) gives its pages back to RLIMIT_MEMLOCK in a work item after
            // close() (net/xdp/xdp_umem.c, xdp_put_umem): wait for them before saying the limit
            // is too small, where it could be enough.
            if ((code == ENOBUFS || code == ENOMEM) && limit >= needed &&
                std::chrono::steady_clock::now() < busy_deadline) {
                std::this_thread::sleep_for(std::chrono::milliseconds(20));
                --attempt;  // the same mode again
                continue;
            }
            if ((code == ENOMEM || code == ENOBUFS || code == EPERM) && limit < needed)
                return unexpected("RLIMIT_MEMLOCK (" + std::to_string(kib(limit)) +
                                  " KiB) is below the " + std::to_string(kib(needed)) +
                                  " KiB the AF_XDP buffers need; raise LimitMEMLOCK in the unit");
            // The limit is per user: other processes of the same user may have used it up.
            if (code == ENOBUFS)
                return unexpected(
                    "RLIMIT_MEMLOCK (" + std::to_string(kib(limit)) +
                    " KiB, shared by the user's processes) has no room left for the " +
                    std::to_string(kib(kUmemBytes)) +
                    " KiB the AF_XDP buffers need; raise LimitMEMLOCK in the unit");
            return unexpected(where + ": cannot register its " + std::to_string(kib(kUmemBytes)) +
                              " KiB of buffers: " + errno_text(code));
        }
        xsk_socket_config socket_config{};
        socket_config.rx_size = kRingSize;
        socket_config.tx_size = kRingSize;
        socket_config.libxdp_flags = XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD;  // our own program
        socket_config.bind_flags = static_cast<std::uint16_t>(mode | XDP_USE_NEED_WAKEUP);
        int rc = xsk_socket__create(&xsk->socket_, program.interface().c_str(), queue, xsk->umem_,
                                    &xsk->rx_, &xsk->tx_, &socket_config);
        if (rc == 0) break;
        xsk->socket_ = nullptr;
        xsk_umem__delete(xsk->umem_);
        xsk->umem_ = nullptr;
        bind_error = -rc;
        if (bind_error == EPERM) break;
        if (bind_error == EBUSY && std::chrono::steady_clock::now() < busy_deadline) {
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
            --attempt;  // the same mode again
        }
    }
    if (!xsk->socket_ && bind_error == EBUSY)
        return unexpected(where + ": another AF_XDP socket is bound to this queue");
    if (!xsk->socket_)
        return unexpected(where +
                          ": cannot bind (zero-copy or copy mode): " + errno_text(bind_error));
    program.add_registered_umem_bytes(kUmemBytes);

    xdp_options options{};
    socklen_t options_length = sizeof options;
    if (::getsockopt(xsk->fd(), SOL_XDP, XDP_OPTIONS, &options, &options_length) == 0)
        xsk->zero_copy_ = (options.flags & XDP_OPTIONS_ZEROCOPY) != 0;

    // The first kRingSize frames wait in the fill ring for queries; the rest are for replies.
    std::uint32_t index = 0;
    if (xsk_ring_prod__reserve(&xsk->fill_, kRingSize, &index) != kRingSize)
        return unexpected(where + ": its fill ring is smaller than configured");
    for (std::uint32_t i = 0; i < kRingSize; ++i)
        *xsk_ring_prod__fill_addr(&xsk->fill_, index + i) = std::uint64_t{i} * kFrameSize;
    xsk_ring_prod__submit(&xsk->fill_, kRingSize);
    xsk->free_tx_frames_.reserve(kTxFrames);
    for (std::uint32_t i = kRingSize; i < kFrameCount; ++i)
        xsk->free_tx_frames_.push_back(std::uint64_t{i} * kFrameSize);

    if (std::string error = program.register_socket(queue, xsk->fd()); !error.empty())
        return unexpected(std::move(error));
    return xsk;
}

XskQueue::~XskQueue() {
    // Closing the socket also takes it out of the program's map (net/xdp/xsk.c, xsk_release).
    if (socket_) xsk_socket__delete(socket_);
    if (umem_) xsk_umem__delete(umem_);
    if (umem_area_) ::munmap(umem_area_, kUmemBytes);
}

int XskQueue::fd() const {
    return xsk_socket__fd(socket_);
}

void XskQueue::reclaim_completions() {
    std::uint32_t index = 0;
    std::uint32_t done = xsk_ring_cons__peek(&completion_, kRingSize, &index);
    for (std::uint32_t i = 0; i < done; ++i)
        free_tx_frames_.push_back(*xsk_ring_cons__comp_addr(&completion_, index + i));
    if (done) xsk_ring_cons__release(&completion_, done);
}

std::uint32_t XskQueue::tx_unsent() const {
    // The kernel publishes its consumer index with a release store (net/xdp/xsk_queue.h).
    return *tx_.producer - __atomic_load_n(tx_.consumer, __ATOMIC_ACQUIRE);
}

void XskQueue::kick_tx() {
    // Zero-copy drivers say when they need a wakeup; copy mode sends in sendto() itself, at most
    // kKernelTxBatch frames each time (EAGAIN: more are waiting), so it is called until the TX
    // ring is empty, bounded by the ring's size.
    if (zero_copy_) {
        if (xsk_ring_prod__needs_wakeup(&tx_)) ::sendto(fd(), nullptr, 0, MSG_DONTWAIT, nullptr, 0);
        return;
    }
    for (std::uint32_t attempt = 0; attempt <= kRingSize / kKernelTxBatch; ++attempt) {
        if (::sendto(fd(), nullptr, 0, MSG_DONTWAIT, nullptr, 0) >= 0 || errno != EAGAIN) return;
    }
}

std::size_t XskQueue::serve_batch(FrameHandler& handler, std::size_t max) {
    std::uint32_t rx_index = 0;
    const std::uint32_t received = xsk_ring_cons__peek(
        &rx_, static_cast<std::uint32_t>(std::min<std::size_t>(max, kRingSize)), &rx_index);
    if (received == 0) {
        if (xsk_ring_prod__needs_wakeup(&fill_))
            ::recvfrom(fd(), nullptr, 0, MSG_DONTWAIT, nullptr, nullptr);
        return 0;
    }
    // The fill ring has room for every frame taken off the RX ring (the kRingSize RX frames are
    // either in the fill ring, in the RX ring or here) once the kernel has published its fill
    // consumer index. It does that after publishing the RX entries and before waking the
    // socket (net/xdp/xsk.c, xsk_flush: RX submit, fill release, sock_def_readable), so a
    // reserve can fail for a moment; the frames stay on the RX ring and that wake-up follows.
    std::uint32_t fill_index = 0;
    if (xsk_ring_prod__reserve(&fill_, received, &fill_index) != received) {
        xsk_ring_cons__cancel(&rx_, received);
        return 0;
    }
    reclaim_completions();
    // Every TX frame in flight and some still unsent on the ring (an earlier kick gave up):
    // kick now, or this batch would go unanswered too.
    if (free_tx_frames_.empty() && tx_unsent() != 0) {
        kick_tx();
        reclaim_completions();
    }

    std::uint32_t replies = 0;
    auto* umem = static_cast<std::uint8_t*>(umem_area_);
    for (std::uint32_t i = 0; i < received; ++i) {
        const xdp_desc* rx = xsk_ring_cons__rx_desc(&rx_, rx_index + i);
        // Aligned UMEM: the address is the frame's start plus the headroom the kernel left.
        *xsk_ring_prod__fill_addr(&fill_, fill_index + i) =
            rx->addr & ~std::uint64_t{kFrameSize - 1};
        if (free_tx_frames_.empty()) {
            ++counters_.no_tx_frame;
            continue;
        }
        const std::uint64_t tx_address = free_tx_frames_.back();
        const std::size_t length =
            handler.on_frame(std::span<const std::uint8_t>(umem + rx->addr, rx->len),
                             std::span<std::uint8_t>(umem + tx_address, kFrameSize));
        if (length == 0 || length > kFrameSize) continue;
        std::uint32_t tx_index = 0;
        // Cannot fail: the TX ring holds all kTxFrames frames (static_assert above).
        if (xsk_ring_prod__reserve(&tx_, 1, &tx_index) != 1) {
            ++counters_.no_tx_frame;
            continue;
        }
        xdp_desc* tx = xsk_ring_prod__tx_desc(&tx_, tx_index);
        tx->addr = tx_address;
        tx->len = static_cast<std::uint32_t>(length);
        tx->options = 0;
        free_tx_frames_.pop_back();
        ++replies;
    }
    xsk_ring_cons__release(&rx_, received);
    xsk_ring_prod__submit(&fill_, received);
    counters_.frames_received += received;
    if (replies) {
        xsk_ring_prod__submit(&tx_, replies);
        counters_.replies_sent += replies;
    }
    // Not only after new replies: a kick that gave up (copy mode's EAGAIN bound, EBUSY,
    // ENOBUFS) leaves descriptors that no later kick would send once no TX frame is free for
    // a reply, and every query after that would go unanswered.
    if (tx_unsent() != 0) kick_tx();
    if (xsk_ring_prod__needs_wakeup(&fill_))
        ::recvfrom(fd(), nullptr, 0, MSG_DONTWAIT, nullptr, nullptr);
    return received;
}

}  // namespace sipdns::xdp
