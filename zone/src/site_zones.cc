// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#include "sipdns/zone/site_zones.h"

#include <algorithm>
#include <bit>
#include <cstring>

namespace sipdns::zone {

SiteZones::SiteZones(std::shared_ptr<const ZoneSet> only) { views_.push_back(std::move(only)); }

SiteZones::SiteZones(std::shared_ptr<const ZoneSet> no_location,
                     std::vector<LocationView> locations) {
    views_.push_back(std::move(no_location));
    for (auto& l : locations) {
        views_.push_back(std::move(l.zones));
        names_.push_back(std::move(l.name));
        for (const auto& p : l.prefixes) prefixes_.push_back({p, views_.size() - 1});
    }
    // Longest prefix first: the most specific location wins.
    std::stable_sort(prefixes_.begin(), prefixes_.end(),
                     [](const auto& a, const auto& b) { return a.prefix.length > b.prefix.length; });
    find_varying_answers();
}

std::size_t SiteZones::view_index_for(const config::IpAddress& client) const {
    for (const auto& p : prefixes_)
        if (p.prefix.contains(client)) return p.view;
    return 0;
}

const ZoneSet& SiteZones::view_for(const config::IpAddress& client) const {
    return *views_[view_index_for(client)];
}

const ZoneSet* SiteZones::location_view(std::string_view location) const {
    for (std::size_t i = 0; i < names_.size(); ++i)
        if (names_[i] == location) return views_[i + 1].get();
    return nullptr;
}

namespace {

// Two answers are the same to an ECS cache when their answer and authority sections are: RFC
// 7871 §7.3.1 ties only the answer section to the client subnet, the additional section is
// cached for everyone whatever the scope (so an answer that differs only in its additional
// records still gets scope 0).
bool same_answer(const AnswerStore& store_a, const PrecompiledAnswer* a,
                 const AnswerStore& store_b, const PrecompiledAnswer* b) {
    if (a == nullptr || b == nullptr) return a == b;
    if (a->rcode != b->rcode || a->authoritative != b->authoritative ||
        a->ancount != b->ancount || a->nscount != b->nscount ||
        a->additional_offset != b->additional_offset || a->anchor_length != b->anchor_length)
        return false;
    if (store_a.body(*a).substr(0, a->additional_offset) !=
        store_b.body(*b).substr(0, b->additional_offset))
        return false;
    const auto pa = store_a.patches(*a), pb = store_b.patches(*b);
    return std::equal(pa.begin(), pa.end(), pb.begin(), pb.end());
}

// How many leading bits two addresses of one family share.
unsigned common_bits(const config::IpAddress& a, const config::IpAddress& b) {
    const std::size_t n = a.size();
    for (std::size_t i = 0; i < n; ++i) {
        const auto x = static_cast<std::uint8_t>(a.bytes[i] ^ b.bytes[i]);
        if (x != 0) return static_cast<unsigned>(i * 8 + std::countl_zero(x));
    }
    return static_cast<unsigned>(n * 8);
}

}  // namespace

// Every answer that is not the same in every view (in practice: the cluster SRV owners, whose
// priorities depend on the location), with which views share it. Build time only.
void SiteZones::find_varying_answers() {
    const std::size_t n = views_.size();
    if (n < 2) return;
    varying_.assign(n, {});
    std::vector<const PrecompiledAnswer*> per_view(n);
    std::vector<std::uint16_t> row(n);
    std::vector<const Node*> node_of(n);
    // The same question in every view: answers[v] = what view v gives; records it when two
    // views differ.
    auto compare = [&](const std::vector<const PrecompiledAnswer*>& answers) {
        bool varies = false;
        for (std::size_t v = 0; v < n; ++v) {
            row[v] = static_cast<std::uint16_t>(v);
            for (std::size_t u = 0; u < v; ++u) {
                if (same_answer(views_[u]->answers(), answers[u], views_[v]->answers(),
                                answers[v])) {
                    row[v] = row[u];
                    break;
                }
            }
            varies = varies || row[v] != 0;
        }
        if (!varies) return;
        const std::size_t at = classes_.size();
        classes_.insert(classes_.end(), row.begin(), row.end());
        for (std::size_t v = 0; v < n; ++v)
            if (answers[v] != nullptr) varying_[v].push_back({answers[v], at});
    };
    auto zone_in = [&](std::size_t v, const Zone& zone) -> const Zone* {
        const Zone* z = views_[v]->find_zone(zone.apex());
        return z != nullptr && z->apex() == zone.apex() ? z : nullptr;
    };
    // A node's questions: each type with its own answer, every other type, and names below it
    // when it is a zone cut. A name missing from a view counts as a different answer there.
    std::vector<const Zone*> zone_of(n);  // the zone being compared, in each view
    auto compare_node = [&](const Node& node) {
        std::vector<const Node*>& nodes = node_of;
        for (std::size_t v = 0; v < n; ++v)
            nodes[v] = zone_of[v] != nullptr ? zone_of[v]->find(node.name) : nullptr;
        const TypedAnswer* typed = node.zone->typed_answers_.data() + node.first_typed_answer;
        for (const TypedAnswer* t = typed; t != typed + node.typed_answer_count; ++t) {
            for (std::size_t v = 0; v < n; ++v)
                per_view[v] = nodes[v] != nullptr ? &nodes[v]->answer_for(t->type) : nullptr;
            compare(per_view);
        }
        for (std::size_t v = 0; v < n; ++v)
            per_view[v] = nodes[v] != nullptr ? nodes[v]->other_types : nullptr;
        compare(per_view);
        for (std::size_t v = 0; v < n; ++v)
            per_view[v] = nodes[v] != nullptr ? nodes[v]->referral : nullptr;
        compare(per_view);
    };
    for (std::size_t w = 0; w < n; ++w) {
        for (const auto& zone : views_[w]->zones()) {
            for (std::size_t v = 0; v < n; ++v) zone_of[v] = zone_in(v, *zone);
            // Each question once: from the first view that has its zone and name.
            bool zone_seen = false;
            for (std::size_t v = 0; v < w; ++v) zone_seen = zone_seen || zone_of[v] != nullptr;
            if (!zone_seen) {
                for (std::size_t v = 0; v < n; ++v)
                    per_view[v] = zone_of[v] != nullptr ? &zone_of[v]->nxdomain_ : nullptr;
                compare(per_view);
                for (std::size_t v = 0; v < n; ++v)
                    per_view[v] = zone_of[v] != nullptr ? &zone_of[v]->nodata_ : nullptr;
                compare(per_view);
            }
            for (const Node& node : zone->nodes_) {
                bool seen = false;
                for (std::size_t v = 0; v < w && !seen; ++v)
                    seen = zone_of[v] != nullptr && zone_of[v]->find(node.name) != nullptr;
                if (!seen) compare_node(node);
            }
        }
    }
    for (auto& list : varying_) {
        std::sort(list.begin(), list.end(), [](const VaryingAnswer& a, const VaryingAnswer& b) {
            return std::less<>()(a.answer, b.answer);
        });
        // One answer may serve several questions (a zone's NODATA is many nodes' other types).
        list.erase(std::unique(list.begin(), list.end(),
                               [](const VaryingAnswer& a, const VaryingAnswer& b) {
                                   return a.answer == b.answer;
                               }),
                   list.end());
        list.shrink_to_fit();
    }
}

// SCOPE PREFIX-LENGTH (RFC 7871 §7.2.1): "the leftmost number of significant bits of ADDRESS
// that the response covers" — a resolver gives the cached answer to every client in
// ADDRESS/SCOPE (§7.3.1). So it must be long enough that every address in that block gets the
// same answer from us (else a resolver hands dc1's answer to dc2's phones), and no longer than
// that (a longer one only splits the resolver's cache). Hence: the shortest S for which the
// block address/S is uniform. Uniform: the longest location prefix that contains the whole
// block (or none: the no-location view) and every location prefix inside the block give the
// same answer as the view chosen for `address`. Views that give the same answer count as one
// (the no-location view often is the cluster's default location's), so a dc1 subnet next to
// the default can get a shorter scope than dc1's own prefix. A location prefix nested in
// another one with a different answer is carved out of it (the "deaggregate" choice of
// §7.2.1: the shorter prefix's clients outside the exception get a scope that leaves the
// exception out). Uniformity only grows as S grows, so a binary search finds the shortest S.
//
// S may exceed the query's SOURCE PREFIX-LENGTH: a /16 that holds both dc1's and dc2's /24s is
// not specific enough to choose, and §7.2.1 says so by a SCOPE longer than SOURCE ("the
// provided prefix length was not specific enough to select the most appropriate Tailored
// Response"); the resolver then keeps the answer for queries with that same source prefix
// only (§7.3.1). Clamping S to SOURCE would claim the answer for the whole /16, which is false.
std::uint8_t SiteZones::client_subnet_scope(std::size_t view, const PrecompiledAnswer& answer,
                                            const config::IpAddress& address) const {
    if (view >= varying_.size()) return 0;
    const auto& list = varying_[view];
    const auto it = std::lower_bound(
        list.begin(), list.end(), &answer, [](const VaryingAnswer& v, const PrecompiledAnswer* a) {
            return std::less<>()(v.answer, a);
        });
    if (it == list.end() || it->answer != &answer) return 0;  // the same in every view
    const std::uint16_t* classes = classes_.data() + it->classes;
    const std::uint16_t mine = classes[view];
    auto uniform = [&](unsigned scope) {
        std::size_t around = 0;  // the view of the whole block: no location unless a prefix has it
        unsigned around_length = 0;
        bool located = false;
        for (const auto& p : prefixes_) {
            if (p.prefix.address.family != address.family) continue;
            const unsigned common = common_bits(p.prefix.address, address);
            if (p.prefix.length <= scope) {
                if (common >= p.prefix.length && (!located || p.prefix.length > around_length)) {
                    around = p.view;
                    around_length = p.prefix.length;
                    located = true;
                }
            } else if (common >= scope && classes[p.view] != mine) {
                return false;  // a location inside the block answers otherwise
            }
        }
        return classes[around] == mine;
    };
    unsigned low = 0, high = address.is_v4() ? 32 : 128;  // the whole address is uniform
    while (low < high) {
        const unsigned mid = (low + high) / 2;
        if (uniform(mid))
            high = mid;
        else
            low = mid + 1;
    }
    return static_cast<std::uint8_t>(low);
}

}  // namespace sipdns::zone
