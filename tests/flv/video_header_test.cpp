#include "flv/video_header.hpp"

#include <gtest/gtest.h>

#include "flv/errors.hpp"
#include "flv/fourcc.hpp"
#include "support/hex_literal.hpp"
#include "support/split_feeder.hpp"

namespace sluice::flv {
namespace {

using test::ascii;
using test::cat;
using test::hex;

base::ByteVector bytes_of(base::Bytes b) {
    return {b.begin(), b.end()};
}

TEST(FourCc, MatchesTheReferenceValues) {
    EXPECT_EQ(fourcc::hvc1, 0x68766331u);
    EXPECT_EQ(fourcc::av01, 1635135537u);  // REFERENCE.md §7.5 onMetaData example
    EXPECT_EQ(fourcc::opus, 1332770163u);
    EXPECT_EQ(fourcc::to_string(fourcc::eac3), "ec-3");
    EXPECT_EQ(fourcc::to_string(0x41000142u), "A??B");
}

// ---- legacy (REFERENCE.md §7.4) ----

TEST(VideoHeader, LegacyAvcSequenceHeader) {
    const auto payload = hex("17 00 00 00 00 01 64 00 1F FF E1");
    auto h = parse_video(payload);
    ASSERT_TRUE(h);
    EXPECT_FALSE(h->enhanced);
    EXPECT_EQ(h->frame_type, VideoFrameType::key);
    EXPECT_EQ(h->codec_id, 7);
    EXPECT_EQ(h->packet_type, VideoPacketType::sequence_start);
    ASSERT_EQ(h->tracks.size(), 1u);
    EXPECT_EQ(bytes_of(h->tracks[0].body), hex("01 64 00 1F FF E1"));
    EXPECT_EQ(VideoTagHeader::body_offset(payload, h->tracks[0]), 5u);
    EXPECT_TRUE(is_video_keyframe(*h));
    EXPECT_TRUE(is_video_sequence_header(*h));
}

TEST(VideoHeader, LegacyAvcInterFrameWithPositiveAndNegativeCts) {
    auto h = parse_video(hex("27 01 00 00 42 00 00 00 02 41 9A"));
    ASSERT_TRUE(h);
    EXPECT_EQ(h->frame_type, VideoFrameType::inter);
    EXPECT_EQ(h->packet_type, VideoPacketType::coded_frames);
    EXPECT_EQ(h->tracks[0].composition_time, 66);
    EXPECT_FALSE(is_video_keyframe(*h));
    EXPECT_FALSE(is_video_sequence_header(*h));
    auto n = parse_video(hex("27 01 FF FF DF"));
    ASSERT_TRUE(n);
    EXPECT_EQ(n->tracks[0].composition_time, -33);
    EXPECT_TRUE(n->tracks[0].body.empty());
}

TEST(VideoHeader, LegacyEndOfSequenceAndHevc12) {
    auto end = parse_video(hex("17 02 00 00 00"));
    ASSERT_TRUE(end);
    EXPECT_EQ(end->packet_type, VideoPacketType::sequence_end);
    auto hevc = parse_video(hex("1C 00 00 00 00 01"));
    ASSERT_TRUE(hevc);
    EXPECT_EQ(hevc->codec_id, static_cast<std::uint8_t>(VideoCodecId::hevc_legacy));
    EXPECT_TRUE(is_video_sequence_header(*hevc));
}

TEST(VideoHeader, LegacyOtherCodecsKeepTheirBody) {
    const auto vp6_payload = hex("24 00 11 22");
    auto vp6 = parse_video(vp6_payload);
    ASSERT_TRUE(vp6);
    EXPECT_EQ(vp6->codec_id, 4);
    EXPECT_EQ(bytes_of(vp6->tracks[0].body), hex("00 11 22"));
    EXPECT_FALSE(is_video_sequence_header(*vp6));  // no packet type for VP6
    auto h263 = parse_video(hex("32 AA"));
    ASSERT_TRUE(h263);
    EXPECT_EQ(h263->frame_type, VideoFrameType::disposable_inter);
    auto unknown = parse_video(hex("1F AA"));  // unknown legacy codec: opaque, not an error
    ASSERT_TRUE(unknown);
    EXPECT_EQ(unknown->codec_id, 15);
}

TEST(VideoHeader, LegacyCommandFrame) {
    auto h = parse_video(hex("57 01"));
    ASSERT_TRUE(h);
    EXPECT_EQ(h->frame_type, VideoFrameType::command);
    ASSERT_TRUE(h->command);
    EXPECT_EQ(*h->command, VideoCommand::end_seek);
    EXPECT_TRUE(h->tracks.empty());
    EXPECT_FALSE(is_video_keyframe(*h));
    EXPECT_EQ(parse_video(hex("57")).error(), Errc::video_header_truncated);
}

TEST(VideoHeader, LegacyMalformed) {
    EXPECT_EQ(parse_video({}).error(), Errc::video_header_truncated);
    EXPECT_EQ(parse_video(hex("17 00 00 00")).error(), Errc::video_header_truncated);
    EXPECT_EQ(parse_video(hex("07 01 00 00 00")).error(), Errc::video_frame_type_invalid);
    EXPECT_EQ(parse_video(hex("67 01 00 00 00")).error(), Errc::video_frame_type_invalid);
    EXPECT_EQ(parse_video(hex("17 03 00 00 00")).error(), Errc::video_packet_type_unknown);
}

// ---- enhanced: every worked row of REFERENCE.md §8.2 ----

TEST(VideoHeader, HevcSequenceStart) {
    const auto payload = cat(hex("90 68 76 63 31"), hex("01 02 03"));
    auto h = parse_video(payload);
    ASSERT_TRUE(h);
    EXPECT_TRUE(h->enhanced);
    EXPECT_EQ(h->frame_type, VideoFrameType::key);
    EXPECT_EQ(h->packet_type, VideoPacketType::sequence_start);
    ASSERT_EQ(h->tracks.size(), 1u);
    EXPECT_EQ(h->tracks[0].fourcc, fourcc::hvc1);
    EXPECT_EQ(bytes_of(h->tracks[0].body), hex("01 02 03"));
    EXPECT_TRUE(is_video_sequence_header(payload));
    EXPECT_TRUE(is_video_keyframe(payload));
}

TEST(VideoHeader, HevcKeyFrameCodedFramesX) {
    const auto payload = hex("93 68 76 63 31 00 00 00 01 26");
    auto h = parse_video(payload);
    ASSERT_TRUE(h);
    EXPECT_EQ(h->packet_type, VideoPacketType::coded_frames_x);
    EXPECT_EQ(h->tracks[0].composition_time, 0);
    EXPECT_EQ(bytes_of(h->tracks[0].body), hex("00 00 00 01 26"));
    EXPECT_TRUE(is_video_keyframe(*h));
    EXPECT_FALSE(is_video_sequence_header(*h));
}

TEST(VideoHeader, HevcInterFrameWithCts40) {
    const auto payload = hex("A1 68 76 63 31 00 00 28 00 00 00 01 02");
    auto h = parse_video(payload);
    ASSERT_TRUE(h);
    EXPECT_EQ(h->frame_type, VideoFrameType::inter);
    EXPECT_EQ(h->packet_type, VideoPacketType::coded_frames);
    EXPECT_EQ(h->tracks[0].composition_time, 40);
    EXPECT_EQ(bytes_of(h->tracks[0].body), hex("00 00 00 01 02"));
}

TEST(VideoHeader, Av1KeyFrameHasNoCompositionTime) {
    const auto payload = hex("91 61 76 30 31 12 00 0A");
    auto h = parse_video(payload);
    ASSERT_TRUE(h);
    EXPECT_EQ(h->tracks[0].fourcc, fourcc::av01);
    EXPECT_EQ(h->tracks[0].composition_time, 0);
    EXPECT_EQ(bytes_of(h->tracks[0].body), hex("12 00 0A"));  // OBUs start right after the FourCC
}

TEST(VideoHeader, Vp9SequenceEnd) {
    auto h = parse_video(hex("92 76 70 30 39"));
    ASSERT_TRUE(h);
    EXPECT_EQ(h->packet_type, VideoPacketType::sequence_end);
    EXPECT_EQ(h->tracks[0].fourcc, fourcc::vp09);
    EXPECT_TRUE(h->tracks[0].body.empty());
}

TEST(VideoHeader, MetadataColorInfoIgnoresTheFrameType) {
    const auto amf = cat(hex("02 00 09"), ascii("colorInfo"), hex("03 00 00 09"));
    const auto payload = cat(hex("D4 61 76 30 31"), amf);
    auto h = parse_video(payload);
    ASSERT_TRUE(h);
    EXPECT_EQ(h->packet_type, VideoPacketType::metadata);
    EXPECT_FALSE(h->command);  // frame type 5 with Metadata is not a command
    EXPECT_EQ(bytes_of(h->tracks[0].body), amf);
    EXPECT_FALSE(is_video_keyframe(*h));
    // Any frame type is accepted with Metadata, even a reserved one.
    EXPECT_TRUE(parse_video(cat(hex("84 61 76 30 31"), amf)));
    EXPECT_TRUE(parse_video(cat(hex("94 61 76 30 31"), amf)));
}

TEST(VideoHeader, MultitrackOneTrackAvc) {
    const auto payload = hex("96 03 61 76 63 31 01 00 00 00 01 65");
    auto h = parse_video(payload);
    ASSERT_TRUE(h);
    EXPECT_TRUE(h->multitrack);
    EXPECT_EQ(h->multitrack_type, MultitrackType::one_track);
    EXPECT_EQ(h->packet_type, VideoPacketType::coded_frames_x);
    ASSERT_EQ(h->tracks.size(), 1u);
    EXPECT_EQ(h->tracks[0].fourcc, fourcc::avc1);
    EXPECT_EQ(h->tracks[0].track_id, 1);
    EXPECT_EQ(bytes_of(h->tracks[0].body), hex("00 00 00 01 65"));
    EXPECT_TRUE(is_video_keyframe(*h));
}

TEST(VideoHeader, MultitrackTwoHevcTracks) {
    const base::ByteVector a(32, 0xAA);
    const base::ByteVector b(16, 0xBB);
    const auto payload = cat(hex("96 13 68 76 63 31"), hex("00 000020"), a, hex("01 000010"), b);
    test::for_each_split(payload, [&](const test::Pieces& pieces, const std::string& label) {
        // A message is parsed whole; every cut short of the end must fail
        // cleanly (truncated or multitrack_invalid), never read past it.
        SCOPED_TRACE(label);
        if (pieces.size() != 2) return;
        const auto prefix = pieces[0];
        // The only valid prefix ends right after the first track.
        EXPECT_EQ(parse_video(prefix).ok(), prefix.size() == 6u + 4u + 32u) << prefix.size();
    });
    auto h = parse_video(payload);
    ASSERT_TRUE(h);
    EXPECT_EQ(h->multitrack_type, MultitrackType::many_tracks);
    ASSERT_EQ(h->tracks.size(), 2u);
    EXPECT_EQ(h->tracks[0].track_id, 0);
    EXPECT_EQ(bytes_of(h->tracks[0].body), a);
    EXPECT_EQ(h->tracks[1].track_id, 1);
    EXPECT_EQ(h->tracks[1].fourcc, fourcc::hvc1);
    EXPECT_EQ(bytes_of(h->tracks[1].body), b);
    EXPECT_EQ(VideoTagHeader::body_offset(payload, h->tracks[1]), 6u + 4u + 32u + 4u);
}

TEST(VideoHeader, MultitrackManyCodecsWithCompositionTimes) {
    // ManyTracksManyCodecs, CodedFrames: avc1 track 0 carries a CTS, av01 track 1 does not.
    const auto payload =
        cat(hex("A6 21"), hex("61 76 63 31 00 000005 00 00 21 AA BB"), hex("61 76 30 31 01 000002 CC DD"));
    auto h = parse_video(payload);
    ASSERT_TRUE(h);
    EXPECT_EQ(h->multitrack_type, MultitrackType::many_tracks_many_codecs);
    ASSERT_EQ(h->tracks.size(), 2u);
    EXPECT_EQ(h->tracks[0].fourcc, fourcc::avc1);
    EXPECT_EQ(h->tracks[0].composition_time, 33);
    EXPECT_EQ(bytes_of(h->tracks[0].body), hex("AA BB"));
    EXPECT_EQ(h->tracks[1].fourcc, fourcc::av01);
    EXPECT_EQ(bytes_of(h->tracks[1].body), hex("CC DD"));
}

TEST(VideoHeader, ModExNanoOffset) {
    const auto payload = hex("97 02 0F 42 3F 03 61 76 63 31 00 00 00 01 65");
    auto h = parse_video(payload);
    ASSERT_TRUE(h);
    EXPECT_EQ(h->nano_offset, 999'999u);
    EXPECT_EQ(h->packet_type, VideoPacketType::coded_frames_x);
    EXPECT_EQ(h->tracks[0].fourcc, fourcc::avc1);
    EXPECT_EQ(bytes_of(h->tracks[0].body), hex("00 00 00 01 65"));
    base::ByteWriter out;
    write_enhanced_video_header(out, VideoFrameType::key, VideoPacketType::coded_frames_x, fourcc::avc1, 0,
                                999'999);
    EXPECT_EQ(out.data(), hex("97 02 0F 42 3F 03 61 76 63 31"));
}

TEST(VideoHeader, ModExUnknownTypeIsSkippedAndLongSizeForm) {
    // modExType 1 (unknown), size via the U16 escape: FF then 01 00 -> 257 bytes.
    const auto payload = cat(hex("97 FF 01 00"), base::ByteVector(257, 0x55), hex("11 61 76 30 31 AA"));
    auto h = parse_video(payload);
    ASSERT_TRUE(h);
    EXPECT_EQ(h->nano_offset, 0u);
    EXPECT_EQ(h->packet_type, VideoPacketType::coded_frames);
    EXPECT_EQ(bytes_of(h->tracks[0].body), hex("AA"));
}

TEST(VideoHeader, EnhancedCommandFrame) {
    auto h = parse_video(hex("D1 00"));
    ASSERT_TRUE(h);
    EXPECT_TRUE(h->enhanced);
    ASSERT_TRUE(h->command);
    EXPECT_EQ(*h->command, VideoCommand::start_seek);
}

TEST(VideoHeader, EnhancedMalformed) {
    EXPECT_EQ(parse_video(hex("98 61 76 30 31")).error(), Errc::video_packet_type_unknown);
    EXPECT_EQ(parse_video(hex("91 78 79 7A 31")).error(), Errc::video_fourcc_unknown);
    EXPECT_EQ(parse_video(hex("81 61 76 30 31")).error(), Errc::video_frame_type_invalid);
    EXPECT_EQ(parse_video(hex("E1 61 76 30 31")).error(), Errc::video_frame_type_invalid);
    EXPECT_EQ(parse_video(hex("91 61 76 30")).error(), Errc::video_header_truncated);
    EXPECT_EQ(parse_video(hex("A1 68 76 63 31 00 00")).error(), Errc::video_header_truncated);
    EXPECT_EQ(parse_video(hex("96 63 61 76 63 31 01")).error(),
              Errc::multitrack_invalid);  // nested multitrack
    EXPECT_EQ(parse_video(hex("96 33 61 76 63 31 01")).error(), Errc::multitrack_invalid);  // reserved type 3
    EXPECT_EQ(parse_video(hex("96 13 61 76 63 31 00 000009 AA")).error(), Errc::multitrack_invalid);
    EXPECT_EQ(parse_video(hex("96 03 61 76 63 31")).error(), Errc::video_header_truncated);  // no track id
    EXPECT_EQ(parse_video(hex("97 01 00 00 03 61 76 63 31")).error(),
              Errc::mod_ex_invalid);  // nano of 2 bytes
    EXPECT_EQ(parse_video(hex("97 02 0F 42 40 03 61 76 63 31")).error(), Errc::mod_ex_invalid);  // 1000000 ns
    EXPECT_EQ(parse_video(hex("97 02 00 00")).error(), Errc::video_header_truncated);
}

TEST(VideoHeader, TooManyTracksIsLimited) {
    base::ByteVector payload = hex("96 13 61 76 63 31");
    for (int i = 0; i < 5; ++i) payload.insert(payload.end(), {static_cast<std::uint8_t>(i), 0, 0, 0});
    VideoTagHeader::Limits limits;
    limits.max_tracks = 4;
    EXPECT_EQ(parse_video(payload, limits).error(), Errc::too_many_tracks);
    limits.max_tracks = 5;
    auto h = parse_video(payload, limits);
    ASSERT_TRUE(h);
    EXPECT_EQ(h->tracks.size(), 5u);
}

TEST(VideoHeader, WritersRoundTrip) {
    base::ByteWriter legacy;
    write_legacy_avc_header(legacy, VideoFrameType::inter, VideoCodecId::avc, 1, -33);
    EXPECT_EQ(legacy.data(), hex("27 01 FF FF DF"));
    base::ByteWriter start;
    write_enhanced_video_header(start, VideoFrameType::key, VideoPacketType::sequence_start, fourcc::hvc1);
    EXPECT_EQ(start.data(), hex("90 68 76 63 31"));
    base::ByteWriter inter;
    write_enhanced_video_header(inter, VideoFrameType::inter, VideoPacketType::coded_frames, fourcc::hvc1,
                                40);
    EXPECT_EQ(inter.data(), hex("A1 68 76 63 31 00 00 28"));
    base::ByteWriter av1;
    write_enhanced_video_header(av1, VideoFrameType::key, VideoPacketType::coded_frames, fourcc::av01, 40);
    EXPECT_EQ(av1.data(), hex("91 61 76 30 31"));  // no CTS for av01
    auto h = parse_video(inter.data());
    ASSERT_TRUE(h);
    EXPECT_EQ(h->tracks[0].composition_time, 40);
}

}  // namespace
}  // namespace sluice::flv
