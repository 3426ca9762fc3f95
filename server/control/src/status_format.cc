// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#include <cstdio>
#include <ctime>

#include "sipdns/control/status.h"

namespace sipdns::control {

namespace {

std::string plural(std::uint64_t n, const char* one, const char* many) {
    return std::to_string(n) + " " + (n == 1 ? one : many);
}

std::uint64_t total_queries(const StatusReport::Counters& c) { return c.udp + c.tcp; }

// RFC 8259 §7: '"', '\' and the control characters are escaped; the rest (UTF-8) is as is.
void json_string(std::string& out, std::string_view text) {
    out += '"';
    for (const char c : text) {
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\t':
                out += "\\t";
                break;
            default:
                if (static_cast<unsigned char>(c) < 0x20) {
                    char buf[8];
                    std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
                    out += buf;
                } else {
                    out += c;
                }
        }
    }
    out += '"';
}

// A JSON object written key by key, commas in between.
class JsonObject {
  public:
    explicit JsonObject(std::string& out) : out_(out) { out_ += '{'; }
    std::string& key(std::string_view name) {
        if (!first_) out_ += ',';
        first_ = false;
        json_string(out_, name);
        out_ += ':';
        return out_;
    }
    void string(std::string_view name, std::string_view value) { json_string(key(name), value); }
    void number(std::string_view name, std::uint64_t value) { key(name) += std::to_string(value); }
    void boolean(std::string_view name, bool value) { key(name) += value ? "true" : "false"; }
    void null(std::string_view name) { key(name) += "null"; }
    void close() { out_ += '}'; }

  private:
    std::string& out_;
    bool first_ = true;
};

std::string json_string_list(const std::vector<std::string>& items) {
    std::string out = "[";
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (i) out += ',';
        json_string(out, items[i]);
    }
    return out + "]";
}

std::uint64_t uptime(const StatusReport& r) {
    return r.now > r.started ? static_cast<std::uint64_t>(r.now - r.started) : 0;
}

}  // namespace

