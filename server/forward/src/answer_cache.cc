// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#include "sipdns/forward/answer_cache.h"

#include <algorithm>
#include <cstring>

namespace sipdns::forward {

namespace {

// name, type, DO: the reply differs by each (upstream_answer.h strips DNSSEC records for !DO).
constexpr std::size_t kMaxKey = 255 + 3;

std::string_view make_key(const engine::ForwardQuestion& q, char (&buffer)[kMaxKey]) {
    const std::string_view name = q.name();
    std::memcpy(buffer, name.data(), name.size());
    buffer[name.size()] = static_cast<char>(q.qtype >> 8);
    buffer[name.size() + 1] = static_cast<char>(q.qtype & 0xff);
    buffer[name.size() + 2] = q.dnssec_ok ? 1 : 0;
    return {buffer, name.size() + 3};
}

std::size_t cost(const ForwardedAnswer& a, std::size_t key) {
    // The entry's own bytes plus a fixed share for the map node and the control blocks.
    return key + a.message.size() + a.ttl_offsets.size() * 2 + 128;
}

}  // namespace

const ForwardedAnswer* AnswerCache::find(const engine::ForwardQuestion& question,
                                         Clock::time_point now) {
    if (entries_.empty()) return nullptr;
    char buffer[kMaxKey];
    const auto it = entries_.find(make_key(question, buffer));
    if (it == entries_.end()) return nullptr;
    if (now >= it->second.expires) {
        erase(it);
        return nullptr;
    }
    return it->second.answer.get();
}

void AnswerCache::insert(const engine::ForwardQuestion& question,
                         std::shared_ptr<const ForwardedAnswer> answer) {
    if (!answer || answer->cache_ttl == 0 || max_entries_ == 0) return;
    char buffer[kMaxKey];
    const std::string_view key = make_key(question, buffer);
    const std::size_t size = cost(*answer, key.size());
    if (size > max_bytes_) return;
    if (auto it = entries_.find(key); it != entries_.end()) erase(it);
    while (!entries_.empty() && (entries_.size() >= max_entries_ || bytes_ + size > max_bytes_))
        evict_oldest();
    const auto ttl = std::chrono::seconds(std::min(answer->cache_ttl, kMaxTtl));
    const Clock::time_point expires = answer->received + ttl;
    const std::uint64_t sequence = next_sequence_++;
    entries_.emplace(std::string(key), Entry{std::move(answer), expires, sequence});
    insertion_order_.emplace_back(std::string(key), sequence);
    bytes_ += size;
}

void AnswerCache::clear() {
    entries_.clear();
    insertion_order_.clear();
    bytes_ = 0;
}

void AnswerCache::erase(
    std::unordered_map<std::string, Entry, KeyHash, std::equal_to<>>::iterator it) {
    bytes_ -= std::min(bytes_, cost(*it->second.answer, it->first.size()));
    entries_.erase(it);
    // Its place in insertion_order_ goes stale and is skipped when it comes up.
}

void AnswerCache::evict_oldest() {
    while (!insertion_order_.empty()) {
        auto [key, sequence] = std::move(insertion_order_.front());
        insertion_order_.pop_front();
        const auto it = entries_.find(key);
        if (it != entries_.end() && it->second.sequence == sequence) {
            erase(it);
            return;
        }
    }
}

}  // namespace sipdns::forward
