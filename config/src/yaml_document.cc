// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#include "yaml_document.h"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/mark.h>
#include <yaml-cpp/parser.h>

#include <algorithm>
#include <exception>
#include <istream>
#include <limits>
#include <new>
#include <streambuf>
#include <utility>

#include "yaml_source.h"

namespace sipdns::config::detail::yaml {

// The arena: every node of every document in one vector, in document order; a container's
// children are a run of node indices in `children`; all scalar text in one string. 20 bytes
// per node, no allocation per node.
struct Storage {
    struct NodeData {
        Kind kind;
        Style style;
        bool tagged;
        SourcePos pos;
        // Scalars: text[first, first + count). Sequences: items at children[first, first +
        // count). Mappings: key, value, key, value... at children[first, first + 2 * count).
        std::uint32_t first;
        std::uint32_t count;
    };
    std::vector<NodeData> nodes;
    std::vector<std::uint32_t> children;
    std::string text;
    std::vector<std::uint32_t> roots;  // one per document (an empty one's is a null scalar)

    const NodeData& operator[](std::uint32_t id) const { return nodes[id]; }
};

namespace {
constexpr std::uint32_t kMaxIndex = std::numeric_limits<std::uint32_t>::max() - 1;
}  // namespace

// ---------------------------------------------------------------------------------------------
// Node

Kind Node::kind() const {
    return s_ ? (*s_)[id_].kind : Kind::Null;
}

std::string_view Node::scalar() const {
    if (!s_) return {};
    const auto& d = (*s_)[id_];
    if (d.kind != Kind::Scalar && d.kind != Kind::Null) return {};
    return std::string_view(s_->text).substr(d.first, d.count);
}

Style Node::style() const {
    return s_ ? (*s_)[id_].style : Style::Plain;
}

bool Node::tagged() const {
    return s_ && (*s_)[id_].tagged;
}

SourcePos Node::pos() const {
    return s_ ? (*s_)[id_].pos : SourcePos{};
}

std::size_t Node::size() const {
    if (!s_) return 0;
    const auto& d = (*s_)[id_];
    return d.kind == Kind::Sequence || d.kind == Kind::Mapping ? d.count : 0;
}

Node Node::item(std::size_t i) const {
    return Node(s_, s_->children[(*s_)[id_].first + i]);
}

Node Node::key(std::size_t i) const {
    return Node(s_, s_->children[(*s_)[id_].first + 2 * i]);
}

Node Node::value(std::size_t i) const {
    return Node(s_, s_->children[(*s_)[id_].first + 2 * i + 1]);
}

// ---------------------------------------------------------------------------------------------
// Document

Document::Document(std::unique_ptr<Storage> s) : s_(std::move(s)) {}
Document::Document(Document&&) noexcept = default;
Document& Document::operator=(Document&&) noexcept = default;
Document::~Document() = default;

std::size_t Document::document_count() const {
    return s_->roots.size();
}

Node Document::root(std::size_t i) const {
    return Node(s_.get(), s_->roots[i]);
}

namespace {

// yaml-cpp's scalar resolution (YAML 1.2 core schema) already made plain untagged null, Null,
// NULL, ~ and empty scalars OnNull events; these flags say how a scalar was written.
bool is_tagged(const std::string& tag) {
    return tag != "?" && tag != "!";  // "?" plain, "!" quoted or block: no tag written
}

// yaml-cpp reads a std::istream; this one reads the caller's text in place, without a copy.
class TextBuf : public std::streambuf {
  public:
    explicit TextBuf(std::string_view text) {
        // The get area is only read from (std::streambuf has no const variant).
        char* p = const_cast<char*>(text.data());
        setg(p, p, p + text.size());
    }
};

// Thrown from an event handler to stop yaml-cpp (its only way out of HandleNextDocument) with
// our own problem; caught in Document::parse.
struct Stop {
    ParseError error;
};

// Builds the arena from yaml-cpp's events (YAML::Parser calls it depth-first). The parser
// recurses once per open list or mapping; OnSequenceStart/OnMapStart stop it at kMaxDepth,
// long before its own guard (500 levels) or the stack would.
class Builder final : public YAML::EventHandler {
  public:
    explicit Builder(const SourceText& src) : src_(src), s_(std::make_unique<Storage>()) {
        // Most nodes of a large site are short scalars: about one node per 10 bytes (capped, as
        // a huge file may be one huge scalar).
        const std::string_view text = src.text();
        const std::size_t guess = std::min<std::size_t>(text.size() / 10, 1 << 20) + 16;
        s_->nodes.reserve(guess);
        s_->children.reserve(guess);
        weight_.reserve(guess);
        s_->text.reserve(std::min<std::size_t>(text.size(), std::size_t{16} << 20));
    }

