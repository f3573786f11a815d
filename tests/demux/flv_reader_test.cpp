// FlvReader against FLV bytes built here with flv::FileWriter (header,
// onMetaData, AVC and AAC sequence headers, GOPs and audio), hostile
// variants of them, and one file made by ffmpeg compared with ffprobe.
#include "demux/flv_reader.hpp"

#include <gtest/gtest.h>

#include <memory>

#include "demux/errors.hpp"
#include "demux_test_support.hpp"
#include "flv/file_writer.hpp"
#include "flv/fourcc.hpp"
#include "flv/metadata.hpp"
#include "support/hex_literal.hpp"

namespace sluice::demux {
namespace {

using sluice::test::ascii;
using sluice::test::cat;
using sluice::test::hex;

constexpr std::uint8_t audio_tag = 8;
constexpr std::uint8_t video_tag = 9;
constexpr std::uint8_t script_tag = 18;

/// One media tag as written, to compare with what the reader returns.
struct Written {
    TrackKind kind = TrackKind::video;
    std::int64_t dts = 0;
    std::int32_t cts = 0;
    bool keyframe = false;
    bool config = false;
    std::uint64_t offset = 0;
    base::ByteVector data;
};

class FlvBuilder {
public:
    FlvBuilder() {
        flv::FileHeader h;
        h.has_audio = true;
        h.has_video = true;
        out_.bytes(writer_.header(h));
    }

    /// Appends a tag of any type; returns the offset of its data.
    std::uint64_t tag(std::uint8_t type, std::uint32_t ts, const base::ByteVector& data) {
        const std::uint64_t offset = out_.size() + flv::TagHeader::size;
        tag_starts.push_back(out_.size());
        EXPECT_FALSE(writer_.write_tag(out_, type, ts, data));
        return offset;
    }
    /// Appends a media tag the reader must index, and records it.
    void media(TrackKind kind, std::uint32_t ts, base::ByteVector data, bool keyframe, bool config = false,
               std::int32_t cts = 0) {
        const auto offset = tag(kind == TrackKind::audio ? audio_tag : video_tag, ts, data);
        written.push_back({kind, ts, cts, keyframe, config, offset, std::move(data)});
    }

    base::ByteVector bytes() const { return out_.data(); }
    std::size_t tag_total() const { return tag_starts.size(); }

