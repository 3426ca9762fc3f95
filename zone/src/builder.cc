// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
// From a SiteConfig to an immutable ZoneSet (docs/design.md §1, §3): generate, assign to zones,
// merge into RRsets, check the conflict rules, add SOA/NS, pick the serial, precompile the answers.
#include "sipdns/zone/builder.h"

#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>

#include "precompile.h"
#include "sipdns/zone/catalog.h"
#include "sipdns/zone/generators.h"
#include "sipdns/zone/health.h"
#include "sipdns/zone/name.h"
#include "sipdns/zone/rr_types.h"

namespace sipdns::zone {

class ZoneBuilder {
public:
    // `release_hosts`, when given, is emptied once the hosts' records are made (site_.hosts is
    // not read after that).
    // `down`, when given, names the SIP targets whose SRV records this build leaves out
    // (docs/design.md §10).
    ZoneBuilder(const config::SiteConfig& site, const std::string* viewpoint,
                std::vector<config::HostEntry>* release_hosts = nullptr,
                const DownTargets* down = nullptr)
        : site_(site), viewpoint_(viewpoint), release_hosts_(release_hosts), down_(down) {}

    Expected<std::shared_ptr<const ZoneSet>, config::Diagnostics> build(const SerialPolicy& p);

private:
    void error(const config::SourcePos& pos, std::string message) {
        problems_.push_back({site_.file, pos, std::move(message)});
    }
    std::string show(std::string_view wire) const {
        std::string t = name_to_text(wire);
        t.pop_back();
        return t;
    }
    static std::string describe(const Record& r, const config::SourcePos& pos) {
        return std::string(r.section) + (pos.line ? " (line " + std::to_string(pos.line) + ")" : "");
    }
    // A record of the HA redirect set, told by the server it was made for: "the redirect name
    // rr.scs1.example.test generated for servers[0] 'scs1.example.test' (line 3; ...)".
    // Nobody writes rr.<server> in the file, so "servers (rr)" alone would not say why the
    // name exists (SCS 4.0 guide, dual-server table: rr.<server> for sip.redirect_port).
    std::string describe_generated(const Record& r) const {
        if (std::string_view(r.section) != section::kRedirect) return describe(r, r.pos);
        for (std::size_t i = 0; i < site_.servers.size(); ++i) {
            const auto& server = site_.servers[i];
            if (server.pos != r.pos) continue;
            return "the redirect name rr." + server.name + " generated for servers[" +
                   std::to_string(i) + "] '" + server.name + "' (line " +
                   std::to_string(r.pos.line) +
                   "; an HA site gives each server one, with SRV records for sip.redirect_port)";
        }
        return describe(r, r.pos);
    }

    Zone* zone_for(std::string_view owner);
    void place(const Record& r);
    void place_again(const Record& r);  // a record already placed: for the checks only
    void add_name_servers(Zone& z, const std::vector<std::string>& ns_targets);
    void add_soa(Zone& z, const std::string& mname, std::uint32_t serial);
    void check_cname_rules();
    void check_address_agreement();
    void check_services_against_generated();
    bool names_something(std::string_view target);
    void check_targets_exist(bool reverse_pass);
    void check_name_servers_exist(const std::vector<std::string>& ns_targets);
    void mark_cuts_and_wildcards(Zone& z);
    void give_health_ttl(Zone& z);
    void withdraw_down_targets(Zone& z);
    void precompile(Zone& z);
    std::uint64_t content_hash() const;
    static std::uint64_t records_hash(const Zone& z);
    std::uint64_t soa_settings_hash() const;
    std::uint32_t choose_serial(const SerialPolicy& p, std::uint64_t hash) const;
    void check_catalog_name();
    std::unique_ptr<Zone> build_catalog(const SerialPolicy& p, const std::string& mname);

