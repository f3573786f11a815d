// Server replies: REFERENCE.md §2.2 createStream result and §4.3 onStatus
// worked bytes byte-exact; exact content of the connect _result/_error and
// the de facto replies; round trips in AMF0 and AMF3.
#include "rtmp/responses.hpp"

#include <gtest/gtest.h>

#include "amf/debug_string.hpp"
#include "rtmp/errors.hpp"
#include "support/hex_literal.hpp"

namespace sluice::rtmp {
namespace {

using test::ascii;
using test::cat;
using test::hex;

base::ByteVector bytes_of(const Message& m) {
    return {m.payload.bytes().begin(), m.payload.bytes().end()};
}

template <class T>
void expect_round_trip(const T& value, MessageStreamId msid = 0) {
    for (Encoding e : {Encoding::amf0, Encoding::amf3}) {
        auto generic = decode_command(value.encode(e, msid));
        ASSERT_TRUE(generic) << generic.error().message();
        std::string why;
        auto back = T::decode(*generic, &why);
        ASSERT_TRUE(back) << why;
        EXPECT_EQ(*back, value) << debug_string(*generic);
    }
}

TEST(CreateStreamResult, WorkedBytes) {
    const auto expected = cat(hex("02 00 07"), ascii("_result"), hex("00 40 00 00 00 00 00 00 00 05"),
                              hex("00 3F F0 00 00 00 00 00 00"));
    const Message m = CreateStreamResult{2, 1}.encode();
    EXPECT_EQ(m.type, MessageType::command_amf0);
    EXPECT_EQ(bytes_of(m), expected);
    expect_round_trip(CreateStreamResult{4, 3});
}

TEST(OnStatus, WorkedPublishStartBytes) {
    const auto expected =
        cat(hex("02 00 08"), ascii("onStatus"), hex("00 00 00 00 00 00 00 00 00 05 03 00 05"), ascii("level"),
            hex("02 00 06"), ascii("status"), hex("00 04"), ascii("code"), hex("02 00 17"),
            ascii("NetStream.Publish.Start"), hex("00 0B"), ascii("description"), hex("02 00 02"),
            ascii("ok"), hex("00 00 09"));
    const Message m = OnStatus::make(Status::publish_start, "ok").encode(Encoding::amf0, 1);
    EXPECT_EQ(m.stream_id, 1u);
    EXPECT_EQ(bytes_of(m), expected);
}

TEST(OnStatus, CatalogueDefaultsDetailsClientIdAndRoundTrip) {
    const OnStatus s = OnStatus::make(Status::play_start, {}, "stream", amf::Value("abc"));
    EXPECT_EQ(s.information.level, "status");
    EXPECT_EQ(s.information.code, "NetStream.Play.Start");
    EXPECT_EQ(s.information.description, "Playback started.");
    EXPECT_EQ(amf::debug_string(s.information.to_object()),
              R"({level: "status", code: "NetStream.Play.Start", description: "Playback started.", )"
              R"(details: "stream", clientid: "abc"})");
    expect_round_trip(s, 1);
    const OnStatus e = OnStatus::make(Status::play_stream_not_found);
    EXPECT_EQ(e.information.level, "error");
    expect_round_trip(e, 1);
}

TEST(OnStatus, UnknownCodeAndExtraPropertiesSurvive) {
    amf::Object info;
    info.set("code", "Vendor.Custom.Thing");
    info.set("level", "status");
    info.set("extra", 3);
    auto s = OnStatus::decode(Command{"onStatus", 0, amf::Null{}, {info}});
    ASSERT_TRUE(s);
    EXPECT_FALSE(s->information.status().has_value());
    ASSERT_EQ(s->information.other_properties.size(), 1u);
    std::string why;
    auto bad = OnStatus::decode(Command{"onStatus", 0, amf::Null{}, {}}, &why);
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error(), Errc::command_argument_missing);
    amf::Object no_code;
    no_code.set("level", "error");
    bad = OnStatus::decode(Command{"onStatus", 0, amf::Null{}, {no_code}}, &why);
    ASSERT_FALSE(bad);
    EXPECT_EQ(why, "onStatus: property 'code' is missing");
}

TEST(ConnectResult, ExactContent) {
    ConnectResult r;
    r.object_encoding = 3;
    auto c = decode_command(r.encode());
    ASSERT_TRUE(c);
    EXPECT_EQ(
        debug_string(*c),
        R"(_result txn=1 obj={fmsVer: "FMS/3,0,1,123", capabilities: 31, mode: 1} args=[{level: "status", )"
        R"(code: "NetConnection.Connect.Success", description: "Connection succeeded.", objectEncoding: 3}])");
    expect_round_trip(r);
}

TEST(ConnectResult, EnhancedRtmpEchoAndDataRoundTrip) {
    ConnectResult r;
    r.fms_ver = "FMS/3,5,3,888";
    r.capabilities = 127;
    r.video_fourcc_info_map = FourCcInfoMap{{"*", fourcc_info::can_forward}};
    r.audio_fourcc_info_map = FourCcInfoMap{{"*", fourcc_info::can_forward}};
    r.caps_ex = caps_ex::reconnect;
    r.information.details = "d";
    r.information.other_properties.set("vendor", "x");
    amf::EcmaArray data;
    data.set("version", "1.0");
    r.data = data;
    {
        auto generic = decode_command(r.encode(Encoding::amf0));
        ASSERT_TRUE(generic);
        auto back = ConnectResult::decode(*generic);
        ASSERT_TRUE(back);
        EXPECT_EQ(*back, r);
    }
    {
        // AMF3: the information object travels behind 11, and AMF3 has no
        // ECMA array, so `data` comes back as a mixed array with the same
        // properties; everything else is equal.
        auto generic = decode_command(r.encode(Encoding::amf3));
        ASSERT_TRUE(generic);
        auto back = ConnectResult::decode(*generic);
        ASSERT_TRUE(back);
        ASSERT_TRUE(back->data.has_value());
        ASSERT_NE(back->data->properties(), nullptr);
        EXPECT_EQ(back->data->properties()->properties, data.properties);
        back->data = r.data;
        EXPECT_EQ(*back, r);
    }
    auto c = decode_command(r.encode());
    ASSERT_TRUE(c);
    // objectEncoding and data directly after the status properties, vendor extras last
    EXPECT_NE(
        debug_string(*c).find(R"(details: "d", objectEncoding: 0, data: ecma{version: "1.0"}, vendor: "x")"),
        std::string::npos)
        << debug_string(*c);
}

TEST(ErrorResponse, ConnectRejectionContent) {
    const auto e =
        ErrorResponse::connect_error(Status::connect_rejected, "code=403 need auth; authmod=adobe");
    auto c = decode_command(e.encode());
    ASSERT_TRUE(c);
    EXPECT_EQ(debug_string(*c),
              R"(_error txn=1 obj=null args=[{level: "error", code: "NetConnection.Connect.Rejected", )"
              R"(description: "code=403 need auth; authmod=adobe"}])");
    expect_round_trip(e);
    const auto invalid = ErrorResponse::connect_error(Status::connect_invalid_app);
    EXPECT_EQ(invalid.information.code, "NetConnection.Connect.InvalidApp");
    EXPECT_EQ(invalid.information.description, "The application name is not valid.");
    expect_round_trip(invalid);
}

TEST(CallResult, DeFactoAnswers) {
    auto text = [](const CallResult& r) { return debug_string(r.to_command()); };
    EXPECT_EQ(text(CallResult::undefined_result(2)), "_result txn=2 obj=null args=[undefined]");
    EXPECT_EQ(text(CallResult::check_bw_result(5)), "_result txn=5 obj=null args=[null]");
    EXPECT_EQ(text(CallResult::stream_length(4, 12.5)), "_result txn=4 obj=null args=[12.5]");
    expect_round_trip(CallResult::undefined_result(2));
    expect_round_trip(CallResult::stream_length(4, 12.5));
    expect_round_trip(CallResult{true, 9, amf::Null{}, {amf::Value("nope")}});
    EXPECT_FALSE(CallResult::decode(Command{"onStatus", 0, amf::Null{}, {}}));
}

TEST(OnFcStatus, BothShapes) {
    expect_round_trip(OnFcStatus{OnFcStatus::Kind::publish, std::nullopt, std::nullopt});
    const auto srs = OnFcStatus::make(OnFcStatus::Kind::unpublish, "stream");
    EXPECT_EQ(
        debug_string(srs.to_command()),
        R"(onFCUnpublish txn=0 obj=null args=[{code: "NetStream.Unpublish.Success", description: "stream"}])");
    expect_round_trip(srs);
    expect_round_trip(OnFcStatus::make(OnFcStatus::Kind::subscribe, "s"));
    std::string why;
    auto bad = OnFcStatus::decode(Command{"onFCPublish", 0, amf::Null{}, {amf::Value(1)}}, &why);
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error(), Errc::command_argument_type);
}

TEST(OnBwDone, WithAndWithoutKbps) {
    expect_round_trip(OnBwDone{0, 8192.0});
    expect_round_trip(OnBwDone{0, std::nullopt});
    EXPECT_EQ(debug_string(OnBwDone{0, 8192.0}.to_command()), "onBWDone txn=0 obj=null args=[8192]");
    EXPECT_FALSE(OnBwDone::decode(Command{"onBWDone", 0, amf::Null{}, {amf::Value("fast")}}));
}

}  // namespace
}  // namespace sluice::rtmp
