#pragma once
// client::FlvOutput: what a player receives, written as an FLV file (or FLV
// on stdout, for `sluice play URL -o - | ffplay -`) that ffprobe and ffplay
// read (REFERENCE.md §7.1–§7.2; flv::FileWriter frames the tags).
//
// What is written:
//   header      'FLV' 1, flags from Options (audio and video by default: a
//               live stream's tracks are not known before it starts, and
//               FFmpeg finds the streams from the tags anyway), then
//               PreviousTagSize0. Written by the first write(), so an
//               output that never received anything stays empty.
//   audio/video one tag each, payload unchanged (empty messages skipped).
//   data        onMetaData (or `@setDataFrame` + onMetaData, stripped) as
//               a script tag 'onMetaData', {...}; the other script handlers
//               a file can carry (onCuePoint, onTextData, ...) as they
//               came. Protocol-level data (|RtmpSampleAccess, onStatus,
//               onPlayStatus) and AMF3 data (type 15) are not written.
//   others      statuses, commands, user control: not written (skipped).
//
// Timestamps are rebased so the file starts at 0: the first audio or video
// frame (not a sequence header) fixes the base (a live stream joined late
// starts at its GOP cache's time, e.g. 73000 ms), and every tag is written
// at its timestamp minus the base. Tags before the base (script data,
// sequence headers, which servers replay with their original timestamps,
// audio a few ms before the first video) are written at 0. A backward jump of more than
// one second (the publisher restarted at 0) moves the base so the file
// continues just after the last tag written instead of going back in time.
//
// Contract:
//  - Blocking writes on a descriptor (client layer); partial writes and
//    EINTR are retried, so a tag is never torn.
//  - When the reader goes away (EPIPE: ffplay was closed), write() returns
//    reader_closed and every later write does the same without writing;
//    the caller must ignore SIGPIPE (the play command does). Any other
//    write error throws FlvOutputError naming the output.
//  - Not thread-safe; owns the descriptor when opened by path.
#include <sys/uio.h>

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>

#include "base/payload.hpp"
#include "base/timestamp.hpp"
#include "client/client.hpp"
#include "flv/file_writer.hpp"

namespace sluice::client {

class FlvOutputError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct FlvOutputOptions {
    bool has_audio = true;  ///< header flag
    bool has_video = true;  ///< header flag
};

class FlvOutput {
public:
    using Options = FlvOutputOptions;

    enum class WriteResult : std::uint8_t {
        written,        ///< a tag was written
        skipped,        ///< nothing to write for this message (see above)
        reader_closed,  ///< the reader went away (EPIPE); stop playing
    };

    /// Creates (truncates) `path`; "-" is standard output. Throws
    /// FlvOutputError when the file cannot be created.
    static FlvOutput open(const std::string& path, Options options);
    static FlvOutput open(const std::string& path) { return open(path, Options{}); }

    FlvOutput(int fd, bool owns_fd, std::string name, Options options = {});
    ~FlvOutput();
    FlvOutput(FlvOutput&& other) noexcept;
    FlvOutput& operator=(FlvOutput&&) = delete;
    FlvOutput(const FlvOutput&) = delete;
    FlvOutput& operator=(const FlvOutput&) = delete;

    /// Writes what a player received (see the table above).
    WriteResult write(const Incoming& incoming);
    /// Writes one tag of `type` (8, 9, 18) at the server's `timestamp` (rebased here).
    WriteResult write_tag(std::uint8_t type, base::Timestamp timestamp, base::Bytes data);

    /// The file header alone (an output that should exist even when empty).
    WriteResult write_header();

    bool reader_closed() const noexcept { return reader_closed_; }
    const std::string& name() const noexcept { return name_; }
    std::uint64_t bytes_written() const noexcept { return writer_.bytes_written(); }
    std::uint64_t tags_written() const noexcept { return writer_.tag_count(); }
    /// Timestamp (rebased) of the latest tag written: the media time in the file.
    base::Timestamp media_time() const noexcept { return last_out_; }
    /// The server timestamp that maps to 0, once the first audio or video frame came.
    const std::optional<base::Timestamp>& base() const noexcept { return base_; }

private:
    /// Writes all of the iovecs; false on EPIPE. Throws on other errors.
    bool write_all(iovec* iov, int count);
    base::Timestamp rebase(std::uint8_t type, base::Timestamp timestamp, base::Bytes data);

    int fd_ = -1;
    bool owns_fd_ = false;
    std::string name_;
    Options options_;
    flv::FileWriter writer_;
    bool header_written_ = false;
    bool reader_closed_ = false;
    std::optional<base::Timestamp> base_;
    base::Timestamp last_out_ = 0;
};

}  // namespace sluice::client
