#pragma once
// client::StreamProbe: what a player receives, analysed for `sluice probe`
// (issue 5 item 4): the metadata, the codecs named by the sequence headers,
// frame rate and bitrate measured from timestamps and sizes, how long the
// first frames took, and counts. client::ProbeServer holds what connect()
// learned about the server. render_probe_text() and render_probe_json()
// print both.
//
// How things are measured:
//  - Codecs come from the LAST sequence header of each kind (a publisher
//    may change them): H.264 (avcC) and H.265 (hvcC) give profile, level
//    and the SPS's cropped resolution; AAC (AudioSpecificConfig) gives the
//    profile, the output sample rate and the channel count; Opus its
//    header. Other codecs give their name only (flv::video_codec_name /
//    audio_codec_name), taken from the first coded frame when no sequence
//    header came. The parsers are flv::parse_avc_config, parse_hevc_config,
//    parse_aac_config, parse_opus_header; `description` is flv::describe_*.
//  - A frame is a coded video (or audio) message: sequence headers, end of
//    sequence, command frames and silence markers are not frames.
//  - Frame rate = (frames − 1) × 1000 / (last − first timestamp) of the
//    video frames; bitrate = frame bytes × 8 / (frames × mean frame
//    interval), i.e. every frame is counted for the interval it covers.
//    Both come from the message timestamps, not from arrival times, so the
//    burst a server's GOP cache sends on play start does not inflate them.
//    Timestamps are unwrapped (RTMP's 32-bit ms wrap after 49.7 days).
//  - Times to first frame / key frame / audio frame are arrival time minus
//    the `start` given to the constructor (the caller's choice: `sluice
//    probe` passes the moment it began connecting).
//  - onMetaData (type 18, or 15 with its leading format byte) is decoded
//    with flv::decode_metadata; the last one received is kept. Messages
//    that do not parse are counted in `unparsed` and described in `notes`
//    (at most max_notes of them), never thrown.
//
// Contract: pure (no I/O, no clock read), not thread-safe, memory bounded
// by the last metadata and max_notes short strings.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/byte_reader.hpp"
#include "client/client.hpp"
#include "flv/metadata.hpp"
#include "rtmp/handshake.hpp"

namespace sluice::client {

/// The video codec, from a sequence header (or the first frame's header).
struct ProbeVideoCodec {
    std::string codec;        ///< "H.264", "H.265", "AV1", "VP6", ...
    std::string profile;      ///< "High", "Constrained Baseline", "Main 10"; empty when unknown
    std::string level;        ///< "3.1", "4.0"; empty when unknown
    std::uint32_t width = 0;  ///< cropped luma samples; 0 when unknown
    std::uint32_t height = 0;
    std::string description;  ///< flv::describe_video, e.g. "H.264 High 4.0 1280x720"
    bool from_sequence_header = false;
};

/// The audio codec, from a sequence header (or the first frame's header).
struct ProbeAudioCodec {
    std::string codec;              ///< "AAC", "MP3", "Opus", ...
    std::string profile;            ///< "LC", "HE-AAC"; empty when unknown
    std::uint32_t sample_rate = 0;  ///< Hz a decoder outputs; 0 when unknown
    std::uint32_t channels = 0;     ///< 0 when unknown
    std::string description;        ///< flv::describe_audio, e.g. "AAC LC 44100 Hz 2 ch"
    bool from_sequence_header = false;
};

/// Counters of one kind of media (audio or video).
struct ProbeTrack {
    std::uint64_t frames = 0;       ///< coded frames (see the file comment)
    std::uint64_t key_frames = 0;   ///< video only
    std::uint64_t frame_bytes = 0;  ///< payload bytes of the frames
    std::uint64_t sequence_headers = 0;
    std::int64_t first_timestamp = 0;  ///< unwrapped ms of the first frame (valid when frames > 0)
    std::int64_t last_timestamp = 0;   ///< unwrapped ms of the last frame
    std::int64_t first_key_timestamp = 0;
    std::int64_t last_key_timestamp = 0;

