#include "net/rtmpt_client_transport.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/vector_body.hpp>

#include <algorithm>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

namespace sluice::net {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using boost::system::error_code;
using Clock = std::chrono::steady_clock;

namespace {

constexpr auto use_nothrow = asio::as_tuple(asio::use_awaitable);
/// Bytes asked of the inner transport per read.
constexpr std::size_t read_chunk = 16 * 1024;
constexpr std::size_t max_session_id = 128;

// boost::system::error_category's destructor is protected and non-virtual
// by design (categories are never deleted through a base pointer).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnon-virtual-dtor"
class RtmptCategory final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "rtmpt"; }
    std::string message(int value) const override {
        switch (static_cast<RtmptErrc>(value)) {
            case RtmptErrc::http_status:
                return "the RTMPT server answered with an HTTP status other than 200";
            case RtmptErrc::bad_response:
                return "the RTMPT server's HTTP response is malformed or too large";
            case RtmptErrc::bad_session_id:
                return "the RTMPT server's /open answer is not a session id";
            case RtmptErrc::session_refused:
                return "the RTMPT server refused to open a session";
            case RtmptErrc::connection_closed:
                return "the RTMPT server closed the HTTP connection while the session was open";
        }
        return "unknown RTMPT error";
    }
};
#pragma GCC diagnostic pop

/// True once the awaiting coroutine was cancelled (lost an `||` race).
asio::awaitable<bool> cancelled() {
    const asio::cancellation_state state = co_await asio::this_coro::cancellation_state;
    co_return state.cancelled() != asio::cancellation_type::none;
}

/// What one request got back: an error, or a status and a body.
struct Answer {
    error_code error;
    std::string detail;  ///< set with `error`
    unsigned status = 0;
    std::string reason;
    std::vector<std::uint8_t> body;
};

