#include "server/session.hpp"

#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "net/gather_buffers.hpp"
#include "net/rc4_transport.hpp"
#include "rtmp/responses.hpp"

namespace sluice::server {

namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

/// RTMPE is answered on the RTMP port (ARCHITECTURE.md): C0 6, 8 and 9 too.
rtmp::HandshakeOptions server_handshake_options() {
    rtmp::HandshakeOptions options;
    options.encryption = true;
    return options;
}

constexpr auto use_nothrow = asio::as_tuple(asio::use_awaitable);
/// Output queued in the Connection before the writer stops pulling frames
/// from the players' queues: enough for a few large video frames in one
/// gather write, small enough that the drop policy (which works on the
/// queues) stays in charge when a player falls behind.
constexpr std::size_t output_low_water = 256 * 1024;
constexpr auto flush_deadline = 2s;
constexpr std::size_t max_read_buffer = 64 * 1024;

rtmp::ConnectionOptions connection_options(const ServerLimits& limits) {
    rtmp::ConnectionOptions options;
    options.limits.max_message_bytes = limits.max_message_bytes;
    options.limits.max_chunk_streams = limits.max_chunk_streams;
    options.limits.max_partial_bytes_total = limits.max_partial_bytes;
    options.limits.min_chunk_size = limits.min_peer_chunk_size;
    options.limits.max_chunk_size = limits.max_peer_chunk_size;
    return options;
}

rtmp::CommandOptions command_options(const ServerLimits& limits) {
    rtmp::CommandOptions options;
    options.amf.max_depth = limits.amf_max_depth;
    options.amf.max_string_bytes = limits.amf_max_string_bytes;
    options.amf.max_elements = limits.amf_max_elements;
    return options;
}

rtmp::ChunkStreamId chunk_stream_for(const rtmp::Message& message) noexcept {
    switch (message.type) {
        case rtmp::MessageType::audio:
            return rtmp::csid::audio;
        case rtmp::MessageType::video:
            return rtmp::csid::video;
        case rtmp::MessageType::user_control:
            return rtmp::csid::protocol_control;
        default:
            return rtmp::csid::net_stream;
    }
}

}  // namespace

Session::Session(std::unique_ptr<net::Transport> transport, ServerContext& context, std::size_t worker,
                 PeerSlot peer_slot)
    : transport_(std::move(transport)),
      context_(context),
      limits_(context.config().limits),
      command_options_(command_options(context.config().limits)),
      worker_(worker),
      peer_slot_(std::move(peer_slot)),
      id_(context.next_session_id++),
      peer_(transport_->peer()),
      handshake_(rtmp::HandshakeRole::server, server_handshake_options()),
      connection_(connection_options(context.config().limits)),
      wake_(transport_->get_executor()),
      tick_(transport_->get_executor()) {
    ++context_.connections;
}

Session::~Session() {
    --context_.connections;
}

void Session::start() {
    context_.sessions_on(worker_).insert(this);
    spdlog::debug("#{} accepted from {}", id_, peer_);
    auto self = shared_from_this();
    asio::co_spawn(
        transport_->get_executor(), [self] { return self->read_loop(); }, asio::detached);
    asio::co_spawn(
        transport_->get_executor(), [self] { return self->write_loop(); }, asio::detached);
    asio::co_spawn(
        transport_->get_executor(), [self] { return self->watchdog(); }, asio::detached);
}

void Session::shutdown() {
    // queue_stop() may write at once, and a failed write closes the session
    // and drops its players: hold them while we walk.
    std::vector<std::shared_ptr<Player>> players;
    for (auto& [id, stream] : streams_) {
        if (stream.player) players.push_back(stream.player);
    }
    for (const auto& player : players) {
        if (closed_) return;
        player->queue_stop(rtmp::Status::play_stop, "The server is shutting down.");
    }
    close_after_flush("server shutting down");
}

// ---- reading ----