    void OnDocumentStart(const YAML::Mark& m) override {
        // yaml-cpp 0.7 starts a new, empty document at a token no node can begin with (a ','
        // outside brackets) without consuming it, again and again: stop at the second try.
        if (m.pos == last_document_pos_) {
            const std::size_t offset = src_.bom_size() + to_size(m.pos);
            const std::string_view t = src_.text();
            const std::string what = offset < t.size() && src_.utf8()
                                         ? "'" + std::string(1, t[offset]) + "'"
                                         : "this";
            stop_at(m, kNotYaml + what + " cannot start a value here; quote a value that " +
                           "starts with it");
        }
        last_document_pos_ = m.pos;
        anchor_names_.clear();  // anchors are per document; yaml-cpp numbers them from 1
        anchor_nodes_.clear();
    }
    void OnDocumentEnd() override {}

    void OnAnchor(const YAML::Mark&, const std::string& name) override {
        // Called just before the anchored node's event, which carries this anchor's number.
        anchor_names_.push_back(name);
        anchor_nodes_.push_back(kIncomplete);
    }

    void OnNull(const YAML::Mark& m, YAML::anchor_t anchor) override {
        if (!open_.empty()) {
            Open& o = open_.back();
            // In a block mapping yaml-cpp reads a line without ':' as a key with no value,
            // the value's mark being the key's own (a real empty value starts later).
            const bool is_value = (pending_.size() - o.first_pending) % 2 == 1;
            if (o.block_mapping && is_value && m.pos == o.key_mark_pos &&
                src_.utf8()) {
                stop(explain_key_without_colon(src_.text(), src_.bom_size() + to_size(m.pos)));
            }
        }
        scalar(m, anchor, Kind::Null, Style::Plain, false, {});
    }

    void OnScalar(const YAML::Mark& m, const std::string& tag, YAML::anchor_t anchor,
                  const std::string& value) override {
        const Style style = tag == "?" ? Style::Plain : style_at(m);
        last_quote_ = style == Style::SingleQuoted || style == Style::DoubleQuoted
                          ? quote_offset_
                          : kNoOffset;
        scalar(m, anchor, Kind::Scalar, style, is_tagged(tag), value);
    }

    void OnAlias(const YAML::Mark& m, YAML::anchor_t anchor) override {
        last_node_ = src_.bom_size() + to_size(m.pos);
        const std::size_t k = anchor;  // 1-based; yaml-cpp refuses unknown anchors itself
        if (k == 0 || k > anchor_nodes_.size()) return stop_at(m, kNotYaml + "invalid alias");
        const std::uint32_t target = anchor_nodes_[k - 1];
        if (target == kIncomplete) {
            // Registered when complete, so an alias cannot refer to its own ancestor.
            const std::string& name = anchor_names_[k - 1];
            return stop_at(m, kNotYaml + "alias *" + name + " has no anchor &" + name +
                                  " before it in its document");
        }
        alias_nodes_ += weight_[target];
        if (alias_nodes_ > kMaxAliasNodes) {
            return stop_at(m, "aliases expand to more than " + std::to_string(kMaxAliasNodes) +
                                  " nodes; write the values out instead");
        }
        attach(target, m.pos);
    }

    void OnSequenceStart(const YAML::Mark& m, const std::string& tag, YAML::anchor_t anchor,
                         YAML::EmitterStyle::value) override {
        open(m, tag, anchor, Kind::Sequence, false);
    }
    void OnSequenceEnd() override { close(); }

    void OnMapStart(const YAML::Mark& m, const std::string& tag, YAML::anchor_t anchor,
                    YAML::EmitterStyle::value style) override {
        open(m, tag, anchor, Kind::Mapping, style == YAML::EmitterStyle::Block);
    }
    void OnMapEnd() override { close(); }

    // After the last document: a quoted scalar that ran to the end of the text is unclosed
    // (yaml-cpp accepts one when the text ends with a newline).
    std::unique_ptr<Storage> finish() {
        if (last_quote_ != kNoOffset) {
            if (auto p = unclosed_quote_at(src_.text(), last_quote_)) stop(*p);
        }
        return std::move(s_);
    }

