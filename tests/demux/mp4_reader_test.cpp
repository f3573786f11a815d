// Mp4Reader against files ffmpeg makes, compared with what ffprobe reads
// from the same files: every packet's offset, size, times and key flag,
// the codec parameters and the duration.
#include "demux/mp4_reader.hpp"

#include <gtest/gtest.h>

#include <cstdlib>

#include "demux/errors.hpp"
#include "demux_test_support.hpp"
#include "flv/aac_config.hpp"
#include "flv/audio_header.hpp"
#include "flv/avc_config.hpp"
#include "flv/hevc_config.hpp"
#include "flv/video_header.hpp"

namespace sluice::demux {
namespace {

using test::generate;
using test::probe;
using test::read_file;
using test::to_ms;

const std::string av_inputs =
    "-f lavfi -i testsrc2=size=160x120:rate=25 -f lavfi -i sine=frequency=440:sample_rate=44100 -t 2 ";
const std::string h264_aac = av_inputs + "-c:v libx264 -g 25 -bf 2 -pix_fmt yuv420p -c:a aac -b:a 64k";

test::fs::path h264_file() {
    return generate(h264_aac, "mp4", {"libx264"});
}
test::fs::path faststart_file() {
    return generate(h264_aac + " -movflags +faststart", "mp4", {"libx264"});
}

struct Opened {
    std::unique_ptr<MemorySource> source;
    std::optional<Mp4Reader> reader;
    std::error_code error;
};

Opened open_bytes(base::ByteVector bytes, const Mp4Limits& limits = {}) {
    Opened o;
    o.source = std::make_unique<MemorySource>(std::move(bytes));
    auto r = Mp4Reader::open(*o.source, limits);
    if (r) {
        o.reader.emplace(std::move(*r));
    } else {
        o.error = r.error();
    }
    return o;
}

/// Every sample of every track, through next(); checks decode order on the way.
std::vector<std::vector<Sample>> drain(Mp4Reader& reader) {
    std::vector<std::vector<Sample>> out(reader.tracks().size());
    std::int64_t last = INT64_MIN;
    while (auto s = reader.next()) {
        EXPECT_GE(s->dts_ms, last);
        last = s->dts_ms;
        out[s->track].push_back(*s);
    }
    return out;
}

void expect_matches_ffprobe(const test::fs::path& file, std::size_t track_count) {
    ASSERT_FALSE(file.empty());
    const auto p = probe(file);
    auto o = open_bytes(read_file(file));
    ASSERT_TRUE(o.reader) << o.error.message();
    Mp4Reader& reader = *o.reader;
    ASSERT_EQ(reader.tracks().size(), track_count);
    EXPECT_NEAR(static_cast<double>(reader.duration_ms()), p.duration * 1000, 1.0);
    const auto samples = drain(reader);
    for (std::size_t t = 0; t < reader.tracks().size(); ++t) {
        const Mp4Track& track = reader.tracks()[t];
        const std::string type = track.kind == TrackKind::video ? "video" : "audio";
        int stream = -1;
        for (std::size_t s = 0; s < p.streams.size(); ++s) {
            if (p.streams[s].codec_type == type) stream = static_cast<int>(s);
        }
        ASSERT_GE(stream, 0) << type;
        const auto& ps = p.streams[static_cast<std::size_t>(stream)];
        if (track.kind == TrackKind::video) {
            EXPECT_EQ(track.width, static_cast<std::uint32_t>(ps.width));
            EXPECT_EQ(track.height, static_cast<std::uint32_t>(ps.height));
        } else {
            EXPECT_EQ(track.sample_rate, static_cast<std::uint32_t>(ps.sample_rate));
            EXPECT_EQ(track.channels, ps.channels);
        }
        const auto packets = p.packets_of(stream);
        ASSERT_FALSE(packets.empty());
        ASSERT_EQ(samples[t].size(), packets.size()) << type;
        EXPECT_EQ(track.sample_count, packets.size());
        for (std::size_t i = 0; i < packets.size(); ++i) {
            SCOPED_TRACE(type + " packet " + std::to_string(i));
            const Sample& s = samples[t][i];
            EXPECT_EQ(s.offset, packets[i].pos);
            EXPECT_EQ(s.size, packets[i].size);
            EXPECT_NEAR(static_cast<double>(s.dts_ms), static_cast<double>(to_ms(packets[i].dts)), 1.0);
            EXPECT_NEAR(static_cast<double>(s.pts_ms()), static_cast<double>(to_ms(packets[i].pts)), 1.0);
            EXPECT_EQ(s.keyframe, packets[i].key);
        }
    }
}

TEST(Mp4Reader, H264AacWithMoovAfterMdatMatchesFfprobe) {
    const auto file = h264_file();
    if (file.empty()) GTEST_SKIP() << "libx264 missing";
    const auto bytes = read_file(file);
    ASSERT_LT(test::find_box(bytes, "mdat"), test::find_box(bytes, "moov"));
    expect_matches_ffprobe(file, 2);
}

TEST(Mp4Reader, H264AacWithFaststartMatchesFfprobe) {
    const auto file = faststart_file();
    if (file.empty()) GTEST_SKIP() << "libx264 missing";
    const auto bytes = read_file(file);
    ASSERT_GT(test::find_box(bytes, "mdat"), test::find_box(bytes, "moov"));
    expect_matches_ffprobe(file, 2);
}

TEST(Mp4Reader, HevcAacMatchesFfprobe) {
    const auto file = generate(av_inputs +
                                   "-c:v libx265 -x265-params log-level=error -tag:v hvc1 -g 25 -bf 2 "
                                   "-c:a aac",
                               "mp4", {"libx265"});
    if (file.empty()) GTEST_SKIP() << "libx265 missing";
    expect_matches_ffprobe(file, 2);
    auto o = open_bytes(read_file(file));
    ASSERT_TRUE(o.reader);
    const auto& t = o.reader->tracks()[0];
    EXPECT_EQ(t.codec, Mp4Codec::hevc);
    // Enhanced RTMP: 90 'hvc1' <hvcC> for the sequence start.
    const auto seq = o.reader->sequence_header(0);
    ASSERT_GT(seq.size(), 5u);
    EXPECT_EQ(base::ByteVector(seq.data(), seq.data() + 5), (base::ByteVector{0x90, 'h', 'v', 'c', '1'}));
    auto config = flv::parse_hevc_config(seq.bytes().subspan(5));
    ASSERT_TRUE(config);
    ASSERT_TRUE(config->first_sps);
    EXPECT_EQ(config->first_sps->width, 160u);
    // A coded frame parses back with the reader's composition offset.
    const auto s = o.reader->next();
    ASSERT_TRUE(s);
    auto payload = o.reader->read_tag_payload(*s);
    ASSERT_TRUE(payload);
    auto h = flv::parse_video(payload->bytes());
    ASSERT_TRUE(h);
    EXPECT_TRUE(h->enhanced);
    EXPECT_EQ(h->frame_type, flv::VideoFrameType::key);
    EXPECT_EQ(h->packet_type, flv::VideoPacketType::coded_frames);
    ASSERT_EQ(h->tracks.size(), 1u);
    EXPECT_EQ(h->tracks[0].composition_time, s->cts_ms);
    EXPECT_EQ(h->tracks[0].body.size(), s->size);
}

TEST(Mp4Reader, AudioOnlyAndVideoOnlyFilesMatchFfprobe) {
    const auto audio =
        generate("-f lavfi -i sine=frequency=300:sample_rate=48000 -t 1 -ac 2 -c:a aac -b:a 96k", "mp4");
    expect_matches_ffprobe(audio, 1);
    const auto video =
        generate("-f lavfi -i testsrc2=size=64x48:rate=30 -t 1 -c:v libx264 -bf 0", "mp4", {"libx264"});
    if (video.empty()) GTEST_SKIP() << "libx264 missing";
    expect_matches_ffprobe(video, 1);
}

TEST(Mp4Reader, Mp3InMp4MatchesFfprobe) {
    const auto file = generate(
        "-f lavfi -i testsrc2=size=64x48:rate=25 -f lavfi -i sine=sample_rate=22050 -t 1 "
        "-c:v libx264 -bf 0 -c:a libmp3lame -b:a 32k",
        "mp4", {"libx264", "libmp3lame"});
    if (file.empty()) GTEST_SKIP() << "libx264 or libmp3lame missing";
    expect_matches_ffprobe(file, 2);
    auto o = open_bytes(read_file(file));
    ASSERT_TRUE(o.reader);
    auto& r = *o.reader;
    EXPECT_EQ(r.tracks()[1].codec, Mp4Codec::mp3);
    EXPECT_TRUE(r.sequence_header(1).empty());
    while (auto s = r.next()) {
        if (s->kind != TrackKind::audio) continue;
        auto payload = r.read_tag_payload(*s);
        ASSERT_TRUE(payload);
        EXPECT_EQ(payload->data()[0], 0x2A);  // MP3, 22 kHz, 16-bit, mono
        EXPECT_EQ(payload->data()[1], 0xFF);  // then the MPEG frame itself
        break;
    }
}

TEST(Mp4Reader, AnInitialEmptyEditDelaysTheTrackLikeFfprobe) {
    // -itsoffset gives the audio an empty edit of 0.5 s before its priming shift.
    const auto file = generate(
        "-f lavfi -i testsrc2=size=64x48:rate=25 -itsoffset 0.5 -f lavfi -i "
        "sine=frequency=440:sample_rate=44100 -t 2 -c:v libx264 -bf 0 -c:a aac",
        "mp4", {"libx264"});
    if (file.empty()) GTEST_SKIP() << "libx264 missing";
    expect_matches_ffprobe(file, 2);
    auto o = open_bytes(read_file(file));
    ASSERT_TRUE(o.reader);
    o.reader->seek(0).value();
    EXPECT_EQ(o.reader->next()->kind, TrackKind::video);
}

TEST(Mp4Reader, EditListShiftHidesBFrameDelayAndGivesTheFlvShift) {
    const auto file = h264_file();
    if (file.empty()) GTEST_SKIP() << "libx264 missing";
    auto o = open_bytes(read_file(file));
    ASSERT_TRUE(o.reader);
    auto& r = *o.reader;
    // Two B-frames at 25 fps: the first frame decodes at -80 ms, shows at 0.
    auto first = r.next();
    ASSERT_TRUE(first);
    EXPECT_EQ(first->kind, TrackKind::video);
    EXPECT_EQ(first->dts_ms, -80);
    EXPECT_EQ(first->pts_ms(), 0);
    EXPECT_TRUE(first->keyframe);
    EXPECT_EQ(r.timestamp_shift_ms(), 80);
}

TEST(Mp4Reader, SequenceHeadersAndTagPayloadsAreFlvBodies) {
    const auto file = h264_file();
    if (file.empty()) GTEST_SKIP() << "libx264 missing";
    const auto bytes = read_file(file);
    auto o = open_bytes(bytes);
    ASSERT_TRUE(o.reader);
    auto& r = *o.reader;
    ASSERT_EQ(r.video_track(), 0u);
    ASSERT_EQ(r.audio_track(), 1u);

    const auto video_seq = r.sequence_header(0);
    ASSERT_GT(video_seq.size(), 5u);
    EXPECT_EQ(base::ByteVector(video_seq.data(), video_seq.data() + 5), (base::ByteVector{0x17, 0, 0, 0, 0}));
    auto avc = flv::parse_avc_config(video_seq.bytes().subspan(5));
    ASSERT_TRUE(avc);
    ASSERT_TRUE(avc->first_sps);
    EXPECT_EQ(avc->first_sps->width, 160u);
    EXPECT_EQ(avc->first_sps->height, 120u);
    EXPECT_TRUE(flv::is_video_sequence_header(video_seq.bytes()));

    const auto audio_seq = r.sequence_header(1);
    ASSERT_GE(audio_seq.size(), 4u);
    EXPECT_EQ(audio_seq.data()[0], 0xAF);
    EXPECT_EQ(audio_seq.data()[1], 0x00);
    auto aac = flv::parse_aac_config(audio_seq.bytes().subspan(2));
    ASSERT_TRUE(aac);
    EXPECT_EQ(aac->sample_rate, 44100u);
    EXPECT_TRUE(flv::is_audio_sequence_header(audio_seq.bytes()));
    EXPECT_TRUE(r.sequence_header(7).empty());

    std::size_t checked_video = 0;
    std::size_t checked_audio = 0;
    while (auto s = r.next()) {
        auto payload = r.read_tag_payload(*s);
        ASSERT_TRUE(payload) << payload.error().message();
        const std::size_t header = r.tag_header_size(*s);
        ASSERT_EQ(payload->size(), header + s->size);
        EXPECT_TRUE(std::equal(payload->bytes().begin() + static_cast<std::ptrdiff_t>(header),
                               payload->bytes().end(),
                               bytes.begin() + static_cast<std::ptrdiff_t>(s->offset)));
        if (s->kind == TrackKind::video) {
            auto h = flv::parse_video(payload->bytes());
            ASSERT_TRUE(h);
            EXPECT_EQ(h->codec_id, 7);
            EXPECT_EQ(h->frame_type, s->keyframe ? flv::VideoFrameType::key : flv::VideoFrameType::inter);
            EXPECT_EQ(h->tracks[0].composition_time, s->cts_ms);
            ++checked_video;
        } else {
            EXPECT_EQ(payload->data()[0], 0xAF);
            EXPECT_EQ(payload->data()[1], 0x01);
            ++checked_audio;
        }
    }
    EXPECT_EQ(checked_video, 50u);
    EXPECT_GT(checked_audio, 80u);
}

TEST(Mp4Reader, SeekGoesToTheKeyframeAtOrBeforeTheTarget) {
    const auto file = h264_file();
    if (file.empty()) GTEST_SKIP() << "libx264 missing";
    auto o = open_bytes(read_file(file));
    ASSERT_TRUE(o.reader);
    auto& r = *o.reader;
    // GOP 25 at 25 fps: keyframes show at 0 and 1000 ms.
    for (const auto& [target, key] : std::vector<std::pair<std::int64_t, std::int64_t>>{
             {1000, 1000}, {1999, 1000}, {999, 0}, {0, 0}, {-5, 0}, {2000, 1000}}) {
        SCOPED_TRACE(target);
        auto pos = r.seek(target);
        ASSERT_TRUE(pos) << pos.error().message();
        EXPECT_EQ(*pos, key);
        std::optional<Sample> first_video;
        std::optional<Sample> first_audio;
        while (auto s = r.next()) {
            if (s->kind == TrackKind::video && !first_video) first_video = s;
            if (s->kind == TrackKind::audio && !first_audio) first_audio = s;
            if (first_video && first_audio) break;
        }
        ASSERT_TRUE(first_video && first_audio);
        EXPECT_TRUE(first_video->keyframe);
        EXPECT_EQ(first_video->pts_ms(), key);
        // Audio resumes with the frame that covers the keyframe's time.
        EXPECT_LE(first_audio->dts_ms, key);
        EXPECT_GT(first_audio->dts_ms + 24, std::max<std::int64_t>(key, 0));
    }
    auto beyond = r.seek(2500);
    EXPECT_EQ(beyond.error(), Errc::seek_beyond_end);
    EXPECT_FALSE(base::is_fatal(beyond.error()));
}

TEST(Mp4Reader, UnsupportedCodecGivesNoSupportedTrack) {
    const auto file = generate("-f lavfi -i testsrc2=size=64x48:rate=10 -t 0.5 -c:v mpeg4", "mp4");
    auto o = open_bytes(read_file(file));
    EXPECT_EQ(o.error, Errc::no_supported_track);
}

TEST(Mp4Reader, SourceErrorsArePassedThrough) {
    const auto file = faststart_file();
    if (file.empty()) GTEST_SKIP() << "libx264 missing";
    const auto bytes = read_file(file);
    const auto eio = std::make_error_code(std::errc::io_error);
    {
        MemorySource source{base::Bytes(bytes)};
        source.fail_from(100, eio);  // inside moov
        EXPECT_EQ(Mp4Reader::open(source).error(), eio);
    }
    MemorySource source{base::Bytes(bytes)};
    auto r = Mp4Reader::open(source);
    ASSERT_TRUE(r);
    source.fail_from(0, eio);
    auto s = r->next();
    ASSERT_TRUE(s);
    EXPECT_EQ(r->read_tag_payload(*s).error(), eio);
    Sample foreign = *s;
    foreign.track = 5;
    EXPECT_EQ(r->read_tag_payload(foreign).error(), Errc::sample_not_from_reader);
}

}  // namespace
}  // namespace sluice::demux
