// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
// `sipdnsd plan` (issue 9): the installer's checklist, from the site and the zones it builds.
// Sources: the SCS 4.0 guide (reference/scs-4.0-configuring-dns-and-dhcp.txt: "Impact on
// Installation" for the SIP Domain, "Setting Option 66", "Setting Option 6", "Other DHCP
// Options", "Testing DNS"), the Lync 2010 references (DHCP options 120/43, registrar
// discovery), RFC 2132 (options 6, 15, 42, 66), RFC 3361 (option 120); for DHCPv6 (RFC 8415)
// RFC 3319 (options 21, 22), RFC 3646 (23, 24) and RFC 5908 (56).
#include "sipdns/zone/plan.h"

#include "sipdns/zone/health.h"

#include <algorithm>
#include <iterator>
#include <sstream>

#include "sipdns/zone/exporter.h"
#include "sipdns/zone/health.h"
#include "sipdns/zone/name.h"
#include "sipdns/zone/rr_types.h"

namespace sipdns::zone {

// ---------------------------------------------------------------------------------------------
// RFC 3361

namespace {

// RFC 1035 §3.1: each label as a length octet and its octets, then the zero octet; labels of
// 1..63 octets, the whole name at most 255 octets (§2.3.4). Uncompressed, as RFC 3361 §3.1,
// RFC 3319 §3.1 and RFC 5908 §4.3 (through RFC 3315 §8) carry names. `name` in text form, with
// or without the trailing dot; nullopt for the root or a bad label.
std::optional<std::string> domain_name_wire(std::string_view name) {
    if (!name.empty() && name.back() == '.') name.remove_suffix(1);
    if (name.empty()) return std::nullopt;  // the root: no server
    std::string wire;
    std::size_t start = 0;
    while (start <= name.size()) {
        std::size_t dot = name.find('.', start);
        if (dot == std::string_view::npos) dot = name.size();
        const std::size_t len = dot - start;
        if (len == 0 || len > 63) return std::nullopt;
        wire.push_back(static_cast<char>(len));
        wire.append(name.substr(start, len));
        start = dot + 1;
    }
    wire.push_back('\0');
    if (wire.size() > kMaxNameWire) return std::nullopt;
    return wire;
}

void append_u16(std::string& out, std::size_t value) {
    out.push_back(static_cast<char>((value >> 8) & 0xff));
    out.push_back(static_cast<char>(value & 0xff));
}

}  // namespace

Expected<std::string, DhcpOptionError> encode_sip_servers_by_name(
    const std::vector<std::string>& names) {
    if (names.empty()) return unexpected(DhcpOptionError::Empty);
    std::string out(1, static_cast<char>(kSipServersByName));
    for (const auto& name : names) {
        const auto wire = domain_name_wire(name);
        if (!wire) return unexpected(DhcpOptionError::BadName);
        out += *wire;
    }
    return out;
}

Expected<std::string, DhcpOptionError> encode_sip_servers_by_address(
    const std::vector<config::IpAddress>& addresses) {
    if (addresses.empty()) return unexpected(DhcpOptionError::Empty);
    std::string out(1, static_cast<char>(kSipServersByAddress));
    for (const auto& a : addresses) {
        if (!a.is_v4()) return unexpected(DhcpOptionError::NotIpv4);
        out.append(reinterpret_cast<const char*>(a.bytes.data()), 4);  // network byte order
    }
    return out;
}

Expected<std::string, DhcpOptionError> encode_ntp_server(
    const std::vector<NtpTimeSource>& sources) {
    // RFC 5908 §4: the option carries at least one time-source suboption.
    if (sources.empty()) return unexpected(DhcpOptionError::Empty);
    std::string out;
    for (const auto& source : sources) {
        std::string data;
        std::uint16_t code = 0;
        if (source.address) {
            if (source.address->is_v4()) return unexpected(DhcpOptionError::NotIpv6);
            code = kNtpSuboptionServerAddress;
            data.assign(reinterpret_cast<const char*>(source.address->bytes.data()), 16);
        } else {
            const auto wire = domain_name_wire(source.fqdn);
            if (!wire) return unexpected(DhcpOptionError::BadName);
            code = kNtpSuboptionServerFqdn;
            data = *wire;
        }
        append_u16(out, code);
        append_u16(out, data.size());
        out += data;
    }
    return out;
}

namespace {
std::string hex(std::string_view bytes, bool colons) {
    static const char digits[] = "0123456789abcdef";
    std::string out;
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        if (colons && i) out.push_back(':');
        const auto b = static_cast<unsigned char>(bytes[i]);
        out.push_back(digits[b >> 4]);
        out.push_back(digits[b & 0xf]);
    }
    return out;
}
}  // namespace

std::string hex_with_colons(std::string_view bytes) {
    return hex(bytes, true);
}
std::string hex_plain(std::string_view bytes) {
    return hex(bytes, false);
}

// ---------------------------------------------------------------------------------------------
// Helpers

