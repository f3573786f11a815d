#pragma once
// client::Client: one RTMP client connection (NetConnection plus its
// NetStreams) as a coroutine API on Boost.Asio (ARCHITECTURE.md "Core
// types"; RTMP 1.0 §7.2; the flows of seeds 001–003).
//
// It drives the sans-I/O core (rtmp::Handshake in the client role, then
// rtmp::Connection with an rtmp::TransactionTable) over a net::Transport:
// connect(url) opens the transport the scheme names (rtmp://: TCP,
// net::TcpTransport; rtmps://: TLS, net::TlsTransport; rtmpt:// and
// rtmpts://: the HTTP tunnel, net::RtmptClientTransport, over TCP or TLS;
// rtmpe:// and rtmpte://: TCP or the tunnel, then the RTMPE handshake and
// net::Rc4Transport above it);
// connect(url, transport) speaks over one the caller already opened (a
// memory pipe in tests and fuzz targets). Every step sends
// its command and reads until its answer; whatever else arrives meanwhile
// (user control events, statuses, metadata, media) is kept, in arrival
// order, for next().
//
// Wire sequences (client → server, then what the step waits for):
//
//   connect(url)       TCP connect (none with a given transport); for
//                      rtmps/rtmpts the TLS handshake; for rtmpt/rtmpts
//                      POST /open/1 (REFERENCE.md §11), after which every
//                      byte below travels in /send and /idle bodies;
//                      C0+C1 … S0+S1+S2, C2 (digest scheme by
//                      default, ClientOptions::digest_handshake); then
//                      connect(txn 1, {app, flashVer, swfUrl?, tcUrl, fpad
//                      false, capabilities 15, audioCodecs, videoCodecs,
//                      videoFunction 1, pageUrl?, objectEncoding, extra
//                      properties}, extra arguments...) → `_result` (or
//                      `_error`: ClientError rejected, with the info object).
//                      After the answer: Set Chunk Size (options.chunk_size)
//                      when it is not 128. Window Ack Size / Set Peer
//                      Bandwidth / Ping from the server are applied and
//                      answered by rtmp::Connection. SWFVerify request
//                      (user control 26, whenever it comes) is answered
//                      with SWFVerify response (27) for ClientOptions::swf
//                      and the server's S1 (REFERENCE.md §9.5) and not
//                      kept for next(); without `swf` it is kept, unanswered.
//   create_stream()    createStream(txn) → `_result` with the stream id.
//   publish(id, name)  releaseStream(name), FCPublish(name) on msid 0 (not
//                      waited for: nginx-rtmp does not answer them), then
//                      publish(name, type) on `id` → onStatus
//                      NetStream.Publish.Start (an error-level onStatus,
//                      e.g. BadName, throws rejected).
//   play(id, cmd)      User Control SetBufferLength(id, buffer_length_ms),
//                      play(name, start, duration, reset) on `id` →
//                      onStatus NetStream.Play.Start. StreamNotFound throws
//                      stream_not_found; any other error level, rejected.
//                      reset=false on a stream already playing queues the
//                      name on the server's playlist: sent, not waited for
//                      (its Play.Start comes when its turn does).
//   play2(id, opts)    play2 → NetStream.Play.Transition for "switch" and
//                      "swap" (the default), NetStream.Play.Start for
//                      "reset"; the others are sent, not waited for.
//   pause(id, p, ms)   pause → NetStream.Pause.Notify / Unpause.Notify.
//   seek(id, ms)       seek → NetStream.Seek.Notify (Seek.Failed /
//                      Seek.InvalidTime / `_error` throw rejected).
//   receive_audio/video(id, on)   sent; not waited for (the spec's answer
//                      comes only for `true` and stays in next()).
//   call(name, args)   any NetConnection call with a transaction id →
//                      `_result` or `_error`, returned (never thrown).
//   send_shared_object(m)   m as type 19 (16 when options.object_encoding
//                      is 3) on msid 0, chunk stream 3. Not waited for:
//                      the server's shared-object messages come from next()
//                      as Kind::shared_object (client::SharedObject builds
//                      the requests and applies the answers).
//   on_call(name, h)   a server's call(name, txn, ...) is answered with
//                      `_result, txn, null, h(args)...` (or `_error`) when
//                      read, during any step or next().
//   delete_stream(id)  FCUnpublish(name) first when `id` publishes, then
//                      deleteStream(id) on msid 0. Not answered.
//   close()            delete_stream for each open stream, flushes output
//                      (bounded by the step timeout), half-closes and reads
//                      until the server closes (at most 1 s: closing with
//                      unread bytes would reset the connection and could
//                      cost the server the last media), then closes.
//
// Contract:
//  - Not thread-safe, one operation at a time: like a Beast stream, at most
//    one of the steps, next() or send() may be in progress. A publisher
//    loops on send(); a player loops on next().
//  - Every step is bounded by ClientOptions::step_timeout and fails with
//    ClientError (errors.hpp), which names the step. After a fatal error
//    (base::is_fatal) the client is closed; after a refused step (rejected,
//    stream_not_found, bad_answer) the connection can be used further.
//  - Memory is bounded: the core's rtmp::Limits; send() reads what the
//    server sent only while fewer than ClientOptions::max_inbox messages
//    wait for next() (a publisher that never calls next() stops reading
//    there); next() reads only when the inbox is empty. A step reads until
//    its answer, bounded by its timeout.
//  - Statuses that end a step are still delivered by next(), in order, so
//    a caller that wants the whole sequence (Play.Reset, Play.Start, ...)
//    sees it.
//  - connect(url) speaks rtmp://, rtmps://, rtmpt://, rtmpts://, rtmpe://
//    and rtmpte:// (RTMPE type 6, the handshake FFmpeg and librtmp offer).
//    connect(url, transport) takes the scheme as the transport's business
//    (a TLS transport makes rtmps://) except rtmpe/rtmpte, whose
//    encryption it adds above the given transport.
//    Resolving, TCP, TLS and the tunnel's /open/1 share one step deadline;
//    a failed /open/1 fails Step::handshake with the tunnel's sentence
//    (status, malformed answer, no session id), and EOF there is
//    connection_closed.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "amf/value.hpp"
#include "base/byte_reader.hpp"
#include "client/errors.hpp"
#include "net/tls_context.hpp"
#include "net/transport.hpp"
#include "rtmp/command.hpp"
#include "rtmp/connection.hpp"
#include "rtmp/handshake.hpp"
#include "rtmp/net_stream_commands.hpp"
#include "rtmp/responses.hpp"
#include "rtmp/shared_object_message.hpp"
#include "rtmp/swf_verification.hpp"
#include "rtmp/transaction_table.hpp"
#include "rtmp/url.hpp"

