// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#include "worker.h"

#include <memory>

#include "tcp_connection.h"
#include "udp_socket_server.h"

namespace sipdns::net {

const std::atomic<bool> Worker::kNeverLogging{false};

Worker::Worker(unsigned worker_index, const SnapshotHolder& holder)
    : index(worker_index), snapshots(holder) {}

Worker::~Worker() = default;

void Worker::begin_shutdown() {
    stopping = true;
    for (auto& udp : udp_sockets) udp->stop();
    // Copy first: closing may end a connection's last handler, and its destructor edits the set.
    std::vector<std::shared_ptr<TcpConnection>> open;
    open.reserve(connections.size());
    for (TcpConnection* connection : connections) open.push_back(connection->shared_from_this());
    for (auto& connection : open) connection->finish_and_close();
}

}  // namespace sipdns::net
