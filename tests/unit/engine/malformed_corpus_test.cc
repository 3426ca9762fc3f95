// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
// The malformed-packet corpus (issue 8, docs/design.md §4): oversized, truncated and malformed
// messages, one named row each, with the outcome the engine must give over UDP and TCP —
// dropped, or an error response (FORMERR, NOTIMP, ...) that echoes the header, and the question
// and OPT only when they parsed. Every response is decoded by ldns. The integration test
// tests/integration/test_malformed.py sends a subset to the real daemon.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "../zone/zone_test_support.h"
#include "engine_test_support.h"
#include "test_support.h"

namespace sipdns::test {
namespace {

using engine::Transport;
using Bytes = std::vector<std::uint8_t>;

const char* kSite = R"(
domain: example.test
servers:
  - { name: scs1, ipv4: 192.0.2.11 }
)";

std::shared_ptr<const zone::ZoneSet> zones() {
    static auto z = build_from_yaml(kSite);
    return z;
}

void put16(Bytes& b, std::uint16_t v) {
    b.push_back(static_cast<std::uint8_t>(v >> 8));
    b.push_back(static_cast<std::uint8_t>(v & 0xff));
}
void set16(Bytes& b, std::size_t at, std::uint16_t v) {
    b[at] = static_cast<std::uint8_t>(v >> 8);
    b[at + 1] = static_cast<std::uint8_t>(v & 0xff);
}
Bytes cat(Bytes a, const Bytes& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

// scs1.example.test. A, ID 0x1234, RD; 35 bytes: the question ends at offset 35.
Bytes plain() { return make_query(QuerySpec{"scs1.example.test.", 1}); }
// The same with an OPT (11 bytes, ARCOUNT 1).
Bytes with_edns() {
    QuerySpec s{"scs1.example.test.", 1};
    s.edns = true;
    return make_query(s);
}
constexpr std::uint8_t kQuestionEnd = 35;  // where a record after the question starts
// The first n bytes of a message.
Bytes prefix(const Bytes& b, std::size_t n) { return Bytes(b.begin(), b.begin() + static_cast<long>(n)); }

Bytes header(std::uint16_t flags, std::uint16_t qd, std::uint16_t an, std::uint16_t ns,
             std::uint16_t ar) {
    Bytes b;
    put16(b, 0x1234);
    put16(b, flags);
    put16(b, qd);
    put16(b, an);
    put16(b, ns);
    put16(b, ar);
    return b;
}
Bytes with_counts(Bytes q, std::uint16_t qd, std::uint16_t an, std::uint16_t ns,
                  std::uint16_t ar) {
    set16(q, 4, qd);
    set16(q, 6, an);
    set16(q, 8, ns);
    set16(q, 10, ar);
    return q;
}
Bytes with_flags(Bytes q, std::uint16_t flags) {
    set16(q, 2, flags);
    return q;
}
// An OPT RR: root owner unless `owner` is given, payload 1232, rdata as given.
Bytes opt(const Bytes& rdata = {}, const Bytes& owner = {0}) {
    Bytes b = owner;
    put16(b, 41);
    put16(b, 1232);
    put16(b, 0);
    put16(b, 0);
    put16(b, static_cast<std::uint16_t>(rdata.size()));
    return cat(b, rdata);
}
// A record of type 65280 (private use, RFC 6895 §3.1) with `owner` (wire) and `rdata`.
Bytes record(const Bytes& owner, const Bytes& rdata, std::uint16_t rdlength_override = 0) {
    Bytes b = owner;
    put16(b, 65280);
    put16(b, 1);
    put16(b, 0);
    put16(b, 300);
    put16(b, rdlength_override ? rdlength_override : static_cast<std::uint16_t>(rdata.size()));
    return cat(b, rdata);
}
// A query whose question is the wire name `qname` (no checks), type A class IN.
Bytes question(const Bytes& qname, std::uint16_t qd = 1) {
    Bytes b = cat(header(0x0100, qd, 0, 0, 0), qname);
    put16(b, 1);
    put16(b, 1);
    return b;
}
Bytes labels(std::initializer_list<std::size_t> sizes) {
    Bytes b;
    for (std::size_t n : sizes) {
        b.push_back(static_cast<std::uint8_t>(n));
        b.insert(b.end(), n, 'a');
    }
    b.push_back(0);
    return b;
}

enum class Outcome { Drop, Respond };

struct Row {
    const char* name;
    std::function<Bytes()> build;
    Outcome outcome;
    int rcode = -1;              // header RCODE when answered
    bool question_echoed = false;
    bool opt_echoed = false;
    const char* rule = "";       // the RFC / docs/design.md rule, shown on failure
};

Row drop(const char* name, std::function<Bytes()> b, const char* rule) {
    return Row{name, std::move(b), Outcome::Drop, -1, false, false, rule};
}
Row answer(const char* name, std::function<Bytes()> b, int rcode, bool question, bool opt_rr,
           const char* rule) {
    return Row{name, std::move(b), Outcome::Respond, rcode, question, opt_rr, rule};
}

constexpr int kNoError = 0, kFormErr = 1, kNotImp = 4, kRefused = 5;

// A compression pointer to the question name (offset 12).
Bytes pointer_to_qname_bytes() { return {0xc0, 12}; }

std::vector<Row> corpus() {
    return {
        // --- too short, or not a query
        drop("empty", [] { return Bytes{}; }, "no header: nothing to echo (docs/design.md §4)"),
        drop("header 11 bytes", [] { return prefix(plain(), 11); },
             "truncated header (<12 bytes): drop"),
        drop("QR=1 response", [] { return with_flags(plain(), 0x8000); },
             "a response is never answered (docs/design.md §4, RFC 1035 §4.1.1)"),
        drop("QR=1 malformed", [] { return with_flags(with_counts(plain(), 9, 9, 9, 9), 0x8400); },
             "responses are dropped before anything else is looked at"),

        // --- question count and question
        answer("header only, QDCOUNT 1", [] { return header(0x0100, 1, 0, 0, 0); }, kFormErr,
               false, false, "question missing: FORMERR with the header echoed"),
        answer("QDCOUNT 0", [] { return header(0x0100, 0, 0, 0, 0); }, kFormErr, false, false,
               "no question (docs/design.md §4: QDCOUNT = 0 -> FORMERR)"),
        answer("QDCOUNT 0 with a question behind", [] { return with_counts(plain(), 0, 0, 0, 0); },
               kFormErr, false, false, "QDCOUNT lies: bytes after the counted sections"),
        answer("QDCOUNT 2, one question", [] { return with_counts(plain(), 2, 0, 0, 0); },
               kFormErr, false, false, "RFC 9619: exactly one question"),
        answer("QDCOUNT 2, two questions",
               [] {
                   Bytes q = with_counts(plain(), 2, 0, 0, 0);
                   const Bytes p = plain();
                   return cat(q, Bytes(p.begin() + 12, p.end()));
               },
               kFormErr, false, false, "RFC 9619: exactly one question"),
        answer("all counts 65535, header only", [] { return header(0, 0xffff, 0xffff, 0xffff, 0xffff); },
               kFormErr, false, false, "counts larger than the data"),
        answer("label length 64", [] { return question(labels({64, 4})); }, kFormErr, false,
               false, "RFC 1035 §2.3.4: labels are 63 octets or less"),
        answer("label type 0x80 (obsolete)", [] { return question({0x81, 'a', 0}); }, kFormErr,
               false, false, "RFC 6891 §5: extended label types are not used"),
        answer("label running past the end", [] { return prefix(plain(), 20); },
               kFormErr, false, false, "truncated question name"),
        answer("label length past the message", [] { return question({60, 'a', 'b', 0}); },
               kFormErr, false, false, "label length larger than the rest of the message"),
        answer("name without its root label", [] { return prefix(plain(), 30); },
               kFormErr, false, false, "truncated question name"),
        answer("question name of 257 octets", [] { return question(labels({63, 63, 63, 63})); },
               kFormErr, false, false, "RFC 1035 §2.3.4: names are 255 octets or less"),
        answer("question name of 255 octets (the limit)",
               [] { return question(labels({63, 63, 63, 61})); }, kRefused, true, false,
               "a legal name that is not ours: REFUSED (authoritative only)"),
        answer("compression pointer as the question name", [] { return question({0xc0, 12}); },
               kFormErr, false, false,
               "RFC 1035 §4.1.4: a pointer refers to a prior name; before the question there is "
               "only the header"),
        answer("label then pointer in the question", [] { return question({1, 'a', 0xc0, 12}); },
               kFormErr, false, false, "a pointer in the question points at itself: a loop"),
        answer("question without QTYPE/QCLASS",
               [] { return prefix(plain(), kQuestionEnd - 4); }, kFormErr,
               false, false, "truncated question"),
        answer("question with QTYPE only",
               [] { return prefix(plain(), kQuestionEnd - 2); }, kFormErr,
               false, false, "truncated question"),

        // --- counts that lie about the other sections
        answer("ANCOUNT 1, no answer", [] { return with_counts(plain(), 1, 1, 0, 0); }, kFormErr,
               true, false, "ANCOUNT larger than the data"),
        answer("NSCOUNT 1, no authority", [] { return with_counts(plain(), 1, 0, 1, 0); },
               kFormErr, true, false, "NSCOUNT larger than the data"),
        answer("ARCOUNT 3, one OPT", [] { return with_counts(with_edns(), 1, 0, 0, 3); },
               kFormErr, true, true, "ARCOUNT larger than the data (the OPT parsed is echoed)"),
        answer("ANCOUNT 65535", [] { return with_counts(plain(), 1, 0xffff, 0, 0); }, kFormErr,
               true, false, "ANCOUNT larger than the data"),
        answer("record rdlength past the end",
               [] { return cat(with_counts(plain(), 1, 0, 0, 1), record(pointer_to_qname_bytes(), {1, 2}, 40)); },
               kFormErr, true, false, "RDLENGTH larger than the rest of the message"),
        answer("record cut inside its fixed fields",
               [] {
                   Bytes r = record(pointer_to_qname_bytes(), {});
                   r.resize(6);
                   return cat(with_counts(plain(), 1, 0, 0, 1), r);
               },
               kFormErr, true, false, "truncated resource record"),

        // --- OPT (RFC 6891 §6.1.1: once, in the additional section, owned by the root)
        answer("OPT in the answer section", [] { return cat(with_counts(plain(), 1, 1, 0, 0), opt()); },
               kFormErr, true, false, "RFC 6891 §6.1.1: OPT only in the additional section"),
        answer("OPT in the authority section",
               [] { return cat(with_counts(plain(), 1, 0, 1, 0), opt()); }, kFormErr, true, false,
               "RFC 6891 §6.1.1: OPT only in the additional section"),
        answer("two OPTs", [] { return cat(with_counts(with_edns(), 1, 0, 0, 2), opt()); },
               kFormErr, true, true, "RFC 6891 §6.1.1: more than one OPT -> FORMERR"),
        answer("OPT with a non-root owner",
               [] { return cat(with_counts(plain(), 1, 0, 0, 1), opt({}, {1, 'a', 0})); },
               kFormErr, true, false, "RFC 6891 §6.1.2: the OPT owner MUST be the root"),
        answer("OPT rdlength past the end",
               [] {
                   Bytes o = opt();
                   set16(o, o.size() - 2, 8);
                   return cat(with_counts(plain(), 1, 0, 0, 1), o);
               },
               kFormErr, true, false, "RDLENGTH larger than the rest of the message"),
        answer("OPT option longer than the rdata",
               [] { return cat(with_counts(plain(), 1, 0, 0, 1), opt({0, 3, 0, 9, 1})); },
               kFormErr, true, true,
               "RFC 6891 §6.1.2: options fill the rdata exactly (the OPT's fixed part parsed: "
               "ours is sent back)"),
        answer("OPT with a cut option header",
               [] { return cat(with_counts(plain(), 1, 0, 0, 1), opt({0, 3})); }, kFormErr, true,
               true, "RFC 6891 §6.1.2: options fill the rdata exactly"),
        answer("OPT with an unknown option (ignored)",
               [] { return cat(with_counts(plain(), 1, 0, 0, 1), opt({0xfd, 0xe9, 0, 2, 7, 7})); },
               kNoError, true, true, "RFC 6891 §6.1.2: unknown options are ignored"),

        // --- compression in the other sections (RFC 1035 §4.1.4)
        answer("record owner: pointer to the question name (legal)",
               [] { return cat(with_counts(plain(), 1, 0, 0, 1), record({0xc0, 12}, {1, 2, 3})); },
               kNoError, true, false, "RFC 1035 §4.1.4: a pointer to a prior name is fine"),
        answer("record owner: pointer to itself",
               [] { return cat(with_counts(plain(), 1, 0, 0, 1), record({0xc0, kQuestionEnd}, {})); },
               kFormErr, true, false, "a pointer loop"),
        answer("record owner: label then pointer back to it",
               [] {
                   return cat(with_counts(plain(), 1, 0, 0, 1),
                              record({1, 'a', 0xc0, kQuestionEnd}, {}));
               },
               kFormErr, true, false, "a pointer loop through a label (name > 255 octets)"),
        answer("record owner: pointer forward",
               [] { return cat(with_counts(plain(), 1, 0, 0, 1), record({0xc0, 60}, {1, 2, 3, 4, 5, 6, 7, 8})); },
               kFormErr, true, false, "RFC 1035 §4.1.4: a pointer refers to a PRIOR occurrence"),
        answer("record owner: pointer into the header",
               [] { return cat(with_counts(plain(), 1, 0, 0, 1), record({0xc0, 2}, {})); },
               kFormErr, true, false, "a pointer into the header is no name"),
        answer("record owner: pointer to a pointer to a pointer (legal chain)",
               [] {
                   // Record 1 owner = ptr->qname, at offset 35; record 2 owner = ptr->35.
                   Bytes q = with_counts(plain(), 1, 0, 0, 2);
                   q = cat(q, record({0xc0, 12}, {}));
                   return cat(q, record({0xc0, kQuestionEnd}, {}));
               },
               kNoError, true, false, "each pointer points to a prior name"),
        answer("record owner: label type 0x40",
               [] { return cat(with_counts(plain(), 1, 0, 0, 1), record({0x41, 'a', 0}, {})); },
               kFormErr, true, false, "RFC 6891 §5: extended label types are not used"),
        answer("record owner: pointer cut in half",
               [] { return cat(with_counts(plain(), 1, 0, 0, 1), Bytes{0xc0}); }, kFormErr, true,
               false, "truncated name"),

        // --- trailing garbage (RFC 1035 §4.1: the counts describe the whole message)
        answer("one byte after the question", [] { return cat(plain(), {0}); }, kFormErr, true,
               false, "bytes after the counted sections"),
        answer("garbage after the OPT", [] { return cat(with_edns(), {0xde, 0xad, 0xbe, 0xef}); },
               kFormErr, true, true, "bytes after the counted sections"),

        // --- opcodes (docs/design.md §4)
        answer("opcode 3 (unassigned)", [] { return with_flags(plain(), 0x1800); }, kNotImp, true,
               false, "an opcode other than QUERY -> NOTIMP"),
        answer("opcode 5 UPDATE", [] { return with_flags(with_edns(), 0x2800); }, kNotImp, true,
               true, "UPDATE is not implemented (docs/design.md §4)"),
        answer("opcode 6 DSO with a TLV",
               [] { return Bytes{0x12, 0x34, 0x30, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 2, 0, 0}; },
               kNotImp, false, false,
               "RFC 8490: a server without DSO answers NOTIMP; its TLVs are no question"),
        answer("opcode 15 with garbage", [] { return cat(with_flags(with_counts(plain(), 3, 1, 1, 1), 0x7800), {1, 2, 3}); },
               kNotImp, false, false, "unknown opcode: NOTIMP, nothing parsed is echoed"),
        answer("NOTIFY", [] { return with_flags(plain(), 0x2000); }, kRefused, true, false,
               "NOTIFY: we are nobody's secondary (docs/design.md §4)"),
        answer("NOTIFY malformed", [] { return cat(with_flags(plain(), 0x2000), {9}); }, kFormErr,
               true, false, "a known opcode whose message is malformed"),

        // --- oversized (TCP carries up to 65535 octets, RFC 1035 §4.2.2)
        answer("65535 octets: a query with a 65 KB additional record",
               [] {
                   Bytes q = with_counts(plain(), 1, 0, 0, 1);
                   const std::size_t rdlen = 65535 - q.size() - 12;
                   return cat(q, record({0xc0, 12}, Bytes(rdlen, 0x55)));
               },
               kNoError, true, false, "a large but well-formed message is answered"),
        answer("65535 octets: a query and 65 KB of garbage",
               [] {
                   Bytes q = plain();
                   q.resize(65535, 0x55);
                   return q;
               },
               kFormErr, true, false, "bytes after the counted sections"),
    };
}

struct Case {
    Row row;
    Transport transport;
};

class MalformedCorpus : public ::testing::TestWithParam<Case> {};

TEST_P(MalformedCorpus, Outcome) {
    const Row& row = GetParam().row;
    const Transport transport = GetParam().transport;
    auto z = zones();
    ASSERT_TRUE(z);
    const Bytes query = row.build();
    SCOPED_TRACE(std::string(row.name) + " (" + row.rule + "), " + std::to_string(query.size()) +
                 " bytes");
    const Response r = run(*z, query, transport);
    if (row.outcome == Outcome::Drop) {
        EXPECT_TRUE(r.dropped);
        return;
    }
    ASSERT_FALSE(r.dropped);
    ASSERT_GE(r.bytes.size(), 12u);
    ASSERT_TRUE(r.pkt) << "ldns cannot decode our response";
    EXPECT_EQ(r.id(), 0x1234) << "the ID is echoed";
    EXPECT_TRUE(r.qr());
    EXPECT_EQ(r.rcode(), row.rcode);
    EXPECT_EQ((r.bytes[2] >> 3) & 0xf, (query[2] >> 3) & 0xf) << "the opcode is echoed";
    EXPECT_EQ(r.rd(), (query[2] & 0x01) != 0) << "RD is copied";
    EXPECT_FALSE(r.ra());
    if (row.rcode != kNoError) {
        EXPECT_EQ(r.count(LDNS_SECTION_ANSWER), 0u);
        EXPECT_EQ(r.count(LDNS_SECTION_AUTHORITY), 0u);
    }
    if (row.question_echoed) {
        ASSERT_EQ(r.count(LDNS_SECTION_QUESTION), 1u) << "the parsed question is echoed";
        // Byte for byte, from the query's question (always at offset 12).
        std::size_t end = 12;
        while (query[end] != 0) end += query[end] + 1u;
        end += 5;
        ASSERT_GE(r.bytes.size(), end);
        EXPECT_TRUE(std::equal(query.begin() + 12, query.begin() + static_cast<long>(end),
                               r.bytes.begin() + 12));
    } else {
        EXPECT_EQ(r.count(LDNS_SECTION_QUESTION), 0u) << "no question to echo";
    }
    EXPECT_EQ(ldns_pkt_edns(r.pkt.get()), row.opt_echoed) << "the OPT is echoed when parsed";
    if (row.rcode != kNoError) {
        EXPECT_EQ(r.count(LDNS_SECTION_ADDITIONAL), row.opt_echoed ? 1u : 0u);
    }
    EXPECT_LE(r.bytes.size(), transport == Transport::Udp ? 512u : 65535u);
}

std::vector<Case> cases() {
    std::vector<Case> out;
    for (const Row& row : corpus())
        for (Transport t : {Transport::Udp, Transport::Tcp}) out.push_back(Case{row, t});
    return out;
}

std::string case_name(const ::testing::TestParamInfo<Case>& info) {
    std::string s;
    for (const char* p = info.param.row.name; *p; ++p)
        s += std::isalnum(static_cast<unsigned char>(*p)) ? *p : '_';
    return s + (info.param.transport == Transport::Udp ? "_udp" : "_tcp");
}

INSTANTIATE_TEST_SUITE_P(Corpus, MalformedCorpus, ::testing::ValuesIn(cases()), case_name);

// The names are unique (each row is one case of the corpus).
TEST(MalformedCorpusTable, RowNamesAreUnique) {
    std::set<std::string> names;
    for (const Row& row : corpus()) EXPECT_TRUE(names.insert(row.name).second) << row.name;
    EXPECT_GE(names.size(), 40u);
    EXPECT_EQ(plain().size(), kQuestionEnd) << "the offsets the rows are built with";
}

}  // namespace
}  // namespace sipdns::test
