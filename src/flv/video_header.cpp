#include "flv/video_header.hpp"

#include "flv/detail/ex_header.hpp"
#include "flv/errors.hpp"
#include "flv/fourcc.hpp"

namespace sluice::flv {

namespace {

bool valid_frame_type(std::uint8_t t) noexcept {
    return t >= 1 && t <= 5;
}

base::Result<VideoTagHeader> parse_legacy(base::ByteReader& in, std::uint8_t first) {
    VideoTagHeader h;
    const auto frame = static_cast<std::uint8_t>((first >> 4) & 0x07);
    if (!valid_frame_type(frame)) return Errc::video_frame_type_invalid;
    h.frame_type = static_cast<VideoFrameType>(frame);
    h.codec_id = first & 0x0F;
    if (h.frame_type == VideoFrameType::command) {
        const std::uint8_t command = in.u8();
        if (in.failed()) return Errc::video_header_truncated;
        h.command = static_cast<VideoCommand>(command);
        return h;
    }
    VideoTrack track;
    if (h.codec_id == static_cast<std::uint8_t>(VideoCodecId::avc) ||
        h.codec_id == static_cast<std::uint8_t>(VideoCodecId::hevc_legacy)) {
        const std::uint8_t avc_packet_type = in.u8();
        track.composition_time = in.i24be();
        if (in.failed()) return Errc::video_header_truncated;
        // AVCPacketType 0/1/2 share values with the enhanced 0/1/2; anything
        // else has no meaning in the legacy form.
        if (avc_packet_type > 2) return Errc::video_packet_type_unknown;
        h.packet_type = static_cast<VideoPacketType>(avc_packet_type);
    }
    track.body = in.rest();
    h.tracks.push_back(track);
    return h;
}

base::Result<VideoTagHeader> parse_enhanced(base::ByteReader& in, std::uint8_t first,
                                            const VideoTagHeader::Limits& limits) {
    VideoTagHeader h;
    h.enhanced = true;
    const auto frame = static_cast<std::uint8_t>((first >> 4) & 0x07);
    std::uint8_t packet = first & 0x0F;
    if (auto ec = detail::read_mod_ex(in, packet, h.nano_offset, Errc::video_header_truncated)) return ec;
    if (packet > static_cast<std::uint8_t>(VideoPacketType::mod_ex)) return Errc::video_packet_type_unknown;
    h.packet_type = static_cast<VideoPacketType>(packet);
    // Metadata ignores the frame type ([ERTMP2]); FFmpeg writes it as 5.
    if (h.packet_type != VideoPacketType::metadata) {
        if (!valid_frame_type(frame)) return Errc::video_frame_type_invalid;
        h.frame_type = static_cast<VideoFrameType>(frame);
        if (h.frame_type == VideoFrameType::command) {
            const std::uint8_t command = in.u8();
            if (in.failed()) return Errc::video_header_truncated;
            h.command = static_cast<VideoCommand>(command);
            return h;
        }
    } else {
        h.frame_type = valid_frame_type(frame) ? static_cast<VideoFrameType>(frame) : VideoFrameType::command;
    }

    std::uint32_t fourcc = 0;
    if (h.packet_type == VideoPacketType::multitrack) {
        const std::uint8_t b = in.u8();
        if (in.failed()) return Errc::video_header_truncated;
        const auto type = static_cast<std::uint8_t>(b >> 4);
        packet = b & 0x0F;
        if (type > 2) return Errc::multitrack_invalid;
        if (packet == static_cast<std::uint8_t>(VideoPacketType::multitrack) ||
            packet == static_cast<std::uint8_t>(VideoPacketType::mod_ex)) {
            return Errc::multitrack_invalid;
        }
        if (packet > static_cast<std::uint8_t>(VideoPacketType::mod_ex))
            return Errc::video_packet_type_unknown;
        h.multitrack = true;
        h.multitrack_type = static_cast<MultitrackType>(type);
        h.packet_type = static_cast<VideoPacketType>(packet);
    }
    if (h.multitrack_type != MultitrackType::many_tracks_many_codecs) {
        fourcc = in.u32be();
        if (in.failed()) return Errc::video_header_truncated;
        if (!fourcc::is_video(fourcc)) return Errc::video_fourcc_unknown;
    }

    do {
        VideoTrack track;
        track.fourcc = fourcc;
        if (h.multitrack_type == MultitrackType::many_tracks_many_codecs) {
            track.fourcc = in.u32be();
            if (in.failed()) return Errc::video_header_truncated;
            if (!fourcc::is_video(track.fourcc)) return Errc::video_fourcc_unknown;
        }
        base::ByteReader body = in;
        if (h.multitrack) {
            track.track_id = in.u8();
            if (in.failed()) return Errc::video_header_truncated;
            if (h.multitrack_type == MultitrackType::one_track) {
                body = base::ByteReader(in.rest());
                in.skip(in.remaining());
            } else {
                const std::uint32_t size = in.u24be();
                if (in.failed()) return Errc::video_header_truncated;
                if (size > in.remaining()) return Errc::multitrack_invalid;
                body = base::ByteReader(in.bytes(size));
            }
        } else {
            in.skip(in.remaining());
        }
        if (h.packet_type == VideoPacketType::coded_frames && fourcc::has_composition_time(track.fourcc)) {
            track.composition_time = body.i24be();
            if (body.failed()) return Errc::video_header_truncated;
        }
        track.body = body.rest();
        if (h.tracks.size() == limits.max_tracks) return Errc::too_many_tracks;
        h.tracks.push_back(track);
    } while (h.multitrack && h.multitrack_type != MultitrackType::one_track && !in.empty());
    return h;
}

}  // namespace

base::Result<VideoTagHeader> parse_video(base::Bytes payload, VideoTagHeader::Limits limits) {
    base::ByteReader in(payload);
    const std::uint8_t first = in.u8();
    if (in.failed()) return Errc::video_header_truncated;
    if ((first & 0x80) != 0) return parse_enhanced(in, first, limits);
    return parse_legacy(in, first);
}

bool is_video_keyframe(const VideoTagHeader& h) noexcept {
    if (h.command || h.packet_type == VideoPacketType::metadata) return false;
    return h.frame_type == VideoFrameType::key || h.frame_type == VideoFrameType::generated_key;
}

bool is_video_keyframe(base::Bytes payload) {
    auto h = parse_video(payload);
    return h && is_video_keyframe(*h);
}

bool is_video_sequence_header(const VideoTagHeader& h) noexcept {
    if (h.command) return false;
    if (!h.enhanced) {
        return h.packet_type == VideoPacketType::sequence_start &&
               (h.codec_id == static_cast<std::uint8_t>(VideoCodecId::avc) ||
                h.codec_id == static_cast<std::uint8_t>(VideoCodecId::hevc_legacy));
    }
    return h.packet_type == VideoPacketType::sequence_start ||
           h.packet_type == VideoPacketType::mpeg2ts_sequence_start;
}

bool is_video_sequence_header(base::Bytes payload) {
    auto h = parse_video(payload);
    return h && is_video_sequence_header(*h);
}

void write_legacy_avc_header(base::ByteWriter& out, VideoFrameType frame, VideoCodecId codec,
                             std::uint8_t avc_packet_type, std::int32_t composition_time) {
    out.u8(static_cast<std::uint8_t>((static_cast<std::uint8_t>(frame) << 4) |
                                     static_cast<std::uint8_t>(codec)));
    out.u8(avc_packet_type);
    out.i24be(composition_time);
}

void write_enhanced_video_header(base::ByteWriter& out, VideoFrameType frame, VideoPacketType packet,
                                 std::uint32_t fourcc, std::int32_t composition_time,
                                 std::uint32_t nano_offset) {
    const auto head = static_cast<std::uint8_t>(0x80 | (static_cast<std::uint8_t>(frame) << 4));
    if (nano_offset > 0) {
        out.u8(static_cast<std::uint8_t>(head | detail::mod_ex_packet_type));
        out.u8(2);  // size - 1: a 3-byte TimestampOffsetNano
        out.u24be(nano_offset);
        out.u8(static_cast<std::uint8_t>(packet));  // modExType 0 in the high nibble
    } else {
        out.u8(static_cast<std::uint8_t>(head | static_cast<std::uint8_t>(packet)));
    }
    out.u32be(fourcc);
    if (packet == VideoPacketType::coded_frames && fourcc::has_composition_time(fourcc)) {
        out.i24be(composition_time);
    }
}

}  // namespace sluice::flv
