// client::SharedObject: the messages it builds, byte-exact against the
// REFERENCE.md §6.3 worked bytes (AMF0, type 19) where they apply, and what
// apply() makes of every server event: the use answer, another client's
// change and delete, our change accepted (also after someone else's change
// got in between) or refused, clear, messages, statuses, and the events a
// client ignores.
#include "client/shared_object.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/hex_literal.hpp"

namespace sluice::client {
namespace {

using test::cat;
using test::hex;

using Ev = rtmp::SharedObjectEvent;
using T = rtmp::SharedObjectEventType;

// Header of the non-persistent SO "chat", version 0 (REFERENCE.md §6.3).
const base::ByteVector chat_header = hex("00 04 63 68 61 74 00 00 00 00 00 00 00 00 00 00 00 00");

base::ByteVector wire(const rtmp::SharedObjectMessage& message,
                      rtmp::Encoding encoding = rtmp::Encoding::amf0) {
    const rtmp::Message m = rtmp::encode_shared_object(message, encoding);
    return {m.payload.bytes().begin(), m.payload.bytes().end()};
}

/// A server message for "chat" at `version` holding `events`.
rtmp::SharedObjectMessage from_server(std::uint32_t version, std::vector<Ev> events) {
    rtmp::SharedObjectMessage m;
    m.name = "chat";
    m.version = version;
    m.events = std::move(events);
    return m;
}

/// "chat" after the use answer, holding `slots` at version 1.
SharedObject connected_with(std::vector<amf::Property> slots) {
    SharedObject so("chat");
    (void)so.use();
    (void)so.apply(
        from_server(1, {Ev::simple(T::use_success), Ev::simple(T::clear), Ev::change(std::move(slots))}));
    return so;
}

SyncEntry entry(SyncCode code, std::string name, amf::Value old = amf::Undefined{}) {
    return SyncEntry{code, std::move(name), std::move(old)};
}

TEST(SharedObject, UseIsTheWorkedMessage) {
    SharedObject so("chat");
    const rtmp::SharedObjectMessage use = so.use();
    EXPECT_EQ(wire(use), cat(chat_header, hex("01 00 00 00 00")));
    // Type 16: the leading 00, the rest identical.
    EXPECT_EQ(wire(use, rtmp::Encoding::amf3), cat(hex("00"), chat_header, hex("01 00 00 00 00")));
    EXPECT_FALSE(so.connected());

    SharedObject persistent("chat", true);
    EXPECT_EQ(wire(persistent.use()),
              hex("00 04 63 68 61 74 00 00 00 00 00 00 00 02 00 00 00 00 01 00 00 00 00"));
}

TEST(SharedObject, SetPropertyIsTheWorkedRequestChangeAndAppliesLocally) {
    SharedObject so("chat");
    const rtmp::SharedObjectMessage request = so.set_property("msg", "hi");
    EXPECT_EQ(wire(request), cat(chat_header, hex("03 00 00 00 0A | 00 03 6D 73 67 | 02 00 02 68 69")));
    ASSERT_NE(so.find("msg"), nullptr);
    EXPECT_EQ(*so.find("msg"), amf::Value("hi"));
    EXPECT_TRUE(so.pending("msg"));
    EXPECT_EQ(so.pending_count(), 1u);
}

TEST(SharedObject, SendIsTheWorkedSendMessageAndChangesNothing) {
    SharedObject so("chat");
    EXPECT_EQ(wire(so.send("say", {"hi"})),
              cat(chat_header, hex("06 00 00 00 0B | 02 00 03 73 61 79 | 02 00 02 68 69")));
    EXPECT_TRUE(so.properties().empty());
    EXPECT_EQ(so.pending_count(), 0u);
}

TEST(SharedObject, RemoveAndReleaseMessages) {
    SharedObject so = connected_with({{"msg", "hi"}});
    const auto remove = so.remove_property("msg");
    // Version 1 (what the server sent last), then RequestRemove `msg`.
    EXPECT_EQ(wire(remove),
              hex("00 04 63 68 61 74 00 00 00 01 00 00 00 00 00 00 00 00 0A 00 00 00 05 00 03 6D 73 67"));
    EXPECT_EQ(so.find("msg"), nullptr);
    EXPECT_TRUE(so.pending("msg"));

    EXPECT_TRUE(so.connected());
    const auto release = so.release();
    ASSERT_EQ(release.events.size(), 1u);
    EXPECT_TRUE(release.events[0].is(T::release));
    EXPECT_EQ(wire(release), hex("00 04 63 68 61 74 00 00 00 01 00 00 00 00 00 00 00 00 02 00 00 00 00"));
    EXPECT_FALSE(so.connected());
    EXPECT_EQ(so.pending_count(), 0u);
}

TEST(SharedObject, UseAnswerFromTheWorkedBytes) {
    // [UseSuccess, Clear, Change(a = 1, b = true)] at version 3, decoded
    // from the §6.3 bytes.
    const auto bytes = cat(hex("00 04 63 68 61 74 00 00 00 03 00 00 00 00 00 00 00 00"),
                           hex("0B 00 00 00 00"), hex("08 00 00 00 00"),
                           hex("04 00 00 00 11 | 00 01 61 00 3F F0 00 00 00 00 00 00 | 00 01 62 01 01"));
    rtmp::Message m;
    m.type = rtmp::MessageType::shared_object_amf0;
    m.payload = base::Payload::copy_of(bytes);
    auto message = rtmp::decode_shared_object(m);
    ASSERT_TRUE(message);

    SharedObject so("chat");
    (void)so.use();
    const SharedObjectUpdate update = so.apply(*message);
    EXPECT_TRUE(update.use_success);
    EXPECT_TRUE(so.connected());
    EXPECT_EQ(so.version(), 3u);
    EXPECT_EQ(update.sync, (std::vector<SyncEntry>{entry(SyncCode::clear, ""), entry(SyncCode::change, "a"),
                                                   entry(SyncCode::change, "b")}));
    EXPECT_EQ(so.properties(), (std::vector<amf::Property>{{"a", 1.0}, {"b", true}}));
    EXPECT_EQ(update.ignored, 0u);
    EXPECT_FALSE(update.empty());
}

TEST(SharedObject, AnotherClientsChangeReportsTheOldValue) {
    SharedObject so = connected_with({{"a", 1.0}});
    const SharedObjectUpdate update = so.apply(from_server(2, {Ev::change({{"a", 2.0}, {"z", "new"}})}));
    EXPECT_EQ(update.sync,
              (std::vector<SyncEntry>{entry(SyncCode::change, "a", 1.0), entry(SyncCode::change, "z")}));
    EXPECT_EQ(so.properties(), (std::vector<amf::Property>{{"a", 2.0}, {"z", "new"}}));
    EXPECT_EQ(so.version(), 2u);
}

TEST(SharedObject, OurChangeAccepted) {
    SharedObject so = connected_with({{"msg", "old"}});
    (void)so.set_property("msg", "hi");
    const SharedObjectUpdate update = so.apply(from_server(4, {Ev::success("msg")}));
    EXPECT_EQ(update.sync, (std::vector<SyncEntry>{entry(SyncCode::success, "msg", "old")}));
    EXPECT_FALSE(so.pending("msg"));
    EXPECT_EQ(*so.find("msg"), amf::Value("hi"));
    EXPECT_EQ(so.version(), 4u);
}

TEST(SharedObject, OurChangeWinsOverAChangeThatCameFirst) {
    // The server applied another client's x = 5 before our x = 1: we see
    // their change, then our Success, and end with the server's value, 1.
    SharedObject so = connected_with({});
    (void)so.set_property("x", 1.0);
    SharedObjectUpdate theirs = so.apply(from_server(2, {Ev::change({{"x", 5.0}})}));
    EXPECT_EQ(theirs.sync, (std::vector<SyncEntry>{entry(SyncCode::change, "x", 1.0)}));
    EXPECT_EQ(*so.find("x"), amf::Value(5.0));
    EXPECT_TRUE(so.pending("x"));
    SharedObjectUpdate ours = so.apply(from_server(3, {Ev::success("x")}));
    EXPECT_EQ(ours.sync, (std::vector<SyncEntry>{entry(SyncCode::success, "x")}));
    EXPECT_EQ(*so.find("x"), amf::Value(1.0));
    EXPECT_FALSE(so.pending("x"));
}

TEST(SharedObject, OurChangeRefusedRestoresTheServersValue) {
    for (const bool status_first : {true, false}) {
        SCOPED_TRACE(status_first ? "status first" : "status last");
        SharedObject so = connected_with({{"a", 1.0}, {"b", 2.0}});
        (void)so.set_property("a", 9.0);
        std::vector<Ev> events{Ev::change({{"a", 1.0}, {"b", 3.0}})};
        const Ev status = Ev::status("SharedObject.NoWriteAccess", "error");
        events.insert(status_first ? events.begin() : events.end(), status);
        const SharedObjectUpdate update = so.apply(from_server(1, events));
        // `a` was ours: reject; `b` had no request of ours: a change.
        EXPECT_EQ(update.sync, (std::vector<SyncEntry>{entry(SyncCode::reject, "a", 9.0),
                                                       entry(SyncCode::change, "b", 2.0)}));
        EXPECT_EQ(update.statuses,
                  (std::vector<SharedObjectStatus>{{"SharedObject.NoWriteAccess", "error"}}));
        EXPECT_EQ(*so.find("a"), amf::Value(1.0));
        EXPECT_FALSE(so.pending("a"));
    }
}

TEST(SharedObject, RefusedNewSlotIsRemovedAgain) {
    SharedObject so = connected_with({});
    (void)so.set_property("n", 1.0);
    const SharedObjectUpdate update =
        so.apply(from_server(1, {Ev::status("SharedObject.NoWriteAccess", "error"), Ev::remove("n")}));
    EXPECT_EQ(update.sync, (std::vector<SyncEntry>{entry(SyncCode::reject, "n", 1.0)}));
    EXPECT_EQ(so.find("n"), nullptr);
    EXPECT_EQ(so.pending_count(), 0u);
}

TEST(SharedObject, AnotherClientsDelete) {
    SharedObject so = connected_with({{"a", 1.0}, {"b", 2.0}});
    const SharedObjectUpdate update = so.apply(from_server(2, {Ev::remove("a"), Ev::remove("nothere")}));
    EXPECT_EQ(update.sync, (std::vector<SyncEntry>{entry(SyncCode::remove, "a", 1.0),
                                                   entry(SyncCode::remove, "nothere")}));
    EXPECT_EQ(so.properties(), (std::vector<amf::Property>{{"b", 2.0}}));
}

TEST(SharedObject, OurRemoveAccepted) {
    SharedObject so = connected_with({{"a", 1.0}});
    (void)so.remove_property("a");
    // Someone sets it again before the server takes our remove: ours is last.
    (void)so.apply(from_server(2, {Ev::change({{"a", 7.0}})}));
    const SharedObjectUpdate update = so.apply(from_server(3, {Ev::success("a")}));
    EXPECT_EQ(update.sync, (std::vector<SyncEntry>{entry(SyncCode::success, "a", 1.0)}));
    EXPECT_EQ(so.find("a"), nullptr);
    EXPECT_EQ(so.pending_count(), 0u);
}

TEST(SharedObject, ClearMessagesAndStatuses) {
    SharedObject so = connected_with({{"a", 1.0}});
    const SharedObjectUpdate update =
        so.apply(from_server(5, {Ev::send_message("say", {"hi", 2.0}),
                                 Ev::status("SharedObject.Flush.Success", "status"), Ev::simple(T::clear)}));
    EXPECT_EQ(update.calls, (std::vector<SharedObjectCall>{{"say", {"hi", 2.0}}}));
    EXPECT_EQ(update.statuses, (std::vector<SharedObjectStatus>{{"SharedObject.Flush.Success", "status"}}));
    EXPECT_EQ(update.sync, (std::vector<SyncEntry>{entry(SyncCode::clear, "")}));
    EXPECT_TRUE(so.properties().empty());
    EXPECT_FALSE(update.use_success);
}

TEST(SharedObject, ErrorStatusWithoutOurRequestIsNoReject) {
    SharedObject so = connected_with({{"a", 1.0}});
    const SharedObjectUpdate update = so.apply(
        from_server(2, {Ev::status("SharedObject.NoWriteAccess", "error"), Ev::change({{"a", 2.0}})}));
    EXPECT_EQ(update.sync, (std::vector<SyncEntry>{entry(SyncCode::change, "a", 1.0)}));
}

TEST(SharedObject, IgnoresServerOnlyEventsAndOtherObjects) {
    SharedObject so = connected_with({{"a", 1.0}});
    Ev unknown;
    unknown.type = 12;
    unknown.raw = {0, 1, 0x61};
    SharedObjectUpdate update =
        so.apply(from_server(9, {Ev::simple(T::use), Ev::request_change("a", 5.0), Ev::request_remove("a"),
                                 Ev::simple(T::release), unknown}));
    EXPECT_EQ(update.ignored, 5u);
    EXPECT_TRUE(update.empty());
    EXPECT_EQ(so.properties(), (std::vector<amf::Property>{{"a", 1.0}}));
    EXPECT_EQ(so.version(), 9u);

    rtmp::SharedObjectMessage other = from_server(20, {Ev::simple(T::clear), Ev::change({{"x", 1.0}})});
    other.name = "lobby";
    update = so.apply(other);
    EXPECT_EQ(update.ignored, 2u);
    EXPECT_TRUE(update.empty());
    EXPECT_EQ(so.version(), 9u);
    EXPECT_EQ(so.properties(), (std::vector<amf::Property>{{"a", 1.0}}));
}

TEST(SharedObject, SyncCodesHaveTheFlashNames) {
    EXPECT_EQ(to_string(SyncCode::change), "change");
    EXPECT_EQ(to_string(SyncCode::success), "success");
    EXPECT_EQ(to_string(SyncCode::reject), "reject");
    EXPECT_EQ(to_string(SyncCode::clear), "clear");
    EXPECT_EQ(to_string(SyncCode::remove), "delete");
}

}  // namespace
}  // namespace sluice::client
