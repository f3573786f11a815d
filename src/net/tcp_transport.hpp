#pragma once
// net::TcpTransport: a Transport over a connected TCP socket. It sets
// TCP_NODELAY (RTMP messages are small and latency matters) and puts the
// socket in non-blocking mode so that write_now()/read_now() are plain
// writev/read calls that never wait.
#include <boost/asio/ip/tcp.hpp>

#include "net/transport.hpp"

namespace sluice::net {

class TcpTransport final : public Transport {
public:
    explicit TcpTransport(boost::asio::ip::tcp::socket socket);

    boost::asio::any_io_executor get_executor() override { return socket_.get_executor(); }
    boost::asio::awaitable<IoResult> read_some(boost::asio::mutable_buffer buffer) override;
    IoResult read_now(boost::asio::mutable_buffer buffer) override;
    IoResult write_now(ConstBuffers buffers) override;
    boost::asio::awaitable<IoResult> write_some(ConstBuffers buffers) override;
    boost::asio::awaitable<boost::system::error_code> wait_writable() override;
    void shutdown_send() noexcept override;
    void close() noexcept override;
    std::string peer() const override { return peer_; }

    boost::asio::ip::tcp::socket& socket() noexcept { return socket_; }

private:
    boost::asio::ip::tcp::socket socket_;
    std::string peer_;
};

/// "203.0.113.7:50312" or "[2001:db8::1]:50312" (peers in logs, listen addresses).
std::string endpoint_text(const boost::asio::ip::tcp::endpoint& endpoint);

}  // namespace sluice::net
