// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
// The dnstap sink (server.dnstap), read back by Debian's dnstap tools: the frames it writes to a
// file, or to fstrm_capture's socket, are decoded by `dnstap-ldns -y` and compared with the
// queries and responses that went into the query log. dnstap.proto (https://dnstap.info) says
// which fields each message type carries.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <ldns/ldns.h>

#include "sipdns/querylog/dnstap_sink.h"
#include "sipdns/querylog/query_log.h"

extern char** environ;

namespace sipdns::querylog {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

std::optional<std::string> find_tool(const std::string& name) {
    const char* path = std::getenv("PATH");
    std::stringstream dirs(path ? path : "/usr/bin:/bin");
    for (std::string dir; std::getline(dirs, dir, ':');) {
        const std::string candidate = dir + "/" + name;
        if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    }
    return std::nullopt;
}

std::string run(const std::string& command) {
    std::string output;
    FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
    if (!pipe) return "popen failed";
    char buffer[4096];
    for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;)
        output.append(buffer, n);
    ::pclose(pipe);
    return output;
}

std::string slurp(const std::string& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

// A short directory of its own (unix socket paths: at most 107 bytes).
struct TempDir {
    TempDir() {
        char name[] = "/tmp/sipdns-dnstap-XXXXXX";
        path = ::mkdtemp(name) ? name : "";
    }
    ~TempDir() {
        std::error_code ignored;
        fs::remove_all(path, ignored);
    }
    std::string path;
};

// One query the log saw, and what dnstap-ldns must show for it.
struct Exchange {
    const char* name;
    const char* client;
    std::uint16_t client_port;
    Transport transport;
    std::uint8_t flags;
    const char* qname;
    ldns_rr_type qtype;
    ldns_pkt_rcode rcode;
    std::vector<const char*> answers;
    bool response_kept_whole;  // false: only a prefix of the response is in the record
    // Expected: the message types in order, then the rest.
    std::vector<const char*> types;
    const char* family;
    const char* protocol;
    const char* shown_rcode;  // in response_message; null: no response_message
};

const std::vector<Exchange>& exchanges() {
    static const std::vector<Exchange> table = {
        {"udp_a_noerror", "192.0.2.10", 5060, Transport::Udp, 0, "sip.example.com.", LDNS_RR_TYPE_A,
         LDNS_RCODE_NOERROR, {"sip.example.com. 300 IN A 192.0.2.20"}, true,
         {"AUTH_QUERY", "AUTH_RESPONSE"}, "INET", "UDP", "NOERROR"},
        {"tcp6_srv_nxdomain", "2001:db8::7", 40000, Transport::Tcp, 0,
         "_sip._tcp.nowhere.example.com.", LDNS_RR_TYPE_SRV, LDNS_RCODE_NXDOMAIN, {}, true,
         {"AUTH_QUERY", "AUTH_RESPONSE"}, "INET6", "TCP", "NXDOMAIN"},
        {"dropped", "198.51.100.5", 53000, Transport::Udp, flag::Dropped | flag::RateLimited,
         "pbx.example.com.", LDNS_RR_TYPE_NAPTR, LDNS_RCODE_NOERROR, {}, false,
         {"AUTH_QUERY"}, "INET", "UDP", nullptr},
        {"forwarded", "192.0.2.11", 5062, Transport::Udp, flag::Forwarded, "www.example.org.",
         LDNS_RR_TYPE_A, LDNS_RCODE_NOERROR, {"www.example.org. 60 IN A 203.0.113.80"}, true,
         {"CLIENT_QUERY", "CLIENT_RESPONSE"}, "INET", "UDP", "NOERROR"},
        {"response_kept_in_part", "192.0.2.12", 5070, Transport::Udp, 0, "sbc.example.com.",
         LDNS_RR_TYPE_AAAA, LDNS_RCODE_NOERROR, {"sbc.example.com. 300 IN AAAA 2001:db8::20"},
         false, {"AUTH_QUERY", "AUTH_RESPONSE"}, "INET", "UDP", nullptr},
    };
    return table;
}

std::vector<std::uint8_t> wire(ldns_pkt* packet) {
    std::uint8_t* bytes = nullptr;
    std::size_t size = 0;
    EXPECT_EQ(ldns_pkt2wire(&bytes, packet, &size), LDNS_STATUS_OK);
    std::vector<std::uint8_t> out(bytes, bytes + size);
    std::free(bytes);
    return out;
}

// The query and the response of `e` in wire format (RFC 1035 §4).
std::pair<std::vector<std::uint8_t>, std::vector<std::uint8_t>> messages(const Exchange& e) {
    ldns_pkt* query = ldns_pkt_query_new(ldns_dname_new_frm_str(e.qname), e.qtype,
                                         LDNS_RR_CLASS_IN, LDNS_RD);
    ldns_pkt_set_id(query, 0x5d1f);
    auto query_wire = wire(query);
    ldns_pkt* response = ldns_pkt_clone(query);
    ldns_pkt_set_qr(response, true);
    ldns_pkt_set_aa(response, (e.flags & flag::Forwarded) == 0);
    ldns_pkt_set_ra(response, (e.flags & flag::Forwarded) != 0);
    ldns_pkt_set_rcode(response, e.rcode);
    for (const char* text : e.answers) {
        ldns_rr* rr = nullptr;
        EXPECT_EQ(ldns_rr_new_frm_str(&rr, text, 0, nullptr, nullptr), LDNS_STATUS_OK) << text;
        ldns_pkt_push_rr(response, LDNS_SECTION_ANSWER, rr);
    }
    auto response_wire = wire(response);
    ldns_pkt_free(query);
    ldns_pkt_free(response);
    return {query_wire, response_wire};
}

std::int64_t now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// What a worker does (server/net): fill a slot, commit it.
void push(QueryRing& ring, const Exchange& e) {
    const auto [query, response] = messages(e);
    QueryRing::Slot slot{};
    ASSERT_TRUE(ring.begin(slot)) << "ring full";
    *slot.header = RecordHeader{};
    RecordHeader& h = *slot.header;
    h.query_time_ns = now_ns();
    h.client = *config::IpAddress::parse(e.client);
    h.client_port = e.client_port;
    h.transport = e.transport;
    h.flags = e.flags;
    h.rcode = static_cast<std::uint16_t>(e.rcode);
    h.query_length = h.query_stored = static_cast<std::uint16_t>(query.size());
    std::memcpy(slot.query, query.data(), query.size());
    if ((e.flags & flag::Dropped) == 0) {
        h.response_time_ns = h.query_time_ns + 150'000;
        h.response_length = static_cast<std::uint16_t>(response.size());
        const std::size_t kept =
            e.response_kept_whole ? response.size() : std::min<std::size_t>(response.size(), 20);
        ASSERT_LE(kept, ring.response_capacity());
        h.response_stored = static_cast<std::uint16_t>(kept);
        std::memcpy(slot.response, response.data(), kept);
    }
    ring.commit();
}

// One dnstap frame as `dnstap-ldns -y` prints it: "key: value" at the top level and under
// "message:", and the decoded DNS messages (YAML block scalars) as text.
struct Frame {
    std::map<std::string, std::string> top;
    std::map<std::string, std::string> message;
    std::map<std::string, std::string> blocks;  // query_message, response_message
};

std::vector<Frame> parse_yaml(const std::string& text) {
    std::vector<Frame> frames;
    std::istringstream in(text);
    std::string block;  // the block scalar being read, if any
    bool started = false;
    for (std::string line; std::getline(in, line);) {
        if (line == "---" || !started) {
            if (line == "---" && started) {
                block.clear();
                started = false;
                continue;
            }
            if (line == "---") continue;
            frames.emplace_back();
            started = true;
        }
        Frame& f = frames.back();
        std::size_t indent = line.find_first_not_of(' ');
        if (indent == std::string::npos) continue;
        if (!block.empty() && indent >= 4) {
            f.blocks[block] += line.substr(4) + "\n";
            continue;
        }
        block.clear();
        const auto colon = line.find(':', indent);
        if (colon == std::string::npos) continue;
        std::string key = line.substr(indent, colon - indent);
        std::string value = colon + 1 < line.size() ? line.substr(colon + 2) : "";
        if (value == "|") {
            block = key;
            continue;
        }
        (indent == 0 ? f.top : f.message)[key] = value;
    }
    return frames;
}

std::string quoted(const std::string& s) { return "\"" + s + "\""; }

// The frames decoded from `file` are exactly the table's exchanges, in order.
void expect_exchanges(const std::string& dnstap_ldns, const std::string& file,
                      const std::string& identity, const std::string& version) {
    const std::string yaml = run(dnstap_ldns + " -y -r " + file);
    const std::vector<Frame> frames = parse_yaml(yaml);
    std::size_t expected_frames = 0;
    for (const auto& e : exchanges()) expected_frames += e.types.size();
    ASSERT_EQ(frames.size(), expected_frames) << yaml;

    std::size_t at = 0;
    for (const auto& e : exchanges()) {
        SCOPED_TRACE(e.name);
        char* type_text = ldns_rr_type2str(e.qtype);
        const std::string qtype = type_text;
        std::free(type_text);
        for (std::size_t i = 0; i < e.types.size(); ++i, ++at) {
            const Frame& f = frames[at];
            const bool is_query = i == 0;
            EXPECT_EQ(f.top.at("type"), "MESSAGE");
            // An empty identity or version is left out of the frame.
            EXPECT_EQ(f.top.count("identity") ? f.top.at("identity") : "",
                      identity.empty() ? "" : quoted(identity));
            EXPECT_EQ(f.top.count("version") ? f.top.at("version") : "",
                      version.empty() ? "" : quoted(version));
            EXPECT_EQ(f.message.at("type"), e.types[i]) << yaml;
            EXPECT_EQ(f.message.at("socket_family"), e.family);
            EXPECT_EQ(f.message.at("socket_protocol"), e.protocol);
            EXPECT_EQ(f.message.at("query_address"), quoted(e.client));
            EXPECT_EQ(f.message.at("query_port"), std::to_string(e.client_port));
            EXPECT_TRUE(f.message.count("query_time")) << "query_time";
            const std::string question = ";" + std::string(e.qname) + "\tIN\t" + qtype;
            if (is_query) {
                ASSERT_TRUE(f.blocks.count("query_message")) << yaml;
                EXPECT_NE(f.blocks.at("query_message").find(question), std::string::npos)
                    << f.blocks.at("query_message");
                EXPECT_FALSE(f.blocks.count("response_message"));
                EXPECT_FALSE(f.message.count("response_time"));
                continue;
            }
            EXPECT_TRUE(f.message.count("response_time")) << "response_time";
            EXPECT_FALSE(f.blocks.count("query_message"));
            if (e.shown_rcode == nullptr) {
                EXPECT_FALSE(f.blocks.count("response_message")) << "a prefix is not verbatim";
                continue;
            }
            ASSERT_TRUE(f.blocks.count("response_message")) << yaml;
            const std::string& response = f.blocks.at("response_message");
            EXPECT_NE(response.find(std::string("rcode: ") + e.shown_rcode), std::string::npos)
                << response;
            EXPECT_NE(response.find(question), std::string::npos) << response;
            for (const char* answer : e.answers) {
                ldns_rr* rr = nullptr;
                ldns_rr_new_frm_str(&rr, answer, 0, nullptr, nullptr);
                char* text = ldns_rr2str(rr);
                std::string line(text);
                std::free(text);
                ldns_rr_free(rr);
                line.erase(line.find_last_not_of('\n') + 1);
                EXPECT_NE(response.find(line), std::string::npos) << line << "\n" << response;
            }
        }
    }
}

struct Tools {
    std::string dnstap_ldns;
    std::string fstrm_capture;
};

std::optional<Tools> tools(std::string& missing) {
    const auto dnstap_ldns = find_tool("dnstap-ldns");
    const auto fstrm_capture = find_tool("fstrm_capture");
    if (!dnstap_ldns) missing += " dnstap-ldns (Debian dnstap-ldns)";
    if (!fstrm_capture) missing += " fstrm_capture (Debian fstrm-bin)";
    if (!dnstap_ldns || !fstrm_capture) return std::nullopt;
    return Tools{*dnstap_ldns, *fstrm_capture};
}

#define REQUIRE_TOOLS(name)                                             \
    std::string missing;                                                \
    const auto name = tools(missing);                                   \
    if (!name) GTEST_SKIP() << "not installed:" << missing

TEST(DnstapSink, FileDecodedByDnstapLdns) {
    REQUIRE_TOOLS(t);
    TempDir dir;
    const std::string file = dir.path + "/queries.dnstap";
    std::string problem;
    auto sink = open_dnstap_file_sink(file, "ns1.example.com", "sipdns 0.1.0", problem);
    ASSERT_TRUE(sink) << problem;
    EXPECT_EQ(sink->describe(), "dnstap file " + file);
    EXPECT_FALSE(sink->needs_line());
    EXPECT_TRUE(sink->needs_messages());
    {
        QueryLog log;
        log.add_sink(std::move(sink));
        QueryRing& ring = log.add_ring();
        EXPECT_EQ(ring.response_capacity(), kMessageResponseCapacity);
        log.start();
        for (const auto& e : exchanges()) push(ring, e);
        log.stop();
        EXPECT_EQ(log.stats().records, exchanges().size());
        EXPECT_EQ(log.stats().sink_lost, 0u);
    }  // the sink's writer finishes the file
    expect_exchanges(t->dnstap_ldns, file, "ns1.example.com", "sipdns 0.1.0");
}

TEST(DnstapSink, EmptyIdentityAndVersionAreLeftOut) {
    REQUIRE_TOOLS(t);
    TempDir dir;
    const std::string file = dir.path + "/anonymous.dnstap";
    std::string problem;
    auto sink = open_dnstap_file_sink(file, "", "", problem);
    ASSERT_TRUE(sink) << problem;
    {
        QueryLog log;
        log.add_sink(std::move(sink));
        QueryRing& ring = log.add_ring();
        log.start();
        for (const auto& e : exchanges()) push(ring, e);
    }
    expect_exchanges(t->dnstap_ldns, file, "", "");
}

// logrotate: the file renamed, then SIGHUP (reopen) — the new frames go to a new file at the
// path, the old file stays a complete stream. A reopen without a rename keeps the file.
TEST(DnstapSink, ReopenStartsANewFileOnlyAfterARename) {
    REQUIRE_TOOLS(t);
    TempDir dir;
    const std::string file = dir.path + "/queries.dnstap";
    std::string problem;
    auto sink = open_dnstap_file_sink(file, "ns1", "v", problem);
    ASSERT_TRUE(sink) << problem;
    Sink& the_sink = *sink;
    {
        QueryLog log;
        log.add_sink(std::move(sink));
        QueryRing& ring = log.add_ring();
        log.start();
        const auto& table = exchanges();
        auto logged = [&](std::uint64_t n) {  // the logger thread has handed n records over
            for (int i = 0; i < 300 && log.stats().records < n; ++i)
                std::this_thread::sleep_for(10ms);
            return log.stats().records == n;
        };
        push(ring, table[0]);
        ASSERT_TRUE(logged(1));
        log.reopen();  // not renamed: nothing happens
        push(ring, table[1]);
        ASSERT_TRUE(logged(2));
        fs::rename(file, file + ".1");
        log.reopen();
        for (int i = 0; i < 300 && !fs::exists(file); ++i) std::this_thread::sleep_for(10ms);
        ASSERT_TRUE(fs::exists(file));
        push(ring, table[3]);
        ASSERT_TRUE(logged(3));
        log.stop();
        EXPECT_EQ(the_sink.lost(), 0u);
    }  // the writer finishes the new file

    const std::string old_text = run(t->dnstap_ldns + " -q -r " + file + ".1");
    const std::string new_text = run(t->dnstap_ldns + " -q -r " + file);
    EXPECT_NE(old_text.find("sip.example.com."), std::string::npos) << old_text;
    EXPECT_NE(old_text.find("_sip._tcp.nowhere.example.com."), std::string::npos) << old_text;
    EXPECT_EQ(old_text.find("www.example.org."), std::string::npos) << old_text;
    EXPECT_EQ(new_text.find("sip.example.com."), std::string::npos) << new_text;
    EXPECT_NE(new_text.find("www.example.org."), std::string::npos) << new_text;
}

struct OpenFailure {
    const char* name;
    bool socket;
    std::string path;
    const char* problem_starts;
};

TEST(DnstapSink, UnusablePathsAreNamed) {
    const std::vector<OpenFailure> table = {
        {"file_in_missing_directory", false, "/nonexistent-sipdns/q.dnstap",
         "dnstap file /nonexistent-sipdns/q.dnstap: No such file or directory"},
        {"socket_path_too_long", true, "/tmp/" + std::string(120, 's'), "dnstap socket /tmp/sss"},
        {"socket_path_empty", true, "", "dnstap socket : a unix socket path has 1 to 107 bytes"},
    };
    for (const auto& c : table) {
        SCOPED_TRACE(c.name);
        std::string problem;
        auto sink = c.socket ? open_dnstap_socket_sink(c.path, "i", "v", problem)
                             : open_dnstap_file_sink(c.path, "i", "v", problem);
        EXPECT_FALSE(sink);
        EXPECT_EQ(problem.rfind(c.problem_starts, 0), 0u) << problem;
    }
}

// fstrm_capture as the reader of the socket (started and stopped by PID).
class Capture {
  public:
    Capture(const std::string& tool, const std::string& socket, const std::string& file,
            const std::string& log)
        : log_(log) {
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, log.c_str(),
                                         O_WRONLY | O_CREAT | O_TRUNC, 0600);
        // -d three times: it says "accepted new connection" (debug level 3, CONN_INFO).
        std::vector<std::string> args = {tool, "-t", "protobuf:dnstap.Dnstap", "-u", socket,
                                         "-w", file, "-d", "-d", "-d"};
        std::vector<char*> argv;
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        if (::posix_spawn(&pid_, tool.c_str(), &actions, nullptr, argv.data(), environ) != 0)
            pid_ = -1;
        posix_spawn_file_actions_destroy(&actions);
        for (int i = 0; i < 500 && pid_ > 0 && !fs::exists(socket); ++i)
            std::this_thread::sleep_for(10ms);
    }
    ~Capture() { stop(); }
    bool running() const { return pid_ > 0; }
    // Waits (up to `limit`) until the log holds `text` `count` times.
    bool wait_for(const std::string& text, std::size_t count = 1,
                  std::chrono::milliseconds limit = 15s) {
        for (auto end = std::chrono::steady_clock::now() + limit;
             std::chrono::steady_clock::now() < end; std::this_thread::sleep_for(20ms))
            if (occurrences(text) >= count) return true;
        return false;
    }
    std::size_t occurrences(const std::string& text) const {
        const std::string log = slurp(log_);
        std::size_t n = 0;
        for (auto at = log.find(text); at != std::string::npos; at = log.find(text, at + 1)) ++n;
        return n;
    }
    void stop() {  // SIGTERM: it closes its output file and exits
        if (pid_ <= 0) return;
        ::kill(pid_, SIGTERM);
        int status = 0;
        ::waitpid(pid_, &status, 0);
        pid_ = -1;
    }
    std::string log() const { return slurp(log_); }

  private:
    std::string log_;
    pid_t pid_ = -1;
};

