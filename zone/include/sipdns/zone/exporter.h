// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#pragma once
#include <string>
#include <string_view>

#include "sipdns/zone/zone.h"

namespace sipdns::zone {

// RFC 1035 §5 master files: for each zone `$ORIGIN <zone>.`, `$TTL`, the SOA, then every RRset in
// canonical order, so the output splits into files named-checkzone and ldns-read-zone accept.
std::string export_zone_files(const ZoneSet& zones);

// A Windows batch file of `dnscmd` commands (docs/design.md §6 `export --format dnscmd`) that
// creates on a Windows DNS server the records an installer would otherwise type in by hand (the SCS
// guide's tables): first `dnscmd <server> /ZoneAdd <zone> /Primary /file <zone>.dns` for every
// zone, then one `dnscmd <server> /RecordAdd <zone> <node> <ttl> <type> <data>` per record, node
// names relative to the zone (`@` for the apex). The SOA and the apex NS records are left out:
// Windows DNS creates its own with the zone. A record dnscmd cannot express (another type, or
// a string cmd.exe cannot pass as one argument) becomes a `rem NOT ADDED:` line with its
// zone-file text. `server` "." is the local DNS server. Deterministic: zones in set order,
// records in canonical order.
std::string export_dnscmd(const ZoneSet& zones, std::string_view server = ".");

// An nsupdate(1) script (RFC 2136 dynamic update, docs/design.md §6 `export --format nsupdate`):
// per zone `zone <zone>.`, `update add <owner> <ttl> IN <type> <rdata>` for every record but the
// SOA (the apex NS records come last, after the addresses of in-zone name servers), then `send`;
// large zones are split into several messages. Add only: adding an RR that exists is a no-op
// (RFC 2136 §3.4.2.2), so the script can be applied again. The server is not named: the user
// puts `server ADDR [PORT]` first (the comment lines at the top say so).
std::string export_nsupdate(const ZoneSet& zones);

// One RR in presentation format (via ldns), absolute owner, e.g.
// "_sip._udp.scsnetwork.local.\t1800\tIN\tSRV\t1 0 5060 scs1.scsnetwork.local."
std::string record_to_text(std::string_view owner_wire, std::uint16_t type, std::uint32_t ttl,
                           std::string_view rdata);

}  // namespace sipdns::zone
