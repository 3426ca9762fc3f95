// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
// RFC 3263 §4 (locating a SIP server), with RFC 3403/2915 (NAPTR order) and RFC 2782 (SRV
// selection).
#include "sipdns/resolve/rfc3263.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <sstream>
#include <utility>

#include "text.h"

namespace sipdns::resolve {

namespace {

// A name as the steps show it: no trailing dot, lower case.
std::string plain_name(std::string_view name) {
    std::string out = lower(name);
    if (out.size() > 1 && out.back() == '.') out.pop_back();
    return out;
}

// RFC 3263 §4.2: the default port, 5061 for TLS, 5060 for the others.
std::uint16_t default_port(Transport t) {
    return t == Transport::Tls ? 5061 : 5060;
}

// RFC 3263 §4.1: "_sips" for SIPS (TLS over TCP), "_sip" with "_tcp" or "_udp" otherwise.
std::string srv_owner(Transport t, const std::string& domain) {
    switch (t) {
        case Transport::Tls:
            return "_sips._tcp." + domain;
        case Transport::Tcp:
            return "_sip._tcp." + domain;
        case Transport::Udp:
            return "_sip._udp." + domain;
    }
    return domain;
}

std::string quoted(const std::string& s) {
    return "\"" + s + "\"";
}

std::string naptr_text(const NaptrRecord& n) {
    return std::to_string(n.order) + " " + std::to_string(n.preference) + " " + quoted(n.flags) +
           " " + quoted(n.services) + " " + quoted(n.regexp) + " " + n.replacement;
}

std::string srv_text(const SrvRecord& s) {
    return std::to_string(s.priority) + " " + std::to_string(s.weight) + " " +
           std::to_string(s.port) + " " + s.target;
}

class Locator {
  public:
    Locator(const SipUri& uri, std::optional<Transport> only, DnsLookups& dns)
        : uri_(uri), only_(only), dns_(dns) {}

    Resolution run() {
        const Transport usual = uri_.sips ? Transport::Tls : Transport::Udp;
        if (uri_.sips && only_ && *only_ != Transport::Tls) {
            rule("a sips: URI is reached over TLS only (RFC 3261 §26.2.2): nothing to try over " +
                 std::string(transport_name(*only_)));
            return std::move(r_);
        }
        if (uri_.transport && only_ && *uri_.transport != *only_) {
            rule("the URI asks for transport=" + std::string(transport_name(*uri_.transport)) +
                 ", the client is restricted to " + std::string(transport_name(*only_)));
            return std::move(r_);
        }
        // RFC 3263 §4.1: a transport parameter decides; else a numeric host or an explicit
        // port means UDP for sip:, TLS over TCP for sips:. --transport stands for a client
        // that only has that transport.
        const Transport chosen = uri_.transport ? *uri_.transport : only_ ? *only_ : usual;
        const std::string why_transport =
            uri_.transport ? "the URI's transport parameter"
            : only_        ? "--transport"
                           : (uri_.sips ? "TLS for a sips: URI" : "UDP for a sip: URI") +
                          std::string(" (RFC 3263 §4.1)");
        if (uri_.numeric_host) {
            const std::uint16_t port = uri_.port ? *uri_.port : default_port(chosen);
            rule("the host is a numeric address: no DNS lookup (RFC 3263 §4.2); transport: " +
                 why_transport + "; port: " +
                 (uri_.port ? "the URI's" : "the default for " + std::string(transport_name(chosen))));
            r_.destinations.push_back({chosen, uri_.host, port, "the URI's address"});
            return std::move(r_);
        }
        if (uri_.port) {
            rule("the URI has a port: no NAPTR or SRV lookup, the host's A/AAAA records at that "
                 "port (RFC 3263 §4.2); transport: " + why_transport);
            addresses(uri_.host, chosen, *uri_.port, uri_.host + " (the URI's host and port)");
            address_rule();
            return std::move(r_);
        }
        Transport fallback = chosen;
        if (uri_.transport) {
            rule("the URI names its transport: no NAPTR lookup, SRV for " +
                 std::string(transport_name(chosen)) + " (RFC 3263 §4.1, §4.2)");
            srv_targets(srv_owner(chosen, uri_.host), chosen);
        } else if (!naptr_step(fallback)) {
            if (r_.unreachable) return std::move(r_);
            std::vector<Transport> transports;
            if (!uri_.sips) transports = {Transport::Tls, Transport::Tcp, Transport::Udp};
            else transports = {Transport::Tls};
            std::string names;
            for (const Transport t : transports) {
                if (only_ && t != *only_) continue;
                names += (names.empty() ? "" : ", then ") + std::string(transport_name(t));
            }
            rule("no usable NAPTR: an SRV query for each transport the client supports (RFC 3263 "
                 "§4.1; the client may use any whose query succeeds), here " + names);
            for (const Transport t : transports) {
                if (only_ && t != *only_) continue;
                srv_targets(srv_owner(t, uri_.host), t);
                if (r_.unreachable) return std::move(r_);
            }
        }
        if (r_.unreachable) return std::move(r_);
        if (!srv_found_) {
            // RFC 3263 §4.2: no SRV records, the domain's own addresses at the default port
            // of the transport determined before.
            rule("no SRV records: the domain's A/AAAA records at port " +
                 std::to_string(default_port(fallback)) + ", the default for " +
                 std::string(transport_name(fallback)) + " (RFC 3263 §4.2)");
            addresses(uri_.host, fallback, default_port(fallback),
                      uri_.host + " (no SRV: the domain itself)");
        } else {
            rule("SRV order (RFC 2782): lowest priority first; within a priority a client picks "
                 "at random weighted by the weights (each record's chance is its weight over the "
                 "sum of those not yet tried), so this list shows higher weights first and puts "
                 "weight-0 records last in their priority (RFC 2782: they have a very small "
                 "chance while others have weight); equal weights by name");
        }
        address_rule();
        return std::move(r_);
    }

