// client::Client over a net::MemoryTransport, with no socket and no server
// process: the test plays the server with the core (rtmp::Handshake in the
// server role, rtmp::Connection) or feeds canned bytes, and reads back what
// the client wrote. Covers connect(url, transport): the handshake and the
// connect command on the wire, how EOF, garbage and silence fail a step,
// and a play session through close().

// GCC 12 takes the sized operator delete of Asio's coroutine frames for a
// mismatch with their operator new once enough is inlined here (a false
// positive of -Wmismatched-new-delete with coroutine frames).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "client/client.hpp"
#include "net/memory_transport.hpp"
#include "rtmp/command.hpp"
#include "rtmp/connection.hpp"
#include "rtmp/handshake.hpp"
#include "rtmp/net_connection_commands.hpp"
#include "rtmp/net_stream_commands.hpp"
#include "rtmp/responses.hpp"
#include "rtmp/status.hpp"

namespace sluice::client {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

const rtmp::Url url = *rtmp::Url::parse("rtmp://127.0.0.1/live/x");

/// A Client on its own io_context whose transport is a MemoryTransport the
/// test feeds (`wire` stays valid while `client` owns the transport).
struct MemoryClient {
    explicit MemoryClient(ClientOptions options = {})
        : transport(std::make_unique<net::MemoryTransport>(context.get_executor())),
          wire(*transport),
          client(context.get_executor(), std::move(options)) {}

    asio::io_context context;
    std::unique_ptr<net::MemoryTransport> transport;  ///< null once connect() took it
    net::MemoryTransport& wire;
    Client client;
};

/// The result of an operation spawned on the client's context.
template <class T>
struct Outcome {
    bool done = false;
    std::optional<T> value;
    std::exception_ptr error;

    /// The ClientError the operation failed with (a test failure otherwise).
    ClientError client_error() const {
        EXPECT_TRUE(done);
        EXPECT_TRUE(error);
        try {
            if (error) std::rethrow_exception(error);
        } catch (const ClientError& e) {
            return e;
        } catch (...) {
        }
        ADD_FAILURE() << "not a ClientError";
        return ClientError(Step::connect, {}, "");
    }
};

std::shared_ptr<Outcome<ConnectInfo>> spawn_connect(MemoryClient& m, const rtmp::Url& where = url) {
    auto outcome = std::make_shared<Outcome<ConnectInfo>>();
    asio::co_spawn(m.context, m.client.connect(where, std::move(m.transport)),
                   [outcome](std::exception_ptr e, ConnectInfo info) {
                       outcome->done = true;
                       outcome->error = e;
                       if (!e) outcome->value = std::move(info);
                   });
    return outcome;
}

/// Runs ready handlers only: the client stops where it waits for input.
void settle(MemoryClient& m) {
    m.context.restart();
    m.context.poll();
}

/// Runs until nothing is left to do (the input must end in EOF or the
/// operation must finish), bounded so that a hang fails instead.
void finish(MemoryClient& m) {
    m.context.restart();
    m.context.run_for(5s);
}

std::vector<std::uint8_t> drain(rtmp::Connection& connection) {
    std::vector<std::uint8_t> out;
    connection.output().for_each([&](base::Bytes b) { out.insert(out.end(), b.begin(), b.end()); });
    connection.consume_output(connection.output().size_bytes());
    return out;
}

/// The other end of the wire, played by the core: rtmp::Handshake in the
/// server role, then an rtmp::Connection.
class CoreServer {
public:
    explicit CoreServer(net::MemoryTransport& wire)
        : wire_(wire), handshake_(rtmp::HandshakeRole::server, rtmp::HandshakeOptions{}) {}

    /// Takes what the client wrote since the last call and answers the
    /// handshake; returns the commands that arrived after it.
    std::vector<rtmp::Command> read() {
        const std::vector<std::uint8_t>& written = wire_.written();
        base::Bytes input(written.data() + read_, written.size() - read_);
        read_ = written.size();
        if (!handshake_.done()) {
            input = input.subspan(handshake_.feed(input));
            EXPECT_FALSE(handshake_.failed()) << handshake_.error().message();
            const base::ByteVector out = handshake_.take_output();
            wire_.feed(out);
        }
        std::vector<rtmp::Command> commands;
        while (!input.empty()) {
            const auto result = connection_.receive(input);
            EXPECT_FALSE(result.error) << result.error.message();
            if (result.error || result.consumed == 0) break;
            input = input.subspan(result.consumed);
            while (auto event = connection_.next_event()) {
                if (auto* command = std::get_if<rtmp::CommandReceived>(&*event)) {
                    auto decoded = rtmp::decode_command(command->message);
                    EXPECT_TRUE(decoded);
                    if (decoded) commands.push_back(std::move(*decoded));
                }
                EXPECT_FALSE(std::holds_alternative<rtmp::ProtocolViolation>(*event));
            }
        }
        return commands;
    }

