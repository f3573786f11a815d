#include "server/media_headers.hpp"

#include <gtest/gtest.h>

#include "support/hex_literal.hpp"

namespace sluice::server {
namespace {

using test::hex;

Frame frame(FrameKind kind, base::Timestamp timestamp, const char* bytes = "00") {
    Frame f;
    f.kind = kind;
    f.message.type = rtmp::MessageType::video;
    f.message.timestamp = timestamp;
    f.message.payload = base::Payload::copy_of(base::Bytes(hex(bytes)));
    return f;
}

std::vector<FrameKind> kinds(const std::vector<Frame>& frames) {
    std::vector<FrameKind> out;
    for (const Frame& f : frames) out.push_back(f.kind);
    return out;
}

TEST(MediaHeaders, StartsEmpty) {
    MediaHeaders h;
    EXPECT_TRUE(h.start_frames().empty());
    EXPECT_FALSE(h.metadata());
    EXPECT_FALSE(h.video_header());
    EXPECT_FALSE(h.audio_header());
}

TEST(MediaHeaders, KeepsOnlyHeadersAndMetadata) {
    MediaHeaders h;
    for (FrameKind k : {FrameKind::audio, FrameKind::video_key, FrameKind::video_inter, FrameKind::video_info,
                        FrameKind::data}) {
        EXPECT_FALSE(h.update(frame(k, 0))) << to_string(k);
    }
    EXPECT_TRUE(h.start_frames().empty());
    EXPECT_TRUE(h.update(frame(FrameKind::audio_header, 0)));
    EXPECT_TRUE(h.update(frame(FrameKind::video_header, 0)));
    EXPECT_TRUE(h.update(frame(FrameKind::metadata, 0)));
    EXPECT_TRUE(h.metadata());
    EXPECT_TRUE(h.video_header());
    EXPECT_TRUE(h.audio_header());
}

TEST(MediaHeaders, StartFramesAreMetadataThenVideoThenAudio) {
    MediaHeaders h;
    // Arrival order is the reverse of the order players need (spec 7.2.2.1).
    h.update(frame(FrameKind::audio_header, 1));
    h.update(frame(FrameKind::video_header, 2));
    h.update(frame(FrameKind::metadata, 3));
    EXPECT_EQ(kinds(h.start_frames()),
              (std::vector{FrameKind::metadata, FrameKind::video_header, FrameKind::audio_header}));
}

TEST(MediaHeaders, StartFramesSkipWhatIsMissing) {
    MediaHeaders h;
    h.update(frame(FrameKind::audio_header, 1));
    EXPECT_EQ(kinds(h.start_frames()), std::vector{FrameKind::audio_header});
    h.update(frame(FrameKind::metadata, 2));
    EXPECT_EQ(kinds(h.start_frames()), (std::vector{FrameKind::metadata, FrameKind::audio_header}));
}

TEST(MediaHeaders, ANewHeaderReplacesTheOld) {
    MediaHeaders h;
    h.update(frame(FrameKind::video_header, 0, "17 00 00 00 00 01 64"));
    h.update(frame(FrameKind::audio_header, 0, "AF 00 12 10"));
    h.update(frame(FrameKind::video_header, 5000, "17 00 00 00 00 01 4D"));  // codec change mid-stream
    h.update(frame(FrameKind::metadata, 1, "01"));
    h.update(frame(FrameKind::metadata, 2, "02"));
    const auto frames = h.start_frames();
    ASSERT_EQ(frames.size(), 3u);
    EXPECT_EQ(frames[0].message.timestamp, 2u);
    EXPECT_EQ(frames[1].message.timestamp, 5000u);
    EXPECT_EQ(frames[1].message.payload, base::Payload::copy_of(base::Bytes(hex("17 00 00 00 00 01 4D"))));
    EXPECT_EQ(frames[2].message.payload, base::Payload::copy_of(base::Bytes(hex("AF 00 12 10"))));
}

TEST(MediaHeaders, StartFramesShareThePayloads) {
    MediaHeaders h;
    const Frame header = frame(FrameKind::video_header, 0, "17 00 00 00 00 01");
    h.update(header);
    const auto frames = h.start_frames();
    ASSERT_EQ(frames.size(), 1u);
    EXPECT_EQ(frames[0].message.payload.data(), header.message.payload.data());
}

TEST(MediaHeaders, ClearForgetsEverything) {
    MediaHeaders h;
    h.update(frame(FrameKind::metadata, 0));
    h.update(frame(FrameKind::video_header, 0));
    h.update(frame(FrameKind::audio_header, 0));
    h.clear();
    EXPECT_TRUE(h.start_frames().empty());
    EXPECT_FALSE(h.metadata());
    EXPECT_FALSE(h.video_header());
    EXPECT_FALSE(h.audio_header());
    h.update(frame(FrameKind::audio_header, 7));
    EXPECT_EQ(kinds(h.start_frames()), std::vector{FrameKind::audio_header});
}

}  // namespace
}  // namespace sluice::server
