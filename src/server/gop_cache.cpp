#include "server/gop_cache.hpp"

namespace sluice::server {

namespace {

bool is_cached_kind(FrameKind kind) noexcept {
    // video_info (AVC end of sequence, E-RTMP metadata frames) is kept in
    // place: a late joiner must see the same messages, in the same order, as
    // a player who was there.
    return kind == FrameKind::audio || kind == FrameKind::video_key || kind == FrameKind::video_inter ||
           kind == FrameKind::video_info || kind == FrameKind::data;
}

}  // namespace

void GopCache::push(const Frame& frame) {
    if (max_bytes_ == 0 || !is_cached_kind(frame.kind)) return;
    if (frame.kind == FrameKind::video_key) {
        clear();
        collecting_ = true;
    }
    if (!collecting_) return;
    frames_.push_back(frame);
    bytes_ += frame.message.payload.size();
    // Half a GOP is worse than none: a late joiner would start on frames
    // whose key frame it never got. Wait for the next key frame instead.
    if (bytes_ > max_bytes_) clear();
}

void GopCache::clear() noexcept {
    frames_.clear();
    bytes_ = 0;
    collecting_ = false;
}

}  // namespace sluice::server
