#pragma once
// demux::Mp3Reader: plays an MP3 file (`play("mp3:song.mp3")`) as FLV audio
// tags, one MPEG-1/2/2.5 Layer III frame per tag.
//
// What open() does (reads the file once, sequentially, in 64 KiB windows):
//  1. Skips ID3v2 tags at the start (several in a row too, with or without
//     footer), and excludes an ID3v1 tag ("TAG", last 128 bytes) and an
//     APEv2 tag (footer "APETAGEX") at the end.
//  2. Finds the first frame: a Layer III header whose next frame header (at
//     the computed length) is also valid and of the same stream, or which
//     ends less than 4 bytes before the end of the audio. The search covers at most
//     Mp3Limits::max_resync_bytes.
//  3. A first frame holding a Xing/Info/VBRI tag carries no audio and is
//     skipped (as FFmpeg does).
//  4. Walks frame by frame, building an index (offset, size). The stream is
//     locked to the first frame's MPEG version and sample rate; on a bad
//     header it resyncs by scanning forward at most max_resync_bytes for a
//     confirmed header, else it stops there (garbage or a cut tail ends the
//     audio; a last frame cut short is dropped). Free-format streams
//     (bitrate index 0) are not supported.
//
// Output: samples (sample.hpp) with dts_ms = frame number x samples per
// frame / rate (nearest ms), cts 0, all keyframes, track 0; encoder delay
// from a LAME tag is not applied (ffprobe's packet times are the same).
// duration_ms() = frames x samples per frame / rate. read_tag_payload()
// returns <flv_mp3_header_byte> <frame> (mp3_frame.hpp); MP3 needs no
// sequence header. seek(ms): next() continues at the frame containing `ms`;
// Errc::seek_beyond_end past duration_ms().
//
// Errors: Errc::mp3_sync_not_found (no confirmed frame), too_many_frames
// (Mp3Limits::max_frames), or the ByteSource's error. Memory: 16 bytes per
// frame (every frame is at least 24 bytes of file).
//
// Lifetime and threads: like Mp4Reader (the source must outlive the
// reader; not thread-safe; movable).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "base/payload.hpp"
#include "base/result.hpp"
#include "demux/byte_source.hpp"
#include "demux/mp3_frame.hpp"
#include "demux/sample.hpp"

namespace sluice::demux {

struct Mp3Limits {
    /// Frames in the index (10 million: ~72 h at 44.1 kHz): too_many_frames.
    std::uint64_t max_frames = 10'000'000;
    /// Bytes scanned to find the first frame or to resync after garbage.
    std::uint64_t max_resync_bytes = 256u << 10;
    /// ID3v2 tags skipped in a row at the start.
    std::size_t max_id3_tags = 16;
};

struct Mp3Info {
    std::uint8_t version = 1;  ///< 1, 2 or 25 (MPEG-2.5)
    std::uint32_t sample_rate = 0;
    std::uint8_t channels = 0;  ///< of the first frame
    std::uint32_t samples_per_frame = 0;
    std::uint32_t first_bitrate = 0;  ///< bit/s of the first audio frame
    std::uint64_t audio_offset = 0;   ///< first byte after the ID3v2 tags
    std::uint64_t audio_end = 0;      ///< first byte of the trailing tags (or the file size)
    std::uint64_t skipped_bytes = 0;  ///< garbage skipped while resyncing
    bool vbr_info_frame = false;      ///< a Xing/Info/VBRI frame was skipped
};

class Mp3Reader {
public:
    static base::Result<Mp3Reader> open(ByteSource& source, const Mp3Limits& limits = {});

    const Mp3Info& info() const noexcept { return info_; }
    std::uint64_t frame_count() const noexcept { return frames_.size(); }
    std::int64_t duration_ms() const noexcept { return time_of(frames_.size()); }

    std::optional<Sample> peek() const noexcept;
    std::optional<Sample> next() noexcept;
    /// Returns the time of the frame reached.
    base::Result<std::int64_t> seek(std::int64_t ms);

    /// Reads the frame through the source: FLV header byte + frame.
    base::Result<base::Payload> read_tag_payload(const Sample& sample);

private:
    struct Frame {
        std::uint64_t offset;
        std::uint32_t size;
    };

    Mp3Reader() = default;
    std::int64_t time_of(std::uint64_t frame) const noexcept;

    ByteSource* source_ = nullptr;
    Mp3Info info_;
    std::vector<Frame> frames_;
    std::size_t cursor_ = 0;
};

}  // namespace sluice::demux
