// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// The site description as plain structs (docs/design.md §2). No YAML type leaks out of config/: the
// loader's YAML model (config/src/yaml_document.cc) is the only place that includes yaml-cpp.
// Every item keeps the SourcePos of the YAML node it came from, so later stages (the zone
// builder's conflict checks) can still report `file:line:col`.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sipdns/config/address.h"
#include "sipdns/config/diagnostic.h"

namespace sipdns::config {

enum class SipTransport : std::uint8_t { Udp, Tcp, Tls };
// "udp", "tcp", "tls": as the site file writes it (sip.transports) and as logs show it.
constexpr std::string_view transport_name(SipTransport t) {
    return t == SipTransport::Udp ? "udp" : t == SipTransport::Tcp ? "tcp" : "tls";
}

// A call server (SCS guide): S1 is the primary. At least one address.
// A host the site names with its own addresses: a call server, a cluster member, a Lync pool
// or edge. At least one address.
struct NamedHost {
    std::string name;                 // absolute, lower case, no trailing dot
    std::optional<IpAddress> ipv4;
    std::optional<IpAddress> ipv6;
    SourcePos pos;
};

using ServerEntry = NamedHost;

struct SipSettings {
    std::vector<SipTransport> transports{SipTransport::Udp, SipTransport::Tcp};
    std::uint16_t proxy_port = 5060;
    std::uint16_t redirect_port = 5070;
    std::uint16_t tls_port = 5061;
    bool naptr = true;
    // false: the SCS guide's single server with A records only ("If SRV records are not in
    // use, you must enter the fully qualified domain name (FQDN) of the SCS server"): the
    // servers get A/AAAA and PTR records, no SRV and no NAPTR.
    bool srv = true;
    SourcePos pos;
    // Where each key was written (line 0: not written), for the checks that compare them.
    SourcePos proxy_port_pos, redirect_port_pos, naptr_pos, srv_pos;
};

// `hosts:` — a name with one or more addresses (A/AAAA).
struct HostEntry {
    std::string name;                 // absolute
    std::vector<IpAddress> addresses;
    SourcePos pos;
};

// `aliases:` — a CNAME.
struct AliasEntry {
    std::string name;                 // absolute
    std::string target;               // absolute
    SourcePos pos;
};

struct ServiceTarget {
    std::string target;               // absolute
    std::uint16_t priority = 0;
    std::uint16_t weight = 0;
    std::uint16_t port = 0;
    SourcePos pos;
};

// `services:` — an SRV RRset at `owner` (e.g. _ldap._tcp.<domain>).
struct ServiceEntry {
    // At an owner the site generates itself (_sip._udp from servers, a cluster's or Lync's
    // SRV): `generated: add` serves the generated targets and these; `replace` these alone.
    // Unset there is an error (the two sets would merge unseen).
    enum class Generated : std::uint8_t { Unset, Add, Replace };

