#pragma once
// flv::AacConfig: the AAC AudioSpecificConfig (ISO/IEC 14496-3 §1.6.2.1)
// carried by legacy AAC sequence headers (AF 00 <config>) and enhanced
// `mp4a` SequenceStart.
//
//   audioObjectType UB[5] (31: 32 + UB[6])
//   samplingFrequencyIndex UB[4] (15: samplingFrequency UB[24])
//   channelConfiguration UB[4]
//   if audioObjectType is 5 (SBR) or 29 (PS), explicit hierarchical signalling:
//     extensionSamplingFrequencyIndex UB[4] (15: UB[24]); audioObjectType again (the core)
//   GASpecificConfig (core types 1-4, 6, 7, 17, 19-23): frameLengthFlag UB[1],
//     dependsOnCoreCoder UB[1] (+ coreCoderDelay UB[14]), extensionFlag UB[1]
//   then, optionally, backward-compatible signalling: syncExtensionType UB[11] = 0x2B7,
//     extensionAudioObjectType UB[5] = 5, sbrPresentFlag UB[1], [extension rate],
//     [syncExtensionType 0x548, psPresentFlag UB[1]]
//
// Example: 12 10 = AAC LC (2), 44100 Hz (index 4), 2 channels.
//
// Contract: reads only from the input span. Errc::aac_config_invalid for a
// truncated config, a reserved sampling frequency index (13, 14), object
// type 0 or a zero explicit rate. A channelConfiguration of 0 (layout in a
// program config element, not read) gives channels 0. describe() gives
// e.g. "AAC LC 48000 Hz 2 ch" or "HE-AAC v2 48000 Hz 2 ch" (output rate).
#include <cstdint>
#include <string>

#include "base/byte_reader.hpp"
#include "base/byte_writer.hpp"
#include "base/result.hpp"

namespace sluice::flv {

struct AacConfig {
    std::uint8_t object_type = 0;   ///< core audio object type (2 = LC) after SBR/PS signalling
    std::uint32_t sample_rate = 0;  ///< core sampling frequency, Hz
    std::uint8_t channel_configuration = 0;
    std::uint8_t channels = 0;                ///< from channelConfiguration (7 -> 8); 0 when unknown
    bool sbr = false;                         ///< HE-AAC (explicit or backward-compatible signalling)
    bool ps = false;                          ///< HE-AAC v2 (parametric stereo)
    std::uint32_t extension_sample_rate = 0;  ///< SBR output rate, 0 when no SBR

    /// The rate a decoder outputs: the SBR rate when SBR is signalled.
    std::uint32_t output_sample_rate() const noexcept {
        return sbr && extension_sample_rate != 0 ? extension_sample_rate : sample_rate;
    }
};

base::Result<AacConfig> parse_aac_config(base::Bytes config);

/// "Main", "LC", "SSR", "LTP", "HE-AAC", "HE-AAC v2", "LD", "ELD", "xHE-AAC", ...
std::string aac_profile_name(const AacConfig& config);
/// "AAC LC 44100 Hz 2 ch"; HE forms print their profile alone ("HE-AAC 48000 Hz 2 ch").
std::string describe(const AacConfig& config);

/// Writes a 2-byte AudioSpecificConfig for object types 1-30 with a
/// standard rate and channel configuration (what encoders send for LC);
/// returns false (writes nothing) when the rate has no index.
bool write_aac_config(base::ByteWriter& out, std::uint8_t object_type, std::uint32_t sample_rate,
                      std::uint8_t channel_configuration);

}  // namespace sluice::flv
