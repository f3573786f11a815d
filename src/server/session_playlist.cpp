// Session: playlists and play2 on files (issue 7 items 3-4). A NetStream
// plays one VodPlayback at a time; play(name, start, len, reset=false)
// queues files after it and play2 replaces it at a key frame. Each new
// playback takes over at the old one's handoff (vod_playback.hpp), so the
// timestamps a player sees run on without a gap or a step back.
//
// Live streams in a playlist are not supported: a queued name must be a
// file (the media folder's, or a live application's recording).
// play2 "appendAndWait" queues without starting; the next play with
// reset=false (or play2 "append") starts the queue.
// TODO(issue 7): play2's `offset` (fast switch) is ignored; switches wait
// for the next key frame.
#include <spdlog/spdlog.h>

#include <algorithm>

#include "rtmp/data_message.hpp"
#include "rtmp/net_stream_commands.hpp"
#include "server/app_path.hpp"
#include "server/name_check.hpp"
#include "server/session.hpp"

namespace sluice::server {

namespace {

/// Each queued item holds an open file: a peer may not pile them up.
constexpr std::size_t max_playlist_items = 64;

/// NetStreamPlayOptions' start and len are seconds (AS3 passes the object
/// as is, unlike play's arguments); negative values keep their meaning.
std::int64_t option_ms(const std::optional<double>& seconds, std::int64_t fallback) {
    if (!seconds) return fallback;
    const std::int64_t whole = whole_number(*seconds * 1000, fallback);
    return whole < 0 ? fallback : whole;
}

}  // namespace

void Session::send_play_status(rtmp::MessageStreamId stream_id, rtmp::Status status,
                               const std::string& name) {
    rtmp::OnPlayStatus play_status = rtmp::OnPlayStatus::make(status);
    play_status.information.details = name;
    send(rtmp::encode_data_message(play_status.to_data(), encoding_, stream_id), rtmp::csid::net_stream);
}

void Session::queue_file(const rtmp::PlayCommand& play, rtmp::MessageStreamId stream_id, NetStream& stream,
                         const std::string& name) {
    if (stream.playlist.size() >= max_playlist_items) {
        send_status(stream_id, rtmp::Status::play_failed,
                    "The playlist is full (" + std::to_string(max_playlist_items) + " items).", name);
        return;
    }
    OpenedFile opened = open_play_file(stream_id, name);
    if (!opened.file) return;
    stream.playlist.push_back({name, std::move(opened.file), opened.path,
                               std::max<std::int64_t>(0, whole_number(play.start, 0)),
                               whole_number(play.duration, -1), false});
    spdlog::info("play #{} peer={} app={} stream={} file=\"{}\" queued as item {} of the playlist", id_,
                 peer_, app_->name(), escape_name(name), escape_name(opened.path),
                 stream.playlist.size() + 1);
}

void Session::start_waiting_playlist(const rtmp::PlayCommand& play, rtmp::MessageStreamId stream_id,
                                     NetStream& stream, const std::string& name) {
    // start_file() stops the stream, which empties its playlist: keep the rest aside.
    std::deque<QueuedFile> waiting = std::move(stream.playlist);
    stream.playlist.clear();
    QueuedFile first = std::move(waiting.front());
    waiting.pop_front();
    const rtmp::PlayCommand first_play{0, first.name, static_cast<double>(first.start_ms),
                                       static_cast<double>(first.duration_ms), true};
    const std::string first_name = first.name;
    start_file(first_play, stream_id, stream, first_name, OpenedFile{std::move(first.file), first.path});
    if (!stream.vod || stream.vod_end_sent) return;  // it could not start (its status went out)
    stream.playlist = std::move(waiting);
    queue_file(play, stream_id, stream, name);
}

void Session::next_playlist_item(rtmp::MessageStreamId stream_id, NetStream& stream) {
    while (!stream.playlist.empty()) {
        QueuedFile next = std::move(stream.playlist.front());
        stream.playlist.pop_front();
        const VodPlayback::Handoff handoff = stream.vod->handoff();
        auto vod = std::make_unique<VodPlayback>(std::move(next.file));
        const auto reached = vod->start(next.start_ms, next.duration_ms, Clock::now(), &handoff);
        if (!reached) {
            send_status(stream_id, rtmp::Status::play_failed,
                        "Cannot start " + next.name + " at " + std::to_string(next.start_ms) +
                            " ms: " + reached.error().message() + ".",
                        next.name);
            continue;
        }
        vod->receive_audio(stream.vod->receiving_audio());
        vod->receive_video(stream.vod->receiving_video());
        spdlog::info("play #{} app={} playlist moves from {} to {} at {} ms (file {} ms)", id_, app_->name(),
                     escape_name(stream.name), escape_name(next.name), handoff.timestamp, *reached);
        stream.vod = std::move(vod);
        stream.name = next.name;
        send_play_status(stream_id, rtmp::Status::play_switch, next.name);
        send_status(stream_id, rtmp::Status::play_start, "Started playing " + next.name + ".", next.name);
        return;
    }
    end_vod(stream_id, stream, {});
}

void Session::complete_transition(rtmp::MessageStreamId stream_id, NetStream& stream) {
    QueuedFile next = std::move(*stream.transition);
    stream.transition.reset();
    const VodPlayback::Handoff handoff = stream.vod->handoff();
    // "switch" plays another rendition of the same content: on from where
    // the old one is. "swap" plays other content from its own start.
    const std::int64_t start = next.same_timeline ? handoff.file_timestamp : next.start_ms;
    auto vod = std::make_unique<VodPlayback>(std::move(next.file));
    const auto reached =
        vod->start(start, next.same_timeline ? -1 : next.duration_ms, Clock::now(), &handoff);
    if (!reached) {
        send_status(stream_id, rtmp::Status::play_failed,
                    "Cannot switch to " + next.name + " at " + std::to_string(start) +
                        " ms: " + reached.error().message() + "; " + stream.name + " plays on.",
                    next.name);
        return;
    }
    vod->receive_audio(stream.vod->receiving_audio());
    vod->receive_video(stream.vod->receiving_video());
    if (stream.vod->paused()) vod->pause(true, handoff.time);
    spdlog::info("play #{} app={} play2 moves from {} to {} at {} ms (file {} ms)", id_, app_->name(),
                 escape_name(stream.name), escape_name(next.name), handoff.timestamp, *reached);
    stream.vod = std::move(vod);
    stream.name = next.name;
    send_play_status(stream_id, rtmp::Status::play_transition_complete, next.name);
}

void Session::on_play2(const rtmp::Command& command, rtmp::MessageStreamId stream_id) {
    std::string why;
    auto play2 = rtmp::Play2Command::decode(command, &why);
    NetStream* stream = find_stream(stream_id);
    if (!play2 || !stream || !play2->options.stream_name) {
        send_status(stream_id, rtmp::Status::play_failed,
                    !play2    ? "Malformed play2: " + why
                    : !stream ? std::string("play2 on a stream createStream did not make.")
                              : std::string("play2 needs a streamName."));
        return;
    }
    const rtmp::PlayOptions& options = play2->options;
    const std::string transition = options.transition.value_or("switch");
    rtmp::PlayCommand play{play2->transaction_id, *options.stream_name, -2, -1, true};
    if (options.start && *options.start >= 0) play.start = static_cast<double>(option_ms(options.start, 0));
    if (options.len && *options.len >= 0) play.duration = static_cast<double>(option_ms(options.len, -1));
    spdlog::info("play2 #{} peer={} app={} stream={} transition={} old={}", id_, peer_, app_->name(),
                 escape_name(*options.stream_name), escape_name(transition),
                 escape_name(options.old_stream_name.value_or("")));

    if (transition == "stop") {
        if (stream->vod && !stream->vod_end_sent) {
            stream->playlist.clear();
            stream->transition.reset();
            end_vod(stream_id, *stream, {});
        } else if (stream->player) {
            stop_stream(stream_id, false);
            send_status(stream_id, rtmp::Status::play_stop, "Stopped playing.", play.stream_name);
        }
        return;
    }
    if (transition == "reset") return play_named(play, stream_id, *stream);
    if (transition == "appendAndWait" && (!stream->vod || stream->vod_end_sent)) {
        const std::string name(strip_query(play.stream_name));
        if (auto bad = check_stream_name(name, limits_.max_name_bytes)) {
            send_status(stream_id, rtmp::Status::play_failed, "invalid stream name: " + *bad + ".");
            return;
        }
        return queue_file(play, stream_id, *stream, name);
    }
    if (transition == "append" || transition == "appendAndWait") {
        play.reset = false;
        return play_named(play, stream_id, *stream);
    }
    if (transition != "switch" && transition != "swap") {
        send_status(stream_id, rtmp::Status::play_failed,
                    "Unknown play2 transition '" + transition +
                        "' (switch, swap, stop, reset, append or appendAndWait).",
                    play.stream_name);
        return;
    }
    // switch / swap with nothing playing: play the stream.
    if (!stream->vod || stream->vod_end_sent) return play_named(play, stream_id, *stream);

    const std::string name(strip_query(play.stream_name));
    if (auto bad = check_stream_name(name, limits_.max_name_bytes)) {
        send_status(stream_id, rtmp::Status::play_failed, "invalid stream name: " + *bad + ".");
        return;
    }
    const std::string old_name =
        options.old_stream_name ? std::string(strip_query(*options.old_stream_name)) : stream->name;
    const bool replaces_current = old_name == stream->name;
    auto queued = std::find_if(stream->playlist.begin(), stream->playlist.end(),
                               [&](const QueuedFile& q) { return q.name == old_name; });
    if (!replaces_current && queued == stream->playlist.end()) {
        send_status(stream_id, rtmp::Status::play_failed,
                    "play2: '" + old_name + "' is neither playing nor in the playlist.", name);
        return;
    }
    OpenedFile opened = open_play_file(stream_id, name);
    if (!opened.file) return;
    QueuedFile next{name,
                    std::move(opened.file),
                    opened.path,
                    std::max<std::int64_t>(0, whole_number(play.start, 0)),
                    whole_number(play.duration, -1),
                    transition == "switch"};
    send_status(stream_id, rtmp::Status::play_transition, "Transitioning to " + name + ".", name);
    if (replaces_current) {
        stream->transition = std::move(next);
        wake_writer();
    } else {
        // A queued item not started yet: it is replaced in place, and plays
        // from its own start when its turn comes.
        next.same_timeline = false;
        *queued = std::move(next);
        send_play_status(stream_id, rtmp::Status::play_transition_complete, name);
    }
}

}  // namespace sluice::server