    const config::SiteConfig& site_;
    const std::string* viewpoint_;
    std::vector<config::HostEntry>* release_hosts_;
    const DownTargets* down_;
    config::Diagnostics problems_;
    std::unique_ptr<ZoneSet> set_ = std::make_unique<ZoneSet>();
    std::vector<std::unique_ptr<Zone>> zones_;
    NameTable<Zone*> zone_by_apex_;
    bool forward_has_no_zone_below_ = false;  // zones_.front() encloses no other apex
    RecordList records_;
    // Every placed record with the node it went to, for the checks' diagnostics.
    struct Placed {
        const Record* record;
        const Node* node;
    };
    std::vector<Placed> placed_;
    // SRV owners whose generated records a `services:` entry replaces (`generated: replace`).
    std::set<std::string, std::less<>> replaced_owners_;
    // Targets in reverse zones, checked once the PTR records are placed (second pass).
    struct PendingTarget {
        std::string target;  // wire
        std::uint16_t type;
        const char* section;
        config::SourcePos pos;
    };
    std::vector<PendingTarget> reverse_targets_;
    AnswerEncoder encoder_;  // precompile's, its buffers reused answer after answer
    LookupResult lookup_;    // precompile's too: one lookup per node and type, vectors reused
};

Zone* ZoneBuilder::zone_for(std::string_view owner) {
    // Most owners are in the forward zone: when no other apex lies below its apex, a name at or
    // below it is its own, found without hashing (a label walk).
    if (forward_has_no_zone_below_ && name_is_at_or_below(owner, zones_.front()->apex()))
        return zones_.front().get();
    // The closest enclosing apex: walk up the name, one hash lookup per label.
    for (std::string_view n = owner; !n.empty(); n = name_parent(n))
        if (Zone* z = zone_by_apex_.find(n)) return z;
    return nullptr;
}

void ZoneBuilder::place(const Record& r) {
    Zone* z = zone_for(r.owner);
    if (!z) {
        error(r.pos, std::string(r.section) + ": owner '" + show(r.owner) +
                         "' is outside the zone " + site_.domain + " and its reverse zones");
        return;
    }
    if (r.type == rrtype::SOA) {
        error(r.pos, std::string(r.section) +
                         ": SOA records are generated; set the serial and timers under soa:");
        return;
    }
    // Sections compare by text: a string literal's address may differ between translation
    // units (clang gives each its own copy).
    if (r.type == rrtype::SRV && std::string_view(r.section) != section::kServices &&
        !replaced_owners_.empty() && replaced_owners_.contains(r.owner))
        return;  // `generated: replace`: the service's own targets stand instead
    Node& node = z->node_at(r.owner);
    RRset* set = nullptr;
    for (auto& s : node.rrsets)
        if (s.type == r.type) set = &s;
    if (!set) {
        node.rrsets.push_back(RRset{r.type, r.ttl, {}});
        set = &node.rrsets.back();
    }
    // RFC 2181 §5.2: one TTL per RRset; the lowest wins when sections disagree.
    set->ttl = std::min(set->ttl, r.ttl);
    placed_.push_back({&r, &node});
    // An exact duplicate (same owner, type and rdata) collapses (docs/design.md §3 Conflicts).
    if (!set->rdatas.contains(r.rdata)) set->rdatas.push_back(r.rdata);
}

void ZoneBuilder::place_again(const Record& r) {
    // Its data is in the node already (or it was refused, and reported, the first time).
    Zone* z = zone_for(r.owner);
    if (!z || r.type == rrtype::SOA) return;
    if (const Node* node = z->mutable_find(r.owner)) placed_.push_back({&r, node});
}

void ZoneBuilder::add_name_servers(Zone& z, const std::vector<std::string>& ns_targets) {
    // NS: one per server, or the listed nameservers (docs/design.md §3); NS lines under records:
    // at the apex merge after them.
    Node& apex = z.node_at(z.apex());
    auto it = std::find_if(apex.rrsets.begin(), apex.rrsets.end(),
                           [](const RRset& s) { return s.type == rrtype::NS; });
    RRset ns{rrtype::NS, site_.ttl, {}};
    for (const auto& target : ns_targets)
        if (!ns.rdatas.contains(target)) ns.rdatas.push_back(target);
    if (it != apex.rrsets.end()) {
        ns.ttl = std::min(ns.ttl, it->ttl);
        for (const auto& rd : it->rdatas)
            if (!ns.rdatas.contains(rd)) ns.rdatas.push_back(rd);
        apex.rrsets.erase(it);
    }
    apex.rrsets.insert(apex.rrsets.begin(), std::move(ns));
}

void ZoneBuilder::add_soa(Zone& z, const std::string& mname, std::uint32_t serial) {
    // SOA: mname the primary server, rname hostmaster.<domain> (docs/design.md §3).
    Node& apex = z.node_at(z.apex());
    const auto& soa = site_.soa;
    const std::string rname = name_to_wire(
        soa.rname.empty() ? "hostmaster." + site_.domain : soa.rname);
    apex.rrsets.insert(apex.rrsets.begin(),
                       RRset{rrtype::SOA, site_.ttl,
                             {rdata::soa(mname, rname, serial, soa.refresh, soa.retry,
                                         soa.expire, soa.minimum)}});
    // RFC 2308 §3: negative answers carry the SOA with TTL min(SOA TTL, SOA minimum).
    z.negative_soa_ = RRset{rrtype::SOA, std::min(site_.ttl, soa.minimum),
                            apex.rrsets.front().rdatas};
    z.negative_ttl_ = z.negative_soa_.ttl;
    z.serial_ = serial;
}

void ZoneBuilder::check_catalog_name() {
    const auto& catalog = site_.server.transfer_catalog;
    if (!catalog) return;
    // RFC 9432 §3: the catalog is a zone of its own. At, inside or above one of the site's
    // zones it would hide that zone's names or be hidden by them.
    const std::string wire = name_to_wire(*catalog);
    for (const auto& z : zones_) {
        const char* where = wire == z->apex()                      ? "is the zone"
                            : name_is_at_or_below(wire, z->apex()) ? "lies inside the zone"
                            : name_is_at_or_below(z->apex(), wire) ? "lies above the zone"
                                                                   : nullptr;
        if (!where) continue;
        error(site_.server.transfer_catalog_pos,
              "server.transfer.catalog: '" + *catalog + "' " + where + " " + show(z->apex()) +
                  " of this site; expected a name outside the site's zones, such as "
                  "catalog.sipdns.invalid (RFC 9432 §3: the catalog is a zone of its own)");
        return;
    }
}

std::unique_ptr<Zone> ZoneBuilder::build_catalog(const SerialPolicy& policy,
                                                 const std::string& mname) {
    auto catalog =
        std::make_unique<Zone>(name_to_wire(*site_.server.transfer_catalog), 0, set_->names_);
    std::vector<std::string> members;
    for (const auto& z : zones_) members.push_back(z->apex());
    for (const auto& r : catalog_records(catalog->apex(), members)) {
        Node& node = catalog->node_at(r.owner);
        RRset* set = nullptr;
        for (auto& s : node.rrsets)
            if (s.type == r.type) set = &s;
        if (!set) {
            node.rrsets.push_back(RRset{r.type, site_.ttl, {}});
            set = &node.rrsets.back();
        }
        set->rdatas.push_back(r.rdata);
    }
    // Its own serial (RFC 9432 §5.1: a secondary transfers the catalog when it changes), picked
    // by the rules of the site's zones from its own content: it changes only when the member
    // list (or the SOA settings) does, and never goes back.
    const std::uint64_t hash = records_hash(*catalog) ^ soa_settings_hash();
    std::uint32_t serial = 0;
    if (site_.soa.serial) {
        serial = *site_.soa.serial;  // the operator's, as written, as for the other zones
    } else {
        SerialPolicy own;
        if (policy.previous_catalog) {
            own.previous_serial = policy.previous_catalog->serial;
            own.previous_content_hash = policy.previous_catalog->content_hash;
        }
        own.base_time = policy.base_time;
        own.served_before = policy.served_before;
        serial = pick_serial(own, {name_to_text(catalog->apex())}, hash);
    }
    add_soa(*catalog, mname, serial);
    mark_cuts_and_wildcards(*catalog);
    set_->catalog_served_ = {serial, hash};
    return catalog;
}

void ZoneBuilder::check_cname_rules() {
    // RFC 1034 §3.6.2 / RFC 2181 §10.1: a CNAME owner has no other data, and one target.
    auto first_of = [&](const Node* node, std::uint16_t type) -> const Record* {
        for (const auto& p : placed_)
            if (p.node == node && p.record->type == type) return p.record;
        return nullptr;
    };
    for (const auto& p : placed_) {
        if (p.record->type != rrtype::CNAME) continue;
        const Node* node = p.node;
        if (node->rrsets.size() == 1 && node->rrsets.front().rdatas.size() == 1) continue;
        if (first_of(node, rrtype::CNAME) != p.record) continue;  // once per name (rare path)
        const Record* alias = p.record;
        if (node->find(rrtype::CNAME)->rdatas.size() > 1)
            error(alias->pos, std::string(alias->section) + ": '" + show(node->name) +
                                  "' has more than one alias target (RFC 2181 §10.1)");
        for (const auto& other : node->rrsets) {
            if (other.type == rrtype::CNAME) continue;
            const Record* o = first_of(node, other.type);
            error(alias->pos, std::string(alias->section) + ": '" + show(node->name) +
                                  "' cannot be an alias (CNAME): the name also has " +
                                  type_name(other.type) + " records from " +
                                  describe_generated(*o) + " (RFC 1034 §3.6.2)");
            break;
        }
    }
    // RFC 2782 (SRV), RFC 2181 §10.3 (NS, MX): targets must not be aliases.
    for (const auto& p : placed_) {
        const Record& r = *p.record;
        if (r.type != rrtype::SRV && r.type != rrtype::NS && r.type != rrtype::MX) continue;
        const std::string_view target =
            std::string_view(r.rdata).substr(rdata_target_offset(r.type, r.rdata));
        const Zone* tz = zone_for(target);
        const Node* tn = tz ? tz->find(target) : nullptr;
        // An alias beside other data is reported once, above, not again here.
        if (!tn || !tn->find(rrtype::CNAME) || tn->rrsets.size() > 1) continue;
        error(r.pos, std::string(r.section) + ": " + type_name(r.type) + " target '" +
                         show(target) + "' is an alias (CNAME); " + type_name(r.type) +
                         " targets must be names with addresses (" +
                         (r.type == rrtype::SRV ? "RFC 2782" : "RFC 2181 §10.3") + ")");
    }
}

void ZoneBuilder::check_services_against_generated() {
    // A `services:` entry at an owner the site generates itself (_sip._udp from servers, a
    // cluster's or Lync's SRV) would merge into that RRset unseen: say where both come from
    // and let the site file say which it means.
    std::map<std::string, const Record*, std::less<>> generated;
    for (const auto& r : records_)
        if (r.type == rrtype::SRV && std::string_view(r.section) != section::kServices &&
            std::string_view(r.section) != section::kRecords)
            generated.emplace(std::string(r.owner), &r);
    for (std::size_t i = 0; i < site_.services.size(); ++i) {
        const auto& service = site_.services[i];
        const std::string owner = name_to_wire(service.owner);
        const auto it = generated.find(owner);
        const std::string where = "services[" + std::to_string(i) + "]";
        using Generated = config::ServiceEntry::Generated;
        if (it == generated.end()) {
            if (service.generated != Generated::Unset)
                problems_.push_back(
                    {site_.file, service.pos,
                     where + ".generated: the site generates no SRV records at '" +
                         service.owner + "', so there is nothing to add to or replace",
                     config::Diagnostic::Severity::Warning});
            continue;
        }
        if (service.generated == Generated::Replace) replaced_owners_.insert(owner);
        if (service.generated != Generated::Unset) continue;
        error(service.pos, where + ": the SRV records at '" + service.owner +
                               "' are generated from " + describe(*it->second, it->second->pos) +
                               "; write 'generated: add' to serve these targets besides them, "
                               "or 'generated: replace' to serve only these");
    }
}

bool ZoneBuilder::names_something(std::string_view target) {
    const Zone* z = zone_for(target);
    if (!z) return true;  // outside our zones: not ours to check
    if (const Node* n = z->find(target); n && !n->rrsets.empty()) return true;
    // Below a zone cut the name is the child zone's (RFC 1034 §4.2.1), and a wildcard at the
    // closest existing ancestor answers for it (RFC 4592 §3.3.1).
    for (std::string_view up = name_parent(target); up.size() >= z->apex().size();
         up = name_parent(up)) {
        const Node* n = z->find(up);
        if (!n) continue;
        if (up.size() > z->apex().size() && n->find(rrtype::NS)) return true;
        const std::string wildcard = std::string("\x01*", 2) + std::string(up);
        if (const Node* w = z->find(wildcard); w && !w->rrsets.empty()) return true;
        return false;
    }
    return false;
}

void ZoneBuilder::check_targets_exist(bool reverse_pass) {
    // An SRV, MX or NS target or an alias's target inside our zones that names nothing gets
    // phones NXDOMAIN (RFC 2782: the target is a host with addresses).
    auto report = [&](std::string_view target, std::uint16_t type, const char* section,
                      const config::SourcePos& pos) {
        const std::string shown = show(target);
        if (std::find(site_.refused_names.begin(), site_.refused_names.end(), shown) !=
            site_.refused_names.end())
            return;  // its entry has an error of its own (check loads despite errors)
        const Zone* z = zone_for(target);
        const std::string what =
            type == rrtype::CNAME ? "alias target" : std::string(type_name(type)) + " target";
        error(pos, std::string(section) + ": " + what + " '" + shown + "' names nothing in " +
                       show(z->apex()) +
                       ": clients would get NXDOMAIN (add it under hosts, or fix the name)");
    };
    if (reverse_pass) {
        for (const auto& t : reverse_targets_)
            if (!names_something(t.target)) report(t.target, t.type, t.section, t.pos);
        reverse_targets_.clear();
        return;
    }
    const Zone* forward = zones_.front().get();
    for (const auto& p : placed_) {
        const Record& r = *p.record;
        if (r.type != rrtype::SRV && r.type != rrtype::NS && r.type != rrtype::MX &&
            r.type != rrtype::CNAME)
            continue;
        const std::string_view target =
            std::string_view(r.rdata).substr(rdata_target_offset(r.type, r.rdata));
        if (target.size() <= 1) continue;  // "." : RFC 2782's "no such service here"
        const Zone* z = zone_for(target);
        if (!z) continue;
        if (z != forward) {
            reverse_targets_.push_back({std::string(target), r.type, r.section, r.pos});
            continue;
        }
        if (!names_something(target)) report(target, r.type, r.section, r.pos);
    }
}

void ZoneBuilder::check_name_servers_exist(const std::vector<std::string>& ns_targets) {
    // `nameservers:` names (the servers always have addresses): RFC 1034 §4.2.1 wants
    // addresses for name servers inside the zone (glue); with none the delegation is lame.
    for (std::size_t i = 0; i < site_.nameservers.size() && i < ns_targets.size(); ++i) {
        if (names_something(ns_targets[i])) continue;
        const config::SourcePos pos =
            i < site_.nameserver_pos.size() ? site_.nameserver_pos[i] : site_.domain_pos;
        if (std::find(site_.refused_names.begin(), site_.refused_names.end(),
                      site_.nameservers[i]) != site_.refused_names.end())
            continue;
        error(pos, "nameservers[" + std::to_string(i) + "]: '" + site_.nameservers[i] +
                       "' names nothing in " + site_.domain +
                       ": a name server inside the zone needs an address (add it under hosts)");
    }
}

void ZoneBuilder::check_address_agreement() {
    // docs/design.md §3: a name given an address in two places with different addresses is an
    // error. Raw records merge instead. Group the structured sections' address records by name.
    std::vector<const Placed*> addr;
    for (const auto& p : placed_)
        if ((p.record->type == rrtype::A || p.record->type == rrtype::AAAA) &&
            std::string_view(p.record->section) != section::kRecords)
            addr.push_back(&p);
    std::stable_sort(addr.begin(), addr.end(), [](const Placed* a, const Placed* b) {
        return std::less<const Node*>()(a->node, b->node);
    });
    for (std::size_t i = 0; i < addr.size();) {
        std::size_t j = i;
        while (j < addr.size() && addr[j]->node == addr[i]->node) ++j;
        // One section alone cannot disagree with itself (the common case: a host's records).
        const std::string_view section = addr[i]->record->section;
        if (std::all_of(addr.begin() + static_cast<std::ptrdiff_t>(i),
                        addr.begin() + static_cast<std::ptrdiff_t>(j),
                        [&](const Placed* p) { return p->record->section == section; })) {
            i = j;
            continue;
        }
        // Per section, the set of addresses (type + rdata) it gives this name.
        std::map<std::string, std::set<std::pair<std::uint16_t, std::string>>> by_section;
        std::map<std::string, const Record*> first;
        for (std::size_t k = i; k < j; ++k) {
            const Record* r = addr[k]->record;
            by_section[r->section].insert({r->type, std::string(r->rdata)});
            first.emplace(r->section, r);
        }
        if (by_section.size() > 1) {
            const auto& [sec_a, addrs_a] = *by_section.begin();
            for (const auto& [sec_b, addrs_b] : by_section) {
                if (addrs_b == addrs_a) continue;
                const Record* a = first[sec_a];
                const Record* b = first[sec_b];
                const Record* later = a->pos.line > b->pos.line ? a : b;
                const Record* earlier = later == a ? b : a;
                // A name the file gives that is also a server's generated rr.<server> name:
                // reported at the name the file gives, whichever comes first.
                const bool redirect_later = std::string_view(later->section) == section::kRedirect;
                if (redirect_later || std::string_view(earlier->section) == section::kRedirect) {
                    const Record* given = redirect_later ? earlier : later;
                    const Record* generated = redirect_later ? later : earlier;
                    error(given->pos, std::string(given->section) + ": '" +
                                          show(addr[i]->node->name) + "' clashes with " +
                                          describe_generated(*generated) +
                                          "; give it another name, or the same addresses");
                    continue;
                }
                error(later->pos, std::string(later->section) + ": '" +
                                      show(addr[i]->node->name) +
                                      "' has different addresses here and in " +
                                      describe(*earlier, earlier->pos) +
                                      "; a name must have the same addresses everywhere");
            }
        }
        i = j;
    }
}

void ZoneBuilder::mark_cuts_and_wildcards(Zone& z) {
    for (Node& node : z.nodes_) {
        if (node.name != z.apex() && node.find(rrtype::NS)) {
            node.delegation = true;
            z.has_delegations_ = true;
        }
        if (node.name.size() > 2 && node.name[0] == 1 && node.name[1] == '*') {
            node.is_wildcard = true;
            if (Node* parent = z.mutable_find(name_parent(node.name))) {
                parent->descendants = Node::DescendantKind::Wildcard;
                parent->wildcard = &node;
            }
        }
    }
    if (!z.has_delegations_) return;
    for (Node& node : z.nodes_)
        for (std::string_view n = name_parent(node.name); n.size() > z.apex().size();
             n = name_parent(n))
            if (const Node* up = z.find(n); up && up->delegation) node.below_delegation = true;
}

void ZoneBuilder::give_health_ttl(Zone& z) {
    // Caches must follow a withdrawn target within health.ttl: every SIP SRV RRset carries it
    // (part of the configured content, so the serial follows a change of it).
    for (Node& node : z.nodes_)
        for (RRset& set : node.rrsets)
            if (set.type == rrtype::SRV && sip_srv_transport(node.name)) set.ttl = site_.health->ttl;
}

void ZoneBuilder::withdraw_down_targets(Zone& z) {
    // A down target's records leave the RRset, the others keep their priorities and weights;
    // when every record is down the RRset stays whole: a guess beats an empty answer.
    for (Node& node : z.nodes_) {
        const auto transport = sip_srv_transport(node.name);
        if (!transport) continue;
        for (RRset& set : node.rrsets) {
            if (set.type != rrtype::SRV) continue;
            RdataList kept;
            for (std::string_view rd : set.rdatas) {
                if (rd.size() < 7) {  // not an SRV rdata: never ours to withdraw
                    kept.push_back(rd);
                    continue;
                }
                // RFC 2782: priority, weight, port, target.
                const auto port = static_cast<std::uint16_t>(
                    static_cast<unsigned char>(rd[4]) << 8 | static_cast<unsigned char>(rd[5]));
                std::string target = name_to_text(rd.substr(rdata_target_offset(rrtype::SRV, rd)));
                if (!target.empty()) target.pop_back();
                if (!down_->contains(SipTargetKey{std::move(target), port, *transport}))
                    kept.push_back(rd);
            }
            if (!kept.empty() && kept.size() < set.rdatas.size()) set.rdatas = std::move(kept);
        }
    }
}

void ZoneBuilder::precompile(Zone& z) {
    AnswerStore& store = set_->answers_;
    auto own = [&](const EncodedAnswer& e) { return &z.own_answers_.emplace_back(store.add(e)); };
    auto encode_answer = [this](const LookupResult& result, EncodeMode mode,
                                std::string_view name) -> const EncodedAnswer& {
        return encoder_.encode(result, mode, name);
    };

    LookupResult negative;
    negative.zone = &z;
    negative.authority.push_back({z.apex(), &z.negative_soa_});
    negative.status = LookupStatus::NxDomain;
    z.nxdomain_ = store.add(encode_answer(negative, EncodeMode::SuffixTemplate, z.apex()));
    negative.status = LookupStatus::NoData;
    z.nodata_ = store.add(encode_answer(negative, EncodeMode::SuffixTemplate, z.apex()));

    for (Node& node : z.nodes_) {
        if (!node.delegation) continue;
        z.lookup_into(lookup_, node.name, rrtype::NS);
        node.referral = own(encode_answer(lookup_, EncodeMode::SuffixTemplate, node.name));
        node.descendants = Node::DescendantKind::Referral;
        node.other_types = node.referral;
    }
    std::vector<std::uint16_t> types;
    for (Node& node : z.nodes_) {
        if (node.delegation) continue;
        if (node.below_delegation) {
            const Node* cut = z.cut_above_or_at(node.name);
            node.referral = cut->referral;
            node.descendants = Node::DescendantKind::Referral;
            node.other_types = cut->referral;
            continue;
        }
        const EncodeMode mode = node.is_wildcard ? EncodeMode::QnameTemplate : EncodeMode::Exact;
        // The qtypes with an answer of their own: the node's types, and with a CNAME the types
        // found along the chain (RFC 1034 §3.6.2).
        types.clear();
        for (const auto& s : node.rrsets) types.push_back(s.type);
        const RRset* cname = node.find(rrtype::CNAME);
        for (const Node* n = &node; cname && types.size() < 64;) {
            const std::size_t at = rdata_target_offset(rrtype::CNAME, cname->rdatas.front());
            n = z.find(std::string_view(cname->rdatas.front()).substr(at));
            if (!n || n == &node) break;
            for (const auto& s : n->rrsets)
                if (std::find(types.begin(), types.end(), s.type) == types.end())
                    types.push_back(s.type);
            cname = n->find(rrtype::CNAME);
        }
        // QTYPE ANY gets every RRset of the name and never chases a CNAME (RFC 1034 §4.3.2
        // step 3a); Node::answer_for reuses the one typed answer when that is all there is.
        if (types.size() > 1) types.push_back(rrtype::ANY);
        node.first_typed_answer = static_cast<std::uint32_t>(z.typed_answers_.size());
        node.typed_answer_count = static_cast<std::uint16_t>(types.size());
        for (std::uint16_t t : types) {
            z.lookup_into(lookup_, node.name, t);
            z.typed_answers_.push_back({t, store.add(encode_answer(lookup_, mode, node.name))});
        }
        if (node.find(rrtype::CNAME)) {
            // Type 0 is reserved (RFC 6895 §3.1): no RRset has it, so this is "any other type".
            z.lookup_into(lookup_, node.name, 0);
            node.other_types = own(encode_answer(lookup_, mode, node.name));
        } else {
            node.other_types = &z.nodata_;
        }
    }
}

// Order-independent: a sum of per-record hashes, so equal content gives equal hashes whatever
// order the site file lists it in.
std::uint64_t ZoneBuilder::records_hash(const Zone& z) {
    auto mix = [](std::uint64_t h) {
        h ^= h >> 33;
        h *= 0xff51afd7ed558ccdULL;
        h ^= h >> 33;
        return h;
    };
    std::uint64_t total = 0;
    for (const Node& node : z.nodes_) {
        const std::uint64_t owner = hash_name(node.name);
        for (const auto& set : node.rrsets) {
            const std::uint64_t head = mix(owner ^ (std::uint64_t{set.type} << 32 | set.ttl));
            for (const auto& rd : set.rdatas) total += mix(head ^ hash_name(rd));
        }
    }
    return total;
}

std::uint64_t ZoneBuilder::soa_settings_hash() const {
    const auto& s = site_.soa;
    const std::string soa_key = std::to_string(s.refresh) + "/" + std::to_string(s.retry) + "/" +
                                std::to_string(s.expire) + "/" + std::to_string(s.minimum) + "/" +
                                s.rname + "/" + std::to_string(site_.ttl);
    return hash_name(soa_key);
}

std::uint64_t ZoneBuilder::content_hash() const {
    std::uint64_t total = 0;
    for (const auto& z : zones_) total += records_hash(*z);
    return total ^ soa_settings_hash();
}

std::uint32_t ZoneBuilder::choose_serial(const SerialPolicy& p, std::uint64_t hash) const {
    if (p.fixed_serial) return *p.fixed_serial;
    if (site_.soa.serial) return *site_.soa.serial;  // the operator's, as written
    std::vector<std::string> apexes;
    for (const auto& z : zones_) apexes.push_back(name_to_text(z->apex()));
    return pick_serial(p, apexes, hash);
}

Expected<std::shared_ptr<const ZoneSet>, config::Diagnostics> ZoneBuilder::build(
    const SerialPolicy& policy) {
    generate_scs_servers(site_, records_);
    generate_naptr(site_, records_);
    generate_hosts(site_, records_);
    generate_aliases(site_, records_);
    generate_services(site_, records_);
    generate_clusters(site_, viewpoint_, records_);
    generate_lync(site_, records_);
    generate_raw_records(site_, records_);
    check_services_against_generated();
    ReversePlan reverse = plan_reverse(site_);
    problems_.insert(problems_.end(), reverse.problems.begin(), reverse.problems.end());

    const std::string apex = name_to_wire(site_.domain);
    zones_.push_back(std::make_unique<Zone>(apex, 0, set_->names_));
    for (const auto& r : reverse.zone_apexes) zones_.push_back(std::make_unique<Zone>(r, 0, set_->names_));
    for (auto& z : zones_) {
        z->node_at(z->apex());
        zone_by_apex_.insert(z.get());
    }
    forward_has_no_zone_below_ = std::none_of(zones_.begin() + 1, zones_.end(), [&](const auto& z) {
        return name_is_at_or_below(z->apex(), apex);
    });

    for (const auto& s : site_.servers)
        if (!name_is_at_or_below(name_to_wire(s.name), apex))
            error(s.pos, "servers: server '" + s.name + "' must be inside the domain " +
                             site_.domain + " (its rr. and SRV records live there)");

    std::vector<std::string> ns_targets;
    for (const auto& n : site_.nameservers) ns_targets.push_back(name_to_wire(n));
    if (ns_targets.empty())
        for (const auto& s : site_.servers) ns_targets.push_back(name_to_wire(s.name));
    // With a server left out for an error of its own (check reads on despite errors), that
    // error says enough; the build still stops below.
    if (ns_targets.empty() && site_.refused_names.empty())
        error(site_.domain_pos,
              "nameservers: the zone needs a name server: list servers, or name hosts under "
              "nameservers");

    // Two passes, so that the forward records and the PTR records (100,000 each for a large
    // site) are never in memory together. First the generated records...
    zones_.front()->index_.reserve(records_.size());
    placed_.reserve(records_.size());
    for (const auto& r : records_) place(r);
    check_cname_rules();
    check_address_agreement();
    check_targets_exist(/*reverse_pass=*/false);
    if (!ns_targets.empty()) check_name_servers_exist(ns_targets);
    // ...then the PTRs, beside the records already placed in reverse zones (rare: `records:`
    // lines there), which the alias checks must see next to them. A problem found again in
    // the second pass is the same message at the same place: reported once, below.
    RecordList in_reverse_zones;
    for (const auto& r : records_)
        if (zone_for(r.owner) != zones_.front().get()) in_reverse_zones.push_back(r);
    records_ = RecordList();
    std::vector<Placed>().swap(placed_);
    RecordList ptr_records = reverse_ptr_records(site_, reverse);
    if (release_hosts_) std::vector<config::HostEntry>().swap(*release_hosts_);
    placed_.reserve(in_reverse_zones.size() + ptr_records.size());
    for (const auto& r : in_reverse_zones) place_again(r);
    for (const auto& r : ptr_records) place(r);
    check_cname_rules();
    check_targets_exist(/*reverse_pass=*/true);
    check_catalog_name();
    // One message per place and problem: the UDP and TCP SRV of a server share a position.
    config::Diagnostics unique = std::move(problems_);
    config::sort_by_position(unique);
    if (config::count_errors(unique) > 0 || ns_targets.empty()) return unexpected(std::move(unique));
    set_->warnings_ = std::move(unique);

    // The checks are done: the generated records now live in the nodes. Free them before the
    // precompiled answers are built, so the two never sit in memory together (peak RSS).
    std::vector<Placed>().swap(placed_);
    ptr_records = RecordList();
    in_reverse_zones = RecordList();

    for (auto& z : zones_) add_name_servers(*z, ns_targets);
    if (site_.health)
        for (auto& z : zones_) give_health_ttl(*z);
    const std::uint64_t hash = content_hash();  // everything but the SOA's serial
    const std::uint32_t serial = choose_serial(policy, hash);
    // After the serial: what is down is not content (the serial does not change, and the
    // content hash stays the configured site's).
    if (down_ && !down_->empty())
        for (auto& z : zones_) withdraw_down_targets(*z);
    for (auto& z : zones_) {
        add_soa(*z, ns_targets.front(), serial);
        mark_cuts_and_wildcards(*z);
    }
    // The catalog lists the zones above (members, not content: not in the site's hash).
    if (site_.server.transfer_catalog) {
        zones_.push_back(build_catalog(policy, ns_targets.front()));
        set_->catalog_zone_ = zones_.back().get();
    }

    // The nodes are complete: one index for the set (what queries use) replaces the zones'
    // own before the answers are precompiled, so the two are not in memory together.
    // Shallower zones first into the shared index, so that a deeper zone's names win.
    std::size_t total = 0;
    for (const auto& z : zones_) total += z->nodes_.size();
    set_->all_nodes_.reserve(total);
    std::vector<Zone*> by_depth;
    for (auto& z : zones_) by_depth.push_back(z.get());
    std::stable_sort(by_depth.begin(), by_depth.end(), [](Zone* a, Zone* b) {
        return a->apex().size() < b->apex().size();
    });
    for (Zone* z : by_depth)
        for (const Node& node : z->nodes_) set_->all_nodes_.insert(&node);
    for (auto& z : zones_) {
        z->index_.clear();
        z->shared_index_ = &set_->all_nodes_;
    }
    // Room for the answers at once (an estimate: each RR once, in an answer of its own name,
    // with its owner compressed to a pointer; ANY answers repeat a name's RRsets).
    // The same walk counts each zone's records, which change no more.
    std::size_t body_bytes = 0;
    for (auto& z : zones_) {
        std::size_t typed = 0;
        std::size_t records = 0;
        for (const Node& node : z->nodes_) {
            const std::size_t repeat = node.rrsets.size() > 1 ? 2 : 1;
            typed += node.rrsets.size() + (repeat - 1);
            for (const auto& set : node.rrsets) {
                records += set.rdatas.size();
                for (const auto& rd : set.rdatas) body_bytes += repeat * (2 + 10 + rd.size());
            }
        }
        z->record_count_ = records;
        z->typed_answers_.reserve(typed);
        body_bytes += 512;  // the zone's NXDOMAIN and NODATA templates (SOA)
    }
    set_->answers_.reserve(body_bytes + body_bytes / 16);  // additional sections: a margin
    for (auto& z : zones_) precompile(*z);
    set_->answers_.shrink_to_fit();
    // As AnswerStore::shrink_to_fit: a tail reserved and never written costs no memory.
    for (auto& z : zones_) {
        auto& typed = z->typed_answers_;
        if (typed.capacity() - typed.size() > typed.capacity() / 4) typed.shrink_to_fit();
    }
    set_->zones_ = std::move(zones_);
    set_->serial_ = serial;
    set_->content_hash_ = hash;
    return std::shared_ptr<const ZoneSet>(std::move(set_));
}

Expected<std::shared_ptr<const ZoneSet>, config::Diagnostics> build_zone_set(
    const config::SiteConfig& site, const SerialPolicy& serial, const std::string* viewpoint) {
    return ZoneBuilder(site, viewpoint).build(serial);
}

namespace {
Expected<std::shared_ptr<SiteZones>, config::Diagnostics> build_views(
    const config::SiteConfig& site, const SerialPolicy& serial,
    std::vector<config::HostEntry>* release_hosts, const DownTargets* down = nullptr) {
    const bool one_view = site.clusters.empty() || site.locations.empty();
    // Only the last build may release the hosts: every view is built from the whole site.
    auto base =
        ZoneBuilder(site, nullptr, one_view ? release_hosts : nullptr, down).build(serial);
    if (!base) return unexpected(std::move(base.error()));
    if (one_view) return std::make_shared<SiteZones>(std::move(*base));

    SerialPolicy same = serial;
    same.fixed_serial = (*base)->serial();  // one serial for every view of one content
    if ((*base)->catalog_zone()) same.previous_catalog = (*base)->catalog_served();
    std::vector<SiteZones::LocationView> views;
    for (const auto& location : site.locations) {
        const bool last = &location == &site.locations.back();
        auto view =
            ZoneBuilder(site, &location.name, last ? release_hosts : nullptr, down).build(same);
        if (!view) return unexpected(std::move(view.error()));
        views.push_back({location.name, location.prefixes, std::move(*view)});
    }
    return std::make_shared<SiteZones>(std::move(*base), std::move(views));
}

}  // namespace

Expected<std::shared_ptr<const SiteZones>, config::Diagnostics> build_site_zones(
    const config::SiteConfig& site, const SerialPolicy& serial) {
    auto built = build_views(site, serial, nullptr);
    if (!built) return unexpected(std::move(built.error()));
    return std::shared_ptr<const SiteZones>(std::move(*built));
}

Expected<std::shared_ptr<const SiteZones>, config::Diagnostics> build_site_zones_releasing_hosts(
    config::SiteConfig& site, const SerialPolicy& serial) {
    auto built = build_views(site, serial, &site.hosts);
    if (!built) return unexpected(std::move(built.error()));
    return std::shared_ptr<const SiteZones>(std::move(*built));
}

Expected<std::shared_ptr<const SiteZones>, config::Diagnostics> build_live_site_zones(
    const config::SiteConfig& site, std::shared_ptr<const SiteZones> configured,
    const DownTargets& down) {
    if (down.empty()) return configured;  // everything up: the configured answers
    SerialPolicy same;
    same.fixed_serial = configured->serial();
    if (configured->default_view().catalog_zone())
        same.previous_catalog = configured->default_view().catalog_served();
    auto built = build_views(site, same, nullptr, &down);
    if (!built) return unexpected(std::move(built.error()));
    (*built)->keep_configured(std::move(configured));
    return std::shared_ptr<const SiteZones>(std::move(*built));
}

}  // namespace sipdns::zone
