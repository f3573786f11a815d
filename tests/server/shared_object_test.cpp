// server::SharedObject: the server's answers to each request, byte-exact
// against REFERENCE.md §6.3's worked bytes where they apply.
#include "server/shared_object.hpp"

#include <gtest/gtest.h>

#include "support/hex_literal.hpp"

namespace sluice::server {
namespace {

using test::cat;
using test::hex;
using Ev = rtmp::SharedObjectEvent;
using T = rtmp::SharedObjectEventType;

base::ByteVector bytes_of(const rtmp::SharedObjectMessage& m) {
    const rtmp::Message encoded = rtmp::encode_shared_object(m, rtmp::Encoding::amf0);
    EXPECT_EQ(encoded.type, rtmp::MessageType::shared_object_amf0);
    return {encoded.payload.bytes().begin(), encoded.payload.bytes().end()};
}

/// "chat" with `version`, not persistent: the 18-byte header of §6.3.
base::ByteVector chat_header(std::uint32_t version) {
    return cat(hex("00 04 63 68 61 74"), hex("00 00 00"),
               base::ByteVector{static_cast<std::uint8_t>(version)}, hex("00 00 00 00 00 00 00 00"));
}

TEST(SharedObject, UseOfAnEmptyObjectIsUseSuccessThenClear) {
    SharedObject so("chat", false);
    EXPECT_EQ(bytes_of(so.use(1)), cat(chat_header(0), hex("0B 00 00 00 00"), hex("08 00 00 00 00")));
    EXPECT_TRUE(so.subscribers().contains(1));
}

TEST(SharedObject, UseCarriesEverySlotInOneChange) {
    SharedObject so("chat", false);
    (void)so.use(1);
    const SharedObjectLimits limits;
    (void)so.apply(1, {Ev::request_change("a", 1.0), Ev::request_change("b", true)}, limits);
    EXPECT_EQ(so.version(), 2u);
    // §6.3: Change with two slots a = 1.0, b = true.
    EXPECT_EQ(bytes_of(so.use(2)),
              cat(chat_header(2), hex("0B 00 00 00 00"), hex("08 00 00 00 00"),
                  hex("04 00 00 00 11 00 01 61 00 3F F0 00 00 00 00 00 00 00 01 62 01 01")));
}

TEST(SharedObject, RequestChangeAnswersSuccessAndTellsTheOthers) {
    SharedObject so("chat", false);
    (void)so.use(1);
    (void)so.use(2);
    const SharedObjectReply reply = so.apply(1, {Ev::request_change("msg", std::string("hi"))}, {});
    ASSERT_TRUE(reply.to_requester);
    ASSERT_TRUE(reply.to_others);
    EXPECT_FALSE(reply.to_all);
    EXPECT_TRUE(reply.changed);
    // §6.3: Success for msg.
    EXPECT_EQ(bytes_of(*reply.to_requester), cat(chat_header(1), hex("05 00 00 00 05 00 03 6D 73 67")));
    EXPECT_EQ(bytes_of(*reply.to_others),
              cat(chat_header(1), hex("04 00 00 00 0A 00 03 6D 73 67 02 00 02 68 69")));
}

TEST(SharedObject, NobodyElseMeansNoMessageForOthers) {
    SharedObject so("chat", false);
    (void)so.use(1);
    const SharedObjectReply reply = so.apply(1, {Ev::request_change("msg", std::string("hi"))}, {});
    EXPECT_TRUE(reply.to_requester);
    EXPECT_FALSE(reply.to_others);
}

TEST(SharedObject, RequestRemoveAnswersSuccessAndRemoveToOthers) {
    SharedObject so("chat", false, 0, {{"msg", amf::Value(std::string("hi"))}});
    (void)so.use(1);
    (void)so.use(2);
    const SharedObjectReply reply = so.apply(2, {Ev::request_remove("msg")}, {});
    EXPECT_TRUE(so.slots().empty());
    EXPECT_EQ(so.version(), 1u);
    ASSERT_TRUE(reply.to_requester && reply.to_others);
    EXPECT_EQ(bytes_of(*reply.to_requester), cat(chat_header(1), hex("05 00 00 00 05 00 03 6D 73 67")));
    // §6.3: Remove msg.
    EXPECT_EQ(bytes_of(*reply.to_others), cat(chat_header(1), hex("09 00 00 00 05 00 03 6D 73 67")));
}

TEST(SharedObject, RemovingAMissingSlotChangesNothing) {
    SharedObject so("chat", false);
    (void)so.use(1);
    (void)so.use(2);
    const SharedObjectReply reply = so.apply(1, {Ev::request_remove("nothing")}, {});
    EXPECT_FALSE(reply.changed);
    EXPECT_EQ(so.version(), 0u);
    EXPECT_TRUE(reply.to_requester);
    EXPECT_FALSE(reply.to_others);
}

TEST(SharedObject, SendMessageGoesToEverybody) {
    SharedObject so("chat", false);
    (void)so.use(1);
    const SharedObjectReply reply =
        so.apply(1, {Ev::send_message("say", {amf::Value(std::string("hi"))})}, {});
    EXPECT_FALSE(reply.to_requester);
    EXPECT_FALSE(reply.to_others);
    ASSERT_TRUE(reply.to_all);
    EXPECT_FALSE(reply.changed);
    // §6.3: SendMessage say("hi").
    EXPECT_EQ(bytes_of(*reply.to_all),
              cat(chat_header(0), hex("06 00 00 00 0B 02 00 03 73 61 79 02 00 02 68 69")));
}

TEST(SharedObject, AValueOverTheLimitIsRefusedAndTheServerValueRestored) {
    SharedObject so("chat", false, 0, {{"msg", amf::Value(std::string("hi"))}});
    (void)so.use(1);
    (void)so.use(2);
    SharedObjectLimits limits;
    limits.max_value_bytes = 10;
    const SharedObjectReply reply = so.apply(1, {Ev::request_change("msg", std::string(100, 'x'))}, limits);
    EXPECT_EQ(reply.refused, 1u);
    EXPECT_FALSE(reply.changed);
    EXPECT_FALSE(reply.to_others);
    EXPECT_EQ(so.version(), 0u);
    ASSERT_TRUE(reply.to_requester);
    // §6.3: Status NoWriteAccess, then the server's value back.
    EXPECT_EQ(bytes_of(*reply.to_requester),
              cat(chat_header(0),
                  cat(hex("07 00 00 00 23 00 1A"), test::ascii("SharedObject.NoWriteAccess"), hex("00 05"),
                      test::ascii("error")),
                  hex("04 00 00 00 0A 00 03 6D 73 67 02 00 02 68 69")));
}

TEST(SharedObject, SlotsBeyondTheLimitAreRefusedButExistingOnesChange) {
    SharedObject so("chat", false);
    (void)so.use(1);
    SharedObjectLimits limits;
    limits.max_properties = 2;
    const SharedObjectReply reply = so.apply(1,
                                             {Ev::request_change("a", 1.0), Ev::request_change("b", 2.0),
                                              Ev::request_change("c", 3.0), Ev::request_change("a", 4.0)},
                                             limits);
    EXPECT_EQ(reply.refused, 1u);
    EXPECT_EQ(so.slots().size(), 2u);
    EXPECT_EQ(so.slots().at("a"), amf::Value(4.0));
    ASSERT_TRUE(reply.to_requester);
    // Success a, Success b, Status, Remove c (it does not exist), Success a.
    const auto& events = reply.to_requester->events;
    ASSERT_EQ(events.size(), 5u);
    EXPECT_TRUE(events[2].is(T::status));
    EXPECT_TRUE(events[3].is(T::remove));
    EXPECT_EQ(events[3].name, "c");
}

TEST(SharedObject, OthersGetTheLastValueOfASlotOnce) {
    SharedObject so("chat", false);
    (void)so.use(1);
    (void)so.use(2);
    const SharedObjectReply reply = so.apply(
        1, {Ev::request_change("a", 1.0), Ev::request_change("b", 2.0), Ev::request_change("a", 3.0)}, {});
    ASSERT_TRUE(reply.to_others);
    ASSERT_EQ(reply.to_others->events.size(), 1u);
    const auto& slots = reply.to_others->events[0].slots;
    ASSERT_EQ(slots.size(), 2u);
    EXPECT_EQ(slots[0].name, "b");
    EXPECT_EQ(slots[1].name, "a");
    EXPECT_EQ(slots[1].value, amf::Value(3.0));
    EXPECT_EQ(reply.to_others->version, 3u);
}

TEST(SharedObject, ServerToClientAndUnknownEventsAreSkipped) {
    SharedObject so("chat", false);
    (void)so.use(1);
    Ev unknown;
    unknown.type = 14;
    const SharedObjectReply reply =
        so.apply(1, {Ev::simple(T::clear), Ev::change({amf::Property{"x", 1.0}}), unknown}, {});
    EXPECT_EQ(reply.unknown, 3u);
    EXPECT_FALSE(reply.changed);
    EXPECT_TRUE(so.slots().empty());
    EXPECT_FALSE(reply.to_requester || reply.to_others || reply.to_all);
}

TEST(SharedObject, PersistentObjectsSayItInTheirFlags) {
    SharedObject so("chat", true);
    const rtmp::SharedObjectMessage m = so.use(1);
    EXPECT_TRUE(m.persistent());
    EXPECT_EQ(m.flags, rtmp::SharedObjectMessage::persistent_flag);
    EXPECT_TRUE(so.release(1));
    EXPECT_FALSE(so.release(1));
}

}  // namespace
}  // namespace sluice::server
