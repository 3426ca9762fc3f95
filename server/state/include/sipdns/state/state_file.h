// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// Reading and replacing one file of the state directory (server.state_dir).
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sipdns::state {

// The contents of `path`, at most `max_size` octets. nullopt with `*problem` empty: no such
// file (or no directory: never written); nullopt with `*problem` set: why it cannot be read
// ("PATH: cannot read: ...", "PATH: larger than N octets; not a file sipdnsd wrote").
std::optional<std::string> read_state_file(const std::string& path, std::size_t max_size,
                                           std::string* problem);

// Replaces `dir`/`name` with `contents` atomically (creating `dir` if missing): a temporary
// file, fsync, rename over the old one, fsync of the directory, so a crash leaves the old file
// or the new one. Returns the reason on failure.
std::optional<std::string> replace_state_file(const std::string& dir, std::string_view name,
                                              std::string_view contents);

// The same for several files at once (`files`: name, contents), with one sync for all of them
// instead of two per file: every temporary file written, one syncfs(2) of the file system,
// every rename, one fsync of the directory. A crash leaves each file old or new. The first
// failure stops the batch (its temporary files are removed) and is returned; files renamed
// before it stay replaced.
std::optional<std::string> replace_state_files(
    const std::string& dir, const std::vector<std::pair<std::string, std::string>>& files);

// Removes `dir`/`name` if it exists; the reason on another failure.
std::optional<std::string> remove_state_file(const std::string& dir, std::string_view name);

}  // namespace sipdns::state
