#include "client/client.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <cmath>
#include <utility>

#include "net/gather_buffers.hpp"
#include "net/rc4_transport.hpp"
#include "net/rtmpt_client_transport.hpp"
#include "net/tcp_transport.hpp"
#include "net/tls_transport.hpp"
#include "rtmp/data_message.hpp"
#include "rtmp/net_connection_commands.hpp"
#include "rtmp/status.hpp"

// GCC 12 destroys some temporaries of a co_await full-expression twice (a
// command struct built inline and converted with to_command() crashed in
// free()): every command is built into a named local before co_await.

namespace sluice::client {

namespace asio = boost::asio;
using namespace asio::experimental::awaitable_operators;
using Clock = std::chrono::steady_clock;

namespace {

constexpr auto use_nothrow = asio::as_tuple(asio::use_awaitable);
/// Data messages go on their own chunk stream (FFmpeg uses 4-6 for media;
/// any id works, a separate one keeps header compression per kind).
constexpr rtmp::ChunkStreamId data_chunk_stream = 5;

rtmp::HandshakeOptions handshake_options(const ClientOptions& options) {
    rtmp::HandshakeOptions out;
    out.digest = options.digest_handshake;
    out.time = static_cast<std::uint32_t>(
        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now().time_since_epoch()).count());
    return out;
}

std::chrono::microseconds since(Clock::time_point start) {
    return std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start);
}

std::string seconds_text(std::chrono::milliseconds ms) {
    const auto tenths = ms.count() / 100;
    return std::to_string(tenths / 10) + (tenths % 10 ? "." + std::to_string(tenths % 10) : "") + " s";
}

std::string describe(const rtmp::StatusObject& status) {
    std::string out = status.code;
    if (!status.description.empty()) out += ": \"" + status.description + "\"";
    return out;
}

/// The Host header of the tunnel's requests: the port only when it is not
/// the scheme's default (80 for rtmpt, 443 for rtmpts, as in HTTP and HTTPS).
std::string host_header(const rtmp::Url& url) {
    std::string host = url.host.find(':') != std::string::npos ? "[" + url.host + "]" : url.host;
    if (url.port != rtmp::default_port(url.scheme)) host += ":" + std::to_string(url.port);
    return host;
}

bool is_media_type(rtmp::MessageType type) {
    return type == rtmp::MessageType::audio || type == rtmp::MessageType::video || rtmp::is_data(type);
}

}  // namespace

Client::Client(asio::any_io_executor executor, ClientOptions options)
    : options_(std::move(options)),
      executor_(executor),
      timer_(executor),
      handshake_(rtmp::HandshakeRole::client, handshake_options(options_)),
      connection_(options_.connection),
      read_buffer_(std::max<std::size_t>(options_.read_buffer_bytes, 4096)) {}

Client::~Client() = default;

Client::Deadline Client::step_deadline() const {
    return Clock::now() + options_.step_timeout;
}

void Client::fail(Step step, std::error_code code, std::string detail,
                  std::optional<rtmp::StatusObject> status) {
    if (base::is_fatal(code)) {
        state_ = State::closed;
        if (transport_) transport_->close();
    }
    throw ClientError(step, code, std::move(detail), std::move(status));
}

void Client::require_connected(Step step) const {
    if (state_ != State::connected)
        throw ClientError(step, make_error_code(Errc::not_connected),
                          "the client is not connected (call connect first)");
}

Client::StreamState& Client::stream(Step step, rtmp::MessageStreamId id) {
    require_connected(step);
    auto it = streams_.find(id);
    if (it == streams_.end())
        throw ClientError(step, make_error_code(Errc::unknown_stream),
                          "message stream " + std::to_string(id) + " was not created on this connection");
    return it->second;
}

void Client::use_encryption(const rtmp::Url& url) {
    if (url.scheme != rtmp::UrlScheme::rtmpe && url.scheme != rtmp::UrlScheme::rtmpte) return;
    rtmp::HandshakeOptions options = handshake_options(options_);
    // Type 6 with FFmpeg's RTMPE version field, as FFmpeg and librtmp offer.
    options.encrypted_type = 6;
    handshake_ = rtmp::Handshake(rtmp::HandshakeRole::client, std::move(options));
}

void Client::begin_connect(const rtmp::Url& url) {
    if (state_ != State::idle)
        throw ClientError(Step::connect, make_error_code(Errc::not_connected),
                          "a Client connects once; make a new one to reconnect");
    state_ = State::connecting;
    info_ = ConnectInfo{};
    info_.url = url;
}

