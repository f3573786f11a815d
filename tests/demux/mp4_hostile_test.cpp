// Mp4Reader and parse_box_header() against broken and hostile files: each
// must end with its specific error, quickly, without a large allocation.
// Most cases patch a real ffmpeg file (box offsets found by byte search).
#include <gtest/gtest.h>

#include "demux/errors.hpp"
#include "demux/mp4_box.hpp"
#include "demux/mp4_reader.hpp"
#include "demux_test_support.hpp"
#include "support/hex_literal.hpp"

namespace sluice::demux {
namespace {

using sluice::test::hex;
using test::box;
using test::find_box;
using test::get_u32;
using test::put_u32;

base::ByteVector h264_bytes(bool faststart) {
    const std::string args =
        "-f lavfi -i testsrc2=size=64x48:rate=25 -f lavfi -i sine=frequency=440:sample_rate=44100 -t 1 "
        "-c:v libx264 -g 25 -bf 2 -c:a aac" +
        std::string(faststart ? " -movflags +faststart" : "");
    const auto file = test::generate(args, "mp4", {"libx264"});
    return file.empty() ? base::ByteVector{} : test::read_file(file);
}

std::error_code open_error(const base::ByteVector& bytes, const Mp4Limits& limits = {}) {
    MemorySource source{base::Bytes(bytes)};
    auto r = Mp4Reader::open(source, limits);
    return r ? std::error_code{} : r.error();
}

class Mp4Hostile : public ::testing::Test {
protected:
    void SetUp() override {
        plain_ = h264_bytes(false);
        fast_ = h264_bytes(true);
        if (plain_.empty() || fast_.empty()) GTEST_SKIP() << "libx264 missing";
        ASSERT_FALSE(open_error(plain_));
        ASSERT_FALSE(open_error(fast_));
    }
    base::ByteVector plain_;  ///< ftyp free mdat moov
    base::ByteVector fast_;   ///< ftyp moov free mdat
};

TEST(BoxHeader, ReadsThe32And64BitFormsAndRefusesLies) {
    auto h = parse_box_header(hex("00 00 00 10 6D 64 61 74"), 100, false);
    ASSERT_TRUE(h);
    EXPECT_EQ(h->type, box_type("mdat"));
    EXPECT_EQ(h->size, 16u);
    EXPECT_EQ(h->body_size(), 8u);

    h = parse_box_header(hex("00 00 00 01 6D 64 61 74 00 00 00 01 00 00 00 00"), 0x100000010ull, false);
    ASSERT_TRUE(h);
    EXPECT_EQ(h->size, 0x100000000ull);
    EXPECT_EQ(h->header_size, 16u);

    h = parse_box_header(hex("00 00 00 00 6D 64 61 74"), 500, true);
    ASSERT_TRUE(h);
    EXPECT_TRUE(h->to_end);
    EXPECT_EQ(h->size, 500u);

    EXPECT_EQ(parse_box_header(hex("00 00 00 00 6D 64 61 74"), 500, false).error(),
              Errc::box_size_zero_not_allowed);
    EXPECT_EQ(parse_box_header(hex("00 00 00 07 66 72 65 65"), 100, false).error(), Errc::box_size_invalid);
    EXPECT_EQ(parse_box_header(hex("00 00 00 01 66 72 65 65 00 00 00 00 00 00 00 0F"), 100, false).error(),
              Errc::box_size_invalid);
    EXPECT_EQ(parse_box_header(hex("00 00 00 65 66 72 65 65"), 100, false).error(), Errc::box_exceeds_parent);
    EXPECT_EQ(parse_box_header(hex("00 00 00 01 66 72 65 65 FF FF FF FF FF FF FF FF"), 100, false).error(),
              Errc::box_exceeds_parent);
    EXPECT_EQ(parse_box_header(hex("00 00 00 01 66 72 65 65 00 00"), 100, false).error(),
              Errc::box_truncated);
    EXPECT_EQ(parse_box_header(hex("00 00 00 08 66 72"), 100, false).error(), Errc::box_truncated);
    // uuid boxes carry 16 more header bytes.
    EXPECT_EQ(parse_box_header(hex("00 00 00 10 75 75 69 64 00 00 00 00 00 00 00 00"), 100, false).error(),
              Errc::box_truncated);
}

TEST_F(Mp4Hostile, SixtyFourBitSizesOnMdatAndMoovAreRead) {
    // ffmpeg reserves an 8-byte 'free' box before mdat for exactly this.
    const std::size_t free_at = find_box(plain_, "free");
    const std::size_t mdat_at = find_box(plain_, "mdat");
    ASSERT_EQ(free_at + 8, mdat_at);
    const std::uint64_t mdat_size = get_u32(plain_, mdat_at);
    base::ByteWriter w;
    w.bytes(base::Bytes(plain_).first(free_at));
    w.u32be(1);
    w.chars("mdat");
    w.u64be(mdat_size + 8);
    const std::size_t moov_at = find_box(plain_, "moov");
    w.bytes(base::Bytes(plain_).subspan(mdat_at + 8, moov_at - mdat_at - 8));
    w.u32be(1);
    w.chars("moov");
    w.u64be(get_u32(plain_, moov_at) + 8);
    w.bytes(base::Bytes(plain_).subspan(moov_at + 8));
    const auto patched = w.take();
    ASSERT_EQ(patched.size(), plain_.size() + 8);
    MemorySource a{base::Bytes(plain_)};
    MemorySource b{base::Bytes(patched)};
    auto ra = Mp4Reader::open(a);
    auto rb = Mp4Reader::open(b);
    ASSERT_TRUE(rb) << rb.error().message();
    ASSERT_EQ(rb->tracks().size(), 2u);
    for (std::size_t t = 0; t < 2; ++t) EXPECT_EQ(rb->tracks()[t].sample_count, ra->tracks()[t].sample_count);
    std::size_t count = 0;
    while (auto s = rb->next()) {
        auto sa = ra->next();
        ASSERT_TRUE(sa);
        EXPECT_EQ(s->offset, sa->offset);
        EXPECT_EQ(s->size, sa->size);
        ++count;
    }
    EXPECT_GT(count, 60u);
}

TEST_F(Mp4Hostile, MoovLargesizePastTheFileIsRefused) {
    const std::size_t moov_at = find_box(plain_, "moov");
    base::ByteWriter w;
    w.bytes(base::Bytes(plain_).first(moov_at));
    w.u32be(1);
    w.chars("moov");
    w.u64be(0x7FFFFFFFFFFFFFFFull);
    w.bytes(base::Bytes(plain_).subspan(moov_at + 8));
    EXPECT_EQ(open_error(w.take()), Errc::box_exceeds_parent);
}

TEST_F(Mp4Hostile, BoxSmallerThanItsHeaderIsRefused) {
    auto bytes = plain_;
    put_u32(bytes, find_box(bytes, "moov"), 4);
    EXPECT_EQ(open_error(bytes), Errc::box_size_invalid);
    bytes = plain_;
    put_u32(bytes, find_box(bytes, "stbl"), 7);
    EXPECT_EQ(open_error(bytes), Errc::box_size_invalid);
}

TEST_F(Mp4Hostile, ChildLargerThanItsParentIsRefused) {
    auto bytes = plain_;
    const std::size_t trak = find_box(bytes, "trak");
    put_u32(bytes, find_box(bytes, "mdia", trak), get_u32(bytes, trak));
    EXPECT_EQ(open_error(bytes), Errc::box_exceeds_parent);
}

TEST_F(Mp4Hostile, SizeZeroIsRefusedInsideMoovAndEndsTheTopLevel) {
    auto bytes = plain_;
    put_u32(bytes, find_box(bytes, "trak"), 0);
    EXPECT_EQ(open_error(bytes), Errc::box_size_zero_not_allowed);
    // mdat "to the end of the file" hides a moov that follows it...
    bytes = plain_;
    put_u32(bytes, find_box(bytes, "mdat"), 0);
    EXPECT_EQ(open_error(bytes), Errc::moov_missing);
    // ...and is fine when the moov came first.
    bytes = fast_;
    put_u32(bytes, find_box(bytes, "mdat"), 0);
    EXPECT_FALSE(open_error(bytes));
}

TEST_F(Mp4Hostile, SampleCountsThatLieAreRefusedBeforeAllocating) {
    auto bytes = plain_;
    const std::size_t stsz = find_box(bytes, "stsz");
    put_u32(bytes, stsz + 16, 1'000'000);  // per-sample table far larger than the box
    EXPECT_EQ(open_error(bytes), Errc::sample_table_truncated);
    // A uniform size needs no table: the count meets the limit, and the
    // samples must fit in the file.
    put_u32(bytes, stsz + 12, 1);
    put_u32(bytes, stsz + 16, 0xFFFFFFFF);
    EXPECT_EQ(open_error(bytes), Errc::too_many_samples);
    put_u32(bytes, stsz + 12, 1000);
    put_u32(bytes, stsz + 16, 9'000'000);
    EXPECT_EQ(open_error(bytes), Errc::sample_outside_file);
    bytes = plain_;
    const std::size_t stts = find_box(bytes, "stts");
    put_u32(bytes, stts + 12, 0x10000000);  // entry count past the box
    EXPECT_EQ(open_error(bytes), Errc::sample_table_truncated);
}

TEST_F(Mp4Hostile, TablesThatDisagreeAreRefused) {
    auto bytes = plain_;
    const std::size_t stts = find_box(bytes, "stts");
    ASSERT_EQ(get_u32(bytes, stts + 12), 1u);  // one run of 25 frames
    put_u32(bytes, stts + 16, 3);
    EXPECT_EQ(open_error(bytes), Errc::sample_table_inconsistent);
    bytes = plain_;
    put_u32(bytes, find_box(bytes, "stsc") + 16, 0);  // first_chunk 0
    EXPECT_EQ(open_error(bytes), Errc::sample_table_inconsistent);
    bytes = plain_;
    put_u32(bytes, find_box(bytes, "stco") + 12, 0);  // no chunks at all
    EXPECT_EQ(open_error(bytes), Errc::sample_table_inconsistent);
}

TEST_F(Mp4Hostile, ChunkOffsetPastTheEndIsRefused) {
    auto bytes = plain_;
    put_u32(bytes, find_box(bytes, "stco") + 16, 0xFFFFFF00);
    EXPECT_EQ(open_error(bytes), Errc::sample_outside_file);
    // A file cut inside mdat: the moov (first) is intact, the samples are not.
    bytes = fast_;
    bytes.resize(bytes.size() - 1000);
    EXPECT_EQ(open_error(bytes), Errc::sample_outside_file);
}

TEST_F(Mp4Hostile, ZeroTimescalesAreRefused) {
    auto bytes = plain_;
    put_u32(bytes, find_box(bytes, "mvhd") + 20, 0);
    EXPECT_EQ(open_error(bytes), Errc::timescale_invalid);
    bytes = plain_;
    put_u32(bytes, find_box(bytes, "mdhd") + 20, 0);
    EXPECT_EQ(open_error(bytes), Errc::timescale_invalid);
}

TEST_F(Mp4Hostile, BrokenCodecConfigDropsTheTrackOrFailsTheFile) {
    auto bytes = plain_;
    bytes[find_box(bytes, "avcC") + 8] = 0;  // configurationVersion 0
    MemorySource source{base::Bytes(bytes)};
    auto r = Mp4Reader::open(source);
    ASSERT_TRUE(r);
    ASSERT_EQ(r->tracks().size(), 1u);
    EXPECT_EQ(r->tracks()[0].kind, TrackKind::audio);
    // With the audio entry unsupported too, the broken video explains the failure.
    bytes[find_box(bytes, "mp4a") + 4] = 'X';
    EXPECT_EQ(open_error(bytes), Errc::codec_config_invalid);
}

TEST_F(Mp4Hostile, LimitsAreEnforced) {
    Mp4Limits limits;
    limits.max_samples_per_track = 10;
    EXPECT_EQ(open_error(plain_, limits), Errc::too_many_samples);
    limits = {};
    limits.max_moov_bytes = 100;
    EXPECT_EQ(open_error(plain_, limits), Errc::moov_too_large);
    limits = {};
    limits.max_tracks = 1;
    EXPECT_EQ(open_error(plain_, limits), Errc::too_many_tracks);
    limits = {};
    limits.max_boxes = 10;
    EXPECT_EQ(open_error(plain_, limits), Errc::too_many_boxes);
    limits = {};
    limits.max_sample_bytes = 100;
    EXPECT_EQ(open_error(plain_, limits), Errc::sample_too_large);
}

TEST(Mp4HostileSynthetic, NestingAThousandDeepIsRefused) {
    for (const char* type : {"moov", "trak", "stbl"}) {
        SCOPED_TRACE(type);
        base::ByteVector inner = box("free");
        for (int i = 0; i < 1000; ++i) inner = box(type, inner);
        if (std::string_view(type) != "moov") inner = box("moov", inner);
        const auto file = sluice::test::cat(box("ftyp", sluice::test::ascii("isom\0\0\0\0")), inner);
        EXPECT_EQ(open_error(file), Errc::box_nesting_too_deep);
    }
}

TEST(Mp4HostileSynthetic, MillionsOfTinyBoxesHitTheBoxLimit) {
    base::ByteVector top;
    const auto free8 = box("free");
    top.reserve(250'000 * 8);
    for (int i = 0; i < 250'000; ++i) top.insert(top.end(), free8.begin(), free8.end());
    EXPECT_EQ(open_error(top), Errc::too_many_boxes);
    const auto inside = box("moov", top);
    EXPECT_EQ(open_error(inside), Errc::too_many_boxes);
}

TEST(Mp4HostileSynthetic, NonMp4InputIsRefused) {
    EXPECT_EQ(open_error({}), Errc::moov_missing);
    EXPECT_EQ(open_error(sluice::test::ascii("this is not an mp4 file at all")), Errc::box_exceeds_parent);
    EXPECT_EQ(open_error(sluice::test::cat(box("ftyp"), box("mdat"))), Errc::moov_missing);
    EXPECT_EQ(open_error(sluice::test::cat(box("ftyp"), box("moov"))), Errc::no_supported_track);
}

TEST_F(Mp4Hostile, EveryTruncationEndsCleanly) {
    // Cut the faststart file at many points: never a crash, an error unless
    // the cut falls after the last sample.
    for (std::size_t cut = 0; cut < fast_.size(); cut += 97) {
        const base::ByteVector prefix(fast_.begin(), fast_.begin() + static_cast<std::ptrdiff_t>(cut));
        EXPECT_TRUE(open_error(prefix)) << cut;
    }
}

}  // namespace
}  // namespace sluice::demux
