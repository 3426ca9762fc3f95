// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// The immutable, indexed zone set built from a site (docs/design.md §1): one forward zone (the SIP
// domain) plus the reverse zones of its addresses, and the catalog zone when the site has one.
// After build nothing changes; a reload builds a new ZoneSet and the daemon swaps one pointer.
#include <algorithm>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sipdns/zone/byte_arena.h"
#include "sipdns/zone/name_table.h"
#include "sipdns/zone/precompiled.h"
#include "sipdns/zone/record.h"
#include "sipdns/zone/serial.h"
#include "sipdns/zone/stable_list.h"

namespace sipdns::zone {

class Zone;


// A name in a zone: an owner of RRsets or an empty non-terminal (RFC 8020 / RFC 4592 §2.2.2),
// with the precompiled answers for a query that names it.
struct Node {
    // Names below this one that do not exist and have this node as closest encloser
    // (RFC 4592 §3.3.1): NXDOMAIN, synthesis from `*.<this>`, or a referral (below a cut).
    enum class DescendantKind : std::uint8_t { NxDomain, Wildcard, Referral };

    // Members ordered by size (no padding holes): a site has one node per owner name.
    std::string_view name;            // wire, lower case; in the zone set's name arena
    const Zone* zone = nullptr;
    std::vector<RRset> rrsets;
    // Every other qtype: the zone's shared NODATA template, or this node's own (CNAME chain to
    // NODATA, referral), kept in the zone.
    const PrecompiledAnswer* other_types = nullptr;
    const Node* wildcard = nullptr;               // DescendantKind::Wildcard
    const PrecompiledAnswer* referral = nullptr;  // DescendantKind::Referral: the cut's template
    // One answer per qtype that has its own (data, or the CNAME chain reaching that type); for a
    // wildcard node these are templates whose owner is the question name itself. They live in
    // the zone's array: [first_typed_answer, first_typed_answer + typed_answer_count).
    std::uint32_t first_typed_answer = 0;
    std::uint16_t typed_answer_count = 0;
    DescendantKind descendants = DescendantKind::NxDomain;
    bool delegation = false;          // a zone cut: NS at a non-apex name (RFC 1034 §4.2.1)
    bool below_delegation = false;    // glue or occluded data under a cut
    bool is_wildcard = false;         // owner "*.<parent>" (RFC 4592)

    const RRset* find(std::uint16_t type) const;

    // The precompiled answer for a query naming this node (or, for a wildcard node, any name it
    // matches). QTYPE ANY at a node with one RRset is that RRset's answer.
    const PrecompiledAnswer& answer_for(std::uint16_t qtype) const;
};

// The name a node is indexed under (NameTable reads keys from the values).
inline std::string_view table_key(const Node* node) { return node->name; }

// What a lookup found (RFC 1034 §4.3.2). Owners are wire names.
enum class LookupStatus : std::uint8_t {
    Answer,            // data (possibly via CNAME)
    NoData,            // name exists (or is an empty non-terminal), type absent
    NxDomain,          // name does not exist in the zone
    Referral,          // name at or below a zone cut: NS in authority, AA=0
    NotAuthoritative,  // name in none of our zones: REFUSED
};

struct RRsetRef {
    // Wire. A view: of a node's name, an rdata's target or the apex (the zone's own bytes, which
    // live as long as the RRset pointed to), or of the LookupResult's `synthesized_owner`.
    std::string_view owner;
    const RRset* rrset = nullptr;
    friend bool operator==(const RRsetRef& a, const RRsetRef& b) {
        return a.owner == b.owner && a.rrset == b.rrset;
    }
};

struct LookupResult {
    LookupStatus status = LookupStatus::NotAuthoritative;
    const Zone* zone = nullptr;
    bool wildcard = false;  // synthesised from a wildcard
    std::vector<RRsetRef> answer, authority, additional;
    // The negative-answer SOA TTL: min(SOA TTL, SOA minimum) (RFC 2308 §3, docs/design.md §4).
    std::uint32_t negative_ttl = 0;
    // A wildcard answer's owner is the question name (RFC 4592 §3.3.1), which no node holds:
    // kept here (on the heap: its bytes stay put when the result is moved).
    std::shared_ptr<const std::string> synthesized_owner;
};

struct TypedAnswer {
    std::uint16_t type;
    PrecompiledAnswer answer;
};

class Zone {
public:
    // `names` keeps the nodes' names; it belongs to the zone set and outlives the zone (one
    // arena for the set: a site has hundreds of small reverse zones).
    Zone(std::string apex_wire, std::uint32_t negative_ttl, ByteArena& names);

