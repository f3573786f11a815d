#include "rtmp/connection.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "rtmp/chunk_decoder.hpp"
#include "rtmp/chunk_encoder.hpp"
#include "rtmp/control.hpp"
#include "rtmp/errors.hpp"
#include "support/hex_literal.hpp"
#include "support/split_feeder.hpp"

namespace sluice::rtmp {
namespace {

using base::ByteVector;
using base::Payload;

/// The peer's side of the wire: encodes messages as the peer would send them.
class Peer {
public:
    void send(const Message& m, ChunkStreamId csid) { ASSERT_FALSE(encoder_.encode(m, csid, out_)); }
    void control(const ControlMessage& c) {
        send(to_message(c), csid::protocol_control);
        if (const auto* set = std::get_if<SetChunkSize>(&c)) {
            ASSERT_FALSE(encoder_.set_chunk_size(set->chunk_size));
        }
    }
    ByteVector take() {
        ByteVector bytes = out_.flatten();
        out_.clear();
        return bytes;
    }

private:
    ChunkEncoder encoder_;
    GatherList out_;
};

Message media(MessageType type, base::Timestamp ts, std::size_t size, MessageStreamId msid = 1) {
    ByteVector bytes(size);
    for (std::size_t i = 0; i < size; ++i) bytes[i] = static_cast<std::uint8_t>(i * 7 + size);
    return Message{type, ts, msid, Payload::from(std::move(bytes))};
}

std::vector<Event> drain(Connection& conn) {
    std::vector<Event> events;
    while (auto e = conn.next_event()) events.push_back(std::move(*e));
    return events;
}

/// The peer's reading side: decodes what the Connection wrote, keeping its
/// decoder across reads (header compression spans writes) and applying Set
/// Chunk Size as a peer would.
class PeerReader {
public:
    std::vector<Message> read(Connection& conn) {
        ByteVector bytes = conn.output().flatten();
        conn.consume_output(bytes.size());
        std::vector<Message> out;
        base::Bytes input(bytes);
        while (!input.empty()) {
            DecodeResult r = decoder_.decode(input);
            EXPECT_FALSE(r.error) << r.error.message();
            if (r.error) break;
            input = input.subspan(r.consumed);
            if (r.message) {
                if (r.message->type == MessageType::set_chunk_size) {
                    auto set = decode_set_chunk_size(*r.message);
                    EXPECT_FALSE(decoder_.set_chunk_size(set->chunk_size));
                }
                out.push_back(std::move(*r.message));
            }
        }
        return out;
    }

private:
    ChunkDecoder decoder_;
};

std::vector<Message> decode_output(Connection& conn) {
    return PeerReader{}.read(conn);
}

TEST(Connection, AppliesThePeersChunkSizeToTheNextChunk) {
    Peer peer;
    peer.control(SetChunkSize{4096});
    const Message video = media(MessageType::video, 40, 3000);
    peer.send(video, csid::video);
    const ByteVector wire = peer.take();
    // At 4096 the 3000-byte message is one chunk: 12 header bytes + payload.
    EXPECT_EQ(wire.size(), 16u + 12u + 3000u);

    Connection conn;
    auto r = conn.receive(wire);
    EXPECT_EQ(r.consumed, wire.size());
    EXPECT_FALSE(r.error);
    auto events = drain(conn);
    ASSERT_EQ(events.size(), 2u);
    ASSERT_TRUE(std::holds_alternative<ControlApplied>(events[0]));
    EXPECT_EQ(std::get<SetChunkSize>(std::get<ControlApplied>(events[0]).control).chunk_size, 4096u);
    ASSERT_TRUE(std::holds_alternative<VideoReceived>(events[1]));
    EXPECT_EQ(std::get<VideoReceived>(events[1]).message, video);
    EXPECT_EQ(std::get<VideoReceived>(events[1]).chunk_stream, csid::video);
    EXPECT_EQ(conn.peer_chunk_size(), 4096u);
}

TEST(Connection, InvalidChunkSizeFailsTheConnectionWithASpecificError) {
    for (std::uint32_t bad : {0u, 0x80000000u, 0xFFFFFFFFu}) {
        SCOPED_TRACE(bad);
        Peer peer;
        peer.send(to_message(SetChunkSize{bad}), csid::protocol_control);
        peer.send(media(MessageType::audio, 0, 10), csid::audio);
        const ByteVector wire = peer.take();
        Connection conn;
        auto r = conn.receive(wire);
        EXPECT_EQ(r.error, make_error_code(Errc::chunk_size_invalid));
        EXPECT_TRUE(conn.failed());
        EXPECT_FALSE(conn.wants_read());
        auto events = drain(conn);
        ASSERT_EQ(events.size(), 1u);
        EXPECT_TRUE(std::holds_alternative<ProtocolViolation>(events[0]));
        // Failed for good: nothing more is parsed.
        EXPECT_EQ(conn.receive(wire).consumed, 0u);
    }
}

TEST(Connection, AcknowledgesOnceTheWindowIsReached) {
    Peer peer;
    peer.control(WindowAckSize{1000});
    const ByteVector setup = peer.take();
    Connection conn;
    ASSERT_FALSE(conn.receive(setup).error);
    EXPECT_EQ(conn.peer_ack_window(), 1000u);
    EXPECT_FALSE(conn.wants_write());  // 16 bytes received: below the window

    peer.send(media(MessageType::audio, 0, 600), csid::audio);
    ByteVector more = peer.take();
    ASSERT_FALSE(conn.receive(more).error);
    EXPECT_FALSE(conn.wants_write());  // 16 + 600 + headers < 1000

    peer.send(media(MessageType::audio, 20, 600), csid::audio);
    more = peer.take();
    ASSERT_FALSE(conn.receive(more).error);
    auto sent = decode_output(conn);
    ASSERT_EQ(sent.size(), 1u);
    auto ack = decode_acknowledgement(sent[0]);
    ASSERT_TRUE(ack);
    EXPECT_EQ(ack->sequence_number, conn.bytes_received());
    EXPECT_GE(conn.bytes_received(), 1000u);
}

TEST(Connection, WindowAckSizeZeroIsFatal) {
    Peer peer;
    peer.control(WindowAckSize{0});
    const ByteVector wire = peer.take();
    Connection conn;
    EXPECT_EQ(conn.receive(wire).error, make_error_code(Errc::window_ack_size_invalid));
}

TEST(Connection, SetPeerBandwidthZeroIsFatalAndAnnouncesNothing) {
    // Found by fuzz/client_session_fuzz: hard 2500000 then hard 0 used to
    // make the core answer Window Acknowledgement Size 0.
    Peer peer;
    peer.control(SetPeerBandwidth{2'500'000, BandwidthLimit::hard});
    peer.control(SetPeerBandwidth{0, BandwidthLimit::hard});
    const ByteVector wire = peer.take();
    Connection conn;
    EXPECT_EQ(conn.receive(wire).error, make_error_code(Errc::window_ack_size_invalid));
    PeerReader reader;
    const auto messages = reader.read(conn);
    ASSERT_EQ(messages.size(), 1u);  // only the Window Ack Size for 2500000
    auto window = decode_window_ack_size(messages[0]);
    ASSERT_TRUE(window);
    EXPECT_EQ(window->window, 2'500'000u);
}

TEST(Connection, AnswersPingRequestWithTheSameTimestamp) {
    Peer peer;
    peer.control(UserControl::ping_request(0xDEADBEEF));
    const ByteVector wire = peer.take();
    Connection conn;
    ASSERT_FALSE(conn.receive(wire).error);
    auto events = drain(conn);
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(std::get<UserControlReceived>(events[0]).control.event, UserControlEvent::ping_request);
    auto sent = decode_output(conn);
    ASSERT_EQ(sent.size(), 1u);
    auto pong = decode_user_control(sent[0]);
    ASSERT_TRUE(pong);
    EXPECT_EQ(pong->event, UserControlEvent::ping_response);
    EXPECT_EQ(pong->timestamp, 0xDEADBEEFu);
}

TEST(Connection, SetPeerBandwidthFollowsHardSoftDynamic) {
    Connection conn;
    auto feed = [&](SetPeerBandwidth b) {
        Peer peer;
        peer.control(b);
        ByteVector wire = peer.take();
        ASSERT_FALSE(conn.receive(wire).error);
        drain(conn);
    };
    PeerReader reader;
    auto window_acks_sent = [&]() {
        std::vector<std::uint32_t> windows;
        for (const Message& m : reader.read(conn)) {
            if (auto w = decode_window_ack_size(m)) windows.push_back(w->window);
        }
        return windows;
    };
    feed({2'500'000, BandwidthLimit::hard});
    EXPECT_EQ(conn.peer_bandwidth(), 2'500'000u);
    EXPECT_EQ(window_acks_sent(), std::vector<std::uint32_t>{2'500'000});
    feed({2'500'000, BandwidthLimit::hard});  // unchanged: no answer
    EXPECT_TRUE(window_acks_sent().empty());
    feed({5'000'000, BandwidthLimit::soft});  // soft keeps the smaller
    EXPECT_EQ(conn.peer_bandwidth(), 2'500'000u);
    EXPECT_TRUE(window_acks_sent().empty());
    feed({1'000'000, BandwidthLimit::soft});
    EXPECT_EQ(conn.peer_bandwidth(), 1'000'000u);
    EXPECT_EQ(conn.peer_bandwidth_limit(), BandwidthLimit::soft);
    EXPECT_EQ(window_acks_sent(), std::vector<std::uint32_t>{1'000'000});
    feed({3'000'000, BandwidthLimit::dynamic});  // previous was soft: ignored
    EXPECT_EQ(conn.peer_bandwidth(), 1'000'000u);
    feed({3'000'000, BandwidthLimit::hard});
    feed({4'000'000, BandwidthLimit::dynamic});  // previous was hard: acts as hard
    EXPECT_EQ(conn.peer_bandwidth(), 4'000'000u);
}

TEST(Connection, AbortDropsThePartialMessage) {
    Peer peer;
    const Message big = media(MessageType::video, 0, 300);
    peer.send(big, csid::video);
    ByteVector first = peer.take();
    first.resize(1 + 11 + 128);  // only the first chunk of three
    Peer control;
    control.control(AbortMessage{csid::video});
    const ByteVector abort = control.take();
    // A fresh message on the same chunk stream, format 0 (a fresh encoder).
    Peer again;
    const Message small = media(MessageType::video, 40, 50);
    again.send(small, csid::video);
    const ByteVector next = again.take();

    const ByteVector wire = test::cat(first, abort, next);
    Connection conn;
    auto r = conn.receive(wire);
    EXPECT_FALSE(r.error) << r.error.message();
    auto events = drain(conn);
    ASSERT_EQ(events.size(), 2u);
    EXPECT_TRUE(std::holds_alternative<ControlApplied>(events[0]));
    ASSERT_TRUE(std::holds_alternative<VideoReceived>(events[1]));
    EXPECT_EQ(std::get<VideoReceived>(events[1]).message, small);
}

TEST(Connection, SplitsAggregatesAndRejectsMalformedOnesWithoutClosing) {
    // REFERENCE.md §1.7: aggregate at ts 1000 on msid 1 with one 4-byte AAC frame.
    const ByteVector body = test::hex("08 000004 0003E8 00 000000 AF 01 21 10 0000000F");
    Message aggregate{MessageType::aggregate, 1000, 1, Payload::copy_of(body)};
    ByteVector lying = body;
    lying.back() = 0x10;  // back pointer says 16, the sub-message is 15
    Message bad{MessageType::aggregate, 1000, 1, Payload::from(std::move(lying))};

    Peer peer;
    peer.send(bad, csid::audio);
    peer.send(aggregate, csid::audio);
    const ByteVector wire = peer.take();
    Connection conn;
    ASSERT_FALSE(conn.receive(wire).error);
    auto events = drain(conn);
    ASSERT_EQ(events.size(), 2u);
    ASSERT_TRUE(std::holds_alternative<MessageRejected>(events[0]));
    EXPECT_EQ(std::get<MessageRejected>(events[0]).error, make_error_code(Errc::aggregate_malformed));
    ASSERT_TRUE(std::holds_alternative<AudioReceived>(events[1]));
    const Message& audio = std::get<AudioReceived>(events[1]).message;
    EXPECT_EQ(audio.timestamp, 1000u);
    EXPECT_EQ(audio.stream_id, 1u);
    EXPECT_EQ(audio.payload, Payload::copy_of(test::hex("AF 01 21 10")));
}

TEST(Connection, AggregatesStayWholeWhenSplittingIsOff) {
    const ByteVector body = test::hex("08 000004 0003E8 00 000000 AF 01 21 10 0000000F");
    Peer peer;
    peer.send(Message{MessageType::aggregate, 1000, 1, Payload::copy_of(body)}, csid::audio);
    const ByteVector wire = peer.take();
    Connection conn(ConnectionOptions{.split_aggregates = false});
    ASSERT_FALSE(conn.receive(wire).error);
    auto events = drain(conn);
    ASSERT_EQ(events.size(), 1u);
    EXPECT_TRUE(std::holds_alternative<AggregateReceived>(events[0]));
}

TEST(Connection, StopsParsingWhenTheEventQueueIsFull) {
    Peer peer;
    for (int i = 0; i < 5; ++i)
        peer.send(media(MessageType::audio, static_cast<base::Timestamp>(i * 20), 10), csid::audio);
    const ByteVector wire = peer.take();
    Connection conn(ConnectionOptions{.max_pending_events = 2});
    base::Bytes input(wire);
    std::size_t received = 0;
    int rounds = 0;
    while (!input.empty()) {
        auto r = conn.receive(input);
        ASSERT_FALSE(r.error);
        input = input.subspan(r.consumed);
        EXPECT_FALSE(conn.wants_read() && !input.empty() && r.consumed == 0);
        received += drain(conn).size();
        ASSERT_LT(++rounds, 10);
    }
    EXPECT_EQ(received, 5u);
    EXPECT_GE(rounds, 3);
}

TEST(Connection, OutputLimitFailsTheConnectionAndKeepsQueuedBytes) {
    ConnectionOptions options;
    options.limits.max_output_bytes = 4000;
    Connection conn(options);
    EXPECT_FALSE(conn.send(media(MessageType::video, 0, 600), csid::video));
    const std::size_t queued = conn.output().size_bytes();
    EXPECT_EQ(conn.send(media(MessageType::video, 40, 3000), csid::video),
              make_error_code(Errc::output_limit_exceeded));
    EXPECT_TRUE(conn.failed());
    EXPECT_EQ(conn.output().size_bytes(), queued);
    conn.consume_output(queued);
    EXPECT_EQ(conn.bytes_sent(), queued);
    EXPECT_FALSE(conn.wants_write());
}

TEST(Connection, OutputLimitCountsChunkHeadersToo) {
    // Found by connection_fuzz: a message that fits the limit by its payload
    // can pass it once its chunk headers (and their queue entries) count.
    // At chunk size 128, 250 bytes are 2 chunks: 250 + 2 x (18 + 2 x 64) = 542.
    ConnectionOptions options;
    options.limits.max_output_bytes = 512;
    Connection small(options);
    EXPECT_FALSE(small.send(media(MessageType::video, 0, 200), csid::video));
    EXPECT_LE(small.output().size_bytes(), 512u);
    Connection tight(options);
    EXPECT_EQ(tight.send(media(MessageType::video, 0, 250), csid::video),
              make_error_code(Errc::output_limit_exceeded));
    EXPECT_EQ(tight.output().size_bytes(), 0u);
}

TEST(Connection, OutputLimitCountsEachQueuedSegment) {
    // A peer that never reads while we answer its pings: 18-byte messages
    // whose queue entries cost more memory than their bytes. Each queues at
    // least one segment (64 more), so a 64 KiB limit stops the flood long
    // before 65536 / 18 = 3640 answers.
    ConnectionOptions options;
    options.limits.max_output_bytes = 64 * 1024;
    Connection conn(options);
    std::size_t sent = 0;
    while (!conn.send_control(UserControl::ping_response(1))) ++sent;
    EXPECT_TRUE(conn.failed());
    EXPECT_LT(sent, 64u * 1024u / (18u + 64u));
    EXPECT_GT(sent, 64u * 1024u / (18u + 4u * 64u));
}

TEST(Connection, OurSetChunkSizeAppliesToLaterMessages) {
    Connection conn;
    ASSERT_FALSE(conn.send_control(SetChunkSize{4096}));
    EXPECT_EQ(conn.chunk_size(), 4096u);
    const Message video = media(MessageType::video, 0, 3000);
    ASSERT_FALSE(conn.send(video, csid::video));
    EXPECT_EQ(conn.output().size_bytes(), 16u + 12u + 3000u);
    auto sent = decode_output(conn);
    ASSERT_EQ(sent.size(), 2u);
    EXPECT_EQ(sent[1], video);
}

TEST(Connection, UnknownMessageTypesAreDeliveredNotDropped) {
    Peer peer;
    peer.send(Message{static_cast<MessageType>(7), 0, 0, Payload::copy_of(test::hex("01 02"))},
              csid::net_connection);
    const ByteVector wire = peer.take();
    Connection conn;
    ASSERT_FALSE(conn.receive(wire).error);
    auto events = drain(conn);
    ASSERT_EQ(events.size(), 1u);
    EXPECT_TRUE(std::holds_alternative<UnknownMessageReceived>(events[0]));
}

TEST(Connection, SameEventsAtEverySplitPoint) {
    Peer peer;
    peer.control(SetChunkSize{200});
    peer.send(Message{MessageType::command_amf0, 0, 0,
                      Payload::copy_of(test::hex("02 00 07 636f6e6e656374 00 3FF0000000000000 05"))},
              csid::net_connection);
    peer.send(media(MessageType::video, 0, 450), csid::video);
    peer.send(media(MessageType::audio, 0xFFFFFF + 5, 130), csid::audio);  // extended timestamp
    peer.send(media(MessageType::audio, 0xFFFFFF + 25, 130), csid::audio);
    const ByteVector wire = peer.take();

    auto kinds = [](const std::vector<Event>& events) {
        std::string s;
        for (const Event& e : events) s += std::to_string(e.index()) + ",";
        return s;
    };
    Connection reference;
    ASSERT_FALSE(reference.receive(wire).error);
    const std::vector<Event> expected = drain(reference);
    ASSERT_EQ(expected.size(), 5u);

    test::for_each_split(wire, [&](const test::Pieces& pieces, const std::string& label) {
        SCOPED_TRACE(label);
        Connection conn;
        std::vector<Event> events;
        for (base::Bytes piece : pieces) {
            while (!piece.empty()) {
                auto r = conn.receive(piece);
                ASSERT_FALSE(r.error);
                piece = piece.subspan(r.consumed);
                for (auto& e : drain(conn)) events.push_back(std::move(e));
            }
        }
        ASSERT_EQ(kinds(events), kinds(expected));
        for (std::size_t i = 0; i < events.size(); ++i) {
            if (const auto* a = std::get_if<AudioReceived>(&events[i])) {
                EXPECT_EQ(a->message, std::get<AudioReceived>(expected[i]).message);
            }
            if (const auto* v = std::get_if<VideoReceived>(&events[i])) {
                EXPECT_EQ(v->message, std::get<VideoReceived>(expected[i]).message);
            }
        }
    });
}

}  // namespace
}  // namespace sluice::rtmp
