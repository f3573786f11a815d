#pragma once
// rtmp::Event: what rtmp::Connection surfaces to the layer above (the server
// session or the client), one variant alternative per kind of happening.
//
// Protocol control is applied by the Connection itself before the matching
// event is queued, so the events are reports, not requests: a handler never
// has to answer a ping or apply a chunk size.
#include <cstdint>
#include <string>
#include <system_error>
#include <variant>

#include "rtmp/control.hpp"
#include "rtmp/message.hpp"

namespace sluice::rtmp {

/// A message for the layer above, with the chunk stream it arrived on.
struct MessageEvent {
    Message message;
    ChunkStreamId chunk_stream = 0;
};

/// Command message, type 20 (AMF0) or 17 (AMF3). Decode with rtmp::Command.
struct CommandReceived : MessageEvent {};
/// Data message, type 18 (AMF0) or 15 (AMF3): metadata, @setDataFrame, ...
struct DataReceived : MessageEvent {};
/// Audio message, type 8.
struct AudioReceived : MessageEvent {};
/// Video message, type 9.
struct VideoReceived : MessageEvent {};
/// Shared object message, type 19 (AMF0) or 16 (AMF3).
struct SharedObjectReceived : MessageEvent {};
/// Aggregate message, type 22, delivered whole (ConnectionOptions::split_aggregates
/// = false); when splitting, its sub-messages arrive as Audio/Video/DataReceived.
struct AggregateReceived : MessageEvent {};
/// A message of a type the spec does not define (7, 10..14, 21, 23+).
/// Delivered, not dropped (STYLE.md §2 item 9); the caller logs it.
struct UnknownMessageReceived : MessageEvent {};

/// A user control event from the peer (type 4). PingRequest has already
/// been answered with PingResponse when this event is seen.
struct UserControlReceived {
    UserControl control;
};

/// The peer acknowledged `sequence_number` bytes (type 3).
struct PeerAcknowledged {
    std::uint32_t sequence_number = 0;
};

/// A protocol control message the Connection applied: Set Chunk Size (the
/// decoder now uses it), Abort (the partial message is gone), Window
/// Acknowledgement Size (we now acknowledge at that window), Set Peer
/// Bandwidth (limit recorded; Window Ack Size answered when it changed).
struct ControlApplied {
    ControlMessage control;
};

/// A message the Connection refused without closing (a non-fatal error,
/// e.g. a malformed aggregate). The connection goes on.
struct MessageRejected {
    std::error_code error;
    std::string detail;
    Message message;
};

/// The peer broke the protocol; the Connection is now failed and reads no
/// more. `byte_offset` counts bytes received since the handshake ended.
struct ProtocolViolation {
    std::error_code error;
    std::string detail;
    std::uint64_t byte_offset = 0;
};

using Event = std::variant<CommandReceived, DataReceived, AudioReceived, VideoReceived, SharedObjectReceived,
                           AggregateReceived, UnknownMessageReceived, UserControlReceived, PeerAcknowledged,
                           ControlApplied, MessageRejected, ProtocolViolation>;

}  // namespace sluice::rtmp