namespace {

// "scs1.scsnetwork.local" (no trailing dot), as the guide and the PBX's forms write names.
std::string plain(std::string_view wire) {
    std::string text = name_to_text(wire);
    if (text.size() > 1 && text.back() == '.') text.pop_back();
    return text;
}

bool has_srv(const ZoneSet& zones, const std::string& apex_wire, const char* owner) {
    const Node* n = zones.find_node(name_under(owner, apex_wire));
    return n && n->find(rrtype::SRV);
}

// The A (or AAAA) records a name resolves to in our zones (CNAMEs followed), in zone order.
std::vector<config::IpAddress> addresses_of(const ZoneSet& zones, const std::string& name_wire,
                                            std::uint16_t type) {
    std::vector<config::IpAddress> out;
    const std::size_t size = type == rrtype::A ? 4 : 16;
    const LookupResult r = zones.lookup(name_wire, type);
    if (r.status != LookupStatus::Answer) return out;
    for (const auto& ref : r.answer) {
        if (ref.rrset->type != type) continue;
        for (const auto& rd : ref.rrset->rdatas) {
            if (rd.size() != size) continue;
            config::IpAddress a;
            a.family = size == 4 ? config::IpAddress::Family::V4 : config::IpAddress::Family::V6;
            std::copy(rd.begin(), rd.end(), a.bytes.begin());
            out.push_back(a);
        }
    }
    return out;
}

std::vector<config::IpAddress> ipv4_of(const ZoneSet& zones, const std::string& name_wire) {
    return addresses_of(zones, name_wire, rrtype::A);
}

std::vector<config::IpAddress> ipv6_of(const ZoneSet& zones, const std::string& name_wire) {
    return addresses_of(zones, name_wire, rrtype::AAAA);
}

// Whether the site serves any IPv6 address (an AAAA record anywhere in its zones): then the
// plan gives the DHCPv6 options too.
bool serves_ipv6(const ZoneSet& zones) {
    for (const auto& z : zones.zones())
        for (const Node* node : z->nodes_in_canonical_order())
            if (!node->below_delegation && node->find(rrtype::AAAA)) return true;
    return false;
}

std::string join(const std::vector<std::string>& items, const char* sep) {
    std::string out;
    for (const auto& s : items) {
        if (!out.empty()) out += sep;
        out += s;
    }
    return out;
}

std::vector<std::string> to_strings(const std::vector<config::IpAddress>& addresses) {
    std::vector<std::string> out;
    for (const auto& a : addresses) out.push_back(a.to_string());
    return out;
}

// The apex NS targets of the forward zone, as served (servers, `nameservers`, `records:`).
std::vector<std::string> name_servers(const ZoneSet& zones) {
    std::vector<std::string> out;
    const Zone* fwd = zones.forward_zone();
    if (!fwd) return out;
    if (const RRset* ns = fwd->apex_node().find(rrtype::NS))
        for (const auto& rd : ns->rdatas) out.emplace_back(rd);
    return out;
}

// A command-line word: left as it is when the shell reads it back unchanged, else quoted.
std::string shell_word(const std::string& s) {
    const bool safe = !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '.' || c == '-' || c == '_' || c == ':' || c == '@' || c == '=' || c == '+' ||
               c == '/';
    });
    if (safe) return s;
    std::string out = "'";
    for (char c : s) {
        if (c == '\'')
            out += "'\\''";
        else
            out.push_back(c);
    }
    return out + "'";
}

// The rdata of one record in presentation form, as `dig +short` prints it.
std::string rdata_text(std::string_view owner, std::uint16_t type, std::string_view rdata) {
    const std::string line = record_to_text(owner, type, 0, rdata);
    std::size_t at = 0;
    for (int field = 0; field < 4 && at != std::string::npos; ++field) {
        at = line.find('\t', at);
        if (at != std::string::npos) ++at;
    }
    return at == std::string::npos ? line : line.substr(at);
}

// 11.2.0.192.in-addr.arpa -> 192.0.2.11; 32 nibbles under ip6.arpa -> the IPv6 address
// (RFC 1035 §3.5, RFC 3596 §2.5). Other reverse names (a classless delegation) -> nullopt.
std::optional<config::IpAddress> reverse_name_address(std::string_view wire) {
    std::vector<std::string> labels;
    for (std::size_t at = 0; at < wire.size() && wire[at] != 0;) {
        const auto len = static_cast<unsigned char>(wire[at]);
        if (at + 1 + len > wire.size()) return std::nullopt;
        labels.emplace_back(wire.substr(at + 1, len));
        at += 1 + len;
    }
    auto is = [&](std::size_t n, const char* a, const char* b) {
        return labels.size() == n + 2 && labels[n] == a && labels[n + 1] == b;
    };
    if (is(4, "in-addr", "arpa")) {
        std::string text;
        for (int i = 3; i >= 0; --i) {
            if (labels[i].empty() || labels[i].size() > 3) return std::nullopt;
            text += labels[i] + (i ? "." : "");
        }
        return config::IpAddress::parse_v4(text);
    }
    if (is(32, "ip6", "arpa")) {
        std::string text;
        for (int i = 31; i >= 0; --i) {
            if (labels[i].size() != 1) return std::nullopt;
            text += labels[i];
            if (i % 4 == 0 && i) text += ':';
        }
        return config::IpAddress::parse_v6(text);
    }
    return std::nullopt;
}

const char* rule_of_thumb =
    "   Rule of thumb (SCS 4.0 guide, \"Impact on Installation\"): if SRV records are in use,\n"
    "   enter just the domain name; if they are not, enter the server's fully qualified domain\n"
    "   name (host name and domain name).\n";

}  // namespace

// ---------------------------------------------------------------------------------------------
// SIP Domain

SipDomainAdvice advise_sip_domain(const config::SiteConfig& site, const ZoneSet& zones) {
    SipDomainAdvice advice;
    const std::string apex = name_to_wire(site.domain);
    // RFC 3263 §4.1 (SIP), and the Lync registrar records clients look up first.
    for (const char* owner : {"_sip._udp", "_sip._tcp", "_sips._tcp", "_sip._tls",
                              "_sipinternaltls._tcp", "_sipinternal._tcp"}) {
        if (has_srv(zones, apex, owner)) {
            advice.basis = SipDomainAdvice::Basis::SrvRecords;
            advice.values.push_back(site.domain);
            return advice;
        }
    }
    if (!site.servers.empty()) {
        advice.basis = SipDomainAdvice::Basis::ServerFqdn;
        advice.values.push_back(site.servers.front().name);
        return advice;
    }
    if (!site.clusters.empty()) {
        // A geo-aware cluster: SIP clients and SBCs are given the cluster's FQDN, whose SRV
        // answers depend on the client's location.
        advice.basis = SipDomainAdvice::Basis::Cluster;
        for (const auto& c : site.clusters) advice.values.push_back(c.name);
        return advice;
    }
    return advice;
}

// ---------------------------------------------------------------------------------------------
// Query target

