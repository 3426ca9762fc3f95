// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
// reverse: auto — a PTR for every address of every server and host (docs/design.md §3; cluster
// members and the Lync pool and edge are hosts too): servers win
// when two names share an address; rr.* names never get a PTR. Reverse zones are the /24
// (IPv4, RFC 1035 §3.5) or /64 (IPv6, RFC 3596 §2.5) around each address, unless the site lists
// its prefixes; sipdnsd is authoritative for them.
#include <algorithm>
#include <set>

#include "sipdns/zone/generators.h"
#include "sipdns/zone/name.h"
#include "sipdns/zone/rr_types.h"

namespace sipdns::zone {

namespace {
constexpr char kHex[] = "0123456789abcdef";

// The reverse-tree name of the first `significant_bits` of an address, in wire form straight
// away (RFC 1035 §3.5: decimal octets under in-addr.arpa; RFC 3596 §2.5: hex nibbles under
// ip6.arpa, lower case), appended to `wire`. A PTR per host address: no text name in between.
void append_reverse_wire(std::string& wire, const config::IpAddress& a,
                         std::size_t significant_bits) {
    if (a.is_v4()) {
        for (int i = static_cast<int>(significant_bits / 8) - 1; i >= 0; --i) {
            const unsigned byte = a.bytes[static_cast<std::size_t>(i)];
            char digits[3];
            std::size_t n = 0;
            if (byte >= 100) digits[n++] = static_cast<char>('0' + byte / 100);
            if (byte >= 10) digits[n++] = static_cast<char>('0' + byte / 10 % 10);
            digits[n++] = static_cast<char>('0' + byte % 10);
            wire.push_back(static_cast<char>(n));
            wire.append(digits, n);
        }
        wire.append("\x07in-addr\x04" "arpa", 13).push_back('\0');
        return;
    }
    for (int nib = static_cast<int>(significant_bits / 4) - 1; nib >= 0; --nib) {
        const std::uint8_t byte = a.bytes[static_cast<std::size_t>(nib / 2)];
        wire.push_back('\x01');
        wire.push_back(kHex[nib % 2 == 0 ? byte >> 4 : byte & 0xf]);
    }
    wire.append("\x03ip6\x04" "arpa", 9).push_back('\0');
}

// A stress site may share addresses on purpose; a hundred warnings say enough.
constexpr std::size_t kMaxSharedAddressWarnings = 100;

struct AddressOwner {
    config::IpAddress address;
    std::string_view name;  // text, in the site; made a wire name only for the PTR it gets
    config::SourcePos pos;
    const char* section;    // for the warning when two names share the address
};
}  // namespace

std::string reverse_name(const config::IpAddress& address) {
    std::string wire;
    append_reverse_wire(wire, address, address.is_v4() ? 32 : 128);
    return wire;
}

std::string reverse_zone_apex(const config::IpPrefix& prefix) {
    std::string wire;
    append_reverse_wire(wire, prefix.address, prefix.length);
    return wire;
}

namespace {
// Every address that may get a PTR, with its name, in the order that decides who wins: servers
// first, then hosts, cluster members, the Lync pool and edge (the first owner of an address
// wins). plan_reverse and reverse_ptr_records walk the same order.
template <class Visit>
void for_each_address_owner(const config::SiteConfig& site, Visit&& visit) {
    auto named = [&visit](const config::NamedHost& h, const char* section) {
        if (h.ipv4) visit(AddressOwner{*h.ipv4, h.name, h.pos, section});
        if (h.ipv6) visit(AddressOwner{*h.ipv6, h.name, h.pos, section});
    };
    for (const auto& s : site.servers) named(s, section::kServers);
    for (const auto& h : site.hosts)
        for (const auto& a : h.addresses) visit(AddressOwner{a, h.name, h.pos, section::kHosts});
    for (const auto& c : site.clusters)
        for (const auto& group : c.members)
            for (const auto& m : group.members) named(m, section::kClusters);
    if (site.lync)
        for (const config::LyncHost* h : {&site.lync->pool,
                                          site.lync->edge ? &*site.lync->edge : nullptr}) {
            if (h) named(*h, section::kLync);
        }
}
}  // namespace

ReversePlan plan_reverse(const config::SiteConfig& site) {
    ReversePlan plan;
    if (site.reverse.mode == config::ReverseSettings::Mode::Off) return plan;

    std::vector<AddressOwner> owners;  // servers first: the first owner of an address wins
    owners.reserve(2 * site.servers.size() + site.hosts.size());
    for_each_address_owner(site, [&owners](const AddressOwner& o) { owners.push_back(o); });

    std::vector<config::IpPrefix> zones;
    if (site.reverse.mode == config::ReverseSettings::Mode::Prefixes) {
        for (const auto& p : site.reverse.prefixes) {
            const unsigned step = p.address.is_v4() ? 8 : 4;
            if (p.length % step != 0 || p.length == 0) {
                plan.problems.push_back(
                    {site.file, site.reverse.pos,
                     "reverse: prefix " + p.to_string() + " must have a length that is a " +
                         "non-zero multiple of " + std::to_string(step) +
                         (p.address.is_v4() ? " for IPv4" : " for IPv6") +
                         " (classless delegation, RFC 2317, is not supported)"});
                continue;
            }
            zones.push_back(p);
        }
    }

    std::set<std::string> apexes;
    // Servers first: the first owner of an address wins. Sorting (address, file order) finds
    // the duplicates without a tree of 100,000 nodes.
    std::vector<std::size_t> order(owners.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    const auto by_address = [&](std::size_t a, std::size_t b) {
        return owners[a].address < owners[b].address;
    };
    // Sites list hosts in address order more often than not: then file order is the order.
    if (!std::is_sorted(order.begin(), order.end(), by_address))
        std::stable_sort(order.begin(), order.end(), by_address);
    std::vector<bool> wins(owners.size(), false);
    std::vector<std::size_t> winner_of(owners.size());  // the owner whose name the PTR gets
    for (std::size_t i = 0; i < order.size(); ++i) {
        wins[order[i]] = i == 0 || !(owners[order[i]].address == owners[order[i - 1]].address);
        winner_of[order[i]] = wins[order[i]] ? order[i] : winner_of[order[i - 1]];
    }
    config::IpPrefix last_network{};
    std::string last_apex;
    const config::IpPrefix* last_best = nullptr;
    plan.gets_ptr.assign(owners.size(), false);
    for (std::size_t i = 0; i < owners.size(); ++i) {
        const auto& o = owners[i];
        if (!wins[i]) {
            // One PTR per address (RFC 1912 §2.1 asks for exactly one): say which name the
            // reverse lookup gives, where a phone's log or a SIP trace will show it. The
            // same name given the address twice (a server also under hosts) is no news.
            const auto& w = owners[winner_of[i]];
            const bool gets_ptr =
                site.reverse.mode == config::ReverseSettings::Mode::Auto ||
                std::any_of(zones.begin(), zones.end(),
                            [&](const config::IpPrefix& p) { return p.contains(o.address); });
            if (w.name != o.name && gets_ptr && plan.problems.size() < kMaxSharedAddressWarnings)
                plan.problems.push_back(
                    {site.file, o.pos,
                     std::string(o.section) + ": '" + std::string(o.name) + "' has the address " +
                         o.address.to_string() + ", as " + w.section + " '" +
                         std::string(w.name) + "' (line " + std::to_string(w.pos.line) +
                         ") has: the reverse lookup (PTR) of " + o.address.to_string() +
                         " gives " + std::string(w.name) + " only",
                     config::Diagnostic::Severity::Warning});
            continue;
        }
        if (site.reverse.mode == config::ReverseSettings::Mode::Auto) {
            // The /24 or /64 around the address; neighbours share it, so reuse the last one.
            config::IpPrefix p{o.address, static_cast<std::uint8_t>(o.address.is_v4() ? 24 : 64)};
            p = p.network();
            if (!(p == last_network) || last_apex.empty()) {
                last_network = p;
                last_apex = reverse_zone_apex(p);
                apexes.insert(last_apex);
            }
        } else {
            // The longest listed prefix that contains the address; none -> no PTR.
            const config::IpPrefix* best = nullptr;
            for (const auto& p : zones)
                if (p.contains(o.address) && (!best || p.length > best->length)) best = &p;
            if (!best) continue;
            if (best != last_best) {
                last_best = best;
                apexes.insert(reverse_zone_apex(*best));
            }
        }
        plan.gets_ptr[i] = true;
    }
    if (site.reverse.mode == config::ReverseSettings::Mode::Prefixes)
        for (const auto& p : zones) apexes.insert(reverse_zone_apex(p));
    plan.zone_apexes.assign(apexes.begin(), apexes.end());
    return plan;
}

RecordList reverse_ptr_records(const config::SiteConfig& site, const ReversePlan& plan) {
    RecordList out;
    std::size_t i = 0;
    std::string owner, target;  // a PTR's owner and rdata (wire), reused record after record
    for_each_address_owner(site, [&](const AddressOwner& o) {
        if (i < plan.gets_ptr.size() && plan.gets_ptr[i]) {
            owner.clear();
            append_reverse_wire(owner, o.address, o.address.is_v4() ? 32 : 128);
            name_to_wire(o.name, target);
            out.push_back({owner, rrtype::PTR, site.ttl, target, o.pos, section::kReverse});
        }
        ++i;
    });
    return out;
}

}  // namespace sipdns::zone
