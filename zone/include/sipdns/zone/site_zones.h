// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// Every view of a site (docs/design.md §3 "Clusters and locations"): one zone set as seen from each
// location, plus the view for clients in no location. Sites without clusters have one view.
// The engine picks the view per query by the client's source address, then serves that view's
// precompiled answers.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sipdns/config/address.h"
#include "sipdns/zone/zone.h"

namespace sipdns::zone {

class SiteZones {
public:
    // A site with one view (no locations, or no clusters).
    explicit SiteZones(std::shared_ptr<const ZoneSet> only);

    struct LocationView {
        std::string name;
        std::vector<config::IpPrefix> prefixes;
        std::shared_ptr<const ZoneSet> zones;
    };
    SiteZones(std::shared_ptr<const ZoneSet> no_location, std::vector<LocationView> locations);

    // The view for a client address: the location of the longest prefix containing it, else
    // the no-location view.
    const ZoneSet& view_for(const config::IpAddress& client) const;
    // The view for clients in no location: what export serves.
    const ZoneSet& default_view() const { return *views_.front(); }
    // What zone transfers serve (docs/design.md §10): the configured site's no-location view,
    // also when this is the live site with some SIP targets withdrawn.
    const ZoneSet& transfer_view() const {
        return configured_ ? configured_->default_view() : default_view();
    }
    // The live site (built while SIP targets are down) keeps the configured one it came from.
    void keep_configured(std::shared_ptr<const SiteZones> configured) {
        configured_ = std::move(configured);
    }
    const SiteZones& configured() const { return configured_ ? *configured_ : *this; }
    // The view as seen from a named location, or nullptr.
    const ZoneSet* location_view(std::string_view location) const;
    bool has_location_views() const { return views_.size() > 1; }
    const std::vector<std::string>& location_names() const { return names_; }

    // The index of view_for(client): 0 = no location, then the locations in file order.
    std::size_t view_index_for(const config::IpAddress& client) const;
    const ZoneSet& view(std::size_t index) const { return *views_[index]; }

    // EDNS Client Subnet (RFC 7871 §7.2.1): the SCOPE PREFIX-LENGTH of `answer`, found in
    // view(view) for a client subnet whose address (bits past its SOURCE PREFIX-LENGTH zero)
    // is `address`. 0 when every view gives the same answer; else the shortest prefix of
    // `address` whose every address gets the same answer, which may be longer than the
    // client's source prefix (see client_subnet_scope() in builder.cc for why).
    std::uint8_t client_subnet_scope(std::size_t view, const PrecompiledAnswer& answer,
                                     const config::IpAddress& address) const;

    std::uint32_t serial() const { return default_view().serial(); }
    std::uint64_t content_hash() const { return default_view().content_hash(); }
    std::size_t record_count() const { return default_view().record_count(); }
    // Every view is built from the same site: the no-location view's warnings are the site's.
    const config::Diagnostics& warnings() const { return default_view().warnings(); }

private:
    struct LocationPrefix {
        config::IpPrefix prefix;
        std::size_t view;
    };
    std::vector<std::shared_ptr<const ZoneSet>> views_;  // [0]: no location
    std::shared_ptr<const SiteZones> configured_;        // set in a live (health) site only
    std::vector<std::string> names_;                     // names_[i] is views_[i + 1]
    std::vector<LocationPrefix> prefixes_;               // longest first

    // An answer that is not the same in every view, and which views give the same one: its
    // row in classes_ (views_.size() entries; equal numbers = equal answers).
    struct VaryingAnswer {
        const PrecompiledAnswer* answer;
        std::size_t classes;
    };
    std::vector<std::vector<VaryingAnswer>> varying_;  // per view, by answer address
    std::vector<std::uint16_t> classes_;
    void find_varying_answers();
};

}  // namespace sipdns::zone
