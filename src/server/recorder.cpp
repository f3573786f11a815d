#include "server/recorder.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <filesystem>

#include "amf/reader0.hpp"
#include "base/byte_reader.hpp"
#include "flv/errors.hpp"
#include "flv/file_reader.hpp"
#include "flv/metadata.hpp"

namespace sluice::server {
namespace {

constexpr std::size_t name_max = 255;  // NAME_MAX on Linux file systems
constexpr std::string_view flv_extension = ".flv";
constexpr std::uint8_t flag_audio = 0x04;
constexpr std::uint8_t flag_video = 0x01;
constexpr std::uint64_t flags_offset = 4;  // the TypeFlags byte of the FLV header
constexpr std::size_t scan_chunk = 64 * 1024;

std::error_code errno_code(int value) {
    return {value, std::system_category()};
}

// One path component that cannot climb out of its directory nor hide.
bool plain_name(std::string_view name) {
    if (name.empty() || name.size() > name_max || name.front() == '.') return false;
    return std::none_of(name.begin(), name.end(), [](char c) {
        const auto b = static_cast<unsigned char>(c);
        return b < 0x20 || b == 0x7F || c == '/' || c == '\\';
    });
}

std::uint8_t flags_of(const flv::FileHeader& h) {
    return static_cast<std::uint8_t>((h.has_audio ? flag_audio : 0) | (h.has_video ? flag_video : 0));
}

// Offsets (within the tag data) of the top-level `duration` and `filesize`
// AMF0 Numbers of an onMetaData payload; 0 when absent or of another type.
// Values are skipped with a fresh Reader0: a value holding an AMF0 reference
// fails there and ends the walk, keeping what was found before it.
struct MetadataFields {
    std::size_t duration = 0;
    std::size_t filesize = 0;
};

MetadataFields find_metadata_fields(base::Bytes data) {
    MetadataFields found;
    base::ByteReader in(data);
    if (in.u8() != 0x02 || in.chars(in.u16be()) != flv::on_meta_data) return found;
    const std::uint8_t container = in.u8();
    if (container == 0x08) {
        in.u32be();  // the ECMA array's count: a hint
    } else if (container != 0x03) {
        return found;
    }
    while (!in.failed() && !in.empty()) {
        const std::string_view key = in.chars(in.u16be());
        if (in.failed() || in.empty()) break;
        const std::size_t value_at = in.position();
        if (key.empty() && in.peek_u8() == 0x09) break;  // object end
        const bool number = in.peek_u8() == 0x00 && in.remaining() >= 9;
        if (number && key == "duration" && found.duration == 0) found.duration = value_at + 1;
        if (number && key == "filesize" && found.filesize == 0) found.filesize = value_at + 1;
        amf::Reader0 value(in.rest());
        if (!value.read()) break;
        in.skip(value.position());
    }
    return found;
}

}  // namespace

base::Result<std::string> recording_path(std::string_view root, std::string_view app,
                                         std::string_view stream) {
    const auto refused = make_error_code(std::errc::invalid_argument);
    if (root.empty() || app.empty() || !plain_name(stream) || stream.find('/') != std::string_view::npos)
        return refused;
    std::string path(root);
    if (path.back() != '/') path += '/';
    std::string_view rest = app;
    for (;;) {
        const std::size_t slash = rest.find('/');
        const std::string_view segment = rest.substr(0, slash);
        if (!plain_name(segment)) return refused;
        path.append(segment).append("/");
        if (slash == std::string_view::npos) break;
        rest.remove_prefix(slash + 1);
    }
    path.append(stream);
    if (!stream.ends_with(flv_extension)) {
        if (stream.size() + flv_extension.size() > name_max) return refused;
        path.append(flv_extension);
    }
    return path;
}

Recorder::~Recorder() {
    static_cast<void>(close());
}

base::Status Recorder::open(const std::string& path, RecordMode mode, RecorderOptions options) {
    if (fd_ >= 0) return make_error_code(std::errc::device_or_resource_busy);
    reset(options);

    std::error_code ec;
    const std::filesystem::path parent = std::filesystem::path(path).parent_path();
    if (!parent.empty()) std::filesystem::create_directories(parent, ec);
    if (ec) return ec;
    // O_NONBLOCK so that a FIFO planted at the path cannot block the open;
    // anything but a regular file is refused before a byte is written.
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NONBLOCK, 0644);
    if (fd < 0) return errno_code(errno);
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        return make_error_code(std::errc::invalid_argument);
    }
    if (::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK) != 0) {
        const int saved = errno;
        ::close(fd);
        return errno_code(saved);
    }
    fd_ = fd;
    base::Status status = mode == RecordMode::append && st.st_size > 0 ? open_append() : start_file();
    if (status) {
        ::close(fd_);
        fd_ = -1;
    }
    return status;
}

