// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// Locating a SIP server as a phone does (RFC 3263 §4): NAPTR at the domain, SRV for the chosen
// transports, A/AAAA of each target, and the ordered (transport, address, port) list the client
// tries. The DNS queries go through DnsLookups, so the procedure and its ordering are pure and
// unit tests give the answers without sockets.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sipdns/resolve/sip_uri.h"

namespace sipdns::resolve {

enum class QueryType : std::uint8_t { NAPTR, SRV, A, AAAA };
std::string_view query_type_name(QueryType t);

struct NaptrRecord {
    std::uint16_t order = 0;
    std::uint16_t preference = 0;
    std::string flags;
    std::string services;
    std::string regexp;
    std::string replacement;  // presentation form, trailing dot kept
};

struct SrvRecord {
    std::uint16_t priority = 0;
    std::uint16_t weight = 0;
    std::uint16_t port = 0;
    std::string target;  // presentation form, trailing dot kept ("." : no service, RFC 2782)
};

// One query's outcome.
struct DnsAnswer {
    enum class Status : std::uint8_t {
        Records,      // NOERROR with records of the type
        NoRecords,    // NOERROR, none of the type (NODATA)
        NxDomain,     // the name does not exist
        Failed,       // another rcode (SERVFAIL, REFUSED, ...): `detail` names it
        Unreachable,  // no reply: `detail` says why
    };
    Status status = Status::NoRecords;
    std::string detail;
    std::vector<NaptrRecord> naptr;
    std::vector<SrvRecord> srv;
    std::vector<std::string> addresses;  // A / AAAA in presentation form
};

class DnsLookups {
  public:
    virtual ~DnsLookups() = default;
    // `name` in presentation form, with or without the trailing dot.
    virtual DnsAnswer lookup(const std::string& name, QueryType type) = 0;
};

// ---------------------------------------------------------------------------------------------
// The ordering rules on their own.

// The transport a NAPTR service field stands for (RFC 3263 §4.1): SIP+D2U udp, SIP+D2T tcp,
// SIPS+D2T tls (case-insensitive); nullopt for any other service.
std::optional<Transport> naptr_transport(std::string_view services);

// The NAPTR records a client uses, in the order it tries them: flag "s" and a known service
// only (for a SIPS URI only SIPS+D2T, RFC 3263 §4.1), restricted to `only` when given, sorted
// by order then preference (RFC 3403 §4.1, RFC 2915); equal ones keep the answer's order.
std::vector<NaptrRecord> usable_naptr(const std::vector<NaptrRecord>& records, bool sips,
                                      std::optional<Transport> only);

// SRV records in a deterministic stand-in for RFC 2782's selection: priority ascending; within
// a priority, weight descending, so that weight-0 records come last as RFC 2782 advises
// (they have a very small chance of being picked while others have weight); equal weights by
// target, then port. A lone "." target (the service is decidedly not available) is dropped.
std::vector<SrvRecord> srv_order(const std::vector<SrvRecord>& records);

// ---------------------------------------------------------------------------------------------
// The procedure.

struct Step {
    std::string query;               // "SRV _sip._udp.scsnetwork.local"
    std::vector<std::string> lines;  // the records, or what came back instead
    std::vector<std::string> notes;  // what the client makes of it
};

struct Destination {
    Transport transport = Transport::Udp;
    std::string address;
    std::uint16_t port = 0;
    std::string via;  // where it came from: "scs1.scsnetwork.local. (SRV priority 1 weight 0)"
};

struct Resolution {
    std::vector<Step> steps;
    std::vector<Destination> destinations;  // in the order the client tries them
    std::vector<std::string> order_rules;   // why they are in this order
    std::optional<std::string> unreachable;  // a query got no reply: the server's fault, not DNS data
};

// RFC 3263 §4.1 (transport) and §4.2 (port and addresses). `only` (--transport): the client
// uses that transport alone.
Resolution resolve_sip_uri(const SipUri& uri, std::optional<Transport> only, DnsLookups& dns);

// The steps, the order rules and the numbered destination list, as `sipdnsd resolve` prints
// them.
std::string render_resolution(const Resolution& r);

}  // namespace sipdns::resolve
