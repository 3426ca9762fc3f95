// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#include "logging.h"

#include <sys/stat.h>
#include <unistd.h>

#include <charconv>
#include <cstdlib>
#include <memory>
#include <string_view>

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace sipdns::app {

namespace {

// "%*": the sd-daemon(3) priority prefix journald turns into the entry's PRIORITY.
class JournalPriorityFlag final : public spdlog::custom_flag_formatter {
  public:
    void format(const spdlog::details::log_msg& msg, const std::tm&,
                spdlog::memory_buf_t& dest) override {
        std::string_view prefix;
        switch (msg.level) {
            case spdlog::level::trace:
            case spdlog::level::debug:
                prefix = "<7>";
                break;  // SD_DEBUG
            case spdlog::level::info:
                prefix = "<6>";
                break;  // SD_INFO
            case spdlog::level::warn:
                prefix = "<4>";
                break;  // SD_WARNING
            case spdlog::level::err:
                prefix = "<3>";
                break;  // SD_ERR
            default:
                prefix = "<2>";
                break;  // SD_CRIT
        }
        dest.append(prefix.data(), prefix.data() + prefix.size());
    }
    std::unique_ptr<custom_flag_formatter> clone() const override {
        return std::make_unique<JournalPriorityFlag>();
    }
};

bool parse_number(std::string_view text, unsigned long long& value) {
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    return ec == std::errc() && end == text.data() + text.size();
}

}  // namespace

bool stderr_is_journal() {
    const char* stream = std::getenv("JOURNAL_STREAM");
    if (stream == nullptr || *stream == '\0') return false;
    const std::string_view text(stream);
    const auto colon = text.find(':');
    unsigned long long device = 0, inode = 0;
    if (colon == std::string_view::npos || !parse_number(text.substr(0, colon), device) ||
        !parse_number(text.substr(colon + 1), inode))
        return false;
    struct stat st {};
    if (::fstat(STDERR_FILENO, &st) != 0) return false;
    return static_cast<unsigned long long>(st.st_dev) == device &&
           static_cast<unsigned long long>(st.st_ino) == inode;
}

void setup_logging(const std::string& level) {
    auto logger = std::make_shared<spdlog::logger>(
        "sipdnsd", std::make_shared<spdlog::sinks::stderr_sink_mt>());
    auto formatter = std::make_unique<spdlog::pattern_formatter>();
    if (stderr_is_journal())
        formatter->add_flag<JournalPriorityFlag>('*').set_pattern("%*%v");
    else
        formatter->set_pattern("%Y-%m-%d %H:%M:%S.%e %l: %v");
    logger->set_formatter(std::move(formatter));
    logger->set_level(spdlog::level::from_str(level));
    // Every line is flushed as it is written: the journal (or whoever reads stderr) sees each
    // event when it happens. Logging is off the query path, so this costs nothing there.
    logger->flush_on(spdlog::level::trace);
    spdlog::set_default_logger(std::move(logger));
}

}  // namespace sipdns::app