void Recorder::reset(const RecorderOptions& options) {
    options_ = options;
    framer_ = {};
    buffer_.clear();
    buffer_.reserve(options_.buffer_bytes);
    committed_ = 0;
    since_fsync_ = 0;
    error_ = {};
    close_result_ = {};
    closed_ = false;
    stats_ = {};
    flags_seen_ = 0;
    flags_existing_ = 0;
    origin_.reset();
    base_ = 0;
    file_has_tags_ = false;
    duration_offset_ = 0;
    filesize_offset_ = 0;
}

base::Status Recorder::start_file() {
    if (::ftruncate(fd_, 0) != 0) return errno_code(errno);
    flv::FileHeader header;
    header.has_audio = true;
    header.has_video = true;
    const auto bytes = framer_.header(header);
    buffer_.insert(buffer_.end(), bytes.begin(), bytes.end());
    return write_buffer();  // the file is an FLV at once, and open() reports a full disk
}

base::Status Recorder::open_append() {
    flv::FileReader reader;
    base::ByteVector chunk(scan_chunk);  // on the heap: workers may run on small stacks
    std::uint64_t at = 0;
    std::uint64_t good_end = 0;  // end of the last complete tag's data
    std::uint32_t trailer = 0;   // that tag's PreviousTagSize
    bool header_seen = false;
    for (;;) {
        const ssize_t n = ::pread(fd_, chunk.data(), chunk.size(), static_cast<off_t>(at));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return errno_code(errno);
        if (n == 0) break;
        at += static_cast<std::uint64_t>(n);
        base::Bytes input(chunk.data(), static_cast<std::size_t>(n));
        while (!input.empty()) {
            auto r = reader.read(input);
            if (r.error) return r.error;
            input = input.subspan(r.consumed);
            if (!header_seen && reader.file_header()) {
                header_seen = true;
                good_end = reader.file_header()->data_offset;
                flags_existing_ = flags_of(*reader.file_header());
            }
            if (!r.tag) continue;
            good_end = reader.offset();
            trailer = static_cast<std::uint32_t>(flv::TagHeader::size + r.tag->header.data_size);
            const base::Timestamp ts = r.tag->header.timestamp;
            if (!stats_.last_timestamp || base::serial_less(*stats_.last_timestamp, ts))
                stats_.last_timestamp = ts;
            if (!file_has_tags_) note_first_tag(r.tag->data, good_end - r.tag->header.data_size);
            file_has_tags_ = true;
        }
    }
    // A header cut short is what a record killed at its first write leaves
    // (the reader has refused anything that does not start like FLV).
    if (!header_seen) return start_file();

    if (::ftruncate(fd_, static_cast<off_t>(good_end)) != 0) return errno_code(errno);
    committed_ = good_end;
    stats_.file_size = good_end;
    base_ = file_has_tags_ ? *stats_.last_timestamp + options_.append_gap_ms : 0;
    // Write the last tag's trailer again: it may be the part a crash cut.
    std::array<std::uint8_t, flv::FileWriter::trailer_size> bytes{};
    base::SpanWriter out(bytes);
    out.u32be(trailer);
    buffer_.insert(buffer_.end(), bytes.begin(), bytes.end());
    return write_buffer();
}

void Recorder::note_first_tag(base::Bytes data, std::uint64_t data_offset) {
    const MetadataFields f = find_metadata_fields(data);
    if (f.duration != 0) duration_offset_ = data_offset + f.duration;
    if (f.filesize != 0) filesize_offset_ = data_offset + f.filesize;
}

base::Timestamp Recorder::rebase(base::Timestamp t) {
    if (!origin_) origin_ = t;
    const std::int32_t since = base::serial_diff(*origin_, t);
    return base_ + static_cast<std::uint32_t>(std::max<std::int32_t>(since, 0));
}

base::Status Recorder::write(const rtmp::Message& message) {
    if (fd_ < 0) return make_error_code(std::errc::bad_file_descriptor);
    if (error_) return error_;
    const auto type = static_cast<std::uint8_t>(message.type);
    if (message.type != rtmp::MessageType::audio && message.type != rtmp::MessageType::video &&
        message.type != rtmp::MessageType::data_amf0)
        return make_error_code(std::errc::invalid_argument);
    const base::Bytes data = message.payload.bytes();
    if (data.size() > flv::FileWriter::max_data_size) return flv::Errc::tag_too_large;

    const std::size_t total = flv::TagHeader::size + data.size() + flv::FileWriter::trailer_size;
    if (!buffer_.empty() && buffer_.size() + total > options_.buffer_bytes) {
        if (auto st = write_buffer()) return st;
    }
    const base::Timestamp ts = rebase(message.timestamp);
    auto framing = framer_.frame(type, ts, data.size());
    if (!framing) return framing.error();  // checked above; kept for the contract
    const std::uint64_t data_offset = committed_ + buffer_.size() + flv::TagHeader::size;
    if (total <= options_.buffer_bytes) {
        buffer_.insert(buffer_.end(), framing->header.begin(), framing->header.end());
        buffer_.insert(buffer_.end(), data.begin(), data.end());
        buffer_.insert(buffer_.end(), framing->trailer.begin(), framing->trailer.end());
    } else {
        const std::array<base::Bytes, 3> parts{base::Bytes(framing->header), data,
                                               base::Bytes(framing->trailer)};
        if (auto st = write_parts(parts)) return st;
    }
    if (!file_has_tags_ && message.type == rtmp::MessageType::data_amf0) note_first_tag(data, data_offset);
    file_has_tags_ = true;
    flags_seen_ |= message.type == rtmp::MessageType::audio   ? flag_audio
                   : message.type == rtmp::MessageType::video ? flag_video
                                                              : 0;
    ++stats_.tag_count;
    if (!stats_.last_timestamp || base::serial_less(*stats_.last_timestamp, ts)) stats_.last_timestamp = ts;
    return {};
}