asio::awaitable<ConnectInfo> Client::connect(rtmp::Url url) {
    begin_connect(url);
    // The scheme picks the transport (TCP, TLS, the HTTP tunnel) and the
    // handshake (RTMPE encrypts above any of them); the rest is the same.
    const bool tls = url.scheme == rtmp::UrlScheme::rtmps || url.scheme == rtmp::UrlScheme::rtmpts;
    const bool tunnel = url.scheme == rtmp::UrlScheme::rtmpt || url.scheme == rtmp::UrlScheme::rtmpts ||
                        url.scheme == rtmp::UrlScheme::rtmpte;
    use_encryption(url);
    const auto start = Clock::now();
    const Deadline deadline = step_deadline();
    asio::ip::tcp::socket socket = co_await tcp_connect(url, deadline);
    info_.tcp_connected = since(start);
    if (tls) {
        co_await tls_connect(std::move(socket), url, deadline);
    } else {
        // TcpTransport sets TCP_NODELAY and the non-blocking mode flush() and
        // the poll in read_some() rely on.
        transport_ = std::make_unique<net::TcpTransport>(std::move(socket));
    }
    if (tunnel) co_await rtmpt_open(url, deadline);
    co_return co_await finish_connect(start);
}

asio::awaitable<ConnectInfo> Client::connect(rtmp::Url url, std::unique_ptr<net::Transport> transport) {
    if (!transport)
        throw ClientError(Step::connect, make_error_code(Errc::not_connected),
                          "connect() was given no transport");
    begin_connect(url);
    transport_ = std::move(transport);
    // TLS or a tunnel is the transport's job; the encrypted handshake is ours.
    use_encryption(url);
    co_return co_await finish_connect(Clock::now());
}

asio::awaitable<ConnectInfo> Client::finish_connect(Clock::time_point start) {
    const rtmp::Url& url = info_.url;
    co_await handshake(step_deadline());
    info_.handshake_done = since(start);
    info_.handshake_kind = handshake_.kind() == rtmp::HandshakeKind::encrypted
                               ? rtmp::HandshakeKind::encrypted
                           : handshake_.peer_digest_verified() ? rtmp::HandshakeKind::digest
                                                               : rtmp::HandshakeKind::simple;
    info_.server_version = handshake_.peer_version();

    rtmp::ConnectCommand command;
    command.app = url.app;
    command.flash_ver = options_.flash_ver;
    if (!options_.swf_url.empty()) command.swf_url = options_.swf_url;
    command.tc_url = url.tc_url();
    command.fpad = false;
    command.capabilities = 15;
    command.audio_codecs = 4071;
    command.video_codecs = 252;
    command.video_function = 1;
    if (!options_.page_url.empty()) command.page_url = options_.page_url;
    command.object_encoding = options_.object_encoding;
    command.other_properties = options_.extra_connect_properties;
    command.user_arguments = options_.connect_arguments;

    state_ = State::connected;  // transact() needs it; reset below on failure
    rtmp::CallResult answer;
    try {
        rtmp::Command wire = command.to_command();
        answer = co_await transact(Step::connect, std::move(wire));
    } catch (...) {
        state_ = State::closed;
        throw;
    }
    if (answer.is_error) {
        auto error = rtmp::ErrorResponse::decode(answer.to_command());
        std::optional<rtmp::StatusObject> status;
        std::string detail = "the server answered _error";
        if (error) {
            status = error->information;
            detail = "the server refused: " + describe(error->information);
        }
        state_ = State::closed;
        fail(Step::connect, make_error_code(Errc::rejected), detail, status);
    }
    std::string why;
    if (auto result = rtmp::ConnectResult::decode(answer.to_command(), &why)) {
        info_.result = std::move(*result);
    } else {
        // A `_result` we cannot read fully still means connected (a minimal
        // server may send no properties); keep the defaults' absence visible.
        info_.result = rtmp::ConnectResult{};
        info_.result.fms_ver.clear();
        info_.result.capabilities = 0;
        info_.result.mode.reset();
    }
    info_.connected = since(start);
    if (options_.chunk_size != 128) {
        if (auto ec = connection_.send_control(rtmp::SetChunkSize{options_.chunk_size}))
            fail(Step::connect, ec, "could not queue Set Chunk Size");
        co_await flush(Step::connect, step_deadline());
    }
    co_return info_;
}

