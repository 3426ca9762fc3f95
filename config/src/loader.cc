// The site-file loader (DESIGN.md §2): YAML in, SiteConfig out, or every problem found.
//
// The only file that includes yaml-cpp. Each top-level section has its own parse_* function;
// they all report through one Reader, never stop at the first problem, and point each
// diagnostic at the offending node (the key for unknown keys, the value for bad values).
#include "sipdns/config/loader.h"

#include <fcntl.h>
#include <ldns/ldns.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <span>

#include "sipdns/config/dns_name.h"

namespace sipdns::config {

namespace {

// ---------------------------------------------------------------------------------------------
// Keys and messages, in one place.

using KeyList = std::span<const std::string_view>;

constexpr std::array<std::string_view, 12> kTopKeys{
    "domain",  "ttl",     "servers", "sip",         "hosts", "aliases",
    "services", "records", "reverse", "nameservers", "soa",   "server"};
constexpr std::array<std::string_view, 3> kServerKeys{"name", "ipv4", "ipv6"};
constexpr std::array<std::string_view, 5> kSipKeys{"transports", "proxy_port", "redirect_port",
                                                   "tls_port", "naptr"};
constexpr std::array<std::string_view, 3> kServiceKeys{"service", "port", "targets"};
constexpr std::array<std::string_view, 4> kTargetKeys{"target", "priority", "weight", "port"};
constexpr std::array<std::string_view, 6> kSoaKeys{"serial", "refresh", "retry",
                                                   "expire", "minimum", "rname"};
constexpr std::array<std::string_view, 8> kDaemonKeys{
    "listen",  "threads",        "nsid",        "identity", "version", "edns_udp_size",
    "tcp_idle_timeout_ms", "tcp_max_connections"};

// Largest TTL or SOA time value: RFC 2181 §8 (the top bit of a 32-bit TTL must be zero).
constexpr std::uint64_t kMaxTtl = 2147483647;

namespace msg {

const std::string kNotMapping = "expected a mapping of site keys at the top level";
const std::string kDomainMissing =
    "required key is missing (the SIP domain, e.g. scsnetwork.local)";
const std::string kNoRecordSource = "a site needs at least one of servers, hosts, services or records";
const std::string kRequired = "required key is missing";

std::string not_yaml(const std::string& why) { return "not valid YAML: " + why; }

std::string did_you_mean(std::string_view known) {
    return "unknown key; did you mean '" + std::string(known) + "'?";
}

std::string unknown_key(KeyList known) {
    std::string s = "unknown key (expected one of: ";
    for (std::size_t i = 0; i < known.size(); ++i) {
        if (i) s += ", ";
        s += known[i];
    }
    return s + ")";
}

std::string at_line(std::uint32_t line) { return "(first at line " + std::to_string(line) + ")"; }

std::string duplicate(std::string_view what, std::string_view written, std::uint32_t first_line) {
    return "duplicate " + std::string(what) + " '" + std::string(written) + "' " +
           at_line(first_line);
}

std::string listed_twice(std::string_view written) {
    return "'" + std::string(written) + "' is listed twice";
}

std::string invalid_name(std::string_view kind, std::string_view written, const std::string& why) {
    return "invalid " + std::string(kind) + " '" + std::string(written) + "': " + why;
}

std::string cannot_parse_record(const std::string& text, const std::string& why) {
    return "cannot parse '" + text + "': " + why;
}

}  // namespace msg

// Edit distance for "did you mean": Levenshtein plus adjacent transpositions ("nmae" -> "name"
// is one typo), the optimal-string-alignment variant.
std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
    for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
    for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
                d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
            }
        }
    }
    return d[a.size()][b.size()];
}

std::string lower_ascii(std::string_view s) {
    std::string out(s);
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return out;
}