    std::vector<Written> written;
    std::vector<std::size_t> tag_starts;

private:
    flv::FileWriter writer_;
    base::ByteWriter out_;
};

base::ByteVector meta_body() {
    return cat(hex("02 00 0A"), ascii("onMetaData"), hex("08 00 00 00 01 00 08"), ascii("duration"),
               hex("00 3F F2 E1 47 AE 14 7A E1 00 00 09"));
}
base::ByteVector avc_config(std::uint8_t variant) {
    return cat(hex("17 00 00 00 00 01 64 00 1F FF E1 00 04"), base::ByteVector{variant});
}
base::ByteVector avc_frame(bool key, std::uint8_t number, std::int32_t cts, std::size_t size) {
    base::ByteWriter w;
    w.u8(key ? 0x17 : 0x27);
    w.u8(1);
    w.i24be(cts);
    w.bytes(base::ByteVector(size, number));
    return w.take();
}
base::ByteVector aac_config() {
    return hex("AF 00 12 10");
}
base::ByteVector aac_frame(std::uint8_t number) {
    return cat(hex("AF 01"), base::ByteVector(60, number));
}

constexpr std::int64_t clip_duration = 29 * 40 + 20;

/// onMetaData, AVC + AAC sequence headers at 0, 30 video frames every 40 ms
/// (a keyframe every 10: 0, 400, 800; CTS 40) each followed by an audio
/// frame 20 ms later. With `config_change`, a second AVC sequence header
/// at 800 right before the third keyframe.
FlvBuilder clip(bool config_change = false) {
    FlvBuilder b;
    b.tag(script_tag, 0, meta_body());
    b.media(TrackKind::video, 0, avc_config(1), false, true);
    b.media(TrackKind::audio, 0, aac_config(), true, true);
    for (std::uint8_t i = 0; i < 30; ++i) {
        const std::uint32_t ts = 40u * i;
        const bool key = i % 10 == 0;
        if (config_change && i == 20) b.media(TrackKind::video, ts, avc_config(2), false, true);
        b.media(TrackKind::video, ts, avc_frame(key, i, 40, key ? 900 : 150 + i), key, false, 40);
        b.media(TrackKind::audio, ts + 20, aac_frame(i), true);
    }
    return b;
}

struct Opened {
    std::unique_ptr<MemorySource> source;
    std::optional<FlvReader> reader;
    std::error_code error;
};

Opened open_bytes(base::ByteVector bytes, const FlvLimits& limits = {}) {
    Opened o;
    o.source = std::make_unique<MemorySource>(std::move(bytes));
    auto r = FlvReader::open(*o.source, limits);
    if (r) {
        o.reader.emplace(std::move(*r));
    } else {
        o.error = r.error();
    }
    return o;
}

std::error_code open_error(base::ByteVector bytes, const FlvLimits& limits = {}) {
    auto o = open_bytes(std::move(bytes), limits);
    EXPECT_FALSE(o.reader);
    return o.error;
}

std::vector<Sample> drain(FlvReader& r) {
    std::vector<Sample> out;
    while (auto s = r.next()) out.push_back(*s);
    return out;
}

/// Index in `written` of the next sample after a seek.
std::size_t position_of(const FlvReader& r, const std::vector<Written>& written) {
    auto s = r.peek();
    if (!s) return written.size();
    for (std::size_t i = 0; i < written.size(); ++i) {
        if (written[i].offset == s->offset) return i;
    }
    ADD_FAILURE() << "peek() is not a written tag";
    return written.size();
}

TEST(FlvReader, IndexesEveryMediaTagInFileOrder) {
    const auto b = clip();
    auto o = open_bytes(b.bytes());
    ASSERT_TRUE(o.reader) << o.error.message();
    auto& r = *o.reader;
    EXPECT_TRUE(r.has_video());
    EXPECT_TRUE(r.has_audio());
    EXPECT_FALSE(r.truncated());
    EXPECT_EQ(r.tag_count(), b.written.size());
    EXPECT_EQ(r.tag_count(), 62u);
    EXPECT_EQ(r.ignored_tag_count(), 1u);  // onMetaData
    EXPECT_EQ(r.duration_ms(), clip_duration);
    EXPECT_EQ(r.timestamp_shift_ms(), 0);
    const auto samples = drain(r);
    ASSERT_EQ(samples.size(), b.written.size());
    for (std::size_t i = 0; i < samples.size(); ++i) {
        SCOPED_TRACE(i);
        const auto& s = samples[i];
        const auto& w = b.written[i];
        EXPECT_EQ(s.kind, w.kind);
        EXPECT_EQ(s.track, w.kind == TrackKind::video ? 0u : 1u);
        EXPECT_EQ(s.offset, w.offset);
        EXPECT_EQ(s.size, w.data.size());
        EXPECT_EQ(s.dts_ms, w.dts);
        EXPECT_EQ(s.cts_ms, w.cts);
        EXPECT_EQ(s.pts_ms(), w.dts + w.cts);
        EXPECT_EQ(s.keyframe, w.keyframe);
        EXPECT_EQ(r.is_sequence_header(s), w.config);
        auto payload = r.read_tag_payload(s);
        ASSERT_TRUE(payload);
        EXPECT_EQ(payload->size(), w.data.size());
        EXPECT_TRUE(std::ranges::equal(payload->bytes(), w.data));
    }
    EXPECT_FALSE(r.next());
    EXPECT_FALSE(r.peek());
}

TEST(FlvReader, KeepsTheFirstOnMetaDataVerbatim) {
    auto o = open_bytes(clip().bytes());
    ASSERT_TRUE(o.reader);
    EXPECT_TRUE(std::ranges::equal(o.reader->metadata().bytes(), meta_body()));
    auto decoded = flv::decode_metadata(o.reader->metadata());
    ASSERT_TRUE(decoded);
    EXPECT_NEAR(*decoded->duration(), 1.18, 1e-9);

    // A second onMetaData later (an appended recording) does not replace it
    // and is not replayed; other script tags before it are not metadata but
    // data, replayed in line.
    FlvBuilder b;
    b.tag(script_tag, 0, cat(hex("02 00 0A"), ascii("onCuePoint"), hex("05")));
    b.tag(script_tag, 0, meta_body());
    b.media(TrackKind::audio, 0, aac_frame(0), true);
    auto other = meta_body();
    other.back() = 0x0A;
    b.tag(script_tag, 10, other);
    o = open_bytes(b.bytes());
    ASSERT_TRUE(o.reader);
    EXPECT_TRUE(std::ranges::equal(o.reader->metadata().bytes(), meta_body()));
    EXPECT_EQ(o.reader->ignored_tag_count(), 2u);
    ASSERT_EQ(o.reader->tag_count(), 2u);
    const auto cue = o.reader->next();
    ASSERT_TRUE(cue);
    EXPECT_EQ(cue->kind, TrackKind::data);
    EXPECT_FALSE(cue->amf3);
    EXPECT_EQ(cue->dts_ms, 0);
    auto cue_body = o.reader->read_tag_payload(*cue);
    ASSERT_TRUE(cue_body);
    EXPECT_TRUE(std::ranges::equal(cue_body->bytes(), cat(hex("02 00 0A"), ascii("onCuePoint"), hex("05"))));
    const auto audio = o.reader->next();
    ASSERT_TRUE(audio);
    EXPECT_EQ(audio->kind, TrackKind::audio);
    EXPECT_FALSE(o.reader->next());

    // Larger than the limit: ignored.
    FlvLimits limits;
    limits.max_metadata_bytes = meta_body().size() - 1;
    o = open_bytes(clip().bytes(), limits);
    ASSERT_TRUE(o.reader);
    EXPECT_TRUE(o.reader->metadata().empty());
}

TEST(FlvReader, SequenceHeaderFollowsTheCursor) {
    const auto b = clip(true);
    auto o = open_bytes(b.bytes());
    ASSERT_TRUE(o.reader) << o.error.message();
    auto& r = *o.reader;
    const auto first = avc_config(1);
    const auto second = avc_config(2);
    const auto is = [](const base::Payload& p, const base::ByteVector& v) {
        return std::ranges::equal(p.bytes(), v);
    };
    EXPECT_TRUE(is(r.sequence_header(TrackKind::video), first));
    EXPECT_TRUE(is(r.sequence_header(TrackKind::audio), aac_config()));

    ASSERT_TRUE(r.seek(800));
    EXPECT_TRUE(is(r.sequence_header(TrackKind::video), second));
    EXPECT_TRUE(is(r.sequence_header(TrackKind::audio), aac_config()));
    ASSERT_TRUE(r.seek(799));
    EXPECT_TRUE(is(r.sequence_header(TrackKind::video), first));

    // Walking through next(): the new header takes effect once the cursor
    // reaches its tag (it is then the tag next() returns).
    ASSERT_TRUE(r.seek(0));
    std::size_t configs = 0;
    while (auto s = r.peek()) {
        const bool past_change = s->dts_ms >= 800 && (s->kind == TrackKind::video || s->dts_ms > 800);
        EXPECT_TRUE(is(r.sequence_header(TrackKind::video), past_change ? second : first)) << s->dts_ms;
        if (r.is_sequence_header(*s)) ++configs;
        r.next();
    }
    EXPECT_EQ(configs, 1u);  // seek(0) lands on the first keyframe, after the first headers
    EXPECT_TRUE(is(r.sequence_header(TrackKind::video), second));
}

TEST(FlvReader, SequenceHeaderAfterTheCursorIsTheFirstOne) {
    FlvBuilder b;
    b.media(TrackKind::audio, 0, aac_frame(0), true);
    b.media(TrackKind::audio, 0, aac_config(), true, true);
    b.media(TrackKind::audio, 23, aac_frame(1), true);
    auto o = open_bytes(b.bytes());
    ASSERT_TRUE(o.reader);
    EXPECT_TRUE(std::ranges::equal(o.reader->sequence_header(TrackKind::audio).bytes(), aac_config()));
    EXPECT_TRUE(o.reader->sequence_header(TrackKind::video).empty());

    // MP3 needs none.
    FlvBuilder mp3;
    mp3.media(TrackKind::audio, 0, cat(hex("2F FF FB 90 40"), base::ByteVector(20, 0)), true);
    o = open_bytes(mp3.bytes());
    ASSERT_TRUE(o.reader);
    EXPECT_TRUE(o.reader->sequence_header(TrackKind::audio).empty());
    EXPECT_FALSE(o.reader->has_video());
}

TEST(FlvReader, RepeatedSequenceHeadersAreKeptOnceAndBounded) {
    const auto build = [](bool alternate) {
        FlvBuilder b;
        for (std::uint8_t i = 0; i < 20; ++i) {
            const auto ts = 1000u * i;
            b.media(TrackKind::video, ts, avc_config(alternate ? i % 2 : 0), false, true);
            b.media(TrackKind::video, ts, avc_frame(true, i, 0, 10), true);
        }
        return b.bytes();
    };
    FlvLimits limits;
    limits.max_sequence_header_bytes = 200;  // a few headers of 14 bytes + 32
    auto o = open_bytes(build(false), limits);
    ASSERT_TRUE(o.reader) << o.error.message();
    EXPECT_EQ(o.reader->tag_count(), 40u);
    EXPECT_EQ(open_error(build(true), limits), Errc::flv_sequence_headers_too_large);
    o = open_bytes(build(true));
    ASSERT_TRUE(o.reader);
    ASSERT_TRUE(o.reader->seek(5000));
    EXPECT_TRUE(std::ranges::equal(o.reader->sequence_header(TrackKind::video).bytes(), avc_config(1)));
    ASSERT_TRUE(o.reader->seek(6500));
    EXPECT_TRUE(std::ranges::equal(o.reader->sequence_header(TrackKind::video).bytes(), avc_config(0)));
}

TEST(FlvReader, SeekLandsOnTheLastKeyframeAtOrBeforeTheTarget) {
    const auto b = clip();
    auto o = open_bytes(b.bytes());
    ASSERT_TRUE(o.reader);
    auto& r = *o.reader;
    // written: 0 AVC config, 1 AAC config, then video i at 2 + 2i, audio i at 3 + 2i.
    const auto video_index = [](std::size_t frame) { return 2 + 2 * frame; };
    struct Case {
        std::int64_t target;
        std::int64_t reached;
        std::size_t frame;
    };
    for (const Case c :
         {Case{0, 0, 0}, Case{-5, 0, 0}, Case{399, 0, 0}, Case{400, 400, 10}, Case{500, 400, 10},
          Case{799, 400, 10}, Case{800, 800, 20}, Case{clip_duration, 800, 20}}) {
        SCOPED_TRACE(c.target);
        auto reached = r.seek(c.target);
        ASSERT_TRUE(reached);
        EXPECT_EQ(*reached, c.reached);
        EXPECT_EQ(position_of(r, b.written), video_index(c.frame));
        EXPECT_TRUE(r.peek()->keyframe);
    }
    // Past the end: refused, the position unchanged.
    ASSERT_TRUE(r.seek(500));
    r.next();
    EXPECT_EQ(r.seek(clip_duration + 1).error(), Errc::seek_beyond_end);
    EXPECT_FALSE(base::is_fatal(make_error_code(Errc::seek_beyond_end)));
    EXPECT_EQ(position_of(r, b.written), video_index(10) + 1);
    // Plays on to the end from there.
    EXPECT_EQ(drain(r).size(), b.written.size() - video_index(10) - 1);
}

TEST(FlvReader, AudioOnlySeekLandsOnTheLastTagAtOrBeforeTheTarget) {
    FlvBuilder b;
    b.media(TrackKind::audio, 0, aac_config(), true, true);
    for (std::uint8_t i = 0; i < 50; ++i) b.media(TrackKind::audio, 23u * i, aac_frame(i), true);
    auto o = open_bytes(b.bytes());
    ASSERT_TRUE(o.reader);
    auto& r = *o.reader;
    EXPECT_FALSE(r.has_video());
    EXPECT_EQ(r.duration_ms(), 49 * 23);
    EXPECT_EQ(*r.seek(100), 92);
    EXPECT_EQ(position_of(r, b.written), 1u + 4);
    EXPECT_EQ(r.peek()->track, 0u);  // the only track
    EXPECT_EQ(*r.seek(0), 0);
    EXPECT_EQ(position_of(r, b.written), 1u);  // the last tag at 0: the first frame
    EXPECT_EQ(*r.seek(49 * 23), 49 * 23);
    EXPECT_EQ(position_of(r, b.written), 50u);
    EXPECT_EQ(r.seek(49 * 23 + 1).error(), Errc::seek_beyond_end);
}

TEST(FlvReader, BackwardTimestampsPlayInFileOrderAndSeekMonotonically) {
    FlvBuilder b;
    for (std::uint32_t ts : {0u, 1000u, 500u, 2000u, 100u}) {
        b.media(TrackKind::video, ts, avc_frame(true, 0, 0, 4), true);
        b.media(TrackKind::video, ts + 40, avc_frame(false, 0, 0, 4), false);
    }
    auto o = open_bytes(b.bytes());
    ASSERT_TRUE(o.reader);
    auto& r = *o.reader;
    EXPECT_EQ(r.duration_ms(), 2040);
    const auto samples = drain(r);
    ASSERT_EQ(samples.size(), 10u);
    EXPECT_EQ(samples[4].dts_ms, 500);
    // Seek times are the running maxima 0, 1000, 1000, 2000, 2000.
    EXPECT_EQ(*r.seek(999), 0);
    EXPECT_EQ(*r.seek(1500), 500);
    EXPECT_EQ(position_of(r, b.written), 4u);
    EXPECT_EQ(*r.seek(2040), 100);
    EXPECT_EQ(position_of(r, b.written), 8u);

    // Audio only: every tag is a seek point, through the same running maximum
    // (0, 300, 300, 300, 400).
    FlvBuilder audio;
    for (std::uint32_t ts : {0u, 300u, 100u, 200u, 400u})
        audio.media(TrackKind::audio, ts, aac_frame(0), true);
    o = open_bytes(audio.bytes());
    ASSERT_TRUE(o.reader);
    EXPECT_EQ(*o.reader->seek(250), 0);
    EXPECT_EQ(*o.reader->seek(300), 200);
    EXPECT_EQ(position_of(*o.reader, audio.written), 3u);
}

TEST(FlvReader, ClassifiesVideoTagsLikeThePublishPath) {
    FlvBuilder b;
    b.media(TrackKind::video, 0, avc_config(1), false, true);
    b.tag(video_tag, 0, hex("57 00"));  // command frame: start of seek
    b.media(TrackKind::video, 0, avc_frame(true, 0, -40, 8), true, false, -40);
    b.tag(video_tag, 10, {});                               // empty: does not parse
    b.tag(video_tag, 10, hex("07 01 00 00 00"));            // reserved frame type 0
    b.media(TrackKind::video, 40, hex("22 AA BB"), false);  // H.263 inter frame
    b.media(TrackKind::audio, 40, {}, true);                // E-RTMP silence marker
    b.media(TrackKind::video, 80, hex("17 02 00 00 00"),
            false);  // end of sequence: key-flagged, not a keyframe
    auto o = open_bytes(b.bytes());
    ASSERT_TRUE(o.reader) << o.error.message();
    auto& r = *o.reader;
    EXPECT_EQ(r.ignored_tag_count(), 3u);
    const auto samples = drain(r);
    ASSERT_EQ(samples.size(), b.written.size());
    for (std::size_t i = 0; i < samples.size(); ++i) {
        SCOPED_TRACE(i);
        EXPECT_EQ(samples[i].offset, b.written[i].offset);
        EXPECT_EQ(samples[i].keyframe, b.written[i].keyframe);
        EXPECT_EQ(samples[i].cts_ms, b.written[i].cts);
        EXPECT_EQ(r.is_sequence_header(samples[i]), b.written[i].config);
    }
    auto silence = r.read_tag_payload(samples[3]);
    ASSERT_TRUE(silence);
    EXPECT_TRUE(silence->empty());
}

TEST(FlvReader, ClassifiesEnhancedRtmpTags) {
    const auto hvc1 = hex("68 76 63 31");
    FlvBuilder b;
    b.media(TrackKind::video, 0, cat(hex("90"), hvc1, base::ByteVector(40, 0x01)), false, true);
    b.media(TrackKind::audio, 0, cat(hex("90"), ascii("Opus"), ascii("OpusHead"), hex("01 02")), true, true);
    b.media(TrackKind::video, 0, cat(hex("91"), hvc1, hex("00 00 28"), base::ByteVector(50, 0x02)), true,
            false, 40);
    b.media(TrackKind::video, 40, cat(hex("A1"), hvc1, hex("00 00 50"), base::ByteVector(5, 0x03)), false,
            false, 80);
    // Two HEVC tracks (ManyTracks): longer than the 32 bytes read per tag.
    b.media(TrackKind::video, 80,
            cat(hex("96 11"), hvc1, hex("00 00 00 30 FF FF F6"), base::ByteVector(45, 0x04),
                hex("01 00 00 10"), base::ByteVector(16, 0x05)),
            true, false, -10);
    // The same with a second track size past the end: refused whole.
    b.tag(video_tag, 120,
          cat(hex("96 11"), hvc1, hex("00 00 00 30 00 00 00"), base::ByteVector(45, 0x04), hex("01 00 01 00"),
              base::ByteVector(16, 0x05)));
    // Unknown FourCC.
    b.tag(video_tag, 120, cat(hex("91"), ascii("xxxx"), base::ByteVector(8, 0)));
    // A long ModEx block (an unknown type, skipped) before a sequence start: past the 32 first bytes.
    b.media(TrackKind::video, 160, cat(hex("97 27"), base::ByteVector(40, 0), hex("10"), hvc1, hex("AB CD")),
            false, true);
    auto o = open_bytes(b.bytes());
    ASSERT_TRUE(o.reader) << o.error.message();
    auto& r = *o.reader;
    EXPECT_EQ(r.ignored_tag_count(), 2u);
    const auto samples = drain(r);
    ASSERT_EQ(samples.size(), b.written.size());
    for (std::size_t i = 0; i < samples.size(); ++i) {
        SCOPED_TRACE(i);
        EXPECT_EQ(samples[i].offset, b.written[i].offset);
        EXPECT_EQ(samples[i].keyframe, b.written[i].keyframe);
        EXPECT_EQ(samples[i].cts_ms, b.written[i].cts);
        EXPECT_EQ(r.is_sequence_header(samples[i]), b.written[i].config);
    }
    // The last header in effect at the end is the ModEx one, kept whole.
    EXPECT_TRUE(std::ranges::equal(r.sequence_header(TrackKind::video).bytes(), b.written.back().data));
}

TEST(FlvReader, CutInsideTheLastTagPlaysEveryCompleteTag) {
    const auto b = clip();
    const auto full = b.bytes();
    const std::size_t last_start = b.tag_starts.back();
    const std::size_t last_data_end = full.size() - 4;
    const std::size_t n = b.written.size();
    for (std::size_t cut = last_start; cut < full.size(); ++cut) {
        SCOPED_TRACE(cut);
        auto o = open_bytes(base::ByteVector(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(cut)));
        ASSERT_TRUE(o.reader) << o.error.message();
        auto& r = *o.reader;
        // At last_start the file ends after a complete trailer: a shorter clean file.
        EXPECT_EQ(r.truncated(), cut != last_start);
        const std::size_t expected = cut >= last_data_end ? n : n - 1;
        ASSERT_EQ(r.tag_count(), expected);
        std::size_t played = 0;
        while (auto s = r.next()) {
            auto payload = r.read_tag_payload(*s);
            ASSERT_TRUE(payload);
            EXPECT_TRUE(std::ranges::equal(payload->bytes(), b.written[played].data));
            ++played;
        }
        EXPECT_EQ(played, expected);
        EXPECT_EQ(r.duration_ms(), b.written[expected - 1].dts);
    }
}

TEST(FlvReader, PreviousTagSizeMismatchIsFatal) {
    const auto b = clip();
    auto bytes = b.bytes();
    // The trailer of the tenth tag (just before the eleventh's header).
    const std::size_t trailer = b.tag_starts[10] - 4;
    test::put_u32(bytes, trailer, test::get_u32(bytes, trailer) + 1);
    const auto error = open_error(bytes);
    EXPECT_EQ(error, Errc::flv_previous_tag_size_mismatch);
    EXPECT_TRUE(base::is_fatal(error));

    bytes = b.bytes();
    test::put_u32(bytes, 9, 11);  // PreviousTagSize0 must be 0
    EXPECT_EQ(open_error(bytes), Errc::flv_previous_tag_size_mismatch);

    // The last trailer too (it is complete, so it is checked).
    bytes = b.bytes();
    bytes.back() ^= 1;
    EXPECT_EQ(open_error(bytes), Errc::flv_previous_tag_size_mismatch);
}

TEST(FlvReader, UnsupportedTagTypesAreFatal) {
    auto b = clip();
    b.tag(20, 2000, hex("00 01 02"));
    b.media(TrackKind::audio, 2000, aac_frame(1), true);
    EXPECT_EQ(open_error(b.bytes()), Errc::flv_tag_type_unsupported);

    // The filter (encrypted) bit on an audio tag.
    const auto c = clip();
    auto bytes = c.bytes();
    bytes[c.tag_starts[4]] |= 0x20;
    EXPECT_EQ(open_error(bytes), Errc::flv_tag_type_unsupported);

    // AMF3 script data (type 15) is replayed as data like AMF0, marked amf3;
    // data alone is no track.
    FlvBuilder d;
    d.tag(15, 0, hex("00 02 00 0A"));
    d.media(TrackKind::audio, 0, aac_frame(0), true);
    auto o = open_bytes(d.bytes());
    ASSERT_TRUE(o.reader);
    EXPECT_EQ(o.reader->ignored_tag_count(), 0u);
    EXPECT_TRUE(o.reader->metadata().empty());
    const auto data = o.reader->next();
    ASSERT_TRUE(data);
    EXPECT_EQ(data->kind, TrackKind::data);
    EXPECT_TRUE(data->amf3);
    FlvBuilder only_data;
    only_data.tag(script_tag, 0, cat(hex("02 00 0A"), ascii("onCuePoint"), hex("05")));
    EXPECT_EQ(open_error(only_data.bytes()), Errc::no_supported_track);
}

TEST(FlvReader, RefusesWhatIsNotAnFlvFile) {
    const auto good = clip().bytes();
    auto bytes = good;
    bytes[2] = 'X';
    EXPECT_EQ(open_error(bytes), Errc::flv_header_invalid);
    bytes = good;
    bytes[3] = 2;  // version
    EXPECT_EQ(open_error(bytes), Errc::flv_header_invalid);
    bytes = good;
    test::put_u32(bytes, 5, 8);  // data offset inside the header
    EXPECT_EQ(open_error(bytes), Errc::flv_header_invalid);
    EXPECT_EQ(open_error(hex("46 4C 56 01 05 00 00 00")), Errc::flv_header_invalid);
    EXPECT_EQ(open_error({}), Errc::flv_header_invalid);
    EXPECT_EQ(open_error(cat(hex("00 00 00 18"), ascii("ftypisom"), base::ByteVector(20, 0))),
              Errc::flv_header_invalid);
}

TEST(FlvReader, HonoursAPaddedHeader) {
    const auto good = clip().bytes();
    // Data offset 12: three bytes no one reads between the header and PreviousTagSize0.
    auto bytes =
        cat(hex("46 4C 56 01 05 00 00 00 0C EE EE EE"), base::ByteVector(good.begin() + 9, good.end()));
    auto o = open_bytes(bytes);
    ASSERT_TRUE(o.reader) << o.error.message();
    EXPECT_EQ(o.reader->tag_count(), 62u);
    EXPECT_EQ(o.reader->next()->offset, clip().written[0].offset + 3);
}

TEST(FlvReader, FileWithoutMediaHasNoSupportedTrack) {
    FlvBuilder b;
    EXPECT_EQ(open_error(b.bytes()), Errc::no_supported_track);  // header + PreviousTagSize0
    b.tag(script_tag, 0, meta_body());
    b.tag(video_tag, 0, hex("57 01"));  // only a command frame
    EXPECT_EQ(open_error(b.bytes()), Errc::no_supported_track);
    EXPECT_EQ(open_error(hex("46 4C 56 01 05 00 00 00 09")), Errc::no_supported_track);
    // A header whose data offset lies past the end.
    EXPECT_EQ(open_error(hex("46 4C 56 01 05 00 00 01 00")), Errc::no_supported_track);
}

TEST(FlvReader, LimitsAreEnforced) {
    const auto b = clip();
    FlvLimits limits;
    limits.max_tags = b.tag_total();
    EXPECT_TRUE(open_bytes(b.bytes(), limits).reader);
    limits.max_tags = b.tag_total() - 1;
    EXPECT_EQ(open_error(b.bytes(), limits), Errc::too_many_tags);

    limits = {};
    limits.max_tag_data_bytes = 905;  // the keyframes (905 bytes) fit, nothing larger
    EXPECT_TRUE(open_bytes(b.bytes(), limits).reader);
    limits.max_tag_data_bytes = 904;
    EXPECT_EQ(open_error(b.bytes(), limits), Errc::flv_tag_too_large);
}

TEST(FlvReader, TimestampsUseTheExtendedByte) {
    FlvBuilder b;
    b.tag(script_tag, 0xF0000000u, meta_body());  // script tag times are not judged
    b.media(TrackKind::video, 0x01000010u, avc_frame(true, 0, 0, 4), true);
    b.media(TrackKind::video, 0x7FFFFFFFu, avc_frame(false, 0, 0, 4), false);
    auto o = open_bytes(b.bytes());
    ASSERT_TRUE(o.reader) << o.error.message();
    EXPECT_EQ(o.reader->next()->dts_ms, 0x01000010);
    EXPECT_EQ(o.reader->duration_ms(), 0x7FFFFFFF);
    b.media(TrackKind::video, 0x80000000u, avc_frame(false, 0, 0, 4), false);
    EXPECT_EQ(open_error(b.bytes()), Errc::timestamp_out_of_range);
}

TEST(FlvReader, SourceErrorsPassThrough) {
    const auto b = clip();
    const auto failure = std::make_error_code(std::errc::io_error);
    {
        MemorySource source(b.bytes());
        source.fail_from(b.tag_starts[20], failure);
        auto r = FlvReader::open(source);
        EXPECT_EQ(r.error(), failure);
    }
    MemorySource source(b.bytes());
    auto r = FlvReader::open(source);
    ASSERT_TRUE(r);
    const auto first = *r->next();
    const auto second = *r->next();
    source.fail_from(second.offset, failure);
    EXPECT_TRUE(r->read_tag_payload(first));
    EXPECT_EQ(r->read_tag_payload(second).error(), failure);
}

TEST(FlvReader, ReadsAboutOncePerTag) {
    const auto b = clip(true);
    MemorySource source(b.bytes());
    auto r = FlvReader::open(source);
    ASSERT_TRUE(r);
    // The header, one span per tag, one more for the end and one whole read
    // for onMetaData (the sequence headers fit in the span).
    EXPECT_EQ(source.read_count(), 1 + b.tag_total() + 1 + 1);
}

TEST(FlvReader, RefusesSamplesItDidNotHandOut) {
    auto o = open_bytes(clip().bytes());
    ASSERT_TRUE(o.reader);
    auto& r = *o.reader;
    r.next();
    r.next();
    const Sample s = *r.next();  // the first video frame
    Sample other = s;
    other.offset += 1;
    EXPECT_EQ(r.read_tag_payload(other).error(), Errc::sample_not_from_reader);
    other = s;
    other.size += 1;
    EXPECT_EQ(r.read_tag_payload(other).error(), Errc::sample_not_from_reader);
    other = s;
    other.kind = TrackKind::audio;
    EXPECT_EQ(r.read_tag_payload(other).error(), Errc::sample_not_from_reader);
    other = s;
    other.track = 1;
    EXPECT_EQ(r.read_tag_payload(other).error(), Errc::sample_not_from_reader);
    EXPECT_FALSE(r.is_sequence_header(other));
    EXPECT_EQ(r.read_tag_payload(Sample{}).error(), Errc::sample_not_from_reader);
    EXPECT_TRUE(r.read_tag_payload(s));
}

TEST(FlvReader, FfmpegFileMatchesFfprobe) {
    const auto file = test::generate(
        "-f lavfi -i testsrc2=size=160x120:rate=25 -f lavfi -i sine=frequency=440:sample_rate=44100 -t 2 "
        "-c:v libx264 -g 25 -c:a aac -f flv",
        "flv", {"libx264"});
    if (file.empty()) GTEST_SKIP() << "ffmpeg or libx264 missing";
    const auto bytes = test::read_file(file);
    const auto p = test::probe(file);
    auto o = open_bytes(bytes);
    ASSERT_TRUE(o.reader) << o.error.message();
    auto& r = *o.reader;
    EXPECT_TRUE(r.has_video());
    EXPECT_TRUE(r.has_audio());
    EXPECT_FALSE(r.truncated());
    EXPECT_NEAR(static_cast<double>(r.duration_ms()), 2000.0, 100.0);
    EXPECT_NEAR(static_cast<double>(r.duration_ms()), p.duration * 1000, 40.0);
    auto meta = flv::decode_metadata(r.metadata());
    ASSERT_TRUE(meta);
    EXPECT_NEAR(*meta->duration(), 2.0, 0.1);
    const auto video_header = r.sequence_header(TrackKind::video);
    ASSERT_GE(video_header.size(), 5u);
    EXPECT_EQ(video_header.data()[0], 0x17);
    EXPECT_EQ(video_header.data()[1], 0x00);
    const auto audio_header = r.sequence_header(TrackKind::audio);
    ASSERT_GE(audio_header.size(), 2u);
    EXPECT_EQ(audio_header.data()[0], 0xAF);
    EXPECT_EQ(audio_header.data()[1], 0x00);

    const auto samples = drain(r);
    std::size_t keyframes = 0;
    for (const auto& s : samples) keyframes += s.kind == TrackKind::video && s.keyframe ? 1 : 0;
    EXPECT_EQ(keyframes, 2u);
    // Every packet ffprobe sees is a sample (ffprobe's pos is the tag header's offset).
    ASSERT_FALSE(p.packets.empty());
    for (const auto& packet : p.packets) {
        SCOPED_TRACE(packet.pos);
        auto it = std::find_if(samples.begin(), samples.end(), [&](const Sample& s) {
            return s.offset == packet.pos + flv::TagHeader::size;
        });
        ASSERT_NE(it, samples.end());
        EXPECT_EQ(it->dts_ms, test::to_ms(packet.dts));
        EXPECT_EQ(it->pts_ms(), test::to_ms(packet.pts));
        EXPECT_EQ(it->kind == TrackKind::video && it->keyframe,
                  p.streams[packet.stream].codec_type == "video" && packet.key);
    }
    // Plus the two sequence headers and (FFmpeg's flvenc) the end of sequence.
    EXPECT_GE(samples.size(), p.packets.size() + 2);
    EXPECT_LE(samples.size(), p.packets.size() + 3);
    // A second keyframe at 1000 ms (-g 25 at 25 fps).
    EXPECT_EQ(*r.seek(1500), 1000);
    EXPECT_TRUE(r.peek()->keyframe);
}

}  // namespace
}  // namespace sluice::demux
