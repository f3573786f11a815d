#pragma once
// rtmp::Command: the generic command message (RTMP 1.0 §7.1.1, §7.2;
// REFERENCE.md §3.5, §4) and its AMF0 (type 20) / AMF3 (type 17) framing.
//
// Wire layout of the payload:
//
//   type 20:  name(String) | transaction id(Number) | command object | argument*
//   type 17:  00 | the same values in AMF0, where any value may be an AVM+
//             switch `11` followed by exactly one AMF3 value (non-sticky)
//
// Typed commands (net_connection_commands.hpp, net_stream_commands.hpp,
// responses.hpp) convert from and to this generic form; a server first
// decodes the generic Command, dispatches on `name`, then decodes the typed
// struct it expects.
//
// Contract:
//  - decode_command() never throws on peer input and never reads past the
//    payload; AMF bounds come from CommandOptions::amf. Errors:
//      command_malformed    empty payload, a type-17 payload whose leading
//                           byte is not 00, a first value that is not a
//                           String, a missing or non-Number transaction id,
//                           or a message type that is not 17 or 20
//      an amf::Errc         the AMF itself is bad, passed on as the reader
//                           said it (truncated, depth_exceeded, ...), so
//                           that a log line names the problem
//  - A missing command object decodes as Null (some encoders stop after the
//    transaction id; FFmpeg accepts the same).
//  - encode_command() never fails. For Encoding::amf3 it writes type 17
//    with the leading 00, the name and the transaction id in AMF0, values
//    with an exact AMF0 form that AMF3 would change (null, undefined,
//    Boolean, Number, String, Date, XMLDocument, ECMA array) in AMF0, and
//    objects, strict arrays, AMF3 integers and the AMF3-only types behind
//    `11` in AMF3, with one set of AMF3 reference tables per message (as
//    Reader0 keeps them). An ECMA array nested inside an object therefore
//    comes back from an AMF3 trip as a mixed array with the same properties.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "amf/limits.hpp"
#include "amf/value.hpp"
#include "base/result.hpp"
#include "base/timestamp.hpp"
#include "rtmp/message.hpp"

namespace sluice::rtmp {

/// Which message family a command or data message travels in.
enum class Encoding : std::uint8_t {
    amf0,  ///< types 20 (command), 18 (data), 19 (shared object)
    amf3,  ///< types 17, 15, 16: leading 00 byte, AMF3 values behind `11`
};

/// Decoding options for commands and data messages.
struct CommandOptions {
    amf::Limits amf{};
    /// Leniency (REFERENCE.md §3.5): legacy encoders put `11` right after the
    /// leading 00 of a type-17/15 payload and then write the whole message
    /// in AMF3 (Red5 tolerates it; which Flash versions did so is unverified).
    /// When true, `00 11 …` is read as one AMF3 value sequence. Risk: none
    /// known; a conforming payload never has `11` there (its first value is
    /// the AMF0 String name).
    bool amf3_whole_message_after_switch = true;
};

/// Wire names used by more than one file, defined once (STYLE.md §3.3).
namespace command_name {
inline constexpr std::string_view connect = "connect";
inline constexpr std::string_view call = "call";
inline constexpr std::string_view close = "close";
inline constexpr std::string_view create_stream = "createStream";
inline constexpr std::string_view play = "play";
inline constexpr std::string_view play2 = "play2";
inline constexpr std::string_view delete_stream = "deleteStream";
inline constexpr std::string_view close_stream = "closeStream";
inline constexpr std::string_view receive_audio = "receiveAudio";
inline constexpr std::string_view receive_video = "receiveVideo";
inline constexpr std::string_view publish = "publish";
inline constexpr std::string_view seek = "seek";
inline constexpr std::string_view pause = "pause";
inline constexpr std::string_view result = "_result";
inline constexpr std::string_view error = "_error";
inline constexpr std::string_view on_status = "onStatus";
inline constexpr std::string_view release_stream = "releaseStream";
inline constexpr std::string_view fc_publish = "FCPublish";
inline constexpr std::string_view fc_unpublish = "FCUnpublish";
inline constexpr std::string_view fc_subscribe = "FCSubscribe";
inline constexpr std::string_view on_fc_publish = "onFCPublish";
inline constexpr std::string_view on_fc_unpublish = "onFCUnpublish";
inline constexpr std::string_view on_fc_subscribe = "onFCSubscribe";
inline constexpr std::string_view get_stream_length = "getStreamLength";
inline constexpr std::string_view on_bw_done = "onBWDone";
inline constexpr std::string_view check_bw = "_checkbw";
}  // namespace command_name

/// One command message, decoded.
struct Command {
    std::string name;
    /// Kept as the Number sent: 0 = no reply expected; clients count up from 1.
    double transaction_id = 0;
    amf::Value command_object = amf::Null{};
    std::vector<amf::Value> arguments;

    friend bool operator==(const Command&, const Command&) = default;
};

/// True for message types 17 and 20.
constexpr bool is_command(MessageType t) noexcept {
    return t == MessageType::command_amf0 || t == MessageType::command_amf3;
}

/// Decodes a type-20 or type-17 message (see the contract above).
base::Result<Command> decode_command(const Message& message, const CommandOptions& options = {});

/// Encodes `command` as a type-20 (amf0) or type-17 (amf3) message.
Message encode_command(const Command& command, Encoding encoding, MessageStreamId stream_id,
                       base::Timestamp timestamp = 0);

/// Stable one-line text form for logs and golden transcripts:
///   `connect txn=1 obj={app: "live"} args=[]` (values via amf::debug_string).
std::string debug_string(const Command& command);

}  // namespace sluice::rtmp
