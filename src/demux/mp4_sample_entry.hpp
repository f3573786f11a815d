#pragma once
// demux::Mp4SampleEntry: what a track's sample description box (`stsd`,
// ISO/IEC 14496-12 §8.5.2) says about its codec, reduced to what FLV needs.
//
// Supported first entries (further entries are ignored):
//   avc1, avc3  + avcC (ISO/IEC 14496-15 §5.3.3.1)       -> H.264
//   hvc1, hev1  + hvcC (ISO/IEC 14496-15 §8.3.3.1)       -> HEVC
//   mp4a        + esds (ISO/IEC 14496-1 §7.2.6.5), objectTypeIndication
//               0x40 / 0x66-0x68 + DecoderSpecificInfo   -> AAC (AudioSpecificConfig)
//               0x69 / 0x6B (MPEG-1/2 audio)             -> MP3 (no configuration)
//   The audio entry may be QuickTime version 1 or 2, and its esds may sit
//   inside a `wave` box.
//
// Visual sample entry:  6 reserved | data_reference_index U16 | 16 bytes | width U16 | height U16 |
//                       50 bytes (resolutions, frame count, compressor name, depth) | child boxes
// Audio sample entry:   6 reserved | data_reference_index U16 | version U16 | 6 bytes |
//                       channelcount U16 | samplesize U16 | 4 bytes | samplerate U32 (16.16) |
//                       [v1: 16 bytes] [v2: 36 bytes] | child boxes
//
// Contract: parse_sample_entry() reads only the `stsd` body it is given and
// copies the codec configuration out (the result does not borrow).
// Errors: Errc::no_supported_track for an entry of another codec (mp4v,
// encv, text, ...) or no entry; Errc::codec_config_invalid when the codec
// box is missing or does not parse with flv::parse_avc_config /
// parse_hevc_config / parse_aac_config; box_* errors for broken framing.
#include <cstdint>

#include "base/byte_reader.hpp"
#include "base/byte_writer.hpp"
#include "base/result.hpp"
#include "demux/sample.hpp"

namespace sluice::demux {

enum class Mp4Codec : std::uint8_t { h264, hevc, aac, mp3 };

struct Mp4SampleEntry {
    TrackKind kind = TrackKind::video;
    Mp4Codec codec = Mp4Codec::h264;
    std::uint32_t format = 0;  ///< the entry's FourCC (avc1, hev1, mp4a, ...)
    std::uint32_t width = 0;   ///< video: from the entry, else the SPS
    std::uint32_t height = 0;
    std::uint32_t sample_rate = 0;  ///< audio: AAC output rate, else the entry's rate
    std::uint8_t channels = 0;      ///< audio: AAC config, else the entry (MP3: see Mp4Reader)
    /// avcC / hvcC record or AudioSpecificConfig; empty for MP3.
    base::ByteVector config;
};

/// Parses the body of an `stsd` box (after its 8-byte box header).
base::Result<Mp4SampleEntry> parse_sample_entry(base::Bytes stsd_body);

}  // namespace sluice::demux
