// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
// The site-file loader (docs/design.md §2): YAML in, SiteConfig out, or every problem found.
//
// Each top-level section has its own parse_* function; they all report through one Reader
// (yaml_reader.h), never stop at the first problem, and point each diagnostic at the offending
// node (the key for unknown keys, the value for bad values). `records:` lines go through ldns
// (raw_record.h).
#include "sipdns/config/loader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <map>

#include "raw_record.h"
#include "sipdns/config/dns_name.h"
#include "sipdns/config/interface_name.h"
#include "yaml_reader.h"

namespace sipdns::config {

using namespace detail;

// Top-level messages, next to the shared ones of yaml_reader.h.
namespace detail::msg {

const std::string kNotMapping = "expected a mapping of site keys at the top level";
const std::string kDomainMissing =
    "domain: required key is missing (the SIP domain, e.g. scsnetwork.local)";
const std::string kNoRecordSource =
    "servers: a site needs at least one of servers, hosts, services, records, clusters or lync";
const std::string kClustersNeedLocations =
    "clusters need a locations section to know which clients are local";

}  // namespace detail::msg

namespace {

// ---------------------------------------------------------------------------------------------
// Keys of each mapping.

constexpr std::array<std::string_view, 17> kTopKeys{
    "domain",  "ttl",         "servers", "sip",    "hosts",     "aliases",  "services", "records",
    "reverse", "nameservers", "soa",     "server", "locations", "clusters", "lync",     "forward",
    "health"};
// Servers, cluster members and Lync hosts: a name with its addresses.
constexpr std::array<std::string_view, 3> kServerKeys{"name", "ipv4", "ipv6"};
constexpr std::array<std::string_view, 6> kSipKeys{"transports", "proxy_port", "redirect_port",
                                                   "tls_port",   "naptr",      "srv"};
constexpr std::array<std::string_view, 4> kServiceKeys{"service", "port", "targets", "generated"};
constexpr std::array<std::string_view, 4> kTargetKeys{"target", "priority", "weight", "port"};
constexpr std::array<std::string_view, 6> kSoaKeys{"serial", "refresh", "retry",
                                                   "expire", "minimum", "rname"};
constexpr std::array<std::string_view, 7> kClusterKeys{
    "name", "port", "transports", "weight", "priorities", "default", "members"};
constexpr std::array<std::string_view, 2> kPriorityKeys{"local", "remote"};
constexpr std::array<std::string_view, 2> kLyncKeys{"pool", "edge"};
constexpr std::array<std::string_view, 19> kDaemonKeys{"listen",
                                                       "threads",
                                                       "nsid",
                                                       "identity",
                                                       "version",
                                                       "edns_udp_size",
                                                       "tcp_idle_timeout_ms",
                                                       "tcp_max_connections",
                                                       "tcp_io_timeout_ms",
                                                       "transfer",
                                                       "rate_limit",
                                                       "metrics",
                                                       "state_dir",
                                                       "ecs_trust",
                                                       "control",
                                                       "query_log",
                                                       "dnstap",
                                                       "cookies",
                                                       "xdp"};
constexpr std::array<std::string_view, 1> kQueryLogKeys{"file"};
constexpr std::array<std::string_view, 3> kXdpKeys{"interface", "port", "required"};
constexpr std::array<std::string_view, 2> kDnstapKeys{"socket", "file"};
constexpr std::array<std::string_view, 4> kTransferKeys{"allow", "notify", "catalog", "key"};
constexpr std::array<std::string_view, 4> kTransferKeyKeys{"name", "algorithm", "secret",
                                                            "secret_file"};
// RFC 8945 §6: HMAC-SHA256 is mandatory to implement; SHA-1 only for old peers.
constexpr std::array<std::string_view, 4> kTsigAlgorithms{"hmac-sha256", "hmac-sha384",
                                                          "hmac-sha512", "hmac-sha1"};
constexpr std::array<std::string_view, 1> kMetricsKeys{"listen"};
constexpr std::array<std::string_view, 4> kRateLimitKeys{"responses_per_second", "slip",
                                                         "ipv4_prefix", "ipv6_prefix"};
constexpr std::array<std::string_view, 6> kHealthKeys{"interval_ms", "timeout_ms", "rise",
                                                      "fall",        "ttl",        "exclude"};
constexpr std::array<std::string_view, 5> kForwardKeys{"to", "allow", "dnssec", "trust_anchor",
                                                       "root_hints"};

// ---------------------------------------------------------------------------------------------
// Sections (docs/design.md §2), one function each.

// What every section parser needs besides its own node.
struct Context {
    Reader& r;
    SiteConfig& site;
    std::string origin;          // the domain, or "" when it is missing or invalid (keep checking)
    bool has_locations = false;  // `locations:` is given and not empty (clusters need it)
};

void parse_domain(Context& c, const Value* v) {
    if (v == nullptr) {
        c.r.error(SourcePos{1, 1}, msg::kDomainMissing);
        return;
    }
    auto text = c.r.scalar(*v, "a domain name such as scsnetwork.local");
    if (!text) return;
    auto name = check_domain_name(*text);
    if (name && name->empty()) name = unexpected(std::string("the root cannot be a site's domain"));
    if (name && name->starts_with("*")) {
        name = unexpected(std::string("a wildcard cannot be a site's domain"));
    }
    if (!name) {
        c.r.error(*v, msg::invalid_name("domain name", *text, name.error()));
        return;
    }
    c.site.domain = *name;
    c.site.domain_pos = v->pos;
    c.origin = *name;
}

void parse_ttl(Context& c, const Value& v) {
    if (auto n = c.r.number(v, "a TTL in seconds", 0, kMaxTtl, Reader::Unit::Seconds)) {
        c.site.ttl = static_cast<std::uint32_t>(*n);
    }
}

// A name that gets addresses must be a host name (dns_name.h: RFC 952 / RFC 1123 §2.1).
bool check_host_name(Context& c, const Value& v, std::string_view written) {
    const std::string why = host_name_problem(written);
    if (why.empty()) return true;
    c.r.error(v, "'" + std::string(written) + "' is not a valid host name: " + why);
    return false;
}

// { name, ipv4, ipv6 } with at least one address: a server, a cluster member, a Lync pool or
// edge (`kind`, for messages). A repeated name among `names` is an error.
template <class Host>
std::optional<Host> parse_named_host(Context& c, const Value& item, const std::string& kind,
                                     FirstSeen* names) {
    auto m = c.r.mapping(item, kServerKeys, "a " + kind + ": { name, ipv4, ipv6 }");
    if (!m) return std::nullopt;
    Host h;
    h.pos = item.pos;
    bool ok = true;
    const Value* name = m->get("name");
    if (name == nullptr) {
        c.r.missing(item, "name");
        ok = false;
    } else if (auto n = c.r.name(*name, c.origin)) {
        h.name = *n;
        if (auto first = names ? names->check(*n, name->pos) : std::nullopt) {
            c.r.error(*name, msg::duplicate(kind + " name", name->node.scalar(), *first));
            ok = false;
        }
        ok = check_host_name(c, *name, name->node.scalar()) && ok;
    } else {
        ok = false;
    }
    const Value* v4 = m->get("ipv4");
    const Value* v6 = m->get("ipv6");
    if (v4) ok = (h.ipv4 = c.r.address(*v4, IpAddress::Family::V4)).has_value() && ok;
    if (v6) ok = (h.ipv6 = c.r.address(*v6, IpAddress::Family::V6)).has_value() && ok;
    if (!v4 && !v6) {
        c.r.error(item, "a " + kind + " needs an ipv4 or ipv6 address, or both");
        ok = false;
    }
    if (!ok) {
        if (!h.name.empty()) c.site.refused_names.push_back(h.name);
        return std::nullopt;
    }
    return h;
}

void parse_servers(Context& c, const Value& v) {
    auto items = c.r.list(v, "a list of servers");
    if (!items) return;
    FirstSeen names;
    for (const auto& item : *items) {
        if (auto s = parse_named_host<ServerEntry>(c, item, "server", &names)) {
            c.site.servers.push_back(std::move(*s));
        }
    }
}

// A list of SIP transports (sip, clusters): udp, tcp, tls, each once, at least one. Replaces
// `out` when the value is a list.
bool parse_transports(Context& c, const Value& t, std::vector<SipTransport>& out) {
    auto items = c.r.list(t, "a list of transports (udp, tcp, tls)", true);
    if (!items) return false;
    bool ok = true;
    out.clear();
    FirstSeen seen;
    for (const auto& item : *items) {
        const std::string s = item.node.is_scalar() ? lower_ascii(item.node.scalar()) : "";
        std::optional<SipTransport> tr;
        if (s == "udp") tr = SipTransport::Udp;
        if (s == "tcp") tr = SipTransport::Tcp;
        if (s == "tls") tr = SipTransport::Tls;
        if (!tr) {
            c.r.expected(item, "udp, tcp or tls");
            ok = false;
        } else if (seen.check(s, item.pos)) {
            c.r.error(item, msg::listed_twice(item.node.scalar()));
            ok = false;
        } else {
            out.push_back(*tr);
        }
    }
    if (items->empty()) {
        c.r.error(t, "expected at least one of udp, tcp, tls");
        ok = false;
    }
    return ok;
}

void parse_sip(Context& c, const Value& v) {
    if (v.is_null()) return;
    auto m = c.r.mapping(v, kSipKeys, "a mapping of SIP settings");
    if (!m) return;
    SipSettings& sip = c.site.sip;
    sip.pos = v.pos;
    if (const Value* t = m->get("transports")) parse_transports(c, *t, sip.transports);
    if (const Value* p = m->get("proxy_port")) {
        sip.proxy_port = c.r.port(*p).value_or(sip.proxy_port);
        sip.proxy_port_pos = p->pos;
    }
    if (const Value* p = m->get("redirect_port")) {
        sip.redirect_port = c.r.port(*p).value_or(sip.redirect_port);
        sip.redirect_port_pos = p->pos;
    }
    if (const Value* p = m->get("tls_port")) sip.tls_port = c.r.port(*p).value_or(sip.tls_port);
    if (const Value* b = m->get("naptr")) {
        sip.naptr = c.r.boolean(*b).value_or(sip.naptr);
        sip.naptr_pos = b->pos;
    }
    if (const Value* b = m->get("srv")) {
        sip.srv = c.r.boolean(*b).value_or(sip.srv);
        sip.srv_pos = b->pos;
    }
}

// The SIP settings against the servers (after both are read).
void check_sip_against_servers(Context& c) {
    const SipSettings& sip = c.site.sip;
    const std::size_t servers = c.site.servers.size();
    if (!sip.srv) {
        // SCS 4.0 guide: "a dual server (High Availability) system will only function with a
        // combination of A Records and SRV Records".
        if (servers > 1)
            c.r.error(sip.srv_pos,
                      "sip.srv: false leaves the " + std::to_string(servers) +
                          " servers without the SRV records a high-availability site needs "
                          "(SCS guide: a dual server system only functions with A and SRV "
                          "records); remove 'srv: false' or list one server");
        if (sip.naptr && sip.naptr_pos.line != 0)
            c.r.error(sip.naptr_pos,
                      "sip.naptr: NAPTR records point phones at the SIP SRV records (RFC 3263 "
                      "§4.1), which 'srv: false' turns off; remove one of the two");
        return;
    }
    // SCS guide, HA table: the rr.<server> records send a phone that a proxy redirected to
    // the redirect service on redirect_port; on proxy_port they would loop it back.
    if (servers > 1 && sip.redirect_port == sip.proxy_port) {
        const bool redirect_later = sip.redirect_port_pos.line > sip.proxy_port_pos.line;
        const SourcePos at = redirect_later ? sip.redirect_port_pos
                             : sip.proxy_port_pos.line ? sip.proxy_port_pos
                                                       : sip.pos;
        c.r.error(at, "sip: redirect_port and proxy_port are both " +
                          std::to_string(sip.redirect_port) +
                          "; the rr.<server> SRV records of an HA site would send redirected "
                          "phones back to the proxy (the SCS guide: 5070 for the redirect "
                          "service, 5060 for the proxy)");
    }
}

// hosts: name -> address | [addresses], v4 and v6 mixed, in file order.
void parse_hosts(Context& c, const Value& v) {
    if (v.is_null()) return;
    FirstSeen names;
    names.reserve(v.node.size());
    c.site.hosts.reserve(c.site.hosts.size() + v.node.size());
    c.r.each_entry(v, "a mapping of host names to addresses", [&](Entry&& e) {
        HostEntry h;
        h.pos = e.key_pos;
        bool ok = true;
        const Value key{e.key_node, e.value.path, e.key_pos};
        if (auto n = c.r.name(key, c.origin)) {
            h.name = std::move(*n);
            if (auto first = names.check(h.name, e.key_pos)) {
                c.r.error(key, msg::duplicate("host name", e.key, *first));
                ok = false;
            }
            ok = check_host_name(c, key, e.key) && ok;
        } else {
            ok = false;
        }
        if (Reader::comma_separated(e.value)) {
            c.r.single_value(e.value, "an IPv4 or IPv6 address or a list of them");
            ok = false;
        } else if (e.value.node.is_sequence()) {
            auto items = c.r.list(e.value, "a list of addresses");
            if (items->empty()) {
                c.r.error(e.value, "expected an IPv4 or IPv6 address or a list of them");
                ok = false;
            }
            FirstSeen seen;
            for (const auto& item : *items) {
                auto a = c.r.address(item, std::nullopt);
                if (!a) {
                    ok = false;
                } else if (seen.check(a->to_string(), item.pos)) {
                    c.r.error(item, msg::listed_twice(item.node.scalar()));
                    ok = false;
                } else {
                    h.addresses.push_back(*a);
                }
            }
        } else if (auto a = c.r.address(e.value, std::nullopt)) {
            h.addresses.push_back(*a);
        } else {
            ok = false;
        }
        if (ok) {
            c.site.hosts.push_back(std::move(h));
        } else if (!h.name.empty()) {
            c.site.refused_names.push_back(h.name);
        }
    });
}

// aliases: name -> target (CNAME).
void parse_aliases(Context& c, const Value& v) {
    if (v.is_null()) return;
    auto entries = c.r.entries(v, "a mapping of alias names to target names");
    if (!entries) return;
    FirstSeen names;
    for (const auto& e : *entries) {
        AliasEntry a;
        a.pos = e.key_pos;
        const Value key{e.key_node, e.value.path, e.key_pos};
        auto name = c.r.name(key, c.origin);
        if (name && !c.origin.empty() && *name == c.origin) {
            // The apex owns SOA and NS, and a CNAME may not share its owner (RFC 1034 §3.6.2).
            c.r.error(key, "a CNAME cannot be at the zone apex (RFC 1034 §3.6.2)");
            name.reset();
        }
        if (name) {
            if (auto first = names.check(*name, e.key_pos)) {
                c.r.error(key, msg::duplicate("alias", e.key, *first));
                name.reset();
            }
        }
        auto target = c.r.name(e.value, c.origin, "target name");
        if (name && target) {
            a.name = *name;
            a.target = *target;
            c.site.aliases.push_back(std::move(a));
        }
    }
}

// RFC 2782: an SRV owner is _Service._Proto.Name; the first two labels start with '_'.
bool is_srv_owner(std::string_view written) {
    const auto dot = written.find('.');
    if (dot == std::string_view::npos) return false;
    const std::string_view service = written.substr(0, dot);
    const std::string_view rest = written.substr(dot + 1);
    const std::string_view proto = rest.substr(0, rest.find('.'));
    return service.size() > 1 && service[0] == '_' && proto.size() > 1 && proto[0] == '_';
}

std::optional<ServiceTarget> parse_target_mapping(Context& c, const Value& item) {
    auto m = c.r.mapping(item, kTargetKeys, "a target: { target, priority, weight, port }");
    if (!m) return std::nullopt;
    ServiceTarget t;
    t.pos = item.pos;
    bool ok = true;
    if (const Value* name = m->get("target")) {
        auto n = c.r.name(*name, c.origin, "target name");
        ok = n.has_value();
        if (n) t.target = *n;
    } else {
        c.r.missing(item, "target");
        ok = false;
    }
    if (const Value* p = m->get("port")) {
        auto port = c.r.port(*p);
        ok = port.has_value() && ok;
        t.port = port.value_or(0);
    } else {
        c.r.missing(item, "port");
        ok = false;
    }
    for (auto [key, field] : {std::pair{"priority", &t.priority}, std::pair{"weight", &t.weight}}) {
        if (const Value* f = m->get(key)) {
            auto n = c.r.number(*f, key == std::string_view("priority") ? "a priority" : "a weight",
                                0, 65535);
            ok = n.has_value() && ok;
            *field = static_cast<std::uint16_t>(n.value_or(0));
        }
    }
    if (!ok) return std::nullopt;
    return t;
}

// services: `port` + `targets: [names]` (priority 0, weight 0), or `targets:` a list of
// { target, priority, weight, port } — not both (docs/design.md §2).
void parse_services(Context& c, const Value& v) {
    auto items = c.r.list(v, "a list of services");
    if (!items) return;
    FirstSeen owners;
    for (const auto& item : *items) {
        auto m = c.r.mapping(item, kServiceKeys, "a service: { service, port, targets }");
        if (!m) continue;
        ServiceEntry s;
        s.pos = item.pos;
        bool ok = true;
        if (const Value* owner = m->get("service")) {
            auto n = c.r.name(*owner, c.origin, "service name");
            if (n && !is_srv_owner(owner->node.scalar())) {
                c.r.expected(*owner, "_service._proto or _service._proto.name (RFC 2782)");
                n.reset();
            }
            if (n) {
                if (auto first = owners.check(*n, owner->pos)) {
                    c.r.error(*owner, msg::duplicate("service", owner->node.scalar(), *first));
                    n.reset();
                }
            }
            ok = n.has_value();
            if (n) s.owner = *n;
        } else {
            c.r.missing(item, "service");
            ok = false;
        }

        if (const Value* g = m->get("generated")) {
            const std::string how = g->node.is_scalar() ? lower_ascii(g->node.scalar()) : "";
            if (how == "add") {
                s.generated = ServiceEntry::Generated::Add;
            } else if (how == "replace") {
                s.generated = ServiceEntry::Generated::Replace;
            } else {
                c.r.expected(*g, "add (serve the generated targets and these) or replace "
                                 "(serve these instead)");
                ok = false;
            }
        }

        const Value* port_value = m->get("port");
        std::uint16_t port = 0;
        if (port_value) {
            auto p = c.r.port(*port_value);
            ok = p.has_value() && ok;
            port = p.value_or(0);
        }

        const Value* targets = m->get("targets");
        if (targets == nullptr) {
            c.r.missing(item, "targets");
            continue;
        }
        auto list = c.r.list(*targets, "a list of targets", true);
        if (!list) continue;
        if (list->empty()) {
            c.r.error(*targets, "expected at least one target");
            ok = false;
        }
        for (const auto& t : *list) {
            if (t.node.is_scalar()) {
                if (!port_value) {
                    c.r.error(t,
                              "a plain target name needs 'port' on the service; or write "
                              "{ target: " +
                                  show_value(t.node.scalar()) + ", port: N }");
                    ok = false;
                    continue;
                }
                auto n = c.r.name(t, c.origin, "target name");
                if (!n) {
                    ok = false;
                    continue;
                }
                s.targets.push_back(ServiceTarget{*n, 0, 0, port, t.pos});
            } else if (t.node.is_mapping()) {
                if (port_value) {
                    c.r.error(t,
                              "the service has 'port', so its targets are plain names; to give "
                              "each target its own priority, weight and port, drop the "
                              "service's 'port'");
                    ok = false;
                    continue;
                }
                auto target = parse_target_mapping(c, t);
                ok = target.has_value() && ok;
                if (target) s.targets.push_back(std::move(*target));
            } else {
                c.r.expected(t, "a target name or { target, priority, weight, port }");
                ok = false;
            }
        }
        if (ok) c.site.services.push_back(std::move(s));
    }
}

// records: zone-file lines, parsed with ldns (raw_record.cc).
void parse_records(Context& c, const Value& v) {
    auto items = c.r.list(v, "a list of zone-file lines");
    if (!items) return;
    for (const auto& item : *items) {
        auto text = c.r.scalar(item, "a zone-file line such as \"www IN A 192.0.2.80\"");
        if (!text) continue;
        auto rec = parse_raw_record(*text, c.origin, c.site.ttl);
        if (!rec) {
            c.r.error(item, rec.error());
            continue;
        }
        rec->pos = item.pos;
        c.site.records.push_back(std::move(*rec));
    }
}

// ---------------------------------------------------------------------------------------------

// An address prefix (reverse, locations); one with host bits set gets a "did you mean".
std::optional<IpPrefix> parse_prefix(Context& c, const Value& item) {
    auto p = item.node.is_scalar() ? IpPrefix::parse(item.node.scalar()) : std::nullopt;
    if (!p) {
        c.r.expected(item, "an address prefix such as 192.168.11.0/24 or 2001:db8::/64");
        return std::nullopt;
    }
    if (p->has_host_bits()) {
        c.r.error(item, "prefix " + quote_value(item.node.scalar()) +
                            " has host bits set; did you mean '" + p->network().to_string() +
                            "'?");
        return std::nullopt;
    }
    return p;
}

void parse_reverse(Context& c, const Value& v) {
    if (v.is_null()) return;
    ReverseSettings& rev = c.site.reverse;
    rev.pos = v.pos;
    if (v.node.is_scalar()) {
        const std::string s = lower_ascii(v.node.scalar());
        if (s == "auto") {
            rev.mode = ReverseSettings::Mode::Auto;
        } else if (s == "off") {
            rev.mode = ReverseSettings::Mode::Off;
        } else if (Reader::comma_separated(v)) {
            c.r.single_value(v, "auto, off or a list of prefixes");
        } else {
            c.r.expected(v, "auto, off or a list of prefixes");
        }
        return;
    }
    if (!v.node.is_sequence()) {
        c.r.expected(v, "auto, off or a list of prefixes");
        return;
    }
    auto items = c.r.list(v, "a list of prefixes");
    rev.mode = ReverseSettings::Mode::Prefixes;
    if (items->empty()) c.r.error(v, "expected at least one prefix, or write 'off'");
    FirstSeen seen;
    for (const auto& item : *items) {
        auto p = parse_prefix(c, item);
        if (!p) continue;
        if (seen.check(p->to_string(), item.pos)) {
            c.r.error(item, msg::listed_twice(item.node.scalar()));
        } else {
            rev.prefixes.push_back(*p);
        }
    }
}

// A list of domain names, relative to the site's domain unless they end in a dot, each once:
// calls `add(name, position)` for every good one.
template <typename Add>
void parse_name_list(Context& c, const Value& v, std::string_view what, Add add) {
    auto items = c.r.list(v, what, true);
    if (!items) return;
    FirstSeen seen;
    for (const auto& item : *items) {
        auto n = c.r.name(item, c.origin);
        if (!n) continue;
        if (seen.check(*n, item.pos)) {
            c.r.error(item, msg::listed_twice(item.node.scalar()));
            continue;
        }
        add(std::move(*n), item.pos);
    }
}

void parse_nameservers(Context& c, const Value& v) {
    parse_name_list(c, v, "a list of name server names", [&](std::string name, SourcePos pos) {
        c.site.nameservers.push_back(std::move(name));
        c.site.nameserver_pos.push_back(pos);
    });
}

void parse_soa(Context& c, const Value& v) {
    if (v.is_null()) return;
    auto m = c.r.mapping(v, kSoaKeys, "a mapping of SOA values");
    if (!m) return;
    SoaSettings& soa = c.site.soa;
    soa.pos = v.pos;
    if (const Value* s = m->get("serial")) {
        // Serial numbers are 32-bit sequence-space numbers (RFC 1982).
        if (auto n = c.r.number(*s, "a serial number", 0, 4294967295U)) {
            soa.serial = static_cast<std::uint32_t>(*n);
        }
    }
    // SOA times are 32-bit; keep them in the TTL range like every other time (RFC 2181 §8).
    for (auto [key, field] :
         {std::pair{"refresh", &soa.refresh}, std::pair{"retry", &soa.retry},
          std::pair{"expire", &soa.expire}, std::pair{"minimum", &soa.minimum}}) {
        if (const Value* t = m->get(key)) {
            if (auto n = c.r.number(*t, "a time in seconds", 0, kMaxTtl, Reader::Unit::Seconds)) {
                *field = static_cast<std::uint32_t>(*n);
            }
        }
    }
    if (const Value* r = m->get("rname")) {
        if (auto n = c.r.name(*r, c.origin, "mailbox name")) soa.rname = *n;
    }
}

std::optional<std::string> parse_file_path(Context& c, const Value& v, std::string_view example);

// Base64 (RFC 4648 §4) as TSIG secrets are written (BIND's `secret "..."`, tsig-keygen): the
// standard alphabet, '=' padding, whitespace ignored. nullopt when it does not decode.
std::optional<std::string> decode_base64(std::string_view text) {
    std::string out;
    std::uint32_t bits = 0;
    int have = 0;
    std::size_t padding = 0, digits = 0;
    for (const char ch : text) {
        if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r') continue;
        if (ch == '=') {
            ++padding;
            continue;
        }
        if (padding != 0) return std::nullopt;  // data after the padding
        int v = -1;
        if (ch >= 'A' && ch <= 'Z') v = ch - 'A';
        else if (ch >= 'a' && ch <= 'z') v = ch - 'a' + 26;
        else if (ch >= '0' && ch <= '9') v = ch - '0' + 52;
        else if (ch == '+') v = 62;
        else if (ch == '/') v = 63;
        if (v < 0) return std::nullopt;
        ++digits;
        bits = (bits << 6) | static_cast<std::uint32_t>(v);
        have += 6;
        if (have >= 8) {
            have -= 8;
            out.push_back(static_cast<char>((bits >> have) & 0xff));
        }
    }
    // Whole quanta only: 4 digits, or 2-3 digits and the padding that completes them.
    if ((digits + padding) % 4 != 0 || padding > 2 || (digits % 4 == 1)) return std::nullopt;
    if ((digits % 4 == 0 && padding != 0) || (digits % 4 != 0 && digits % 4 + padding != 4))
        return std::nullopt;
    return out;
}

// What a secret file holds: the base64 secret alone, or the `key "name" { algorithm A;
// secret "..."; };` block that BIND's tsig-keygen writes (the same file then serves named).
struct SecretFileKey {
    std::string name;  // empty: the file holds the secret alone
    std::string algorithm;
    std::string secret_base64;
};

// The BIND key block, tokenised as named.conf is (words, quoted strings, { } ;), comments
// (#, //, /* */) skipped. An error names the line of the file.
Expected<SecretFileKey, std::string> parse_secret_file(std::string_view text) {
    // The secret alone (one word): taken as it is, even when it starts with "//" (base64 may).
    const std::size_t first = text.find_first_not_of(" \t\r\n");
    const std::size_t last = text.find_last_not_of(" \t\r\n");
    if (first != std::string_view::npos &&
        text.substr(first, last - first + 1).find_first_of(" \t\r\n{};\"#") ==
            std::string_view::npos)
        return SecretFileKey{{}, {}, std::string(text.substr(first, last - first + 1))};
    std::vector<std::pair<std::string, std::size_t>> tokens;  // text, line
    std::size_t line = 1;
    for (std::size_t i = 0; i < text.size();) {
        const char ch = text[i];
        if (ch == '\n') { ++line; ++i; continue; }
        if (ch == ' ' || ch == '\t' || ch == '\r') { ++i; continue; }
        if (ch == '#' || (ch == '/' && i + 1 < text.size() && text[i + 1] == '/')) {
            while (i < text.size() && text[i] != '\n') ++i;
            continue;
        }
        if (ch == '/' && i + 1 < text.size() && text[i + 1] == '*') {
            const std::size_t end = text.find("*/", i + 2);
            if (end == std::string_view::npos) return unexpected("line " + std::to_string(line) + ": unterminated comment");
            line += static_cast<std::size_t>(std::count(text.begin() + static_cast<long>(i), text.begin() + static_cast<long>(end), '\n'));
            i = end + 2;
            continue;
        }
        if (ch == '{' || ch == '}' || ch == ';') {
            tokens.emplace_back(std::string(1, ch), line);
            ++i;
            continue;
        }
        if (ch == '"') {
            const std::size_t end = text.find('"', i + 1);
            if (end == std::string_view::npos) return unexpected("line " + std::to_string(line) + ": unterminated string");
            tokens.emplace_back(std::string(text.substr(i + 1, end - i - 1)), line);
            i = end + 1;
            continue;
        }
        std::size_t end = i;
        while (end < text.size() && std::string_view(" \t\r\n{};\"").find(text[end]) == std::string_view::npos) ++end;
        tokens.emplace_back(std::string(text.substr(i, end - i)), line);
        i = end;
    }
    SecretFileKey key;
    if (tokens.empty()) return unexpected(std::string("the file is empty; expected a base64 secret or a key \"name\" { ... }; block"));
    if (tokens.size() == 1) {
        key.secret_base64 = tokens[0].first;
        return key;
    }
    const auto at = [&tokens](std::size_t i) { return "line " + std::to_string(tokens[std::min(i, tokens.size() - 1)].second) + ": "; };
    const auto is = [&tokens](std::size_t i, std::string_view t) { return i < tokens.size() && tokens[i].first == t; };
    if (!is(0, "key") || tokens.size() < 3 || !is(2, "{"))
        return unexpected(at(0) + "expected a base64 secret or a key \"name\" { algorithm ...; secret \"...\"; }; block");
    key.name = tokens[1].first;
    std::size_t i = 3;
    while (i < tokens.size() && !is(i, "}")) {
        if (i + 2 >= tokens.size() || !is(i + 2, ";"))
            return unexpected(at(i) + "expected `algorithm NAME;` or `secret \"BASE64\";`");
        if (is(i, "algorithm")) key.algorithm = lower_ascii(tokens[i + 1].first);
        else if (is(i, "secret")) key.secret_base64 = tokens[i + 1].first;
        else return unexpected(at(i) + "unknown statement '" + tokens[i].first + "' in the key block; expected algorithm or secret");
        i += 3;
    }
    if (i >= tokens.size()) return unexpected(at(i) + "the key block has no closing '}'");
    if (i + 1 < tokens.size() && is(i + 1, ";")) i += 2; else ++i;
    if (i < tokens.size()) return unexpected(at(i) + "one key block per file; found '" + tokens[i].first + "' after it");
    if (key.secret_base64.empty()) return unexpected(at(0) + "the key block has no secret");
    return key;
}

// Reads `fd` to its end into `text`, EINTR retried: Error (errno set) on a read error, TooLarge
// as soon as more than `max_size` octets came.
enum class ReadAll : std::uint8_t { Ok, Error, TooLarge };
ReadAll read_all(int fd, std::string& text, std::size_t max_size) {
    char buf[65536];
    for (;;) {
        const ssize_t n = ::read(fd, buf, sizeof buf);
        if (n == 0) return ReadAll::Ok;
        if (n < 0) {
            if (errno == EINTR) continue;
            return ReadAll::Error;
        }
        text.append(buf, static_cast<std::size_t>(n));
        if (text.size() > max_size) return ReadAll::TooLarge;
    }
}

Expected<std::string, std::string> read_small_file(const std::string& path, struct stat& st) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return unexpected(std::string("cannot read: ") + std::strerror(errno));
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        return unexpected(std::string("not a regular file"));
    }
    std::string text;
    const ReadAll read = read_all(fd, text, 65536);
    const int err = errno;
    ::close(fd);
    if (read == ReadAll::Error) return unexpected(std::string("cannot read: ") + std::strerror(err));
    if (read == ReadAll::TooLarge) return unexpected(std::string("more than 64 KiB: not a key file"));
    return text;
}

