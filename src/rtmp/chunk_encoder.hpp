#pragma once
// rtmp::ChunkEncoder: rtmp::Message -> chunk header bytes + payload slices
// (RTMP 1.0 §5.3; REFERENCE.md §1.3; STYLE.md §2 item 10, §3.2), and
// rtmp::GatherList, the reusable output it appends to.
//
// Usage:
//   GatherList out;                       // reuse across calls: no allocation once warm
//   ChunkEncoder enc;                     // one per connection (per peer)
//   enc.encode(msg, csid::video, out);
//   out.for_each([&](base::Bytes b) { iov.push_back({b.data(), b.size()}); });
//   ... write ...; out.consume(written);  // or out.clear()
//
// Header selection (FFmpeg's writer policy, per chunk stream):
//   fmt 0  first message on the chunk stream, a different message stream id,
//          or a timestamp earlier than the previous one (RFC 1982 serial
//          order; base/timestamp.hpp);
//   fmt 1  same stream, length or type changed (delta = ts - previous ts);
//   fmt 2  same stream, length and type repeat, delta changed;
//   fmt 3  delta, length, type and stream all repeat (spec example 5.3.2.1).
//          After a fmt 0 the remembered delta is the fmt-0 timestamp itself
//          (§5.3.1.2.4), exactly as the decoder assumes.
//   Continuation chunks are fmt 3. When the message's header carried an
//   extended timestamp (value >= 0xFFFFFF), every later chunk of that message
//   repeats it (the spec and FFmpeg; STYLE.md §2 item 1), and so does a fmt-3
//   header that starts a message after such a header.
//
// Contract:
//  - Payload bytes are never copied: the GatherList keeps one reference to
//    the message's base::Payload and slices of it.
//  - The previous-header state is per encoder, i.e. per connection, so one
//    Message can be fanned out to many players, each with its own encoder.
//  - Errors (nothing appended, state unchanged): Errc::chunk_stream_id_invalid
//    for an id outside 2..65599; Errc::message_too_large for a payload above
//    0xFFFFFF bytes (the U24 length field).
//  - Not thread-safe.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <system_error>
#include <vector>

#include "base/byte_reader.hpp"
#include "base/byte_writer.hpp"
#include "base/payload.hpp"
#include "rtmp/chunk_header.hpp"
#include "rtmp/message.hpp"

namespace sluice::rtmp {

/// An ordered list of byte ranges to write with one gather write: header
/// bytes live in an arena owned by the list, payload ranges are slices of
/// referenced base::Payloads. Segment views stay valid until the next
/// mutation (append, consume, clear).
class GatherList {
public:
    /// Total bytes not yet consumed.
    std::size_t size_bytes() const noexcept { return size_bytes_; }
    bool empty() const noexcept { return size_bytes_ == 0; }
    /// Segments not yet (fully) consumed.
    std::size_t segment_count() const noexcept { return segments_.size() - first_; }
    /// The i-th remaining segment (the first one may be partly consumed).
    base::Bytes segment(std::size_t i) const noexcept;

    template <class F>
    void for_each(F&& f) const {
        for (std::size_t i = 0, n = segment_count(); i < n; ++i) f(segment(i));
    }

    /// Marks `n` bytes from the front as written (clamped to size_bytes()).
    /// When everything is consumed the list resets, keeping its capacity.
    void consume(std::size_t n) noexcept;
    /// Drops everything, keeping capacity.
    void clear() noexcept;
    /// Copies the remaining bytes into one vector (tests, small writers).
    base::ByteVector flatten() const;

    /// Appends raw header bytes (copied into the arena).
    void append_bytes(base::Bytes bytes);
    /// Appends [offset, offset+length) of `payload` without copying bytes.
    /// Consecutive calls with the same payload share one reference.
    void append_payload(const base::Payload& payload, std::size_t offset, std::size_t length);

private:
    static constexpr std::uint32_t arena_source = 0xFFFFFFFFu;
    struct Segment {
        std::uint32_t source;  ///< index into payloads_, or arena_source
        std::uint32_t length;
        std::size_t offset;
    };
    std::vector<std::uint8_t> arena_;
    std::vector<base::Payload> payloads_;
    std::vector<Segment> segments_;
    std::size_t first_ = 0;       ///< first unconsumed segment
    std::size_t first_skip_ = 0;  ///< bytes consumed inside segments_[first_]
    std::size_t size_bytes_ = 0;
};

class ChunkEncoder {
public:
    ChunkEncoder();
    ~ChunkEncoder();
    ChunkEncoder(ChunkEncoder&&) noexcept;
    ChunkEncoder& operator=(ChunkEncoder&&) noexcept;
    ChunkEncoder(const ChunkEncoder&) = delete;
    ChunkEncoder& operator=(const ChunkEncoder&) = delete;

    /// Chunk size for messages encoded from now on (what we announced to the
    /// peer with Set Chunk Size). 1..0xFFFFFF, else Errc::chunk_size_invalid
    /// (0, top bit) or Errc::chunk_size_out_of_range (above 0xFFFFFF).
    std::error_code set_chunk_size(std::uint32_t size) noexcept;
    std::uint32_t chunk_size() const noexcept;

    /// Appends the chunks of `message` on chunk stream `id` to `out`.
    std::error_code encode(const Message& message, ChunkStreamId id, GatherList& out);

    /// Forgets the previous header of `id` (after we sent an Abort, or to
    /// force a format-0 header on the next message).
    void reset(ChunkStreamId id) noexcept;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace sluice::rtmp
