#pragma once
// server::GopCache: the frames since the last video key frame of a live
// stream, so that a player who joins mid-stream decodes from its first frame
// (ARCHITECTURE.md "Threads and the media path").
//
// Contract:
//  - push() takes every audio, video and data frame of the stream (headers
//    and metadata are MediaHeaders' business and are ignored here; video_info
//    frames are kept in place). A video_key frame starts a new GOP: the cache is
//    cleared and restarts with it. Frames before the first key frame are
//    not kept (a player could not decode them).
//  - Bounded by `max_bytes` of payload: a GOP that grows past it is dropped
//    whole and nothing is cached until the next key frame (a late joiner
//    then waits for that key frame instead of getting half a GOP).
//    max_bytes = 0 disables the cache.
//  - Audio-only streams (no video frame seen yet) keep no frames: there is
//    no key frame to start from and audio needs none.
//  - frames() is the cached GOP in arrival order: copies share payloads.
#include <cstddef>
#include <vector>

#include "server/media_frame.hpp"

namespace sluice::server {

class GopCache {
public:
    explicit GopCache(std::size_t max_bytes) : max_bytes_(max_bytes) {}

    void push(const Frame& frame);
    const std::vector<Frame>& frames() const noexcept { return frames_; }
    std::size_t bytes() const noexcept { return bytes_; }
    void clear() noexcept;

private:
    std::size_t max_bytes_;
    std::vector<Frame> frames_;
    std::size_t bytes_ = 0;
    bool collecting_ = false;  ///< a key frame started the current GOP and it fits
};

}  // namespace sluice::server