QueryTarget choose_query_target(const config::SiteConfig& site, const ZoneSet& zones,
                                const std::vector<config::IpEndpoint>& listen_override) {
    std::optional<config::IpEndpoint> first;
    std::string source;
    if (!listen_override.empty()) {
        first = listen_override.front();
        source = "--listen";
    } else if (!site.server.listen.empty()) {
        first = config::IpEndpoint::parse(site.server.listen.front());
        source = "server.listen";
    }
    QueryTarget t;
    if (first) {
        t.port = first->port;
        const bool wildcard =
            std::all_of(first->address.bytes.begin(),
                        first->address.bytes.begin() + static_cast<long>(first->address.size()),
                        [](std::uint8_t b) { return b == 0; });
        if (!wildcard) {
            t.address = first->address.to_string();
            t.why = "the first address in " + source;
            return t;
        }
    }
    // Every address of the host: ask the zone's first name server (the primary), as the man
    // page says; by its IPv4 address, else its IPv6 one, else (outside our zones) by name.
    const auto ns = name_servers(zones);
    if (!ns.empty()) {
        const std::string first_ns = plain(ns.front());
        const auto v4 = ipv4_of(zones, ns.front());
        const auto v6 = ipv6_of(zones, ns.front());
        if (!v4.empty() || !v6.empty()) {
            t.address = (!v4.empty() ? v4 : v6).front().to_string();
            t.why = "the address of " + first_ns + ", the zone's first name server";
        } else {
            t.address = first_ns;
            t.why = first_ns +
                    ", the zone's first name server, by name: the site file has no address for "
                    "it";
        }
        return t;
    }
    t.address = "127.0.0.1";
    t.why = "the host running sipdnsd itself";
    return t;
}

// ---------------------------------------------------------------------------------------------
// Forwarding

namespace {

// "192.0.2.1:53, [2001:db8::1]:53" or "the root servers (hints /etc/sipdns/root.hints)".
std::string forward_upstreams(const config::ForwardSettings& f) {
    std::vector<std::string> out;
    for (const auto& u : f.upstreams) out.push_back(u.to_string());
    return join(out, ", ");
}

// The clients that may use it: forward.allow, or the default (loopback and the networks of
// this host's interfaces, worked out by the daemon).
std::string forward_clients(const config::ForwardSettings& f) {
    if (!f.allow) return "loopback and this host's networks";
    std::vector<std::string> out;
    for (const auto& p : *f.allow) out.push_back(p.to_string());
    return join(out, ", ");
}

}  // namespace

std::uint64_t worst_failover_ms(const config::HealthSettings& h) {
    return std::uint64_t{h.interval_ms} * h.fall + h.timeout_ms;
}

std::string describe_health(const config::HealthSettings& h, std::size_t targets) {
    return "SIP OPTIONS every " + std::to_string(h.interval_ms) + " ms to " +
           std::to_string(targets) + (targets == 1 ? " target" : " targets") + " (timeout " +
           std::to_string(h.timeout_ms) + " ms); down after " + std::to_string(h.fall) +
           (h.fall == 1 ? " failure" : " failures") + ", up after " + std::to_string(h.rise) +
           (h.rise == 1 ? " answer" : " answers") + "; SRV TTL " + std::to_string(h.ttl) +
           " s; worst-case failover " + std::to_string(worst_failover_ms(h)) + " ms";
}

std::string describe_forward(const config::ForwardSettings& f) {
    std::string s;
    if (f.from_root) {
        s = "recursion from the root";
        if (!f.root_hints.empty()) s += " (root hints " + f.root_hints + ")";
    } else {
        s = "to " + forward_upstreams(f);
    }
    s += " for " + forward_clients(f) + "; dnssec ";
    s += f.dnssec ? "on (trust anchor " + f.trust_anchor + ")" : std::string("off");
    return s;
}

// ---------------------------------------------------------------------------------------------
// DNS checks

namespace {

// mname rname SERIAL refresh retry expire minimum: the serial follows the file's modification
// time, which differs from one copy of the file to another.
std::string without_serial(const std::string& soa_text) {
    std::istringstream in(soa_text);
    std::vector<std::string> f{std::istream_iterator<std::string>(in), {}};
    if (f.size() == 7) f[2] = "<serial>";
    return join(f, " ");
}

std::vector<std::string> expected_rdatas(const DnsCheck& check, const RRset& set) {
    std::vector<std::string> out;
    for (const auto& rd : set.rdatas) out.push_back(served_rdata_text(check, rd));
    return out;
}

}  // namespace

std::string served_rdata_text(const DnsCheck& check, std::string_view rdata_wire) {
    const std::string text = rdata_text(check.owner_wire, check.type, rdata_wire);
    return check.type == rrtype::SOA && check.any_serial ? without_serial(text) : text;
}

DnsChecks dns_checks(const config::SiteConfig& site, const SiteZones& views,
                     const std::vector<config::IpEndpoint>& listen_override) {
    const ZoneSet& zones = views.default_view();
    DnsChecks out;
    out.target = choose_query_target(site, zones, listen_override);
    for (const auto& z : zones.zones()) {
        DnsCheckZone& zone_checks = out.zones.emplace_back();
        zone_checks.apex = plain(z->apex());
        for (const Node* node : z->nodes_in_canonical_order()) {
            DnsCheck base;
            base.name = plain(node->name);
            base.owner_wire = std::string(node->name);
            if (node->below_delegation) {
                base.kind = DnsCheck::Kind::BelowDelegation;
                zone_checks.checks.push_back(std::move(base));
                continue;
            }
            for (const auto& set : node->rrsets) {
                DnsCheck check = base;
                check.type = set.type;
                check.any_serial = !site.soa.serial;
                check.expected = expected_rdatas(check, set);
                if (node->delegation && set.type == rrtype::NS) {
                    check.kind = DnsCheck::Kind::Referral;
                    zone_checks.checks.push_back(std::move(check));
                    continue;
                }
                if (set.type == rrtype::PTR) check.address = reverse_name_address(node->name);
                check.kind =
                    check.address ? DnsCheck::Kind::ReverseAddress : DnsCheck::Kind::Answer;
                // What clients in each location get where it differs from the no-location
                // answer.
                for (const auto& loc : site.locations) {
                    const ZoneSet* view = views.location_view(loc.name);
                    if (!view) continue;
                    const Node* other = view->find_node(node->name);
                    const RRset* other_set = other ? other->find(set.type) : nullptr;
                    if (!other_set || other_set->rdatas == set.rdatas) continue;
                    DnsCheck::LocationAnswer& answer = check.from_locations.emplace_back();
                    answer.location = loc.name;
                    for (const auto& p : loc.prefixes) answer.prefixes.push_back(p.to_string());
                    answer.expected = expected_rdatas(check, *other_set);
                }
                zone_checks.checks.push_back(std::move(check));
            }
        }
    }
    return out;
}

