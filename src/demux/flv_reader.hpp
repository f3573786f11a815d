#pragma once
// demux::FlvReader: plays an FLV file (`play("clip")` / `play("clip.flv")`
// on the vod app) tag by tag, through an index built once by open().
//
// File layout (REFERENCE.md §7.1-§7.2, flv/file_reader.hpp):
//
//   FileHeader (9 bytes, or data_offset bytes) | PreviousTagSize0 U32 = 0
//   { TagHeader (11) | data (DataSize) | PreviousTagSize U32 = 11 + DataSize }*
//
// What open() does: decodes the file header (flv::FileHeader), then walks
// the tags from the first to the last, reading per tag one span of at most
// 47 bytes (the trailer before it, its 11-byte header and the first 32
// bytes of its data) and jumping over the rest of the data. The whole data
// of a tag is read only for: sequence headers (kept, see below), the first
// onMetaData, and an audio/video tag whose header does not parse from its
// first 32 bytes (an Enhanced RTMP multitrack tag with sized tracks or a
// long ModEx block). On the way:
//  - every PreviousTagSize must equal 11 + DataSize of the tag before it (0
//    for PreviousTagSize0): else Errc::flv_previous_tag_size_mismatch.
//  - tag types 8 (audio) and 9 (video) are media; 18 (AMF0 script data) and
//    15 (Enhanced RTMP AMF3 script data) are data: indexed as
//    TrackKind::data samples (cue points, onTextData, ...) and replayed in
//    file order with the media, except the tags of type 18 starting with the
//    AMF0 string "onMetaData": the body of the first is kept as metadata(),
//    later ones (an appended recording's) are skipped; any other type, or
//    the filter (encrypted) bit: Errc::flv_tag_type_unsupported. Data tags
//    are never seek points, keyframes or part of duration_ms(); a data tag
//    whose timestamp is above INT32_MAX is skipped.
//  - a media tag is classified with flv::parse_video / flv::parse_audio:
//      video: keyframe = key or generated-key frame carrying coded frames
//             (not a sequence header, sequence end or Enhanced metadata);
//             sequence header = legacy AVC/HEVC(12) AVCPacketType 0 or
//             Enhanced SequenceStart / MPEG2TSSequenceStart; cts_ms = the
//             SI24 composition time (the first track's in a multitrack tag).
//      audio: every tag is a keyframe; sequence header = AAC
//             AACPacketType 0 or Enhanced SequenceStart; cts_ms = 0.
//    Not indexed (counted in ignored_tag_count()): video command frames
//    (frame type 5 seek start/end: meaningless in a replay) and audio/video
//    tags whose header does not parse (reserved frame type, unknown FourCC,
//    an empty video tag, ...). An empty audio tag (the E-RTMP silence
//    marker) is indexed.
//  - a file cut inside a tag (its header, its data or its trailer, or with
//    no trailer after the last tag: a recording stopped by SIGKILL) ends
//    the index at the last tag whose data is complete and sets truncated();
//    that is not an error. Tags are not judged after the cut.
//  - no media tag indexed (data tags alone do not count): Errc::no_supported_track.
//
// Times: dts_ms is the tag's timestamp as written (24 bits + the extended
// byte, a 32-bit value), NOT shifted to start at 0 (as Flash Player and
// FFmpeg play files), so timestamp_shift_ms() is always 0. A media tag
// timestamp above INT32_MAX is Errc::timestamp_out_of_range (sample.hpp).
// duration_ms() is the largest media tag timestamp (the last one in any
// file a muxer wrote). Timestamps that go backwards are replayed as they are
// by next(); seek() searches a monotonic view of them (below).
//
// Output:
//  - next() returns every indexed media and data tag in file order (FLV is already
//    interleaved), sequence headers included, so a recording appended to
//    with a changed codec configuration still plays; is_sequence_header()
//    tells which samples are sequence headers so the server can skip those
//    it already sent. Sample.offset/size are the tag's data (DataSize
//    bytes); Sample.track is 0 for video and, for audio, 1 when the file
//    has video, else 0 (as Mp4Reader numbers its tracks(), video first).
//  - read_tag_payload(sample): the tag's data verbatim: it already is an
//    FLV tag body.
//  - sequence_header(kind): the body of the sequence header in effect at
//    the cursor: the last one of that kind at or before the cursor (the tag
//    next() returns next), else the first one in the file; empty when the
//    file has none (e.g. MP3 audio).
//  - seek(ms): positions next() at the video keyframe with the largest
//    timestamp <= ms (the first keyframe when there is none; the first tag
//    when the file has no keyframe at all); in a file without video, at
//    the last audio tag with timestamp <= ms. Among tags with equal times
//    the last wins. Audio tags just before the keyframe with its own time
//    are not replayed. Times are compared through their running maximum
//    (each seek point's time is the largest time up to it), so a hostile
//    file's backward jumps cannot break the binary search. Returns the
//    reached tag's own timestamp; Errc::seek_beyond_end (non-fatal, the
//    position is unchanged) when `ms` > duration_ms(). A negative `ms`
//    counts as 0.
//
// Limits and errors: FlvLimits bounds tags, tag size, metadata and kept
// sequence headers; open() fails with a demux::Errc (errors.def says how
// the server maps them) or the ByteSource's own error. Every loop is
// bounded by the file size and max_tags.
//
// Memory: 24 bytes per indexed media tag, 8 per video keyframe (per audio
// tag in a file without video), the metadata (<= max_metadata_bytes) and
// each DISTINCT sequence header (a header equal to the previous one of its
// kind is not kept twice; <= max_sequence_header_bytes in all).
//
// Lifetime and threads: the reader keeps a pointer to the source, which
// must outlive it; it reads the source again only in read_tag_payload().
// Not thread-safe; movable, not copyable.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "base/payload.hpp"
#include "base/result.hpp"
#include "demux/byte_source.hpp"
#include "demux/sample.hpp"

