// Data messages (types 18/15): REFERENCE.md §4.3 @setDataFrame worked bytes
// byte-exact, stripping to onMetaData, the de facto handlers, AMF3 framing
// and malformed input.
#include "rtmp/data_message.hpp"

#include <gtest/gtest.h>

#include "rtmp/errors.hpp"
#include "support/hex_literal.hpp"

namespace sluice::rtmp {
namespace {

using test::ascii;
using test::cat;
using test::hex;

Message message(MessageType type, const base::ByteVector& payload) {
    Message m;
    m.type = type;
    m.stream_id = 1;
    m.payload = base::Payload::copy_of(payload);
    return m;
}
base::ByteVector bytes_of(const Message& m) {
    return {m.payload.bytes().begin(), m.payload.bytes().end()};
}

// REFERENCE.md §4.3 (72 bytes).
const base::ByteVector set_data_frame72 =
    cat(hex("02 00 0D"), ascii("@setDataFrame"), hex("02 00 0A"), ascii("onMetaData"),
        hex("08 00 00 00 02 00 08"), ascii("duration"), hex("00 00 00 00 00 00 00 00 00 00 05"),
        ascii("width"), hex("00 40 94 00 00 00 00 00 00 00 00 09"));

MetaData sample_metadata() {
    MetaData m;
    m.properties.set("duration", 0);
    m.properties.set("width", 1280);
    return m;
}

TEST(DataMessage, WorkedSetDataFrameBytes) {
    ASSERT_EQ(set_data_frame72.size(), 72u);
    auto d = decode_data_message(message(MessageType::data_amf0, set_data_frame72));
    ASSERT_TRUE(d) << d.error().message();
    EXPECT_EQ(debug_string(*d), R"(@setDataFrame ["onMetaData", ecma{duration: 0, width: 1280}])");
    auto meta = MetaData::decode(*d);
    ASSERT_TRUE(meta);
    EXPECT_EQ(*meta, sample_metadata());
    EXPECT_EQ(bytes_of(encode_data_message(sample_metadata().to_set_data_frame(), Encoding::amf0, 1)),
              set_data_frame72);
}

TEST(DataMessage, StripSetDataFrame) {
    auto d = decode_data_message(message(MessageType::data_amf0, set_data_frame72));
    ASSERT_TRUE(d);
    auto stripped = strip_set_data_frame(*d);
    ASSERT_TRUE(stripped);
    EXPECT_EQ(*stripped, sample_metadata().to_data());
    // what players get: 'onMetaData', ecma array = the 72 bytes minus the first 16
    EXPECT_EQ(bytes_of(encode_data_message(*stripped, Encoding::amf0, 1)),
              base::ByteVector(set_data_frame72.begin() + 16, set_data_frame72.end()));
    EXPECT_FALSE(strip_set_data_frame(sample_metadata().to_data()));
    EXPECT_FALSE(strip_set_data_frame(DataMessage{"@setDataFrame", {amf::Value(1)}}));
}

TEST(DataMessage, MetaDataAcceptsObjectAndRejectsOthers) {
    amf::Object o;
    o.set("width", 640);
    auto m = MetaData::decode(DataMessage{"onMetaData", {o}});
    ASSERT_TRUE(m);
    EXPECT_EQ(m->properties.size(), 1u);
    std::string why;
    auto bad = MetaData::decode(DataMessage{"onMetaData", {amf::Value("x")}}, &why);
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error(), Errc::command_argument_type);
    EXPECT_EQ(why, "onMetaData: the metadata must be an ECMA array or Object, got String");
    EXPECT_FALSE(MetaData::decode(DataMessage{"onMetaData", {}}));
    EXPECT_FALSE(MetaData::decode(DataMessage{"onCuePoint", {o}}));
}

TEST(DataMessage, DeFactoHandlers) {
    EXPECT_EQ(debug_string(SampleAccess{}.to_data()), "|RtmpSampleAccess [true, true]");
    auto sa = SampleAccess::decode(SampleAccess{false, true}.to_data());
    ASSERT_TRUE(sa);
    EXPECT_EQ(*sa, (SampleAccess{false, true}));
    EXPECT_FALSE(SampleAccess::decode(DataMessage{"|RtmpSampleAccess", {amf::Value(true)}}));

    const auto ps = OnPlayStatus::make(Status::play_complete, 12.5, 1024);
    EXPECT_EQ(
        debug_string(ps.to_data()),
        R"(onPlayStatus [{level: "status", code: "NetStream.Play.Complete", description: "Playback complete.", )"
        R"(duration: 12.5, bytes: 1024}])");
    auto back = OnPlayStatus::decode(ps.to_data());
    ASSERT_TRUE(back);
    EXPECT_EQ(*back, ps);

    EXPECT_EQ(debug_string(make_data_start()), R"(onStatus [{code: "NetStream.Data.Start"}])");
    EXPECT_TRUE(is_clear_data_frame(make_clear_data_frame()));
    EXPECT_EQ(debug_string(make_clear_data_frame()), R"(@clearDataFrame ["onMetaData"])");
}

TEST(DataMessage, CustomHandlersKeptAsNameAndValues) {
    amf::Object cue;
    cue.set("name", "ad");
    cue.set("time", 12);
    const DataMessage d{"onCuePoint", {cue, amf::Value("extra")}};
    for (Encoding e : {Encoding::amf0, Encoding::amf3}) {
        const Message m = encode_data_message(d, e, 1);
        EXPECT_EQ(m.type, e == Encoding::amf0 ? MessageType::data_amf0 : MessageType::data_amf3);
        auto back = decode_data_message(m);
        ASSERT_TRUE(back) << back.error().message();
        EXPECT_EQ(*back, d);
    }
}

TEST(DataMessage, Amf3FramingAndMixedArray) {
    // type 15: 00, AMF0 name, metadata as an AMF3 mixed array {width: int(1280)}.
    const auto payload =
        cat(hex("00 02 00 0A"), ascii("onMetaData"), hex("11 09 01 0B"), ascii("width"), hex("04 8A 00 01"));
    auto d = decode_data_message(message(MessageType::data_amf3, payload));
    ASSERT_TRUE(d) << d.error().message();
    auto meta = MetaData::decode(*d);
    ASSERT_TRUE(meta);
    const amf::Value* w = meta->properties.find("width");
    ASSERT_NE(w, nullptr);
    double width = 0;
    ASSERT_TRUE(w->number(width));
    EXPECT_EQ(width, 1280);
}

TEST(DataMessage, Malformed) {
    auto err = [](MessageType t, const base::ByteVector& p) {
        auto d = decode_data_message(message(t, p));
        return d ? std::error_code{} : d.error();
    };
    EXPECT_EQ(err(MessageType::command_amf0, set_data_frame72), Errc::data_message_malformed);
    EXPECT_EQ(err(MessageType::data_amf0, {}), Errc::data_message_malformed);
    EXPECT_EQ(err(MessageType::data_amf3, {}), Errc::data_message_malformed);
    EXPECT_EQ(err(MessageType::data_amf3, cat(hex("03"), set_data_frame72)), Errc::data_message_malformed);
    EXPECT_EQ(err(MessageType::data_amf0, hex("05")), Errc::data_message_malformed);
    for (std::size_t n = 1; n < set_data_frame72.size(); ++n) {
        const base::ByteVector prefix(set_data_frame72.begin(),
                                      set_data_frame72.begin() + static_cast<std::ptrdiff_t>(n));
        auto d = decode_data_message(message(MessageType::data_amf0, prefix));
        if (n == 16 || n == 29) {
            EXPECT_TRUE(d) << n;  // ends on a value boundary
        } else {
            EXPECT_FALSE(d) << n;
        }
    }
}

}  // namespace
}  // namespace sluice::rtmp
