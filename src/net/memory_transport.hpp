#pragma once
// net::MemoryTransport: a Transport whose peer is the program itself. The
// whole-session fuzz targets and unit tests feed it the bytes a peer would
// send and look at what the session wrote back, with no socket and no
// kernel in between, so a run is fast and repeatable.
//
// Contract:
//  - feed() queues bytes for the reader; each feed() is delivered by
//    separate reads (a read never joins two feeds), so a test controls how
//    input is split. feed_eof() ends the input: once the queued bytes are
//    read, read_some() returns error::eof.
//  - Writes always succeed in full (the transport is never full) until
//    close(); the first `max_kept` bytes written are kept for written(),
//    the rest only counted.
//  - read_some() waits on a timer when nothing is queued; feed(),
//    feed_eof() and close() wake it. After close(), feed() is ignored.
#include <boost/asio/steady_timer.hpp>

#include <cstdint>
#include <deque>
#include <span>
#include <vector>

#include "net/transport.hpp"

namespace sluice::net {

class MemoryTransport final : public Transport {
public:
    explicit MemoryTransport(boost::asio::any_io_executor executor, std::size_t max_kept = 1 << 20);

    void feed(std::span<const std::uint8_t> bytes);
    void feed_eof();

    const std::vector<std::uint8_t>& written() const noexcept { return written_; }
    std::uint64_t bytes_written() const noexcept { return bytes_written_; }
    bool send_shut() const noexcept { return send_shut_; }
    bool closed() const noexcept { return closed_; }

    boost::asio::any_io_executor get_executor() override { return executor_; }
    boost::asio::awaitable<IoResult> read_some(boost::asio::mutable_buffer buffer) override;
    IoResult read_now(boost::asio::mutable_buffer buffer) override;
    IoResult write_now(ConstBuffers buffers) override;
    boost::asio::awaitable<IoResult> write_some(ConstBuffers buffers) override;
    boost::asio::awaitable<boost::system::error_code> wait_writable() override;
    void shutdown_send() noexcept override { send_shut_ = true; }
    void close() noexcept override;
    std::string peer() const override { return "memory"; }

private:
    boost::asio::any_io_executor executor_;
    boost::asio::steady_timer signal_;
    std::deque<std::vector<std::uint8_t>> input_;
    std::size_t front_offset_ = 0;  ///< bytes of input_.front() already read
    bool eof_ = false;
    bool send_shut_ = false;
    bool closed_ = false;
    std::size_t max_kept_;
    std::vector<std::uint8_t> written_;
    std::uint64_t bytes_written_ = 0;
};

}  // namespace sluice::net
