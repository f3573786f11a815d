#include "net/rtmpt_tunnel.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <stdexcept>

namespace sluice::net {

namespace asio = boost::asio;

namespace {

std::int64_t now_ms() noexcept {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

/// Waits on `timer` until it expires or someone cancels it (a wake-up).
/// True when the awaiting coroutine itself was cancelled.
asio::awaitable<bool> wait_on(asio::steady_timer& timer) {
    co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    auto state = co_await asio::this_coro::cancellation_state;
    co_return state.cancelled() != asio::cancellation_type::none;
}

}  // namespace

std::string new_rtmpt_session_id() {
    std::array<unsigned char, 8> raw{};
    if (RAND_bytes(raw.data(), static_cast<int>(raw.size())) != 1)
        throw std::runtime_error("RTMPT: the random number generator failed");
    static constexpr char digits[] = "0123456789ABCDEF";
    std::string id;
    for (unsigned char b : raw) {
        id += digits[b >> 4];
        id += digits[b & 15];
    }
    return id;
}

/// The session's side of the tunnel.
class RtmptTunnel::Endpoint final : public Transport {
public:
    explicit Endpoint(std::shared_ptr<RtmptTunnel> tunnel) : t_(std::move(tunnel)) {}
    ~Endpoint() override { close(); }

    asio::any_io_executor get_executor() override { return t_->executor_; }

    IoResult read_now(asio::mutable_buffer buffer) override {
        if (t_->transport_closed_) return {asio::error::bad_descriptor, 0};
        const std::size_t available = t_->inbound_.size() - t_->inbound_read_;
        if (available == 0) {
            if (t_->client_closed_) return {asio::error::eof, 0};
            return {asio::error::would_block, 0};
        }
        const std::size_t n = std::min(buffer.size(), available);
        std::memcpy(buffer.data(), t_->inbound_.data() + t_->inbound_read_, n);
        t_->inbound_read_ += n;
        if (t_->inbound_read_ == t_->inbound_.size()) {
            t_->inbound_.clear();
            t_->inbound_read_ = 0;
        }
        return {{}, n};
    }

    asio::awaitable<IoResult> read_some(asio::mutable_buffer buffer) override {
        for (;;) {
            if (t_->transport_closed_) co_return IoResult{asio::error::operation_aborted, 0};
            IoResult r = read_now(buffer);
            if (r.error != asio::error::would_block) co_return r;
            // Everything sent so far was read: a send waiting for that can answer.
            t_->reader_waiting_ = true;
            t_->consumed_.cancel();
            t_->readable_.expires_at(asio::steady_timer::time_point::max());
            auto waiting = wait_on(t_->readable_);
            const bool cancelled = co_await std::move(waiting);
            t_->reader_waiting_ = false;
            if (cancelled) co_return IoResult{asio::error::operation_aborted, 0};
        }
    }

    IoResult write_now(ConstBuffers buffers) override {
        if (t_->transport_closed_) return {asio::error::bad_descriptor, 0};
        if (t_->send_shut_) return {asio::error::shut_down, 0};
        if (t_->client_closed_) return {asio::error::broken_pipe, 0};
        const std::size_t pending = t_->outbound_.size() - t_->outbound_sent_;
        if (pending >= t_->options_.max_outbound_bytes) {
            bool any = false;
            for (const auto& b : buffers) any = any || b.size() > 0;
            return any ? IoResult{asio::error::would_block, 0} : IoResult{};
        }
        std::size_t room = t_->options_.max_outbound_bytes - pending;
        std::size_t n = 0;
        for (const auto& b : buffers) {
            const std::size_t take = std::min(room, b.size());
            const auto* p = static_cast<const std::uint8_t*>(b.data());
            t_->outbound_.insert(t_->outbound_.end(), p, p + take);
            n += take;
            room -= take;
            if (room == 0) break;
        }
        if (n > 0) t_->output_.cancel();
        return {{}, n};
    }

    asio::awaitable<IoResult> write_some(ConstBuffers buffers) override {
        for (;;) {
            IoResult r = write_now(buffers);
            if (r.error != asio::error::would_block) co_return r;
            // (GCC 12: awaited operands are named locals.)
            auto waiting = wait_writable();
            const boost::system::error_code ec = co_await std::move(waiting);
            if (ec) co_return IoResult{ec, 0};
        }
    }

    asio::awaitable<boost::system::error_code> wait_writable() override {
        for (;;) {
            if (t_->transport_closed_) co_return boost::system::error_code(asio::error::operation_aborted);
            if (t_->client_closed_) co_return boost::system::error_code(asio::error::broken_pipe);
            if (t_->outbound_.size() - t_->outbound_sent_ < t_->options_.max_outbound_bytes)
                co_return boost::system::error_code{};
            t_->writable_.expires_at(asio::steady_timer::time_point::max());
            auto waiting = wait_on(t_->writable_);
            const bool cancelled = co_await std::move(waiting);
            if (cancelled) co_return boost::system::error_code(asio::error::operation_aborted);
        }
    }

    void shutdown_send() noexcept override {
        t_->send_shut_ = true;
        t_->output_.cancel();
        t_->update_finished();
    }

