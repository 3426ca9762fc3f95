// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// An open-addressing hash table from wire names to the objects that carry them, for the
// per-query lookup: no allocation on find. A slot holds only the hash and the pointer; the key
// is read from the object itself (`table_key(value)`, found by argument-dependent lookup), so a
// table of 200,000 names costs 16 bytes a slot rather than 32 (docs/design.md §7: memory traded for
// speed, but not wasted).
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace sipdns::zone {

inline std::uint64_t hash_name(std::string_view s) {
    // FNV-1a, 64 bit: short keys, no per-call setup.
    std::uint64_t h = 1469598103934665603ULL;
    for (unsigned char c : s) {
        h ^= c;
        h *= 1099511628211ULL;
    }
    return h ^ (h >> 29);
}

// Values are pointers: nullptr marks an empty slot (and is what find() returns for "absent").
// `table_key(value)` returns the name a value is stored under; it must not change while the
// value is in the table.
template <typename Value>
class NameTable {
public:
    // Inserts, or replaces the value stored under the same name. `value` must not be null.
    void insert(Value value) { insert(value, hash_name(table_key(value))); }
    // `h` is hash_name(table_key(value)).
    void insert(Value value, std::uint64_t h) {
        if ((size_ + 1) * 8 > slots_.size() * 7) grow();
        place(h, value);
    }

    // Value for key, or Value{} when absent.
    Value find(std::string_view key) const { return find(key, hash_name(key)); }
    // The same with the key's hash_name() already computed (find, then insert: hashed once).
    Value find(std::string_view key, std::uint64_t h) const {
        if (slots_.empty()) return Value{};
        const std::size_t mask = slots_.size() - 1;
        for (std::size_t i = h & mask;; i = (i + 1) & mask) {
            const Slot& s = slots_[i];
            if (s.value == Value{}) return Value{};
            if (s.hash == h && table_key(s.value) == key) return s.value;
        }
    }

    std::size_t size() const { return size_; }
    void clear() {
        std::vector<Slot>().swap(slots_);
        size_ = 0;
    }
    // Room for n names without growing (load factor at most 7/8: linear probing stays short
    // with a 64-bit hash compared before any key).
    // One allocation of the final size: doubling step by step would touch every smaller table
    // on the way too (a 300,000-name index: 8 MiB of page faults instead of 4).
    void reserve(std::size_t n) {
        std::size_t size = slots_.empty() ? 16 : slots_.size();
        while (size * 7 < n * 8 + 8) size *= 2;
        if (size != slots_.size()) rehash(size);
    }

private:
    struct Slot {
        std::uint64_t hash = 0;
        Value value{};  // nullptr: empty
    };

    void place(std::uint64_t h, Value value) {
        const std::size_t mask = slots_.size() - 1;
        for (std::size_t i = h & mask;; i = (i + 1) & mask) {
            Slot& s = slots_[i];
            if (s.value == Value{}) {
                s = Slot{h, value};
                ++size_;
                return;
            }
            if (s.hash == h && table_key(s.value) == table_key(value)) {
                s.value = value;
                return;
            }
        }
    }

    void grow() { rehash(slots_.empty() ? 16 : slots_.size() * 2); }

    void rehash(std::size_t slot_count) {
        std::vector<Slot> old;
        old.swap(slots_);
        slots_.assign(slot_count, Slot{});
        size_ = 0;
        for (const Slot& s : old)
            if (s.value != Value{}) place(s.hash, s.value);
    }

    std::vector<Slot> slots_;
    std::size_t size_ = 0;
};

}  // namespace sipdns::zone
