// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// NOTIFY to secondaries (RFC 1996): when a reload changes the serial, every listed secondary is
// told, for every zone, so it transfers at once instead of at its next refresh. Runs on a thread
// of its own; a secondary that does not answer is retried a few times, then given up (it still
// refreshes on the SOA timers).
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sipdns/config/address.h"
#include "sipdns/engine/tsig.h"

namespace sipdns::net {

class NotifySender {
public:
    NotifySender();
    ~NotifySender();  // stops retrying and joins the thread
    NotifySender(const NotifySender&) = delete;
    NotifySender& operator=(const NotifySender&) = delete;

    // Queues one NOTIFY per zone (apex names in wire form) and target, signed with `key` when
    // one is given (RFC 8945 §5.1; the secondaries of a site with a key expect it).
    void notify(const std::vector<std::string>& zone_apexes,
                const std::vector<config::IpEndpoint>& targets,
                const std::optional<engine::TsigKey>& key = std::nullopt);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace sipdns::net
