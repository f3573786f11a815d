#include "rtmp/control.hpp"

#include "base/byte_reader.hpp"
#include "base/byte_writer.hpp"
#include "rtmp/errors.hpp"

namespace sluice::rtmp {

namespace {

// Reads the single U32 most control messages carry.
base::Result<std::uint32_t> read_u32(const Message& m) noexcept {
    base::ByteReader in(m.payload.bytes());
    const std::uint32_t v = in.u32be();
    if (in.failed()) return Errc::control_payload_short;
    return v;
}

Message control_message(MessageType type, base::ByteWriter& w) {
    return Message{type, 0, 0, base::Payload::from(w.take())};
}

Message u32_message(MessageType type, std::uint32_t v) {
    base::ByteWriter w(4);
    w.u32be(v);
    return Message{type, 0, 0, base::Payload::from(w.take())};
}

}  // namespace

std::size_t user_control_data_size(UserControlEvent event) noexcept {
    switch (event) {
        case UserControlEvent::stream_begin:
        case UserControlEvent::stream_eof:
        case UserControlEvent::stream_dry:
        case UserControlEvent::stream_is_recorded:
        case UserControlEvent::ping_request:
        case UserControlEvent::ping_response:
        case UserControlEvent::buffer_empty:
        case UserControlEvent::buffer_ready:
            return 4;
        case UserControlEvent::set_buffer_length:
            return 8;
        default:
            return 0;
    }
}

base::Result<SetChunkSize> decode_set_chunk_size(const Message& m) noexcept {
    auto v = read_u32(m);
    if (!v) return v.error();
    return SetChunkSize{*v};
}

base::Result<AbortMessage> decode_abort(const Message& m) noexcept {
    auto v = read_u32(m);
    if (!v) return v.error();
    return AbortMessage{*v};
}

base::Result<Acknowledgement> decode_acknowledgement(const Message& m) noexcept {
    auto v = read_u32(m);
    if (!v) return v.error();
    return Acknowledgement{*v};
}

base::Result<WindowAckSize> decode_window_ack_size(const Message& m) noexcept {
    auto v = read_u32(m);
    if (!v) return v.error();
    return WindowAckSize{*v};
}

base::Result<SetPeerBandwidth> decode_set_peer_bandwidth(const Message& m) noexcept {
    base::ByteReader in(m.payload.bytes());
    SetPeerBandwidth b;
    b.window = in.u32be();
    b.limit = static_cast<BandwidthLimit>(in.u8());
    if (in.failed()) return Errc::control_payload_short;
    return b;
}

base::Result<UserControl> decode_user_control(const Message& m) noexcept {
    base::ByteReader in(m.payload.bytes());
    UserControl u;
    u.event = static_cast<UserControlEvent>(in.u16be());
    if (in.failed()) return Errc::control_payload_short;
    u.data = m.payload.slice(2);
    switch (u.event) {
        case UserControlEvent::ping_request:
        case UserControlEvent::ping_response:
            u.timestamp = in.u32be();
            break;
        case UserControlEvent::set_buffer_length:
            u.stream_id = in.u32be();
            u.buffer_length_ms = in.u32be();
            break;
        default:
            // Stream events carry a stream id; raw events (SWF verification,
            // unknown types) have no minimum and keep `data` only.
            if (user_control_data_size(u.event) == 4) u.stream_id = in.u32be();
            break;
    }
    if (in.failed()) return Errc::control_payload_short;
    return u;
}

base::Result<ControlMessage> decode_control(const Message& m) noexcept {
    switch (m.type) {
        case MessageType::set_chunk_size: {
            auto r = decode_set_chunk_size(m);
            if (!r) return r.error();
            return ControlMessage{*r};
        }
        case MessageType::abort: {
            auto r = decode_abort(m);
            if (!r) return r.error();
            return ControlMessage{*r};
        }
        case MessageType::acknowledgement: {
            auto r = decode_acknowledgement(m);
            if (!r) return r.error();
            return ControlMessage{*r};
        }
        case MessageType::window_ack_size: {
            auto r = decode_window_ack_size(m);
            if (!r) return r.error();
            return ControlMessage{*r};
        }
        case MessageType::set_peer_bandwidth: {
            auto r = decode_set_peer_bandwidth(m);
            if (!r) return r.error();
            return ControlMessage{*r};
        }
        case MessageType::user_control: {
            auto r = decode_user_control(m);
            if (!r) return r.error();
            return ControlMessage{std::move(*r)};
        }
        default:
            return Errc::control_payload_short;
    }
}

Message to_message(const SetChunkSize& c) {
    return u32_message(MessageType::set_chunk_size, c.chunk_size);
}
Message to_message(const AbortMessage& c) {
    return u32_message(MessageType::abort, c.chunk_stream);
}
Message to_message(const Acknowledgement& c) {
    return u32_message(MessageType::acknowledgement, c.sequence_number);
}
Message to_message(const WindowAckSize& c) {
    return u32_message(MessageType::window_ack_size, c.window);
}

Message to_message(const SetPeerBandwidth& c) {
    base::ByteWriter w(5);
    w.u32be(c.window);
    w.u8(static_cast<std::uint8_t>(c.limit));
    return control_message(MessageType::set_peer_bandwidth, w);
}

Message to_message(const UserControl& c) {
    base::ByteWriter w(10);
    w.u16be(static_cast<std::uint16_t>(c.event));
    switch (c.event) {
        case UserControlEvent::ping_request:
        case UserControlEvent::ping_response:
            w.u32be(c.timestamp);
            break;
        case UserControlEvent::set_buffer_length:
            w.u32be(c.stream_id);
            w.u32be(c.buffer_length_ms);
            break;
        default:
            if (user_control_data_size(c.event) == 4) {
                w.u32be(c.stream_id);
            } else {
                w.bytes(c.data.bytes());
            }
            break;
    }
    return control_message(MessageType::user_control, w);
}

Message to_message(const ControlMessage& c) {
    return std::visit([](const auto& v) { return to_message(v); }, c);
}

}  // namespace sluice::rtmp
