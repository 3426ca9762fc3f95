// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#include "raw_record.h"

#include <ldns/ldns.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>

namespace sipdns::config::detail {

namespace {

struct LdnsRrDeleter {
    void operator()(ldns_rr* rr) const { ldns_rr_free(rr); }
};
struct LdnsRdfDeleter {
    void operator()(ldns_rdf* rdf) const { ldns_rdf_deep_free(rdf); }
};
struct LdnsBufferDeleter {
    void operator()(ldns_buffer* b) const { ldns_buffer_free(b); }
};
using RrPtr = std::unique_ptr<ldns_rr, LdnsRrDeleter>;
using RdfPtr = std::unique_ptr<ldns_rdf, LdnsRdfDeleter>;
using BufferPtr = std::unique_ptr<ldns_buffer, LdnsBufferDeleter>;

std::string cannot_parse(const std::string& text, const std::string& why) {
    return "cannot parse " + quote_value(text) + ": " + why;
}

Expected<RrPtr, std::string> ldns_parse(const std::string& text, std::uint32_t default_ttl,
                                        const ldns_rdf* origin) {
    ldns_rr* rr = nullptr;
    const ldns_status st = ldns_rr_new_frm_str(&rr, text.c_str(), default_ttl, origin, nullptr);
    if (st != LDNS_STATUS_OK) {
        if (rr) ldns_rr_free(rr);
        return unexpected(cannot_parse(text, ldns_get_errorstr_by_id(st)));
    }
    return RrPtr(rr);
}

// Presentation form, lower case, no trailing dot (the form SiteConfig uses for every name).
std::string owner_text(const ldns_rdf* owner) {
    char* s = ldns_rdf2str(owner);
    std::string out = s ? s : "";
    std::free(s);
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    if (!out.empty() && out.back() == '.') out.pop_back();
    return out;
}

bool is_at_or_below(std::string_view name, std::string_view zone) {
    if (zone.empty()) return true;
    return name == zone || (name.size() > zone.size() && name.ends_with(zone) &&
                            name[name.size() - zone.size() - 1] == '.');
}

// SOA comes from `soa:`; meta and query-only types (RFC 6895 §3.1) are not zone data.
std::optional<std::string> unsupported_type(std::uint16_t type) {
    if (type == LDNS_RR_TYPE_SOA) {
        return "SOA is generated from the 'soa:' section; set its values there";
    }
    if (type == LDNS_RR_TYPE_OPT || (type >= 128 && type <= 255)) {
        return "type " + std::to_string(type) + " is a meta or query type, not zone data";
    }
    return std::nullopt;
}

}  // namespace

Expected<RawRecord, std::string> parse_raw_record(const std::string& text,
                                                  const std::string& origin,
                                                  std::uint32_t default_ttl) {
    // One record is one line (sipdns-site.yaml(5)), but a quoted or block YAML scalar can hold
    // line breaks and other control characters. None is zone-file text (RFC 1035 §5.1 writes
    // them as \DDD), and ldns 1.8.3 writes past a heap buffer on a '(' group spanning a line
    // break (found by tests/fuzz/fuzz_raw_records): refuse them before ldns sees the line.
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if ((c < 0x20 && c != '\t') || c == 0x7f) {
            char code[8];
            std::snprintf(code, sizeof code, "0x%02x", c);
            return unexpected(std::string("a record is one line of zone-file text: ") +
                              (c == '\n' || c == '\r' ? "line break" : "control character") +
                              " (" + code + ") at offset " + std::to_string(i));
        }
    }
    // ldns reads "$ORIGIN x." as a record owned by "$ORIGIN"; each line here is one record.
    if (const auto first = text.find_first_not_of(" \t");
        first != std::string::npos && text[first] == '$') {
        return unexpected(cannot_parse(text,
                                       "directives such as $ORIGIN and $TTL are not "
                                       "supported here; names are relative to the domain "
                                       "and 'ttl' is the default"));
    }
    const RdfPtr origin_rdf(ldns_dname_new_frm_str(origin.empty() ? "." : (origin + ".").c_str()));
    if (!origin_rdf) return unexpected(cannot_parse(text, "invalid origin '" + origin + "'"));

    // ldns turns a default TTL of 0 into 3600; so with 0, parse with 1 and 2 to tell whether
    // the line has a TTL of its own.
    auto rr = ldns_parse(text, default_ttl == 0 ? 1 : default_ttl, origin_rdf.get());
    if (!rr) return unexpected(std::move(rr.error()));
    RawRecord rec;
    rec.text = text;
    rec.owner = owner_text(ldns_rr_owner(rr->get()));
    rec.type = static_cast<std::uint16_t>(ldns_rr_get_type(rr->get()));
    rec.rclass = static_cast<std::uint16_t>(ldns_rr_get_class(rr->get()));
    rec.ttl = ldns_rr_ttl(rr->get());
    if (default_ttl == 0) {
        auto again = ldns_parse(text, 2, origin_rdf.get());
        if (again && ldns_rr_ttl(again->get()) != rec.ttl) rec.ttl = 0;
    }

    const std::string in_text = ", in " + quote_value(text);
    if (rec.type == 0) return unexpected(cannot_parse(text, "no record type"));
    if (auto why = unsupported_type(rec.type)) return unexpected(*why + in_text);
    const ldns_rr_descriptor* d = ldns_rr_descript(rec.type);
    if (d != nullptr && ldns_rr_rd_count(rr->get()) < ldns_rr_descriptor_minimum(d)) {
        return unexpected(cannot_parse(text, "the record data is missing or incomplete"));
    }
    if (rec.rclass != LDNS_RR_CLASS_IN) {
        return unexpected("only class IN is supported" + in_text);
    }
    if (rec.ttl > kMaxTtl) {
        return unexpected("TTL " + std::to_string(rec.ttl) + " is above " +
                          std::to_string(kMaxTtl) + " (RFC 2181 §8)" + in_text);
    }
    // The site serves its domain and the reverse zones of its addresses, nothing else.
    if (!origin.empty() && !is_at_or_below(rec.owner, origin) &&
        !is_at_or_below(rec.owner, "in-addr.arpa") && !is_at_or_below(rec.owner, "ip6.arpa")) {
        return unexpected("owner " + quote_value(rec.owner) + " is outside the zone '" + origin +
                          "' and its reverse zones" + in_text);
    }

    // RDATA in uncompressed wire form: RFC 1035 §3.2.1 without RDLENGTH, names uncompressed
    // and in the case they were written (RFC 3597 §4 forbids compressing unknown types anyway).
    const BufferPtr buf(ldns_buffer_new(LDNS_MAX_PACKETLEN));
    if (!buf || ldns_rr_rdata2buffer_wire(buf.get(), rr->get()) != LDNS_STATUS_OK ||
        ldns_buffer_position(buf.get()) > 65535) {
        return unexpected(cannot_parse(text, "the record data is too long"));
    }
    rec.rdata.assign(reinterpret_cast<const char*>(ldns_buffer_begin(buf.get())),
                     ldns_buffer_position(buf.get()));
    return rec;
}

}  // namespace sipdns::config::detail
