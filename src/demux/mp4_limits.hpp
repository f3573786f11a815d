#pragma once
// demux::Mp4Limits: the bounds Mp4Reader::open() enforces on a file
// (STYLE.md rule 4). Every one ends parsing with a specific demux::Errc.
//
// Memory: open() reads the whole `moov` box (at most max_moov_bytes) and
// keeps, per played track, 24 bytes per sample. A sample count is only
// trusted once the bytes behind it exist: a per-sample size table must be
// inside its box, and with a uniform sample size the samples' total size
// must fit in the file, so a small hostile file cannot make open() allocate
// more than a small multiple of its own size (plus max_moov_bytes).
#include <cstddef>
#include <cstdint>

namespace sluice::demux {

struct Mp4Limits {
    /// Boxes visited in all (top level and inside moov): too_many_boxes.
    std::size_t max_boxes = 200'000;
    /// Container nesting inside moov (moov/trak/mdia/minf/stbl is 5): box_nesting_too_deep.
    std::size_t max_depth = 16;
    /// `trak` boxes in the movie, played or not: too_many_tracks.
    std::size_t max_tracks = 64;
    /// Samples in one played track (10 million: ~46 h of 60 fps video): too_many_samples.
    std::uint64_t max_samples_per_track = 10'000'000;
    /// Size of the `moov` box, which open() reads into memory: moov_too_large.
    std::uint64_t max_moov_bytes = 256u << 20;
    /// One sample's data: an FLV tag body (U24 DataSize) must hold it and a
    /// header of up to 8 bytes: sample_too_large.
    std::uint32_t max_sample_bytes = 0xFFFFFF - 8;
};

}  // namespace sluice::demux
