#include "server/media_check.hpp"

#include <string_view>

#include "flv/aac_config.hpp"
#include "flv/audio_header.hpp"
#include "flv/avc_config.hpp"
#include "flv/video_header.hpp"

namespace sluice::server {

namespace {

constexpr std::uint8_t video_ex_header_bit = 0x80;
constexpr std::uint8_t avc = static_cast<std::uint8_t>(flv::VideoCodecId::avc);
constexpr std::uint8_t hevc_legacy = static_cast<std::uint8_t>(flv::VideoCodecId::hevc_legacy);
constexpr std::uint8_t sound_format_aac = static_cast<std::uint8_t>(flv::SoundFormat::aac);
constexpr std::size_t avc_tag_header = 5;  // frame/codec, AVCPacketType, SI24 composition time

std::string_view track_name(rtmp::MessageType type) {
    return type == rtmp::MessageType::video ? "video" : "audio";
}

}  // namespace

std::optional<MediaCheck::Problem> MediaCheck::backwards(Track& track, base::Timestamp timestamp,
                                                         std::string& detail) {
    const bool went_back =
        track.has_timestamp && base::serial_less(timestamp, track.last) &&
        base::serial_diff(timestamp, track.last) > static_cast<std::int32_t>(backwards_tolerance_ms);
    const base::Timestamp previous = track.last;
    track.last = timestamp;
    track.has_timestamp = true;
    if (!went_back) return std::nullopt;
    detail =
        "timestamp went back from " + std::to_string(previous) + " to " + std::to_string(timestamp) + " ms";
    return Problem::timestamp_backwards;
}

std::optional<MediaCheck::Problem> MediaCheck::find_video(const rtmp::Message& message, std::string& detail) {
    const base::Bytes b = message.payload.bytes();
    if (b.empty()) {
        detail = "an empty video message";
        return Problem::short_video;
    }
    // Enhanced RTMP headers are checked by the classifier's parser; here
    // only the legacy AVC/HEVC form, which nearly every encoder sends.
    const std::uint8_t codec = b[0] & 0x0F;
    if ((b[0] & video_ex_header_bit) == 0 && (codec == avc || codec == hevc_legacy)) {
        if (b.size() < avc_tag_header) {
            detail = "a video message of " + std::to_string(b.size()) + " bytes, shorter than its " +
                     std::to_string(avc_tag_header) + "-byte AVC header";
            return Problem::short_video;
        }
        if (b[1] == 0) {
            if (codec == avc && !flv::parse_avc_config(b.subspan(avc_tag_header))) {
                detail = "an AVC sequence header whose configuration record does not parse";
                return Problem::bad_video_config;
            }
            video_.has_header = true;
        } else if (b[1] == 1 && !video_.has_header) {
            detail = "a video frame before any video sequence header";
            return Problem::frame_before_header;
        }
    }
    return std::nullopt;
}

std::optional<MediaCheck::Problem> MediaCheck::find_audio(const rtmp::Message& message, std::string& detail) {
    const base::Bytes b = message.payload.bytes();
    if (b.empty()) return std::nullopt;  // E-RTMP silence
    if ((b[0] >> 4) == sound_format_aac) {
        if (b.size() < 2) {
            detail = "an AAC message of 1 byte, shorter than its 2-byte header";
            return Problem::short_audio;
        }
        if (b[1] == 0) {
            if (!flv::parse_aac_config(b.subspan(2))) {
                detail = "an AAC sequence header whose AudioSpecificConfig does not parse";
                return Problem::bad_audio_config;
            }
            audio_.has_header = true;
        } else if (!audio_.has_header) {
            detail = "an AAC frame before any AAC sequence header";
            return Problem::frame_before_header;
        }
    }
    return std::nullopt;
}

std::optional<std::string> MediaCheck::check(const rtmp::Message& message) {
    const bool video = message.type == rtmp::MessageType::video;
    if (!video && message.type != rtmp::MessageType::audio) return std::nullopt;
    // A message may have a payload problem and a timestamp problem: both count.
    std::string details[2];
    const std::optional<Problem> found[2] = {
        video ? find_video(message, details[0]) : find_audio(message, details[0]),
        backwards(video ? video_ : audio_, message.timestamp, details[1]),
    };
    std::string report;
    for (std::size_t i = 0; i < 2; ++i) {
        if (!found[i]) continue;
        // Per track: a video frame before its header does not hide an audio one.
        const std::uint32_t bit = 1u << (static_cast<unsigned>(*found[i]) + (video ? 0u : 8u));
        if ((reported_ & bit) != 0) continue;
        reported_ |= bit;
        report += (report.empty() ? "" : "; ") + details[i];
    }
    if (found[0] || found[1]) ++problem_messages_;
    if (report.empty()) return std::nullopt;
    return std::string(track_name(message.type)) + ": " + report + " at " +
           std::to_string(message.timestamp) + " ms (relayed as it is; reported once per publish)";
}

}  // namespace sluice::server
