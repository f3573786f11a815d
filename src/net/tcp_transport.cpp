#include "net/tcp_transport.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace sluice::net {

namespace asio = boost::asio;

namespace {
constexpr auto use_nothrow = asio::as_tuple(asio::use_awaitable);
}

std::string endpoint_text(const asio::ip::tcp::endpoint& endpoint) {
    const auto address = endpoint.address();
    return (address.is_v6() ? "[" + address.to_string() + "]" : address.to_string()) + ":" +
           std::to_string(endpoint.port());
}

TcpTransport::TcpTransport(asio::ip::tcp::socket socket) : socket_(std::move(socket)) {
    boost::system::error_code ec;
    const auto remote = socket_.remote_endpoint(ec);
    peer_ = ec ? "?" : endpoint_text(remote);
    socket_.set_option(asio::ip::tcp::no_delay(true), ec);
    socket_.non_blocking(true, ec);
}

asio::awaitable<IoResult> TcpTransport::read_some(asio::mutable_buffer buffer) {
    auto [ec, n] = co_await socket_.async_read_some(buffer, use_nothrow);
    co_return IoResult{ec, n};
}

IoResult TcpTransport::read_now(asio::mutable_buffer buffer) {
    IoResult r;
    r.bytes = socket_.read_some(buffer, r.error);
    if (r.error == asio::error::try_again) r.error = asio::error::would_block;
    return r;
}

IoResult TcpTransport::write_now(ConstBuffers buffers) {
    IoResult r;
    r.bytes = socket_.write_some(buffers, r.error);
    if (r.error == asio::error::try_again) r.error = asio::error::would_block;
    return r;
}

asio::awaitable<IoResult> TcpTransport::write_some(ConstBuffers buffers) {
    auto [ec, n] = co_await socket_.async_write_some(buffers, use_nothrow);
    co_return IoResult{ec, n};
}

asio::awaitable<boost::system::error_code> TcpTransport::wait_writable() {
    auto [ec] = co_await socket_.async_wait(asio::ip::tcp::socket::wait_write, use_nothrow);
    co_return ec;
}

void TcpTransport::shutdown_send() noexcept {
    boost::system::error_code ignored;
    socket_.shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
}

void TcpTransport::close() noexcept {
    boost::system::error_code ignored;
    socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
}

}  // namespace sluice::net
