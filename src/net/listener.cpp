#include "net/listener.hpp"

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/v6_only.hpp>

#include <chrono>

namespace sluice::net {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

Listener::Listener(asio::io_context& accept_context, WorkerPool& workers, AcceptHandler on_accept,
                   ErrorHandler on_error)
    : acceptor_(accept_context),
      pause_(accept_context),
      workers_(workers),
      on_accept_(std::move(on_accept)),
      on_error_(std::move(on_error)) {}

void Listener::bind(const std::string& host, std::uint16_t port) {
    const tcp::endpoint endpoint(asio::ip::make_address(host), port);
    acceptor_.open(endpoint.protocol());
    acceptor_.set_option(tcp::acceptor::reuse_address(true));
    if (endpoint.address().is_v6()) acceptor_.set_option(asio::ip::v6_only(false));
    acceptor_.bind(endpoint);
    acceptor_.listen(asio::socket_base::max_listen_connections);
}

void Listener::start() {
    accept_next();
}

void Listener::close() noexcept {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    pause_.cancel();
}

tcp::endpoint Listener::local_endpoint() const {
    return acceptor_.local_endpoint();
}

void Listener::accept_next() {
    const std::size_t worker = workers_.pick();
    acceptor_.async_accept(workers_.context(worker),
                           [this, worker](boost::system::error_code ec, tcp::socket socket) {
                               if (!acceptor_.is_open()) return;
                               if (!ec) {
                                   on_accept_(std::move(socket), worker);
                                   accept_next();
                                   return;
                               }
                               on_error_(ec);
                               // Out of descriptors or a connection reset before accept: wait a
                               // little instead of spinning on the same error.
                               pause_.expires_after(std::chrono::milliseconds(100));
                               pause_.async_wait([this](boost::system::error_code wait_ec) {
                                   if (!wait_ec && acceptor_.is_open()) accept_next();
                               });
                           });
}

}  // namespace sluice::net
