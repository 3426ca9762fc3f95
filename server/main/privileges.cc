// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#include "privileges.h"

#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

#include <spdlog/spdlog.h>

namespace sipdns::app {

namespace {
std::string errno_text() {
    return std::error_code(errno, std::system_category()).message();
}
}  // namespace

std::optional<std::string> drop_privileges(const std::string& user) {
    if (user.empty()) {
        if (::geteuid() == 0)
            spdlog::warn("running as root; use --user NAME to drop privileges after binding");
        return std::nullopt;
    }
    if (::geteuid() != 0) {
        spdlog::warn("--user {}: not running as root, staying uid {}", user, ::geteuid());
        return std::nullopt;
    }
    errno = 0;
    const passwd* entry = ::getpwnam(user.c_str());  // no other thread runs yet
    if (entry == nullptr)
        return "--user " + user + ": " + (errno != 0 ? errno_text() : "no such user");
    const uid_t uid = entry->pw_uid;
    const gid_t gid = entry->pw_gid;
    // Groups first: after setuid() we may no longer change them.
    if (::initgroups(user.c_str(), gid) != 0)
        return "--user " + user + ": initgroups: " + errno_text();
    if (::setgid(gid) != 0) return "--user " + user + ": setgid: " + errno_text();
    if (::setuid(uid) != 0) return "--user " + user + ": setuid: " + errno_text();
    if (uid != 0 && ::setuid(0) == 0) return "--user " + user + ": could regain root after setuid";
    spdlog::info("running as user {} (uid {}, gid {})", user, uid, gid);
    return std::nullopt;
}

}  // namespace sipdns::app
