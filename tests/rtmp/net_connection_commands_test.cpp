// Typed NetConnection commands: round trips in AMF0 and AMF3, tolerant
// decoding (unknown properties, user arguments, E-RTMP fields) and the
// specific errors with their detail strings (REFERENCE.md §4.1–§4.3).
#include "rtmp/net_connection_commands.hpp"

#include <gtest/gtest.h>

#include "rtmp/errors.hpp"
#include "rtmp_test_support.hpp"
#include "support/hex_literal.hpp"

namespace sluice::rtmp {
namespace {

using test::ascii;
using test::cat;
using test::hex;

// NetConnection commands travel on message stream 0 unless a test says otherwise.
template <class T>
void expect_round_trip(const T& value, MessageStreamId msid = 0) {
    test_support::expect_command_round_trip(value, msid);
}

ConnectCommand full_connect() {
    ConnectCommand c;
    c.app = "live?token=1";
    c.flash_ver = "LNX 9,0,124,2";
    c.swf_url = "http://h/p.swf";
    c.tc_url = "rtmp://h:1935/live?token=1";
    c.fpad = false;
    c.capabilities = 15;
    c.audio_codecs = 4071;
    c.video_codecs = 252;
    c.video_function = 1;
    c.page_url = "http://h/";
    c.object_encoding = 3;
    c.type = "nonprivate";
    c.fourcc_list = std::vector<std::string>{"av01", "vp09", "hvc1", "avc1", "Opus", "mp4a"};
    c.video_fourcc_info_map = FourCcInfoMap{{"*", 4}, {"avc1", 3}};
    c.audio_fourcc_info_map = FourCcInfoMap{{"mp4a", 1}};
    c.caps_ex = caps_ex::reconnect + caps_ex::multitrack;
    c.other_properties.set("custom", "kept");
    c.user_arguments = {amf::Value("auth"), amf::Value(true)};
    return c;
}

TEST(ConnectCommand, WorkedBytes) {
    ConnectCommand c;
    c.app = "live";
    c.tc_url = "rtmp://h/live";
    const auto expected = cat(hex("02 00 07"), ascii("connect"), hex("00 3F F0 00 00 00 00 00 00"),
                              hex("03 00 03"), ascii("app"), hex("02 00 04"), ascii("live"), hex("00 05"),
                              ascii("tcUrl"), hex("02 00 0D"), ascii("rtmp://h/live"), hex("00 00 09"));
    const Message m = c.encode();
    EXPECT_EQ(base::ByteVector(m.payload.bytes().begin(), m.payload.bytes().end()), expected);
}

TEST(ConnectCommand, RoundTripEveryProperty) {
    expect_round_trip(full_connect());
}

TEST(ConnectCommand, KeepsUnknownPropertiesInOrderAndUserArguments) {
    amf::Object o;
    o.set("zz", 1);
    o.set("app", "live");
    o.set("objectEncoding", 0);
    o.set("aa", amf::Null{});
    Command c{"connect", 1, o, {amf::Value("S:secret"), amf::Value(2.5)}};
    auto t = ConnectCommand::decode(c);
    ASSERT_TRUE(t);
    EXPECT_EQ(t->app, "live");
    EXPECT_EQ(t->object_encoding, 0);
    ASSERT_EQ(t->other_properties.size(), 2u);
    EXPECT_EQ(t->other_properties.properties[0].name, "zz");
    EXPECT_EQ(t->other_properties.properties[1].name, "aa");
    ASSERT_EQ(t->user_arguments.size(), 2u);
    EXPECT_FALSE(t->flash_ver.has_value());
}

TEST(ConnectCommand, Errors) {
    std::string why;
    Command no_object{"connect", 1, amf::Null{}, {}};
    auto r = ConnectCommand::decode(no_object, &why);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), Errc::command_argument_missing);
    EXPECT_EQ(why, "connect: the command object is missing");

