#include "server/player_queue.hpp"

#include <algorithm>
#include <iterator>

#include "base/timestamp.hpp"

namespace sluice::server {

namespace {

bool is_coded_video(const Frame& f) noexcept {
    return f.kind == FrameKind::video_key || f.kind == FrameKind::video_inter;
}

bool is_key(const Frame& f) noexcept {
    return f.kind == FrameKind::video_key;
}

bool is_inter(const Frame& f) noexcept {
    return f.kind == FrameKind::video_inter;
}

// Sequence headers keep the timestamp of the stream's start and status or
// user control messages carry 0: counting them would make a late joiner's
// queue look hours long.
bool is_timed(const Frame& f) noexcept {
    return f.kind == FrameKind::audio || is_coded_video(f);
}

}  // namespace

PlayerQueue::PushResult PlayerQueue::push(Frame frame) {
    if (skip_while_waiting(frame)) return PushResult::dropped;
    const bool inter = is_inter(frame);
    count_in(frame);
    frames_.push_back(std::move(frame));
    const bool above = above_soft_limit();
    if (above) {
        drop_inter_frames();
        if (above_soft_limit()) drop_old_gops();
    }
    if (bytes_ > limits_.disconnect_bytes) return PushResult::overflow;
    // Above the soft limit, step 1 has just dropped an incoming inter frame.
    return above && inter ? PushResult::dropped : PushResult::queued;
}

std::optional<Frame> PlayerQueue::pop() {
    if (frames_.empty()) return std::nullopt;
    Frame frame = std::move(frames_.front());
    frames_.pop_front();
    count_out(frame);
    return frame;
}

void PlayerQueue::clear() noexcept {
    frames_.clear();
    bytes_ = 0;
    key_count_ = 0;
    inter_count_ = 0;
}

std::chrono::milliseconds PlayerQueue::duration() const noexcept {
    const auto oldest = std::find_if(frames_.begin(), frames_.end(), is_timed);
    if (oldest == frames_.end()) return std::chrono::milliseconds{0};
    const auto newest = std::find_if(frames_.rbegin(), frames_.rend(), is_timed);
    const std::int32_t diff = base::serial_diff(oldest->message.timestamp, newest->message.timestamp);
    return std::chrono::milliseconds{std::max(diff, 0)};
}

bool PlayerQueue::skip_while_waiting(const Frame& frame) noexcept {
    if (!waiting_for_keyframe_) return false;
    if (is_key(frame)) waiting_for_keyframe_ = false;
    if (!is_inter(frame)) return false;
    ++dropped_frames_;
    return true;
}

bool PlayerQueue::above_soft_limit() const noexcept {
    return bytes_ > limits_.max_bytes || duration() > limits_.max_duration;
}

// Drops the frames in [begin, last) that match, keeping the order of the rest.
template <class Pred>
void PlayerQueue::drop_before(Iterator last, Pred pred) {
    const auto kept_end = std::remove_if(frames_.begin(), last, [&](const Frame& frame) {
        if (!pred(frame)) return false;
        count_out(frame);
        ++dropped_frames_;
        return true;
    });
    frames_.erase(kept_end, last);
}

void PlayerQueue::drop_inter_frames() {
    if (inter_count_ == 0) return;  // the common case while behind: no scan
    // Inter frames after the newest key frame are gone, so the ones still to
    // come reference missing pictures. A key frame at the tail has no such
    // followers: the next inter frame decodes from it.
    const auto newest = std::find_if(frames_.rbegin(), frames_.rend(), is_coded_video);
    if (is_inter(*newest)) waiting_for_keyframe_ = true;
    drop_before(frames_.end(), is_inter);
}

void PlayerQueue::drop_old_gops() {
    if (key_count_ == 0 || key_count_ + inter_count_ < 2) return;
    const auto newest_key = std::prev(std::find_if(frames_.rbegin(), frames_.rend(), is_key).base());
    drop_before(newest_key, is_coded_video);
}

void PlayerQueue::count_in(const Frame& frame) noexcept {
    bytes_ += frame.message.payload.size();
    if (is_key(frame)) ++key_count_;
    if (is_inter(frame)) ++inter_count_;
}

void PlayerQueue::count_out(const Frame& frame) noexcept {
    bytes_ -= frame.message.payload.size();
    if (is_key(frame)) --key_count_;
    if (is_inter(frame)) --inter_count_;
}

}  // namespace sluice::server