    void close() noexcept override {
        if (t_->transport_closed_) return;
        t_->transport_closed_ = true;
        t_->inbound_.clear();
        t_->inbound_read_ = 0;
        t_->readable_.cancel();
        t_->consumed_.cancel();
        t_->output_.cancel();
        t_->writable_.cancel();
        t_->update_finished();
    }

    std::string peer() const override { return t_->peer_ + " (RTMPT)"; }

private:
    std::shared_ptr<RtmptTunnel> t_;
};

RtmptTunnel::RtmptTunnel(asio::any_io_executor executor, std::string id, std::string peer,
                         RtmptTunnelOptions options)
    : executor_(executor),
      id_(std::move(id)),
      peer_(std::move(peer)),
      options_(options),
      readable_(executor),
      consumed_(executor),
      output_(executor),
      writable_(executor) {
    touch();
}

RtmptTunnel::~RtmptTunnel() = default;

std::unique_ptr<Transport> RtmptTunnel::transport() {
    return std::make_unique<Endpoint>(shared_from_this());
}

void RtmptTunnel::touch() noexcept {
    last_request_ms_.store(now_ms());
}

void RtmptTunnel::update_finished() noexcept {
    const bool drained = outbound_.size() == outbound_sent_;
    finished_.store(client_closed_ || ((transport_closed_ || send_shut_) && drained));
}

bool RtmptTunnel::accept_sequence(std::uint64_t seq) noexcept {
    if (!any_seq_) {
        any_seq_ = true;
        highest_seq_ = seq;
        seen_window_ = 1;
        return true;
    }
    if (seq > highest_seq_) {
        const std::uint64_t shift = seq - highest_seq_;
        seen_window_ = shift >= 64 ? 1 : (seen_window_ << shift) | 1;
        highest_seq_ = seq;
        return true;
    }
    const std::uint64_t age = highest_seq_ - seq;
    if (age >= 64) return false;  // older than the window: treat as a replay
    const std::uint64_t bit = std::uint64_t{1} << age;
    if (seen_window_ & bit) return false;
    seen_window_ |= bit;
    return true;
}

std::vector<std::uint8_t> RtmptTunnel::take_reply() {
    const std::size_t pending = outbound_.size() - outbound_sent_;
    const std::size_t n = std::min(pending, options_.max_reply_bytes);
    if (n > 0) {
        empty_replies_ = 0;
        delay_ = 0;
    } else if (++empty_replies_ > 10) {
        delay_ = delay_ == 0 ? 1 : std::min(delay_ * 2, 32u);
    }
    std::vector<std::uint8_t> reply;
    reply.reserve(1 + n);
    const bool closing = (transport_closed_ || send_shut_ || client_closed_) && n == pending;
    reply.push_back(closing ? 0 : static_cast<std::uint8_t>(delay_ + 1));
    reply.insert(reply.end(), outbound_.begin() + static_cast<std::ptrdiff_t>(outbound_sent_),
                 outbound_.begin() + static_cast<std::ptrdiff_t>(outbound_sent_ + n));
    outbound_sent_ += n;
    // Compact once the delivered head outweighs what is left.
    if (outbound_sent_ == outbound_.size()) {
        outbound_.clear();
        outbound_sent_ = 0;
    } else if (outbound_sent_ > outbound_.size() / 2) {
        outbound_.erase(outbound_.begin(), outbound_.begin() + static_cast<std::ptrdiff_t>(outbound_sent_));
        outbound_sent_ = 0;
    }
    if (n > 0) writable_.cancel();
    update_finished();
    return reply;
}

asio::awaitable<std::optional<std::vector<std::uint8_t>>> RtmptTunnel::send(std::vector<std::uint8_t> bytes) {
    touch();
    if (!transport_closed_ && !client_closed_ && !bytes.empty()) {
        if (inbound_.size() - inbound_read_ + bytes.size() > options_.max_inbound_bytes)
            co_return std::nullopt;
        inbound_.insert(inbound_.end(), bytes.begin(), bytes.end());
        reader_waiting_ = false;
        readable_.cancel();
        consumed_.expires_after(options_.settle);
        const auto deadline = consumed_.expiry();
        while (!transport_closed_ && !(reader_waiting_ && inbound_.size() == inbound_read_) &&
               asio::steady_timer::clock_type::now() < deadline) {
            consumed_.expires_at(deadline);
            auto waiting = wait_on(consumed_);
            co_await std::move(waiting);
        }
        // The session's writer may answer on its next turn.
        co_await asio::post(executor_, asio::use_awaitable);
    }
    co_return take_reply();
}

asio::awaitable<std::vector<std::uint8_t>> RtmptTunnel::idle() {
    touch();
    if (outbound_.size() == outbound_sent_ && !transport_closed_ && !send_shut_ && !client_closed_) {
        output_.expires_after(options_.idle_hold);
        auto waiting = wait_on(output_);
        co_await std::move(waiting);
    }
    co_return take_reply();
}

void RtmptTunnel::close_from_client() {
    touch();
    client_closed_ = true;
    readable_.cancel();
    consumed_.cancel();
    output_.cancel();
    writable_.cancel();
    update_finished();
}

}  // namespace sluice::net