// ---------------------------------------------------------------------------------------------
// The plan

namespace {

class PlanWriter {
  public:
    PlanWriter(const config::SiteConfig& site, const SiteZones& zones, const PlanOptions& opt)
        : site_(site),
          views_(zones),
          zones_(zones.default_view()),
          checks_(zone::dns_checks(site, zones, opt.listen)),
          target_(checks_.target) {}

    std::string run() {
        out_ << "sipdnsd plan for " << site_.domain << "\n";
        out_ << "The installer's checklist: the SIP Domain to enter, the DHCP options to set, and\n"
                "the DNS queries that check every record sipdnsd serves for this site.\n\n";
        sip_domain();
        health();
        dhcp_options();
        dns_checks();
        secondaries();
        return out_.str();
    }

  private:
    const config::SiteConfig& site_;
    const SiteZones& views_;
    const ZoneSet& zones_;
    DnsChecks checks_;
    QueryTarget target_;
    std::ostringstream out_;

    void sip_domain() {
        const SipDomainAdvice advice = advise_sip_domain(site_, zones_);
        out_ << "1. SIP Domain (the PBX's SIP Domain field)\n";
        switch (advice.basis) {
            case SipDomainAdvice::Basis::SrvRecords:
                out_ << "   " << advice.values.front() << "\n";
                out_ << "   SIP SRV records are served for the domain, so enter the domain alone.";
                if (site_.servers.size() >= 2)
                    out_ << " Enter it on\n   every server of the HA system: HA only works with "
                            "SRV records.";
                out_ << "\n";
                break;
            case SipDomainAdvice::Basis::ServerFqdn:
                out_ << "   " << advice.values.front() << "\n";
                out_ << "   No SIP SRV records are served, so enter the server's fully qualified "
                        "name.\n";
                break;
            case SipDomainAdvice::Basis::Cluster:
                out_ << "   " << join(advice.values, ", ") << "\n";
                out_ << "   The SIP cluster's FQDN: its SRV answers depend on the client's "
                        "location.\n";
                break;
            case SipDomainAdvice::Basis::None:
                out_ << "   none: this site has no call servers and no SIP SRV records.\n";
                break;
        }
        out_ << rule_of_thumb << "\n";
    }

    // Live SIP health (health:): which targets sipdnsd probes, so the installer can let its
    // OPTIONS through to each SIP server (docs/design.md §10).
    void health() {
        if (!site_.health) return;
        const auto targets = sip_health_targets(views_, *site_.health);
        std::vector<std::string> shown;
        for (const auto& t : targets)
            shown.push_back(t.key.name + " " + std::to_string(t.key.port) + "/" +
                            std::string(config::transport_name(t.key.transport)));
        para("Live SIP health (health:): " + describe_health(*site_.health, targets.size()) +
             ". A target that stops answering leaves the SRV answers (all down: every record "
             "is served); zone transfers keep the configured records. Let SIP OPTIONS from "
             "this host through to: " +
             (shown.empty() ? std::string("none (no SIP SRV target has an address here)")
                            : join(shown, ", ")) +
             ".");
        if (!site_.health->exclude.empty())
            para("Never probed (health.exclude, always served): " +
                 join(site_.health->exclude, ", ") + ".");
        out_ << "\n";
    }

    void option_line(const char* code, const char* name, const std::string& value,
                     std::size_t value_column = 30) {
        std::string head = std::string("   ") + code + " " + name;
        if (head.size() < value_column)
            head.resize(value_column, ' ');
        else
            head += ' ';
        out_ << head << value << "\n";
    }

    void note(const std::string& text) { out_ << "       " << text << "\n"; }

    // Prose wrapped at 92 columns (a command or a value stays on one line).
    void wrap(std::size_t indent, const std::string& text) {
        constexpr std::size_t kWidth = 92;
        const std::string pad(indent, ' ');
        std::istringstream in(text);
        std::string line;
        for (std::string word; in >> word;) {
            if (!line.empty() && indent + line.size() + 1 + word.size() > kWidth) {
                out_ << pad << line << "\n";
                line.clear();
            }
            line += (line.empty() ? "" : " ") + word;
        }
        if (!line.empty()) out_ << pad << line << "\n";
    }
    void para(const std::string& text) { wrap(7, text); }

    void dhcp_options() {
        out_ << "2. DHCP options (scope or server options of a third-party DHCP server)\n";
        option6();
        option_line("015", "DNS Domain Name", site_.domain);
        option42();
        option66();
        option120();
        lync_options();
        if (serves_ipv6(zones_)) dhcpv6_options();
        out_ << "\n";
    }

