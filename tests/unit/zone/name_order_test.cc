// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
// The canonical order of names (RFC 4034 §6.1), which exports and AXFR walk: its own example
// list, in order, compared pairwise both ways.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sipdns/zone/name.h"

namespace sipdns::test {
namespace {

std::string wire(std::initializer_list<std::string> labels) {
    std::string out;
    for (const auto& l : labels) {
        out.push_back(static_cast<char>(l.size()));
        out += l;
    }
    out.push_back('\0');
    return out;
}

// RFC 4034 §6.1's example, lower-cased as our names are (\001, \200 as octets).
const std::vector<std::string> kCanonicalOrder = {
    wire({"example"}),
    wire({"a", "example"}),
    wire({"yljkjljk", "a", "example"}),
    wire({"z", "a", "example"}),
    wire({"zabc", "a", "example"}),
    wire({"z", "example"}),
    wire({"\001", "z", "example"}),
    wire({"*", "z", "example"}),
    wire({"\200", "z", "example"}),
};

TEST(NameCanonicalOrder, FollowsTheRfcExample) {
    for (std::size_t i = 0; i < kCanonicalOrder.size(); ++i) {
        for (std::size_t j = 0; j < kCanonicalOrder.size(); ++j) {
            EXPECT_EQ(zone::name_canonical_less(kCanonicalOrder[i], kCanonicalOrder[j]), i < j)
                << "names " << i << " and " << j;
        }
    }
}

TEST(NameCanonicalOrder, TheRootSortsFirst) {
    const std::string root(1, '\0');
    EXPECT_TRUE(zone::name_canonical_less(root, wire({"example"})));
    EXPECT_FALSE(zone::name_canonical_less(wire({"example"}), root));
    EXPECT_FALSE(zone::name_canonical_less(root, root));
}

TEST(NameCanonicalOrder, ALabelThatIsAPrefixOfAnotherSortsFirst) {
    EXPECT_TRUE(zone::name_canonical_less(wire({"ab", "test"}), wire({"abc", "test"})));
    EXPECT_FALSE(zone::name_canonical_less(wire({"abc", "test"}), wire({"ab", "test"})));
}

TEST(NameCanonicalOrder, NamesOfTheMostLabelsCompare) {
    // 127 one-octet labels: 255 octets, the longest name (RFC 1035 §3.1); the last differs.
    std::string a, b;
    for (int i = 0; i < 127; ++i) {
        a += std::string("\001") + (i == 0 ? 'a' : 'x');
        b += std::string("\001") + (i == 0 ? 'b' : 'x');
    }
    a.push_back('\0');
    b.push_back('\0');
    EXPECT_TRUE(zone::name_canonical_less(a, b));
    EXPECT_FALSE(zone::name_canonical_less(b, a));
}

}  // namespace
}  // namespace sipdns::test