// server.transfer.key: { name, algorithm, secret | secret_file } (RFC 8945).
void parse_transfer_key(Context& c, const Value& v, DaemonSettings& d) {
    auto m = c.r.mapping(v, kTransferKeyKeys,
                         "a TSIG key: { name, algorithm, secret | secret_file }");
    if (!m) return;
    TransferKey key;
    key.pos = v.pos;
    bool ok = true;
    const Value* name = m->get("name");
    if (name) {
        if (auto text = c.r.scalar(*name, "a key name such as sipdns-transfer")) {
            std::string_view t = *text;
            if (t.ends_with('.')) t.remove_suffix(1);
            auto checked = check_domain_name(lower_ascii(t));
            if (!checked || checked->empty()) {
                c.r.error(*name, "expected a key name such as sipdns-transfer" +
                                     (checked ? std::string() : ": " + checked.error()));
                ok = false;
            } else {
                key.name = *checked;
            }
        } else {
            ok = false;
        }
    }
    const Value* algorithm = m->get("algorithm");
    if (algorithm) {
        auto text = c.r.scalar(*algorithm, "hmac-sha256, hmac-sha384, hmac-sha512 or hmac-sha1");
        const std::string lower = text ? lower_ascii(*text) : std::string();
        if (text && std::find(kTsigAlgorithms.begin(), kTsigAlgorithms.end(), lower) ==
                        kTsigAlgorithms.end()) {
            c.r.expected(*algorithm, "hmac-sha256, hmac-sha384, hmac-sha512 or hmac-sha1");
            ok = false;
        } else if (!text) {
            ok = false;
        } else {
            key.algorithm = lower;
        }
    }
    const Value* secret = m->get("secret");
    const Value* secret_file = m->get("secret_file");
    if ((secret != nullptr) == (secret_file != nullptr)) {
        c.r.error(v, secret ? "give either secret or secret_file, not both"
                            : "required key secret (base64) or secret_file (a file holding it)");
        return;
    }
    if (secret) {
        auto text = c.r.scalar(*secret, "a base64 secret such as tsig-keygen writes");
        auto decoded = text ? decode_base64(*text) : std::nullopt;
        if (!decoded || decoded->empty()) {
            if (text) c.r.expected(*secret, "a base64 secret (RFC 4648) such as tsig-keygen writes");
            return;
        }
        key.secret = std::move(*decoded);
    } else {
        auto path = parse_file_path(c, *secret_file, "/etc/sipdns/transfer.key");
        if (!path) return;
        struct stat st {};
        auto text = read_small_file(*path, st);
        if (!text) {
            c.r.error(*secret_file, *path + ": " + text.error());
            return;
        }
        auto in_file = parse_secret_file(*text);
        if (!in_file) {
            c.r.error(*secret_file, *path + ": " + in_file.error());
            return;
        }
        auto decoded = decode_base64(in_file->secret_base64);
        if (!decoded || decoded->empty()) {
            c.r.error(*secret_file, *path + ": the secret is not base64 (RFC 4648)");
            return;
        }
        key.secret = std::move(*decoded);
        key.secret_file = *path;
        if (!in_file->name.empty()) {
            std::string file_name = lower_ascii(in_file->name);
            if (file_name.ends_with('.')) file_name.pop_back();
            if (key.name.empty()) {
                auto checked = check_domain_name(file_name);
                if (!checked || checked->empty()) {
                    c.r.error(*secret_file, *path + ": key name '" + in_file->name + "' is not a domain name");
                    return;
                }
                key.name = *checked;
            } else if (file_name != key.name) {
                c.r.error(*secret_file, *path + ": the file's key is named '" + in_file->name +
                                            "', not '" + key.name + "' as `name` says");
                return;
            }
        }
        if (!in_file->algorithm.empty()) {
            if (std::find(kTsigAlgorithms.begin(), kTsigAlgorithms.end(), in_file->algorithm) ==
                kTsigAlgorithms.end()) {
                c.r.error(*secret_file, *path + ": algorithm '" + in_file->algorithm +
                                            "' is not one of hmac-sha256, hmac-sha384, hmac-sha512, hmac-sha1");
                return;
            }
            if (key.algorithm.empty()) {
                key.algorithm = in_file->algorithm;
            } else if (key.algorithm != in_file->algorithm) {
                c.r.error(*secret_file, *path + ": the file's key uses " + in_file->algorithm +
                                            ", not " + key.algorithm + " as `algorithm` says");
                return;
            }
        }
        // The site file may be shared; the secret must not be (RFC 8945 §8: the key is what
        // authenticates the transfer).
        if ((st.st_mode & (S_IRGRP | S_IROTH)) != 0) {
            char mode[8];
            std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
            c.r.warning(*secret_file, *path + " is readable by " +
                                          ((st.st_mode & S_IROTH) != 0 ? "others" : "its group") +
                                          " (mode " + mode +
                                          "); make it readable by the daemon only (chmod 600)");
        }
    }
    if (key.name.empty()) {
        if (ok) c.r.missing(v, "name");
        return;
    }
    if (key.algorithm.empty()) key.algorithm = std::string(kTsigAlgorithms[0]);
    if (ok) d.transfer_key = std::move(key);
}