namespace sluice::client {

/// FFmpeg's flashVer when it plays; servers recognise it.
inline constexpr std::string_view player_flash_ver = "LNX 9,0,124,2";
/// What FMLE and OBS send when they publish.
inline constexpr std::string_view publisher_flash_ver = "FMLE/3.0 (compatible; Sluice)";

struct ClientOptions {
    std::string flash_ver{player_flash_ver};
    std::string swf_url;         ///< sent when not empty
    std::string page_url;        ///< sent when not empty
    double object_encoding = 0;  ///< 0 (AMF0) or 3 (AMF3), §7.2.1.1
    /// Added to the connect command object after the standard properties.
    amf::Object extra_connect_properties;
    /// Sent after the command object (librtmp's and FFmpeg's `conn=` options).
    std::vector<amf::Value> connect_arguments;
    /// Digest handshake (FFmpeg, Flash Player 9+) or the spec's simple one (librtmp, OBS).
    bool digest_handshake = true;
    /// SWF verification: the player SWF (SHA-256 and size of its
    /// decompressed bytes) whose proof answers a SWFVerify request
    /// (librtmp's -w/-x). nullopt: requests go unanswered.
    std::optional<rtmp::SwfFile> swf;
    /// Deadline for each step (resolve + TCP connect, handshake, each command).
    std::chrono::milliseconds step_timeout{10'000};
    /// Our Set Chunk Size after connect (128 = none sent).
    std::uint32_t chunk_size = 4096;
    /// SetBufferLength sent before play (ms).
    std::uint32_t buffer_length_ms = 3000;
    /// Messages held for next() before reading pauses.
    std::size_t max_inbox = 4096;
    /// rtmps://: how the server's certificate is checked (the system's CA
    /// store and its host name by default; ca_file, or insecure for tests).
    net::TlsClientSettings tls;
    /// Bytes read from the transport at a time.
    std::size_t read_buffer_bytes = 64 * 1024;
    rtmp::ConnectionOptions connection{};
};

/// What connect() learned about the server.
struct ConnectInfo {
    rtmp::Url url;
    /// The `_result` of connect, decoded (fmsVer, capabilities, the info object).
    rtmp::ConnectResult result;
    /// The handshake the server answered with: digest (its S1 digest verified) or simple.
    rtmp::HandshakeKind handshake_kind = rtmp::HandshakeKind::simple;
    rtmp::HandshakeVersion server_version{};  ///< S1 bytes 4..7
    /// Measured from the start of connect(): TCP connected, handshake done, `_result` in.
    std::chrono::microseconds tcp_connected{};
    std::chrono::microseconds handshake_done{};
    std::chrono::microseconds connected{};
};

/// One thing the server sent that no step consumed, for next().
struct Incoming {
    enum class Kind : std::uint8_t {
        audio,          ///< message type 8
        video,          ///< message type 9
        data,           ///< type 18/15: onMetaData, |RtmpSampleAccess, onTextData... (`name` set)
        status,         ///< onStatus / onPlayStatus command or data message (`status` set)
        command,        ///< any other command (`name` set), e.g. onBWDone, a server `call`
        user_control,   ///< StreamBegin, StreamEOF, StreamIsRecorded, ... (`control` set; pings
                        ///< are answered by the core and not delivered)
        shared_object,  ///< type 19/16, decoded (`shared_object` set; `message` as received)
        other,          ///< aggregates, unknown types and shared-object messages that do not
                        ///< decode (rtmp::decode_shared_object fails), as received
        closed,         ///< the server closed the connection cleanly; next() keeps returning it
    };
    Kind kind = Kind::closed;
    rtmp::Message message;  ///< audio, video, data, status, command
    std::string name;       ///< data handler / command name
    std::optional<rtmp::StatusObject> status;
    rtmp::UserControl control;
    std::optional<rtmp::SharedObjectMessage> shared_object;
};

class Client {
public:
    explicit Client(boost::asio::any_io_executor executor, ClientOptions options = {});
    ~Client();
    Client(const Client&) = delete;
    Client& operator=(const Client&) = delete;

