#pragma once
// rtmp::ChunkDecoder: bytes from the peer -> complete rtmp::Messages
// (RTMP 1.0 §5.3; REFERENCE.md §1.3; STYLE.md §3.2).
//
// Usage (the shape rtmp::Connection drives):
//
//   ChunkDecoder dec(limits, leniency);
//   while (!input.empty()) {
//       DecodeResult r = dec.decode(input);
//       input = input.subspan(r.consumed);
//       if (r.error) { close(r.error, dec.error_offset()); break; }
//       if (r.message) handle(*r.message);   // may call dec.set_chunk_size()/abort()
//   }
//
// Contract:
//  - decode() completes AT MOST ONE message per call and stops right after
//    it, so a Set Chunk Size or Abort message can be applied (by the caller,
//    through set_chunk_size()/abort()) before the next chunk is parsed.
//    "Need more input" is consumed == input.size() with no message and no
//    error: not an error. A call may also consume everything AND deliver a
//    message.
//  - The input span is only read during the call; nothing points into it
//    afterwards. Message payloads are new base::Payload storage (the bytes
//    accumulated for that message, handed over without a further copy).
//  - Never throws on peer input (decode() is noexcept; only running out of
//    memory terminates). Never allocates in proportion to a length the peer
//    declared: a message buffer grows with the bytes that actually arrived
//    (capacity <= max(2 x arrived, 4 KiB), never more than declared), so 64
//    chunk streams each declaring 8 MiB hold at most 64 x 4 KiB until their
//    bytes come.
//  - Limits (rtmp/limits.hpp) are checked when a header declares them;
//    each has its own Errc. All decoder errors are fatal: after one, the
//    decoder stays failed and every later decode() returns the same error
//    with consumed == 0.
//  - Zero-length messages are delivered (with an empty payload).
//  - Header rules: format 0 is required to open a chunk stream (else
//    Errc::chunk_stream_not_started). A format 0/1/2 header on a chunk stream
//    whose previous message is incomplete is Errc::message_length_changed:
//    the spec continues a message only with format 3, and accepting a new
//    header there is the class of bug behind FFmpeg CVE-2016-10191 (a length
//    change mid-message); we refuse it even when the length is unchanged,
//    since no peer we know sends that (stricter, documented choice).
//  - Timestamps: format 0 sets the absolute timestamp (and the delta a
//    following format-3 message will reuse, per §5.3.1.2.4); formats 1, 2
//    and a format 3 that starts a message add the delta, wrapping mod 2^32
//    (base/timestamp.hpp serial arithmetic).
//  - Not thread-safe; one decoder per connection direction.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <system_error>

#include "base/byte_reader.hpp"
#include "rtmp/chunk_header.hpp"
#include "rtmp/limits.hpp"
#include "rtmp/message.hpp"

namespace sluice::rtmp {

struct DecodeResult {
    /// Bytes of the input taken by this call (always <= input.size()).
    std::size_t consumed = 0;
    /// The message completed by this call, if any.
    std::optional<Message> message;
    /// Chunk stream of the delivered message, or of the chunk in error.
    ChunkStreamId chunk_stream = 0;
    /// Fatal error (rtmp::Errc); empty on success and on "need more".
    std::error_code error;
};

class ChunkDecoder {
public:
    /// What the decoder is waiting for (STYLE.md rule 2).
    enum class State : std::uint8_t {
        basic_header,        ///< 1..3 bytes: format + chunk stream id
        message_header,      ///< 0/3/7/11 bytes by format
        extended_timestamp,  ///< 4 bytes (or the rest of them after a probe)
        extended_probe,      ///< continuation chunk: repeated field or payload? (Leniency)
        payload,             ///< this chunk's data bytes
        skip_payload,        ///< the rest of a chunk whose message was aborted
        failed,              ///< a fatal error happened; decode() refuses input
    };

    explicit ChunkDecoder(Limits limits = {}, Leniency leniency = {});
    ~ChunkDecoder();
    ChunkDecoder(ChunkDecoder&&) noexcept;
    ChunkDecoder& operator=(ChunkDecoder&&) noexcept;
    ChunkDecoder(const ChunkDecoder&) = delete;
    ChunkDecoder& operator=(const ChunkDecoder&) = delete;

    /// Parses as much of `input` as needed to complete at most one message.
    DecodeResult decode(base::Bytes input) noexcept;

    /// Applies a Set Chunk Size the peer sent (§5.4.1), for chunks parsed
    /// from now on. 0 or top bit set: Errc::chunk_size_invalid. Values above
    /// 0xFFFFFF act as 0xFFFFFF; the result must lie in
    /// [limits.min_chunk_size, limits.max_chunk_size], else
    /// Errc::chunk_size_out_of_range. An error leaves the decoder failed.
    std::error_code set_chunk_size(std::uint32_t size) noexcept;
    std::uint32_t chunk_size() const noexcept;

    /// Applies an Abort Message (§5.4.2): drops the partial message on `id`.
    /// Unknown or idle ids are ignored. The chunk stream keeps its header
    /// state, so the next message on it may use any format.
    void abort(ChunkStreamId id) noexcept;

    State state() const noexcept;
    bool failed() const noexcept { return state() == State::failed; }
    /// The fatal error, if any.
    std::error_code error() const noexcept;
    /// Offset (in bytes since construction) of the first byte of the chunk
    /// in which the error was found; for a Set Chunk Size error, the offset at
    /// which it was applied. 0 when no error.
    std::uint64_t error_offset() const noexcept;
    /// Total bytes consumed since construction.
    std::uint64_t bytes_consumed() const noexcept;

    /// Payload bytes held in unfinished messages (all chunk streams).
    std::size_t buffered_bytes() const noexcept;
    /// Capacity reserved for unfinished messages (>= buffered_bytes(); tests
    /// use it to show declared lengths do not allocate).
    std::size_t reserved_bytes() const noexcept;
    /// Chunk streams opened so far (counted against limits.max_chunk_streams).
    std::size_t chunk_stream_count() const noexcept;

    const Limits& limits() const noexcept;
    const Leniency& leniency() const noexcept;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace sluice::rtmp
