// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// Private to config/: the site file's text as the YAML parser sees it (yaml_document.cc) —
// which characters YAML allows, 1-based positions in characters, and plain-words explanations
// of syntax errors for the slips people make when they write YAML by hand.
//
// yaml-cpp (the parser) reads bytes: its marks count lines by '\n' and columns in bytes of the
// UTF-8 text, 0-based. Positions here count columns in characters (a UTF-8 sequence is one
// column), as editors do; a UTF-8 byte-order mark is not counted.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "sipdns/config/diagnostic.h"

namespace sipdns::config::detail::yaml {

// Every syntax problem's message starts with this.
inline const std::string kNotYaml = "not valid YAML: ";

// A problem at a byte offset of the text (offsets count from the start of the text, a
// byte-order mark included).
struct TextProblem {
    std::size_t offset;
    std::string message;
};

class SourceText {
  public:
    explicit SourceText(std::string_view text);

    std::string_view text() const { return text_; }
    // The bytes before the parser's first character: a UTF-8 byte-order mark, or nothing.
    std::size_t bom_size() const { return bom_; }
    // UTF-8 (the parser's offsets map onto the text); false for UTF-16/32 text, which the
    // parser transcodes first.
    bool utf8() const { return utf8_; }

    // YAML 1.2 §5.1-5.2: the text must be valid UTF-8 of printable characters (TAB, LF, CR,
    // NEL and from U+0020, less DEL, the C1 controls, surrogates and U+FFFE/U+FFFF); yaml-cpp
    // does not check. The first offender: "invalid leading UTF-8 octet (0xFF)", "control
    // characters are not allowed (0x0)", ... Not checked for UTF-16/32 text.
    std::optional<TextProblem> check_characters() const;

    // 1-based position of a parser mark (0-based line, byte column, byte offset past the BOM).
    // Marks asked in increasing order cost O(bytes between them) on non-ASCII text.
    SourcePos pos_of_mark(int line, int column, int offset) const;
    // 1-based position of a byte offset of the text.
    SourcePos pos_of_offset(std::size_t offset) const;

  private:
    std::string_view text_;
    std::size_t bom_ = 0;
    bool utf8_ = true;
    bool ascii_ = true;
    // Last non-ASCII mark converted: where its line starts, its offset and character column.
    mutable std::size_t cache_line_start_ = 0;
    mutable std::size_t cache_offset_ = 0;
    mutable std::uint32_t cache_column_ = 0;
};

// What a syntax error means in plain words, with the place to point at. `offset` and `line`
// (1-based) are where the parser gave up; `parser_message` is its own wording;
// `last_node_offset` is where the last node the parser produced starts (scanning for an
// unclosed quote starts there). Checks, in this order: a tab in the indentation of the failing
// line or the one before; `key:value` without the space YAML needs; a quoted string never
// closed; a line indented to no level of the lines above; else the parser's message in plainer
// words. The message starts with kNotYaml.
TextProblem explain_syntax_error(std::string_view text, std::size_t offset, std::uint32_t line,
                                 std::string_view parser_message, std::size_t last_node_offset);

// A quoted scalar that starts at or after `from` and is never closed (the parser accepts one
// that runs to the end of a text ending in a newline): its opening quote, explained.
std::optional<TextProblem> find_unclosed_quote(std::string_view text, std::size_t from);

// The quoted scalar whose opening quote is at `quote`, when it is never closed.
std::optional<TextProblem> unclosed_quote_at(std::string_view text, std::size_t quote);

// A block-mapping entry written without ':' (`  justaword`, `  key:value`), which the parser
// takes as a key with no value: explained at the key (or at the ':' that lacks its space).
TextProblem explain_key_without_colon(std::string_view text, std::size_t key_offset);

}  // namespace sipdns::config::detail::yaml
