// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
// libFuzzer target: one `records:` line through the zone-file parser (config/src/raw_record.*,
// on ldns). Checks what parse_raw_record() promises to the zone builder (docs/design.md §2): a
// record it accepts is class IN, of a data type (no SOA, no meta/query type, RFC 6895 §3.1),
// has a TTL within RFC 2181 §8, an absolute lower-case owner inside the site's domain or its
// reverse zones, and RDATA that fits an RR (65535 octets); a line it rejects gets a message.
//
// Input: byte 0 picks the origin and the default TTL, the rest is the line.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "raw_record.h"

namespace {

[[noreturn]] void violated(const char* what) {
    std::fprintf(stderr, "fuzz_raw_records: property violated: %s\n", what);
    __builtin_trap();
}
#define CHECK(cond)                     \
    do {                                \
        if (!(cond)) violated(#cond);   \
    } while (0)

bool at_or_below(std::string_view name, std::string_view zone) {
    return name == zone || (name.size() > zone.size() && name.ends_with(zone) &&
                            name[name.size() - zone.size() - 1] == '.');
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace sipdns::config;
    if (size < 1) return 0;
    static const char* const kOrigins[4] = {"example.com", "scsnetwork.local", "", "a.b-c.d"};
    static const std::uint32_t kTtls[4] = {0, 300, 86400, detail::kMaxTtl};
    const std::string origin = kOrigins[data[0] & 3];
    const std::uint32_t ttl = kTtls[(data[0] >> 2) & 3];
    const std::string line(reinterpret_cast<const char*>(data + 1), size - 1);
    auto rec = detail::parse_raw_record(line, origin, ttl);
    if (!rec) {
        CHECK(!rec.error().empty());
        return 0;
    }
    CHECK(rec->text == line);
    CHECK(rec->rclass == 1);
    CHECK(rec->type != 0 && rec->type != 6 && rec->type != 41);
    CHECK(rec->type < 128 || rec->type > 255);
    CHECK(rec->ttl <= detail::kMaxTtl);
    CHECK(rec->rdata.size() <= 65535);
    for (char c : rec->owner) CHECK(!(c >= 'A' && c <= 'Z'));
    if (!origin.empty())
        CHECK(at_or_below(rec->owner, origin) || at_or_below(rec->owner, "in-addr.arpa") ||
              at_or_below(rec->owner, "ip6.arpa"));
    return 0;
}
