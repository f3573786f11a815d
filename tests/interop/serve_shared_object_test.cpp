// Shared objects on `sluice serve` (REFERENCE.md §6), driven by raw
// clients so the bytes on the wire are checked exactly:
//  - the worked bytes of §6.3 (Use of "chat", Request Change msg = "hi",
//    SendMessage say("hi")) get the answers Adobe Media Server and Red5
//    give, byte for byte; an AMF3 session (objectEncoding 3) sees the same
//    object as type 16 messages, and its commands as type 17;
//  - a persistent object keeps its last acknowledged change across SIGKILL;
//  - hostile requests (an unknown event type, 100,000 slots in one message,
//    a 10 MB value, 10,000 objects) are refused, and another client of the
//    same object carries on.
#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>

#include "interop/serve_raw_client.hpp"
#include "interop/serve_test.hpp"
#include "rtmp/shared_object_message.hpp"
#include "support/hex_literal.hpp"

namespace sluice::test {
namespace {

using namespace std::chrono_literals;
using Ev = rtmp::SharedObjectEvent;
using T = rtmp::SharedObjectEventType;

/// A type 19 (or 16) message from hex, as a Flash client would send it.
rtmp::Message so_message(const base::ByteVector& payload, bool amf3 = false) {
    rtmp::Message m;
    m.type = amf3 ? rtmp::MessageType::shared_object_amf3 : rtmp::MessageType::shared_object_amf0;
    base::ByteVector bytes = payload;
    if (amf3) bytes.insert(bytes.begin(), 0x00);
    m.payload = base::Payload::from(std::move(bytes));
    return m;
}

rtmp::Message encoded(const std::string& name, bool persistent, std::vector<Ev> events, bool amf3 = false) {
    rtmp::SharedObjectMessage so;
    so.name = name;
    so.flags = persistent ? rtmp::SharedObjectMessage::persistent_flag : 0;
    so.events = std::move(events);
    return rtmp::encode_shared_object(so, amf3 ? rtmp::Encoding::amf3 : rtmp::Encoding::amf0);
}

base::ByteVector payload_of(const Received& r) {
    return {r.message.payload.bytes().begin(), r.message.payload.bytes().end()};
}

/// The next shared object message from the server, decoded.
std::optional<rtmp::SharedObjectMessage> next_so(RawClient& client, Clock::time_point deadline,
                                                 const Received** raw = nullptr) {
    const Received* r =
        client.wait_for([](const Received& e) { return e.label.rfind("so:", 0) == 0; }, deadline);
    if (!r) return std::nullopt;
    if (raw) *raw = r;
    auto decoded = rtmp::decode_shared_object(r->message);
    if (!decoded) return std::nullopt;
    return std::move(*decoded);
}

const base::ByteVector chat_header = test::hex("00 04 63 68 61 74 00 00 00 00 00 00 00 00 00 00 00 00");
const base::ByteVector chat_header_v1 = test::hex("00 04 63 68 61 74 00 00 00 01 00 00 00 00 00 00 00 00");

class ServeSharedObjects : public ServeTest {
protected:
    void SetUp() override { start_server({"--shared-objects", dir_.file("so")}); }

