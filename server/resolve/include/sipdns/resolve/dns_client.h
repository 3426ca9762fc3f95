// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// Asking one DNS server as an ordinary client (ldns): UDP, TCP when the reply is truncated
// (RFC 1035 §4.2.1, RFC 7766). Used by `resolve` (through DnsLookups) and `verify`.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sipdns/config/address.h"
#include "sipdns/resolve/rfc3263.h"

struct ldns_struct_resolver;

namespace sipdns::resolve {

struct ReplyRecord {
    std::string owner;  // presentation form, lower case, trailing dot
    std::uint16_t type = 0;
    std::string rdata_wire;           // uncompressed
    std::vector<std::string> fields;  // each rdata field in presentation form
};

struct Reply {
    bool answered = false;
    std::string error;  // !answered: why
    std::uint8_t rcode = 0;
    std::string rcode_name;  // "NOERROR", "NXDOMAIN", ...
    std::vector<ReplyRecord> answer;
    std::vector<ReplyRecord> authority;
};

class DnsClient {
  public:
    explicit DnsClient(const config::IpEndpoint& server);
    ~DnsClient();
    DnsClient(const DnsClient&) = delete;
    DnsClient& operator=(const DnsClient&) = delete;

    // `name` in presentation form, with or without the trailing dot.
    Reply ask(const std::string& name, std::uint16_t type, bool recursion_desired);
    const config::IpEndpoint& server() const { return server_; }

  private:
    config::IpEndpoint server_;
    ldns_struct_resolver* resolver_ = nullptr;
};

// DnsLookups over a DnsClient (recursion desired, as a phone's stub resolver asks).
class ClientLookups : public DnsLookups {
  public:
    explicit ClientLookups(DnsClient& client) : client_(client) {}
    DnsAnswer lookup(const std::string& name, QueryType type) override;

  private:
    DnsClient& client_;
};

// The first `nameserver` line of a resolv.conf (resolv.conf(5)), at port 53; nullopt when it
// has none or the file cannot be read.
std::optional<config::IpEndpoint> first_nameserver(const std::string& resolv_conf);

}  // namespace sipdns::resolve
