// `sluice serve` judged message by message (CTest label "interop"). A
// RawClient (serve_raw_client.hpp: the sans-I/O core over a loopback
// socket) plays and publishes, and each test compares what the server sent
// with the pinned server contract:
//  - connect: Window Ack Size, Set Peer Bandwidth, StreamBegin 0, Set Chunk
//    Size 4096, `_result` (fmsVer/capabilities/mode; status
//    NetConnection.Connect.Success, objectEncoding echoed), onBWDone;
//    unknown app -> `_error` Rejected; unknown call -> `_error`.
//  - publish: StreamBegin + Publish.Start; a busy name -> Publish.BadName.
//  - play: StreamBegin, Play.Reset, Play.Start, |RtmpSampleAccess, Data.Start,
//    then metadata, headers and the GOP cache, or PublishNotify when the
//    publisher comes later; UnpublishNotify + StreamEOF when it leaves.
//  - pause / receiveVideo / receiveAudio status sequences and key-frame resume.
//  - 50 players at once receive every message of the clip.
//  - SIGTERM: players get StreamEOF + onStatus, the server exits 0.
// Media timestamps and bytes must be the publisher's, exactly.
#include <gtest/gtest.h>

#include <signal.h>

#include <atomic>
#include <memory>
#include <thread>

#include "interop/serve_fixture.hpp"
#include "interop/serve_media_checks.hpp"
#include "interop/serve_raw_client.hpp"
#include "interop/serve_test.hpp"
#include "rtmp/net_stream_commands.hpp"
#include "rtmp/responses.hpp"

namespace sluice::test {
namespace {

using namespace std::chrono_literals;
using Labels = std::vector<std::string>;

// Every test ends with the server alive (no crash) and a clean SIGTERM (ServeTest).
class ServeScripted : public ServeTest {
protected:
    void SetUp() override { start_server(); }

    const Clip& clip(int seconds) {
        if (clip_.media.empty()) {
            std::string error;
            clip_ = make_clip(dir_.file("clip.flv"), seconds, error);
            EXPECT_TRUE(error.empty()) << error;
        }
        return clip_;
    }

