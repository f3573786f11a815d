#pragma once
// flv::HevcConfig: the HEVCDecoderConfigurationRecord (ISO/IEC 14496-15
// §8.3.3.1, the `hvcC` box body) carried by enhanced `hvc1` SequenceStart
// (90 68 76 63 31 <record>) and legacy CodecID 12; and flv::HevcSps, the
// fields of an H.265 sequence parameter set (ITU-T H.265 §7.3.2.2) needed
// to describe a stream.
//
//   configurationVersion U8 = 1
//   general_profile_space UB[2] | general_tier_flag UB[1] | general_profile_idc UB[5]
//   general_profile_compatibility_flags U32 | general_constraint_indicator_flags U48
//   general_level_idc U8 | reserved '1111' min_spatial_segmentation_idc UB[12]
//   reserved '111111' parallelismType UB[2] | reserved '111111' chromaFormat UB[2]
//   reserved '11111' bitDepthLumaMinus8 UB[3] | reserved '11111' bitDepthChromaMinus8 UB[3]
//   avgFrameRate U16 | constantFrameRate UB[2] numTemporalLayers UB[3]
//   temporalIdNested UB[1] lengthSizeMinusOne UB[2] | numOfArrays U8
//   { array_completeness UB[1] reserved UB[1] NAL_unit_type UB[6] | numNalus U16
//     { nalUnitLength U16 | NAL unit }* }*
//
// Contract: like AvcConfig (avc_config.hpp): spans into the input;
// Errc::hevc_config_invalid for a truncated record, a version other than 1
// or more arrays/NAL units than the limits; Errc::sps_invalid from
// parse_hevc_sps(). describe() gives e.g. "H.265 Main 4.1 1920x1080".
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/byte_reader.hpp"
#include "base/result.hpp"

namespace sluice::flv {

struct HevcSps {
    std::uint8_t profile_idc = 0;
    bool high_tier = false;
    std::uint8_t level_idc = 0;  ///< 30 x level (e.g. 123 = 4.1)
    std::uint32_t chroma_format_idc = 1;
    std::uint32_t bit_depth_luma = 8;
    std::uint32_t bit_depth_chroma = 8;
    std::uint32_t width = 0;  ///< luma samples after the conformance window
    std::uint32_t height = 0;
};

/// Parses an SPS NAL unit (with its 2-byte NAL header, type 33), removing
/// emulation-prevention bytes. Reads up to the bit depths.
base::Result<HevcSps> parse_hevc_sps(base::Bytes nal);

struct HevcNalArray {
    bool complete = false;
    std::uint8_t nal_type = 0;  ///< 32 VPS, 33 SPS, 34 PPS, 39/40 SEI
    std::vector<base::Bytes> nal_units;
};

struct HevcConfig {
    struct Limits {
        std::size_t max_arrays = 16;
        std::size_t max_nal_units = 64;  ///< over all arrays
    };

    std::uint8_t profile_space = 0;
    bool high_tier = false;
    std::uint8_t profile_idc = 0;  ///< 1 Main, 2 Main 10, 3 Main Still Picture, 4 RExt
    std::uint32_t compatibility_flags = 0;
    std::uint64_t constraint_flags = 0;  ///< the 48 bits
    std::uint8_t level_idc = 0;
    std::uint8_t chroma_format = 1;
    std::uint8_t bit_depth_luma = 8;
    std::uint8_t bit_depth_chroma = 8;
    std::uint16_t avg_frame_rate = 0;  ///< frames per 256 seconds, 0 = unspecified
    std::uint8_t temporal_layers = 0;
    std::uint8_t nal_length_size = 4;
    std::vector<HevcNalArray> arrays;
    std::optional<HevcSps> first_sps;  ///< parsed first SPS (type 33), when present and valid
};

base::Result<HevcConfig> parse_hevc_config(base::Bytes record, HevcConfig::Limits limits = {});

/// "Main", "Main 10", "Main Still Picture", "Range Extensions", ... or "profile <n>".
std::string hevc_profile_name(std::uint8_t profile_idc);
/// level_idc / 30 as "4.1", "5", "6.2".
std::string hevc_level_name(std::uint8_t level_idc);
/// "H.265 Main 4.1 1920x1080" (" High tier" after the level when set).
std::string describe(const HevcConfig& config);

}  // namespace sluice::flv
