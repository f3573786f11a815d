#include "interop/serve_raw_client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <thread>

#include "rtmp/data_message.hpp"
#include "rtmp/net_connection_commands.hpp"
#include "rtmp/net_stream_commands.hpp"
#include "rtmp/responses.hpp"

namespace sluice::test {

namespace {

std::string control_label(const rtmp::ControlMessage& control) {
    if (const auto* c = std::get_if<rtmp::SetChunkSize>(&control)) {
        return "control:SetChunkSize " + std::to_string(c->chunk_size);
    }
    if (std::holds_alternative<rtmp::WindowAckSize>(control)) return "control:WindowAckSize";
    if (std::holds_alternative<rtmp::SetPeerBandwidth>(control)) return "control:SetPeerBandwidth";
    if (std::holds_alternative<rtmp::AbortMessage>(control)) return "control:Abort";
    if (std::holds_alternative<rtmp::Acknowledgement>(control)) return "ack";
    return "control:other";
}

std::string user_control_label(const rtmp::UserControl& u) {
    const std::string id = " " + std::to_string(u.stream_id);
    switch (u.event) {
        case rtmp::UserControlEvent::stream_begin:
            return "user:StreamBegin" + id;
        case rtmp::UserControlEvent::stream_eof:
            return "user:StreamEOF" + id;
        case rtmp::UserControlEvent::stream_dry:
            return "user:StreamDry" + id;
        case rtmp::UserControlEvent::stream_is_recorded:
            return "user:StreamIsRecorded" + id;
        case rtmp::UserControlEvent::set_buffer_length:
            return "user:SetBufferLength" + id;
        case rtmp::UserControlEvent::ping_request:
            return "user:PingRequest";
        case rtmp::UserControlEvent::ping_response:
            return "user:PingResponse";
        default:
            return "user:" + std::to_string(static_cast<unsigned>(u.event));
    }
}

/// The first argument that is an info object ({level, code, ...}).
void find_info(const std::vector<amf::Value>& values, std::string& code, std::string& level) {
    for (const amf::Value& v : values) {
        const amf::Value* c = v.find("code");
        if (c == nullptr || c->string() == nullptr) continue;
        code = *c->string();
        if (const amf::Value* l = v.find("level"); l != nullptr && l->string() != nullptr)
            level = *l->string();
        return;
    }
}

}  // namespace

std::vector<std::string> signalling(const std::vector<Received>& log, std::size_t from) {
    std::vector<std::string> out;
    for (std::size_t i = from; i < log.size(); ++i) {
        const Received& r = log[i];
        if (r.is_media() || r.kind == Received::Kind::ack) continue;
        if (r.label == "user:PingRequest" || r.label == "user:PingResponse") continue;
        out.push_back(r.label);
    }
    return out;
}

RawClient::RawClient(bool digest_handshake)
    : handshake_(rtmp::HandshakeRole::client,
                 [&] {
                     rtmp::HandshakeOptions options;
                     options.digest = digest_handshake;
                     return options;
                 }()),
      connection_([] {
          // Hostile tests send messages beyond the server's limits (up to
          // the 16 MiB a chunk header can declare).
          rtmp::ConnectionOptions options;
          options.limits.max_output_bytes = 32u << 20;
          return options;
      }()) {}

RawClient::~RawClient() {
    close();
}

void RawClient::close() {
    pump_.close();
}

void RawClient::limit_socket(int receive_buffer, int max_segment) {
    receive_buffer_ = receive_buffer;
    max_segment_ = max_segment;
}

bool RawClient::open(std::uint16_t port, Clock::time_point deadline) {
    pump_.attach(::socket(AF_INET, SOCK_STREAM, 0));
    const int fd = pump_.fd();
    // Before connect: the window scale and the MSS are fixed by the SYN.
    if (fd >= 0 && receive_buffer_ > 0 &&
        ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &receive_buffer_, sizeof(receive_buffer_)) != 0) {
        error_ = std::string("SO_RCVBUF: ") + std::strerror(errno);
        return false;
    }
    if (fd >= 0 && max_segment_ > 0 &&
        ::setsockopt(fd, IPPROTO_TCP, TCP_MAXSEG, &max_segment_, sizeof(max_segment_)) != 0) {
        error_ = std::string("TCP_MAXSEG: ") + std::strerror(errno);
        return false;
    }
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(port);
    if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
        error_ = std::string("connect: ") + std::strerror(errno);
        return false;
    }
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    while (!handshake_.done()) {
        const base::Bytes out = handshake_.output();
        if (!pump_.write_all(out, deadline)) return false;
        handshake_.consume_output(out.size());
        if (handshake_.done()) break;
        if (handshake_.failed()) {
            error_ = "handshake failed: " + handshake_.error().message();
            return false;
        }
        if (!pump_.read_some(deadline)) return false;
        pump_.feed(handshake_);
    }
    // C2 may still be queued when S2 completes the handshake.
    const base::Bytes rest = handshake_.output();
    if (!pump_.write_all(rest, deadline)) return false;
    handshake_.consume_output(rest.size());
    return true;
}

