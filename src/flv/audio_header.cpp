#include "flv/audio_header.hpp"

#include "flv/detail/ex_header.hpp"
#include "flv/errors.hpp"
#include "flv/fourcc.hpp"

namespace sluice::flv {

namespace {

constexpr std::uint8_t ex_header = static_cast<std::uint8_t>(SoundFormat::ex_header);

bool valid_packet_type(std::uint8_t p) noexcept {
    return p <= 2 || p == 4 || p == 5 || p == 7;
}

base::Result<MultichannelConfig> parse_multichannel(base::Bytes bytes) {
    base::ByteReader in(bytes);
    MultichannelConfig c;
    const std::uint8_t order = in.u8();
    c.channel_count = in.u8();
    if (in.failed() || order > 2) return Errc::multichannel_config_invalid;
    c.order = static_cast<AudioChannelOrder>(order);
    if (c.order == AudioChannelOrder::custom) {
        const base::Bytes map = in.bytes(c.channel_count);
        if (in.failed()) return Errc::multichannel_config_invalid;
        c.channels.assign(map.begin(), map.end());
    } else if (c.order == AudioChannelOrder::native) {
        c.channel_mask = in.u32be();
        if (in.failed()) return Errc::multichannel_config_invalid;
    }
    return c;
}

base::Result<AudioTagHeader> parse_enhanced(base::ByteReader& in, std::uint8_t first,
                                            const AudioTagHeader::Limits& limits) {
    AudioTagHeader h;
    h.enhanced = true;
    h.format = SoundFormat::ex_header;
    std::uint8_t packet = first & 0x0F;
    if (auto ec = detail::read_mod_ex(in, packet, h.nano_offset, Errc::audio_header_truncated)) return ec;
    if (!valid_packet_type(packet)) return Errc::audio_packet_type_unknown;
    if (packet == static_cast<std::uint8_t>(AudioPacketType::multitrack)) {
        const std::uint8_t b = in.u8();
        if (in.failed()) return Errc::audio_header_truncated;
        const auto type = static_cast<std::uint8_t>(b >> 4);
        packet = b & 0x0F;
        if (type > 2) return Errc::multitrack_invalid;
        if (packet == static_cast<std::uint8_t>(AudioPacketType::multitrack) ||
            packet == static_cast<std::uint8_t>(AudioPacketType::mod_ex)) {
            return Errc::multitrack_invalid;
        }
        if (!valid_packet_type(packet)) return Errc::audio_packet_type_unknown;
        h.multitrack = true;
        h.multitrack_type = static_cast<MultitrackType>(type);
    }
    h.packet_type = static_cast<AudioPacketType>(packet);

    std::uint32_t fourcc = 0;
    if (h.multitrack_type != MultitrackType::many_tracks_many_codecs) {
        fourcc = in.u32be();
        if (in.failed()) return Errc::audio_header_truncated;
        if (!fourcc::is_audio(fourcc)) return Errc::audio_fourcc_unknown;
    }
    do {
        AudioTrack track;
        track.fourcc = fourcc;
        if (h.multitrack_type == MultitrackType::many_tracks_many_codecs) {
            track.fourcc = in.u32be();
            if (in.failed()) return Errc::audio_header_truncated;
            if (!fourcc::is_audio(track.fourcc)) return Errc::audio_fourcc_unknown;
        }
        if (h.multitrack) {
            track.track_id = in.u8();
            if (in.failed()) return Errc::audio_header_truncated;
        }
        if (h.multitrack && h.multitrack_type != MultitrackType::one_track) {
            const std::uint32_t size = in.u24be();
            if (in.failed()) return Errc::audio_header_truncated;
            if (size > in.remaining()) return Errc::multitrack_invalid;
            track.body = in.bytes(size);
        } else {
            track.body = in.rest();
            in.skip(in.remaining());
        }
        if (h.packet_type == AudioPacketType::multichannel_config) {
            auto config = parse_multichannel(track.body);
            if (!config) return config.error();
            track.multichannel = std::move(*config);
        }
        if (h.tracks.size() == limits.max_tracks) return Errc::too_many_tracks;
        h.tracks.push_back(std::move(track));
    } while (h.multitrack && h.multitrack_type != MultitrackType::one_track && !in.empty());
    return h;
}

}  // namespace

std::uint32_t AudioTagHeader::legacy_sample_rate() const noexcept {
    constexpr std::uint32_t rates[4] = {5512, 11025, 22050, 44100};
    return rates[sound_rate & 3];
}

base::Result<AudioTagHeader> parse_audio(base::Bytes payload, AudioTagHeader::Limits limits) {
    AudioTagHeader h;
    if (payload.empty()) {
        h.silence = true;
        h.packet_type = AudioPacketType::sequence_end;
        return h;
    }
    base::ByteReader in(payload);
    const std::uint8_t first = in.u8();
    if ((first >> 4) == ex_header) return parse_enhanced(in, first, limits);
    h.format = static_cast<SoundFormat>(first >> 4);
    h.sound_rate = static_cast<std::uint8_t>((first >> 2) & 3);
    h.sound_size = static_cast<std::uint8_t>((first >> 1) & 1);
    h.sound_type = first & 1;
    if (h.format == SoundFormat::aac) {
        const std::uint8_t aac_packet_type = in.u8();
        if (in.failed()) return Errc::audio_header_truncated;
        if (aac_packet_type > 1) return Errc::audio_packet_type_unknown;
        h.packet_type = static_cast<AudioPacketType>(aac_packet_type);
    }
    AudioTrack track;
    track.body = in.rest();
    h.tracks.push_back(track);
    return h;
}

bool is_audio_sequence_header(const AudioTagHeader& h) noexcept {
    if (h.silence) return false;
    if (!h.enhanced) return h.format == SoundFormat::aac && h.packet_type == AudioPacketType::sequence_start;
    return h.packet_type == AudioPacketType::sequence_start;
}

bool is_audio_sequence_header(base::Bytes payload) {
    auto h = parse_audio(payload);
    return h && is_audio_sequence_header(*h);
}

void write_legacy_aac_header(base::ByteWriter& out, std::uint8_t aac_packet_type) {
    out.u8(0xAF);  // AAC, rate 3, 16-bit, stereo: players take the real values from the config
    out.u8(aac_packet_type);
}

void write_enhanced_audio_header(base::ByteWriter& out, AudioPacketType packet, std::uint32_t fourcc,
                                 std::uint32_t nano_offset) {
    constexpr std::uint8_t head = ex_header << 4;
    if (nano_offset > 0) {
        out.u8(head | detail::mod_ex_packet_type);
        out.u8(2);
        out.u24be(nano_offset);
        out.u8(static_cast<std::uint8_t>(packet));
    } else {
        out.u8(static_cast<std::uint8_t>(head | static_cast<std::uint8_t>(packet)));
    }
    out.u32be(fourcc);
}

void write_multichannel_config(base::ByteWriter& out, const MultichannelConfig& config) {
    out.u8(static_cast<std::uint8_t>(config.order));
    out.u8(config.channel_count);
    if (config.order == AudioChannelOrder::custom) {
        out.bytes(config.channels);
    } else if (config.order == AudioChannelOrder::native) {
        out.u32be(config.channel_mask);
    }
}

}  // namespace sluice::flv
