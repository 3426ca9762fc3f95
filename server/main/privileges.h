// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// `--user NAME` (docs/design.md §6): started as root by hand, sipdnsd binds port 53 and then runs
// as NAME. Call after binding and before any thread starts.
#include <optional>
#include <string>

namespace sipdns::app {

// Switches to `user` (supplementary groups, group, user) when running as root; when not root,
// warns and carries on. Returns an error text when the switch was needed and failed (unknown
// user, a failing call), in which case the daemon must not serve.
std::optional<std::string> drop_privileges(const std::string& user);

}  // namespace sipdns::app
