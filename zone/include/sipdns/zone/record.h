#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "sipdns/config/diagnostic.h"

namespace sipdns::zone {

// One generated or configured resource record, before it is indexed. Owner and every domain
// name inside rdata are uncompressed, lower-case wire names.
struct Record {
    std::string owner;   // wire
    std::uint16_t type = 0;
    std::uint32_t ttl = 0;
    std::string rdata;   // wire
    config::SourcePos pos;  // the site-file node it came from (for conflict diagnostics)
    const char* section = "";  // which part of the site produced it ("servers", "hosts", ...)
};

using RecordList = std::vector<Record>;

// An RRset: all records of one type at one owner (RFC 2181 §5). TTL is the RRset's (lowest of
// the members when the site gave different ones, RFC 2181 §5.2).
struct RRset {
    std::uint16_t type = 0;
    std::uint32_t ttl = 0;
    std::vector<std::string> rdatas;  // wire, in the order first seen, duplicates collapsed
};

// Rdata builders, so generators never hand-assemble bytes.
namespace rdata {
std::string a(const std::uint8_t (&addr)[4]);
std::string from_address(const std::uint8_t* bytes, std::size_t len);  // A (4) or AAAA (16)
std::string name(std::string_view wire);  // NS, CNAME, PTR
std::string srv(std::uint16_t priority, std::uint16_t weight, std::uint16_t port,
                std::string_view target_wire);
std::string naptr(std::uint16_t order, std::uint16_t preference, std::string_view flags,
                  std::string_view services, std::string_view regexp,
                  std::string_view replacement_wire);
std::string soa(std::string_view mname_wire, std::string_view rname_wire, std::uint32_t serial,
                std::uint32_t refresh, std::uint32_t retry, std::uint32_t expire,
                std::uint32_t minimum);
}  // namespace rdata

// Where in an rdata of `type` the embedded domain names are, for additional-section processing
// and compression: e.g. SRV target at offset 6, MX exchange at 2, NAPTR replacement last.
// Returns the offset of the first target name, or npos when the type carries none we follow.
std::size_t rdata_target_offset(std::uint16_t type, std::string_view rdata);

// SOA rdata fields (RFC 1035 §3.3.13).
struct SoaFields {
    std::string mname, rname;  // wire
    std::uint32_t serial = 0, refresh = 0, retry = 0, expire = 0, minimum = 0;
};
bool parse_soa(std::string_view rdata, SoaFields& out);

}  // namespace sipdns::zone
