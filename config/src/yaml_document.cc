#include "yaml_document.h"

#include <yaml.h>

#include <algorithm>
#include <cstdio>
#include <limits>
#include <unordered_map>
#include <utility>

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

const std::string kNotYaml = "not valid YAML: ";

bool is_null_text(std::string_view s) {
    return s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL";
}

Style style_of(yaml_scalar_style_t s) {
    switch (s) {
        case YAML_SINGLE_QUOTED_SCALAR_STYLE:
            return Style::SingleQuoted;
        case YAML_DOUBLE_QUOTED_SCALAR_STYLE:
            return Style::DoubleQuoted;
        case YAML_LITERAL_SCALAR_STYLE:
            return Style::Literal;
        case YAML_FOLDED_SCALAR_STYLE:
            return Style::Folded;
        default:
            return Style::Plain;
    }
}

// libyaml owns each event's strings until yaml_event_delete; this deletes on every path.
struct Event {
    yaml_event_t e{};
    bool live = false;
    ~Event() { reset(); }
    void reset() {
        if (live) yaml_event_delete(&e);
        live = false;
    }
};

struct Parser {
    yaml_parser_t p{};
    bool ok = yaml_parser_initialize(&p) != 0;  // fails only when out of memory
    ~Parser() {
        if (ok) yaml_parser_delete(&p);
    }
    Parser() = default;
    Parser(const Parser&) = delete;
    Parser& operator=(const Parser&) = delete;
};

// libyaml's marks are 0-based, in characters (a byte-order mark is not counted); ours 1-based.
SourcePos pos_of(const yaml_mark_t& m) {
    const auto clamp = [](std::size_t n) {
        return static_cast<std::uint32_t>(
            std::min<std::size_t>(n, std::numeric_limits<std::uint32_t>::max()));
    };
    return {clamp(m.line + 1), clamp(m.column + 1)};
}

// A reader (encoding) error has a byte offset but no mark: count lines and characters up to it.
SourcePos pos_of_offset(std::string_view text, std::size_t offset) {
    offset = std::min(offset, text.size());
    std::uint32_t line = 1;
    std::uint32_t column = 1;
    for (std::size_t i = text.starts_with("\xEF\xBB\xBF") ? 3 : 0; i < offset; ++i) {
        const unsigned char c = static_cast<unsigned char>(text[i]);
        if (c == '\n' || (c == '\r' && (i + 1 >= text.size() || text[i + 1] != '\n'))) {
            ++line;
            column = 1;
        } else if ((c & 0xC0) != 0x80) {
            ++column;  // a character starts here (not a UTF-8 continuation byte)
        }
    }
    return {line, column};
}

ParseError libyaml_error(const yaml_parser_t& p, std::string_view text) {
    switch (p.error) {
        case YAML_MEMORY_ERROR:
            return {SourcePos{}, kNotYaml + "out of memory"};
        case YAML_READER_ERROR: {
            std::string m = kNotYaml + (p.problem ? p.problem : "cannot read the text");
            if (p.problem_value != -1) {
                char hex[16];
                std::snprintf(hex, sizeof hex, " (0x%X)", static_cast<unsigned>(p.problem_value));
                m += hex;
            }
            // Offsets count bytes of the raw input; only UTF-8 input maps back onto `text`.
            const SourcePos pos = p.encoding == YAML_UTF8_ENCODING
                                      ? pos_of_offset(text, p.problem_offset)
                                      : SourcePos{};
            return {pos, std::move(m)};
        }
        default: {
            std::string m = kNotYaml + (p.problem ? p.problem : "cannot parse the text");
            if (p.context) m += std::string(" ") + p.context;
            return {pos_of(p.problem_mark), std::move(m)};
        }
    }
}

// Builds the arena from libyaml's events with an explicit stack (no recursion, so nesting
// depth costs heap, and is capped at kMaxDepth anyway).
class Builder {
  public:
    explicit Builder(std::string_view text) : text_(text), s_(std::make_unique<Storage>()) {
        // Most nodes of a large site are short scalars: about one node per 10 bytes (capped, as
        // a huge file may be one huge scalar).
        const std::size_t guess = std::min<std::size_t>(text.size() / 10, 1 << 20) + 16;
        s_->nodes.reserve(guess);
        s_->children.reserve(guess);
        s_->text.reserve(std::min<std::size_t>(text.size(), std::size_t{16} << 20));
    }