    std::string owner;                // absolute
    std::vector<ServiceTarget> targets;
    Generated generated = Generated::Unset;
    SourcePos pos;
};

// `records:` — one zone-file line, parsed with ldns at load time into wire form.
struct RawRecord {
    std::string text;                 // as written
    std::string owner;                // absolute, lower case
    std::uint16_t type = 0;
    std::uint16_t rclass = 1;
    std::uint32_t ttl = 0;
    std::string rdata;                // uncompressed wire rdata (bytes)
    SourcePos pos;
};

struct ReverseSettings {
    enum class Mode : std::uint8_t { Auto, Off, Prefixes };
    Mode mode = Mode::Auto;
    std::vector<IpPrefix> prefixes;   // Mode::Prefixes: the reverse zones to serve
    SourcePos pos;
};

// SOA timers (RFC 1035 §3.3.13; values as RFC 1912 suggests). serial unset = automatic.
struct SoaSettings {
    std::optional<std::uint32_t> serial;
    std::uint32_t refresh = 3600;
    std::uint32_t retry = 600;
    std::uint32_t expire = 604800;
    std::uint32_t minimum = 300;      // negative-caching TTL (RFC 2308)
    std::string rname;                // absolute; default hostmaster.<domain>
    SourcePos pos;
};

// `server.rate_limit:` — response rate limiting over UDP (as BIND's rate-limit, NSD's rrl-*
// and Knot's rrl module): per client prefix and per response, a token bucket refilled at
// responses_per_second; every slip-th limited response goes out as TC=1 so that a real client
// retries over TCP, the others are dropped. TCP answers are never limited.
struct RateLimitSettings {
    // On by default at a rate a lab never reaches: 1000 identical responses per second to one
    // /24 is six times what 10 000 phones behind one NAT, each looking a name up once a minute
    // without a cache, would ask for (about 170/s); a flood of one answer is cut to 1000/s plus
    // slips. Internet-facing servers use far less (BIND's examples 5, NSD's default 200), but
    // there spoofed floods are the threat, here a busy lab must never see a drop. 0 = off
    // (benchmarks, load tests).
    std::uint32_t responses_per_second = 1000;
    std::uint32_t slip = 2;            // BIND's and NSD's default; 0 = drop all, 1 = always TC
    std::uint8_t ipv4_prefix = 24;     // BIND's, NSD's and Knot's default
    std::uint8_t ipv6_prefix = 56;     // BIND's default (an end site's delegation, RFC 6177)

