// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// Private to config/: reading YAML nodes (yaml_document.h, built with yaml-cpp) with key paths,
// 1-based positions and collected diagnostics. Only the loader's sources include this header.
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sipdns/config/address.h"
#include "sipdns/config/diagnostic.h"
#include "yaml_document.h"

namespace sipdns::config::detail {

using KeyList = std::span<const std::string_view>;

// Messages used in more than one place. Section-specific ones stay next to their checks.
namespace msg {

inline const std::string kRequired = "required key is missing";

std::string unknown_key(std::string_view key, KeyList known);
std::string at_line(std::uint32_t line);  // "(first at line N)"
std::string duplicate(std::string_view what, std::string_view written, std::uint32_t first_line);
std::string listed_twice(std::string_view written);
std::string invalid_name(std::string_view kind, std::string_view written, const std::string& why);

}  // namespace msg

std::string lower_ascii(std::string_view s);
bool all_digits(std::string_view s);

// A YAML node together with its key path (for messages, e.g. "servers[1].ipv4") and 1-based
// position.
struct Value {
    yaml::Node node;
    std::string path;
    SourcePos pos;

    bool is_null() const { return node.is_null(); }
};

std::string join(const std::string& path, std::string_view key);  // "sip" + "tls_port"
std::string index(const std::string& path, std::size_t i);        // "servers" + 1

// A null value (`key:` with nothing after it) has no text to point at, so it uses `fallback`
// (the key's place) instead, as the yaml-cpp loader did.
SourcePos pos_of(const yaml::Node& node, SourcePos fallback);

// How a value is shown after "got": scalars quoted (numbers bare), containers by kind.
std::string describe(const yaml::Node& n);

// "udp, tcp" as the YAML flow list it was meant as, "[udp, tcp]" (items that YAML would read
// otherwise, such as "[::1]:53", in double quotes); empty when too long to be a useful hint.
std::string as_flow_list(std::string_view scalar);

// "1h", "90m", "1d12h": the number of seconds a BIND-style time with units means (RFC 1035
// numbers have none); nullopt when `text` is not one.
std::optional<std::uint64_t> seconds_with_units(std::string_view text);

// The fields of one YAML mapping that passed the key check, in file order.
class Mapping {
  public:
    const Value* get(std::string_view key) const;
    void add(std::string key, Value v) { fields_.emplace_back(std::move(key), std::move(v)); }

  private:
    std::vector<std::pair<std::string, Value>> fields_;
};

// One key: value pair of a free-form mapping (hosts, aliases).
struct Entry {
    std::string key;
    yaml::Node key_node;
    SourcePos key_pos;
    Value value;
};

// Carries the file name and the diagnostics; all typed reads go through it. Each read that
// fails reports why at the value and returns nullopt; callers keep going.
class Reader {
  public:
    explicit Reader(std::string file) : file_(std::move(file)) {}

    const std::string& file() const { return file_; }
    bool failed() const { return count_errors(diags_) != 0; }

    void error(SourcePos pos, std::string message);
    void error(const Value& v, const std::string& message);   // "path: message" at the value
    void expected(const Value& v, std::string_view what);     // "path: expected X, got Y"
    void missing(const Value& parent, std::string_view key);  // "path.key: required key ..."
    // "path: warning: message" at the value: printed, and the site serves as written.
    void warning(const Value& v, const std::string& message);

    // All diagnostics, in file order (sections are checked in a fixed order, not file order).
    Diagnostics take();

    // A free-form mapping's entries in file order; keys must be scalars.
    std::optional<std::vector<Entry>> entries(const Value& v, std::string_view what);
    // The same entries handed to `each(Entry&&)` one at a time, unstored (a 100,000-host
    // `hosts:` as a vector of entries was 11 MiB); false, having reported it, when `v` is no
    // mapping.
    template <class Each>
    bool each_entry(const Value& v, std::string_view what, Each&& each);
    // A mapping with a fixed key list: unknown keys get a "did you mean", repeated keys an error.
    std::optional<Mapping> mapping(const Value& v, KeyList known, std::string_view what);
    // A list; null counts as empty (a section with everything commented out).
    // `scalar_items`: the items are plain values (names, addresses, transports), so a single
    // value in their place gets "write it as [udp, tcp]".
    std::optional<std::vector<Value>> list(const Value& v, std::string_view what,
                                           bool scalar_items = false);
    // A scalar written where a list goes, "udp, tcp" for [udp, tcp]: "expected <what>, got the
    // single value 'udp, tcp'; write it as [udp, tcp]". Where one value alone is fine too
    // (hosts, locations, forward), only a value with a comma is meant as a list.
    void single_value(const Value& v, std::string_view what);
    static bool comma_separated(const Value& v);

    std::optional<std::string> scalar(const Value& v, std::string_view what);
    // An unsigned decimal in [min, max]: "expected a port number 1-65535, got 70000".
    // `unit`: what the number counts, for a value written with a unit ("1h": "the value is in
    // seconds; write 3600").
    enum class Unit { None, Seconds, Milliseconds };
    std::optional<std::uint64_t> number(const Value& v, std::string_view what, std::uint64_t min,
                                        std::uint64_t max, Unit unit = Unit::None);
    std::optional<std::uint16_t> port(const Value& v);
    std::optional<bool> boolean(const Value& v);
    // A name as written in the site file, made absolute against `origin` (docs/design.md §2).
    std::optional<std::string> name(const Value& v, const std::string& origin,
                                    std::string_view kind = "name");
    // nullopt family = either.
    std::optional<IpAddress> address(const Value& v, std::optional<IpAddress::Family> family);

  private:
    std::string file_;
    Diagnostics diags_;
};

template <class Each>
bool Reader::each_entry(const Value& v, std::string_view what, Each&& each) {
    if (!v.node.is_mapping()) {
        error(v, "expected " + std::string(what));
        return false;
    }
    for (std::size_t i = 0; i < v.node.size(); ++i) {
        const yaml::Node k = v.node.key(i);
        const yaml::Node val = v.node.value(i);
        const SourcePos key_pos = pos_of(k, v.pos);
        if (!k.is_scalar()) {
            error(Value{k, v.path, key_pos}, "expected a key name, got " + describe(k));
            continue;
        }
        std::string key(k.scalar());
        std::string path = join(v.path, key);
        each(Entry{std::move(key), k, key_pos, Value{val, std::move(path), pos_of(val, key_pos)}});
    }
    return true;
}

// Remembers where each key was first seen, to report repeats with "first at line N".
class FirstSeen {
  public:
    // The first line if `key` was seen before; otherwise records it and returns nullopt.
    std::optional<std::uint32_t> check(const std::string& key, SourcePos pos);
    void reserve(std::size_t keys);

  private:
    // Hashed, open addressing: the hosts of a 100k-host site are checked here one by one. The
    // keys are copied back to back into one string, each after its 4-byte length (no
    // allocation per key); a slot is 16 bytes.
    struct Slot {
        std::uint64_t hash = 0;
        std::uint32_t offset = 0;  // of the key's length in keys_; 0: an empty slot
        std::uint32_t line = 0;
    };
    void rehash(std::size_t slot_count);
    std::vector<Slot> slots_;
    std::size_t size_ = 0;
    std::string keys_;
};

}  // namespace sipdns::config::detail