    void send(const rtmp::Message& message, rtmp::ChunkStreamId chunk_stream) {
        EXPECT_FALSE(connection_.send(message, chunk_stream));
        wire_.feed(drain(connection_));
    }

    const rtmp::Connection& connection() const { return connection_; }

private:
    net::MemoryTransport& wire_;
    std::size_t read_ = 0;
    rtmp::Handshake handshake_;
    rtmp::Connection connection_;
};

/// A simple-scheme S0+S1+S2: S1 time 0x01020304, version 0, patterned filler.
std::vector<std::uint8_t> simple_s0s1s2() {
    std::vector<std::uint8_t> out(rtmp::Handshake::server_output_size, 0);
    out[0] = 3;
    out[1] = 1;
    out[2] = 2;
    out[3] = 3;
    out[4] = 4;
    for (std::size_t i = 9; i < out.size(); ++i) out[i] = static_cast<std::uint8_t>(i * 7);
    return out;
}

std::vector<std::uint8_t> connect_result_bytes() {
    rtmp::Connection server;
    const rtmp::Message result = rtmp::ConnectResult{}.encode();
    EXPECT_FALSE(server.send(result, rtmp::csid::net_connection));
    return drain(server);
}

TEST(ClientTransport, ConnectsOverAMemoryTransportToTheCoresServer) {
    MemoryClient m;
    net::MemoryTransport& wire = m.wire;
    CoreServer server(wire);
    auto connected = spawn_connect(m);

    settle(m);  // C0+C1 out, waiting for S0+S1+S2
    EXPECT_EQ(wire.written().size(), rtmp::Handshake::first_flight_size);
    EXPECT_TRUE(server.read().empty());
    settle(m);  // C2 and connect out, waiting for the answer
    const std::vector<rtmp::Command> commands = server.read();
    ASSERT_EQ(commands.size(), 1u);
    auto connect = rtmp::ConnectCommand::decode(commands[0]);
    ASSERT_TRUE(connect);
    EXPECT_EQ(connect->transaction_id, 1);
    EXPECT_EQ(connect->app, "live");
    EXPECT_EQ(connect->tc_url, "rtmp://127.0.0.1/live");
    EXPECT_FALSE(connected->done);

    const rtmp::Message answer = rtmp::ConnectResult{}.encode();
    server.send(answer, rtmp::csid::net_connection);
    settle(m);
    ASSERT_TRUE(connected->done);
    ASSERT_FALSE(connected->error);
    const ConnectInfo& info = *connected->value;
    EXPECT_EQ(info.handshake_kind, rtmp::HandshakeKind::digest);
    EXPECT_EQ(info.server_version, rtmp::default_server_version);
    EXPECT_EQ(info.tcp_connected, 0us);  // no TCP step over a given transport
    EXPECT_EQ(info.result.fms_ver, "FMS/3,0,1,123");
    EXPECT_EQ(info.result.information.code, "NetConnection.Connect.Success");
    EXPECT_TRUE(m.client.connected());

    EXPECT_TRUE(server.read().empty());  // Set Chunk Size, applied by the server's core
    EXPECT_EQ(server.connection().peer_chunk_size(), 4096u);
    EXPECT_EQ(m.client.bytes_sent(), wire.bytes_written());
    EXPECT_EQ(m.client.bytes_received(),
              rtmp::Handshake::server_output_size + server.connection().bytes_sent());
}

TEST(ClientTransport, SimpleHandshakeAndConnectCommandOnTheWire) {
    ClientOptions options;
    options.digest_handshake = false;
    MemoryClient m(options);
    const std::vector<std::uint8_t> s0s1s2 = simple_s0s1s2();
    m.wire.feed(s0s1s2);
    m.wire.feed(connect_result_bytes());
    auto connected = spawn_connect(m);
    finish(m);
    ASSERT_TRUE(connected->done);
    ASSERT_FALSE(connected->error);
    EXPECT_EQ(connected->value->handshake_kind, rtmp::HandshakeKind::simple);

    // C0, then C1 with a zero version field (the simple scheme).
    const std::vector<std::uint8_t>& out = m.wire.written();
    ASSERT_GT(out.size(), rtmp::Handshake::client_output_size);
    EXPECT_EQ(out[0], 3);
    EXPECT_EQ((std::vector<std::uint8_t>(out.begin() + 5, out.begin() + 9)),
              (std::vector<std::uint8_t>(4, 0)));
    // C2 echoes S1: its time, then (after our time2) its bytes 8..1535.
    const auto c2 = out.begin() + rtmp::Handshake::first_flight_size;
    EXPECT_TRUE(std::equal(c2, c2 + 4, s0s1s2.begin() + 1));
    EXPECT_TRUE(std::equal(c2 + 8, c2 + rtmp::Handshake::packet_size, s0s1s2.begin() + 9));

    // Then the chunk stream: connect, then Set Chunk Size.
    rtmp::Connection server;
    const base::Bytes chunks(out.data() + rtmp::Handshake::client_output_size,
                             out.size() - rtmp::Handshake::client_output_size);
    const auto received = server.receive(chunks);
    EXPECT_FALSE(received.error);
    EXPECT_EQ(received.consumed, chunks.size());
    auto event = server.next_event();
    ASSERT_TRUE(event);
    auto* command = std::get_if<rtmp::CommandReceived>(&*event);
    ASSERT_NE(command, nullptr);
    EXPECT_EQ(command->chunk_stream, rtmp::csid::net_connection);
    auto decoded = rtmp::decode_command(command->message);
    ASSERT_TRUE(decoded);
    auto connect = rtmp::ConnectCommand::decode(*decoded);
    ASSERT_TRUE(connect);
    EXPECT_EQ(connect->app, "live");
    EXPECT_EQ(connect->tc_url, "rtmp://127.0.0.1/live");
    EXPECT_EQ(connect->flash_ver, std::string(player_flash_ver));
    EXPECT_EQ(connect->object_encoding, 0);
    EXPECT_EQ(server.peer_chunk_size(), 4096u);
}

TEST(ClientTransport, EofDuringTheHandshakeIsConnectionClosed) {
    MemoryClient m;
    const std::vector<std::uint8_t> s0s1s2 = simple_s0s1s2();
    m.wire.feed(base::Bytes(s0s1s2.data(), 700));
    m.wire.feed_eof();
    auto connected = spawn_connect(m);
    finish(m);
    const ClientError e = connected->client_error();
    EXPECT_EQ(e.step(), Step::handshake);
    EXPECT_EQ(e.code(), make_error_code(Errc::connection_closed));
    EXPECT_FALSE(m.client.connected());
    EXPECT_TRUE(m.wire.closed());
}

TEST(ClientTransport, EofBeforeTheConnectAnswerIsConnectionClosed) {
    MemoryClient m;
    m.wire.feed(simple_s0s1s2());
    m.wire.feed_eof();
    auto connected = spawn_connect(m);
    finish(m);
    const ClientError e = connected->client_error();
    EXPECT_EQ(e.step(), Step::connect);
    EXPECT_EQ(e.code(), make_error_code(Errc::connection_closed));
    EXPECT_TRUE(m.wire.closed());
}

TEST(ClientTransport, GarbageAfterTheHandshakeIsAProtocolError) {
    for (const bool same_read : {false, true}) {
        SCOPED_TRACE(same_read ? "garbage in the read that ends S2" : "garbage in its own read");
        MemoryClient m;
        std::vector<std::uint8_t> input = simple_s0s1s2();
        // A type 2 chunk header on chunk stream 9, which never had a type 0 one.
        const std::vector<std::uint8_t> garbage{0x89, 0, 0, 0};
        if (same_read) {
            input.insert(input.end(), garbage.begin(), garbage.end());
            m.wire.feed(input);
        } else {
            m.wire.feed(input);
            m.wire.feed(garbage);
        }
        auto connected = spawn_connect(m);
        finish(m);
        const ClientError e = connected->client_error();
        EXPECT_EQ(e.step(), Step::connect);
        EXPECT_EQ(e.code(), make_error_code(Errc::protocol_error));
        EXPECT_TRUE(m.wire.closed());
    }
}

TEST(ClientTransport, ASilentServerTimesTheStepOut) {
    ClientOptions options;
    options.step_timeout = 50ms;
    MemoryClient m(options);
    m.wire.feed(simple_s0s1s2());  // then nothing, and no EOF
    auto connected = spawn_connect(m);
    const auto start = std::chrono::steady_clock::now();
    finish(m);
    const auto elapsed = std::chrono::steady_clock::now() - start;
    const ClientError e = connected->client_error();
    EXPECT_EQ(e.step(), Step::connect);
    EXPECT_EQ(e.code(), make_error_code(Errc::timed_out));
    EXPECT_GE(elapsed, 50ms);
    EXPECT_LT(elapsed, 4s);
}

TEST(ClientTransport, EveryVariantOverAGivenTransportStartsItsHandshake) {
    // rtmpe over a given transport: the encryption is ours, so the first
    // flight is an RTMPE C0 (6) with FFmpeg's RTMPE version field.
    MemoryClient m;
    auto encrypted = spawn_connect(m, *rtmp::Url::parse("rtmpe://127.0.0.1/live/x"));
    settle(m);
    EXPECT_FALSE(encrypted->done);
    ASSERT_EQ(m.wire.written().size(), rtmp::Handshake::first_flight_size);
    EXPECT_EQ(m.wire.written()[0], 6);
    EXPECT_EQ(m.wire.written()[5], 0x80);
    m.wire.feed_eof();
    finish(m);
    EXPECT_EQ(encrypted->client_error().step(), Step::handshake);

    // rtmps over a given transport is the transport's business: the client
    // starts the plain handshake (and fails only at the EOF that follows).
    MemoryClient tls;
    auto started = spawn_connect(tls, *rtmp::Url::parse("rtmps://127.0.0.1/live/x"));
    settle(tls);
    EXPECT_FALSE(started->done);
    ASSERT_EQ(tls.wire.written().size(), rtmp::Handshake::first_flight_size);
    EXPECT_EQ(tls.wire.written()[0], 3);
    tls.wire.feed_eof();
    finish(tls);
    EXPECT_EQ(started->client_error().step(), Step::handshake);
}

TEST(ClientTransport, ConnectNeedsATransport) {
    MemoryClient m;
    m.transport.reset();
    auto connected = spawn_connect(m);
    finish(m);
    EXPECT_EQ(connected->client_error().code(), make_error_code(Errc::not_connected));
    EXPECT_FALSE(m.client.connected());
}

TEST(ClientTransport, PlaysAndClosesOverAMemoryTransport) {
    MemoryClient m;
    net::MemoryTransport& wire = m.wire;
    CoreServer server(wire);
    auto connected = spawn_connect(m);
    settle(m);
    server.read();
    settle(m);
    server.read();
    const rtmp::Message connect_answer = rtmp::ConnectResult{}.encode();
    server.send(connect_answer, rtmp::csid::net_connection);
    settle(m);
    ASSERT_TRUE(connected->done && !connected->error);

    struct Session {
        bool done = false;
        std::vector<Incoming> received;
        std::exception_ptr error;
    };
    auto session = std::make_shared<Session>();
    Client& client = m.client;
    auto play_then_close = [&client, session]() -> asio::awaitable<void> {
        const rtmp::MessageStreamId id = co_await client.create_stream();
        rtmp::PlayCommand command{0, "x"};
        co_await client.play(id, std::move(command));
        for (int i = 0; i < 2; ++i) {
            Incoming in = co_await client.next();
            session->received.push_back(std::move(in));
        }
        co_await client.close();
    };
    asio::co_spawn(m.context, play_then_close(), [session](std::exception_ptr e) {
        session->done = true;
        session->error = e;
    });

    settle(m);
    std::vector<rtmp::Command> commands = server.read();
    ASSERT_EQ(commands.size(), 1u);
    EXPECT_EQ(commands[0].name, "createStream");
    EXPECT_EQ(commands[0].transaction_id, 2);
    const rtmp::Message created = rtmp::CreateStreamResult{2, 1}.encode();
    server.send(created, rtmp::csid::net_connection);

    settle(m);
    commands = server.read();
    ASSERT_EQ(commands.size(), 1u);
    auto play = rtmp::PlayCommand::decode(commands[0]);
    ASSERT_TRUE(play);
    EXPECT_EQ(play->stream_name, "x");
    const rtmp::Message started =
        rtmp::OnStatus::make(rtmp::Status::play_start).encode(rtmp::Encoding::amf0, 1);
    server.send(started, rtmp::csid::net_stream);
    const std::vector<std::uint8_t> audio_bytes{0xAF, 0x01, 0x21, 0x10};
    const rtmp::Message audio{rtmp::MessageType::audio, 40, 1,
                              base::Payload::copy_of(base::Bytes(audio_bytes.data(), audio_bytes.size()))};
    server.send(audio, rtmp::csid::audio);

    // The status that ended play() and the audio reach next(); close() then
    // deletes the stream, half-closes and waits for the server's EOF.
    settle(m);
    EXPECT_FALSE(session->done);
    EXPECT_TRUE(wire.send_shut());
    EXPECT_FALSE(wire.closed());
    commands = server.read();
    ASSERT_EQ(commands.size(), 1u);
    EXPECT_EQ(commands[0].name, "deleteStream");
    wire.feed_eof();
    finish(m);
    ASSERT_TRUE(session->done);
    EXPECT_FALSE(session->error);
    EXPECT_TRUE(wire.closed());
    ASSERT_EQ(session->received.size(), 2u);
    EXPECT_EQ(session->received[0].kind, Incoming::Kind::status);
    EXPECT_EQ(session->received[0].status->code, "NetStream.Play.Start");
    EXPECT_EQ(session->received[1].kind, Incoming::Kind::audio);
    EXPECT_EQ(session->received[1].message.timestamp, 40u);
    EXPECT_FALSE(m.client.connected());
}

}  // namespace
}  // namespace sluice::client
