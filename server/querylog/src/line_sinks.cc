// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#include "sipdns/querylog/line_sinks.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include <spdlog/spdlog.h>

#ifdef SIPDNS_HAVE_LIBSYSTEMD
#include <systemd/sd-journal.h>
#endif

namespace sipdns::querylog {

namespace {

FILE* open_append(const std::string& path, std::string& problem) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
    if (fd < 0) {
        problem = "query log " + path + ": " + std::strerror(errno);
        return nullptr;
    }
    FILE* file = ::fdopen(fd, "a");
    if (file == nullptr) {
        problem = "query log " + path + ": " + std::strerror(errno);
        ::close(fd);
    }
    return file;
}

class FileSink final : public Sink {
  public:
    FileSink(std::string path, FILE* file) : path_(std::move(path)), file_(file) {
        // Lines are written as a batch and flushed once per batch (the logger thread's cycle).
        std::setvbuf(file_, nullptr, _IOFBF, 1 << 16);
    }
    ~FileSink() override {
        if (file_) std::fclose(file_);
    }

    void write_line(std::string_view line) override {
        if (file_ == nullptr) {
            ++lost_;
            return;
        }
        if (std::fwrite(line.data(), 1, line.size(), file_) != line.size() ||
            std::fputc('\n', file_) == EOF)
            failed();
    }
    void flush() override {
        if (file_ && std::fflush(file_) != 0) failed();
    }
    void reopen() override {
        // logrotate renamed the file (or removed it): continue in a new one at the same path.
        std::string problem;
        FILE* fresh = open_append(path_, problem);
        if (!fresh) {
            spdlog::warn("{}; still writing to the old file", problem);
            return;
        }
        if (file_) std::fclose(file_);
        file_ = fresh;
        std::setvbuf(file_, nullptr, _IOFBF, 1 << 16);
        failing_ = false;
        spdlog::info("query log {}: reopened", path_);
    }
    std::string describe() const override { return "file " + path_; }
    std::uint64_t lost() const override { return lost_; }

  private:
    void failed() {
        ++lost_;
        // One warning until it works again (a full disk must not flood the daemon's log).
        if (!failing_) spdlog::warn("query log {}: write failed: {}", path_, std::strerror(errno));
        failing_ = true;
        std::clearerr(file_);
    }

    const std::string path_;
    FILE* file_;
    bool failing_ = false;
    std::uint64_t lost_ = 0;
};

#ifdef SIPDNS_HAVE_LIBSYSTEMD
class JournalSink final : public Sink {
  public:
    void write_line(std::string_view line) override {
        const int rc = ::sd_journal_send("MESSAGE=%.*s", static_cast<int>(line.size()), line.data(),
                                         "PRIORITY=6", "SYSLOG_IDENTIFIER=sipdnsd",
                                         "SIPDNS_QUERY=1", nullptr);
        if (rc < 0) {
            ++lost_;
            if (!failing_)
                spdlog::warn("query log: the journal refused an entry: {}", std::strerror(-rc));
            failing_ = true;
        } else {
            failing_ = false;
        }
    }
    std::string describe() const override { return "journal"; }
    std::uint64_t lost() const override { return lost_; }

  private:
    bool failing_ = false;
    std::uint64_t lost_ = 0;
};
#endif

}  // namespace

std::unique_ptr<Sink> open_file_sink(const std::string& path, std::string& problem) {
    FILE* file = open_append(path, problem);
    if (!file) return nullptr;
    return std::make_unique<FileSink>(path, file);
}

std::unique_ptr<Sink> open_journal_sink(std::string& problem) {
#ifdef SIPDNS_HAVE_LIBSYSTEMD
    (void)problem;
    return std::make_unique<JournalSink>();
#else
    problem = "query log: journal: this sipdnsd was built without libsystemd";
    return nullptr;
#endif
}

}  // namespace sipdns::querylog
