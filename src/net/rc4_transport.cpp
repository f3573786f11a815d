#include "net/rc4_transport.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <variant>
#include <vector>

namespace sluice::net {

namespace asio = boost::asio;
using boost::system::error_code;
using namespace asio::experimental::awaitable_operators;

namespace {

constexpr auto use_nothrow = asio::as_tuple(asio::use_awaitable);
/// A drained pending buffer keeps at most this much capacity: an idle
/// player should not hold a burst's worth of memory.
constexpr std::size_t idle_capacity = 64 * 1024;

asio::awaitable<bool> cancelled() {
    const asio::cancellation_state state = co_await asio::this_coro::cancellation_state;
    co_return state.cancelled() != asio::cancellation_type::none;
}

}  // namespace

struct Rc4Transport::State {
    State(std::unique_ptr<Transport> t, rtmp::Rc4Cipher i, rtmp::Rc4Cipher o)
        : inner(std::move(t)),
          in(std::move(i)),
          out(std::move(o)),
          signal(inner->get_executor()),
          read_cancel(inner->get_executor()),
          linger(inner->get_executor()) {
        signal.expires_at(asio::steady_timer::time_point::max());
        read_cancel.expires_at(asio::steady_timer::time_point::max());
    }
    State(const State&) = delete;
    State& operator=(const State&) = delete;

    std::size_t pending_size() const noexcept { return pending.size() - head; }

    /// Appends `bytes` to pending; returns where they start.
    std::size_t append(const std::uint8_t* bytes, std::size_t n) {
        if (head > 0 && head >= pending.size() / 2) {
            pending.erase(pending.begin(), pending.begin() + static_cast<std::ptrdiff_t>(head));
            head = 0;
        }
        const std::size_t at = pending.size();
        pending.insert(pending.end(), bytes, bytes + n);
        return at;
    }

    /// Gives pending bytes to the inner transport without waiting. Every
    /// byte leaves through here, from the front, so writers and the flusher
    /// never reorder the stream.
    void flush_now() {
        while (pending_size() > 0 && !write_error && !inner_closed) {
            const asio::const_buffer one[] = {asio::buffer(pending.data() + head, pending_size())};
            const IoResult r = inner->write_now(one);
            if (r.error == asio::error::would_block || (!r.error && r.bytes == 0)) break;
            if (r.error) {
                write_error = r.error;
                break;
            }
            head += r.bytes;
        }
        if (pending_size() == 0) {
            pending.clear();
            head = 0;
            if (pending.capacity() > idle_capacity) pending.shrink_to_fit();
        }
    }

    /// Called whenever pending may have drained: half-closes the inner
    /// transport after shutdown_send(), or ends a lingering close().
    void finish_send_side() {
        if (pending_size() > 0 && !write_error) return;
        if (lingering) {
            close_inner();
            return;
        }
        if (send_shut && !inner_send_shut && !inner_closed) {
            inner->shutdown_send();
            inner_send_shut = true;
        }
    }

    void close_inner() noexcept {
        if (inner_closed) return;
        inner_closed = true;
        inner->close();
        linger.cancel();
        signal.cancel();
        read_cancel.cancel();
    }

