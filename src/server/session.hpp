#pragma once
// server::Session: one client connection of `sluice serve`. It drives the
// sans-I/O core (rtmp::Handshake, then rtmp::Connection) over a
// net::Transport (TCP; a memory pipe in the session fuzz target) and turns NetConnection/NetStream commands
// into calls on the application's streams (ARCHITECTURE.md "Core types").
//
// Threads: a session lives on one worker; its three coroutines (reader,
// writer, watchdog) run there and share its state without locks. The one
// exception is the shared-object outbox, which other workers fill
// (deliver_shared_object) under its own mutex.
//
// Wire sequences it emits (each checked by tests/interop):
//  - connect: Window Ack Size, Set Peer Bandwidth (dynamic), StreamBegin 0,
//    Set Chunk Size (limits.chunk_size), `_result` {fmsVer, capabilities,
//    mode} {level, code NetConnection.Connect.Success, description,
//    objectEncoding = the client's}, onBWDone. Unknown application: `_error`
//    NetConnection.Connect.Rejected, then close. An application path that
//    check_app_path() refuses: the same, with a description starting
//    "invalid application name".
//    An application with swf_verify (config.hpp): on connect the server
//    first sends SWFVerify request (user control 26) and holds the answer
//    until SWFVerify response (27) arrives; one that matches an allowed
//    player SWF for our S1 (rtmp/swf_verification.hpp) gets the answer
//    above; a wrong one, or none within limits.connect_timeout, gets
//    `_error` NetConnection.Connect.Rejected "SWF verification failed",
//    an info line naming the peer, then close. Other commands before the
//    response close the connection as any command before connect does.
//  - publish on stream N: StreamBegin N, onStatus NetStream.Publish.Start;
//    busy name: onStatus NetStream.Publish.BadName (the first publisher keeps
//    it); a name check_stream_name() refuses: onStatus
//    NetStream.Publish.BadName, description starting "invalid stream name".
//    Unpublish: onStatus NetStream.Unpublish.Success.
//  - recording (the application's `record` policy; stream_recording.hpp):
//    after NetStream.Publish.Start, onStatus NetStream.Record.Start, or
//    NetStream.Record.NoAccess (record = "off") or NetStream.Record.Failed
//    (the file cannot be opened) while the publish goes on live. A disk
//    error later: NetStream.Record.Failed, the live stream goes on. At
//    unpublish: NetStream.Record.Stop before NetStream.Unpublish.Success.
//  - play on stream N: StreamBegin N, onStatus NetStream.Play.Reset (when
//    reset), NetStream.Play.Start, data |RtmpSampleAccess, data onStatus
//    NetStream.Data.Start, then (from the Player's queue) metadata,
//    sequence headers, the GOP cache and live frames. A name
//    check_stream_name() refuses: onStatus NetStream.Play.Failed, description
//    starting "invalid stream name". Refused names keep the connection.
//
// Peer input is bounded by limits: the chunk layer's (rtmp::Limits from
// max_message_bytes, max_chunk_streams, max_partial_bytes and the peer
// chunk size range) and AMF's (amf_max_*, for commands and data messages).
//
// Liveness: the handshake must end within limits.handshake_timeout of the
// accept (absolute, not re-armed per read), `connect` must come within
// limits.connect_timeout after it; a peer silent for limits.ping_interval
// gets a PingRequest, one silent for limits.idle_timeout is closed. A
// publisher that sent no audio, video or data message for
// limits.media_idle_timeout (counted from NetStream.Publish.Start) is
// closed with a warn line containing "media idle"; its players get
// UnpublishNotify.
//
// Every session logs one line at connect, publish, play and close (peer,
// app, stream, bytes in/out, duration, reason), and a warn line the first
// time a publish's media shows each kind of problem (MediaCheck), which it
// still relays.
#include <boost/asio/awaitable.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "net/transport.hpp"
#include "rtmp/command.hpp"
#include "rtmp/connection.hpp"
#include "rtmp/events.hpp"
#include "rtmp/handshake.hpp"
#include "rtmp/net_connection_commands.hpp"
#include "rtmp/net_stream_commands.hpp"
#include "server/media_check.hpp"
#include "server/methods.hpp"
#include "server/player.hpp"
#include "server/server_context.hpp"
#include "server/shared_object_registry.hpp"
#include "server/stream_recording.hpp"
#include "server/vod_playback.hpp"

