#include "flv/avc_config.hpp"

#include <gtest/gtest.h>

#include "flv/detail/rbsp.hpp"
#include "flv/errors.hpp"
#include "support/hex_literal.hpp"

namespace sluice::flv {
namespace {

using test::hex;

// SPS bytes built field by field from H.264 §7.3.2.1.1 (the field values
// are listed with each); emulation prevention applied where the RBSP has
// 00 00 followed by a byte <= 03.

// High (100), constraints 0, level 40; sps_id 0, chroma_format_idc 1, bit
// depths 8, no scaling matrix, log2_max_frame_num-4 = 0, poc type 0 (lsb-4 = 2),
// 4 ref frames, 80x45 macroblocks, frame_mbs_only, direct_8x8, no cropping, no VUI.
const auto high_720 = hex("67 64 00 28 AC D9 40 50 05 B9");
// Same, with seq_scaling_matrix_present: list 0 (4x4) with 16 deltas, list 6
// (8x8) ending early with delta -8 (next scale 0).
const auto high_720_scaling = hex("67 64 00 28 AD A4 92 FF E0 84 5B 28 0A 00 B7 20");
// Constrained Baseline (66, set0+set1), level 13; poc type 1 with
// offset_for_non_ref_pic = 8388679 (its long Exp-Golomb code yields 00 00 03),
// one cycle entry; 20x15 macroblocks; no cropping.
const auto baseline_240 = hex("67 42 C0 0D D0 00 00 03 02 00 01 1D 42 8A 0A 0F C8");
// High, level 42; 120x68 macroblocks (1920x1088) cropped by 4 at the bottom
// (crop unit 2 for 4:2:0 frames) -> 1920x1080.
const auto high_1080 = hex("67 64 00 2A AC D9 40 78 02 27 E5 40");
// Main (77), level 30; 45x18 map units, frame_mbs_only = 0 (fields: 36 MB
// rows) -> 720x576 interlaced; cropping flag set with zero offsets.
const auto main_576i = hex("67 4D 00 1E EC A0 5A 12 3F 40");

TEST(Rbsp, RemovesEmulationPreventionBytes) {
    EXPECT_EQ(detail::to_rbsp(hex("00 00 03 01 00 00 03 00 00 03"), 100), hex("00 00 01 00 00 00 00"));
    EXPECT_EQ(detail::to_rbsp(hex("00 03 00 00 04"), 100), hex("00 03 00 00 04"));
    EXPECT_EQ(detail::to_rbsp(hex("11 22 33 44"), 2), hex("11 22"));
}

TEST(AvcSps, High720) {
    auto s = parse_avc_sps(high_720);
    ASSERT_TRUE(s) << s.error().message();
    EXPECT_EQ(s->profile_idc, 100);
    EXPECT_EQ(s->level_idc, 40);
    EXPECT_EQ(s->chroma_format_idc, 1u);
    EXPECT_EQ(s->bit_depth_luma, 8u);
    EXPECT_EQ(s->width, 1280u);
    EXPECT_EQ(s->height, 720u);
}

TEST(AvcSps, X264High31With720pVui) {
    // An SPS as x264 writes it for 1280x720 High 3.1 (with VUI timing info,
    // which carries two emulation-prevention bytes).
    auto s =
        parse_avc_sps(hex("67 64 00 1F AC D9 40 50 05 BB 01 10 00 00 03 00 10 00 00 03 03 C0 F1 83 19 60"));
    ASSERT_TRUE(s) << s.error().message();
    EXPECT_EQ(s->profile_idc, 100);
    EXPECT_EQ(s->level_idc, 31);
    EXPECT_EQ(s->width, 1280u);
    EXPECT_EQ(s->height, 720u);
}

TEST(AvcSps, ScalingListsAreSkipped) {
    auto s = parse_avc_sps(high_720_scaling);
    ASSERT_TRUE(s) << s.error().message();
    EXPECT_EQ(s->width, 1280u);
    EXPECT_EQ(s->height, 720u);
}

TEST(AvcSps, Baseline240WithEmulationPrevention) {
    auto s = parse_avc_sps(baseline_240);
    ASSERT_TRUE(s) << s.error().message();
    EXPECT_EQ(s->profile_idc, 66);
    EXPECT_EQ(s->constraint_flags, 0xC0);
    EXPECT_EQ(s->width, 320u);
    EXPECT_EQ(s->height, 240u);
    // The NAL carries one emulation-prevention byte; kept as data it would
    // shift every later field by 8 bits.
    EXPECT_EQ(detail::to_rbsp(baseline_240, 100), hex("67 42 C0 0D D0 00 00 02 00 01 1D 42 8A 0A 0F C8"));
}

TEST(AvcSps, CroppingAndInterlace) {
    auto hd = parse_avc_sps(high_1080);
    ASSERT_TRUE(hd);
    EXPECT_EQ(hd->width, 1920u);
    EXPECT_EQ(hd->height, 1080u);
    auto sd = parse_avc_sps(main_576i);
    ASSERT_TRUE(sd);
    EXPECT_FALSE(sd->frame_mbs_only);
    EXPECT_EQ(sd->width, 720u);
    EXPECT_EQ(sd->height, 576u);
}

TEST(AvcSps, Malformed) {
    EXPECT_EQ(parse_avc_sps({}).error(), Errc::sps_invalid);
    EXPECT_EQ(parse_avc_sps(hex("68 64 00 28 AC D9 40 50 05 B9")).error(), Errc::sps_invalid);  // a PPS
    for (std::size_t n = 1; n < high_720.size() - 1; ++n) {
        EXPECT_FALSE(parse_avc_sps(base::Bytes(high_720).first(n))) << n;
    }
    // A scaling-list delta far outside -128..127 (found by flv_tag_fuzz:
    // it overflowed the next-scale arithmetic).
    EXPECT_EQ(parse_avc_sps(
                  hex("67 64 00 28 AD A4 3A 92 00 FF FF FF 36 28 AD A4 92 FF C0 84 1E 5B 3D 0A 00 B7 00 00"
                      "00 00 FF FF FF 36 01 00 00 00 00 00 00 00 36 20"))
                  .error(),
              Errc::sps_invalid);
    // 33 leading zeros: an Exp-Golomb code too long for 32 bits.
    EXPECT_EQ(parse_avc_sps(hex("67 42 00 1E 00 00 00 00 00 80")).error(), Errc::sps_invalid);
}

TEST(AvcConfig, ParsesARecordWithSpsAndPps) {
    const auto record = hex("01 64 00 28 FF E1 00 0A 67 64 00 28 AC D9 40 50 05 B9 01 00 04 68 EB E3 CB");
    auto c = parse_avc_config(record);
    ASSERT_TRUE(c) << c.error().message();
    EXPECT_EQ(c->profile, 100);
    EXPECT_EQ(c->compatibility, 0);
    EXPECT_EQ(c->level, 40);
    EXPECT_EQ(c->nal_length_size, 4);
    ASSERT_EQ(c->sps.size(), 1u);
    ASSERT_EQ(c->pps.size(), 1u);
    EXPECT_EQ(base::ByteVector(c->pps[0].begin(), c->pps[0].end()), hex("68 EB E3 CB"));
    ASSERT_TRUE(c->first_sps);
    EXPECT_EQ(describe(*c), "H.264 High 4.0 1280x720");
    for (std::size_t n = 0; n < record.size(); ++n) {
        EXPECT_EQ(parse_avc_config(base::Bytes(record).first(n)).error(), Errc::avc_config_invalid) << n;
    }
}

TEST(AvcConfig, BaselineDescribeAndBadSpsStillParses) {
    const auto record = test::cat(hex("01 42 C0 0D FF E1 00 11"), baseline_240, hex("00"));
    auto c = parse_avc_config(record);
    ASSERT_TRUE(c);
    EXPECT_EQ(describe(*c), "H.264 Constrained Baseline 1.3 320x240");
    // An SPS that does not parse leaves the record usable, without a resolution.
    auto junk = parse_avc_config(hex("01 4D 00 1F FF E1 00 02 67 4D 00"));
    ASSERT_TRUE(junk);
    EXPECT_FALSE(junk->first_sps);
    EXPECT_EQ(describe(*junk), "H.264 Main 3.1");
}

TEST(AvcConfig, Malformed) {
    EXPECT_EQ(parse_avc_config(hex("02 64 00 28 FF E0 00")).error(), Errc::avc_config_invalid);
    AvcConfig::Limits limits;
    limits.max_sps_count = 0;
    EXPECT_EQ(parse_avc_config(hex("01 64 00 28 FF E1 00 01 67 00"), limits).error(),
              Errc::avc_config_invalid);
}

TEST(AvcNames, ProfilesAndLevels) {
    EXPECT_EQ(avc_profile_name(66, 0), "Baseline");
    EXPECT_EQ(avc_profile_name(77, 0), "Main");
    EXPECT_EQ(avc_profile_name(110, 0), "High 10");
    EXPECT_EQ(avc_profile_name(7, 0), "profile 7");
    EXPECT_EQ(avc_level_name(31), "3.1");
    EXPECT_EQ(avc_level_name(9), "1b");
}

}  // namespace
}  // namespace sluice::flv
