#pragma once
// server::Recorder: writes one published stream to an FLV file, for
// `publish(name, "record")` and `publish(name, "append")` (issue 7 item 1).
// recording_path() maps an application and a stream name to the file.
//
// File layout (REFERENCE.md §7.1-§7.2; flv::FileWriter frames every tag):
//
//   FLV header (9) | PreviousTagSize0 = 0 | { TagHeader (11) | data | PreviousTagSize }*
//
// Contract:
//  - One Recorder writes one file; it belongs to the publisher's worker and
//    is not thread-safe. File I/O is blocking POSIX I/O with a user-space
//    buffer (RecorderOptions::buffer_bytes): write() copies a tag into the
//    buffer when it fits and otherwise writes header, payload and trailer
//    with one gather write (writev), so a payload is never copied anywhere
//    but into the buffer. The buffer is written out when full, by flush() and
//    sync(), and on close().
//  - Crash safety: the buffer only ever holds whole tags, and a failed write
//    is cut back (ftruncate) to the end of the last whole tag, so the file is
//    always a readable FLV up to its last complete tag: flv::FileReader reads
//    it with a complete() ending, or (after SIGKILL or power loss in the
//    middle of a write) with a truncated last tag that open(append) repairs.
//    Besides that cut and the repair of open(append), only close() changes
//    bytes already in the file (the fix-ups below).
//  - open(path, record): creates the parent directories and creates or
//    truncates the file, then writes the FLV header with both the audio
//    and the video flag set (corrected on close, see below).
//  - open(path, append): a missing or empty file is created as for record
//    (so is a file holding only a cut FLV header written by a crashed
//    record). Otherwise the file is scanned with flv::FileReader: a file
//    that is not FLV, or whose framing is corrupt before its end (a
//    PreviousTagSize mismatch, a bad header, a tag over 16 MiB), is refused
//    with the reader's flv::Errc and left unchanged. A file cut inside its
//    last tag or trailer is truncated back to the end of its last complete
//    tag's data and that tag's trailer is written again.
//  - Timestamps (32-bit ms, serial arithmetic): the first message written
//    is the origin. With record, a message at t is written at t − first;
//    with append, at last + append_gap_ms + (t − first), where `last` is
//    the largest timestamp already in the file (an existing file with no
//    tag starts at 0). A message before the first one (serial order) is
//    written at the origin, so the file never goes back past its start.
//  - write() takes audio (8), video (9) and data (18) messages, written as
//    tags of the same type with the payload unchanged (the caller strips
//    @setDataFrame first). Any other type is std::errc::invalid_argument and
//    a payload over 0xFFFFFF bytes is flv::Errc::tag_too_large; both refuse
//    that one message only. Before open() or after close() write() is
//    std::errc::bad_file_descriptor.
//  - I/O errors (ENOSPC, EIO, EFBIG, ...) stop the recorder: the error is
//    kept (std::error_code of errno, system_category) and returned by every
//    later write(), flush(), sync() and close(), and by error().
//  - close(): writes the buffer out, then (when no error happened) fixes up
//    in place: the header's audio/video flags to the kinds written (with
//    append: OR the file's own flags), and, when the file's first tag is an
//    onMetaData script tag (AMF0, "onMetaData" then an ECMA array or
//    Object), its top-level `duration` (seconds: last timestamp / 1000) and
//    `filesize` (bytes) properties when they are AMF0 Numbers (8 bytes:
//    overwritten without changing the tag's size). Other forms are left as
//    they are: metadata is never required for playback. Then fsync per the
//    policy and close the descriptor. Idempotent: a second close() returns
//    the first one's result; the destructor calls close().
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>

#include "base/byte_writer.hpp"
#include "base/result.hpp"
#include "base/timestamp.hpp"
#include "flv/file_writer.hpp"
#include "rtmp/message.hpp"

