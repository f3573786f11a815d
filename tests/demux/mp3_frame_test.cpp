#include "demux/mp3_frame.hpp"

#include <gtest/gtest.h>

#include "support/hex_literal.hpp"

namespace sluice::demux {
namespace {

using sluice::test::hex;

TEST(Mp3FrameHeader, ReadsMpeg1LayerIII) {
    // FF FB 90 C0: MPEG-1 Layer III, no CRC, 128 kbit/s, 44100 Hz, no padding, mono.
    auto h = parse_mp3_frame_header(hex("FF FB 90 C0"));
    ASSERT_TRUE(h);
    EXPECT_EQ(h->version, 1);
    EXPECT_FALSE(h->crc);
    EXPECT_EQ(h->bitrate, 128000u);
    EXPECT_EQ(h->sample_rate, 44100u);
    EXPECT_EQ(h->channels(), 1);
    EXPECT_EQ(h->samples_per_frame, 1152u);
    EXPECT_EQ(h->frame_size, 417u);  // 144 * 128000 / 44100
    EXPECT_EQ(h->xing_offset(), 21u);
    // Same with padding (bit 9) and joint stereo: one more byte.
    h = parse_mp3_frame_header(hex("FF FB 92 40"));
    ASSERT_TRUE(h);
    EXPECT_EQ(h->frame_size, 418u);
    EXPECT_EQ(h->channels(), 2);
    EXPECT_EQ(h->xing_offset(), 36u);
    // Protection bit clear: a CRC follows.
    EXPECT_TRUE(parse_mp3_frame_header(hex("FF FA 90 C0"))->crc);
}

TEST(Mp3FrameHeader, ReadsMpeg2AndMpeg25) {
    // FF F3 = MPEG-2 Layer III; 0x48: bitrate index 4 (32 kbit/s), rate index 2 (16000 Hz).
    auto h = parse_mp3_frame_header(hex("FF F3 48 C4"));
    ASSERT_TRUE(h);
    EXPECT_EQ(h->version, 2);
    EXPECT_EQ(h->bitrate, 32000u);
    EXPECT_EQ(h->sample_rate, 16000u);
    EXPECT_EQ(h->samples_per_frame, 576u);
    EXPECT_EQ(h->frame_size, 144u);  // 72 * 32000 / 16000
    // FF E3 = MPEG-2.5 Layer III; 0x28: 16 kbit/s, 8000 Hz.
    h = parse_mp3_frame_header(hex("FF E3 28 C4"));
    ASSERT_TRUE(h);
    EXPECT_EQ(h->version, 25);
    EXPECT_EQ(h->sample_rate, 8000u);
    EXPECT_EQ(h->frame_size, 144u);
}

TEST(Mp3FrameHeader, RefusesWhatIsNotLayerIII) {
    EXPECT_FALSE(parse_mp3_frame_header(hex("FF FD 90 C0")));  // Layer II
    EXPECT_FALSE(parse_mp3_frame_header(hex("FF FF 90 C0")));  // Layer I
    EXPECT_FALSE(parse_mp3_frame_header(hex("FF EB 90 C0")));  // version 01 reserved
    EXPECT_FALSE(parse_mp3_frame_header(hex("FF FB 00 C0")));  // free format
    EXPECT_FALSE(parse_mp3_frame_header(hex("FF FB F0 C0")));  // bitrate index 15
    EXPECT_FALSE(parse_mp3_frame_header(hex("FF FB 9C C0")));  // rate index 3
    EXPECT_FALSE(parse_mp3_frame_header(hex("FF 7B 90 C0")));  // broken sync
    EXPECT_FALSE(parse_mp3_frame_header(hex("FF FB 90")));     // too short
}

TEST(Mp3FrameHeader, KnowsStreamsAndVbrInfoFrames) {
    auto a = *parse_mp3_frame_header(hex("FF FB 90 C0"));
    auto b = *parse_mp3_frame_header(hex("FF FB B2 40"));  // other bitrate, padding, stereo
    auto c = *parse_mp3_frame_header(hex("FF FB 94 C0"));  // 48000 Hz
    EXPECT_TRUE(same_stream(a, b));
    EXPECT_FALSE(same_stream(a, c));
    base::ByteVector frame(a.frame_size, 0);
    EXPECT_FALSE(is_vbr_info_frame(a, frame));
    frame[21] = 'I', frame[22] = 'n', frame[23] = 'f', frame[24] = 'o';
    EXPECT_TRUE(is_vbr_info_frame(a, frame));
    base::ByteVector vbri(200, 0);
    vbri[36] = 'V', vbri[37] = 'B', vbri[38] = 'R', vbri[39] = 'I';
    EXPECT_TRUE(is_vbr_info_frame(b, vbri));
}

TEST(Mp3FrameHeader, FlvHeaderByteFollowsTheFlvTable) {
    EXPECT_EQ(flv_mp3_header_byte(44100, 2), 0x2F);  // REFERENCE.md §7.3: MP3 44 kHz 16-bit stereo
    EXPECT_EQ(flv_mp3_header_byte(48000, 1), 0x2E);
    EXPECT_EQ(flv_mp3_header_byte(22050, 1), 0x2A);
    EXPECT_EQ(flv_mp3_header_byte(16000, 2), 0x2B);
    EXPECT_EQ(flv_mp3_header_byte(11025, 2), 0x27);
    EXPECT_EQ(flv_mp3_header_byte(8000, 1), 0xE2);  // SoundFormat 14: MP3 8 kHz
}

}  // namespace
}  // namespace sluice::demux