    amf::Object no_app;
    no_app.set("tcUrl", "rtmp://h/x");
    r = ConnectCommand::decode(Command{"connect", 1, no_app, {}}, &why);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), Errc::command_argument_missing);
    EXPECT_EQ(why, "connect: property 'app' is missing");

    amf::Object bad_caps;
    bad_caps.set("app", "live");
    bad_caps.set("capabilities", "15");
    r = ConnectCommand::decode(Command{"connect", 1, bad_caps, {}}, &why);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), Errc::command_argument_type);
    EXPECT_EQ(why, "connect: property 'capabilities' must be a Number, got String");

    amf::Object bad_list;
    bad_list.set("app", "live");
    bad_list.set("fourCcList", amf::StrictArray{{amf::Value("avc1"), amf::Value(1.0)}});
    r = ConnectCommand::decode(Command{"connect", 1, bad_list, {}}, &why);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), Errc::command_argument_type);

    amf::Object bad_map;
    bad_map.set("app", "live");
    amf::Object map;
    map.set("avc1", "yes");
    bad_map.set("videoFourCcInfoMap", map);
    r = ConnectCommand::decode(Command{"connect", 1, bad_map, {}}, &why);
    ASSERT_FALSE(r);
    EXPECT_EQ(why, "connect: property 'videoFourCcInfoMap.avc1' must be a Number");

    r = ConnectCommand::decode(Command{"play", 1, bad_map, {}}, &why);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), Errc::command_malformed);

    r = ConnectCommand::decode(Command{"connect", 1, amf::Value(3.0), {}}, &why);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), Errc::command_argument_type);
}

TEST(ConnectCommand, EcmaArrayCommandObjectAccepted) {
    amf::EcmaArray o;
    o.set("app", "live");
    auto r = ConnectCommand::decode(Command{"connect", 1, o, {}});
    ASSERT_TRUE(r);
    EXPECT_EQ(r->app, "live");
}

TEST(CallCommand, RoundTrip) {
    amf::Object obj;
    obj.set("k", "v");
    expect_round_trip(CallCommand{"myMethod", 7, obj, {amf::Value(1.0), amf::Value("two")}});
    expect_round_trip(CallCommand{"notify", 0, amf::Null{}, {}});
}

TEST(BareCommands, RoundTripAndBytes) {
    expect_round_trip(CloseCommand{});
    expect_round_trip(CreateStreamCommand{4});
    expect_round_trip(CheckBandwidthCommand{5});
    expect_round_trip(CloseStreamCommand{0}, 1);
    // createStream txn 2: 02 00 0C 'createStream' 00 40 00.. 05
    const Message m = CreateStreamCommand{2}.encode();
    EXPECT_EQ(base::ByteVector(m.payload.bytes().begin(), m.payload.bytes().end()),
              cat(hex("02 00 0C"), ascii("createStream"), hex("00 40 00 00 00 00 00 00 00 05")));
    EXPECT_FALSE(CreateStreamCommand::decode(Command{"deleteStream", 2, amf::Null{}, {}}));
}

TEST(StreamNameCommands, RoundTripAndErrors) {
    expect_round_trip(ReleaseStreamCommand{2, "stream"});
    expect_round_trip(FcPublishCommand{3, "stream"});
    expect_round_trip(FcUnpublishCommand{7, "stream"});
    expect_round_trip(FcSubscribeCommand{4, "live"});
    expect_round_trip(GetStreamLengthCommand{4, "mp4:file.mp4"});
    std::string why;
    auto r = FcPublishCommand::decode(Command{"FCPublish", 3, amf::Null{}, {}}, &why);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), Errc::command_argument_missing);
    EXPECT_EQ(why, "FCPublish: argument 1 (streamName) is missing");
    r = FcPublishCommand::decode(Command{"FCPublish", 3, amf::Null{}, {amf::Value(1.0)}}, &why);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), Errc::command_argument_type);
    EXPECT_EQ(why, "FCPublish: argument 1 (streamName) must be a String, got Number");
}

}  // namespace
}  // namespace sluice::rtmp
