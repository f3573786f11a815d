#pragma once
// flv::OpusHeader: the Opus identification header (RFC 7845 §5.1) carried
// by enhanced `Opus` SequenceStart (90 4F 70 75 73 <OpusHead>).
//
//   'OpusHead' (8) | version U8 (1; upper nibble = major) | channel count U8
//   pre-skip U16 LE | input sample rate U32 LE | output gain S16 LE
//   channel mapping family U8 | [family != 0: stream count, coupled count, mapping[channels]]
//
// Contract: reads only from the input span. Errc::opus_header_invalid for
// a missing magic, a truncated header, a major version other than 0, or a
// channel count of 0. Note the little-endian fields: Opus's own layout.
// An empty SequenceStart is legal in E-RTMP (mono/stereo by default);
// callers check for it before calling.
#include <cstdint>
#include <string>

#include "base/byte_reader.hpp"
#include "base/result.hpp"

namespace sluice::flv {

struct OpusHeader {
    std::uint8_t version = 1;
    std::uint8_t channels = 0;
    std::uint16_t pre_skip = 0;
    std::uint32_t input_sample_rate = 0;  ///< informational; Opus always decodes at 48 kHz
    std::int16_t output_gain = 0;         ///< Q7.8 dB
    std::uint8_t mapping_family = 0;
};

base::Result<OpusHeader> parse_opus_header(base::Bytes header);
/// "Opus 48000 Hz 2 ch" (the input rate when set, else 48000).
std::string describe(const OpusHeader& header);

}  // namespace sluice::flv
