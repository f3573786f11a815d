#include "flv/hevc_config.hpp"

#include "flv/detail/bit_reader.hpp"
#include "flv/detail/rbsp.hpp"
#include "flv/errors.hpp"

namespace sluice::flv {

namespace {

constexpr std::size_t max_sps_rbsp_bytes = 1024;
constexpr std::uint32_t max_dimension = 16888;  // H.265 level 6.2 maximum picture width is 16888
constexpr std::uint8_t sps_nal_type = 33;

}  // namespace

base::Result<HevcSps> parse_hevc_sps(base::Bytes nal) {
    if (nal.size() < 2 || ((nal[0] >> 1) & 0x3F) != sps_nal_type) return Errc::sps_invalid;
    const base::ByteVector rbsp = detail::to_rbsp(nal.subspan(2), max_sps_rbsp_bytes);
    detail::BitReader br(rbsp);
    HevcSps s;
    br.bits(4);  // sps_video_parameter_set_id
    const std::uint32_t max_sub_layers_minus1 = br.bits(3);
    br.bit();  // sps_temporal_id_nesting_flag
    // profile_tier_level(1, sps_max_sub_layers_minus1), H.265 §7.3.3
    br.bits(2);  // general_profile_space
    s.high_tier = br.bit() != 0;
    s.profile_idc = static_cast<std::uint8_t>(br.bits(5));
    br.skip(32 + 4 + 43 + 1);  // compatibility flags, 4 source flags, 43 constraint bits, 1 more
    s.level_idc = static_cast<std::uint8_t>(br.bits(8));
    bool profile_present[8] = {};
    bool level_present[8] = {};
    for (std::uint32_t i = 0; i < max_sub_layers_minus1; ++i) {
        profile_present[i] = br.bit() != 0;
        level_present[i] = br.bit() != 0;
    }
    if (max_sub_layers_minus1 > 0) {
        for (std::uint32_t i = max_sub_layers_minus1; i < 8; ++i) br.bits(2);  // reserved_zero_2bits
    }
    for (std::uint32_t i = 0; i < max_sub_layers_minus1; ++i) {
        if (profile_present[i]) br.skip(88);
        if (level_present[i]) br.skip(8);
    }
    if (br.ue() > 15) return Errc::sps_invalid;  // sps_seq_parameter_set_id
    s.chroma_format_idc = br.ue();
    if (s.chroma_format_idc > 3) return Errc::sps_invalid;
    bool separate_colour_plane = false;
    if (s.chroma_format_idc == 3) separate_colour_plane = br.bit() != 0;
    const std::uint32_t width = br.ue();
    const std::uint32_t height = br.ue();
    std::uint32_t window[4] = {0, 0, 0, 0};  // left, right, top, bottom
    if (br.bit() != 0) {
        for (auto& w : window) w = br.ue();
    }
    s.bit_depth_luma = br.ue() + 8;
    s.bit_depth_chroma = br.ue() + 8;
    if (br.failed() || width == 0 || height == 0 || width > max_dimension || height > max_dimension) {
        return Errc::sps_invalid;
    }
    // H.265 Table 6-1: SubWidthC/SubHeightC; 1 for 4:4:4, monochrome and separate planes.
    const std::uint32_t chroma = separate_colour_plane ? 0 : s.chroma_format_idc;
    const std::uint64_t sub_w = (chroma == 1 || chroma == 2) ? 2 : 1;
    const std::uint64_t sub_h = chroma == 1 ? 2 : 1;
    const std::uint64_t crop_w = sub_w * (std::uint64_t{window[0]} + window[1]);
    const std::uint64_t crop_h = sub_h * (std::uint64_t{window[2]} + window[3]);
    if (crop_w >= width || crop_h >= height) return Errc::sps_invalid;
    s.width = static_cast<std::uint32_t>(width - crop_w);
    s.height = static_cast<std::uint32_t>(height - crop_h);
    return s;
}

base::Result<HevcConfig> parse_hevc_config(base::Bytes record, HevcConfig::Limits limits) {
    base::ByteReader in(record);
    HevcConfig c;
    const std::uint8_t version = in.u8();
    const std::uint8_t b1 = in.u8();
    c.profile_space = static_cast<std::uint8_t>(b1 >> 6);
    c.high_tier = (b1 & 0x20) != 0;
    c.profile_idc = b1 & 0x1F;
    c.compatibility_flags = in.u32be();
    c.constraint_flags = (std::uint64_t{in.u16be()} << 32) | in.u32be();
    c.level_idc = in.u8();
    in.u16be();  // min_spatial_segmentation_idc
    in.u8();     // parallelismType
    c.chroma_format = in.u8() & 0x03;
    c.bit_depth_luma = static_cast<std::uint8_t>((in.u8() & 0x07) + 8);
    c.bit_depth_chroma = static_cast<std::uint8_t>((in.u8() & 0x07) + 8);
    c.avg_frame_rate = in.u16be();
    const std::uint8_t b21 = in.u8();
    c.temporal_layers = static_cast<std::uint8_t>((b21 >> 3) & 0x07);
    c.nal_length_size = static_cast<std::uint8_t>((b21 & 0x03) + 1);
    const std::size_t array_count = in.u8();
    if (in.failed() || version != 1 || array_count > limits.max_arrays) return Errc::hevc_config_invalid;
    std::size_t nal_total = 0;
    for (std::size_t i = 0; i < array_count; ++i) {
        HevcNalArray array;
        const std::uint8_t head = in.u8();
        array.complete = (head & 0x80) != 0;
        array.nal_type = head & 0x3F;
        const std::size_t count = in.u16be();
        if (in.failed() || count > limits.max_nal_units - nal_total) return Errc::hevc_config_invalid;
        nal_total += count;
        for (std::size_t j = 0; j < count; ++j) {
            const base::Bytes nal = in.bytes(in.u16be());
            if (in.failed()) return Errc::hevc_config_invalid;
            array.nal_units.push_back(nal);
        }
        c.arrays.push_back(std::move(array));
    }
    for (const auto& array : c.arrays) {
        if (array.nal_type == sps_nal_type && !array.nal_units.empty()) {
            auto sps = parse_hevc_sps(array.nal_units.front());
            if (sps) c.first_sps = *sps;
            break;
        }
    }
    return c;
}

std::string hevc_profile_name(std::uint8_t profile_idc) {
    switch (profile_idc) {
        case 1:
            return "Main";
        case 2:
            return "Main 10";
        case 3:
            return "Main Still Picture";
        case 4:
            return "Range Extensions";
        case 5:
            return "High Throughput";
        case 9:
            return "Screen Content Coding";
        default:
            return "profile " + std::to_string(profile_idc);
    }
}

std::string hevc_level_name(std::uint8_t level_idc) {
    const int tenths = level_idc / 3;  // level_idc = 30 x level
    std::string s = std::to_string(tenths / 10);
    if (tenths % 10 != 0) s += "." + std::to_string(tenths % 10);
    return s;
}

std::string describe(const HevcConfig& config) {
    std::string s =
        "H.265 " + hevc_profile_name(config.profile_idc) + " " + hevc_level_name(config.level_idc);
    if (config.high_tier) s += " High tier";
    if (config.first_sps) {
        s += " " + std::to_string(config.first_sps->width) + "x" + std::to_string(config.first_sps->height);
    }
    return s;
}

}  // namespace sluice::flv
