// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
// Lookup per RFC 1034 §4.3.2, with RFC 4592 wildcards, RFC 2308 negative answers and the
// additional-section rules of docs/design.md §4. Not on the per-query path: the engine serves the
// answers the builder precompiled from these results.
#include "sipdns/zone/zone.h"

#include <algorithm>
#include <cctype>

#include "sipdns/zone/name.h"
#include "sipdns/zone/rr_types.h"

namespace sipdns::zone {

namespace {
constexpr int kMaxCnameChain = 8;  // loops and long chains stop here (RFC 1034 §3.6.2)

std::string_view target_name(const RRset& rrset, std::string_view rd) {
    const std::size_t at = rdata_target_offset(rrset.type, rd);
    if (at == std::string_view::npos) return {};
    const std::string_view rest = rd.substr(at);
    const std::size_t len = name_wire_length(rest);
    return len ? rest.substr(0, len) : std::string_view{};
}

// NAPTR flags (RFC 3403 §4.1): the character-string after ORDER and PREFERENCE.
bool naptr_has_flag(std::string_view rd, char flag) {
    if (rd.size() < 5) return false;
    const auto len = static_cast<unsigned char>(rd[4]);
    for (std::size_t i = 5; i < 5u + len && i < rd.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(rd[i])) == flag) return true;
    return false;
}
}  // namespace

const RRset* Node::find(std::uint16_t type) const {
    for (const auto& r : rrsets)
        if (r.type == type) return &r;
    return nullptr;
}

const PrecompiledAnswer& Node::answer_for(std::uint16_t qtype) const {
    const TypedAnswer* first = zone->typed_answers_.data() + first_typed_answer;
    for (const TypedAnswer* t = first; t != first + typed_answer_count; ++t)
        if (t->type == qtype) return t->answer;
    if (qtype == rrtype::ANY && typed_answer_count == 1 && rrsets.size() == 1)
        return first->answer;
    return *other_types;
}

Zone::Zone(std::string apex_wire, std::uint32_t negative_ttl, ByteArena& names)
    : apex_(std::move(apex_wire)), negative_ttl_(negative_ttl), names_(&names) {}

const Node* Zone::find(std::string_view name_wire) const {
    if (shared_index_) {
        // One table for the whole set (docs/design.md §7: one hash lookup); a name of another zone
        // of the set is not ours.
        const Node* n = shared_index_->find(name_wire);
        return n && n->zone == this ? n : nullptr;
    }
    return index_.find(name_wire);
}

Node* Zone::mutable_find(std::string_view name_wire) {
    return const_cast<Node*>(index_.find(name_wire));
}

const Node& Zone::apex_node() const { return *find(apex_); }

const RRset& Zone::soa() const { return *apex_node().find(rrtype::SOA); }

Node& Zone::node_at(std::string_view name) {
    const std::uint64_t hash = hash_name(name);  // once, for the find and the insert
    if (const Node* n = index_.find(name, hash)) return *const_cast<Node*>(n);
    Node& ref = nodes_.emplace_back();
    ref.name = names_->store(name);
    ref.zone = this;
    index_.insert(&ref, hash);
    // Every ancestor up to the apex exists, as an empty non-terminal if nothing else.
    if (name != apex_) {
        const std::string_view parent = name_parent(name);
        if (!parent.empty() && name_is_at_or_below(parent, apex_)) node_at(parent);
    }
    return ref;
}

std::vector<const Node*> Zone::nodes_in_canonical_order() const {
    std::vector<const Node*> out;
    for (const auto& n : nodes_)
        if (!n.rrsets.empty()) out.push_back(&n);
    std::sort(out.begin(), out.end(), [](const Node* a, const Node* b) {
        return name_canonical_less(a->name, b->name);
    });
    return out;
}

const Node* Zone::cut_above_or_at(std::string_view qname) const {
    // The topmost delegation between the apex (exclusive) and qname (inclusive): RFC 1034
    // §4.3.2 step 3b stops at the first cut going down from the zone's top.
    const Node* cut = nullptr;
    if (!has_delegations_) return cut;
    for (std::string_view n = qname; n.size() > apex_.size(); n = name_parent(n)) {
        const Node* node = find(n);
        if (node && node->delegation) cut = node;
    }
    return cut;
}

void Zone::set_negative(LookupResult& r, LookupStatus status) const {
    r.status = status;
    r.authority.push_back({apex_, &negative_soa_});
}

void Zone::add_addresses_of(LookupResult& r, std::string_view target) const {
    if (target.empty() || !name_is_at_or_below(target, apex_)) return;
    const Node* node = find(target);
    if (!node) return;
    for (std::uint16_t type : {rrtype::A, rrtype::AAAA}) {
        const RRset* set = node->find(type);
        if (!set) continue;
        const RRsetRef ref{node->name, set};
        if (std::find(r.answer.begin(), r.answer.end(), ref) != r.answer.end()) continue;
        if (std::find(r.additional.begin(), r.additional.end(), ref) != r.additional.end())
            continue;
        r.additional.push_back(ref);
    }
}

