#pragma once
// demux::Mp4SampleTable: one track's samples (ISO/IEC 14496-12 §8.6-§8.7),
// expanded from the sample-table boxes into a flat list in decode order.
//
//   stsz / stz2  sample sizes (uniform, or one per sample; stz2 4/8/16-bit fields)
//   stsc + stco / co64   samples per chunk, chunk file offsets (32/64-bit)
//   stts         decode-time deltas (runs of count x delta)
//   ctts         composition offsets (runs; read as signed in both versions,
//                as FFmpeg does, since version 0 files with negative offsets exist)
//   stss         sync samples (1-based numbers); absent: every sample is key.
//                Audio tracks: every sample is key regardless.
//   mdhd         media timescale
//   elst         edit list (see below)
//
// Edit lists: the supported form is what encoders write: any number of
// leading empty edits (media_time -1: a delay, in movie timescale) followed
// by one edit whose media_time shifts the media timeline (FFmpeg writes one
// to hide B-frame delay and AAC priming). Times become
//   ms = round((ticks - media_time) / timescale * 1000) + delay_ms
// so the first frames may be negative, exactly as ffprobe reports them.
// Not supported (ignored): edits after the first non-empty one (cuts,
// repeats), rates other than 1, and the edit's duration (samples past the
// edit are still played). TODO(issue 7): multi-edit lists if a real file
// needs them.
//
// Contract:
//  - build_sample_table() reads only the spans in `boxes` and allocates
//    24 bytes per sample after the checks in mp4_limits.hpp.
//  - Each count is checked against the bytes of its box
//    (sample_table_truncated); the tables must agree: stts and stsc/stco
//    must cover every sample stsz declares (sample_table_inconsistent; extra
//    entries are ignored). Every sample must lie inside the file
//    (sample_outside_file) and fit an FLV tag (sample_too_large). Missing
//    mdhd/stts/stsc/stsz/stco: sample_table_missing. Times outside int32 ms:
//    timestamp_out_of_range. Zero timescale: timescale_invalid.
//  - Every loop is bounded by the sample count or by a box's verified entry
//    count; a run count larger than what remains is cut at the sample count.
#include <cstdint>
#include <vector>

#include "base/result.hpp"
#include "demux/mp4_limits.hpp"
#include "demux/mp4_movie.hpp"

namespace sluice::demux {

struct Mp4SampleTable {
    struct Entry {
        std::uint64_t offset = 0;
        std::uint32_t size = 0;
        std::int32_t dts_ms = 0;
        std::int32_t cts_ms = 0;
        bool keyframe = false;
    };

    std::uint32_t timescale = 0;  ///< mdhd
    std::vector<Entry> samples;   ///< decode order
    std::int64_t end_ms = 0;      ///< decode time of the last sample plus its duration
};

base::Result<Mp4SampleTable> build_sample_table(const Mp4TrackBoxes& boxes, std::uint32_t movie_timescale,
                                                std::uint64_t file_size, bool all_keyframes,
                                                const Mp4Limits& limits);

}  // namespace sluice::demux
