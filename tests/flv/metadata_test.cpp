#include "flv/metadata.hpp"

#include <gtest/gtest.h>

#include "amf/writer0.hpp"

#include "flv/errors.hpp"
#include "flv/fourcc.hpp"
#include "support/hex_literal.hpp"

namespace sluice::flv {
namespace {

using test::ascii;
using test::cat;
using test::hex;

const auto on_meta_data_name = cat(hex("02 00 0A"), ascii("onMetaData"));
// REFERENCE.md §2.2: ECMA array {duration: 0, width: 1280}.
const auto ecma_duration_width =
    cat(hex("08 00 00 00 02 00 08"), ascii("duration"), hex("00 00 00 00 00 00 00 00 00"), hex("00 05"),
        ascii("width"), hex("00 40 94 00 00 00 00 00 00 00 00 09"));

TEST(Metadata, DecodesOnMetaDataWithAnEcmaArray) {
    const auto payload = cat(on_meta_data_name, ecma_duration_width);
    auto m = decode_metadata(payload);
    ASSERT_TRUE(m) << m.error().message();
    EXPECT_FALSE(m->had_set_data_frame);
    EXPECT_FALSE(m->was_object);
    ASSERT_EQ(m->properties.size(), 2u);
    EXPECT_EQ(m->properties.properties[0].name, "duration");  // wire order kept
    EXPECT_EQ(m->duration(), 0.0);
    EXPECT_EQ(m->width(), 1280.0);
    EXPECT_FALSE(m->height());
    // Encoding gives the same bytes back.
    EXPECT_EQ(encode_metadata(*m), payload);
    // Every truncation fails cleanly.
    for (std::size_t n = 0; n < payload.size(); ++n) {
        EXPECT_FALSE(decode_metadata(base::Bytes(payload).first(n))) << n;
    }
}

TEST(Metadata, UnwrapsSetDataFrameAndWrapsBack) {
    const auto payload = cat(hex("02 00 0D"), ascii("@setDataFrame"), on_meta_data_name, ecma_duration_width);
    auto m = decode_metadata(payload);
    ASSERT_TRUE(m);
    EXPECT_TRUE(m->had_set_data_frame);
    EXPECT_EQ(m->width(), 1280.0);
    EXPECT_EQ(encode_metadata(*m, true), payload);
    EXPECT_EQ(encode_metadata(*m, false), cat(on_meta_data_name, ecma_duration_width));
}

TEST(Metadata, AcceptsAnObjectAndReadsTheCommonFields) {
    Metadata built;
    built.properties.set("duration", 12.5);
    built.properties.set("width", 1920);
    built.properties.set("height", 1080);
    built.properties.set("framerate", 30);
    built.properties.set("videodatarate", 2500);
    built.properties.set("audiodatarate", 128);
    built.properties.set("videocodecid", static_cast<double>(fourcc::av01));
    built.properties.set("audiocodecid", 10);
    built.properties.set("audiosamplerate", 48000);
    built.properties.set("audiosamplesize", 16);
    built.properties.set("stereo", true);
    built.properties.set("filesize", 1e6);
    built.properties.set("encoder", "Lavf60.16.100");
    auto as_array = decode_metadata(encode_metadata(built));
    ASSERT_TRUE(as_array);
    EXPECT_EQ(as_array->properties, built.properties);

    // The same properties sent as an anonymous Object (03 ... 00 00 09).
    base::ByteWriter out;
    amf::Writer0 writer(out);
    writer.write_string("onMetaData");
    amf::Object object;
    static_cast<amf::PropertyList&>(object) = built.properties;
    writer.write(amf::Value(object));
    auto m = decode_metadata(out.data());
    ASSERT_TRUE(m);
    EXPECT_TRUE(m->was_object);
    EXPECT_EQ(m->duration(), 12.5);
    EXPECT_EQ(m->height(), 1080.0);
    EXPECT_EQ(m->framerate(), 30.0);
    EXPECT_EQ(m->video_data_rate(), 2500.0);
    EXPECT_EQ(m->audio_data_rate(), 128.0);
    EXPECT_EQ(m->audio_sample_rate(), 48000.0);
    EXPECT_EQ(m->audio_sample_size(), 16.0);
    EXPECT_EQ(m->file_size(), 1e6);
    EXPECT_EQ(m->video_codec_id(), (CodecIdValue{fourcc::av01, true}));
    EXPECT_EQ(m->audio_codec_id(), (CodecIdValue{10, false}));
    EXPECT_EQ(m->stereo(), true);
    EXPECT_EQ(m->audio_channels(), 2.0);
    EXPECT_EQ(m->encoder(), "Lavf60.16.100");
}

TEST(Metadata, CodecIdAsStringAndChannels) {
    Metadata m;
    m.properties.set("videocodecid", "hvc1");
    m.properties.set("audiocodecid", "Opus");
    m.properties.set("audiochannels", 6);
    m.properties.set("stereo", false);
    EXPECT_EQ(m.video_codec_id(), (CodecIdValue{fourcc::hvc1, true}));
    EXPECT_EQ(m.audio_codec_id(), (CodecIdValue{fourcc::opus, true}));
    EXPECT_EQ(m.audio_channels(), 6.0);  // audiochannels wins over stereo
    m.properties.set("videocodecid", "avc");
    EXPECT_FALSE(m.video_codec_id());
    m.properties.set("videocodecid", -1);
    EXPECT_FALSE(m.video_codec_id());
    m.properties.set("width", "wide");
    EXPECT_FALSE(m.width());  // wrong type reads as absent
}

TEST(Metadata, RejectsOtherPayloads) {
    EXPECT_EQ(decode_metadata(cat(hex("02 00 0A"), ascii("onCuePoint"), ecma_duration_width)).error(),
              Errc::metadata_not_on_meta_data);
    EXPECT_EQ(decode_metadata(cat(hex("02 00 0D"), ascii("@setDataFrame"), hex("02 00 0A"),
                                  ascii("onCuePoint"), ecma_duration_width))
                  .error(),
              Errc::metadata_not_on_meta_data);
    EXPECT_EQ(decode_metadata(hex("00 3F F0 00 00 00 00 00 00")).error(), Errc::metadata_not_on_meta_data);
    EXPECT_EQ(decode_metadata(on_meta_data_name).error(), Errc::metadata_value_invalid);
    EXPECT_EQ(decode_metadata(cat(on_meta_data_name, hex("05"))).error(), Errc::metadata_value_invalid);
    EXPECT_TRUE(decode_metadata(hex("04")).error());  // AMF error passes through
}

TEST(Metadata, AmfLimitsApply) {
    amf::Limits limits;
    limits.max_elements = 2;
    EXPECT_FALSE(decode_metadata(cat(on_meta_data_name, ecma_duration_width), limits));
}

}  // namespace
}  // namespace sluice::flv
