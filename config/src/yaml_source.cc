// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#include "yaml_source.h"

#include <algorithm>
#include <cstdio>
#include <limits>
#include <vector>

namespace sipdns::config::detail::yaml {

namespace {

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

bool is_continuation(unsigned char c) {
    return (c & 0xC0) == 0x80;
}

std::uint32_t clamp32(std::size_t n) {
    return static_cast<std::uint32_t>(
        std::min<std::size_t>(n, std::numeric_limits<std::uint32_t>::max()));
}

std::string hex(std::uint32_t value) {
    char buf[16];
    std::snprintf(buf, sizeof buf, " (0x%X)", static_cast<unsigned>(value));
    return buf;
}

// YAML 1.2 §5.1 c-printable.
bool printable(std::uint32_t c) {
    return c == 0x09 || c == 0x0A || c == 0x0D || (c >= 0x20 && c <= 0x7E) || c == 0x85 ||
           (c >= 0xA0 && c <= 0xD7FF) || (c >= 0xE000 && c <= 0xFFFD) ||
           (c >= 0x10000 && c <= 0x10FFFF);
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// SourceText

SourceText::SourceText(std::string_view text) : text_(text) {
    // YAML 1.2 §5.2: a UTF-16 or UTF-32 text starts with its byte-order mark (the parser also
    // guesses from zero bytes, which check_characters rejects in UTF-8 text first).
    const auto starts = [&](std::string_view p) { return text.starts_with(p); };
    if (starts(std::string_view("\x00\x00\xFE\xFF", 4)) || starts("\xFF\xFE") ||
        starts("\xFE\xFF")) {
        utf8_ = false;
        ascii_ = false;
        return;
    }
    if (starts(kUtf8Bom)) bom_ = kUtf8Bom.size();
    for (const char c : text) {
        if (static_cast<unsigned char>(c) >= 0x80) {
            ascii_ = false;
            break;
        }
    }
}

std::optional<TextProblem> SourceText::check_characters() const {
    if (!utf8_) return std::nullopt;
    const auto* p = reinterpret_cast<const unsigned char*>(text_.data());
    const std::size_t n = text_.size();
    std::size_t i = bom_;
    while (i < n) {
        const unsigned char lead = p[i];
        if (lead >= 0x20 && lead <= 0x7E) {  // the common case
            ++i;
            continue;
        }
        std::size_t width = 0;
        std::uint32_t value = 0;
        if (lead < 0x80) {
            width = 1;
            value = lead;
        } else if ((lead & 0xE0) == 0xC0) {
            width = 2;
            value = lead & 0x1F;
        } else if ((lead & 0xF0) == 0xE0) {
            width = 3;
            value = lead & 0x0F;
        } else if ((lead & 0xF8) == 0xF0) {
            width = 4;
            value = lead & 0x07;
        } else {
            return TextProblem{i, kNotYaml + "invalid leading UTF-8 octet" + hex(lead)};
        }
        if (n - i < width) {
            return TextProblem{i, kNotYaml + "incomplete UTF-8 octet sequence"};
        }
        for (std::size_t k = 1; k < width; ++k) {
            if (!is_continuation(p[i + k])) {
                return TextProblem{i + k,
                                   kNotYaml + "invalid trailing UTF-8 octet" + hex(p[i + k])};
            }
            value = (value << 6) | (p[i + k] & 0x3F);
        }
        if ((width == 2 && value < 0x80) || (width == 3 && value < 0x800) ||
            (width == 4 && value < 0x10000)) {
            return TextProblem{i, kNotYaml + "invalid length of a UTF-8 sequence"};
        }
        if ((value >= 0xD800 && value <= 0xDFFF) || value > 0x10FFFF) {
            return TextProblem{i, kNotYaml + "invalid Unicode character" + hex(value)};
        }
        if (!printable(value)) {
            return TextProblem{i, kNotYaml + "control characters are not allowed" + hex(value)};
        }
        i += width;
    }
    return std::nullopt;
}

SourcePos SourceText::pos_of_mark(int line, int column, int offset) const {
    if (line < 0 || column < 0 || offset < 0) return SourcePos{};
    const auto ln = static_cast<std::size_t>(line);
    const auto col = static_cast<std::size_t>(column);
    if (ascii_ || !utf8_) return {clamp32(ln + 1), clamp32(col + 1)};
    const std::size_t at = std::min(bom_ + static_cast<std::size_t>(offset), text_.size());
    const std::size_t line_start = at >= col ? at - col : 0;
    std::size_t from = line_start;
    std::uint32_t chars = 0;
    if (line_start == cache_line_start_ && at >= cache_offset_) {
        from = cache_offset_;
        chars = cache_column_;
    }
    for (std::size_t i = from; i < at; ++i) {
        if (!is_continuation(static_cast<unsigned char>(text_[i]))) ++chars;
    }
    cache_line_start_ = line_start;
    cache_offset_ = at;
    cache_column_ = chars;
    return {clamp32(ln + 1), chars + 1};
}

SourcePos SourceText::pos_of_offset(std::size_t offset) const {
    offset = std::min(offset, text_.size());
    std::uint32_t line = 1;
    std::uint32_t column = 1;
    for (std::size_t i = bom_; i < offset; ++i) {
        const auto c = static_cast<unsigned char>(text_[i]);
        if (c == '\n') {
            ++line;
            column = 1;
        } else if (!is_continuation(c)) {
            ++column;
        }
    }
    return {line, column};
}

// ---------------------------------------------------------------------------------------------
// Explaining syntax errors

namespace {

// One line of the text: [start, end) without its '\n'; content starts after the indentation.
struct Line {
    std::size_t start = 0;
    std::size_t end = 0;
    std::size_t content = 0;   // first byte that is not a space or a tab
    std::uint32_t number = 0;  // 1-based

    // Nothing but indentation, a comment or a CR.
    bool blank(std::string_view text) const {
        return content >= end || text[content] == '#' || text[content] == '\r';
    }
};

Line line_at(std::string_view text, std::size_t offset, std::uint32_t number) {
    offset = std::min(offset, text.size());
    Line l;
    const std::size_t nl = offset == 0 ? std::string_view::npos : text.rfind('\n', offset - 1);
    l.start = nl == std::string_view::npos ? 0 : nl + 1;
    const std::size_t e = text.find('\n', offset);
    l.end = e == std::string_view::npos ? text.size() : e;
    l.content = l.start;
    while (l.content < l.end && (text[l.content] == ' ' || text[l.content] == '\t')) ++l.content;
    l.number = number;
    return l;
}

// The nearest line above `l` that is not blank.
std::optional<Line> previous_line(std::string_view text, const Line& l) {
    Line cur = l;
    while (cur.start > 0 && cur.number > 1) {
        cur = line_at(text, cur.start - 1, cur.number - 1);
        if (!cur.blank(text)) return cur;
    }
    return std::nullopt;
}

std::size_t indent_of(const Line& l) {
    return l.content - l.start;
}

std::string shown(std::string_view s) {
    constexpr std::size_t kMax = 40;
    if (s.size() <= kMax) return std::string(s);
    std::size_t cut = kMax;
    while (cut > 0 && is_continuation(static_cast<unsigned char>(s[cut]))) --cut;
    return std::string(s.substr(0, cut)) + "\u2026";
}

bool space_or_end(std::string_view text, std::size_t i) {
    return i >= text.size() || text[i] == ' ' || text[i] == '\t' || text[i] == '\n' ||
           text[i] == '\r';
}

std::optional<TextProblem> tab_in_indentation(std::string_view text, const Line& l) {
    for (std::size_t i = l.start; i < l.content; ++i) {
        if (text[i] == '\t') {
            return TextProblem{
                i, kNotYaml + "tabs are not allowed in YAML indentation; use spaces"};
        }
    }
    return std::nullopt;
}

// `key:value` at the start of a line's content (after any "- "): the ':' lacking its space.
std::optional<TextProblem> colon_without_space(std::string_view text, const Line& l) {
    std::size_t i = l.content;
    while (i + 1 < l.end && text[i] == '-' && (text[i + 1] == ' ' || text[i + 1] == '\t')) {
        i += 2;
        while (i < l.end && (text[i] == ' ' || text[i] == '\t')) ++i;
    }
    if (i >= l.end) return std::nullopt;
    // A plain scalar cannot start with an indicator (YAML 1.2 §7.3.3).
    static constexpr std::string_view kIndicators = "-?:,[]{}#&*!|>'\"%@`";
    if (kIndicators.find(text[i]) != std::string_view::npos) return std::nullopt;
    const std::size_t key_start = i;
    bool hex_only = true;
    while (i < l.end && text[i] != ':' && !space_or_end(text, i)) {
        const char c = text[i];
        hex_only = hex_only && ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
                                (c >= 'A' && c <= 'F'));
        ++i;
    }
    if (i >= l.end || text[i] != ':' || i == key_start || hex_only) return std::nullopt;
    const std::size_t colon = i;
    // "key:" (the value on the next lines), "a::b", a URL's "://": not this slip.
    if (space_or_end(text, colon + 1) || text[colon + 1] == ':' || text[colon + 1] == '/') {
        return std::nullopt;
    }
    std::size_t word_end = colon;
    while (word_end < l.end && !space_or_end(text, word_end)) ++word_end;
    const std::string_view word = text.substr(key_start, word_end - key_start);
    const std::string_view key = text.substr(key_start, colon - key_start);
    const std::string_view value = text.substr(colon + 1, word_end - colon - 1);
    return TextProblem{colon, kNotYaml + "missing space after ':' in '" + shown(word) +
                                  "': YAML reads it as one word; write '" + shown(key) + ": " +
                                  shown(value) + "'"};
}

// Where a quoted scalar opened at `quote` ends (the offset of its closing quote), or npos.
// YAML 1.2 §7.3.1-7.3.2: '' is a quote inside single quotes, \ escapes inside double quotes.
std::size_t quoted_end(std::string_view text, std::size_t quote) {
    const char q = text[quote];
    for (std::size_t i = quote + 1; i < text.size(); ++i) {
        if (q == '"' && text[i] == '\\') {
            ++i;
        } else if (text[i] == q) {
            if (q == '\'' && i + 1 < text.size() && text[i + 1] == '\'') {
                ++i;
            } else {
                return i;
            }
        }
    }
    return std::string_view::npos;
}

TextProblem unclosed_quote(std::size_t quote, char q) {
    const std::string mark(1, q);
    return TextProblem{quote, kNotYaml + "unclosed quote: the string that starts here with " +
                                  mark + " has no closing " + mark};
}

// Indentation that matches no block above: deeper than a line whose value is complete, or
// shallower than its neighbours and at no level of the lines above.
std::optional<TextProblem> mismatched_indentation(std::string_view text, const Line& l) {
    if (l.blank(text)) return std::nullopt;
    const auto prev = previous_line(text, l);
    if (!prev) return std::nullopt;
    const std::size_t indent = indent_of(l);
    const std::size_t prev_indent = indent_of(*prev);
    const auto spaces = [](std::size_t n) {
        return std::to_string(n) + (n == 1 ? " space" : " spaces");
    };
    if (indent > prev_indent) {
        // Deeper is right under "key:", "-", "key: |", or inside an open flow collection.
        std::size_t e = prev->end;
        const std::size_t hash = text.substr(prev->content, e - prev->content).find(" #");
        if (hash != std::string_view::npos) e = prev->content + hash;
        while (e > prev->content && space_or_end(text, e - 1)) --e;
        const char last = text[e - 1];
        if (std::string_view(":-|>[{,").find(last) != std::string_view::npos ||
            ((last == '-' || last == '+') && e >= 2 &&
             (text[e - 2] == '|' || text[e - 2] == '>'))) {
            return std::nullopt;
        }
        return TextProblem{l.content,
                           kNotYaml + "this line is indented " + spaces(indent) +
                               ", deeper than line " + std::to_string(prev->number) + " (" +
                               spaces(prev_indent) + "), which already has its value; indent it " +
                               "like line " + std::to_string(prev->number) +
                               ", or nest it under a key that ends with ':'"};
    }
    if (indent == prev_indent) return std::nullopt;
    // The levels open above: the previous line's, then each shallower one going up.
    std::vector<Line> levels{*prev};
    for (auto up = previous_line(text, *prev); up && indent_of(levels.back()) > 0;
         up = previous_line(text, *up)) {
        if (indent_of(*up) < indent_of(levels.back())) levels.push_back(*up);
    }
    for (const Line& lv : levels) {
        if (indent_of(lv) == indent) return std::nullopt;
    }
    std::string above;
    for (std::size_t k = 0; k < levels.size() && k < 3; ++k) {
        above += (k == 0 ? "line " : ", line ") + std::to_string(levels[k].number) + " has " +
                 std::to_string(indent_of(levels[k]));
    }
    return TextProblem{l.content, kNotYaml + "this line is indented " + spaces(indent) +
                                      ", which matches no block above it (" + above +
                                      "); indent it like the entries it belongs with"};
}

// yaml-cpp's wording (include/yaml-cpp/exceptions.h) in plainer words.
std::string plain_words(std::string_view m) {
    if (m == "end of map flow not found") {
        return "did not find the ',' or '}' expected in this { } mapping";
    }
    if (m == "end of sequence flow not found") {
        return "did not find the ',' or ']' expected in this [ ] list";
    }
    if (m == "end of map not found") return "expected another 'key: value' or the mapping's end";
    if (m == "end of sequence not found") return "expected another '- item' or the list's end";
    if (m == "illegal map value") {
        return "a ':' that starts a value is not allowed here (mapping values are not allowed "
               "in this context); quote a value that contains ': '";
    }
    if (m == "illegal block entry") return "a '- ' list item is not allowed here";
    if (m == "illegal map key") return "a '? ' key is not allowed here";
    if (m == "illegal flow end") return "this ']' or '}' closes nothing";
    if (m == "illegal tab when looking for indentation") {
        return "tabs are not allowed in YAML indentation; use spaces";
    }
    if (m == "illegal EOF in scalar") return "the text ends inside a quoted string";
    if (m == "bad file") return "lists and mappings are nested too deeply";
    if (m == "illegal document indicator in scalar") {
        return "a document marker (--- or ...) at the start of a line inside a string";
    }
    return std::string(m);
}

}  // namespace

std::optional<TextProblem> find_unclosed_quote(std::string_view text, std::size_t from) {
    bool node_start = true;  // a quote here would open a quoted scalar
    std::size_t i = std::min(from, text.size());
    while (i < text.size()) {
        const char c = text[i];
        if (c == '\n') {
            node_start = true;
            ++i;
        } else if (c == ' ' || c == '\t' || c == '\r') {
            ++i;
        } else if (c == '#' && (i == 0 || space_or_end(text, i - 1))) {
            const std::size_t nl = text.find('\n', i);
            i = nl == std::string_view::npos ? text.size() : nl;
        } else if (node_start && (c == '\'' || c == '"')) {
            const std::size_t end = quoted_end(text, i);
            if (end == std::string_view::npos) return unclosed_quote(i, c);
            i = end + 1;
            node_start = false;
        } else if (c == '[' || c == '{' || c == ',') {
            node_start = true;
            ++i;
        } else if ((c == '-' || c == '?' || c == ':') && space_or_end(text, i + 1)) {
            node_start = true;
            ++i;
        } else if (node_start && (c == '&' || c == '!')) {  // an anchor or a tag before a node
            while (i < text.size() && !space_or_end(text, i)) ++i;
        } else {
            node_start = false;
            ++i;
        }
    }
    return std::nullopt;
}

std::optional<TextProblem> unclosed_quote_at(std::string_view text, std::size_t quote) {
    if (quote >= text.size() || (text[quote] != '\'' && text[quote] != '"')) return std::nullopt;
    if (quoted_end(text, quote) != std::string_view::npos) return std::nullopt;
    return unclosed_quote(quote, text[quote]);
}

TextProblem explain_key_without_colon(std::string_view text, std::size_t key_offset) {
    const Line l = line_at(text, key_offset, 0);
    if (auto p = colon_without_space(text, l); p && p->offset >= key_offset) return *p;
    std::size_t e = key_offset;
    while (e < l.end && text[e] != '\r' && !(text[e] == '#' && space_or_end(text, e - 1))) ++e;
    while (e > key_offset && space_or_end(text, e - 1)) --e;
    return TextProblem{key_offset, kNotYaml + "expected 'key: value' here, found '" +
                                       shown(text.substr(key_offset, e - key_offset)) +
                                       "' with no ':' after it"};
}

TextProblem explain_syntax_error(std::string_view text, std::size_t offset, std::uint32_t line,
                                 std::string_view parser_message, std::size_t last_node_offset) {
    offset = std::min(offset, text.size());
    const Line here = line_at(text, offset, line);
    const auto prev = previous_line(text, here);
    if (auto p = tab_in_indentation(text, here)) return *p;
    if (prev) {
        if (auto p = tab_in_indentation(text, *prev)) return *p;
    }
    if (auto p = colon_without_space(text, here)) return *p;
    if (prev) {
        if (auto p = colon_without_space(text, *prev)) return *p;
    }
    // A line of a block mapping that is no `key: value` (the parser stops at its start).
    if (parser_message == "end of map not found" && offset == here.content && !here.blank(text)) {
        const std::string_view content = text.substr(here.content, here.end - here.content);
        static constexpr std::string_view kIndicators = "-?:,[]{}#&*!|>'\"%@`";
        if (kIndicators.find(content.front()) == std::string_view::npos &&
            content.find(": ") == std::string_view::npos && !content.ends_with(':')) {
            return explain_key_without_colon(text, here.content);
        }
    }
    // A quote never closed runs to the end of the text, where the parser then stops.
    std::size_t rest = offset;
    while (rest < text.size() && space_or_end(text, rest)) ++rest;
    if (parser_message == "illegal EOF in scalar" || rest == text.size()) {
        if (auto p = find_unclosed_quote(text, last_node_offset)) return *p;
    }
    if (parser_message == "end of map not found" || parser_message == "end of sequence not found" ||
        parser_message == "illegal map value" || parser_message == "illegal block entry") {
        if (auto p = mismatched_indentation(text, here)) return *p;
    }
    return TextProblem{offset, kNotYaml + plain_words(parser_message)};
}

}  // namespace sipdns::config::detail::yaml
