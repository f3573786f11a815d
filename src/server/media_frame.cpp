#include "server/media_frame.hpp"

#include <algorithm>

#include "flv/audio_header.hpp"
#include "flv/video_header.hpp"
#include "rtmp/data_message.hpp"

namespace sluice::server {

namespace {

constexpr std::uint8_t video_ex_header_bit = 0x80;
constexpr std::uint8_t sound_format_aac = static_cast<std::uint8_t>(flv::SoundFormat::aac);
constexpr std::uint8_t sound_format_ex_header = static_cast<std::uint8_t>(flv::SoundFormat::ex_header);

// Only frame type 1 starts a GOP: a generated key frame (4) is a server's
// seek artefact and says nothing about what follows it in a live stream.
FrameKind coded_video(flv::VideoFrameType frame) noexcept {
    return frame == flv::VideoFrameType::key ? FrameKind::video_key : FrameKind::video_inter;
}

bool is_avc_like(std::uint8_t codec_id) noexcept {
    return codec_id == static_cast<std::uint8_t>(flv::VideoCodecId::avc) ||
           codec_id == static_cast<std::uint8_t>(flv::VideoCodecId::hevc_legacy);
}

// The legacy forms are read byte by byte (no parse, no allocation): they
// are nearly every frame a live server sees. Lengths and ranges match
// flv::parse_video, so both paths agree on what is unparsable.
FrameKind classify_legacy_video(base::Bytes b) noexcept {
    const auto frame = static_cast<std::uint8_t>((b[0] >> 4) & 0x07);
    if (frame < 1 || frame > 4) return FrameKind::video_info;  // command (5) or reserved
    if (!is_avc_like(b[0] & 0x0F)) return coded_video(static_cast<flv::VideoFrameType>(frame));
    if (b.size() < 5) return FrameKind::video_info;  // AVCPacketType + SI24 composition time
    switch (b[1]) {
        case 0:
            return FrameKind::video_header;
        case 1:
            return coded_video(static_cast<flv::VideoFrameType>(frame));
        default:
            return FrameKind::video_info;  // 2 = end of sequence; above 2 is invalid
    }
}

FrameKind classify_enhanced_video(base::Bytes b) noexcept {
    try {
        const auto h = flv::parse_video(b);
        if (!h || h->command) return FrameKind::video_info;
        if (flv::is_video_sequence_header(*h)) return FrameKind::video_header;
        // Multitrack messages carry their inner packet type in packet_type.
        if (h->packet_type == flv::VideoPacketType::coded_frames ||
            h->packet_type == flv::VideoPacketType::coded_frames_x) {
            return coded_video(h->frame_type);
        }
        return FrameKind::video_info;  // Metadata, SequenceEnd
    } catch (...) {
        return FrameKind::video_info;  // the track list could not be allocated
    }
}

FrameKind classify_video(base::Bytes b) noexcept {
    if (b.empty()) return FrameKind::video_info;
    if ((b[0] & video_ex_header_bit) != 0) return classify_enhanced_video(b);
    return classify_legacy_video(b);
}

FrameKind classify_enhanced_audio(base::Bytes b) noexcept {
    try {
        const auto h = flv::parse_audio(b);
        return h && flv::is_audio_sequence_header(*h) ? FrameKind::audio_header : FrameKind::audio;
    } catch (...) {
        return FrameKind::audio;
    }
}

FrameKind classify_audio(base::Bytes b) noexcept {
    if (b.empty()) return FrameKind::audio;  // an E-RTMP silence marker
    const auto format = static_cast<std::uint8_t>(b[0] >> 4);
    if (format == sound_format_ex_header) return classify_enhanced_audio(b);
    if (format == sound_format_aac && b.size() >= 2 && b[1] == 0) return FrameKind::audio_header;
    return FrameKind::audio;
}

// Only the handler name matters, so the AMF0 String at the start is compared
// in place (02, U16 length, name) instead of decoding the whole message.
bool starts_with_on_meta_data(base::Bytes b) noexcept {
    constexpr std::string_view name = rtmp::data_handler::on_meta_data;
    if (b.size() < 3 + name.size() || b[0] != 0x02 || b[1] != 0 ||
        b[2] != static_cast<std::uint8_t>(name.size()))
        return false;
    return std::equal(name.begin(), name.end(), b.begin() + 3);
}

FrameKind classify_data(const rtmp::Message& message) noexcept {
    base::Bytes b = message.payload.bytes();
    if (message.type == rtmp::MessageType::data_amf3) {
        if (b.empty() || b[0] != 0x00) return FrameKind::data;  // what decode_data_message refuses
        b = b.subspan(1);
    }
    return starts_with_on_meta_data(b) ? FrameKind::metadata : FrameKind::data;
}

}  // namespace

std::string_view to_string(FrameKind kind) noexcept {
    switch (kind) {
        case FrameKind::audio:
            return "audio";
        case FrameKind::audio_header:
            return "audio_header";
        case FrameKind::video_key:
            return "video_key";
        case FrameKind::video_inter:
            return "video_inter";
        case FrameKind::video_header:
            return "video_header";
        case FrameKind::video_info:
            return "video_info";
        case FrameKind::data:
            return "data";
        case FrameKind::metadata:
            return "metadata";
    }
    return "unknown";
}

FrameKind classify(const rtmp::Message& message) noexcept {
    switch (message.type) {
        case rtmp::MessageType::audio:
            return classify_audio(message.payload.bytes());
        case rtmp::MessageType::video:
            return classify_video(message.payload.bytes());
        case rtmp::MessageType::data_amf0:
        case rtmp::MessageType::data_amf3:
            return classify_data(message);
        default:
            return FrameKind::data;
    }
}

}  // namespace sluice::server
