#pragma once
// flv::AvcConfig: the AVCDecoderConfigurationRecord (ISO/IEC 14496-15
// §5.3.3.1, the `avcC` box body) carried by legacy AVC sequence headers
// (17 00 00 00 00 <record>) and enhanced `avc1` SequenceStart; and
// flv::AvcSps, the fields of an H.264 sequence parameter set (ITU-T H.264
// §7.3.2.1.1) needed to describe a stream.
//
//   configurationVersion U8 = 1 | AVCProfileIndication U8 | profile_compatibility U8
//   AVCLevelIndication U8 | reserved UB[6] '111111' | lengthSizeMinusOne UB[2]
//   reserved UB[3] '111' | numOfSequenceParameterSets UB[5]
//   { sequenceParameterSetLength U16 | SPS NAL unit }*
//   numOfPictureParameterSets U8 | { pictureParameterSetLength U16 | PPS NAL unit }*
//   [high profiles: chroma_format, bit depths, SPS extensions — not read]
//
// Contract: parse_avc_config() borrows the input (the parameter sets are
// spans into it). Reserved bits are not checked (encoders in the wild
// leave them 0). Errors: Errc::avc_config_invalid for a truncated record,
// a version other than 1, or more parameter sets than the limits;
// Errc::sps_invalid from parse_avc_sps(). describe() gives the text
// `sluice probe` prints, e.g. "H.264 High 4.0 1280x720".
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/byte_reader.hpp"
#include "base/result.hpp"

namespace sluice::flv {

struct AvcSps {
    std::uint8_t profile_idc = 0;
    std::uint8_t constraint_flags = 0;  ///< constraint_set0..5 flags and reserved bits, as on the wire
    std::uint8_t level_idc = 0;
    std::uint32_t chroma_format_idc = 1;  ///< 0 monochrome, 1 4:2:0, 2 4:2:2, 3 4:4:4
    std::uint32_t bit_depth_luma = 8;
    std::uint32_t bit_depth_chroma = 8;
    bool frame_mbs_only = true;
    std::uint32_t width = 0;   ///< luma samples after cropping
    std::uint32_t height = 0;  ///< luma samples after cropping
};

/// Parses an SPS NAL unit (with its 1-byte NAL header, type 7), removing
/// emulation-prevention bytes. Reads up to frame cropping; VUI is not read.
base::Result<AvcSps> parse_avc_sps(base::Bytes nal);

struct AvcConfig {
    struct Limits {
        std::size_t max_sps_count = 31;   ///< the 5-bit field's maximum
        std::size_t max_pps_count = 255;  ///< the U8 field's maximum
    };

    std::uint8_t profile = 0;          ///< AVCProfileIndication (profile_idc)
    std::uint8_t compatibility = 0;    ///< profile_compatibility (constraint flags)
    std::uint8_t level = 0;            ///< AVCLevelIndication (level_idc, e.g. 31 = 3.1)
    std::uint8_t nal_length_size = 4;  ///< 1, 2 or 4 (3 is invalid in H.264 but read as is)
    std::vector<base::Bytes> sps;
    std::vector<base::Bytes> pps;
    std::optional<AvcSps> first_sps;  ///< parsed first SPS, when present and valid
};

base::Result<AvcConfig> parse_avc_config(base::Bytes record, AvcConfig::Limits limits = {});

/// "Baseline", "Constrained Baseline", "Main", "Extended", "High", "High 10",
/// "High 4:2:2", "High 4:4:4 Predictive", ... or "profile <n>".
std::string avc_profile_name(std::uint8_t profile_idc, std::uint8_t constraint_flags);
/// "3.1", "4.0", "1b" (level_idc 9).
std::string avc_level_name(std::uint8_t level_idc);
/// "H.264 High 4.0 1280x720" (resolution omitted when no SPS parsed).
std::string describe(const AvcConfig& config);

}  // namespace sluice::flv
