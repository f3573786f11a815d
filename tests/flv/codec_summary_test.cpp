#include "flv/codec_summary.hpp"

#include <gtest/gtest.h>

#include "flv/errors.hpp"
#include "flv/fourcc.hpp"
#include "support/hex_literal.hpp"

namespace sluice::flv {
namespace {

using test::cat;
using test::hex;

const auto avcc_720 = hex("01 64 00 28 FF E1 00 0A 67 64 00 28 AC D9 40 50 05 B9 01 00 04 68 EB E3 CB");

TEST(CodecSummary, LegacyAndEnhancedAvc) {
    EXPECT_EQ(*describe_video(cat(hex("17 00 00 00 00"), avcc_720)), "H.264 High 4.0 1280x720");
    EXPECT_EQ(*describe_video(cat(hex("90 61 76 63 31"), avcc_720)), "H.264 High 4.0 1280x720");
    EXPECT_EQ(*describe_video(hex("27 01 00 00 00 AA")), "H.264");
    EXPECT_EQ(describe_video(hex("17 00 00 00 00 02")).error(), Errc::avc_config_invalid);
}

TEST(CodecSummary, Hevc) {
    const auto hvcc =
        hex("01 01 60 00 00 00 90 00 00 00 00 00 7B F0 00 FC FD F8 F8 00 00 0F 01"
            "A1 00 01 00 1A 42 01 01 01 60 00 00 03 00 90 00 00 03 00 00 03 00 7B A0 03 C0 80 11 07 CB 96");
    EXPECT_EQ(*describe_video(cat(hex("90 68 76 63 31"), hvcc)), "H.265 Main 4.1 1920x1080");
    EXPECT_EQ(*describe_video(cat(hex("1C 00 00 00 00"), hvcc)), "H.265 Main 4.1 1920x1080");
}

TEST(CodecSummary, OtherVideo) {
    EXPECT_EQ(*describe_video(hex("91 61 76 30 31 12 00")), "AV1");
    EXPECT_EQ(*describe_video(hex("92 76 70 30 39")), "VP9");
    EXPECT_EQ(*describe_video(hex("22 00")), "Sorenson H.263");
    EXPECT_EQ(*describe_video(hex("57 01")), "H.264 command");
    EXPECT_EQ(describe_video(hex("91 78 78 78 78")).error(), Errc::video_fourcc_unknown);
}

TEST(CodecSummary, Audio) {
    EXPECT_EQ(*describe_audio(hex("AF 00 12 10")), "AAC LC 44100 Hz 2 ch");
    EXPECT_EQ(*describe_audio(hex("90 6D 70 34 61 11 88")), "AAC LC 48000 Hz 1 ch");
    EXPECT_EQ(*describe_audio(hex("AF 01 21")), "AAC");
    EXPECT_EQ(*describe_audio(hex("2F FF FB")), "MP3 44100 Hz 16-bit stereo");
    EXPECT_EQ(*describe_audio(hex("52 00")), "Nellymoser 8 kHz");
    EXPECT_EQ(*describe_audio(hex("68 00")), "Nellymoser 22050 Hz 8-bit mono");
    EXPECT_EQ(*describe_audio(cat(hex("90 4F 70 75 73"),
                                  hex("4F 70 75 73 48 65 61 64 01 02 38 01 80 BB 00 00 00 00 00"))),
              "Opus 48000 Hz 2 ch");
    EXPECT_EQ(*describe_audio(hex("90 4F 70 75 73")), "Opus");
    EXPECT_EQ(*describe_audio(hex("91 65 63 2D 33 0B 77")), "E-AC-3");
    EXPECT_EQ(*describe_audio({}), "silence");
    EXPECT_EQ(describe_audio(hex("AF 00 16 90")).error(), Errc::aac_config_invalid);
}

}  // namespace
}  // namespace sluice::flv
