#pragma once
// server::MediaHeaders: what a player needs before the first frame of a live
// stream - the metadata and the latest audio and video sequence headers
// (SRS's MetaCache idea). Owned by one LiveStream, on its worker.
//
// Contract:
//  - update() looks at every frame the publisher sends and keeps the latest
//    metadata, audio_header and video_header frames (a new sequence header
//    replaces the old one: codecs may change mid-stream).
//  - start_frames() returns, in order, metadata, video header, audio header
//    (those present), which is the order of the spec's play flow (7.2.2.1).
//  - clear() forgets everything (the publisher left).
#include <optional>
#include <vector>

#include "server/media_frame.hpp"

namespace sluice::server {

class MediaHeaders {
public:
    /// Returns true when the frame was a header or metadata and was kept.
    bool update(const Frame& frame);
    std::vector<Frame> start_frames() const;
    void clear() noexcept;

    const std::optional<Frame>& metadata() const noexcept { return metadata_; }
    void clear_metadata() noexcept { metadata_.reset(); }
    const std::optional<Frame>& video_header() const noexcept { return video_header_; }
    const std::optional<Frame>& audio_header() const noexcept { return audio_header_; }

private:
    std::optional<Frame> metadata_;
    std::optional<Frame> video_header_;
    std::optional<Frame> audio_header_;
};

}  // namespace sluice::server
