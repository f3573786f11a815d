#include "net/tls_transport.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <array>
#include <climits>
#include <cstdint>
#include <vector>

#include "net/tcp_transport.hpp"

namespace sluice::net {

namespace asio = boost::asio;
using boost::system::error_code;
using tcp = asio::ip::tcp;

namespace {

constexpr auto use_nothrow = asio::as_tuple(asio::use_awaitable);
/// Plaintext per SSL_write: one full record, so the ciphertext bound is
/// overshot by at most one record.
constexpr std::size_t record_plaintext = 16 * 1024;
/// Bytes per non-blocking socket read: a full record with its header and tag.
constexpr std::size_t read_chunk = 16 * 1024 + 512;

struct SslDeleter {
    void operator()(SSL* ssl) const noexcept { SSL_free(ssl); }
};

bool is_would_block(const error_code& ec) {
    return ec == asio::error::would_block || ec == asio::error::try_again;
}

/// True once the awaiting coroutine was cancelled (lost an `||` race): from
/// then on nothing may be consumed, or the bytes would be dropped with the
/// discarded result.
asio::awaitable<bool> cancelled() {
    const asio::cancellation_state state = co_await asio::this_coro::cancellation_state;
    co_return state.cancelled() != asio::cancellation_type::none;
}

}  // namespace

struct TlsTransport::State {
    explicit State(tcp::socket s)
        : socket(std::move(s)), signal(socket.get_executor()), linger(socket.get_executor()) {
        signal.expires_at(asio::steady_timer::time_point::max());
    }
    State(const State&) = delete;
    State& operator=(const State&) = delete;

    std::size_t pending_size() const noexcept { return pending.size() - pending_head; }

    /// Moves what OpenSSL produced (out BIO) to the end of `pending`.
    void take_output() {
        const std::size_t n = BIO_ctrl_pending(out);
        if (n == 0) return;
        if (pending_head > 0 && pending_head >= pending.size() / 2) {
            pending.erase(pending.begin(), pending.begin() + static_cast<std::ptrdiff_t>(pending_head));
            pending_head = 0;
        }
        const std::size_t old = pending.size();
        pending.resize(old + n);
        const int got = BIO_read(out, pending.data() + old, static_cast<int>(n));
        pending.resize(old + static_cast<std::size_t>(std::max(got, 0)));
    }

    /// Writes `pending` to the socket without waiting. Every byte leaves
    /// through here, synchronously and from the front, so the reader and the
    /// writer may both call it without reordering ciphertext.
    void flush_now() {
        while (pending_size() > 0 && !write_error && socket.is_open()) {
            error_code ec;
            const std::size_t n =
                socket.write_some(asio::buffer(pending.data() + pending_head, pending_size()), ec);
            if (is_would_block(ec)) break;
            if (ec) {
                write_error = ec;
                break;
            }
            pending_head += n;
        }
        if (pending_size() == 0) {
            pending_head = 0;
            pending.clear();
            // An idle player should not keep a burst's worth of buffer.
            if (pending.capacity() > 64 * 1024) pending.shrink_to_fit();
        }
    }

    /// Reads what the socket has (without waiting) into the in BIO.
    IoResult pull() {
        if (socket_eof) return {asio::error::eof, 0};
        std::array<std::uint8_t, read_chunk> chunk;
        error_code ec;
        const std::size_t n = socket.read_some(asio::buffer(chunk), ec);
        if (is_would_block(ec)) return {asio::error::would_block, 0};
        if (ec == asio::error::eof) socket_eof = true;
        if (ec) return {ec, 0};
        BIO_write(in, chunk.data(), static_cast<int>(n));
        return {{}, n};
    }

