#pragma once
// server::PlayerQueue: the frames waiting to be written to one player,
// bounded in bytes and in media time (ARCHITECTURE.md "Threads and the media
// path"; SRS's SrsMessageQueue drop policy, rewritten).
//
// Drop policy, applied by push() after queueing the frame, when the queue is
// above a soft limit (bytes > max_bytes or duration() > max_duration):
//   1. drop every queued video inter frame; if the newest queued coded video
//      frame was an inter frame, also drop incoming video inter frames until
//      the next key frame (what follows a dropped inter frame cannot be
//      decoded; after a key frame it can);
//   2. if still above: drop whole GOPs - every queued video key/inter frame
//      before the newest queued key frame;
//   only video_key and video_inter frames are ever dropped: audio, headers,
//   video_info, metadata and data (status, user control) frames never are.
// If the bytes still exceed `disconnect_bytes`, push() returns overflow and
// the caller disconnects the player (a player that does not read must not
// grow our memory). The frame stays queued in that case.
//
// Bytes are payload bytes. A player above its soft limit ends up receiving
// audio, data and key frames only, until it catches up.
//
// require_keyframe() makes the queue drop incoming video inter frames until
// the next key frame: used after unpause and receiveVideo(true).
//
// Cost: pop() is O(1); push() is O(1) apart from duration(), which skips
// the untimed frames at either end (usually a few), and dropping, which
// scans the queue about once per GOP while the player stays behind.
//
// Not thread-safe: owned by the player's worker.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>

#include "server/media_frame.hpp"

namespace sluice::server {

struct PlayerQueueLimits {
    std::size_t max_bytes = 4u * 1024u * 1024u;
    std::chrono::milliseconds max_duration{10'000};
    std::size_t disconnect_bytes = 16u * 1024u * 1024u;
};

class PlayerQueue {
public:
    enum class PushResult : std::uint8_t {
        queued,    ///< the frame is in the queue (older frames may have been dropped)
        dropped,   ///< the frame itself was dropped (waiting for a key frame)
        overflow,  ///< above disconnect_bytes even after dropping: disconnect the player
    };

    explicit PlayerQueue(PlayerQueueLimits limits = {}) : limits_(limits) {}

    PushResult push(Frame frame);
    std::optional<Frame> pop();
    const Frame* front() const noexcept { return frames_.empty() ? nullptr : &frames_.front(); }

    void require_keyframe() noexcept { waiting_for_keyframe_ = true; }
    bool waiting_for_keyframe() const noexcept { return waiting_for_keyframe_; }
    /// Empties the queue (not counted as dropped); a key frame wait stays as it was.
    void clear() noexcept;

    bool empty() const noexcept { return frames_.empty(); }
    std::size_t size() const noexcept { return frames_.size(); }
    std::size_t bytes() const noexcept { return bytes_; }
    /// Media time between the oldest and newest queued audio or coded video
    /// frame (serial arithmetic; 0 when they are out of order). Headers,
    /// metadata, data and control frames are not counted: their timestamps
    /// are stale (sequence headers from the start of the stream) or 0.
    std::chrono::milliseconds duration() const noexcept;
    /// Frames dropped since construction (by the policy or while waiting for a key frame).
    std::uint64_t dropped_frames() const noexcept { return dropped_frames_; }

private:
    using Iterator = std::deque<Frame>::iterator;

    bool skip_while_waiting(const Frame& frame) noexcept;
    bool above_soft_limit() const noexcept;
    void drop_inter_frames();
    void drop_old_gops();
    template <class Pred>
    void drop_before(Iterator last, Pred pred);
    void count_in(const Frame& frame) noexcept;
    void count_out(const Frame& frame) noexcept;

    PlayerQueueLimits limits_;
    std::deque<Frame> frames_;
    std::size_t bytes_ = 0;
    std::size_t key_count_ = 0;    ///< queued video_key frames
    std::size_t inter_count_ = 0;  ///< queued video_inter frames
    std::uint64_t dropped_frames_ = 0;
    bool waiting_for_keyframe_ = false;
};

}  // namespace sluice::server
