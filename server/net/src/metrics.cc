// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#include "sipdns/net/metrics.h"

#include <string>

#include <fmt/format.h>

#include "sipdns/zone/name.h"
#include "sipdns/zone/site_zones.h"
#include "sipdns/zone/zone.h"

namespace sipdns::net {

namespace {

constexpr std::array<std::string_view, kTransports> kTransportLabels{"udp", "tcp"};

// Label values escape backslash, double quote and line feed (exposition format, "Text format
// details").
std::string label_value(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (const char c : text) {
        if (c == '\\')
            out += "\\\\";
        else if (c == '"')
            out += "\\\"";
        else if (c == '\n')
            out += "\\n";
        else
            out += c;
    }
    return out;
}

void header(std::string& out, std::string_view name, std::string_view type, std::string_view help) {
    out.append("# HELP ").append(name).append(" ").append(help).append("\n");
    out.append("# TYPE ").append(name).append(" ").append(type).append("\n");
}

void sample(std::string& out, std::string_view name, std::string_view labels, std::uint64_t value) {
    out.append(name);
    if (!labels.empty()) out.append("{").append(labels).append("}");
    out.append(" ").append(std::to_string(value)).append("\n");
}

// One sample per transport, labelled transport="udp" / "tcp".
void per_transport(std::string& out, std::string_view name,
                   const std::array<std::uint64_t, kTransports>& values) {
    for (std::size_t t = 0; t < kTransports; ++t)
        sample(out, name, std::string("transport=\"") + std::string(kTransportLabels[t]) + "\"",
               values[t]);
}

std::string_view qtype_label(std::size_t bucket) {
    return bucket < kCountedQtypes.size() ? kCountedQtypes[bucket].name : "other";
}

}  // namespace

std::string_view rcode_label(std::size_t bucket) {
    static constexpr std::array<std::string_view, kRcodeBuckets> kNames{
        "NOERROR",  "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP",  "REFUSED",
        "YXDOMAIN", "YXRRSET", "NXRRSET",  "NOTAUTH",  "NOTZONE", "DSOTYPENI",
        "RCODE12",  "RCODE13", "RCODE14",  "RCODE15",  "BADVERS", "other"};
    return bucket < kNames.size() ? kNames[bucket] : "other";
}

namespace {

// The forwarder's series (only when the site has `forward:`).
void render_forwarding(std::string& out, const TrafficTotals& traffic,
                       const forward::ForwarderStats& forwarder) {
    header(out, "sipdns_forward_queries_total", "counter",
           "Replies to forwarded queries (names outside the site's zones), by transport; cache "
           "hits included.");
    per_transport(out, "sipdns_forward_queries_total", traffic.forward_queries);
    header(out, "sipdns_forward_cache_hits_total", "counter",
           "Forwarded queries answered from the workers' answer caches.");
    sample(out, "sipdns_forward_cache_hits_total", "", traffic.forward_cache_hits);
    header(out, "sipdns_forward_failures_total", "counter",
           "SERVFAIL replies to forwarded queries: the upstream's (servfail), no answer in time "
           "(timeout), the client over its outstanding queries (busy), or another error.");
    for (std::size_t r = 0; r < kForwardFailureReasons; ++r)
        sample(out, "sipdns_forward_failures_total",
               "reason=\"" + std::string(kForwardFailureLabels[r]) + "\"",
               traffic.forward_failures[r]);
    header(out, "sipdns_forward_outstanding", "gauge",
           "Forwarded queries waiting for the upstream now.");
    sample(out, "sipdns_forward_outstanding", "", traffic.forward_outstanding);
    header(out, "sipdns_forward_latency_seconds", "histogram",
           "Time from a forwarded query's hand-off to libunbound to its result (workers' cache "
           "hits not included).");
    const auto& h = forwarder.latency;
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < h.counts.size(); ++i) {
        cumulative += h.counts[i];
        const std::string le =
            i < forward::LatencyHistogram::kBounds.size()
                ? fmt::format("{}", forward::LatencyHistogram::kBounds[i])
                : std::string("+Inf");
        sample(out, "sipdns_forward_latency_seconds_bucket", "le=\"" + le + "\"", cumulative);
    }
    out.append(fmt::format("sipdns_forward_latency_seconds_sum {}\n", h.sum_seconds));
    sample(out, "sipdns_forward_latency_seconds_count", "", h.count);
}

}  // namespace