bool RawClient::send(const rtmp::Message& message, rtmp::ChunkStreamId chunk_stream,
                     Clock::time_point deadline) {
    if (std::error_code ec = connection_.send(message, chunk_stream)) {
        error_ = "send: " + ec.message();
        return false;
    }
    return flush(deadline);
}

bool RawClient::send_control(const rtmp::ControlMessage& control, Clock::time_point deadline) {
    if (std::error_code ec = connection_.send_control(control)) {
        error_ = "send_control: " + ec.message();
        return false;
    }
    return flush(deadline);
}

Received RawClient::describe(rtmp::Event&& event) const {
    Received r;
    if (auto* e = std::get_if<rtmp::ControlApplied>(&event)) {
        r.label = control_label(e->control);
        r.kind = r.label == "ack" ? Received::Kind::ack : Received::Kind::control;
    } else if (auto* u = std::get_if<rtmp::UserControlReceived>(&event)) {
        r.kind = Received::Kind::user_control;
        r.label = user_control_label(u->control);
        r.stream_id = u->control.stream_id;
    } else if (std::holds_alternative<rtmp::PeerAcknowledged>(event)) {
        r.kind = Received::Kind::ack;
        r.label = "ack";
    } else if (auto* c = std::get_if<rtmp::CommandReceived>(&event)) {
        r.kind = Received::Kind::command;
        r.message = std::move(c->message);
        r.stream_id = r.message.stream_id;
        auto decoded = rtmp::decode_command(r.message);
        if (!decoded) {
            r.label = "command:<undecodable>";
        } else {
            find_info(decoded->arguments, r.code, r.level);
            r.label = "command:" + decoded->name +
                      (r.code.empty() || decoded->name != "onStatus" ? "" : " " + r.code);
            r.command = std::move(*decoded);
        }
    } else if (auto* d = std::get_if<rtmp::DataReceived>(&event)) {
        r.kind = Received::Kind::data;
        r.message = std::move(d->message);
        r.stream_id = r.message.stream_id;
        auto decoded = rtmp::decode_data_message(r.message);
        if (!decoded) {
            r.label = "data:<undecodable>";
        } else if (auto access = rtmp::SampleAccess::decode(*decoded)) {
            r.label = std::string("data:") + decoded->handler + (access->first ? " true" : " false") +
                      (access->second ? " true" : " false");
        } else {
            find_info(decoded->values, r.code, r.level);
            r.label = "data:" + decoded->handler + (r.code.empty() ? "" : " " + r.code);
        }
    } else if (auto* a = std::get_if<rtmp::AudioReceived>(&event)) {
        r.kind = Received::Kind::audio;
        r.message = std::move(a->message);
        r.stream_id = r.message.stream_id;
        r.label = is_audio_config(r.message.payload) ? "audio:config" : "audio:frame";
    } else if (auto* v = std::get_if<rtmp::VideoReceived>(&event)) {
        r.kind = Received::Kind::video;
        r.message = std::move(v->message);
        r.stream_id = r.message.stream_id;
        r.label = is_video_config(r.message.payload)  ? "video:config"
                  : is_video_key(r.message.payload)   ? "video:key"
                  : is_video_frame(r.message.payload) ? "video:inter"
                                                      : "video:other";
    } else if (auto* so = std::get_if<rtmp::SharedObjectReceived>(&event)) {
        r.kind = Received::Kind::other;
        r.message = std::move(so->message);
        r.label = "so:" + std::to_string(static_cast<int>(r.message.type));
    } else if (auto* p = std::get_if<rtmp::ProtocolViolation>(&event)) {
        r.label = "violation:" + p->detail;
    } else if (auto* m = std::get_if<rtmp::MessageRejected>(&event)) {
        r.label = "rejected:" + m->detail;
    } else {
        r.label = "other:" + std::to_string(event.index());
    }
    return r;
}

