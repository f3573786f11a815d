#pragma once
// Aggregate messages (type 22; RTMP 1.0 §7.1.6; REFERENCE.md §1.7): split one
// into its sub-messages, and build one.
//
// Body layout: repeated
//   [sub-message header 11 bytes, FLV tag layout (flv::TagHeader)]
//       type U8 | data size U24 | timestamp low U24 | timestamp high U8 | stream id U24
//   [data, `data size` bytes]
//   [back pointer U32 = 11 + data size of the sub-message it follows]
//
// Rules applied by split_aggregate():
//  - Timestamps: offset = aggregate timestamp - first sub-message timestamp
//    (mod 2^32); every sub-message gets its own timestamp + offset (serial
//    arithmetic, base/timestamp.hpp). Normally the offset is 0.
//  - The aggregate's message stream id overrides the sub-headers' (which
//    are 0 in practice).
//  - Every size must stay inside the body; every back pointer must equal
//    11 + data size; no trailing bytes. Else Errc::aggregate_malformed, with
//    the failing sub-message in AggregateDiagnostic.
//  - More than `max_messages` sub-messages: Errc::aggregate_too_many_messages.
//  - An empty body yields no sub-messages (not an error).
//  - Sub-message payloads are slices of the aggregate's payload (no copy).
//  - The sub-header type is taken as-is (the FLV filter bit is ignored);
//    sub-messages of any type are delivered, the caller decides.
// Both errors are recoverable (not fatal): drop the aggregate, keep the
// connection.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "base/result.hpp"
#include "rtmp/limits.hpp"
#include "rtmp/message.hpp"

namespace sluice::rtmp {

/// Where split_aggregate() found a problem (for logs).
struct AggregateDiagnostic {
    std::size_t sub_message_index = 0;  ///< 0-based index of the failing sub-message
    std::size_t byte_offset = 0;        ///< offset in the aggregate body where it starts
    const char* reason = "";            ///< static text: which check failed
};

base::Result<std::vector<Message>> split_aggregate(const Message& aggregate,
                                                   std::size_t max_messages = Limits{}.max_aggregate_messages,
                                                   AggregateDiagnostic* diagnostic = nullptr);

/// Builds an aggregate message from `messages` (copying their payloads into
/// one new body): timestamp = the first sub-message's timestamp, message
/// stream id = `stream_id`; sub-headers carry each message's type and
/// timestamp and stream id 0. Errors: Errc::aggregate_malformed when a
/// payload exceeds 0xFFFFFF bytes (the U24 size field).
base::Result<Message> build_aggregate(std::span<const Message> messages, MessageStreamId stream_id);

}  // namespace sluice::rtmp
