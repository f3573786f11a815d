// Shared-object messages (types 19/16): REFERENCE.md §6.3 worked bytes
// byte-exact, every event type round trip in AMF0 and AMF3, several events
// per message, length lies, limits and unknown event types.
#include "rtmp/shared_object_message.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "rtmp/errors.hpp"
#include "support/hex_literal.hpp"

namespace sluice::rtmp {
namespace {

using test::ascii;
using test::cat;
using test::hex;

using Ev = SharedObjectEvent;
using T = SharedObjectEventType;

Message message(MessageType type, const base::ByteVector& payload) {
    Message m;
    m.type = type;
    m.payload = base::Payload::copy_of(payload);
    return m;
}
base::ByteVector bytes_of(const Message& m) {
    return {m.payload.bytes().begin(), m.payload.bytes().end()};
}

// Header of the non-persistent SO "chat", version 0 (REFERENCE.md §6.3).
const base::ByteVector chat_header = hex("00 04 63 68 61 74 00 00 00 00 00 00 00 00 00 00 00 00");

struct Worked {
    const char* what;
    base::ByteVector event_bytes;
    Ev event;
};

std::vector<Worked> worked_events() {
    return {
        {"use", hex("01 00 00 00 00"), Ev::simple(T::use)},
        {"request change", hex("03 00 00 00 0A 00 03 6D 73 67 02 00 02 68 69"),
         Ev::request_change("msg", "hi")},
        {"change", hex("04 00 00 00 11 00 01 61 00 3F F0 00 00 00 00 00 00 00 01 62 01 01"),
         Ev::change({{"a", 1.0}, {"b", true}})},
        {"success", hex("05 00 00 00 05 00 03 6D 73 67"), Ev::success("msg")},
        {"send message", hex("06 00 00 00 0B 02 00 03 73 61 79 02 00 02 68 69"),
         Ev::send_message("say", {"hi"})},
        {"status",
         cat(hex("07 00 00 00 23 00 1A"), ascii("SharedObject.NoWriteAccess"), hex("00 05"), ascii("error")),
         Ev::status("SharedObject.NoWriteAccess", "error")},
        {"clear", hex("08 00 00 00 00"), Ev::simple(T::clear)},
        {"remove", hex("09 00 00 00 05 00 03 6D 73 67"), Ev::remove("msg")},
        {"use success", hex("0B 00 00 00 00"), Ev::simple(T::use_success)},
    };
}

TEST(SharedObjectMessage, WorkedUseMessage) {
    const auto bytes = cat(chat_header, hex("01 00 00 00 00"));
    ASSERT_EQ(bytes.size(), 23u);
    auto so = decode_shared_object(message(MessageType::shared_object_amf0, bytes));
    ASSERT_TRUE(so) << so.error().message();
    EXPECT_EQ(so->name, "chat");
    EXPECT_EQ(so->version, 0u);
    EXPECT_FALSE(so->persistent());
    ASSERT_EQ(so->events.size(), 1u);
    EXPECT_TRUE(so->events[0].is(T::use));
    EXPECT_EQ(bytes_of(encode_shared_object(*so, Encoding::amf0)), bytes);
    // type 16: prefix 00, rest identical
    const auto bytes16 = cat(hex("00"), bytes);
    auto so16 = decode_shared_object(message(MessageType::shared_object_amf3, bytes16));
    ASSERT_TRUE(so16);
    EXPECT_EQ(*so16, *so);
    EXPECT_EQ(bytes_of(encode_shared_object(*so, Encoding::amf3)), bytes16);
}

TEST(SharedObjectMessage, EveryWorkedEventByteExact) {
    for (const auto& w : worked_events()) {
        SCOPED_TRACE(w.what);
        const auto bytes = cat(chat_header, w.event_bytes);
        auto so = decode_shared_object(message(MessageType::shared_object_amf0, bytes));
        ASSERT_TRUE(so) << so.error().message();
        ASSERT_EQ(so->events.size(), 1u);
        EXPECT_EQ(so->events[0], w.event);
        SharedObjectMessage built{"chat", 0, 0, 0, {w.event}};
        EXPECT_EQ(bytes_of(encode_shared_object(built, Encoding::amf0)), bytes);
    }
}

TEST(SharedObjectMessage, AllEventsInOneMessageRoundTripBothEncodings) {
    SharedObjectMessage so{"room/users", 7, SharedObjectMessage::persistent_flag, 0, {}};
    for (const auto& w : worked_events()) so.events.push_back(w.event);
    so.events.push_back(Ev::simple(T::release));
    so.events.push_back(Ev::request_remove("x"));
    amf::Object obj;
    obj.set("n", 1);
    so.events.push_back(Ev::request_change("o", obj));
    so.events.push_back(Ev::send_message("m", {amf::Value(amf::StrictArray{{1.0, 2.0}}), amf::Null{}}));
    EXPECT_TRUE(so.persistent());
    for (Encoding e : {Encoding::amf0, Encoding::amf3}) {
        const Message m = encode_shared_object(so, e);
        auto back = decode_shared_object(m);
        ASSERT_TRUE(back) << back.error().message();
        EXPECT_EQ(*back, so) << debug_string(*back);
    }
    EXPECT_EQ(debug_string(
                  SharedObjectMessage{"chat", 1, 0, 0, {Ev::change({{"a", 1.0}}), Ev::status("C", "error")}}),
              "so 'chat' v1 flags=0/0 | 4 a=1 | 7 C error");
}

TEST(SharedObjectMessage, UnknownEventTypesKeptRawOrRejected) {
    const auto bytes = cat(chat_header, hex("0C 00 00 00 05 00 01 61 00 01"), hex("0B 00 00 00 00"));
    auto so = decode_shared_object(message(MessageType::shared_object_amf0, bytes));
    ASSERT_TRUE(so);
    ASSERT_EQ(so->events.size(), 2u);
    EXPECT_EQ(so->events[0].type, 12);
    EXPECT_EQ(so->events[0].raw, hex("00 01 61 00 01"));
    EXPECT_EQ(bytes_of(encode_shared_object(*so, Encoding::amf0)), bytes);
    SharedObjectOptions strict;
    strict.keep_unknown_events = false;
    auto rejected = decode_shared_object(message(MessageType::shared_object_amf0, bytes), strict);
    ASSERT_FALSE(rejected);
    EXPECT_EQ(rejected.error(), Errc::shared_object_event_unknown);
}

std::error_code error_of(MessageType t, const base::ByteVector& bytes, const SharedObjectOptions& o = {}) {
    auto so = decode_shared_object(message(t, bytes), o);
    return so ? std::error_code{} : so.error();
}

TEST(SharedObjectMessage, LengthLiesAndMalformedEvents) {
    const auto t19 = MessageType::shared_object_amf0;
    // event length beyond the payload
    EXPECT_EQ(error_of(t19, cat(chat_header, hex("05 00 00 00 09 00 03 6D 73 67"))),
              Errc::shared_object_truncated);
    // huge length
    EXPECT_EQ(error_of(t19, cat(chat_header, hex("05 FF FF FF FF 00"))), Errc::shared_object_truncated);
    // event header cut
    EXPECT_EQ(error_of(t19, cat(chat_header, hex("05 00 00"))), Errc::shared_object_truncated);
    // length shorter than the name inside it
    EXPECT_EQ(error_of(t19, cat(chat_header, hex("05 00 00 00 03 00 03 6D"))),
              Errc::shared_object_event_invalid);
    // leftover bytes inside the event
    EXPECT_EQ(error_of(t19, cat(chat_header, hex("05 00 00 00 06 00 03 6D 73 67 00"))),
              Errc::shared_object_event_invalid);
    // Use with data
    EXPECT_EQ(error_of(t19, cat(chat_header, hex("01 00 00 00 01 00"))), Errc::shared_object_event_invalid);
    // SendMessage whose handler is not a String
    EXPECT_EQ(error_of(t19, cat(chat_header, hex("06 00 00 00 01 05"))), Errc::shared_object_event_invalid);
    // Change value truncated
    EXPECT_EQ(error_of(t19, cat(chat_header, hex("04 00 00 00 05 00 01 61 00 3F"))),
              Errc::shared_object_event_invalid);
    // header short / name longer than the payload
    EXPECT_EQ(error_of(t19, hex("00 04 63 68")), Errc::shared_object_truncated);
    EXPECT_EQ(error_of(t19, hex("00 FF 63 68 61 74 00 00 00 00 00 00 00 00 00 00 00 00")),
              Errc::shared_object_truncated);
    // wrong message type, wrong leading byte on type 16, empty type 16
    EXPECT_EQ(error_of(MessageType::command_amf0, chat_header), Errc::shared_object_malformed);
    EXPECT_EQ(error_of(MessageType::shared_object_amf3, cat(hex("03"), chat_header)),
              Errc::shared_object_malformed);
    EXPECT_EQ(error_of(MessageType::shared_object_amf3, {}), Errc::shared_object_truncated);
}

TEST(SharedObjectMessage, EventCountLimit) {
    base::ByteVector bytes = chat_header;
    for (int i = 0; i < 5; ++i) {
        const auto ev = hex("08 00 00 00 00");
        bytes.insert(bytes.end(), ev.begin(), ev.end());
    }
    SharedObjectOptions o;
    o.max_events = 4;
    EXPECT_EQ(error_of(MessageType::shared_object_amf0, bytes, o), Errc::shared_object_too_many_events);
    o.max_events = 5;
    EXPECT_EQ(error_of(MessageType::shared_object_amf0, bytes, o), std::error_code{});
}

TEST(SharedObjectMessage, EveryTruncationIsAnErrorOrAPrefixMessage) {
    SharedObjectMessage so{"chat", 3, 0, 0, {}};
    for (const auto& w : worked_events()) so.events.push_back(w.event);
    const auto full = bytes_of(encode_shared_object(so, Encoding::amf0));
    std::size_t boundary = chat_header.size();
    std::vector<std::size_t> boundaries{boundary};
    for (const auto& w : worked_events()) boundaries.push_back(boundary += w.event_bytes.size());
    for (std::size_t n = 0; n < full.size(); ++n) {
        auto r = decode_shared_object(
            message(MessageType::shared_object_amf0,
                    base::ByteVector(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(n))));
        const bool at_boundary = std::find(boundaries.begin(), boundaries.end(), n) != boundaries.end();
        EXPECT_EQ(r.ok(), at_boundary) << n;
    }
}

}  // namespace
}  // namespace sluice::rtmp
