// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#include "sipdns/health/sip_message.h"

#include <charconv>
#include <optional>

namespace sipdns::health {

std::string_view via_transport(Transport transport) {
    switch (transport) {
        case Transport::Udp: return "UDP";
        case Transport::Tcp: return "TCP";
        case Transport::Tls: return "TLS";
    }
    return "UDP";
}

std::string build_options(const OptionsRequest& r) {
    const std::string target = r.target_name + ":" + std::to_string(r.target_port);
    const std::string local = r.local_host + ":" + std::to_string(r.local_port);
    const std::string_view t = transport_name(r.transport);
    std::string m;
    m.reserve(512);
    // RFC 3261 §11.1 (OPTIONS), §8.1.1 (the mandatory header fields), §20.42 (Via; rport:
    // RFC 3581 §3), §18.3 (Content-Length, required on streams).
    m += "OPTIONS sip:" + target + ";transport=" + std::string(t) + " SIP/2.0\r\n";
    m += "Via: SIP/2.0/" + std::string(via_transport(r.transport)) + " " + local +
         ";branch=" + r.branch + ";rport\r\n";
    m += "Max-Forwards: 70\r\n";
    m += "From: <sip:sipdns@" + r.local_host + ">;tag=" + r.from_tag + "\r\n";
    m += "To: <sip:" + target + ">\r\n";
    m += "Call-ID: " + r.call_id + "\r\n";
    m += "CSeq: " + std::to_string(r.cseq) + " OPTIONS\r\n";
    m += "Contact: <sip:sipdns@" + local + ";transport=" + std::string(t) + ">\r\n";
    m += "Accept: application/sdp\r\n";
    m += "User-Agent: sipdnsd\r\n";
    m += "Content-Length: 0\r\n\r\n";
    return m;
}

namespace {

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (lower(a[i]) != lower(b[i])) return false;
    return true;
}

bool is_space(char c) { return c == ' ' || c == '\t'; }

std::string_view trim(std::string_view s) {
    while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
    return s;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

template <class Number>
std::optional<Number> parse_number(std::string_view s) {
    if (s.empty() || s.size() > 10) return std::nullopt;
    for (char c : s)
        if (!is_digit(c)) return std::nullopt;
    Number value{};
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
    return value;
}

ParseResult malformed(std::string error) {
    ParseResult r;
    r.status = ParseStatus::Malformed;
    r.error = std::move(error);
    return r;
}

// The branch parameter of the first via-parm of a Via header value (RFC 3261 §20.42,
// grammar §25.1: via-parm *(COMMA via-parm); via-params are ;name=value, names case-insensitive).
std::optional<std::string> top_via_branch(std::string_view value) {
    // The first via-parm ends at a comma outside a quoted string (received= and friends are
    // tokens; a quoted string can only be an extension parameter's value).
    bool quoted = false;
    std::size_t end = value.size();
    for (std::size_t i = 0; i < value.size(); ++i) {
        if (value[i] == '"') quoted = !quoted;
        if (value[i] == ',' && !quoted) {
            end = i;
            break;
        }
    }
    std::string_view parm = value.substr(0, end);
    std::size_t semicolon = parm.find(';');
    while (semicolon != std::string_view::npos) {
        std::string_view rest = parm.substr(semicolon + 1);
        std::size_t next = rest.find(';');
        std::string_view param = trim(rest.substr(0, next));
        std::size_t eq = param.find('=');
        if (eq != std::string_view::npos && iequals(trim(param.substr(0, eq)), "branch")) {
            std::string_view branch = trim(param.substr(eq + 1));
            if (branch.empty()) return std::nullopt;
            return std::string(branch);
        }
        semicolon = next == std::string_view::npos ? next : semicolon + 1 + next;
    }
    return std::nullopt;
}

}  // namespace

ParseResult parse_response(std::string_view input, Framing framing) {
    // The status line (RFC 3261 §7.2): SIP-Version SP Status-Code SP Reason-Phrase CRLF.
    // Garbage is told as soon as the first bytes show it, not only after 64 KiB.
    constexpr std::string_view kVersion = "SIP/2.0 ";
    const std::size_t prefix = std::min(input.size(), kVersion.size());
    if (!iequals(input.substr(0, prefix), kVersion.substr(0, prefix)))
        return malformed("no SIP/2.0 status line");

    const std::size_t headers_end = input.find("\r\n\r\n");
    if (headers_end == std::string_view::npos || headers_end + 4 > kMaxResponseBytes) {
        if (input.size() >= kMaxResponseBytes)
            return malformed("no end of headers within " + std::to_string(kMaxResponseBytes) +
                             " bytes");
        if (framing == Framing::Datagram) return malformed("no end of headers");
        // A bare LF ends no line in SIP (RFC 3261 §7): say so instead of waiting for a CRLF.
        const std::size_t lf = input.find('\n');
        if (lf != std::string_view::npos && (lf == 0 || input[lf - 1] != '\r'))
            return malformed("line not ended by CRLF");
        ParseResult more;
        more.status = ParseStatus::NeedMore;
        return more;
    }
    const std::string_view head = input.substr(0, headers_end + 2);  // every line with its CRLF

    std::size_t line_end = head.find("\r\n");
    const std::string_view status_line = head.substr(0, line_end);
    if (status_line.size() < kVersion.size() + 3) return malformed("status line too short");
    const std::string_view code_text = status_line.substr(kVersion.size(), 3);
    const auto code = parse_number<int>(code_text);
    if (!code || *code < 100 || *code > 699)
        return malformed("status code '" + std::string(code_text) + "' is not 100..699");
    const std::string_view after_code = status_line.substr(kVersion.size() + 3);
    if (after_code.empty() || after_code.front() != ' ')
        return malformed("no space after the status code");
    ParseResult result;
    SipResponse& response = result.response;
    response.status = *code;
    response.reason = std::string(after_code.substr(1));
    for (char c : response.reason)
        if (c == '\r' || c == '\n' || c == '\0') return malformed("control character in reason");

    // Header fields: name ":" value, continuation lines start with SP or HTAB (§7.3.1).
    std::optional<std::string> branch;
    bool have_via = false;
    std::optional<std::uint32_t> content_length;
    bool have_cseq = false;
    std::size_t pos = line_end + 2;
    while (pos < head.size()) {
        line_end = head.find("\r\n", pos);
        std::string_view line = head.substr(pos, line_end - pos);
        pos = line_end + 2;
        std::string value_text;
        if (line.empty() || is_space(line.front())) return malformed("header line expected");
        const std::size_t colon = line.find(':');
        if (colon == std::string_view::npos) return malformed("header line without ':'");
        const std::string_view name = trim(line.substr(0, colon));
        if (name.empty()) return malformed("empty header name");
        for (char c : name)
            if (is_space(c) || static_cast<unsigned char>(c) < 0x21 || c == 0x7f)
                return malformed("bad character in header name");
        value_text = std::string(line.substr(colon + 1));
        while (pos < head.size() && is_space(head[pos])) {  // folded onto the next line
            line_end = head.find("\r\n", pos);
            value_text += ' ';
            value_text += head.substr(pos, line_end - pos);
            pos = line_end + 2;
        }
        const std::string_view value = trim(value_text);

        if (iequals(name, "Via") || iequals(name, "v")) {
            // Only the topmost Via names our transaction (§17.1.3, §18.1.2).
            if (!have_via) {
                have_via = true;
                branch = top_via_branch(value);
            }
        } else if (iequals(name, "CSeq")) {
            if (have_cseq) return malformed("two CSeq headers");
            have_cseq = true;
            const std::size_t space = value.find_first_of(" \t");
            if (space == std::string_view::npos) return malformed("CSeq without a method");
            const auto number = parse_number<std::uint32_t>(value.substr(0, space));
            if (!number) return malformed("CSeq number is not a number");
            response.cseq_number = *number;
            response.cseq_method = std::string(trim(value.substr(space)));
            if (response.cseq_method.empty()) return malformed("CSeq without a method");
        } else if (iequals(name, "Content-Length") || iequals(name, "l")) {
            const auto length = parse_number<std::uint32_t>(value);
            if (!length) return malformed("Content-Length is not a number");
            if (content_length && *content_length != *length)
                return malformed("two different Content-Length values");
            content_length = *length;
        }
    }
    if (!have_via) return malformed("no Via header");
    if (!branch) return malformed("top Via without a branch");
    if (!have_cseq) return malformed("no CSeq header");
    response.branch = std::move(*branch);

    // The body: Content-Length bytes after the empty line; a datagram without one ends where
    // the datagram does (§18.3), a stream without one has no body.
    const std::size_t body_start = headers_end + 4;
    std::size_t total = body_start;
    if (content_length) {
        if (*content_length > kMaxResponseBytes - body_start)
            return malformed("response larger than " + std::to_string(kMaxResponseBytes) +
                             " bytes");
        total = body_start + *content_length;
        if (total > input.size()) {
            if (framing == Framing::Datagram)
                return malformed("Content-Length larger than the datagram");
            ParseResult more;
            more.status = ParseStatus::NeedMore;
            return more;
        }
    } else if (framing == Framing::Datagram) {
        total = input.size();
        if (total > kMaxResponseBytes)
            return malformed("response larger than " + std::to_string(kMaxResponseBytes) +
                             " bytes");
    }
    response.total_length = total;
    result.status = ParseStatus::Complete;
    return result;
}

}  // namespace sipdns::health
