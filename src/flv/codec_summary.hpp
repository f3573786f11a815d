#pragma once
// One-line codec descriptions from audio/video message payloads, for
// `sluice probe` and logs: the dispatch from tag headers (legacy CodecID /
// SoundFormat, or enhanced FourCC) to the configuration parsers
// (avc_config.hpp, hevc_config.hpp, aac_config.hpp, opus_header.hpp).
//
//   describe_video(17 00 00 00 00 <avcC>)   -> "H.264 High 4.0 1280x720"
//   describe_video(90 'hvc1' <hvcC>)        -> "H.265 Main 4.1 1920x1080"
//   describe_audio(AF 00 12 10)             -> "AAC LC 44100 Hz 2 ch"
//   describe_audio(2F ...)                  -> "MP3 44100 Hz 16-bit stereo"
//
// Contract: the payload is any audio/video message; for a sequence header
// the configuration is parsed, for other messages (and codecs without a
// parser here) only the codec name and header fields are given. Errors are
// those of the header and configuration parsers (flv::Errc). For
// multitrack messages the first track is described.
#include <cstdint>
#include <string>

#include "base/byte_reader.hpp"
#include "base/result.hpp"

namespace sluice::flv {

base::Result<std::string> describe_video(base::Bytes payload);
base::Result<std::string> describe_audio(base::Bytes payload);

/// Codec names: "Sorenson H.263", "VP6", "H.264", "H.265", "AV1", "VP9", ...
/// For a legacy CodecID (fourcc == 0) or an enhanced FourCC.
std::string video_codec_name(unsigned codec_id, std::uint32_t fourcc);
/// For a legacy SoundFormat (fourcc == 0) or an enhanced FourCC.
std::string audio_codec_name(unsigned sound_format, std::uint32_t fourcc);

}  // namespace sluice::flv
