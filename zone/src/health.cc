// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
// Which SRV records live SIP health manages, and the targets they name (docs/design.md §10).
#include "sipdns/zone/health.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <utility>

#include "sipdns/zone/name.h"
#include "sipdns/zone/rr_types.h"

namespace sipdns::zone {

std::optional<config::SipTransport> sip_srv_transport(std::string_view owner_wire) {
    // The owner's first two labels, in wire form (lower case: names are kept lower case).
    struct Service {
        std::string_view labels;
        config::SipTransport transport;
    };
    using namespace std::string_view_literals;
    static constexpr std::array<Service, 7> kServices{{
        {"\x04_sip\x04_udp"sv, config::SipTransport::Udp},
        {"\x04_sip\x04_tcp"sv, config::SipTransport::Tcp},
        {"\x0c_sipinternal\x04_tcp"sv, config::SipTransport::Tcp},
        {"\x05_sips\x04_tcp"sv, config::SipTransport::Tls},  // RFC 3263 §4.1
        {"\x04_sip\x04_tls"sv, config::SipTransport::Tls},   // the legacy name for the same
        {"\x0f_sipinternaltls\x04_tcp"sv, config::SipTransport::Tls},
        {"\x11_sipfederationtls\x04_tcp"sv, config::SipTransport::Tls},
    }};
    for (const auto& s : kServices)
        if (owner_wire.starts_with(s.labels)) return s.transport;
    return std::nullopt;
}

namespace {

std::string text_without_dot(std::string_view wire) {
    std::string t = name_to_text(wire);
    if (!t.empty() && t.back() == '.') t.pop_back();
    return t;
}

void add_targets_of(const ZoneSet& view, const config::HealthSettings& health,
                    std::vector<SipTarget>& out) {
    const Zone* forward = view.forward_zone();
    if (!forward) return;
    for (const Node* node : forward->nodes_in_canonical_order()) {
        const auto transport = sip_srv_transport(node->name);
        if (!transport) continue;
        const RRset* srv = node->find(rrtype::SRV);
        if (!srv) continue;
        for (std::string_view rd : srv->rdatas) {
            if (rd.size() < 7) continue;
            const auto port = static_cast<std::uint16_t>(static_cast<unsigned char>(rd[4]) << 8 |
                                                         static_cast<unsigned char>(rd[5]));
            const std::string_view target_wire = rd.substr(rdata_target_offset(rrtype::SRV, rd));
            if (target_wire.size() <= 1) continue;  // "." : no such service (RFC 2782)
            SipTarget t{{text_without_dot(target_wire), port, *transport}, {}};
            if (std::find(health.exclude.begin(), health.exclude.end(), t.key.name) !=
                health.exclude.end())
                continue;
            if (const Node* host = view.find_node(target_wire)) {
                for (std::uint16_t type : {rrtype::A, rrtype::AAAA}) {
                    const RRset* addresses = host->find(type);
                    if (!addresses) continue;
                    for (std::string_view a : addresses->rdatas) {
                        config::IpAddress ip;
                        ip.family = type == rrtype::A ? config::IpAddress::Family::V4
                                                      : config::IpAddress::Family::V6;
                        if (a.size() != ip.size()) continue;
                        std::memcpy(ip.bytes.data(), a.data(), a.size());
                        t.addresses.push_back(ip);
                    }
                }
            }
            if (t.addresses.empty()) continue;  // outside the site: not ours to probe
            out.push_back(std::move(t));
        }
    }
}

}  // namespace

std::vector<SipTarget> sip_health_targets(const SiteZones& configured,
                                          const config::HealthSettings& health) {
    std::vector<SipTarget> all;
    add_targets_of(configured.default_view(), health, all);
    for (const auto& location : configured.location_names())
        if (const ZoneSet* view = configured.location_view(location))
            add_targets_of(*view, health, all);
    std::stable_sort(all.begin(), all.end(),
                     [](const SipTarget& a, const SipTarget& b) { return a.key < b.key; });
    all.erase(std::unique(all.begin(), all.end(),
                          [](const SipTarget& a, const SipTarget& b) { return a.key == b.key; }),
              all.end());
    for (auto& t : all) {
        std::sort(t.addresses.begin(), t.addresses.end());
        t.addresses.erase(std::unique(t.addresses.begin(), t.addresses.end()), t.addresses.end());
    }
    return all;
}

}  // namespace sipdns::zone