asio::awaitable<void> Client::tls_connect(asio::ip::tcp::socket socket, const rtmp::Url& url,
                                          Deadline deadline) {
    auto context = net::TlsClientContext::create(options_.tls);
    if (!context) fail(Step::tls_handshake, context.error().code, context.error().message);
    timer_.expires_at(deadline);
    auto raced = co_await (net::TlsTransport::connect(std::move(socket), **context, url.host) ||
                           timer_.async_wait(use_nothrow));
    if (raced.index() == 1)
        fail(Step::tls_handshake, make_error_code(Errc::timed_out),
             "no TLS handshake with " + url.host + " within " + seconds_text(options_.step_timeout));
    auto transport = std::get<0>(std::move(raced));
    if (!transport) {
        // A certificate the client does not trust is the usual failure: say how to get past it.
        std::string hint;
        if (transport.error().message.find("verification failed") != std::string::npos)
            hint = " (a private CA: --ca-file FILE; a test server: --insecure)";
        fail(Step::tls_handshake, transport.error().code, transport.error().message + hint);
    }
    transport_ = std::move(transport.value());
}

asio::awaitable<void> Client::rtmpt_open(const rtmp::Url& url, Deadline deadline) {
    const std::string where = url.host + ":" + std::to_string(url.port);
    timer_.expires_at(deadline);
    auto raced = co_await (net::RtmptClientTransport::open(std::move(transport_), host_header(url)) ||
                           timer_.async_wait(use_nothrow));
    if (raced.index() == 1)
        fail(Step::handshake, make_error_code(Errc::timed_out),
             "no answer to the RTMPT open request (POST /open/1) from " + where + " within " +
                 seconds_text(options_.step_timeout) + " (is this an RTMPT server?)");
    net::RtmptOpenResult opened = std::get<0>(std::move(raced));
    if (!opened) {
        const std::error_code code = opened.error == asio::error::eof
                                         ? make_error_code(Errc::connection_closed)
                                         : static_cast<std::error_code>(opened.error);
        fail(Step::handshake, code, "RTMPT tunnel to " + where + ": " + opened.message);
    }
    transport_ = std::move(opened.transport);
}

asio::awaitable<asio::ip::tcp::socket> Client::tcp_connect(const rtmp::Url& url, Deadline deadline) {
    asio::ip::tcp::resolver resolver(executor_);
    timer_.expires_at(deadline);
    auto resolved = co_await (resolver.async_resolve(url.host, std::to_string(url.port), use_nothrow) ||
                              timer_.async_wait(use_nothrow));
    if (resolved.index() == 1)
        fail(Step::resolve, make_error_code(Errc::timed_out), "resolving " + url.host + " took too long");
    auto [resolve_error, endpoints] = std::get<0>(std::move(resolved));
    if (resolve_error)
        fail(Step::resolve, resolve_error, "cannot resolve " + url.host + ": " + resolve_error.message());

    asio::ip::tcp::socket socket(executor_);
    timer_.expires_at(deadline);
    auto connected =
        co_await (asio::async_connect(socket, endpoints, use_nothrow) || timer_.async_wait(use_nothrow));
    const std::string where = url.host + ":" + std::to_string(url.port);
    if (connected.index() == 1)
        fail(Step::tcp_connect, make_error_code(Errc::timed_out),
             "no TCP connection to " + where + " within " + seconds_text(options_.step_timeout));
    if (auto [ec, endpoint] = std::get<0>(connected); ec)
        fail(Step::tcp_connect, ec, "cannot connect to " + where + ": " + ec.message());
    co_return socket;
}

asio::awaitable<void> Client::write_handshake(base::Bytes bytes, Deadline deadline, std::string_view what) {
    const asio::const_buffer buffer(bytes.data(), bytes.size());
    timer_.expires_at(deadline);
    auto written = co_await (net::write_all(*transport_, buffer) || timer_.async_wait(use_nothrow));
    if (written.index() == 1)
        fail(Step::handshake, make_error_code(Errc::timed_out),
             "the server does not read our " + std::string(what));
    const net::IoResult result = std::get<0>(written);
    if (result.error)
        fail(Step::handshake, result.error,
             "writing our " + std::string(what) + " failed: " + result.error.message());
    bytes_sent_ += result.bytes;
    handshake_.consume_output(result.bytes);
}