    // yaml-cpp's syntax error, explained (yaml_source.h) at its place.
    ParseError explain(const YAML::Mark& m, const std::string& message) const {
        if (!src_.utf8() || m.is_null()) {
            return {src_.pos_of_mark(m.line, m.column, m.pos), kNotYaml + message};
        }
        const std::size_t offset = src_.bom_size() + to_size(m.pos);
        if (message == YAML::ErrorMsg::UNKNOWN_ANCHOR) {
            const std::string name = alias_name_at(offset);
            return {src_.pos_of_mark(m.line, m.column, m.pos),
                    kNotYaml + "alias *" + name + " has no anchor &" + name +
                        " before it in its document"};
        }
        const TextProblem p = explain_syntax_error(
            src_.text(), offset, static_cast<std::uint32_t>(m.line + 1), message,
            last_node_ == kNoOffset ? src_.bom_size() : last_node_);
        return {src_.pos_of_offset(p.offset), p.message};
    }

  private:
    static constexpr std::uint32_t kIncomplete = std::numeric_limits<std::uint32_t>::max();
    static constexpr std::size_t kNoOffset = std::numeric_limits<std::size_t>::max();

    struct Open {
        std::uint32_t id;
        std::uint32_t depth;        // levels as written (see open())
        int mark_pos;               // where the container starts
        int key_mark_pos;           // block mappings: where the last key started
        bool block_mapping;
        std::size_t first_pending;  // this node's children are pending_[first_pending, ...)
        YAML::anchor_t anchor;
    };

    static std::size_t to_size(int pos) { return pos < 0 ? 0 : static_cast<std::size_t>(pos); }

    [[noreturn]] void stop(const TextProblem& p) const {
        throw Stop{ParseError{src_.pos_of_offset(p.offset), p.message}};
    }
    [[noreturn]] void stop_at(const YAML::Mark& m, std::string message) const {
        throw Stop{ParseError{src_.pos_of_mark(m.line, m.column, m.pos), std::move(message)}};
    }
    [[noreturn]] void too_large() const {
        throw Stop{ParseError{SourcePos{}, "the YAML text is too large (4 GiB or more)"}};
    }

    // How a scalar that is not plain was written: its first character after any anchor, tag,
    // space or comment between them and the text (YAML 1.2 §6.9). Sets quote_offset_.
    Style style_at(const YAML::Mark& m) {
        quote_offset_ = kNoOffset;
        if (!src_.utf8()) return Style::DoubleQuoted;  // offsets are not the text's
        const std::string_view t = src_.text();
        std::size_t i = src_.bom_size() + to_size(m.pos);
        while (i < t.size()) {
            const char c = t[i];
            if (c == '&' || c == '!') {
                while (i < t.size() && t[i] != ' ' && t[i] != '\t' && t[i] != '\n') ++i;
            } else if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
                ++i;
            } else if (c == '#') {
                while (i < t.size() && t[i] != '\n') ++i;
            } else {
                break;
            }
        }
        if (i >= t.size()) return Style::Plain;
        switch (t[i]) {
            case '\'':
                quote_offset_ = i;
                return Style::SingleQuoted;
            case '"':
                quote_offset_ = i;
                return Style::DoubleQuoted;
            case '|':
                return Style::Literal;
            case '>':
                return Style::Folded;
            default:
                return Style::Plain;
        }
    }

    // The name of the alias whose '*' is at `offset` (YAML 1.2 §6.9.2: up to a space or a flow
    // indicator).
    std::string alias_name_at(std::size_t offset) const {
        const std::string_view t = src_.text();
        std::size_t e = offset + 1;
        while (e < t.size() && std::string_view(" \t\r\n,[]{}").find(t[e]) == std::string_view::npos)
            ++e;
        return std::string(t.substr(std::min(offset + 1, t.size()), e - std::min(offset + 1, e)));
    }

    void scalar(const YAML::Mark& m, YAML::anchor_t anchor, Kind kind, Style style, bool tagged,
                std::string_view value) {
        last_node_ = src_.bom_size() + to_size(m.pos);
        if (s_->text.size() + value.size() > kMaxIndex) too_large();
        const auto first = static_cast<std::uint32_t>(s_->text.size());
        s_->text.append(value);
        const std::uint32_t id = add({kind, style, tagged, src_.pos_of_mark(m.line, m.column, m.pos),
                                      first, static_cast<std::uint32_t>(value.size())});
        if (anchor != YAML::NullAnchor) complete_anchor(anchor, id);
        attach(id, m.pos);
    }

    void open(const YAML::Mark& m, const std::string& tag, YAML::anchor_t anchor, Kind kind,
              bool block_mapping) {
        last_node_ = src_.bom_size() + to_size(m.pos);
        // A level is an opening the file has: a mapping that starts where its first key (a
        // list or mapping itself) starts — yaml-cpp's reading of `[[` as `[{[: }]` — is none.
        const std::uint32_t depth =
            open_.empty() ? 1 : open_.back().depth + (open_.back().mark_pos == m.pos ? 0 : 1);
        if (depth > kMaxDepth) {
            stop_at(m, "lists and mappings are nested more than " + std::to_string(kMaxDepth) +
                           " levels deep");
        }
        const std::uint32_t id = add({kind, Style::Plain, is_tagged(tag),
                                      src_.pos_of_mark(m.line, m.column, m.pos), 0, 0});
        open_.push_back({id, depth, m.pos, -1, block_mapping, pending_.size(), anchor});
    }

