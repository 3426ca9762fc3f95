// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#include "systemd_notify.h"

#include <time.h>

#include <string>

#ifdef SIPDNS_HAVE_LIBSYSTEMD
#include <systemd/sd-daemon.h>
#endif

namespace sipdns::app::systemd {

namespace {

void notify(const std::string& state) {
#ifdef SIPDNS_HAVE_LIBSYSTEMD
    // unset_environment = 0: a reload notifies again later.
    ::sd_notify(0, state.c_str());
#else
    (void)state;
#endif
}

}  // namespace

void notify_ready(std::string_view status) {
    notify("READY=1\nSTATUS=" + std::string(status));
}

void notify_status(std::string_view status) { notify("STATUS=" + std::string(status)); }

void notify_reloading() {
    timespec now{};
    ::clock_gettime(CLOCK_MONOTONIC, &now);
    const unsigned long long usec = static_cast<unsigned long long>(now.tv_sec) * 1000000ULL +
                                    static_cast<unsigned long long>(now.tv_nsec) / 1000ULL;
    notify("RELOADING=1\nMONOTONIC_USEC=" + std::to_string(usec) + "\nSTATUS=reloading");
}

void notify_stopping() {
    notify("STOPPING=1\nSTATUS=stopping");
}

}  // namespace sipdns::app::systemd