const Received* RawClient::next(Clock::time_point deadline) {
    for (;;) {
        if (auto event = connection_.next_event()) {
            flush(deadline);  // automatic replies (acks, pongs) go out at once
            log_.push_back(describe(std::move(*event)));
            return &log_.back();
        }
        if (connection_.failed()) {
            error_ = "protocol error: " + connection_.error().message();
            return nullptr;
        }
        if (pump_.feed(connection_)) continue;
        if (!pump_.read_some(deadline)) return nullptr;
    }
}

const Received* RawClient::wait_for(const std::function<bool(const Received&)>& done,
                                    Clock::time_point deadline) {
    while (const Received* r = next(deadline)) {
        if (done(*r)) return r;
    }
    return nullptr;
}

bool RawClient::drain_until_closed(Clock::time_point deadline) {
    while (next(deadline) != nullptr) {
    }
    return pump_.closed();
}

void RawClient::read_for(std::chrono::milliseconds span) {
    const auto until = Clock::now() + span;
    while (next(until) != nullptr) {
    }
}

bool RawClient::wait_hangup(Clock::time_point deadline) {
    const int fd = pump_.fd();
    if (fd < 0) return false;
    // POLLRDHUP reports the peer's FIN even while our receive buffer holds
    // unread data, which POLLIN alone cannot tell apart.
    pollfd p{fd, POLLRDHUP, 0};
    for (;;) {
        const int r = ::poll(&p, 1, remaining_ms(deadline));
        if (r < 0 && errno == EINTR) continue;
        return r > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR)) != 0;
    }
}

const Received* RawClient::connect(const std::string& app, Clock::time_point deadline,
                                   double object_encoding) {
    rtmp::ConnectCommand c;
    c.transaction_id = 1;
    c.app = app;
    c.flash_ver = "LNX 9,0,124,2";
    c.tc_url = "rtmp://127.0.0.1/" + app;
    c.fpad = false;
    c.capabilities = 15;
    c.audio_codecs = 4071;
    c.video_codecs = 252;
    c.video_function = 1;
    c.object_encoding = object_encoding;
    if (!send(c.encode(), rtmp::csid::net_connection, deadline)) return nullptr;
    return wait_for(
        [](const Received& r) {
            return r.command && r.command->transaction_id == 1 &&
                   (r.command->name == "_result" || r.command->name == "_error");
        },
        deadline);
}

std::optional<rtmp::MessageStreamId> RawClient::create_stream(Clock::time_point deadline) {
    const double txn = next_transaction_++;
    if (!send(rtmp::CreateStreamCommand{txn}.encode(), rtmp::csid::net_connection, deadline))
        return std::nullopt;
    const Received* r = wait_for(
        [txn](const Received& e) {
            return e.command && e.command->transaction_id == txn &&
                   (e.command->name == "_result" || e.command->name == "_error");
        },
        deadline);
    if (r == nullptr) return std::nullopt;
    auto result = rtmp::CreateStreamResult::decode(*r->command);
    if (!result) {
        error_ = "createStream answer is not a stream id: " + r->label;
        return std::nullopt;
    }
    return static_cast<rtmp::MessageStreamId>(result->stream_id);
}

const Received* RawClient::publish(rtmp::MessageStreamId msid, const std::string& name,
                                   Clock::time_point deadline) {
    rtmp::PublishCommand p;
    p.transaction_id = 0;
    p.stream_name = name;
    if (!send(p.encode(rtmp::Encoding::amf0, msid), rtmp::csid::net_stream, deadline)) return nullptr;
    return wait_for(
        [msid](const Received& r) {
            return r.command && r.command->name == "onStatus" && r.stream_id == msid;
        },
        deadline);
}

