#pragma once
// rtmp::Limits and rtmp::Leniency: every bound the chunk layer enforces on a
// peer, and every interop quirk it tolerates, as plain documented structs
// passed at construction (STYLE.md rule 4; Beast's body limits, nghttp2's
// NGHTTP2_DEFAULT_MAX_*, llhttp's llhttp_set_lenient_*).
//
// Contract:
//  - Each limit, when crossed, is reported as its own rtmp::Errc (named next
//    to the field) at the moment the peer *declares* the excess, before any
//    byte of it is stored.
//  - Defaults suit a public server; a later configuration layer may change
//    them per application.
//  - Plain aggregates: copy freely, no invariants beyond those noted.
#include <cstddef>
#include <cstdint>

namespace sluice::rtmp {

struct Limits {
    /// Chunk streams the peer may open (ids seen with a format-0 header), all
    /// ids counted, low and high. Real peers use 2..8 (FFmpeg 2,3,4,6,8; SRS
    /// 2..8); 64 leaves room for many NetStreams. SRS, ZLMediaKit and librtmp
    /// have no cap, so a peer could open 65 597 (STYLE.md §2 item 3).
    /// Crossing it: Errc::too_many_chunk_streams.
    std::size_t max_chunk_streams = 64;

    /// Largest message length a header may declare (the U24 field allows
    /// 16 MiB - 1). 8 MiB holds any real video frame, including 4K keyframes.
    /// Checked when the header is read, before any allocation.
    /// Crossing it: Errc::message_too_large.
    std::uint32_t max_message_bytes = 8u * 1024u * 1024u;

    /// Bytes the decoder may hold in unfinished messages, summed over all
    /// chunk streams. Without it, 64 streams x 8 MiB would let one peer pin
    /// 512 MiB. Checked when a chunk header announces its data length.
    /// Crossing it: Errc::partial_bytes_exceeded.
    std::size_t max_partial_bytes_total = 16u * 1024u * 1024u;

    /// Smallest chunk size the peer may set. The spec allows 1; a 1-byte chunk
    /// size multiplies header parsing work by up to 13x, so operators may set
    /// 128 (the protocol default) here. Below it: Errc::chunk_size_out_of_range.
    std::uint32_t min_chunk_size = 1;

    /// Largest chunk size the peer may set, compared after values above
    /// 0xFFFFFF were treated as 0xFFFFFF (the spec: a chunk never exceeds a
    /// message, whose length is a U24). Above it: Errc::chunk_size_out_of_range.
    std::uint32_t max_chunk_size = 0xFFFFFF;

    /// Output bytes rtmp::Connection may queue for a peer that does not read
    /// (nghttp2's flood guard), each queued header or payload slice counted
    /// 64 bytes more (what it costs in memory besides its bytes). Not used by
    /// the chunk codec itself.
    /// Crossing it: Errc::output_limit_exceeded.
    std::size_t max_output_bytes = 8u * 1024u * 1024u;

    /// Sub-messages one aggregate message (type 22) may split into. A 64 KiB
    /// aggregate of empty sub-messages would otherwise yield ~4 400 Messages.
    /// 1024 is far above what FMS/Wowza put in one (a few hundred ms of media).
    /// Crossing it: Errc::aggregate_too_many_messages.
    std::size_t max_aggregate_messages = 1024;
};

/// Interop quirks the decoder tolerates. Each flag is one quirk, named after
/// what it accepts, with the peers that need it and the risk of enabling it.
struct Leniency {
    /// Extended timestamp on format-3 *continuation* chunks (the 2nd, 3rd, ...
    /// chunk of one message whose header carried an extended timestamp).
    ///
    /// The spec (§5.3.1.3) and FFmpeg's writer repeat the 4 bytes on every such
    /// chunk; some encoders omit them (SRS documents this and detects it per
    /// chunk). With this flag on, the decoder auto-detects per chunk:
    ///   it looks at the first min(4, chunk data length) bytes after the basic
    ///   header; if they equal the (leading bytes of the) extended timestamp
    ///   field of the message's first chunk, they are the repeated field;
    ///   otherwise they are payload.
    /// Risk: a peer that omits the field and whose payload happens to start a
    /// continuation chunk with those exact 4 bytes (1 in 2^32 for random
    /// media; fewer than 4 bytes compared when the chunk is shorter) is
    /// misframed; the stream then fails with a framing error, it never reads
    /// out of bounds.
    /// Off: strict spec behaviour, the 4 bytes are always read.
    /// A format-3 chunk that *starts* a message always carries the field when
    /// the previous header used one (both conventions agree there).
    /// Default on: real encoders of both kinds are common.
    bool type3_extended_timestamp = true;

    /// A format-1 chunk (length, type, delta; no message stream id) on a
    /// chunk stream that never had a format-0 header opens it: message
    /// stream 0, the delta counted from timestamp 0, counted against
    /// max_chunk_streams like a format-0 chunk.
    /// librtmp sends every user control message with a format-1 header on
    /// chunk stream 2; when its first one there is the SWF verification
    /// response (user control 27, sent before any Window Ack Size) it opens
    /// the chunk stream that way. nginx-rtmp and Red5 accept it.
    /// Formats 2 and 3 (no length) still cannot open a chunk stream.
    /// Off: strict spec behaviour, chunk_stream_not_started.
    bool type1_opens_chunk_stream = true;
};

}  // namespace sluice::rtmp