asio::awaitable<void> Client::handshake(Deadline deadline) {
    while (!handshake_.done()) {
        const base::Bytes out = handshake_.output();
        if (!out.empty()) co_await write_handshake(out, deadline, "handshake");
        if (handshake_.done()) break;
        const asio::mutable_buffer buffer = asio::buffer(read_buffer_);
        timer_.expires_at(deadline);
        auto read = co_await (transport_->read_some(buffer) || timer_.async_wait(use_nothrow));
        if (read.index() == 1)
            fail(Step::handshake, make_error_code(Errc::timed_out),
                 "no handshake answer within " + seconds_text(options_.step_timeout) +
                     " (is this an RTMP server?)");
        const boost::system::error_code ec = std::get<0>(read).error;
        const std::size_t n = std::get<0>(read).bytes;
        if (ec == asio::error::eof)
            fail(Step::handshake, make_error_code(Errc::connection_closed),
                 "the server closed the connection during the handshake");
        if (ec) fail(Step::handshake, ec, "reading the handshake failed: " + ec.message());
        bytes_received_ += n;
        base::Bytes input(read_buffer_.data(), n);
        const std::size_t used = handshake_.feed(input);
        if (handshake_.failed())
            fail(Step::handshake, make_error_code(Errc::protocol_error),
                 "the server's handshake is invalid: " + handshake_.error().message());
        if (handshake_.done()) {
            // C2 is still in output(): write it before the connect command.
            const base::Bytes c2 = handshake_.output();
            co_await write_handshake(c2, deadline, "C2");
            if (handshake_.kind() == rtmp::HandshakeKind::encrypted) {
                // RTMPE: what follows C2 and S2 is RC4 both ways.
                std::optional<rtmp::RtmpeCiphers> ciphers = handshake_.take_ciphers();
                if (!ciphers)
                    fail(Step::handshake, make_error_code(Errc::protocol_error),
                         "RTMPE handshake without keys");
                auto encrypted = std::make_unique<net::Rc4Transport>(
                    std::move(transport_), std::move(ciphers->in), std::move(ciphers->out));
                encrypted->decrypt_in_place({read_buffer_.data() + used, n - used});
                transport_ = std::move(encrypted);
            }
            // Bytes after S2 (a server that talks first) are the chunk
            // stream of the connect step, checked like any later read.
            receive(Step::connect, input.subspan(used));
        }
    }
}

asio::awaitable<void> Client::read_some(Step step, std::optional<Deadline> deadline, bool poll) {
    if (peer_closed_ || state_ == State::closed) co_return;
    const asio::mutable_buffer buffer = asio::buffer(read_buffer_);
    net::IoResult read;
    if (poll) {
        read = transport_->read_now(buffer);
        if (read.error == asio::error::would_block) co_return;
    } else if (deadline) {
        timer_.expires_at(*deadline);
        auto raced = co_await (transport_->read_some(buffer) || timer_.async_wait(use_nothrow));
        if (raced.index() == 1) co_return;  // the caller checks its deadline
        read = std::get<0>(raced);
    } else {
        read = co_await transport_->read_some(buffer);
    }
    const boost::system::error_code ec = read.error;
    const std::size_t n = read.bytes;
    if (ec == asio::error::eof) {
        peer_closed_ = true;
        co_return;
    }
    if (ec == asio::error::connection_reset) {
        peer_closed_ = true;
        fail(step, make_error_code(Errc::connection_closed), "the server reset the connection");
    }
    if (ec) fail(step, ec, "reading from the server failed: " + ec.message());
    bytes_received_ += n;
    receive(step, base::Bytes(read_buffer_.data(), n));
    // Acknowledgements and ping answers the core queued.
    if (connection_.wants_write()) co_await flush(step, Clock::now() + options_.step_timeout);
}

void Client::receive(Step step, base::Bytes input) {
    while (!input.empty()) {
        auto result = connection_.receive(input);
        input = input.subspan(result.consumed);
        std::optional<rtmp::ProtocolViolation> violation;
        while (auto event = connection_.next_event()) {
            if (auto* v = std::get_if<rtmp::ProtocolViolation>(&*event)) {
                violation = std::move(*v);
                continue;
            }
            file_event(std::move(*event));
        }
        if (result.error) {
            const std::string detail = violation ? violation->detail + " (" + violation->error.message() + ")"
                                                 : result.error.message();
            fail(step, make_error_code(Errc::protocol_error), "the server broke the protocol: " + detail);
        }
    }
}

