#include "flv/codec_summary.hpp"

#include "flv/aac_config.hpp"
#include "flv/audio_header.hpp"
#include "flv/avc_config.hpp"
#include "flv/fourcc.hpp"
#include "flv/hevc_config.hpp"
#include "flv/opus_header.hpp"
#include "flv/video_header.hpp"

namespace sluice::flv {

std::string video_codec_name(unsigned codec_id, std::uint32_t code) {
    if (code != 0) {
        if (code == fourcc::avc1) return "H.264";
        if (code == fourcc::hvc1) return "H.265";
        if (code == fourcc::av01) return "AV1";
        if (code == fourcc::vp09) return "VP9";
        if (code == fourcc::vp08) return "VP8";
        if (code == fourcc::vvc1) return "H.266";
        return "'" + fourcc::to_string(code) + "'";
    }
    switch (codec_id) {
        case 2:
            return "Sorenson H.263";
        case 3:
            return "Screen video";
        case 4:
            return "VP6";
        case 5:
            return "VP6 alpha";
        case 6:
            return "Screen video v2";
        case 7:
            return "H.264";
        case 12:
            return "H.265";
        default:
            return "codec " + std::to_string(codec_id);
    }
}

std::string audio_codec_name(unsigned sound_format, std::uint32_t code) {
    if (code != 0) {
        if (code == fourcc::opus) return "Opus";
        if (code == fourcc::flac) return "FLAC";
        if (code == fourcc::ac3) return "AC-3";
        if (code == fourcc::eac3) return "E-AC-3";
        if (code == fourcc::mp3) return "MP3";
        if (code == fourcc::mp4a) return "AAC";
        return "'" + fourcc::to_string(code) + "'";
    }
    constexpr const char* names[16] = {"PCM",
                                       "ADPCM",
                                       "MP3",
                                       "PCM LE",
                                       "Nellymoser 16 kHz",
                                       "Nellymoser 8 kHz",
                                       "Nellymoser",
                                       "G.711 A-law",
                                       "G.711 mu-law",
                                       "ExHeader",
                                       "AAC",
                                       "Speex",
                                       "format 12",
                                       "format 13",
                                       "MP3 8 kHz",
                                       "device-specific"};
    return names[sound_format & 0x0F];
}

base::Result<std::string> describe_video(base::Bytes payload) {
    auto h = parse_video(payload);
    if (!h) return h.error();
    if (h->tracks.empty()) return video_codec_name(h->codec_id, 0) + " command";
    const VideoTrack& track = h->tracks.front();
    const bool config = is_video_sequence_header(*h);
    const bool avc = track.fourcc == fourcc::avc1 || (!h->enhanced && h->codec_id == 7);
    const bool hevc = track.fourcc == fourcc::hvc1 || (!h->enhanced && h->codec_id == 12);
    if (config && avc) {
        auto c = parse_avc_config(track.body);
        if (!c) return c.error();
        return describe(*c);
    }
    if (config && hevc) {
        auto c = parse_hevc_config(track.body);
        if (!c) return c.error();
        return describe(*c);
    }
    return video_codec_name(h->codec_id, track.fourcc);
}

base::Result<std::string> describe_audio(base::Bytes payload) {
    auto h = parse_audio(payload);
    if (!h) return h.error();
    if (h->silence) return std::string("silence");
    const AudioTrack& track = h->tracks.front();
    const bool config = is_audio_sequence_header(*h);
    if (config && (track.fourcc == fourcc::mp4a || h->format == SoundFormat::aac)) {
        auto c = parse_aac_config(track.body);
        if (!c) return c.error();
        return describe(*c);
    }
    if (config && track.fourcc == fourcc::opus && !track.body.empty()) {
        auto c = parse_opus_header(track.body);
        if (!c) return c.error();
        return describe(*c);
    }
    std::string name = audio_codec_name(static_cast<unsigned>(h->format), track.fourcc);
    // Nellymoser 8/16 kHz, Speex and MP3 8 kHz have fixed rates; their
    // rate/size/type bits mean nothing ([FLV] E.4.2.1).
    const bool fixed_rate = h->format == SoundFormat::nellymoser_8k_mono ||
                            h->format == SoundFormat::nellymoser_16k_mono ||
                            h->format == SoundFormat::speex || h->format == SoundFormat::mp3_8k;
    if (!h->enhanced && h->format != SoundFormat::aac && !fixed_rate) {
        name += " " + std::to_string(h->legacy_sample_rate()) + " Hz " +
                (h->sound_size ? "16-bit " : "8-bit ") + (h->sound_type ? "stereo" : "mono");
    }
    return name;
}

}  // namespace sluice::flv
