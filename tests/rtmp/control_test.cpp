// Protocol and user control messages: REFERENCE.md §1.4/§1.5 examples
// byte-exact through the encoder, decode back, short payloads, raw events.
#include "rtmp/control.hpp"

#include <gtest/gtest.h>

#include "rtmp/chunk_decoder.hpp"
#include "rtmp/chunk_encoder.hpp"
#include "rtmp/errors.hpp"
#include "support/hex_literal.hpp"
#include "support/split_feeder.hpp"

namespace sluice::rtmp {
namespace {

using test::hex;

base::ByteVector wire(const Message& m) {
    ChunkEncoder enc;
    GatherList out;
    EXPECT_FALSE(enc.encode(m, csid::protocol_control, out));
    return out.flatten();
}

Message decode_one(base::Bytes bytes) {
    ChunkDecoder d;
    const DecodeResult r = d.decode(bytes);
    EXPECT_FALSE(r.error);
    EXPECT_EQ(r.consumed, bytes.size());
    EXPECT_TRUE(r.message);
    EXPECT_EQ(r.chunk_stream, csid::protocol_control);
    return r.message ? *r.message : Message{};
}

TEST(Control, ReferenceProtocolControlExamples) {
    EXPECT_EQ(wire(to_message(SetChunkSize{4096})), hex("02 000000 000004 01 00000000 00001000"));
    EXPECT_EQ(wire(to_message(WindowAckSize{2500000})), hex("02 000000 000004 05 00000000 002625A0"));
    EXPECT_EQ(wire(to_message(SetPeerBandwidth{2500000, BandwidthLimit::dynamic})),
              hex("02 000000 000005 06 00000000 002625A0 02"));
    EXPECT_EQ(wire(to_message(Acknowledgement{5000000})), hex("02 000000 000004 03 00000000 004C4B40"));
    EXPECT_EQ(wire(to_message(AbortMessage{6})), hex("02 000000 000004 02 00000000 00000006"));
}

TEST(Control, ReferenceUserControlExamples) {
    EXPECT_EQ(wire(to_message(UserControl::stream_begin(1))),
              hex("02 000000 000006 04 00000000 0000 00000001"));
    EXPECT_EQ(wire(to_message(UserControl::set_buffer_length(1, 3000))),
              hex("02 000000 00000A 04 00000000 0003 00000001 00000BB8"));
    EXPECT_EQ(to_message(UserControl::ping_request(0x11223344)).payload,
              base::Payload::copy_of(hex("0006 11223344")));
    EXPECT_EQ(to_message(UserControl::ping_response(7)).payload,
              base::Payload::copy_of(hex("0007 00000007")));
    EXPECT_EQ(to_message(UserControl::stream_eof(2)).payload, base::Payload::copy_of(hex("0001 00000002")));
    EXPECT_EQ(to_message(UserControl::stream_dry(2)).payload, base::Payload::copy_of(hex("0002 00000002")));
    EXPECT_EQ(to_message(UserControl::stream_is_recorded(3)).payload,
              base::Payload::copy_of(hex("0004 00000003")));
}

TEST(Control, DecodeBackEveryProtocolControl) {
    const auto scs = decode_one(hex("02 000000 000004 01 00000000 00001000"));
    auto c = decode_control(scs);
    ASSERT_TRUE(c);
    EXPECT_EQ(std::get<SetChunkSize>(*c).chunk_size, 4096u);
    const auto spb = decode_one(hex("02 000000 000005 06 00000000 002625A0 01"));
    auto b = decode_set_peer_bandwidth(spb);
    ASSERT_TRUE(b);
    EXPECT_EQ(*b, (SetPeerBandwidth{2500000, BandwidthLimit::soft}));
    auto ack = decode_acknowledgement(decode_one(hex("02 000000 000004 03 00000000 004C4B40")));
    ASSERT_TRUE(ack);
    EXPECT_EQ(ack->sequence_number, 5000000u);
    auto win = decode_window_ack_size(decode_one(hex("02 000000 000004 05 00000000 002625A0")));
    ASSERT_TRUE(win);
    EXPECT_EQ(win->window, 2500000u);
    auto ab = decode_abort(decode_one(hex("02 000000 000004 02 00000000 00010000")));
    ASSERT_TRUE(ab);
    EXPECT_EQ(ab->chunk_stream, 65536u);
    // Round trip through the variant.
    for (const ControlMessage& m :
         {ControlMessage{SetChunkSize{1}}, ControlMessage{AbortMessage{3}},
          ControlMessage{Acknowledgement{0xFFFFFFFF}}, ControlMessage{WindowAckSize{5}},
          ControlMessage{SetPeerBandwidth{9, BandwidthLimit::hard}},
          ControlMessage{UserControl::set_buffer_length(4, 100)}}) {
        auto back = decode_control(to_message(m));
        ASSERT_TRUE(back);
        if (std::holds_alternative<UserControl>(m)) {
            EXPECT_EQ(std::get<UserControl>(*back).buffer_length_ms, 100u);
            EXPECT_EQ(std::get<UserControl>(*back).stream_id, 4u);
        } else {
            EXPECT_EQ(*back, m);
        }
    }
}

TEST(Control, DecodeUserControlEvents) {
    auto u = decode_user_control(decode_one(hex("02 000000 00000A 04 00000000 0003 00000001 00000BB8")));
    ASSERT_TRUE(u);
    EXPECT_EQ(u->event, UserControlEvent::set_buffer_length);
    EXPECT_EQ(u->stream_id, 1u);
    EXPECT_EQ(u->buffer_length_ms, 3000u);
    const Message ping{MessageType::user_control, 0, 0, base::Payload::copy_of(hex("0006 0000BEEF"))};
    auto p = decode_user_control(ping);
    ASSERT_TRUE(p);
    EXPECT_EQ(p->timestamp, 0xBEEFu);
    const Message ready{MessageType::user_control, 0, 0, base::Payload::copy_of(hex("0020 00000001"))};
    auto r = decode_user_control(ready);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->event, UserControlEvent::buffer_ready);
    EXPECT_EQ(r->stream_id, 1u);
    // SWF verification request and unknown events are tolerated, raw.
    const Message swf{MessageType::user_control, 0, 0, base::Payload::copy_of(hex("001A 00 01"))};
    auto s = decode_user_control(swf);
    ASSERT_TRUE(s);
    EXPECT_EQ(s->event, UserControlEvent::swf_verify_request);
    EXPECT_EQ(s->data, base::Payload::copy_of(hex("00 01")));
    const Message unknown{MessageType::user_control, 0, 0, base::Payload::copy_of(hex("0063 DEAD"))};
    auto x = decode_user_control(unknown);
    ASSERT_TRUE(x);
    EXPECT_EQ(static_cast<unsigned>(x->event), 0x63u);
    EXPECT_EQ(x->data, base::Payload::copy_of(hex("DE AD")));
    EXPECT_EQ(to_message(*x).payload, unknown.payload);  // raw data is written back
    // Trailing bytes after a known event are ignored.
    const Message longer{MessageType::user_control, 0, 0, base::Payload::copy_of(hex("0000 00000005 FF"))};
    auto l = decode_user_control(longer);
    ASSERT_TRUE(l);
    EXPECT_EQ(l->stream_id, 5u);
}

TEST(Control, ShortPayloads) {
    auto m = [](MessageType t, const char* h) { return Message{t, 0, 0, base::Payload::copy_of(hex(h))}; };
    EXPECT_EQ(decode_set_chunk_size(m(MessageType::set_chunk_size, "00 00 10")).error(),
              Errc::control_payload_short);
    EXPECT_EQ(decode_abort(m(MessageType::abort, "")).error(), Errc::control_payload_short);
    EXPECT_EQ(decode_acknowledgement(m(MessageType::acknowledgement, "01")).error(),
              Errc::control_payload_short);
    EXPECT_EQ(decode_window_ack_size(m(MessageType::window_ack_size, "01 02")).error(),
              Errc::control_payload_short);
    EXPECT_EQ(decode_set_peer_bandwidth(m(MessageType::set_peer_bandwidth, "002625A0")).error(),
              Errc::control_payload_short);
    EXPECT_EQ(decode_user_control(m(MessageType::user_control, "00")).error(), Errc::control_payload_short);
    EXPECT_EQ(decode_user_control(m(MessageType::user_control, "0000 000000")).error(),
              Errc::control_payload_short);
    EXPECT_EQ(decode_user_control(m(MessageType::user_control, "0003 00000001 0000")).error(),
              Errc::control_payload_short);
    EXPECT_EQ(decode_user_control(m(MessageType::user_control, "0006")).error(), Errc::control_payload_short);
    EXPECT_EQ(decode_control(m(MessageType::audio, "00000000")).error(), Errc::control_payload_short);
    EXPECT_EQ(decode_control(m(MessageType::set_peer_bandwidth, "00")).error(), Errc::control_payload_short);
}

TEST(Control, BuildersUseStreamZeroAndTimestampZero) {
    const Message m = to_message(UserControl::stream_begin(7));
    EXPECT_EQ(m.type, MessageType::user_control);
    EXPECT_EQ(m.stream_id, 0u);
    EXPECT_EQ(m.timestamp, 0u);
    EXPECT_TRUE(is_control(MessageType::user_control));
    EXPECT_FALSE(is_control(MessageType::audio));
}

}  // namespace
}  // namespace sluice::rtmp
