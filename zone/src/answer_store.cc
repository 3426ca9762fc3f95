// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#include <algorithm>

#include "sipdns/zone/precompiled.h"

namespace sipdns::zone {

PrecompiledAnswer AnswerStore::add(const EncodedAnswer& e) {
    PrecompiledAnswer a;
    a.body_offset = static_cast<std::uint32_t>(bytes_.size());
    a.body_length = static_cast<std::uint32_t>(e.body.size());
    a.additional_offset = e.additional_offset;
    a.ancount = e.ancount;
    a.nscount = e.nscount;
    a.arcount = e.arcount;
    a.anchor_length = e.anchor_length;
    a.rcode = e.rcode;
    a.authoritative = e.authoritative;
    bytes_.append(e.body);
    // At most 255 of each: more additional RRsets than that are cut at build time (the
    // encoder stops adding them), and templates carry a handful of patches.
    a.patch_count = static_cast<std::uint8_t>(std::min<std::size_t>(e.patch_positions.size(), 255));
    a.cut_count = static_cast<std::uint8_t>(std::min<std::size_t>(e.cuts.size(), 255));
    a.extras_index = static_cast<std::uint32_t>(patches_.size());
    if (a.patch_count || a.cut_count) {
        const std::size_t n = std::max(a.patch_count, a.cut_count);
        patches_.resize(patches_.size() + n, 0);
        cuts_.resize(cuts_.size() + n, AdditionalCut{0, 0});
        std::copy_n(e.patch_positions.begin(), a.patch_count, patches_.begin() + a.extras_index);
        std::copy_n(e.cuts.begin(), a.cut_count, cuts_.begin() + a.extras_index);
    }
    return a;
}

void AnswerStore::shrink_to_fit() {
    // A reserved tail that was never written holds no memory of a large block (the kernel
    // maps pages on first touch), and copying 12 MiB of bodies to drop it faulted them all in
    // again: the bodies shrink only when more than a quarter of their room is unused.
    if (bytes_.capacity() - bytes_.size() > bytes_.capacity() / 4) bytes_.shrink_to_fit();
    patches_.shrink_to_fit();
    cuts_.shrink_to_fit();
}

}  // namespace sipdns::zone
