#pragma once
// server::StreamRecording: the recording of one publish - a Recorder plus
// what the session needs around it: the file name (from a pattern), the
// headers a new file must start with, rotation, and periodic flushing
// (issue 7 item 1; docs/config.md "Recording").
//
// Contract:
//  - The file of each part is recording_path(root, app_dir, expand(pattern))
//    where expand() replaces {stream} with the stream name, {time} with the
//    part's start in UTC as YYYYMMDD-HHMMSS and {seq} with the part number
//    (0 for the first); a part whose expanded pattern equals the previous
//    part's (parts within a second under a {time}-only pattern) gets
//    "-<seq>" added. open() opens the first part with the plan's mode.
//  - write() takes every frame the publisher sends (metadata already
//    stripped of @setDataFrame). It keeps the latest metadata and sequence
//    headers (MediaHeaders). When rotation is on (max_bytes or
//    max_duration > 0) and the current part has reached a limit (its size
//    with what is buffered, or the span from its first frame to this one),
//    the next
//    video key frame (or, in a stream without video, the next audio frame)
//    starts a new part, always in record mode: the current part is closed
//    (its metadata fixed up), then the new one gets the kept metadata and
//    sequence headers at that frame's timestamp, then the frame, so every
//    part plays on its own from 0. Metadata is written only as a part's
//    first tag: a later onMetaData (a publisher's update, or the publish an
//    append adds) is kept for the next part but not written, since FFmpeg
//    5.1 crashes on a second onMetaData mid-file; the part's first one gets
//    its duration and filesize fixed up on close.
//  - Errors are the Recorder's (I/O errors stop the recording: every later
//    call returns the same error) or recording_path()'s for a name the
//    pattern makes invalid. A failed rotation leaves the recording closed.
//  - tick(now) writes the buffer out once `flush_interval` has passed since
//    the last write-out, so a crash loses at most that much (the kernel's
//    page cache still decides when bytes reach the disk unless the fsync
//    policy says otherwise).
//  - close() closes the current part (fix-ups, fsync per policy);
//    idempotent.
// Threads: the publisher's worker only. The Recorder does blocking file I/O
// (buffered; fsync only per policy).
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.hpp"
#include "server/media_frame.hpp"
#include "server/media_headers.hpp"
#include "server/recorder.hpp"

namespace sluice::server {

struct RecordingPlan {
    std::string root;     ///< the recordings folder
    std::string app_dir;  ///< "live", or "live/room1" for an instance
    std::string stream;
    std::string pattern = "{stream}";
    RecordMode mode = RecordMode::record;
    RecorderOptions options{};
    std::uint64_t max_bytes = 0;                ///< rotate once a part holds this many bytes (0 = never)
    std::chrono::milliseconds max_duration{0};  ///< rotate once a part spans this long (0 = never)
    std::chrono::milliseconds flush_interval{1000};
};

/// Expands {stream}, {time} and {seq} (see the contract); other text is kept.
std::string expand_record_pattern(std::string_view pattern, std::string_view stream,
                                  std::chrono::system_clock::time_point start, std::size_t seq);

class StreamRecording {
public:
    using Clock = std::chrono::steady_clock;

    explicit StreamRecording(RecordingPlan plan) : plan_(std::move(plan)) {}

    base::Status open(std::chrono::system_clock::time_point now = std::chrono::system_clock::now());
    base::Status write(const Frame& frame,
                       std::chrono::system_clock::time_point now = std::chrono::system_clock::now());
    base::Status tick(Clock::time_point now);
    base::Status close();

    const RecordingPlan& plan() const noexcept { return plan_; }
    /// The current (or last) part's file.
    const std::string& path() const noexcept { return path_; }
    std::size_t parts() const noexcept { return seq_ + (path_.empty() ? 0 : 1); }
    /// Bytes written to every part so far (buffered bytes not counted).
    std::uint64_t bytes_written() const noexcept { return bytes_before_ + recorder_.stats().bytes_written; }
    std::uint64_t tags() const noexcept { return tags_before_ + recorder_.stats().tag_count; }
    const Recorder& recorder() const noexcept { return recorder_; }

private:
    base::Status open_part(RecordMode mode, std::chrono::system_clock::time_point now);
    bool rotation_due(const Frame& next) const noexcept;
    base::Status rotate(const Frame& first, std::chrono::system_clock::time_point now);

    RecordingPlan plan_;
    Recorder recorder_;
    MediaHeaders headers_;
    std::string path_;
    std::string last_expanded_;  ///< the current part's pattern, expanded (before any "-<seq>")
    std::size_t seq_ = 0;
    std::uint64_t bytes_before_ = 0;
    std::uint64_t tags_before_ = 0;
    Clock::time_point last_flush_ = Clock::now();
    bool has_video_ = false;
    std::optional<base::Timestamp> part_origin_;  ///< the current part's first frame time
};

}  // namespace sluice::server
