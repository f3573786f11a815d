#include "flv/avc_config.hpp"

#include "flv/detail/bit_reader.hpp"
#include "flv/detail/rbsp.hpp"
#include "flv/errors.hpp"

namespace sluice::flv {

namespace {

// An SPS with full scaling lists stays well below this; fields after
// cropping (VUI) are not read.
constexpr std::size_t max_sps_rbsp_bytes = 1024;
// Largest picture dimension accepted from an SPS (H.264 level 6.2 allows
// 8192 wide; leave room for odd streams without overflow risk).
constexpr std::uint32_t max_mbs_dimension = 1024;  // macroblocks: 16384 samples

bool has_chroma_info(std::uint8_t profile) noexcept {
    switch (profile) {
        case 100:
        case 110:
        case 122:
        case 244:
        case 44:
        case 83:
        case 86:
        case 118:
        case 128:
        case 138:
        case 139:
        case 134:
        case 135:
            return true;
        default:
            return false;
    }
}

/// Skips scaling_list() (H.264 §7.3.2.1.1.1); false on a delta_scale
/// outside the spec's -128..127.
bool skip_scaling_list(detail::BitReader& br, int size) {
    std::int32_t last = 8;
    std::int32_t next = 8;
    for (int j = 0; j < size && !br.failed(); ++j) {
        if (next != 0) {
            const std::int32_t delta = br.se();
            if (delta < -128 || delta > 127) return false;
            next = (last + delta + 256) % 256;
        }
        last = next == 0 ? last : next;
    }
    return true;
}

}  // namespace

base::Result<AvcSps> parse_avc_sps(base::Bytes nal) {
    if (nal.empty() || (nal[0] & 0x1F) != 7) return Errc::sps_invalid;
    const base::ByteVector rbsp = detail::to_rbsp(nal.subspan(1), max_sps_rbsp_bytes);
    detail::BitReader br(rbsp);
    AvcSps s;
    s.profile_idc = static_cast<std::uint8_t>(br.bits(8));
    s.constraint_flags = static_cast<std::uint8_t>(br.bits(8));
    s.level_idc = static_cast<std::uint8_t>(br.bits(8));
    if (br.ue() > 31) return Errc::sps_invalid;  // seq_parameter_set_id
    bool separate_colour_plane = false;
    if (has_chroma_info(s.profile_idc)) {
        s.chroma_format_idc = br.ue();
        if (s.chroma_format_idc > 3) return Errc::sps_invalid;
        if (s.chroma_format_idc == 3) separate_colour_plane = br.bit() != 0;
        s.bit_depth_luma = br.ue() + 8;
        s.bit_depth_chroma = br.ue() + 8;
        if (s.bit_depth_luma > 14 || s.bit_depth_chroma > 14) return Errc::sps_invalid;
        br.bit();             // qpprime_y_zero_transform_bypass_flag
        if (br.bit() != 0) {  // seq_scaling_matrix_present_flag
            const int lists = s.chroma_format_idc != 3 ? 8 : 12;
            for (int i = 0; i < lists && !br.failed(); ++i) {
                if (br.bit() != 0 && !skip_scaling_list(br, i < 6 ? 16 : 64)) return Errc::sps_invalid;
            }
        }
    }
    if (br.ue() > 12) return Errc::sps_invalid;  // log2_max_frame_num_minus4
    const std::uint32_t poc_type = br.ue();
    if (poc_type == 0) {
        if (br.ue() > 12) return Errc::sps_invalid;  // log2_max_pic_order_cnt_lsb_minus4
    } else if (poc_type == 1) {
        br.bit();  // delta_pic_order_always_zero_flag
        br.se();   // offset_for_non_ref_pic
        br.se();   // offset_for_top_to_bottom_field
        const std::uint32_t cycle = br.ue();
        if (cycle > 255) return Errc::sps_invalid;
        for (std::uint32_t i = 0; i < cycle && !br.failed(); ++i) br.se();
    } else if (poc_type != 2) {
        return Errc::sps_invalid;
    }
    br.ue();   // max_num_ref_frames
    br.bit();  // gaps_in_frame_num_value_allowed_flag
    const std::uint32_t width_mbs = br.ue() + 1;
    const std::uint32_t height_map_units = br.ue() + 1;
    s.frame_mbs_only = br.bit() != 0;
    if (!s.frame_mbs_only) br.bit();  // mb_adaptive_frame_field_flag
    br.bit();                         // direct_8x8_inference_flag
    std::uint32_t crop[4] = {0, 0, 0, 0};
    if (br.bit() != 0) {
        for (auto& c : crop) c = br.ue();
    }
    if (br.failed()) return Errc::sps_invalid;
    if (width_mbs > max_mbs_dimension || height_map_units > max_mbs_dimension) return Errc::sps_invalid;

    // H.264 §7.4.2.1.1, frame_crop_*_offset: crop units depend on ChromaArrayType.
    const std::uint32_t field_factor = s.frame_mbs_only ? 1 : 2;
    const std::uint32_t chroma_array_type = separate_colour_plane ? 0 : s.chroma_format_idc;
    std::uint32_t crop_x = 1;
    std::uint32_t crop_y = field_factor;
    if (chroma_array_type != 0) {
        crop_x = chroma_array_type == 3 ? 1 : 2;
        crop_y = (chroma_array_type == 1 ? 2 : 1) * field_factor;
    }
    const std::uint64_t width = std::uint64_t{width_mbs} * 16;
    const std::uint64_t height = std::uint64_t{height_map_units} * 16 * field_factor;
    const std::uint64_t crop_w = std::uint64_t{crop_x} * (std::uint64_t{crop[0]} + crop[1]);
    const std::uint64_t crop_h = std::uint64_t{crop_y} * (std::uint64_t{crop[2]} + crop[3]);
    if (crop_w >= width || crop_h >= height) return Errc::sps_invalid;
    s.width = static_cast<std::uint32_t>(width - crop_w);
    s.height = static_cast<std::uint32_t>(height - crop_h);
    return s;
}

base::Result<AvcConfig> parse_avc_config(base::Bytes record, AvcConfig::Limits limits) {
    base::ByteReader in(record);
    AvcConfig c;
    const std::uint8_t version = in.u8();
    c.profile = in.u8();
    c.compatibility = in.u8();
    c.level = in.u8();
    c.nal_length_size = static_cast<std::uint8_t>((in.u8() & 0x03) + 1);
    const std::size_t sps_count = in.u8() & 0x1F;
    if (in.failed() || version != 1 || sps_count > limits.max_sps_count) return Errc::avc_config_invalid;
    for (std::size_t i = 0; i < sps_count; ++i) {
        const base::Bytes nal = in.bytes(in.u16be());
        if (in.failed()) return Errc::avc_config_invalid;
        c.sps.push_back(nal);
    }
    const std::size_t pps_count = in.u8();
    if (in.failed() || pps_count > limits.max_pps_count) return Errc::avc_config_invalid;
    for (std::size_t i = 0; i < pps_count; ++i) {
        const base::Bytes nal = in.bytes(in.u16be());
        if (in.failed()) return Errc::avc_config_invalid;
        c.pps.push_back(nal);
    }
    if (!c.sps.empty()) {
        auto sps = parse_avc_sps(c.sps.front());
        if (sps) c.first_sps = *sps;
    }
    return c;
}

std::string avc_profile_name(std::uint8_t profile_idc, std::uint8_t constraint_flags) {
    const bool set1 = (constraint_flags & 0x40) != 0;
    const bool set3 = (constraint_flags & 0x10) != 0;
    switch (profile_idc) {
        case 66:
            return set1 ? "Constrained Baseline" : "Baseline";
        case 77:
            return "Main";
        case 88:
            return "Extended";
        case 100:
            return "High";
        case 110:
            return set3 ? "High 10 Intra" : "High 10";
        case 122:
            return set3 ? "High 4:2:2 Intra" : "High 4:2:2";
        case 244:
            return set3 ? "High 4:4:4 Intra" : "High 4:4:4 Predictive";
        case 44:
            return "CAVLC 4:4:4 Intra";
        case 83:
            return "Scalable Baseline";
        case 86:
            return "Scalable High";
        case 118:
            return "Multiview High";
        case 128:
            return "Stereo High";
        default:
            return "profile " + std::to_string(profile_idc);
    }
}

std::string avc_level_name(std::uint8_t level_idc) {
    if (level_idc == 9) return "1b";
    return std::to_string(level_idc / 10) + "." + std::to_string(level_idc % 10);
}

std::string describe(const AvcConfig& config) {
    std::string s = "H.264 " + avc_profile_name(config.profile, config.compatibility) + " " +
                    avc_level_name(config.level);
    if (config.first_sps) {
        s += " " + std::to_string(config.first_sps->width) + "x" + std::to_string(config.first_sps->height);
    }
    return s;
}

}  // namespace sluice::flv
