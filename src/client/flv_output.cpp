#include "client/flv_output.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "flv/audio_header.hpp"
#include "flv/video_header.hpp"
#include "rtmp/data_message.hpp"

namespace sluice::client {

namespace {

/// A backward step larger than this is a new timeline (publisher restart), not interleaving.
constexpr std::int32_t restart_threshold_ms = 1000;

/// Script handlers that belong to the RTMP session, not to the media: not written.
bool is_session_handler(std::string_view handler) {
    return handler == rtmp::data_handler::sample_access || handler == rtmp::data_handler::on_status ||
           handler == rtmp::data_handler::on_play_status;
}

/// A sequence header (AVC/HEVC/AAC configuration, enhanced SequenceStart): not a frame.
bool is_config(std::uint8_t type, base::Bytes data) {
    if (type == static_cast<std::uint8_t>(flv::TagType::video)) return flv::is_video_sequence_header(data);
    return flv::is_audio_sequence_header(data);
}

}  // namespace

FlvOutput FlvOutput::open(const std::string& path, Options options) {
    if (path == "-") return FlvOutput(STDOUT_FILENO, false, "standard output", options);
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) throw FlvOutputError("cannot create " + path + ": " + std::strerror(errno));
    return FlvOutput(fd, true, path, options);
}

FlvOutput::FlvOutput(int fd, bool owns_fd, std::string name, Options options)
    : fd_(fd), owns_fd_(owns_fd), name_(std::move(name)), options_(options) {}

FlvOutput::FlvOutput(FlvOutput&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      owns_fd_(std::exchange(other.owns_fd_, false)),
      name_(std::move(other.name_)),
      options_(other.options_),
      writer_(other.writer_),
      header_written_(other.header_written_),
      reader_closed_(other.reader_closed_),
      base_(other.base_),
      last_out_(other.last_out_) {}

FlvOutput::~FlvOutput() {
    if (owns_fd_ && fd_ >= 0) ::close(fd_);
}

bool FlvOutput::write_all(iovec* iov, int count) {
    while (count > 0) {
        const ssize_t n = ::writev(fd_, iov, count);
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno == EPIPE) {
                reader_closed_ = true;
                return false;
            }
            throw FlvOutputError("cannot write " + name_ + ": " + std::strerror(errno));
        }
        // A pipe may take part of the gather list: skip what went out and retry the rest.
        auto left = static_cast<std::size_t>(n);
        while (count > 0 && left >= iov->iov_len) {
            left -= iov->iov_len;
            ++iov;
            --count;
        }
        if (count > 0) {
            iov->iov_base = static_cast<char*>(iov->iov_base) + left;
            iov->iov_len -= left;
        }
    }
    return true;
}

FlvOutput::WriteResult FlvOutput::write_header() {
    if (reader_closed_) return WriteResult::reader_closed;
    if (header_written_) return WriteResult::skipped;
    flv::FileHeader header;
    header.has_audio = options_.has_audio;
    header.has_video = options_.has_video;
    auto bytes = writer_.header(header);
    iovec iov{bytes.data(), bytes.size()};
    header_written_ = true;
    return write_all(&iov, 1) ? WriteResult::written : WriteResult::reader_closed;
}

base::Timestamp FlvOutput::rebase(std::uint8_t type, base::Timestamp timestamp, base::Bytes data) {
    const bool media = type == static_cast<std::uint8_t>(flv::TagType::audio) ||
                       type == static_cast<std::uint8_t>(flv::TagType::video);
    if (!base_) {
        // Script data and sequence headers before the first frame are written
        // at 0 and do not fix the base: a server replays a late joiner's
        // sequence headers with their original (old) timestamps.
        if (!media || is_config(type, data)) return 0;
        base_ = timestamp;
    }
    const std::int32_t out = base::serial_diff(*base_, timestamp);
    if (media && static_cast<std::int64_t>(out) - last_out_ < -restart_threshold_ms) {
        // A new timeline: continue 1 ms after the last tag written.
        base_ = timestamp - (last_out_ + 1);
        return last_out_ + 1;
    }
    if (out < 0) return 0;
    return static_cast<base::Timestamp>(out);
}

FlvOutput::WriteResult FlvOutput::write_tag(std::uint8_t type, base::Timestamp timestamp, base::Bytes data) {
    if (reader_closed_) return WriteResult::reader_closed;
    if (!header_written_ && write_header() == WriteResult::reader_closed) return WriteResult::reader_closed;
    if (data.size() > flv::FileWriter::max_data_size) return WriteResult::skipped;
    const base::Timestamp out = rebase(type, timestamp, data);
    auto framing = writer_.frame(type, out, data.size());
    if (!framing) return WriteResult::skipped;
    if (base::serial_less(last_out_, out)) last_out_ = out;
    iovec iov[3] = {{framing->header.data(), framing->header.size()},
                    {const_cast<std::uint8_t*>(data.data()), data.size()},
                    {framing->trailer.data(), framing->trailer.size()}};
    return write_all(iov, 3) ? WriteResult::written : WriteResult::reader_closed;
}

FlvOutput::WriteResult FlvOutput::write(const Incoming& incoming) {
    if (reader_closed_) return WriteResult::reader_closed;
    const rtmp::Message& m = incoming.message;
    switch (incoming.kind) {
        case Incoming::Kind::audio:
        case Incoming::Kind::video:
            if (m.payload.empty()) return WriteResult::skipped;
            return write_tag(static_cast<std::uint8_t>(m.type), m.timestamp, m.payload.bytes());
        case Incoming::Kind::data: {
            if (m.type != rtmp::MessageType::data_amf0) return WriteResult::skipped;
            auto data = rtmp::decode_data_message(m);
            if (!data || is_session_handler(data->handler)) return WriteResult::skipped;
            if (data->handler == rtmp::data_handler::set_data_frame) {
                auto stripped = rtmp::strip_set_data_frame(*data);
                if (!stripped) return WriteResult::skipped;
                const rtmp::Message body = rtmp::encode_data_message(*stripped, rtmp::Encoding::amf0, 0);
                return write_tag(static_cast<std::uint8_t>(flv::TagType::script), m.timestamp,
                                 body.payload.bytes());
            }
            return write_tag(static_cast<std::uint8_t>(flv::TagType::script), m.timestamp, m.payload.bytes());
        }
        case Incoming::Kind::status:
        case Incoming::Kind::command:
        case Incoming::Kind::user_control:
        case Incoming::Kind::shared_object:
        case Incoming::Kind::other:
        case Incoming::Kind::closed:
            return WriteResult::skipped;
    }
    return WriteResult::skipped;
}

}  // namespace sluice::client