bool all_digits(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// ---------------------------------------------------------------------------------------------
// Reading YAML nodes with positions and key paths.

// A YAML node together with its key path (for messages) and 1-based position.
struct Value {
    YAML::Node node;
    std::string path;
    SourcePos pos;

    bool is_null() const { return !node.IsDefined() || node.IsNull(); }
};

std::string join(const std::string& path, std::string_view key) {
    return path.empty() ? std::string(key) : path + "." + std::string(key);
}

std::string index(const std::string& path, std::size_t i) {
    return path + "[" + std::to_string(i) + "]";
}

// yaml-cpp marks are 0-based; a null value's mark points past it, so it uses the key's place.
SourcePos pos_of(const YAML::Node& node, SourcePos fallback) {
    if (!node.IsDefined() || node.IsNull()) return fallback;
    const YAML::Mark m = node.Mark();
    if (m.is_null() || m.line < 0 || m.column < 0) return fallback;
    return {static_cast<std::uint32_t>(m.line) + 1, static_cast<std::uint32_t>(m.column) + 1};
}

// How a value is shown after "got": scalars quoted (numbers bare), containers by kind.
std::string describe(const YAML::Node& n) {
    if (!n.IsDefined() || n.IsNull()) return "nothing";
    if (n.IsSequence()) return "a list";
    if (n.IsMap()) return "a mapping";
    const std::string& s = n.Scalar();
    if (all_digits(s) || (s.size() > 1 && s[0] == '-' && all_digits(s.substr(1)))) return s;
    return "'" + s + "'";
}

// The fields of one YAML mapping read against a fixed key list.
class Mapping {
public:
    const Value* get(std::string_view key) const {
        for (const auto& [k, v] : fields_) {
            if (k == key) return &v;
        }
        return nullptr;
    }
    void add(std::string key, Value v) { fields_.emplace_back(std::move(key), std::move(v)); }
    Value self;

private:
    std::vector<std::pair<std::string, Value>> fields_;
};

// One key: value pair of a free-form mapping (hosts, aliases).
struct Entry {
    std::string key;
    SourcePos key_pos;
    Value value;
};

// Carries the file name and the diagnostics; all typed reads go through it.
class Reader {
public:
    explicit Reader(std::string file) : file_(std::move(file)) {}

    const std::string& file() const { return file_; }
    bool failed() const { return !diags_.empty(); }

    void error(SourcePos pos, std::string message) {
        diags_.push_back({file_, pos, std::move(message)});
    }
    // "path: message" at the value.
    void error(const Value& v, const std::string& message) {
        error(v.pos, v.path.empty() ? message : v.path + ": " + message);
    }
    void expected(const Value& v, std::string_view what) {
        error(v, "expected " + std::string(what) + ", got " + describe(v.node));
    }

    // All diagnostics, in file order (sections are checked in a fixed order, not file order).
    Diagnostics take() {
        std::stable_sort(diags_.begin(), diags_.end(), [](const Diagnostic& a, const Diagnostic& b) {
            return std::tie(a.pos.line, a.pos.column) < std::tie(b.pos.line, b.pos.column);
        });
        return std::move(diags_);
    }

    // A free-form mapping's entries in file order; keys must be scalars.
    std::optional<std::vector<Entry>> entries(const Value& v, std::string_view what) {
        if (!v.node.IsMap()) {
            error(v, "expected " + std::string(what));
            return std::nullopt;
        }
        std::vector<Entry> out;
        for (auto it = v.node.begin(); it != v.node.end(); ++it) {
            const SourcePos key_pos = pos_of(it->first, v.pos);
            if (!it->first.IsScalar()) {
                error(key_pos, (v.path.empty() ? "" : v.path + ": ") + "expected a key name, got " +
                                   describe(it->first));
                continue;
            }
            const std::string key = it->first.Scalar();
            const std::string path = join(v.path, key);
            out.push_back({key, key_pos, Value{it->second, path, pos_of(it->second, key_pos)}});
        }
        return out;
    }

    // A mapping with a fixed key list: unknown keys get a "did you mean", repeated keys an error.
    std::optional<Mapping> mapping(const Value& v, KeyList known, std::string_view what) {
        auto list = entries(v, what);
        if (!list) return std::nullopt;
        Mapping m;
        m.self = v;
        std::map<std::string, std::uint32_t, std::less<>> seen;
        for (auto& e : *list) {
            const std::string path = join(v.path, e.key);
            if (std::find(known.begin(), known.end(), e.key) == known.end()) {
                error(e.key_pos, path + ": " + unknown_key_message(e.key, known));
                continue;
            }
            if (auto it = seen.find(e.key); it != seen.end()) {
                error(e.key_pos, path + ": duplicate key " + msg::at_line(it->second));
                continue;
            }
            seen.emplace(e.key, e.key_pos.line);
            m.add(e.key, std::move(e.value));
        }
        return m;
    }

    // A list; null counts as empty (a section with everything commented out).
    std::optional<std::vector<Value>> list(const Value& v, std::string_view what) {
        if (v.is_null()) return std::vector<Value>{};
        if (!v.node.IsSequence()) {
            error(v, "expected " + std::string(what));
            return std::nullopt;
        }
        std::vector<Value> out;
        std::size_t i = 0;
        for (const auto& item : v.node) {
            out.push_back(Value{item, index(v.path, i), pos_of(item, v.pos)});
            ++i;
        }
        return out;
    }

    std::optional<std::string> scalar(const Value& v, std::string_view what) {
        if (!v.node.IsScalar()) {
            expected(v, what);
            return std::nullopt;
        }
        return v.node.Scalar();
    }

    // An unsigned decimal number in [min, max]: "expected a port number 1-65535, got 70000".
    std::optional<std::uint64_t> number(const Value& v, std::string_view what, std::uint64_t min,
                                        std::uint64_t max) {
        const std::string range = std::string(what) + " " + std::to_string(min) + "-" +
                                  std::to_string(max);
        if (!v.node.IsScalar() || !all_digits(v.node.Scalar())) {
            expected(v, range);
            return std::nullopt;
        }
        const std::string& s = v.node.Scalar();
        std::uint64_t n = 0;
        const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
        if (ec != std::errc{} || end != s.data() + s.size() || n < min || n > max) {
            expected(v, range);
            return std::nullopt;
        }
        return n;
    }

    std::optional<std::uint16_t> port(const Value& v) {
        auto n = number(v, "a port number", 1, 65535);
        if (!n) return std::nullopt;
        return static_cast<std::uint16_t>(*n);
    }

    std::optional<bool> boolean(const Value& v) {
        if (v.node.IsScalar()) {
            const std::string s = lower_ascii(v.node.Scalar());
            if (s == "true" || s == "yes" || s == "on") return true;
            if (s == "false" || s == "no" || s == "off") return false;
        }
        expected(v, "true or false");
        return std::nullopt;
    }

    // A name as written in the site file, made absolute against `origin` (DESIGN.md §2).
    std::optional<std::string> name(const Value& v, const std::string& origin,
                                    std::string_view kind = "name") {
        auto text = scalar(v, kind == "name" ? "a name" : "a " + std::string(kind));
        if (!text) return std::nullopt;
        auto n = absolute_name(*text, origin);
        if (!n) {
            error(v, msg::invalid_name(kind, *text, n.error()));
            return std::nullopt;
        }
        return std::move(*n);
    }

    std::optional<IpAddress> address(const Value& v, std::optional<IpAddress::Family> family) {
        std::string_view what = "an IPv4 or IPv6 address";
        if (family) what = *family == IpAddress::Family::V4 ? "an IPv4 address" : "an IPv6 address";
        std::optional<IpAddress> a;
        if (v.node.IsScalar()) {
            const std::string& s = v.node.Scalar();
            if (!family) {
                a = IpAddress::parse(s);
            } else if (*family == IpAddress::Family::V4) {
                a = IpAddress::parse_v4(s);
            } else {
                a = IpAddress::parse_v6(s);
            }
        }
        if (!a) expected(v, what);
        return a;
    }

private:
    static std::string unknown_key_message(std::string_view key, KeyList known) {
        // Suggest within distance 2, and not when half the key would change ("foo" is not a
        // typo of "soa").
        std::string_view best;
        std::size_t best_distance = 3;
        const std::string typed = lower_ascii(key);
        for (const auto k : known) {
            const std::size_t d = edit_distance(typed, k);
            if (d < best_distance && 2 * d <= typed.size()) {
                best = k;
                best_distance = d;
            }
        }
        return best.empty() ? msg::unknown_key(known) : msg::did_you_mean(best);
    }

    std::string file_;
    Diagnostics diags_;
};

// Remembers where each name was first seen, to report repeats with "first at line N".
class FirstSeen {
public:
    // Returns the first line if `key` was seen before; records it otherwise.
    std::optional<std::uint32_t> check(const std::string& key, SourcePos pos) {
        auto [it, inserted] = lines_.emplace(key, pos.line);
        if (inserted) return std::nullopt;
        return it->second;
    }

private:
    std::map<std::string, std::uint32_t> lines_;
};

// ---------------------------------------------------------------------------------------------
// Sections (DESIGN.md §2), one function each.

// What every section parser needs besides its own node.
struct Context {
    Reader& r;
    SiteConfig& site;
    std::string origin;  // the domain, or "" when it is missing or invalid (keep checking)
};

void parse_domain(Context& c, const Value* v) {
    if (v == nullptr) {
        c.r.error(SourcePos{1, 1}, "domain: " + msg::kDomainMissing);
        return;
    }
    auto text = c.r.scalar(*v, "a domain name such as scsnetwork.local");
    if (!text) return;
    auto name = check_domain_name(*text);
    if (name && name->empty()) name = unexpected(std::string("the root cannot be a site's domain"));
    if (name && name->starts_with("*")) {
        name = unexpected(std::string("a wildcard cannot be a site's domain"));
    }
    if (!name) {
        c.r.error(*v, msg::invalid_name("domain name", *text, name.error()));
        return;
    }
    c.site.domain = *name;
    c.site.domain_pos = v->pos;
    c.origin = *name;
}

void parse_ttl(Context& c, const Value& v) {
    if (auto n = c.r.number(v, "a TTL in seconds", 0, kMaxTtl)) {
        c.site.ttl = static_cast<std::uint32_t>(*n);
    }
}

void parse_servers(Context& c, const Value& v) {
    auto items = c.r.list(v, "a list of servers");
    if (!items) return;
    FirstSeen names;
    for (const auto& item : *items) {
        auto m = c.r.mapping(item, kServerKeys, "a server: { name, ipv4, ipv6 }");
        if (!m) continue;
        ServerEntry s;
        s.pos = item.pos;
        bool ok = true;
        const Value* name = m->get("name");
        if (name == nullptr) {
            c.r.error(item.pos, join(item.path, "name") + ": " + msg::kRequired);
            ok = false;
        } else if (auto n = c.r.name(*name, c.origin)) {
            s.name = *n;
            if (auto first = names.check(*n, name->pos)) {
                c.r.error(*name, msg::duplicate("server name", name->node.Scalar(), *first));
                ok = false;
            }
        } else {
            ok = false;
        }
        const Value* v4 = m->get("ipv4");
        const Value* v6 = m->get("ipv6");
        if (v4) ok = (s.ipv4 = c.r.address(*v4, IpAddress::Family::V4)).has_value() && ok;
        if (v6) ok = (s.ipv6 = c.r.address(*v6, IpAddress::Family::V6)).has_value() && ok;
        if (!v4 && !v6) {
            c.r.error(item, "a server needs an ipv4 or ipv6 address, or both");
            ok = false;
        }
        if (ok) c.site.servers.push_back(std::move(s));
    }
}

void parse_sip(Context& c, const Value& v) {
    if (v.is_null()) return;
    auto m = c.r.mapping(v, kSipKeys, "a mapping of SIP settings");
    if (!m) return;
    SipSettings& sip = c.site.sip;
    sip.pos = v.pos;
    if (const Value* t = m->get("transports")) {
        if (auto items = c.r.list(*t, "a list of transports (udp, tcp, tls)")) {
            sip.transports.clear();
            FirstSeen seen;
            for (const auto& item : *items) {
                const std::string s = item.node.IsScalar() ? lower_ascii(item.node.Scalar()) : "";
                std::optional<SipTransport> tr;
                if (s == "udp") tr = SipTransport::Udp;
                if (s == "tcp") tr = SipTransport::Tcp;
                if (s == "tls") tr = SipTransport::Tls;
                if (!tr) {
                    c.r.expected(item, "udp, tcp or tls");
                } else if (seen.check(s, item.pos)) {
                    c.r.error(item, msg::listed_twice(item.node.Scalar()));
                } else {
                    sip.transports.push_back(*tr);
                }
            }
            if (items->empty()) c.r.error(*t, "expected at least one of udp, tcp, tls");
        }
    }
    if (const Value* p = m->get("proxy_port")) sip.proxy_port = c.r.port(*p).value_or(sip.proxy_port);
    if (const Value* p = m->get("redirect_port")) {
        sip.redirect_port = c.r.port(*p).value_or(sip.redirect_port);
    }
    if (const Value* p = m->get("tls_port")) sip.tls_port = c.r.port(*p).value_or(sip.tls_port);
    if (const Value* b = m->get("naptr")) sip.naptr = c.r.boolean(*b).value_or(sip.naptr);
}

// hosts: name -> address | [addresses], v4 and v6 mixed, in file order.
void parse_hosts(Context& c, const Value& v) {
    if (v.is_null()) return;
    auto entries = c.r.entries(v, "a mapping of host names to addresses");
    if (!entries) return;
    FirstSeen names;
    for (const auto& e : *entries) {
        HostEntry h;
        h.pos = e.key_pos;
        bool ok = true;
        const Value key{YAML::Node(e.key), e.value.path, e.key_pos};
        if (auto n = c.r.name(key, c.origin)) {
            h.name = *n;
            if (auto first = names.check(*n, e.key_pos)) {
                c.r.error(key, msg::duplicate("host name", e.key, *first));
                ok = false;
            }
        } else {
            ok = false;
        }
        if (e.value.node.IsSequence()) {
            auto items = c.r.list(e.value, "a list of addresses");
            if (items->empty()) {
                c.r.error(e.value, "expected an IPv4 or IPv6 address or a list of them");
                ok = false;
            }
            FirstSeen seen;
            for (const auto& item : *items) {
                auto a = c.r.address(item, std::nullopt);
                if (!a) {
                    ok = false;
                } else if (seen.check(a->to_string(), item.pos)) {
                    c.r.error(item, msg::listed_twice(item.node.Scalar()));
                    ok = false;
                } else {
                    h.addresses.push_back(*a);
                }
            }
        } else if (auto a = c.r.address(e.value, std::nullopt)) {
            h.addresses.push_back(*a);
        } else {
            ok = false;
        }
        if (ok) c.site.hosts.push_back(std::move(h));
    }
}

// aliases: name -> target (CNAME).
void parse_aliases(Context& c, const Value& v) {
    if (v.is_null()) return;
    auto entries = c.r.entries(v, "a mapping of alias names to target names");
    if (!entries) return;
    FirstSeen names;
    for (const auto& e : *entries) {
        AliasEntry a;
        a.pos = e.key_pos;
        const Value key{YAML::Node(e.key), e.value.path, e.key_pos};
        auto name = c.r.name(key, c.origin);
        if (name && !c.origin.empty() && *name == c.origin) {
            // The apex owns SOA and NS, and a CNAME may not share its owner (RFC 1034 §3.6.2).
            c.r.error(key, "a CNAME cannot be at the zone apex (RFC 1034 §3.6.2)");
            name.reset();
        }
        if (name) {
            if (auto first = names.check(*name, e.key_pos)) {
                c.r.error(key, msg::duplicate("alias", e.key, *first));
                name.reset();
            }
        }
        auto target = c.r.name(e.value, c.origin, "target name");
        if (name && target) {
            a.name = *name;
            a.target = *target;
            c.site.aliases.push_back(std::move(a));
        }
    }
}

// RFC 2782: an SRV owner is _Service._Proto.Name; the first two labels start with '_'.
bool is_srv_owner(std::string_view written) {
    const auto dot = written.find('.');
    if (dot == std::string_view::npos) return false;
    const std::string_view service = written.substr(0, dot);
    const std::string_view rest = written.substr(dot + 1);
    const std::string_view proto = rest.substr(0, rest.find('.'));
    return service.size() > 1 && service[0] == '_' && proto.size() > 1 && proto[0] == '_';
}

std::optional<ServiceTarget> parse_target_mapping(Context& c, const Value& item) {
    auto m = c.r.mapping(item, kTargetKeys, "a target: { target, priority, weight, port }");
    if (!m) return std::nullopt;
    ServiceTarget t;
    t.pos = item.pos;
    bool ok = true;
    if (const Value* name = m->get("target")) {
        auto n = c.r.name(*name, c.origin, "target name");
        ok = n.has_value();
        if (n) t.target = *n;
    } else {
        c.r.error(item.pos, join(item.path, "target") + ": " + msg::kRequired);
        ok = false;
    }
    if (const Value* p = m->get("port")) {
        auto port = c.r.port(*p);
        ok = port.has_value() && ok;
        t.port = port.value_or(0);
    } else {
        c.r.error(item.pos, join(item.path, "port") + ": " + msg::kRequired);
        ok = false;
    }
    for (auto [key, field] : {std::pair{"priority", &t.priority}, std::pair{"weight", &t.weight}}) {
        if (const Value* f = m->get(key)) {
            auto n = c.r.number(*f, key == std::string_view("priority") ? "a priority" : "a weight",
                                0, 65535);
            ok = n.has_value() && ok;
            *field = static_cast<std::uint16_t>(n.value_or(0));
        }
    }
    if (!ok) return std::nullopt;
    return t;
}

// services: `port` + `targets: [names]` (priority 0, weight 0), or `targets:` a list of
// { target, priority, weight, port } — not both (DESIGN.md §2).
void parse_services(Context& c, const Value& v) {
    auto items = c.r.list(v, "a list of services");
    if (!items) return;
    FirstSeen owners;
    for (const auto& item : *items) {
        auto m = c.r.mapping(item, kServiceKeys, "a service: { service, port, targets }");
        if (!m) continue;
        ServiceEntry s;
        s.pos = item.pos;
        bool ok = true;
        if (const Value* owner = m->get("service")) {
            auto n = c.r.name(*owner, c.origin, "service name");
            if (n && !is_srv_owner(owner->node.Scalar())) {
                c.r.expected(*owner, "_service._proto or _service._proto.name (RFC 2782)");
                n.reset();
            }
            if (n) {
                if (auto first = owners.check(*n, owner->pos)) {
                    c.r.error(*owner, msg::duplicate("service", owner->node.Scalar(), *first));
                    n.reset();
                }
            }
            ok = n.has_value();
            if (n) s.owner = *n;
        } else {
            c.r.error(item.pos, join(item.path, "service") + ": " + msg::kRequired);
            ok = false;
        }

        const Value* port_value = m->get("port");
        std::uint16_t port = 0;
        if (port_value) {
            auto p = c.r.port(*port_value);
            ok = p.has_value() && ok;
            port = p.value_or(0);
        }

        const Value* targets = m->get("targets");
        if (targets == nullptr) {
            c.r.error(item.pos, join(item.path, "targets") + ": " + msg::kRequired);
            continue;
        }
        auto list = c.r.list(*targets, "a list of targets");
        if (!list) continue;
        if (list->empty()) {
            c.r.error(*targets, "expected at least one target");
            ok = false;
        }
        for (const auto& t : *list) {
            if (t.node.IsScalar()) {
                if (!port_value) {
                    c.r.error(t, "a plain target name needs 'port' on the service; or write "
                                 "{ target: " + t.node.Scalar() + ", port: N }");
                    ok = false;
                    continue;
                }
                auto n = c.r.name(t, c.origin, "target name");
                if (!n) {
                    ok = false;
                    continue;
                }
                s.targets.push_back(ServiceTarget{*n, 0, 0, port, t.pos});
            } else if (t.node.IsMap()) {
                if (port_value) {
                    c.r.error(t, "the service has 'port', so its targets are plain names; to give "
                                 "each target its own priority, weight and port, drop the "
                                 "service's 'port'");
                    ok = false;
                    continue;
                }
                auto target = parse_target_mapping(c, t);
                ok = target.has_value() && ok;
                if (target) s.targets.push_back(std::move(*target));
            } else {
                c.r.expected(t, "a target name or { target, priority, weight, port }");
                ok = false;
            }
        }
        if (ok) c.site.services.push_back(std::move(s));
    }
}

// ---------------------------------------------------------------------------------------------
// records: zone-file lines, parsed with ldns.

struct LdnsRrDeleter {
    void operator()(ldns_rr* rr) const { ldns_rr_free(rr); }
};
struct LdnsRdfDeleter {
    void operator()(ldns_rdf* rdf) const { ldns_rdf_deep_free(rdf); }
};
struct LdnsBufferDeleter {
    void operator()(ldns_buffer* b) const { ldns_buffer_free(b); }
};
using RrPtr = std::unique_ptr<ldns_rr, LdnsRrDeleter>;
using RdfPtr = std::unique_ptr<ldns_rdf, LdnsRdfDeleter>;
using BufferPtr = std::unique_ptr<ldns_buffer, LdnsBufferDeleter>;

Expected<RrPtr, std::string> ldns_parse(const std::string& text, std::uint32_t default_ttl,
                                        const ldns_rdf* origin) {
    ldns_rr* rr = nullptr;
    const ldns_status st = ldns_rr_new_frm_str(&rr, text.c_str(), default_ttl, origin, nullptr);
    if (st != LDNS_STATUS_OK) {
        if (rr) ldns_rr_free(rr);
        return unexpected(std::string(ldns_get_errorstr_by_id(st)));
    }
    return RrPtr(rr);
}

std::string owner_text(const ldns_rdf* owner) {
    char* s = ldns_rdf2str(owner);
    std::string out = s ? lower_ascii(s) : std::string();
    std::free(s);
    if (!out.empty() && out.back() == '.') out.pop_back();
    return out;
}

bool is_at_or_below(std::string_view name, std::string_view zone) {
    if (zone.empty()) return true;
    return name == zone || (name.size() > zone.size() && name.ends_with(zone) &&
                            name[name.size() - zone.size() - 1] == '.');
}

// Meta and query-only types (RFC 6895 §3.1) and SOA, which `soa:` generates, do not belong in
// `records:`.
std::optional<std::string> unsupported_type(std::uint16_t type) {
    if (type == LDNS_RR_TYPE_SOA) return "SOA is generated from the 'soa:' section; set its values there";
    if (type == LDNS_RR_TYPE_OPT || (type >= 128 && type <= 255)) {
        return "type " + std::to_string(type) + " is a meta or query type, not zone data";
    }
    return std::nullopt;
}

std::optional<RawRecord> parse_record(Context& c, const Value& v, const ldns_rdf* origin) {
    auto text = c.r.scalar(v, "a zone-file line such as \"www IN A 192.0.2.80\"");
    if (!text) return std::nullopt;
    // ldns reads "$ORIGIN x." as a record owned by "$ORIGIN"; each line here is one record.
    if (const auto first = text->find_first_not_of(" \t"); first != std::string::npos &&
                                                           (*text)[first] == '$') {
        c.r.error(v, msg::cannot_parse_record(*text, "directives such as $ORIGIN and $TTL are "
                                                      "not supported here; names are relative "
                                                      "to the domain and 'ttl' is the default"));
        return std::nullopt;
    }
    // ldns replaces a default TTL of 0 by 3600; with a site TTL of 0, parse with 1 and 2 to
    // tell whether the line has its own TTL.
    auto rr = ldns_parse(*text, c.site.ttl == 0 ? 1 : c.site.ttl, origin);
    if (!rr) {
        c.r.error(v, msg::cannot_parse_record(*text, rr.error()));
        return std::nullopt;
    }
    RawRecord rec;
    rec.text = *text;
    rec.pos = v.pos;
    rec.owner = owner_text(ldns_rr_owner(rr->get()));
    rec.type = static_cast<std::uint16_t>(ldns_rr_get_type(rr->get()));
    rec.rclass = static_cast<std::uint16_t>(ldns_rr_get_class(rr->get()));
    rec.ttl = ldns_rr_ttl(rr->get());
    if (c.site.ttl == 0) {
        auto again = ldns_parse(*text, 2, origin);
        if (again && ldns_rr_ttl(again->get()) != rec.ttl) rec.ttl = 0;
    }

    const ldns_rr_descriptor* d = ldns_rr_descript(rec.type);
    if (rec.type == 0) {
        c.r.error(v, msg::cannot_parse_record(*text, "no record type"));
        return std::nullopt;
    }
    if (d != nullptr && ldns_rr_rd_count(rr->get()) < ldns_rr_descriptor_minimum(d)) {
        c.r.error(v, msg::cannot_parse_record(*text, "the record data is missing or incomplete"));
        return std::nullopt;
    }
    if (rec.rclass != LDNS_RR_CLASS_IN) {
        c.r.error(v, "only class IN is supported, in '" + *text + "'");
        return std::nullopt;
    }
    if (auto why = unsupported_type(rec.type)) {
        c.r.error(v, *why + ", in '" + *text + "'");
        return std::nullopt;
    }
    if (rec.ttl > kMaxTtl) {
        c.r.error(v, "TTL " + std::to_string(rec.ttl) + " is above " + std::to_string(kMaxTtl) +
                         " (RFC 2181 §8), in '" + *text + "'");
        return std::nullopt;
    }
    // The site serves its domain and the reverse zones of its addresses, nothing else.
    if (!c.origin.empty() && !is_at_or_below(rec.owner, c.origin) &&
        !is_at_or_below(rec.owner, "in-addr.arpa") && !is_at_or_below(rec.owner, "ip6.arpa")) {
        c.r.error(v, "owner '" + rec.owner + "' is outside the zone '" + c.origin +
                         "' and its reverse zones, in '" + *text + "'");
        return std::nullopt;
    }

    // RDATA in uncompressed wire form (RFC 1035 §3.2.1 without RDLENGTH; RFC 3597 §4).
    BufferPtr buf(ldns_buffer_new(LDNS_MAX_PACKETLEN));
    if (ldns_rr_rdata2buffer_wire(buf.get(), rr->get()) != LDNS_STATUS_OK ||
        ldns_buffer_position(buf.get()) > 65535) {
        c.r.error(v, msg::cannot_parse_record(*text, "the record data is too long"));
        return std::nullopt;
    }
    rec.rdata.assign(reinterpret_cast<const char*>(ldns_buffer_begin(buf.get())),
                     ldns_buffer_position(buf.get()));
    return rec;
}

void parse_records(Context& c, const Value& v) {
    auto items = c.r.list(v, "a list of zone-file lines");
    if (!items) return;
    RdfPtr origin(ldns_dname_new_frm_str(c.origin.empty() ? "." : (c.origin + ".").c_str()));
    for (const auto& item : *items) {
        if (auto rec = parse_record(c, item, origin.get())) c.site.records.push_back(std::move(*rec));
    }
}

// ---------------------------------------------------------------------------------------------

void parse_reverse(Context& c, const Value& v) {
    if (v.is_null()) return;
    ReverseSettings& rev = c.site.reverse;
    rev.pos = v.pos;
    if (v.node.IsScalar()) {
        const std::string s = lower_ascii(v.node.Scalar());
        if (s == "auto") {
            rev.mode = ReverseSettings::Mode::Auto;
        } else if (s == "off") {
            rev.mode = ReverseSettings::Mode::Off;
        } else {
            c.r.expected(v, "auto, off or a list of prefixes");
        }
        return;
    }
    if (!v.node.IsSequence()) {
        c.r.expected(v, "auto, off or a list of prefixes");
        return;
    }
    auto items = c.r.list(v, "a list of prefixes");
    rev.mode = ReverseSettings::Mode::Prefixes;
    if (items->empty()) c.r.error(v, "expected at least one prefix, or write 'off'");
    FirstSeen seen;
    for (const auto& item : *items) {
        auto p = item.node.IsScalar() ? IpPrefix::parse(item.node.Scalar()) : std::nullopt;
        if (!p) {
            c.r.expected(item, "an address prefix such as 192.168.11.0/24 or 2001:db8::/64");
        } else if (p->has_host_bits()) {
            c.r.error(item, "prefix '" + item.node.Scalar() + "' has host bits set; did you mean '" +
                                p->network().to_string() + "'?");
        } else if (seen.check(p->to_string(), item.pos)) {
            c.r.error(item, msg::listed_twice(item.node.Scalar()));
        } else {
            rev.prefixes.push_back(*p);
        }
    }
}

void parse_nameservers(Context& c, const Value& v) {
    auto items = c.r.list(v, "a list of name server names");
    if (!items) return;
    FirstSeen seen;
    for (const auto& item : *items) {
        auto n = c.r.name(item, c.origin);
        if (!n) continue;
        if (seen.check(*n, item.pos)) {
            c.r.error(item, msg::listed_twice(item.node.Scalar()));
            continue;
        }
        c.site.nameservers.push_back(*n);
    }
}

void parse_soa(Context& c, const Value& v) {
    if (v.is_null()) return;
    auto m = c.r.mapping(v, kSoaKeys, "a mapping of SOA values");
    if (!m) return;
    SoaSettings& soa = c.site.soa;
    soa.pos = v.pos;
    if (const Value* s = m->get("serial")) {
        // Serial numbers are 32-bit sequence-space numbers (RFC 1982).
        if (auto n = c.r.number(*s, "a serial number", 0, 4294967295U)) {
            soa.serial = static_cast<std::uint32_t>(*n);
        }
    }
    // SOA times are 32-bit; keep them in the TTL range like every other time (RFC 2181 §8).
    for (auto [key, field] : {std::pair{"refresh", &soa.refresh}, std::pair{"retry", &soa.retry},
                              std::pair{"expire", &soa.expire}, std::pair{"minimum", &soa.minimum}}) {
        if (const Value* t = m->get(key)) {
            if (auto n = c.r.number(*t, "a time in seconds", 0, kMaxTtl)) {
                *field = static_cast<std::uint32_t>(*n);
            }
        }
    }
    if (const Value* r = m->get("rname")) {
        if (auto n = c.r.name(*r, c.origin, "mailbox name")) soa.rname = *n;
    }
}

void parse_daemon(Context& c, const Value& v) {
    if (v.is_null()) return;
    auto m = c.r.mapping(v, kDaemonKeys, "a mapping of server settings");
    if (!m) return;
    DaemonSettings& d = c.site.server;
    d.pos = v.pos;
    if (const Value* l = m->get("listen")) {
        if (auto items = c.r.list(*l, "a list of ADDR:PORT strings")) {
            FirstSeen seen;
            for (const auto& item : *items) {
                auto ep = item.node.IsScalar() ? IpEndpoint::parse(item.node.Scalar()) : std::nullopt;
                if (!ep) {
                    c.r.expected(item, "ADDR:PORT such as 0.0.0.0:53 or [::]:53");
                } else if (seen.check(ep->to_string(), item.pos)) {
                    c.r.error(item, msg::listed_twice(item.node.Scalar()));
                } else {
                    d.listen.push_back(item.node.Scalar());
                }
            }
        }
    }
    if (const Value* t = m->get("threads")) {
        if (auto n = c.r.number(*t, "a thread count", 1, 256)) d.threads = static_cast<unsigned>(*n);
    }
    // Each is sent as one TXT character-string (RFC 1035 §3.3.14) or NSID option: 255 octets.
    for (auto [key, field] : {std::pair{"nsid", &d.nsid}, std::pair{"identity", &d.identity},
                              std::pair{"version", &d.version}}) {
        const Value* s = m->get(key);
        if (s == nullptr) continue;
        if (s->is_null()) continue;  // empty = off / hidden
        auto text = c.r.scalar(*s, "a string");
        if (text && text->size() > 255) {
            c.r.error(*s, "expected at most 255 octets, got " + std::to_string(text->size()));
        } else if (text) {
            *field = *text;
        }
    }
    // 512 is the classic limit (RFC 1035 §2.3.4); 4096 the usual EDNS ceiling (RFC 6891 §6.2.5).
    if (const Value* s = m->get("edns_udp_size")) {
        if (auto n = c.r.number(*s, "an EDNS UDP payload size", 512, 4096)) {
            d.edns_udp_size = static_cast<std::uint16_t>(*n);
        }
    }
    if (const Value* s = m->get("tcp_idle_timeout_ms")) {
        if (auto n = c.r.number(*s, "a timeout in milliseconds", 1, 3600000)) {
            d.tcp_idle_timeout_ms = static_cast<std::uint32_t>(*n);
        }
    }
    if (const Value* s = m->get("tcp_max_connections")) {
        if (auto n = c.r.number(*s, "a connection count", 1, 1000000)) {
            d.tcp_max_connections = static_cast<std::uint32_t>(*n);
        }
    }
}

// True if the section is present and not empty.
bool has_items(const Value* v) {
    return v != nullptr && (v->node.IsScalar() || (v->node.IsDefined() && v->node.size() > 0));
}

SiteConfig parse_site(Reader& r, const Mapping& top) {
    SiteConfig site;
    site.file = r.file();
    Context c{r, site, {}};
    parse_domain(c, top.get("domain"));
    if (const Value* v = top.get("ttl")) parse_ttl(c, *v);
    if (const Value* v = top.get("servers")) parse_servers(c, *v);
    if (const Value* v = top.get("sip")) parse_sip(c, *v);
    if (const Value* v = top.get("hosts")) parse_hosts(c, *v);
    if (const Value* v = top.get("aliases")) parse_aliases(c, *v);
    if (const Value* v = top.get("services")) parse_services(c, *v);
    if (const Value* v = top.get("records")) parse_records(c, *v);
    if (const Value* v = top.get("reverse")) parse_reverse(c, *v);
    if (const Value* v = top.get("nameservers")) parse_nameservers(c, *v);
    if (const Value* v = top.get("soa")) parse_soa(c, *v);
    if (const Value* v = top.get("server")) parse_daemon(c, *v);

    if (!has_items(top.get("servers")) && !has_items(top.get("hosts")) &&
        !has_items(top.get("services")) && !has_items(top.get("records"))) {
        r.error(SourcePos{1, 1}, "servers: " + msg::kNoRecordSource);
    }
    if (site.soa.rname.empty() && !site.domain.empty()) site.soa.rname = "hostmaster." + site.domain;
    return site;
}

}  // namespace