    std::unique_ptr<Transport> inner;
    rtmp::Rc4Cipher in;
    rtmp::Rc4Cipher out;
    std::vector<std::uint8_t> pending;  ///< ciphertext not yet taken by inner, from `head`
    std::size_t head = 0;
    asio::steady_timer signal;       ///< never expires; cancelled to wake wait_writable()
    asio::steady_timer read_cancel;  ///< never expires; cancelled by close() to end a read_some()
    asio::steady_timer linger;       ///< bounds a lingering close()
    bool flusher_running = false;
    bool send_shut = false;        ///< shutdown_send() was called
    bool inner_send_shut = false;  ///< ... and reached the inner transport
    bool closed = false;           ///< close() was called
    bool lingering = false;        ///< closed, still flushing pending
    bool inner_closed = false;
    error_code write_error;
};

namespace {

using State = Rc4Transport::State;

asio::awaitable<void> flush_loop(std::shared_ptr<State> s) {
    while (true) {
        s->flush_now();
        if (s->write_error || s->pending_size() == 0 || s->inner_closed) break;
        if (s->pending_size() < Rc4Transport::pending_limit) s->signal.cancel();
        // Only the flusher waits on the inner transport's writability, so
        // there is never more than one such wait.
        const error_code ec = co_await s->inner->wait_writable();
        if (ec) {
            if (!s->write_error && !s->inner_closed) s->write_error = ec;
            break;
        }
    }
    s->flusher_running = false;
    s->signal.cancel();
    s->finish_send_side();
}

/// Makes sure pending bytes keep going out while nobody writes.
void start_flusher(const std::shared_ptr<State>& s) {
    if (s->flusher_running || s->pending_size() == 0 || s->write_error || s->inner_closed) return;
    s->flusher_running = true;
    asio::co_spawn(s->inner->get_executor(), flush_loop(s), asio::detached);
}

}  // namespace

Rc4Transport::Rc4Transport(std::unique_ptr<Transport> inner, rtmp::Rc4Cipher in, rtmp::Rc4Cipher out,
                           std::span<const std::uint8_t> clear_prefix)
    : state_(std::make_shared<State>(std::move(inner), std::move(in), std::move(out))) {
    if (clear_prefix.empty()) return;
    state_->append(clear_prefix.data(), clear_prefix.size());
    state_->flush_now();
    start_flusher(state_);
}

Rc4Transport::~Rc4Transport() {
    close();
}

asio::any_io_executor Rc4Transport::get_executor() {
    return state_->inner->get_executor();
}

std::string Rc4Transport::peer() const {
    return state_->inner->peer();
}

std::size_t Rc4Transport::pending_bytes() const noexcept {
    return state_->pending_size();
}

void Rc4Transport::decrypt_in_place(std::span<std::uint8_t> bytes) noexcept {
    state_->in.apply(bytes);
}

IoResult Rc4Transport::read_now(asio::mutable_buffer buffer) {
    State& s = *state_;
    if (s.closed) return {asio::error::bad_descriptor, 0};
    const IoResult r = s.inner->read_now(buffer);
    if (r.bytes > 0) s.in.apply({static_cast<std::uint8_t*>(buffer.data()), r.bytes});
    return r;
}

asio::awaitable<IoResult> Rc4Transport::read_some(asio::mutable_buffer buffer) {
    const std::shared_ptr<State> s = state_;
    if (s->closed) co_return IoResult{asio::error::bad_descriptor, 0};
    // Raced against close(): a lingering close keeps the inner transport
    // open to flush, so its read would not end by itself.
    auto raced = co_await (s->inner->read_some(buffer) || s->read_cancel.async_wait(use_nothrow));
    if (raced.index() == 1 || s->closed) co_return IoResult{asio::error::operation_aborted, 0};
    const IoResult r = std::get<0>(raced);
    if (r.bytes > 0) s->in.apply({static_cast<std::uint8_t*>(buffer.data()), r.bytes});
    co_return r;
}

IoResult Rc4Transport::write_now(ConstBuffers buffers) {
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
            const std::size_t n = std::min(left, pending_limit - s.pending_size());
            const std::size_t at = s.append(data, n);
            // Encrypted once, here: from now on these bytes are committed.
            s.out.apply({s.pending.data() + at, n});
            data += n;
            left -= n;
            accepted += n;
            s.flush_now();
        }
        if (left > 0) break;
    }
    start_flusher(state_);
    // Bytes accepted count even if the inner transport failed meanwhile:
    // the error comes with the next call.
    if (accepted > 0) return {{}, accepted};
    if (s.write_error) return {s.write_error, 0};
    return {asio::error::would_block, 0};
}

asio::awaitable<error_code> Rc4Transport::wait_writable() {
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

asio::awaitable<IoResult> Rc4Transport::write_some(ConstBuffers buffers) {
    while (true) {
        if (co_await cancelled()) co_return IoResult{asio::error::operation_aborted, 0};
        const IoResult r = write_now(buffers);
        if (r.error != asio::error::would_block) co_return r;
        const error_code ec = co_await wait_writable();
        if (ec) co_return IoResult{ec, 0};
    }
}

void Rc4Transport::shutdown_send() noexcept {
    State& s = *state_;
    if (s.closed || s.send_shut) return;
    s.send_shut = true;
    s.flush_now();
    s.finish_send_side();
    start_flusher(state_);
}

void Rc4Transport::close() noexcept {
    State& s = *state_;
    if (s.closed) return;
    s.closed = true;
    s.signal.cancel();
    s.read_cancel.cancel();
    if (s.inner_closed) return;
    s.flush_now();
    if (s.pending_size() == 0 || s.write_error) {
        s.close_inner();
        return;
    }
    // Linger: keep flushing in the background, for close_linger at most.
    s.lingering = true;
    s.linger.expires_after(close_linger);
    s.linger.async_wait([state = state_](error_code) { state->close_inner(); });
    start_flusher(state_);
}

}  // namespace sluice::net
