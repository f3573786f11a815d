#include "server/vod_playback.hpp"

#include <algorithm>
#include <cmath>

#include "server/media_frame.hpp"

namespace sluice::server {

std::int64_t whole_number(double value, std::int64_t fallback) noexcept {
    if (!std::isfinite(value)) return fallback;
    return static_cast<std::int64_t>(std::clamp(value, -1e15, 1e15));
}

void VodPlayback::anchor(Clock::time_point now) noexcept {
    anchor_time_ = now;
    anchor_timestamp_ = next_timestamp().value_or(0);
}

base::Result<base::Timestamp> VodPlayback::position_at(std::int64_t ms, Clock::time_point now) {
    auto reached = file_->seek(ms);
    if (!reached) return reached.error();
    pending_.clear();
    held_.reset();
    for (rtmp::Message& m : file_->start_messages(*reached)) pending_.push_back(std::move(m));
    finished_ = false;
    video_needs_key_ = false;
    last_file_.reset();
    last_of_kind_[0].reset();
    last_of_kind_[1].reset();
    anchor(now);
    return reached;
}

base::Result<base::Timestamp> VodPlayback::start(std::int64_t start_ms, std::int64_t duration_ms,
                                                 Clock::time_point now, const Handoff* after) {
    auto reached = position_at(start_ms, after ? after->time : now);
    if (!reached) return reached;
    shift_ = after ? static_cast<std::int64_t>(after->timestamp) - *reached : 0;
    end_ms_.reset();
    single_frame_ = duration_ms == 0;
    if (duration_ms > 0) end_ms_ = start_ms + duration_ms;
    sent_ = 0;
    bytes_ = 0;
    return reached;
}

base::Result<base::Timestamp> VodPlayback::seek(std::int64_t ms, Clock::time_point now) {
    auto reached = position_at(ms, now);
    if (reached) {
        end_ms_.reset();
        single_frame_ = false;
    }
    return reached;
}

void VodPlayback::pause(bool paused, Clock::time_point now) {
    if (paused_ && !paused) anchor(now);
    paused_ = paused;
}

void VodPlayback::receive_video(bool enable) noexcept {
    if (enable && !video_) video_needs_key_ = true;
    video_ = enable;
}

base::Timestamp VodPlayback::output(base::Timestamp t) const noexcept {
    // Timestamps are serial numbers (RFC 1982): a shift wraps like them.
    return static_cast<base::Timestamp>(static_cast<std::int64_t>(t) + shift_);
}

void VodPlayback::note_sent(const rtmp::Message& m) noexcept {
    if (!last_file_ || base::serial_diff(*last_file_, m.timestamp) > 0) last_file_ = m.timestamp;
    if (m.type != rtmp::MessageType::video && m.type != rtmp::MessageType::audio)
        return;  // data: no frame gap
    auto& last = last_of_kind_[m.type == rtmp::MessageType::video ? 1 : 0];
    if (last && base::serial_diff(*last, m.timestamp) > 0)
        frame_gap_ = static_cast<std::uint32_t>(base::serial_diff(*last, m.timestamp));
    last = m.timestamp;
}

VodPlayback::Handoff VodPlayback::handoff() const noexcept {
    // Before the end: the next message takes its own place. At the end: one
    // frame after the last, so the last frame shows for its whole duration.
    base::Timestamp t = 0;
    if (const auto next = next_timestamp(); next && !finished_) {
        t = *next;
    } else if (last_file_) {
        t = *last_file_ + std::clamp<std::uint32_t>(frame_gap_, 1, 1000);
    } else {
        t = anchor_timestamp_;
    }
    const auto offset = std::chrono::milliseconds(base::serial_diff(anchor_timestamp_, t));
    return {output(t), t, anchor_time_ + offset};
}

std::optional<base::Timestamp> VodPlayback::next_timestamp() const noexcept {
    if (held_) return held_->timestamp;
    return file_->next_time();
}

bool VodPlayback::at_switch_point(Clock::time_point now, std::chrono::milliseconds lead) const {
    if (!pending_.empty()) return false;
    if (held_) {
        const FrameKind kind = classify(*held_);
        if (held_->type == rtmp::MessageType::video ? kind != FrameKind::video_key : file_->has_video())
            return false;
    } else if (!file_->next_is_switch_point()) {
        return false;
    }
    const auto due = due_at(lead);
    return due && *due <= now;
}

std::optional<VodPlayback::Clock::time_point> VodPlayback::due_at(std::chrono::milliseconds lead) const {
    if (paused_ || finished_) return std::nullopt;
    if (!pending_.empty()) return Clock::time_point::min();
    const auto next = next_timestamp();
    if (!next) return Clock::time_point::min();  // pop() finds the end at once
    const auto offset = std::chrono::milliseconds(base::serial_diff(anchor_timestamp_, *next));
    return anchor_time_ + offset - lead;
}

base::Result<std::optional<rtmp::Message>> VodPlayback::pop(Clock::time_point now,
                                                            std::chrono::milliseconds lead) {
    if (paused_ || finished_) return std::optional<rtmp::Message>{};
    if (!pending_.empty()) {
        rtmp::Message m = std::move(pending_.front());
        pending_.pop_front();
        m.timestamp = output(m.timestamp);
        return std::optional<rtmp::Message>(std::move(m));
    }
    for (;;) {
        const auto due = due_at(lead);
        if (!due || *due > now) return std::optional<rtmp::Message>{};
        if (!held_) {
            const auto next_time = file_->next_time();
            if (!next_time || (end_ms_ && static_cast<std::int64_t>(*next_time) > *end_ms_)) {
                finished_ = true;
                return std::optional<rtmp::Message>{};
            }
            auto message = file_->next();
            if (!message) {
                finished_ = true;
                return message.error();
            }
            if (!*message) {
                finished_ = true;
                return std::optional<rtmp::Message>{};
            }
            // next() may have skipped a repeated sequence header: what it
            // returned waits for its own time.
            held_ = std::move(**message);
            continue;
        }
        if (end_ms_ && static_cast<std::int64_t>(held_->timestamp) > *end_ms_) {
            finished_ = true;
            held_.reset();
            return std::optional<rtmp::Message>{};
        }
        rtmp::Message m = std::move(*held_);
        held_.reset();
        const FrameKind kind = classify(m);
        const bool video = m.type == rtmp::MessageType::video;
        const bool data = !video && m.type != rtmp::MessageType::audio;  // cue points & co. always go
        if (video && video_needs_key_ && kind == FrameKind::video_key) video_needs_key_ = false;
        if (!data && (video ? (!video_ || video_needs_key_) && kind != FrameKind::video_header : !audio_)) {
            continue;
        }
        ++sent_;
        bytes_ += m.payload.size();
        note_sent(m);
        m.timestamp = output(m.timestamp);
        if (single_frame_ && !data && (video || !file_->has_video())) finished_ = true;
        return std::optional<rtmp::Message>(std::move(m));
    }
}

}  // namespace sluice::server
