// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#include "sipdns/querylog/dnstap_sink.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include <fstrm.h>
#include <spdlog/spdlog.h>

#include "dnstap.pb-c.h"

namespace sipdns::querylog {

namespace {

// The Frame Streams content type of dnstap (https://dnstap.info): readers such as fstrm_capture
// -t and dnstap-ldns accept only streams that announce it.
constexpr std::string_view kContentType = "protobuf:dnstap.Dnstap";

// libfstrm's I/O thread. The queue holds what a burst produces while the I/O thread sleeps; only
// the logger thread submits (single producer). A lost reader is tried again every second.
constexpr unsigned kQueueEntries = FSTRM_IOTHR_INPUT_QUEUE_SIZE_MAX;
constexpr unsigned kReopenSeconds = 1;

enum class Destination { Socket, File };

fstrm_iothr* start_io_thread(Destination destination, const std::string& path) {
    fstrm_writer_options* writer_options = fstrm_writer_options_init();
    fstrm_writer_options_add_content_type(writer_options, kContentType.data(),
                                          kContentType.size());
    fstrm_writer* writer = nullptr;
    if (destination == Destination::Socket) {
        fstrm_unix_writer_options* socket_options = fstrm_unix_writer_options_init();
        fstrm_unix_writer_options_set_socket_path(socket_options, path.c_str());
        writer = fstrm_unix_writer_init(socket_options, writer_options);
        fstrm_unix_writer_options_destroy(&socket_options);
    } else {
        fstrm_file_options* file_options = fstrm_file_options_init();
        fstrm_file_options_set_file_path(file_options, path.c_str());
        writer = fstrm_file_writer_init(file_options, writer_options);
        fstrm_file_options_destroy(&file_options);
    }
    fstrm_writer_options_destroy(&writer_options);
    if (writer == nullptr) return nullptr;

    fstrm_iothr_options* options = fstrm_iothr_options_init();
    fstrm_iothr_options_set_queue_model(options, FSTRM_IOTHR_QUEUE_MODEL_SPSC);
    fstrm_iothr_options_set_num_input_queues(options, 1);
    fstrm_iothr_options_set_input_queue_size(options, kQueueEntries);
    fstrm_iothr_options_set_reopen_interval(options, kReopenSeconds);
    // It takes the writer (and opens it on its own thread) unless it fails.
    fstrm_iothr* io_thread = fstrm_iothr_init(options, &writer);
    fstrm_iothr_options_destroy(&options);
    if (io_thread == nullptr) fstrm_writer_destroy(&writer);
    return io_thread;
}

// Creates the file the way the line log does (0640, not truncated: libfstrm truncates it when
// it opens it) and tells which file it is, so that reopen() can see a rename.
bool touch_file(const std::string& path, struct stat& identity, std::string& problem) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0640);
    if (fd < 0 || ::fstat(fd, &identity) != 0) {
        problem = "dnstap file " + path + ": " + std::strerror(errno);
        if (fd >= 0) ::close(fd);
        return false;
    }
    ::close(fd);
    return true;
}

ProtobufCBinaryData bytes_of(std::span<const std::uint8_t> bytes) {
    // protobuf-c's bytes field is not const; pack() only reads it.
    return {bytes.size(), const_cast<std::uint8_t*>(bytes.data())};
}

ProtobufCBinaryData bytes_of(const std::string& text) {
    return {text.size(), reinterpret_cast<std::uint8_t*>(const_cast<char*>(text.data()))};
}

