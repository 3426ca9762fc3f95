// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// What each of our threads runs (docs/design.md §8): it names itself for top and ps, then runs its
// io_context until that stops. Exceptions are caught here, at the thread's entry point: a
// handler that throws is logged, prefixed by `who`, and the thread goes on.
#include <pthread.h>

#include <exception>
#include <string>
#include <string_view>

#include <spdlog/spdlog.h>
#include <boost/asio/io_context.hpp>

namespace sipdns::net {

inline void run_io_thread(const std::string& thread_name, boost::asio::io_context& context,
                          std::string_view who) {
    ::pthread_setname_np(::pthread_self(), thread_name.substr(0, 15).c_str());  // 15 + NUL
    for (;;) {
        try {
            context.run();
            return;
        } catch (const std::exception& e) {
            spdlog::error("{}: {}", who, e.what());
        }
    }
}

}  // namespace sipdns::net