    /// Timestamp span of the frames, ms.
    std::int64_t span_ms() const noexcept { return frames > 0 ? last_timestamp - first_timestamp : 0; }
    /// Frames per second; nullopt with fewer than 2 frames or a zero span.
    std::optional<double> frame_rate() const noexcept;
    /// Bits per second of the frames; nullopt like frame_rate().
    std::optional<double> bitrate() const noexcept;
    /// Mean ms between key frames; nullopt with fewer than 2 key frames.
    std::optional<double> key_frame_interval_ms() const noexcept;
};

/// Everything StreamProbe learned from the messages.
struct ProbeReport {
    std::optional<flv::Metadata> metadata;
    std::optional<ProbeVideoCodec> video;
    std::optional<ProbeAudioCodec> audio;
    ProbeTrack video_track;
    ProbeTrack audio_track;
    std::optional<std::chrono::microseconds> first_frame;      ///< first video frame (any kind)
    std::optional<std::chrono::microseconds> first_key_frame;  ///< first video key frame
    std::optional<std::chrono::microseconds> first_audio;      ///< first audio frame
    std::optional<std::chrono::microseconds> last_message;     ///< arrival of the last message
    std::vector<std::string> statuses;                         ///< onStatus codes, in order
    std::uint64_t messages = 0;                                ///< everything passed to add()
    std::uint64_t payload_bytes = 0;                           ///< their payload bytes
    std::uint64_t data_messages = 0;                           ///< type 18/15, onMetaData included
    std::uint64_t unparsed = 0;                                ///< audio/video/metadata that did not parse
    std::vector<std::string> notes;                            ///< why (first max_notes)
    bool closed = false;                                       ///< the server closed the connection

    /// Sum of the audio and video bitrates that are known; nullopt when neither is.
    std::optional<double> bitrate() const noexcept;
};

class StreamProbe {
public:
    using Clock = std::chrono::steady_clock;
    static constexpr std::size_t max_notes = 8;

    explicit StreamProbe(Clock::time_point start) noexcept : start_(start) {}

    /// Takes one message a player received at `arrival`.
    void add(const Incoming& incoming, Clock::time_point arrival);
    /// The same for a bare message (audio, video or data).
    void add_message(const rtmp::Message& message, Clock::time_point arrival);

    const ProbeReport& report() const noexcept { return report_; }
    /// Largest timestamp span of video and audio frames so far (ms): how much
    /// media the probe has seen.
    std::int64_t media_span_ms() const noexcept;

private:
    void add_video(base::Bytes payload, std::int64_t timestamp, Clock::time_point arrival);
    void add_audio(base::Bytes payload, std::int64_t timestamp, Clock::time_point arrival);
    void add_data(base::Bytes payload, bool amf3);
    void note(std::string text);
    std::int64_t unwrap(std::optional<std::uint32_t>& last_raw, std::int64_t& last,
                        std::uint32_t raw) noexcept;
    std::chrono::microseconds since_start(Clock::time_point t) const noexcept;

    Clock::time_point start_;
    ProbeReport report_;
    std::optional<std::uint32_t> video_raw_;
    std::int64_t video_unwrapped_ = 0;
    std::optional<std::uint32_t> audio_raw_;
    std::int64_t audio_unwrapped_ = 0;
};

/// What connect() and play told about the server, as `sluice probe` prints it.
struct ProbeServer {
    std::string url;
    std::string fms_ver;
    double capabilities = 0;
    std::optional<double> mode;
    std::optional<double> caps_ex;           ///< Enhanced RTMP capsEx, when the server sent it
    std::vector<std::string> video_fourccs;  ///< videoFourCcInfoMap keys, when sent
    std::vector<std::string> audio_fourccs;
    std::string connect_code;  ///< information.code (NetConnection.Connect.Success)
    std::string connect_description;
    rtmp::HandshakeKind handshake = rtmp::HandshakeKind::simple;
    rtmp::HandshakeVersion server_version{};
    std::chrono::microseconds tcp_connected{};            ///< from the start of connect
    std::chrono::microseconds handshake_done{};           ///< from the start of connect
    std::chrono::microseconds connected{};                ///< `_result` in, from the start of connect
    std::optional<std::chrono::microseconds> play_start;  ///< NetStream.Play.Start, from the start

    static ProbeServer from(const ConnectInfo& info);
};

/// "simple", "digest" or "encrypted".
std::string_view handshake_kind_name(rtmp::HandshakeKind kind) noexcept;

/// The human report: server, timings, metadata, codecs, measured rates.
std::string render_probe_text(const ProbeServer& server, const ProbeReport& report);
/// The same as one JSON object on one line, then a newline. Keys: url;
/// server {fmsVer, capabilities, mode, capsEx, video_fourccs, audio_fourccs,
/// code, description, handshake, version}; times_ms {tcp_connected,
/// handshake_done, connected, play_start, first_frame, first_key_frame,
/// first_audio, last_message}; metadata {the onMetaData properties};
/// video {codec, profile, level, width, height, description,
/// from_sequence_header}; audio {codec, profile, sample_rate, channels,
/// description, from_sequence_header}; video_frames / audio_frames {frames,
/// key_frames (video), bytes, sequence_headers, first_timestamp,
/// last_timestamp, frame_rate, bitrate, key_frame_interval_ms (video)};
/// bitrate (bit/s); statuses; messages; payload_bytes; data_messages;
/// unparsed; notes; closed. Times are milliseconds; unknowns are null.
std::string render_probe_json(const ProbeServer& server, const ProbeReport& report);

}  // namespace sluice::client
