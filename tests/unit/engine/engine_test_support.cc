// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#include "engine_test_support.h"

#include <algorithm>
#include <cctype>

#include "sipdns/zone/name.h"

namespace sipdns::test {

namespace {
void put16(std::vector<std::uint8_t>& v, std::uint16_t x) {
    v.push_back(static_cast<std::uint8_t>(x >> 8));
    v.push_back(static_cast<std::uint8_t>(x & 0xff));
}
}  // namespace

std::vector<std::uint8_t> ecs_option(std::uint16_t family, std::uint8_t source,
                                     std::uint8_t scope, const std::vector<std::uint8_t>& address) {
    std::vector<std::uint8_t> o;
    put16(o, 8);
    put16(o, static_cast<std::uint16_t>(4 + address.size()));
    put16(o, family);
    o.push_back(source);
    o.push_back(scope);
    o.insert(o.end(), address.begin(), address.end());
    return o;
}

std::vector<std::uint8_t> dns_cookie_option(std::span<const std::uint8_t> client_cookie,
                                            std::span<const std::uint8_t> server_cookie) {
    std::vector<std::uint8_t> o;
    put16(o, 10);
    put16(o, static_cast<std::uint16_t>(client_cookie.size() + server_cookie.size()));
    o.insert(o.end(), client_cookie.begin(), client_cookie.end());
    o.insert(o.end(), server_cookie.begin(), server_cookie.end());
    return o;
}

std::vector<std::uint8_t> make_query(const QuerySpec& s) {
    std::vector<std::uint8_t> q;
    put16(q, s.id);
    put16(q, s.flags);
    put16(q, 1);
    put16(q, 0);
    put16(q, 0);
    put16(q, s.edns ? 1 : 0);
    // Name with its case as given.
    std::string text = s.name;
    if (!text.empty() && text.back() == '.') text.pop_back();
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t dot = text.find('.', start);
        if (dot == std::string::npos) dot = text.size();
        q.push_back(static_cast<std::uint8_t>(dot - start));
        for (std::size_t i = start; i < dot; ++i) q.push_back(static_cast<std::uint8_t>(text[i]));
        start = dot + 1;
    }
    q.push_back(0);
    put16(q, s.type);
    put16(q, s.qclass);
    if (s.edns) {
        q.push_back(0);
        put16(q, 41);
        put16(q, s.edns_payload);
        q.push_back(0);
        q.push_back(s.edns_version);
        put16(q, s.edns_do ? 0x8000 : 0);
        put16(q, static_cast<std::uint16_t>((s.nsid ? 4 : 0) + s.options.size()));
        if (s.nsid) {
            put16(q, 3);
            put16(q, 0);
        }
        q.insert(q.end(), s.options.begin(), s.options.end());
    }
    return q;
}

Response run(const zone::ZoneSet& zones, const std::vector<std::uint8_t>& query,
             engine::Transport transport, const engine::EngineSettings& settings) {
    Response r;
    std::vector<std::uint8_t> out(engine::kMaxTcpMessage);
    engine::QueryContext ctx{transport};
    r.result = engine::respond(query, ctx, zones, settings, out);
    if (r.result.action == engine::EngineResult::Action::Drop) return r;
    r.dropped = false;
    r.bytes.assign(out.begin(), out.begin() + static_cast<long>(r.result.length));
    ldns_pkt* pkt = nullptr;
    if (ldns_wire2pkt(&pkt, r.bytes.data(), r.bytes.size()) == LDNS_STATUS_OK)
        r.pkt.reset(pkt, ldns_pkt_free);
    return r;
}

std::uint16_t Response::id() const { return static_cast<std::uint16_t>(bytes[0] << 8 | bytes[1]); }
std::uint8_t Response::rcode() const { return bytes[3] & 0x0f; }
bool Response::qr() const { return bytes[2] & 0x80; }
bool Response::aa() const { return bytes[2] & 0x04; }
bool Response::tc() const { return bytes[2] & 0x02; }
bool Response::rd() const { return bytes[2] & 0x01; }
bool Response::ra() const { return bytes[3] & 0x80; }

std::size_t Response::count(ldns_pkt_section s) const {
    switch (s) {
        case LDNS_SECTION_QUESTION: return static_cast<std::size_t>(bytes[4] << 8 | bytes[5]);
        case LDNS_SECTION_ANSWER: return static_cast<std::size_t>(bytes[6] << 8 | bytes[7]);
        case LDNS_SECTION_AUTHORITY: return static_cast<std::size_t>(bytes[8] << 8 | bytes[9]);
        default: return static_cast<std::size_t>(bytes[10] << 8 | bytes[11]);
    }
}

std::set<std::string> Response::lines(ldns_pkt_section s) const {
    std::set<std::string> out;
    if (!pkt) return out;
    ldns_rr_list* list = ldns_pkt_get_section_clone(pkt.get(), s);
    for (std::size_t i = 0; list && i < ldns_rr_list_rr_count(list); ++i) {
        ldns_rr* rr = ldns_rr_list_rr(list, i);
        ldns_dname2canonical(ldns_rr_owner(rr));
        char* text = ldns_rr2str(rr);
        std::string line(text);
        LDNS_FREE(text);
        while (!line.empty() && line.back() == '\n') line.pop_back();
        std::replace(line.begin(), line.end(), '\t', ' ');
        out.insert(line);
    }
    if (list) ldns_rr_list_deep_free(list);
    return out;
}

}  // namespace sipdns::test