std::string format_utc(std::int64_t unix_seconds) {
    const std::time_t t = static_cast<std::time_t>(unix_seconds);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

std::string format_duration(std::int64_t seconds) {
    if (seconds < 0) seconds = 0;
    const std::int64_t d = seconds / 86400, h = seconds / 3600 % 24, m = seconds / 60 % 60,
                       s = seconds % 60;
    std::string out;
    if (d) out += std::to_string(d) + "d ";
    if (d || h) out += std::to_string(h) + "h ";
    if (d || h || m) out += std::to_string(m) + "m ";
    return out + std::to_string(s) + "s";
}

std::vector<std::string> format_status_text(const StatusReport& r) {
    std::vector<std::string> lines;
    lines.push_back("sipdnsd " + r.version + ", up " +
                    format_duration(static_cast<std::int64_t>(uptime(r))) + " (since " +
                    format_utc(r.started) + ")");
    lines.push_back("config: " + r.config_file);
    for (const auto& l : r.listeners) lines.push_back("listening: " + l.protocol + " " + l.address);
    for (const auto& z : r.zones)
        lines.push_back("zone " + z.name + ": serial " + std::to_string(z.serial) + ", " +
                        plural(z.records, "record", "records"));
    if (!r.last_reload) {
        lines.push_back("last reload: none since start");
    } else if (r.last_reload->ok) {
        lines.push_back("last reload: " + format_utc(r.last_reload->time) + " ok, " +
                        r.last_reload->serving);
    } else {
        lines.push_back("last reload: " + format_utc(r.last_reload->time) + " failed (" +
                        plural(r.last_reload->errors.size(), "error", "errors") +
                        "), still serving " + r.last_reload->serving + ":");
        for (const auto& e : r.last_reload->errors) lines.push_back("  " + e);
    }
    lines.push_back("reloads: " + std::to_string(r.reloads_ok) + " ok, " +
                    std::to_string(r.reloads_failed) + " failed");
    if (r.forward) lines.push_back("forward: " + *r.forward);
    if (r.health) {
        std::size_t up = 0;
        for (const auto& t : *r.health) up += t.up ? 1 : 0;
        lines.push_back("health: " + std::to_string(up) + "/" + std::to_string(r.health->size()) +
                        " SIP targets up");
        for (const auto& t : *r.health) {
            std::string line = "  " + t.name + " " + std::to_string(t.port) + "/" + t.transport +
                               (t.up ? " up" : " DOWN");
            if (t.latency_ms) {
                char ms[32];
                std::snprintf(ms, sizeof ms, "%.1f ms", *t.latency_ms);
                line += std::string(", ") + ms;
            }
            line += ", " + std::to_string(t.failed) + " of " +
                    plural(t.probes, "probe", "probes") + " failed";
            if (!t.last_result.empty()) line += "; last: " + t.last_result;
            lines.push_back(line);
        }
    }
    {
        const auto& q = r.query_log;
        std::string log = "query log: ";
        for (std::size_t i = 0; i < q.outputs.size(); ++i) log += (i ? ", " : "") + q.outputs[i];
        if (q.outputs.empty()) log += "no file, journal or dnstap";
        log += "; " + plural(q.watchers, "watcher", "watchers") + "; " +
               std::to_string(q.logged) + " logged, " + std::to_string(q.not_logged) +
               " not logged (rings full)";
        if (q.write_failures != 0)
            log += ", " + std::to_string(q.write_failures) + " write failures";
        lines.push_back(log);
    }
    const auto& c = r.counters;
    std::string queries = "queries: " + std::to_string(total_queries(c)) + " (udp " +
                          std::to_string(c.udp) + ", tcp " + std::to_string(c.tcp) + ")";
    for (std::size_t i = 0; i < c.by_rcode.size(); ++i)
        queries += (i ? ", " : ": ") + c.by_rcode[i].first + " " + std::to_string(c.by_rcode[i].second);
    lines.push_back(queries);
    lines.push_back("truncated: " + std::to_string(c.truncated) + ", dropped: " +
                    std::to_string(c.dropped) + ", rate-limited: " +
                    std::to_string(c.rate_limited_dropped) + " dropped, " +
                    std::to_string(c.rate_limited_slipped) + " slipped");
    if (r.forward) lines.push_back("forwarded: " + std::to_string(c.forwarded));
    return lines;
}

std::string format_status_json(const StatusReport& r) {
    std::string out;
    JsonObject top(out);
    top.string("version", r.version);
    top.string("started", format_utc(r.started));
    top.number("uptime_seconds", uptime(r));
    top.string("config_file", r.config_file);
    {
        std::string& o = top.key("listeners");
        o += '[';
        for (std::size_t i = 0; i < r.listeners.size(); ++i) {
            if (i) o += ',';
            JsonObject l(o);
            l.string("protocol", r.listeners[i].protocol);
            l.string("address", r.listeners[i].address);
            l.close();
        }
        o += ']';
    }
    {
        std::string& o = top.key("zones");
        o += '[';
        for (std::size_t i = 0; i < r.zones.size(); ++i) {
            if (i) o += ',';
            JsonObject z(o);
            z.string("name", r.zones[i].name);
            z.number("serial", r.zones[i].serial);
            z.number("records", r.zones[i].records);
            z.close();
        }
        o += ']';
    }
    if (!r.last_reload) {
        top.null("last_reload");
    } else {
        JsonObject l(top.key("last_reload"));
        l.string("time", format_utc(r.last_reload->time));
        l.string("result", r.last_reload->ok ? "ok" : "failed");
        l.string("serving", r.last_reload->serving);
        l.key("errors") += json_string_list(r.last_reload->errors);
        l.close();
    }
    {
        JsonObject n(top.key("reloads"));
        n.number("ok", r.reloads_ok);
        n.number("failed", r.reloads_failed);
        n.close();
    }
    if (r.forward) top.string("forward", *r.forward);
    else top.null("forward");
    if (!r.health) {
        top.null("health");
    } else {
        std::string& o = top.key("health");
        o += '[';
        for (std::size_t i = 0; i < r.health->size(); ++i) {
            const auto& t = (*r.health)[i];
            if (i) o += ',';
            JsonObject j(o);
            j.string("target", t.name);
            j.number("port", t.port);
            j.string("transport", t.transport);
            j.string("state", t.up ? "up" : "down");
            if (t.latency_ms)
                j.number("latency_us", static_cast<std::uint64_t>(*t.latency_ms * 1000.0 + 0.5));
            else
                j.null("latency_us");
            j.number("probes", t.probes);
            j.number("failed", t.failed);
            j.string("last_result", t.last_result);
            j.close();
        }
        o += ']';
    }
    {
        JsonObject q(top.key("query_log"));
        q.key("outputs") += json_string_list(r.query_log.outputs);
        q.number("watchers", r.query_log.watchers);
        q.number("logged", r.query_log.logged);
        q.number("not_logged", r.query_log.not_logged);
        q.number("write_failures", r.query_log.write_failures);
        q.close();
    }
    {
        const auto& c = r.counters;
        JsonObject n(top.key("counters"));
        n.number("queries", total_queries(c));
        {
            JsonObject t(n.key("by_transport"));
            t.number("udp", c.udp);
            t.number("tcp", c.tcp);
            t.close();
        }
        {
            JsonObject rc(n.key("by_rcode"));
            for (const auto& [name, count] : c.by_rcode) rc.number(name, count);
            rc.close();
        }
        n.number("truncated", c.truncated);
        n.number("dropped", c.dropped);
        n.number("rate_limited_dropped", c.rate_limited_dropped);
        n.number("rate_limited_slipped", c.rate_limited_slipped);
        n.number("forwarded", c.forwarded);
        n.close();
    }
    top.close();
    return out;
}

}  // namespace sipdns::control
