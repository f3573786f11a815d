#pragma once
// flv::AudioTagHeader: the header at the start of every FLV audio tag body
// and RTMP audio message (type 8), legacy and Enhanced RTMP forms
// (REFERENCE.md §7.3, §8.6).
//
// Byte 0:  SoundFormat UB[4] | SoundRate UB[2] | SoundSize UB[1] | SoundType UB[1]
//          (SoundFormat 9 = ExHeader: the low 4 bits are the AudioPacketType)
//
// Legacy:   AAC (10): AACPacketType U8 (0 AudioSpecificConfig, 1 raw frame) | body
//           other formats: body
// Enhanced: [ModEx blocks] [Multitrack: type UB[4] | packet type UB[4]] [FourCC U32]
//           per track: [FourCC if ManyTracksManyCodecs] [trackId U8 if multitrack]
//                      [trackSize U24 unless OneTrack] body
//           MultichannelConfig body: channelOrder U8 | channelCount U8 |
//                      custom: channelCount x U8 AudioChannel; native: U32 mask
//
// Worked bytes (REFERENCE.md §7.3, §8.6):
//   AF 00 12 10                     AAC sequence header, LC 44.1 kHz stereo
//   90 4F 70 75 73 <OpusHead>       Opus sequence start
//   94 4F 70 75 73 01 02 00 00 00 03   Opus stereo native channel layout
//   95 11 6D 70 34 61 | 00 000040 <64> | 01 000040 <64>   two AAC tracks
//
// Contract: like parse_video (video_header.hpp): bodies are spans into the
// payload; the whole message is read; errors are non-fatal flv::Errc.
// An empty audio message is valid: a silence marker ([ERTMP2]), reported
// with `silence` set and no track.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "base/byte_reader.hpp"
#include "base/byte_writer.hpp"
#include "base/result.hpp"
#include "flv/video_header.hpp"  // MultitrackType

namespace sluice::flv {

enum class SoundFormat : std::uint8_t {
    pcm_platform_endian = 0,
    adpcm = 1,
    mp3 = 2,
    pcm_little_endian = 3,
    nellymoser_16k_mono = 4,
    nellymoser_8k_mono = 5,
    nellymoser = 6,
    g711_alaw = 7,
    g711_mulaw = 8,
    ex_header = 9,  ///< reserved in [FLV]; Enhanced RTMP extended header
    aac = 10,
    speex = 11,
    reserved_12 = 12,
    reserved_13 = 13,
    mp3_8k = 14,
    device_specific = 15,
};

enum class AudioPacketType : std::uint8_t {
    sequence_start = 0,
    coded_frames = 1,
    sequence_end = 2,
    multichannel_config = 4,
    multitrack = 5,
    mod_ex = 7,
};

enum class AudioChannelOrder : std::uint8_t { unspecified = 0, native = 1, custom = 2 };

struct MultichannelConfig {
    AudioChannelOrder order = AudioChannelOrder::unspecified;
    std::uint8_t channel_count = 0;
    std::uint32_t channel_mask = 0;      ///< native order: bit n = AudioChannel n
    std::vector<std::uint8_t> channels;  ///< custom order: one AudioChannel per channel
    friend bool operator==(const MultichannelConfig&, const MultichannelConfig&) = default;
};

struct AudioTrack {
    std::uint32_t fourcc = 0;                        ///< enhanced codec; 0 for legacy messages
    std::uint8_t track_id = 0;                       ///< 0 unless multitrack
    base::Bytes body;                                ///< config, frames, or the raw MultichannelConfig bytes
    std::optional<MultichannelConfig> multichannel;  ///< packet type MultichannelConfig
};

struct AudioTagHeader {
    struct Limits {
        std::size_t max_tracks = 64;
    };

    bool silence = false;  ///< empty message
    bool enhanced = false;
    SoundFormat format = SoundFormat::aac;
    std::uint8_t sound_rate = 0;  ///< legacy: 0 5.5 kHz, 1 11 kHz, 2 22 kHz, 3 44 kHz
    std::uint8_t sound_size = 0;  ///< legacy: 0 8-bit, 1 16-bit
    std::uint8_t sound_type = 0;  ///< legacy: 0 mono, 1 stereo
    /// Legacy AAC: AACPacketType 0/1 as sequence_start/coded_frames; other
    /// legacy formats: coded_frames.
    AudioPacketType packet_type = AudioPacketType::coded_frames;
    std::uint32_t nano_offset = 0;
    bool multitrack = false;
    MultitrackType multitrack_type = MultitrackType::one_track;
    std::vector<AudioTrack> tracks;

    /// Nominal legacy rate in Hz (5512, 11025, 22050, 44100); for AAC and
    /// enhanced audio the real rate is in the codec configuration.
    std::uint32_t legacy_sample_rate() const noexcept;
};

base::Result<AudioTagHeader> parse_audio(base::Bytes payload, AudioTagHeader::Limits limits = {});

/// True for a codec configuration message: legacy AAC packet type 0 or
/// enhanced SequenceStart.
bool is_audio_sequence_header(const AudioTagHeader& h) noexcept;
bool is_audio_sequence_header(base::Bytes payload);

/// Writes the 2-byte legacy AAC header: AF, then AACPacketType.
void write_legacy_aac_header(base::ByteWriter& out, std::uint8_t aac_packet_type);
/// Writes a single-track enhanced header: 9<packet>, FourCC (with a ModEx
/// TimestampOffsetNano block first when nano_offset > 0).
void write_enhanced_audio_header(base::ByteWriter& out, AudioPacketType packet, std::uint32_t fourcc,
                                 std::uint32_t nano_offset = 0);
/// Writes a MultichannelConfig body (after write_enhanced_audio_header with
/// packet type multichannel_config).
void write_multichannel_config(base::ByteWriter& out, const MultichannelConfig& config);

}  // namespace sluice::flv
