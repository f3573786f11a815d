#include "server/media_headers.hpp"

namespace sluice::server {

bool MediaHeaders::update(const Frame& frame) {
    switch (frame.kind) {
        case FrameKind::metadata:
            metadata_ = frame;
            return true;
        case FrameKind::video_header:
            video_header_ = frame;
            return true;
        case FrameKind::audio_header:
            audio_header_ = frame;
            return true;
        default:
            return false;
    }
}

std::vector<Frame> MediaHeaders::start_frames() const {
    std::vector<Frame> out;
    out.reserve(3);
    for (const auto* kept : {&metadata_, &video_header_, &audio_header_}) {
        if (*kept) out.push_back(**kept);
    }
    return out;
}

void MediaHeaders::clear() noexcept {
    metadata_.reset();
    video_header_.reset();
    audio_header_.reset();
}

}  // namespace sluice::server
