#include "sipdns/config/diagnostic.h"

#include <algorithm>

namespace sipdns::config {

// `file:line:col: message`, the form compilers use, so editors can jump to it; warnings say so
// as compilers do (`file:line:col: warning: message`).
std::string Diagnostic::to_string() const {
    const std::string kind = severity == Severity::Warning ? "warning: " : "";
    if (pos.line == 0) return file + ": " + kind + message;
    return file + ":" + std::to_string(pos.line) + ":" + std::to_string(pos.column) + ": " + kind +
           message;
}

std::size_t count_errors(const Diagnostics& diags) {
    return static_cast<std::size_t>(
        std::count_if(diags.begin(), diags.end(), [](const Diagnostic& d) { return d.is_error(); }));
}

void sort_by_position(Diagnostics& diags) {
    std::stable_sort(diags.begin(), diags.end(), [](const Diagnostic& a, const Diagnostic& b) {
        if (a.pos.line != b.pos.line) return a.pos.line < b.pos.line;
        return a.pos.column < b.pos.column;
    });
    Diagnostics unique;
    unique.reserve(diags.size());
    for (auto& d : diags)
        if (std::none_of(unique.begin(), unique.end(), [&](const Diagnostic& u) {
                return u.pos == d.pos && u.message == d.message && u.file == d.file;
            }))
            unique.push_back(std::move(d));
    diags = std::move(unique);
}

}  // namespace sipdns::config