    const std::string& apex() const { return apex_; }
    const Node* find(std::string_view name_wire) const;
    const Node& apex_node() const;
    const RRset& soa() const;
    // The serial of this zone's SOA: the set's, or the catalog zone's own.
    std::uint32_t serial() const { return serial_; }
    std::uint32_t negative_ttl() const { return negative_ttl_; }
    // Every owner with data, in canonical order (RFC 4034 §6.1).
    std::vector<const Node*> nodes_in_canonical_order() const;
    // Every owner with data, in no particular order: for callers that sort by their own key.
    template <class Visit>
    void for_each_node_with_data(Visit&& visit) const {
        for (const auto& n : nodes_)
            if (!n.rrsets.empty()) visit(n);
    }
    // Counted once when the builder completes the zone: the start logs it for every zone and
    // the IXFR journal sizes by it, each a walk over 100,000 nodes otherwise.
    std::size_t record_count() const { return record_count_; }
    const PrecompiledAnswer& nxdomain() const { return nxdomain_; }
    const PrecompiledAnswer& nodata() const { return nodata_; }

    LookupResult lookup(std::string_view qname_wire, std::uint16_t qtype) const;
    // The same into `r`, whose vectors keep their capacity (the builder's precompile: one
    // lookup per node and type, 200,000 of them for a large site).
    void lookup_into(LookupResult& r, std::string_view qname_wire, std::uint16_t qtype) const;

private:
    friend class ZoneBuilder;
    friend class ZoneSet;
    friend class SiteZones;  // compares the answers of its views
    friend struct Node;  // Node::answer_for reads typed_answers_
    std::string apex_;
    std::uint32_t negative_ttl_;
    std::uint32_t serial_ = 0;
    bool has_delegations_ = false;  // lets lookups skip the zone-cut walk in the common case
    std::size_t record_count_ = 0;
    ByteArena* names_;        // the nodes' names (the set's arena)
    StableList<Node> nodes_;  // stable addresses, one allocation per block of nodes
    NameTable<const Node*> index_;  // while building; then the set's shared index serves
    const NameTable<const Node*>* shared_index_ = nullptr;
    RRset negative_soa_;          // the SOA with the negative TTL, for authority sections
    PrecompiledAnswer nxdomain_;  // templates: SOA owner patched to the apex suffix
    PrecompiledAnswer nodata_;
    std::vector<TypedAnswer> typed_answers_;  // the nodes' typed answers, by node ranges
    std::deque<PrecompiledAnswer> own_answers_;  // nodes' own other-type / referral answers

    Node* mutable_find(std::string_view name_wire);
    Node& node_at(std::string_view name);  // builder only: find or create (with ancestors)
    const Node* cut_above_or_at(std::string_view qname_wire) const;
    void answer_from_node(const Node& node, std::string_view owner, std::uint16_t qtype,
                          LookupResult& r, int depth) const;
    void set_negative(LookupResult& r, LookupStatus status) const;
    void add_additional(LookupResult& r, const RRset& rrset) const;
    void add_addresses_of(LookupResult& r, std::string_view target) const;
    void add_referral(LookupResult& r, const Node& cut) const;
};

inline std::string_view table_key(const Zone* zone) { return zone->apex(); }

class ZoneSet {
public:
    const std::vector<std::unique_ptr<Zone>>& zones() const { return zones_; }
    const Zone* forward_zone() const { return zones_.empty() ? nullptr : zones_.front().get(); }
    // The catalog zone of server.transfer.catalog (RFC 9432), the last of zones(), or nullptr.
    const Zone* catalog_zone() const { return catalog_zone_; }
    // Its serial and content hash (which the state directory keeps like the other zones').
    const ServedSerial& catalog_served() const { return catalog_served_; }
    // The zone whose apex is the longest suffix of `qname_wire` (lower case), or nullptr.
    const Zone* find_zone(std::string_view qname_wire) const;
    LookupResult lookup(std::string_view qname_wire, std::uint16_t qtype) const;

    // The engine's single hash lookup: every node of every zone by lower-case wire name.
    const Node* find_node(std::string_view name_wire) const { return all_nodes_.find(name_wire); }

    std::uint32_t serial() const { return serial_; }
    std::uint64_t content_hash() const { return content_hash_; }
    // The bytes every PrecompiledAnswer of this set points into.
    const AnswerStore& answers() const { return answers_; }
    std::size_t record_count() const;
    // What the build found worth saying that does not stop the site (two names sharing an
    // address, say): printed by check, logged by the daemon.
    const config::Diagnostics& warnings() const { return warnings_; }

private:
    friend class ZoneBuilder;
    config::Diagnostics warnings_;
    ByteArena names_;  // every node's name, for all zones of the set
    std::vector<std::unique_ptr<Zone>> zones_;  // forward zone first, then reverse zones
    NameTable<const Node*> all_nodes_;
    AnswerStore answers_;
    std::uint32_t serial_ = 0;
    std::uint64_t content_hash_ = 0;
    const Zone* catalog_zone_ = nullptr;
    ServedSerial catalog_served_;
};

}  // namespace sipdns::zone
