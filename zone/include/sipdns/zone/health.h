// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// Live SIP health in the zone (docs/design.md §10): which SRV records are health-managed, the
// (target, port, transport) they name, and the site as served while some of those are down.
// The prober (server/health) knows nothing of zones; the daemon hands its verdicts here.
#include <compare>
#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "sipdns/config/address.h"
#include "sipdns/config/diagnostic.h"
#include "sipdns/config/expected.h"
#include "sipdns/config/site_config.h"
#include "sipdns/zone/site_zones.h"

namespace sipdns::zone {

// The transport a SIP SRV owner's service label pair asks for (RFC 3263 §4.1, the Lync/OCS
// discovery notes): _sip._udp -> UDP; _sip._tcp, _sipinternal._tcp -> TCP; _sips._tcp,
// _sip._tls, _sipinternaltls._tcp, _sipfederationtls._tcp -> TLS. None: not a SIP service.
std::optional<config::SipTransport> sip_srv_transport(std::string_view owner_wire);

// One probed thing: a target host at a port over a transport. Its name is text, lower case,
// without the trailing dot (as logs and SIP Request-URIs show it).
struct SipTargetKey {
    std::string name;
    std::uint16_t port = 0;
    config::SipTransport transport = config::SipTransport::Udp;
    friend bool operator==(const SipTargetKey&, const SipTargetKey&) = default;
    friend auto operator<=>(const SipTargetKey&, const SipTargetKey&) = default;
};
using DownTargets = std::set<SipTargetKey, std::less<>>;

struct SipTarget {
    SipTargetKey key;
    std::vector<config::IpAddress> addresses;  // the target's A and AAAA in the zone
};

// Every target the site's SIP SRV records name, over all location views, sorted, each once.
// Targets named in `health.exclude` are left out (never probed: always up), and so are targets
// with no address in the site's zones (an outside name: not the site's to probe).
std::vector<SipTarget> sip_health_targets(const SiteZones& configured,
                                          const config::HealthSettings& health);

// The site as served while `down` targets do not answer: built from the same site file as
// `configured` (same serial and content hash), each SIP SRV RRset without the records of down
// targets — unless every record of it is down, then whole (fail open) — and so without their
// addresses in the additional section. Zone transfers keep serving `configured`
// (SiteZones::transfer_view()).
Expected<std::shared_ptr<const SiteZones>, config::Diagnostics> build_live_site_zones(
    const config::SiteConfig& site, std::shared_ptr<const SiteZones> configured,
    const DownTargets& down);

}  // namespace sipdns::zone
