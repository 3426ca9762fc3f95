// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
// Exports (docs/design.md §6 `export --format zone|dnscmd|nsupdate`). ldns prints each RR of the
// zone file and nsupdate formats, so their presentation format (escapes, TXT quoting, NAPTR
// strings) is that of a DNS library rather than ours; the dnscmd format decodes the rdata itself,
// since dnscmd takes each field as a separate cmd.exe argument. Never on the query path.
#include "sipdns/zone/exporter.h"

#include <arpa/inet.h>

#include <memory>
#include <optional>
#include <stdexcept>
#include <vector>

// After the C++ headers: ldns's common.h defines `bool`/`false` macros that break <optional>.
#include <ldns/ldns.h>

#include "sipdns/zone/name.h"
#include "sipdns/zone/rr_types.h"

namespace sipdns::zone {

std::string record_to_text(std::string_view owner, std::uint16_t type, std::uint32_t ttl,
                           std::string_view rdata) {
    std::string wire(owner);
    auto put16 = [&](std::uint32_t v) {
        wire.push_back(static_cast<char>((v >> 8) & 0xff));
        wire.push_back(static_cast<char>(v & 0xff));
    };
    put16(type);
    put16(rrclass::IN);
    put16(ttl >> 16);
    put16(ttl & 0xffff);
    put16(static_cast<std::uint32_t>(rdata.size()));
    wire.append(rdata);

    ldns_rr* rr = nullptr;
    size_t pos = 0;
    if (ldns_wire2rr(&rr, reinterpret_cast<const uint8_t*>(wire.data()), wire.size(), &pos,
                     LDNS_SECTION_ANSWER) != LDNS_STATUS_OK)
        throw std::runtime_error("cannot encode a record of " + name_to_text(owner));
    std::unique_ptr<ldns_rr, decltype(&ldns_rr_free)> guard(rr, ldns_rr_free);
    char* text = ldns_rr2str(rr);
    if (!text) throw std::runtime_error("cannot print a record of " + name_to_text(owner));
    std::string out(text);
    LDNS_FREE(text);
    while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
    return out;
}

std::string export_zone_files(const ZoneSet& zones) {
    std::string out;
    for (const auto& z : zones.zones()) {
        if (!out.empty()) out += "\n";
        out += "$ORIGIN " + name_to_text(z->apex()) + "\n";
        const RRset& soa = z->soa();
        out += "$TTL " + std::to_string(soa.ttl) + "\n";
        // SOA first (RFC 1035 §5.2), then the rest in canonical order.
        out += record_to_text(z->apex(), rrtype::SOA, soa.ttl, soa.rdatas.front()) + "\n";
        for (const Node* node : z->nodes_in_canonical_order())
            for (const auto& set : node->rrsets) {
                if (set.type == rrtype::SOA) continue;
                for (const auto& rd : set.rdatas)
                    out += record_to_text(node->name, set.type, set.ttl, rd) + "\n";
            }
    }
    return out;
}

namespace {

std::uint16_t get16(std::string_view s, std::size_t at) {
    return static_cast<std::uint16_t>((static_cast<unsigned char>(s[at]) << 8) |
                                      static_cast<unsigned char>(s[at + 1]));
}

// The zone name as dnscmd and nsupdate take it: "scsnetwork.local" (no trailing dot).
std::string zone_name(std::string_view apex) {
    std::string text = name_to_text(apex);
    if (text.size() > 1 && text.back() == '.') text.pop_back();
    return text;
}

// The owner relative to the zone apex, as dnscmd's NodeName: "@" for the apex, "_sip._tcp.rr.scs1"
// below it (dnscmd: "node name relative to the ZoneName", "@" for the zone root).
std::string relative_node(std::string_view owner, std::string_view apex) {
    if (owner == apex) return "@";
    if (owner.size() > apex.size() && name_is_at_or_below(owner, apex)) {
        std::string prefix(owner.substr(0, owner.size() - apex.size()));
        prefix.push_back('\0');
        std::string text = name_to_text(prefix);
        text.pop_back();  // the trailing dot of the (relative) labels
        return text;
    }
    return name_to_text(owner);  // not below the apex (never for a built zone): the FQDN
}

// A name or number cmd.exe passes to dnscmd as one argument, unchanged: no blanks, quotes,
// escapes, `%` (batch-file variables), `&|<>^()` (cmd operators), and not taken for a switch.
bool is_plain_argument(std::string_view s) {
    if (s.empty() || s.front() == '/') return false;
    for (unsigned char c : s) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_' || c == '*' ||
                        c == '@' || c == ':' || c == '/';
        if (!ok) return false;
    }
    return true;
}

// A <character-string> as one quoted cmd.exe argument, or nothing when it cannot be one: a `"`
// (cmd.exe and the C runtime disagree on escaped quotes) or a byte outside printable ASCII (the
// console code page would change it). `%` is doubled (a batch file expands `%...%`); trailing
// backslashes are doubled so the closing quote stays a quote (C runtime argument rules).
std::optional<std::string> quoted_argument(std::string_view s) {
    std::string out = "\"";
    for (unsigned char c : s) {
        if (c < 0x20 || c > 0x7e || c == '"') return std::nullopt;
        if (c == '%') out.push_back('%');
        out.push_back(static_cast<char>(c));
    }
    std::size_t trailing = 0;
    while (trailing < s.size() && s[s.size() - 1 - trailing] == '\\') ++trailing;
    out.append(trailing, '\\');
    out.push_back('"');
    return out;
}

// Reads the rdata fields dnscmd takes; each returns false when the rdata is malformed or a field
// cannot be passed as a cmd.exe argument.
class RdataReader {
  public:
    explicit RdataReader(std::string_view rd) : rd_(rd) {}
    bool u16(std::vector<std::string>& args) {
        if (at_ + 2 > rd_.size()) return false;
        args.push_back(std::to_string(get16(rd_, at_)));
        at_ += 2;
        return true;
    }
    bool name(std::vector<std::string>& args) {
        const std::size_t n = name_wire_length(rd_.substr(at_));
        if (n == 0) return false;
        std::string text = name_to_text(rd_.substr(at_, n));  // FQDN with its trailing dot
        at_ += n;
        if (!is_plain_argument(text)) return false;
        args.push_back(std::move(text));
        return true;
    }
    bool string(std::vector<std::string>& args) {
        if (at_ >= rd_.size()) return false;
        const std::size_t len = static_cast<unsigned char>(rd_[at_]);
        if (at_ + 1 + len > rd_.size()) return false;
        auto q = quoted_argument(rd_.substr(at_ + 1, len));
        at_ += 1 + len;
        if (!q) return false;
        args.push_back(std::move(*q));
        return true;
    }
    bool address(std::vector<std::string>& args, int family, std::size_t len) {
        if (rd_.size() != len) return false;
        char buf[INET6_ADDRSTRLEN];
        if (!inet_ntop(family, rd_.data(), buf, sizeof buf)) return false;
        args.emplace_back(buf);
        at_ = len;
        return true;
    }
    bool done() const { return at_ == rd_.size(); }
    bool at_end() const { return at_ >= rd_.size(); }

