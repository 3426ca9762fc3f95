// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
// The health probe's SIP messages (sipdns/health/sip_message.h): the OPTIONS request as sent
// and the bounded, strict response parser, for whole, partial, stray and garbage input.
// No sockets.
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "sipdns/health/sip_message.h"

namespace sipdns::health {
namespace {

TEST(BuildOptions, Rfc3261RequestOverUdpFromIpv4) {
    OptionsRequest r;
    r.target_name = "scs1.example.com";
    r.target_port = 5060;
    r.transport = Transport::Udp;
    r.local_host = "192.0.2.10";
    r.local_port = 40000;
    r.branch = "z9hG4bKabc123";
    r.from_tag = "tag1";
    r.call_id = "cid1@192.0.2.10";
    r.cseq = 7;
    EXPECT_EQ(build_options(r),
              "OPTIONS sip:scs1.example.com:5060;transport=udp SIP/2.0\r\n"
              "Via: SIP/2.0/UDP 192.0.2.10:40000;branch=z9hG4bKabc123;rport\r\n"
              "Max-Forwards: 70\r\n"
              "From: <sip:sipdns@192.0.2.10>;tag=tag1\r\n"
              "To: <sip:scs1.example.com:5060>\r\n"
              "Call-ID: cid1@192.0.2.10\r\n"
              "CSeq: 7 OPTIONS\r\n"
              "Contact: <sip:sipdns@192.0.2.10:40000;transport=udp>\r\n"
              "Accept: application/sdp\r\n"
              "User-Agent: sipdnsd\r\n"
              "Content-Length: 0\r\n"
              "\r\n");
}

TEST(BuildOptions, TlsFromIpv6NamesTheTransportEverywhere) {
    OptionsRequest r;
    r.target_name = "lync.example.com";
    r.target_port = 5061;
    r.transport = Transport::Tls;
    r.local_host = "[2001:db8::10]";
    r.local_port = 41000;
    r.branch = "z9hG4bKx";
    r.from_tag = "t";
    r.call_id = "c@2001:db8::10";
    const std::string m = build_options(r);
    EXPECT_EQ(m.substr(0, m.find("\r\n")),
              "OPTIONS sip:lync.example.com:5061;transport=tls SIP/2.0");
    EXPECT_NE(m.find("\r\nVia: SIP/2.0/TLS [2001:db8::10]:41000;branch=z9hG4bKx;rport\r\n"),
              std::string::npos);
    EXPECT_NE(m.find("\r\nFrom: <sip:sipdns@[2001:db8::10]>;tag=t\r\n"), std::string::npos);
    EXPECT_NE(m.find("\r\nContact: <sip:sipdns@[2001:db8::10]:41000;transport=tls>\r\n"),
              std::string::npos);
}

TEST(TransportNames, AsInUrisAndVia) {
    EXPECT_EQ(transport_name(Transport::Udp), "udp");
    EXPECT_EQ(transport_name(Transport::Tcp), "tcp");
    EXPECT_EQ(transport_name(Transport::Tls), "tls");
    EXPECT_EQ(via_transport(Transport::Udp), "UDP");
    EXPECT_EQ(via_transport(Transport::Tcp), "TCP");
    EXPECT_EQ(via_transport(Transport::Tls), "TLS");
}

TEST(RandomToken, HexOfTheAskedLengthAndNotRepeated) {
    std::mt19937_64 engine(42);
    const std::string a = random_token(engine, 20);
    const std::string b = random_token(engine, 20);
    EXPECT_EQ(a.size(), 20u);
    EXPECT_EQ(a.find_first_not_of("0123456789abcdef"), std::string::npos);
    EXPECT_NE(a, b);
}

const std::string kVia = "Via: SIP/2.0/UDP 192.0.2.10:40000;branch=z9hG4bKabc;rport=40000\r\n";
const std::string kRest =
    "From: <sip:sipdns@192.0.2.10>;tag=t\r\nTo: <sip:scs1.example.com:5060>;tag=x\r\n"
    "Call-ID: c@192.0.2.10\r\nCSeq: 7 OPTIONS\r\n";

std::string response(const std::string& status_line, const std::string& extra = "",
                     const std::string& length = "Content-Length: 0\r\n",
                     const std::string& body = "") {
    return status_line + "\r\n" + kVia + kRest + extra + length + "\r\n" + body;
}

struct ParseRow {
    const char* name;
    std::string input;
    Framing framing;
    ParseStatus status;
    int code = 0;                  // when Complete
    std::string reason{};          // when Complete
    std::string branch{};          // when Complete
    std::size_t total_length = 0;  // when Complete; 0: the whole input
    std::string error{};           // when Malformed: a part of the error text
};

void PrintTo(const ParseRow& r, std::ostream* os) { *os << r.name; }

class ParseResponse : public ::testing::TestWithParam<ParseRow> {};

TEST_P(ParseResponse, AsExpected) {
    const ParseRow& row = GetParam();
    const ParseResult result = parse_response(row.input, row.framing);
    ASSERT_EQ(result.status, row.status) << result.error;
    if (row.status == ParseStatus::Complete) {
        EXPECT_EQ(result.response.status, row.code);
        EXPECT_EQ(result.response.reason, row.reason);
        EXPECT_EQ(result.response.branch, row.branch);
        EXPECT_EQ(result.response.cseq_method, "OPTIONS");
        EXPECT_EQ(result.response.cseq_number, 7u);
        EXPECT_EQ(result.response.total_length,
                  row.total_length ? row.total_length : row.input.size());
    }
    if (row.status == ParseStatus::Malformed) {
        EXPECT_NE(result.error.find(row.error), std::string::npos) << result.error;
    }
}

const std::string kOk = response("SIP/2.0 200 OK");
const std::string kBig(kMaxResponseBytes, 'x');

INSTANTIATE_TEST_SUITE_P(
    Rows, ParseResponse,
    ::testing::Values(
        ParseRow{"Ok", kOk, Framing::Stream, ParseStatus::Complete, 200, "OK", "z9hG4bKabc"},
        ParseRow{"OkDatagram", kOk, Framing::Datagram, ParseStatus::Complete, 200, "OK",
                 "z9hG4bKabc"},
        ParseRow{"Trying", response("SIP/2.0 100 Trying"), Framing::Datagram,
                 ParseStatus::Complete, 100, "Trying", "z9hG4bKabc"},
        ParseRow{"ServiceUnavailable", response("SIP/2.0 503 Service Unavailable"),
                 Framing::Stream, ParseStatus::Complete, 503, "Service Unavailable",
                 "z9hG4bKabc"},
        ParseRow{"NotFound", response("SIP/2.0 404 Not Found"), Framing::Stream,
                 ParseStatus::Complete, 404, "Not Found", "z9hG4bKabc"},
        ParseRow{"EmptyReason", response("SIP/2.0 200 "), Framing::Stream,
                 ParseStatus::Complete, 200, "", "z9hG4bKabc"},
        ParseRow{"VersionCaseInsensitive", response("sip/2.0 200 OK"), Framing::Stream,
                 ParseStatus::Complete, 200, "OK", "z9hG4bKabc"},
        ParseRow{"CompactHeaders",
                 "SIP/2.0 200 OK\r\nv: SIP/2.0/UDP h:1;branch=z9hG4bKc\r\nCSeq: 7 OPTIONS\r\n"
                 "l: 0\r\n\r\n",
                 Framing::Stream, ParseStatus::Complete, 200, "OK", "z9hG4bKc"},
        ParseRow{"TopViaOfTwoHeaders",
                 "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP a:1;branch=z9hG4bKtop\r\n"
                 "Via: SIP/2.0/UDP b:1;branch=z9hG4bKsecond\r\nCSeq: 7 OPTIONS\r\n\r\n",
                 Framing::Stream, ParseStatus::Complete, 200, "OK", "z9hG4bKtop"},
        ParseRow{"TopViaOfCommaList",
                 "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP a:1;branch=z9hG4bKtop, "
                 "SIP/2.0/UDP b:1;branch=z9hG4bKsecond\r\nCSeq: 7 OPTIONS\r\n\r\n",
                 Framing::Stream, ParseStatus::Complete, 200, "OK", "z9hG4bKtop"},
        ParseRow{"BranchNotFirstParameterAndSpaced",
                 "SIP/2.0 200 OK\r\nVIA: SIP/2.0/TCP a:1 ; received=192.0.2.1 ; BRANCH = "
                 "z9hG4bKsp ;rport\r\nCSeq: 7 OPTIONS\r\n\r\n",
                 Framing::Stream, ParseStatus::Complete, 200, "OK", "z9hG4bKsp"},
        ParseRow{"FoldedHeader",
                 "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP a:1\r\n ;branch=z9hG4bKfold\r\n"
                 "CSeq: 7\r\n\tOPTIONS\r\n\r\n",
                 Framing::Stream, ParseStatus::Complete, 200, "OK", "z9hG4bKfold"},
        ParseRow{"BodyByContentLength",
                 response("SIP/2.0 200 OK", "", "Content-Length: 4\r\n", "v=0\n"),
                 Framing::Stream, ParseStatus::Complete, 200, "OK", "z9hG4bKabc"},
        ParseRow{"FollowedByTheNextMessage", kOk + "SIP/2.0 1", Framing::Stream,
                 ParseStatus::Complete, 200, "OK", "z9hG4bKabc", kOk.size()},
        ParseRow{"DatagramWithoutContentLengthEndsWithIt",
                 response("SIP/2.0 200 OK", "", "", "body"), Framing::Datagram,
                 ParseStatus::Complete, 200, "OK", "z9hG4bKabc"},
        ParseRow{"Empty", "", Framing::Stream, ParseStatus::NeedMore},
        ParseRow{"PartialStatusLine", "SIP/2.0 20", Framing::Stream, ParseStatus::NeedMore},
        ParseRow{"PartialHeaders", kOk.substr(0, kOk.size() - 3), Framing::Stream,
                 ParseStatus::NeedMore},
        ParseRow{"PartialBody",
                 response("SIP/2.0 200 OK", "", "Content-Length: 10\r\n", "v=0\n"),
                 Framing::Stream, ParseStatus::NeedMore},
        ParseRow{"PartialDatagram", kOk.substr(0, kOk.size() - 3), Framing::Datagram,
                 ParseStatus::Malformed, 0, "", "", 0, "no end of headers"},
        ParseRow{"DatagramShorterThanContentLength",
                 response("SIP/2.0 200 OK", "", "Content-Length: 10\r\n", "v=0\n"),
                 Framing::Datagram, ParseStatus::Malformed, 0, "", "", 0,
                 "Content-Length larger than the datagram"},
        ParseRow{"HttpResponse", "HTTP/1.1 200 OK\r\n\r\n", Framing::Stream,
                 ParseStatus::Malformed, 0, "", "", 0, "no SIP/2.0 status line"},
        ParseRow{"GarbageToldAtOnce", "\x16\x03\x01", Framing::Stream, ParseStatus::Malformed,
                 0, "", "", 0, "no SIP/2.0 status line"},
        ParseRow{"ARequest",
                 "OPTIONS sip:a SIP/2.0\r\nVia: SIP/2.0/UDP a;branch=z9hG4bK1\r\n"
                 "CSeq: 1 OPTIONS\r\n\r\n",
                 Framing::Datagram, ParseStatus::Malformed, 0, "", "", 0,
                 "no SIP/2.0 status line"},
        ParseRow{"CodeTooSmall", response("SIP/2.0 099 Odd"), Framing::Stream,
                 ParseStatus::Malformed, 0, "", "", 0, "is not 100..699"},
        ParseRow{"CodeTooBig", response("SIP/2.0 700 Odd"), Framing::Stream,
                 ParseStatus::Malformed, 0, "", "", 0, "is not 100..699"},
        ParseRow{"CodeFourDigits", response("SIP/2.0 2000 OK"), Framing::Stream,
                 ParseStatus::Malformed, 0, "", "", 0, "no space after the status code"},
        ParseRow{"CodeNotDigits", response("SIP/2.0 2x0 OK"), Framing::Stream,
                 ParseStatus::Malformed, 0, "", "", 0, "is not 100..699"},
        ParseRow{"NoReasonSpace", response("SIP/2.0 200"), Framing::Stream,
                 ParseStatus::Malformed, 0, "", "", 0, "no space after the status code"},
        ParseRow{"BareLineFeeds", "SIP/2.0 200 OK\nVia: x\n", Framing::Stream,
                 ParseStatus::Malformed, 0, "", "", 0, "line not ended by CRLF"},
        ParseRow{"NoVia", "SIP/2.0 200 OK\r\nCSeq: 7 OPTIONS\r\n\r\n", Framing::Stream,
                 ParseStatus::Malformed, 0, "", "", 0, "no Via header"},
        ParseRow{"ViaWithoutBranch",
                 "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP a:1;rport\r\nCSeq: 7 OPTIONS\r\n\r\n",
                 Framing::Stream, ParseStatus::Malformed, 0, "", "", 0,
                 "top Via without a branch"},
        ParseRow{"NoCSeq", "SIP/2.0 200 OK\r\n" + kVia + "\r\n", Framing::Stream,
                 ParseStatus::Malformed, 0, "", "", 0, "no CSeq header"},
        ParseRow{"CSeqWithoutMethod", "SIP/2.0 200 OK\r\n" + kVia + "CSeq: 7\r\n\r\n",
                 Framing::Stream, ParseStatus::Malformed, 0, "", "", 0,
                 "CSeq without a method"},
        ParseRow{"HeaderWithoutColon", response("SIP/2.0 200 OK", "Garbage\r\n"),
                 Framing::Stream, ParseStatus::Malformed, 0, "", "", 0, "without ':'"},
        ParseRow{"ContentLengthNotANumber",
                 response("SIP/2.0 200 OK", "", "Content-Length: -1\r\n"), Framing::Stream,
                 ParseStatus::Malformed, 0, "", "", 0, "Content-Length is not a number"},
        ParseRow{"ContentLengthHuge",
                 response("SIP/2.0 200 OK", "", "Content-Length: 4294967295\r\n"),
                 Framing::Stream, ParseStatus::Malformed, 0, "", "", 0, "larger than 65536"},
        ParseRow{"ContentLengthOverflows",
                 response("SIP/2.0 200 OK", "", "Content-Length: 99999999999\r\n"),
                 Framing::Stream, ParseStatus::Malformed, 0, "", "", 0,
                 "Content-Length is not a number"},
        ParseRow{"TwoContentLengths",
                 response("SIP/2.0 200 OK", "Content-Length: 1\r\n"), Framing::Stream,
                 ParseStatus::Malformed, 0, "", "", 0, "two different Content-Length"},
        ParseRow{"HeadersNeverEnd", "SIP/2.0 200 OK\r\nX: " + kBig, Framing::Stream,
                 ParseStatus::Malformed, 0, "", "", 0, "no end of headers within 65536"},
        ParseRow{"HeadersEndPastTheLimit", response("SIP/2.0 200 OK", "X: " + kBig + "\r\n"),
                 Framing::Stream, ParseStatus::Malformed, 0, "", "", 0,
                 "no end of headers within 65536"},
        ParseRow{"BodyPastTheLimit",
                 response("SIP/2.0 200 OK", "", "Content-Length: 65500\r\n"), Framing::Stream,
                 ParseStatus::Malformed, 0, "", "", 0, "larger than 65536"}),
    [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace sipdns::health