void Zone::add_additional(LookupResult& r, const RRset& rrset) const {
    // docs/design.md §4: addresses of in-zone SRV, NS and MX targets (RFC 2782, RFC 1035 §3.3.9 and
    // §3.3.11); for NAPTR with flag "s" the SRV RRset of the replacement and its targets'
    // addresses (RFC 3403 §4.1, RFC 3263 §4.1), so a phone resolves a domain in one round trip.
    for (const auto& rd : rrset.rdatas) {
        const std::string_view target = target_name(rrset, rd);
        switch (rrset.type) {
            case rrtype::SRV:
            case rrtype::MX:
            case rrtype::NS:
                add_addresses_of(r, target);
                break;
            case rrtype::NAPTR: {
                if (!naptr_has_flag(rd, 's') || !name_is_at_or_below(target, apex_)) break;
                const Node* node = find(target);
                const RRset* srv = node ? node->find(rrtype::SRV) : nullptr;
                if (!srv) break;
                const RRsetRef ref{node->name, srv};
                if (std::find(r.additional.begin(), r.additional.end(), ref) ==
                    r.additional.end())
                    r.additional.push_back(ref);
                for (const auto& srd : srv->rdatas) add_addresses_of(r, target_name(*srv, srd));
                break;
            }
            default:
                break;
        }
    }
}

void Zone::add_referral(LookupResult& r, const Node& cut) const {
    // RFC 1034 §4.3.2 step 3b: NS of the cut in authority, glue addresses in additional, AA=0.
    r.status = LookupStatus::Referral;
    const RRset* ns = cut.find(rrtype::NS);
    r.authority.push_back({cut.name, ns});
    for (const auto& rd : ns->rdatas) add_addresses_of(r, target_name(*ns, rd));
}

void Zone::answer_from_node(const Node& node, std::string_view owner, std::uint16_t qtype,
                            LookupResult& r, int depth) const {
    if (qtype == rrtype::ANY) {
        if (node.rrsets.empty()) return set_negative(r, LookupStatus::NoData);
        r.status = LookupStatus::Answer;
        for (const auto& set : node.rrsets) r.answer.push_back({owner, &set});
        for (const auto& set : node.rrsets) add_additional(r, set);
        return;
    }
    if (const RRset* set = node.find(qtype)) {
        r.status = LookupStatus::Answer;
        r.answer.push_back({owner, set});
        add_additional(r, *set);
        return;
    }
    const RRset* cname = node.find(rrtype::CNAME);
    if (!cname) return set_negative(r, LookupStatus::NoData);

    // CNAME: followed within the zone (docs/design.md §4); the rcode is that of the last name
    // (RFC 6604 §2), and an out-of-zone target ends the chain for the resolver to follow.
    r.status = LookupStatus::Answer;
    r.answer.push_back({owner, cname});
    const std::string_view target = target_name(*cname, cname->rdatas.front());
    if (depth >= kMaxCnameChain || !name_is_at_or_below(target, apex_)) return;
    for (const auto& a : r.answer)
        if (a.owner == target) return;  // a loop: stop here
    if (const Node* cut = cut_above_or_at(target)) {
        add_referral(r, *cut);
        return;
    }
    if (const Node* next = find(target))
        return answer_from_node(*next, next->name, qtype, r, depth + 1);
    // Wildcard for the target? (RFC 4592 §3.3.1: closest encloser, then "*.<encloser>")
    std::string_view ce = name_parent(target);
    while (!find(ce)) ce = name_parent(ce);
    if (const Node* wc = find("\1*" + std::string(ce))) {
        r.wildcard = true;
        return answer_from_node(*wc, target, qtype, r, depth + 1);  // target: in the rdata
    }
    set_negative(r, LookupStatus::NxDomain);
}

LookupResult Zone::lookup(std::string_view qname, std::uint16_t qtype) const {
    LookupResult r;
    lookup_into(r, qname, qtype);
    return r;
}

void Zone::lookup_into(LookupResult& r, std::string_view qname, std::uint16_t qtype) const {
    r.status = LookupStatus::NotAuthoritative;
    r.zone = this;
    r.wildcard = false;
    r.answer.clear();
    r.authority.clear();
    r.additional.clear();
    r.negative_ttl = negative_ttl_;
    r.synthesized_owner.reset();
    if (!name_is_at_or_below(qname, apex_)) return;  // NotAuthoritative
    if (const Node* cut = cut_above_or_at(qname)) return add_referral(r, *cut);
    // The node's own name as owner: the same bytes as qname, and they outlive the result.
    if (const Node* node = find(qname)) return answer_from_node(*node, node->name, qtype, r, 0);
    std::string_view ce = name_parent(qname);
    while (!find(ce)) ce = name_parent(ce);
    if (const Node* wc = find("\1*" + std::string(ce))) {
        r.wildcard = true;
        r.synthesized_owner = std::make_shared<const std::string>(qname);
        answer_from_node(*wc, *r.synthesized_owner, qtype, r, 0);
        return;
    }
    set_negative(r, LookupStatus::NxDomain);
}

const Zone* ZoneSet::find_zone(std::string_view qname) const {
    const Zone* best = nullptr;
    for (const auto& z : zones_)
        if (name_is_at_or_below(qname, z->apex()) &&
            (!best || z->apex().size() > best->apex().size()))
            best = z.get();
    return best;
}

LookupResult ZoneSet::lookup(std::string_view qname, std::uint16_t qtype) const {
    const Zone* z = find_zone(qname);
    if (!z) return {};
    return z->lookup(qname, qtype);
}

std::size_t ZoneSet::record_count() const {
    std::size_t n = 0;
    for (const auto& z : zones_) n += z->record_count();
    return n;
}

}  // namespace sipdns::zone
