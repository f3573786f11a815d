#include "flv/audio_header.hpp"

#include <gtest/gtest.h>

#include "flv/errors.hpp"
#include "flv/fourcc.hpp"
#include "support/hex_literal.hpp"

namespace sluice::flv {
namespace {

using test::cat;
using test::hex;

base::ByteVector bytes_of(base::Bytes b) {
    return {b.begin(), b.end()};
}

// ---- legacy (REFERENCE.md §7.3) ----

TEST(AudioHeader, LegacyAacSequenceHeader) {
    const auto payload = hex("AF 00 12 10");
    auto h = parse_audio(payload);
    ASSERT_TRUE(h);
    EXPECT_FALSE(h->enhanced);
    EXPECT_EQ(h->format, SoundFormat::aac);
    EXPECT_EQ(h->sound_rate, 3);
    EXPECT_EQ(h->sound_size, 1);
    EXPECT_EQ(h->sound_type, 1);
    EXPECT_EQ(h->legacy_sample_rate(), 44100u);
    EXPECT_EQ(h->packet_type, AudioPacketType::sequence_start);
    EXPECT_EQ(bytes_of(h->tracks.at(0).body), hex("12 10"));
    EXPECT_TRUE(is_audio_sequence_header(*h));
    base::ByteWriter out;
    write_legacy_aac_header(out, 0);
    EXPECT_EQ(out.data(), hex("AF 00"));
}

TEST(AudioHeader, LegacyAacRawFrame) {
    const auto payload = hex("AF 01 21 10 04");
    auto h = parse_audio(payload);
    ASSERT_TRUE(h);
    EXPECT_EQ(h->packet_type, AudioPacketType::coded_frames);
    EXPECT_EQ(bytes_of(h->tracks.at(0).body), hex("21 10 04"));
    EXPECT_FALSE(is_audio_sequence_header(*h));
}

TEST(AudioHeader, LegacyMp3AndEveryFormat) {
    const auto payload = hex("2F FF FB");
    auto mp3 = parse_audio(payload);
    ASSERT_TRUE(mp3);
    EXPECT_EQ(mp3->format, SoundFormat::mp3);
    EXPECT_EQ(bytes_of(mp3->tracks.at(0).body), hex("FF FB"));
    EXPECT_FALSE(is_audio_sequence_header(*mp3));
    // Every SoundFormat but 9 (ExHeader) and 10 (AAC, needs a packet type)
    // parses from one byte; the low bits land in rate/size/type.
    for (unsigned format = 0; format < 16; ++format) {
        if (format == 9 || format == 10) continue;
        const base::ByteVector one{static_cast<std::uint8_t>(format << 4 | 0x06)};
        auto h = parse_audio(one);
        ASSERT_TRUE(h) << format;
        EXPECT_EQ(static_cast<unsigned>(h->format), format);
        EXPECT_EQ(h->sound_rate, 1);
        EXPECT_EQ(h->sound_size, 1);
        EXPECT_EQ(h->sound_type, 0);
        EXPECT_EQ(h->legacy_sample_rate(), 11025u);
    }
}

TEST(AudioHeader, EmptyMessageIsSilence) {
    auto h = parse_audio({});
    ASSERT_TRUE(h);
    EXPECT_TRUE(h->silence);
    EXPECT_TRUE(h->tracks.empty());
    EXPECT_FALSE(is_audio_sequence_header(*h));
}

TEST(AudioHeader, LegacyMalformed) {
    EXPECT_EQ(parse_audio(hex("AF")).error(), Errc::audio_header_truncated);
    EXPECT_EQ(parse_audio(hex("AF 02")).error(), Errc::audio_packet_type_unknown);
}

// ---- enhanced (REFERENCE.md §8.6 worked bytes) ----

TEST(AudioHeader, OpusSequenceStartAndFrame) {
    const auto start = cat(hex("90 4F 70 75 73"), hex("4F 70 75 73 48 65 61 64"));
    auto h = parse_audio(start);
    ASSERT_TRUE(h);
    EXPECT_TRUE(h->enhanced);
    EXPECT_EQ(h->packet_type, AudioPacketType::sequence_start);
    EXPECT_EQ(h->tracks.at(0).fourcc, fourcc::opus);
    EXPECT_EQ(bytes_of(h->tracks.at(0).body), hex("4F 70 75 73 48 65 61 64"));
    EXPECT_TRUE(is_audio_sequence_header(start));
    const auto frame = hex("91 4F 70 75 73 FC FF FE");
    auto f = parse_audio(frame);
    ASSERT_TRUE(f);
    EXPECT_EQ(f->packet_type, AudioPacketType::coded_frames);
    EXPECT_EQ(bytes_of(f->tracks.at(0).body), hex("FC FF FE"));
    base::ByteWriter out;
    write_enhanced_audio_header(out, AudioPacketType::coded_frames, fourcc::opus);
    EXPECT_EQ(out.data(), hex("91 4F 70 75 73"));
}

TEST(AudioHeader, AacViaFourCc) {
    const auto payload = hex("91 6D 70 34 61 21 10");
    auto h = parse_audio(payload);
    ASSERT_TRUE(h);
    EXPECT_EQ(h->tracks.at(0).fourcc, fourcc::mp4a);
    EXPECT_EQ(bytes_of(h->tracks.at(0).body), hex("21 10"));
}

TEST(AudioHeader, StereoNativeMultichannelConfig) {
    const auto payload = hex("94 4F 70 75 73 01 02 00 00 00 03");
    auto h = parse_audio(payload);
    ASSERT_TRUE(h);
    EXPECT_EQ(h->packet_type, AudioPacketType::multichannel_config);
    const auto& config = h->tracks.at(0).multichannel;
    ASSERT_TRUE(config);
    EXPECT_EQ(config->order, AudioChannelOrder::native);
    EXPECT_EQ(config->channel_count, 2);
    EXPECT_EQ(config->channel_mask, 3u);  // FrontLeft | FrontRight
    base::ByteWriter out;
    write_enhanced_audio_header(out, AudioPacketType::multichannel_config, fourcc::opus);
    write_multichannel_config(out, *config);
    EXPECT_EQ(out.data(), payload);
}

TEST(AudioHeader, CustomMultichannelConfig) {
    const auto payload = hex("94 4F 70 75 73 02 03 00 01 03");
    auto h = parse_audio(payload);
    ASSERT_TRUE(h);
    const auto& config = h->tracks.at(0).multichannel;
    ASSERT_TRUE(config);
    EXPECT_EQ(config->order, AudioChannelOrder::custom);
    EXPECT_EQ(config->channels, (std::vector<std::uint8_t>{0, 1, 3}));
    base::ByteWriter out;
    write_enhanced_audio_header(out, AudioPacketType::multichannel_config, fourcc::opus);
    write_multichannel_config(out, *config);
    EXPECT_EQ(out.data(), payload);
    EXPECT_EQ(parse_audio(hex("94 4F 70 75 73 02 03 00 01")).error(), Errc::multichannel_config_invalid);
    EXPECT_EQ(parse_audio(hex("94 4F 70 75 73 03 02")).error(), Errc::multichannel_config_invalid);
    EXPECT_EQ(parse_audio(hex("94 4F 70 75 73 01 02 00")).error(), Errc::multichannel_config_invalid);
    auto unspecified = parse_audio(hex("94 4F 70 75 73 00 06"));
    ASSERT_TRUE(unspecified);
    EXPECT_EQ(unspecified->tracks.at(0).multichannel->channel_count, 6);
}

TEST(AudioHeader, TwoAacTracks) {
    const base::ByteVector a(64, 0x11);
    const base::ByteVector b(64, 0x22);
    const auto payload = cat(hex("95 11 6D 70 34 61"), hex("00 00 00 40"), a, hex("01 00 00 40"), b);
    auto h = parse_audio(payload);
    ASSERT_TRUE(h);
    EXPECT_TRUE(h->multitrack);
    EXPECT_EQ(h->multitrack_type, MultitrackType::many_tracks);
    EXPECT_EQ(h->packet_type, AudioPacketType::coded_frames);
    ASSERT_EQ(h->tracks.size(), 2u);
    EXPECT_EQ(h->tracks[0].track_id, 0);
    EXPECT_EQ(bytes_of(h->tracks[0].body), a);
    EXPECT_EQ(h->tracks[1].track_id, 1);
    EXPECT_EQ(h->tracks[1].fourcc, fourcc::mp4a);
    EXPECT_EQ(bytes_of(h->tracks[1].body), b);
    // Every shorter prefix fails cleanly except the one ending after track 0.
    for (std::size_t n = 0; n < payload.size(); ++n) {
        EXPECT_EQ(parse_audio(base::Bytes(payload).first(n)).ok(), n == 0 || n == 6u + 4u + 64u) << n;
    }
}

TEST(AudioHeader, FfmpegSingleTrackMultitrackForm) {
    // FFmpeg writes 95 00 <fourcc> 00 ... (OneTrack, SequenceStart).
    const auto payload = hex("95 00 66 4C 61 43 00 66 4C 61 43");
    auto h = parse_audio(payload);
    ASSERT_TRUE(h);
    EXPECT_EQ(h->multitrack_type, MultitrackType::one_track);
    EXPECT_EQ(h->packet_type, AudioPacketType::sequence_start);
    EXPECT_EQ(h->tracks.at(0).fourcc, fourcc::flac);
    EXPECT_EQ(h->tracks.at(0).track_id, 0);
    EXPECT_EQ(bytes_of(h->tracks.at(0).body), hex("66 4C 61 43"));
    EXPECT_TRUE(is_audio_sequence_header(*h));
}

TEST(AudioHeader, ManyTracksManyCodecs) {
    const auto payload = hex("95 21 61 63 2D 33 00 000001 AA 65 63 2D 33 01 000001 BB 2E 6D 70 33 02 000000");
    auto h = parse_audio(payload);
    ASSERT_TRUE(h);
    ASSERT_EQ(h->tracks.size(), 3u);
    EXPECT_EQ(h->tracks[0].fourcc, fourcc::ac3);
    EXPECT_EQ(h->tracks[1].fourcc, fourcc::eac3);
    EXPECT_EQ(h->tracks[2].fourcc, fourcc::mp3);
    EXPECT_TRUE(h->tracks[2].body.empty());
}

TEST(AudioHeader, ModExNanoOffset) {
    const auto payload = hex("97 02 00 01 F4 01 4F 70 75 73 AA");
    auto h = parse_audio(payload);
    ASSERT_TRUE(h);
    EXPECT_EQ(h->nano_offset, 500u);
    EXPECT_EQ(h->packet_type, AudioPacketType::coded_frames);
    base::ByteWriter out;
    write_enhanced_audio_header(out, AudioPacketType::coded_frames, fourcc::opus, 500);
    EXPECT_EQ(out.data(), hex("97 02 00 01 F4 01 4F 70 75 73"));
}

TEST(AudioHeader, EnhancedMalformed) {
    EXPECT_EQ(parse_audio(hex("93 4F 70 75 73")).error(), Errc::audio_packet_type_unknown);
    EXPECT_EQ(parse_audio(hex("96 4F 70 75 73")).error(), Errc::audio_packet_type_unknown);
    EXPECT_EQ(parse_audio(hex("98 4F 70 75 73")).error(), Errc::audio_packet_type_unknown);
    EXPECT_EQ(parse_audio(hex("91 76 6F 72 62")).error(), Errc::audio_fourcc_unknown);
    EXPECT_EQ(parse_audio(hex("91 68 76 63 31")).error(), Errc::audio_fourcc_unknown);  // a video FourCC
    EXPECT_EQ(parse_audio(hex("91 4F 70 75")).error(), Errc::audio_header_truncated);
    EXPECT_EQ(parse_audio(hex("95 51 4F 70 75 73 00")).error(), Errc::multitrack_invalid);  // nested
    EXPECT_EQ(parse_audio(hex("95 31 4F 70 75 73 00")).error(), Errc::multitrack_invalid);  // reserved type
    EXPECT_EQ(parse_audio(hex("95 11 4F 70 75 73 00 000002 AA")).error(), Errc::multitrack_invalid);
    EXPECT_EQ(parse_audio(hex("97 03 00 00 00 00 01 4F 70 75 73")).error(), Errc::mod_ex_invalid);
}

}  // namespace
}  // namespace sluice::flv
