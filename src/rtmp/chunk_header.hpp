#pragma once
// Pure encode/decode of RTMP chunk headers (RTMP 1.0 §5.3.1; REFERENCE.md
// §1.3), with no per-chunk-stream state: ChunkDecoder and ChunkEncoder keep
// the state and call these (nghttp2_frame.c style).
//
//   chunk = [basic header 1-3][message header 0/3/7/11][extended ts 0/4][data <= chunk size]
//
// Basic header (fmt = top 2 bits of byte 0):
//   1 byte   |fmt| csid 2..63 |                        ids 2..63
//   2 bytes  |fmt|    0       | csid-64 |              ids 64..319
//   3 bytes  |fmt|    1       | (csid-64) & FF | (csid-64) >> 8 |   ids 64..65599
//
// Message header by fmt:
//   fmt 0 (11)  timestamp U24 | length U24 | type U8 | stream id U32 LITTLE-endian
//   fmt 1 (7)   timestamp delta U24 | length U24 | type U8
//   fmt 2 (3)   timestamp delta U24
//   fmt 3 (0)   -
// A 24-bit timestamp field of 0xFFFFFF means a U32 extended timestamp follows.
//
// Contract: functions here never read or write outside the spans given and
// never allocate. Encoders always pick the shortest basic-header form.
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "base/byte_reader.hpp"
#include "rtmp/message.hpp"

namespace sluice::rtmp {

inline constexpr ChunkStreamId min_chunk_stream_id = 2;
inline constexpr ChunkStreamId max_chunk_stream_id = 65599;
/// The 24-bit timestamp value that announces an extended timestamp.
inline constexpr std::uint32_t extended_timestamp_marker = 0xFFFFFF;
/// Basic (3) + fmt 0 message header (11) + extended timestamp (4).
inline constexpr std::size_t max_chunk_header_size = 18;
/// Chunk size both directions start with (§5.4.1).
inline constexpr std::uint32_t default_chunk_size = 128;

/// Chunk header formats (the 2-bit `fmt` field).
enum class ChunkFormat : std::uint8_t {
    full = 0,         ///< type 0: absolute timestamp, length, type, stream id
    same_stream = 1,  ///< type 1: delta, length, type
    delta_only = 2,   ///< type 2: delta
    none = 3,         ///< type 3: everything repeats (also: continuation chunk)
};

struct BasicHeader {
    ChunkFormat format = ChunkFormat::full;
    ChunkStreamId chunk_stream = 0;
};

/// Fields of a message header as they appear on the wire (before state is
/// applied). `timestamp_field` is the 24-bit value (absolute for fmt 0,
/// delta for fmt 1/2); 0xFFFFFF means an extended timestamp follows.
struct MessageHeaderFields {
    std::uint32_t timestamp_field = 0;
    std::uint32_t length = 0;
    std::uint8_t type = 0;
    MessageStreamId stream_id = 0;
};

/// Size in bytes of the basic header whose first byte is `first` (1, 2 or 3).
constexpr std::size_t basic_header_size_from_first_byte(std::uint8_t first) noexcept {
    const unsigned low = first & 0x3Fu;
    return low == 0 ? 2 : (low == 1 ? 3 : 1);
}

/// Size of the shortest basic header for `id` (1, 2 or 3). `id` must be valid.
constexpr std::size_t basic_header_size(ChunkStreamId id) noexcept {
    return id <= 63 ? 1 : (id <= 319 ? 2 : 3);
}

/// Message header size for a format: 11, 7, 3 or 0.
constexpr std::size_t message_header_size(ChunkFormat f) noexcept {
    constexpr std::size_t sizes[4] = {11, 7, 3, 0};
    return sizes[static_cast<unsigned>(f) & 3u];
}

constexpr bool is_valid_chunk_stream_id(ChunkStreamId id) noexcept {
    return id >= min_chunk_stream_id && id <= max_chunk_stream_id;
}

/// Decodes a basic header from exactly basic_header_size_from_first_byte(b[0])
/// bytes. Precondition: `bytes.size()` is at least that many.
BasicHeader decode_basic_header(base::Bytes bytes) noexcept;

/// Decodes the message header of format `f` from exactly
/// message_header_size(f) bytes (precondition). Fields the format does not
/// carry are left zero.
MessageHeaderFields decode_message_header(ChunkFormat f, base::Bytes bytes) noexcept;

/// A chunk header ready to send: at most 18 bytes, built on the stack.
struct EncodedChunkHeader {
    std::array<std::uint8_t, max_chunk_header_size> bytes{};
    std::size_t size = 0;
    base::Bytes view() const noexcept { return {bytes.data(), size}; }
};

/// Writes basic header + message header of format `f` (+ the extended
/// timestamp when `fields.timestamp_field` needs it, i.e. >= 0xFFFFFF: the
/// 24-bit field then holds 0xFFFFFF and the full value follows as U32).
/// Precondition: `id` is valid (2..65599).
EncodedChunkHeader encode_chunk_header(ChunkFormat f, ChunkStreamId id,
                                       const MessageHeaderFields& fields) noexcept;

/// Writes a continuation (fmt 3) header: basic header, plus the U32
/// `extended_timestamp` when `with_extended` (the message's header used one).
EncodedChunkHeader encode_continuation_header(ChunkStreamId id, bool with_extended,
                                              std::uint32_t extended_timestamp) noexcept;

}  // namespace sluice::rtmp
