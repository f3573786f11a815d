// Typed NetStream commands (RTMP 1.0 §7.2.2; REFERENCE.md §4.2): round trips
// in AMF0 and AMF3, spec defaults for absent optional arguments, FFmpeg's
// habits (non-zero txn, start x1000 kept as sent), and specific errors.
#include "rtmp/net_stream_commands.hpp"

#include <gtest/gtest.h>

#include "rtmp/errors.hpp"
#include "rtmp_test_support.hpp"

namespace sluice::rtmp {
namespace {

// NetStream commands travel on message stream 1 unless a test says otherwise.
template <class T>
void expect_round_trip(const T& value, MessageStreamId msid = 1) {
    test_support::expect_command_round_trip(value, msid);
}

Command cmd(std::string name, double txn, std::vector<amf::Value> args) {
    return Command{std::move(name), txn, amf::Null{}, std::move(args)};
}

TEST(PlayCommand, RoundTrip) {
    expect_round_trip(PlayCommand{0, "stream", -2, -1, true});
    expect_round_trip(PlayCommand{5, "mp4:file.mp4?x=1", 30, 10, false});
}

TEST(PlayCommand, DefaultsWhenArgumentsAbsentOrNull) {
    auto p = PlayCommand::decode(cmd("play", 0, {amf::Value("s")}));
    ASSERT_TRUE(p);
    EXPECT_EQ(p->start, -2);
    EXPECT_EQ(p->duration, -1);
    EXPECT_TRUE(p->reset);
    p = PlayCommand::decode(cmd("play", 0, {amf::Value("s"), amf::Null{}, amf::Undefined{}, amf::Null{}}));
    ASSERT_TRUE(p);
    EXPECT_EQ(p->start, -2);
    EXPECT_EQ(p->duration, -1);
    EXPECT_TRUE(p->reset);
}

TEST(PlayCommand, FfmpegStartTimesThousandIsKeptAsSent) {
    // FFmpeg gen_play: txn != 0 and start -2000 / -1000 / ms position.
    for (double start : {-2000.0, -1000.0, 0.0, 15000.0}) {
        auto p = PlayCommand::decode(cmd("play", 5, {amf::Value("stream"), amf::Value(start)}));
        ASSERT_TRUE(p);
        EXPECT_EQ(p->start, start);
        EXPECT_EQ(p->transaction_id, 5);
    }
}

TEST(PlayCommand, ResetAsNumberAccepted) {
    auto p =
        PlayCommand::decode(cmd("play", 0, {amf::Value("s"), amf::Value(-2), amf::Value(-1), amf::Value(0)}));
    ASSERT_TRUE(p);
    EXPECT_FALSE(p->reset);
}

TEST(PlayCommand, Errors) {
    std::string why;
    auto p = PlayCommand::decode(cmd("play", 0, {}), &why);
    ASSERT_FALSE(p);
    EXPECT_EQ(p.error(), Errc::command_argument_missing);
    EXPECT_EQ(why, "play: argument 1 (streamName) is missing");
    p = PlayCommand::decode(cmd("play", 0, {amf::Value("s"), amf::Value("now")}), &why);
    ASSERT_FALSE(p);
    EXPECT_EQ(p.error(), Errc::command_argument_type);
    EXPECT_EQ(why, "play: argument 2 (start) must be a Number, got String");
    p = PlayCommand::decode(
        cmd("play", 0, {amf::Value("s"), amf::Value(1), amf::Value(1), amf::Value("yes")}), &why);
    ASSERT_FALSE(p);
    EXPECT_EQ(why, "play: argument 4 (reset) must be a Boolean, got String");
}

TEST(Play2Command, RoundTripAndErrors) {
    Play2Command p;
    p.options.stream_name = "hd";
    p.options.old_stream_name = "sd";
    p.options.start = 0;
    p.options.len = -1;
    p.options.offset = -1;
    p.options.transition = "switch";
    p.options.other_properties.set("extra", true);
    expect_round_trip(p);
    expect_round_trip(Play2Command{});
    std::string why;
    auto r = Play2Command::decode(cmd("play2", 0, {}), &why);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), Errc::command_argument_missing);
    r = Play2Command::decode(cmd("play2", 0, {amf::Value("hd")}), &why);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), Errc::command_argument_type);
    EXPECT_EQ(why, "play2: argument 1 (parameters) must be an Object, got String");
    amf::Object bad;
    bad.set("offset", "soon");
    r = Play2Command::decode(cmd("play2", 0, {bad}), &why);
    ASSERT_FALSE(r);
    EXPECT_EQ(why, "play2: property 'offset' must be a Number, got String");
}