  private:
    const SipUri& uri_;
    std::optional<Transport> only_;
    DnsLookups& dns_;
    Resolution r_;
    std::map<std::pair<std::string, QueryType>, DnsAnswer> asked_;
    bool srv_found_ = false;
    bool addresses_used_ = false;

    void rule(std::string text) { r_.order_rules.push_back(std::move(text)); }

    void address_rule() {
        if (addresses_used_)
            rule("each target's IPv4 addresses (A) before its IPv6 addresses (AAAA), in the "
                 "order answered (the family order is the client's choice)");
    }

    // One query, asked once: a name seen again (a target under several transports) reuses it.
    const DnsAnswer& ask(const std::string& name, QueryType type) {
        const std::string shown = plain_name(name);
        const auto key = std::make_pair(shown, type);
        if (auto it = asked_.find(key); it != asked_.end()) return it->second;
        DnsAnswer answer = dns_.lookup(shown, type);
        Step& step = r_.steps.emplace_back();
        step.query = std::string(query_type_name(type)) + " " + shown;
        switch (answer.status) {
            case DnsAnswer::Status::Records:
                for (const auto& n : answer.naptr) step.lines.push_back(naptr_text(n));
                for (const auto& s : answer.srv) step.lines.push_back(srv_text(s));
                for (const auto& a : answer.addresses) step.lines.push_back(a);
                break;
            case DnsAnswer::Status::NoRecords:
                step.lines.push_back("no records (NOERROR)");
                break;
            case DnsAnswer::Status::NxDomain:
                step.lines.push_back("no such name (NXDOMAIN)");
                break;
            case DnsAnswer::Status::Failed:
                step.lines.push_back("failed: " + answer.detail);
                break;
            case DnsAnswer::Status::Unreachable:
                step.lines.push_back("no reply: " + answer.detail);
                r_.unreachable = "no reply to " + step.query + ": " + answer.detail;
                break;
        }
        return asked_.emplace(key, std::move(answer)).first->second;
    }

    // RFC 3263 §4.1: NAPTR at the domain. True when usable records were found and followed.
    bool naptr_step(Transport& fallback) {
        const DnsAnswer& answer = ask(uri_.host, QueryType::NAPTR);
        if (r_.unreachable) return false;
        const std::size_t step_index = r_.steps.size() - 1;
        const auto usable = usable_naptr(answer.naptr, uri_.sips, only_);
        if (answer.naptr.empty()) return false;
        if (usable.empty()) {
            r_.steps[step_index].notes.push_back(
                std::string("none usable: a client takes flag \"s\" with ") +
                (uri_.sips ? "SIPS+D2T (a sips: URI)" : "SIP+D2U, SIP+D2T or SIPS+D2T") +
                (only_ ? " over " + std::string(transport_name(*only_)) : std::string()));
            return false;
        }
        std::string list;
        for (const auto& n : usable)
            list += (list.empty() ? "" : ", ") +
                    std::string(transport_name(*naptr_transport(n.services))) + " " +
                    n.replacement;
        r_.steps[step_index].notes.push_back("usable, in order then preference: " + list);
        rule("NAPTR order (RFC 3403 §4.1, RFC 3263 §4.1): lowest order first, then lowest "
             "preference; only flag \"s\" with SIP+D2U, SIP+D2T or SIPS+D2T" +
             std::string(uri_.sips ? " (SIPS+D2T alone for a sips: URI)" : "") +
             "; each one's SRV targets in turn");
        fallback = *naptr_transport(usable.front().services);
        for (const auto& n : usable) {
            srv_targets(n.replacement, *naptr_transport(n.services));
            if (r_.unreachable) break;
        }
        return true;
    }

    void srv_targets(const std::string& owner, Transport t) {
        const DnsAnswer& answer = ask(owner, QueryType::SRV);
        if (r_.unreachable || answer.srv.empty()) return;
        srv_found_ = true;
        const std::string service = plain_name(owner);
        const std::string label = service.substr(0, service.find('.', service.find('.') + 1));
        for (const SrvRecord& s : srv_order(answer.srv)) {
            addresses(s.target, t, s.port,
                      plain_name(s.target) + " (SRV " + label + " priority " +
                          std::to_string(s.priority) + " weight " + std::to_string(s.weight) + ")");
            if (r_.unreachable) return;
        }
        if (answer.srv.size() == 1 && answer.srv.front().target == ".")
            r_.steps.back().notes.push_back(
                "target \".\": the service is decidedly not available here (RFC 2782)");
    }

