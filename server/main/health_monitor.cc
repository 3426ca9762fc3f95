// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#include "health_monitor.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

#include "sipdns/zone/builder.h"
#include "sipdns/zone/plan.h"
#include "systemd_notify.h"

namespace sipdns::app {

namespace {

zone::SipTargetKey key_of(const health::ProbeTarget& t) {
    return {t.name, t.port, t.transport};
}

std::string shown(const health::ProbeTarget& t) {
    return t.name + " " + std::to_string(t.port) + "/" + std::string(health::transport_name(t.transport));
}

std::string label_value(const std::string& text) {
    std::string out;
    for (char c : text) {
        if (c == '\\' || c == '"') out += '\\';
        if (c == '\n') {
            out += "\\n";
            continue;
        }
        out += c;
    }
    return out;
}

}  // namespace

void free_when_unused(net::Server& server, std::shared_ptr<const net::ServingSnapshot> replaced) {
    // The old zone set is freed here, on the control thread — not by whichever worker happens
    // to drop it last, and not only at that worker's next query: a quiet PBX's idle worker
    // kept it (and the daemon's RSS at old + new) indefinitely.
    server.refresh_snapshots();
    // Workers refresh between two batches, so this takes well under a millisecond normally.
    // Bounded: a worker stuck in a long handler frees it itself later.
    constexpr auto kStep = std::chrono::milliseconds(1);
    constexpr int kSteps = 2000;
    for (int i = 0; i < kSteps && replaced.use_count() > 1; ++i) std::this_thread::sleep_for(kStep);
    if (replaced.use_count() > 1)
        spdlog::debug("a worker still holds the previous zone set; it frees it when it refreshes");
    replaced.reset();
}

HealthMonitor::HealthMonitor(boost::asio::io_context& control, net::SnapshotHolder& snapshots,
                             net::Server& server)
    : control_(control), snapshots_(snapshots), server_(server) {}

HealthMonitor::~HealthMonitor() { stop(); }

void HealthMonitor::stop() {
    std::lock_guard lock(prober_mutex_);
    if (prober_) prober_->stop();
}

bool HealthMonitor::enabled() const {
    std::lock_guard lock(prober_mutex_);
    return prober_ != nullptr;
}

void HealthMonitor::replace_prober(std::unique_ptr<health::Prober> next) {
    std::unique_ptr<health::Prober> old;
    {
        std::lock_guard lock(prober_mutex_);
        old = std::move(prober_);
        prober_ = std::move(next);
    }
    // Joined outside the lock: a scrape need not wait for it. Its verdicts already posted
    // to the control thread find it gone (apply() checks the targets).
    if (old) old->stop();
}

std::shared_ptr<const zone::SiteZones> HealthMonitor::serve(
    const config::SiteConfig& site, std::shared_ptr<const zone::SiteZones> configured) {
    if (!site.health) {
        if (prober_) {
            spdlog::info("health: removed from the site file; SIP targets are no longer probed");
            replace_prober(nullptr);
        }
        settings_.reset();
        probed_.clear();
        down_.clear();
        site_ = {};
        configured_.reset();
        return configured;
    }
    const config::HealthSettings& h = *site.health;
    std::vector<health::ProbeTarget> targets;
    for (const auto& t : zone::sip_health_targets(*configured, h))
        targets.push_back({t.key.name, t.key.port, t.key.transport, t.addresses});

    const bool retune = !settings_ || settings_->interval_ms != h.interval_ms ||
                        settings_->timeout_ms != h.timeout_ms || settings_->rise != h.rise ||
                        settings_->fall != h.fall;
    if (retune && prober_) {
        // New timing: a new prober; its targets start up again (rise/fall count afresh).
        replace_prober(nullptr);
        down_.clear();
    }
    // What is down stays down across a reload, for the targets the new site still has.
    zone::DownTargets still_down;
    for (const auto& t : targets)
        if (down_.contains(key_of(t))) still_down.insert(key_of(t));
    down_ = std::move(still_down);

    settings_ = h;
    site_ = site;
    configured_ = configured;
    probed_ = targets;
    if (!prober_) {
        health::ProberSettings ps;
        ps.interval_ms = h.interval_ms;
        ps.timeout_ms = h.timeout_ms;
        ps.rise = h.rise;
        ps.fall = h.fall;
        auto prober = std::make_unique<health::Prober>(ps, [this](std::vector<health::TargetChange> c) {
            // The prober's thread: the verdicts are applied on the control thread.
            boost::asio::post(control_, [this, c = std::move(c)]() mutable { apply(std::move(c)); });
        });
        prober->set_targets(std::move(targets));
        prober->start();
        replace_prober(std::move(prober));
    } else {
        prober_->set_targets(std::move(targets));
    }
    spdlog::info("health: {}", zone::describe_health(h, probed_.size()));
    return live_zones();
}

std::shared_ptr<const zone::SiteZones> HealthMonitor::live_zones() {
    auto live = zone::build_live_site_zones(site_, configured_, down_);
    if (!live) {
        for (const auto& d : live.error()) spdlog::error("health: {}", d.to_string());
        spdlog::error("health: cannot build the answers without the down targets; serving the "
                      "configured records");
        return configured_;
    }
    return *live;
}

void HealthMonitor::apply(std::vector<health::TargetChange> changes) {
    if (!prober_ || !configured_) return;  // health was removed by a reload since
    bool changed = false;
    for (const auto& c : changes) {
        const zone::SipTargetKey key = key_of(c.target);
        const bool probed = std::any_of(probed_.begin(), probed_.end(),
                                        [&](const health::ProbeTarget& t) { return key_of(t) == key; });
        if (!probed) continue;  // a target a reload removed since
        if (c.up) {
            spdlog::info("{} up: {}", shown(c.target), c.reason);
            changed = down_.erase(key) > 0 || changed;
        } else {
            spdlog::warn("{} down: {}", shown(c.target), c.reason);
            changed = down_.insert(key).second || changed;
        }
    }
    if (changed) publish_live();
}

void HealthMonitor::publish_live() {
    // The reload's settings stay, the IXFR journals with them (the transfer view is the
    // configured one, which health never changes); only the answering zones change.
    auto next = std::make_shared<const net::ServingSnapshot>(
        net::ServingSnapshot{live_zones(), snapshots_.current()->settings});
    const std::uint32_t serial = next->zones->serial();
    free_when_unused(server_, snapshots_.publish(std::move(next)));
    spdlog::info("health: answers republished ({} of {} SIP targets withdrawn), serial {}",
                 down_.size(), probed_.size(), serial);
    const auto serving = snapshots_.current();
    const zone::ZoneSet& zones = serving->zones->default_view();
    systemd::notify_status("serial " + std::to_string(zones.serial()) + ", " +
                           std::to_string(zones.record_count()) + " records" + status_suffix());
}

std::string HealthMonitor::status_suffix() const {
    std::lock_guard lock(prober_mutex_);
    if (!prober_) return "";
    return "; " + std::to_string(prober_->up_count()) + "/" +
           std::to_string(prober_->target_count()) + " SIP targets up";
}

std::vector<health::TargetStatus> HealthMonitor::targets() const {
    std::lock_guard lock(prober_mutex_);
    if (!prober_) return {};
    return prober_->status();
}

std::string render_health_metrics(const std::vector<health::TargetStatus>& targets) {
    if (targets.empty()) return "";
    std::string out;
    auto labels = [](const health::ProbeTarget& t) {
        return "{target=\"" + label_value(t.name) + "\",port=\"" + std::to_string(t.port) +
               "\",transport=\"" + std::string(health::transport_name(t.transport)) + "\"}";
    };
    out += "# HELP sipdns_sip_target_up Whether the SIP target answers OPTIONS (1) or is withdrawn "
           "from the SRV answers (0).\n# TYPE sipdns_sip_target_up gauge\n";
    for (const auto& s : targets) out += "sipdns_sip_target_up" + labels(s.target) + " " + (s.up ? "1" : "0") + "\n";
    out += "# HELP sipdns_sip_probe_latency_seconds Round-trip time of the target's last answered "
           "OPTIONS.\n# TYPE sipdns_sip_probe_latency_seconds gauge\n";
    for (const auto& s : targets) {
        if (!s.last_latency_ms) continue;
        char value[32];
        std::snprintf(value, sizeof value, "%.6f", *s.last_latency_ms / 1000.0);
        out += "sipdns_sip_probe_latency_seconds" + labels(s.target) + " " + value + "\n";
    }
    out += "# HELP sipdns_sip_probes_total OPTIONS probes sent to the target.\n"
           "# TYPE sipdns_sip_probes_total counter\n";
    for (const auto& s : targets)
        out += "sipdns_sip_probes_total" + labels(s.target) + " " + std::to_string(s.probes_sent) + "\n";
    out += "# HELP sipdns_sip_probes_failed_total OPTIONS probes of the target that got no SIP "
           "answer.\n# TYPE sipdns_sip_probes_failed_total counter\n";
    for (const auto& s : targets)
        out += "sipdns_sip_probes_failed_total" + labels(s.target) + " " +
               std::to_string(s.probes_failed) + "\n";
    return out;
}

}  // namespace sipdns::app
