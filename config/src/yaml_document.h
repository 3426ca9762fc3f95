// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// Private to config/: a small, read-only YAML document model built from yaml-cpp's event API
// (YAML::Parser with a YAML::EventHandler), the YAML library the project's brief names. The
// tree is one arena of plain nodes addressed by index (no per-node allocation), so a 100k-host
// site stays cheap to build and to free. Only yaml_document.cc includes yaml-cpp.
//
// What it keeps of YAML: scalars (text, style, whether they were tagged), sequences and
// mappings (entries in file order, duplicate keys kept so the loader can report them), each
// with its 1-based position (columns in characters). Plain, untagged `null`, `Null`, `NULL`,
// `~` and empty scalars are null (text ""), as in YAML 1.2's core schema. Other resolution
// (booleans, numbers) is left to the loader, which reads the text.
//
// Limits against hostile files: nesting deeper than kMaxDepth lists/mappings is an error, and
// `*alias` resolves to the anchored node but the aliases of a file may expand to at most
// kMaxAliasNodes nodes in total (no "billion laughs"). Nothing that walks the tree recurses;
// yaml-cpp's parser recurses once per level, and is stopped at kMaxDepth.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sipdns/config/diagnostic.h"
#include "sipdns/config/expected.h"

namespace sipdns::config::detail::yaml {

inline constexpr std::size_t kMaxDepth = 64;
inline constexpr std::size_t kMaxAliasNodes = 100000;

enum class Kind : std::uint8_t { Null, Scalar, Sequence, Mapping };
enum class Style : std::uint8_t { Plain, SingleQuoted, DoubleQuoted, Literal, Folded };

struct Storage;  // a Document's arena (yaml_document.cc)

// A handle to one node of a Document (cheap to copy; valid while the Document lives). A
// default-constructed Node is "no node" (e.g. an empty file's root) and behaves as null.
class Node {
  public:
    Node() = default;

    Kind kind() const;
    bool is_null() const { return kind() == Kind::Null; }
    bool is_scalar() const { return kind() == Kind::Scalar; }  // a scalar that is not null
    bool is_sequence() const { return kind() == Kind::Sequence; }
    bool is_mapping() const { return kind() == Kind::Mapping; }

    // Scalars (null ones too): the text as written ("" for containers), the quoting style.
    std::string_view scalar() const;
    Style style() const;
    bool tagged() const;  // a tag was written (`!!str 5`, `!foo [a]`)

    // 1-based; {0, 0} for "no node". Where the node starts (its anchor or tag, if written).
    SourcePos pos() const;

    // Items of a sequence, entries of a mapping; 0 for anything else.
    std::size_t size() const;
    Node item(std::size_t i) const;   // sequence item i < size()
    Node key(std::size_t i) const;    // mapping entry i < size()
    Node value(std::size_t i) const;  // mapping entry i < size()

  private:
    friend class Document;
    Node(const Storage* s, std::uint32_t id) : s_(s), id_(id) {}

    const Storage* s_ = nullptr;
    std::uint32_t id_ = 0;
};

// Why a text is not a usable YAML stream: a character YAML does not allow, a syntax error
// explained in plain words (yaml_source.h), or one of the limits above; at its place.
struct ParseError {
    SourcePos pos;
    std::string message;  // e.g. "not valid YAML: tabs are not allowed in YAML indentation; use spaces"
};

// Every document of one YAML stream, parsed eagerly. Movable; Nodes stay valid across moves.
class Document {
  public:
    static Expected<Document, ParseError> parse(std::string_view text);

    std::size_t document_count() const;
    // The root of document i < document_count(); an empty document's root is null.
    Node root(std::size_t i) const;

    Document(Document&&) noexcept;
    Document& operator=(Document&&) noexcept;
    ~Document();

  private:
    explicit Document(std::unique_ptr<Storage> s);
    std::unique_ptr<Storage> s_;
};

}  // namespace sipdns::config::detail::yaml