TEST(DnstapSink, SocketReadByFstrmCapture) {
    REQUIRE_TOOLS(t);
    TempDir dir;
    const std::string socket = dir.path + "/dnstap.sock";
    const std::string file = dir.path + "/captured.dnstap";
    Capture capture(t->fstrm_capture, socket, file, dir.path + "/capture.log");
    ASSERT_TRUE(capture.running());
    ASSERT_TRUE(fs::exists(socket)) << capture.log();

    std::string problem;
    auto sink = open_dnstap_socket_sink(socket, "ns1.example.com", "sipdns 0.1.0", problem);
    ASSERT_TRUE(sink) << problem;
    EXPECT_EQ(sink->describe(), "dnstap socket " + socket);
    {
        QueryLog log;
        log.add_sink(std::move(sink));
        QueryRing& ring = log.add_ring();
        log.start();
        // Frames sent before the writer is connected are dropped by libfstrm: wait for it.
        ASSERT_TRUE(capture.wait_for("accepted new connection")) << capture.log();
        for (const auto& e : exchanges()) push(ring, e);
        log.stop();
    }  // the writer sends its frames and the stop frame
    ASSERT_TRUE(capture.wait_for("closing (read ")) << capture.log();
    capture.stop();
    expect_exchanges(t->dnstap_ldns, file, "ns1.example.com", "sipdns 0.1.0");
}