    // The coroutines take their URL by value: an awaitable starts when it is
    // awaited or spawned, after a temporary argument would be gone.

    /// Resolves url.host, opens a TCP connection (then TLS and/or the RTMPT
    /// tunnel, as the scheme says), then runs the handshake and connect.
    boost::asio::awaitable<ConnectInfo> connect(rtmp::Url url);
    /// The handshake and connect over `transport`, already open (on this
    /// client's executor); `url` gives app and tcUrl. tcp_connected stays 0.
    boost::asio::awaitable<ConnectInfo> connect(rtmp::Url url, std::unique_ptr<net::Transport> transport);
    boost::asio::awaitable<rtmp::MessageStreamId> create_stream();
    boost::asio::awaitable<void> publish(rtmp::MessageStreamId id, std::string name,
                                         rtmp::PublishMode mode = rtmp::PublishMode::live);
    boost::asio::awaitable<void> play(rtmp::MessageStreamId id, rtmp::PlayCommand command);
    boost::asio::awaitable<void> play2(rtmp::MessageStreamId id, rtmp::PlayOptions options);
    boost::asio::awaitable<void> pause(rtmp::MessageStreamId id, bool pause, double milliseconds);
    boost::asio::awaitable<void> seek(rtmp::MessageStreamId id, double milliseconds);
    boost::asio::awaitable<void> receive_audio(rtmp::MessageStreamId id, bool enable);
    boost::asio::awaitable<void> receive_video(rtmp::MessageStreamId id, bool enable);
    boost::asio::awaitable<rtmp::CallResult> call(std::string procedure, std::vector<amf::Value> arguments,
                                                  amf::Value command_object = amf::Null{});
    boost::asio::awaitable<void> delete_stream(rtmp::MessageStreamId id);
    boost::asio::awaitable<void> close();

