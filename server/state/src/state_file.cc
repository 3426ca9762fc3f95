// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#include "sipdns/state/state_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace sipdns::state {

namespace {

std::string errno_text(int err) { return std::strerror(err); }

std::string path_in(const std::string& dir, std::string_view name) {
    std::string path = dir;
    if (!path.empty() && path.back() != '/') path += '/';
    return path + std::string(name);
}

// write(2) until all is out.
bool write_all(int fd, std::string_view data) {
    while (!data.empty()) {
        const ssize_t n = ::write(fd, data.data(), data.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
}

}  // namespace

std::optional<std::string> read_state_file(const std::string& path, std::size_t max_size,
                                           std::string* problem) {
    problem->clear();
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        // Never written (no file, no directory, something else where the directory should be):
        // nothing to keep to; the first write says what is wrong with the directory.
        if (errno != ENOENT && errno != ENOTDIR) *problem = path + ": cannot read: " + errno_text(errno);
        return std::nullopt;
    }
    std::string text;
    char buf[65536];
    while (true) {
        const ssize_t n = ::read(fd, buf, sizeof buf);
        if (n == 0) break;
        if (n < 0) {
            if (errno == EINTR) continue;
            *problem = path + ": cannot read: " + errno_text(errno);
            break;
        }
        if (text.size() + static_cast<std::size_t>(n) > max_size) {
            *problem = path + ": larger than " + std::to_string(max_size) +
                       " octets; not a file sipdnsd wrote";
            break;
        }
        text.append(buf, static_cast<std::size_t>(n));
    }
    ::close(fd);
    if (!problem->empty()) return std::nullopt;
    return text;
}

std::optional<std::string> replace_state_file(const std::string& dir, std::string_view name,
                                              std::string_view contents) {
    if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST)
        return dir + ": cannot create: " + errno_text(errno);
    const std::string path = path_in(dir, name);
    const std::string temporary = path + ".tmp";
    const int fd = ::open(temporary.c_str(),
                          O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd < 0) return temporary + ": cannot create: " + errno_text(errno);
    // fsync before rename: otherwise a crash may leave the new name on an empty file.
    if (!write_all(fd, contents) || ::fsync(fd) != 0) {
        const int err = errno;
        ::close(fd);
        ::unlink(temporary.c_str());
        return temporary + ": cannot write: " + errno_text(err);
    }
    if (::close(fd) != 0) {
        const int err = errno;
        ::unlink(temporary.c_str());
        return temporary + ": cannot write: " + errno_text(err);
    }
    if (::rename(temporary.c_str(), path.c_str()) != 0) {
        const int err = errno;
        ::unlink(temporary.c_str());
        return path + ": cannot replace: " + errno_text(err);
    }
    // The rename itself is durable once the directory is synced.
    const int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir_fd < 0) return dir + ": cannot sync: " + errno_text(errno);
    const bool synced = ::fsync(dir_fd) == 0;
    const int err = errno;
    ::close(dir_fd);
    if (!synced) return dir + ": cannot sync: " + errno_text(err);
    return std::nullopt;
}

std::optional<std::string> replace_state_files(
    const std::string& dir, const std::vector<std::pair<std::string, std::string>>& files) {
    if (files.empty()) return std::nullopt;
    if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST)
        return dir + ": cannot create: " + errno_text(errno);
    std::vector<std::string> temporaries;
    const auto remove_temporaries = [&temporaries](std::size_t from) {
        for (std::size_t i = from; i < temporaries.size(); ++i) ::unlink(temporaries[i].c_str());
    };
    for (const auto& [name, contents] : files) {
        const std::string temporary = path_in(dir, name) + ".tmp";
        const int fd = ::open(temporary.c_str(),
                              O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
        if (fd < 0) {
            const int err = errno;
            remove_temporaries(0);
            return temporary + ": cannot create: " + errno_text(err);
        }
        temporaries.push_back(temporary);
        const bool written = write_all(fd, contents);
        const int err = errno;
        if (::close(fd) != 0 || !written) {
            remove_temporaries(0);
            return temporary + ": cannot write: " + errno_text(written ? errno : err);
        }
    }
    const int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir_fd < 0) {
        const int err = errno;
        remove_temporaries(0);
        return dir + ": cannot sync: " + errno_text(err);
    }
    // The new contents are durable before any name points at them (as fsync before rename in
    // replace_state_file), with one flush of the file system for the whole batch.
    if (::syncfs(dir_fd) != 0) {
        const int err = errno;
        ::close(dir_fd);
        remove_temporaries(0);
        return dir + ": cannot sync: " + errno_text(err);
    }
    for (std::size_t i = 0; i < files.size(); ++i) {
        const std::string path = path_in(dir, files[i].first);
        if (::rename(temporaries[i].c_str(), path.c_str()) != 0) {
            const int err = errno;
            ::close(dir_fd);
            remove_temporaries(i);
            return path + ": cannot replace: " + errno_text(err);
        }
    }
    const bool synced = ::fsync(dir_fd) == 0;
    const int err = errno;
    ::close(dir_fd);
    if (!synced) return dir + ": cannot sync: " + errno_text(err);
    return std::nullopt;
}

std::optional<std::string> remove_state_file(const std::string& dir, std::string_view name) {
    const std::string path = path_in(dir, name);
    if (::unlink(path.c_str()) != 0 && errno != ENOENT)
        return path + ": cannot remove: " + errno_text(errno);
    return std::nullopt;
}

}  // namespace sipdns::state