namespace sluice::server {

/// `<root>/<app>/<stream>.flv` (".flv" not added again when `stream`
/// already ends with it). `app` is one or more '/'-separated segments
/// ("live", "live/room1"), each becoming a directory level. Refused with
/// std::errc::invalid_argument (defense in depth behind name_check): an
/// empty root, an empty app or stream, an empty segment, a segment or
/// stream starting with '.' (so "." and ".." too), any '/' in the stream,
/// any '\\', NUL or other control byte (< 0x20, 0x7F) in app or stream, and
/// a segment or file name longer than 255 bytes (NAME_MAX). `root` itself is
/// trusted (it comes from the configuration) and used as given.
base::Result<std::string> recording_path(std::string_view root, std::string_view app,
                                         std::string_view stream);

enum class RecordMode : std::uint8_t {
    record,  ///< create or replace the file
    append,  ///< continue the file after its last complete tag (create when missing)
};

enum class FsyncPolicy : std::uint8_t {
    never,     ///< leave it to the kernel (a power loss may lose recent seconds)
    on_close,  ///< fsync once, on close() (and on sync())
    periodic,  ///< also fsync after a buffer write once `fsync_every_bytes` were written since the last
};

struct RecorderOptions {
    /// User-space buffer; 0 writes every tag at once (one writev per tag).
    std::size_t buffer_bytes = 64 * 1024;
    FsyncPolicy fsync = FsyncPolicy::on_close;
    /// For FsyncPolicy::periodic. A time-based policy is the caller calling
    /// sync() on its own timer (the recorder owns no clock).
    std::uint64_t fsync_every_bytes = 4u << 20;
    /// With append: the first new tag comes this many ms after the file's last.
    std::uint32_t append_gap_ms = 1;
};

struct RecorderStats {
    std::uint64_t bytes_written = 0;  ///< bytes this recorder wrote to the file (header, tags, trailers)
    std::uint64_t file_size = 0;      ///< the file's size once the buffer is written out
    std::uint64_t tag_count = 0;      ///< tags written by this recorder
    /// The largest timestamp (serial order) of the file's tags, this
    /// recorder's or, with append, the file's; nullopt when it has no tag.
    std::optional<base::Timestamp> last_timestamp;
    /// Milliseconds from the file's start (0) to its last tag.
    std::uint32_t duration_ms() const noexcept { return last_timestamp.value_or(0); }
};

class Recorder {
public:
    Recorder() = default;
    ~Recorder();
    Recorder(const Recorder&) = delete;
    Recorder& operator=(const Recorder&) = delete;

    /// Opens `path` (see the contract). Errors: the errno of a failed
    /// mkdir/open/read/write/ftruncate, std::errc::invalid_argument for a
    /// path that is not a regular file, std::errc::device_or_resource_busy
    /// when this recorder is already open, or the flv::Errc of a refused
    /// existing file. Both modes create missing parent directories. On
    /// error nothing is open; a file refused by append is unchanged, while a
    /// failed header write may leave the file created (or, with record,
    /// emptied).
    base::Status open(const std::string& path, RecordMode mode, RecorderOptions options = {});

    /// Appends one message as a tag; see the contract for types and errors.
    base::Status write(const rtmp::Message& message);
    /// Writes the buffer out (the caller's timer bounds how long data waits).
    base::Status flush();
    /// flush(), then fsync unless the policy is never.
    base::Status sync();
    /// See the contract. Returns the first error of the recording, if any.
    base::Status close();

    bool is_open() const noexcept { return fd_ >= 0; }
    /// The I/O error that stopped the recorder, or an empty error_code.
    std::error_code error() const noexcept { return error_; }
    const RecorderStats& stats() const noexcept { return stats_; }
    /// Whether the file holds a tag (one this recorder wrote, or with
    /// append one that was there).
    bool file_has_tags() const noexcept { return file_has_tags_; }
    /// The file's size once the buffer is written out: file_size plus what
    /// the buffer holds (what size-based rotation counts).
    std::uint64_t size() const noexcept { return committed_ + buffer_.size(); }

private:
    void reset(const RecorderOptions& options);
    base::Status open_append();
    base::Status start_file();
    base::Status write_parts(std::span<const base::Bytes> parts);
    base::Status write_buffer();
    base::Status stop(int errno_value);
    base::Status fix_up();
    void note_first_tag(base::Bytes data, std::uint64_t data_offset);
    base::Timestamp rebase(base::Timestamp t);

    int fd_ = -1;
    RecorderOptions options_{};
    flv::FileWriter framer_;
    base::ByteVector buffer_;      ///< whole tags not yet written (capacity options_.buffer_bytes)
    std::uint64_t committed_ = 0;  ///< file offset where the buffer starts: always a tag boundary
    std::uint64_t since_fsync_ = 0;
    std::error_code error_;
    std::error_code close_result_;
    bool closed_ = false;
    RecorderStats stats_{};
    std::uint8_t flags_seen_ = 0;  ///< FLV header flags: 0x04 audio, 0x01 video
    std::uint8_t flags_existing_ = 0;
    std::optional<base::Timestamp> origin_;  ///< the first message's own timestamp
    base::Timestamp base_ = 0;               ///< where the origin lands in the file
    bool file_has_tags_ = false;
    /// File offsets of the first tag's onMetaData Number fields (0 = none).
    std::uint64_t duration_offset_ = 0;
    std::uint64_t filesize_offset_ = 0;
};

}  // namespace sluice::server
