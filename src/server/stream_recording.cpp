#include "server/stream_recording.hpp"

#include <ctime>

#include <fmt/format.h>

namespace sluice::server {

std::string expand_record_pattern(std::string_view pattern, std::string_view stream,
                                  std::chrono::system_clock::time_point start, std::size_t seq) {
    std::string out;
    while (!pattern.empty()) {
        if (pattern.starts_with("{stream}")) {
            out += stream;
            pattern.remove_prefix(8);
        } else if (pattern.starts_with("{time}")) {
            const std::time_t t = std::chrono::system_clock::to_time_t(start);
            std::tm utc{};
            gmtime_r(&t, &utc);
            out += fmt::format("{:04}{:02}{:02}-{:02}{:02}{:02}", utc.tm_year + 1900, utc.tm_mon + 1,
                               utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec);
            pattern.remove_prefix(6);
        } else if (pattern.starts_with("{seq}")) {
            out += std::to_string(seq);
            pattern.remove_prefix(5);
        } else {
            out += pattern.front();
            pattern.remove_prefix(1);
        }
    }
    return out;
}

base::Status StreamRecording::open(std::chrono::system_clock::time_point now) {
    return open_part(plan_.mode, now);
}

base::Status StreamRecording::open_part(RecordMode mode, std::chrono::system_clock::time_point now) {
    const std::string expanded = expand_record_pattern(plan_.pattern, plan_.stream, now, seq_);
    // Parts within one second under a {time}-only pattern: keep them all.
    const std::string name =
        seq_ > 0 && expanded == last_expanded_ ? expanded + "-" + std::to_string(seq_) : expanded;
    auto path = recording_path(plan_.root, plan_.app_dir, name);
    if (!path) return path.error();
    last_expanded_ = expanded;
    path_ = std::move(*path);
    last_flush_ = Clock::now();
    return recorder_.open(path_, mode, plan_.options);
}

bool StreamRecording::rotation_due(const Frame& next) const noexcept {
    // A part holds at least one frame, whatever the limits.
    if (!part_origin_) return false;
    if (plan_.max_bytes > 0 && recorder_.size() >= plan_.max_bytes) return true;
    const auto span = std::chrono::milliseconds(base::serial_diff(*part_origin_, next.message.timestamp));
    return plan_.max_duration.count() > 0 && span >= plan_.max_duration;
}

base::Status StreamRecording::write(const Frame& frame, std::chrono::system_clock::time_point now) {
    if (frame.is_video()) has_video_ = true;
    const bool boundary =
        frame.kind == FrameKind::video_key || (!has_video_ && frame.kind == FrameKind::audio);
    if (boundary && recorder_.is_open() && rotation_due(frame)) {
        if (const base::Status st = rotate(frame, now)) return st;
    }
    if (!part_origin_) part_origin_ = frame.message.timestamp;
    headers_.update(frame);
    // Only a part's first tag may be onMetaData: FFmpeg 5.1's flv demuxer
    // crashes (ffprobe -count_frames) on a second one mid-file, which an
    // append or a publisher's metadata update would write.
    if (frame.kind == FrameKind::metadata && recorder_.file_has_tags()) return {};
    return recorder_.write(frame.message);
}

base::Status StreamRecording::rotate(const Frame& first, std::chrono::system_clock::time_point now) {
    if (const base::Status st = recorder_.close()) return st;
    bytes_before_ += recorder_.stats().bytes_written;
    tags_before_ += recorder_.stats().tag_count;
    ++seq_;
    part_origin_.reset();
    if (const base::Status st = open_part(RecordMode::record, now)) return st;
    part_origin_ = first.message.timestamp;
    // The headers go at the first frame's time, so the new part starts at 0.
    for (Frame header : headers_.start_frames()) {
        header.message.timestamp = first.message.timestamp;
        if (const base::Status st = recorder_.write(header.message)) return st;
    }
    return {};
}

base::Status StreamRecording::tick(Clock::time_point now) {
    if (!recorder_.is_open() || now - last_flush_ < plan_.flush_interval) return recorder_.error();
    last_flush_ = now;
    return recorder_.flush();
}

base::Status StreamRecording::close() {
    return recorder_.close();
}

}  // namespace sluice::server