    std::unique_ptr<RawClient> connected(double object_encoding = 0) {
        auto client = std::make_unique<RawClient>();
        const auto deadline = Clock::now() + 10s;
        if (!client->open(server_->port(), deadline)) return nullptr;
        const Received* answer = client->connect("live", deadline, object_encoding);
        if (!answer || answer->code != "NetConnection.Connect.Success") return nullptr;
        return client;
    }
};

TEST_F(ServeSharedObjects, WorkedBytesGetByteExactAnswers) {
    auto a = connected();
    ASSERT_TRUE(a);
    const auto deadline = Clock::now() + 10s;
    // §6.3: Use of non-persistent "chat", version 0.
    ASSERT_TRUE(a->send(so_message(test::cat(chat_header, test::hex("01 00 00 00 00"))), 3, deadline));
    const Received* r = nullptr;
    ASSERT_TRUE(next_so(*a, deadline, &r)) << a->error();
    EXPECT_EQ(r->message.type, rtmp::MessageType::shared_object_amf0);
    EXPECT_EQ(payload_of(*r), test::cat(chat_header, test::hex("0B 00 00 00 00 08 00 00 00 00")));

    // §6.3: Request Change msg = "hi" -> Success for msg, version 1.
    ASSERT_TRUE(
        a->send(so_message(test::cat(chat_header, test::hex("03 00 00 00 0A 00 03 6D 73 67 02 00 02 68 69"))),
                3, deadline));
    ASSERT_TRUE(next_so(*a, deadline, &r)) << a->error();
    EXPECT_EQ(payload_of(*r), test::cat(chat_header_v1, test::hex("05 00 00 00 05 00 03 6D 73 67")));

    // A second Use on the same connection is answered with the state again.
    ASSERT_TRUE(a->send(so_message(test::cat(chat_header, test::hex("01 00 00 00 00"))), 3, deadline));
    ASSERT_TRUE(next_so(*a, deadline, &r)) << a->error();
    EXPECT_EQ(payload_of(*r), test::cat(chat_header_v1, test::hex("0B 00 00 00 00 08 00 00 00 00"),
                                        test::hex("04 00 00 00 0A 00 03 6D 73 67 02 00 02 68 69")));

    // An AMF3 session joins: type 16, the state as one Change, and its
    // commands as type 17.
    auto b = connected(3);
    ASSERT_TRUE(b);
    ASSERT_TRUE(b->send(so_message(test::cat(chat_header, test::hex("01 00 00 00 00")), true), 3, deadline));
    ASSERT_TRUE(next_so(*b, deadline, &r)) << b->error();
    EXPECT_EQ(r->message.type, rtmp::MessageType::shared_object_amf3);
    EXPECT_EQ(payload_of(*r),
              test::cat(test::hex("00"), chat_header_v1, test::hex("0B 00 00 00 00 08 00 00 00 00"),
                        test::hex("04 00 00 00 0A 00 03 6D 73 67 02 00 02 68 69")));
    const auto stream = b->create_stream(deadline);
    ASSERT_TRUE(stream);
    const auto& log = b->log();
    const auto result = std::find_if(log.rbegin(), log.rend(),
                                     [](const Received& e) { return e.label == "command:_result"; });
    ASSERT_NE(result, log.rend());
    EXPECT_EQ(result->message.type, rtmp::MessageType::command_amf3);

    // §6.3: SendMessage say("hi") reaches both, the sender too.
    ASSERT_TRUE(a->send(
        so_message(test::cat(chat_header, test::hex("06 00 00 00 0B 02 00 03 73 61 79 02 00 02 68 69"))), 3,
        deadline));
    ASSERT_TRUE(next_so(*a, deadline, &r)) << a->error();
    EXPECT_EQ(payload_of(*r),
              test::cat(chat_header_v1, test::hex("06 00 00 00 0B 02 00 03 73 61 79 02 00 02 68 69")));
    const auto to_b = next_so(*b, deadline);
    ASSERT_TRUE(to_b) << b->error();
    ASSERT_EQ(to_b->events.size(), 1u);
    EXPECT_EQ(to_b->events[0].name, "say");
    EXPECT_EQ(to_b->events[0].arguments, std::vector<amf::Value>{amf::Value(std::string("hi"))});

    // b removes msg: a gets Remove.
    ASSERT_TRUE(b->send(encoded("chat", false, {Ev::request_remove("msg")}, true), 3, deadline));
    const auto removed = next_so(*a, deadline);
    ASSERT_TRUE(removed) << a->error();
    EXPECT_EQ(removed->version, 2u);
    ASSERT_EQ(removed->events.size(), 1u);
    EXPECT_TRUE(removed->events[0].is(T::remove));
}

TEST_F(ServeSharedObjects, PersistentObjectKeepsItsLastChangeAcrossSigkill) {
    const auto deadline = Clock::now() + 20s;
    {
        auto a = connected();
        ASSERT_TRUE(a);
        ASSERT_TRUE(a->send(encoded("scores", true, {Ev::simple(T::use)}), 3, deadline));
        ASSERT_TRUE(next_so(*a, deadline));
        for (int n = 1; n <= 20; ++n) {
            ASSERT_TRUE(
                a->send(encoded("scores", true, {Ev::request_change("alice", double(n))}), 3, deadline));
            const auto success = next_so(*a, deadline);
            ASSERT_TRUE(success && success->events.at(0).is(T::success)) << a->error();
        }
        server_->process().signal(SIGKILL);
        EXPECT_EQ(server_->process().wait(Clock::now() + 5s), std::optional<int>(-1));
    }
    // A log of its own: the first one still holds the old port.
    server_ = std::make_unique<ServeProcess>(dir_.file("serve2.log"),
                                             std::vector<std::string>{"--shared-objects", dir_.file("so")});
    ASSERT_NE(server_->port(), 0) << server_->error();
    auto b = connected();
    ASSERT_TRUE(b);
    ASSERT_TRUE(b->send(encoded("scores", true, {Ev::simple(T::use)}), 3, deadline));
    const auto state = next_so(*b, deadline);
    ASSERT_TRUE(state) << b->error();
    EXPECT_EQ(state->version, 20u);
    ASSERT_EQ(state->events.size(), 3u);
    EXPECT_EQ(state->events[2].slots.at(0).value, amf::Value(20.0));
}

TEST_F(ServeSharedObjects, HostileRequestsAreRefusedAndOthersCarryOn) {
    const auto deadline = Clock::now() + 60s;
    auto watcher = connected();
    ASSERT_TRUE(watcher);
    ASSERT_TRUE(watcher->send(encoded("board", false, {Ev::simple(T::use)}), 3, deadline));
    ASSERT_TRUE(next_so(*watcher, deadline));

    // An unknown event type: skipped; the next request still works.
    {
        auto c = connected();
        ASSERT_TRUE(c);
        Ev unknown;
        unknown.type = 200;
        unknown.raw = {1, 2, 3};
        ASSERT_TRUE(c->send(encoded("board", false, {Ev::simple(T::use), unknown}), 3, deadline));
        ASSERT_TRUE(next_so(*c, deadline));
        ASSERT_TRUE(c->send(encoded("board", false, {Ev::request_change("x", 1.0)}), 3, deadline));
        const auto success = next_so(*c, deadline);
        ASSERT_TRUE(success && success->events.at(0).is(T::success)) << c->error();
    }
    // 100,000 slots in one message: over the decoder's event limit, closed.
    {
        auto c = connected();
        ASSERT_TRUE(c);
        std::vector<Ev> many;
        for (int i = 0; i < 100'000; ++i) many.push_back(Ev::request_change("k" + std::to_string(i), 1.0));
        ASSERT_TRUE(c->send(encoded("board", false, {Ev::simple(T::use)}), 3, deadline));
        (void)c->send(encoded("board", false, std::move(many)), 3, deadline);
        EXPECT_TRUE(c->wait_hangup(deadline));
    }
    // A 10 MB value: over limits.max_message_bytes, closed.
    {
        auto c = connected();
        ASSERT_TRUE(c);
        ASSERT_TRUE(c->send(encoded("board", false, {Ev::simple(T::use)}), 3, deadline));
        (void)c->send(encoded("board", false, {Ev::request_change("big", std::string(10u << 20, 'x'))}), 3,
                      deadline);
        EXPECT_TRUE(c->wait_hangup(deadline)) << c->error();
    }
    // 10,000 objects from one connection: refused past shared_objects.max_per_connection.
    {
        auto c = connected();
        ASSERT_TRUE(c);
        // In batches, reading the answers between them, so neither side's
        // socket fills while the other is not reading.
        int used = 0, refused = 0;
        for (int batch = 0; batch < 20; ++batch) {
            for (int i = batch * 500; i < (batch + 1) * 500; ++i) {
                ASSERT_TRUE(
                    c->send(encoded("o" + std::to_string(i), false, {Ev::simple(T::use)}), 3, deadline));
            }
            while (used + refused < (batch + 1) * 500) {
                const auto m = next_so(*c, deadline);
                ASSERT_TRUE(m) << c->error() << " after " << used << " used, " << refused << " refused";
                if (m->events.at(0).is(T::use_success)) ++used;
                if (m->events.at(0).is(T::status)) {
                    EXPECT_EQ(m->events[0].code, "SharedObject.ObjectCreationFailed");
                    ++refused;
                }
            }
        }
        EXPECT_EQ(used, 256);
    }
    const std::string log = server_->full_log();
    EXPECT_NE(log.find("malformed shared object message: a shared object message holds more events"),
              std::string::npos)
        << log;
    EXPECT_NE(log.find("a message header declared a length above the message size limit"), std::string::npos)
        << log;

    // The watcher saw only the one good change and still works.
    const auto change = next_so(*watcher, deadline);
    ASSERT_TRUE(change) << watcher->error();
    ASSERT_EQ(change->events.size(), 1u);
    EXPECT_EQ(change->events[0].slots.at(0).name, "x");
    ASSERT_TRUE(watcher->send(encoded("board", false, {Ev::request_change("y", 2.0)}), 3, deadline));
    const auto success = next_so(*watcher, deadline);
    ASSERT_TRUE(success && success->events.at(0).is(T::success)) << watcher->error();
    EXPECT_EQ(success->version, 2u);
}

}  // namespace
}  // namespace sluice::test
