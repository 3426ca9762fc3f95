// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// systemd Type=notify readiness (docs/design.md §6, sd_notify(3)). Without libsystemd at build
// time, or when not started by systemd (no NOTIFY_SOCKET), these do nothing.
#include <string_view>

namespace sipdns::app::systemd {

// READY=1 plus STATUS=<status>, after binding and at the end of every reload.
void notify_ready(std::string_view status);
// RELOADING=1 with MONOTONIC_USEC (as Type=notify-reload expects) at the start of a reload.
void notify_reloading();
// STATUS= alone: the serving state changed without a reload (a SIP target went down).
void notify_status(std::string_view status);
// STOPPING=1 when shutdown begins.
void notify_stopping();

}  // namespace sipdns::app::systemd
