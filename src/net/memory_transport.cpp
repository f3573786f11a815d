#include "net/memory_transport.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <cstring>

namespace sluice::net {

namespace asio = boost::asio;

MemoryTransport::MemoryTransport(asio::any_io_executor executor, std::size_t max_kept)
    : executor_(executor), signal_(executor), max_kept_(max_kept) {}

void MemoryTransport::feed(std::span<const std::uint8_t> bytes) {
    if (bytes.empty() || eof_ || closed_) return;  // a closed transport reads nothing more
    input_.emplace_back(bytes.begin(), bytes.end());
    signal_.cancel();
}

void MemoryTransport::feed_eof() {
    eof_ = true;
    signal_.cancel();
}

IoResult MemoryTransport::read_now(asio::mutable_buffer buffer) {
    if (closed_) return {asio::error::bad_descriptor, 0};
    if (input_.empty()) {
        if (eof_) return {asio::error::eof, 0};
        return {asio::error::would_block, 0};
    }
    if (buffer.size() == 0) return {};
    const std::vector<std::uint8_t>& front = input_.front();
    const std::size_t n = std::min(buffer.size(), front.size() - front_offset_);
    std::memcpy(buffer.data(), front.data() + front_offset_, n);
    front_offset_ += n;
    if (front_offset_ == front.size()) {
        input_.pop_front();
        front_offset_ = 0;
    }
    return {{}, n};
}

asio::awaitable<IoResult> MemoryTransport::read_some(asio::mutable_buffer buffer) {
    for (;;) {
        if (closed_) co_return IoResult{asio::error::operation_aborted, 0};
        IoResult r = read_now(buffer);
        if (r.error != asio::error::would_block) co_return r;
        signal_.expires_at(asio::steady_timer::time_point::max());
        co_await signal_.async_wait(asio::as_tuple(asio::use_awaitable));
        // Woken by feed()/close(), or cancelled by our caller (a lost `||`).
        auto state = co_await asio::this_coro::cancellation_state;
        if (state.cancelled() != asio::cancellation_type::none)
            co_return IoResult{asio::error::operation_aborted, 0};
    }
}

IoResult MemoryTransport::write_now(ConstBuffers buffers) {
    if (closed_) return {asio::error::bad_descriptor, 0};
    if (send_shut_) return {asio::error::broken_pipe, 0};
    std::size_t n = 0;
    for (const asio::const_buffer& b : buffers) {
        const auto* p = static_cast<const std::uint8_t*>(b.data());
        const std::size_t keep = std::min(b.size(), max_kept_ - std::min(max_kept_, written_.size()));
        written_.insert(written_.end(), p, p + keep);
        n += b.size();
    }
    bytes_written_ += n;
    return {{}, n};
}

asio::awaitable<IoResult> MemoryTransport::write_some(ConstBuffers buffers) {
    co_return write_now(buffers);
}

asio::awaitable<boost::system::error_code> MemoryTransport::wait_writable() {
    // Never full: writable at once, unless closed.
    if (closed_) co_return boost::system::error_code(asio::error::bad_descriptor);
    co_return boost::system::error_code{};
}

void MemoryTransport::close() noexcept {
    closed_ = true;
    signal_.cancel();
}

}  // namespace sluice::net
