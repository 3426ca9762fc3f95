#pragma once
// An open-addressing hash table from wire names to values, for the per-query lookup: no
// allocation on find, keys are views into storage the owner keeps alive (the zone's nodes).
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
template <typename Value>
class NameTable {
public:
    // Inserts or overwrites. `key` must outlive the table; `value` must not be null.
    void insert(std::string_view key, Value value) {
        if ((size_ + 1) * 4 > slots_.size() * 3) grow();
        place(key, hash_name(key), value);
    }

    // Value for key, or Value{} when absent.
    Value find(std::string_view key) const {
        if (slots_.empty()) return Value{};
        const std::uint64_t h = hash_name(key);
        const std::size_t mask = slots_.size() - 1;
        for (std::size_t i = h & mask;; i = (i + 1) & mask) {
            const Slot& s = slots_[i];
            if (s.value == Value{}) return Value{};
            if (s.hash == h && s.key == key) return s.value;
        }
    }

    std::size_t size() const { return size_; }
    void clear() {
        std::vector<Slot>().swap(slots_);
        size_ = 0;
    }
    void reserve(std::size_t n) {
        while (slots_.size() * 3 < n * 4 + 4) grow();
    }

private:
    struct Slot {
        std::string_view key;
        std::uint64_t hash = 0;
        Value value{};  // nullptr: empty
    };

    void place(std::string_view key, std::uint64_t h, Value value) {
        const std::size_t mask = slots_.size() - 1;
        for (std::size_t i = h & mask;; i = (i + 1) & mask) {
            Slot& s = slots_[i];
            if (s.value == Value{}) {
                s = Slot{key, h, value};
                ++size_;
                return;
            }
            if (s.hash == h && s.key == key) {
                s.value = value;
                return;
            }
        }
    }

    void grow() {
        std::vector<Slot> old;
        old.swap(slots_);
        slots_.assign(old.empty() ? 16 : old.size() * 2, Slot{});
        size_ = 0;
        for (const Slot& s : old)
            if (s.value != Value{}) place(s.key, s.hash, s.value);
    }

    std::vector<Slot> slots_;
    std::size_t size_ = 0;
};

}  // namespace sipdns::zone
