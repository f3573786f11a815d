#pragma once
// rtmp::SharedObjectMessage: shared-object messages, types 19 (AMF0) and
// 16 (AMF3) (RTMP 1.0 §7.1.3; REFERENCE.md §6, cross-checked with Red5).
//
// Wire layout (all integers big-endian; "str" = U16 length + UTF-8, no
// AMF marker):
//
//   [00]            type 16 only: format byte, must be 00
//   str  name       shared object name
//   U32  version    server's current version / the version the client holds
//   U32  flags      Red5: 2 = persistent; [SOREV] saw 16, 32, 48 (kept verbatim)
//   U32  reserved   always 0 in practice (kept verbatim)
//   { U8 type | U32 length | data[length] }*   events until the payload ends
//
//   type  event            data
//    1    Use              none
//    2    Release          none
//    3    RequestChange    str name, AMF value
//    4    Change           (str name, AMF value)* filling the length
//    5    Success          str name
//    6    SendMessage      AMF0 String handler (02 len ...), AMF values*
//    7    Status           str code, str level
//    8    Clear            none
//    9    Remove           str name
//   10    RequestRemove    str name
//   11    UseSuccess       none
//
// "AMF value" is an AMF0 value; it may be `11` + one AMF3 value (Red5
// switches on 11). encode() writes scalars in AMF0 and, for Encoding::amf3,
// complex values behind 11 (the same rule as commands, command.hpp).
// Each value is read with fresh AMF reference tables (values are
// self-contained; no peer is known to reference across values).
//
// Contract: decode_shared_object() never throws and never reads past the
// payload or an event's declared length. Errors:
//   shared_object_malformed       wrong message type, leading byte not 00
//   shared_object_truncated       header or event shorter than declared
//                                 (a length that lies is an error)
//   shared_object_event_invalid   event data does not parse as its type
//                                 requires, or has bytes left over
//   shared_object_event_unknown   event type outside 1..11 when
//                                 keep_unknown_events is false
//   shared_object_too_many_events more than max_events events
// Unknown event types (0, 12..255; [SOREV] saw 12–14) are, by default, kept
// with their raw bytes and re-encoded unchanged (Red5 instead skips the rest
// of the message; keeping them lets a relay pass them on).
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "amf/limits.hpp"
#include "amf/value.hpp"
#include "base/result.hpp"
#include "rtmp/command.hpp"

namespace sluice::rtmp {

enum class SharedObjectEventType : std::uint8_t {
    use = 1,
    release = 2,
    request_change = 3,
    change = 4,
    success = 5,
    send_message = 6,
    status = 7,
    clear = 8,
    remove = 9,
    request_remove = 10,
    use_success = 11,
};

/// One event. Which fields are used depends on `type` (see the table above);
/// the others stay empty.
struct SharedObjectEvent {
    std::uint8_t type = 0;              ///< raw type byte (SharedObjectEventType or unknown)
    std::string name;                   ///< 3, 5, 9, 10: slot name; 6: handler name
    amf::Value value;                   ///< 3: the requested value
    std::vector<amf::Property> slots;   ///< 4: changed slots, in order
    std::vector<amf::Value> arguments;  ///< 6: message arguments
    std::string code;                   ///< 7: e.g. "SharedObject.NoWriteAccess"
    std::string level;                  ///< 7: "error", "warning", "status"
    std::vector<std::uint8_t> raw;      ///< unknown types: the data bytes

    bool is(SharedObjectEventType t) const noexcept { return type == static_cast<std::uint8_t>(t); }

    static SharedObjectEvent simple(SharedObjectEventType t);  ///< Use, Release, Clear, UseSuccess
    static SharedObjectEvent request_change(std::string name, amf::Value value);
    static SharedObjectEvent change(std::vector<amf::Property> slots);
    static SharedObjectEvent success(std::string name);
    static SharedObjectEvent send_message(std::string handler, std::vector<amf::Value> arguments);
    static SharedObjectEvent status(std::string code, std::string level);
    static SharedObjectEvent remove(std::string name);
    static SharedObjectEvent request_remove(std::string name);

    friend bool operator==(const SharedObjectEvent&, const SharedObjectEvent&) = default;
};

struct SharedObjectMessage {
    static constexpr std::uint32_t persistent_flag = 2;  ///< Red5's meaning of flags == 2

    std::string name;
    std::uint32_t version = 0;
    std::uint32_t flags = 0;
    std::uint32_t reserved = 0;
    std::vector<SharedObjectEvent> events;

    bool persistent() const noexcept { return (flags & persistent_flag) != 0; }
    friend bool operator==(const SharedObjectMessage&, const SharedObjectMessage&) = default;
};

struct SharedObjectOptions {
    amf::Limits amf{};
    /// Events per message. A 5-byte empty event makes a huge count cheap
    /// for a peer; each costs a SharedObjectEvent (~200 bytes) here.
    std::size_t max_events = 1024;
    /// Keep unknown event types raw (true) or reject the message (false).
    bool keep_unknown_events = true;
};

constexpr bool is_shared_object(MessageType t) noexcept {
    return t == MessageType::shared_object_amf0 || t == MessageType::shared_object_amf3;
}

base::Result<SharedObjectMessage> decode_shared_object(const Message& message,
                                                       const SharedObjectOptions& options = {});
/// Encodes as type 19 (amf0) or 16 (amf3, leading 00). Names and strings
/// longer than 65535 bytes are truncated to 65535 (the U16 length field);
/// callers should not build such names.
Message encode_shared_object(const SharedObjectMessage& so, Encoding encoding, MessageStreamId stream_id = 0,
                             base::Timestamp timestamp = 0);
/// Stable text form for logs and transcripts.
std::string debug_string(const SharedObjectMessage& so);

}  // namespace sluice::rtmp