bool RawClient::play(rtmp::MessageStreamId msid, const std::string& name, double start,
                     Clock::time_point deadline) {
    rtmp::PlayCommand p;
    p.transaction_id = 0;
    p.stream_name = name;
    p.start = start;
    return send(p.encode(rtmp::Encoding::amf0, msid), rtmp::csid::net_stream, deadline);
}

std::optional<rtmp::MessageStreamId> RawClient::open_live_stream(std::uint16_t port,
                                                                 Clock::time_point deadline) {
    if (!open(port, deadline)) return std::nullopt;
    const Received* c = connect("live", deadline);
    if (c == nullptr || c->command->name != "_result") {
        error_ += " (connect not accepted)";
        return std::nullopt;
    }
    return create_stream(deadline);
}

std::optional<rtmp::MessageStreamId> RawClient::start_player(std::uint16_t port, const std::string& name,
                                                             Clock::time_point deadline) {
    auto msid = open_live_stream(port, deadline);
    if (!msid || !play(*msid, name, -2, deadline)) return std::nullopt;
    if (wait_for([](const Received& r) { return r.label == "data:onStatus NetStream.Data.Start"; },
                 deadline) == nullptr) {
        error_ += " (no NetStream.Data.Start after play)";
        return std::nullopt;
    }
    return msid;
}

std::optional<rtmp::MessageStreamId> RawClient::start_publisher(std::uint16_t port, const std::string& name,
                                                                Clock::time_point deadline) {
    auto msid = open_live_stream(port, deadline);
    if (!msid) return std::nullopt;
    const Received* status = publish(*msid, name, deadline);
    if (status == nullptr || status->code != "NetStream.Publish.Start") {
        error_ += " (publish answered " + (status ? status->label : std::string("nothing")) + ")";
        return std::nullopt;
    }
    return msid;
}

bool RawClient::publish_clip(const Clip& clip, rtmp::MessageStreamId msid, bool paced,
                             Clock::time_point deadline) {
    return publish_clip(clip, msid, paced ? 1.0 : 0.0, deadline);
}

bool RawClient::publish_clip(const Clip& clip, rtmp::MessageStreamId msid, double speed,
                             Clock::time_point deadline) {
    const rtmp::Message script{rtmp::MessageType::data_amf0, 0, msid, clip.metadata};
    auto data = rtmp::decode_data_message(script);
    if (!data) {
        error_ = "the clip's metadata does not decode";
        return false;
    }
    auto meta = rtmp::MetaData::decode(*data);
    if (!meta) {
        error_ = "the clip's script tag is not onMetaData";
        return false;
    }
    if (!send(rtmp::encode_data_message(meta->to_set_data_frame(), rtmp::Encoding::amf0, msid),
              rtmp::csid::net_stream, deadline)) {
        return false;
    }
    const auto start = Clock::now();
    for (const ClipTag& tag : clip.media) {
        if (speed > 0) {
            const std::chrono::duration<double, std::milli> due(static_cast<double>(tag.timestamp) / speed);
            std::this_thread::sleep_until(start + std::chrono::duration_cast<Clock::duration>(due));
        }
        const auto csid = tag.type == rtmp::MessageType::audio ? rtmp::csid::audio : rtmp::csid::video;
        if (!send(rtmp::Message{tag.type, tag.timestamp, msid, tag.payload}, csid, deadline)) return false;
        // What the server sends a publisher (acks, pings) is read as we go,
        // so its socket buffer never fills.
        while (wait_fd(pump_.fd(), POLLIN, Clock::now())) {
            if (!pump_.read_some(deadline)) break;
        }
        while (!pump_.pending().empty()) {
            const bool progress = pump_.feed(connection_);
            while (auto event = connection_.next_event()) log_.push_back(describe(std::move(*event)));
            if (!progress || connection_.failed()) break;
        }
        if (!flush(deadline)) return false;
    }
    return true;
}

bool RawClient::call(const std::string& name, double transaction_id, const std::vector<amf::Value>& arguments,
                     rtmp::MessageStreamId msid, Clock::time_point deadline) {
    const rtmp::Command c{name, transaction_id, amf::Null{}, arguments};
    const auto csid = msid == 0 ? rtmp::csid::net_connection : rtmp::csid::net_stream;
    return send(rtmp::encode_command(c, rtmp::Encoding::amf0, msid), csid, deadline);
}

}  // namespace sluice::test