    /// connect(url) + create_stream() + publish(url.stream, mode): the stream id.
    boost::asio::awaitable<rtmp::MessageStreamId> open_publish(
        rtmp::Url url, rtmp::PublishMode mode = rtmp::PublishMode::live);
    /// connect(url) + create_stream() + play(url.stream, start, duration, reset): the stream id.
    /// start and duration are play's wire values: milliseconds, or -2 / -1 (see PlayCommand).
    boost::asio::awaitable<rtmp::MessageStreamId> open_play(rtmp::Url url, double start = -2,
                                                            double duration = -1, bool reset = true);

    /// Queues an audio (8), video (9) or data (18/15) message on its stream
    /// (message.stream_id) and writes it; waits only while the transport is full
    /// (up to the step timeout). Messages the server sent meanwhile are read
    /// without waiting and kept for next().
    boost::asio::awaitable<void> send(rtmp::Message message);
    /// Encodes `message` (type 16 when options().object_encoding is 3, else
    /// 19) on msid 0 and writes it like send() (same waits, same reading of
    /// what the server sent meanwhile, Step::send in errors). Answers are
    /// not awaited: they come from next() as Kind::shared_object.
    boost::asio::awaitable<void> send_shared_object(rtmp::SharedObjectMessage message);
    /// What a server-to-client call answers: `_result` values, or the
    /// description of an `_error` (NetConnection.Call.Failed).
    using CallReply = std::variant<std::vector<amf::Value>, std::string>;
    using CallHandler = std::function<CallReply(const std::vector<amf::Value>& arguments)>;
    /// Answers the server's `call(name, txn, null, args...)` with
    /// handler(args) as soon as it is read (it is then not kept for next()).
    /// Calls without a transaction id, and names without a handler, stay
    /// for next() as Kind::command. Replaces an earlier handler of `name`.
    void on_call(std::string name, CallHandler handler);
    /// The next message no step consumed. Waits up to `timeout` (none: for
    /// ever) and throws timed_out past it; that timeout is not fatal (the
    /// client stays usable, so a caller may wait in slices). Returns
    /// Kind::closed once the server closed the connection.
    boost::asio::awaitable<Incoming> next(std::optional<std::chrono::milliseconds> timeout = std::nullopt);

    bool connected() const noexcept { return state_ == State::connected; }
    const ConnectInfo& info() const noexcept { return info_; }
    const ClientOptions& options() const noexcept { return options_; }
    const rtmp::Connection& connection() const noexcept { return connection_; }
    /// Bytes over the transport, both ways, handshake included.
    std::uint64_t bytes_received() const noexcept { return bytes_received_; }
    std::uint64_t bytes_sent() const noexcept { return bytes_sent_; }

private:
    enum class State : std::uint8_t { idle, connecting, connected, closed };
    enum class StreamRole : std::uint8_t { created, publishing, playing };
    struct StreamState {
        StreamRole role = StreamRole::created;
        std::string name;
    };
    using Clock = std::chrono::steady_clock;
    using Deadline = Clock::time_point;

    Deadline step_deadline() const;
    void require_connected(Step step) const;
    StreamState& stream(Step step, rtmp::MessageStreamId id);
    [[noreturn]] void fail(Step step, std::error_code code, std::string detail,
                           std::optional<rtmp::StatusObject> status = std::nullopt);

