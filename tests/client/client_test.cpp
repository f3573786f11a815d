// client::Client and BlockingClient against an in-process `sluice serve`
// (server::Server on a loopback port): every step's wire flow, the answers
// it waits for, and how each failure is reported (step, code, server status).
// Real peers (FFmpeg, nginx-rtmp) are the interop tests' job.
#include "client/blocking_client.hpp"

#include <gtest/gtest.h>
#include <spdlog/spdlog.h>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>

#include <cerrno>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "client/in_process_server.hpp"
#include "rtmp/data_message.hpp"
#include "rtmp/status.hpp"
#include "server/server.hpp"

namespace sluice::client {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

ClientOptions quick() {
    ClientOptions options;
    options.step_timeout = 5s;
    return options;
}

rtmp::Message media(rtmp::MessageType type, std::uint32_t timestamp, std::vector<std::uint8_t> bytes) {
    return rtmp::Message{type, timestamp, 1, base::Payload::copy_of(base::Bytes(bytes.data(), bytes.size()))};
}

// A minimal AVC stream: sequence header, key frame, inter frame (FLV video
// tag bodies: frame type/codec, AVCPacketType, composition time, data).
const std::vector<std::uint8_t> avc_header{0x17, 0x00, 0,    0,    0,    0x01, 0x64, 0x00,
                                           0x1f, 0xff, 0xe1, 0x00, 0x04, 0x67, 0x64, 0x00,
                                           0x1f, 0x01, 0x00, 0x04, 0x68, 0xee, 0x3c, 0x80};
const std::vector<std::uint8_t> avc_key{0x17, 0x01, 0, 0, 0, 0, 0, 0, 3, 0x65, 0x88, 0x84};
const std::vector<std::uint8_t> avc_inter{0x27, 0x01, 0, 0, 0, 0, 0, 0, 3, 0x41, 0x9a, 0x02};

std::vector<std::uint8_t> bytes_of(const rtmp::Message& message) {
    const base::Bytes bytes = message.payload.bytes();
    return {bytes.begin(), bytes.end()};
}

/// Next media or data message, skipping signalling.
Incoming next_media(BlockingClient& client) {
    for (;;) {
        Incoming in = client.next(5s);
        const bool sample_access = in.kind == Incoming::Kind::data && in.name == "|RtmpSampleAccess";
        if (in.kind == Incoming::Kind::audio || in.kind == Incoming::Kind::video ||
            (in.kind == Incoming::Kind::data && !sample_access) || in.kind == Incoming::Kind::closed)
            return in;
    }
}

TEST(Client, ConnectReportsTheServerAndTheHandshake) {
    InProcessServer server;
    BlockingClient client(quick());
    const ConnectInfo info = client.connect(server.url("live/x"));
    EXPECT_FALSE(info.result.fms_ver.empty());
    EXPECT_GT(info.result.capabilities, 0);
    EXPECT_EQ(info.result.information.code, "NetConnection.Connect.Success");
    EXPECT_EQ(info.handshake_kind, rtmp::HandshakeKind::digest);
    EXPECT_LE(info.tcp_connected, info.handshake_done);
    EXPECT_LE(info.handshake_done, info.connected);
    EXPECT_TRUE(client.client().connected());
}

TEST(Client, SimpleHandshakeOnRequest) {
    InProcessServer server;
    ClientOptions options = quick();
    options.digest_handshake = false;
    BlockingClient client(options);
    EXPECT_EQ(client.connect(server.url("live")).handshake_kind, rtmp::HandshakeKind::simple);
}

TEST(Client, UnknownAppIsRejectedWithTheServersStatus) {
    InProcessServer server;
    BlockingClient client(quick());
    try {
        client.connect(server.url("nosuchapp/x"));
        FAIL() << "connect should fail";
    } catch (const ClientError& e) {
        EXPECT_EQ(e.step(), Step::connect);
        EXPECT_EQ(e.code(), make_error_code(Errc::rejected));
        ASSERT_TRUE(e.status());
        EXPECT_EQ(e.status()->code, "NetConnection.Connect.Rejected");
        EXPECT_NE(std::string(e.what()).find("connect: "), std::string::npos);
    }
    EXPECT_FALSE(client.client().connected());
}

TEST(Client, RefusedTcpConnectionNamesTheStep) {
    // Bind a port, then free it: nothing listens there any more.
    std::uint16_t port = 0;
    {
        asio::io_context context;
        asio::ip::tcp::acceptor acceptor(context, {asio::ip::make_address("127.0.0.1"), 0});
        port = acceptor.local_endpoint().port();
    }
    BlockingClient client(quick());
    try {
        client.connect(*rtmp::Url::parse("rtmp://127.0.0.1:" + std::to_string(port) + "/live"));
        FAIL() << "connect should fail";
    } catch (const ClientError& e) {
        EXPECT_EQ(e.step(), Step::tcp_connect);
        EXPECT_EQ(e.code().value(), ECONNREFUSED);
    }
}

TEST(Client, SilentServerTimesOutInTheHandshake) {
    asio::io_context context;
    asio::ip::tcp::acceptor acceptor(context, {asio::ip::make_address("127.0.0.1"), 0});
    const auto port = acceptor.local_endpoint().port();
    // The kernel completes the TCP handshake from the backlog; nobody answers C0+C1.
    ClientOptions options = quick();
    options.step_timeout = 300ms;
    BlockingClient client(options);
    try {
        client.connect(*rtmp::Url::parse("rtmp://127.0.0.1:" + std::to_string(port) + "/live"));
        FAIL() << "connect should time out";
    } catch (const ClientError& e) {
        EXPECT_EQ(e.step(), Step::handshake);
        EXPECT_EQ(e.code(), make_error_code(Errc::timed_out));
    }
}

TEST(Client, RtmpePublishReachesAPlainPlayerAndBack) {
    InProcessServer server;
    const std::string port = std::to_string(server.port());
    for (const bool publish_encrypted : {true, false}) {
        SCOPED_TRACE(publish_encrypted ? "publisher on rtmpe" : "player on rtmpe");
        const std::string name = publish_encrypted ? "/live/e1" : "/live/e2";
        const auto encrypted = *rtmp::Url::parse("rtmpe://127.0.0.1:" + port + name);
        const auto plain = *rtmp::Url::parse("rtmp://127.0.0.1:" + port + name);
        BlockingClient publisher(quick());
        publisher.open_publish(publish_encrypted ? encrypted : plain);
        publisher.send(media(rtmp::MessageType::video, 0, avc_header));
        publisher.send(media(rtmp::MessageType::video, 0, avc_key));
        BlockingClient player(quick());
        player.open_play(publish_encrypted ? plain : encrypted);
        Incoming in = next_media(player);
        ASSERT_EQ(in.kind, Incoming::Kind::video);
        EXPECT_EQ(bytes_of(in.message), avc_header);
        in = next_media(player);
        EXPECT_EQ(bytes_of(in.message), avc_key);
        EXPECT_EQ((publish_encrypted ? publisher : player).info().handshake_kind,
                  rtmp::HandshakeKind::encrypted);
    }
}

TEST(Client, PublishedMediaReachesAPlayerUnchanged) {
    InProcessServer server;
    BlockingClient publisher(quick());
    const auto pub_id = publisher.open_publish(server.url("live/relay"));
    rtmp::MetaData meta;
    meta.properties.set("width", amf::Value(320.0));
    publisher.send(rtmp::encode_data_message(meta.to_set_data_frame(), rtmp::Encoding::amf0, pub_id));
    publisher.send(media(rtmp::MessageType::video, 0, avc_header));
    publisher.send(media(rtmp::MessageType::video, 0, avc_key));

    BlockingClient player(quick());
    player.open_play(server.url("live/relay"));
    // A late joiner gets the metadata, the sequence header and the GOP so far.
    Incoming in = next_media(player);
    ASSERT_EQ(in.kind, Incoming::Kind::data);
    EXPECT_EQ(in.name, "onMetaData");
    in = next_media(player);
    ASSERT_EQ(in.kind, Incoming::Kind::video);
    EXPECT_EQ(bytes_of(in.message), avc_header);
    in = next_media(player);
    EXPECT_EQ(bytes_of(in.message), avc_key);

    publisher.send(media(rtmp::MessageType::video, 40, avc_inter));
    in = next_media(player);
    ASSERT_EQ(in.kind, Incoming::Kind::video);
    EXPECT_EQ(in.message.timestamp, 40u);
    EXPECT_EQ(bytes_of(in.message), avc_inter);

    // Unpublishing ends the stream for the player: StreamEOF, then UnpublishNotify.
    publisher.close();
    bool eof = false;
    std::optional<std::string> last_status;
    for (int i = 0; i < 10 && !last_status; ++i) {
        in = player.next(5s);
        if (in.kind == Incoming::Kind::user_control && in.control.event == rtmp::UserControlEvent::stream_eof)
            eof = true;
        if (in.kind == Incoming::Kind::status) last_status = in.status->code;
    }
    EXPECT_TRUE(eof);
    EXPECT_EQ(last_status, "NetStream.Play.UnpublishNotify");
}

TEST(Client, PlayStatusesStayVisibleInOrder) {
    InProcessServer server;
    BlockingClient player(quick());
    const auto id = player.open_play(server.url("live/waiting"));
    std::vector<std::string> seen;
    for (;;) {
        const Incoming in = player.next(5s);
        if (in.kind == Incoming::Kind::status) seen.push_back(in.status->code);
        // (connect's StreamBegin 0 comes first; the play's names our stream)
        if (in.kind == Incoming::Kind::user_control &&
            in.control.event == rtmp::UserControlEvent::stream_begin && in.control.stream_id == id)
            seen.push_back("StreamBegin");
        if (!seen.empty() && seen.back() == "NetStream.Data.Start") break;
    }
    const std::vector<std::string> expected{"StreamBegin", "NetStream.Play.Reset", "NetStream.Play.Start",
                                            "NetStream.Data.Start"};
    EXPECT_EQ(seen, expected);
}

TEST(Client, RecordedPlayOfAnUnknownNameIsNotFound) {
    InProcessServer server;
    BlockingClient player(quick());
    try {
        player.open_play(server.url("live/nothing"), 0);
        FAIL() << "play should fail";
    } catch (const ClientError& e) {
        EXPECT_EQ(e.step(), Step::play);
        EXPECT_EQ(e.code(), make_error_code(Errc::stream_not_found));
        ASSERT_TRUE(e.status());
        EXPECT_EQ(e.status()->code, "NetStream.Play.StreamNotFound");
    }
    // Refused, not broken: the connection still works.
    EXPECT_TRUE(player.client().connected());
    EXPECT_GT(player.create_stream(), 0u);
}

TEST(Client, BusyNameIsRejectedAsBadName) {
    InProcessServer server;
    BlockingClient first(quick());
    first.open_publish(server.url("live/busy"));
    BlockingClient second(quick());
    try {
        second.open_publish(server.url("live/busy"));
        FAIL() << "the second publish should fail";
    } catch (const ClientError& e) {
        EXPECT_EQ(e.step(), Step::publish);
        EXPECT_EQ(e.code(), make_error_code(Errc::rejected));
        ASSERT_TRUE(e.status());
        EXPECT_EQ(e.status()->code, "NetStream.Publish.BadName");
    }
}

TEST(Client, PauseUnpauseAndSeekOnLive) {
    InProcessServer server;
    BlockingClient player(quick());
    const auto id = player.open_play(server.url("live/p"));
    player.pause(id, true, 0);
    player.pause(id, false, 0);
    try {
        player.seek(id, 1000);
        FAIL() << "seek on live should fail";
    } catch (const ClientError& e) {
        EXPECT_EQ(e.code(), make_error_code(Errc::rejected));
        ASSERT_TRUE(e.status());
        EXPECT_EQ(e.status()->code, "NetStream.Seek.Failed");
    }
}

TEST(Client, CallsReturnResultsAndErrors) {
    InProcessServer server;
    BlockingClient client(quick());
    client.connect(server.url("live"));
    const rtmp::CallResult length = client.call("getStreamLength", {amf::Value(std::string("x"))});
    EXPECT_FALSE(length.is_error);
    const rtmp::CallResult unknown = client.call("noSuchMethod", {});
    EXPECT_TRUE(unknown.is_error);
}

TEST(Client, StepsNeedAConnection) {
    BlockingClient client(quick());
    try {
        client.create_stream();
        FAIL() << "createStream before connect should fail";
    } catch (const ClientError& e) {
        EXPECT_EQ(e.code(), make_error_code(Errc::not_connected));
    }
}

TEST(Client, UnknownStreamIdIsRefused) {
    InProcessServer server;
    BlockingClient client(quick());
    client.connect(server.url("live"));
    try {
        client.play(7, rtmp::PlayCommand{0, "x"});
        FAIL() << "play on a stream never created should fail";
    } catch (const ClientError& e) {
        EXPECT_EQ(e.code(), make_error_code(Errc::unknown_stream));
    }
}

}  // namespace
}  // namespace sluice::client