    void option6() {
        std::vector<std::string> addresses, missing, ns_names;
        for (const auto& ns : name_servers(zones_)) {
            ns_names.push_back(plain(ns));
            const auto v4 = ipv4_of(zones_, ns);
            if (v4.empty()) missing.push_back(plain(ns));
            for (const auto& a : v4) addresses.push_back(a.to_string());
        }
        option_line("006", "DNS Servers",
                    addresses.empty() ? "no IPv4 address in the site file" : join(addresses, " "));
        para("The hosts that serve this site's DNS: its name servers (NS " + join(ns_names, ", ") +
             "), primary first; each runs sipdnsd with this site file. The SCS guide: with the "
             "onboard DNS beside a third-party DHCP server, point option 6 at it; where both HA "
             "servers provide DNS, add the secondary's address too.");
        if (!missing.empty())
            para("No IPv4 address in the site file for " + join(missing, ", ") +
                 ": add it by hand.");
        forwarding();
        if (target_.port != 53)
            para("Phones ask port 53: sipdnsd is set to serve port " +
                 std::to_string(target_.port) + " here, so serve port 53 for phones.");
    }

    // Option 6 makes sipdnsd the phones' only DNS server: say what happens to every name
    // outside the site's zones (issue 13).
    void forwarding() {
        if (!site_.forward) {
            para("Warning: the site file has no forward: section, so sipdnsd answers only this "
                 "site's names and refuses all others. Phones that get it as their DNS server "
                 "resolve nothing else: their NTP servers, firmware and provisioning hosts, "
                 "and the ITSP's SIP trunk fail. To forward every other name to your "
                 "resolver (the one the phones used before), add to the site file:");
            note("    forward: { to: [<your resolver>] }");
            para("or forward: { to: root } to resolve them from the root servers "
                 "(sipdns-site.yaml(5)).");
            return;
        }
        const auto& f = *site_.forward;
        std::string text = f.from_root ? "Other names are resolved from the root servers"
                                       : "Other names are forwarded to " + forward_upstreams(f);
        text += " (forward:)";
        if (f.dnssec) text += ", with DNSSEC validation (RFC 4033)";
        if (f.allow) {
            text += ", for clients in " + forward_clients(f) +
                    " (forward.allow): phones outside these get REFUSED.";
        } else {
            text +=
                ", for clients on loopback and this host's networks (forward.allow left out): "
                "phones in other subnets, behind a router, get REFUSED unless forward.allow "
                "lists them.";
        }
        para(text);
    }

    std::string ntp_name() const { return "ntp." + site_.domain; }

    // The NTP host the SCS guide's option 42 names: ntp.<domain> (a host, or an alias to one).
    // Its IPv4 addresses go into option 42, its IPv6 addresses into DHCPv6 option 56.
    void option42() {
        const std::string ntp_wire = name_under("ntp", name_to_wire(site_.domain));
        const auto v4 = ipv4_of(zones_, ntp_wire);
        if (v4.empty()) {
            option_line("042", "NTP Servers", "not set: " + ntp_missing(ntp_wire, "IPv4"));
            if (!ipv6_of(zones_, ntp_wire).empty())
                para("Option 42 carries IPv4 addresses only (RFC 2132 §8.3); the site's NTP "
                     "server is on IPv6 and goes into DHCPv6 option 56 below.");
            return;
        }
        option_line("042", "NTP Servers", join(to_strings(v4), " "));
        para(ntp_name() +
             " (the SCS guide: option 42 gives the phones their NTP "
             "servers).");
    }

    // Why an option for ntp.<domain> carries nothing: no such name, or none of `family`.
    std::string ntp_missing(const std::string& ntp_wire, const char* family) const {
        if (!zones_.find_node(ntp_wire)) return "the site has no ntp host";
        return ntp_name() + " has no " + family + " address";
    }

    void option66() {
        if (site_.servers.empty()) {
            option_line("066", "Boot Server Host Name", "not set: no call servers in this site");
            return;
        }
        const auto& primary = site_.servers.front();
        const std::string value =
            primary.ipv4 ? primary.ipv4->to_string() : primary.name;  // a string option
        option_line("066", "Boot Server Host Name", value);
        para("The primary call server, " + primary.name +
             ": the SCS guide enters its IP address as the string value (on an HA system, the "
             "primary's) so that phones fetch their configuration by TFTP without per-phone "
             "settings.");
    }

    // Prints one RFC 3361 value with the forms DHCP servers take.
    void sip_servers_value(const char* label, const std::vector<std::string>& readable,
                           const Expected<std::string, DhcpOptionError>& bytes) {
        note(std::string(label) + join(readable, " "));
        if (!bytes) {
            note("  (cannot be encoded: " +
                 std::string(bytes.error() == DhcpOptionError::NotIpv4   ? "not IPv4"
                             : bytes.error() == DhcpOptionError::BadName ? "a bad name"
                                                                         : "empty") +
                 ")");
            return;
        }
        note("  hex " + hex_with_colons(*bytes));
        if (bytes->size() > kDhcpOptionMaxLength)
            note("  (" + std::to_string(bytes->size()) +
                 " octets: the DHCP server splits it over several options, RFC 3396)");
    }

    void dhcp_server_syntax(const std::string& bytes) {
        note("ISC dhcpd:  option sip-servers-3361 code 120 = string;");
        note("            option sip-servers-3361 " + hex_with_colons(bytes) + ";");
        note("Kea:        \"option-data\": [ { \"code\": 120, \"csv-format\": false,");
        note("                             \"data\": \"" + hex_plain(bytes) + "\" } ]");
        note("Windows:    netsh dhcp server add optiondef 120 SIPServers BINARY");
        note("            netsh dhcp server set optionvalue 120 BINARY " + hex_plain(bytes));
    }

    void option120() {
        const bool lync_only = site_.lync && site_.servers.empty() && site_.clusters.empty();
        if (lync_only) return;  // the Lync form below is the site's option 120
        const SipDomainAdvice advice = advise_sip_domain(site_, zones_);
        if (advice.basis == SipDomainAdvice::Basis::None) {
            option_line("120", "SIP Servers", "not set: no SIP server in this site");
            return;
        }
        option_line("120", "SIP Servers", "RFC 3361: by name (encoding 0) or by address (1)");
        const auto by_name = encode_sip_servers_by_name(advice.values);
        sip_servers_value("by name:    ", advice.values, by_name);
        std::vector<config::IpAddress> v4;
        for (const auto& s : site_.servers)
            if (s.ipv4) v4.push_back(*s.ipv4);
        if (!v4.empty()) {
            sip_servers_value("by address: ", to_strings(v4), encode_sip_servers_by_address(v4));
        } else if (advice.basis == SipDomainAdvice::Basis::Cluster) {
            para(
                "by address: not offered: which proxies a phone should use depends on its "
                "data centre, which only the cluster's SRV answers know.");
        }
        para(
            "Set one form only (RFC 3361 §3: never both in one reply). The name is better: "
            "phones resolve it by RFC 3263 (NAPTR, SRV), which keeps the failover order.");
        if (by_name) dhcp_server_syntax(*by_name);
    }

