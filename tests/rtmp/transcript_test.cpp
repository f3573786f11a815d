// Golden transcripts (llhttp style): each tests/fixtures/rtmp/transcripts/*.md
// holds a "why" paragraph, the wire bytes a peer sends (```hex, built by
// tools/gen_transcripts.py independently of our encoder), the events the
// Connection must surface and the messages it must answer with on its own,
// both written by hand. Each transcript is fed whole, byte at a time and at
// every split point; the rendered event log must match at every one.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "amf/debug_string.hpp"
#include "amf/reader0.hpp"
#include "base/hex.hpp"
#include "rtmp/chunk_decoder.hpp"
#include "rtmp/connection.hpp"
#include "support/split_feeder.hpp"

namespace sluice::rtmp {
namespace {

namespace fs = std::filesystem;

struct Transcript {
    std::string name;
    base::ByteVector input;
    std::vector<std::string> events;
    std::vector<std::string> output;
};

/// The lines of the fenced block that follows `heading` (```hex or ```).
std::vector<std::string> block_after(const std::string& text, const std::string& heading) {
    std::vector<std::string> lines;
    const auto at = text.find(heading);
    if (at == std::string::npos) return lines;
    const auto open = text.find("```", at);
    const auto body = text.find('\n', open) + 1;
    const auto close = text.find("```", body);
    std::istringstream in(text.substr(body, close - body));
    for (std::string line; std::getline(in, line);) {
        if (!line.empty()) lines.push_back(line);
    }
    return lines;
}

std::vector<Transcript> load_transcripts() {
    std::vector<Transcript> out;
    const fs::path dir = fs::path(SLUICE_FIXTURES_DIR) / "rtmp" / "transcripts";
    for (const auto& entry : fs::directory_iterator(dir)) {
        if (entry.path().extension() != ".md") continue;
        std::ifstream file(entry.path());
        const std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
        Transcript t;
        t.name = entry.path().filename().string();
        std::string hex;
        for (const auto& line : block_after(text, "## input")) hex += line;
        t.input = base::from_hex(hex).value_or(base::ByteVector{});
        t.events = block_after(text, "## events");
        t.output = block_after(text, "## output");
        out.push_back(std::move(t));
    }
    return out;
}

std::string amf_values(const Message& m) {
    base::Bytes body = m.payload;
    if (m.type == MessageType::command_amf3 || m.type == MessageType::data_amf3) body = body.subspan(1);
    amf::Reader0 reader(body);
    auto values = reader.read_all();
    if (!values) return "<amf error: " + values.error().message() + ">";
    std::string s;
    for (const auto& v : *values) s += (s.empty() ? "" : ", ") + amf::debug_string(v);
    return s;
}

std::string where(const MessageEvent& e) {
    return "csid=" + std::to_string(e.chunk_stream) + " msid=" + std::to_string(e.message.stream_id) +
           " ts=" + std::to_string(e.message.timestamp);
}

std::string media(const char* kind, const MessageEvent& e) {
    const base::Bytes p = e.message.payload;
    return std::string(kind) + " " + where(e) + " size=" + std::to_string(p.size()) +
           " head=" + base::to_hex(p.first(std::min<std::size_t>(5, p.size())));
}

const char* user_control_name(UserControlEvent e) {
    switch (e) {
        case UserControlEvent::stream_begin:
            return "stream_begin";
        case UserControlEvent::stream_eof:
            return "stream_eof";
        case UserControlEvent::stream_dry:
            return "stream_dry";
        case UserControlEvent::set_buffer_length:
            return "set_buffer_length";
        case UserControlEvent::stream_is_recorded:
            return "stream_is_recorded";
        case UserControlEvent::ping_request:
            return "ping_request";
        case UserControlEvent::ping_response:
            return "ping_response";
        default:
            return "other";
    }
}

std::string render(const ControlMessage& c) {
    struct Visitor {
        std::string operator()(const SetChunkSize& m) {
            return "set_chunk_size " + std::to_string(m.chunk_size);
        }
        std::string operator()(const AbortMessage& m) { return "abort " + std::to_string(m.chunk_stream); }
        std::string operator()(const Acknowledgement& m) {
            return "ack " + std::to_string(m.sequence_number);
        }
        std::string operator()(const WindowAckSize& m) {
            return "window_ack_size " + std::to_string(m.window);
        }
        std::string operator()(const SetPeerBandwidth& m) {
            static const char* limits[] = {"hard", "soft", "dynamic"};
            const auto l = static_cast<unsigned>(m.limit);
            return "set_peer_bandwidth " + std::to_string(m.window) + " " + (l < 3 ? limits[l] : "other");
        }
        std::string operator()(const UserControl& m) {
            std::string s = std::string("user_control ") + user_control_name(m.event);
            if (m.event == UserControlEvent::ping_request || m.event == UserControlEvent::ping_response) {
                return s + " ts=" + std::to_string(m.timestamp);
            }
            s += " stream=" + std::to_string(m.stream_id);
            if (m.event == UserControlEvent::set_buffer_length)
                s += " ms=" + std::to_string(m.buffer_length_ms);
            return s;
        }
    };
    return std::visit(Visitor{}, c);
}

std::string render(const Event& event) {
    struct Visitor {
        std::string operator()(const CommandReceived& e) {
            return "command " + where(e) + ": " + amf_values(e.message);
        }
        std::string operator()(const DataReceived& e) {
            return "data " + where(e) + ": " + amf_values(e.message);
        }
        std::string operator()(const AudioReceived& e) { return media("audio", e); }
        std::string operator()(const VideoReceived& e) { return media("video", e); }
        std::string operator()(const SharedObjectReceived& e) { return media("shared_object", e); }
        std::string operator()(const AggregateReceived& e) { return media("aggregate", e); }
        std::string operator()(const UnknownMessageReceived& e) { return media("unknown", e); }
        std::string operator()(const UserControlReceived& e) { return render(ControlMessage{e.control}); }
        std::string operator()(const PeerAcknowledged& e) {
            return "peer_ack " + std::to_string(e.sequence_number);
        }
        std::string operator()(const ControlApplied& e) { return "control " + render(e.control); }
        std::string operator()(const MessageRejected& e) {
            return "rejected " + e.error.message() + ": " + e.detail;
        }
        std::string operator()(const ProtocolViolation& e) {
            return "violation " + e.error.message() + ": " + e.detail;
        }
    };
    return std::visit(Visitor{}, event);
}

/// What the Connection wrote by itself, decoded and rendered.
std::vector<std::string> render_output(Connection& conn) {
    const base::ByteVector bytes = conn.output().flatten();
    ChunkDecoder decoder;
    std::vector<std::string> lines;
    base::Bytes input(bytes);
    while (!input.empty()) {
        DecodeResult r = decoder.decode(input);
        if (r.error) {
            lines.push_back("<undecodable output: " + r.error.message() + ">");
            break;
        }
        input = input.subspan(r.consumed);
        if (!r.message) continue;
        auto control = decode_control(*r.message);
        lines.push_back(control ? render(*control)
                                : media("message", MessageEvent{*r.message, r.chunk_stream}));
    }
    return lines;
}

TEST(Transcript, EveryFixtureMatchesAtEverySplit) {
    const auto transcripts = load_transcripts();
    ASSERT_GE(transcripts.size(), 3u);
    for (const Transcript& t : transcripts) {
        SCOPED_TRACE(t.name);
        ASSERT_FALSE(t.input.empty()) << "no ```hex input: run tools/gen_transcripts.py";
        ASSERT_FALSE(t.events.empty());
        test::for_each_split(t.input, [&](const test::Pieces& pieces, const std::string& label) {
            SCOPED_TRACE(label);
            Connection conn;
            std::vector<std::string> events;
            for (base::Bytes piece : pieces) {
                while (!piece.empty()) {
                    const ReceiveResult r = conn.receive(piece);
                    piece = piece.subspan(r.consumed);
                    while (auto e = conn.next_event()) events.push_back(render(*e));
                    if (r.error) break;
                }
            }
            // Compare the first split in full (a readable diff), later ones by equality only.
            if (label == "whole") {
                EXPECT_EQ(events, t.events);
                EXPECT_EQ(render_output(conn), t.output);
            } else {
                ASSERT_EQ(events, t.events);
            }
        });
    }
}

}  // namespace
}  // namespace sluice::rtmp