  private:
    std::string_view rd_;
    std::size_t at_ = 0;
};

// dnscmd's <RRType> <RRData> arguments (dnscmd /RecordAdd /?): A <IPAddress>; AAAA
// <Ipv6Address>; NS, CNAME, PTR <HostName>; MX <Preference> <ServerName>; SRV <Priority>
// <Weight> <Port> <HostName>; TXT <String> [<String>...]; HINFO <CPU> <OS>; NAPTR <Order>
// <Preference> <Flags> <Service> <Regexp> <Replacement>. Names are FQDNs with a trailing dot.
std::optional<std::string> dnscmd_rrdata(std::uint16_t type, std::string_view rd) {
    RdataReader r(rd);
    std::vector<std::string> args{type_name(type)};
    bool ok = false;
    switch (type) {
        case rrtype::A:
            ok = r.address(args, AF_INET, 4);
            break;
        case rrtype::AAAA:
            ok = r.address(args, AF_INET6, 16);
            break;
        case rrtype::NS:
        case rrtype::CNAME:
        case rrtype::PTR:
            ok = r.name(args);
            break;
        case rrtype::MX:
            ok = r.u16(args) && r.name(args);
            break;
        case rrtype::SRV:
            ok = r.u16(args) && r.u16(args) && r.u16(args) && r.name(args);
            break;
        case rrtype::TXT:
            ok = !r.at_end();
            while (ok && !r.at_end()) ok = r.string(args);
            break;
        case 13:  // HINFO
            ok = r.string(args) && r.string(args);
            break;
        case rrtype::NAPTR:
            ok = r.u16(args) && r.u16(args) && r.string(args) && r.string(args) && r.string(args) &&
                 r.name(args);
            break;
        default:
            return std::nullopt;
    }
    if (!ok || !r.done()) return std::nullopt;
    std::string out;
    for (const auto& a : args) {
        if (!out.empty()) out.push_back(' ');
        out += a;
    }
    return out;
}

// A `rem` line: cmd.exe still expands %...% in it, and a `^` at its end would join the next line.
std::string rem_line(std::string_view text) {
    std::string out = "rem";
    if (!text.empty()) out.push_back(' ');
    for (unsigned char c : text) {
        if (c == '\t') c = ' ';
        if (c < 0x20 || c > 0x7e) c = '?';
        if (c == '%') out.push_back('%');
        out.push_back(static_cast<char>(c));
    }
    if (out.back() == '^') out.push_back(' ');
    out.push_back('\n');
    return out;
}

std::string tabs_to_spaces(std::string s) {
    for (char& c : s)
        if (c == '\t') c = ' ';
    return s;
}

}  // namespace