    bool enabled() const { return responses_per_second != 0; }
    bool operator==(const RateLimitSettings&) const = default;
};

// `server.query_log:` — the watch lines (docs/design.md §11) kept: appended to a file (reopened
// on SIGHUP and `sipdnsd reload`, for logrotate) or sent to the systemd journal. Startup-only.
struct QueryLogSettings {
    enum class Target : std::uint8_t { File, Journal };
    Target target = Target::File;
    std::string path;  // File: absolute
    SourcePos pos;
    bool operator==(const QueryLogSettings&) const = default;
};

// `server.dnstap:` — every query and response as dnstap (Frame Streams + protobuf) to a unix
// socket a collector listens on (fstrm_capture, dnstap-receiver) or to a file. Startup-only.
struct DnstapSettings {
    enum class Target : std::uint8_t { Socket, File };
    Target target = Target::Socket;
    std::string path;  // absolute
    SourcePos pos;
    bool operator==(const DnstapSettings&) const = default;
};

// server.transfer.key: a TSIG key (RFC 8945 §4.2, §6), shared with the secondaries.
struct TransferKey {
    std::string name;       // absolute, lower case, no trailing dot ("sipdns-transfer")
    std::string algorithm;  // hmac-sha256 (default), hmac-sha384, hmac-sha512, hmac-sha1
    std::string secret;     // the decoded secret, octets (base64 in the site or secret file)
    std::string secret_file;  // the file it came from; empty = written in the site file
    SourcePos pos;
    bool operator==(const TransferKey&) const = default;
};

// server.xdp: the AF_XDP fast path for UDP queries arriving on one interface (docs/design.md
// §5); TCP and everything else stays on the kernel's sockets. Startup-only.
struct XdpSettings {
    std::string interface;
    std::optional<std::uint16_t> port;  // absent = the port of the first listen address
    bool required = false;              // true: exit when XDP cannot start (else sockets only)
    SourcePos pos;
    bool operator==(const XdpSettings&) const = default;
};

// `server:` — daemon settings; CLI flags override. Startup-only items (listen, threads,
// user) are kept apart from what a reload may change by the daemon, not here.
struct DaemonSettings {
    std::vector<std::string> listen;  // "ADDR:PORT" / "[ADDR]:PORT"; empty = daemon default
    std::optional<unsigned> threads;
    std::string nsid;                 // EDNS NSID (RFC 5001); empty = off
    std::string identity;             // CHAOS id.server / hostname.bind; empty = hidden
    std::string version;              // CHAOS version.bind; empty = hidden
    std::uint16_t edns_udp_size = 1232;
    std::uint32_t tcp_idle_timeout_ms = 10000;
    // A TCP query must arrive whole within this of its first byte, and queued answers may not
    // stall longer than this (a client that does not read): RFC 7766 §10, RFC 9210 §4.
    std::uint32_t tcp_io_timeout_ms = 2000;
    std::uint32_t tcp_max_connections = 1000;
    // Zone transfer (RFC 5936): who may AXFR/IXFR over TCP, and whom to NOTIFY (RFC 1996) when
    // a reload changes the serial. Empty allow: nobody (REFUSED).
    std::vector<IpPrefix> transfer_allow;
    std::vector<IpEndpoint> transfer_notify;
    // server.transfer.catalog: the name of a catalog zone (RFC 9432, version 2) listing every
    // zone of the site, for secondaries that add member zones by themselves (absolute, lower
    // case, no trailing dot). Absent = no catalog.
    std::optional<std::string> transfer_catalog;
    SourcePos transfer_catalog_pos;
    // server.transfer.key: the TSIG key (RFC 8945) a transfer must be signed with, and that
    // signs NOTIFY and the answers to signed queries. Reloadable, like transfer_allow.
    std::optional<TransferKey> transfer_key;
    RateLimitSettings rate_limit;     // reloadable (SIGHUP), like the EDNS size
    // server.ecs_trust: resolvers whose EDNS Client Subnet option (RFC 7871) picks the location
    // view in their place; empty = ECS ignored from everyone. Reloadable.
    std::vector<IpPrefix> ecs_trust;
    // server.cookies: DNS Cookies (RFC 7873, server cookies per RFC 9018); false = the COOKIE
    // option is ignored. Reloadable.
    bool cookies = true;
    // server.metrics: where the Prometheus text endpoint listens (HTTP GET /metrics); absent
    // = off, `metrics: {}` = kDefaultMetricsListen. Startup-only, like listen.
    std::optional<IpEndpoint> metrics_listen;
    // server.state_dir: where the daemon keeps each zone's last serial and content hash, so that
    // a restart never serves a lower serial. Absent = the daemon's default ($STATE_DIRECTORY,
    // set by systemd's StateDirectory=, else kDefaultStateDir). Startup-only.
    std::optional<std::string> state_dir;
    // server.control: the control socket `sipdnsd status` and `sipdnsd reload` talk to (unix
    // stream). Absent = kDefaultControlSocket (the unit's RuntimeDirectory=sipdns).
    // Startup-only; --control overrides it.
    std::optional<std::string> control;
    std::optional<QueryLogSettings> query_log;
    std::optional<DnstapSettings> dnstap;
    std::optional<XdpSettings> xdp;
    SourcePos pos;
};

inline constexpr std::string_view kDefaultStateDir = "/var/lib/sipdns";
inline constexpr std::string_view kDefaultControlSocket = "/run/sipdns/control";

// Loopback only unless the site file says otherwise: the counters are for the local operator
// (9153 is the port CoreDNS's prometheus plugin uses).
inline constexpr std::string_view kDefaultMetricsListen = "127.0.0.1:9153";

// `locations:` — client subnets by data centre (geo-aware answers, docs/design.md §3). Prefixes may
// nest across locations (10.0.0.0/8 in one, 10.1.0.0/16 in another); the same prefix in two
// locations is an error.
struct LocationEntry {
    std::string name;                 // an identifier such as dc1, lower case (not a DNS name)
    std::vector<IpPrefix> prefixes;   // file order, host bits clear
    SourcePos pos;
};

// A SIP proxy of a cluster (sip-cluster-geo-aware-srv.txt).
using ClusterMember = NamedHost;

// The members of a cluster that sit in one location.
struct ClusterLocationMembers {
    std::string location;             // a LocationEntry::name
    std::vector<ClusterMember> members;  // file order
    SourcePos pos;
};

// `clusters:` — an SRV owner whose answer depends on the client's location: the members in
// the client's location at `local_priority`, the others at `remote_priority` (docs/design.md §3).
struct ClusterEntry {
    std::string name;                 // absolute owner base, e.g. spx-srv.example.com
    std::uint16_t port = 5060;
    std::vector<SipTransport> transports{SipTransport::Udp, SipTransport::Tcp};
    std::uint16_t weight = 50;
    std::uint16_t local_priority = 10;
    std::uint16_t remote_priority = 200;
    std::string default_location;     // for clients in no location; a member location (the
                                      // first one unless `default:` names another)
    std::vector<ClusterLocationMembers> members;  // file order
    SourcePos pos;
};

// A Lync / OCS server: its FQDN and at least one address.
using LyncHost = NamedHost;

// `lync:` — Lync / OCS automatic configuration records (lync-2010-*.txt,
// ocs-2007-automatic-configuration-lookups.txt).
struct LyncSettings {
    LyncHost pool;                    // the registrar (front end pool)
    std::optional<LyncHost> edge;     // the access edge, for external and federated clients
    SourcePos pos;
};

// `forward:` — the phones' DNS server (RFC 5358 §4: never an open resolver): every name
// outside the site's zones goes to upstream resolvers, or is resolved from the root, through
// libunbound (server/forward). Absent = authoritative only (REFUSED, RA=0).
struct ForwardSettings {
    bool from_root = false;                 // `to: root`: full recursion from the root servers
    std::vector<IpEndpoint> upstreams;      // `to: [ADDR | ADDR:PORT, ...]`, port 53 if not given
    // Who may use it; absent = loopback plus the networks of this host's interfaces (BIND's
    // `localhost; localnets`), worked out when the daemon starts and on every reload.
    std::optional<std::vector<IpPrefix>> allow;
    bool dnssec = false;                    // validate (RFC 4033) with `trust_anchor`
    std::string trust_anchor = std::string(kDefaultTrustAnchor);
    std::string root_hints;                 // `to: root` only; empty = libunbound's built-in hints
    SourcePos pos;