    void lync_options() {
        if (!site_.lync) return;
        const auto& pool = site_.lync->pool;
        const std::vector<std::string> registrar{pool.name};
        const auto bytes = encode_sip_servers_by_name(registrar);
        option_line("120", "SIP Servers (Lync)", pool.name);
        para(
            "For Lync phones (vendor class ms-uc-client): the Registrar's FQDN, the front-end "
            "pool (the Lync reference: option 120 names the Registrar; it may list up to two "
            "Registrar FQDNs).");
        if (bytes) {
            note("  hex " + hex_with_colons(*bytes));
            dhcp_server_syntax(*bytes);
        }
        option_line("043", "Vendor Specific (Lync)", "the URL of the Lync Web Services");
        para(
            "For class ms-uc-client: the URL of the web server, which this site file does not "
            "hold (the reference sets it with DHCPUtil.exe and checks it with "
            "test-CsPhoneBootstrap). Lync phones send a DHCPINFORM for 43 and 120 and look the "
            "Registrar up in DNS at the same time; without DHCP they use _sipinternaltls._tcp." +
            site_.domain + " (below).");
    }

    // -----------------------------------------------------------------------------------------
    // DHCPv6 (RFC 8415): the same settings for phones that take them over IPv6. The codes are
    // written with five digits, as Windows' DHCPv6 scope options show them.

    static constexpr std::size_t kV6Column = 40;

    void option_line6(const char* code, const char* name, const std::string& value) {
        option_line(code, name, value, kV6Column);
    }

    // The lines to paste, per server; each option in the form that server's configuration takes.
    struct Dhcpv6Snippets {
        std::vector<std::string> isc;  // dhcpd.conf of `dhcpd -6`
        std::vector<std::string> kea;  // members of Dhcp6's "option-data" list
    };

    void dhcpv6_options() {
        wrap(3,
             "DHCPv6 options (the site has IPv6 addresses): the same settings for phones that "
             "take them over IPv6, from a DHCPv6 server (RFC 8415: stateful, or stateless with an "
             "Information-request when the routers' advertisements set the O flag, RFC 4861 "
             "§4.2)");
        Dhcpv6Snippets paste;
        option23(paste);
        option24(paste);
        option56(paste);
        options21and22(paste);
        note("ISC dhcpd (dhcpd.conf of dhcpd -6):");
        for (const auto& line : paste.isc) note("  " + line);
        note("Kea (kea-dhcp6, in \"Dhcp6\"):");
        note("  \"option-data\": [");
        for (std::size_t i = 0; i < paste.kea.size(); ++i)
            note("    " + paste.kea[i] + (i + 1 < paste.kea.size() ? "," : ""));
        note("  ]");
    }

    // RFC 3646 §3: the recursive name servers' IPv6 addresses, in order of preference.
    void option23(Dhcpv6Snippets& paste) {
        std::vector<std::string> addresses, missing;
        for (const auto& ns : name_servers(zones_)) {
            const auto v6 = ipv6_of(zones_, ns);
            if (v6.empty()) missing.push_back(plain(ns));
            for (const auto& a : v6) addresses.push_back(a.to_string());
        }
        if (addresses.empty()) {
            option_line6("00023", "DNS Recursive Name Server",
                         "not set: no name server has an IPv6 address in the site file");
            return;
        }
        option_line6("00023", "DNS Recursive Name Server", join(addresses, " "));
        para("RFC 3646 §3: the IPv6 addresses of the name servers, as option 6, primary first.");
        if (!missing.empty())
            para("No IPv6 address in the site file for " + join(missing, ", ") +
                 ": add it by hand if it serves IPv6.");
        paste.isc.push_back("option dhcp6.name-servers " + join(addresses, ", ") + ";");
        paste.kea.push_back("{ \"name\": \"dns-servers\", \"data\": \"" + join(addresses, ", ") +
                            "\" }");
    }

    // RFC 3646 §4: the domain search list, as option 15.
    void option24(Dhcpv6Snippets& paste) {
        option_line6("00024", "Domain Search List", site_.domain);
        paste.isc.push_back("option dhcp6.domain-search \"" + site_.domain + "\";");
        paste.kea.push_back("{ \"name\": \"domain-search\", \"data\": \"" + site_.domain +
                            "\" }");
    }

    // RFC 5908 §4: one time-source suboption 1 (server address) per IPv6 address of
    // ntp.<domain>. ISC dhcpd 4.4 and Kea 2.2 have no definition of option 56, so both take
    // its bytes: dhcpd as a string option defined here, Kea as code 56 in hex.
    void option56(Dhcpv6Snippets& paste) {
        const std::string ntp_wire = name_under("ntp", name_to_wire(site_.domain));
        const auto v6 = ipv6_of(zones_, ntp_wire);
        if (v6.empty()) {
            option_line6("00056", "NTP Server", "not set: " + ntp_missing(ntp_wire, "IPv6"));
            if (!ipv4_of(zones_, ntp_wire).empty())
                para("Its IPv4 address is in option 42 above (RFC 5908 §4.1 carries IPv6 "
                     "addresses).");
            return;
        }
        std::vector<NtpTimeSource> sources;
        for (const auto& a : v6) sources.push_back({a, {}});
        const auto bytes = encode_ntp_server(sources);
        option_line6("00056", "NTP Server", join(to_strings(v6), " "));
        para(ntp_name() + ": RFC 5908 §4.1, a server address suboption (code 1) for each of its "
                          "IPv6 addresses.");
        if (!bytes) return;  // IPv6 addresses only: cannot fail
        note("  hex " + hex_with_colons(*bytes));
        paste.isc.push_back("option dhcp6.ntp-server code 56 = string;");
        paste.isc.push_back("option dhcp6.ntp-server " + hex_with_colons(*bytes) + ";");
        paste.kea.push_back("{ \"code\": 56, \"csv-format\": false, \"data\": \"" +
                            hex_plain(*bytes) + "\" }");
    }