// The daemon starts before its dnstap reader, and the reader restarts: nothing fails or blocks,
// and the frames flow whenever a reader is there.
TEST(DnstapSink, SocketConnectsWhenTheReaderAppearsAndAgainAfterItGoesAway) {
    REQUIRE_TOOLS(t);
    TempDir dir;
    const std::string socket = dir.path + "/dnstap.sock";
    std::string problem;
    auto sink = open_dnstap_socket_sink(socket, "ns1", "v", problem);
    ASSERT_TRUE(sink) << problem;  // no reader yet: not a problem

    QueryLog log;
    log.add_sink(std::move(sink));
    QueryRing& ring = log.add_ring();
    log.start();
    const auto& table = exchanges();
    const auto started = std::chrono::steady_clock::now();
    push(ring, table[0]);  // nobody listens: dropped by libfstrm, and the logger goes on
    std::this_thread::sleep_for(300ms);
    EXPECT_EQ(log.stats().records, 1u);
    EXPECT_LT(std::chrono::steady_clock::now() - started, 1s) << "the logger thread waited";

    for (int round = 1; round <= 2; ++round) {
        SCOPED_TRACE("reader " + std::to_string(round));
        const std::string file = dir.path + "/captured" + std::to_string(round) + ".dnstap";
        Capture capture(t->fstrm_capture, socket, file,
                        dir.path + "/capture" + std::to_string(round) + ".log");
        ASSERT_TRUE(capture.running());
        // After the first reader went away, libfstrm learns it on its next write: keep
        // logging until the new reader is connected.
        for (int i = 0; i < 100 && capture.occurrences("accepted new connection") == 0; ++i) {
            push(ring, table[2]);
            std::this_thread::sleep_for(150ms);
        }
        ASSERT_EQ(capture.occurrences("accepted new connection"), 1u) << capture.log();
        push(ring, table[round == 1 ? 1 : 3]);
        // libfstrm writes out a partly filled buffer after a second (its flush_timeout).
        std::this_thread::sleep_for(3s);
        capture.stop();  // the reader goes away with the connection still open
        const std::string text = run(t->dnstap_ldns + " -q -r " + file);
        const char* expected = round == 1 ? "_sip._tcp.nowhere.example.com." : "www.example.org.";
        EXPECT_NE(text.find(expected), std::string::npos) << text << capture.log();
    }
    // With the reader gone, logging goes on without blocking.
    const auto before = std::chrono::steady_clock::now();
    for (int i = 0; i < 50; ++i) push(ring, table[0]);
    log.stop();
    EXPECT_LT(std::chrono::steady_clock::now() - before, 5s);
}

}  // namespace
}  // namespace sipdns::querylog