    void close() {
        Open o = open_.back();
        open_.pop_back();
        Storage::NodeData& d = s_->nodes[o.id];
        const std::size_t n = pending_.size() - o.first_pending;
        if (s_->children.size() + n > kMaxIndex) too_large();
        d.first = static_cast<std::uint32_t>(s_->children.size());
        d.count = static_cast<std::uint32_t>(d.kind == Kind::Mapping ? n / 2 : n);
        std::uint64_t w = 1;
        for (std::size_t i = o.first_pending; i < pending_.size(); ++i) w += weight_[pending_[i]];
        weight_[o.id] = static_cast<std::uint32_t>(std::min<std::uint64_t>(w, kMaxAliasNodes + 1));
        s_->children.insert(s_->children.end(),
                            pending_.begin() + static_cast<std::ptrdiff_t>(o.first_pending),
                            pending_.end());
        pending_.resize(o.first_pending);
        if (o.anchor != YAML::NullAnchor) complete_anchor(o.anchor, o.id);
        attach(o.id, o.mark_pos);
    }

    void complete_anchor(YAML::anchor_t anchor, std::uint32_t id) {
        if (anchor >= 1 && anchor <= anchor_nodes_.size()) anchor_nodes_[anchor - 1] = id;
    }

    // The new node's index.
    std::uint32_t add(const Storage::NodeData& d) {
        if (s_->nodes.size() > kMaxIndex) too_large();
        // Every node but an empty one consumes text: far more nodes than bytes means the
        // parser is going round in circles (as at a stray ',' above); stop it.
        if (s_->nodes.size() > 8 * src_.text().size() + 64) {
            throw Stop{ParseError{d.pos, kNotYaml + "the parser made no progress here"}};
        }
        s_->nodes.push_back(d);
        weight_.push_back(1);
        return static_cast<std::uint32_t>(s_->nodes.size() - 1);
    }

    // A complete node goes to its parent, or is a document's root.
    void attach(std::uint32_t id, int mark_pos) {
        if (open_.empty()) {
            s_->roots.push_back(id);
            return;
        }
        Open& o = open_.back();
        if (o.block_mapping && (pending_.size() - o.first_pending) % 2 == 0) {
            o.key_mark_pos = mark_pos;  // a key
        }
        pending_.push_back(id);
    }

    const SourceText& src_;
    std::unique_ptr<Storage> s_;
    std::vector<Open> open_;              // containers not yet complete, outermost first
    std::vector<std::uint32_t> pending_;  // children of the open containers, in order
    std::vector<std::uint32_t> weight_;   // nodes each node stands for, aliases expanded (capped)
    std::vector<std::string> anchor_names_;     // yaml-cpp's anchor k is [k - 1]
    std::vector<std::uint32_t> anchor_nodes_;   // its node, kIncomplete until it is complete
    std::uint64_t alias_nodes_ = 0;
    int last_document_pos_ = -1;
    std::size_t last_node_ = kNoOffset;   // text offset where the last node event started
    std::size_t quote_offset_ = kNoOffset;
    std::size_t last_quote_ = kNoOffset;  // the last scalar's opening quote, if it was quoted
};

}  // namespace

Expected<Document, ParseError> Document::parse(std::string_view text) {
    const SourceText src(text);
    if (auto p = src.check_characters()) {
        return unexpected(ParseError{src.pos_of_offset(p->offset), std::move(p->message)});
    }
    Builder builder(src);
    // Nothing yaml-cpp throws leaves here: a syntax error becomes a ParseError at its mark.
    try {
        TextBuf buf(text);
        std::istream in(&buf);
        YAML::Parser parser(in);
        while (parser.HandleNextDocument(builder)) {
        }
        return Document(builder.finish());
    } catch (Stop& s) {
        return unexpected(std::move(s.error));
    } catch (const YAML::ParserException& e) {
        return unexpected(builder.explain(e.mark, e.msg));
    } catch (const std::bad_alloc&) {
        return unexpected(ParseError{SourcePos{}, kNotYaml + "out of memory"});
    } catch (const std::exception& e) {
        return unexpected(ParseError{SourcePos{}, kNotYaml + e.what()});
    }
}

}  // namespace sipdns::config::detail::yaml
