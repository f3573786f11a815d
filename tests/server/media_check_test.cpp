#include "server/media_check.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sluice::server {
namespace {

rtmp::Message media(rtmp::MessageType type, base::Timestamp timestamp, std::vector<std::uint8_t> bytes) {
    rtmp::Message m;
    m.type = type;
    m.timestamp = timestamp;
    m.payload = base::Payload::from(base::ByteVector(bytes.begin(), bytes.end()));
    return m;
}
rtmp::Message video(base::Timestamp t, std::vector<std::uint8_t> b) {
    return media(rtmp::MessageType::video, t, std::move(b));
}
rtmp::Message audio(base::Timestamp t, std::vector<std::uint8_t> b) {
    return media(rtmp::MessageType::audio, t, std::move(b));
}

// A real AVC sequence header (High profile, one 4-byte SPS, one PPS) and AAC LC 44.1 kHz stereo.
const std::vector<std::uint8_t> avc_header{0x17, 0x00, 0,    0,    0,    0x01, 0x64, 0x00,
                                           0x1F, 0xFF, 0xE1, 0x00, 0x04, 0x67, 0x64, 0x00,
                                           0x1F, 0x01, 0x00, 0x04, 0x68, 0xEE, 0x3C, 0x80};
const std::vector<std::uint8_t> aac_header{0xAF, 0x00, 0x12, 0x10};
const std::vector<std::uint8_t> key{0x17, 0x01, 0, 0, 0, 0, 0, 0, 1, 0x65};
const std::vector<std::uint8_t> inter{0x27, 0x01, 0, 0, 0, 0, 0, 0, 1, 0x41};
const std::vector<std::uint8_t> aac_frame{0xAF, 0x01, 0x21};

TEST(MediaCheck, AWellFormedStreamHasNoProblem) {
    MediaCheck check;
    EXPECT_FALSE(check.check(video(0, avc_header)));
    EXPECT_FALSE(check.check(audio(0, aac_header)));
    for (base::Timestamp t = 0; t < 2000; t += 40) {
        EXPECT_FALSE(check.check(video(t, t % 1000 == 0 ? key : inter)));
        EXPECT_FALSE(check.check(audio(t + 3, aac_frame)));
    }
    // Empty audio is an E-RTMP silence marker; B-frame reordering moves timestamps back a little.
    EXPECT_FALSE(check.check(audio(2100, {})));
    EXPECT_FALSE(check.check(video(1900, inter)));
    EXPECT_EQ(check.problem_messages(), 0u);
}

TEST(MediaCheck, ShortTagsAreReportedOncePerKind) {
    MediaCheck check;
    const auto first = check.check(video(5, {}));
    ASSERT_TRUE(first);
    EXPECT_NE(first->find("video: an empty video message at 5 ms"), std::string::npos) << *first;
    EXPECT_FALSE(check.check(video(6, {})));  // the same kind: counted, not reported again
    const auto avc_short = check.check(video(7, {0x17, 0x01, 0}));
    EXPECT_FALSE(avc_short);  // short_video again
    const auto aac_short = check.check(audio(8, {0xAF}));
    ASSERT_TRUE(aac_short);
    EXPECT_NE(aac_short->find("AAC message of 1 byte"), std::string::npos) << *aac_short;
    EXPECT_EQ(check.problem_messages(), 4u);
}

TEST(MediaCheck, SequenceHeadersWhoseLengthsLie) {
    MediaCheck check;
    // The SPS length says 0xFFFF bytes; two follow.
    const auto lie = check.check(
        video(0, {0x17, 0x00, 0, 0, 0, 0x01, 0x64, 0x00, 0x1F, 0xFF, 0xE1, 0xFF, 0xFF, 0x67, 0x64}));
    ASSERT_TRUE(lie);
    EXPECT_NE(lie->find("AVC sequence header whose configuration record does not parse"), std::string::npos);
    const auto aac = check.check(audio(0, {0xAF, 0x00}));
    ASSERT_TRUE(aac);
    EXPECT_NE(aac->find("AudioSpecificConfig does not parse"), std::string::npos) << *aac;
}

TEST(MediaCheck, FramesBeforeTheirSequenceHeader) {
    MediaCheck check;
    const auto v = check.check(video(0, key));
    ASSERT_TRUE(v);
    EXPECT_NE(v->find("a video frame before any video sequence header"), std::string::npos) << *v;
    const auto a = check.check(audio(0, aac_frame));
    ASSERT_TRUE(a);
    EXPECT_NE(a->find("an AAC frame before any AAC sequence header"), std::string::npos) << *a;
    // Once the headers came, frames are fine.
    EXPECT_FALSE(check.check(video(40, avc_header)));
    EXPECT_FALSE(check.check(video(40, key)));
    EXPECT_FALSE(check.check(audio(40, aac_header)));
    EXPECT_FALSE(check.check(audio(63, aac_frame)));
}

TEST(MediaCheck, TimestampsGoingBackwardsButNotAWrap) {
    MediaCheck check;
    check.check(video(0, avc_header));
    EXPECT_FALSE(check.check(video(2000, key)));
    const auto back = check.check(video(100, inter));
    ASSERT_TRUE(back);
    EXPECT_NE(back->find("timestamp went back from 2000 to 100 ms"), std::string::npos) << *back;

    MediaCheck wrap;
    wrap.check(video(0, avc_header));
    EXPECT_FALSE(wrap.check(video(0xFFFFFF00u, key)));
    EXPECT_FALSE(wrap.check(video(0x10, inter)));  // 2^32 + 16: forwards in serial arithmetic
    EXPECT_EQ(wrap.problem_messages(), 0u);
}

TEST(MediaCheck, OneMessageWithTwoProblemsReportsBoth) {
    MediaCheck check;
    check.check(video(0, avc_header));
    check.check(video(5000, key));
    const auto both = check.check(video(10, {0x17}));
    ASSERT_TRUE(both);
    EXPECT_NE(both->find("shorter than its 5-byte AVC header; timestamp went back"), std::string::npos)
        << *both;
}

}  // namespace
}  // namespace sluice::server
