#include "flv/opus_header.hpp"

#include "flv/errors.hpp"

namespace sluice::flv {

base::Result<OpusHeader> parse_opus_header(base::Bytes header) {
    base::ByteReader in(header);
    if (in.chars(8) != "OpusHead") return Errc::opus_header_invalid;
    OpusHeader h;
    h.version = in.u8();
    h.channels = in.u8();
    h.pre_skip = in.u16le();
    h.input_sample_rate = in.u32le();
    h.output_gain = static_cast<std::int16_t>(in.u16le());
    h.mapping_family = in.u8();
    if (in.failed() || (h.version >> 4) != 0 || h.channels == 0) return Errc::opus_header_invalid;
    return h;
}

std::string describe(const OpusHeader& h) {
    const std::uint32_t rate = h.input_sample_rate != 0 ? h.input_sample_rate : 48000;
    return "Opus " + std::to_string(rate) + " Hz " + std::to_string(h.channels) + " ch";
}

}  // namespace sluice::flv
