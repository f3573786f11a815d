#include "server/player_queue.hpp"

#include <gtest/gtest.h>

namespace sluice::server {
namespace {

using namespace std::chrono_literals;
using Push = PlayerQueue::PushResult;

Frame frame(FrameKind kind, base::Timestamp timestamp, std::size_t size) {
    Frame f;
    f.kind = kind;
    f.message.type = rtmp::MessageType::video;
    f.message.timestamp = timestamp;
    f.message.payload = base::Payload::copy_of(base::Bytes(base::ByteVector(size, 0x42)));
    return f;
}

Frame key(base::Timestamp t, std::size_t size) {
    return frame(FrameKind::video_key, t, size);
}
Frame inter(base::Timestamp t, std::size_t size) {
    return frame(FrameKind::video_inter, t, size);
}
Frame audio(base::Timestamp t, std::size_t size) {
    return frame(FrameKind::audio, t, size);
}

// The queue's frames as "kind@timestamp", oldest first.
std::vector<std::string> contents(const PlayerQueue& queue) {
    PlayerQueue copy = queue;
    std::vector<std::string> out;
    while (auto f = copy.pop())
        out.push_back(std::string(to_string(f->kind)) + "@" + std::to_string(f->message.timestamp));
    return out;
}

using Names = std::vector<std::string>;

PlayerQueueLimits bytes_limits(std::size_t max_bytes, std::size_t disconnect_bytes = 1000) {
    return PlayerQueueLimits{max_bytes, std::chrono::milliseconds{1'000'000}, disconnect_bytes};
}

TEST(PlayerQueue, QueuesAndPopsInOrder) {
    PlayerQueue q(bytes_limits(1000));
    EXPECT_TRUE(q.empty());
    EXPECT_EQ(q.front(), nullptr);
    EXPECT_FALSE(q.pop());
    EXPECT_EQ(q.push(key(0, 30)), Push::queued);
    EXPECT_EQ(q.push(audio(10, 5)), Push::queued);
    EXPECT_EQ(q.push(inter(40, 20)), Push::queued);
    EXPECT_EQ(q.size(), 3u);
    EXPECT_EQ(q.bytes(), 55u);
    ASSERT_NE(q.front(), nullptr);
    EXPECT_EQ(q.front()->kind, FrameKind::video_key);
    auto first = q.pop();
    ASSERT_TRUE(first);
    EXPECT_EQ(first->kind, FrameKind::video_key);
    EXPECT_EQ(q.bytes(), 25u);
    EXPECT_EQ(contents(q), (Names{"audio@10", "video_inter@40"}));
    EXPECT_EQ(q.dropped_frames(), 0u);
}

TEST(PlayerQueue, DurationCountsOnlyAudioAndCodedVideo) {
    PlayerQueue q;
    EXPECT_EQ(q.duration(), 0ms);
    // What a late joiner's queue starts with: status (ts 0), headers from
    // the stream's start, then the GOP an hour in.
    q.push(frame(FrameKind::data, 0, 10));
    q.push(frame(FrameKind::metadata, 0, 10));
    q.push(frame(FrameKind::video_header, 0, 10));
    EXPECT_EQ(q.duration(), 0ms);
    q.push(key(3'600'000, 10));
    EXPECT_EQ(q.duration(), 0ms);
    q.push(audio(3'600'020, 10));
    q.push(inter(3'600'040, 10));
    q.push(frame(FrameKind::data, 0, 10));
    EXPECT_EQ(q.duration(), 40ms);
    EXPECT_EQ(q.size(), 7u);
}

TEST(PlayerQueue, DurationUsesSerialArithmetic) {
    PlayerQueue q;
    q.push(audio(0xFFFF'FF00u, 10));
    q.push(audio(0x0000'0100u, 10));  // wrapped: 512 ms later
    EXPECT_EQ(q.duration(), 512ms);
}

TEST(PlayerQueue, DurationOutOfOrderIsZero) {
    PlayerQueue q;
    q.push(audio(1000, 10));
    q.push(audio(900, 10));
    EXPECT_EQ(q.duration(), 0ms);
}

TEST(PlayerQueue, BelowTheSoftLimitNothingIsDropped) {
    PlayerQueue q(bytes_limits(100));
    q.push(key(0, 40));
    q.push(inter(40, 30));
    EXPECT_EQ(q.push(inter(80, 30)), Push::queued);  // exactly 100: not above
    EXPECT_EQ(q.size(), 3u);
    EXPECT_EQ(q.dropped_frames(), 0u);
    EXPECT_FALSE(q.waiting_for_keyframe());
}

TEST(PlayerQueue, InterFramesAreDroppedFirstThenUntilTheNextKey) {
    PlayerQueue q(bytes_limits(100));
    q.push(key(0, 30));
    q.push(inter(40, 20));
    q.push(audio(45, 20));
    q.push(inter(80, 20));
    EXPECT_EQ(q.bytes(), 90u);
    // 110 > 100: every queued inter frame goes, this one included.
    EXPECT_EQ(q.push(inter(120, 20)), Push::dropped);
    EXPECT_EQ(contents(q), (Names{"video_key@0", "audio@45"}));
    EXPECT_EQ(q.bytes(), 50u);
    EXPECT_EQ(q.dropped_frames(), 3u);
    EXPECT_TRUE(q.waiting_for_keyframe());
    // Below the limit again, but inter frames still wait for a key frame.
    EXPECT_EQ(q.push(inter(160, 5)), Push::dropped);
    EXPECT_EQ(q.dropped_frames(), 4u);
    EXPECT_EQ(q.push(audio(165, 20)), Push::queued);
    EXPECT_EQ(q.push(key(200, 20)), Push::queued);
    EXPECT_FALSE(q.waiting_for_keyframe());
    EXPECT_EQ(q.push(inter(240, 5)), Push::queued);
    EXPECT_EQ(contents(q),
              (Names{"video_key@0", "audio@45", "audio@165", "video_key@200", "video_inter@240"}));
    EXPECT_EQ(q.bytes(), 95u);
    EXPECT_EQ(q.dropped_frames(), 4u);
}

TEST(PlayerQueue, AKeyFrameAtTheTailNeedsNoWait) {
    PlayerQueue q(bytes_limits(100));
    q.push(key(0, 30));
    q.push(inter(40, 30));
    q.push(inter(80, 30));
    EXPECT_EQ(q.push(key(120, 30)), Push::queued);  // 120 > 100: the old GOP's inter frames go
    EXPECT_EQ(contents(q), (Names{"video_key@0", "video_key@120"}));
    EXPECT_EQ(q.dropped_frames(), 2u);
    EXPECT_FALSE(q.waiting_for_keyframe());
    EXPECT_EQ(q.push(inter(160, 10)), Push::queued);  // decodes from the key frame at 120
}

TEST(PlayerQueue, WholeGopsGoWhenDroppingInterFramesIsNotEnough) {
    PlayerQueue q(bytes_limits(90));
    q.push(frame(FrameKind::video_header, 0, 1));
    q.push(key(0, 40));
    q.push(frame(FrameKind::data, 20, 1));
    q.push(inter(40, 4));
    q.push(frame(FrameKind::video_info, 60, 1));
    q.push(key(80, 40));
    EXPECT_EQ(q.bytes(), 87u);
    // 107 > 90; without the inter frame 103 > 90: the GOP before key@80 goes.
    EXPECT_EQ(q.push(audio(85, 20)), Push::queued);
    EXPECT_EQ(contents(q), (Names{"video_header@0", "data@20", "video_info@60", "video_key@80", "audio@85"}));
    EXPECT_EQ(q.bytes(), 63u);
    EXPECT_EQ(q.dropped_frames(), 2u);
    EXPECT_FALSE(q.waiting_for_keyframe());
}

TEST(PlayerQueue, TheNewestKeyFrameIsNeverDropped) {
    PlayerQueue q(bytes_limits(50));
    q.push(key(0, 60));  // alone above the limit: nothing older to drop
    EXPECT_EQ(contents(q), Names{"video_key@0"});
    EXPECT_EQ(q.dropped_frames(), 0u);
    EXPECT_EQ(q.push(key(40, 60)), Push::queued);
    EXPECT_EQ(contents(q), Names{"video_key@40"});
    EXPECT_EQ(q.dropped_frames(), 1u);
}

TEST(PlayerQueue, TheDurationLimitDropsToo) {
    PlayerQueue q(PlayerQueueLimits{1'000'000, 1000ms, 2'000'000});
    q.push(key(0, 10));
    q.push(inter(500, 10));
    q.push(audio(900, 10));
    EXPECT_EQ(q.push(inter(1000, 10)), Push::queued);  // exactly 1000 ms: not above
    EXPECT_EQ(q.push(inter(1100, 10)), Push::dropped);
    EXPECT_EQ(contents(q), (Names{"video_key@0", "audio@900"}));
    EXPECT_TRUE(q.waiting_for_keyframe());
    EXPECT_EQ(q.dropped_frames(), 3u);
}

TEST(PlayerQueue, AudioHeadersMetadataAndDataAreNeverDropped) {
    PlayerQueue q(bytes_limits(50, 1000));
    const FrameKind kept[] = {FrameKind::audio,    FrameKind::audio_header, FrameKind::video_header,
                              FrameKind::metadata, FrameKind::data,         FrameKind::video_info};
    base::Timestamp t = 0;
    for (int round = 0; round < 3; ++round) {
        for (FrameKind k : kept) EXPECT_EQ(q.push(frame(k, t += 10, 20)), Push::queued) << to_string(k);
    }
    EXPECT_EQ(q.size(), 18u);
    EXPECT_EQ(q.bytes(), 360u);
    EXPECT_EQ(q.dropped_frames(), 0u);
}

TEST(PlayerQueue, OverflowPastDisconnectBytes) {
    PlayerQueue q(bytes_limits(50, 100));
    for (base::Timestamp t = 0; t < 5; ++t)
        EXPECT_EQ(q.push(audio(t, 20)), Push::queued);  // 100: not past it
    EXPECT_EQ(q.push(audio(5, 20)), Push::overflow);
    EXPECT_EQ(q.size(), 6u);  // the caller disconnects; nothing was dropped
    EXPECT_EQ(q.dropped_frames(), 0u);
}

TEST(PlayerQueue, DroppingComesBeforeTheOverflowCheck) {
    PlayerQueue q(bytes_limits(50, 100));
    q.push(key(0, 10));
    q.push(inter(1, 40));
    EXPECT_EQ(q.push(audio(2, 55)), Push::queued);  // 105, then 65 without the inter frame
    EXPECT_EQ(q.bytes(), 65u);
    EXPECT_EQ(q.push(inter(3, 50)), Push::dropped);   // dropped while waiting for a key frame
    EXPECT_EQ(q.push(audio(4, 40)), Push::overflow);  // 105 and nothing left to drop
}

TEST(PlayerQueue, RequireKeyframeDropsOnlyInterFrames) {
    PlayerQueue q;
    q.require_keyframe();
    EXPECT_TRUE(q.waiting_for_keyframe());
    EXPECT_EQ(q.push(inter(0, 10)), Push::dropped);
    EXPECT_EQ(q.push(audio(1, 10)), Push::queued);
    EXPECT_EQ(q.push(frame(FrameKind::video_header, 2, 10)), Push::queued);
    EXPECT_EQ(q.push(frame(FrameKind::video_info, 3, 10)), Push::queued);
    EXPECT_EQ(q.push(frame(FrameKind::data, 4, 10)), Push::queued);
    EXPECT_EQ(q.push(inter(5, 10)), Push::dropped);
    EXPECT_TRUE(q.waiting_for_keyframe());
    EXPECT_EQ(q.push(key(6, 10)), Push::queued);
    EXPECT_FALSE(q.waiting_for_keyframe());
    EXPECT_EQ(q.push(inter(7, 10)), Push::queued);
    EXPECT_EQ(q.dropped_frames(), 2u);
    EXPECT_EQ(contents(q),
              (Names{"audio@1", "video_header@2", "video_info@3", "data@4", "video_key@6", "video_inter@7"}));
}

TEST(PlayerQueue, ClearEmptiesTheQueueAndKeepsTheKeyFrameWait) {
    PlayerQueue q;
    q.push(key(0, 10));
    q.push(inter(1, 10));
    q.require_keyframe();
    q.clear();
    EXPECT_TRUE(q.empty());
    EXPECT_EQ(q.bytes(), 0u);
    EXPECT_EQ(q.duration(), 0ms);
    EXPECT_EQ(q.dropped_frames(), 0u);
    EXPECT_TRUE(q.waiting_for_keyframe());
}

// Popped and cleared video frames leave no stale count behind: a later
// overflow of audio alone must find nothing to drop.
TEST(PlayerQueue, PoppedFramesAreForgotten) {
    PlayerQueue q(bytes_limits(30));
    q.push(key(0, 10));
    q.push(inter(1, 10));
    q.push(key(2, 10));
    q.pop();
    q.pop();
    q.pop();
    for (base::Timestamp t = 3; t < 10; ++t) EXPECT_EQ(q.push(audio(t, 10)), Push::queued);
    EXPECT_EQ(q.size(), 7u);
    EXPECT_EQ(q.dropped_frames(), 0u);
    q.clear();
    q.push(inter(20, 10));
    q.push(audio(21, 30));  // above: the only inter frame goes
    EXPECT_EQ(contents(q), Names{"audio@21"});
    EXPECT_EQ(q.dropped_frames(), 1u);
}

}  // namespace
}  // namespace sluice::server