    Expected<std::unique_ptr<Storage>, ParseError> run() {
        Parser parser;
        if (!parser.ok) return unexpected(ParseError{SourcePos{}, kNotYaml + "out of memory"});
        yaml_parser_set_input_string(
            &parser.p, reinterpret_cast<const unsigned char*>(text_.data()), text_.size());
        Event ev;
        while (true) {
            ev.reset();
            if (!yaml_parser_parse(&parser.p, &ev.e)) {
                return unexpected(libyaml_error(parser.p, text_));
            }
            ev.live = true;
            const yaml_event_t& e = ev.e;
            switch (e.type) {
                case YAML_STREAM_END_EVENT:
                    return std::move(s_);
                case YAML_DOCUMENT_START_EVENT:
                    anchors_.clear();  // anchors are per document
                    break;
                case YAML_SCALAR_EVENT: {
                    const auto& sc = e.data.scalar;
                    const std::string_view value(reinterpret_cast<const char*>(sc.value),
                                                 sc.length);
                    const Style style = style_of(sc.style);
                    const bool tagged = sc.tag != nullptr;
                    const bool null = style == Style::Plain && !tagged && is_null_text(value);
                    if (s_->text.size() + value.size() > kMaxIndex) return too_large();
                    const auto first = static_cast<std::uint32_t>(s_->text.size());
                    s_->text.append(value);
                    const std::uint32_t id =
                        add({null ? Kind::Null : Kind::Scalar, style, tagged, pos_of(e.start_mark),
                             first, static_cast<std::uint32_t>(value.size())});
                    if (id > kMaxIndex) return too_large();
                    if (sc.anchor) anchors_[reinterpret_cast<const char*>(sc.anchor)] = id;
                    attach(id);
                    break;
                }
                case YAML_ALIAS_EVENT: {
                    const std::string name(reinterpret_cast<const char*>(e.data.alias.anchor));
                    const auto it = anchors_.find(name);
                    if (it == anchors_.end()) {
                        return error(e.start_mark, kNotYaml + "alias *" + name +
                                                       " has no anchor &" + name +
                                                       " before it in its document");
                    }
                    alias_nodes_ += weight_[it->second];
                    if (alias_nodes_ > kMaxAliasNodes) {
                        return error(e.start_mark, "aliases expand to more than " +
                                                       std::to_string(kMaxAliasNodes) +
                                                       " nodes; write the values out instead");
                    }
                    attach(it->second);
                    break;
                }
                case YAML_SEQUENCE_START_EVENT:
                case YAML_MAPPING_START_EVENT: {
                    if (open_.size() >= kMaxDepth) {
                        return error(e.start_mark, "lists and mappings are nested more than " +
                                                       std::to_string(kMaxDepth) + " levels deep");
                    }
                    const bool seq = e.type == YAML_SEQUENCE_START_EVENT;
                    const yaml_char_t* anchor =
                        seq ? e.data.sequence_start.anchor : e.data.mapping_start.anchor;
                    const bool tagged =
                        (seq ? e.data.sequence_start.tag : e.data.mapping_start.tag) != nullptr;
                    const std::uint32_t id =
                        add({seq ? Kind::Sequence : Kind::Mapping, Style::Plain, tagged,
                             pos_of(e.start_mark), 0, 0});
                    if (id > kMaxIndex) return too_large();
                    // Registered when complete, so an alias cannot refer to its own ancestor.
                    open_.push_back({id, pending_.size(),
                                     anchor ? std::string(reinterpret_cast<const char*>(anchor))
                                            : std::string()});
                    break;
                }
                case YAML_SEQUENCE_END_EVENT:
                case YAML_MAPPING_END_EVENT: {
                    Open o = std::move(open_.back());
                    open_.pop_back();
                    Storage::NodeData& d = s_->nodes[o.id];
                    const std::size_t n = pending_.size() - o.first_pending;
                    if (s_->children.size() + n > kMaxIndex) return too_large();
                    d.first = static_cast<std::uint32_t>(s_->children.size());
                    d.count = static_cast<std::uint32_t>(d.kind == Kind::Mapping ? n / 2 : n);
                    std::uint64_t w = 1;
                    for (std::size_t i = o.first_pending; i < pending_.size(); ++i) {
                        w += weight_[pending_[i]];
                    }
                    weight_[o.id] =
                        static_cast<std::uint32_t>(std::min<std::uint64_t>(w, kMaxAliasNodes + 1));
                    s_->children.insert(
                        s_->children.end(),
                        pending_.begin() + static_cast<std::ptrdiff_t>(o.first_pending),
                        pending_.end());
                    pending_.resize(o.first_pending);
                    if (!o.anchor.empty()) anchors_[o.anchor] = o.id;
                    attach(o.id);
                    break;
                }
                default:  // stream start, document end: nothing to keep
                    break;
            }
        }
    }

  private:
    struct Open {
        std::uint32_t id;
        std::size_t first_pending;  // this node's children are pending_[first_pending, ...)
        std::string anchor;
    };

    // The new node's index, or more than kMaxIndex when the arena is full.
    std::uint32_t add(const Storage::NodeData& d) {
        if (s_->nodes.size() > kMaxIndex) return kMaxIndex + 1;
        s_->nodes.push_back(d);
        weight_.push_back(1);
        return static_cast<std::uint32_t>(s_->nodes.size() - 1);
    }

    // A complete node goes to its parent, or is a document's root.
    void attach(std::uint32_t id) {
        if (open_.empty()) {
            s_->roots.push_back(id);
        } else {
            pending_.push_back(id);
        }
    }

    Unexpected<ParseError> error(const yaml_mark_t& m, std::string message) const {
        return unexpected(ParseError{pos_of(m), std::move(message)});
    }
    Unexpected<ParseError> too_large() const {
        return unexpected(ParseError{SourcePos{}, "the YAML text is too large (4 GiB or more)"});
    }

    std::string_view text_;
    std::unique_ptr<Storage> s_;
    std::vector<Open> open_;              // containers not yet complete, outermost first
    std::vector<std::uint32_t> pending_;  // children of the open containers, in order
    std::vector<std::uint32_t> weight_;   // nodes each node stands for, aliases expanded (capped)
    std::unordered_map<std::string, std::uint32_t> anchors_;
    std::uint64_t alias_nodes_ = 0;
};

}  // namespace

Expected<Document, ParseError> Document::parse(std::string_view text) {
    auto s = Builder(text).run();
    if (!s) return unexpected(std::move(s.error()));
    return Document(std::move(*s));
}

}  // namespace sipdns::config::detail::yaml