asio::awaitable<void> Client::flush(Step step, Deadline deadline) {
    std::vector<asio::const_buffer> buffers;
    while (connection_.wants_write()) {
        net::gather_buffers(connection_.output(), buffers);
        // Most writes fit in the socket buffer: try without waiting first.
        net::IoResult written = transport_->write_now(buffers);
        if (written.error == asio::error::would_block) {
            timer_.expires_at(deadline);
            auto raced = co_await (transport_->write_some(buffers) || timer_.async_wait(use_nothrow));
            if (raced.index() == 1)
                fail(step, make_error_code(Errc::timed_out),
                     "the server has not read what we sent for " + seconds_text(options_.step_timeout));
            written = std::get<0>(raced);
        }
        const boost::system::error_code ec = written.error;
        const std::size_t n = written.bytes;
        if (ec == asio::error::broken_pipe || ec == asio::error::connection_reset)
            fail(step, make_error_code(Errc::connection_closed), "the server closed the connection");
        if (ec) fail(step, ec, "writing to the server failed: " + ec.message());
        bytes_sent_ += n;
        connection_.consume_output(n);
    }
}

void Client::file_event(rtmp::Event&& event) {
    std::visit(
        [this](auto&& e) {
            using E = std::decay_t<decltype(e)>;
            if constexpr (std::is_same_v<E, rtmp::AudioReceived>) {
                inbox_.push_back(Incoming{Incoming::Kind::audio, std::move(e.message), {}, {}, {}, {}});
            } else if constexpr (std::is_same_v<E, rtmp::VideoReceived>) {
                inbox_.push_back(Incoming{Incoming::Kind::video, std::move(e.message), {}, {}, {}, {}});
            } else if constexpr (std::is_same_v<E, rtmp::CommandReceived>) {
                file_command(std::move(e.message), false);
            } else if constexpr (std::is_same_v<E, rtmp::DataReceived>) {
                file_command(std::move(e.message), true);
            } else if constexpr (std::is_same_v<E, rtmp::UserControlReceived>) {
                // Pings are the core's business (already answered); the rest
                // (StreamBegin, StreamEOF, StreamIsRecorded...) is the caller's.
                const auto kind = e.control.event;
                if (kind == rtmp::UserControlEvent::ping_request ||
                    kind == rtmp::UserControlEvent::ping_response)
                    return;
                if (kind == rtmp::UserControlEvent::swf_verify_request && options_.swf) {
                    answer_swf_verification();
                    return;
                }
                Incoming in;
                in.kind = Incoming::Kind::user_control;
                in.control = std::move(e.control);
                inbox_.push_back(std::move(in));
            } else if constexpr (std::is_same_v<E, rtmp::SharedObjectReceived>) {
                file_shared_object(std::move(e.message));
            } else if constexpr (std::is_same_v<E, rtmp::AggregateReceived> ||
                                 std::is_same_v<E, rtmp::UnknownMessageReceived>) {
                inbox_.push_back(Incoming{Incoming::Kind::other, std::move(e.message), {}, {}, {}, {}});
            }
            // PeerAcknowledged and ControlApplied were handled by the core;
            // MessageRejected (a malformed aggregate) is refused there and
            // the connection goes on; ProtocolViolation is read_some()'s.
        },
        std::move(event));
}

void Client::answer_swf_verification() {
    const rtmp::SwfResponse response =
        rtmp::swf_verification_response(handshake_.server_s1_tail(), *options_.swf);
    rtmp::UserControl control{rtmp::UserControlEvent::swf_verify_response, 0, 0, 0,
                              base::Payload::copy_of(base::Bytes(response))};
    // Queued like the core's ping answers: read_some() flushes it. It fails
    // only on a connection already closed, which the next read reports.
    (void)connection_.send_control(control);
}

void Client::file_command(rtmp::Message&& message, bool is_data) {
    Incoming in;
    if (is_data) {
        auto data = rtmp::decode_data_message(message);
        in.kind = Incoming::Kind::data;
        if (data) {
            in.name = data->handler;
            // Servers put NetStream.Data.Start and onPlayStatus in data messages.
            if ((in.name == rtmp::data_handler::on_status || in.name == rtmp::data_handler::on_play_status) &&
                !data->values.empty()) {
                if (auto status = rtmp::StatusObject::from_value(data->values.front(), in.name)) {
                    in.kind = Incoming::Kind::status;
                    in.status = std::move(*status);
                }
            }
        }
        in.message = std::move(message);
        inbox_.push_back(std::move(in));
        return;
    }
    auto command = rtmp::decode_command(message);
    in.kind = Incoming::Kind::command;
    if (command && answer_server_call(*command)) return;
    if (command) {
        in.name = command->name;
        if (in.name == rtmp::command_name::result || in.name == rtmp::command_name::error) {
            const double txn = command->transaction_id;
            if (transactions_.complete(txn)) {
                if (auto answer = rtmp::CallResult::decode(*command)) answers_[txn] = std::move(*answer);
                return;
            }
            auto forgotten = std::find(forgotten_.begin(), forgotten_.end(), txn);
            if (forgotten != forgotten_.end()) {
                // The late answer to a call we sent without waiting (releaseStream, FCPublish).
                forgotten_.erase(forgotten);
                return;
            }
        }
        if (in.name == rtmp::data_handler::on_status && !command->arguments.empty()) {
            if (auto status = rtmp::StatusObject::from_value(command->arguments.front(), in.name)) {
                in.kind = Incoming::Kind::status;
                in.status = std::move(*status);
            }
        }
    }
    in.message = std::move(message);
    inbox_.push_back(std::move(in));
}

