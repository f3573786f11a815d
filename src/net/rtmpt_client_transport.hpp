#pragma once
// net::RtmptClientTransport: the client side of RTMPT, the RTMP byte stream
// carried in the bodies of HTTP/1.1 POST requests (REFERENCE.md §11), as a
// net::Transport, so client::Client runs its handshake and session over it
// unchanged. rtmpt:// puts it over a TcpTransport, rtmpts:// over a
// TlsTransport.
//
// Wire sequence (one keep-alive connection, one request at a time, each
// answered before the next is sent):
//
//   POST /open/1          body 00                -> 200, body "<id>\n"
//   POST /send/<id>/<seq> body: queued RTMP bytes -> 200, body: P | server bytes
//   POST /idle/<id>/<seq> body 00                 -> 200, body: P | server bytes
//   POST /close/<id>/<seq> body 00                -> 200, body: P | server bytes
//
// `<seq>` is 0 for the first request after /open/1 and grows by one per
// request. P is the polling byte: 0 means the server ended the session;
// other values are ignored (their unit is undocumented, §11.2), we poll on
// our own schedule (below). Every request carries Host, Content-Type:
// application/x-fcs, Content-Length, Connection: Keep-Alive, Cache-Control:
// no-cache, Accept: */* and User-Agent: Shockwave Flash (what librtmp and
// FFmpeg send; Red5 can insist on the content type).
//
// When requests go out (a single background pump coroutine, holding the
// shared state like TlsTransport's flusher, does all HTTP I/O, so reads and
// writes never race on the inner transport; it runs only while there is
// something to send or a reader waits, so an io_context with an idle
// tunnel runs out of work like one with an idle socket):
//  - Bytes accepted by write_now() go out at once: a /send carries
//    everything queued, at most `max_request_body` bytes; more waits for the
//    next /send, which follows immediately.
//  - With nothing to send, an /idle is made only while a reader waits in
//    read_some() and nothing is buffered for it. After an /idle answered
//    with no RTMP bytes the next /idle waits 5 ms, then 10, 20, 40, 80 and
//    at most `max_idle_delay` (100 ms); a response with bytes, or a /send,
//    resets the wait to 0. A write during the wait is sent at once.
//  - Responses are read with Beast's response_parser, at most
//    `max_response_header` bytes of header and `max_response_body` of body.
//    An empty 200 body counts as "nothing pending".
//  - While more than `read_pause` received bytes wait unread, no request is
//    made (a client that stops reading stops the tunnel, as TCP would).
//
// Contract (in addition to net::Transport's):
//  - open() runs POST /open/1. It is not bounded: the caller races it
//    against a timer with `||`; a cancelled open() returns an error and
//    drops the inner transport. It fails (no transport, `error` and a
//    sentence in `message`) on: a status other than 200, a malformed or
//    oversized response, an answer that is not a session id (1..128
//    characters allowed in a URL path: letters, digits, "-._~!$&'()*+,;=:@"
//    after trimming white space; Red5's single 00 byte, "no more clients",
//    is session_refused), the connection closing (asio::error::eof), and
//    the inner transport's own errors.
//  - read_some() is cancellation-safe: cancelled, it returns
//    operation_aborted and has consumed nothing. It returns error::eof once
//    the session ended (polling byte 0, or the answer to the /close that
//    shutdown_send() sends) and everything received before was read.
//  - Errors of a session (a status other than 200, a malformed response,
//    the HTTP connection closing, inner transport errors) are sticky:
//    reads return them after the bytes received before, writes at once.
//    They come as RtmptErrc codes (category "rtmpt") or the inner
//    transport's codes; error_detail() has a sentence naming the request.
//  - write_now() accepts bytes while less than `write_limit` are queued
//    (partially, up to the limit), else returns would_block; after the
//    server ended the session it fails with broken_pipe (as TCP writes to a
//    closed peer do), after shutdown_send() with shut_down.
//  - shutdown_send(): the queued bytes go out, then POST /close; its answer
//    ends the session (reads then give eof), which is how the server's
//    session learns that the client is done.
//  - close() is idempotent. Waiting read_some()/wait_writable() return
//    operation_aborted, later calls bad_descriptor. A session still open
//    gets its queued bytes and a /close in the background, for at most
//    `close_linger`, after which the inner transport is closed regardless.
//  - peer() is the inner transport's peer ("127.0.0.1:80").
//  - Memory: up to write_limit + max_request_body queued for sending, and
//    up to read_pause + max_response_body received and not yet read.
#include <boost/asio/awaitable.hpp>
#include <boost/system/error_code.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <type_traits>