    // RFC 3319: the outbound SIP servers, by name (§3.1, option 21) and by IPv6 address
    // (§3.2, option 22): two options, without RFC 3361's encoding byte (§3).
    void options21and22(Dhcpv6Snippets& paste) {
        const bool lync_only = site_.lync && site_.servers.empty() && site_.clusters.empty();
        if (lync_only) {
            option_line6("00021", "SIP Servers Domain Name List",
                         "not set: Lync phones find the Registrar by DHCPv4 option 120 and DNS");
            return;
        }
        const SipDomainAdvice advice = advise_sip_domain(site_, zones_);
        if (advice.basis == SipDomainAdvice::Basis::None) {
            option_line6("00021", "SIP Servers Domain Name List",
                         "not set: no SIP server in this site");
            return;
        }
        option_line6("00021", "SIP Servers Domain Name List", join(advice.values, " "));
        paste.isc.push_back("option dhcp6.sip-servers-names " +
                            join(quoted(advice.values), ", ") + ";");
        paste.kea.push_back("{ \"name\": \"sip-server-dns\", \"data\": \"" +
                            join(advice.values, ", ") + "\" }");
        std::vector<config::IpAddress> v6;
        for (const auto& server : site_.servers)
            if (server.ipv6) v6.push_back(*server.ipv6);
        if (!v6.empty()) {
            const std::string list = join(to_strings(v6), ", ");
            option_line6("00022", "SIP Servers IPv6 Address List", join(to_strings(v6), " "));
            paste.isc.push_back("option dhcp6.sip-servers-addresses " + list + ";");
            paste.kea.push_back("{ \"name\": \"sip-server-addr\", \"data\": \"" + list + "\" }");
        } else if (advice.basis == SipDomainAdvice::Basis::Cluster) {
            option_line6("00022", "SIP Servers IPv6 Address List",
                         "not set: the proxies depend on the phone's data centre");
        } else {
            option_line6("00022", "SIP Servers IPv6 Address List",
                         "not set: no call server has an IPv6 address");
        }
        para("In order of preference. The name is better: phones resolve it by RFC 3263 (NAPTR, "
             "SRV), which keeps the failover order.");
    }

    static std::vector<std::string> quoted(const std::vector<std::string>& items) {
        std::vector<std::string> out;
        for (const auto& item : items) out.push_back("\"" + item + "\"");
        return out;
    }

    // -----------------------------------------------------------------------------------------
    // DNS checks

    std::string dig(const std::string& name, const char* type, bool reverse) const {
        std::string cmd = "dig @" + target_.address;
        if (target_.port != 53) cmd += " -p " + std::to_string(target_.port);
        cmd += " +short ";
        if (reverse) return cmd + "-x " + name;
        return cmd + shell_word(name) + " " + type;
    }

    std::string dig_referral(const std::string& name) const {
        std::string cmd = "dig @" + target_.address;
        if (target_.port != 53) cmd += " -p " + std::to_string(target_.port);
        return cmd + " +norecurse +noall +authority " + shell_word(name) + " NS";
    }

    std::string nslookup(const std::string& name, const char* type) const {
        std::string cmd = "nslookup";
        if (target_.port != 53) cmd += " -port=" + std::to_string(target_.port);
        if (type) cmd += std::string(" -type=") + type;
        return cmd + " " + shell_word(name) + " " + target_.address;
    }

    void expect(const char* prefix, const std::vector<std::string>& values) {
        const std::string pad(std::string(prefix).size(), ' ');
        for (std::size_t i = 0; i < values.size(); ++i)
            out_ << (i ? pad : std::string(prefix)) << values[i] << "\n";
    }