asio::awaitable<void> Client::send_command(Step step, const rtmp::Command& command,
                                           rtmp::MessageStreamId id) {
    const auto encoding = options_.object_encoding == 3 ? rtmp::Encoding::amf3 : rtmp::Encoding::amf0;
    const rtmp::Message message = rtmp::encode_command(command, encoding, id);
    if (auto ec = connection_.send(message, id == 0 ? rtmp::csid::net_connection : rtmp::csid::net_stream))
        fail(step, ec, "could not queue " + command.name + ": " + ec.message());
    co_await flush(step, step_deadline());
}

asio::awaitable<rtmp::CallResult> Client::transact(Step step, rtmp::Command command) {
    require_connected(step);
    auto txn = transactions_.begin(command.name);
    if (!txn) fail(step, txn.error(), "too many calls wait for an answer");
    command.transaction_id = *txn;
    co_await send_command(step, command, 0);
    const auto deadline = step_deadline();
    for (;;) {
        if (auto it = answers_.find(*txn); it != answers_.end()) {
            rtmp::CallResult answer = std::move(it->second);
            answers_.erase(it);
            co_return answer;
        }
        if (peer_closed_) {
            transactions_.complete(*txn);
            fail(step, make_error_code(Errc::connection_closed),
                 "the server closed the connection instead of answering " + command.name);
        }
        if (Clock::now() >= deadline) {
            transactions_.complete(*txn);
            fail(step, make_error_code(Errc::timed_out),
                 "no answer to " + command.name + " within " + seconds_text(options_.step_timeout));
        }
        co_await read_some(step, deadline);
    }
}

asio::awaitable<rtmp::StatusObject> Client::wait_status(Step step, rtmp::MessageStreamId id, std::size_t from,
                                                        std::string_view code) {
    const auto deadline = step_deadline();
    std::size_t scanned = from;
    for (;;) {
        for (; scanned < inbox_base_ + inbox_.size(); ++scanned) {
            if (scanned < inbox_base_) continue;
            const Incoming& in = inbox_[scanned - inbox_base_];
            if (in.kind != Incoming::Kind::status || !in.status || in.message.stream_id != id) continue;
            const rtmp::StatusObject& status = *in.status;
            if (status.code == code) co_return status;
            if (status.level == "error") {
                const bool not_found = status.code == rtmp::status_code(rtmp::Status::play_stream_not_found);
                fail(step, make_error_code(not_found ? Errc::stream_not_found : Errc::rejected),
                     "the server answered " + describe(status), status);
            }
        }
        if (peer_closed_)
            fail(step, make_error_code(Errc::connection_closed),
                 "the server closed the connection before answering " + std::string(to_string(step)));
        if (Clock::now() >= deadline)
            fail(step, make_error_code(Errc::timed_out),
                 "no " + std::string(code) + " within " + seconds_text(options_.step_timeout));
        co_await read_some(step, deadline);
    }
}

asio::awaitable<rtmp::MessageStreamId> Client::create_stream() {
    rtmp::Command command = rtmp::CreateStreamCommand{}.to_command();
    const auto answer = co_await transact(Step::create_stream, std::move(command));
    auto result = rtmp::CreateStreamResult::decode(answer.to_command());
    if (answer.is_error || !result)
        fail(Step::create_stream, make_error_code(answer.is_error ? Errc::rejected : Errc::bad_answer),
             answer.is_error ? "the server refused createStream"
                             : "the createStream answer carries no stream id");
    const double id = result->stream_id;
    if (!(id >= 1 && id <= 0xFFFFFF) || id != std::floor(id))
        fail(Step::create_stream, make_error_code(Errc::bad_answer),
             "the server gave an unusable stream id " + std::to_string(id));
    const auto msid = static_cast<rtmp::MessageStreamId>(id);
    streams_[msid] = StreamState{};
    co_return msid;
}

