// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
// The control socket's line protocol (sipdns/control/protocol.h): request lines, replies as
// sent and as read back, and what `sipdnsd reload` prints. No sockets.
#include <gtest/gtest.h>

#include <string>

#include "sipdns/control/protocol.h"

namespace sipdns::control {
namespace {

struct RequestRow {
    const char* name;
    std::string line;
    std::optional<Request> request;
    std::string problem;  // when not a request
};

void PrintTo(const RequestRow& r, std::ostream* os) { *os << r.name; }

class RequestLines : public ::testing::TestWithParam<RequestRow> {};

TEST_P(RequestLines, ParseAsExpected) {
    std::string problem;
    const auto request = parse_request(GetParam().line, &problem);
    EXPECT_EQ(request, GetParam().request);
    if (!GetParam().request) {
        EXPECT_EQ(problem, GetParam().problem);
    }
}

INSTANTIATE_TEST_SUITE_P(
    Rows, RequestLines,
    ::testing::Values(
        RequestRow{"Status", "status", Request::Status, ""},
        RequestRow{"StatusJson", "status json", Request::StatusJson, ""},
        RequestRow{"Reload", "reload", Request::Reload, ""},
        RequestRow{"CrLf", "reload\r", Request::Reload, ""},
        RequestRow{"Empty", "", std::nullopt,
                   "unknown request '' (expected status, status json, reload or watch)"},
        RequestRow{"UpperCase", "STATUS", std::nullopt,
                   "unknown request 'STATUS' (expected status, status json, reload or watch)"},
        RequestRow{"ExtraWord", "reload now", std::nullopt,
                   "unknown request 'reload now' (expected status, status json, reload or watch)"},
        RequestRow{"ControlCharsShownAsSpaces", "st\x01tus", std::nullopt,
                   "unknown request 'st tus' (expected status, status json, reload or watch)"},
        RequestRow{"TooLong", std::string(kMaxRequestLine, 'x'), std::nullopt,
                   "request line longer than 256 bytes"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(RequestLines, EveryRequestReadsBackAsItself) {
    for (const Request r : {Request::Status, Request::StatusJson, Request::Reload})
        EXPECT_EQ(parse_request(request_text(r)), r);
}

struct WatchRow {
    const char* name;
    std::string line;
    std::optional<WatchRequest> request;
    std::string problem;
};

void PrintTo(const WatchRow& r, std::ostream* os) { *os << r.name; }

class WatchLines : public ::testing::TestWithParam<WatchRow> {};

TEST_P(WatchLines, ParseAsExpected) {
    std::string problem;
    const auto request = parse_watch_request(GetParam().line, &problem);
    EXPECT_EQ(request, GetParam().request);
    if (GetParam().request)
        EXPECT_EQ(parse_watch_request(format_watch_request(*request), nullptr), request);
    else
        EXPECT_EQ(problem, GetParam().problem);
}

INSTANTIATE_TEST_SUITE_P(
    Rows, WatchLines,
    ::testing::Values(
        WatchRow{"All", "watch", WatchRequest{}, ""},
        WatchRow{"AllCrLf", "watch\r", WatchRequest{}, ""},
        WatchRow{"EveryFilter", "watch client=10.0.0.0/8 name=example.com type=SRV",
                 WatchRequest{"10.0.0.0/8", "example.com", "SRV"}, ""},
        WatchRow{"AnyOrderExtraSpaces", "watch  type=A   client=::1",
                 WatchRequest{"::1", "", "A"}, ""},
        WatchRow{"NotWatch", "status", std::nullopt, "not a watch request"},
        WatchRow{"WatchPrefixOnly", "watchful", std::nullopt, "not a watch request"},
        WatchRow{"UnknownKey", "watch colour=red", std::nullopt,
                 "watch: 'colour=red' is not client=PREFIX, name=SUFFIX or type=TYPE (each at "
                 "most once)"},
        WatchRow{"NoValue", "watch type=", std::nullopt,
                 "watch: 'type=' is not client=PREFIX, name=SUFFIX or type=TYPE (each at most "
                 "once)"},
        WatchRow{"Twice", "watch type=A type=SRV", std::nullopt,
                 "watch: 'type=SRV' is not client=PREFIX, name=SUFFIX or type=TYPE (each at "
                 "most once)"}),
    [](const auto& info) { return std::string(info.param.name); });

struct ReplyRow {
    const char* name;
    Response response;
    std::string wire;
};

void PrintTo(const ReplyRow& r, std::ostream* os) { *os << r.name; }

class Replies : public ::testing::TestWithParam<ReplyRow> {};

TEST_P(Replies, FormatAndReadBack) {
    EXPECT_EQ(format_response(GetParam().response), GetParam().wire);
    std::string problem;
    const auto back = parse_response(GetParam().wire, &problem);
    ASSERT_TRUE(back) << problem;
    EXPECT_EQ(*back, GetParam().response);
}

INSTANTIATE_TEST_SUITE_P(
    Rows, Replies,
    ::testing::Values(
        ReplyRow{"OkNoLines", {{}, Outcome::Ok, ""}, "ok\n"},
        ReplyRow{"OkOutAndErr",
                 {{{Stream::Err, "site.yaml:3:1: warning: x"}, {Stream::Out, "reloaded: serial 7, 3 records"}},
                  Outcome::Ok,
                  ""},
                 "2 site.yaml:3:1: warning: x\n1 reloaded: serial 7, 3 records\nok\n"},
        ReplyRow{"Failed",
                 {{{Stream::Err, "site.yaml:2:8: hosts: expected a mapping"}}, Outcome::Failed, ""},
                 "2 site.yaml:2:8: hosts: expected a mapping\nfailed\n"},
        ReplyRow{"Error", {{}, Outcome::Error, "busy: too many control connections"},
                 "error busy: too many control connections\n"},
        ReplyRow{"EmptyLineText", {{{Stream::Out, ""}}, Outcome::Ok, ""}, "1 \nok\n"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(Replies, LineBreaksInTextBecomeSpaces) {
    const Response r{{{Stream::Out, "a\nb\rc"}}, Outcome::Error, "x\ny"};
    EXPECT_EQ(format_response(r), "1 a b c\nerror x y\n");
}

struct BadReplyRow {
    const char* name;
    std::string wire;
    std::string problem;
};

void PrintTo(const BadReplyRow& r, std::ostream* os) { *os << r.name; }

class BadReplies : public ::testing::TestWithParam<BadReplyRow> {};

TEST_P(BadReplies, SayWhy) {
    std::string problem;
    EXPECT_FALSE(parse_response(GetParam().wire, &problem));
    EXPECT_EQ(problem, GetParam().problem);
}

INSTANTIATE_TEST_SUITE_P(
    Rows, BadReplies,
    ::testing::Values(
        BadReplyRow{"Nothing", "", "the reply ended before its status line"},
        BadReplyRow{"NoStatusLine", "1 zone x\n", "the reply ended before its status line"},
        BadReplyRow{"UnfinishedStatusLine", "1 zone x\nok", "the reply ended before its status line"},
        BadReplyRow{"UnknownLine", "1 a\nOK\n",
                    "line 2 of the reply is 'OK' (expected '1 ', '2 ', ok, failed or error)"},
        BadReplyRow{"HttpServer", "HTTP/1.1 400 Bad Request\r\n",
                    "line 1 of the reply is 'HTTP/1.1 400 Bad Request ' (expected '1 ', '2 ', "
                    "ok, failed or error)"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(Replies, WhatFollowsTheStatusLineIsIgnored) {
    const auto r = parse_response("1 a\nok\n1 b\n");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->lines.size(), 1u);
}

struct ReloadRow {
    const char* name;
    ReloadOutcome outcome;
    Response response;
};

void PrintTo(const ReloadRow& r, std::ostream* os) { *os << r.name; }

class ReloadReplies : public ::testing::TestWithParam<ReloadRow> {};

TEST_P(ReloadReplies, AsPrinted) { EXPECT_EQ(reload_response(GetParam().outcome), GetParam().response); }

INSTANTIATE_TEST_SUITE_P(
    Rows, ReloadReplies,
    ::testing::Values(
        ReloadRow{"Ok",
                  {true, "serial 2026120301, 26 records", {}, {}},
                  {{{Stream::Out, "reloaded: serial 2026120301, 26 records"}}, Outcome::Ok, ""}},
        ReloadRow{"OkWithWarnings",
                  {true, "serial 5, 9 records", {}, {"s.yaml:4:3: warning: w"}},
                  {{{Stream::Err, "s.yaml:4:3: warning: w"}, {Stream::Out, "reloaded: serial 5, 9 records"}},
                   Outcome::Ok,
                   ""}},
        ReloadRow{"FailedEveryError",
                  {false, "serial 5, 9 records", {"s.yaml:1:1: e1", "s.yaml:7:2: e2"}, {}},
                  {{{Stream::Err, "s.yaml:1:1: e1"},
                    {Stream::Err, "s.yaml:7:2: e2"},
                    {Stream::Err, "reload failed: still serving serial 5, 9 records"}},
                   Outcome::Failed,
                   ""}}),
    [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace sipdns::control
