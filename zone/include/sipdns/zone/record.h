// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#pragma once
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "sipdns/config/diagnostic.h"
#include "sipdns/zone/byte_arena.h"
#include "sipdns/zone/stable_list.h"

namespace sipdns::zone {

// One generated or configured resource record, before it is indexed. Owner and every domain
// name inside rdata are uncompressed, lower-case wire names. The views point into the
// RecordList that holds the record.
struct Record {
    std::string_view owner;  // wire
    std::uint16_t type = 0;
    std::uint32_t ttl = 0;
    std::string_view rdata;  // wire
    config::SourcePos pos;   // the site-file node it came from (for conflict diagnostics)
    const char* section = "";  // which part of the site produced it ("servers", "hosts", ...)
};

// The records a build generates: push_back copies owner and rdata into the list's own byte
// store, so a generator may pass temporaries. Records never move once added (a StableList), so the
// builder may keep pointers to them. 100,000 hosts make 200,000 records; kept as two
// std::strings each they were the largest item of the build's peak memory.
class RecordList {
public:
    const Record& push_back(const Record& r) {
        Record& stored = records_.emplace_back(r);
        stored.owner = bytes_.store(r.owner);
        stored.rdata = bytes_.store(r.rdata);
        return stored;
    }
    auto begin() const { return records_.begin(); }
    auto end() const { return records_.end(); }
    std::size_t size() const { return records_.size(); }
    bool empty() const { return records_.empty(); }
    const Record& operator[](std::size_t i) const { return records_[i]; }
    const Record& back() const { return records_.back(); }

private:
    StableList<Record> records_;
    ByteArena bytes_;
};

// An RRset: all records of one type at one owner (RFC 2181 §5). TTL is the RRset's (lowest of
// the members when the site gave different ones, RFC 2181 §5.2).
// The rdatas of one RRset, packed into one string as (2-octet length, bytes) pairs: most RRsets
// of a site hold one address, which then fits in the string itself with no allocation of its
// own (100,000 hosts: about 10 MiB less than a vector of strings). Reads yield string_views.
class RdataList {
public:
    class iterator {
    public:
        using value_type = std::string_view;
        using difference_type = std::ptrdiff_t;
        iterator() = default;
        explicit iterator(const char* at) : at_(at) {}
        std::string_view operator*() const { return {at_ + 2, length()}; }
        iterator& operator++() {
            at_ += 2 + length();
            return *this;
        }
        iterator operator++(int) {
            iterator before = *this;
            ++*this;
            return before;
        }
        friend bool operator==(iterator a, iterator b) { return a.at_ == b.at_; }

    private:
        std::size_t length() const {
            return std::size_t{static_cast<unsigned char>(at_[0])} << 8 |
                   static_cast<unsigned char>(at_[1]);
        }
        const char* at_ = nullptr;
    };

    RdataList() = default;
    RdataList(std::initializer_list<std::string_view> rdatas) {
        for (std::string_view rd : rdatas) push_back(rd);
    }

    iterator begin() const { return iterator(packed_.data()); }
    iterator end() const { return iterator(packed_.data() + packed_.size()); }
    std::size_t size() const { return count_; }
    bool empty() const { return count_ == 0; }
    std::string_view front() const { return *begin(); }
    bool contains(std::string_view rdata) const {
        for (std::string_view rd : *this)
            if (rd == rdata) return true;
        return false;
    }
    // An rdata is at most 65,535 octets (RFC 1035 §3.2.1 RDLENGTH); callers build them so.
    void push_back(std::string_view rdata) {
        packed_.push_back(static_cast<char>(rdata.size() >> 8));
        packed_.push_back(static_cast<char>(rdata.size() & 0xff));
        packed_.append(rdata);
        ++count_;
    }
    void shrink_to_fit() { packed_.shrink_to_fit(); }
    friend bool operator==(const RdataList& a, const RdataList& b) {
        return a.packed_ == b.packed_;
    }

private:
    std::string packed_;
    std::uint32_t count_ = 0;
};

struct RRset {
    std::uint16_t type = 0;
    std::uint32_t ttl = 0;
    RdataList rdatas;  // wire, in the order first seen, duplicates collapsed
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