asio::awaitable<bool> Session::handshake(std::vector<std::uint8_t>& buffer, std::size_t& leftover) {
    std::size_t filled = 0;
    while (!handshake_.done()) {
        auto [ec, n] =
            co_await transport_->read_some(asio::buffer(buffer.data() + filled, buffer.size() - filled));
        if (ec) {
            close(closed_ ? close_reason_ : "handshake: " + ec.message());
            co_return false;
        }
        last_read_ = Clock::now();
        handshake_bytes_in_ += n;
        filled += n;
        const std::size_t used = handshake_.feed({buffer.data(), filled});
        if (handshake_.failed()) {
            close("handshake failed: " + handshake_.error().message());
            co_return false;
        }
        std::copy(buffer.begin() + static_cast<std::ptrdiff_t>(used),
                  buffer.begin() + static_cast<std::ptrdiff_t>(filled), buffer.begin());
        filled -= used;
        const base::Bytes out = handshake_.output();
        if (!out.empty()) {
            auto [wec, written] = co_await net::write_all(*transport_, asio::buffer(out.data(), out.size()));
            if (wec) {
                close("handshake write: " + wec.message());
                co_return false;
            }
            handshake_bytes_out_ += written;
            handshake_.consume_output(written);
        }
    }
    handshake_done_at_ = Clock::now();
    if (handshake_.kind() == rtmp::HandshakeKind::encrypted) {
        // RTMPE: every byte after C2 is RC4, both ways. The writer has sent
        // nothing yet (the connection has queued nothing before connect).
        std::optional<rtmp::RtmpeCiphers> ciphers = handshake_.take_ciphers();
        if (!ciphers) {
            close("handshake: RTMPE without keys");
            co_return false;
        }
        auto encrypted = std::make_unique<net::Rc4Transport>(std::move(transport_), std::move(ciphers->in),
                                                             std::move(ciphers->out));
        encrypted->decrypt_in_place({buffer.data(), filled});
        transport_ = std::move(encrypted);
        spdlog::debug("#{} RTMPE (type {})", id_, static_cast<int>(handshake_.encryption_type().value_or(0)));
    }
    leftover = filled;
    co_return true;
}

asio::awaitable<void> Session::read_loop() {
    // Players send little (acks, pongs): a small buffer keeps a thousand of
    // them cheap; it grows for publishers whose reads fill it.
    std::vector<std::uint8_t> buffer(4 * 1024);
    std::size_t leftover = 0;
    if (!co_await handshake(buffer, leftover)) co_return;
    if (leftover > 0) receive({buffer.data(), leftover});
    while (!closed_) {
        auto [ec, n] = co_await transport_->read_some(asio::buffer(buffer));
        if (ec) {
            if (!closed_)
                close(ec == asio::error::eof ? "peer closed the connection" : "read: " + ec.message());
            co_return;
        }
        last_read_ = Clock::now();
        receive({buffer.data(), n});
        if (n == buffer.size() && buffer.size() < max_read_buffer) buffer.resize(buffer.size() * 2);
    }
}

void Session::receive(base::Bytes input) {
    // Commands handled here may queue frames on players; they are written
    // by the wake_writer() below, never from inside a handler (which may
    // still hold references into streams_).
    in_receive_ = true;
    for (;;) {
        const rtmp::ReceiveResult r = connection_.receive(input);
        input = input.subspan(r.consumed);
        while (auto event = connection_.next_event()) {
            handle(std::move(*event));
            if (closed_) break;
        }
        if (closed_ || r.error || input.empty()) break;
    }
    in_receive_ = false;
    wake_writer();
}

