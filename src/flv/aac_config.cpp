#include "flv/aac_config.hpp"

#include "flv/detail/bit_reader.hpp"
#include "flv/errors.hpp"

namespace sluice::flv {

namespace {

constexpr std::uint32_t rates[13] = {96000, 88200, 64000, 48000, 44100, 32000, 24000,
                                     22050, 16000, 12000, 11025, 8000,  7350};
constexpr std::uint8_t sbr_type = 5;
constexpr std::uint8_t ps_type = 29;

std::uint8_t object_type(detail::BitReader& br) {
    auto t = static_cast<std::uint8_t>(br.bits(5));
    if (t == 31) t = static_cast<std::uint8_t>(32 + br.bits(6));
    return t;
}

/// 0 on a reserved index or a zero explicit rate.
std::uint32_t sampling_frequency(detail::BitReader& br) {
    const std::uint32_t index = br.bits(4);
    if (index == 15) return br.bits(24);
    return index < 13 ? rates[index] : 0;
}

bool has_ga_specific_config(std::uint8_t t) {
    return (t >= 1 && t <= 4) || t == 6 || t == 7 || t == 17 || (t >= 19 && t <= 23);
}

}  // namespace

base::Result<AacConfig> parse_aac_config(base::Bytes config) {
    detail::BitReader br(config);
    AacConfig c;
    c.object_type = object_type(br);
    c.sample_rate = sampling_frequency(br);
    c.channel_configuration = static_cast<std::uint8_t>(br.bits(4));
    if (br.failed() || c.object_type == 0 || c.sample_rate == 0) return Errc::aac_config_invalid;
    if (c.object_type == sbr_type || c.object_type == ps_type) {
        c.sbr = true;
        c.ps = c.object_type == ps_type;
        c.extension_sample_rate = sampling_frequency(br);
        c.object_type = object_type(br);
        if (br.failed() || c.extension_sample_rate == 0) return Errc::aac_config_invalid;
    }
    if (c.channel_configuration >= 1 && c.channel_configuration <= 6) {
        c.channels = c.channel_configuration;
    } else if (c.channel_configuration == 7) {
        c.channels = 8;
    }
    // Backward-compatible SBR/PS signalling follows a GASpecificConfig; it is
    // read only when no program config element (channel configuration 0)
    // sits in between, since a PCE is not parsed here.
    if (!c.sbr && has_ga_specific_config(c.object_type) && c.channel_configuration != 0) {
        br.bit();                        // frameLengthFlag
        if (br.bit() != 0) br.bits(14);  // dependsOnCoreCoder: coreCoderDelay
        br.bit();                        // extensionFlag (ER extensions not read)
        if (!br.failed() && br.remaining() >= 16 && br.bits(11) == 0x2B7) {
            if (object_type(br) == sbr_type && br.bit() != 0) {
                c.sbr = true;
                c.extension_sample_rate = sampling_frequency(br);
                if (br.remaining() >= 12 && br.bits(11) == 0x548) c.ps = br.bit() != 0;
            }
        }
        if (br.failed() || (c.sbr && c.extension_sample_rate == 0)) {
            // A damaged extension does not spoil the core description.
            c.sbr = false;
            c.ps = false;
            c.extension_sample_rate = 0;
        }
    }
    return c;
}

std::string aac_profile_name(const AacConfig& c) {
    if (c.ps) return "HE-AAC v2";
    if (c.sbr) return "HE-AAC";
    switch (c.object_type) {
        case 1:
            return "Main";
        case 2:
            return "LC";
        case 3:
            return "SSR";
        case 4:
            return "LTP";
        case 23:
            return "LD";
        case 39:
            return "ELD";
        case 42:
            return "xHE-AAC";
        default:
            return "object type " + std::to_string(c.object_type);
    }
}

std::string describe(const AacConfig& c) {
    const std::string profile = aac_profile_name(c);
    std::string s =
        (c.sbr ? profile : "AAC " + profile) + " " + std::to_string(c.output_sample_rate()) + " Hz";
    if (c.channels != 0) s += " " + std::to_string(c.channels) + " ch";
    return s;
}

bool write_aac_config(base::ByteWriter& out, std::uint8_t object_type, std::uint32_t sample_rate,
                      std::uint8_t channel_configuration) {
    std::uint32_t index = 0;
    while (index < 13 && rates[index] != sample_rate) ++index;
    if (index == 13 || object_type == 0 || object_type > 30) return false;
    const std::uint32_t bits = (std::uint32_t{object_type} << 11) | (index << 7) |
                               (std::uint32_t{channel_configuration & 0x0Fu} << 3);
    out.u16be(static_cast<std::uint16_t>(bits));
    return true;
}

}  // namespace sluice::flv
