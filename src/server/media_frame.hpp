#pragma once
// server::Frame: one published message (audio, video or data) with what the
// fan-out path needs to know about it, decided once when it arrives from the
// publisher so that players, the GOP cache and the queues never parse media.
//
// The message is shared, never copied: its payload is an immutable
// base::Payload, so a Frame costs a few words however many players hold it
// (ARCHITECTURE.md "zero-copy media path"). Players rewrite only the message
// stream id when they send it.
#include <cstdint>
#include <string_view>

#include "rtmp/message.hpp"

namespace sluice::server {

enum class FrameKind : std::uint8_t {
    audio,         ///< coded audio (or a legacy codec without headers)
    audio_header,  ///< audio sequence header (AAC AudioSpecificConfig, E-RTMP SequenceStart, ...)
    video_key,     ///< a video key frame (coded frames)
    video_inter,   ///< any other coded video frame (inter, disposable, generated key)
    video_header,  ///< video sequence header (AVC/HEVC/AV1/VP9 configuration record)
    video_info,    ///< video info/command frames, E-RTMP metadata, sequence end: passed on, never cached
    data,          ///< a data message (type 18/15) other than onMetaData
    metadata,      ///< onMetaData (already stripped of @setDataFrame)
};
std::string_view to_string(FrameKind kind) noexcept;

struct Frame {
    rtmp::Message message;
    FrameKind kind = FrameKind::data;

    bool is_video() const noexcept {
        return kind == FrameKind::video_key || kind == FrameKind::video_inter ||
               kind == FrameKind::video_header || kind == FrameKind::video_info;
    }
    bool is_audio() const noexcept { return kind == FrameKind::audio || kind == FrameKind::audio_header; }
};

/// Classifies an audio (8) or video (9) message by its FLV tag header
/// (legacy and Enhanced RTMP). An empty or unparsable video payload is
/// video_info (passed on, never taken for a key frame); an empty or
/// unparsable audio payload is audio. Any other message type is data.
///  - video_key only for frame type 1 (a generated key frame, 4, is
///    video_inter); multitrack messages by their frame type.
///  - video_header: what flv::is_video_sequence_header() accepts (legacy
///    AVC/HEVC packet type 0, E-RTMP SequenceStart and MPEG2TSSequenceStart).
///  - audio_header: legacy AAC packet type 0, E-RTMP SequenceStart.
///  - metadata: a data message (18, or 15 with its leading 00) whose first
///    value is the AMF0 String "onMetaData" (only the name is checked).
/// Reads legacy headers byte by byte (no allocation); E-RTMP messages go
/// through flv::parse_video/parse_audio.
FrameKind classify(const rtmp::Message& message) noexcept;

}  // namespace sluice::server