std::string export_dnscmd(const ZoneSet& zones, std::string_view server) {
    const std::string dnscmd = "dnscmd " + std::string(server) + " ";
    std::string out;
    const Zone* fwd = zones.forward_zone();
    out += rem_line("sipdnsd export --format dnscmd" +
                    (fwd ? ": the DNS records of " + zone_name(fwd->apex()) : std::string()));
    out +=
        rem_line("for a Windows DNS server. Run it ON the Windows DNS server (\".\" is the local");
    out +=
        rem_line("server; or put the server's name or address in its place), as an administrator,");
    out +=
        rem_line("saved as a .cmd file, e.g.  sipdnsd export site.yaml --format dnscmd > site.cmd");
    out +=
        rem_line("Each zone is created first (dnscmd /ZoneAdd ... /Primary); a zone that already");
    out +=
        rem_line("exists (e.g. Active Directory-integrated) makes that line fail, and the records");
    out +=
        rem_line("are added to the existing zone. A record that exists already is left as it is.");
    out +=
        rem_line("Not added: the SOA and NS records of the zones themselves. Windows DNS creates");
    out += rem_line("them with the zone, naming itself as the zone's name server.");
    out +=
        rem_line("A record dnscmd cannot create is a \"rem NOT ADDED:\" line with its zone-file");
    out += rem_line("text: add it by hand (DNS Manager, or Add-DnsServerResourceRecord).");
    out += rem_line("");
    for (const auto& z : zones.zones()) {
        // The catalog (RFC 9432) is for sipdnsd's own secondaries, not a zone of the site.
        if (z.get() == zones.catalog_zone()) continue;
        const std::string name = zone_name(z->apex());
        out += dnscmd + "/ZoneAdd " + name + " /Primary /file " + name + ".dns\n";
    }
    for (const auto& z : zones.zones()) {
        if (z.get() == zones.catalog_zone()) continue;
        const std::string name = zone_name(z->apex());
        out += "\n";
        out += rem_line("zone " + name);
        for (const Node* node : z->nodes_in_canonical_order()) {
            const std::string rel = relative_node(node->name, z->apex());
            for (const auto& set : node->rrsets) {
                if (set.type == rrtype::SOA) continue;
                if (set.type == rrtype::NS && node->name == z->apex()) continue;
                for (const auto& rd : set.rdatas) {
                    auto data = dnscmd_rrdata(set.type, rd);
                    if (!data || !is_plain_argument(rel)) {
                        out += rem_line("NOT ADDED: " + tabs_to_spaces(record_to_text(
                                                            node->name, set.type, set.ttl, rd)));
                        continue;
                    }
                    out += dnscmd + "/RecordAdd " + name + " " + rel + " " +
                           std::to_string(set.ttl) + " " + *data + "\n";
                }
            }
        }
    }
    return out;
}

