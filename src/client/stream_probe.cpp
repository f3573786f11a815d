#include "client/stream_probe.hpp"

// The one translation unit of sluice_client that compiles Boost.JSON
// (header-only mode: the library's sources, once). load_stats.cpp and the
// tests use its ordinary headers and link against these definitions.
#include <boost/json/src.hpp>

#include <cmath>
#include <cstdio>
#include <utility>

#include "amf/debug_string.hpp"
#include "flv/aac_config.hpp"
#include "flv/audio_header.hpp"
#include "flv/avc_config.hpp"
#include "flv/codec_summary.hpp"
#include "flv/errors.hpp"
#include "flv/fourcc.hpp"
#include "flv/hevc_config.hpp"
#include "flv/opus_header.hpp"
#include "flv/video_header.hpp"

namespace sluice::client {

namespace json = boost::json;

std::optional<double> ProbeTrack::frame_rate() const noexcept {
    if (frames < 2 || span_ms() <= 0) return std::nullopt;
    return static_cast<double>(frames - 1) * 1000.0 / static_cast<double>(span_ms());
}

std::optional<double> ProbeTrack::bitrate() const noexcept {
    const auto rate = frame_rate();
    if (!rate) return std::nullopt;
    // frames × (1 / rate) seconds are covered: the last frame lasts too.
    return static_cast<double>(frame_bytes) * 8.0 * *rate / static_cast<double>(frames);
}

std::optional<double> ProbeTrack::key_frame_interval_ms() const noexcept {
    if (key_frames < 2) return std::nullopt;
    return static_cast<double>(last_key_timestamp - first_key_timestamp) /
           static_cast<double>(key_frames - 1);
}

std::optional<double> ProbeReport::bitrate() const noexcept {
    const auto v = video_track.bitrate();
    const auto a = audio_track.bitrate();
    if (!v && !a) return std::nullopt;
    return v.value_or(0) + a.value_or(0);
}

std::chrono::microseconds StreamProbe::since_start(Clock::time_point t) const noexcept {
    return std::chrono::duration_cast<std::chrono::microseconds>(t - start_);
}

std::int64_t StreamProbe::unwrap(std::optional<std::uint32_t>& last_raw, std::int64_t& last,
                                 std::uint32_t raw) noexcept {
    // The signed 32-bit difference carries a wrap past 2^32 ms forward.
    last = last_raw ? last + static_cast<std::int32_t>(raw - *last_raw) : raw;
    last_raw = raw;
    return last;
}

std::int64_t StreamProbe::media_span_ms() const noexcept {
    return std::max(report_.video_track.span_ms(), report_.audio_track.span_ms());
}

void StreamProbe::note(std::string text) {
    ++report_.unparsed;
    if (report_.notes.size() < max_notes) report_.notes.push_back(std::move(text));
}

void StreamProbe::add(const Incoming& incoming, Clock::time_point arrival) {
    switch (incoming.kind) {
        case Incoming::Kind::audio:
        case Incoming::Kind::video:
        case Incoming::Kind::data:
            add_message(incoming.message, arrival);
            return;
        case Incoming::Kind::status:
            ++report_.messages;
            report_.payload_bytes += incoming.message.payload.size();
            report_.last_message = since_start(arrival);
            if (incoming.status) report_.statuses.push_back(incoming.status->code);
            return;
        case Incoming::Kind::closed:
            report_.closed = true;
            return;
        case Incoming::Kind::command:
        case Incoming::Kind::user_control:
        case Incoming::Kind::shared_object:
        case Incoming::Kind::other:
            ++report_.messages;
            report_.payload_bytes += incoming.message.payload.size();
            report_.last_message = since_start(arrival);
            return;
    }
}

void StreamProbe::add_message(const rtmp::Message& message, Clock::time_point arrival) {
    ++report_.messages;
    report_.payload_bytes += message.payload.size();
    report_.last_message = since_start(arrival);
    switch (message.type) {
        case rtmp::MessageType::video:
            add_video(message.payload, unwrap(video_raw_, video_unwrapped_, message.timestamp), arrival);
            return;
        case rtmp::MessageType::audio:
            add_audio(message.payload, unwrap(audio_raw_, audio_unwrapped_, message.timestamp), arrival);
            return;
        case rtmp::MessageType::data_amf0:
            add_data(message.payload, false);
            return;
        case rtmp::MessageType::data_amf3:
            add_data(message.payload, true);
            return;
        default:
            return;
    }
}

namespace {

void count_frame(ProbeTrack& track, std::size_t bytes, std::int64_t timestamp) {
    if (track.frames == 0) track.first_timestamp = timestamp;
    track.last_timestamp = timestamp;
    ++track.frames;
    track.frame_bytes += bytes;
}

ProbeVideoCodec video_codec_of(const flv::VideoTagHeader& h, base::Bytes payload, bool config) {
    ProbeVideoCodec out;
    const flv::VideoTrack& track = h.tracks.front();
    out.codec = flv::video_codec_name(h.codec_id, track.fourcc);
    out.description = out.codec;
    if (auto d = flv::describe_video(payload)) out.description = *d;
    if (!config) return out;
    out.from_sequence_header = true;
    const bool avc = track.fourcc == flv::fourcc::avc1 || (!h.enhanced && h.codec_id == 7);
    const bool hevc = track.fourcc == flv::fourcc::hvc1 || (!h.enhanced && h.codec_id == 12);
    if (avc) {
        if (auto c = flv::parse_avc_config(track.body)) {
            out.profile = flv::avc_profile_name(c->profile, c->compatibility);
            out.level = flv::avc_level_name(c->level);
            if (c->first_sps) {
                out.width = c->first_sps->width;
                out.height = c->first_sps->height;
            }
        }
    } else if (hevc) {
        if (auto c = flv::parse_hevc_config(track.body)) {
            out.profile = flv::hevc_profile_name(c->profile_idc);
            out.level = flv::hevc_level_name(c->level_idc);
            if (c->first_sps) {
                out.width = c->first_sps->width;
                out.height = c->first_sps->height;
            }
        }
    }
    return out;
}

ProbeAudioCodec audio_codec_of(const flv::AudioTagHeader& h, base::Bytes payload, bool config) {
    ProbeAudioCodec out;
    const std::uint32_t code = h.tracks.empty() ? 0 : h.tracks.front().fourcc;
    out.codec = flv::audio_codec_name(static_cast<unsigned>(h.format), code);
    out.description = out.codec;
    if (auto d = flv::describe_audio(payload)) out.description = *d;
    if (!h.enhanced && h.format != flv::SoundFormat::aac) {
        // Legacy non-AAC formats state their rate and layout in the header.
        out.sample_rate = h.legacy_sample_rate();
        out.channels = h.sound_type == 1 ? 2 : 1;
    }
    if (!config || h.tracks.empty()) return out;
    out.from_sequence_header = true;
    const base::Bytes body = h.tracks.front().body;
    const bool aac = code == flv::fourcc::mp4a || (!h.enhanced && h.format == flv::SoundFormat::aac);
    if (aac) {
        if (auto c = flv::parse_aac_config(body)) {
            out.profile = flv::aac_profile_name(*c);
            out.sample_rate = c->output_sample_rate();
            out.channels = c->channels;
        }
    } else if (code == flv::fourcc::opus) {
        if (auto o = flv::parse_opus_header(body)) {
            out.sample_rate = 48000;  // Opus always decodes at 48 kHz
            out.channels = o->channels;
        }
    }
    return out;
}

}  // namespace

void StreamProbe::add_video(base::Bytes payload, std::int64_t timestamp, Clock::time_point arrival) {
    auto h = flv::parse_video(payload);
    if (!h) {
        note("video at " + std::to_string(timestamp) + " ms: " + h.error().message());
        return;
    }
    if (h->tracks.empty()) return;  // a command frame (seek start/end)
    if (flv::is_video_sequence_header(*h)) {
        ++report_.video_track.sequence_headers;
        report_.video = video_codec_of(*h, payload, true);
        return;
    }
    if (h->packet_type == flv::VideoPacketType::sequence_end ||
        h->packet_type == flv::VideoPacketType::metadata)
        return;
    if (!report_.video) report_.video = video_codec_of(*h, payload, false);
    ProbeTrack& track = report_.video_track;
    count_frame(track, payload.size(), timestamp);
    if (!report_.first_frame) report_.first_frame = since_start(arrival);
    if (flv::is_video_keyframe(*h)) {
        if (track.key_frames == 0) track.first_key_timestamp = timestamp;
        track.last_key_timestamp = timestamp;
        ++track.key_frames;
        if (!report_.first_key_frame) report_.first_key_frame = since_start(arrival);
    }
}

void StreamProbe::add_audio(base::Bytes payload, std::int64_t timestamp, Clock::time_point arrival) {
    auto h = flv::parse_audio(payload);
    if (!h) {
        note("audio at " + std::to_string(timestamp) + " ms: " + h.error().message());
        return;
    }
    if (h->silence) return;
    if (flv::is_audio_sequence_header(*h)) {
        ++report_.audio_track.sequence_headers;
        report_.audio = audio_codec_of(*h, payload, true);
        return;
    }
    if (h->packet_type == flv::AudioPacketType::sequence_end ||
        h->packet_type == flv::AudioPacketType::multichannel_config)
        return;
    if (!report_.audio) report_.audio = audio_codec_of(*h, payload, false);
    count_frame(report_.audio_track, payload.size(), timestamp);
    if (!report_.first_audio) report_.first_audio = since_start(arrival);
}

void StreamProbe::add_data(base::Bytes payload, bool amf3) {
    ++report_.data_messages;
    // Type 15 starts with a format byte (0) before the AMF0 values.
    if (amf3 && !payload.empty()) payload = payload.subspan(1);
    auto metadata = flv::decode_metadata(payload);
    // Other handlers (|RtmpSampleAccess, onTextData, ...) are only counted.
    if (!metadata && metadata.error() == flv::Errc::metadata_not_on_meta_data) return;
    if (!metadata) {
        note("onMetaData: " + metadata.error().message());
        return;
    }
    report_.metadata = std::move(*metadata);
}

ProbeServer ProbeServer::from(const ConnectInfo& info) {
    ProbeServer out;
    out.url = info.url.to_string();
    out.fms_ver = info.result.fms_ver;
    out.capabilities = info.result.capabilities;
    out.mode = info.result.mode;
    out.caps_ex = info.result.caps_ex;
    if (info.result.video_fourcc_info_map)
        for (const auto& [name, value] : *info.result.video_fourcc_info_map)
            out.video_fourccs.push_back(name);
    if (info.result.audio_fourcc_info_map)
        for (const auto& [name, value] : *info.result.audio_fourcc_info_map)
            out.audio_fourccs.push_back(name);
    out.connect_code = info.result.information.code;
    out.connect_description = info.result.information.description;
    out.handshake = info.handshake_kind;
    out.server_version = info.server_version;
    out.tcp_connected = info.tcp_connected;
    out.handshake_done = info.handshake_done;
    out.connected = info.connected;
    return out;
}

std::string_view handshake_kind_name(rtmp::HandshakeKind kind) noexcept {
    switch (kind) {
        case rtmp::HandshakeKind::simple:
            return "simple";
        case rtmp::HandshakeKind::digest:
            return "digest";
        case rtmp::HandshakeKind::encrypted:
            return "encrypted";
    }
    return "unknown";
}

namespace {

std::string version_text(const rtmp::HandshakeVersion& v) {
    return std::to_string(v[0]) + "." + std::to_string(v[1]) + "." + std::to_string(v[2]) + "." +
           std::to_string(v[3]);
}

double to_ms(std::chrono::microseconds us) {
    return static_cast<double>(us.count()) / 1000.0;
}

template <class... Args>
std::string format(const char* pattern, Args... args) {
    char buffer[256];
    const int n = std::snprintf(buffer, sizeof buffer, pattern, args...);
    return std::string(buffer,
                       n < 0 ? 0 : std::min<std::size_t>(static_cast<std::size_t>(n), sizeof buffer - 1));
}

std::string ms_text(std::optional<std::chrono::microseconds> us) {
    return us ? format("%.2f ms", to_ms(*us)) : std::string("-");
}

std::string rate_text(std::optional<double> bits_per_second) {
    if (!bits_per_second) return "? kbit/s";
    if (*bits_per_second >= 10e6) return format("%.2f Mbit/s", *bits_per_second / 1e6);
    return format("%.1f kbit/s", *bits_per_second / 1e3);
}

/// A number as JSON: integers stay integers; NaN and infinities are null.
json::value number_json(double d) {
    if (!std::isfinite(d)) return nullptr;
    if (d == std::floor(d) && std::fabs(d) < 9e15) return static_cast<std::int64_t>(d);
    return d;
}

json::value amf_json(const amf::Value& value) {
    if (const auto* b = value.get_if<bool>()) return *b;
    if (const auto* d = value.get_if<double>()) return number_json(*d);
    if (const auto* i = value.get_if<amf::Integer>()) return i->value;
    if (const auto* s = value.string()) return json::string(*s);
    if (value.is_null_or_undefined()) return nullptr;
    if (const auto* list = value.properties()) {
        json::object out;
        for (const auto& p : list->properties) out[p.name] = amf_json(p.value);
        return out;
    }
    if (const auto* array = value.get_if<amf::StrictArray>()) {
        json::array out;
        for (const auto& item : array->items) out.push_back(amf_json(item));
        return out;
    }
    return json::string(amf::debug_string(value));
}

json::value ms_json(std::optional<std::chrono::microseconds> us) {
    if (!us) return nullptr;
    return to_ms(*us);
}

json::value optional_json(std::optional<double> d) {
    return d ? number_json(*d) : json::value(nullptr);
}

json::value track_json(const ProbeTrack& t, bool video) {
    json::object out;
    out["frames"] = t.frames;
    if (video) out["key_frames"] = t.key_frames;
    out["bytes"] = t.frame_bytes;
    out["sequence_headers"] = t.sequence_headers;
    out["first_timestamp"] = t.frames ? json::value(t.first_timestamp) : json::value(nullptr);
    out["last_timestamp"] = t.frames ? json::value(t.last_timestamp) : json::value(nullptr);
    out["frame_rate"] = optional_json(t.frame_rate());
    out["bitrate"] = optional_json(t.bitrate());
    if (video) out["key_frame_interval_ms"] = optional_json(t.key_frame_interval_ms());
    return out;
}

json::value empty_as_null(const std::string& s) {
    return s.empty() ? json::value(nullptr) : json::value(json::string(s));
}

json::value zero_as_null(std::uint32_t n) {
    return n == 0 ? json::value(nullptr) : json::value(n);
}

}  // namespace

std::string render_probe_json(const ProbeServer& server, const ProbeReport& report) {
    json::object root;
    root["url"] = server.url;

    json::object s;
    s["fmsVer"] = server.fms_ver;
    s["capabilities"] = number_json(server.capabilities);
    s["mode"] = server.mode ? number_json(*server.mode) : json::value(nullptr);
    s["capsEx"] = server.caps_ex ? number_json(*server.caps_ex) : json::value(nullptr);
    json::array vf, af;
    for (const auto& f : server.video_fourccs) vf.push_back(json::string(f));
    for (const auto& f : server.audio_fourccs) af.push_back(json::string(f));
    s["video_fourccs"] = std::move(vf);
    s["audio_fourccs"] = std::move(af);
    s["code"] = server.connect_code;
    s["description"] = server.connect_description;
    s["handshake"] = handshake_kind_name(server.handshake);
    s["version"] = version_text(server.server_version);
    root["server"] = std::move(s);

    json::object t;
    t["tcp_connected"] = to_ms(server.tcp_connected);
    t["handshake_done"] = to_ms(server.handshake_done);
    t["connected"] = to_ms(server.connected);
    t["play_start"] = ms_json(server.play_start);
    t["first_frame"] = ms_json(report.first_frame);
    t["first_key_frame"] = ms_json(report.first_key_frame);
    t["first_audio"] = ms_json(report.first_audio);
    t["last_message"] = ms_json(report.last_message);
    root["times_ms"] = std::move(t);

    if (report.metadata) {
        json::object m;
        for (const auto& p : report.metadata->properties.properties) m[p.name] = amf_json(p.value);
        root["metadata"] = std::move(m);
    } else {
        root["metadata"] = nullptr;
    }

    if (report.video) {
        const ProbeVideoCodec& v = *report.video;
        json::object o;
        o["codec"] = v.codec;
        o["profile"] = empty_as_null(v.profile);
        o["level"] = empty_as_null(v.level);
        o["width"] = zero_as_null(v.width);
        o["height"] = zero_as_null(v.height);
        o["description"] = v.description;
        o["from_sequence_header"] = v.from_sequence_header;
        root["video"] = std::move(o);
    } else {
        root["video"] = nullptr;
    }
    if (report.audio) {
        const ProbeAudioCodec& a = *report.audio;
        json::object o;
        o["codec"] = a.codec;
        o["profile"] = empty_as_null(a.profile);
        o["sample_rate"] = zero_as_null(a.sample_rate);
        o["channels"] = zero_as_null(a.channels);
        o["description"] = a.description;
        o["from_sequence_header"] = a.from_sequence_header;
        root["audio"] = std::move(o);
    } else {
        root["audio"] = nullptr;
    }
    root["video_frames"] = track_json(report.video_track, true);
    root["audio_frames"] = track_json(report.audio_track, false);
    root["bitrate"] = optional_json(report.bitrate());

    json::array statuses;
    for (const auto& code : report.statuses) statuses.push_back(json::string(code));
    root["statuses"] = std::move(statuses);
    root["messages"] = report.messages;
    root["payload_bytes"] = report.payload_bytes;
    root["data_messages"] = report.data_messages;
    root["unparsed"] = report.unparsed;
    json::array notes;
    for (const auto& n : report.notes) notes.push_back(json::string(n));
    root["notes"] = std::move(notes);
    root["closed"] = report.closed;
    return json::serialize(root) + "\n";
}

std::string render_probe_text(const ProbeServer& server, const ProbeReport& report) {
    std::string out;
    auto line = [&out](const std::string& text) { out += text + "\n"; };
    line("Server     " + server.url);
    line("  fmsVer        " + server.fms_ver);
    line("  capabilities  " + format("%g", server.capabilities) +
         (server.mode ? format(" (mode %g)", *server.mode) : std::string()) +
         (server.caps_ex ? format(", capsEx %g", *server.caps_ex) : std::string()));
    if (!server.video_fourccs.empty() || !server.audio_fourccs.empty()) {
        std::string codecs;
        for (const auto& f : server.video_fourccs) codecs += (codecs.empty() ? "" : " ") + f;
        for (const auto& f : server.audio_fourccs) codecs += (codecs.empty() ? "" : " ") + f;
        line("  E-RTMP codecs " + codecs);
    }
    line("  handshake     " + std::string(handshake_kind_name(server.handshake)) + " (server version " +
         version_text(server.server_version) + ")");
    line("  connect       " + server.connect_code +
         (server.connect_description.empty() ? "" : " \"" + server.connect_description + "\""));

    line("Times      (from the start of connect)");
    line("  TCP connected    " + ms_text(server.tcp_connected));
    line("  handshake done   " + ms_text(server.handshake_done));
    line("  connected        " + ms_text(server.connected));
    line("  Play.Start       " + ms_text(server.play_start));
    line("  first frame      " + ms_text(report.first_frame));
    line("  first key frame  " + ms_text(report.first_key_frame));
    line("  first audio      " + ms_text(report.first_audio));

    if (report.metadata) {
        line("Metadata");
        for (const auto& p : report.metadata->properties.properties)
            line("  " + p.name + ": " + amf::debug_string(p.value));
    } else {
        line("Metadata   none received");
    }

    const ProbeTrack& v = report.video_track;
    if (report.video) {
        line("Video      " + report.video->description);
        std::string stats = format("  %llu frames (%llu key)", static_cast<unsigned long long>(v.frames),
                                   static_cast<unsigned long long>(v.key_frames));
        if (auto fps = v.frame_rate()) stats += format(", %.2f fps", *fps);
        stats += ", " + rate_text(v.bitrate());
        if (auto gop = v.key_frame_interval_ms()) stats += format(", a key frame every %.0f ms", *gop);
        line(stats);
    } else {
        line("Video      none received");
    }
    const ProbeTrack& a = report.audio_track;
    if (report.audio) {
        line("Audio      " + report.audio->description);
        std::string stats = format("  %llu frames", static_cast<unsigned long long>(a.frames));
        if (auto fps = a.frame_rate()) stats += format(", %.2f frames/s", *fps);
        line(stats + ", " + rate_text(a.bitrate()));
    } else {
        line("Audio      none received");
    }
    line("Total      " + rate_text(report.bitrate()) +
         format(" measured over %.2f s of media; %llu messages, %llu payload bytes",
                static_cast<double>(std::max(v.span_ms(), a.span_ms())) / 1000.0,
                static_cast<unsigned long long>(report.messages),
                static_cast<unsigned long long>(report.payload_bytes)));
    if (!report.statuses.empty()) {
        std::string codes;
        for (const auto& c : report.statuses) codes += (codes.empty() ? "" : ", ") + c;
        line("Statuses   " + codes);
    }
    for (const auto& n : report.notes) line("Note       " + n);
    if (report.unparsed > report.notes.size())
        line(format("Note       %llu more messages did not parse",
                    static_cast<unsigned long long>(report.unparsed - report.notes.size())));
    return out;
}

}  // namespace sluice::client
