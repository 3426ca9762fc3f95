// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// `sipdnsd plan FILE` (issue 9): the installer's checklist for a site — the SIP Domain to enter
// in the PBX, the DHCP options to set on a third-party DHCP server, and the nslookup/dig
// commands that verify every generated record, each with the answer to expect. Built from the
// site description and its zone set only (config <- zone), so unit tests can call it.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sipdns/config/address.h"
#include "sipdns/config/expected.h"
#include "sipdns/config/site_config.h"
#include "sipdns/zone/site_zones.h"
#include "sipdns/zone/zone.h"

namespace sipdns::zone {

// ---------------------------------------------------------------------------------------------
// DHCP option 120, SIP servers (RFC 3361 §3): an encoding byte, then either a list of domain
// names in RFC 1035 §3.1 wire form (enc 0, §3.1) or a list of IPv4 addresses (enc 1, §3.2),
// in order of preference. The returned bytes are the option's data (what follows code and
// length); names are written uncompressed (compression is the sender's choice).

enum class DhcpOptionError : std::uint8_t {
    Empty,    // no name / no address: the option would carry nothing
    BadName,  // an empty label, a label over 63 octets or a name over 255 (RFC 1035 §2.3.4)
    NotIpv4,  // enc 1 carries IPv4 addresses only (an IPv6 server needs DHCPv6, RFC 3319)
    NotIpv6,  // a DHCPv6 address suboption carries an IPv6 address (RFC 5908 §4.1)
};

inline constexpr std::uint8_t kSipServersByName = 0;     // RFC 3361 §3.1
inline constexpr std::uint8_t kSipServersByAddress = 1;  // RFC 3361 §3.2
// One option instance holds at most 255 octets (RFC 2132 §2); longer values are split over
// several instances by the DHCP server (RFC 3396).
inline constexpr std::size_t kDhcpOptionMaxLength = 255;

// `names`: domain names in text form, with or without the trailing dot ("scsnetwork.local").
Expected<std::string, DhcpOptionError> encode_sip_servers_by_name(
    const std::vector<std::string>& names);
Expected<std::string, DhcpOptionError> encode_sip_servers_by_address(
    const std::vector<config::IpAddress>& addresses);

// ---------------------------------------------------------------------------------------------
// DHCPv6 option 56, NTP server (RFC 5908 §4): one or more time-source suboptions, each a
// 2-octet code, a 2-octet length and its data: suboption 1 a server's IPv6 address (16 octets,
// §4.1), suboption 3 a server's FQDN (RFC 1035 §3.1 wire form, uncompressed, §4.3). The
// returned bytes are the option's data (what follows its code and length).

inline constexpr std::uint16_t kNtpSuboptionServerAddress = 1;  // RFC 5908 §4.1
inline constexpr std::uint16_t kNtpSuboptionServerFqdn = 3;     // RFC 5908 §4.3
// A DHCPv6 option's length is 2 octets (RFC 8415 §21.1).
inline constexpr std::size_t kDhcpv6OptionMaxLength = 65535;

// One time source: an IPv6 address (suboption 1), or a name (suboption 3) when `address` is
// empty.
struct NtpTimeSource {
    std::optional<config::IpAddress> address;
    std::string fqdn;
};

Expected<std::string, DhcpOptionError> encode_ntp_server(
    const std::vector<NtpTimeSource>& sources);

// "00:0a:73" (ISC dhcpd's notation for a string option given in hex) and "000a73" (Kea's
// option data with csv-format false, and netsh's BINARY values).
std::string hex_with_colons(std::string_view bytes);
std::string hex_plain(std::string_view bytes);

// ---------------------------------------------------------------------------------------------
// The SIP Domain rule of thumb of the SCS 4.0 guide ("Impact on Installation"): if SRV records
// are in use, enter just the domain name; if not, the server's fully qualified domain name.

struct SipDomainAdvice {
    enum class Basis : std::uint8_t {
        SrvRecords,  // SIP SRV records at the domain: the domain itself
        ServerFqdn,  // call servers but no SIP SRV records: the primary's FQDN
        Cluster,     // no SRV at the domain, geo-aware clusters: each cluster's FQDN
        None,        // nothing a SIP client could be pointed at
    };
    Basis basis = Basis::None;
    std::vector<std::string> values;  // names without the trailing dot
};

// Looks at what the zone set actually serves (SRV records from `servers`, `services`,
// `records` or `lync` all count): _sip._udp, _sip._tcp, _sips._tcp, _sip._tls, and the Lync
// registrar records _sipinternaltls._tcp / _sipinternal._tcp at the domain.
SipDomainAdvice advise_sip_domain(const config::SiteConfig& site, const ZoneSet& zones);

// ---------------------------------------------------------------------------------------------
// Where the verification commands send their queries: the first address of the command's
// --listen, else of `server.listen` (--listen replaces it, as for the daemon), at its port; a
// wildcard address (0.0.0.0, [::]) or no listen address means every address of the host, and
// the commands ask the zone's first name server (the first NS, the primary): its IPv4 address,
// else its IPv6 address; a name server with no address in the site (outside its zones) by name,
// which dig and nslookup look up themselves. Only a zone without NS (never built) gives
// 127.0.0.1.

struct QueryTarget {
    std::string address;  // "127.0.0.1", "::1"
    std::uint16_t port = 53;
    std::string why;  // one phrase for the plan
};

QueryTarget choose_query_target(const config::SiteConfig& site, const ZoneSet& zones,
                                const std::vector<config::IpEndpoint>& listen_override = {});

// ---------------------------------------------------------------------------------------------
// `forward:` in one line, as `sipdnsd check` prints it after "forward: ": where other names go,
// for whom, and whether answers are validated, e.g.
//   to 192.0.2.1:53, [2001:db8::1]:53 for 192.168.0.0/16; dnssec off
//   recursion from the root for loopback and this host's networks; dnssec on (trust anchor
//   /usr/share/dns/root.key)
std::string describe_forward(const config::ForwardSettings& forward);

// `health:` in one line, as `sipdnsd check` prints it after "health: " and `plan` explains it:
//   SIP OPTIONS every 5000 ms to 6 targets (timeout 2000 ms); down after 3 failures, up after
//   2 answers; SRV TTL 30 s; worst-case failover 17000 ms
std::string describe_health(const config::HealthSettings& health, std::size_t targets);
// The longest a dead target stays in the answers (docs/design.md §10): `fall` probes, each
// an interval apart, the last one waiting out its timeout.
std::uint64_t worst_failover_ms(const config::HealthSettings& health);

// ---------------------------------------------------------------------------------------------
// The plan's DNS checks as data: what `plan` prints as dig/nslookup commands with the answers to
// expect, and what `sipdnsd verify` asks a live server. One check per RRset of every zone of the
// default view (what a client in no location gets), in canonical order.

struct DnsCheck {
    enum class Kind : std::uint8_t {
        Answer,           // ask name/type: the RRset in the answer section
        Referral,         // a delegation: ask name NS without recursion, NS in the authority
        ReverseAddress,   // a PTR under in-addr.arpa/ip6.arpa, asked by its address (dig -x)
        BelowDelegation,  // glue below a delegation: not asked (referrals carry it)
    };
    Kind kind = Kind::Answer;
    std::string name;        // the owner without the trailing dot
    std::string owner_wire;  // the owner in wire form
    std::uint16_t type = 0;  // 0 for BelowDelegation
    std::optional<config::IpAddress> address;  // ReverseAddress: the address asked
    // The rdatas as `dig +short` prints them; an SOA's serial is "<serial>" when any_serial.
    std::vector<std::string> expected;
    // The SOA serial follows the file's modification time (no soa.serial in the site): any
    // serial matches.
    bool any_serial = false;
    // Where clients in a location get another answer than the default one.
    struct LocationAnswer {
        std::string location;
        std::vector<std::string> prefixes;  // "192.168.11.0/24"
        std::vector<std::string> expected;
    };
    std::vector<LocationAnswer> from_locations;
};

struct DnsCheckZone {
    std::string apex;  // without the trailing dot
    std::vector<DnsCheck> checks;
};

struct DnsChecks {
    QueryTarget target;  // choose_query_target
    std::vector<DnsCheckZone> zones;
};

DnsChecks dns_checks(const config::SiteConfig& site, const SiteZones& zones,
                     const std::vector<config::IpEndpoint>& listen_override = {});

// One served rdata (wire form, uncompressed) as the check's `expected` values are written: as
// `dig +short` prints it, the SOA serial replaced by "<serial>" when the check allows any.
std::string served_rdata_text(const DnsCheck& check, std::string_view rdata_wire);

struct PlanOptions {
    std::vector<config::IpEndpoint> listen;  // --listen: as the daemon would be started
};

// The whole checklist as text. Deterministic: no time, no path; the SOA serial (which follows
// the file's modification time) is printed as <serial> unless `soa.serial` fixes it.
std::string render_install_plan(const config::SiteConfig& site, const SiteZones& zones,
                                const PlanOptions& options = {});

}  // namespace sipdns::zone
