#include "demux/mp3_frame.hpp"

#include <string_view>

namespace sluice::demux {

namespace {

// kbit/s by bitrate_index (Layer III); index 0 is free format, 15 is invalid.
constexpr std::uint16_t mpeg1_kbps[15] = {0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320};
constexpr std::uint16_t mpeg2_kbps[15] = {0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160};
constexpr std::uint32_t mpeg1_rates[3] = {44100, 48000, 32000};

bool has_tag(base::Bytes frame, std::uint32_t offset, std::string_view tag) {
    if (frame.size() < offset + tag.size()) return false;
    for (std::size_t i = 0; i < tag.size(); ++i) {
        if (frame[offset + i] != static_cast<std::uint8_t>(tag[i])) return false;
    }
    return true;
}

}  // namespace

std::uint32_t Mp3FrameHeader::xing_offset() const noexcept {
    const bool mono = channel_mode == 3;
    if (version == 1) return 4 + (mono ? 17 : 32);
    return 4 + (mono ? 9 : 17);
}

std::optional<Mp3FrameHeader> parse_mp3_frame_header(std::uint32_t word) noexcept {
    if ((word >> 21) != 0x7FF) return std::nullopt;
    const std::uint32_t version_bits = (word >> 19) & 3u;
    const std::uint32_t layer_bits = (word >> 17) & 3u;
    const std::uint32_t bitrate_index = (word >> 12) & 15u;
    const std::uint32_t rate_index = (word >> 10) & 3u;
    if (version_bits == 1 || layer_bits != 1 || bitrate_index == 0 || bitrate_index == 15 ||
        rate_index == 3) {
        return std::nullopt;
    }
    Mp3FrameHeader h;
    h.version = version_bits == 3 ? 1 : version_bits == 2 ? 2 : 25;
    h.crc = ((word >> 16) & 1u) == 0;
    const bool mpeg1 = h.version == 1;
    h.bitrate = std::uint32_t{mpeg1 ? mpeg1_kbps[bitrate_index] : mpeg2_kbps[bitrate_index]} * 1000;
    h.sample_rate = mpeg1_rates[rate_index] >> (mpeg1 ? 0 : h.version == 2 ? 1 : 2);
    h.padding = ((word >> 9) & 1u) != 0;
    h.channel_mode = static_cast<std::uint8_t>((word >> 6) & 3u);
    h.samples_per_frame = mpeg1 ? 1152 : 576;
    h.frame_size = (mpeg1 ? 144 : 72) * h.bitrate / h.sample_rate + (h.padding ? 1 : 0);
    return h;
}

std::optional<Mp3FrameHeader> parse_mp3_frame_header(base::Bytes bytes) noexcept {
    if (bytes.size() < 4) return std::nullopt;
    base::ByteReader r(bytes);
    return parse_mp3_frame_header(r.u32be());
}

bool same_stream(const Mp3FrameHeader& a, const Mp3FrameHeader& b) noexcept {
    return a.version == b.version && a.sample_rate == b.sample_rate;
}

bool is_vbr_info_frame(const Mp3FrameHeader& h, base::Bytes frame) noexcept {
    const std::uint32_t at = h.xing_offset();
    return has_tag(frame, at, "Xing") || has_tag(frame, at, "Info") || has_tag(frame, 4 + 32, "VBRI");
}

std::uint8_t flv_mp3_header_byte(std::uint32_t sample_rate, std::uint8_t channels) noexcept {
    std::uint8_t format = 2;
    std::uint8_t rate = 3;
    if (sample_rate <= 8000) {
        format = 14;
        rate = 0;
    } else if (sample_rate <= 12000) {
        rate = 1;
    } else if (sample_rate <= 24000) {
        rate = 2;
    }
    const std::uint8_t stereo = channels == 1 ? 0 : 1;
    return static_cast<std::uint8_t>(format << 4 | rate << 2 | 1 << 1 | stereo);
}

}  // namespace sluice::demux
