#include "serve.h"

#include <iostream>

namespace sipdns::app {
int run_server(const ServeOptions&) {
    std::cerr << "sipdnsd: serving is not built yet\n";
    return 1;
}
}  // namespace sipdns::app
