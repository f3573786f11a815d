#pragma once
// demux::Mp3FrameHeader: the 4-byte header of an MPEG-1/2/2.5 Layer III
// audio frame (ISO/IEC 11172-3 §2.4.1.3, ISO/IEC 13818-3; MPEG-2.5 is the
// de facto low-rate extension), and the FLV audio header byte for MP3.
//
//   sync UB[11] = all ones | version UB[2] (00 2.5, 01 reserved, 10 2, 11 1)
//   layer UB[2] (01 = III) | protection_absent UB[1] | bitrate_index UB[4]
//   sampling_frequency UB[2] | padding UB[1] | private UB[1] | mode UB[2] (11 mono)
//   mode_extension UB[2] | copyright UB[1] | original UB[1] | emphasis UB[2]
//
//   frame bytes = 144 * bitrate / rate + padding (MPEG-1), 72 * bitrate / rate + padding (2, 2.5)
//   samples per frame = 1152 (MPEG-1), 576 (2, 2.5)
//
// Example: FF FB 90 C0 = MPEG-1 Layer III, 128 kbit/s, 44100 Hz, mono,
// 417 bytes (418 with padding).
//
// Contract: parse_mp3_frame_header() accepts only Layer III headers with a
// listed bitrate (free format, index 0, is refused: its frame length is not
// in the header) and a listed rate; everything else is nullopt. Pure
// functions, no allocation.
#include <cstdint>
#include <optional>

#include "base/byte_reader.hpp"

namespace sluice::demux {

struct Mp3FrameHeader {
    std::uint8_t version = 1;       ///< 1 MPEG-1, 2 MPEG-2, 25 MPEG-2.5
    bool crc = false;               ///< a 16-bit CRC follows the header
    std::uint32_t bitrate = 0;      ///< bit/s
    std::uint32_t sample_rate = 0;  ///< Hz
    bool padding = false;
    std::uint8_t channel_mode = 0;  ///< 0 stereo, 1 joint stereo, 2 dual channel, 3 mono
    std::uint32_t frame_size = 0;   ///< bytes, header included
    std::uint32_t samples_per_frame = 1152;

    std::uint8_t channels() const noexcept { return channel_mode == 3 ? 1 : 2; }
    /// Offset of a Xing/Info tag inside the frame: header + side information.
    std::uint32_t xing_offset() const noexcept;
};

std::optional<Mp3FrameHeader> parse_mp3_frame_header(std::uint32_t word) noexcept;
/// Reads the first 4 bytes of `bytes` (nullopt when shorter).
std::optional<Mp3FrameHeader> parse_mp3_frame_header(base::Bytes bytes) noexcept;

/// True when two headers belong to one stream (same version and rate), the
/// test used to tell real frames from sync-like garbage.
bool same_stream(const Mp3FrameHeader& a, const Mp3FrameHeader& b) noexcept;

/// True when the frame (whose first bytes are `frame`) carries a Xing, Info
/// or VBRI tag instead of audio (LAME and others write one first frame so).
bool is_vbr_info_frame(const Mp3FrameHeader& h, base::Bytes frame) noexcept;

/// The FLV AUDIODATA first byte for an MP3 frame (REFERENCE.md §7.3):
/// SoundFormat 2 (14 for 8 kHz), SoundRate by the nearest FLV rate
/// (44.1/48/32 kHz -> 3, 22.05/24/16 kHz -> 2, 11.025/12 kHz -> 1, 8 kHz -> 0),
/// SoundSize 1 (16-bit), SoundType 1 unless mono. Example: 2F = 44.1 kHz stereo.
std::uint8_t flv_mp3_header_byte(std::uint32_t sample_rate, std::uint8_t channels) noexcept;

}  // namespace sluice::demux
