#pragma once
// net::Rc4Transport: the byte stream of an RTMPE connection (REFERENCE.md
// §10.4). It wraps the transport the handshake ran over and passes every
// byte after the handshake through RC4: reads are decrypted in place,
// writes are encrypted into a bounded buffer of its own. The keys come from
// rtmp::Handshake::take_ciphers().
//
// Wiring (server; the client is the same with its own C2/S2 roles):
//
//     ... handshake over `tcp` until done() ...
//     auto ciphers = handshake.take_ciphers();          // exactly once
//     auto rc4 = std::make_unique<Rc4Transport>(std::move(tcp),
//                    std::move(ciphers->in), std::move(ciphers->out),
//                    unsent_handshake_output);          // goes out in clear
//     rc4->decrypt_in_place(leftover);                  // bytes read past C2
//     transport = std::move(rc4);
//
// How bytes move:
//  - read_some()/read_now() return what the inner transport returned,
//    decrypted. decrypt_in_place() is for ciphertext the caller read from
//    the inner transport before wrapping it (bytes after the last handshake
//    byte, which Handshake::feed() left unconsumed); call it before the
//    first read, in stream order.
//  - write_now() encrypts into the pending buffer (never the caller's
//    buffers) and pushes it to the inner transport with its write_now().
//    It accepts plaintext while the pending buffer holds less than
//    `pending_limit` bytes, so a slow peer fills it like a socket buffer and
//    then write_now() returns would_block. Bytes accepted are committed: the
//    keystream has advanced over them, and they will be sent.
//  - Pending bytes left after a call are pushed out by a background
//    flusher (a detached coroutine on the inner transport's executor,
//    holding the shared state), which alone waits on the inner transport's
//    wait_writable(). So the last bytes written go out even if the caller
//    then goes idle, and our wait_writable() only waits for the flusher to
//    make room.
//
// Contract (in addition to net::Transport's):
//  - Takes ownership of the inner transport; nobody else may use it. The
//    inner transport must allow write_now() while its wait_writable() is
//    waiting (TCP, TLS and memory transports do).
//  - read_some()/write_some() are as cancellation-safe as the inner
//    transport's: a cancelled read_some() returns operation_aborted, and
//    write_some() never takes bytes it does not report.
//  - shutdown_send(): later writes fail with error::shut_down; the inner
//    transport is half-closed once the pending bytes have reached it.
//  - close() is idempotent. Waiting read_some()/wait_writable() return
//    operation_aborted at once; later calls fail with bad_descriptor. Pending
//    bytes (the tail a caller wrote just before closing) are still flushed
//    in the background for at most `close_linger`, then the inner transport
//    is closed regardless (the flusher, not the destroyed Rc4Transport,
//    owns it meanwhile). Destruction closes.
//  - Errors of the inner transport pass through unchanged. Writing no bytes
//    returns 0 bytes at once, never would_block.
//  - Memory: the two RC4 states (about 1 KiB each) and up to pending_limit
//    bytes of pending ciphertext (released when drained, if it grew large).
//  - One thread: the inner transport's executor.
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "net/transport.hpp"
#include "rtmp/rc4_cipher.hpp"

namespace sluice::net {

class Rc4Transport final : public Transport {
public:
    /// write_now() accepts plaintext while less ciphertext than this waits.
    static constexpr std::size_t pending_limit = 256 * 1024;
    /// How long close() keeps flushing pending bytes before it closes the inner transport.
    static constexpr std::chrono::milliseconds close_linger{2000};

    /// `in` decrypts what the peer sends, `out` encrypts what we send.
    /// `clear_prefix` (e.g. handshake output not yet written) is sent first,
    /// as it is, ahead of everything written through this transport.
    /// Precondition: inner != nullptr, in.valid(), out.valid().
    Rc4Transport(std::unique_ptr<Transport> inner, rtmp::Rc4Cipher in, rtmp::Rc4Cipher out,
                 std::span<const std::uint8_t> clear_prefix = {});
    ~Rc4Transport() override;

    boost::asio::any_io_executor get_executor() override;
    boost::asio::awaitable<IoResult> read_some(boost::asio::mutable_buffer buffer) override;
    IoResult read_now(boost::asio::mutable_buffer buffer) override;
    IoResult write_now(ConstBuffers buffers) override;
    boost::asio::awaitable<IoResult> write_some(ConstBuffers buffers) override;
    boost::asio::awaitable<boost::system::error_code> wait_writable() override;
    void shutdown_send() noexcept override;
    void close() noexcept override;
    /// The inner transport's text.
    std::string peer() const override;

    /// Decrypts, in place, ciphertext that was read from the inner
    /// transport before it was wrapped (see the header comment).
    void decrypt_in_place(std::span<std::uint8_t> bytes) noexcept;
    /// Bytes encrypted (or the clear prefix) not yet taken by the inner transport.
    std::size_t pending_bytes() const noexcept;

    struct State;  ///< shared with the background flusher (rc4_transport.cpp)

private:
    std::shared_ptr<State> state_;
};

}  // namespace sluice::net