    // Debian's dns-root-data: the root zone's KSK as a DS/DNSKEY file.
    static constexpr std::string_view kDefaultTrustAnchor = "/usr/share/dns/root.key";
};

// `health:` — live SIP health (docs/design.md §10): sipdnsd probes every SIP SRV target of the
// site with OPTIONS (RFC 3261 §11) and withdraws the silent ones from the SRV answers. Absent =
// no probing: answers are the configured records.
struct HealthSettings {
    std::uint32_t interval_ms = 5000;  // between two probes of one target
    std::uint32_t timeout_ms = 2000;   // a probe with no SIP response by then failed
    std::uint32_t rise = 2;            // successes in a row: down -> up
    std::uint32_t fall = 3;            // failures in a row: up -> down
    std::uint32_t ttl = 30;            // TTL of the health-managed SRV RRsets
    std::vector<std::string> exclude;  // target names never probed (always up); absolute
    SourcePos pos;
};

struct SiteConfig {
    std::string file;                 // path as given, for diagnostics
    std::string domain;               // absolute, lower case, no trailing dot
    SourcePos domain_pos;
    std::uint32_t ttl = 3600;
    std::vector<ServerEntry> servers;
    SipSettings sip;
    std::vector<HostEntry> hosts;
    std::vector<AliasEntry> aliases;
    std::vector<ServiceEntry> services;
    std::vector<RawRecord> records;
    ReverseSettings reverse;
    std::vector<std::string> nameservers;  // absolute; default: the servers
    std::vector<SourcePos> nameserver_pos;  // where each of nameservers was written
    SoaSettings soa;
    DaemonSettings server;
    std::vector<LocationEntry> locations;
    std::vector<ClusterEntry> clusters;
    std::optional<LyncSettings> lync;
    std::optional<ForwardSettings> forward;  // absent = authoritative only
    std::optional<HealthSettings> health;    // absent = no probing
    // Names of entries the loader refused (a bad address, say): only in a site loaded for
    // `check` despite errors, so that the zone checks do not call a target to them missing.
    std::vector<std::string> refused_names;
    // What the loader warns about yet serves (a secret file others may read): printed by
    // `check`, logged at start and on reload.
    Diagnostics warnings;
};

}  // namespace sipdns::config
