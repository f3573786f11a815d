#include "client/flv_input.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "rtmp/data_message.hpp"

namespace sluice::client {

namespace {

std::string errno_text(int error) {
    return std::strerror(error);
}

}  // namespace

FlvInput FlvInput::open(const std::string& path, Options options) {
    if (path == "-") return FlvInput(STDIN_FILENO, false, "standard input", options);
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw FlvInputError("cannot open " + path + ": " + errno_text(errno));
    return FlvInput(fd, true, path, options);
}

FlvInput::FlvInput(int fd, bool owns_fd, std::string name, Options options)
    : fd_(fd),
      owns_fd_(owns_fd),
      name_(std::move(name)),
      options_(options),
      reader_(flv::FileReader::Options{true, options.limits, {}}) {
    if (options_.read_bytes == 0) options_.read_bytes = 64 * 1024;
    buffer_.resize(options_.read_bytes);
}

FlvInput::FlvInput(FlvInput&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      owns_fd_(std::exchange(other.owns_fd_, false)),
      name_(std::move(other.name_)),
      options_(other.options_),
      reader_(std::move(other.reader_)),
      buffer_(std::move(other.buffer_)),
      begin_(other.begin_),
      end_(other.end_),
      eof_(other.eof_),
      bytes_read_(other.bytes_read_),
      skipped_(other.skipped_) {}

FlvInput::~FlvInput() {
    if (owns_fd_ && fd_ >= 0) ::close(fd_);
}

bool FlvInput::fill() {
    if (eof_) return false;
    begin_ = 0;
    end_ = 0;
    for (;;) {
        const ssize_t n = ::read(fd_, buffer_.data(), buffer_.size());
        if (n > 0) {
            end_ = static_cast<std::size_t>(n);
            bytes_read_ += end_;
            return true;
        }
        if (n == 0) {
            eof_ = true;
            return false;
        }
        if (errno == EINTR) throw Interrupted{};
        throw FlvInputError("cannot read " + name_ + ": " + errno_text(errno));
    }
}

std::optional<rtmp::Message> FlvInput::next() {
    for (;;) {
        if (begin_ == end_ && !fill()) {
            const auto finish = reader_.finish();
            if (finish.ending == flv::FileReader::Ending::truncated_file_header) {
                throw FlvInputError(
                    name_ + " ended after " + std::to_string(bytes_read_) +
                    " bytes, before a complete FLV header: not an FLV file (or an empty pipe)");
            }
            return std::nullopt;
        }
        const base::Bytes input(buffer_.data() + begin_, end_ - begin_);
        // Judge the signature on the very first bytes: "FLV" is known after
        // three, long before the reader would complain, so a wrong file
        // (an MP4 given by mistake) fails before anything is sent.
        if (reader_.offset() == 0 && !flv::could_be_flv(input)) {
            throw FlvInputError(name_ +
                                " is not an FLV file (it does not start with 'FLV'); convert it with " +
                                "ffmpeg -i INPUT -c copy -f flv OUT.flv, or pipe ffmpeg's -f flv output");
        }
        auto result = reader_.read(input);
        begin_ += result.consumed;
        if (result.error) {
            throw FlvInputError(name_ + ": " + result.error.message() + " (at byte " +
                                std::to_string(reader_.offset()) + ", after " +
                                std::to_string(reader_.tag_count()) + " tags)");
        }
        if (result.tag) {
            if (auto message = convert(std::move(*result.tag))) return message;
        }
    }
}

std::optional<rtmp::Message> FlvInput::convert(flv::Tag&& tag) {
    rtmp::Message message;
    message.timestamp = tag.header.timestamp;
    message.stream_id = 0;
    message.payload = std::move(tag.data);
    switch (static_cast<flv::TagType>(tag.header.type)) {
        case flv::TagType::audio:
            message.type = rtmp::MessageType::audio;
            return message;
        case flv::TagType::video:
            message.type = rtmp::MessageType::video;
            return message;
        case flv::TagType::script_amf3:
            message.type = rtmp::MessageType::data_amf3;
            return message;
        case flv::TagType::script: {
            message.type = rtmp::MessageType::data_amf0;
            auto data = rtmp::decode_data_message(message);
            if (!data) {
                ++skipped_;
                return std::nullopt;
            }
            if (data->handler != rtmp::data_handler::on_meta_data) return message;
            auto meta = rtmp::MetaData::decode(*data);
            if (!meta) {
                ++skipped_;
                return std::nullopt;
            }
            // The publisher form: the server strips @setDataFrame, stores the
            // rest and replays it to every player that joins later.
            return rtmp::encode_data_message(meta->to_set_data_frame(), rtmp::Encoding::amf0, 0,
                                             message.timestamp);
        }
    }
    ++skipped_;
    return std::nullopt;
}

std::string FlvInput::describe_ending() const {
    using Ending = flv::FileReader::Ending;
    const auto finish = reader_.finish();
    const std::string dropped = " (" + std::to_string(finish.dropped_bytes) + " bytes dropped)";
    switch (finish.ending) {
        case Ending::clean:
            return "ended cleanly";
        case Ending::missing_final_trailer:
            return "ended without the final PreviousTagSize (harmless)";
        case Ending::truncated_trailer:
            return "ended inside the final PreviousTagSize (harmless)";
        case Ending::truncated_file_header:
            return "ended inside the FLV header" + dropped;
        case Ending::truncated_tag_header:
            return "was cut inside a tag header" + dropped;
        case Ending::truncated_tag_data:
            return "was cut inside a tag's data" + dropped;
        case Ending::failed:
            return "stopped at a corrupt tag";
    }
    return "ended";
}

}  // namespace sluice::client
