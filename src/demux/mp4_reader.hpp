#pragma once
// demux::Mp4Reader: plays an ISO-BMFF file (`play("mp4:clip.mp4")`) as FLV
// tags: H.264 (avc1/avc3), HEVC (hvc1/hev1), AAC and MP3 (mp4a) tracks.
//
// What open() accepts (ISO/IEC 14496-12):
//  - top-level boxes in any order: `moov` before or after `mdat` (faststart
//    or not); 64-bit sizes (size 1 + largesize); size 0 ("to the end of the
//    file") only at top level, where it ends the scan. Bytes after the first
//    `moov` that do not form a valid box are ignored (a truncated tail), but
//    every sample must still lie inside the file.
//  - the first video and the first audio track whose first sample entry is
//    supported (mp4_sample_entry.hpp) and which has at least one sample;
//    other tracks are skipped. Not supported: fragmented files (samples in
//    `moof`, their `moov` tables are empty -> no_supported_track), encrypted
//    entries, sample description changes mid-track (entries after the first).
//  - composition offsets (ctts v0/v1, negative too), sync samples (stss),
//    edit lists in the form encoders write (mp4_sample_table.hpp; TODO(issue 7)
//    for multi-edit lists).
//
// Output:
//  - tracks(): at most two, video first; codec, size/rate/channels, config.
//  - duration_ms(): mvhd duration, else the longest played track.
//  - sequence_header(track): the FLV tag body to send before any frame:
//      H.264  17 00 00 00 00 <avcC>          (legacy AVC, AVCPacketType 0)
//      HEVC   90 68 76 63 31 <hvcC>          (Enhanced RTMP SequenceStart 'hvc1')
//      AAC    AF 00 <AudioSpecificConfig>
//      MP3    empty (MP3 needs none)
//  - next(): samples of both tracks interleaved in decode order (smallest
//    dts_ms first; ties by file offset), times as sample.hpp describes.
//    timestamp_shift_ms() is what to add so no FLV timestamp is negative.
//  - read_tag_payload(sample): reads the sample and returns the complete FLV
//    tag body, one allocation:
//      H.264  17|27 01 <CTS SI24> <NALUs>   HEVC  91|A1 68 76 63 31 <CTS SI24> <NALUs>
//      AAC    AF 01 <raw frame>              MP3   <flv_mp3_header_byte> <frame>
//    (MP3: rate and mono/stereo from the frame's own header; tracks() reports
//    those of the first frame, since QuickTime entries often claim 2 channels.)
//  - seek(ms): positions next() at the video keyframe whose presentation
//    time is at or before `ms` (the first keyframe when none is), and audio
//    at the last sample whose decode time is at or before that keyframe's
//    time; audio-only files at the last audio sample at or before `ms`. (A
//    video track whose stss names no sample starts from its first sample.)
//    Returns the position reached (ms); Errc::seek_beyond_end (non-fatal, the
//    position is unchanged) when `ms` is past duration_ms(). A negative `ms`
//    counts as 0.
//
// Limits and errors: Mp4Limits (mp4_limits.hpp) bounds every count and size;
// open() fails with a demux::Errc (errors.def says how the server maps it) or
// the ByteSource's own error. Every loop over file input is bounded by the
// file size, a verified count or a limit.
//
// Lifetime and threads: the reader keeps a pointer to the source, which
// must outlive it; it reads the source again only in read_tag_payload().
// Not thread-safe; movable, not copyable.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "base/byte_writer.hpp"
#include "base/payload.hpp"
#include "base/result.hpp"
#include "demux/byte_source.hpp"
#include "demux/mp4_limits.hpp"
#include "demux/mp4_sample_entry.hpp"
#include "demux/mp4_sample_table.hpp"
#include "demux/sample.hpp"

namespace sluice::demux {

struct Mp4Track {
    TrackKind kind = TrackKind::video;
    Mp4Codec codec = Mp4Codec::h264;
    std::uint32_t track_id = 0;  ///< tkhd track_ID (0 when there is no tkhd)
    std::uint32_t timescale = 0;
    std::uint32_t width = 0;  ///< video
    std::uint32_t height = 0;
    std::uint32_t sample_rate = 0;  ///< audio
    std::uint8_t channels = 0;
    base::ByteVector config;  ///< avcC / hvcC / AudioSpecificConfig; empty for MP3
    std::uint64_t sample_count = 0;
    std::int64_t duration_ms = 0;  ///< end of the last sample
};

class Mp4Reader {
public:
    static base::Result<Mp4Reader> open(ByteSource& source, const Mp4Limits& limits = {});

    const std::vector<Mp4Track>& tracks() const noexcept { return tracks_; }
    std::optional<std::size_t> video_track() const noexcept;
    std::optional<std::size_t> audio_track() const noexcept;
    std::int64_t duration_ms() const noexcept { return duration_ms_; }
    std::int64_t timestamp_shift_ms() const noexcept { return timestamp_shift_ms_; }

    /// The FLV sequence-header tag body for `track` (empty for MP3 and for
    /// an index out of range).
    base::Payload sequence_header(std::size_t track) const;

    /// The next sample in decode order without consuming it; nullopt at the end.
    std::optional<Sample> peek() const noexcept;
    /// The next sample, consumed; nullopt at the end.
    std::optional<Sample> next() noexcept;
    /// See the header comment.
    base::Result<std::int64_t> seek(std::int64_t ms);

    /// Bytes of FLV header read_tag_payload() puts before the sample's data.
    std::size_t tag_header_size(const Sample& sample) const noexcept;
    /// Appends the FLV header for `sample` (see the header comment).
    void write_tag_header(const Sample& sample, base::ByteWriter& out) const;
    /// Reads the sample through the source: FLV header + data.
    /// Errc::sample_not_from_reader for a track index this reader lacks.
    base::Result<base::Payload> read_tag_payload(const Sample& sample);

private:
    Mp4Reader() = default;
    Sample sample_at(std::size_t track, std::size_t index) const noexcept;

    ByteSource* source_ = nullptr;
    std::vector<Mp4Track> tracks_;
    std::vector<Mp4SampleTable> tables_;    ///< parallel to tracks_
    std::vector<std::size_t> cursors_;      ///< next sample index per track
    std::vector<std::uint32_t> keyframes_;  ///< sample indexes of the video track's keyframes
    std::vector<base::Payload> sequence_headers_;
    std::int64_t duration_ms_ = 0;
    std::int64_t timestamp_shift_ms_ = 0;
};

}  // namespace sluice::demux