void Session::handle(rtmp::Event&& event) {
    std::visit(
        [this](auto&& e) {
            using E = std::decay_t<decltype(e)>;
            if constexpr (std::is_same_v<E, rtmp::CommandReceived>) {
                on_command(e.message);
            } else if constexpr (std::is_same_v<E, rtmp::DataReceived>) {
                on_data(e.message);
            } else if constexpr (std::is_same_v<E, rtmp::AudioReceived> ||
                                 std::is_same_v<E, rtmp::VideoReceived>) {
                on_media(e.message);
            } else if constexpr (std::is_same_v<E, rtmp::SharedObjectReceived>) {
                if (connected_) {
                    on_shared_object(e.message);
                } else {
                    close("shared object message before connect");
                }
            } else if constexpr (std::is_same_v<E, rtmp::UnknownMessageReceived>) {
                spdlog::debug("#{} message of unknown type {} ignored", id_,
                              static_cast<int>(e.message.type));
            } else if constexpr (std::is_same_v<E, rtmp::MessageRejected>) {
                spdlog::warn("#{} {} message refused: {} ({})", id_, peer_, e.error.message(), e.detail);
            } else if constexpr (std::is_same_v<E, rtmp::UserControlReceived>) {
                if (e.control.event == rtmp::UserControlEvent::swf_verify_response) {
                    on_swf_response(e.control);
                } else if (e.control.event == rtmp::UserControlEvent::set_buffer_length) {
                    // Paces files (vod_playback.hpp); bounded by the streams a peer may create.
                    if (buffer_ms_.size() <= limits_.max_streams_per_connection ||
                        buffer_ms_.count(e.control.stream_id) != 0) {
                        buffer_ms_[e.control.stream_id] = e.control.buffer_length_ms;
                    }
                }
            } else if constexpr (std::is_same_v<E, rtmp::ProtocolViolation>) {
                close("protocol error: " + e.error.message() +
                      (e.detail.empty() ? "" : " (" + e.detail + ")") + " at byte " +
                      std::to_string(e.byte_offset));
            }
            // Acknowledgements, applied control messages and user control
            // events (SetBufferLength, PingResponse) need nothing more here:
            // the Connection applied them and last_read_ shows liveness.
        },
        std::move(event));
}

// ---- writing ----

void Session::wake_writer() noexcept {
    wake_.cancel();
}

void Session::player_has_frames() {
    // While the writer sleeps, write here at once; while it waits on a full
    // socket, the frames stay queued and join its next write.
    if (writer_idle_ && !closing_ && !in_receive_ && !write_now()) wake_writer();
}

void Session::player_overflow(std::string_view reason) {
    close(std::string(reason));
}

void Session::fill_output() {
    bool any = true;
    const auto now = Clock::now();
    while (any && !closed_ && connection_.output().size_bytes() < output_low_water) {
        any = false;
        for (auto& [id, stream] : streams_) {
            if (stream.vod && !stream.vod_end_sent) {
                if (pump_vod(id, stream, now)) any = true;
                if (closed_) return;
                continue;
            }
            if (!stream.player) continue;
            std::optional<Frame> frame = stream.player->queue().pop();
            if (!frame) continue;
            any = true;
            send(frame->message, chunk_stream_for(frame->message));
            if (closed_) return;  // send() failed and closed: the players are gone
        }
    }
}

bool Session::write_now() {
    // A player's socket is writable nearly always: a direct writev spares a
    // coroutine resumption and a reactor round trip per frame and player
    // (measured with bench/fanout.sh). Returns false when the socket is full
    // (or failed): the writer coroutine then waits for it.
    while (!closed_) {
        fill_output();
        if (closed_ || !connection_.wants_write()) return !closed_;
        net::gather_buffers(connection_.output(), write_buffers_);
        const net::IoResult r = transport_->write_now(write_buffers_);
        if (r.error == asio::error::would_block) return false;
        if (r.error) {
            close("write: " + r.error.message());
            return false;
        }
        connection_.consume_output(r.bytes);
    }
    return false;
}

asio::awaitable<void> Session::write_loop() {
    while (!closed_) {
        if (write_now()) {
            if (closing_) {
                close(close_reason_);
                break;
            }
            writer_idle_ = true;
            // Files are paced: sleep until the next message falls due.
            wake_.expires_at(next_vod_due());
            co_await wake_.async_wait(use_nothrow);
            writer_idle_ = false;
            continue;
        }
        if (closed_) break;
        // The socket is full: wait until it drains, then write_now() what is
        // queued by then. No buffers are held across the wait: the reader
        // may queue answers (pongs, acknowledgements) meanwhile, which can
        // move the output's header bytes (GatherList views last only until
        // the next append).
        const boost::system::error_code ec = co_await transport_->wait_writable();
        if (ec) {
            if (!closed_) close("write: " + ec.message());
            break;
        }
    }
}

// ---- liveness ----

