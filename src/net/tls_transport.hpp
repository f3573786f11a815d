#pragma once
// net::TlsTransport: a Transport that speaks TLS (RTMPS) over a connected TCP
// socket, with OpenSSL 3 driven through memory BIOs rather than
// asio::ssl::stream, because the Transport contract needs read_now() and
// write_now() that never wait, which ssl::stream cannot give.
//
// How bytes move:
//  - Ciphertext from the socket goes into OpenSSL's input BIO only through
//    non-blocking reads made after the socket was seen readable, so a read
//    that is cancelled loses nothing: what was read stays in the BIO.
//  - Everything OpenSSL produces (records for write_now(), and whatever a
//    read produces for the peer: TLS 1.3 tickets and key updates, alerts)
//    goes into one pending-ciphertext buffer, in order, and leaves it only
//    through non-blocking socket writes. No write is ever in flight with a
//    buffer handed to the kernel asynchronously, so reads and writes may
//    both push it out without reordering.
//  - write_now() accepts plaintext while less than `pending_limit` bytes of
//    ciphertext wait for the socket, so a slow peer fills this buffer (and
//    then write_now() returns would_block) like it fills a socket buffer.
//    Ciphertext left over after a call is pushed out by a background
//    flusher (a detached coroutine holding the connection's shared state),
//    so the last bytes written go out even if the caller then goes idle.
//
// Contract (in addition to net::Transport's):
//  - accept() / connect() run the handshake. They are not bounded: the
//    caller races them against a timer with `||`; a cancelled handshake
//    closes the socket and returns an error (it is then discarded).
//    Errors are TlsError (tls_context.hpp): OpenSSL's reason, and for a
//    rejected server certificate the verification result ("certificate
//    verification failed for <host>: hostname mismatch"). A peer that sends
//    no TLS at all fails at its first bytes, not at the timeout. The
//    context must outlive the handshake; the connection then holds its own
//    OpenSSL reference to it.
//  - read_some() / write_some() are cancellation-safe: cancelled (e.g. lost
//    an `||` race), they return operation_aborted having moved no bytes.
//  - read errors: error::eof after the peer's close_notify, and also when
//    the peer closed TCP without one (RTMP frames its own messages, and
//    common RTMPS peers simply close the socket); TLS protocol errors come
//    as codes in boost::asio::error::get_ssl_category() (message(): OpenSSL's
//    reason, e.g. "decryption failed or bad record mac").
//  - shutdown_send() queues close_notify; TCP is half-closed (FIN) as soon
//    as all pending ciphertext has reached the socket (at once or later by
//    the flusher). Reading goes on until the peer's close_notify or FIN.
//  - close() is idempotent. It sends close_notify when the connection is
//    healthy; ciphertext still pending then (the tail a caller wrote just
//    before closing, which TCP would still deliver from the kernel buffer)
//    is flushed in the background for at most `close_linger`, after which
//    the socket is closed regardless (meanwhile the flusher, not the
//    destroyed TlsTransport, owns the socket and the SSL object). Waiting
//    read_some()/wait_writable() return operation_aborted at once; later
//    calls fail with bad_descriptor.
//  - write_now() after shutdown_send() fails with error::shut_down. Writing
//    no bytes (empty buffers) returns 0 bytes at once, never would_block.
//  - Memory per connection: OpenSSL's record buffers (released when idle,
//    SSL_MODE_RELEASE_BUFFERS) plus up to pending_limit + 16 KiB of
//    pending ciphertext.
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "net/tls_context.hpp"
#include "net/transport.hpp"

namespace sluice::net {

class TlsTransport final : public Transport {
public:
    /// write_now() accepts plaintext while less ciphertext than this waits for the socket.
    static constexpr std::size_t pending_limit = 256 * 1024;
    /// How long close() keeps flushing pending ciphertext before it closes the socket.
    static constexpr std::chrono::milliseconds close_linger{2000};

    /// Server side: runs the TLS handshake on an accepted socket.
    static boost::asio::awaitable<TlsResult<std::unique_ptr<TlsTransport>>> accept(
        boost::asio::ip::tcp::socket socket, const TlsServerContext& context);

    /// Client side: sends `host` as SNI (unless it is an IP address) and,
    /// when context.verify(), checks the certificate chain and that the
    /// certificate names `host` (DNS name, or IP address SAN for an IP).
    static boost::asio::awaitable<TlsResult<std::unique_ptr<TlsTransport>>> connect(
        boost::asio::ip::tcp::socket socket, const TlsClientContext& context, std::string host);

    ~TlsTransport() override;

    boost::asio::any_io_executor get_executor() override;
    boost::asio::awaitable<IoResult> read_some(boost::asio::mutable_buffer buffer) override;
    IoResult read_now(boost::asio::mutable_buffer buffer) override;
    IoResult write_now(ConstBuffers buffers) override;
    boost::asio::awaitable<IoResult> write_some(ConstBuffers buffers) override;
    boost::asio::awaitable<boost::system::error_code> wait_writable() override;
    void shutdown_send() noexcept override;
    void close() noexcept override;
    /// Same text as TcpTransport: "203.0.113.7:50312".
    std::string peer() const override;

    /// The negotiated protocol, e.g. "TLSv1.3" (for logs).
    std::string protocol_version() const;
    /// Ciphertext produced but not yet on the socket (tests, stats).
    std::size_t pending_bytes() const noexcept;

    struct State;  ///< shared with the background flusher (tls_transport.cpp)

private:
    explicit TlsTransport(std::shared_ptr<State> state) : state_(std::move(state)) {}

    /// Drives SSL_do_handshake to the end; `host` only for error texts.
    static boost::asio::awaitable<TlsResult<std::unique_ptr<TlsTransport>>> handshake(
        std::shared_ptr<State> state, std::string host);

    std::shared_ptr<State> state_;
};

}  // namespace sluice::net
