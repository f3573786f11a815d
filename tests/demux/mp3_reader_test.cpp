// Mp3Reader against files libmp3lame makes (compared with ffprobe) and
// against hand-made streams with tags, garbage and cuts.
#include "demux/mp3_reader.hpp"

#include <gtest/gtest.h>

#include "demux/errors.hpp"
#include "demux_test_support.hpp"
#include "support/hex_literal.hpp"

namespace sluice::demux {
namespace {

using sluice::test::hex;
using test::generate;
using test::read_file;
using test::to_ms;

test::fs::path lame(const std::string& args) {
    return generate("-f lavfi -i sine=frequency=440:sample_rate=44100 -t 2 " + args + " -c:a libmp3lame",
                    "mp3", {"libmp3lame"});
}

struct Opened {
    std::unique_ptr<MemorySource> source;
    std::optional<Mp3Reader> reader;
    std::error_code error;
};

Opened open_bytes(base::ByteVector bytes, const Mp3Limits& limits = {}) {
    Opened o;
    o.source = std::make_unique<MemorySource>(std::move(bytes));
    auto r = Mp3Reader::open(*o.source, limits);
    if (r) {
        o.reader.emplace(std::move(*r));
    } else {
        o.error = r.error();
    }
    return o;
}

std::vector<Sample> drain(Mp3Reader& r) {
    std::vector<Sample> out;
    while (auto s = r.next()) out.push_back(*s);
    return out;
}

void expect_matches_ffprobe(const test::fs::path& file, std::uint32_t rate, std::uint8_t channels) {
    ASSERT_FALSE(file.empty());
    const auto p = test::probe(file);
    auto o = open_bytes(read_file(file));
    ASSERT_TRUE(o.reader) << o.error.message();
    auto& r = *o.reader;
    EXPECT_EQ(r.info().sample_rate, rate);
    EXPECT_EQ(r.info().channels, channels);
    ASSERT_EQ(p.streams.size(), 1u);
    EXPECT_EQ(p.streams[0].sample_rate, static_cast<int>(rate));
    EXPECT_EQ(p.streams[0].channels, channels);
    EXPECT_NEAR(static_cast<double>(r.duration_ms()), p.duration * 1000, 1.0);
    const auto samples = drain(r);
    ASSERT_FALSE(p.packets.empty());
    ASSERT_EQ(samples.size(), p.packets.size());
    EXPECT_EQ(r.frame_count(), samples.size());
    for (std::size_t i = 0; i < samples.size(); ++i) {
        SCOPED_TRACE(i);
        EXPECT_EQ(samples[i].offset, p.packets[i].pos);
        EXPECT_EQ(samples[i].size, p.packets[i].size);
        EXPECT_NEAR(static_cast<double>(samples[i].dts_ms), static_cast<double>(to_ms(p.packets[i].pts)),
                    1.0);
        EXPECT_EQ(samples[i].cts_ms, 0);
        EXPECT_TRUE(samples[i].keyframe);
    }
}

/// A hand-made stream: `count` MPEG-1 128 kbit/s 44.1 kHz joint-stereo frames
/// (417 bytes, header FF FB 90 40), the frame number in byte 4.
base::ByteVector frames(std::size_t count) {
    base::ByteVector out;
    for (std::size_t i = 0; i < count; ++i) {
        base::ByteVector f(417, 0x11);
        f[0] = 0xFF, f[1] = 0xFB, f[2] = 0x90, f[3] = 0x40;
        f[4] = static_cast<std::uint8_t>(i);
        out.insert(out.end(), f.begin(), f.end());
    }
    return out;
}

TEST(Mp3Reader, CbrStereoMatchesFfprobe) {
    const auto file = lame("-ac 2 -b:a 128k");
    if (file.empty()) GTEST_SKIP() << "libmp3lame missing";
    expect_matches_ffprobe(file, 44100, 2);
    auto o = open_bytes(read_file(file));
    EXPECT_GT(o.reader->info().audio_offset, 0u);  // ffmpeg writes an ID3v2 tag
    EXPECT_TRUE(o.reader->info().vbr_info_frame);  // and a LAME Info frame
}

TEST(Mp3Reader, VbrWithId3v1MatchesFfprobe) {
    const auto file = lame("-ac 2 -q:a 5 -write_id3v1 1 -metadata title=sluice");
    if (file.empty()) GTEST_SKIP() << "libmp3lame missing";
    expect_matches_ffprobe(file, 44100, 2);
    auto o = open_bytes(read_file(file));
    EXPECT_EQ(o.reader->info().audio_end, o.source->size() - 128);
}

TEST(Mp3Reader, Mpeg2AndMpeg25MatchFfprobe) {
    const auto mpeg2 = lame("-ar 22050 -ac 1 -b:a 32k");
    if (mpeg2.empty()) GTEST_SKIP() << "libmp3lame missing";
    expect_matches_ffprobe(mpeg2, 22050, 1);
    const auto mpeg25 = lame("-ar 8000 -ac 1 -b:a 16k");
    expect_matches_ffprobe(mpeg25, 8000, 1);
    auto o = open_bytes(read_file(mpeg25));
    EXPECT_EQ(o.reader->info().version, 25);
    auto s = o.reader->next();
    auto payload = o.reader->read_tag_payload(*s);
    ASSERT_TRUE(payload);
    EXPECT_EQ(payload->data()[0], 0xE2);  // MP3 8 kHz, mono
}

TEST(Mp3Reader, TagPayloadIsHeaderByteAndFrame) {
    const auto file = lame("-ac 2 -b:a 128k");
    if (file.empty()) GTEST_SKIP() << "libmp3lame missing";
    const auto bytes = read_file(file);
    auto o = open_bytes(bytes);
    auto& r = *o.reader;
    while (auto s = r.next()) {
        auto payload = r.read_tag_payload(*s);
        ASSERT_TRUE(payload);
        ASSERT_EQ(payload->size(), s->size + 1u);
        EXPECT_EQ(payload->data()[0], 0x2F);
        EXPECT_TRUE(std::equal(payload->bytes().begin() + 1, payload->bytes().end(),
                               bytes.begin() + static_cast<std::ptrdiff_t>(s->offset)));
    }
    Sample foreign;
    foreign.track = 1;
    foreign.kind = TrackKind::audio;
    EXPECT_EQ(r.read_tag_payload(foreign).error(), Errc::sample_not_from_reader);
}

TEST(Mp3Reader, SeekLandsOnTheFrameHoldingTheTarget) {
    auto o = open_bytes(frames(100));
    ASSERT_TRUE(o.reader);
    auto& r = *o.reader;
    EXPECT_EQ(r.duration_ms(), 2612);  // 100 x 1152 / 44100 s
    auto pos = r.seek(1000);
    ASSERT_TRUE(pos);
    EXPECT_EQ(*pos, 993);  // frame 38 starts at 992.65 ms
    auto s = r.next();
    EXPECT_EQ(s->dts_ms, 993);
    EXPECT_EQ(s->offset, 38u * 417);
    EXPECT_EQ(*r.seek(0), 0);
    EXPECT_EQ(r.next()->offset, 0u);
    EXPECT_EQ(*r.seek(2612), 2586);  // the end: the last frame
    EXPECT_EQ(r.seek(2613).error(), Errc::seek_beyond_end);
}

TEST(Mp3Reader, SkipsTagsAtBothEnds) {
    // ID3v2.4 with a footer (flag 0x10): 10 + 20 + 10 bytes; then the audio;
    // then an APEv2 tag with header (flag bit 31) and an ID3v1 tag.
    const auto id3 = sluice::test::cat(hex("49 44 33 04 00 10 00 00 00 14"), base::ByteVector(20, 0xFF),
                                       hex("33 44 49 04 00 10 00 00 00 14"));
    base::ByteVector ape_footer =
        sluice::test::cat(sluice::test::ascii("APETAGEX"),
                          hex("D0 07 00 00 28 00 00 00 00 00 00 00 00 00 00 80"), base::ByteVector(8, 0));
    const auto ape = sluice::test::cat(base::ByteVector(32, 0xFF), base::ByteVector(8, 0xFF), ape_footer);
    base::ByteVector id3v1 = sluice::test::cat(sluice::test::ascii("TAG"), base::ByteVector(125, 0xFF));
    const auto file = sluice::test::cat(id3, frames(10), ape, id3v1);
    auto o = open_bytes(file);
    ASSERT_TRUE(o.reader) << o.error.message();
    EXPECT_EQ(o.reader->info().audio_offset, 40u);
    EXPECT_EQ(o.reader->info().audio_end, 40u + 4170);
    EXPECT_EQ(o.reader->frame_count(), 10u);
    EXPECT_EQ(o.reader->info().skipped_bytes, 0u);
}

TEST(Mp3Reader, ResyncsAfterGarbageAndDropsACutLastFrame) {
    auto stream = frames(20);
    // 700 bytes of junk (with a lone sync word) between frames 9 and 10, and
    // 300 before the first frame.
    base::ByteVector junk(700, 0x00);
    junk[100] = 0xFF, junk[101] = 0xFB, junk[102] = 0x90, junk[103] = 0x40;
    stream.insert(stream.begin() + 10 * 417, junk.begin(), junk.end());
    stream.insert(stream.begin(), 300, 0x55);
    stream.resize(stream.size() - 17);  // the last frame is cut
    auto o = open_bytes(stream);
    ASSERT_TRUE(o.reader) << o.error.message();
    const auto samples = drain(*o.reader);
    ASSERT_EQ(samples.size(), 19u);
    EXPECT_EQ(samples[0].offset, 300u);
    EXPECT_EQ(samples[10].offset, 300u + 10 * 417 + 700);
    EXPECT_EQ(o.reader->info().skipped_bytes, 1000u);
}

TEST(Mp3Reader, StopsWhereGarbageRunsPastTheResyncLimit) {
    auto stream = frames(10);
    stream.insert(stream.begin() + 5 * 417, 5000, 0x00);
    Mp3Limits limits;
    limits.max_resync_bytes = 4096;
    auto o = open_bytes(stream, limits);
    ASSERT_TRUE(o.reader);
    EXPECT_EQ(o.reader->frame_count(), 5u);
}

TEST(Mp3Reader, RefusesInputWithoutFrames) {
    EXPECT_EQ(open_bytes({}).error, Errc::mp3_sync_not_found);
    base::ByteVector noise(100'000);
    std::uint32_t x = 12345;
    for (auto& b : noise) b = static_cast<std::uint8_t>((x = x * 1103515245u + 12345u) >> 24);
    EXPECT_EQ(open_bytes(noise).error, Errc::mp3_sync_not_found);
    // An ID3v2 size that points past the end.
    EXPECT_EQ(open_bytes(sluice::test::cat(hex("49 44 33 03 00 00 7F 7F 7F 7F"), frames(3))).error,
              Errc::mp3_sync_not_found);
    // A lone header: its "next frame" is not there, and it does not end the file.
    auto lone = frames(1);
    lone.resize(300);
    EXPECT_EQ(open_bytes(lone).error, Errc::mp3_sync_not_found);
}

TEST(Mp3Reader, LimitsAndSourceErrors) {
    Mp3Limits limits;
    limits.max_frames = 5;
    EXPECT_EQ(open_bytes(frames(6), limits).error, Errc::too_many_frames);
    const auto bytes = frames(30);
    MemorySource source{base::Bytes(bytes)};
    source.fail_from(10'000, std::make_error_code(std::errc::io_error));
    EXPECT_EQ(Mp3Reader::open(source).error(), std::errc::io_error);
}

}  // namespace
}  // namespace sluice::demux
