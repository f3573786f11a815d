#include "rtmp/connection.hpp"

#include <algorithm>
#include <string>
#include <utility>

#include "rtmp/aggregate.hpp"
#include "rtmp/errors.hpp"

namespace sluice::rtmp {

Connection::Connection(ConnectionOptions options)
    : options_(options), decoder_(options.limits, options.leniency) {}

ReceiveResult Connection::receive(base::Bytes input) {
    ReceiveResult result;
    while (!failed() && !input.empty() && events_.size() < options_.max_pending_events) {
        DecodeResult decoded = decoder_.decode(input);
        input = input.subspan(decoded.consumed);
        result.consumed += decoded.consumed;
        bytes_received_ += decoded.consumed;
        if (decoded.error) {
            fail(decoded.error, "chunk stream " + std::to_string(decoded.chunk_stream),
                 decoder_.error_offset());
            break;
        }
        if (decoded.message) handle_message(std::move(*decoded.message), decoded.chunk_stream);
    }
    // Acknowledge once per call, not per message: a window of 1 byte then
    // costs one Acknowledgement per read, never one per byte.
    if (!failed()) maybe_acknowledge();
    result.error = error_;
    return result;
}

std::optional<Event> Connection::next_event() {
    if (events_.empty()) return std::nullopt;
    Event event = std::move(events_.front());
    events_.pop_front();
    return event;
}

void Connection::handle_message(Message&& message, ChunkStreamId chunk_stream) {
    if (is_control(message.type)) {
        handle_control(message);
    } else if (message.type == MessageType::aggregate && options_.split_aggregates) {
        handle_aggregate(std::move(message), chunk_stream);
    } else {
        deliver(std::move(message), chunk_stream);
    }
}

void Connection::handle_control(const Message& message) {
    base::Result<ControlMessage> decoded = decode_control(message);
    if (!decoded) {
        fail(decoded.error(), "control message type " + std::to_string(static_cast<int>(message.type)),
             decoder_.bytes_consumed());
        return;
    }
    ControlMessage& control = *decoded;
    if (const auto* set = std::get_if<SetChunkSize>(&control)) {
        if (std::error_code ec = decoder_.set_chunk_size(set->chunk_size)) {
            fail(ec, "Set Chunk Size " + std::to_string(set->chunk_size), decoder_.bytes_consumed());
            return;
        }
    } else if (const auto* abort = std::get_if<AbortMessage>(&control)) {
        decoder_.abort(abort->chunk_stream);
    } else if (const auto* ack = std::get_if<Acknowledgement>(&control)) {
        events_.emplace_back(PeerAcknowledged{ack->sequence_number});
        return;
    } else if (const auto* window = std::get_if<WindowAckSize>(&control)) {
        if (window->window == 0) {
            fail(Errc::window_ack_size_invalid, "Window Acknowledgement Size 0", decoder_.bytes_consumed());
            return;
        }
        peer_ack_window_ = window->window;
    } else if (const auto* bandwidth = std::get_if<SetPeerBandwidth>(&control)) {
        if (bandwidth->window == 0) {
            // Applying it would make us send Window Acknowledgement Size 0,
            // which peers (and this core, above) treat as fatal.
            fail(Errc::window_ack_size_invalid, "Set Peer Bandwidth 0", decoder_.bytes_consumed());
            return;
        }
        apply_peer_bandwidth(*bandwidth);
    } else if (auto* user = std::get_if<UserControl>(&control)) {
        if (user->event == UserControlEvent::ping_request) {
            send_control(UserControl::ping_response(user->timestamp));
        }
        events_.emplace_back(UserControlReceived{std::move(*user)});
        return;
    }
    events_.emplace_back(ControlApplied{std::move(control)});
}

void Connection::apply_peer_bandwidth(const SetPeerBandwidth& bandwidth) {
    std::uint32_t window = peer_bandwidth_;
    BandwidthLimit limit = bandwidth.limit;
    switch (bandwidth.limit) {
        case BandwidthLimit::hard:
            window = bandwidth.window;
            break;
        case BandwidthLimit::soft:
            window = peer_bandwidth_set_ ? std::min(peer_bandwidth_, bandwidth.window) : bandwidth.window;
            break;
        case BandwidthLimit::dynamic:
            // §5.4.5: dynamic is hard when the previous limit was hard, else ignored.
            // The first one has no previous limit; librtmp and FFmpeg servers
            // send dynamic right after connect and expect it to take effect, so
            // it counts as hard then.
            if (peer_bandwidth_set_ && peer_bandwidth_limit_ != BandwidthLimit::hard) return;
            window = bandwidth.window;
            limit = BandwidthLimit::hard;
            break;
        default:
            // An unknown limit type byte changes nothing; the message is still reported.
            return;
    }
    peer_bandwidth_ = window;
    peer_bandwidth_limit_ = limit;
    peer_bandwidth_set_ = true;
    if (window != window_sent_) send_control(WindowAckSize{window});
}

void Connection::handle_aggregate(Message&& message, ChunkStreamId chunk_stream) {
    AggregateDiagnostic diagnostic;
    auto parts = split_aggregate(message, options_.limits.max_aggregate_messages, &diagnostic);
    if (!parts) {
        events_.emplace_back(MessageRejected{
            parts.error(),
            "aggregate sub-message " + std::to_string(diagnostic.sub_message_index) + " at byte " +
                std::to_string(diagnostic.byte_offset) + ": " + diagnostic.reason,
            std::move(message)});
        return;
    }
    for (Message& part : *parts) {
        // A sub-message may claim to be control or another aggregate: neither
        // is allowed inside an aggregate (§7.1.6 lists audio, video, data).
        if (is_control(part.type) || part.type == MessageType::aggregate) {
            events_.emplace_back(MessageRejected{
                make_error_code(Errc::aggregate_malformed),
                "aggregate carries a message of type " + std::to_string(static_cast<int>(part.type)),
                std::move(part)});
            continue;
        }
        deliver(std::move(part), chunk_stream);
    }
}

void Connection::deliver(Message&& message, ChunkStreamId chunk_stream) {
    MessageEvent base{std::move(message), chunk_stream};
    switch (base.message.type) {
        case MessageType::command_amf0:
        case MessageType::command_amf3:
            events_.emplace_back(CommandReceived{std::move(base)});
            break;
        case MessageType::data_amf0:
        case MessageType::data_amf3:
            events_.emplace_back(DataReceived{std::move(base)});
            break;
        case MessageType::audio:
            events_.emplace_back(AudioReceived{std::move(base)});
            break;
        case MessageType::video:
            events_.emplace_back(VideoReceived{std::move(base)});
            break;
        case MessageType::shared_object_amf0:
        case MessageType::shared_object_amf3:
            events_.emplace_back(SharedObjectReceived{std::move(base)});
            break;
        case MessageType::aggregate:
            events_.emplace_back(AggregateReceived{std::move(base)});
            break;
        default:
            events_.emplace_back(UnknownMessageReceived{std::move(base)});
            break;
    }
}

void Connection::maybe_acknowledge() {
    if (peer_ack_window_ == 0) return;
    if (bytes_received_ - acknowledged_at_ < peer_ack_window_) return;
    acknowledged_at_ = bytes_received_;
    // The sequence number is the byte count modulo 2^32 (§5.4.3).
    send_control(Acknowledgement{static_cast<std::uint32_t>(bytes_received_)});
}

std::error_code Connection::send(const Message& message, ChunkStreamId chunk_stream) {
    if (failed()) return error_;
    // Check before encoding: the encoder appends, and a refused message
    // must leave the output as it was. Headers are counted at their largest
    // (basic 3 + message 11 + extended timestamp 4 bytes per chunk), so the
    // queue can never pass the limit, at the price of refusing a message
    // that would have fitted by a few bytes.
    const std::size_t payload = message.payload.size();
    const std::size_t chunks =
        payload == 0 ? 1 : (payload + encoder_.chunk_size() - 1) / encoder_.chunk_size();
    // Each queued segment (a chunk header, a payload slice) also costs memory
    // beyond its bytes: charged at segment_cost each, so a flood of tiny
    // messages (PingResponses to a peer that never reads) meets the limit
    // at a memory cost near it, not at several times it.
    constexpr std::size_t segment_cost = 64;
    const std::size_t worst_case = payload + chunks * (max_chunk_header_size + 2 * segment_cost);
    const std::size_t queued = output_.size_bytes() + output_.segment_count() * segment_cost;
    if (queued + worst_case > options_.limits.max_output_bytes) {
        fail(Errc::output_limit_exceeded,
             "output queue " + std::to_string(output_.size_bytes()) + " bytes + message of " +
                 std::to_string(payload) + " bytes",
             bytes_received_);
        return error_;
    }
    return encoder_.encode(message, chunk_stream, output_);
}

std::error_code Connection::send_control(const ControlMessage& control) {
    if (std::error_code ec = send(to_message(control), csid::protocol_control)) return ec;
    if (const auto* set = std::get_if<SetChunkSize>(&control)) {
        // The Set Chunk Size itself went out at the old size; everything after uses the new one.
        return encoder_.set_chunk_size(set->chunk_size);
    }
    if (const auto* window = std::get_if<WindowAckSize>(&control)) window_sent_ = window->window;
    return {};
}

void Connection::consume_output(std::size_t n) noexcept {
    const std::size_t taken = std::min(n, output_.size_bytes());
    output_.consume(taken);
    bytes_sent_ += taken;
}

void Connection::fail(std::error_code error, std::string detail, std::uint64_t offset) {
    if (failed()) return;
    error_ = error;
    events_.emplace_back(ProtocolViolation{error, std::move(detail), offset});
}

}  // namespace sluice::rtmp