    /// The state checks both connect()s share; marks the client connecting.
    void begin_connect(const rtmp::Url& url);
    /// rtmpe:// and rtmpte://: the next handshake is RTMPE (type 6).
    void use_encryption(const rtmp::Url& url);
    /// Handshake, connect command and Set Chunk Size over transport_.
    boost::asio::awaitable<ConnectInfo> finish_connect(Clock::time_point start);
    boost::asio::awaitable<boost::asio::ip::tcp::socket> tcp_connect(const rtmp::Url& url, Deadline deadline);
    /// rtmps://: the TLS handshake on `socket` (options_.tls), then transport_ is TLS.
    boost::asio::awaitable<void> tls_connect(boost::asio::ip::tcp::socket socket, const rtmp::Url& url,
                                             Deadline deadline);
    /// rtmpt:// and rtmpts://: POST /open/1 over transport_ (TCP or TLS),
    /// then transport_ is the tunnel.
    boost::asio::awaitable<void> rtmpt_open(const rtmp::Url& url, Deadline deadline);
    boost::asio::awaitable<void> handshake(Deadline deadline);
    /// Writes all of `bytes` within `deadline` (the handshake packets).
    boost::asio::awaitable<void> write_handshake(base::Bytes bytes, Deadline deadline, std::string_view what);
    /// Reads once from the transport (waiting up to `deadline`, or not at all
    /// when `poll`), feeds the core and files its events; writes what the
    /// core queued in answer. Throws on EOF unless `eof_ok`, on errors and
    /// past the deadline.
    boost::asio::awaitable<void> read_some(Step step, std::optional<Deadline> deadline, bool poll = false);
    /// Feeds bytes from the server to the core and files its events;
    /// throws protocol_error when the core reports a violation.
    void receive(Step step, base::Bytes input);
    boost::asio::awaitable<void> flush(Step step, Deadline deadline);
    void file_event(rtmp::Event&& event);
    /// Queues SWFVerify response for options_.swf (set) and the server's S1.
    void answer_swf_verification();
    void file_command(rtmp::Message&& message, bool is_data);
    /// Decodes a type 19/16 message for next() (Kind::other when it does not decode).
    void file_shared_object(rtmp::Message&& message);
    /// Queues the answer to a server call with a handler (on_call); false
    /// when `command` is not one.
    bool answer_server_call(const rtmp::Command& command);

    /// Sends a call whose answer nobody waits for (nginx-rtmp does not answer
    /// releaseStream/FCPublish); a late `_result` for it is dropped.
    boost::asio::awaitable<void> fire_and_forget(Step step, rtmp::Command command);
    /// Sends `command` on `id` (csid 3 for msid 0, 8 otherwise) and flushes.
    boost::asio::awaitable<void> send_command(Step step, const rtmp::Command& command,
                                              rtmp::MessageStreamId id);
    /// Registers a transaction, sends the command, waits for its `_result`/`_error`.
    boost::asio::awaitable<rtmp::CallResult> transact(Step step, rtmp::Command command);
    /// Waits until an onStatus for stream `id` arrives after inbox position
    /// `from` whose code is `code` (returned) or whose level is error (thrown).
    boost::asio::awaitable<rtmp::StatusObject> wait_status(Step step, rtmp::MessageStreamId id,
                                                           std::size_t from, std::string_view code);

    ClientOptions options_;
    boost::asio::any_io_executor executor_;
    std::unique_ptr<net::Transport> transport_;  ///< null until connect()
    boost::asio::steady_timer timer_;
    rtmp::Handshake handshake_;
    rtmp::Connection connection_;
    rtmp::TransactionTable transactions_;
    State state_ = State::idle;
    ConnectInfo info_;
    std::map<rtmp::MessageStreamId, StreamState> streams_;
    /// Messages for next(); inbox_base_ counts those already taken, so an
    /// absolute position (inbox_base_ + index) stays valid while steps wait.
    std::deque<Incoming> inbox_;
    std::map<std::string, CallHandler, std::less<>> call_handlers_;
    std::size_t inbox_base_ = 0;
    /// `_result`/`_error` answers by transaction id, until transact() takes them.
    std::map<double, rtmp::CallResult> answers_;
    static constexpr std::size_t max_forgotten = 16;
    std::vector<double> forgotten_;  ///< fire_and_forget() ids, oldest first
    std::vector<std::uint8_t> read_buffer_;
    bool peer_closed_ = false;
    std::uint64_t bytes_received_ = 0;
    std::uint64_t bytes_sent_ = 0;
};

}  // namespace sluice::client
