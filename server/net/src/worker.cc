// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#include "worker.h"

#include <memory>
#include <string>

#include <spdlog/spdlog.h>

#include "sipdns/zone/name.h"
#include "tcp_connection.h"
#include "udp_socket_server.h"
#include "xdp_queue_server.h"

namespace sipdns::net {

const std::atomic<bool> Worker::kNeverLogging{false};

Worker::Worker(unsigned worker_index, const SnapshotHolder& holder)
    : index(worker_index), snapshots(holder) {}

Worker::~Worker() = default;

void Worker::begin_shutdown() {
    stopping = true;
    for (auto& xdp : xdp_queues) xdp->stop();
    for (auto& udp : udp_sockets) udp->stop();
    // Copy first: closing may end a connection's last handler, and its destructor edits the set.
    std::vector<std::shared_ptr<TcpConnection>> open;
    open.reserve(connections.size());
    for (TcpConnection* connection : connections) open.push_back(connection->shared_from_this());
    for (auto& connection : open) connection->finish_and_close();
}

void log_tsig_refusal(Worker& worker, const engine::QueryContext& context,
                      std::span<const std::uint8_t> query, const engine::EngineResult& result) {
    if (result.tsig_error == 0 && !result.tsig_missing) return;
    if (!worker.tsig_log.allow()) return;
    // The question as asked (the engine parsed it: plain labels from offset 12).
    std::string question = "(no question)";
    std::size_t at = 12;
    while (at < query.size() && query[at] != 0 && query[at] <= 63) at += query[at] + 1u;
    if (query.size() >= 12 && at + 5 <= query.size() && query[4] == 0 && query[5] == 1) {
        const std::string_view wire(reinterpret_cast<const char*>(query.data() + 12), at + 1 - 12);
        const unsigned qtype = static_cast<unsigned>(query[at + 1] << 8 | query[at + 2]);
        question = zone::name_to_text(wire) +
                   (qtype == 252 ? " AXFR" : qtype == 251 ? " IXFR" : " type " + std::to_string(qtype));
    }
    const std::string client = context.has_client ? context.client.to_string() : "unknown";
    const std::string why =
        result.tsig_missing ? std::string("transfer refused: not signed with the site's TSIG key")
                            : "TSIG " + std::string(engine::tsig_error_name(result.tsig_error)) +
                                  " (RFC 8945 §5.2), answered NOTAUTH";
    if (worker.tsig_log.suppressed() != 0)
        spdlog::warn("client {} {}: {} ({} more TSIG refusals not logged)", client, question, why,
                     worker.tsig_log.suppressed());
    else
        spdlog::warn("client {} {}: {}", client, question, why);
}

}  // namespace sipdns::net
