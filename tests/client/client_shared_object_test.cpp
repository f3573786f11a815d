// Client::send_shared_object and the Kind::shared_object delivery of next(),
// over a net::MemoryTransport with the core (rtmp::Handshake, rtmp::
// Connection) playing the server: the message type (19, or 16 after
// objectEncoding 3), msid 0 and the payload on the wire; the server's
// message decoded by next(); a shared-object message that does not decode
// delivered as Kind::other.

// GCC 12 takes the sized operator delete of Asio's coroutine frames for a
// mismatch with their operator new (see client_transport_test.cpp).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <exception>
#include <memory>
#include <optional>
#include <variant>
#include <vector>

#include "client/client.hpp"
#include "client/shared_object.hpp"
#include "net/memory_transport.hpp"
#include "rtmp/command.hpp"
#include "rtmp/connection.hpp"
#include "rtmp/handshake.hpp"
#include "rtmp/responses.hpp"
#include "rtmp/shared_object_message.hpp"

namespace sluice::client {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

using Ev = rtmp::SharedObjectEvent;
using T = rtmp::SharedObjectEventType;

/// The server's end of a MemoryTransport, played by the core; keeps every
/// shared-object message the client sent.
class CoreServer {
public:
    explicit CoreServer(net::MemoryTransport& wire)
        : wire_(wire), handshake_(rtmp::HandshakeRole::server, rtmp::HandshakeOptions{}) {}

    /// Reads what the client wrote since the last call; true when a command arrived.
    bool read() {
        const std::vector<std::uint8_t>& written = wire_.written();
        base::Bytes input(written.data() + read_, written.size() - read_);
        read_ = written.size();
        if (!handshake_.done()) {
            input = input.subspan(handshake_.feed(input));
            const base::ByteVector out = handshake_.take_output();
            wire_.feed(out);
        }
        bool command = false;
        while (!input.empty()) {
            const auto result = connection_.receive(input);
            EXPECT_FALSE(result.error) << result.error.message();
            if (result.error || result.consumed == 0) break;
            input = input.subspan(result.consumed);
            while (auto event = connection_.next_event()) {
                if (std::holds_alternative<rtmp::CommandReceived>(*event)) command = true;
                if (auto* so = std::get_if<rtmp::SharedObjectReceived>(&*event)) received.push_back(*so);
            }
        }
        return command;
    }

    void send(const rtmp::Message& message) {
        EXPECT_FALSE(connection_.send(message, rtmp::csid::net_connection));
        connection_.output().for_each([&](base::Bytes b) { wire_.feed(b); });
        connection_.consume_output(connection_.output().size_bytes());
    }

    std::vector<rtmp::SharedObjectReceived> received;

private:
    net::MemoryTransport& wire_;
    std::size_t read_ = 0;
    rtmp::Handshake handshake_;
    rtmp::Connection connection_;
};

struct Session {
    explicit Session(ClientOptions options)
        : transport(std::make_unique<net::MemoryTransport>(context.get_executor())),
          wire(*transport),
          server(wire),
          client(context.get_executor(), std::move(options)) {}

    void settle() {
        context.restart();
        context.poll();
    }

    /// connect() against the core; true when it succeeded.
    bool connect() {
        auto outcome = std::make_shared<std::optional<std::exception_ptr>>();
        asio::co_spawn(context,
                       client.connect(*rtmp::Url::parse("rtmp://127.0.0.1/live"), std::move(transport)),
                       [outcome](std::exception_ptr e, ConnectInfo) { *outcome = e; });
        for (int i = 0; i < 4 && !server.read(); ++i) settle();
        const rtmp::Message answer = rtmp::ConnectResult{}.encode();
        server.send(answer);
        settle();
        return outcome->has_value() && !**outcome;
    }

    /// Runs `operation` on the client until it finishes (bounded: a hang fails).
    template <class R>
    std::optional<R> run(asio::awaitable<R> operation) {
        auto out = std::make_shared<std::optional<R>>();
        asio::co_spawn(context, std::move(operation), [out](std::exception_ptr e, R value) {
            EXPECT_FALSE(e);
            if (!e) *out = std::move(value);
        });
        context.restart();
        context.run_for(2s);
        return std::move(*out);
    }
    void run(asio::awaitable<void> operation) {
        auto done = std::make_shared<bool>(false);
        asio::co_spawn(context, std::move(operation), [done](std::exception_ptr e) {
            EXPECT_FALSE(e);
            *done = true;
        });
        context.restart();
        context.run_for(2s);
        EXPECT_TRUE(*done);
    }

