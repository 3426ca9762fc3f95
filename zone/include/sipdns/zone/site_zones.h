#pragma once
// Every view of a site (DESIGN.md §3 "Clusters and locations"): one zone set as seen from each
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
    // The view for clients in no location: what export and zone transfer serve.
    const ZoneSet& default_view() const { return *views_.front(); }
    // The view as seen from a named location, or nullptr.
    const ZoneSet* location_view(std::string_view location) const;
    bool has_location_views() const { return views_.size() > 1; }
    const std::vector<std::string>& location_names() const { return names_; }

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
    std::vector<std::string> names_;                     // names_[i] is views_[i + 1]
    std::vector<LocationPrefix> prefixes_;               // longest first
};

}  // namespace sipdns::zone
