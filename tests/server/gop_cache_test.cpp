#include "server/gop_cache.hpp"

#include <gtest/gtest.h>

namespace sluice::server {
namespace {

// A frame whose payload is `size` bytes and whose timestamp names it.
Frame frame(FrameKind kind, base::Timestamp timestamp, std::size_t size = 10) {
    Frame f;
    f.kind = kind;
    f.message.type = rtmp::MessageType::video;
    f.message.timestamp = timestamp;
    f.message.payload = base::Payload::copy_of(base::Bytes(base::ByteVector(size, 0x42)));
    return f;
}

std::vector<base::Timestamp> timestamps(const GopCache& cache) {
    std::vector<base::Timestamp> out;
    for (const Frame& f : cache.frames()) out.push_back(f.message.timestamp);
    return out;
}

using Ts = std::vector<base::Timestamp>;

TEST(GopCache, KeepsNothingBeforeTheFirstKeyFrame) {
    GopCache cache(1000);
    cache.push(frame(FrameKind::video_inter, 1));
    cache.push(frame(FrameKind::audio, 2));
    cache.push(frame(FrameKind::data, 3));
    EXPECT_TRUE(cache.frames().empty());
    EXPECT_EQ(cache.bytes(), 0u);
    cache.push(frame(FrameKind::video_key, 4));
    cache.push(frame(FrameKind::audio, 5));
    cache.push(frame(FrameKind::video_inter, 6));
    cache.push(frame(FrameKind::data, 7));
    EXPECT_EQ(timestamps(cache), (Ts{4, 5, 6, 7}));
    EXPECT_EQ(cache.bytes(), 40u);
}

TEST(GopCache, AKeyFrameStartsANewGop) {
    GopCache cache(1000);
    cache.push(frame(FrameKind::video_key, 1));
    cache.push(frame(FrameKind::video_inter, 2));
    cache.push(frame(FrameKind::audio, 3));
    cache.push(frame(FrameKind::video_key, 4, 30));
    EXPECT_EQ(timestamps(cache), Ts{4});
    EXPECT_EQ(cache.bytes(), 30u);
    cache.push(frame(FrameKind::video_inter, 5));
    EXPECT_EQ(timestamps(cache), (Ts{4, 5}));
}

TEST(GopCache, IgnoresHeadersAndMetadata) {
    GopCache cache(1000);
    cache.push(frame(FrameKind::video_key, 1));
    for (FrameKind k : {FrameKind::audio_header, FrameKind::video_header, FrameKind::metadata}) {
        cache.push(frame(k, 2));
    }
    EXPECT_EQ(timestamps(cache), Ts{1});
    EXPECT_EQ(cache.bytes(), 10u);
}

TEST(GopCache, KeepsVideoInfoInPlace) {
    // An AVC end of sequence or an E-RTMP metadata frame inside the GOP is
    // what a player who was there saw, so a late joiner sees it too.
    GopCache cache(1000);
    cache.push(frame(FrameKind::video_info, 0));  // before any key frame: dropped
    cache.push(frame(FrameKind::video_key, 1));
    cache.push(frame(FrameKind::video_info, 2));
    cache.push(frame(FrameKind::video_inter, 3));
    EXPECT_EQ(timestamps(cache), (Ts{1, 2, 3}));
}

TEST(GopCache, AudioOnlyStreamKeepsNothing) {
    GopCache cache(1000);
    cache.push(frame(FrameKind::audio_header, 0));
    for (base::Timestamp t = 0; t < 100; ++t) cache.push(frame(FrameKind::audio, t));
    EXPECT_TRUE(cache.frames().empty());
    EXPECT_EQ(cache.bytes(), 0u);
}

TEST(GopCache, AGopPastTheBoundIsDroppedUntilTheNextKeyFrame) {
    GopCache cache(35);
    cache.push(frame(FrameKind::video_key, 1));
    cache.push(frame(FrameKind::video_inter, 2));
    cache.push(frame(FrameKind::audio, 3));
    EXPECT_EQ(cache.bytes(), 30u);
    cache.push(frame(FrameKind::video_inter, 4));  // 40 > 35: the whole GOP goes
    EXPECT_TRUE(cache.frames().empty());
    EXPECT_EQ(cache.bytes(), 0u);
    cache.push(frame(FrameKind::video_inter, 5));
    cache.push(frame(FrameKind::audio, 6));
    EXPECT_TRUE(cache.frames().empty());
    cache.push(frame(FrameKind::video_key, 7));
    cache.push(frame(FrameKind::audio, 8));
    EXPECT_EQ(timestamps(cache), (Ts{7, 8}));
}

TEST(GopCache, ExactlyTheBoundStillFits) {
    GopCache cache(30);
    cache.push(frame(FrameKind::video_key, 1));
    cache.push(frame(FrameKind::video_inter, 2));
    cache.push(frame(FrameKind::video_inter, 3));
    EXPECT_EQ(timestamps(cache), (Ts{1, 2, 3}));
    EXPECT_EQ(cache.bytes(), 30u);
}

TEST(GopCache, AKeyFrameAloneAboveTheBoundIsNotKept) {
    GopCache cache(30);
    cache.push(frame(FrameKind::video_key, 1, 31));
    cache.push(frame(FrameKind::video_inter, 2));
    EXPECT_TRUE(cache.frames().empty());
    EXPECT_EQ(cache.bytes(), 0u);
}

TEST(GopCache, ZeroBytesDisablesTheCache) {
    GopCache cache(0);
    cache.push(frame(FrameKind::video_key, 1, 0));
    cache.push(frame(FrameKind::video_inter, 2, 0));
    EXPECT_TRUE(cache.frames().empty());
}

TEST(GopCache, ClearWaitsForTheNextKeyFrame) {
    GopCache cache(1000);
    cache.push(frame(FrameKind::video_key, 1));
    cache.push(frame(FrameKind::video_inter, 2));
    cache.clear();
    EXPECT_TRUE(cache.frames().empty());
    EXPECT_EQ(cache.bytes(), 0u);
    cache.push(frame(FrameKind::video_inter, 3));
    EXPECT_TRUE(cache.frames().empty());
    cache.push(frame(FrameKind::video_key, 4));
    EXPECT_EQ(timestamps(cache), Ts{4});
}

TEST(GopCache, CachedFramesShareThePayloads) {
    GopCache cache(1000);
    const Frame key = frame(FrameKind::video_key, 1);
    cache.push(key);
    ASSERT_EQ(cache.frames().size(), 1u);
    EXPECT_EQ(cache.frames()[0].message.payload.data(), key.message.payload.data());
}

}  // namespace
}  // namespace sluice::server