asio::awaitable<void> Client::fire_and_forget(Step step, rtmp::Command command) {
    auto txn = transactions_.begin(command.name);
    if (!txn) fail(step, txn.error(), "too many calls wait for an answer");
    transactions_.complete(*txn);
    if (forgotten_.size() >= max_forgotten) forgotten_.erase(forgotten_.begin());
    forgotten_.push_back(*txn);
    command.transaction_id = *txn;
    co_await send_command(step, command, 0);
}

asio::awaitable<void> Client::publish(rtmp::MessageStreamId id, std::string name, rtmp::PublishMode mode) {
    StreamState& state = stream(Step::publish, id);
    rtmp::Command release = rtmp::ReleaseStreamCommand{0, name}.to_command();
    co_await fire_and_forget(Step::publish, std::move(release));
    rtmp::Command fc_publish = rtmp::FcPublishCommand{0, name}.to_command();
    co_await fire_and_forget(Step::publish, std::move(fc_publish));
    const std::size_t mark = inbox_base_ + inbox_.size();
    const rtmp::Command command = rtmp::PublishCommand{0, name, mode}.to_command();
    co_await send_command(Step::publish, command, id);
    co_await wait_status(Step::publish, id, mark, rtmp::status_code(rtmp::Status::publish_start));
    state.role = StreamRole::publishing;
    state.name = std::move(name);
}

asio::awaitable<void> Client::play(rtmp::MessageStreamId id, rtmp::PlayCommand command) {
    StreamState& state = stream(Step::play, id);
    if (auto ec =
            connection_.send_control(rtmp::UserControl::set_buffer_length(id, options_.buffer_length_ms)))
        fail(Step::play, ec, "could not queue SetBufferLength");
    const std::size_t mark = inbox_base_ + inbox_.size();
    command.transaction_id = 0;
    const rtmp::Command wire = command.to_command();
    co_await send_command(Step::play, wire, id);
    if (!command.reset && state.role == StreamRole::playing) co_return;  // a playlist item
    co_await wait_status(Step::play, id, mark, rtmp::status_code(rtmp::Status::play_start));
    state.role = StreamRole::playing;
    state.name = command.stream_name;
}

asio::awaitable<void> Client::play2(rtmp::MessageStreamId id, rtmp::PlayOptions options) {
    stream(Step::play2, id);
    const std::size_t mark = inbox_base_ + inbox_.size();
    const std::string transition = options.transition.value_or("switch");
    const rtmp::Command command = rtmp::Play2Command{0, std::move(options)}.to_command();
    co_await send_command(Step::play2, command, id);
    if (transition == "switch" || transition == "swap") {
        co_await wait_status(Step::play2, id, mark, rtmp::status_code(rtmp::Status::play_transition));
    } else if (transition == "reset") {
        co_await wait_status(Step::play2, id, mark, rtmp::status_code(rtmp::Status::play_start));
    }
}

asio::awaitable<void> Client::pause(rtmp::MessageStreamId id, bool pause, double milliseconds) {
    stream(Step::pause, id);
    const std::size_t mark = inbox_base_ + inbox_.size();
    const rtmp::Command command = rtmp::PauseCommand{0, pause, milliseconds}.to_command();
    co_await send_command(Step::pause, command, id);
    co_await wait_status(
        Step::pause, id, mark,
        rtmp::status_code(pause ? rtmp::Status::pause_notify : rtmp::Status::unpause_notify));
}

asio::awaitable<void> Client::seek(rtmp::MessageStreamId id, double milliseconds) {
    stream(Step::seek, id);
    const std::size_t mark = inbox_base_ + inbox_.size();
    const rtmp::Command command = rtmp::SeekCommand{0, milliseconds}.to_command();
    co_await send_command(Step::seek, command, id);
    co_await wait_status(Step::seek, id, mark, rtmp::status_code(rtmp::Status::seek_notify));
}

asio::awaitable<void> Client::receive_audio(rtmp::MessageStreamId id, bool enable) {
    stream(Step::play, id);
    rtmp::ReceiveMediaCommand command{rtmp::ReceiveMediaCommand::Kind::audio, 0, enable};
    const rtmp::Command wire = command.to_command();
    co_await send_command(Step::play, wire, id);
}

asio::awaitable<void> Client::receive_video(rtmp::MessageStreamId id, bool enable) {
    stream(Step::play, id);
    rtmp::ReceiveMediaCommand command{rtmp::ReceiveMediaCommand::Kind::video, 0, enable};
    const rtmp::Command wire = command.to_command();
    co_await send_command(Step::play, wire, id);
}