asio::awaitable<void> Session::watchdog() {
    while (!closed_) {
        tick_.expires_after(250ms);
        co_await tick_.async_wait(use_nothrow);
        if (closed_) break;
        const auto now = Clock::now();
        const auto seconds = [](auto d) { return std::chrono::duration<double>(d).count(); };
        if (!handshake_.done()) {
            if (now - accepted_at_ > limits_.handshake_timeout) {
                close(fmt::format("handshake not done within {:.1f} s", seconds(limits_.handshake_timeout)));
            }
        } else if (held_connect_ && !closing_ && now - held_connect_->asked_at > limits_.connect_timeout) {
            reject_swf(fmt::format("no response within {:.1f} s", seconds(limits_.connect_timeout)));
        } else if (!connected_ && !held_connect_ && !closing_ &&
                   now - handshake_done_at_ > limits_.connect_timeout) {
            close(
                fmt::format("no connect within {:.1f} s of the handshake", seconds(limits_.connect_timeout)));
        } else if (closing_ && close_deadline_ != Clock::time_point{} && now > close_deadline_) {
            close(close_reason_ + " (flush timed out)");
        } else if (now - last_read_ > limits_.idle_timeout) {
            close(fmt::format("idle: nothing received for {:.1f} s", seconds(now - last_read_)));
        } else if (connected_ && now - last_read_ > limits_.ping_interval &&
                   now - last_ping_ > limits_.ping_interval) {
            const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now - accepted_at_).count();
            send_control(rtmp::UserControl::ping_request(static_cast<std::uint32_t>(ms)));
            last_ping_ = now;
            wake_writer();
        }
        if (!closed_ && !closing_) check_media_idle(now);
        if (!closed_) tick_recordings(now);
    }
}

void Session::check_media_idle(Clock::time_point now) {
    for (const auto& [id, stream] : streams_) {
        if (!stream.publishing || now - stream.last_media <= limits_.media_idle_timeout) continue;
        // A publisher whose encoder hung holds the name: nobody else may
        // publish it and its players wait for frames that never come.
        const double seconds = std::chrono::duration<double>(now - stream.last_media).count();
        spdlog::warn("#{} peer={} app={} stream={} media idle: nothing published for {:.1f} s; closing", id_,
                     peer_, app_ ? app_->name() : "-", stream.name, seconds);
        close(fmt::format("media idle: nothing published on '{}' for {:.1f} s", stream.name, seconds));
        return;
    }
}

// ---- closing ----

void Session::close_after_flush(std::string reason) {
    if (closed_ || closing_) return;
    closing_ = true;
    close_reason_ = std::move(reason);
    close_deadline_ = Clock::now() + flush_deadline;
    wake_writer();
}

void Session::close(std::string reason) {
    if (closed_) return;
    closed_ = true;
    close_reason_ = std::move(reason);
    transport_->close();
    wake_.cancel();
    tick_.cancel();
    finish();
}

void Session::finish() {
    for (auto& [id, stream] : streams_) stop_stream(id, false);
    release_shared_objects();
    cancel_client_calls();
    // streams_ keeps its (now empty) entries: a caller up the stack may be
    // walking it when a failed write closes the session.
    context_.sessions_on(worker_).erase(this);
    const double duration = std::chrono::duration<double>(Clock::now() - accepted_at_).count();
    const std::uint64_t in = handshake_bytes_in_ + connection_.bytes_received();
    const std::uint64_t out = handshake_bytes_out_ + connection_.bytes_sent();
    const std::string app = app_ ? app_->name() : "-";
    if (connected_) {
        spdlog::info("close #{} peer={} app={}{} bytes_in={} bytes_out={} duration={:.1f}s reason=\"{}\"",
                     id_, peer_, app, roles_, in, out, duration, close_reason_);
    } else {
        spdlog::debug(
            "close #{} peer={} before connect bytes_in={} bytes_out={} duration={:.1f}s reason=\"{}\"", id_,
            peer_, in, out, duration, close_reason_);
    }
}

// ---- sending ----

void Session::send(const rtmp::Message& message, rtmp::ChunkStreamId chunk_stream) {
    if (closed_) return;
    if (const std::error_code ec = connection_.send(message, chunk_stream)) {
        if (connection_.failed()) {
            close("output: " + ec.message());
        } else {
            spdlog::warn("#{} message not sent: {}", id_, ec.message());
        }
    }
}

void Session::send_control(const rtmp::ControlMessage& control) {
    if (closed_) return;
    if (const std::error_code ec = connection_.send_control(control)) close("output: " + ec.message());
}

}  // namespace sluice::server