// server.transfer: { allow: [prefixes], notify: [ADDR:PORT], catalog: NAME, key: TSIG key }
// (RFC 5936, RFC 1996, RFC 9432, RFC 8945).
void parse_transfer(Context& c, const Value& v, DaemonSettings& d) {
    if (v.is_null()) return;
    auto m = c.r.mapping(v, kTransferKeys,
                         "a mapping of zone-transfer settings: { allow, notify, catalog, key }");
    if (!m) return;
    if (const Value* a = m->get("allow")) {
        if (auto items =
                c.r.list(*a, "a list of address prefixes allowed to transfer the zones", true))
            for (const auto& item : *items)
                if (auto p = parse_prefix(c, item)) d.transfer_allow.push_back(*p);
    }
    if (const Value* n = m->get("notify")) {
        if (auto items = c.r.list(*n, "a list of ADDR:PORT secondaries to notify", true)) {
            for (const auto& item : *items) {
                auto ep =
                    item.node.is_scalar() ? IpEndpoint::parse(item.node.scalar()) : std::nullopt;
                if (!ep)
                    c.r.expected(item, "ADDR:PORT such as 192.0.2.53:53 or [2001:db8::53]:53");
                else
                    d.transfer_notify.push_back(*ep);
            }
        }
    }
    if (const Value* n = m->get("catalog")) {
        // The catalog zone (RFC 9432) lies outside the site's zones, so its name is absolute
        // whether or not it ends in a dot; the zone builder checks where it lies.
        if (auto name = c.r.name(*n, std::string(), "catalog zone name")) {
            std::transform(name->begin(), name->end(), name->begin(),
                           [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
            d.transfer_catalog = std::move(*name);
            d.transfer_catalog_pos = n->pos;
        }
    }
    if (const Value* k = m->get("key")) parse_transfer_key(c, *k, d);
}

// server.rate_limit: { responses_per_second, slip, ipv4_prefix, ipv6_prefix } (response rate
// limiting; the ranges are BIND's: slip 0-10 there, prefixes 0-32 / 0-128).
void parse_rate_limit(Context& c, const Value& v, DaemonSettings& d) {
    if (v.is_null()) return;
    auto m = c.r.mapping(v, kRateLimitKeys,
                         "a mapping of rate-limit settings: { responses_per_second, slip, "
                         "ipv4_prefix, ipv6_prefix }");
    if (!m) return;
    RateLimitSettings& rl = d.rate_limit;
    if (const Value* s = m->get("responses_per_second")) {
        if (auto n = c.r.number(*s, "a rate in responses per second (0 = off)", 0, 1000000))
            rl.responses_per_second = static_cast<std::uint32_t>(*n);
    }
    if (const Value* s = m->get("slip")) {
        if (auto n = c.r.number(*s, "a slip ratio (0 = drop all, 1 = truncate all)", 0, 10))
            rl.slip = static_cast<std::uint32_t>(*n);
    }
    if (const Value* s = m->get("ipv4_prefix")) {
        if (auto n = c.r.number(*s, "an IPv4 prefix length", 0, 32))
            rl.ipv4_prefix = static_cast<std::uint8_t>(*n);
    }
    if (const Value* s = m->get("ipv6_prefix")) {
        if (auto n = c.r.number(*s, "an IPv6 prefix length", 0, 128))
            rl.ipv6_prefix = static_cast<std::uint8_t>(*n);
    }
}

// server.metrics: { listen: ADDR:PORT } — the Prometheus text endpoint. Present (even empty or
// null) turns it on, on kDefaultMetricsListen unless `listen` says where.
void parse_metrics(Context& c, const Value& v, DaemonSettings& d) {
    d.metrics_listen = IpEndpoint::parse(kDefaultMetricsListen);
    if (v.is_null()) return;
    auto m = c.r.mapping(v, kMetricsKeys, "a mapping of metrics settings: { listen }");
    if (!m) return;
    if (const Value* l = m->get("listen")) {
        auto ep = l->node.is_scalar() ? IpEndpoint::parse(l->node.scalar()) : std::nullopt;
        if (!ep)
            c.r.expected(*l, "ADDR:PORT such as 127.0.0.1:9153 or [::1]:9153");
        else
            d.metrics_listen = *ep;
    }
}

// server.xdp: { interface, port, required } — the AF_XDP fast path for UDP (docs/design.md §5).
void parse_xdp(Context& c, const Value& v, DaemonSettings& d) {
    auto m = c.r.mapping(v, kXdpKeys,
                         "a mapping of XDP settings: { interface: NAME, port: 53, required: false }");
    if (!m) return;
    XdpSettings x;
    x.pos = v.pos;
    const Value* name = m->get("interface");
    if (name == nullptr) {
        c.r.missing(v, "interface");
        return;
    }
    if (!name->node.is_scalar() || !is_interface_name(name->node.scalar())) {
        c.r.expected(*name, "a network interface name such as eth1 (at most 15 characters)");
        return;
    }
    x.interface = std::string(name->node.scalar());
    if (const Value* p = m->get("port")) {
        if (auto n = c.r.number(*p, "a UDP port", 1, 65535)) x.port = static_cast<std::uint16_t>(*n);
        // XDP answers only what a socket serves too: a listen address's port (the daemon checks
        // again, as --listen may replace server.listen).
        if (x.port && !d.listen.empty()) {
            bool served = false;
            std::string listed;
            for (const std::string& text : d.listen) {
                const auto endpoint = IpEndpoint::parse(text);
                served = served || (endpoint && endpoint->port == *x.port);
                listed += (listed.empty() ? "" : ", ") + text;
            }
            if (!served)
                c.r.error(*p, std::to_string(*x.port) +
                                  " is not the port of any server.listen address (" + listed +
                                  ")");
        }
    }
    if (const Value* r = m->get("required")) x.required = c.r.boolean(*r).value_or(false);
    d.xdp = std::move(x);
}

// server.query_log: journal | { file: PATH }.
void parse_query_log(Context& c, const Value& v, DaemonSettings& d) {
    constexpr std::string_view kWhat =
        "`journal` or a mapping { file: PATH } with an absolute path such as "
        "/var/log/sipdns/queries.log";
    if (v.node.is_scalar()) {
        if (v.node.scalar() == "journal")
            d.query_log = QueryLogSettings{QueryLogSettings::Target::Journal, "", v.pos};
        else
            c.r.expected(v, std::string(kWhat));
        return;
    }
    auto m = c.r.mapping(v, kQueryLogKeys, std::string(kWhat));
    if (!m) return;
    const Value* f = m->get("file");
    if (f == nullptr) {
        c.r.expected(v, std::string(kWhat));
    } else if (!f->node.is_scalar() || !f->node.scalar().starts_with('/')) {
        c.r.expected(*f, "an absolute file path such as /var/log/sipdns/queries.log");
    } else {
        d.query_log = QueryLogSettings{QueryLogSettings::Target::File,
                                       std::string(f->node.scalar()), v.pos};
    }
}

// server.dnstap: { socket: PATH } (a collector's unix socket) | { file: PATH }.
void parse_dnstap(Context& c, const Value& v, DaemonSettings& d) {
    constexpr std::string_view kWhat =
        "a mapping with one of { socket: PATH } or { file: PATH } (absolute paths)";
    auto m = c.r.mapping(v, kDnstapKeys, std::string(kWhat));
    if (!m) return;
    const Value* socket = m->get("socket");
    const Value* file = m->get("file");
    if ((socket == nullptr) == (file == nullptr)) {
        c.r.expected(v, std::string(kWhat));
        return;
    }
    const Value& path = socket ? *socket : *file;
    if (!path.node.is_scalar() || !path.node.scalar().starts_with('/')) {
        c.r.expected(path, socket ? "an absolute unix socket path such as /run/dnstap.sock"
                                  : "an absolute file path such as /var/log/sipdns/dnstap.fstrm");
        return;
    }
    // A unix socket address holds 107 bytes of path (unix(7) sun_path).
    if (socket && path.node.scalar().size() > 107) {
        c.r.error(path, "a unix socket path has at most 107 bytes, this one has " +
                            std::to_string(path.node.scalar().size()));
        return;
    }
    d.dnstap = DnstapSettings{socket ? DnstapSettings::Target::Socket : DnstapSettings::Target::File,
                              std::string(path.node.scalar()), v.pos};
}

void parse_daemon(Context& c, const Value& v) {
    if (v.is_null()) return;
    auto m = c.r.mapping(v, kDaemonKeys, "a mapping of server settings");
    if (!m) return;
    DaemonSettings& d = c.site.server;
    d.pos = v.pos;
    if (const Value* l = m->get("listen")) {
        if (auto items = c.r.list(*l, "a list of ADDR:PORT strings", true)) {
            FirstSeen seen;
            for (const auto& item : *items) {
                auto ep =
                    item.node.is_scalar() ? IpEndpoint::parse(item.node.scalar()) : std::nullopt;
                if (!ep) {
                    c.r.expected(item, "ADDR:PORT such as 0.0.0.0:53 or [::]:53");
                } else if (seen.check(ep->to_string(), item.pos)) {
                    c.r.error(item, msg::listed_twice(item.node.scalar()));
                } else {
                    d.listen.emplace_back(item.node.scalar());
                }
            }
        }
    }
    if (const Value* t = m->get("threads")) {
        if (auto n = c.r.number(*t, "a thread count", 1, 256))
            d.threads = static_cast<unsigned>(*n);
    }
    // Each is sent as one TXT character-string (RFC 1035 §3.3.14) or NSID option: 255 octets.
    for (auto [key, field] : {std::pair{"nsid", &d.nsid}, std::pair{"identity", &d.identity},
                              std::pair{"version", &d.version}}) {
        const Value* s = m->get(key);
        if (s == nullptr) continue;
        if (s->is_null()) continue;  // empty = off / hidden
        auto text = c.r.scalar(*s, "a string");
        if (text && text->size() > 255) {
            c.r.error(*s, "expected at most 255 octets, got " + std::to_string(text->size()));
        } else if (text) {
            *field = *text;
        }
    }
    // 512 is the classic limit (RFC 1035 §2.3.4); 4096 the usual EDNS ceiling (RFC 6891 §6.2.5).
    if (const Value* s = m->get("edns_udp_size")) {
        if (auto n = c.r.number(*s, "an EDNS UDP payload size", 512, 4096)) {
            d.edns_udp_size = static_cast<std::uint16_t>(*n);
        }
    }
    if (const Value* s = m->get("tcp_idle_timeout_ms")) {
        if (auto n = c.r.number(*s, "a timeout in milliseconds", 1, 3600000,
                                Reader::Unit::Milliseconds)) {
            d.tcp_idle_timeout_ms = static_cast<std::uint32_t>(*n);
        }
    }
    if (const Value* s = m->get("tcp_io_timeout_ms")) {
        if (auto n = c.r.number(*s, "a timeout in milliseconds", 1, 3600000,
                                Reader::Unit::Milliseconds)) {
            d.tcp_io_timeout_ms = static_cast<std::uint32_t>(*n);
        }
    }
    if (const Value* s = m->get("tcp_max_connections")) {
        if (auto n = c.r.number(*s, "a connection count", 1, 1000000)) {
            d.tcp_max_connections = static_cast<std::uint32_t>(*n);
        }
    }
    if (const Value* t = m->get("transfer")) parse_transfer(c, *t, d);
    if (const Value* r = m->get("rate_limit")) parse_rate_limit(c, *r, d);
    if (const Value* x = m->get("metrics")) parse_metrics(c, *x, d);
    // Absolute, like every path the daemon uses: systemd starts it in /.
    if (const Value* s = m->get("state_dir")) {
        if (!s->node.is_scalar() || !s->node.scalar().starts_with('/')) {
            c.r.expected(*s, "an absolute directory path such as " + std::string(kDefaultStateDir));
        } else {
            d.state_dir = std::string(s->node.scalar());
        }
    }
    if (const Value* s = m->get("control")) {
        if (!s->node.is_scalar() || !s->node.scalar().starts_with('/')) {
            c.r.expected(*s, "an absolute socket path such as " + std::string(kDefaultControlSocket));
        } else {
            d.control = std::string(s->node.scalar());
        }
    }
    if (const Value* q = m->get("query_log")) parse_query_log(c, *q, d);
    if (const Value* t = m->get("dnstap")) parse_dnstap(c, *t, d);
    if (const Value* x = m->get("xdp")) parse_xdp(c, *x, d);
    // DNS Cookies (RFC 7873 / RFC 9018): on unless turned off.
    if (const Value* k = m->get("cookies")) d.cookies = c.r.boolean(*k).value_or(d.cookies);
    if (const Value* e = m->get("ecs_trust")) {
        // The resolvers whose EDNS Client Subnet (RFC 7871) stands for their clients' address.
        if (auto items = c.r.list(*e, "a list of address prefixes of trusted resolvers")) {
            FirstSeen seen;
            for (const auto& item : *items) {
                auto p = parse_prefix(c, item);
                if (!p) continue;
                if (seen.check(p->to_string(), item.pos))
                    c.r.error(item, msg::listed_twice(item.node.scalar()));
                else
                    d.ecs_trust.push_back(*p);
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Geo-aware clusters and Lync / OCS (docs/design.md §3).

// A location is an identifier written like one DNS label (dc1, london-2), not a name in the zone.
bool is_location_name(std::string_view s) {
    return !s.empty() && s.size() <= 63 && std::all_of(s.begin(), s.end(), [](char ch) {
        return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
               ch == '-' || ch == '_';
    });
}

// "dc1, dc2" (or "none") — for messages that list locations.
template <class Items, class NameOf>
std::string name_list(const Items& items, NameOf name_of) {
    std::string s;
    for (const auto& item : items) {
        if (!s.empty()) s += ", ";
        s += name_of(item);
    }
    return s.empty() ? "none" : s;
}

// locations: name -> prefix | [prefixes]. A client is in the location whose prefix contains its
// address; one prefix in two locations would leave that choice open.
void parse_locations(Context& c, const Value& v) {
    if (v.is_null()) return;
    auto entries = c.r.entries(v, "a mapping of location names to address prefixes");
    if (!entries) return;
    FirstSeen names;
    std::map<std::string, std::pair<std::string, std::uint32_t>> located;  // prefix -> where
    for (const auto& e : *entries) {
        LocationEntry loc;
        loc.pos = e.key_pos;
        const Value key{e.key_node, e.value.path, e.key_pos};
        bool named = false;
        if (!is_location_name(e.key)) {
            c.r.error(key, msg::invalid_name("location name", e.key,
                                             "expected one label of 1-63 letters, digits, '-' "
                                             "and '_', such as dc1"));
        } else if (auto first = names.check(lower_ascii(e.key), e.key_pos)) {
            c.r.error(key, msg::duplicate("location", e.key, *first));
        } else {
            loc.name = lower_ascii(e.key);
            named = true;
        }
        std::vector<Value> items;
        if (Reader::comma_separated(e.value)) {
            c.r.single_value(e.value, "an address prefix or a list of them");
        } else if (e.value.node.is_sequence()) {
            items = *c.r.list(e.value, "a list of address prefixes");
            if (items.empty()) c.r.error(e.value, "expected an address prefix or a list of them");
        } else {
            items.push_back(e.value);
        }
        FirstSeen seen;
        for (const auto& item : items) {
            auto p = parse_prefix(c, item);
            if (!p) continue;
            const std::string text = p->to_string();
            if (seen.check(text, item.pos)) {
                c.r.error(item, msg::listed_twice(item.node.scalar()));
                continue;
            }
            if (named) {
                const auto [it, inserted] =
                    located.emplace(text, std::pair{loc.name, item.pos.line});
                if (!inserted) {
                    c.r.error(item, "clients in " + text + " would be in two locations: " +
                                        it->second.first + " (line " +
                                        std::to_string(it->second.second) + ") and " + loc.name);
                    continue;
                }
            }
            loc.prefixes.push_back(*p);
        }
        // Kept even when a prefix is bad, so that clusters naming it report nothing more.
        if (named) c.site.locations.push_back(std::move(loc));
    }
}

// members: location -> [{ name, ipv4, ipv6 }], every location one of `locations:`.
bool parse_cluster_members(Context& c, const Value& v, ClusterEntry& cl) {
    auto entries = c.r.entries(v, "a mapping of location names to lists of members");
    if (!entries) return false;
    bool ok = true;
    if (entries->empty()) {
        c.r.error(v, "expected at least one location with its members");
        ok = false;
    }
    if (!c.has_locations && !entries->empty()) {
        c.r.error(v, msg::kClustersNeedLocations);
        ok = false;
    }
    FirstSeen locations;
    FirstSeen names;  // a member name once per cluster
    for (const auto& e : *entries) {
        const Value key{e.key_node, e.value.path, e.key_pos};
        ClusterLocationMembers group;
        group.location = lower_ascii(e.key);
        group.pos = e.key_pos;
        if (auto first = locations.check(group.location, e.key_pos)) {
            c.r.error(key, msg::duplicate("location", e.key, *first));
            ok = false;
            continue;
        }
        // A broken `locations:` (nothing defined) was reported there; no guesses here.
        const auto& defined = c.site.locations;
        if (c.has_locations && !defined.empty() &&
            std::none_of(defined.begin(), defined.end(),
                         [&](const LocationEntry& l) { return l.name == group.location; })) {
            c.r.error(key, "unknown location " + quote_value(e.key) + " (defined: " +
                               name_list(defined, [](const LocationEntry& l) { return l.name; }) +
                               ")");
            ok = false;
        }
        if (auto items = c.r.list(e.value, "a list of cluster members")) {
            if (items->empty()) {
                c.r.error(e.value, "expected at least one cluster member");
                ok = false;
            }
            for (const auto& item : *items) {
                auto member = parse_named_host<ClusterMember>(c, item, "cluster member", &names);
                ok = member.has_value() && ok;
                if (member) group.members.push_back(std::move(*member));
            }
        } else {
            ok = false;
        }
        cl.members.push_back(std::move(group));
    }
    return ok;
}

// clusters: geo-aware SRV owners (sip-cluster-geo-aware-srv.txt): each location's clients get
// its members at the local priority and the other members at the remote one.
void parse_clusters(Context& c, const Value& v) {
    auto items = c.r.list(v, "a list of clusters");
    if (!items) return;
    FirstSeen names;
    for (const auto& item : *items) {
        auto m = c.r.mapping(item, kClusterKeys,
                             "a cluster: { name, port, transports, weight, priorities, default, "
                             "members }");
        if (!m) continue;
        ClusterEntry cl;
        cl.pos = item.pos;
        bool ok = true;
        if (const Value* name = m->get("name")) {
            auto n = c.r.name(*name, c.origin);
            if (n && n->starts_with("*")) {
                // The SRV owners are _sip._udp.<name>: '*' would not be the leftmost label.
                c.r.error(*name, msg::invalid_name("name", name->node.scalar(),
                                                   "a cluster's SRV owners (_sip._udp.<name>) "
                                                   "cannot contain a wildcard"));
                n.reset();
            }
            if (n) {
                if (auto first = names.check(*n, name->pos)) {
                    c.r.error(*name, msg::duplicate("cluster name", name->node.scalar(), *first));
                    n.reset();
                }
            }
            ok = n.has_value();
            if (n) cl.name = *n;
        } else {
            c.r.missing(item, "name");
            ok = false;
        }
        if (const Value* p = m->get("port")) {
            auto port = c.r.port(*p);
            ok = port.has_value() && ok;
            cl.port = port.value_or(cl.port);
        }
        if (const Value* t = m->get("transports")) {
            ok = parse_transports(c, *t, cl.transports) && ok;
        }
        if (const Value* w = m->get("weight")) {
            auto n = c.r.number(*w, "a weight", 0, 65535);
            ok = n.has_value() && ok;
            cl.weight = static_cast<std::uint16_t>(n.value_or(cl.weight));
        }
        if (const Value* p = m->get("priorities"); p && !p->is_null()) {
            if (auto pm = c.r.mapping(*p, kPriorityKeys,
                                      "a mapping of SRV priorities: { local, remote }")) {
                bool both = true;
                for (auto [key, field] : {std::pair{"local", &cl.local_priority},
                                          std::pair{"remote", &cl.remote_priority}}) {
                    if (const Value* f = pm->get(key)) {
                        auto n = c.r.number(*f, "a priority", 0, 65535);
                        both = n.has_value() && both;
                        *field = static_cast<std::uint16_t>(n.value_or(*field));
                    }
                }
                ok = both && ok;
                // Lower SRV priorities are tried first (RFC 2782): local above remote would send
                // every client to the other data centres.
                if (both && cl.local_priority > cl.remote_priority) {
                    c.r.error(*p, "local " + std::to_string(cl.local_priority) +
                                      " is above remote " + std::to_string(cl.remote_priority) +
                                      ", so clients would prefer other locations (lower SRV "
                                      "priorities are tried first, RFC 2782)");
                    ok = false;
                }
            } else {
                ok = false;
            }
        }
        const Value* members = m->get("members");
        if (members == nullptr) {
            c.r.missing(item, "members");
            ok = false;
        } else {
            ok = parse_cluster_members(c, *members, cl) && ok;
        }
        // Clients in no location get the default location's view: the first member location
        // unless `default:` names another.
        if (const Value* d = m->get("default")) {
            if (auto text = c.r.scalar(*d, "a location name")) {
                cl.default_location = lower_ascii(*text);
                if (!cl.members.empty() && std::none_of(cl.members.begin(), cl.members.end(),
                                                        [&](const ClusterLocationMembers& g) {
                                                            return g.location ==
                                                                   cl.default_location;
                                                        })) {
                    c.r.error(
                        *d,
                        quote_value(*text) + " is not one of this cluster's member locations (" +
                            name_list(cl.members,
                                      [](const ClusterLocationMembers& g) { return g.location; }) +
                            ")");
                    ok = false;
                }
            } else {
                ok = false;
            }
        } else if (!cl.members.empty()) {
            cl.default_location = cl.members.front().location;
        }
        if (ok) c.site.clusters.push_back(std::move(cl));
    }
}

// lync: the pool (registrar) and an optional edge; the records are Lync / OCS automatic
// configuration's SRV and fall-back A lookups (lync-2010-*.txt, ocs-2007-*.txt).
void parse_lync(Context& c, const Value& v) {
    if (v.is_null()) return;
    auto m = c.r.mapping(v, kLyncKeys, "a mapping of Lync settings: { pool, edge }");
    if (!m) return;
    LyncSettings lync;
    lync.pos = v.pos;
    bool ok = true;
    if (const Value* p = m->get("pool")) {
        auto pool = parse_named_host<LyncHost>(c, *p, "Lync pool", nullptr);
        ok = pool.has_value();
        if (pool) lync.pool = std::move(*pool);
    } else {
        c.r.missing(v, "pool");
        ok = false;
    }
    if (const Value* e = m->get("edge"); e && !e->is_null()) {  // `edge:` alone = no edge
        auto edge = parse_named_host<LyncHost>(c, *e, "Lync edge", nullptr);
        ok = edge.has_value() && ok;
        lync.edge = std::move(edge);
    }
    if (ok) c.site.lync = std::move(lync);
}

// ---------------------------------------------------------------------------------------------
// Forwarding: the phones' DNS server for every name outside the site's zones (RFC 5358: only
// for the clients in `allow`, never an open resolver).

constexpr std::uint16_t kDnsPort = 53;

const std::string kForwardTo =
    "a list of resolver addresses such as [192.0.2.1, \"2001:db8::1\"], or root";
const std::string kUpstream =
    "a resolver address such as 192.0.2.1, 192.0.2.1:5353, 2001:db8::1 or [2001:db8::1]:5353";

// An upstream resolver as written in `forward.to`: ADDR (v4 or v6, port 53), ADDR:PORT,
// [V6]:PORT or [V6].
std::optional<IpEndpoint> parse_upstream(std::string_view text) {
    if (auto a = IpAddress::parse(text)) return IpEndpoint{*a, kDnsPort};
    if (text.size() > 2 && text.front() == '[' && text.back() == ']') {
        if (auto a = IpAddress::parse_v6(text.substr(1, text.size() - 2))) {
            return IpEndpoint{*a, kDnsPort};
        }
    }
    return IpEndpoint::parse(text);
}

// A file the daemon reads (trust anchor, root hints): an absolute path, since a daemon's
// working directory is nobody's business (systemd starts it in /).
std::optional<std::string> parse_file_path(Context& c, const Value& v, std::string_view example) {
    if (!v.node.is_scalar() || !v.node.scalar().starts_with('/')) {
        c.r.expected(v, "an absolute file path such as " + std::string(example));
        return std::nullopt;
    }
    return std::string(v.node.scalar());
}

// forward.to: `root`, or upstream resolvers (a list, or one address alone), each once.
bool parse_forward_to(Context& c, const Value& to, ForwardSettings& f) {
    if (to.node.is_scalar() && lower_ascii(to.node.scalar()) == "root") {
        f.from_root = true;
        return true;
    }
    std::vector<Value> items;
    if (Reader::comma_separated(to)) {
        c.r.single_value(to, kForwardTo);
        return false;
    }
    if (to.node.is_scalar()) {
        items.push_back(to);
    } else if (to.node.is_sequence()) {
        items = *c.r.list(to, kForwardTo);
        if (items.empty()) {
            c.r.error(to, "expected at least one resolver address, or root");
            return false;
        }
    } else {
        c.r.expected(to, kForwardTo);
        return false;
    }
    bool ok = true;
    std::map<std::string, std::string> written;  // upstream -> as first written
    for (const auto& item : items) {
        const std::string text = item.node.is_scalar() ? std::string(item.node.scalar()) : "";
        auto ep = item.node.is_scalar() ? parse_upstream(text) : std::nullopt;
        if (!ep && lower_ascii(text) == "root") {
            c.r.error(item, "root is not a resolver address; write `to: root` on its own");
            ok = false;
        } else if (!ep) {
            c.r.expected(item, kUpstream);
            ok = false;
        } else if (ep->address.is_unspecified()) {
            c.r.error(item, quote_value(text) + " is the unspecified address, not a resolver's");
            ok = false;
        } else if (const auto [it, inserted] = written.emplace(ep->to_string(), text); !inserted) {
            c.r.error(item, it->second == text
                                ? msg::listed_twice(text)
                                : quote_value(text) + " is listed twice (as " +
                                      quote_value(it->second) + " before; both are " +
                                      ep->to_string() + ")");
            ok = false;
        } else {
            f.upstreams.push_back(*ep);
        }
    }
    return ok;
}

// forward.allow: the client prefixes that may use forwarding (a list, or one prefix alone).
bool parse_forward_allow(Context& c, const Value& a, ForwardSettings& f) {
    std::vector<Value> items;
    if (Reader::comma_separated(a)) {
        c.r.single_value(a, "a list of address prefixes such as [192.168.0.0/16]");
        return false;
    }
    if (a.node.is_scalar()) {
        items.push_back(a);
    } else if (auto list = c.r.list(a, "a list of address prefixes such as [192.168.0.0/16]")) {
        items = std::move(*list);
        if (items.empty()) {
            c.r.error(a,
                      "expected at least one address prefix such as 192.168.0.0/16; leave "
                      "allow out for loopback and this host's networks");
            return false;
        }
    } else {
        return false;
    }
    bool ok = true;
    std::vector<IpPrefix> prefixes;
    FirstSeen seen;
    for (const auto& item : items) {
        auto p = parse_prefix(c, item);
        if (!p) {
            ok = false;
        } else if (seen.check(p->to_string(), item.pos)) {
            c.r.error(item, msg::listed_twice(item.node.scalar()));
            ok = false;
        } else {
            prefixes.push_back(*p);
        }
    }
    f.allow = std::move(prefixes);
    return ok;
}

// forward: { to, allow, dnssec, trust_anchor, root_hints } — names outside the site's zones
// go to `to` (or are resolved from the root) for the clients in `allow`.
void parse_forward(Context& c, const Value& v) {
    if (v.is_null() || (v.node.is_mapping() && v.node.size() == 0)) {
        c.r.error(v,
                  "expected { to: ... }: the resolvers to forward other names to, such as "
                  "{ to: [192.0.2.1] }, or { to: root }");
        return;
    }
    auto m = c.r.mapping(v, kForwardKeys,
                         "a mapping of forwarding settings: { to, allow, dnssec, trust_anchor, "
                         "root_hints }");
    if (!m) return;
    ForwardSettings f;
    f.pos = v.pos;
    bool ok = true;
    bool to_upstreams = false;  // `to` lists resolvers (even broken ones), so it is not root
    if (const Value* to = m->get("to")) {
        ok = parse_forward_to(c, *to, f);
        to_upstreams = to->node.is_sequence() ||
                       (to->node.is_scalar() && lower_ascii(to->node.scalar()) != "root");
    } else {
        c.r.error(v.pos, join(v.path, "to") + ": " + msg::kRequired +
                             " (the resolvers to forward to, such as [192.0.2.1], or root)");
        ok = false;
    }
    if (const Value* a = m->get("allow")) ok = parse_forward_allow(c, *a, f) && ok;
    std::optional<bool> dnssec = false;
    if (const Value* d = m->get("dnssec")) {
        dnssec = c.r.boolean(*d);
        ok = dnssec.has_value() && ok;
        f.dnssec = dnssec.value_or(false);
    }
    if (const Value* t = m->get("trust_anchor")) {
        auto path = parse_file_path(c, *t, ForwardSettings::kDefaultTrustAnchor);
        ok = path.has_value() && ok;
        if (path && dnssec == false) {
            c.r.error(*t, "trust_anchor is only used with `dnssec: true`");
            ok = false;
        }
        if (path) f.trust_anchor = std::move(*path);
    }
    if (const Value* h = m->get("root_hints")) {
        auto path = parse_file_path(c, *h, "/etc/sipdns/root.hints");
        ok = path.has_value() && ok;
        if (path && to_upstreams) {
            c.r.error(*h,
                      "root_hints is only for `to: root`; the resolvers in `to` find the root "
                      "themselves");
            ok = false;
        }
        if (path) f.root_hints = std::move(*path);
    }
    if (ok) c.site.forward = std::move(f);
}

// health: { interval_ms, timeout_ms, rise, fall, ttl, exclude } — SIP OPTIONS probing of the
// site's SIP targets. `health: {}` (or `health:`) turns it on with the defaults.
void parse_health(Context& c, const Value& v) {
    HealthSettings h;
    h.pos = v.pos;
    if (!v.is_null()) {
        auto m = c.r.mapping(v, kHealthKeys,
                             "a mapping of health settings: { interval_ms, timeout_ms, rise, "
                             "fall, ttl, exclude }");
        if (!m) return;
        // Probing faster than 100 ms is load, not health; a day between probes is no health.
        if (const Value* s = m->get("interval_ms")) {
            if (auto n = c.r.number(*s, "milliseconds between probes of one target", 100,
                                    86400000))
                h.interval_ms = static_cast<std::uint32_t>(*n);
        }
        const Value* timeout = m->get("timeout_ms");
        if (timeout) {
            if (auto n = c.r.number(*timeout, "milliseconds a probe waits for a SIP response",
                                    10, 86400000))
                h.timeout_ms = static_cast<std::uint32_t>(*n);
        }
        for (auto [key, field] : {std::pair{"rise", &h.rise}, std::pair{"fall", &h.fall}}) {
            if (const Value* s = m->get(key)) {
                if (auto n = c.r.number(*s, "a count of probes in a row", 1, 100))
                    *field = static_cast<std::uint32_t>(*n);
            }
        }
        if (const Value* s = m->get("ttl")) {
            if (auto n = c.r.number(*s, "a TTL in seconds", 0, kMaxTtl, Reader::Unit::Seconds))
                h.ttl = static_cast<std::uint32_t>(*n);
        }
        // One probe outstanding per target: it must end before the next one is due.
        if (timeout && h.timeout_ms > h.interval_ms)
            c.r.error(*timeout, "timeout_ms (" + std::to_string(h.timeout_ms) +
                                    ") must not exceed interval_ms (" +
                                    std::to_string(h.interval_ms) +
                                    "): one probe per target is outstanding at a time");
        if (const Value* e = m->get("exclude"))
            parse_name_list(c, *e, "a list of SIP target names never probed",
                            [&](std::string name, SourcePos) { h.exclude.push_back(std::move(name)); });
    }
    c.site.health = std::move(h);
}

// True if the section is present and not empty.
bool has_items(const Value* v) {
    return v != nullptr && (v->node.is_scalar() || v->node.size() > 0);
}

SiteConfig parse_site(Reader& r, const Mapping& top) {
    SiteConfig site;
    site.file = r.file();
    Context c{r, site, {}};
    parse_domain(c, top.get("domain"));
    if (const Value* v = top.get("ttl")) parse_ttl(c, *v);
    if (const Value* v = top.get("servers")) parse_servers(c, *v);
    if (const Value* v = top.get("sip")) parse_sip(c, *v);
    check_sip_against_servers(c);
    if (const Value* v = top.get("hosts")) parse_hosts(c, *v);
    if (const Value* v = top.get("aliases")) parse_aliases(c, *v);
    if (const Value* v = top.get("services")) parse_services(c, *v);
    if (const Value* v = top.get("records")) parse_records(c, *v);
    if (const Value* v = top.get("reverse")) parse_reverse(c, *v);
    if (const Value* v = top.get("nameservers")) parse_nameservers(c, *v);
    if (const Value* v = top.get("soa")) parse_soa(c, *v);
    if (const Value* v = top.get("server")) parse_daemon(c, *v);
    if (const Value* v = top.get("locations")) parse_locations(c, *v);
    c.has_locations = has_items(top.get("locations"));
    if (const Value* v = top.get("clusters")) parse_clusters(c, *v);
    if (const Value* v = top.get("lync")) parse_lync(c, *v);
    if (const Value* v = top.get("forward")) parse_forward(c, *v);
    if (const Value* v = top.get("health")) parse_health(c, *v);

    if (!has_items(top.get("servers")) && !has_items(top.get("hosts")) &&
        !has_items(top.get("services")) && !has_items(top.get("records")) &&
        !has_items(top.get("clusters")) && !has_items(top.get("lync"))) {
        r.error(SourcePos{1, 1}, msg::kNoRecordSource);
    }
    if (site.soa.rname.empty() && !site.domain.empty())
        site.soa.rname = "hostmaster." + site.domain;
    return site;
}

}  // namespace

PartialSite load_site_text_partial(std::string_view text, const std::string& file_name) {
    PartialSite out;
    Reader r(file_name);
    auto doc = yaml::Document::parse(text);
    if (!doc) {
        r.error(doc.error().pos, std::move(doc.error().message));
        out.diagnostics = r.take();
        return out;
    }
    const std::size_t docs = doc->document_count();
    if (docs > 1) {
        r.error(pos_of(doc->root(1), SourcePos{1, 1}),
                "expected one YAML document, found " + std::to_string(docs));
        out.diagnostics = r.take();
        return out;
    }
    const Value root{docs == 0 ? yaml::Node() : doc->root(0), "", SourcePos{1, 1}};
    if (!root.node.is_mapping()) {
        r.error(pos_of(root.node, SourcePos{1, 1}), msg::kNotMapping);
        out.diagnostics = r.take();
        return out;
    }
    auto top = r.mapping(root, kTopKeys, msg::kNotMapping);
    out.site = parse_site(r, *top);
    // Without a domain nothing can be placed in a zone: the zone checks have nothing to run on.
    if (out.site->domain.empty()) out.site.reset();
    out.diagnostics = r.take();
    return out;
}

Expected<SiteConfig, Diagnostics> load_site_text(std::string_view text,
                                                 const std::string& file_name) {
    PartialSite partial = load_site_text_partial(text, file_name);
    if (count_errors(partial.diagnostics) != 0 || !partial.site) {
        if (partial.diagnostics.empty())  // parse_domain reports a missing domain; never here
            partial.diagnostics.push_back({file_name, {}, "no site could be read"});
        return unexpected(std::move(partial.diagnostics));
    }
    partial.site->refused_names.clear();
    partial.site->warnings = std::move(partial.diagnostics);
    return std::move(*partial.site);
}

namespace {

Expected<std::string, Diagnostics> read_site_file(const std::string& path) {
    const auto cannot_read = [&path](int err) {
        return unexpected(
            Diagnostics{{path, {}, std::string("cannot read: ") + std::strerror(err)}});
    };
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return cannot_read(errno);
    std::string text;
    const ReadAll read = read_all(fd, text, std::string().max_size());
    const int err = errno;
    ::close(fd);
    if (read != ReadAll::Ok) return cannot_read(err);
    return text;
}

}  // namespace

Expected<SiteConfig, Diagnostics> load_site_file(const std::string& path) {
    auto text = read_site_file(path);
    if (!text) return unexpected(std::move(text.error()));
    return load_site_text(*text, path);
}

PartialSite load_site_file_partial(const std::string& path) {
    auto text = read_site_file(path);
    if (!text) return PartialSite{std::nullopt, std::move(text.error())};
    return load_site_text_partial(*text, path);
}

}  // namespace sipdns::config
