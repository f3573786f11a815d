#pragma once
// demux::Sample: one coded frame of a file, as both demuxers hand it out in
// decode order, and demux::TrackKind.
//
// Times are milliseconds on the file's own timeline (edit lists applied,
// see mp4_reader.hpp), rounded to the nearest ms. They may be negative for
// the first frames of an MP4 whose edit list hides encoder delay (B-frame
// reordering, AAC priming), exactly as ffprobe shows them; a sender of FLV
// tags adds the reader's timestamp_shift_ms() so that no timestamp is
// negative. Every time fits in an int32 (the readers refuse files whose
// times do not: Errc::timestamp_out_of_range).
#include <cstddef>
#include <cstdint>

namespace sluice::demux {

/// `data`: a script data tag of an FLV file (onCuePoint, onTextData, ...),
/// which FlvReader replays in line with the media; other readers have none.
enum class TrackKind : std::uint8_t { video, audio, data };

struct Sample {
    std::size_t track = 0;  ///< index into the reader's tracks()
    TrackKind kind = TrackKind::video;
    std::uint64_t offset = 0;  ///< file offset of the coded data
    std::uint32_t size = 0;    ///< bytes of coded data (without any FLV header)
    std::int64_t dts_ms = 0;   ///< decode time
    std::int32_t cts_ms = 0;   ///< composition offset: presentation time = dts_ms + cts_ms
    bool keyframe = false;     ///< a sync sample (every audio frame is one)
    bool amf3 = false;         ///< data: AMF3 script data (FLV tag 15), else AMF0 (18)

    std::int64_t pts_ms() const noexcept { return dts_ms + cts_ms; }
};

}  // namespace sluice::demux
