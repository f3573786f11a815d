#include "server/vod_playback.hpp"

#include "server/media_frame.hpp"

namespace sluice::server {

void VodPlayback::anchor(Clock::time_point now) noexcept {
    anchor_time_ = now;
    anchor_timestamp_ = file_->next_time().value_or(0);
}

base::Result<base::Timestamp> VodPlayback::position_at(std::int64_t ms, Clock::time_point now) {
    auto reached = file_->seek(ms);
    if (!reached) return reached.error();
    pending_.clear();
    for (rtmp::Message& m : file_->start_messages(*reached)) pending_.push_back(std::move(m));
    finished_ = false;
    video_needs_key_ = false;
    anchor(now);
    return reached;
}

base::Result<base::Timestamp> VodPlayback::start(std::int64_t start_ms, std::int64_t duration_ms,
                                                 Clock::time_point now) {
    auto reached = position_at(start_ms, now);
    if (!reached) return reached;
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

std::optional<VodPlayback::Clock::time_point> VodPlayback::due_at(std::chrono::milliseconds lead) const {
    if (paused_ || finished_) return std::nullopt;
    if (!pending_.empty()) return Clock::time_point::min();
    const auto next = file_->next_time();
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
        return std::optional<rtmp::Message>(std::move(m));
    }
    for (;;) {
        const auto due = due_at(lead);
        if (!due || *due > now) return std::optional<rtmp::Message>{};
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
        const FrameKind kind = classify(**message);
        const bool video = (*message)->type == rtmp::MessageType::video;
        if (video && video_needs_key_ && kind == FrameKind::video_key) video_needs_key_ = false;
        if (video ? (!video_ || video_needs_key_) && kind != FrameKind::video_header : !audio_) continue;
        ++sent_;
        bytes_ += (*message)->payload.size();
        if (single_frame_ && (video || !file_->has_video())) finished_ = true;
        return message;
    }
}

}  // namespace sluice::server
