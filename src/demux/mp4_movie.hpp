#pragma once
// demux::Mp4Movie: the `moov` box (ISO/IEC 14496-12 §8.2) walked into the
// boxes the demuxer needs, per track. Nothing is parsed beyond the movie
// header and each track's handler: the sample-table boxes are kept as
// spans and parsed only for the tracks that will be played.
//
//   moov ─ mvhd                      timescale, duration
//        └ trak ─ tkhd               track_ID
//               ├ edts ─ elst        edit list
//               └ mdia ─ mdhd        media timescale
//                      ├ hdlr        handler 'vide' / 'soun'
//                      └ minf ─ stbl ─ stsd stts ctts stsc stsz stz2 stco co64 stss
//
// Contract:
//  - parse_movie() borrows `moov_body`: every span in the result points into
//    it, so the caller keeps that buffer alive as long as the result.
//  - Containers (trak, mdia, minf, stbl, edts, and a moov nested anywhere)
//    are entered wherever they appear, like FFmpeg's mov demuxer; a leaf box
//    outside a trak, and a second copy of a leaf box in a trak, are ignored.
//    Unknown boxes are skipped.
//  - Bounds: every box is checked by parse_box_header() against its parent
//    (size 0 is refused inside moov); `box_count` is incremented per box and
//    checked against limits.max_boxes; nesting past limits.max_depth and
//    more than limits.max_tracks traks are errors. Trailing bytes fewer than
//    a box header at the end of a container are ignored.
//  - Errors: the box_* codes, too_many_boxes, box_nesting_too_deep,
//    too_many_tracks, timescale_invalid (mvhd timescale 0).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "base/byte_reader.hpp"
#include "base/result.hpp"
#include "demux/mp4_limits.hpp"

namespace sluice::demux {

/// Bodies (after the box header) of one track's boxes; nullopt when absent.
struct Mp4TrackBoxes {
    using Box = std::optional<base::Bytes>;
    Box tkhd, elst, mdhd, hdlr, stsd, stts, ctts, stsc, stsz, stz2, stco, co64, stss;
};

struct Mp4Movie {
    std::uint32_t timescale = 1000;  ///< mvhd; 1000 when there is no mvhd
    std::uint64_t duration = 0;      ///< mvhd, in `timescale` units; 0 when unknown
    std::vector<Mp4TrackBoxes> tracks;
};

base::Result<Mp4Movie> parse_movie(base::Bytes moov_body, const Mp4Limits& limits, std::size_t& box_count);

/// The handler type of a track ('vide', 'soun', ...), 0 when it has no hdlr.
std::uint32_t handler_type(const Mp4TrackBoxes& track) noexcept;

}  // namespace sluice::demux