base::Status Recorder::write_parts(std::span<const base::Bytes> parts) {
    std::array<iovec, 3> iov{};
    std::size_t count = 0;
    std::size_t left = 0;
    for (base::Bytes part : parts) {
        if (part.empty()) continue;
        // iovec's base is not const; pwritev only reads through it.
        iov[count++] = {const_cast<std::uint8_t*>(part.data()), part.size()};
        left += part.size();
    }
    std::size_t first = 0;
    std::uint64_t offset = committed_;
    while (left > 0) {
        const ssize_t n =
            ::pwritev(fd_, iov.data() + first, static_cast<int>(count - first), static_cast<off_t>(offset));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return stop(errno);
        if (n == 0) return stop(EIO);
        auto done = static_cast<std::size_t>(n);
        offset += done;
        left -= done;
        stats_.bytes_written += done;
        while (done > 0 && done >= iov[first].iov_len) done -= iov[first++].iov_len;
        if (done > 0) {
            iov[first].iov_base = static_cast<std::uint8_t*>(iov[first].iov_base) + done;
            iov[first].iov_len -= done;
        }
    }
    const std::uint64_t written = offset - committed_;
    committed_ = offset;
    stats_.file_size = offset;
    since_fsync_ += written;
    if (options_.fsync == FsyncPolicy::periodic && since_fsync_ >= options_.fsync_every_bytes) {
        if (::fsync(fd_) != 0) return stop(errno);
        since_fsync_ = 0;
    }
    return {};
}

base::Status Recorder::write_buffer() {
    if (buffer_.empty()) return {};
    const std::array<base::Bytes, 1> parts{base::Bytes(buffer_)};
    const base::Status st = write_parts(parts);
    buffer_.clear();
    return st;
}

base::Status Recorder::stop(int errno_value) {
    error_ = errno_code(errno_value);
    buffer_.clear();
    // Cut a partly written tag off so that nothing can ever follow half a tag.
    if (::ftruncate(fd_, static_cast<off_t>(committed_)) != 0) {
        // Even that failed (EIO): the file ends inside a tag, which readers
        // and open(append) tolerate.
    }
    stats_.file_size = committed_;
    return error_;
}

base::Status Recorder::flush() {
    if (fd_ < 0) return make_error_code(std::errc::bad_file_descriptor);
    if (error_) return error_;
    return write_buffer();
}

base::Status Recorder::sync() {
    if (auto st = flush()) return st;
    if (options_.fsync == FsyncPolicy::never) return {};
    if (::fsync(fd_) != 0) return stop(errno);
    since_fsync_ = 0;
    return {};
}

base::Status Recorder::fix_up() {
    std::array<std::uint8_t, 8> number{};
    const auto put = [&](std::uint64_t offset, std::size_t size) -> base::Status {
        const ssize_t n = ::pwrite(fd_, number.data(), size, static_cast<off_t>(offset));
        if (n != static_cast<ssize_t>(size)) return errno_code(n < 0 ? errno : EIO);
        return {};
    };
    if (flags_seen_ != 0) {
        number[0] = flags_seen_ | flags_existing_;
        if (auto st = put(flags_offset, 1)) return st;
    }
    const auto put_number = [&](std::uint64_t offset, double value) -> base::Status {
        if (offset == 0) return {};
        base::SpanWriter out(number);
        out.f64be(value);
        return put(offset, number.size());
    };
    if (auto st = put_number(duration_offset_, stats_.duration_ms() / 1000.0)) return st;
    return put_number(filesize_offset_, static_cast<double>(stats_.file_size));
}

base::Status Recorder::close() {
    if (closed_ || fd_ < 0) return close_result_;
    base::Status result = flush();
    if (!result) result = fix_up();
    if (!result && options_.fsync != FsyncPolicy::never && ::fsync(fd_) != 0) result = errno_code(errno);
    if (::close(fd_) != 0 && !result) result = errno_code(errno);
    fd_ = -1;
    closed_ = true;
    close_result_ = result;
    return result;
}

}  // namespace sluice::server
