#pragma once
// net::Listener: accepts TCP connections on one address and hands each
// socket, already bound to the worker that will own it, to a callback.
//
// Contract:
//  - The acceptor lives on `accept_context`; each accepted socket is created
//    on the context of the worker WorkerPool::pick() chose, and `on_accept`
//    is called on the accepting thread with the socket and the worker index
//    (the callback posts the connection's start to that worker).
//  - bind() throws boost::system::system_error when the address cannot be
//    bound (startup error: the CLI says which address and why).
//  - Accept errors that concern one connection (EMFILE, ECONNABORTED) are
//    passed to `on_error` and accepting goes on after a short pause.
//  - close() stops accepting; safe to call from the accepting thread.
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <cstddef>
#include <functional>
#include <string>

#include "net/worker_pool.hpp"

namespace sluice::net {

class Listener {
public:
    using AcceptHandler = std::function<void(boost::asio::ip::tcp::socket, std::size_t worker)>;
    using ErrorHandler = std::function<void(const boost::system::error_code&)>;

    Listener(boost::asio::io_context& accept_context, WorkerPool& workers, AcceptHandler on_accept,
             ErrorHandler on_error);

    /// Binds and listens on host:port (port 0: the OS picks; see local_endpoint()).
    void bind(const std::string& host, std::uint16_t port);
    /// Starts the accept loop.
    void start();
    void close() noexcept;

    boost::asio::ip::tcp::endpoint local_endpoint() const;

private:
    void accept_next();

    boost::asio::ip::tcp::acceptor acceptor_;
    boost::asio::steady_timer pause_;
    WorkerPool& workers_;
    AcceptHandler on_accept_;
    ErrorHandler on_error_;
};

}  // namespace sluice::net
