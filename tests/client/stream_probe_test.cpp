// client::StreamProbe: codecs from real sequence headers, rates measured
// from timestamps, times to first frames, metadata, and both renderings.
//
// The H.264 and AAC sequence headers below were cut from an FLV that
// `ffmpeg -f lavfi -i testsrc2=size=320x240:rate=25 -f lavfi -i
// sine=sample_rate=44100 -c:v libx264 -preset ultrafast -c:a aac -ac 2`
// wrote (the first video and audio tags); the HEVC record is x265's for
// 1920x1080 (the same bytes tests/flv/codec_summary_test.cpp uses).
#include "client/stream_probe.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "flv/metadata.hpp"
#include "support/hex_literal.hpp"

namespace sluice::client {
namespace {

using sluice::test::cat;
using sluice::test::hex;
using Clock = StreamProbe::Clock;
using std::chrono::microseconds;
using std::chrono::milliseconds;

const auto avc_sequence_header =
    hex("17 00 00 00 00 01 42 c0 0d ff e1 00 16 67 42 c0 0d da 05 07 ec 04 40 00 00 03 00 40 00 00 0c 83 c5 "
        "0a a8 "
        "01 00 04 68 ce 0f c8");
const auto aac_sequence_header = hex("af 00 12 10 56 e5 00");
const auto hvcc_360 =
    hex("01 01 60 00 00 00 90 00 00 00 00 00 3f f0 00 fc fd f8 f8 00 00 0f 03 20 00 01 00 18 40 01 0c 01 ff "
        "ff 01 60 "
        "00 00 03 00 90 00 00 03 00 00 03 00 3f 95 94 09 21 00 01 00 2b 42 01 01 01 60 00 00 03 00 90 00 00 "
        "03 00 00 "
        "03 00 3f a0 05 02 01 71 f2 e5 95 95 29 30 bc 05 a0 20 00 00 03 00 20 00 00 03 03 c1 22 00 01 00 06 "
        "44 01 c0 "
        "73 c1 89");

Incoming media(rtmp::MessageType type, base::Timestamp ts, const base::ByteVector& bytes) {
    Incoming in;
    in.kind = type == rtmp::MessageType::video ? Incoming::Kind::video : Incoming::Kind::audio;
    in.message.type = type;
    in.message.timestamp = ts;
    in.message.stream_id = 1;
    in.message.payload = base::Payload::copy_of(base::Bytes(bytes));
    return in;
}

Incoming video(base::Timestamp ts, const base::ByteVector& bytes) {
    return media(rtmp::MessageType::video, ts, bytes);
}
Incoming audio(base::Timestamp ts, const base::ByteVector& bytes) {
    return media(rtmp::MessageType::audio, ts, bytes);
}

/// A coded H.264 frame of `size` bytes (key or inter).
base::ByteVector avc_frame(bool key, std::size_t size) {
    base::ByteVector out = hex(key ? "17 01 00 00 00" : "27 01 00 00 00");
    out.resize(size, 0xAB);
    return out;
}

base::ByteVector aac_frame(std::size_t size) {
    base::ByteVector out = hex("af 01");
    out.resize(size, 0x21);
    return out;
}

Incoming metadata_message() {
    flv::Metadata meta;
    meta.properties.set("width", 320);
    meta.properties.set("height", 240);
    meta.properties.set("framerate", 25);
    meta.properties.set("encoder", "Lavf59.27.100");
    Incoming in;
    in.kind = Incoming::Kind::data;
    in.name = "onMetaData";
    in.message.type = rtmp::MessageType::data_amf0;
    in.message.stream_id = 1;
    in.message.payload = base::Payload::from(flv::encode_metadata(meta));
    return in;
}

Incoming status(const std::string& code) {
    Incoming in;
    in.kind = Incoming::Kind::status;
    in.status = rtmp::StatusObject{};
    in.status->code = code;
    return in;
}

/// Two seconds of a 25 fps, 1-key-frame-a-second stream with 1000-byte
/// frames and 46 AAC frames a second of 200 bytes, starting at `t0` ms
/// (timestamps) and arriving 40 ms apart from `start` + 50 ms.
StreamProbe two_seconds(Clock::time_point start, base::Timestamp t0 = 0) {
    StreamProbe probe(start);
    Clock::time_point at = start + milliseconds(50);
    probe.add(status("NetStream.Play.Reset"), at);
    probe.add(status("NetStream.Play.Start"), at);
    probe.add(metadata_message(), at);
    probe.add(video(t0, avc_sequence_header), at);
    probe.add(audio(t0, aac_sequence_header), at);
    for (int i = 0; i < 50; ++i) {
        probe.add(video(t0 + static_cast<base::Timestamp>(i * 40), avc_frame(i % 25 == 0, 1000)),
                  at + milliseconds(40 * i));
    }
    // AAC at 44100 Hz: 1024 samples a frame, every 23.22 ms; 87 frames = 2 s minus one.
    for (int i = 0; i < 87; ++i) {
        probe.add(audio(t0 + static_cast<base::Timestamp>(i * 1024 * 1000 / 44100), aac_frame(200)),
                  at + milliseconds(i * 23));
    }
    return probe;
}

TEST(StreamProbe, CodecsFromRealSequenceHeaders) {
    const auto start = Clock::now();
    StreamProbe probe = two_seconds(start);
    const ProbeReport& r = probe.report();
    ASSERT_TRUE(r.video);
    EXPECT_EQ(r.video->codec, "H.264");
    EXPECT_EQ(r.video->profile, "Constrained Baseline");
    EXPECT_EQ(r.video->level, "1.3");
    EXPECT_EQ(r.video->width, 320u);
    EXPECT_EQ(r.video->height, 240u);
    EXPECT_EQ(r.video->description, "H.264 Constrained Baseline 1.3 320x240");
    EXPECT_TRUE(r.video->from_sequence_header);
    ASSERT_TRUE(r.audio);
    EXPECT_EQ(r.audio->codec, "AAC");
    EXPECT_EQ(r.audio->profile, "LC");
    EXPECT_EQ(r.audio->sample_rate, 44100u);
    EXPECT_EQ(r.audio->channels, 2u);
    EXPECT_TRUE(r.audio->from_sequence_header);
    EXPECT_EQ(r.video_track.sequence_headers, 1u);
    EXPECT_EQ(r.audio_track.sequence_headers, 1u);
}

TEST(StreamProbe, RatesFromTimestampsAndCounts) {
    const auto start = Clock::now();
    StreamProbe probe = two_seconds(start);
    const ProbeReport& r = probe.report();
    EXPECT_EQ(r.video_track.frames, 50u);  // sequence header not counted
    EXPECT_EQ(r.video_track.key_frames, 2u);
    EXPECT_EQ(r.video_track.frame_bytes, 50'000u);
    ASSERT_TRUE(r.video_track.frame_rate());
    EXPECT_DOUBLE_EQ(*r.video_track.frame_rate(), 25.0);  // 49 intervals over 1960 ms
    // 1000 bytes per 40 ms = 200 kbit/s.
    ASSERT_TRUE(r.video_track.bitrate());
    EXPECT_NEAR(*r.video_track.bitrate(), 200'000.0, 1.0);
    ASSERT_TRUE(r.video_track.key_frame_interval_ms());
    EXPECT_DOUBLE_EQ(*r.video_track.key_frame_interval_ms(), 1000.0);
    EXPECT_EQ(r.audio_track.frames, 87u);
    ASSERT_TRUE(r.audio_track.frame_rate());
    EXPECT_NEAR(*r.audio_track.frame_rate(), 44100.0 / 1024, 0.1);
    EXPECT_NEAR(*r.audio_track.bitrate(), 200 * 8 * 44100.0 / 1024, 100);
    ASSERT_TRUE(r.bitrate());
    EXPECT_NEAR(*r.bitrate(), *r.video_track.bitrate() + *r.audio_track.bitrate(), 1e-6);
    EXPECT_EQ(probe.media_span_ms(), 1996);  // the audio: 86 × 1024 / 44.1 ms
    EXPECT_EQ(r.statuses, (std::vector<std::string>{"NetStream.Play.Reset", "NetStream.Play.Start"}));
    EXPECT_EQ(r.data_messages, 1u);
    EXPECT_EQ(r.unparsed, 0u);
}

TEST(StreamProbe, TimesToFirstFramesAreFromTheStartGiven) {
    const auto start = Clock::now();
    StreamProbe probe(start);
    probe.add(video(0, avc_sequence_header), start + milliseconds(5));
    EXPECT_FALSE(probe.report().first_frame);  // a sequence header is not a frame
    probe.add(video(40, avc_frame(false, 100)), start + milliseconds(7));
    probe.add(audio(40, aac_frame(10)), start + milliseconds(8));
    probe.add(video(80, avc_frame(true, 100)), start + milliseconds(9));
    probe.add(video(120, avc_frame(true, 100)), start + milliseconds(11));
    const ProbeReport& r = probe.report();
    EXPECT_EQ(r.first_frame, microseconds(7000));
    EXPECT_EQ(r.first_audio, microseconds(8000));
    EXPECT_EQ(r.first_key_frame, microseconds(9000));
    EXPECT_EQ(r.last_message, microseconds(11000));
}

TEST(StreamProbe, MetadataIsDecodedAndKept) {
    StreamProbe probe = two_seconds(Clock::now());
    const ProbeReport& r = probe.report();
    ASSERT_TRUE(r.metadata);
    EXPECT_EQ(r.metadata->width(), 320);
    EXPECT_EQ(r.metadata->framerate(), 25);
    EXPECT_EQ(r.metadata->encoder(), "Lavf59.27.100");
}

TEST(StreamProbe, OtherDataHandlersAreCountedNotParsedAsMetadata) {
    StreamProbe probe(Clock::now());
    Incoming in;
    in.kind = Incoming::Kind::data;
    in.message.type = rtmp::MessageType::data_amf0;
    // "|RtmpSampleAccess", false, false (nginx-rtmp sends it before media).
    in.message.payload = base::Payload::from(
        cat(hex("02 00 11"), sluice::test::ascii("|RtmpSampleAccess"), hex("01 00 01 00")));
    probe.add(in, Clock::now());
    EXPECT_EQ(probe.report().data_messages, 1u);
    EXPECT_FALSE(probe.report().metadata);
    EXPECT_EQ(probe.report().unparsed, 0u);
}

TEST(StreamProbe, HevcEnhancedSequenceStart) {
    StreamProbe probe(Clock::now());
    probe.add(video(0, cat(hex("90 68 76 63 31"), hvcc_360)), Clock::now());
    ASSERT_TRUE(probe.report().video);
    EXPECT_EQ(probe.report().video->codec, "H.265");
    EXPECT_EQ(probe.report().video->profile, "Main");
    EXPECT_EQ(probe.report().video->level, "2.1");
    EXPECT_EQ(probe.report().video->width, 640u);
    EXPECT_EQ(probe.report().video->height, 360u);
}

TEST(StreamProbe, LegacyCodecsWithoutSequenceHeaderNameTheCodec) {
    StreamProbe probe(Clock::now());
    probe.add(audio(0, hex("2F FF FB 90 00")), Clock::now());  // MP3 44 kHz 16-bit stereo
    probe.add(video(0, hex("12 00 00 00")), Clock::now());     // Sorenson H.263 key frame
    const ProbeReport& r = probe.report();
    ASSERT_TRUE(r.audio);
    EXPECT_EQ(r.audio->codec, "MP3");
    EXPECT_EQ(r.audio->sample_rate, 44100u);
    EXPECT_EQ(r.audio->channels, 2u);
    EXPECT_FALSE(r.audio->from_sequence_header);
    ASSERT_TRUE(r.video);
    EXPECT_EQ(r.video->codec, "Sorenson H.263");
    EXPECT_EQ(r.video_track.key_frames, 1u);
}

TEST(StreamProbe, TimestampWrapIsUnwrapped) {
    StreamProbe probe(Clock::now());
    const base::Timestamp near_wrap = 0xFFFFFFFFu - 39;  // 40 ms before the wrap
    probe.add(video(near_wrap, avc_frame(true, 100)), Clock::now());
    probe.add(video(near_wrap + 40, avc_frame(false, 100)), Clock::now());  // wraps to 0
    probe.add(video(near_wrap + 80, avc_frame(false, 100)), Clock::now());
    EXPECT_EQ(probe.report().video_track.span_ms(), 80);
    EXPECT_DOUBLE_EQ(*probe.report().video_track.frame_rate(), 25.0);
}

TEST(StreamProbe, BrokenPayloadsAreNotedNotThrown) {
    StreamProbe probe(Clock::now());
    probe.add(video(0, hex("91 78 78 78 78")), Clock::now());     // unknown FourCC
    probe.add(video(0, hex("17 00 00 00 00 02")), Clock::now());  // bad avcC: codec named, no profile
    EXPECT_EQ(probe.report().unparsed, 1u);
    ASSERT_EQ(probe.report().notes.size(), 1u);
    EXPECT_NE(probe.report().notes[0].find("video at 0 ms"), std::string::npos);
    ASSERT_TRUE(probe.report().video);
    EXPECT_EQ(probe.report().video->codec, "H.264");
    EXPECT_EQ(probe.report().video->profile, "");
}

TEST(StreamProbe, FewFramesGiveNoRates) {
    StreamProbe probe(Clock::now());
    probe.add(video(0, avc_frame(true, 100)), Clock::now());
    EXPECT_FALSE(probe.report().video_track.frame_rate());
    EXPECT_FALSE(probe.report().video_track.bitrate());
    EXPECT_FALSE(probe.report().bitrate());
}

ProbeServer sample_server() {
    ProbeServer s;
    s.url = "rtmp://127.0.0.1:1935/live/test";
    s.fms_ver = "FMS/3,0,1,123";
    s.capabilities = 31;
    s.mode = 1;
    s.connect_code = "NetConnection.Connect.Success";
    s.connect_description = "Connection succeeded.";
    s.handshake = rtmp::HandshakeKind::digest;
    s.server_version = rtmp::default_server_version;
    s.tcp_connected = microseconds(210);
    s.handshake_done = microseconds(950);
    s.connected = microseconds(1800);
    s.play_start = microseconds(2600);
    return s;
}

TEST(StreamProbe, JsonReportHasEveryField) {
    StreamProbe probe = two_seconds(Clock::now());
    const std::string text = render_probe_json(sample_server(), probe.report());
    ASSERT_EQ(text.back(), '\n');
    const boost::json::value v = boost::json::parse(text);
    const auto& root = v.as_object();
    EXPECT_EQ(root.at("url").as_string(), "rtmp://127.0.0.1:1935/live/test");
    const auto& server = root.at("server").as_object();
    EXPECT_EQ(server.at("fmsVer").as_string(), "FMS/3,0,1,123");
    EXPECT_EQ(server.at("capabilities").as_int64(), 31);
    EXPECT_EQ(server.at("handshake").as_string(), "digest");
    EXPECT_EQ(server.at("version").as_string(), "13.14.10.13");
    const auto& times = root.at("times_ms").as_object();
    EXPECT_DOUBLE_EQ(times.at("tcp_connected").as_double(), 0.21);
    EXPECT_DOUBLE_EQ(times.at("play_start").as_double(), 2.6);
    EXPECT_DOUBLE_EQ(times.at("first_frame").as_double(), 50.0);
    EXPECT_DOUBLE_EQ(times.at("first_key_frame").as_double(), 50.0);
    const auto& video = root.at("video").as_object();
    EXPECT_EQ(video.at("codec").as_string(), "H.264");
    EXPECT_EQ(video.at("profile").as_string(), "Constrained Baseline");
    EXPECT_EQ(video.at("level").as_string(), "1.3");
    EXPECT_EQ(video.at("width").as_int64(), 320);
    EXPECT_EQ(video.at("height").as_int64(), 240);
    const auto& audio = root.at("audio").as_object();
    EXPECT_EQ(audio.at("codec").as_string(), "AAC");
    EXPECT_EQ(audio.at("profile").as_string(), "LC");
    EXPECT_EQ(audio.at("sample_rate").as_int64(), 44100);
    EXPECT_EQ(audio.at("channels").as_int64(), 2);
    const auto& frames = root.at("video_frames").as_object();
    EXPECT_EQ(frames.at("frames").as_int64(), 50);
    EXPECT_EQ(frames.at("frame_rate").as_int64(), 25);
    EXPECT_EQ(root.at("metadata").as_object().at("encoder").as_string(), "Lavf59.27.100");
    EXPECT_EQ(root.at("metadata").as_object().at("width").as_int64(), 320);
    EXPECT_EQ(root.at("statuses").as_array().size(), 2u);
}

TEST(StreamProbe, JsonUnknownsAreNull) {
    StreamProbe probe(Clock::now());
    ProbeServer server = sample_server();
    server.play_start.reset();
    const auto v = boost::json::parse(render_probe_json(server, probe.report()));
    const auto& root = v.as_object();
    EXPECT_TRUE(root.at("video").is_null());
    EXPECT_TRUE(root.at("audio").is_null());
    EXPECT_TRUE(root.at("metadata").is_null());
    EXPECT_TRUE(root.at("bitrate").is_null());
    EXPECT_TRUE(root.at("times_ms").as_object().at("play_start").is_null());
    EXPECT_TRUE(root.at("times_ms").as_object().at("first_frame").is_null());
}

TEST(StreamProbe, TextReportNamesTheEssentials) {
    StreamProbe probe = two_seconds(Clock::now());
    const std::string text = render_probe_text(sample_server(), probe.report());
    for (const char* expected :
         {"FMS/3,0,1,123", "31 (mode 1)", "digest (server version 13.14.10.13)",
          "H.264 Constrained Baseline 1.3 320x240", "AAC LC 44100 Hz 2 ch", "25.00 fps", "200.0 kbit/s",
          "a key frame every 1000 ms", "first key frame  50.00 ms", "Play.Start       2.60 ms",
          "encoder: \"Lavf59.27.100\"", "NetStream.Play.Reset, NetStream.Play.Start"}) {
        EXPECT_NE(text.find(expected), std::string::npos) << "missing: " << expected << "\n" << text;
    }
}

}  // namespace
}  // namespace sluice::client
