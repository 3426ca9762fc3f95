// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#include "sipdns/resolve/dns_client.h"

#include <ldns/ldns.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>

#include "text.h"

namespace sipdns::resolve {

namespace {

std::string rdf_text(const ldns_rdf* rdf) {
    char* text = ldns_rdf2str(rdf);
    if (!text) return {};
    std::string out(text);
    LDNS_FREE(text);
    return out;
}

std::vector<ReplyRecord> records_of(const ldns_rr_list* list) {
    std::vector<ReplyRecord> out;
    if (!list) return out;
    for (std::size_t i = 0; i < ldns_rr_list_rr_count(list); ++i) {
        const ldns_rr* rr = ldns_rr_list_rr(list, i);
        ReplyRecord& r = out.emplace_back();
        r.owner = lower(rdf_text(ldns_rr_owner(rr)));
        r.type = static_cast<std::uint16_t>(ldns_rr_get_type(rr));
        std::unique_ptr<ldns_buffer, decltype(&ldns_buffer_free)> buffer(ldns_buffer_new(512),
                                                                          ldns_buffer_free);
        if (ldns_rr_rdata2buffer_wire(buffer.get(), rr) == LDNS_STATUS_OK)
            r.rdata_wire.assign(reinterpret_cast<const char*>(ldns_buffer_begin(buffer.get())),
                                ldns_buffer_position(buffer.get()));
        for (std::size_t f = 0; f < ldns_rr_rd_count(rr); ++f)
            r.fields.push_back(rdf_text(ldns_rr_rdf(rr, f)));
    }
    return out;
}

// "\"SIP+D2U\"" -> SIP+D2U: a character-string field as ldns prints it.
std::string unquote(const std::string& s) {
    if (s.size() >= 2 && s.front() == '"' && s.back() == '"') return s.substr(1, s.size() - 2);
    return s;
}

unsigned to_number(const std::string& s) {
    unsigned value = 0;
    for (const char c : s) {
        if (c < '0' || c > '9') return 0;
        value = value * 10 + static_cast<unsigned>(c - '0');
    }
    return value;
}

std::uint16_t rr_type_of(QueryType t) {
    switch (t) {
        case QueryType::NAPTR:
            return LDNS_RR_TYPE_NAPTR;
        case QueryType::SRV:
            return LDNS_RR_TYPE_SRV;
        case QueryType::A:
            return LDNS_RR_TYPE_A;
        case QueryType::AAAA:
            return LDNS_RR_TYPE_AAAA;
    }
    return LDNS_RR_TYPE_A;
}

}  // namespace

DnsClient::DnsClient(const config::IpEndpoint& server) : server_(server) {
    resolver_ = ldns_resolver_new();
    if (!resolver_) throw std::runtime_error("cannot create a DNS resolver (out of memory)");
    ldns_rdf* address = ldns_rdf_new_frm_str(
        server.address.is_v4() ? LDNS_RDF_TYPE_A : LDNS_RDF_TYPE_AAAA,
        server.address.to_string().c_str());
    if (!address || ldns_resolver_push_nameserver(resolver_, address) != LDNS_STATUS_OK) {
        if (address) ldns_rdf_deep_free(address);
        ldns_resolver_deep_free(resolver_);
        throw std::runtime_error("cannot use " + server.to_string() + " as a name server");
    }
    ldns_rdf_deep_free(address);
    ldns_resolver_set_port(resolver_, server.port);
    // One server, asked as given: no search list, no rotation; a truncated UDP reply is asked
    // again over TCP (ldns's fallback).
    ldns_resolver_set_defnames(resolver_, false);
    ldns_resolver_set_dnsrch(resolver_, false);
    ldns_resolver_set_random(resolver_, false);
    ldns_resolver_set_fallback(resolver_, true);
    ldns_resolver_set_retry(resolver_, 2);
    ldns_resolver_set_timeout(resolver_, timeval{2, 0});
}

DnsClient::~DnsClient() {
    ldns_resolver_deep_free(resolver_);
}

Reply DnsClient::ask(const std::string& name, std::uint16_t type, bool recursion_desired) {
    Reply reply;
    std::string absolute = name;
    if (absolute.empty() || absolute.back() != '.') absolute += '.';
    std::unique_ptr<ldns_rdf, decltype(&ldns_rdf_deep_free)> qname(
        ldns_dname_new_frm_str(absolute.c_str()), ldns_rdf_deep_free);
    if (!qname) {
        reply.error = "'" + name + "' is not a domain name";
        return reply;
    }
    ldns_resolver_set_recursive(resolver_, recursion_desired);
    ldns_pkt* packet = nullptr;
    const ldns_status status =
        ldns_resolver_send(&packet, resolver_, qname.get(), static_cast<ldns_rr_type>(type),
                           LDNS_RR_CLASS_IN, recursion_desired ? LDNS_RD : 0);
    std::unique_ptr<ldns_pkt, decltype(&ldns_pkt_free)> guard(packet, ldns_pkt_free);
    if (status != LDNS_STATUS_OK || !packet) {
        reply.error = status != LDNS_STATUS_OK ? ldns_get_errorstr_by_id(status) : "no reply";
        return reply;
    }
    reply.answered = true;
    reply.rcode = static_cast<std::uint8_t>(ldns_pkt_get_rcode(packet));
    const ldns_lookup_table* rcode = ldns_lookup_by_id(ldns_rcodes, reply.rcode);
    reply.rcode_name = rcode ? rcode->name : "RCODE" + std::to_string(reply.rcode);
    reply.answer = records_of(ldns_pkt_answer(packet));
    reply.authority = records_of(ldns_pkt_authority(packet));
    return reply;
}

DnsAnswer ClientLookups::lookup(const std::string& name, QueryType type) {
    DnsAnswer answer;
    const std::uint16_t rr_type = rr_type_of(type);
    const Reply reply = client_.ask(name, rr_type, true);
    if (!reply.answered) {
        answer.status = DnsAnswer::Status::Unreachable;
        answer.detail = reply.error;
        return answer;
    }
    if (reply.rcode == LDNS_RCODE_NXDOMAIN) {
        answer.status = DnsAnswer::Status::NxDomain;
        return answer;
    }
    if (reply.rcode != LDNS_RCODE_NOERROR) {
        answer.status = DnsAnswer::Status::Failed;
        answer.detail = reply.rcode_name;
        return answer;
    }
    // The records of the type asked, at the name or at the end of its CNAME chain.
    for (const ReplyRecord& r : reply.answer) {
        if (r.type != rr_type) continue;
        if (type == QueryType::NAPTR && r.fields.size() == 6) {
            answer.naptr.push_back({static_cast<std::uint16_t>(to_number(r.fields[0])),
                                    static_cast<std::uint16_t>(to_number(r.fields[1])),
                                    unquote(r.fields[2]), unquote(r.fields[3]),
                                    unquote(r.fields[4]), r.fields[5]});
        } else if (type == QueryType::SRV && r.fields.size() == 4) {
            answer.srv.push_back({static_cast<std::uint16_t>(to_number(r.fields[0])),
                                  static_cast<std::uint16_t>(to_number(r.fields[1])),
                                  static_cast<std::uint16_t>(to_number(r.fields[2])),
                                  r.fields[3]});
        } else if ((type == QueryType::A || type == QueryType::AAAA) && r.fields.size() == 1) {
            answer.addresses.push_back(r.fields[0]);
        }
    }
    const bool any = !answer.naptr.empty() || !answer.srv.empty() || !answer.addresses.empty();
    answer.status = any ? DnsAnswer::Status::Records : DnsAnswer::Status::NoRecords;
    return answer;
}

std::optional<config::IpEndpoint> first_nameserver(const std::string& resolv_conf) {
    std::ifstream in(resolv_conf);
    for (std::string line; std::getline(in, line);) {
        std::istringstream words(line);
        std::string keyword, address;
        if (!(words >> keyword >> address) || keyword != "nameserver") continue;
        // resolv.conf(5): an IPv6 address may carry a zone ("fe80::1%eth0"), which this
        // client cannot use; take the address part.
        address = address.substr(0, address.find('%'));
        if (auto a = config::IpAddress::parse(address)) return config::IpEndpoint{*a, 53};
    }
    return std::nullopt;
}

}  // namespace sipdns::resolve
