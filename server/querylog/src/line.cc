// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#include "sipdns/querylog/line.h"

#include <time.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cstdio>

#include "sipdns/zone/name.h"
#include "sipdns/zone/rr_types.h"

namespace sipdns::querylog {

namespace {

std::uint16_t read16(const std::uint8_t* p) {
    return static_cast<std::uint16_t>((p[0] << 8) | p[1]);
}

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

// Mnemonics a watcher may ask for; anything else as TYPEnnn (RFC 3597 §5) or a number.
std::optional<std::uint16_t> type_from_text(std::string_view text) {
    const std::string upper = [&] {
        std::string u(text);
        for (char& c : u) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        return u;
    }();
    if (upper == "ANY") return zone::rrtype::ANY;
    if (upper == "AXFR") return zone::rrtype::AXFR;
    if (upper == "IXFR") return zone::rrtype::IXFR;
    if (upper == "OPT") return zone::rrtype::OPT;
    for (std::uint32_t t = 1; t < 512; ++t)
        if (!upper.starts_with("TYPE") && zone::type_name(static_cast<std::uint16_t>(t)) == upper)
            return static_cast<std::uint16_t>(t);
    std::string_view digits = upper;
    if (digits.starts_with("TYPE")) digits.remove_prefix(4);
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (!digits.empty() && ec == std::errc() && end == digits.data() + digits.size() &&
        value <= 65535)
        return static_cast<std::uint16_t>(value);
    return std::nullopt;
}

std::string rcode_text(unsigned rcode) {
    static constexpr std::array<std::string_view, 17> kNames{
        "NOERROR",  "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP",  "REFUSED",
        "YXDOMAIN", "YXRRSET", "NXRRSET",  "NOTAUTH",  "NOTZONE", "DSOTYPENI",
        "RCODE12",  "RCODE13", "RCODE14",  "RCODE15",  "BADVERS"};
    return rcode < kNames.size() ? std::string(kNames[rcode]) : "RCODE" + std::to_string(rcode);
}

// Query types the record table (zone/rr_types.h) does not name: they are never record types.
std::string type_text(std::uint16_t type) {
    switch (type) {
        case zone::rrtype::ANY: return "ANY";
        case zone::rrtype::AXFR: return "AXFR";
        case zone::rrtype::IXFR: return "IXFR";
        case zone::rrtype::OPT: return "OPT";
        default: return zone::type_name(type);
    }
}

// HH:MM:SS of a second, in local time: localtime_r once per second, not once per line (the
// logger thread formats up to hundreds of thousands a second).
void append_time(std::string& out, std::int64_t ns) {
    thread_local time_t cached_second = -1;
    thread_local char cached[16];
    const time_t seconds = static_cast<time_t>(ns / 1000000000);
    if (seconds != cached_second) {
        tm local{};
        ::localtime_r(&seconds, &local);
        std::snprintf(cached, sizeof cached, "%02d:%02d:%02d", local.tm_hour % 100,
                      local.tm_min % 100, local.tm_sec % 100);
        cached_second = seconds;
    }
    const int millis = static_cast<int>((ns / 1000000) % 1000);
    out.append(cached, 8);
    out += '.';
    out += static_cast<char>('0' + millis / 100);
    out += static_cast<char>('0' + millis / 10 % 10);
    out += static_cast<char>('0' + millis % 10);
}

}  // namespace

std::optional<Question> question_of(std::span<const std::uint8_t> query) {
    if (query.size() < kDnsHeaderBytes + 5 || read16(query.data() + 4) == 0) return std::nullopt;
    std::size_t at = kDnsHeaderBytes;
    const std::size_t start = at;
    for (;;) {
        if (at >= query.size()) return std::nullopt;
        const std::uint8_t len = query[at];
        if (len == 0) break;
        if (len > 63) return std::nullopt;  // a pointer or a reserved label type
        at += 1 + len;
        if (at - start > zone::kMaxNameWire) return std::nullopt;
    }
    ++at;
    if (at + 4 > query.size()) return std::nullopt;
    Question q;
    q.name_wire = std::string_view(reinterpret_cast<const char*>(query.data() + start), at - start);
    q.type = read16(query.data() + at);
    q.qclass = read16(query.data() + at + 2);
    return q;
}

std::string format_line(const RecordView& record, const std::vector<std::string>& view_names) {
    const RecordHeader& h = *record.header;
    std::string line;
    line.reserve(128);
    append_time(line, h.query_time_ns);
    line += ' ';
    line += h.client.to_string();
    line += '#';
    line += std::to_string(h.client_port);
    line += h.transport == Transport::Udp ? " udp " : " tcp ";
    if (const auto q = question_of(record.query)) {
        std::string name = zone::name_to_text(q->name_wire);
        if (name.size() > 1) name.pop_back();  // "example.com", the root stays "."
        line += name;
        line += ' ';
        line += type_text(q->type);
        if (q->qclass != zone::rrclass::IN)
            line += q->qclass == zone::rrclass::CH ? " CH" : " CLASS" + std::to_string(q->qclass);
    } else {
        line += "(malformed, " + std::to_string(h.query_length) + "B)";
    }
    if ((h.flags & flag::Dropped) != 0 || h.response_length == 0 ||
        record.response.size() < kDnsHeaderBytes) {
        line += " dropped";
    } else {
        const std::uint8_t* r = record.response.data();
        line += ' ';
        line += rcode_text(h.rcode);
        std::string flags;
        if (r[2] & 0x04) flags += flags.empty() ? "aa" : " aa";
        if (r[2] & 0x02) flags += flags.empty() ? "tc" : " tc";
        if (r[3] & 0x80) flags += flags.empty() ? "ra" : " ra";
        if (r[3] & 0x20) flags += flags.empty() ? "ad" : " ad";
        line += ' ';
        line += flags.empty() ? "-" : flags;
        if ((h.flags & flag::Transfer) != 0) {
            line += " xfr";
        } else {
            line += ' ';
            line += std::to_string(read16(r + 6));
            line += '/';
            line += std::to_string(read16(r + 8));
            line += '/';
            line += std::to_string(read16(r + 10));
        }
        line += ' ';
        line += std::to_string(h.response_length);
        line += 'B';
    }
    if (h.view != 0 && h.view <= view_names.size()) {
        line += ' ';
        line += view_names[h.view - 1];
    }
    if ((h.flags & flag::Forwarded) != 0) {
        if ((h.flags & flag::FromCache) != 0) {
            line += " fwd cached";
        } else {
            line += " fwd ";
            line += std::to_string((h.upstream_us + 500) / 1000);
            line += "ms";
        }
    }
    if ((h.flags & flag::RateLimited) != 0) line += " rrl";
    return line;
}

bool WatchFilter::matches(const RecordView& record) const {
    if (client && !client->contains(record.header->client)) return false;
    if (name_suffix.empty() && !type) return true;
    const auto q = question_of(record.query);
    if (!q) return false;
    if (type && q->type != *type) return false;
    if (!name_suffix.empty()) {
        // Label-wise: the question's last labels are the suffix's (wire forms end alike and the
        // suffix starts at a label boundary of the question).
        const std::string name = lower(q->name_wire);
        if (name.size() < name_suffix.size()) return false;
        std::size_t at = 0;
        while (at < name.size() && name.size() - at > name_suffix.size())
            at += 1 + static_cast<unsigned char>(name[at]);
        if (at != name.size() - name_suffix.size()) return false;
        return name.compare(at, std::string::npos, name_suffix) == 0;
    }
    return true;
}

std::string WatchFilter::describe() const {
    std::string out;
    auto add = [&](std::string part) { out += (out.empty() ? "" : ", ") + part; };
    if (client) add("client " + client->to_string());
    if (!name_suffix.empty()) {
        std::string name = zone::name_to_text(name_suffix);
        if (name.size() > 1) name.pop_back();
        add("name " + name);
    }
    if (type) add("type " + type_text(*type));
    return out;
}

std::optional<WatchFilter> parse_watch_filter(std::string_view client, std::string_view name,
                                              std::string_view type, std::string& problem) {
    WatchFilter filter;
    if (!client.empty()) {
        // One address is the prefix of that address alone.
        const bool single = client.find('/') == std::string_view::npos;
        const auto address = single ? config::IpAddress::parse(client) : std::nullopt;
        const auto prefix = single ? std::nullopt : config::IpPrefix::parse(client);
        if (!address && !prefix) {
            problem = "--client '" + std::string(client) +
                      "': expected an IP address or prefix (192.0.2.55, 10.1.0.0/16, "
                      "2001:db8::/32)";
            return std::nullopt;
        }
        filter.client = address ? config::IpPrefix{*address, static_cast<std::uint8_t>(
                                                                address->is_v4() ? 32 : 128)}
                                : prefix->network();
    }
    if (!name.empty() && name != ".") {
        std::string_view text = name;
        if (text.ends_with('.')) text.remove_suffix(1);
        bool ok = !text.empty() && text.size() < zone::kMaxNameWire - 1;
        std::size_t label = 0;
        for (const char c : text) {
            if (c == '.') {
                ok = ok && label > 0;
                label = 0;
            } else {
                ok = ok && c > 0x20 && c < 0x7f && c != '\\';
                ++label;
            }
            ok = ok && label <= 63;
        }
        ok = ok && label > 0;
        if (!ok) {
            problem = "--name '" + std::string(name) +
                      "': expected a domain name (scsnetwork.local, _sip._udp.example.com)";
            return std::nullopt;
        }
        filter.name_suffix = zone::name_to_wire(text);
    }
    if (!type.empty()) {
        filter.type = type_from_text(type);
        if (!filter.type) {
            problem = "--type '" + std::string(type) +
                      "': expected a record type (A, AAAA, SRV, NAPTR, PTR, TYPE65, ...)";
            return std::nullopt;
        }
    }
    return filter;
}

}  // namespace sipdns::querylog
