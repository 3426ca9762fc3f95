// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// Short byte strings (wire names, rdatas) back to back in fixed blocks: one allocation per few
// hundred strings instead of one each, and no per-string heap header. A 100,000-host site has
// 200,000 owners and as many rdatas (docs/design.md §7: memory traded for speed, but not wasted).
#include <algorithm>
#include <cstddef>
#include <memory>
#include <string_view>
#include <vector>

namespace sipdns::zone {

class ByteArena {
public:
    // A copy of `bytes` that lives as long as the arena. Strings longer than a block get a
    // block of their own.
    std::string_view store(std::string_view bytes) {
        if (bytes.empty()) return {};
        if (blocks_.empty() || kBlockSize - used_ < bytes.size()) {
            const std::size_t size = std::max(kBlockSize, bytes.size());
            blocks_.push_back(std::make_unique_for_overwrite<char[]>(size));  // written next: no memset
            used_ = size == kBlockSize ? 0 : size;  // an oversized block is full at once
            if (used_ != 0) {
                char* at = blocks_.back().get();
                std::copy(bytes.begin(), bytes.end(), at);
                used_ = kBlockSize;  // the next string starts a new block
                return {at, bytes.size()};
            }
        }
        char* at = blocks_.back().get() + used_;
        std::copy(bytes.begin(), bytes.end(), at);
        used_ += bytes.size();
        return {at, bytes.size()};
    }

private:
    static constexpr std::size_t kBlockSize = 16384;
    std::vector<std::unique_ptr<char[]>> blocks_;
    std::size_t used_ = 0;
};

}  // namespace sipdns::zone