namespace sluice::server {

class Session final : public std::enable_shared_from_this<Session>,
                      public PlayerOwner,
                      public SharedObjectSubscriber,
                      public CallContext {
public:
    /// `peer_slot` counts this connection against its address until the
    /// session is destroyed.
    Session(std::unique_ptr<net::Transport> transport, ServerContext& context, std::size_t worker,
            PeerSlot peer_slot = {});
    ~Session();

    /// Starts the coroutines; call on the session's worker.
    void start();
    /// Server shutdown: players get StreamEOF + NetStream.Play.Stop, queued
    /// output is flushed (bounded by a short deadline), then the socket closes.
    void shutdown();

    // PlayerOwner
    void player_has_frames() override;
    void player_overflow(std::string_view reason) override;

    // SharedObjectSubscriber (any thread: posts to this session's worker)
    void deliver_shared_object(rtmp::Message message) override;

    // CallContext (this session's worker)
    std::uint64_t connection_id() const noexcept override { return id_; }
    Application& application() noexcept override { return *app_; }
    const std::string& instance() const noexcept override { return app_instance_; }
    const ServerConfig& server_config() const noexcept override { return context_.config(); }
    boost::asio::awaitable<MethodReply> call_client(std::string method,
                                                    std::vector<amf::Value> arguments) override;

private:
    using Clock = std::chrono::steady_clock;

    /// One NetStream (message stream id) of this connection.
    /// A file waiting its turn on a NetStream (playlists, play2).
    struct QueuedFile {
        std::string name;
        std::unique_ptr<VodFile> file;
        std::string path;  ///< for logs
        std::int64_t start_ms = 0;
        std::int64_t duration_ms = -1;
        bool same_timeline = false;  ///< play2 "switch": continue at the current position
    };

    struct NetStream {
        std::shared_ptr<Player> player;              ///< set while playing
        std::shared_ptr<LiveStream> publishing;      ///< set while publishing
        std::shared_ptr<LiveStream> playing;         ///< set while playing
        std::string name;                            ///< the stream name played or published
        std::uint64_t messages = 0;                  ///< audio/video/data messages of the current publish
        MediaCheck media_check;                      ///< what the current publish's media gets wrong
        Clock::time_point last_media{};              ///< publish start or last media/data message
        std::unique_ptr<StreamRecording> recording;  ///< set while the publish is recorded
        std::unique_ptr<VodPlayback> vod;            ///< set while playing a file
        bool vod_end_sent = false;                   ///< the end statuses of `vod` went out
        std::deque<QueuedFile> playlist;             ///< what plays after `vod` (play reset=false)
        std::optional<QueuedFile> transition;        ///< a play2 switch/swap waiting for a key frame
    };

    boost::asio::awaitable<void> read_loop();
    boost::asio::awaitable<void> write_loop();
    boost::asio::awaitable<void> watchdog();
    boost::asio::awaitable<bool> handshake(std::vector<std::uint8_t>& buffer, std::size_t& leftover);
    void receive(base::Bytes input);
    /// Closes when a publishing stream exceeded limits.media_idle_timeout.
    void check_media_idle(Clock::time_point now);
    void handle(rtmp::Event&& event);
    void fill_output();
    bool write_now();
    void wake_writer() noexcept;

    // Commands (session_commands.cpp).
    void on_command(const rtmp::Message& message);
    void on_connect(const rtmp::Command& command);
    /// The connect answer (control messages, `_result`, onBWDone, log line).
    void accept_connect(const rtmp::ConnectCommand& connect, Application& app, const std::string& instance);
    /// SWFVerify response (user control 27) to a held connect.
    void on_swf_response(const rtmp::UserControl& control);
    void reject_swf(const std::string& why);
    void on_create_stream(const rtmp::Command& command);
    void on_publish(const rtmp::Command& command, rtmp::MessageStreamId stream_id);
    void on_play(const rtmp::Command& command, rtmp::MessageStreamId stream_id);
    /// StreamBegin, Play.Reset (when `reset`), Play.Start, |RtmpSampleAccess
    /// and Data.Start: what a live or recorded play answers first.
    void send_play_start(rtmp::MessageStreamId stream_id, const std::string& name, bool reset);
    /// play (or play2 reset/append) of a decoded command on an existing stream.
    void play_named(const rtmp::PlayCommand& play, rtmp::MessageStreamId stream_id, NetStream& stream);
    void on_pause(const rtmp::Command& command, rtmp::MessageStreamId stream_id);
    void on_receive_media(const rtmp::Command& command, rtmp::MessageStreamId stream_id);
    void on_delete_stream(const rtmp::Command& command);
    void on_fc_unpublish(const rtmp::Command& command);
    // Remote calls (session_methods.cpp).
    /// A call to the application's MethodTable (or `_error` not found).
    void on_call(const rtmp::Command& command);
    boost::asio::awaitable<void> run_method(boost::asio::awaitable<MethodReply> running,
                                            double transaction_id, std::string name);
    void answer_call(double transaction_id, const std::string& name, const MethodReply& reply);
    /// `_result` / `_error` from the client: the answer to a call_client().
    void on_call_answer(const rtmp::Command& command);
    /// Fails every call_client() still waiting (at close).
    void cancel_client_calls();
    void on_data(const rtmp::Message& message);
    void on_media(const rtmp::Message& message);

    // Shared objects (session_shared_objects.cpp).
    void on_shared_object(const rtmp::Message& message);
    SharedObjectUser shared_object_user();
    /// Sends what deliver_shared_object() queued, in order.
    void send_shared_objects();
    /// Releases every shared object this connection uses (at close).
    void release_shared_objects();

    // Recording (session_recording.cpp).
    void start_recording(rtmp::MessageStreamId stream_id, NetStream& stream, rtmp::PublishMode mode);
    void record(rtmp::MessageStreamId stream_id, NetStream& stream, const Frame& frame);
    void tick_recordings(Clock::time_point now);
    void recording_failed(rtmp::MessageStreamId stream_id, NetStream& stream, std::error_code error);
    void stop_recording(rtmp::MessageStreamId stream_id, NetStream& stream, bool notify_publisher);

    // Files (session_vod.cpp).
    std::string app_dir() const;
    /// The recording `name` has on this live application, if its file exists.
    std::optional<std::string> recording_of(const std::string& name) const;
    struct OpenedFile {
        std::unique_ptr<VodFile> file;  ///< null: the player got the failure status
        std::string path;
    };
    /// The file `name` plays on this application (the media folder's on a
    /// vod application, the recording on a live one), opened.
    OpenedFile open_play_file(rtmp::MessageStreamId stream_id, const std::string& name);
    /// play of a file: stops what `stream` did and plays `name` from play.start.
    void play_file(const rtmp::PlayCommand& play, rtmp::MessageStreamId stream_id, NetStream& stream,
                   const std::string& name);
    /// play_file() once the file is open.
    void start_file(const rtmp::PlayCommand& play, rtmp::MessageStreamId stream_id, NetStream& stream,
                    const std::string& name, OpenedFile file);
    void on_seek(const rtmp::Command& command, rtmp::MessageStreamId stream_id);
    // Playlists and play2 (session_playlist.cpp).
    void queue_file(const rtmp::PlayCommand& play, rtmp::MessageStreamId stream_id, NetStream& stream,
                    const std::string& name);
    /// play reset=false (or play2 append) on a stream that plays nothing but
    /// holds items play2 appendAndWait queued: the first of them starts and
    /// `name` joins the end.
    void start_waiting_playlist(const rtmp::PlayCommand& play, rtmp::MessageStreamId stream_id,
                                NetStream& stream, const std::string& name);
    void on_play2(const rtmp::Command& command, rtmp::MessageStreamId stream_id);
    /// Starts the next playlist item where `stream.vod` ended.
    void next_playlist_item(rtmp::MessageStreamId stream_id, NetStream& stream);
    /// Replaces `stream.vod` by `stream.transition` at the current handoff.
    void complete_transition(rtmp::MessageStreamId stream_id, NetStream& stream);
    void send_play_status(rtmp::MessageStreamId stream_id, rtmp::Status status, const std::string& name);
    void pause_vod(rtmp::MessageStreamId stream_id, NetStream& stream, bool pause);
    /// Sends what is due of `stream`'s file; false when nothing was.
    bool pump_vod(rtmp::MessageStreamId stream_id, NetStream& stream, Clock::time_point now);
    void end_vod(rtmp::MessageStreamId stream_id, NetStream& stream, std::error_code error);
    /// When the writer must next look at the files (max(): nothing due).
    Clock::time_point next_vod_due() const;
    std::chrono::milliseconds vod_lead(rtmp::MessageStreamId stream_id) const;

    void stop_stream(rtmp::MessageStreamId stream_id, bool notify_publisher);
    void unpublish(rtmp::MessageStreamId stream_id, NetStream& stream, bool notify_publisher);
    void stop_playing(NetStream& stream);
    NetStream* find_stream(rtmp::MessageStreamId stream_id);

    void send(const rtmp::Message& message, rtmp::ChunkStreamId chunk_stream);
    void send_control(const rtmp::ControlMessage& control);
    void send_status(rtmp::MessageStreamId stream_id, rtmp::Status status, std::string_view description,
                     std::optional<std::string> details = std::nullopt);
    void send_result(double transaction_id, std::vector<amf::Value> values);
    void send_error(double transaction_id, rtmp::Status status, std::string_view description);

    /// Closes at once (socket errors, protocol violations, timeouts).
    void close(std::string reason);
    /// Flushes what is queued, then closes (after _error to connect, close, shutdown).
    void close_after_flush(std::string reason);
    void finish();

    std::unique_ptr<net::Transport> transport_;
    ServerContext& context_;
    const ServerLimits& limits_;
    rtmp::CommandOptions command_options_;  ///< AMF limits for commands and data messages
    std::size_t worker_;
    PeerSlot peer_slot_;
    std::uint64_t id_;
    std::string peer_;
    rtmp::Handshake handshake_;
    rtmp::Connection connection_;
    boost::asio::steady_timer wake_;
    boost::asio::steady_timer tick_;

    Clock::time_point accepted_at_ = Clock::now();
    Clock::time_point last_read_ = accepted_at_;
    Clock::time_point last_ping_ = accepted_at_;
    Clock::time_point handshake_done_at_{};
    Clock::time_point close_deadline_{};
    std::uint64_t handshake_bytes_in_ = 0;
    std::uint64_t handshake_bytes_out_ = 0;

    bool connected_ = false;    ///< `connect` accepted
    bool closing_ = false;      ///< close_after_flush() called
    bool in_receive_ = false;   ///< receive() is handling the peer's messages
    bool writer_idle_ = false;  ///< write_loop() sleeps on wake_: nothing queued, socket writable
    std::vector<boost::asio::const_buffer>
        write_buffers_;  ///< write_now()'s gather list, kept to spare an allocation per write
    bool closed_ = false;
    std::string close_reason_;
    Application* app_ = nullptr;
    /// A `connect` held until the client answers SWFVerify request.
    struct HeldConnect {
        rtmp::ConnectCommand command;
        Application* app = nullptr;
        std::string instance;
        Clock::time_point asked_at{};
    };
    std::optional<HeldConnect> held_connect_;
    std::string app_instance_;
    /// The client's objectEncoding: after connect, commands, data and shared
    /// objects go out as types 17/15/16 (amf3) or 20/18/19 (amf0).
    rtmp::Encoding encoding_ = rtmp::Encoding::amf0;
    std::set<std::string> shared_objects_;  ///< names this connection uses
    /// Shared object messages from any worker, in the order the objects sent them.
    std::mutex shared_object_mutex_;
    std::vector<rtmp::Message> shared_object_outbox_;
    /// A call_client() waiting for its answer: the timer wakes it.
    struct ClientCall {
        explicit ClientCall(const boost::asio::any_io_executor& executor) : timer(executor) {}
        boost::asio::steady_timer timer;
        std::optional<MethodReply> reply;
    };
    std::map<double, std::shared_ptr<ClientCall>> client_calls_;
    double next_call_transaction_ = 1;
    std::size_t methods_running_ = 0;  ///< run_method() coroutines not finished
    std::map<rtmp::MessageStreamId, NetStream> streams_;
    rtmp::MessageStreamId next_stream_id_ = 1;
    std::string roles_;  ///< " published=x played=y" for the close line
    /// SetBufferLength per message stream id (0: sent before createStream).
    std::map<rtmp::MessageStreamId, std::uint32_t> buffer_ms_;
};

}  // namespace sluice::server