std::string render_metrics(const TrafficTotals& traffic, const ReloadStats& reloads,
                           const ServingSnapshot& serving,
                           const forward::ForwarderStats* forwarder) {
    std::string out;
    out.reserve(8192);

    header(out, "sipdns_queries_total", "counter",
           "DNS queries answered, by transport, query type and response code (counted before "
           "response rate limiting).");
    // Only the combinations seen so far: most of the 2 x 14 x 18 never occur.
    for (std::size_t t = 0; t < kTransports; ++t)
        for (std::size_t q = 0; q < kQtypeBuckets; ++q)
            for (std::size_t r = 0; r < kRcodeBuckets; ++r) {
                const std::uint64_t n = traffic.queries[t][q][r];
                if (n == 0) continue;
                sample(out, "sipdns_queries_total",
                       std::string("transport=\"") + std::string(kTransportLabels[t]) +
                           "\",qtype=\"" + std::string(qtype_label(q)) + "\",rcode=\"" +
                           std::string(rcode_label(r)) + "\"",
                       n);
            }

    header(out, "sipdns_queries_dropped_total", "counter",
           "Messages given no answer: unparseable, QR=1 (a response), a datagram larger "
           "than any query, or an AF_XDP frame that found no transmit buffer free.");
    per_transport(out, "sipdns_queries_dropped_total", traffic.dropped);

    header(out, "sipdns_responses_truncated_total", "counter",
           "Answers sent with TC=1 because they did not fit the UDP payload (rate-limit slips "
           "are not included).");
    per_transport(out, "sipdns_responses_truncated_total", traffic.truncated);

    header(out, "sipdns_responses_rate_limited_total", "counter",
           "UDP answers over server.rate_limit: dropped, or slipped (sent as TC=1 with the "
           "question only).");
    sample(out, "sipdns_responses_rate_limited_total", "action=\"drop\"",
           traffic.rate_limited_dropped);
    sample(out, "sipdns_responses_rate_limited_total", "action=\"slip\"",
           traffic.rate_limited_slipped);

    header(out, "sipdns_queries_cookie_total", "counter",
           "Queries with a DNS COOKIE option (RFC 7873), by what it held: a client cookie "
           "only, a valid server cookie of ours, an invalid one (answered BADCOOKIE over UDP), "
           "or a malformed option (FORMERR).");
    for (std::size_t c = 0; c < kCookieStatuses; ++c)
        sample(out, "sipdns_queries_cookie_total",
               "cookie=\"" + std::string(kCookieStatusLabels[c]) + "\"", traffic.cookies[c]);

    if (traffic.xdp) {
        header(out, "sipdns_xdp_frames_total", "counter",
               "UDP queries the AF_XDP path (server.xdp) took past the kernel: answered there "
               "(also counted in sipdns_queries_total as udp), passed to the kernel's socket "
               "(forwarded names), or dropped (no answer).");
        for (std::size_t r = 0; r < kXdpFrameResults; ++r)
            sample(out, "sipdns_xdp_frames_total",
                   "result=\"" + std::string(kXdpFrameLabels[r]) + "\"", traffic.xdp_frames[r]);
    }

    header(out, "sipdns_tcp_connections_open", "gauge", "TCP connections open now.");
    sample(out, "sipdns_tcp_connections_open", "", traffic.tcp_open);
    header(out, "sipdns_tcp_connections_accepted_total", "counter",
           "TCP connections accepted and served.");
    sample(out, "sipdns_tcp_connections_accepted_total", "", traffic.tcp_accepted);
    header(out, "sipdns_tcp_connections_refused_total", "counter",
           "TCP connections closed at once because server.tcp_max_connections were open.");
    sample(out, "sipdns_tcp_connections_refused_total", "", traffic.tcp_refused);

    if (forwarder != nullptr) render_forwarding(out, traffic, *forwarder);

    header(out, "sipdns_reloads_total", "counter",
           "Site file reloads (SIGHUP): ok = now serving the new file, failed = kept the old.");
    sample(out, "sipdns_reloads_total", "result=\"ok\"",
           reloads.ok.load(std::memory_order_relaxed));
    sample(out, "sipdns_reloads_total", "result=\"failed\"",
           reloads.failed.load(std::memory_order_relaxed));

    // Zones of the no-location view: the ones every client without a location and every
    // secondary sees (docs/design.md §3).
    const zone::ZoneSet& zones = serving.zones->default_view();
    header(out, "sipdns_zone_serial", "gauge", "SOA serial of each zone being served.");
    for (const auto& z : zones.zones())
        sample(out, "sipdns_zone_serial",
               "zone=\"" + label_value(zone::name_to_text(z->apex())) + "\"", z->serial());
    header(out, "sipdns_zone_records", "gauge", "Records in each zone being served.");
    for (const auto& z : zones.zones())
        sample(out, "sipdns_zone_records",
               "zone=\"" + label_value(zone::name_to_text(z->apex())) + "\"", z->record_count());
    return out;
}

}  // namespace sipdns::net