    // server.transfer: the secondaries' side (Knot, NSD, BIND) for every zone, with the TSIG
    // key's name and algorithm when the site has one (RFC 8945) — never its secret.
    void secondaries() {
        const config::DaemonSettings& d = site_.server;
        if (!d.transfer_key && d.transfer_allow.empty() && d.transfer_notify.empty()) return;
        out_ << "\n4. Secondaries (zone transfer from this server, NOTIFY on every new serial)\n";
        const std::string primary = target_.address;
        const config::TransferKey* key = d.transfer_key ? &*d.transfer_key : nullptr;
        std::vector<std::string> apexes;
        for (const auto& z : zones_.zones()) {
            std::string apex = name_to_text(z->apex());
            if (apex.ends_with('.')) apex.pop_back();
            apexes.push_back(apex);
        }
        if (key) {
            const std::string where = key->secret_file.empty()
                                          ? std::string("server.transfer.key.secret")
                                          : key->secret_file;
            para("Transfers must be signed with the TSIG key " + key->name + " (" +
                 key->algorithm + "); the secret is in " + where +
                 " and is not printed here. What a secondary gets:");
            out_ << "       dig -y " << key->algorithm << ":" << key->name << ":<secret> AXFR "
                 << apexes.front() << " @" << primary << " -p " << target_.port << "\n";
        } else {
            para("Transfers are allowed by source address only (server.transfer.allow); a key "
                 "(server.transfer.key) signs them.");
        }
        para("Replace " + primary + " with this server's address as the secondary reaches it.");
        // RFC 9432: with a catalog zone, Knot and BIND take the member zones from it (a new
        // reverse zone reaches them by itself); NSD does not consume catalogs: every zone.
        std::string catalog;
        if (const Zone* cat = zones_.catalog_zone()) {
            catalog = name_to_text(cat->apex());
            if (catalog.ends_with('.')) catalog.pop_back();
            para("Knot and BIND consume the catalog zone " + catalog +
                 " (RFC 9432): configure only it, and they add and remove the site's zones as it "
                 "lists them. NSD does not consume catalogs: it lists every zone.");
        }
        std::vector<std::string> members;
        for (const auto& apex : apexes)
            if (apex != catalog) members.push_back(apex);
        const std::string secret = "<secret>";
        out_ << "\n   # Knot DNS (knot.conf)\n";
        if (key)
            out_ << "   key:\n     - id: " << key->name << "\n       algorithm: " << key->algorithm
                 << "\n       secret: " << secret << "\n";
        out_ << "   remote:\n     - id: sipdnsd\n       address: " << primary << "@"
             << target_.port << "\n";
        if (key) out_ << "       key: " << key->name << "\n";
        out_ << "   acl:\n     - id: notify-from-sipdnsd\n       address: " << primary << "\n";
        if (key) out_ << "       key: " << key->name << "\n";
        out_ << "       action: notify\n";
        if (!catalog.empty())
            out_ << "   template:\n     - id: sipdnsd-member\n       master: sipdnsd\n"
                    "       acl: notify-from-sipdnsd\n";
        out_ << "   zone:\n";
        for (const auto& apex : catalog.empty() ? members : std::vector<std::string>{catalog}) {
            out_ << "     - domain: " << apex
                 << "\n       master: sipdnsd\n       acl: notify-from-sipdnsd\n";
            if (!catalog.empty())
                out_ << "       catalog-role: interpret\n       catalog-template: sipdnsd-member\n";
        }
        out_ << "\n   # NSD (nsd.conf)\n";
        if (key)
            out_ << "   key:\n       name: \"" << key->name << "\"\n       algorithm: "
                 << key->algorithm << "\n       secret: \"" << secret << "\"\n";
        const std::string nsd_key = key ? key->name : std::string("NOKEY");
        for (const auto& apex : members)
            out_ << "   zone:\n       name: \"" << apex << "\"\n       request-xfr: " << primary
                 << "@" << target_.port << " " << nsd_key << "\n       allow-notify: " << primary
                 << " " << nsd_key << "\n";
        out_ << "\n   # BIND (named.conf)\n";
        if (key)
            out_ << "   key \"" << key->name << "\" { algorithm " << key->algorithm
                 << "; secret \"" << secret << "\"; };\n";
        const std::string bind_key = key ? " key " + key->name : std::string();
        const std::string bind_primaries =
            "{ " + primary + " port " + std::to_string(target_.port) + bind_key + "; }";
        if (!catalog.empty())
            out_ << "   options { catalog-zones { zone \"" << catalog << "\" default-primaries "
                 << bind_primaries << "; }; };  # in the existing options block\n";
        for (const auto& apex : catalog.empty() ? members : std::vector<std::string>{catalog})
            out_ << "   zone \"" << apex << "\" { type secondary; primaries " << bind_primaries
                 << "; file \"" << apex << ".db\";"
                 << (key ? " allow-notify { key " + key->name + "; };" : std::string()) << " };\n";
    }

    void dns_checks() {
        out_ << "3. DNS checks: every record, the commands to ask for it, and the answer to "
                "expect\n";
        wrap(3, "Queries go to " + target_.address + " port " + std::to_string(target_.port) +
                    " (" + target_.why +
                    "). The SCS guide's test: nslookup a server's name, "
                    "then its address; each must return the other. dig +short prints the "
                    "answer's records one per line.");
        if (!site_.soa.serial)
            wrap(3,
                 "<serial>: the zone's serial (sipdnsd check prints it; it follows the "
                 "file's modification time)." +
                     std::string(zones_.catalog_zone()
                                     ? " The catalog zone's serial is its own: it changes "
                                       "only when a zone is added or removed (RFC 9432)."
                                     : ""));
        if (views_.has_location_views())
            wrap(3,
                 "Clients in a location get their own cluster answers: run the commands "
                 "from a machine in that subnet to see them; elsewhere the default answers "
                 "apply.");
        for (const auto& z : checks_.zones) {
            out_ << "\n   zone " << z.apex << "\n";
            for (const DnsCheck& check : z.checks) {
                const std::string type = type_name(check.type);
                switch (check.kind) {
                    case DnsCheck::Kind::BelowDelegation:
                        out_ << "   " << check.name
                             << ": below a delegation, sent as glue in referrals "
                                "only\n";
                        continue;
                    case DnsCheck::Kind::Referral:
                        out_ << "   " << check.name
                             << " NS (a delegation: a referral, NS in the "
                                "authority section)\n";
                        out_ << "     " << dig_referral(check.name) << "\n";
                        out_ << "     " << nslookup(check.name, "NS") << "\n";
                        expect("     expect: ", check.expected);
                        continue;
                    case DnsCheck::Kind::ReverseAddress: {
                        const std::string address = check.address->to_string();
                        out_ << "   " << address << " (" << check.name << " PTR)\n";
                        out_ << "     " << dig(address, "PTR", true) << "\n";
                        out_ << "     " << nslookup(address, nullptr) << "\n";
                        break;
                    }
                    case DnsCheck::Kind::Answer:
                        out_ << "   " << check.name << " " << type << "\n";
                        out_ << "     " << dig(check.name, type.c_str(), false) << "\n";
                        out_ << "     "
                             << nslookup(check.name,
                                         check.type == rrtype::A ? nullptr : type.c_str())
                             << "\n";
                        break;
                }
                expect("     expect: ", check.expected);
                for (const auto& other : check.from_locations) {
                    out_ << "     asked from " << other.location << " ("
                         << join(other.prefixes, " ") << "):\n";
                    expect("     expect: ", other.expected);
                }
            }
        }
    }
};

}  // namespace

std::string render_install_plan(const config::SiteConfig& site, const SiteZones& zones,
                                const PlanOptions& options) {
    return PlanWriter(site, zones, options).run();
}

}  // namespace sipdns::zone
