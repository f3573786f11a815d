// Session: NetConnection and NetStream commands (spec 7.2; REFERENCE.md
// §4.1-4.5 for what FFmpeg, librtmp/OBS and GStreamer send and expect).
#include <spdlog/spdlog.h>
#include <cmath>

#include "rtmp/data_message.hpp"
#include "rtmp/net_connection_commands.hpp"
#include "rtmp/net_stream_commands.hpp"
#include "rtmp/responses.hpp"
#include "rtmp/swf_verification.hpp"
#include "server/app_path.hpp"
#include "server/name_check.hpp"
#include "server/session.hpp"

namespace sluice::server {

namespace cn = rtmp::command_name;

namespace {

PlayerQueueLimits queue_limits(const ServerLimits& limits) {
    return PlayerQueueLimits{limits.player_queue_bytes, limits.player_queue_duration,
                             limits.player_disconnect_bytes};
}

/// play's start: -2 live, else the recording; -1 live only; >= 0 the
/// recording from there. FFmpeg sends them multiplied by 1000 (-2000,
/// -1000, 0) and librtmp -1000 with --live and 0 without, so start and
/// duration are taken as milliseconds (as librtmp documents them).
bool live_only(double start) noexcept {
    return start == -1 || start == -1000;
}

}  // namespace

void Session::on_command(const rtmp::Message& message) {
    auto decoded = rtmp::decode_command(message, command_options_);
    if (!decoded) {
        close("malformed command: " + decoded.error().message());
        return;
    }
    const rtmp::Command& command = *decoded;
    const std::string& name = command.name;
    const rtmp::MessageStreamId stream_id = message.stream_id;
    spdlog::trace("#{} command {} on stream {}", id_, rtmp::debug_string(command), stream_id);

    if (name == cn::connect) return on_connect(command);
    if (!connected_) {
        close("'" + escape_name(name) + "' before connect");
        return;
    }
    if (name == cn::create_stream) return on_create_stream(command);
    if (name == cn::publish) return on_publish(command, stream_id);
    if (name == cn::play) return on_play(command, stream_id);
    if (name == cn::pause) return on_pause(command, stream_id);
    if (name == cn::receive_audio || name == cn::receive_video) return on_receive_media(command, stream_id);
    if (name == cn::delete_stream) return on_delete_stream(command);
    if (name == cn::close_stream) return stop_stream(stream_id, true);
    if (name == cn::fc_unpublish) return on_fc_unpublish(command);
    if (name == cn::seek) return on_seek(command, stream_id);
    if (name == cn::play2) return on_play2(command, stream_id);
    if (name == cn::close) {
        close_after_flush("client sent close");
        return;
    }
    if (name == cn::result || name == cn::error) return on_call_answer(command);
    if (name == cn::on_status) return;  // e.g. a client's answer to onBWDone
    on_call(command);
}

void Session::on_connect(const rtmp::Command& command) {
    std::string why;
    auto connect = rtmp::ConnectCommand::decode(command, &why);
    if (!connect) {
        close("malformed connect: " + why);
        return;
    }
    if (connected_ || held_connect_) {
        spdlog::warn("#{} second connect refused", id_);
        send_error(connect->transaction_id, rtmp::Status::connect_failed, "Already connected.");
        return;
    }
    const AppPath path = parse_app_path(connect->app);
    if (auto bad = check_app_path(path.app, path.instance, limits_.max_name_bytes)) {
        spdlog::warn("connect #{} peer={} app=\"{}\" rejected: invalid application name: {}", id_, peer_,
                     escape_name(connect->app), *bad);
        send_error(connect->transaction_id, rtmp::Status::connect_rejected,
                   "invalid application name: " + *bad + ".");
        close_after_flush("connect rejected: invalid application name (" + *bad + ")");
        return;
    }
    Application* app = context_.find_app(path.app);
    if (!app) {
        spdlog::warn("connect #{} peer={} app={} rejected: no such application", id_, peer_, path.app);
        send_error(connect->transaction_id, rtmp::Status::connect_rejected,
                   "Application '" + path.app + "' does not exist on this server.");
        close_after_flush("connect rejected: unknown application '" + path.app + "'");
        return;
    }
    if (!app->config().swf_verify.empty()) {
        // The answer waits for the proof (on_swf_response) or the watchdog.
        held_connect_ = HeldConnect{std::move(*connect), app, path.instance, Clock::now()};
        send_control(rtmp::UserControl{rtmp::UserControlEvent::swf_verify_request, 0, 0, 0, {}});
        spdlog::debug("#{} connect to app={} held for SWF verification", id_, app->name());
        return;
    }
    accept_connect(*connect, *app, path.instance);
}

void Session::on_swf_response(const rtmp::UserControl& control) {
    if (!held_connect_) {
        spdlog::debug("#{} SWFVerify response without a request ignored", id_);
        return;
    }
    const rtmp::S1Tail key = handshake_.server_s1_tail();
    if (!rtmp::swf_verification_matches(control.data.bytes(), key, held_connect_->app->config().swf_verify)) {
        reject_swf(control.data.size() == rtmp::swf_response_size
                       ? "the response matches no allowed SWF"
                       : "the response has " + std::to_string(control.data.size()) + " bytes, not 42");
        return;
    }
    HeldConnect held = std::move(*held_connect_);
    held_connect_.reset();
    accept_connect(held.command, *held.app, held.instance);
}

void Session::reject_swf(const std::string& why) {
    const HeldConnect held = std::move(*held_connect_);
    held_connect_.reset();
    spdlog::info("connect #{} peer={} app={} rejected: SWF verification failed: {}", id_, peer_,
                 held.app->name(), why);
    send_error(held.command.transaction_id, rtmp::Status::connect_rejected, "SWF verification failed");
    close_after_flush("connect rejected: SWF verification failed (" + why + ")");
}

void Session::accept_connect(const rtmp::ConnectCommand& connect, Application& app,
                             const std::string& instance) {
    app_ = &app;
    connected_ = true;
    app_instance_ = instance;

    // Spec 7.2.1.1, then our chunk size early so large frames cost few headers.
    send_control(rtmp::WindowAckSize{limits_.window_ack_size});
    send_control(rtmp::SetPeerBandwidth{limits_.peer_bandwidth, rtmp::BandwidthLimit::dynamic});
    send_control(rtmp::UserControl::stream_begin(0));
    send_control(rtmp::SetChunkSize{limits_.chunk_size});
    rtmp::ConnectResult result;
    result.transaction_id = connect.transaction_id;
    result.information = rtmp::StatusObject::from(rtmp::Status::connect_success, "Connection succeeded.");
    result.object_encoding = connect.object_encoding.value_or(0);
    // The answer is AMF0 (Flash sends connect as AMF0 whatever it asks for,
    // and learns from this answer that AMF3 is granted); everything after
    // it goes out in the encoding asked for.
    send(result.encode(rtmp::Encoding::amf0), rtmp::csid::net_connection);
    encoding_ = result.object_encoding == 3 ? rtmp::Encoding::amf3 : rtmp::Encoding::amf0;
    send(rtmp::OnBwDone{}.encode(encoding_), rtmp::csid::net_connection);
    spdlog::info("connect #{} peer={} app={} instance={} tcUrl={} flashVer=\"{}\"", id_, peer_, app_->name(),
                 escape_name(app_instance_), escape_name(connect.tc_url.value_or("")),
                 escape_name(connect.flash_ver.value_or("")));
}

void Session::on_create_stream(const rtmp::Command& command) {
    if (streams_.size() >= limits_.max_streams_per_connection) {
        spdlog::debug("#{} createStream refused: {} streams open (limits.max_streams_per_connection)", id_,
                      streams_.size());
        send_error(command.transaction_id, rtmp::Status::call_failed,
                   "Too many streams on this connection (limit " +
                       std::to_string(limits_.max_streams_per_connection) + ").");
        return;
    }
    const rtmp::MessageStreamId id = next_stream_id_++;
    streams_[id] = NetStream{};
    rtmp::CreateStreamResult result;
    result.transaction_id = command.transaction_id;
    result.stream_id = id;
    send(result.encode(encoding_), rtmp::csid::net_connection);
}

Session::NetStream* Session::find_stream(rtmp::MessageStreamId stream_id) {
    const auto it = streams_.find(stream_id);
    return it == streams_.end() ? nullptr : &it->second;
}

void Session::on_publish(const rtmp::Command& command, rtmp::MessageStreamId stream_id) {
    std::string why;
    auto publish = rtmp::PublishCommand::decode(command, &why);
    if (!publish) {
        send_status(stream_id, rtmp::Status::invalid_arg, "Malformed publish: " + why);
        return;
    }
    NetStream* stream = find_stream(stream_id);
    if (!stream) {
        spdlog::warn("#{} publish on stream {} that was never created refused", id_, stream_id);
        send_error(publish->transaction_id, rtmp::Status::invalid_arg,
                   "publish on a stream createStream did not make.");
        return;
    }
    const std::string name(strip_query(publish->stream_name));
    if (auto bad = check_stream_name(name, limits_.max_name_bytes)) {
        spdlog::warn("publish #{} peer={} app={} stream=\"{}\" refused: invalid stream name: {}", id_, peer_,
                     app_->name(), escape_name(publish->stream_name), *bad);
        send_status(stream_id, rtmp::Status::publish_bad_name, "invalid stream name: " + *bad + ".");
        return;
    }
    if (!app_->config().publish || app_->config().kind == AppKind::vod) {
        send_status(stream_id, rtmp::Status::publish_bad_name,
                    "Publishing is not allowed in application '" + app_->name() + "'.");
        return;
    }
    stop_stream(stream_id, false);
    const std::string key = Application::stream_key(app_instance_, name);
    std::shared_ptr<LiveStream> live = app_->hub().acquire(key, worker_);
    if (!live || !app_->hub().claim_publisher(live)) {
        if (live) app_->hub().release(live);
        spdlog::warn("publish #{} peer={} app={} stream={} refused: already being published", id_, peer_,
                     app_->name(), name);
        send_status(stream_id, rtmp::Status::publish_bad_name,
                    "Stream '" + name + "' is already being published.", name);
        return;
    }
    stream->publishing = live;
    stream->name = name;
    stream->messages = 0;
    stream->media_check = MediaCheck{};
    stream->last_media = Clock::now();
    send_control(rtmp::UserControl::stream_begin(stream_id));
    send_status(stream_id, rtmp::Status::publish_start, "Started publishing " + name + ".", name);
    live->post_publish_begin();
    roles_ += " published=" + name;
    spdlog::info("publish #{} peer={} app={} stream={} type={}", id_, peer_, app_->name(), name,
                 rtmp::to_string(publish->mode));
    start_recording(stream_id, *stream, publish->mode);
}

void Session::on_play(const rtmp::Command& command, rtmp::MessageStreamId stream_id) {
    std::string why;
    auto play = rtmp::PlayCommand::decode(command, &why);
    if (!play) {
        send_status(stream_id, rtmp::Status::invalid_arg, "Malformed play: " + why);
        return;
    }
    NetStream* stream = find_stream(stream_id);
    if (!stream) {
        spdlog::warn("#{} play on stream {} that was never created refused", id_, stream_id);
        send_error(play->transaction_id, rtmp::Status::invalid_arg,
                   "play on a stream createStream did not make.");
        return;
    }
    play_named(*play, stream_id, *stream);
}

void Session::play_named(const rtmp::PlayCommand& play, rtmp::MessageStreamId stream_id, NetStream& stream) {
    const std::string name(strip_query(play.stream_name));
    if (auto bad = check_stream_name(name, limits_.max_name_bytes)) {
        spdlog::warn("play #{} peer={} app={} stream=\"{}\" refused: invalid stream name: {}", id_, peer_,
                     app_->name(), escape_name(play.stream_name), *bad);
        send_status(stream_id, rtmp::Status::play_failed, "invalid stream name: " + *bad + ".");
        return;
    }
    if (!app_->config().play) {
        send_status(stream_id, rtmp::Status::play_failed,
                    "Playing is not allowed in application '" + app_->name() + "'.", name);
        return;
    }
    // reset=false while a file plays: the name joins its playlist.
    if (!play.reset && stream.vod && !stream.vod_end_sent) return queue_file(play, stream_id, stream, name);
    if (!play.reset && !stream.playlist.empty()) return start_waiting_playlist(play, stream_id, stream, name);
    if (app_->config().kind == AppKind::vod) return play_file(play, stream_id, stream, name);
    const std::string key = Application::stream_key(app_instance_, name);
    // A recording plays for start >= 0, and for -2 while nobody publishes.
    const bool published = app_->hub().published(key);
    if (!live_only(play.start) && (play.start >= 0 || !published)) {
        if (recording_of(name)) return play_file(play, stream_id, stream, name);
        // No recording: start >= 0 still plays the stream while it is live
        // (librtmp players send 0 unless told live=1), else it is not found.
        if (play.start >= 0 && !published) {
            send_status(stream_id, rtmp::Status::play_stream_not_found,
                        "No recording of '" + name + "' and it is not live; play live with start -2 or -1.",
                        name);
            return;
        }
    }
    stop_stream(stream_id, false);
    std::shared_ptr<LiveStream> live = app_->hub().acquire(key, worker_, limits_.max_players_per_stream + 1);
    if (!live) {
        send_status(stream_id, rtmp::Status::play_failed, "Stream '" + name + "' has too many players.",
                    name);
        return;
    }
    auto player = std::make_shared<Player>(*this, stream_id, name, queue_limits(limits_), encoding_);
    stream.player = player;
    stream.playing = live;
    stream.name = name;

    send_play_start(stream_id, name, play.reset);
    live->post_subscribe(worker_, player);
    roles_ += " played=" + name;
    spdlog::info("play #{} peer={} app={} stream={} start={}", id_, peer_, app_->name(), name, play.start);
}

void Session::send_play_start(rtmp::MessageStreamId stream_id, const std::string& name, bool reset) {
    // Spec 7.2.2.1 (chunk size went out after connect).
    send_control(rtmp::UserControl::stream_begin(stream_id));
    if (reset) send_status(stream_id, rtmp::Status::play_reset, "Playing and resetting " + name + ".", name);
    send_status(stream_id, rtmp::Status::play_start, "Started playing " + name + ".", name);
    send(rtmp::encode_data_message(rtmp::SampleAccess{}.to_data(), encoding_, stream_id),
         rtmp::csid::net_stream);
    send(rtmp::encode_data_message(rtmp::make_data_start(), encoding_, stream_id), rtmp::csid::net_stream);
}

void Session::on_pause(const rtmp::Command& command, rtmp::MessageStreamId stream_id) {
    std::string why;
    auto pause = rtmp::PauseCommand::decode(command, &why);
    NetStream* stream = find_stream(stream_id);
    if (pause && stream && stream->vod) return pause_vod(stream_id, *stream, pause->pause);
    if (!pause || !stream || !stream->player) {
        send_error(command.transaction_id, rtmp::Status::invalid_arg,
                   pause ? "pause on a stream that is not playing." : "Malformed pause: " + why);
        return;
    }
    const std::shared_ptr<Player> player = stream->player;  // alive even if an overflow closes us
    player->set_paused(pause->pause);
    wake_writer();
}

void Session::on_receive_media(const rtmp::Command& command, rtmp::MessageStreamId stream_id) {
    std::string why;
    auto receive = rtmp::ReceiveMediaCommand::decode(command, &why);
    NetStream* stream = find_stream(stream_id);
    if (receive && stream && stream->vod) {
        if (receive->kind == rtmp::ReceiveMediaCommand::Kind::audio) {
            stream->vod->receive_audio(receive->enable);
        } else {
            stream->vod->receive_video(receive->enable);
        }
        if (receive->enable) {
            // Spec 7.2.2.4/7.2.2.5, as for live streams.
            send_status(stream_id, rtmp::Status::seek_notify, "Seeking.", stream->name);
            send_status(stream_id, rtmp::Status::play_start, "Started playing " + stream->name + ".",
                        stream->name);
        }
        wake_writer();
        return;
    }
    if (!receive || !stream || !stream->player) {
        spdlog::debug("#{} {} ignored: {}", id_, command.name, receive ? "not playing" : why);
        return;
    }
    const std::shared_ptr<Player> player = stream->player;  // alive even if an overflow closes us
    if (receive->kind == rtmp::ReceiveMediaCommand::Kind::audio) {
        player->set_receive_audio(receive->enable);
    } else {
        player->set_receive_video(receive->enable);
    }
    wake_writer();
}

void Session::on_delete_stream(const rtmp::Command& command) {
    std::string why;
    auto del = rtmp::DeleteStreamCommand::decode(command, &why);
    if (!del) {
        spdlog::debug("#{} malformed deleteStream ignored: {}", id_, why);
        return;
    }
    // The id is a peer's Number: NaN, infinities, fractions and values
    // outside 32 bits name no stream (and converting them is undefined).
    const double number = del->stream_id;
    if (!(number >= 1 && number <= 4294967295.0) || number != std::floor(number)) {
        spdlog::warn("#{} deleteStream of an impossible stream id {} ignored", id_, number);
        return;
    }
    const auto id = static_cast<rtmp::MessageStreamId>(number);
    if (streams_.find(id) == streams_.end()) {
        spdlog::warn("#{} deleteStream of stream {} that was never created ignored", id_, id);
        return;
    }
    stop_stream(id, true);
    streams_.erase(id);
}

void Session::on_fc_unpublish(const rtmp::Command& command) {
    std::string why;
    auto fc = rtmp::FcUnpublishCommand::decode(command, &why);
    if (fc) {
        const std::string_view name = strip_query(fc->stream_name);
        for (auto& [id, stream] : streams_) {
            if (stream.publishing && stream.name == name) unpublish(id, stream, true);
        }
    }
    if (command.transaction_id != 0) send_result(command.transaction_id, {amf::Undefined{}});
}

// ---- media from a publisher ----

void Session::on_media(const rtmp::Message& message) {
    NetStream* stream = find_stream(message.stream_id);
    if (!stream || !stream->publishing) return;  // media before publish or after unpublish
    ++stream->messages;
    stream->last_media = Clock::now();
    if (auto problem = stream->media_check.check(message)) {
        spdlog::warn("#{} peer={} app={} stream={} odd media: {}", id_, peer_, app_->name(), stream->name,
                     *problem);
    }
    Frame frame{message, classify(message)};
    record(message.stream_id, *stream, frame);
    stream->publishing->post_frame(std::move(frame));
}

void Session::on_data(const rtmp::Message& message) {
    NetStream* stream = find_stream(message.stream_id);
    if (!stream || !stream->publishing) return;
    // Even a malformed data message shows the publisher is alive.
    stream->last_media = Clock::now();
    auto data = rtmp::decode_data_message(message, command_options_);
    if (!data) {
        spdlog::debug("#{} malformed data message ignored: {}", id_, data.error().message());
        return;
    }
    ++stream->messages;
    if (auto stripped = rtmp::strip_set_data_frame(*data)) {
        // @setDataFrame onMetaData: players get plain onMetaData (REFERENCE.md §4.3).
        const rtmp::Message meta =
            rtmp::encode_data_message(*stripped, rtmp::Encoding::amf0, message.stream_id, message.timestamp);
        Frame frame{meta, classify(meta)};
        record(message.stream_id, *stream, frame);
        stream->publishing->post_frame(std::move(frame));
        return;
    }
    if (rtmp::is_clear_data_frame(*data)) {
        // Players that join later start without metadata; those playing
        // keep what they have (Adobe Media Server sends them nothing).
        stream->publishing->post_clear_metadata();
        return;
    }
    // Players of either encoding and FLV files (script tags are AMF0) take
    // AMF0 data; an AMF3 publisher's type 15 is re-encoded.
    const rtmp::Message relayed =
        message.type == rtmp::MessageType::data_amf0
            ? message
            : rtmp::encode_data_message(*data, rtmp::Encoding::amf0, message.stream_id, message.timestamp);
    Frame frame{relayed, classify(relayed)};
    record(message.stream_id, *stream, frame);
    stream->publishing->post_frame(std::move(frame));
}

// ---- stopping streams ----

void Session::stop_stream(rtmp::MessageStreamId stream_id, bool notify_publisher) {
    NetStream* stream = find_stream(stream_id);
    if (!stream) return;
    if (stream->publishing) unpublish(stream_id, *stream, notify_publisher);
    if (stream->player) stop_playing(*stream);
    stream->vod.reset();
    stream->playlist.clear();
    stream->transition.reset();
}

void Session::unpublish(rtmp::MessageStreamId stream_id, NetStream& stream, bool notify_publisher) {
    const std::shared_ptr<LiveStream> live = std::move(stream.publishing);
    // At shutdown the players end with NetStream.Play.Stop (Session::shutdown);
    // an UnpublishNotify from a publisher closing beside them would follow it.
    if (!context_.stopping) live->post_publish_end();
    app_->hub().release_publisher(live);
    app_->hub().release(live);
    stop_recording(stream_id, stream, notify_publisher);
    if (notify_publisher) {
        send_status(stream_id, rtmp::Status::unpublish_success, "Stopped publishing " + stream.name + ".",
                    stream.name);
    }
    spdlog::info("unpublish #{} peer={} app={} stream={} messages={} odd_media={}", id_, peer_, app_->name(),
                 stream.name, stream.messages, stream.media_check.problem_messages());
}

void Session::stop_playing(NetStream& stream) {
    stream.player->close();
    stream.player.reset();
    app_->hub().release(stream.playing);
    stream.playing.reset();
}

// ---- replies ----

void Session::send_status(rtmp::MessageStreamId stream_id, rtmp::Status status, std::string_view description,
                          std::optional<std::string> details) {
    send(rtmp::OnStatus::make(status, description, std::move(details)).encode(encoding_, stream_id),
         rtmp::csid::net_stream);
}

void Session::send_result(double transaction_id, std::vector<amf::Value> values) {
    rtmp::CallResult result;
    result.transaction_id = transaction_id;
    result.values = std::move(values);
    send(result.encode(encoding_), rtmp::csid::net_connection);
}

void Session::send_error(double transaction_id, rtmp::Status status, std::string_view description) {
    rtmp::ErrorResponse error;
    error.transaction_id = transaction_id;
    error.information = rtmp::StatusObject::from(status, description);
    send(error.encode(encoding_), rtmp::csid::net_connection);
}

}  // namespace sluice::server