namespace sluice::demux {

struct FlvLimits {
    /// Tags walked, of every type (capped at 2^32 - 1): Errc::too_many_tags.
    std::uint64_t max_tags = 10'000'000;
    /// Largest DataSize accepted (the field is 24-bit: at most 16 MiB - 1):
    /// Errc::flv_tag_too_large.
    std::size_t max_tag_data_bytes = 16u << 20;
    /// A first onMetaData body larger than this is ignored (metadata() stays empty).
    std::size_t max_metadata_bytes = 1u << 20;
    /// Bytes of distinct sequence headers kept (bodies plus 32 bytes each):
    /// Errc::flv_sequence_headers_too_large.
    std::size_t max_sequence_header_bytes = 1u << 20;
};

class FlvReader {
public:
    static base::Result<FlvReader> open(ByteSource& source, const FlvLimits& limits = {});

    /// At least one video / audio tag was indexed.
    bool has_video() const noexcept { return has_video_; }
    bool has_audio() const noexcept { return has_audio_; }
    /// The largest media tag timestamp (ms, as written in the file).
    std::int64_t duration_ms() const noexcept { return duration_ms_; }
    /// Always 0: FLV timestamps are never negative (kept for symmetry with Mp4Reader).
    std::int64_t timestamp_shift_ms() const noexcept { return 0; }

    /// The file's first onMetaData script tag body (AMF0 "onMetaData" + object
    /// or ECMA array), verbatim; empty when none (or larger than the limit).
    const base::Payload& metadata() const noexcept { return metadata_; }

    /// The FLV tag body of the sequence header of `kind` in effect at the
    /// cursor (see the header comment); empty when none.
    base::Payload sequence_header(TrackKind kind) const;
    /// True when `sample` is one of this reader's sequence-header tags.
    bool is_sequence_header(const Sample& sample) const noexcept;

    /// The next media tag without consuming it; nullopt at the end.
    std::optional<Sample> peek() const noexcept;
    /// The next media tag, consumed; nullopt at the end.
    std::optional<Sample> next() noexcept;
    /// See the header comment.
    base::Result<std::int64_t> seek(std::int64_t ms);

    /// Reads the tag's data (sample.size bytes at sample.offset, one
    /// allocation): Errc::sample_not_from_reader for a sample this reader
    /// did not hand out, or the source's error.
    base::Result<base::Payload> read_tag_payload(const Sample& sample);

    /// Media and data tags in the index (all that next() returns from the start).
    std::uint64_t tag_count() const noexcept { return entries_.size(); }
    /// Tags walked but not indexed: onMetaData, command frames, media tags
    /// whose header does not parse.
    std::uint64_t ignored_tag_count() const noexcept { return ignored_tag_count_; }
    /// The file does not end with a complete tag and trailer (see above).
    bool truncated() const noexcept { return truncated_; }

private:
    class Indexer;

    /// One indexed media tag (24 bytes).
    struct Entry {
        std::uint64_t offset;  ///< of the tag's data
        std::uint32_t size;    ///< DataSize
        std::uint32_t timestamp;
        std::int32_t cts;
        std::uint8_t flags;  ///< flag_* below
    };
    static constexpr std::uint8_t flag_audio = 1;
    static constexpr std::uint8_t flag_keyframe = 2;
    static constexpr std::uint8_t flag_sequence_header = 4;
    static constexpr std::uint8_t flag_data = 8;   ///< a script data tag (TrackKind::data)
    static constexpr std::uint8_t flag_amf3 = 16;  ///< ... of type 15

    /// Where seek() may land: an entry index and the running maximum time.
    struct SeekPoint {
        std::uint32_t index;
        std::uint32_t time;
    };
    /// A sequence header that differs from the previous one of its kind,
    /// first seen at entry `index`.
    struct ConfigChange {
        std::uint32_t index;
        base::Payload body;
    };

    FlvReader() = default;
    Sample sample_at(std::size_t index) const noexcept;
    /// The entry `sample` was made from, or nullptr.
    const Entry* find(const Sample& sample) const noexcept;

    ByteSource* source_ = nullptr;
    std::vector<Entry> entries_;
    std::vector<SeekPoint> seek_points_;
    std::array<std::vector<ConfigChange>, 2> configs_;  ///< by TrackKind
    base::Payload metadata_;
    std::size_t cursor_ = 0;
    std::int64_t duration_ms_ = 0;
    std::uint64_t ignored_tag_count_ = 0;
    bool has_video_ = false;
    bool has_audio_ = false;
    bool truncated_ = false;
};

}  // namespace sluice::demux
