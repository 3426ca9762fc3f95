// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#include "sipdns/config/dns_name.h"

#include <cstdio>

#include "sipdns/config/diagnostic.h"

namespace sipdns::config {

namespace {

constexpr std::size_t kMaxLabel = 63;      // RFC 1035 §2.3.4
constexpr std::size_t kMaxWireName = 255;  // RFC 1035 §2.3.4, counted in wire form
constexpr std::size_t kShownLabel = 20;    // how much of an over-long label a message shows

std::string_view strip_trailing_dot(std::string_view s) {
    if (!s.empty() && s.back() == '.') s.remove_suffix(1);
    return s;
}

char lower(char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

// Letters, digits and '-' are the host name rule (RFC 952, RFC 1123 §2.1); '_' is needed for
// SRV owners (RFC 2782) and is legal DNS (RFC 2181 §11).
bool allowed_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
}

std::string shown_char(char c) {
    const auto u = static_cast<unsigned char>(c);
    if (u > 0x20 && u < 0x7f) return std::string(1, c);
    char buf[8];
    std::snprintf(buf, sizeof buf, "\\%03u", u);
    return buf;
}

std::string shown_label(std::string_view label) {
    if (label.size() <= kShownLabel) return std::string(label);
    return std::string(label.substr(0, kShownLabel)) + "\u2026";
}

// Checks `full` (absolute, no trailing dot, "" = root); `written` is what the user wrote, for
// messages. Returns the name in lower case: `full` itself, lowered in place (one string per
// name: a 100,000-host site checks 100,000 of them).
Expected<std::string, std::string> check_full_name(std::string full, std::string_view written) {
    if (full.empty()) return full;
    std::size_t wire = 1;  // the root label
    bool first = true;
    std::size_t start = 0;
    while (true) {
        const auto dot = full.find('.', start);
        const std::size_t end = dot == std::string::npos ? full.size() : dot;
        const std::string_view label(full.data() + start, end - start);
        if (label.empty()) {
            return unexpected("empty label in " + quote_value(written));
        }
        if (label.size() > kMaxLabel) {
            return unexpected("label '" + shown_label(label) + "' is " +
                              std::to_string(label.size()) + " octets long, at most " +
                              std::to_string(kMaxLabel) + " are allowed");
        }
        // A wildcard is a whole leftmost '*' label (RFC 4592 §2.1.1).
        const bool wildcard = first && label == "*";
        if (!wildcard) {
            for (const char c : label) {
                if (c == '*') {
                    return unexpected("'*' is allowed only as the whole leftmost label, in " +
                                      quote_value(written));
                }
                if (!allowed_char(c)) {
                    return unexpected("character '" + shown_char(c) + "' is not allowed in " +
                                      quote_value(written) +
                                      " (only letters, digits, '-' and '_')");
                }
            }
        }
        wire += label.size() + 1;
        for (std::size_t i = start; i < end; ++i) full[i] = lower(full[i]);
        first = false;
        if (dot == std::string::npos) break;
        start = dot + 1;
    }
    if (wire > kMaxWireName) {
        return unexpected("name is " + std::to_string(wire) +
                          " octets long in wire form, at most " + std::to_string(kMaxWireName) +
                          " are allowed");
    }
    return full;
}

}  // namespace

Expected<std::string, std::string> absolute_name(std::string_view name, std::string_view origin) {
    origin = strip_trailing_dot(origin);
    if (name.empty()) return unexpected(std::string("empty name"));
    if (name == "@") return check_full_name(std::string(origin), origin);  // RFC 1035 §5.1
    if (name == ".") return std::string();                                 // the root
    if (name.back() == '.') return check_full_name(std::string(strip_trailing_dot(name)), name);
    if (origin.empty()) return check_full_name(std::string(name), name);
    std::string full;
    full.reserve(name.size() + 1 + origin.size());
    full.append(name).append(".").append(origin);
    return check_full_name(std::move(full), name);
}

Expected<std::string, std::string> check_domain_name(std::string_view name) {
    if (name == ".") return std::string();
    return check_full_name(std::string(strip_trailing_dot(name)), name);
}

std::string host_name_problem(std::string_view written) {
    if (written == "@" || written == ".") return "";
    written = strip_trailing_dot(written);
    bool first = true;
    for (std::size_t start = 0; start <= written.size();) {
        const std::size_t dot = written.find('.', start);
        const std::string_view label = written.substr(
            start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
        if (!(first && label == "*")) {
            for (const char c : label) {
                const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                                (c >= '0' && c <= '9') || c == '-';
                if (!ok)
                    return "'" + shown_char(c) +
                           "' is not allowed in a host name (RFC 952, RFC 1123 §2.1: letters, "
                           "digits and '-'; '_' belongs in SRV owners only)";
            }
            if (!label.empty() && (label.front() == '-' || label.back() == '-'))
                return "label '" + std::string(label) +
                       "' starts or ends with '-' (RFC 952, RFC 1123 §2.1)";
        }
        first = false;
        if (dot == std::string_view::npos) break;
        start = dot + 1;
    }
    return "";
}

}  // namespace sipdns::config
