#pragma once
// flv::VideoTagHeader: the header at the start of every FLV video tag body
// and RTMP video message (type 9), legacy and Enhanced RTMP forms
// (REFERENCE.md §7.4, §8.1-§8.5).
//
// Byte 0:  IsExHeader UB[1] | FrameType UB[3] | CodecID or VideoPacketType UB[4]
//
// Legacy (IsExHeader 0):
//   AVC (7) / legacy HEVC (12):  AVCPacketType U8 | CompositionTime SI24 | body
//   frame type 5 (any codec):    one U8 command (0 seek start, 1 seek end)
//   other codecs:                body (codec-specific, e.g. VP6 adjustment byte kept in the body)
// Enhanced (IsExHeader 1):
//   [ModEx blocks] [Multitrack: type UB[4] | packet type UB[4]] [FourCC U32]
//   per track: [FourCC if ManyTracksManyCodecs] [trackId U8 if multitrack]
//              [trackSize U24 unless OneTrack] [SI24 CTS if CodedFrames of avc1/hvc1/vvc1] body
//
// Worked bytes (REFERENCE.md §8.2):
//   90 68 76 63 31 <hvcC>               HEVC sequence start, key frame
//   A1 68 76 63 31 00 00 28 <NALUs>     HEVC inter frame, CTS +40 ms
//   96 13 68 76 63 31 00 000020 <32> 01 000010 <16>   two HEVC tracks
//   97 02 0F 42 3F 03 61 76 63 31 <NALUs>   ModEx nano offset 999999 ns
//
// Contract:
//  - parse_video() borrows the payload: track bodies are spans into it, valid
//    while the payload lives (slice a base::Payload with body_offset() for a
//    counted view). It reads the whole message: with ManyTracks* every track
//    up to the end; bytes a OneTrack or single-track body holds all belong
//    to that body.
//  - Errors (non-fatal, the message is refused): a truncated header, a
//    reserved frame type, a reserved packet type, an unknown FourCC, bad
//    ModEx or multitrack structure, more tracks than Limits::max_tracks.
//    An unknown LEGACY codec id is not an error (its body is opaque).
//  - An empty video message is an error (video_header_truncated).
//  - Never throws on input; allocates only the track list (bounded).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "base/byte_reader.hpp"
#include "base/byte_writer.hpp"
#include "base/result.hpp"

namespace sluice::flv {

enum class VideoFrameType : std::uint8_t {
    key = 1,               ///< seekable frame
    inter = 2,             ///< non-seekable frame
    disposable_inter = 3,  ///< H.263 only
    generated_key = 4,     ///< server-generated key frame
    command = 5,           ///< video info/command frame
};

enum class VideoCodecId : std::uint8_t {
    sorenson_h263 = 2,
    screen_video = 3,
    vp6 = 4,
    vp6_alpha = 5,
    screen_video_v2 = 6,
    avc = 7,
    hevc_legacy = 12,  ///< non-standard pre-2023 HEVC extension (FFmpeg FLV_CODECID_X_HEVC)
};

/// Enhanced VideoPacketType. Legacy AVC/HEVC AVCPacketType 0/1/2 map to
/// sequence_start/coded_frames/sequence_end; other legacy codecs report
/// coded_frames.
enum class VideoPacketType : std::uint8_t {
    sequence_start = 0,
    coded_frames = 1,
    sequence_end = 2,
    coded_frames_x = 3,
    metadata = 4,
    mpeg2ts_sequence_start = 5,
    multitrack = 6,
    mod_ex = 7,
};

enum class VideoCommand : std::uint8_t { start_seek = 0, end_seek = 1 };

enum class MultitrackType : std::uint8_t { one_track = 0, many_tracks = 1, many_tracks_many_codecs = 2 };

struct VideoTrack {
    std::uint32_t fourcc = 0;           ///< enhanced codec; 0 for legacy messages
    std::uint8_t track_id = 0;          ///< 0 unless multitrack
    std::int32_t composition_time = 0;  ///< ms, PTS = DTS + this (0 when absent)
    base::Bytes body;                   ///< codec config, NALUs/OBUs/frame, AMF metadata, or empty
};

struct VideoTagHeader {
    struct Limits {
        /// Tracks in one multitrack message (track ids are U8, so 256 at most).
        std::size_t max_tracks = 64;
    };

    bool enhanced = false;
    VideoFrameType frame_type = VideoFrameType::key;
    std::uint8_t codec_id = 0;  ///< legacy CodecID (VideoCodecId values or other); 0 when enhanced
    VideoPacketType packet_type = VideoPacketType::coded_frames;
    std::optional<VideoCommand> command;  ///< frame type 5 (other than Metadata): the command byte
    std::uint32_t nano_offset = 0;        ///< ModEx TimestampOffsetNano (0..999999 ns)
    bool multitrack = false;
    MultitrackType multitrack_type = MultitrackType::one_track;
    /// One entry for a single-track message, one per track for multitrack;
    /// empty for a command frame.
    std::vector<VideoTrack> tracks;

    /// Offset of `track.body` inside the parsed payload (for Payload::slice).
    static std::size_t body_offset(base::Bytes payload, const VideoTrack& track) noexcept {
        return track.body.empty() ? payload.size()
                                  : static_cast<std::size_t>(track.body.data() - payload.data());
    }
};

base::Result<VideoTagHeader> parse_video(base::Bytes payload, VideoTagHeader::Limits limits = {});

/// True for a key or generated-key frame carrying media or a sequence
/// start (not a command frame). A payload that does not parse is false.
bool is_video_keyframe(const VideoTagHeader& h) noexcept;
bool is_video_keyframe(base::Bytes payload);
/// True for a codec configuration message: legacy AVC/HEVC AVCPacketType 0,
/// enhanced SequenceStart or MPEG2TSSequenceStart.
bool is_video_sequence_header(const VideoTagHeader& h) noexcept;
bool is_video_sequence_header(base::Bytes payload);

/// Writes a legacy AVC/HEVC header: `frame<<4 | codec`, AVCPacketType
/// (0 sequence header, 1 NALUs, 2 end of sequence), SI24 composition time.
/// 5 bytes; the caller appends the body.
void write_legacy_avc_header(base::ByteWriter& out, VideoFrameType frame, VideoCodecId codec,
                             std::uint8_t avc_packet_type, std::int32_t composition_time);

/// Writes a single-track enhanced header: `0x80 | frame<<4 | packet`, the
/// FourCC, and for CodedFrames of avc1/hvc1/vvc1 the SI24 composition time.
/// A TimestampOffsetNano > 0 adds a ModEx block first. Packet types
/// multitrack and mod_ex are not written by this helper.
void write_enhanced_video_header(base::ByteWriter& out, VideoFrameType frame, VideoPacketType packet,
                                 std::uint32_t fourcc, std::int32_t composition_time = 0,
                                 std::uint32_t nano_offset = 0);

}  // namespace sluice::flv