TEST(DeleteStreamCommand, RoundTripAndErrors) {
    expect_round_trip(DeleteStreamCommand{8, 1}, 0);
    auto r = DeleteStreamCommand::decode(cmd("deleteStream", 0, {amf::Null{}}));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), Errc::command_argument_type);
}

TEST(ReceiveMediaCommand, RoundTrip) {
    expect_round_trip(ReceiveMediaCommand{ReceiveMediaCommand::Kind::audio, 0, false});
    expect_round_trip(ReceiveMediaCommand{ReceiveMediaCommand::Kind::video, 0, true});
    auto r = ReceiveMediaCommand::decode(cmd("receiveVideo", 0, {}));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), Errc::command_argument_missing);
    EXPECT_FALSE(ReceiveMediaCommand::decode(cmd("receiveSound", 0, {amf::Value(true)})));
}

TEST(PublishCommand, RoundTripEveryMode) {
    for (auto mode : {PublishMode::live, PublishMode::record, PublishMode::append}) {
        expect_round_trip(PublishCommand{6, "stream?key=abc", mode});
    }
}

TEST(PublishCommand, TypeDefaultsToLiveAndIsCaseInsensitive) {
    auto p = PublishCommand::decode(cmd("publish", 0, {amf::Value("s")}));
    ASSERT_TRUE(p);
    EXPECT_EQ(p->mode, PublishMode::live);
    p = PublishCommand::decode(cmd("publish", 0, {amf::Value("s"), amf::Null{}}));
    ASSERT_TRUE(p);
    EXPECT_EQ(p->mode, PublishMode::live);
    p = PublishCommand::decode(cmd("publish", 0, {amf::Value("s"), amf::Value("RECORD")}));
    ASSERT_TRUE(p);
    EXPECT_EQ(p->mode, PublishMode::record);
}

TEST(PublishCommand, Errors) {
    std::string why;
    auto p = PublishCommand::decode(cmd("publish", 0, {amf::Value("s"), amf::Value("broadcast")}), &why);
    ASSERT_FALSE(p);
    EXPECT_EQ(p.error(), Errc::command_argument_type);
    EXPECT_EQ(why, "publish: argument 2 (publishingType) must be live, record or append, got 'broadcast'");
    p = PublishCommand::decode(cmd("publish", 0, {amf::Value(false)}), &why);
    ASSERT_FALSE(p);
    EXPECT_EQ(why, "publish: argument 1 (publishingName) must be a String, got Boolean");
}

TEST(SeekAndPause, RoundTripAndErrors) {
    expect_round_trip(SeekCommand{0, 5000});
    expect_round_trip(PauseCommand{0, true, 1500});
    expect_round_trip(PauseCommand{3, false, 0});
    auto s = SeekCommand::decode(cmd("seek", 0, {amf::Value("abc")}));
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error(), Errc::command_argument_type);
    auto p = PauseCommand::decode(cmd("pause", 0, {amf::Value(true)}));
    ASSERT_TRUE(p);  // time optional
    EXPECT_EQ(p->milliseconds, 0);
    p = PauseCommand::decode(cmd("pause", 0, {}));
    ASSERT_FALSE(p);
    EXPECT_EQ(p.error(), Errc::command_argument_missing);
}

}  // namespace
}  // namespace sluice::rtmp