    Clip clip_;
};

/// Index of the first log entry with `label` at or after `from` (log size when none).
std::size_t find_label(const std::vector<Received>& log, const std::string& label, std::size_t from = 0) {
    for (std::size_t i = from; i < log.size(); ++i) {
        if (log[i].label == label) return i;
    }
    return log.size();
}

/// Checks that `got` are exactly the clip's media tags from `first` on (type, timestamp, bytes).
void expect_clip_media(const Clip& clip, std::size_t first, const std::vector<const Received*>& got,
                       const std::string& who) {
    // The first difference is checked before the count: it says more.
    const std::size_t common = std::min(got.size(), clip.media.size() - first);
    for (std::size_t i = 0; i < common; ++i) {
        const ClipTag& want = clip.media[first + i];
        ASSERT_TRUE(same(*got[i], want))
            << who << ": message " << i << " is " << got[i]->label << " @" << got[i]->message.timestamp
            << ", the clip's tag " << first + i << " is type " << static_cast<int>(want.type) << " @"
            << want.timestamp;
    }
    std::string missing;
    if (got.size() < clip.media.size() - first) {
        const ClipTag& tag = clip.media[first + got.size()];
        missing = "; the first missing is the clip's tag " + std::to_string(first + got.size()) + ", type " +
                  std::to_string(static_cast<int>(tag.type)) + " @" + std::to_string(tag.timestamp) + ", " +
                  std::to_string(tag.payload.size()) + " bytes";
    }
    ASSERT_EQ(got.size(), clip.media.size() - first) << who << ": media message count" << missing;
}

/// A publisher that sends the clip from a thread (paced), joined on destruction.
class BackgroundPublish {
public:
    BackgroundPublish(RawClient& client, const Clip& clip, rtmp::MessageStreamId msid, bool paced)
        : thread_([&client, &clip, msid, paced, this] {
              ok_ = client.publish_clip(clip, msid, paced, Clock::now() + 60s);
          }) {}
    ~BackgroundPublish() { join(); }
    bool join() {
        if (thread_.joinable()) thread_.join();
        return ok_;
    }

private:
    std::atomic<bool> ok_{false};
    std::thread thread_;
};

TEST_F(ServeScripted, ConnectIsAnsweredInTheContractOrder) {
    const auto deadline = Clock::now() + 10s;
    for (const double encoding : {0.0, 3.0}) {
        RawClient client;
        ASSERT_TRUE(client.open(server_->port(), deadline)) << client.error();
        const Received* result = client.connect("live", deadline, encoding);
        ASSERT_NE(result, nullptr) << client.error();
        ASSERT_EQ(result->command->name, "_result");
        const rtmp::Command command = *result->command;
        ASSERT_NE(client.wait_for([](const Received& r) { return r.label == "command:onBWDone"; }, deadline),
                  nullptr)
            << "no onBWDone after the connect _result: " << client.error();
        EXPECT_EQ(signalling(client.log()),
                  (Labels{"control:WindowAckSize", "control:SetPeerBandwidth", "user:StreamBegin 0",
                          "control:SetChunkSize 4096", "command:_result", "command:onBWDone"}));

        const amf::Value& properties = command.command_object;
        for (const char* name : {"fmsVer", "capabilities", "mode"}) {
            EXPECT_NE(properties.find(name), nullptr) << "connect _result properties lack " << name;
        }
        ASSERT_FALSE(command.arguments.empty());
        const amf::Value& info = command.arguments[0];
        ASSERT_NE(info.find("level"), nullptr);
        ASSERT_NE(info.find("code"), nullptr);
        ASSERT_NE(info.find("description"), nullptr);
        EXPECT_EQ(*info.find("level")->string(), "status");
        EXPECT_EQ(*info.find("code")->string(), "NetConnection.Connect.Success");
        const amf::Value* echoed = info.find("objectEncoding");
        ASSERT_NE(echoed, nullptr) << "no objectEncoding in the connect _result information";
        double value = -1;
        ASSERT_TRUE(echoed->number(value));
        EXPECT_EQ(value, encoding) << "objectEncoding is not the client's";
    }
}

TEST_F(ServeScripted, UnknownAppIsRejected) {
    const auto deadline = Clock::now() + 10s;
    RawClient client;
    ASSERT_TRUE(client.open(server_->port(), deadline)) << client.error();
    const Received* result = client.connect("nosuchapp", deadline);
    ASSERT_NE(result, nullptr) << client.error();
    EXPECT_EQ(result->command->name, "_error");
    EXPECT_EQ(result->code, "NetConnection.Connect.Rejected");
    EXPECT_EQ(result->level, "error");
}

TEST_F(ServeScripted, UnknownCallGetsAnError) {
    const auto deadline = Clock::now() + 10s;
    RawClient client;
    ASSERT_TRUE(client.open(server_->port(), deadline)) << client.error();
    ASSERT_NE(client.connect("live", deadline), nullptr) << client.error();
    ASSERT_TRUE(client.call("noSuchMethod", 7, {amf::Value("x")}, 0, deadline)) << client.error();
    const Received* answer = client.wait_for(
        [](const Received& r) { return r.command && r.command->transaction_id == 7; }, deadline);
    ASSERT_NE(answer, nullptr) << "no answer to an unknown call: " << client.error();
    EXPECT_EQ(answer->command->name, "_error");
}

TEST_F(ServeScripted, PublishStartsWithStreamBeginAndPublishStart) {
    const auto deadline = Clock::now() + 10s;
    RawClient client;
    ASSERT_TRUE(client.open(server_->port(), deadline)) << client.error();
    ASSERT_NE(client.connect("live", deadline), nullptr) << client.error();
    const auto msid = client.create_stream(deadline);
    ASSERT_TRUE(msid) << client.error();
    const std::size_t mark = client.log_size();
    const Received* status = client.publish(*msid, "cam", deadline);
    ASSERT_NE(status, nullptr) << client.error();
    const std::string n = std::to_string(*msid);
    EXPECT_EQ(signalling(client.log(), mark),
              (Labels{"user:StreamBegin " + n, "command:onStatus NetStream.Publish.Start"}));
    EXPECT_EQ(status->stream_id, *msid);
}

TEST_F(ServeScripted, PlayOfAPublishedStreamGetsHeadersThenTheGopCache) {
    const auto deadline = Clock::now() + 30s;
    const Clip& source = clip(3);
    ASSERT_FALSE(source.media.empty());
    RawClient publisher;
    const auto pub_id = publisher.start_publisher(server_->port(), "gop", deadline);
    ASSERT_TRUE(pub_id) << publisher.error();
    ASSERT_TRUE(publisher.publish_clip(source, *pub_id, false, deadline)) << publisher.error();
    std::this_thread::sleep_for(300ms);  // the server has taken in the whole clip

    RawClient player;
    ASSERT_TRUE(player.open(server_->port(), deadline)) << player.error();
    ASSERT_NE(player.connect("live", deadline), nullptr) << player.error();
    const auto msid = player.create_stream(deadline);
    ASSERT_TRUE(msid) << player.error();
    const std::size_t mark = player.log_size();
    ASSERT_TRUE(player.play(*msid, "gop", -2, deadline));

    // The GOP cache: from the clip's last key frame to its end.
    std::size_t last_key = 0;
    for (std::size_t i = 0; i < source.media.size(); ++i) {
        if (source.media[i].type == rtmp::MessageType::video && is_video_key(source.media[i].payload))
            last_key = i;
    }
    std::size_t expected = 2 + (source.media.size() - last_key);  // two sequence headers + the GOP
    // Whatever is missing shows in the comparison below.
    EXPECT_TRUE(wait_media(player, mark, expected, Clock::now() + 5s))
        << player.error() << "; got " << media_of(player.log(), mark).size() << " of " << expected;
    player.read_for(300ms);  // nothing more may come: the publisher is idle

    const std::string n = std::to_string(*msid);
    Labels head;
    for (std::size_t i = mark; i < player.log_size() && head.size() < 9; ++i) {
        const auto& r = player.log()[i];
        if (r.kind != Received::Kind::ack && r.label != "user:PingRequest") head.push_back(r.label);
    }
    EXPECT_EQ(head, (Labels{"user:StreamBegin " + n, "command:onStatus NetStream.Play.Reset",
                            "command:onStatus NetStream.Play.Start", "data:|RtmpSampleAccess true true",
                            "data:onStatus NetStream.Data.Start", "data:onMetaData", "video:config",
                            "audio:config", "video:key"}));
    const auto media = media_of(player.log(), mark);
    ASSERT_GE(media.size(), 2u);
    EXPECT_TRUE(media[0]->message.payload == source.media[0].payload) << "not the publisher's video config";
    EXPECT_TRUE(media[1]->message.payload == source.media[1].payload) << "not the publisher's audio config";
    expect_clip_media(source, last_key, {media.begin() + 2, media.end()}, "GOP cache");
    for (const Received* m : media) EXPECT_EQ(m->stream_id, *msid);
}

TEST_F(ServeScripted, PlayWithAStartPositionIsStreamNotFound) {
    const auto deadline = Clock::now() + 10s;
    RawClient player;
    ASSERT_TRUE(player.open(server_->port(), deadline)) << player.error();
    ASSERT_NE(player.connect("live", deadline), nullptr) << player.error();
    const auto msid = player.create_stream(deadline);
    ASSERT_TRUE(msid) << player.error();
    ASSERT_TRUE(player.play(*msid, "recorded", 0, deadline));
    const Received* status = player.wait_for(
        [](const Received& r) { return r.command && r.command->name == "onStatus"; }, deadline);
    ASSERT_NE(status, nullptr) << player.error();
    EXPECT_EQ(status->code, "NetStream.Play.StreamNotFound");
}

TEST_F(ServeScripted, PublisherLeavesAndReturnsWhileThePlayerStays) {
    const auto deadline = Clock::now() + 40s;
    const Clip& source = clip(2);
    ASSERT_FALSE(source.media.empty());
    RawClient player;
    // play with start -1 (live only): same as -2 for a live server.
    ASSERT_TRUE(player.open(server_->port(), deadline)) << player.error();
    ASSERT_NE(player.connect("live", deadline), nullptr) << player.error();
    const auto msid = player.create_stream(deadline);
    ASSERT_TRUE(msid) << player.error();
    std::size_t mark = player.log_size();
    ASSERT_TRUE(player.play(*msid, "back", -1, deadline));
    ASSERT_NE(
        player.wait_for([](const Received& r) { return r.label == "data:onStatus NetStream.Data.Start"; },
                        deadline),
        nullptr)
        << player.error();
    const std::string n = std::to_string(*msid);
    EXPECT_EQ(signalling(player.log(), mark),
              (Labels{"user:StreamBegin " + n, "command:onStatus NetStream.Play.Reset",
                      "command:onStatus NetStream.Play.Start", "data:|RtmpSampleAccess true true",
                      "data:onStatus NetStream.Data.Start"}));

    for (int round = 0; round < 2; ++round) {
        SCOPED_TRACE("publish " + std::to_string(round + 1));
        mark = player.log_size();
        {
            RawClient publisher;
            const auto pub_id = publisher.start_publisher(server_->port(), "back", deadline);
            ASSERT_TRUE(pub_id) << publisher.error();
            ASSERT_TRUE(publisher.publish_clip(source, *pub_id, false, deadline)) << publisher.error();
            ASSERT_TRUE(wait_media(player, mark, source.media.size(), deadline)) << player.error();
            if (round == 1) {
                // The second publisher leaves politely, the first just drops the socket.
                ASSERT_TRUE(
                    publisher.send(rtmp::DeleteStreamCommand{0, static_cast<double>(*pub_id)}.encode(),
                                   rtmp::csid::net_connection, deadline));
            }
        }
        ASSERT_NE(player.wait_for(
                      [](const Received& r) {
                          return r.label == "command:onStatus NetStream.Play.UnpublishNotify";
                      },
                      deadline),
                  nullptr)
            << player.error();
        // The first publish finds the player's stream already begun (at play).
        Labels expected = round == 0 ? Labels{} : Labels{"user:StreamBegin " + n};
        expected.insert(expected.end(),
                        {"command:onStatus NetStream.Play.PublishNotify", "data:onMetaData",
                         "user:StreamEOF " + n, "command:onStatus NetStream.Play.UnpublishNotify"});
        EXPECT_EQ(signalling(player.log(), mark), expected);
        const std::size_t notify =
            find_label(player.log(), "command:onStatus NetStream.Play.PublishNotify", mark);
        expect_clip_media(source, 0, media_of(player.log(), notify), "publish " + std::to_string(round + 1));

        // The player stays subscribed: no close, nothing else.
        const std::size_t after = player.log_size();
        player.read_for(500ms);
        EXPECT_FALSE(player.closed()) << "the server closed the player when the publisher left";
        EXPECT_EQ(player.log_size(), after) << "unexpected: " << player.log().back().label;
    }
}

TEST_F(ServeScripted, SecondPublisherOnABusyNameGetsBadName) {
    const auto deadline = Clock::now() + 40s;
    const Clip& source = clip(3);
    ASSERT_FALSE(source.media.empty());
    RawClient player;
    const auto play_id = player.start_player(server_->port(), "busy", deadline);
    ASSERT_TRUE(play_id) << player.error();
    const std::size_t mark = player.log_size();

    RawClient first;
    const auto first_id = first.start_publisher(server_->port(), "busy", deadline);
    ASSERT_TRUE(first_id) << first.error();
    RawClient second;
    ASSERT_TRUE(second.open(server_->port(), deadline)) << second.error();
    ASSERT_NE(second.connect("live", deadline), nullptr) << second.error();
    const auto second_id = second.create_stream(deadline);
    ASSERT_TRUE(second_id) << second.error();
    const Received* refused = second.publish(*second_id, "busy", deadline);
    ASSERT_NE(refused, nullptr) << second.error();
    EXPECT_EQ(refused->code, "NetStream.Publish.BadName");
    EXPECT_EQ(refused->level, "error");

    // The first publisher keeps the stream: its whole clip reaches the player.
    ASSERT_TRUE(first.publish_clip(source, *first_id, true, deadline)) << first.error();
    ASSERT_TRUE(wait_media(player, mark, source.media.size(), deadline)) << player.error();
    expect_clip_media(source, 0, media_of(player.log(), mark), "player");
    EXPECT_FALSE(first.closed()) << "the first publisher was dropped";
    EXPECT_EQ(signalling(player.log(), mark),
              (Labels{"command:onStatus NetStream.Play.PublishNotify", "data:onMetaData"}));
}

TEST_F(ServeScripted, FiftyPlayersReceiveEveryMessage) {
    const auto deadline = Clock::now() + 50s;
    const Clip& source = clip(4);
    ASSERT_FALSE(source.media.empty());
    constexpr int player_count = 50;
    std::vector<std::unique_ptr<RawClient>> players;
    for (int i = 0; i < player_count; ++i) players.push_back(std::make_unique<RawClient>(i % 2 == 0));
    std::atomic<int> ready{0};
    std::vector<std::string> failures(player_count);
    std::vector<std::size_t> marks(player_count, 0);
    std::vector<std::thread> threads;
    for (int i = 0; i < player_count; ++i) {
        threads.emplace_back([&, i] {
            RawClient& p = *players[static_cast<std::size_t>(i)];
            if (!p.start_player(server_->port(), "fifty", deadline)) {
                failures[static_cast<std::size_t>(i)] = "start: " + p.error();
                ++ready;
                return;
            }
            marks[static_cast<std::size_t>(i)] = p.log_size();
            ++ready;
            if (p.wait_for(
                    [](const Received& r) {
                        return r.label == "command:onStatus NetStream.Play.UnpublishNotify";
                    },
                    deadline) == nullptr) {
                failures[static_cast<std::size_t>(i)] = "no UnpublishNotify: " + p.error();
            }
        });
    }
    while (ready.load() < player_count && Clock::now() < deadline) std::this_thread::sleep_for(20ms);
    {
        RawClient publisher;
        const auto pub_id = publisher.start_publisher(server_->port(), "fifty", deadline);
        EXPECT_TRUE(pub_id) << publisher.error();
        if (pub_id) {
            EXPECT_TRUE(publisher.publish_clip(source, *pub_id, true, deadline)) << publisher.error();
        }
    }
    for (auto& t : threads) t.join();
    for (int i = 0; i < player_count; ++i) {
        SCOPED_TRACE("player " + std::to_string(i));
        const auto idx = static_cast<std::size_t>(i);
        ASSERT_TRUE(failures[idx].empty()) << failures[idx];
        expect_clip_media(source, 0, media_of(players[idx]->log(), marks[idx]),
                          "player " + std::to_string(i));
    }
}

TEST_F(ServeScripted, PauseStopsMediaAndUnpauseResumesAtAKeyFrame) {
    const auto deadline = Clock::now() + 40s;
    const Clip& source = clip(6);
    ASSERT_FALSE(source.media.empty());
    RawClient player;
    const auto msid = player.start_player(server_->port(), "pause", deadline);
    ASSERT_TRUE(msid) << player.error();
    RawClient publisher;
    const auto pub_id = publisher.start_publisher(server_->port(), "pause", deadline);
    ASSERT_TRUE(pub_id) << publisher.error();
    BackgroundPublish publish(publisher, source, *pub_id, true);
    const std::string n = std::to_string(*msid);

    player.read_for(1500ms);
    ASSERT_FALSE(media_of(player.log()).empty()) << "no media before the pause";
    std::size_t mark = player.log_size();
    ASSERT_TRUE(player.send(rtmp::PauseCommand{0, true, 1500}.encode(rtmp::Encoding::amf0, *msid),
                            rtmp::csid::net_stream, deadline));
    ASSERT_NE(
        player.wait_for(
            [](const Received& r) { return r.label == "command:onStatus NetStream.Pause.Notify"; }, deadline),
        nullptr)
        << player.error();
    const std::size_t notified = player.log_size();
    player.read_for(1000ms);
    EXPECT_EQ(signalling(player.log(), mark),
              (Labels{"user:StreamEOF " + n, "command:onStatus NetStream.Pause.Notify"}));
    EXPECT_TRUE(media_of(player.log(), notified).empty()) << "media after NetStream.Pause.Notify";

    mark = player.log_size();
    ASSERT_TRUE(player.send(rtmp::PauseCommand{0, false, 2500}.encode(rtmp::Encoding::amf0, *msid),
                            rtmp::csid::net_stream, deadline));
    ASSERT_TRUE(wait_media(player, mark, 30, deadline)) << player.error();
    const std::size_t first_media = [&] {
        for (std::size_t i = mark; i < player.log_size(); ++i) {
            if (player.log()[i].is_media()) return i;
        }
        return player.log_size();
    }();
    EXPECT_EQ(signalling(player.log(), mark),
              (Labels{"user:StreamBegin " + n, "command:onStatus NetStream.Unpause.Notify"}));
    EXPECT_LT(find_label(player.log(), "command:onStatus NetStream.Unpause.Notify", mark), first_media);
    std::vector<std::string> video;
    for (const Received* m : media_of(player.log(), mark)) {
        if (m->kind == Received::Kind::video) video.push_back(m->label);
    }
    ASSERT_FALSE(video.empty());
    if (video[0] == "video:config") video.erase(video.begin());
    ASSERT_FALSE(video.empty());
    EXPECT_EQ(video[0], "video:key") << "after unpause the first video frame must be a key frame";
    EXPECT_TRUE(publish.join()) << publisher.error();
}

/// After `receiveX(false)` (no reply, so a short grace for messages already
/// on the way) no message of that kind may arrive while the other continues.
void check_receive_off(RawClient& player, rtmp::MessageStreamId msid, rtmp::ReceiveMediaCommand::Kind kind) {
    const auto deadline = Clock::now() + 10s;
    const bool video = kind == rtmp::ReceiveMediaCommand::Kind::video;
    const Received::Kind off = video ? Received::Kind::video : Received::Kind::audio;
    const Received::Kind on = video ? Received::Kind::audio : Received::Kind::video;
    const std::size_t mark = player.log_size();
    ASSERT_TRUE(player.send(rtmp::ReceiveMediaCommand{kind, 0, false}.encode(rtmp::Encoding::amf0, msid),
                            rtmp::csid::net_stream, deadline));
    player.read_for(300ms);
    const std::size_t settled = player.log_size();
    player.read_for(1500ms);
    std::size_t off_count = 0, on_count = 0;
    for (const Received* m : media_of(player.log(), settled)) {
        if (m->kind == off) ++off_count;
        if (m->kind == on) ++on_count;
    }
    EXPECT_EQ(off_count, 0u) << (video ? "video" : "audio") << " after receive(false)";
    EXPECT_GT(on_count, 10u) << "the other kind of media stopped too";
    EXPECT_TRUE(signalling(player.log(), mark).empty()) << "receive(false) has no reply";

    const std::size_t again = player.log_size();
    ASSERT_TRUE(player.send(rtmp::ReceiveMediaCommand{kind, 0, true}.encode(rtmp::Encoding::amf0, msid),
                            rtmp::csid::net_stream, deadline));
    const Received* resumed = player.wait_for(
        [off](const Received& r) { return r.kind == off && r.label != "video:config"; }, deadline);
    ASSERT_NE(resumed, nullptr) << "no media after receive(true): " << player.error();
    if (video) {
        EXPECT_EQ(resumed->label, "video:key") << "video must resume at a key frame";
    }
    EXPECT_EQ(signalling(player.log(), again),
              (Labels{"command:onStatus NetStream.Seek.Notify", "command:onStatus NetStream.Play.Start"}));
}

TEST_F(ServeScripted, ReceiveVideoAndReceiveAudioSwitchEachKind) {
    const auto deadline = Clock::now() + 40s;
    const Clip& source = clip(10);
    ASSERT_FALSE(source.media.empty());
    RawClient player;
    const auto msid = player.start_player(server_->port(), "receive", deadline);
    ASSERT_TRUE(msid) << player.error();
    RawClient publisher;
    const auto pub_id = publisher.start_publisher(server_->port(), "receive", deadline);
    ASSERT_TRUE(pub_id) << publisher.error();
    BackgroundPublish publish(publisher, source, *pub_id, true);
    player.read_for(1000ms);
    ASSERT_FALSE(media_of(player.log()).empty()) << "no media";
    check_receive_off(player, *msid, rtmp::ReceiveMediaCommand::Kind::video);
    player.read_for(500ms);
    check_receive_off(player, *msid, rtmp::ReceiveMediaCommand::Kind::audio);
    EXPECT_TRUE(publish.join()) << publisher.error();
}

TEST_F(ServeScripted, SigtermNotifiesPlayersAndExitsZero) {
    const auto deadline = Clock::now() + 30s;
    const Clip& source = clip(2);
    ASSERT_FALSE(source.media.empty());
    RawClient player;
    const auto msid = player.start_player(server_->port(), "bye", deadline);
    ASSERT_TRUE(msid) << player.error();
    RawClient publisher;
    const auto pub_id = publisher.start_publisher(server_->port(), "bye", deadline);
    ASSERT_TRUE(pub_id) << publisher.error();
    ASSERT_TRUE(publisher.publish_clip(source, *pub_id, false, deadline)) << publisher.error();
    ASSERT_TRUE(wait_media(player, 0, source.media.size(), deadline)) << player.error();
    const std::size_t mark = player.log_size();

    terminated_ = true;
    server_->process().signal(SIGTERM);
    EXPECT_TRUE(player.drain_until_closed(Clock::now() + 5s)) << "the player's socket was not closed";
    const auto rc = server_->process().wait(Clock::now() + 5s);
    EXPECT_EQ(rc, std::optional<int>(0)) << "SIGTERM did not end the server with 0";
    const std::size_t eof = find_label(player.log(), "user:StreamEOF " + std::to_string(*msid), mark);
    ASSERT_LT(eof, player.log_size()) << "no StreamEOF before the close";
    bool status_after = false;
    for (std::size_t i = eof; i < player.log_size(); ++i) {
        const auto& r = player.log()[i];
        status_after = status_after || (r.command && r.command->name == "onStatus" && r.stream_id == *msid);
    }
    EXPECT_TRUE(status_after) << "no onStatus after StreamEOF before the close";
}

}  // namespace
}  // namespace sluice::test