    asio::io_context context;
    std::unique_ptr<net::MemoryTransport> transport;
    net::MemoryTransport& wire;
    CoreServer server;
    Client client;
};

rtmp::SharedObjectMessage use_answer() {
    rtmp::SharedObjectMessage m;
    m.name = "chat";
    m.version = 3;
    m.events = {Ev::simple(T::use_success), Ev::simple(T::clear), Ev::change({{"a", 1.0}, {"b", "x"}})};
    return m;
}

TEST(ClientSharedObject, SendsAndReceivesInTheConnectionsEncoding) {
    for (const double encoding : {0.0, 3.0}) {
        SCOPED_TRACE(encoding == 3 ? "objectEncoding 3" : "objectEncoding 0");
        const bool amf3 = encoding == 3;
        ClientOptions options;
        options.object_encoding = encoding;
        Session s(options);
        ASSERT_TRUE(s.connect());

        SharedObject so("chat");
        s.run(s.client.send_shared_object(so.use()));
        s.server.read();
        ASSERT_EQ(s.server.received.size(), 1u);
        const rtmp::Message& sent = s.server.received[0].message;
        EXPECT_EQ(sent.type,
                  amf3 ? rtmp::MessageType::shared_object_amf3 : rtmp::MessageType::shared_object_amf0);
        EXPECT_EQ(sent.stream_id, 0u);
        EXPECT_EQ(s.server.received[0].chunk_stream, rtmp::csid::net_connection);
        // The REFERENCE.md §6.3 Use of 'chat', behind a 00 for type 16.
        std::vector<std::uint8_t> expected{0x00, 0x04, 'c', 'h', 'a', 't', 0,    0, 0, 0, 0, 0,
                                           0,    0,    0,   0,   0,   0,   0x01, 0, 0, 0, 0};
        if (amf3) expected.insert(expected.begin(), 0x00);
        EXPECT_EQ(std::vector<std::uint8_t>(sent.payload.bytes().begin(), sent.payload.bytes().end()),
                  expected);

        const rtmp::Message answer =
            rtmp::encode_shared_object(use_answer(), amf3 ? rtmp::Encoding::amf3 : rtmp::Encoding::amf0);
        s.server.send(answer);
        std::optional<Incoming> in = s.run(s.client.next(1s));
        ASSERT_TRUE(in);
        EXPECT_EQ(in->kind, Incoming::Kind::shared_object);
        EXPECT_EQ(in->message.type, answer.type);
        ASSERT_TRUE(in->shared_object);
        EXPECT_EQ(*in->shared_object, use_answer());

        const SharedObjectUpdate update = so.apply(*in->shared_object);
        EXPECT_TRUE(update.use_success);
        EXPECT_EQ(so.properties(), (std::vector<amf::Property>{{"a", 1.0}, {"b", "x"}}));
    }
}

TEST(ClientSharedObject, AMessageThatDoesNotDecodeIsOther) {
    Session s(ClientOptions{});
    ASSERT_TRUE(s.connect());
    // Name "chat", then a header cut short.
    const std::vector<std::uint8_t> truncated{0x00, 0x04, 'c', 'h', 'a', 't', 0, 0};
    rtmp::Message bad{rtmp::MessageType::shared_object_amf0, 0, 0,
                      base::Payload::copy_of(base::Bytes(truncated.data(), truncated.size()))};
    s.server.send(bad);
    std::optional<Incoming> in = s.run(s.client.next(1s));
    ASSERT_TRUE(in);
    EXPECT_EQ(in->kind, Incoming::Kind::other);
    EXPECT_FALSE(in->shared_object);
    EXPECT_EQ(in->message.type, rtmp::MessageType::shared_object_amf0);
    EXPECT_EQ(in->message.payload.size(), truncated.size());
}

TEST(ClientSharedObject, SendNeedsAConnection) {
    asio::io_context context;
    Client client(context.get_executor());
    std::exception_ptr error;
    asio::co_spawn(context, client.send_shared_object(SharedObject("chat").use()),
                   [&](std::exception_ptr e) { error = e; });
    context.run();
    ASSERT_TRUE(error);
    try {
        std::rethrow_exception(error);
    } catch (const ClientError& e) {
        EXPECT_EQ(e.code(), make_error_code(Errc::not_connected));
        EXPECT_EQ(e.step(), Step::send);
    }
}

}  // namespace
}  // namespace sluice::client
