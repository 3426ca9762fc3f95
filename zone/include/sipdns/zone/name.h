// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// Domain names in wire form (RFC 1035 §3.1): a sequence of length-prefixed labels ending in the
// zero-length root label. Inside the zone every owner name is kept lower case, so comparing two
// names is comparing bytes; the engine lower-cases the query name once into a stack buffer.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace sipdns::zone {

inline constexpr std::size_t kMaxNameWire = 255;  // RFC 1035 §2.3.4

// "scs1.scsnetwork.local" (absolute, with or without the trailing dot) -> wire form, lower case.
// The text must already be valid (config/ validated it); escapes are not interpreted.
std::string name_to_wire(std::string_view text);
// The same, replacing `wire`'s content: a loop over 100,000 names reuses one buffer.
void name_to_wire(std::string_view text, std::string& wire);

// "_sip._udp" under the wire name of "scsnetwork.local" -> _sip._udp.scsnetwork.local (wire).
std::string name_under(std::string_view prefix_text, std::string_view parent_wire);

// Wire -> "scs1.scsnetwork.local." (absolute, with the trailing dot). Non-printable octets and
// dots inside labels are escaped as \DDD / \. (RFC 1035 §5.1).
std::string name_to_text(std::string_view wire);

// The wire name with its first label removed; the root has no parent (returns empty view).
std::string_view name_parent(std::string_view wire);

// True when `name` equals `ancestor` or lies below it (both wire, lower case).
bool name_is_at_or_below(std::string_view name, std::string_view ancestor);

std::size_t name_label_count(std::string_view wire);

// Length of the wire name that starts at data[0] (no compression), or 0 if malformed.
std::size_t name_wire_length(std::string_view data);

// RFC 4034 §6.1 canonical ordering, for stable exports.
bool name_canonical_less(std::string_view a, std::string_view b);

}  // namespace sipdns::zone
