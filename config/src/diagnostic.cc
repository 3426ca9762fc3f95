#include "sipdns/config/diagnostic.h"

namespace sipdns::config {

// `file:line:col: message`, the form compilers use, so editors can jump to it.
std::string Diagnostic::to_string() const {
    if (pos.line == 0) return file + ": " + message;
    return file + ":" + std::to_string(pos.line) + ":" + std::to_string(pos.column) + ": " +
           message;
}

}  // namespace sipdns::config
