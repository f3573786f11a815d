#pragma once
// rtmp::Message: one RTMP message as the chunk layer delivers it
// (RTMP 1.0 §5.3, §6.1; REFERENCE.md §1.6).
//
// Contract:
//  - The payload is an immutable, shared base::Payload: copying a Message
//    never copies media bytes, so one published message can be written to
//    any number of players (ARCHITECTURE.md, zero-copy media path).
//  - `type` holds any byte the peer sent; MessageType names the ones the
//    spec defines. Unknown types are delivered, not dropped.
#include <cstdint>

#include "base/payload.hpp"
#include "base/timestamp.hpp"

namespace sluice::rtmp {

using ChunkStreamId = std::uint32_t;    ///< 2..65599 on the wire
using MessageStreamId = std::uint32_t;  ///< 0 = NetConnection

enum class MessageType : std::uint8_t {
    set_chunk_size = 1,
    abort = 2,
    acknowledgement = 3,
    user_control = 4,
    window_ack_size = 5,
    set_peer_bandwidth = 6,
    audio = 8,
    video = 9,
    data_amf3 = 15,
    shared_object_amf3 = 16,
    command_amf3 = 17,
    data_amf0 = 18,
    shared_object_amf0 = 19,
    command_amf0 = 20,
    aggregate = 22,
};

/// True for the protocol control messages (types 1, 2, 3, 5, 6) that
/// travel on chunk stream 2, message stream 0 (§5.4).
constexpr bool is_protocol_control(MessageType t) noexcept {
    switch (t) {
        case MessageType::set_chunk_size:
        case MessageType::abort:
        case MessageType::acknowledgement:
        case MessageType::window_ack_size:
        case MessageType::set_peer_bandwidth:
            return true;
        default:
            return false;
    }
}

struct Message {
    MessageType type{};
    base::Timestamp timestamp = 0;
    MessageStreamId stream_id = 0;
    base::Payload payload;

    friend bool operator==(const Message&, const Message&) = default;
};

/// Conventional chunk stream ids (REFERENCE.md §1.6; FFmpeg's habits).
namespace csid {
inline constexpr ChunkStreamId protocol_control = 2;  ///< reserved by the spec
inline constexpr ChunkStreamId net_connection = 3;
inline constexpr ChunkStreamId audio = 4;
inline constexpr ChunkStreamId video = 6;
inline constexpr ChunkStreamId net_stream = 8;
}  // namespace csid

}  // namespace sluice::rtmp