std::string export_nsupdate(const ZoneSet& zones) {
    // nsupdate sends a large update over TCP, and a DNS message holds at most 65535 octets
    // (RFC 1035 §4.2.2): split a zone's updates into messages of at most this many octets of
    // uncompressed RRs. Each message is applied atomically (RFC 2136 §3.7); a small zone is one.
    constexpr std::size_t kMaxMessageOctets = 32000;
    std::string out;
    out +=
        "; sipdnsd export --format nsupdate: the records of every zone of the site as RFC 2136\n";
    out += "; dynamic updates, for nsupdate(1) (BIND) or knsupdate(1) (Knot DNS).\n";
    out +=
        "; Name the server first: a line \"server ADDRESS [PORT]\" before the first \"zone\", "
        "e.g.\n";
    out +=
        ";   (echo 'server 192.0.2.53 53'; sipdnsd export site.yaml --format nsupdate) | nsupdate "
        "-k KEYFILE\n";
    out +=
        "; Every zone must exist on that server and allow updates from you (allow-update, "
        "update-policy\n";
    out +=
        "; or a TSIG key). The SOA is not sent (the server keeps its own); the zone's NS records "
        "are\n";
    out +=
        "; added beside the server's own. Add only: records already there stay, nothing is "
        "deleted.\n";
    for (const auto& z : zones.zones()) {
        // The catalog (RFC 9432) is for sipdnsd's own secondaries, not a zone of the site.
        if (z.get() == zones.catalog_zone()) continue;
        const std::string origin = name_to_text(z->apex());
        std::vector<std::pair<std::string, std::size_t>> lines;  // text, uncompressed octets
        std::vector<std::pair<std::string, std::size_t>> apex_ns;
        for (const Node* node : z->nodes_in_canonical_order())
            for (const auto& set : node->rrsets) {
                if (set.type == rrtype::SOA) continue;
                const bool is_apex_ns = set.type == rrtype::NS && node->name == z->apex();
                for (const auto& rd : set.rdatas) {
                    std::string line =
                        "update add " +
                        tabs_to_spaces(record_to_text(node->name, set.type, set.ttl, rd)) + "\n";
                    const std::size_t octets = node->name.size() + 10 + rd.size();
                    (is_apex_ns ? apex_ns : lines).emplace_back(std::move(line), octets);
                }
            }
        // The NS records last: an in-zone name server's addresses are in the zone by then.
        for (auto& l : apex_ns) lines.push_back(std::move(l));
        out += "\n; zone " + origin + " (" + std::to_string(lines.size()) + " records)\n";
        std::size_t used = 0;
        bool open = false;
        for (const auto& [line, octets] : lines) {
            if (open && used + octets > kMaxMessageOctets) {
                out += "send\n";
                open = false;
            }
            if (!open) {
                out += "zone " + origin + "\n";
                open = true;
                used = z->apex().size() + 16;  // header and zone section
            }
            out += line;
            used += octets;
        }
        if (open) out += "send\n";
    }
    return out;
}

}  // namespace sipdns::zone