void set_time(std::int64_t ns, protobuf_c_boolean& has_sec, std::uint64_t& sec,
              protobuf_c_boolean& has_nsec, std::uint32_t& nsec) {
    if (ns <= 0) return;
    has_sec = has_nsec = true;
    sec = static_cast<std::uint64_t>(ns / 1'000'000'000);
    nsec = static_cast<std::uint32_t>(ns % 1'000'000'000);
}

class DnstapSink final : public Sink {
  public:
    DnstapSink(Destination destination, std::string path, std::string identity,
               std::string version, fstrm_iothr* io_thread, const struct stat& file)
        : destination_(destination),
          path_(std::move(path)),
          identity_(std::move(identity)),
          version_(std::move(version)),
          file_(file) {
        attach(io_thread);
    }
    ~DnstapSink() override {
        // Blocks until the I/O thread has written what is queued and closed the stream.
        if (io_thread_) fstrm_iothr_destroy(&io_thread_);
    }

    bool needs_line() const override { return false; }
    bool needs_messages() const override { return true; }

    void write(const RecordView& record, std::string_view) override {
        const RecordHeader& header = *record.header;
        const bool forwarded = (header.flags & flag::Forwarded) != 0;

        Dnstap__Message message = DNSTAP__MESSAGE__INIT;
        message.has_socket_family = message.has_socket_protocol = true;
        message.socket_family =
            header.client.is_v4() ? DNSTAP__SOCKET_FAMILY__INET : DNSTAP__SOCKET_FAMILY__INET6;
        message.socket_protocol = header.transport == Transport::Udp
                                      ? DNSTAP__SOCKET_PROTOCOL__UDP
                                      : DNSTAP__SOCKET_PROTOCOL__TCP;
        message.has_query_address = message.has_query_port = true;
        message.query_address = bytes_of(std::span(header.client.bytes).first(header.client.size()));
        message.query_port = header.client_port;
        set_time(header.query_time_ns, message.has_query_time_sec, message.query_time_sec,
                 message.has_query_time_nsec, message.query_time_nsec);

        // The messages are "verbatim" (dnstap.proto): one kept only in part is left out.
        message.type = forwarded ? DNSTAP__MESSAGE__TYPE__CLIENT_QUERY
                                 : DNSTAP__MESSAGE__TYPE__AUTH_QUERY;
        if (header.query_stored == header.query_length && header.query_length != 0) {
            message.has_query_message = true;
            message.query_message = bytes_of(record.query);
        }
        submit(message);

        if ((header.flags & flag::Dropped) != 0 || header.response_length == 0) return;
        // The response event carries the query's time and address but not the query message
        // (dnstap.proto's recommended fields for AUTH_RESPONSE and CLIENT_RESPONSE).
        message.type = forwarded ? DNSTAP__MESSAGE__TYPE__CLIENT_RESPONSE
                                 : DNSTAP__MESSAGE__TYPE__AUTH_RESPONSE;
        message.has_query_message = false;
        message.query_message = {};
        set_time(header.response_time_ns, message.has_response_time_sec,
                 message.response_time_sec, message.has_response_time_nsec,
                 message.response_time_nsec);
        // A transfer's record counts all its messages; response_message holds one DNS message.
        if (header.response_stored == header.response_length &&
            (header.flags & flag::Transfer) == 0) {
            message.has_response_message = true;
            message.response_message = bytes_of(record.response);
        }
        submit(message);
    }

    void reopen() override {
        if (destination_ != Destination::File) return;  // a socket has nothing to rotate
        // Only a renamed or removed file is started anew: libfstrm truncates the file it opens,
        // and a SIGHUP without a rotation must not empty the log.
        struct stat now {};
        if (::stat(path_.c_str(), &now) == 0 && now.st_dev == file_.st_dev &&
            now.st_ino == file_.st_ino)
            return;
        std::string problem;
        struct stat fresh {};
        if (!touch_file(path_, fresh, problem)) {
            spdlog::warn("{}; still writing to the old file", problem);
            return;
        }
        fstrm_iothr* io_thread = start_io_thread(destination_, path_);
        if (io_thread == nullptr) {
            spdlog::warn("dnstap file {}: cannot start a writer; still writing to the old file",
                         path_);
            return;
        }
        // The old stream is finished (its queue written, the stop frame, closed) first.
        fstrm_iothr_destroy(&io_thread_);
        file_ = fresh;
        attach(io_thread);
        spdlog::info("dnstap file {}: reopened", path_);
    }

    std::string describe() const override {
        return (destination_ == Destination::Socket ? "dnstap socket " : "dnstap file ") + path_;
    }
    std::uint64_t lost() const override { return lost_.load(std::memory_order_relaxed); }

  private:
    void attach(fstrm_iothr* io_thread) {
        io_thread_ = io_thread;
        queue_ = fstrm_iothr_get_input_queue(io_thread_);
    }

    void submit(Dnstap__Message& message) {
        Dnstap__Dnstap frame = DNSTAP__DNSTAP__INIT;
        frame.type = DNSTAP__DNSTAP__TYPE__MESSAGE;
        frame.message = &message;
        if (!identity_.empty()) {
            frame.has_identity = true;
            frame.identity = bytes_of(identity_);
        }
        if (!version_.empty()) {
            frame.has_version = true;
            frame.version = bytes_of(version_);
        }
        const std::size_t size = dnstap__dnstap__get_packed_size(&frame);
        auto* buffer = static_cast<std::uint8_t*>(std::malloc(size));
        if (buffer == nullptr) {
            dropped("out of memory");
            return;
        }
        dnstap__dnstap__pack(&frame, buffer);
        // libfstrm frees the buffer once written (fstrm_free_wrapper: free()), unless it refuses
        // it: the queue is full (the I/O thread is behind or stuck on its reader).
        if (queue_ == nullptr ||
            fstrm_iothr_submit(io_thread_, queue_, buffer, size, fstrm_free_wrapper, nullptr) !=
                fstrm_res_success) {
            std::free(buffer);
            dropped("the queue to the writer is full");
            return;
        }
        failing_ = false;
    }

    void dropped(const char* why) {
        lost_.fetch_add(1, std::memory_order_relaxed);
        // One warning until frames go through again: a stuck reader must not flood the log.
        if (!failing_) spdlog::warn("{}: frames dropped: {}", describe(), why);
        failing_ = true;
    }

    const Destination destination_;
    const std::string path_;
    const std::string identity_;
    const std::string version_;
    struct stat file_;  // which file the file destination writes (device, inode)
    fstrm_iothr* io_thread_ = nullptr;
    fstrm_iothr_queue* queue_ = nullptr;
    bool failing_ = false;
    std::atomic<std::uint64_t> lost_{0};  // read by stats() on other threads
};

}  // namespace

std::unique_ptr<Sink> open_dnstap_socket_sink(const std::string& unix_socket_path,
                                              std::string identity, std::string version,
                                              std::string& problem) {
    if (unix_socket_path.empty() || unix_socket_path.size() + 1 > sizeof(sockaddr_un{}.sun_path)) {
        problem = "dnstap socket " + unix_socket_path + ": a unix socket path has 1 to " +
                  std::to_string(sizeof(sockaddr_un{}.sun_path) - 1) + " bytes";
        return nullptr;
    }
    fstrm_iothr* io_thread = start_io_thread(Destination::Socket, unix_socket_path);
    if (io_thread == nullptr) {
        problem = "dnstap socket " + unix_socket_path + ": cannot start libfstrm's writer";
        return nullptr;
    }
    const struct stat no_file {};
    return std::make_unique<DnstapSink>(Destination::Socket, unix_socket_path,
                                        std::move(identity), std::move(version), io_thread,
                                        no_file);
}

std::unique_ptr<Sink> open_dnstap_file_sink(const std::string& path, std::string identity,
                                            std::string version, std::string& problem) {
    struct stat file {};
    if (!touch_file(path, file, problem)) return nullptr;
    fstrm_iothr* io_thread = start_io_thread(Destination::File, path);
    if (io_thread == nullptr) {
        problem = "dnstap file " + path + ": cannot start libfstrm's writer";
        return nullptr;
    }
    return std::make_unique<DnstapSink>(Destination::File, path, std::move(identity),
                                        std::move(version), io_thread, file);
}

}  // namespace sipdns::querylog
