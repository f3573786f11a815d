// Session: recording publishes to FLV files (issue 7 item 1; the policy is
// the application's `record` key, docs/config.md).
#include <spdlog/spdlog.h>

#include "server/app_path.hpp"
#include "server/name_check.hpp"
#include "server/session.hpp"

namespace sluice::server {

void Session::start_recording(rtmp::MessageStreamId stream_id, NetStream& stream, rtmp::PublishMode mode) {
    const AppConfig& app = app_->config();
    const bool requested = mode != rtmp::PublishMode::live;
    if (requested && app.record == RecordPolicy::off) {
        spdlog::info("#{} app={} stream={} publish type '{}' served as live: recording is off here", id_,
                     app.name, stream.name, rtmp::to_string(mode));
        send_status(stream_id, rtmp::Status::record_no_access,
                    "Recording is not allowed in application '" + app.name + "'.", stream.name);
        return;
    }
    if (!requested && app.record != RecordPolicy::all) return;

    const ServerConfig& config = context_.config();
    RecordingPlan plan;
    plan.root = config.recordings;
    plan.app_dir = app_instance_ == default_instance ? app.name : app.name + "/" + app_instance_;
    plan.stream = stream.name;
    plan.mode = mode == rtmp::PublishMode::append ? RecordMode::append : RecordMode::record;
    if (!requested) {
        // record = "all": the app names and rotates its files; an explicit
        // record/append always means <app>/<name>.flv, which players ask for.
        plan.pattern = app.record_pattern;
        plan.max_bytes = app.record_max_bytes;
        plan.max_duration = app.record_max_duration;
    }
    plan.options.buffer_bytes = config.recording.buffer_bytes;
    plan.options.fsync = config.recording.fsync;
    plan.options.fsync_every_bytes = config.recording.fsync_every_bytes;
    plan.flush_interval = config.recording.flush_interval;

    auto recording = std::make_unique<StreamRecording>(std::move(plan));
    if (const base::Status st = recording->open()) {
        spdlog::error("#{} peer={} app={} stream={} cannot record to \"{}\": {}; publishing live only", id_,
                      peer_, app.name, stream.name, escape_name(recording->path()), st.message());
        send_status(stream_id, rtmp::Status::record_failed,
                    "Cannot record " + stream.name + ": " + st.message() + ".", stream.name);
        return;
    }
    spdlog::info("record #{} app={} stream={} file=\"{}\" mode={}", id_, app.name, stream.name,
                 escape_name(recording->path()),
                 rtmp::to_string(mode == rtmp::PublishMode::live ? rtmp::PublishMode::record : mode));
    send_status(stream_id, rtmp::Status::record_start, "Recording " + stream.name + ".", stream.name);
    stream.recording = std::move(recording);
}

void Session::record(rtmp::MessageStreamId stream_id, NetStream& stream, const Frame& frame) {
    if (!stream.recording) return;
    const base::Status st = stream.recording->write(frame);
    if (!st) return;
    const Recorder& recorder = stream.recording->recorder();
    if (recorder.error() || !recorder.is_open()) {
        recording_failed(stream_id, stream, st);
        return;
    }
    // The Recorder refused this one message (over 16 MiB): the file goes on.
    spdlog::debug("#{} stream={} message of type {} not recorded: {}", id_, stream.name,
                  static_cast<int>(frame.message.type), st.message());
}

void Session::tick_recordings(Clock::time_point now) {
    for (auto& [id, stream] : streams_) {
        if (!stream.recording) continue;
        if (const base::Status st = stream.recording->tick(now)) recording_failed(id, stream, st);
    }
}

void Session::recording_failed(rtmp::MessageStreamId stream_id, NetStream& stream, std::error_code error) {
    // The disk failed, not the publisher: live players carry on, and the
    // file stays readable up to its last whole tag (recorder.hpp).
    spdlog::error("#{} peer={} app={} stream={} recording to \"{}\" failed: {}; the live stream goes on", id_,
                  peer_, app_->name(), stream.name, escape_name(stream.recording->path()), error.message());
    (void)stream.recording->close();
    stream.recording.reset();
    send_status(stream_id, rtmp::Status::record_failed,
                "Recording " + stream.name + " failed: " + error.message() + ".", stream.name);
}

void Session::stop_recording(rtmp::MessageStreamId stream_id, NetStream& stream, bool notify_publisher) {
    if (!stream.recording) return;
    StreamRecording& recording = *stream.recording;
    const base::Status st = recording.close();
    const RecorderStats& stats = recording.recorder().stats();
    if (st) {
        spdlog::error("#{} app={} stream={} closing recording \"{}\" failed: {}", id_, app_->name(),
                      stream.name, escape_name(recording.path()), st.message());
    }
    spdlog::info("record stop #{} app={} stream={} file=\"{}\" parts={} tags={} bytes={} duration={:.3f}s",
                 id_, app_->name(), stream.name, escape_name(recording.path()), recording.parts(),
                 recording.tags(), recording.bytes_written(), stats.duration_ms() / 1000.0);
    if (notify_publisher) {
        if (st) {
            send_status(stream_id, rtmp::Status::record_failed,
                        "Recording " + stream.name + " failed: " + st.message() + ".", stream.name);
        } else {
            send_status(stream_id, rtmp::Status::record_stop, "Stopped recording " + stream.name + ".",
                        stream.name);
        }
    }
    stream.recording.reset();
}

}  // namespace sluice::server