    /// Called whenever `pending` may have drained: half-closes TCP after a
    /// shutdown_send(), or ends a lingering close().
    void finish_send_side() {
        if (pending_size() > 0 && !write_error) return;
        if (lingering) {
            close_socket();
            return;
        }
        if (send_shut && !tcp_send_shut && socket.is_open()) {
            error_code ignored;
            socket.shutdown(tcp::socket::shutdown_send, ignored);
            tcp_send_shut = true;
        }
    }

    void close_socket() {
        error_code ignored;
        if (socket.is_open()) {
            socket.shutdown(tcp::socket::shutdown_both, ignored);
            socket.close(ignored);
        }
        linger.cancel();
        signal.cancel();
    }

    /// The OpenSSL error behind a failed SSL_read/SSL_write/SSL_do_handshake
    /// as an error code (ssl category: message() is OpenSSL's reason).
    error_code take_error(int ssl_error) {
        const unsigned long queued = ERR_get_error();
        ERR_clear_error();
        if (queued != 0) return {static_cast<int>(queued), asio::error::get_ssl_category()};
        if (ssl_error == SSL_ERROR_SYSCALL) return asio::ssl::error::stream_truncated;
        return asio::ssl::error::unspecified_system_error;
    }

    tcp::socket socket;
    std::unique_ptr<SSL, SslDeleter> ssl;
    BIO* in = nullptr;   ///< ciphertext from the peer (owned by ssl)
    BIO* out = nullptr;  ///< ciphertext for the peer (owned by ssl)
    std::string peer;
    std::vector<std::uint8_t> pending;  ///< ciphertext not yet on the socket, from pending_head
    std::size_t pending_head = 0;
    asio::steady_timer signal;  ///< never expires; cancelled to wake wait_writable()
    asio::steady_timer linger;  ///< bounds a lingering close()
    bool flusher_running = false;
    bool socket_eof = false;     ///< read the peer's FIN
    bool read_eof = false;       ///< reads return eof from now on
    bool send_shut = false;      ///< close_notify queued
    bool tcp_send_shut = false;  ///< FIN sent
    bool closed = false;         ///< close() was called
    bool lingering = false;      ///< closed, still flushing pending
    bool fatal = false;          ///< OpenSSL failed: no more SSL calls but SSL_free
    error_code read_error;
    error_code write_error;
};

namespace {

using State = TlsTransport::State;

asio::awaitable<void> flush_loop(std::shared_ptr<State> s) {
    while (true) {
        s->flush_now();
        if (s->write_error || s->pending_size() == 0 || !s->socket.is_open()) break;
        if (s->pending_size() < TlsTransport::pending_limit) s->signal.cancel();
        auto [ec] = co_await s->socket.async_wait(tcp::socket::wait_write, use_nothrow);
        // close() cancels the socket to wake the reader; a lingering close
        // still wants the flush.
        if (ec == asio::error::operation_aborted && s->lingering && s->socket.is_open()) continue;
        if (ec) {
            if (!s->write_error) s->write_error = ec;
            break;
        }
    }
    s->flusher_running = false;
    s->signal.cancel();
    s->finish_send_side();
}

/// Makes sure pending ciphertext keeps going out while nobody writes.
void start_flusher(const std::shared_ptr<State>& s) {
    if (s->flusher_running || s->pending_size() == 0 || s->write_error || !s->socket.is_open()) return;
    s->flusher_running = true;
    asio::co_spawn(s->socket.get_executor(), flush_loop(s), asio::detached);
}

/// After an SSL_read: send what it produced for the peer (tickets, key
/// update answers, alerts) now if the socket takes it, else in the background.
void after_read(const std::shared_ptr<State>& s) {
    s->take_output();
    s->flush_now();
    start_flusher(s);
}

TlsResult<std::shared_ptr<State>> make_state(tcp::socket socket, ssl_ctx_st* context) {
    auto s = std::make_shared<State>(std::move(socket));
    error_code ec;
    const auto remote = s->socket.remote_endpoint(ec);
    s->peer = ec ? "?" : endpoint_text(remote);
    s->socket.set_option(tcp::no_delay(true), ec);
    s->socket.non_blocking(true, ec);
    if (ec) return TlsError{ec, "cannot make the socket non-blocking: " + ec.message()};
    ERR_clear_error();
    s->ssl.reset(SSL_new(context));
    if (!s->ssl) return take_openssl_error("cannot create a TLS connection");
    s->in = BIO_new(BIO_s_mem());
    s->out = BIO_new(BIO_s_mem());
    if (!s->in || !s->out) {
        BIO_free(s->in);
        BIO_free(s->out);
        return take_openssl_error("cannot create TLS buffers");
    }
    SSL_set_bio(s->ssl.get(), s->in, s->out);
    SSL_set_mode(s->ssl.get(), SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    return s;
}

}  // namespace

asio::awaitable<TlsResult<std::unique_ptr<TlsTransport>>> TlsTransport::accept(
    tcp::socket socket, const TlsServerContext& context) {
    auto made = make_state(std::move(socket), context.native());
    if (!made) co_return made.error();
    SSL_set_accept_state((*made)->ssl.get());
    co_return co_await handshake(std::move(*made), {});
}

asio::awaitable<TlsResult<std::unique_ptr<TlsTransport>>> TlsTransport::connect(
    tcp::socket socket, const TlsClientContext& context, std::string host) {
    auto made = make_state(std::move(socket), context.native());
    if (!made) co_return made.error();
    SSL* ssl = (*made)->ssl.get();
    SSL_set_connect_state(ssl);
    error_code not_ip;
    asio::ip::make_address(host, not_ip);
    // RFC 6066 3: SNI carries host names only, never IP literals.
    // (SSL_set_tlsext_host_name() is a macro with a C cast: -Wold-style-cast.)
    if (not_ip && SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name, host.data()) != 1)
        co_return take_openssl_error("cannot use \"" + host + "\" as TLS server name");
    if (context.verify()) {
        const int set = not_ip ? SSL_set1_host(ssl, host.c_str())
                               : X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host.c_str());
        if (set != 1) co_return take_openssl_error("cannot verify against \"" + host + "\"");
        SSL_set_hostflags(ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    }
    co_return co_await handshake(std::move(*made), std::move(host));
}

asio::awaitable<TlsResult<std::unique_ptr<TlsTransport>>> TlsTransport::handshake(std::shared_ptr<State> s,
                                                                                  std::string host) {
    const std::string who = host.empty() ? s->peer : host + " (" + s->peer + ")";
    auto fail = [&](error_code code, std::string message) {
        s->close_socket();
        return TlsError{code, std::move(message)};
    };
    while (true) {
        if (co_await cancelled()) co_return fail(asio::error::operation_aborted, "TLS handshake cancelled");
        ERR_clear_error();
        const int done = SSL_do_handshake(s->ssl.get());
        const int ssl_error = done == 1 ? SSL_ERROR_NONE : SSL_get_error(s->ssl.get(), done);
        if (done != 1 && ssl_error != SSL_ERROR_WANT_READ) {
            s->fatal = true;
            TlsError error;
            const long verified = SSL_get_verify_result(s->ssl.get());
            if (!host.empty() && verified != X509_V_OK) {
                error =
                    TlsError{s->take_error(ssl_error), "certificate verification failed for " + host + ": " +
                                                           X509_verify_cert_error_string(verified)};
            } else {
                error = take_openssl_error("TLS handshake with " + who + " failed");
            }
            // Best effort: the alert tells the peer why.
            s->take_output();
            s->flush_now();
            co_return fail(error.code, std::move(error.message));
        }
        // Our flight goes out before we wait for the peer's answer to it.
        s->take_output();
        while (s->pending_size() > 0) {
            s->flush_now();
            if (s->write_error)
                co_return fail(s->write_error, "TLS handshake with " + who + ": " + s->write_error.message());
            if (s->pending_size() == 0) break;
            if (co_await cancelled())
                co_return fail(asio::error::operation_aborted, "TLS handshake cancelled");
            auto [ec] = co_await s->socket.async_wait(tcp::socket::wait_write, use_nothrow);
            if (ec) co_return fail(ec, "TLS handshake with " + who + ": " + ec.message());
        }
        if (done == 1) co_return std::unique_ptr<TlsTransport>(new TlsTransport(std::move(s)));
        const IoResult pulled = s->pull();
        if (!pulled.error) continue;
        if (pulled.error == asio::error::eof)
            co_return fail(pulled.error,
                           "the peer " + who + " closed the connection during the TLS handshake");
        if (!is_would_block(pulled.error))
            co_return fail(pulled.error, "TLS handshake with " + who + ": " + pulled.error.message());
        auto [ec] = co_await s->socket.async_wait(tcp::socket::wait_read, use_nothrow);
        if (ec) co_return fail(ec, "TLS handshake with " + who + ": " + ec.message());
    }
}

TlsTransport::~TlsTransport() {
    close();
}

asio::any_io_executor TlsTransport::get_executor() {
    return state_->socket.get_executor();
}

std::string TlsTransport::peer() const {
    return state_->peer;
}

std::string TlsTransport::protocol_version() const {
    return SSL_get_version(state_->ssl.get());
}

std::size_t TlsTransport::pending_bytes() const noexcept {
    return state_->pending_size();
}

IoResult TlsTransport::read_now(asio::mutable_buffer buffer) {
    State& s = *state_;
    if (s.closed) return {asio::error::bad_descriptor, 0};
    if (s.read_error) return {s.read_error, 0};
    if (s.read_eof) return {asio::error::eof, 0};
    if (buffer.size() == 0) return {};
    const int size = static_cast<int>(std::min<std::size_t>(buffer.size(), INT_MAX));
    while (true) {
        ERR_clear_error();
        const int n = SSL_read(s.ssl.get(), buffer.data(), size);
        if (n > 0) {
            after_read(state_);
            return {{}, static_cast<std::size_t>(n)};
        }
        const int ssl_error = SSL_get_error(s.ssl.get(), n);
        if (ssl_error == SSL_ERROR_WANT_READ) {
            after_read(state_);
            const IoResult pulled = s.pull();
            if (!pulled.error) continue;
            if (is_would_block(pulled.error)) return {asio::error::would_block, 0};
            // A FIN without close_notify also ends the stream (see the header).
            if (pulled.error == asio::error::eof)
                s.read_eof = true;
            else
                s.read_error = pulled.error;
            return {pulled.error, 0};
        }
        if (ssl_error == SSL_ERROR_ZERO_RETURN) {
            s.read_eof = true;
            after_read(state_);
            return {asio::error::eof, 0};
        }
        s.fatal = true;
        s.read_error = s.take_error(ssl_error);
        after_read(state_);
        return {s.read_error, 0};
    }
}

asio::awaitable<IoResult> TlsTransport::read_some(asio::mutable_buffer buffer) {
    const std::shared_ptr<State> s = state_;
    while (true) {
        if (co_await cancelled()) co_return IoResult{asio::error::operation_aborted, 0};
        const IoResult r = read_now(buffer);
        if (r.error != asio::error::would_block) co_return r;
        // Only wait for readability: the bytes are read after the wait, by
        // read_now(), so a cancelled wait has consumed nothing.
        auto [ec] = co_await s->socket.async_wait(tcp::socket::wait_read, use_nothrow);
        if (ec) co_return IoResult{ec, 0};
    }
}

IoResult TlsTransport::write_now(ConstBuffers buffers) {
    State& s = *state_;
    if (s.closed) return {asio::error::bad_descriptor, 0};
    if (s.send_shut) return {asio::error::shut_down, 0};
    if (s.write_error) return {s.write_error, 0};
    // Nothing to write is not "full": write_some() would spin on would_block.
    if (asio::buffer_size(buffers) == 0) return {};
    s.flush_now();
    std::size_t accepted = 0;
    for (const asio::const_buffer& buffer : buffers) {
        const auto* data = static_cast<const std::uint8_t*>(buffer.data());
        std::size_t left = buffer.size();
        while (left > 0 && s.pending_size() < pending_limit && !s.write_error) {
            const int chunk = static_cast<int>(std::min(left, record_plaintext));
            ERR_clear_error();
            // The out BIO is memory and never full, so SSL_write takes the
            // whole chunk or fails; no retry-with-the-same-buffer state.
            const int n = SSL_write(s.ssl.get(), data, chunk);
            if (n <= 0) {
                s.fatal = true;
                s.write_error = s.take_error(SSL_get_error(s.ssl.get(), n));
                break;
            }
            s.take_output();
            data += n;
            left -= static_cast<std::size_t>(n);
            accepted += static_cast<std::size_t>(n);
        }
        if (left > 0) break;
    }
    s.flush_now();
    start_flusher(state_);
    // Bytes accepted count even if the socket failed meanwhile: the error
    // comes with the next call.
    if (accepted > 0) return {{}, accepted};
    if (s.write_error) return {s.write_error, 0};
    return {asio::error::would_block, 0};
}

asio::awaitable<error_code> TlsTransport::wait_writable() {
    const std::shared_ptr<State> s = state_;
    if (s->closed) co_return asio::error::bad_descriptor;
    while (true) {
        if (s->closed) co_return asio::error::operation_aborted;
        if (s->write_error) co_return s->write_error;
        if (co_await cancelled()) co_return asio::error::operation_aborted;
        s->flush_now();
        start_flusher(s);
        if (s->write_error) continue;
        if (s->pending_size() < pending_limit) co_return error_code{};
        // The flusher cancels the signal whenever there is room again.
        co_await s->signal.async_wait(use_nothrow);
    }
}

asio::awaitable<IoResult> TlsTransport::write_some(ConstBuffers buffers) {
    while (true) {
        if (co_await cancelled()) co_return IoResult{asio::error::operation_aborted, 0};
        const IoResult r = write_now(buffers);
        if (r.error != asio::error::would_block) co_return r;
        const error_code ec = co_await wait_writable();
        if (ec) co_return IoResult{ec, 0};
    }
}

void TlsTransport::shutdown_send() noexcept {
    State& s = *state_;
    if (s.closed || s.send_shut || !s.socket.is_open()) return;
    s.send_shut = true;
    if (!s.fatal && !s.write_error) {
        ERR_clear_error();
        SSL_shutdown(s.ssl.get());  // 0: close_notify queued; the peer's comes with reads
        ERR_clear_error();
        s.take_output();
    }
    s.flush_now();
    s.finish_send_side();
    start_flusher(state_);
}

void TlsTransport::close() noexcept {
    State& s = *state_;
    if (s.closed) return;
    s.closed = true;
    s.signal.cancel();
    if (!s.socket.is_open()) return;
    if (!s.fatal && !s.write_error && !s.send_shut && SSL_is_init_finished(s.ssl.get())) {
        ERR_clear_error();
        SSL_shutdown(s.ssl.get());
        ERR_clear_error();
        s.send_shut = true;
        s.take_output();
    }
    s.flush_now();
    if (s.pending_size() == 0 || s.write_error) {
        s.close_socket();
        return;
    }
    // Linger: keep flushing in the background, for close_linger at most.
    s.lingering = true;
    error_code ignored;
    s.socket.cancel(ignored);  // wakes a read_some() waiting on the socket
    s.linger.expires_after(close_linger);
    s.linger.async_wait([state = state_](error_code) { state->close_socket(); });
    start_flusher(state_);
}

}  // namespace sluice::net
