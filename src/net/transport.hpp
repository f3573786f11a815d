#pragma once
// net::Transport: the byte stream a session or a client speaks RTMP over
// (ARCHITECTURE.md "Layers": TCP now; TLS and the RTMPT tunnel later). The
// protocol code above it never sees a socket, so the same server::Session
// and client::Client run over TCP, over a memory pipe in fuzz targets and
// tests, and later over TLS or HTTP.
//
// Contract (every implementation):
//  - One owner, one thread: the transport's executor. At most one read and
//    one write may be in progress at a time (like a socket).
//  - read_some() waits for at least one byte. It returns error::eof when the
//    peer has closed its side and nothing is left to read, and
//    error::operation_aborted after close() or when the awaiting coroutine
//    is cancelled (e.g. it lost an awaitable `||` race against a timer).
//  - read_now() and write_now() never wait: they move what they can at once
//    and return error::would_block when they can move nothing.
//  - write_some() waits until at least one byte was written; the buffers
//    must stay valid and unchanged until it returns.
//  - wait_writable() waits until write_now() can move bytes again (or the
//    transport failed), holding no buffers: a caller whose output may change
//    while it waits (the server session, whose reader queues answers into
//    the same output) waits with it and then writes what is queued then.
//  - shutdown_send() half-closes: the peer reads EOF after what was sent.
//    close() is idempotent; later operations fail with bad_descriptor or
//    operation_aborted.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/system/error_code.hpp>

#include <cstddef>
#include <span>
#include <string>

namespace sluice::net {

/// The outcome of one read or write: an error, or the bytes moved.
struct IoResult {
    boost::system::error_code error;
    std::size_t bytes = 0;
};

using ConstBuffers = std::span<const boost::asio::const_buffer>;

class Transport {
public:
    virtual ~Transport() = default;
    Transport() = default;
    Transport(const Transport&) = delete;
    Transport& operator=(const Transport&) = delete;

    virtual boost::asio::any_io_executor get_executor() = 0;

    virtual boost::asio::awaitable<IoResult> read_some(boost::asio::mutable_buffer buffer) = 0;
    virtual IoResult read_now(boost::asio::mutable_buffer buffer) = 0;
    virtual IoResult write_now(ConstBuffers buffers) = 0;
    virtual boost::asio::awaitable<IoResult> write_some(ConstBuffers buffers) = 0;
    virtual boost::asio::awaitable<boost::system::error_code> wait_writable() = 0;

    virtual void shutdown_send() noexcept = 0;
    virtual void close() noexcept = 0;

    /// Who is at the other end, for logs: "203.0.113.7:50312", "[::1]:50312", "memory".
    virtual std::string peer() const = 0;
};

/// Writes all of `buffer` (write_now, then write_some while the transport is
/// full). Returns the bytes written and the first error.
boost::asio::awaitable<IoResult> write_all(Transport& transport, boost::asio::const_buffer buffer);

}  // namespace sluice::net