#include "net/transport.hpp"

namespace sluice::net {

/// RTMPT failures of a tunnel (category name "rtmpt").
enum class RtmptErrc {
    http_status = 1,    ///< the server answered a status other than 200
    bad_response,       ///< malformed or oversized HTTP response
    bad_session_id,     ///< the /open/1 answer is not a session id
    session_refused,    ///< the /open/1 answer was a single 00 byte (Red5: no more clients)
    connection_closed,  ///< the HTTP connection ended (or "Connection: close") while the session was open
};

const boost::system::error_category& rtmpt_category() noexcept;
boost::system::error_code make_error_code(RtmptErrc e) noexcept;

class RtmptClientTransport;

/// What open() gives: the transport, or an error code and a sentence for logs.
struct RtmptOpenResult {
    std::unique_ptr<RtmptClientTransport> transport;  ///< null on failure
    boost::system::error_code error;
    std::string message;  ///< e.g. "POST /open/1 was answered 404 Not Found (is this an RTMPT server?)"
    explicit operator bool() const noexcept { return transport != nullptr; }
};

class RtmptClientTransport final : public Transport {
public:
    /// write_now() accepts bytes while fewer than this are queued.
    static constexpr std::size_t write_limit = 256 * 1024;
    /// RTMP bytes per /send body at most.
    static constexpr std::size_t max_request_body = 64 * 1024;
    /// No request is made while this many received bytes wait unread.
    static constexpr std::size_t read_pause = 4 * 1024 * 1024;
    static constexpr std::size_t max_response_header = 16 * 1024;
    static constexpr std::size_t max_response_body = 16 * 1024 * 1024;
    /// Idle polling back-off after empty answers: first_idle_delay doubling to max_idle_delay.
    static constexpr std::chrono::milliseconds first_idle_delay{5};
    static constexpr std::chrono::milliseconds max_idle_delay{100};
    /// How long close() keeps sending queued bytes and the /close request.
    static constexpr std::chrono::milliseconds close_linger{1000};

    /// POST /open/1 over `inner` (connected; TCP or TLS), `host_header` as
    /// the Host header ("example.com", "127.0.0.1:8080", "[::1]:8080").
    static boost::asio::awaitable<RtmptOpenResult> open(std::unique_ptr<Transport> inner,
                                                        std::string host_header);

    ~RtmptClientTransport() override;

    boost::asio::any_io_executor get_executor() override;
    boost::asio::awaitable<IoResult> read_some(boost::asio::mutable_buffer buffer) override;
    IoResult read_now(boost::asio::mutable_buffer buffer) override;
    IoResult write_now(ConstBuffers buffers) override;
    boost::asio::awaitable<IoResult> write_some(ConstBuffers buffers) override;
    boost::asio::awaitable<boost::system::error_code> wait_writable() override;
    void shutdown_send() noexcept override;
    void close() noexcept override;
    std::string peer() const override;

    /// The id the server gave in its /open/1 answer.
    const std::string& session_id() const noexcept;
    /// Requests made since /open/1 (the next `<seq>`).
    std::uint64_t requests_sent() const noexcept;
    /// Bytes accepted by write_now() and not yet sent.
    std::size_t queued_bytes() const noexcept;
    /// The sticky session error in one sentence ("" while healthy).
    const std::string& error_detail() const noexcept;

    struct State;  ///< shared with the pump coroutine (rtmpt_client_transport.cpp)

private:
    explicit RtmptClientTransport(std::shared_ptr<State> state) : state_(std::move(state)) {}

    std::shared_ptr<State> state_;
};

}  // namespace sluice::net

template <>
struct boost::system::is_error_code_enum<sluice::net::RtmptErrc> : std::true_type {};
