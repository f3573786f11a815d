#include "flv/aac_config.hpp"

#include <gtest/gtest.h>

#include "flv/errors.hpp"
#include "flv/opus_header.hpp"
#include "support/hex_literal.hpp"

namespace sluice::flv {
namespace {

using test::hex;

TEST(AacConfig, LcStereo44100) {
    // REFERENCE.md §7.3: 12 10 = object type 2, frequency index 4, 2 channels.
    auto c = parse_aac_config(hex("12 10"));
    ASSERT_TRUE(c);
    EXPECT_EQ(c->object_type, 2);
    EXPECT_EQ(c->sample_rate, 44100u);
    EXPECT_EQ(c->channels, 2);
    EXPECT_FALSE(c->sbr);
    EXPECT_EQ(describe(*c), "AAC LC 44100 Hz 2 ch");
}

TEST(AacConfig, LcMono48000) {
    auto c = parse_aac_config(hex("11 88"));  // 00010 0011 0001 000
    ASSERT_TRUE(c);
    EXPECT_EQ(c->sample_rate, 48000u);
    EXPECT_EQ(c->channels, 1);
    EXPECT_EQ(describe(*c), "AAC LC 48000 Hz 1 ch");
}

TEST(AacConfig, HeAacExplicitSignalling) {
    // 00101 (SBR) 0110 (24 kHz core) 0010 (2 ch) 0011 (48 kHz SBR) 00010 (LC core) 000
    auto c = parse_aac_config(hex("2B 11 88 00"));
    ASSERT_TRUE(c);
    EXPECT_TRUE(c->sbr);
    EXPECT_FALSE(c->ps);
    EXPECT_EQ(c->object_type, 2);
    EXPECT_EQ(c->sample_rate, 24000u);
    EXPECT_EQ(c->output_sample_rate(), 48000u);
    EXPECT_EQ(describe(*c), "HE-AAC 48000 Hz 2 ch");
    // Object type 29 (PS): HE-AAC v2.
    auto v2 = parse_aac_config(hex("EB 09 88 00"));
    ASSERT_TRUE(v2);
    EXPECT_TRUE(v2->ps);
    EXPECT_EQ(describe(*v2), "HE-AAC v2 48000 Hz 1 ch");
}

TEST(AacConfig, HeAacBackwardCompatibleSignalling) {
    // LC 24 kHz stereo GASpecificConfig, then sync extension 0x2B7, object
    // type 5, sbrPresent, 48 kHz, then sync extension 0x548, psPresent.
    auto c = parse_aac_config(hex("13 10 56 E5 9D 48 80"));
    ASSERT_TRUE(c);
    EXPECT_TRUE(c->sbr);
    EXPECT_TRUE(c->ps);
    EXPECT_EQ(c->output_sample_rate(), 48000u);
    EXPECT_EQ(describe(*c), "HE-AAC v2 48000 Hz 2 ch");
}

TEST(AacConfig, EscapedObjectTypeAndExplicitRate) {
    // 11111 + 001010 (32 + 10 = 42, USAC), index 15 + 24-bit 50000, 2 ch.
    auto c = parse_aac_config(hex("F9 5E 01 86 A0 40"));
    ASSERT_TRUE(c);
    EXPECT_EQ(c->object_type, 42);
    EXPECT_EQ(c->sample_rate, 50000u);
    EXPECT_EQ(c->channels, 2);
    EXPECT_EQ(describe(*c), "AAC xHE-AAC 50000 Hz 2 ch");
}

TEST(AacConfig, ChannelConfiguration7IsEight) {
    auto c = parse_aac_config(hex("11 B8"));  // LC 48 kHz, config 7
    ASSERT_TRUE(c);
    EXPECT_EQ(c->channels, 8);
}

TEST(AacConfig, Malformed) {
    EXPECT_EQ(parse_aac_config({}).error(), Errc::aac_config_invalid);
    EXPECT_EQ(parse_aac_config(hex("12")).error(), Errc::aac_config_invalid);
    EXPECT_EQ(parse_aac_config(hex("16 90")).error(), Errc::aac_config_invalid);  // index 13 reserved
    EXPECT_EQ(parse_aac_config(hex("02 10")).error(), Errc::aac_config_invalid);  // object type 0
    EXPECT_EQ(parse_aac_config(hex("2B 11")).error(), Errc::aac_config_invalid);  // SBR cut short
}

TEST(AacConfig, WriterRoundTrips) {
    base::ByteWriter out;
    ASSERT_TRUE(write_aac_config(out, 2, 44100, 2));
    EXPECT_EQ(out.data(), hex("12 10"));
    base::ByteWriter mono;
    ASSERT_TRUE(write_aac_config(mono, 2, 48000, 1));
    EXPECT_EQ(mono.data(), hex("11 88"));
    base::ByteWriter none;
    EXPECT_FALSE(write_aac_config(none, 2, 44000, 2));
    EXPECT_EQ(none.size(), 0u);
}

TEST(OpusHeader, ParsesRfc7845IdHeader) {
    // 'OpusHead', version 1, 2 channels, pre-skip 312, 48000 Hz, gain 0, family 0.
    const auto head = hex("4F 70 75 73 48 65 61 64 01 02 38 01 80 BB 00 00 00 00 00");
    auto h = parse_opus_header(head);
    ASSERT_TRUE(h);
    EXPECT_EQ(h->channels, 2);
    EXPECT_EQ(h->pre_skip, 312);
    EXPECT_EQ(h->input_sample_rate, 48000u);
    EXPECT_EQ(describe(*h), "Opus 48000 Hz 2 ch");
    EXPECT_EQ(parse_opus_header(base::Bytes(head).first(18)).error(), Errc::opus_header_invalid);
    auto bad = head;
    bad[0] = 'o';
    EXPECT_EQ(parse_opus_header(bad).error(), Errc::opus_header_invalid);
    auto zero = head;
    zero[9] = 0;
    EXPECT_EQ(parse_opus_header(zero).error(), Errc::opus_header_invalid);
}

}  // namespace
}  // namespace sluice::flv
