#pragma once
// server::VodPlayback: one `play` of a file on one NetStream - where in the
// file it is, when each message falls due, and the play/seek/pause/receive
// state (issue 7 items 2-4). Sans-I/O: the session passes the time in and
// sends what pop() returns; the statuses around it are the session's.
//
// Pacing: a message with timestamp t falls due at
//   anchor_time + (t - anchor_timestamp) - lead
// where the anchor is set by start(), seek() and unpause (the time then and
// the next message's timestamp) and `lead` is the player's buffer length
// (SetBufferLength), so a player's buffer fills at once and then stays as
// full as it asked. A lead of hours (rtmpdump asks for 10 h) sends the file
// as fast as the connection takes it; the session's output bound then
// paces the reads.
//
// Contract:
//  - start(start_ms, duration_ms): seeks to the key frame at or before
//    start_ms and queues the file's start messages (metadata, sequence
//    headers) to go first. duration_ms < 0 plays to the end; 0 sends a
//    single frame (the first video frame, or the first frame of a file
//    without video); > 0 stops before the first message later than
//    start_ms + duration_ms. Errors: the file's (seek_beyond_end when
//    start_ms is past the end).
//  - seek(ms): the same positioning (the duration limit no longer applies);
//    the start messages are queued again so the player decodes from the
//    key frame. seek_beyond_end leaves the position as it was.
//  - pause(true): pop() returns nothing until pause(false), which re-anchors
//    at the next message: nothing is skipped or sent twice.
//  - receive(kind, false) drops that kind's messages as they fall due;
//    receive(video, true) resumes video at the next key frame.
//  - pop(now, lead): the next message due at `now`, else nullopt (nothing
//    due yet, paused, or finished). Queued start messages are due at once.
//    File errors come back as errors; the playback is then finished.
//  - due_at(lead): when pop() will next have something (nullopt: paused or
//    finished).
//  - finished(): the last message was popped (end of file, of the duration,
//    or an error); the session then sends the end statuses.
//
// Playlists and play2 (item 3 and 4) chain playbacks without a gap:
//  - handoff(): where a following playback takes over - the output
//    timestamp and the wall-clock time at which that timestamp plays. Before
//    the end it is the next message (play2 switches there, at a switch
//    point); at the end, one frame interval after the last message.
//  - start(..., &handoff) anchors the new playback there: its first
//    message gets handoff.timestamp (every later one keeps its distance in
//    the file) and falls due as the old one's would have.
//  - at_switch_point(now, lead): the next message is due and a player can
//    start decoding at it (VodFile::next_is_switch_point).
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>

#include "base/result.hpp"
#include "rtmp/message.hpp"
#include "server/vod_file.hpp"

namespace sluice::server {

/// play, seek and play2 carry times as AMF numbers (milliseconds, or
/// seconds in play2's options): as a whole number, NaN and the infinities
/// counting as `fallback`.
std::int64_t whole_number(double value, std::int64_t fallback) noexcept;

class VodPlayback {
public:
    using Clock = std::chrono::steady_clock;

    struct Handoff {
        base::Timestamp timestamp = 0;       ///< as sent
        base::Timestamp file_timestamp = 0;  ///< in this playback's file
        Clock::time_point time{};
    };

    explicit VodPlayback(std::unique_ptr<VodFile> file) : file_(std::move(file)) {}

    base::Result<base::Timestamp> start(std::int64_t start_ms, std::int64_t duration_ms,
                                        Clock::time_point now, const Handoff* after = nullptr);
    base::Result<base::Timestamp> seek(std::int64_t ms, Clock::time_point now);
    void pause(bool paused, Clock::time_point now);
    void receive_audio(bool enable) noexcept { audio_ = enable; }
    void receive_video(bool enable) noexcept;
    bool receiving_audio() const noexcept { return audio_; }
    bool receiving_video() const noexcept { return video_; }

    base::Result<std::optional<rtmp::Message>> pop(Clock::time_point now, std::chrono::milliseconds lead);
    std::optional<Clock::time_point> due_at(std::chrono::milliseconds lead) const;
    Handoff handoff() const noexcept;
    bool at_switch_point(Clock::time_point now, std::chrono::milliseconds lead) const;

    bool paused() const noexcept { return paused_; }
    bool finished() const noexcept { return finished_; }
    std::int64_t duration_ms() const noexcept { return file_->duration_ms(); }
    /// Media messages popped since start().
    std::uint64_t messages_sent() const noexcept { return sent_; }
    std::uint64_t bytes_sent() const noexcept { return bytes_; }

private:
    base::Result<base::Timestamp> position_at(std::int64_t ms, Clock::time_point now);
    void anchor(Clock::time_point now) noexcept;
    /// The file's timestamp `t` as sent (shifted by `shift_`).
    base::Timestamp output(base::Timestamp t) const noexcept;
    /// The timestamp of the next media message (held_, else the file's).
    std::optional<base::Timestamp> next_timestamp() const noexcept;
    void note_sent(const rtmp::Message& m) noexcept;

    std::unique_ptr<VodFile> file_;
    std::deque<rtmp::Message> pending_;  ///< start messages, due at once
    std::optional<rtmp::Message> held_;  ///< read from the file, not due yet
    Clock::time_point anchor_time_{};
    base::Timestamp anchor_timestamp_ = 0;
    std::optional<std::int64_t> end_ms_;  ///< last timestamp to send (duration > 0)
    bool single_frame_ = false;
    bool paused_ = false;
    bool finished_ = false;
    bool audio_ = true;
    bool video_ = true;
    bool video_needs_key_ = false;
    std::int64_t shift_ = 0;                          ///< output timestamp - file timestamp
    std::optional<base::Timestamp> last_file_;        ///< the latest file timestamp sent
    std::uint32_t frame_gap_ = 0;                     ///< the last interval between two frames of a kind
    std::optional<base::Timestamp> last_of_kind_[2];  ///< by audio, video
    std::uint64_t sent_ = 0;
    std::uint64_t bytes_ = 0;
};

}  // namespace sluice::server
