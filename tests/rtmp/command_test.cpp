// Generic command framing: REFERENCE.md §2.2 worked bytes, §3.5 AMF3
// framing (leading 00, non-sticky 11, legacy whole-message switch), and
// malformed input.
#include "rtmp/command.hpp"

#include <gtest/gtest.h>

#include "amf/errors.hpp"
#include "rtmp/errors.hpp"
#include "support/hex_literal.hpp"

namespace sluice::rtmp {
namespace {

using test::ascii;
using test::cat;
using test::hex;

Message message(MessageType type, const base::ByteVector& payload, MessageStreamId msid = 0) {
    Message m;
    m.type = type;
    m.stream_id = msid;
    m.payload = base::Payload::copy_of(payload);
    return m;
}

base::ByteVector bytes_of(const Message& m) {
    return {m.payload.bytes().begin(), m.payload.bytes().end()};
}

// REFERENCE.md §2.2: connect, txn 1, {app:"live", tcUrl:"rtmp://h/live"} (58 bytes).
const base::ByteVector connect58 =
    cat(hex("02 00 07"), ascii("connect"), hex("00 3F F0 00 00 00 00 00 00"), hex("03 00 03"), ascii("app"),
        hex("02 00 04"), ascii("live"), hex("00 05"), ascii("tcUrl"), hex("02 00 0D"), ascii("rtmp://h/live"),
        hex("00 00 09"));

Command connect_command() {
    amf::Object o;
    o.set("app", "live");
    o.set("tcUrl", "rtmp://h/live");
    return Command{"connect", 1, o, {}};
}

TEST(Command, WorkedConnectBytesDecode) {
    ASSERT_EQ(connect58.size(), 58u);
    auto c = decode_command(message(MessageType::command_amf0, connect58));
    ASSERT_TRUE(c) << c.error().message();
    EXPECT_EQ(*c, connect_command());
    EXPECT_EQ(debug_string(*c), R"(connect txn=1 obj={app: "live", tcUrl: "rtmp://h/live"} args=[])");
}

TEST(Command, WorkedConnectBytesEncode) {
    const Message m = encode_command(connect_command(), Encoding::amf0, 0, 7);
    EXPECT_EQ(m.type, MessageType::command_amf0);
    EXPECT_EQ(m.stream_id, 0u);
    EXPECT_EQ(m.timestamp, 7u);
    EXPECT_EQ(bytes_of(m), connect58);
}

TEST(Command, WorkedType17CreateStream) {
    // REFERENCE.md §3.5: 00 | 02 00 0C 'createStream' | 00 40 08 .. | 05
    const auto payload = cat(hex("00 02 00 0C"), ascii("createStream"), hex("00 40 08 00 00 00 00 00 00 05"));
    auto c = decode_command(message(MessageType::command_amf3, payload));
    ASSERT_TRUE(c) << c.error().message();
    EXPECT_EQ(c->name, "createStream");
    EXPECT_EQ(c->transaction_id, 3);
    EXPECT_TRUE(c->command_object.is<amf::Null>());
    EXPECT_TRUE(c->arguments.empty());
    EXPECT_EQ(bytes_of(encode_command(*c, Encoding::amf3, 0)), payload);
}

TEST(Command, Amf3EncodingPutsObjectsBehindSwitch) {
    Command c = connect_command();
    c.arguments = {amf::Value(amf::StrictArray{{1.0, "x"}}), amf::Value(true), amf::Value(amf::Null{})};
    const Message m = encode_command(c, Encoding::amf3, 0);
    EXPECT_EQ(m.type, MessageType::command_amf3);
    const auto b = bytes_of(m);
    ASSERT_GT(b.size(), 22u);
    EXPECT_EQ(b[0], 0x00);               // format byte
    EXPECT_EQ(b[1], 0x02);               // AMF0 name
    EXPECT_EQ(b[1 + 10], 0x00);          // AMF0 number txn
    EXPECT_EQ(b[1 + 10 + 9], 0x11);      // object behind the switch
    EXPECT_EQ(b[1 + 10 + 9 + 1], 0x0A);  // AMF3 object marker
    EXPECT_EQ(b[b.size() - 1], 0x05);    // null stays AMF0
    EXPECT_EQ(b[b.size() - 3], 0x01);    // true stays AMF0: 01 01
    auto back = decode_command(m);
    ASSERT_TRUE(back) << back.error().message();
    EXPECT_EQ(*back, c);
}

TEST(Command, Amf3LegacyWholeMessageSwitch) {
    // 00 11 then the whole message in AMF3: string, Integer 3, null.
    const auto payload = cat(hex("00 11 06 19"), ascii("createStream"), hex("04 03 01"));
    auto c = decode_command(message(MessageType::command_amf3, payload));
    ASSERT_TRUE(c) << c.error().message();
    EXPECT_EQ(c->name, "createStream");
    EXPECT_EQ(c->transaction_id, 3);
    CommandOptions strict;
    strict.amf3_whole_message_after_switch = false;
    auto rejected = decode_command(message(MessageType::command_amf3, payload), strict);
    ASSERT_FALSE(rejected);
}

TEST(Command, Amf0WithNonStickySwitchInside) {
    // type 20 with an AMF3 object: the AMF0 reader returns to AMF0 after it.
    const auto payload = cat(hex("02 00 04"), ascii("call"), hex("00 40 00 00 00 00 00 00 00"),
                             hex("11 0A 0B 01 03"), ascii("a"), hex("04 05 01"), hex("02 00 01"), ascii("z"));
    auto c = decode_command(message(MessageType::command_amf0, payload));
    ASSERT_TRUE(c) << c.error().message();
    ASSERT_EQ(c->arguments.size(), 1u);
    EXPECT_EQ(*c->arguments[0].string(), "z");
    const amf::Value* a = c->command_object.find("a");
    ASSERT_NE(a, nullptr);
    EXPECT_EQ(*a, amf::Value(amf::Integer{5}));
}

TEST(Command, MissingCommandObjectIsNull) {
    const auto payload = cat(hex("02 00 08"), ascii("onBWDone"), hex("00 00 00 00 00 00 00 00 00"));
    auto c = decode_command(message(MessageType::command_amf0, payload));
    ASSERT_TRUE(c);
    EXPECT_TRUE(c->command_object.is<amf::Null>());
}

TEST(Command, Malformed) {
    auto err = [](MessageType t, const base::ByteVector& p) {
        auto c = decode_command(message(t, p));
        return c ? std::error_code{} : c.error();
    };
    EXPECT_EQ(err(MessageType::audio, connect58), Errc::command_malformed);
    EXPECT_EQ(err(MessageType::command_amf0, {}), Errc::command_malformed);
    EXPECT_EQ(err(MessageType::command_amf3, {}), Errc::command_malformed);
    EXPECT_EQ(err(MessageType::command_amf3, cat(hex("01"), connect58)), Errc::command_malformed);
    // name not a String
    EXPECT_EQ(err(MessageType::command_amf0, hex("00 3F F0 00 00 00 00 00 00")), Errc::command_malformed);
    // no transaction id
    EXPECT_EQ(err(MessageType::command_amf0, cat(hex("02 00 04"), ascii("play"))), Errc::command_malformed);
    // transaction id a String
    EXPECT_EQ(
        err(MessageType::command_amf0, cat(hex("02 00 04"), ascii("play"), hex("02 00 01"), ascii("1"))),
        Errc::command_malformed);
    // bad AMF (reserved marker 04)
    EXPECT_EQ(err(MessageType::command_amf0, cat(hex("02 00 04"), ascii("play"), hex("04"))),
              std::error_code(amf::Errc::marker_reserved));
}

TEST(Command, EveryTruncationFailsCleanlyOrIsAPrefixCommand) {
    for (std::size_t n = 0; n < connect58.size(); ++n) {
        const base::ByteVector prefix(connect58.begin(), connect58.begin() + static_cast<std::ptrdiff_t>(n));
        auto c = decode_command(message(MessageType::command_amf0, prefix));
        if (n == 19) {  // ends right after the transaction id: a command without an object
            ASSERT_TRUE(c) << n;
            EXPECT_TRUE(c->command_object.is<amf::Null>());
        } else {
            EXPECT_FALSE(c) << "prefix of " << n << " bytes decoded";
        }
    }
}

TEST(Command, AmfLimitsApply) {
    CommandOptions tight;
    tight.amf.max_depth = 1;
    const auto nested = cat(hex("02 00 01"), ascii("x"), hex("00 00 00 00 00 00 00 00 00"), hex("03 00 01"),
                            ascii("a"), hex("03 00 00 09 00 00 09"));
    EXPECT_TRUE(decode_command(message(MessageType::command_amf0, nested)));
    auto c = decode_command(message(MessageType::command_amf0, nested), tight);
    ASSERT_FALSE(c);
    EXPECT_EQ(c.error(), std::error_code(amf::Errc::depth_exceeded));
}

}  // namespace
}  // namespace sluice::rtmp
