#pragma once
// RawClient: a scripted RTMP client made of nothing but the sans-I/O core
// (rtmp::Handshake in the client role + rtmp::Connection and the command
// builders) over a blocking loopback socket, so tests can check the exact
// messages `sluice serve` sends and when. Test code only.
//
// Everything the server sends is appended, in arrival order, to log() as a
// Received entry with a short label, so a test compares sequences:
//
//   control:WindowAckSize          control:SetPeerBandwidth
//   control:SetChunkSize 4096      user:StreamBegin 1     user:StreamEOF 1
//   command:_result                command:_error         command:onBWDone
//   command:onStatus NetStream.Play.Start                 (code of the info object)
//   data:|RtmpSampleAccess true true                      data:onStatus NetStream.Data.Start
//   data:onMetaData                video:config  video:key  video:inter  video:other (end of sequence)
//   audio:config  audio:frame      ack  user:PingRequest  other:<type>
//   so:19  so:16                   (shared object messages, `message` set)
//
// Automatic replies (PingResponse, Acknowledgement) are the Connection's.
// Publishing: publish_clip() sends the clip's metadata as @setDataFrame and
// every tag as an audio/video message with the clip's timestamp, paced at
// real time or as fast as the socket takes them.
//
// Contract: every call is bounded by its deadline; after the peer closes,
// reads fail and closed() is true. A returned `const Received*` points into
// log() and is valid until the next call that reads. One RawClient per thread (the 50-player
// test runs one per thread); not thread-safe itself.
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "amf/value.hpp"
#include "interop/interop_support.hpp"
#include "interop/serve_fixture.hpp"
#include "rtmp/command.hpp"
#include "rtmp/connection.hpp"
#include "rtmp/handshake.hpp"

namespace sluice::test {

/// One thing the server sent.
struct Received {
    enum class Kind : std::uint8_t { control, user_control, command, data, audio, video, ack, other };
    Kind kind = Kind::other;
    std::string label;      ///< see the header comment
    rtmp::Message message;  ///< command, data, audio, video (empty for control)
    rtmp::MessageStreamId stream_id = 0;
    std::optional<rtmp::Command> command;  ///< decoded command
    std::string code;                      ///< info-object code of an onStatus/_result/_error ("" if none)
    std::string level;                     ///< its level
    bool is_media() const noexcept { return kind == Kind::audio || kind == Kind::video; }
};

/// Labels of the entries that are not media, acks or pings: the signalling
/// a test compares exactly.
std::vector<std::string> signalling(const std::vector<Received>& log, std::size_t from = 0);

class RawClient {
public:
    explicit RawClient(bool digest_handshake = true);
    ~RawClient();
    RawClient(const RawClient&) = delete;
    RawClient& operator=(const RawClient&) = delete;

    /// Makes open() set SO_RCVBUF to `receive_buffer` and TCP_MAXSEG to
    /// `max_segment` (each unless 0) before it connects: a player that stops
    /// reading then fills its socket after a few KiB. Linux sizes the
    /// server's send buffer from the MSS, so a small MSS keeps that side
    /// small too (with the default loopback MSS it absorbs megabytes).
    void limit_socket(int receive_buffer, int max_segment);
    /// TCP connect to 127.0.0.1:port and the client handshake.
    bool open(std::uint16_t port, Clock::time_point deadline);
    /// Closes the socket (the server sees end of stream).
    void close();

    bool send(const rtmp::Message& message, rtmp::ChunkStreamId chunk_stream, Clock::time_point deadline);
    bool send_control(const rtmp::ControlMessage& control, Clock::time_point deadline);

    /// Reads the next message/event into log(); returns it, or nullptr when
    /// the server closed, on a protocol error or at the deadline.
    const Received* next(Clock::time_point deadline);
    /// Reads until `done` holds for an entry (returned), or nullptr as next().
    const Received* wait_for(const std::function<bool(const Received&)>& done, Clock::time_point deadline);
    /// Reads until the deadline or a close; true when the server closed (EOF).
    bool drain_until_closed(Clock::time_point deadline);
    /// Reads everything that arrives for `span` (the socket stays open).
    void read_for(std::chrono::milliseconds span);
    /// Waits, reading nothing, until the server has closed the connection
    /// (end of stream or reset, even with unread data still buffered); true
    /// when it did by the deadline. A client that never reads never answers
    /// a PingRequest either.
    bool wait_hangup(Clock::time_point deadline);

    // NetConnection / NetStream steps. Each sends, then reads until the
    // answer; the answer is in log() and returned where it makes sense.
    /// connect(app) with objectEncoding `object_encoding`, transaction 1;
    /// returns the `_result`/`_error` entry (nullptr when none came).
    const Received* connect(const std::string& app, Clock::time_point deadline, double object_encoding = 0);
    /// createStream: the stream id of the `_result`, nullopt otherwise.
    std::optional<rtmp::MessageStreamId> create_stream(Clock::time_point deadline);
    /// publish(name, live) on `msid`; returns the first onStatus on that stream.
    const Received* publish(rtmp::MessageStreamId msid, const std::string& name, Clock::time_point deadline);
    /// Sends play(name, start) on `msid` (no wait: the caller decides what to expect).
    bool play(rtmp::MessageStreamId msid, const std::string& name, double start, Clock::time_point deadline);
    /// connect("live") + createStream + play(name, -2), then reads until
    /// NetStream.Data.Start (the last message before media). The stream id is returned.
    std::optional<rtmp::MessageStreamId> start_player(std::uint16_t port, const std::string& name,
                                                      Clock::time_point deadline);
    /// connect("live") + createStream + publish(name); true on Publish.Start.
    std::optional<rtmp::MessageStreamId> start_publisher(std::uint16_t port, const std::string& name,
                                                         Clock::time_point deadline);
    /// Sends the clip (metadata, then every tag with its timestamp) on `msid`.
    /// `paced`: tag t goes out at start + t.timestamp.
    bool publish_clip(const Clip& clip, rtmp::MessageStreamId msid, bool paced, Clock::time_point deadline);
    /// The same at `speed` times real time: tag t goes out at
    /// start + t.timestamp / speed; 0 sends as fast as the socket takes them.
    bool publish_clip(const Clip& clip, rtmp::MessageStreamId msid, double speed, Clock::time_point deadline);
    /// Sends any command (a `call`): name, txn, null, arguments.
    bool call(const std::string& name, double transaction_id, const std::vector<amf::Value>& arguments,
              rtmp::MessageStreamId msid, Clock::time_point deadline);

    const std::vector<Received>& log() const noexcept { return log_; }
    std::size_t log_size() const noexcept { return log_.size(); }
    bool closed() const noexcept { return pump_.closed(); }
    const std::string& error() const noexcept { return error_; }
    const rtmp::Handshake& handshake() const noexcept { return handshake_; }

private:
    bool flush(Clock::time_point deadline) { return pump_.flush(connection_, deadline); }
    Received describe(rtmp::Event&& event) const;
    /// open() + connect("live") + createStream: the stream id, nullopt on any failure.
    std::optional<rtmp::MessageStreamId> open_live_stream(std::uint16_t port, Clock::time_point deadline);

    int receive_buffer_ = 0;
    int max_segment_ = 0;
    rtmp::Handshake handshake_;
    rtmp::Connection connection_;
    std::vector<Received> log_;
    std::string error_;
    BlockingPump pump_{"server", error_};  ///< the socket to the server
    double next_transaction_ = 2;
};

}  // namespace sluice::test