    void addresses(const std::string& name, Transport t, std::uint16_t port,
                   const std::string& via) {
        for (const QueryType type : {QueryType::A, QueryType::AAAA}) {
            const DnsAnswer& answer = ask(name, type);
            if (r_.unreachable) return;
            for (const auto& a : answer.addresses) {
                r_.destinations.push_back({t, a, port, via});
                addresses_used_ = true;
            }
        }
    }
};

}  // namespace

std::string_view query_type_name(QueryType t) {
    switch (t) {
        case QueryType::NAPTR:
            return "NAPTR";
        case QueryType::SRV:
            return "SRV";
        case QueryType::A:
            return "A";
        case QueryType::AAAA:
            return "AAAA";
    }
    return "A";
}

std::optional<Transport> naptr_transport(std::string_view services) {
    const std::string s = lower(services);
    if (s == "sip+d2u") return Transport::Udp;
    if (s == "sip+d2t") return Transport::Tcp;
    if (s == "sips+d2t") return Transport::Tls;
    return std::nullopt;
}

std::vector<NaptrRecord> usable_naptr(const std::vector<NaptrRecord>& records, bool sips,
                                      std::optional<Transport> only) {
    std::vector<NaptrRecord> out;
    for (const auto& n : records) {
        const auto t = naptr_transport(n.services);
        if (!t || lower(n.flags) != "s") continue;
        if (sips && *t != Transport::Tls) continue;
        if (only && *t != *only) continue;
        out.push_back(n);
    }
    std::stable_sort(out.begin(), out.end(), [](const NaptrRecord& a, const NaptrRecord& b) {
        return std::tie(a.order, a.preference) < std::tie(b.order, b.preference);
    });
    return out;
}

std::vector<SrvRecord> srv_order(const std::vector<SrvRecord>& records) {
    std::vector<SrvRecord> out;
    for (const auto& s : records)
        if (s.target != ".") out.push_back(s);
    std::stable_sort(out.begin(), out.end(), [](const SrvRecord& a, const SrvRecord& b) {
        if (a.priority != b.priority) return a.priority < b.priority;
        if (a.weight != b.weight) return a.weight > b.weight;
        const std::string ta = lower(a.target), tb = lower(b.target);
        if (ta != tb) return ta < tb;
        return a.port < b.port;
    });
    return out;
}

Resolution resolve_sip_uri(const SipUri& uri, std::optional<Transport> only, DnsLookups& dns) {
    return Locator(uri, only, dns).run();
}

namespace {

// Prose at 92 columns: the first line after `first`, the others after as many spaces.
void wrapped(std::ostream& out, const std::string& first, const std::string& text) {
    constexpr std::size_t kWidth = 92;
    const std::string pad(first.size(), ' ');
    std::istringstream words(text);
    std::string line;
    bool first_line = true;
    auto flush = [&] {
        out << (first_line ? first : pad) << line << "\n";
        first_line = false;
        line.clear();
    };
    for (std::string word; words >> word;) {
        if (!line.empty() && first.size() + line.size() + 1 + word.size() > kWidth) flush();
        line += (line.empty() ? "" : " ") + word;
    }
    if (!line.empty()) flush();
}

}  // namespace

std::string render_resolution(const Resolution& r) {
    std::ostringstream out;
    for (std::size_t i = 0; i < r.steps.size(); ++i) {
        const Step& step = r.steps[i];
        out << i + 1 << ". " << step.query << "\n";
        for (const auto& line : step.lines) out << "     " << line << "\n";
        for (const auto& note : step.notes) wrapped(out, "   => ", note);
    }
    if (!r.steps.empty()) out << "\n";
    if (!r.order_rules.empty()) {
        out << "Order:\n";
        for (const auto& rule : r.order_rules) wrapped(out, "  - ", rule);
        out << "\n";
    }
    if (r.unreachable) {
        out << "Stopped: " << *r.unreachable << "\n";
        return out.str();
    }
    if (r.destinations.empty()) {
        out << "Nothing to try: no address for this URI.\n";
        return out.str();
    }
    out << "A SIP client tries, in this order (transport, address, port):\n";
    std::size_t width = 0;
    for (const auto& d : r.destinations) width = std::max(width, d.address.size());
    for (std::size_t i = 0; i < r.destinations.size(); ++i) {
        const Destination& d = r.destinations[i];
        std::string address = d.address;
        address.resize(width, ' ');
        std::string port = std::to_string(d.port);
        port.resize(5, ' ');
        out << (i + 1 < 10 ? "   " : "  ") << i + 1 << "  " << transport_name(d.transport) << "  "
            << address << "  " << port << "  " << d.via << "\n";
    }
    return out.str();
}

}  // namespace sipdns::resolve
