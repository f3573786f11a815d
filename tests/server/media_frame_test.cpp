#include "server/media_frame.hpp"

#include <gtest/gtest.h>

#include "flv/audio_header.hpp"
#include "flv/fourcc.hpp"
#include "flv/video_header.hpp"
#include "rtmp/data_message.hpp"
#include "support/hex_literal.hpp"

namespace sluice::server {
namespace {

using rtmp::MessageType;
using test::ascii;
using test::cat;
using test::hex;

rtmp::Message message(MessageType type, const base::ByteVector& bytes) {
    rtmp::Message m;
    m.type = type;
    m.payload = base::Payload::copy_of(base::Bytes(bytes));
    return m;
}

FrameKind video(const base::ByteVector& bytes) {
    return classify(message(MessageType::video, bytes));
}

FrameKind audio(const base::ByteVector& bytes) {
    return classify(message(MessageType::audio, bytes));
}

base::ByteVector enhanced_video(flv::VideoFrameType frame, flv::VideoPacketType packet, std::uint32_t fourcc,
                                const base::ByteVector& body = hex("00 00 00 01 26")) {
    base::ByteWriter out;
    flv::write_enhanced_video_header(out, frame, packet, fourcc);
    return cat(out.take(), body);
}

// ---- Frame and FrameKind ----

Frame of_kind(FrameKind kind) {
    return Frame{{}, kind};
}

TEST(MediaFrame, KindNames) {
    EXPECT_EQ(to_string(FrameKind::audio), "audio");
    EXPECT_EQ(to_string(FrameKind::audio_header), "audio_header");
    EXPECT_EQ(to_string(FrameKind::video_key), "video_key");
    EXPECT_EQ(to_string(FrameKind::video_inter), "video_inter");
    EXPECT_EQ(to_string(FrameKind::video_header), "video_header");
    EXPECT_EQ(to_string(FrameKind::video_info), "video_info");
    EXPECT_EQ(to_string(FrameKind::data), "data");
    EXPECT_EQ(to_string(FrameKind::metadata), "metadata");
}

TEST(MediaFrame, VideoAndAudioPredicates) {
    for (FrameKind k :
         {FrameKind::video_key, FrameKind::video_inter, FrameKind::video_header, FrameKind::video_info}) {
        EXPECT_TRUE(of_kind(k).is_video()) << to_string(k);
        EXPECT_FALSE(of_kind(k).is_audio()) << to_string(k);
    }
    for (FrameKind k : {FrameKind::audio, FrameKind::audio_header}) {
        EXPECT_TRUE(of_kind(k).is_audio()) << to_string(k);
        EXPECT_FALSE(of_kind(k).is_video()) << to_string(k);
    }
    for (FrameKind k : {FrameKind::data, FrameKind::metadata}) {
        EXPECT_FALSE(of_kind(k).is_audio()) << to_string(k);
        EXPECT_FALSE(of_kind(k).is_video()) << to_string(k);
    }
}

TEST(MediaFrame, CopiesShareThePayload) {
    const Frame a{message(MessageType::video, hex("17 01 00 00 00 65")), FrameKind::video_key};
    const Frame b = a;  // NOLINT(performance-unnecessary-copy-initialization): the copy is the point
    EXPECT_EQ(a.message.payload.data(), b.message.payload.data());
    EXPECT_EQ(a.message.payload.use_count(), 2);
}

// ---- legacy video (REFERENCE.md §7.4) ----

TEST(Classify, LegacyAvc) {
    EXPECT_EQ(video(hex("17 00 00 00 00 01 64 00 1F FF E1")), FrameKind::video_header);
    EXPECT_EQ(video(hex("17 01 00 00 00 00 00 00 05 65 88")), FrameKind::video_key);
    EXPECT_EQ(video(hex("27 01 00 00 42 00 00 00 02 41 9A")), FrameKind::video_inter);
    EXPECT_EQ(video(hex("17 02 00 00 00")), FrameKind::video_info);  // end of sequence
    EXPECT_EQ(video(hex("27 02 00 00 00")), FrameKind::video_info);
}

TEST(Classify, LegacyAvcEdgeCases) {
    EXPECT_EQ(video(hex("27 00 00 00 00 01")), FrameKind::video_header);  // frame type does not matter
    EXPECT_EQ(video(hex("17 01 00 00 00")), FrameKind::video_key);        // no NALU yet: still a key frame
    EXPECT_EQ(video(hex("47 01 00 00 00 65")), FrameKind::video_inter);   // generated key frame
    EXPECT_EQ(video(hex("37 01 00 00 00 41")), FrameKind::video_inter);   // disposable inter
    EXPECT_EQ(video(hex("17 03 00 00 00")), FrameKind::video_info);       // AVCPacketType 3 is invalid
    EXPECT_EQ(video(hex("17 01 00 00")), FrameKind::video_info);          // truncated composition time
    EXPECT_EQ(video(hex("17")), FrameKind::video_info);
    EXPECT_EQ(video(hex("17 00")), FrameKind::video_info);
}

TEST(Classify, LegacyHevcCodec12LikeAvc) {
    EXPECT_EQ(video(hex("1C 00 00 00 00 01 01 60")), FrameKind::video_header);
    EXPECT_EQ(video(hex("1C 01 00 00 00 26 01")), FrameKind::video_key);
    EXPECT_EQ(video(hex("2C 01 00 00 28 02 01")), FrameKind::video_inter);
    EXPECT_EQ(video(hex("1C 02 00 00 00")), FrameKind::video_info);
}

TEST(Classify, OtherLegacyCodecsUseTheFrameType) {
    EXPECT_EQ(video(hex("12 00 84 00")), FrameKind::video_key);    // Sorenson H.263
    EXPECT_EQ(video(hex("22 00 84 00")), FrameKind::video_inter);  // the body is opaque
    EXPECT_EQ(video(hex("32 00 84 00")), FrameKind::video_inter);  // disposable
    EXPECT_EQ(video(hex("14 00 00")), FrameKind::video_key);       // VP6 (adjustment byte 00)
    EXPECT_EQ(video(hex("24 00 00")), FrameKind::video_inter);
    EXPECT_EQ(video(hex("13")), FrameKind::video_key);        // screen video, empty body
    EXPECT_EQ(video(hex("1F 01 02")), FrameKind::video_key);  // unknown codec 15: not an error
}

TEST(Classify, CommandFramesAndReservedFrameTypesAreInfo) {
    EXPECT_EQ(video(hex("57 00")), FrameKind::video_info);  // start of client-side seek
    EXPECT_EQ(video(hex("52 01")), FrameKind::video_info);
    EXPECT_EQ(video(hex("57")), FrameKind::video_info);
    EXPECT_EQ(video(hex("07 01 00 00 00 65")), FrameKind::video_info);  // frame type 0
    EXPECT_EQ(video(hex("67 01 00 00 00 65")), FrameKind::video_info);  // frame type 6
    EXPECT_EQ(video(hex("77 01 00 00 00 65")), FrameKind::video_info);  // frame type 7
}

TEST(Classify, EmptyVideoIsInfoAndEmptyAudioIsAudio) {
    EXPECT_EQ(video({}), FrameKind::video_info);
    EXPECT_EQ(audio({}), FrameKind::audio);  // E-RTMP silence marker
}

// The byte-level legacy path must agree with the FLV parser on every first
// byte and packet type, including what does not parse.
FrameKind classify_with_parser(const base::ByteVector& bytes) {
    auto h = flv::parse_video(bytes);
    if (!h || h->command) return FrameKind::video_info;
    if (flv::is_video_sequence_header(*h)) return FrameKind::video_header;
    if (h->packet_type == flv::VideoPacketType::sequence_end) return FrameKind::video_info;
    return h->frame_type == flv::VideoFrameType::key ? FrameKind::video_key : FrameKind::video_inter;
}

TEST(Classify, LegacyFastPathAgreesWithTheParser) {
    for (int first = 0; first < 0x80; ++first) {
        for (int second = 0; second < 5; ++second) {
            for (std::size_t size = 1; size <= 6; ++size) {
                base::ByteVector bytes{
                    static_cast<std::uint8_t>(first), static_cast<std::uint8_t>(second), 0, 0, 0, 0x65};
                bytes.resize(size);
                EXPECT_EQ(video(bytes), classify_with_parser(bytes))
                    << "first " << first << " second " << second << " size " << size;
            }
        }
    }
}

// ---- Enhanced RTMP video (REFERENCE.md §8.1-§8.5) ----

TEST(Classify, EnhancedHevc) {
    using flv::VideoFrameType;
    using flv::VideoPacketType;
    EXPECT_EQ(video(enhanced_video(VideoFrameType::key, VideoPacketType::sequence_start, flv::fourcc::hvc1,
                                   hex("01 01 60 00 00 00"))),
              FrameKind::video_header);
    EXPECT_EQ(video(enhanced_video(VideoFrameType::key, VideoPacketType::coded_frames, flv::fourcc::hvc1)),
              FrameKind::video_key);
    EXPECT_EQ(video(enhanced_video(VideoFrameType::inter, VideoPacketType::coded_frames, flv::fourcc::hvc1)),
              FrameKind::video_inter);
    EXPECT_EQ(video(enhanced_video(VideoFrameType::key, VideoPacketType::coded_frames_x, flv::fourcc::hvc1)),
              FrameKind::video_key);
    EXPECT_EQ(
        video(enhanced_video(VideoFrameType::inter, VideoPacketType::coded_frames_x, flv::fourcc::hvc1)),
        FrameKind::video_inter);
    EXPECT_EQ(
        video(enhanced_video(VideoFrameType::key, VideoPacketType::sequence_end, flv::fourcc::hvc1, {})),
        FrameKind::video_info);
}

TEST(Classify, EnhancedWorkedBytes) {
    EXPECT_EQ(video(cat(hex("90"), ascii("hvc1"), hex("01 01 60"))), FrameKind::video_header);
    EXPECT_EQ(video(cat(hex("A1"), ascii("hvc1"), hex("00 00 28 00 00 00 01 02"))), FrameKind::video_inter);
    // ModEx (nano offset 999999) before CodedFramesX of avc1.
    EXPECT_EQ(video(cat(hex("97 02 0F 42 3F 03"), ascii("avc1"), hex("00 00 00 01 65"))),
              FrameKind::video_key);
}

TEST(Classify, EnhancedOtherCodecsAndGeneratedKey) {
    using flv::VideoFrameType;
    using flv::VideoPacketType;
    EXPECT_EQ(video(enhanced_video(VideoFrameType::key, VideoPacketType::coded_frames, flv::fourcc::av01)),
              FrameKind::video_key);
    EXPECT_EQ(video(enhanced_video(VideoFrameType::inter, VideoPacketType::coded_frames, flv::fourcc::vp09)),
              FrameKind::video_inter);
    EXPECT_EQ(video(enhanced_video(VideoFrameType::generated_key, VideoPacketType::coded_frames,
                                   flv::fourcc::av01)),
              FrameKind::video_inter);
}

TEST(Classify, EnhancedMetadataCommandAndMpeg2Ts) {
    using flv::VideoFrameType;
    using flv::VideoPacketType;
    // Metadata as FFmpeg writes it: frame type 5, then the FourCC and AMF.
    EXPECT_EQ(video(cat(hex("D4"), ascii("hvc1"), hex("02 00 09"), ascii("colorInfo"))),
              FrameKind::video_info);
    EXPECT_EQ(video(cat(hex("94"), ascii("av01"), hex("02 00 09"), ascii("colorInfo"))),
              FrameKind::video_info);
    EXPECT_EQ(video(hex("D1 00")), FrameKind::video_info);  // enhanced command frame
    // MPEG2TSSequenceStart carries an AV1 configuration: the parser calls it
    // a sequence header, so it is cached as one.
    EXPECT_EQ(video(enhanced_video(VideoFrameType::key, VideoPacketType::mpeg2ts_sequence_start,
                                   flv::fourcc::av01, hex("80 00 0C"))),
              FrameKind::video_header);
}

TEST(Classify, EnhancedMultitrackUsesTheFrameType) {
    const auto two_tracks = [](const char* head, const char* multitrack) {
        return cat(hex(head), hex(multitrack), ascii("hvc1"), hex("00 000008 00 00 00 00 00 00 00 01"),
                   hex("01 000004 00 00 00 02"));
    };
    EXPECT_EQ(video(two_tracks("96", "13")), FrameKind::video_key);     // ManyTracks, CodedFramesX
    EXPECT_EQ(video(two_tracks("A6", "13")), FrameKind::video_inter);   // same, inter
    EXPECT_EQ(video(two_tracks("96", "10")), FrameKind::video_header);  // ManyTracks, SequenceStart
    EXPECT_EQ(video(cat(hex("96 02"), ascii("hvc1"), hex("00"))), FrameKind::video_info);  // SequenceEnd
}

TEST(Classify, EnhancedUnparsableIsInfo) {
    EXPECT_EQ(video(hex("90 68 76")), FrameKind::video_info);  // truncated FourCC
    EXPECT_EQ(video(cat(hex("91"), ascii("abcd"), hex("00 00 00"))),
              FrameKind::video_info);                                        // unknown FourCC
    EXPECT_EQ(video(cat(hex("98"), ascii("hvc1"))), FrameKind::video_info);  // packet type 8
    EXPECT_EQ(video(cat(hex("81"), ascii("hvc1"), hex("00 00 00"))), FrameKind::video_info);  // frame type 0
    EXPECT_EQ(video(cat(hex("96 33"), ascii("hvc1"))), FrameKind::video_info);  // multitrack type 3
}

// ---- audio (REFERENCE.md §7.3, §8.6) ----

TEST(Classify, LegacyAac) {
    EXPECT_EQ(audio(hex("AF 00 12 10")), FrameKind::audio_header);
    EXPECT_EQ(audio(hex("AF 01 21 00 49 90")), FrameKind::audio);
    EXPECT_EQ(audio(hex("AE 00 12 10")), FrameKind::audio_header);  // rate/size/type bits do not matter
    EXPECT_EQ(audio(hex("AF")), FrameKind::audio);                  // truncated: passed on as audio
}

TEST(Classify, OtherLegacyAudioHasNoHeader) {
    EXPECT_EQ(audio(hex("2F FF FB 90 64")), FrameKind::audio);  // MP3
    EXPECT_EQ(audio(hex("2F 00 00")), FrameKind::audio);        // a 00 second byte is not AAC's header
    EXPECT_EQ(audio(hex("B6 00 01")), FrameKind::audio);        // Speex
    EXPECT_EQ(audio(hex("72 00")), FrameKind::audio);           // G.711 A-law
}

TEST(Classify, EnhancedAudio) {
    base::ByteWriter start;
    flv::write_enhanced_audio_header(start, flv::AudioPacketType::sequence_start, flv::fourcc::opus);
    EXPECT_EQ(audio(cat(start.take(), ascii("OpusHead"), hex("01 02 38 01"))), FrameKind::audio_header);
    base::ByteWriter coded;
    flv::write_enhanced_audio_header(coded, flv::AudioPacketType::coded_frames, flv::fourcc::opus);
    EXPECT_EQ(audio(cat(coded.take(), hex("FC FF FE"))), FrameKind::audio);
    EXPECT_EQ(audio(cat(hex("92"), ascii("Opus"))), FrameKind::audio);  // SequenceEnd
    EXPECT_EQ(audio(hex("90 4F 70")), FrameKind::audio);                // truncated: audio
    EXPECT_EQ(audio(cat(hex("90"), ascii("abcd"))), FrameKind::audio);  // unknown FourCC: audio
}

// ---- data messages ----

rtmp::Message data(std::string_view handler, rtmp::Encoding encoding = rtmp::Encoding::amf0) {
    rtmp::DataMessage d;
    d.handler = std::string(handler);
    d.values.emplace_back(amf::EcmaArray{});
    return rtmp::encode_data_message(d, encoding, 1);
}

TEST(Classify, OnMetaDataIsMetadata) {
    EXPECT_EQ(classify(data("onMetaData")), FrameKind::metadata);
    EXPECT_EQ(classify(data("onMetaData", rtmp::Encoding::amf3)), FrameKind::metadata);
    EXPECT_EQ(classify(message(MessageType::data_amf0, cat(hex("02 00 0A"), ascii("onMetaData")))),
              FrameKind::metadata);
}

TEST(Classify, OtherDataIsData) {
    EXPECT_EQ(classify(data("onCuePoint")), FrameKind::data);
    EXPECT_EQ(classify(data("@setDataFrame")), FrameKind::data);
    EXPECT_EQ(classify(data("onMetaDataX")), FrameKind::data);
    EXPECT_EQ(classify(data("onMeta")), FrameKind::data);
    EXPECT_EQ(classify(data("onTextData", rtmp::Encoding::amf3)), FrameKind::data);
    EXPECT_EQ(classify(message(MessageType::data_amf0, {})), FrameKind::data);
    EXPECT_EQ(classify(message(MessageType::data_amf0, cat(hex("02 00 0A"), ascii("onMeta")))),
              FrameKind::data);
    // Type 15 must start with 00 (decode_data_message refuses it otherwise).
    EXPECT_EQ(classify(message(MessageType::data_amf3, cat(hex("02 00 0A"), ascii("onMetaData")))),
              FrameKind::data);
    EXPECT_EQ(classify(message(MessageType::data_amf3, {})), FrameKind::data);
}

TEST(Classify, NonMediaMessagesAreData) {
    const auto bytes = cat(hex("02 00 0A"), ascii("onMetaData"));
    EXPECT_EQ(classify(message(MessageType::command_amf0, bytes)), FrameKind::data);
    EXPECT_EQ(classify(message(MessageType::user_control, hex("00 00 00 00 00 01"))), FrameKind::data);
    EXPECT_EQ(classify(message(MessageType::aggregate, hex("09 00 00 05"))), FrameKind::data);
}

}  // namespace
}  // namespace sluice::server
