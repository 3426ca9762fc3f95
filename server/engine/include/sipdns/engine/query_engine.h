// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// The answering engine (docs/design.md §4): a pure function from a query packet (+ transport and
// client address) and a zone set to a response packet or "drop". No sockets, no Asio, no heap
// allocation per query: the response is assembled from precompiled bodies into the caller's
// buffer.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "sipdns/config/address.h"
#include "sipdns/config/site_config.h"
#include "sipdns/engine/dns_cookie.h"
#include "sipdns/engine/forwarding.h"
#include "sipdns/engine/rate_limiter.h"
#include "sipdns/zone/journal.h"
#include "sipdns/engine/tsig.h"
#include "sipdns/zone/site_zones.h"
#include "sipdns/zone/zone.h"

namespace sipdns::engine {

enum class Transport : std::uint8_t { Udp, Tcp };

// What a reload may change about answering (startup-only settings live in the daemon).
struct EngineSettings {
    std::uint16_t edns_udp_size = 1232;  // DNS Flag Day 2020 default payload
    std::string nsid;                    // RFC 5001; empty = do not send
    std::string identity;                // CHAOS id.server / hostname.bind; empty = REFUSED
    std::string version;                 // CHAOS version.bind / version.server; empty = REFUSED
    std::vector<config::IpPrefix> transfer_allow;  // AXFR/IXFR clients (RFC 5936 §6); none = all refused
    // server.transfer.key (RFC 8945): with it, a transfer must carry a valid TSIG with this key
    // (and come from transfer_allow when that is not empty: both must hold); any query signed
    // with it gets a signed answer. Without it, a signed query is BADKEY.
    std::optional<TsigKey> transfer_key;
    config::RateLimitSettings rate_limit;  // UDP response rate limiting (rate_limit() below)
    ForwardPolicy forward;  // names outside our zones (forwarding.h); off = REFUSED
    // Resolvers whose EDNS Client Subnet option (RFC 7871) picks the location view instead of
    // their own address. Empty = ECS unused: the option is ignored as any unknown one (RFC 6891
    // §6.1.2), never echoed, never a FORMERR.
    std::vector<config::IpPrefix> ecs_trust;
    // DNS Cookies (RFC 7873, server cookies per RFC 9018; server.cookies). Off: the COOKIE
    // option is ignored as any unknown one (RFC 6891 §6.1.2). The secrets come with the
    // settings: a rotation is published as a reload is (a new snapshot the workers pick up by
    // its generation number, net/snapshot.h), so the query path reads them without a lock.
    bool cookies = true;
    CookieSecrets cookie_secrets;
    // The differences between the last versions of the transfer view's zones (RFC 1995 IXFR),
    // published with the zones they end at; null or a zone missing = IXFR answered with the
    // whole zone. Live SIP health republishes keep it (they never change the transfer view).
    std::shared_ptr<const zone::TransferJournals> transfer_journals;
};

struct QueryContext {
    Transport transport = Transport::Udp;
    // The client's source address: picks the location view of geo-aware sites (docs/design.md §3).
    bool has_client = false;
    config::IpAddress client{};
    // The wall clock, seconds since the epoch: the Timestamp of the server cookies we make and
    // the age of those we get back (RFC 9018 §4.3), and TSIG's time check and signing (RFC 8945
    // §5.2.3); 0 = TSIG reads the system clock. A parameter, so that tests set the time.
    std::uint32_t now_seconds = 0;
    // UDP: the largest payload the path back can carry in one datagram, when the caller knows
    // it (the AF_XDP path: its frame size and the interface's MTU, with no IP fragmentation);
    // 0 = the EDNS payload sizes alone decide. An answer above it is truncated (TC=1) like one
    // above the client's EDNS size (RFC 6891 §7). At least 512 when set.
    std::uint16_t udp_payload_limit = 0;
};

// The client address of a socket peer (IPv4-mapped IPv6 addresses count as IPv4).
config::IpAddress client_address_v4(const std::uint8_t (&bytes)[4]);
config::IpAddress client_address_v6(const std::uint8_t (&bytes)[16]);

// Response codes (RFC 1035 §4.1.1, RFC 6891 §9 for BADVERS).
namespace rcode {
inline constexpr std::uint16_t NoError = 0;
inline constexpr std::uint16_t FormErr = 1;
inline constexpr std::uint16_t ServFail = 2;
inline constexpr std::uint16_t NxDomain = 3;
inline constexpr std::uint16_t NotImp = 4;
inline constexpr std::uint16_t Refused = 5;
inline constexpr std::uint16_t NotAuth = 9;  // also every TSIG error (RFC 8945 §5.2)
inline constexpr std::uint16_t BadVers = 16;
inline constexpr std::uint16_t BadCookie = 23;  // RFC 7873 §8
}  // namespace rcode

// What the query's COOKIE option (RFC 7873) was, for rate limiting and the metrics.
enum class CookieStatus : std::uint8_t {
    None,        // no option, or cookies off
    ClientOnly,  // a client cookie alone (§5.2.3): answered with a new server cookie
    Valid,       // our server cookie, valid (§5.2.5): the source address is proven
    Invalid,     // a server cookie we did not make, or too old (§5.2.4)
    Malformed,   // a wrong length (§5.2.2): FORMERR
};

struct EngineResult {
    // Transfer: an allowed AXFR/IXFR over TCP for transfer_zone; the caller streams
    // write_transfer()'s messages instead of one response. Forward: a name outside our zones
    // from a client that may have it resolved; the ForwardQuestion passed to respond() says
    // what to resolve, and write_forwarded() / write_forward_failure() write the reply later.
    enum class Action : std::uint8_t { Respond, Drop, Transfer, Forward };
    Action action = Action::Drop;
    std::size_t length = 0;       // bytes written to the output buffer
    std::uint16_t rcode = 0;      // including the extended part (BADVERS = 16)
    bool truncated = false;
    std::uint16_t qtype = 0;
    const zone::Zone* transfer_zone = nullptr;
    // Respond: where the header and echoed question end, and where the OPT RR starts (it is
    // always last; 0 = none) — what a rate-limit slip keeps. `key` says which response this is,
    // for the rate limiter's accounting.
    std::uint16_t question_end = 0;
    std::uint16_t opt_offset = 0;
    ResponseKey key{};
    // The location view that answered (SiteZones::view()): 0 = clients in no location. For
    // the query log.
    std::uint16_t view = 0;
    CookieStatus cookie = CookieStatus::None;
    // TSIG (RFC 8945): the request's TSIG error (BADKEY, BADSIG, BADTIME, BADTRUNC; 0 = none
    // or valid), whether the answer (or, for Transfer, every message: sign_transfer()) is
    // signed, and whether a transfer was REFUSED for want of a signature. For the log.
    std::uint16_t tsig_error = 0;
    bool tsig_signed = false;
    std::uint16_t tsig_offset = 0;  // Respond: where the answer's TSIG RR starts (0 = none)
    bool tsig_missing = false;
};

// The smallest output buffer respond() accepts: a UDP answer never exceeds the negotiated
// payload (at most 4096 here); TCP callers pass 65535.
inline constexpr std::size_t kMinOutputBuffer = 4096;
inline constexpr std::size_t kMaxTcpMessage = 65535;

// Answers one DNS message. `out` must hold kMinOutputBuffer bytes (UDP; or
// context.udp_payload_limit when that is set and smaller) or kMaxTcpMessage (TCP);
// the response is limited to what the transport allows (512 / EDNS payload / 65535).
// `forward`: where a query to forward puts its question (Action::Forward); null = the caller
// cannot forward, and such names are REFUSED as when forwarding is off.
EngineResult respond(std::span<const std::uint8_t> query, const QueryContext& context,
                     const zone::ZoneSet& zones, const EngineSettings& settings,
                     std::span<std::uint8_t> out, ForwardQuestion* forward = nullptr);

// The reply to a forwarded query (for which respond() returned Action::Forward): the client's
// ID, flags and exact question (0x20 case), RA=1, AA=0, the upstream's rcode and sections with
// every TTL counted down by the answer's age, then our OPT as for our own answers; too big for
// the transport -> TC=1 with the question only (RFC 1035 §4.2.1, RFC 6891 §7).
EngineResult write_forwarded(std::span<const std::uint8_t> query, const QueryContext& context,
                             const EngineSettings& settings, const UpstreamAnswer& upstream,
                             std::span<std::uint8_t> out);

// SERVFAIL with RA=1 for a forwarded query that got no usable answer, with an RFC 8914 extended
// error (`ede_code`, `ede_text`) when the client sent EDNS.
EngineResult write_forward_failure(std::span<const std::uint8_t> query,
                                   const QueryContext& context, const EngineSettings& settings,
                                   std::uint16_t ede_code, std::string_view ede_text,
                                   std::span<std::uint8_t> out);

// The UDP rate-limit step, after respond() wrote `result` into `out` (rate_limiter.h): accounts
// the answer to the client's prefix and returns `result` unchanged (under the rate, or not a
// UDP answer: TCP is never limited), a Drop, or a slip — the answer rewritten in `out` as TC=1
// with the question only, as BIND's slip responses (the OPT stays: a client that sent EDNS
// expects one back, RFC 6891 §7). `now_ms`: a monotonic clock; `counters`: the caller thread's.
// A query with a valid server cookie is never limited: its source address is proven (RFC 7873
// §5.2.5), so it can be neither a spoofed victim nor worth a slip to TCP.
EngineResult rate_limit(const EngineResult& result, const QueryContext& context,
                        const EngineSettings& settings, ResponseRateLimiter& limiter,
                        std::uint64_t now_ms, RateLimitCounters& counters,
                        std::span<std::uint8_t> out);

// A zone transfer over TCP: every message, each behind its 2-octet TCP length (RFC 7766 §8).
// AXFR (RFC 5936): the SOA first and last, every other RR between. IXFR (RFC 1995): the
// client's serial (its query's authority SOA) the same as or newer than ours -> our SOA alone
// (§2); the journal (settings.transfer_journals) reaching from it to ours -> the differences
// (§4: our SOA, then per version the old SOA, the RRs deleted, the new SOA, the RRs added, and
// our SOA last); else the whole zone as AXFR. With a TSIG key each message leaves room for
// the TSIG RR sign_transfer() adds to it afterwards (RFC 8945 §5.3.1). Not on the query path: it allocates.
std::vector<std::uint8_t> write_transfer(std::span<const std::uint8_t> query,
                                         const zone::Zone& zone, const EngineSettings& settings);

// The serial of an IXFR query's authority SOA (RFC 1995 §3), bounds-checked: nullopt when the
// query has no well-formed SOA there.
std::optional<std::uint32_t> ixfr_client_serial(std::span<const std::uint8_t> query);

// The RRs of an IXFR answer (RFC 1995 §4) over `chain` (ZoneJournal::chain_from()), the last
// delta's new SOA first and last.
std::vector<const zone::JournalRR*> ixfr_records(const std::vector<const zone::ZoneDelta*>& chain);

// A NOTIFY for a zone (RFC 1996 §3.7): opcode NOTIFY, AA, the apex's SOA as the question;
// signed with `key` when one is given (RFC 8945 §5.1), at `now` (seconds since the epoch).
std::vector<std::uint8_t> make_notify(std::string_view apex_wire, std::uint16_t id,
                                      const TsigKey* key = nullptr, std::uint64_t now = 0);

// The same for a site with location views: the client's view answers. With server.ecs_trust,
// a query from a trusted resolver that carries an EDNS Client Subnet option (RFC 7871) is
// answered from the view of the option's subnet, and the reply's option says for which prefix
// the answer holds (SCOPE PREFIX-LENGTH, SiteZones::client_subnet_scope()); anyone else's
// option is echoed with scope 0 (their answer does not depend on it). A malformed option is
// FORMERR (§7.2.1) whenever ECS is on.
EngineResult respond(std::span<const std::uint8_t> query, const QueryContext& context,
                     const zone::SiteZones& site, const EngineSettings& settings,
                     std::span<std::uint8_t> out, ForwardQuestion* forward = nullptr);

}  // namespace sipdns::engine
