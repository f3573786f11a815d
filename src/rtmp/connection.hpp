#pragma once
// rtmp::Connection: the sans-I/O RTMP endpoint after the handshake
// (ARCHITECTURE.md "Core types"; STYLE.md §3.2; nghttp2's session shape).
//
// It owns a ChunkDecoder (peer -> us) and a ChunkEncoder (us -> peer), applies
// protocol control by itself and surfaces everything else as rtmp::Events.
// Role behaviour (server or client NetConnection) is layered on top by
// composition, not mixed in.
//
// Driving it (net::ConnectionDriver does this over a socket; tests and
// fuzzers do it over memory):
//
//   Connection conn(options);
//   for (;;) {
//       auto [consumed, error] = conn.receive(input);   // may stop early: see below
//       input = input.subspan(consumed);
//       while (auto event = conn.next_event()) handle(*event);
//       write(conn.output()); conn.consume_output(bytes_written);
//       if (error) break;                                // ProtocolViolation was queued
//   }
//
// What it does by itself (RTMP 1.0 §5.4, §6.2, §7.1.7; REFERENCE.md §1.4–1.5):
//  - Set Chunk Size from the peer: applied to the decoder for the next chunk
//    (0, top bit, or outside Limits -> fatal error).
//  - Abort Message: the partial message on that chunk stream is dropped.
//  - Window Acknowledgement Size from the peer: from then on, once the bytes
//    received since our last Acknowledgement reach that window, it queues an
//    Acknowledgement carrying the total bytes received (mod 2^32). It checks
//    once per receive() call, so a tiny window cannot make it answer more
//    often than the caller reads. A window of 0 is a fatal error.
//  - Set Peer Bandwidth: hard sets the limit; soft takes the smaller of it
//    and the current one; dynamic acts as hard when the previous limit was
//    hard and is otherwise ignored; when the resulting window differs from
//    the last Window Acknowledgement Size we sent, it sends one (§5.4.5).
//    A window of 0 is a fatal error (it would make us announce a window of 0).
//    Sans-I/O: the limit is recorded (peer_bandwidth()), pacing output by
//    it is the transport's business.
//  - User control PingRequest: answered with PingResponse at once.
//  - Aggregate messages: split into their sub-messages (aggregate.hpp)
//    unless ConnectionOptions::split_aggregates is false; a malformed one is
//    refused with a MessageRejected event and the connection goes on.
//
// Contract:
//  - receive() parses input until it ends or until `max_pending_events`
//    events wait to be pulled (backpressure: the caller drains next_event()
//    and calls receive() again with the rest). It returns the bytes consumed
//    and the fatal error, if any. After a fatal error the connection is
//    failed: one ProtocolViolation event is queued, receive() consumes
//    nothing more, output already queued stays available for a last write.
//  - Output is bounded by Limits::max_output_bytes: a send() that could pass
//    it (payload plus the largest possible header on every chunk) fails
//    with Errc::output_limit_exceeded and fails the connection (a peer that
//    does not read must not grow our memory). Queued output never exceeds
//    the limit.
//  - Never throws on peer input; all memory is bounded by Limits.
//  - Not thread-safe: one owner (the connection's worker thread).
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <system_error>

#include "base/byte_reader.hpp"
#include "rtmp/chunk_decoder.hpp"
#include "rtmp/chunk_encoder.hpp"
#include "rtmp/control.hpp"
#include "rtmp/events.hpp"
#include "rtmp/limits.hpp"
#include "rtmp/message.hpp"

namespace sluice::rtmp {

struct ConnectionOptions {
    Limits limits{};
    Leniency leniency{};
    /// Events that may wait in the queue before receive() stops parsing.
    std::size_t max_pending_events = 64;
    /// Split aggregate messages into their sub-messages (the server does; a
    /// relay that forwards aggregates whole may not).
    bool split_aggregates = true;
};

struct ReceiveResult {
    std::size_t consumed = 0;
    std::error_code error;  ///< fatal; the connection is failed when set
};

class Connection {
public:
    explicit Connection(ConnectionOptions options = {});

    /// Feeds bytes from the peer (after the handshake). See the contract above.
    ReceiveResult receive(base::Bytes input);
    /// The oldest queued event, or nullopt when none waits.
    std::optional<Event> next_event();

    /// Queues `message` on chunk stream `chunk_stream`. Errors: the encoder's
    /// (invalid chunk stream id, payload above 16 MiB - 1: refused, the
    /// connection goes on) and Errc::output_limit_exceeded (fatal).
    std::error_code send(const Message& message, ChunkStreamId chunk_stream);
    /// Queues a control message on chunk stream 2 / message stream 0.
    /// Set Chunk Size also switches our encoder to the new size for every
    /// message queued after it; Window Acknowledgement Size is remembered as
    /// the window we announced (see Set Peer Bandwidth above).
    std::error_code send_control(const ControlMessage& control);

    /// Pending output, as a gather list (header bytes + payload slices).
    const GatherList& output() const noexcept { return output_; }
    /// Marks `n` bytes of output() as written.
    void consume_output(std::size_t n) noexcept;

    bool wants_read() const noexcept { return !failed() && events_.size() < options_.max_pending_events; }
    bool wants_write() const noexcept { return !output_.empty(); }
    bool failed() const noexcept { return static_cast<bool>(error_); }
    std::error_code error() const noexcept { return error_; }

    /// Bytes received since construction (what Acknowledgements count, unwrapped).
    std::uint64_t bytes_received() const noexcept { return bytes_received_; }
    /// Output bytes the caller reported written.
    std::uint64_t bytes_sent() const noexcept { return bytes_sent_; }
    /// The acknowledgement window the peer asked for (0 = none yet: no acks sent).
    std::uint32_t peer_ack_window() const noexcept { return peer_ack_window_; }
    /// The output bandwidth limit the peer set (0 = none yet) and its type.
    std::uint32_t peer_bandwidth() const noexcept { return peer_bandwidth_; }
    BandwidthLimit peer_bandwidth_limit() const noexcept { return peer_bandwidth_limit_; }
    /// Chunk sizes in effect: the peer's (for decoding) and ours (encoding).
    std::uint32_t peer_chunk_size() const noexcept { return decoder_.chunk_size(); }
    std::uint32_t chunk_size() const noexcept { return encoder_.chunk_size(); }
    const ConnectionOptions& options() const noexcept { return options_; }

private:
    void handle_message(Message&& message, ChunkStreamId chunk_stream);
    void handle_control(const Message& message);
    void handle_aggregate(Message&& message, ChunkStreamId chunk_stream);
    void deliver(Message&& message, ChunkStreamId chunk_stream);
    void apply_peer_bandwidth(const SetPeerBandwidth& bandwidth);
    void maybe_acknowledge();
    void fail(std::error_code error, std::string detail, std::uint64_t offset);

    ConnectionOptions options_;
    ChunkDecoder decoder_;
    ChunkEncoder encoder_;
    GatherList output_;
    std::deque<Event> events_;
    std::error_code error_;

    std::uint64_t bytes_received_ = 0;
    std::uint64_t bytes_sent_ = 0;
    std::uint64_t acknowledged_at_ = 0;  ///< bytes_received_ when we last sent an Acknowledgement
    std::uint32_t peer_ack_window_ = 0;
    std::uint32_t peer_bandwidth_ = 0;
    BandwidthLimit peer_bandwidth_limit_ = BandwidthLimit::hard;
    bool peer_bandwidth_set_ = false;
    std::uint32_t window_sent_ = 0;  ///< last Window Acknowledgement Size we sent (0 = none)
};

}  // namespace sluice::rtmp