asio::awaitable<rtmp::CallResult> Client::call(std::string procedure, std::vector<amf::Value> arguments,
                                               amf::Value command_object) {
    rtmp::CallCommand command{std::move(procedure), 0, std::move(command_object), std::move(arguments)};
    rtmp::Command wire = command.to_command();
    co_return co_await transact(Step::call, std::move(wire));
}

asio::awaitable<void> Client::delete_stream(rtmp::MessageStreamId id) {
    StreamState& state = stream(Step::close, id);
    if (state.role == StreamRole::publishing) {
        rtmp::Command fc_unpublish = rtmp::FcUnpublishCommand{0, state.name}.to_command();
        co_await fire_and_forget(Step::close, std::move(fc_unpublish));
    }
    streams_.erase(id);
    const rtmp::Command command = rtmp::DeleteStreamCommand{0, static_cast<double>(id)}.to_command();
    co_await send_command(Step::close, command, 0);
}

asio::awaitable<void> Client::close() {
    if (state_ == State::connected && !peer_closed_) {
        try {
            while (!streams_.empty()) co_await delete_stream(streams_.begin()->first);
        } catch (const ClientError&) {
            // The server went away first: nothing left to say to it.
        }
    }
    if (state_ == State::connected && !peer_closed_) {
        // Half-close and read until the server closes (at most a second):
        // closing with unread bytes makes Linux send a reset, and the server
        // could lose the last messages it had not read yet.
        transport_->shutdown_send();
        const auto deadline =
            Clock::now() + std::min<Clock::duration>(options_.step_timeout, std::chrono::seconds(1));
        const asio::mutable_buffer buffer = asio::buffer(read_buffer_);
        while (!peer_closed_ && Clock::now() < deadline) {
            timer_.expires_at(deadline);
            auto read = co_await (transport_->read_some(buffer) || timer_.async_wait(use_nothrow));
            if (read.index() == 1 || std::get<0>(read).error) break;  // deadline, EOF or error
        }
    }
    state_ = State::closed;
    if (transport_) transport_->close();
}

asio::awaitable<rtmp::MessageStreamId> Client::open_publish(rtmp::Url url, rtmp::PublishMode mode) {
    co_await connect(url);
    const auto id = co_await create_stream();
    co_await publish(id, url.stream, mode);
    co_return id;
}

asio::awaitable<rtmp::MessageStreamId> Client::open_play(rtmp::Url url, double start, double duration,
                                                         bool reset) {
    co_await connect(url);
    const auto id = co_await create_stream();
    rtmp::PlayCommand command{0, url.stream, start, duration, reset};
    co_await play(id, std::move(command));
    co_return id;
}

asio::awaitable<void> Client::send(rtmp::Message message) {
    require_connected(Step::send);
    if (!is_media_type(message.type))
        fail(Step::send, make_error_code(Errc::bad_answer),
             "send() takes audio, video and data messages only");
    const rtmp::ChunkStreamId chunk_stream = message.type == rtmp::MessageType::audio   ? rtmp::csid::audio
                                             : message.type == rtmp::MessageType::video ? rtmp::csid::video
                                                                                        : data_chunk_stream;
    if (auto ec = connection_.send(message, chunk_stream))
        fail(Step::send, ec, "could not queue the message: " + ec.message());
    if (inbox_.size() < options_.max_inbox) co_await read_some(Step::send, std::nullopt, true);
    if (peer_closed_)
        fail(Step::send, make_error_code(Errc::connection_closed), "the server closed the connection");
    co_await flush(Step::send, step_deadline());
}

asio::awaitable<Incoming> Client::next(std::optional<std::chrono::milliseconds> timeout) {
    if (state_ != State::connected && inbox_.empty() && !peer_closed_) require_connected(Step::receive);
    const std::optional<Deadline> deadline =
        timeout ? std::optional<Deadline>(Clock::now() + *timeout) : std::nullopt;
    while (inbox_.empty()) {
        if (peer_closed_) co_return Incoming{};
        // Not fatal: a caller may wait in slices (and poll) on a quiet stream.
        if (deadline && Clock::now() >= *deadline)
            throw ClientError(Step::receive, make_error_code(Errc::timed_out),
                              "nothing arrived within " + seconds_text(*timeout));
        co_await read_some(Step::receive, deadline);
    }
    Incoming in = std::move(inbox_.front());
    inbox_.pop_front();
    ++inbox_base_;
    co_return in;
}

}  // namespace sluice::client
