// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#include "daemon_control.h"

#include <array>
#include <ctime>
#include <filesystem>
#include <system_error>

#include <spdlog/spdlog.h>

#include "sipdns/zone/name.h"
#include "sipdns/zone/plan.h"

namespace sipdns::app {

control::StatusReport DaemonControl::status() {
    control::StatusReport r;
    r.version = SIPDNS_VERSION;
    r.started = started_;
    r.now = static_cast<std::int64_t>(std::time(nullptr));
    // As the daemon reads it (relative to where it started), shown absolute.
    std::error_code ec;
    const auto absolute = std::filesystem::absolute(config_file_, ec);
    r.config_file = ec ? config_file_ : absolute.string();
    for (const net::ListenerInfo& l : server_.listeners())
        r.listeners.push_back(
            {l.protocol == net::ListenerInfo::Protocol::Udp ? "udp" : "tcp", l.endpoint});
    // The no-location view, as the metrics endpoint and zone transfers show it.
    const auto serving = snapshots_.current();
    const zone::ZoneSet& zones = serving->zones->default_view();
    for (const auto& z : zones.zones())
        r.zones.push_back({zone::name_to_text(z->apex()), z->serial(), z->record_count()});
    r.last_reload = reloader_.last_reload();
    r.reloads_ok = reload_stats_.ok.load(std::memory_order_relaxed);
    r.reloads_failed = reload_stats_.failed.load(std::memory_order_relaxed);
    if (reloader_.serving_forward() && serving->settings.forward.enabled)
        r.forward = zone::describe_forward(*reloader_.serving_forward());
    if (health_ && health_->enabled()) {
        r.health.emplace();
        for (const auto& t : health_->targets())
            r.health->push_back({t.target.name, t.target.port,
                                 std::string(health::transport_name(t.target.transport)), t.up,
                                 t.last_latency_ms, t.probes_sent, t.probes_failed,
                                 t.last_result});
    }

    // The counters behind sipdns_queries_total and its neighbours (net/metrics.h), summed.
    const net::TrafficTotals traffic = server_.traffic();
    std::array<std::uint64_t, net::kRcodeBuckets> by_rcode{};
    for (std::size_t t = 0; t < net::kTransports; ++t) {
        std::uint64_t transport_total = 0;
        for (const auto& per_qtype : traffic.queries[t])
            for (std::size_t rc = 0; rc < net::kRcodeBuckets; ++rc) {
                transport_total += per_qtype[rc];
                by_rcode[rc] += per_qtype[rc];
            }
        (t == 0 ? r.counters.udp : r.counters.tcp) = transport_total;
        r.counters.truncated += traffic.truncated[t];
        r.counters.dropped += traffic.dropped[t];
        r.counters.forwarded += traffic.forward_queries[t];
    }
    for (std::size_t rc = 0; rc < net::kRcodeBuckets; ++rc)
        if (by_rcode[rc] != 0) r.counters.by_rcode.emplace_back(net::rcode_label(rc), by_rcode[rc]);
    const querylog::QueryLog::Stats logged = query_log_.stats();
    r.query_log = {logged.sinks, logged.watchers, logged.records, logged.unlogged,
                   logged.sink_lost};
    r.counters.rate_limited_dropped = traffic.rate_limited_dropped;
    r.counters.rate_limited_slipped = traffic.rate_limited_slipped;
    return r;
}

namespace {

// A watch's feed (control_server.h) over the query log's subscription (query_log.h).
class QueryLogFeed final : public control::WatchFeed {
  public:
    explicit QueryLogFeed(std::shared_ptr<querylog::Watch> watch) : watch_(std::move(watch)) {}
    ~QueryLogFeed() override { spdlog::info("watch ended"); }
    Batch take() override {
        querylog::Watch::Taken taken = watch_->take();
        return {std::move(taken.lines), taken.lost, taken.unlogged};
    }

  private:
    std::shared_ptr<querylog::Watch> watch_;
};

}  // namespace

std::unique_ptr<control::WatchFeed> DaemonControl::watch(const control::WatchRequest& request,
                                                         std::function<void()> wakeup,
                                                         std::string& problem,
                                                         std::string& notice) {
    auto filter = querylog::parse_watch_filter(request.client, request.name, request.type, problem);
    if (!filter) return nullptr;
    auto subscription = std::make_shared<querylog::Watch>(std::move(*filter));
    subscription->set_wakeup(std::move(wakeup));
    query_log_.subscribe(subscription);
    const std::string shown = subscription->filter().describe();
    spdlog::info("watch started{}", shown.empty() ? "" : " (" + shown + ")");
    notice = shown.empty() ? "watching all queries; Ctrl-C to stop"
                           : "watching queries of " + shown + "; Ctrl-C to stop";
    return std::make_unique<QueryLogFeed>(std::move(subscription));
}

}  // namespace sipdns::app