Expected<SiteConfig, Diagnostics> load_site_text(std::string_view text, const std::string& file_name) {
    Reader r(file_name);
    std::vector<YAML::Node> docs;
    try {
        docs = YAML::LoadAll(std::string(text));
    } catch (const YAML::ParserException& e) {
        r.error(SourcePos{static_cast<std::uint32_t>(e.mark.line + 1),
                          static_cast<std::uint32_t>(e.mark.column + 1)},
                msg::not_yaml(e.msg));
        return unexpected(r.take());
    }
    if (docs.size() > 1) {
        r.error(pos_of(docs[1], SourcePos{1, 1}),
                "expected one YAML document, found " + std::to_string(docs.size()));
        return unexpected(r.take());
    }
    const Value root{docs.empty() ? YAML::Node() : docs[0], "", SourcePos{1, 1}};
    if (!root.node.IsMap()) {
        r.error(pos_of(root.node, SourcePos{1, 1}), msg::kNotMapping);
        return unexpected(r.take());
    }
    try {
        auto top = r.mapping(root, kTopKeys, msg::kNotMapping);
        SiteConfig site = parse_site(r, *top);
        if (r.failed()) return unexpected(r.take());
        return site;
    } catch (const YAML::Exception& e) {
        // Not expected: every node is type-checked before use. Report rather than crash.
        r.error(SourcePos{}, std::string("internal error while reading the site: ") + e.what());
        return unexpected(r.take());
    }
}

Expected<SiteConfig, Diagnostics> load_site_file(const std::string& path) {
    const auto cannot_read = [&path](int err) {
        return unexpected(Diagnostics{{path, {}, std::string("cannot read: ") + std::strerror(err)}});
    };
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return cannot_read(errno);
    std::string text;
    char buf[65536];
    while (true) {
        const ssize_t n = ::read(fd, buf, sizeof buf);
        if (n == 0) break;
        if (n < 0) {
            if (errno == EINTR) continue;
            const int err = errno;
            ::close(fd);
            return cannot_read(err);
        }
        text.append(buf, static_cast<std::size_t>(n));
    }
    ::close(fd);
    return load_site_text(text, path);
}

}  // namespace sipdns::config
