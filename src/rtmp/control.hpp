#pragma once
// Protocol control messages (types 1, 2, 3, 5, 6; RTMP 1.0 §5.4) and user
// control messages (type 4; §6.2, §7.1.7), typed, with decode and build
// (REFERENCE.md §1.4, §1.5).
//
// Payload layouts (all big-endian):
//   1 Set Chunk Size        U32 chunk size (top bit must be 0)
//   2 Abort Message         U32 chunk stream id
//   3 Acknowledgement       U32 sequence number (bytes received so far, wraps)
//   5 Window Ack Size       U32 window
//   6 Set Peer Bandwidth    U32 window | U8 limit type (0 hard, 1 soft, 2 dynamic)
//   4 User Control          U16 event type | event data:
//        0 StreamBegin, 1 StreamEOF, 2 StreamDry, 4 StreamIsRecorded,
//        31 BufferEmpty, 32 BufferReady          U32 stream id
//        3 SetBufferLength                        U32 stream id | U32 buffer ms
//        6 PingRequest, 7 PingResponse            U32 timestamp
//        26 SWFVerify request, 27 SWFVerify response, anything else: raw bytes
//
// Contract:
//  - decode_*() read only the bytes their type needs; extra trailing bytes
//    are ignored (FFmpeg and librtmp do the same). A payload shorter than
//    required is Errc::control_payload_short. Values are not judged here
//    (a chunk size of 0 decodes fine; ChunkDecoder::set_chunk_size rejects
//    it), so the caller decides what a bad value means.
//  - Unknown user control events are tolerated: decoded with their raw data.
//  - to_message() builds a Message with timestamp 0 on message stream 0, as
//    §5.4 and §6.2 require; send it on chunk stream csid::protocol_control
//    (2), which is the caller's job (ChunkEncoder takes the id).
//  - Never throws on peer input; decoding allocates nothing (raw user
//    control data is a slice of the message payload).
#include <cstdint>
#include <system_error>
#include <variant>

#include "base/payload.hpp"
#include "base/result.hpp"
#include "rtmp/message.hpp"

namespace sluice::rtmp {

struct SetChunkSize {
    std::uint32_t chunk_size = 0;
    friend bool operator==(const SetChunkSize&, const SetChunkSize&) = default;
};

struct AbortMessage {
    ChunkStreamId chunk_stream = 0;
    friend bool operator==(const AbortMessage&, const AbortMessage&) = default;
};

struct Acknowledgement {
    std::uint32_t sequence_number = 0;
    friend bool operator==(const Acknowledgement&, const Acknowledgement&) = default;
};

struct WindowAckSize {
    std::uint32_t window = 0;
    friend bool operator==(const WindowAckSize&, const WindowAckSize&) = default;
};

/// Set Peer Bandwidth limit type (§5.4.5). Other byte values decode as-is
/// (the enum holds any U8); the Connection decides what to do with them.
enum class BandwidthLimit : std::uint8_t {
    hard = 0,     ///< limit output bandwidth to the window
    soft = 1,     ///< the smaller of this window and the one in effect
    dynamic = 2,  ///< hard if the previous limit was hard, else ignore
};

struct SetPeerBandwidth {
    std::uint32_t window = 0;
    BandwidthLimit limit = BandwidthLimit::hard;
    friend bool operator==(const SetPeerBandwidth&, const SetPeerBandwidth&) = default;
};

/// User control event types (REFERENCE.md §1.5). 26/27/31/32 are de facto.
enum class UserControlEvent : std::uint16_t {
    stream_begin = 0,
    stream_eof = 1,
    stream_dry = 2,
    set_buffer_length = 3,
    stream_is_recorded = 4,
    ping_request = 6,
    ping_response = 7,
    swf_verify_request = 26,
    swf_verify_response = 27,
    buffer_empty = 31,
    buffer_ready = 32,
};

/// One user control event. Which fields mean something depends on `event`:
/// stream events use `stream_id`; set_buffer_length uses `stream_id` and
/// `buffer_length_ms`; pings use `timestamp`; every decoded event also keeps
/// its raw event data (the bytes after the event type) in `data`, which is
/// all there is for SWF verification and unknown events. When building,
/// `data` is written only for events without typed fields.
struct UserControl {
    UserControlEvent event = UserControlEvent::stream_begin;
    MessageStreamId stream_id = 0;
    std::uint32_t buffer_length_ms = 0;
    std::uint32_t timestamp = 0;
    base::Payload data;

    static UserControl stream_begin(MessageStreamId id) {
        return {UserControlEvent::stream_begin, id, 0, 0, {}};
    }
    static UserControl stream_eof(MessageStreamId id) { return {UserControlEvent::stream_eof, id, 0, 0, {}}; }
    static UserControl stream_dry(MessageStreamId id) { return {UserControlEvent::stream_dry, id, 0, 0, {}}; }
    static UserControl set_buffer_length(MessageStreamId id, std::uint32_t ms) {
        return {UserControlEvent::set_buffer_length, id, ms, 0, {}};
    }
    static UserControl stream_is_recorded(MessageStreamId id) {
        return {UserControlEvent::stream_is_recorded, id, 0, 0, {}};
    }
    static UserControl ping_request(std::uint32_t ts) {
        return {UserControlEvent::ping_request, 0, 0, ts, {}};
    }
    static UserControl ping_response(std::uint32_t ts) {
        return {UserControlEvent::ping_response, 0, 0, ts, {}};
    }

    friend bool operator==(const UserControl&, const UserControl&) = default;
};

/// How many event-data bytes a known event needs (0 = raw, no minimum).
std::size_t user_control_data_size(UserControlEvent event) noexcept;

base::Result<SetChunkSize> decode_set_chunk_size(const Message& m) noexcept;
base::Result<AbortMessage> decode_abort(const Message& m) noexcept;
base::Result<Acknowledgement> decode_acknowledgement(const Message& m) noexcept;
base::Result<WindowAckSize> decode_window_ack_size(const Message& m) noexcept;
base::Result<SetPeerBandwidth> decode_set_peer_bandwidth(const Message& m) noexcept;
base::Result<UserControl> decode_user_control(const Message& m) noexcept;

/// Any control message, by type.
using ControlMessage =
    std::variant<SetChunkSize, AbortMessage, Acknowledgement, WindowAckSize, SetPeerBandwidth, UserControl>;

/// True for types 1..6 (the protocol control types and user control).
constexpr bool is_control(MessageType t) noexcept {
    return is_protocol_control(t) || t == MessageType::user_control;
}

/// Decodes a message of type 1..6 by its type. Precondition: is_control(m.type)
/// (other types return Errc::control_payload_short, never throw).
base::Result<ControlMessage> decode_control(const Message& m) noexcept;

/// Builders: timestamp 0, message stream 0; send on csid::protocol_control.
Message to_message(const SetChunkSize& c);
Message to_message(const AbortMessage& c);
Message to_message(const Acknowledgement& c);
Message to_message(const WindowAckSize& c);
Message to_message(const SetPeerBandwidth& c);
Message to_message(const UserControl& c);
Message to_message(const ControlMessage& c);

}  // namespace sluice::rtmp
