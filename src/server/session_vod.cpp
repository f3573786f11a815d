// Session: playing files - the vod application's media folder and a live
// application's recordings (issue 7 items 2-4). VodPlayback decides what
// is due; this file sends it with the statuses around it.
#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include "demux/errors.hpp"
#include "rtmp/data_message.hpp"
#include "rtmp/net_stream_commands.hpp"
#include "rtmp/responses.hpp"
#include "server/app_path.hpp"
#include "server/name_check.hpp"
#include "server/session.hpp"

namespace sluice::server {

namespace {

/// Without SetBufferLength: Flash Player's default is 0.1 s, which a
/// scheduling hiccup empties; a second keeps playback smooth.
constexpr std::chrono::milliseconds default_lead{1000};
/// rtmpdump asks for 10 hours: anything this long means "as fast as you can".
constexpr std::chrono::milliseconds max_lead{24 * 3600 * 1000};

bool regular_file(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

}  // namespace

std::string Session::app_dir() const {
    return app_instance_ == default_instance ? app_->name() : app_->name() + "/" + app_instance_;
}

std::optional<std::string> Session::recording_of(const std::string& name) const {
    auto path = recording_path(context_.config().recordings, app_dir(), name);
    if (!path || !regular_file(*path)) return std::nullopt;
    return std::move(*path);
}

Session::OpenedFile Session::open_play_file(rtmp::MessageStreamId stream_id, const std::string& name) {
    OpenedFile opened;
    VodContainer container = VodContainer::flv;
    if (app_->config().kind == AppKind::vod) {
        const auto vod_name = parse_vod_name(name);
        if (!vod_name) {
            send_status(stream_id, rtmp::Status::play_failed,
                        "'" + name + "' names no file this server plays (flv:, mp4:, mp3: or a plain name).",
                        name);
            return opened;
        }
        auto path = media_file_path(context_.config().media, vod_name->file);
        if (!path) {
            spdlog::warn(
                "play #{} peer={} app={} stream=\"{}\" refused: the file name leaves the media folder", id_,
                peer_, app_->name(), escape_name(name));
            send_status(stream_id, rtmp::Status::play_failed,
                        "invalid stream name: not a file of the media folder.", name);
            return opened;
        }
        opened.path = std::move(*path);
        container = vod_name->container;
    } else if (auto path = recording_of(name)) {
        opened.path = std::move(*path);
    } else {
        send_status(stream_id, rtmp::Status::play_stream_not_found, "No recording of '" + name + "'.", name);
        return opened;
    }
    auto file = VodFile::open(opened.path, container);
    if (!file) {
        const rtmp::Status status = vod_status(file.error());
        spdlog::info("play #{} peer={} app={} stream={} file=\"{}\" refused: {} ({})", id_, peer_,
                     app_->name(), escape_name(name), escape_name(opened.path), rtmp::status_code(status),
                     file.error().message());
        send_status(stream_id, status,
                    status == rtmp::Status::play_stream_not_found
                        ? "Stream '" + name + "' was not found."
                        : "Cannot play " + name + ": " + file.error().message() + ".",
                    name);
        return opened;
    }
    opened.file = std::move(*file);
    return opened;
}

void Session::play_file(const rtmp::PlayCommand& play, rtmp::MessageStreamId stream_id, NetStream& stream,
                        const std::string& name) {
    OpenedFile file = open_play_file(stream_id, name);
    if (file.file) start_file(play, stream_id, stream, name, std::move(file));
}

void Session::start_file(const rtmp::PlayCommand& play, rtmp::MessageStreamId stream_id, NetStream& stream,
                         const std::string& name, OpenedFile file) {
    stop_stream(stream_id, false);
    auto vod = std::make_unique<VodPlayback>(std::move(file.file));
    const std::int64_t start = std::max<std::int64_t>(0, whole_number(play.start, 0));
    const auto reached = vod->start(start, whole_number(play.duration, -1), Clock::now());
    if (!reached) {
        send_status(stream_id, rtmp::Status::play_failed,
                    "Cannot start " + name + " at " + std::to_string(start) +
                        " ms: " + reached.error().message() + " (it lasts " +
                        std::to_string(vod->duration_ms()) + " ms).",
                    name);
        return;
    }
    stream.vod = std::move(vod);
    stream.vod_end_sent = false;
    stream.name = name;

    // A recorded stream says so before the statuses every play gets.
    send_control(rtmp::UserControl::stream_is_recorded(stream_id));
    send_play_start(stream_id, name, play.reset);
    roles_ += " played=" + name;
    spdlog::info("play #{} peer={} app={} stream={} file=\"{}\" start={} from={}ms duration={}ms", id_, peer_,
                 app_->name(), escape_name(name), escape_name(file.path), play.start, *reached,
                 stream.vod->duration_ms());
}

void Session::on_seek(const rtmp::Command& command, rtmp::MessageStreamId stream_id) {
    std::string why;
    auto seek = rtmp::SeekCommand::decode(command, &why);
    NetStream* stream = find_stream(stream_id);
    if (!seek) {
        send_status(stream_id, rtmp::Status::seek_failed, "Malformed seek: " + why);
        return;
    }
    if (!stream || !stream->vod) {
        send_status(stream_id, rtmp::Status::seek_failed, "Only recorded streams can seek.");
        return;
    }
    const auto reached = stream->vod->seek(whole_number(seek->milliseconds, 0), Clock::now());
    if (!reached) {
        // Adobe Media Server puts the last valid time in `details`.
        send_status(
            stream_id, rtmp::Status::seek_invalid_time,
            "Seek to " + std::to_string(whole_number(seek->milliseconds, 0)) + " ms is beyond the end.",
            std::to_string(stream->vod->duration_ms()));
        return;
    }
    stream->vod_end_sent = false;
    send_status(stream_id, rtmp::Status::seek_notify,
                "Seeking " + std::to_string(*reached) + " (stream ID: " + std::to_string(stream_id) + ").",
                stream->name);
    send_status(stream_id, rtmp::Status::play_start, "Started playing " + stream->name + ".", stream->name);
    spdlog::debug("#{} seek on {} to {} ms reached {} ms", id_, stream->name, seek->milliseconds, *reached);
    wake_writer();
}

void Session::pause_vod(rtmp::MessageStreamId stream_id, NetStream& stream, bool pause) {
    if (pause == stream.vod->paused()) return;
    stream.vod->pause(pause, Clock::now());
    if (pause) {
        send_control(rtmp::UserControl::stream_eof(stream_id));
        send_status(stream_id, rtmp::Status::pause_notify, "Pausing " + stream.name + ".", stream.name);
    } else {
        send_control(rtmp::UserControl::stream_begin(stream_id));
        send_status(stream_id, rtmp::Status::unpause_notify, "Unpausing " + stream.name + ".", stream.name);
    }
    wake_writer();
}

std::chrono::milliseconds Session::vod_lead(rtmp::MessageStreamId stream_id) const {
    auto it = buffer_ms_.find(stream_id);
    if (it == buffer_ms_.end()) it = buffer_ms_.find(0);
    if (it == buffer_ms_.end()) return default_lead;
    return std::min(std::chrono::milliseconds(it->second), max_lead);
}

bool Session::pump_vod(rtmp::MessageStreamId stream_id, NetStream& stream, Clock::time_point now) {
    const auto lead = vod_lead(stream_id);
    if (stream.transition && !stream.vod->paused() && stream.vod->at_switch_point(now, lead))
        complete_transition(stream_id, stream);
    auto message = stream.vod->pop(now, lead);
    if (!message) {
        end_vod(stream_id, stream, message.error());
        return false;
    }
    if (!*message) {
        if (!stream.vod->finished() || stream.vod_end_sent) return false;
        // The file ended: a pending play2 takes over, else the playlist's
        // next item, else the playback ends.
        if (stream.transition) complete_transition(stream_id, stream);
        if (stream.vod->finished()) next_playlist_item(stream_id, stream);
        return true;
    }
    rtmp::Message& m = **message;
    m.stream_id = stream_id;
    send(m, m.type == rtmp::MessageType::video   ? rtmp::csid::video
            : m.type == rtmp::MessageType::audio ? rtmp::csid::audio
                                                 : rtmp::csid::net_stream);
    return true;
}

void Session::end_vod(rtmp::MessageStreamId stream_id, NetStream& stream, std::error_code error) {
    stream.vod_end_sent = true;
    VodPlayback& vod = *stream.vod;
    if (error) {
        spdlog::warn("#{} app={} stream={} file playback failed: {}", id_, app_->name(), stream.name,
                     error.message());
        send_status(stream_id, vod_status(error),
                    "Playback of " + stream.name + " failed: " + error.message() + ".", stream.name);
    }
    // Adobe Media Server's end of a recorded stream.
    send_status(stream_id, rtmp::Status::play_stop, "Stopped playing " + stream.name + ".", stream.name);
    send(rtmp::encode_data_message(rtmp::OnPlayStatus::make(rtmp::Status::play_complete,
                                                            static_cast<double>(vod.duration_ms()) / 1000.0,
                                                            static_cast<double>(vod.bytes_sent()))
                                       .to_data(),
                                   encoding_, stream_id),
         rtmp::csid::net_stream);
    send_control(rtmp::UserControl::stream_eof(stream_id));
    spdlog::info("play end #{} app={} stream={} messages={} bytes={}", id_, app_->name(), stream.name,
                 vod.messages_sent(), vod.bytes_sent());
}

Session::Clock::time_point Session::next_vod_due() const {
    auto next = Clock::time_point::max();
    for (const auto& [id, stream] : streams_) {
        if (!stream.vod || stream.vod_end_sent) continue;
        if (const auto due = stream.vod->due_at(vod_lead(id))) next = std::min(next, *due);
    }
    return next;
}

}  // namespace sluice::server