/// Characters RFC 3986 allows in a path segment (pchar without escapes):
/// the id goes into /send/<id>/<seq> as it came.
bool is_path_char(unsigned char c) {
    if ((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')) return true;
    return std::string_view("-._~!$&'()*+,;=:@").find(static_cast<char>(c)) != std::string_view::npos;
}

/// The first bytes of a body for an error message, non-printables as \xNN.
std::string excerpt(std::span<const std::uint8_t> body) {
    std::string out = "\"";
    for (std::size_t i = 0; i < body.size() && i < 40; ++i) {
        const std::uint8_t c = body[i];
        if (c >= 0x20 && c < 0x7F && c != '"' && c != '\\') {
            out += static_cast<char>(c);
        } else {
            static constexpr char hex[] = "0123456789abcdef";
            out += "\\x";
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    out += body.size() > 40 ? "\"..." : "\"";
    return out;
}

std::chrono::milliseconds idle_delay(unsigned empty_answers) {
    if (empty_answers == 0) return std::chrono::milliseconds{0};
    const unsigned shift = std::min(empty_answers - 1, 8U);
    return std::min(RtmptClientTransport::first_idle_delay * (1U << shift),
                    RtmptClientTransport::max_idle_delay);
}

}  // namespace

const boost::system::error_category& rtmpt_category() noexcept {
    static const RtmptCategory category;
    return category;
}

error_code make_error_code(RtmptErrc e) noexcept {
    return {static_cast<int>(e), rtmpt_category()};
}

struct RtmptClientTransport::State {
    State(std::unique_ptr<Transport> t, std::string host)
        : inner(std::move(t)),
          executor(inner->get_executor()),
          host_header(std::move(host)),
          peer(inner->peer()),
          idle_timer(executor),
          read_signal(executor),
          write_signal(executor),
          linger(executor) {
        read_signal.expires_at(asio::steady_timer::time_point::max());
        write_signal.expires_at(asio::steady_timer::time_point::max());
    }
    State(const State&) = delete;
    State& operator=(const State&) = delete;

    std::size_t inbound_size() const noexcept { return inbound.size() - inbound_head; }

    void fail(error_code code, std::string detail) {
        if (error) return;
        error = code;
        error_detail = std::move(detail);
        outbound.clear();
    }

    std::unique_ptr<Transport> inner;
    asio::any_io_executor executor;
    std::string host_header;
    std::string peer;
    std::string id;
    std::uint64_t seq = 0;
    std::vector<std::uint8_t> outbound;  ///< accepted by write_now(), not yet in a request
    std::vector<std::uint8_t> inbound;   ///< RTMP bytes from answers, from inbound_head
    std::size_t inbound_head = 0;
    std::vector<std::uint8_t> raw;  ///< bytes read from inner, not yet parsed, from raw_head
    std::size_t raw_head = 0;
    bool inner_eof = false;
    asio::steady_timer idle_timer;    ///< the pump's idle-poll delay; cancelled when there is work
    asio::steady_timer read_signal;   ///< never expires; cancelled after every answer
    asio::steady_timer write_signal;  ///< never expires; cancelled when the queue shrank
    asio::steady_timer linger;        ///< bounds the background /close after close()
    std::size_t readers_waiting = 0;
    unsigned empty_answers = 0;  ///< consecutive /idle answers without RTMP bytes
    Clock::time_point next_idle{};
    bool ended = false;      ///< the session is over: reads give eof after `inbound`
    bool send_shut = false;  ///< shutdown_send(): /close after the queue
    bool closed = false;     ///< close() was called
    bool pump_running = false;
    bool finished = false;  ///< the pump ended the session and closed inner
    error_code error;
    std::string error_detail;
};

namespace {

using State = RtmptClientTransport::State;

/// One POST and its answer, parsed by Beast from bytes read off the inner
/// transport (bytes past the answer stay in `raw` for the next one).
asio::awaitable<Answer> exchange(State& s, const std::string& path, std::span<const std::uint8_t> body) {
    Answer answer;
    const std::string what = "POST " + path;
    if (s.inner_eof) {
        answer.error = make_error_code(RtmptErrc::connection_closed);
        answer.detail = "the server closed the HTTP connection before " + what;
        co_return answer;
    }
    std::string head = what + " HTTP/1.1\r\nHost: " + s.host_header +
                       "\r\nUser-Agent: Shockwave Flash\r\nAccept: */*\r\nContent-Type: application/x-fcs\r\n"
                       "Connection: Keep-Alive\r\nCache-Control: no-cache\r\nContent-Length: " +
                       std::to_string(body.size()) + "\r\n\r\n";
    std::vector<std::uint8_t> request(head.begin(), head.end());
    request.insert(request.end(), body.begin(), body.end());
    const IoResult written = co_await write_all(*s.inner, asio::buffer(request));
    if (written.error) {
        answer.error = written.error;
        answer.detail = "sending " + what + " failed: " + written.error.message();
        co_return answer;
    }

    http::response_parser<http::vector_body<std::uint8_t>> parser;
    parser.header_limit(static_cast<std::uint32_t>(RtmptClientTransport::max_response_header));
    parser.body_limit(RtmptClientTransport::max_response_body);
    parser.eager(true);
    while (!parser.is_done()) {
        if (s.raw.size() > s.raw_head) {
            error_code ec;
            const std::size_t used =
                parser.put(asio::buffer(s.raw.data() + s.raw_head, s.raw.size() - s.raw_head), ec);
            s.raw_head += used;
            if (ec && ec != http::error::need_more) {
                answer.error = make_error_code(RtmptErrc::bad_response);
                answer.detail = "the answer to " + what + " is not valid HTTP: " + ec.message();
                co_return answer;
            }
            if (parser.is_done()) break;
            if (used > 0 && !ec) continue;
        }
        if (s.raw_head > 0) {
            s.raw.erase(s.raw.begin(), s.raw.begin() + static_cast<std::ptrdiff_t>(s.raw_head));
            s.raw_head = 0;
        }
        const std::size_t old = s.raw.size();
        s.raw.resize(old + read_chunk);
        const IoResult read = co_await s.inner->read_some(asio::buffer(s.raw.data() + old, read_chunk));
        s.raw.resize(old + read.bytes);
        if (read.error == asio::error::eof) {
            s.inner_eof = true;
            // A body without Content-Length ends with the connection.
            // (put_eof() on a parser that got nothing would report a complete message.)
            error_code ec;
            if (parser.got_some()) parser.put_eof(ec);
            if (parser.got_some() && !ec && parser.is_done()) break;
            answer.error = asio::error::eof;
            answer.detail = "the server closed the connection before answering " + what;
            co_return answer;
        }
        if (read.error) {
            answer.error = read.error;
            answer.detail = "reading the answer to " + what + " failed: " + read.error.message();
            co_return answer;
        }
    }
    auto& response = parser.get();
    answer.status = response.result_int();
    answer.reason = std::string(response.reason());
    answer.body = std::move(response.body());
    co_return answer;
}

/// Takes the answer to /send, /idle or /close: polling byte, then RTMP bytes.
void take_answer(State& s, std::string_view kind, std::span<const std::uint8_t> body) {
    std::size_t data = 0;
    if (!body.empty()) {
        // Polling byte 0: the server ends the session (Red5 after /close,
        // or when it drops the connection).
        if (body.front() == 0) s.ended = true;
        data = body.size() - 1;
        if (s.inbound_head > 0 && s.inbound_head >= s.inbound.size() / 2) {
            s.inbound.erase(s.inbound.begin(),
                            s.inbound.begin() + static_cast<std::ptrdiff_t>(s.inbound_head));
            s.inbound_head = 0;
        }
        s.inbound.insert(s.inbound.end(), body.begin() + 1, body.end());
    }
    if (kind == "close") s.ended = true;
    // A /send may be answered before the server processed it: poll again at
    // once; only repeated empty /idle answers slow polling down.
    if (data > 0 || kind == "send")
        s.empty_answers = 0;
    else
        ++s.empty_answers;
    s.next_idle = Clock::now() + idle_delay(s.empty_answers);
}

asio::awaitable<void> pump(std::shared_ptr<State> s) {
    while (!s->error && !s->ended) {
        // A reader that stopped reading stops the tunnel (unless we are closing).
        const bool paused = s->inbound_size() >= RtmptClientTransport::read_pause && !s->closed;
        std::string_view kind;
        std::vector<std::uint8_t> body;
        if (!s->outbound.empty() && !paused) {
            kind = "send";
            const std::size_t n = std::min(s->outbound.size(), RtmptClientTransport::max_request_body);
            body.assign(s->outbound.begin(), s->outbound.begin() + static_cast<std::ptrdiff_t>(n));
            s->outbound.erase(s->outbound.begin(), s->outbound.begin() + static_cast<std::ptrdiff_t>(n));
            s->write_signal.cancel();
        } else if (s->outbound.empty() && (s->send_shut || s->closed)) {
            kind = "close";
            body.assign(1, 0);
        } else if (!paused && s->readers_waiting > 0 && s->inbound_size() == 0) {
            if (Clock::now() < s->next_idle) {
                // Woken early (a write, close) by cancel(); the loop decides again.
                s->idle_timer.expires_at(s->next_idle);
                co_await s->idle_timer.async_wait(use_nothrow);
                continue;
            }
            kind = "idle";
            body.assign(1, 0);
        } else {
            // Nothing to do: wake() starts the pump again when there is. A
            // pump that never ended would keep io_context::run() from
            // returning (BlockingClient runs its context until it is idle).
            s->pump_running = false;
            co_return;
        }
        const std::string path = "/" + std::string(kind) + "/" + s->id + "/" + std::to_string(s->seq++);
        Answer answer = co_await exchange(*s, path, body);
        if (answer.error) {
            // The server went away mid-session: not a clean end of the RTMP
            // stream. Which of EOF, reset or EPIPE shows depends on timing.
            if (answer.error == asio::error::eof || answer.error == asio::error::connection_reset ||
                answer.error == asio::error::broken_pipe)
                answer.error = make_error_code(RtmptErrc::connection_closed);
            s->fail(answer.error, std::move(answer.detail));
        } else if (answer.status != 200) {
            s->fail(make_error_code(RtmptErrc::http_status),
                    "POST " + path + " was answered " + std::to_string(answer.status) + " " + answer.reason);
        } else {
            take_answer(*s, kind, answer.body);
        }
        s->read_signal.cancel();
    }
    s->pump_running = false;
    s->finished = true;
    s->inner->close();
    s->linger.cancel();
    s->read_signal.cancel();
    s->write_signal.cancel();
}

/// There is work for the pump: cut its idle-poll delay short, or start it.
void wake(const std::shared_ptr<State>& s) {
    s->idle_timer.cancel();
    if (s->pump_running || s->finished || s->error || s->ended) return;
    s->pump_running = true;
    // Posted, never launched inline: wake() runs inside a caller's coroutine
    // (read_some() racing a timer with ||), and a pump started nested in
    // that resumption left the reader "cancelled" with an answer unread in
    // `inbound` (our player over rtmpts:// stalled after ~500 KB).
    asio::post(s->executor, [s] { asio::co_spawn(s->executor, pump(s), asio::detached); });
}

}  // namespace

asio::awaitable<RtmptOpenResult> RtmptClientTransport::open(std::unique_ptr<Transport> inner,
                                                            std::string host_header) {
    auto s = std::make_shared<State>(std::move(inner), std::move(host_header));
    RtmptOpenResult result;
    auto fail = [&](error_code code, std::string message) {
        s->inner->close();
        result.error = code;
        result.message = std::move(message);
        return std::move(result);
    };
    static constexpr std::uint8_t one_zero[] = {0};
    Answer answer = co_await exchange(*s, "/open/1", one_zero);
    if (answer.error) co_return fail(answer.error, std::move(answer.detail));
    if (co_await cancelled())
        co_return fail(asio::error::operation_aborted, "opening the RTMPT session was cancelled");
    if (answer.status != 200)
        co_return fail(make_error_code(RtmptErrc::http_status),
                       "POST /open/1 was answered " + std::to_string(answer.status) + " " + answer.reason +
                           " (is this an RTMPT server?)");
    const std::vector<std::uint8_t>& body = answer.body;
    if (body.size() == 1 && body.front() == 0)
        co_return fail(
            make_error_code(RtmptErrc::session_refused),
            "the server refused the RTMPT session (it answered /open/1 with 00: too many clients?)");
    // Red5 writes "id\n"; FFmpeg trims trailing white space, and so do we (both ends).
    auto is_space = [](std::uint8_t c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
    auto first = std::find_if_not(body.begin(), body.end(), is_space);
    auto last = std::find_if_not(body.rbegin(), std::make_reverse_iterator(first), is_space).base();
    const std::string id(first, last);
    if (id.empty() || id.size() > max_session_id || !std::all_of(id.begin(), id.end(), [](char c) {
            return is_path_char(static_cast<unsigned char>(c));
        }))
        co_return fail(make_error_code(RtmptErrc::bad_session_id),
                       "the answer to POST /open/1 is not a session id: " + excerpt(body));
    s->id = id;
    result.transport.reset(new RtmptClientTransport(std::move(s)));
    co_return result;
}

RtmptClientTransport::~RtmptClientTransport() {
    close();
}

asio::any_io_executor RtmptClientTransport::get_executor() {
    return state_->executor;
}

std::string RtmptClientTransport::peer() const {
    return state_->peer;
}

const std::string& RtmptClientTransport::session_id() const noexcept {
    return state_->id;
}

std::uint64_t RtmptClientTransport::requests_sent() const noexcept {
    return state_->seq;
}

std::size_t RtmptClientTransport::queued_bytes() const noexcept {
    return state_->outbound.size();
}

const std::string& RtmptClientTransport::error_detail() const noexcept {
    return state_->error_detail;
}

IoResult RtmptClientTransport::read_now(asio::mutable_buffer buffer) {
    State& s = *state_;
    if (s.closed) return {asio::error::bad_descriptor, 0};
    const std::size_t available = s.inbound_size();
    if (available > 0) {
        if (buffer.size() == 0) return {};
        const std::size_t n = std::min(available, buffer.size());
        std::copy_n(s.inbound.data() + s.inbound_head, n, static_cast<std::uint8_t*>(buffer.data()));
        s.inbound_head += n;
        if (s.inbound_head == s.inbound.size()) {
            s.inbound.clear();
            s.inbound_head = 0;
        }
        // The pump pauses while too much waits unread.
        if (available >= read_pause && s.inbound_size() < read_pause) wake(state_);
        return {{}, n};
    }
    if (s.error) return {s.error, 0};
    if (s.ended) return {asio::error::eof, 0};
    if (buffer.size() == 0) return {};
    return {asio::error::would_block, 0};
}

asio::awaitable<IoResult> RtmptClientTransport::read_some(asio::mutable_buffer buffer) {
    const std::shared_ptr<State> s = state_;
    while (true) {
        if (co_await cancelled()) co_return IoResult{asio::error::operation_aborted, 0};
        const IoResult r = read_now(buffer);
        if (r.error != asio::error::would_block) co_return r;
        // Our waiting is what makes the pump poll with /idle.
        ++s->readers_waiting;
        wake(s);
        co_await s->read_signal.async_wait(use_nothrow);
        --s->readers_waiting;
        if (s->closed) co_return IoResult{asio::error::operation_aborted, 0};
    }
}

IoResult RtmptClientTransport::write_now(ConstBuffers buffers) {
    State& s = *state_;
    if (s.closed) return {asio::error::bad_descriptor, 0};
    if (s.send_shut) return {asio::error::shut_down, 0};
    if (s.error) return {s.error, 0};
    if (s.ended) return {asio::error::broken_pipe, 0};
    // Nothing to write is not "full": write_some() would spin on would_block.
    if (asio::buffer_size(buffers) == 0) return {};
    if (s.outbound.size() >= write_limit) return {asio::error::would_block, 0};
    std::size_t accepted = 0;
    for (const asio::const_buffer& buffer : buffers) {
        const std::size_t n = std::min(buffer.size(), write_limit - s.outbound.size());
        const auto* data = static_cast<const std::uint8_t*>(buffer.data());
        s.outbound.insert(s.outbound.end(), data, data + n);
        accepted += n;
        if (n < buffer.size()) break;
    }
    wake(state_);
    return {{}, accepted};
}

asio::awaitable<error_code> RtmptClientTransport::wait_writable() {
    const std::shared_ptr<State> s = state_;
    if (s->closed) co_return asio::error::bad_descriptor;
    while (true) {
        if (s->closed) co_return asio::error::operation_aborted;
        if (s->error) co_return s->error;
        if (s->ended) co_return asio::error::broken_pipe;
        if (s->outbound.size() < write_limit) co_return error_code{};
        if (co_await cancelled()) co_return asio::error::operation_aborted;
        // The pump cancels the signal whenever it takes bytes from the queue.
        co_await s->write_signal.async_wait(use_nothrow);
    }
}

asio::awaitable<IoResult> RtmptClientTransport::write_some(ConstBuffers buffers) {
    while (true) {
        if (co_await cancelled()) co_return IoResult{asio::error::operation_aborted, 0};
        const IoResult r = write_now(buffers);
        if (r.error != asio::error::would_block) co_return r;
        const error_code ec = co_await wait_writable();
        if (ec) co_return IoResult{ec, 0};
    }
}

void RtmptClientTransport::shutdown_send() noexcept {
    State& s = *state_;
    if (s.closed || s.send_shut) return;
    s.send_shut = true;
    wake(state_);
}

void RtmptClientTransport::close() noexcept {
    State& s = *state_;
    if (s.closed) return;
    s.closed = true;
    s.read_signal.cancel();
    s.write_signal.cancel();
    if (s.finished || s.error || s.ended) {
        s.inner->close();
        return;
    }
    // The pump sends what is queued and /close, then closes the inner
    // transport; the linger timer closes it first if that takes too long.
    wake(state_);
    s.linger.expires_after(close_linger);
    s.linger.async_wait([state = state_](error_code ec) {
        if (!ec) state->inner->close();
    });
}

}  // namespace sluice::net
