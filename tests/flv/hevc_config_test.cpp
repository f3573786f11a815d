#include "flv/hevc_config.hpp"

#include <gtest/gtest.h>

#include "flv/errors.hpp"
#include "support/hex_literal.hpp"

namespace sluice::flv {
namespace {

using test::hex;

// SPS built from H.265 §7.3.2.2: vps 0, max_sub_layers_minus1 0, nesting 1;
// profile_tier_level: space 0, Main tier, profile 1 (Main), compatibility
// 0x60000000, progressive + frame-only source flags, level 123 (4.1);
// sps_id 0, chroma 1 (4:2:0), 1920x1088 with a conformance window of 4 at
// the bottom (x2 for 4:2:0 -> 8 rows), bit depths 8. The PTL's zero runs
// carry emulation-prevention bytes (00 00 03).
const auto sps_1080 = hex("42 01 01 01 60 00 00 03 00 90 00 00 03 00 00 03 00 7B A0 03 C0 80 11 07 CB 96");

// hvcC (ISO 14496-15 §8.3.3.1) around a VPS, that SPS and a PPS;
// lengthSizeMinusOne 3, one temporal layer, nested.
const auto hvcc_1080 =
    hex("01 01 60 00 00 00 90 00 00 00 00 00 7B F0 00 FC FD F8 F8 00 00 0F 03"
        "A0 00 01 00 18 40 01 0C 01 FF FF 01 60 00 00 03 00 90 00 00 03 00 00 03 00 78 95 98 09"
        "A1 00 01 00 1A 42 01 01 01 60 00 00 03 00 90 00 00 03 00 00 03 00 7B A0 03 C0 80 11 07 CB 96"
        "A2 00 01 00 07 44 01 C1 72 B4 62 40");

TEST(HevcSps, Main1080WithConformanceWindow) {
    auto s = parse_hevc_sps(sps_1080);
    ASSERT_TRUE(s) << s.error().message();
    EXPECT_EQ(s->profile_idc, 1);
    EXPECT_FALSE(s->high_tier);
    EXPECT_EQ(s->level_idc, 123);
    EXPECT_EQ(s->chroma_format_idc, 1u);
    EXPECT_EQ(s->width, 1920u);
    EXPECT_EQ(s->height, 1080u);
    EXPECT_EQ(s->bit_depth_luma, 8u);
}

TEST(HevcSps, Malformed) {
    EXPECT_EQ(parse_hevc_sps(hex("40 01 0C")).error(), Errc::sps_invalid);  // a VPS
    for (std::size_t n = 0; n + 2 < sps_1080.size(); ++n) {
        EXPECT_FALSE(parse_hevc_sps(base::Bytes(sps_1080).first(n))) << n;
    }
}

TEST(HevcConfig, ParsesTheRecord) {
    auto c = parse_hevc_config(hvcc_1080);
    ASSERT_TRUE(c) << c.error().message();
    EXPECT_EQ(c->profile_idc, 1);
    EXPECT_EQ(c->compatibility_flags, 0x60000000u);
    EXPECT_EQ(c->constraint_flags, 0x900000000000u);
    EXPECT_EQ(c->level_idc, 123);
    EXPECT_EQ(c->chroma_format, 1);
    EXPECT_EQ(c->bit_depth_luma, 8);
    EXPECT_EQ(c->temporal_layers, 1);
    EXPECT_EQ(c->nal_length_size, 4);
    ASSERT_EQ(c->arrays.size(), 3u);
    EXPECT_EQ(c->arrays[0].nal_type, 32);
    EXPECT_EQ(c->arrays[1].nal_type, 33);
    EXPECT_TRUE(c->arrays[1].complete);
    EXPECT_EQ(c->arrays[2].nal_units.at(0).size(), 7u);
    ASSERT_TRUE(c->first_sps);
    EXPECT_EQ(describe(*c), "H.265 Main 4.1 1920x1080");
    for (std::size_t n = 0; n < hvcc_1080.size(); ++n) {
        EXPECT_EQ(parse_hevc_config(base::Bytes(hvcc_1080).first(n)).error(), Errc::hevc_config_invalid) << n;
    }
}

TEST(HevcConfig, LimitsAndVersion) {
    auto bad = hvcc_1080;
    bad[0] = 0;
    EXPECT_EQ(parse_hevc_config(bad).error(), Errc::hevc_config_invalid);
    HevcConfig::Limits limits;
    limits.max_nal_units = 2;
    EXPECT_EQ(parse_hevc_config(hvcc_1080, limits).error(), Errc::hevc_config_invalid);
    limits = {};
    limits.max_arrays = 2;
    EXPECT_EQ(parse_hevc_config(hvcc_1080, limits).error(), Errc::hevc_config_invalid);
}

TEST(HevcNames, ProfilesAndLevels) {
    EXPECT_EQ(hevc_profile_name(2), "Main 10");
    EXPECT_EQ(hevc_level_name(150), "5");
    EXPECT_EQ(hevc_level_name(186), "6.2");
    HevcConfig c;
    c.profile_idc = 1;
    c.level_idc = 153;
    c.high_tier = true;
    EXPECT_EQ(describe(c), "H.265 Main 5.1 High tier");
}

}  // namespace
}  // namespace sluice::flv
