#pragma once
// server::Server: `sluice serve` as a library - workers, listeners,
// applications and sessions, with no globals (STYLE.md §3.2).
//
// Threads: start(), stop() and the listeners run on the control context
// (the caller's thread, which runs control_context()); sessions run on the
// workers.
//
// Contract:
//  - start() binds every configured listen address (a ConfigError names
//    the address and the reason when one cannot be bound) and starts the
//    workers; it logs "listening on rtmp://H:P"
//    per listener with the real port (a configured port 0 is chosen by the
//    OS, which the tests use).
//  - A connection is closed on accept, with a warn line, when
//    limits.max_connections are open, or when limits.max_connections_per_ip
//    are open from its address ("per-IP limit").
//  - With a certificate configured ([tls]), start() also loads it (a
//    ConfigError names the file and OpenSSL's reason) and listens for RTMPS
//    on tls.listen ("listening on rtmps://H:P"). A TLS connection is
//    admitted like a TCP one (the same limits), then runs its TLS handshake
//    on its worker, bounded by limits.handshake_timeout, and becomes a
//    Session over a net::TlsTransport: the same applications and streams.
//  - RTMPT: start() also listens for HTTP on http.listen ("listening on
//    rtmpt://H:P"; the default address only if it is free, else a warn
//    line) and, with a certificate, HTTPS on http.tls_listen ("listening on
//    rtmpts://H:P"). HTTP connections are admitted like RTMP ones and served
//    by the RtmptGateway on their worker; each tunnel is a Session.
//  - reload_tls() (SIGHUP) loads the certificate again; new connections get
//    it, open ones keep theirs. On failure the old one stays and the error
//    is logged. Call it on the control context.
//  - stop() is the clean shutdown of SIGINT/SIGTERM: no new connections,
//    players get StreamEOF + NetStream.Play.Stop, queued output is flushed
//    (at most ~2 s), sockets close, workers end. Idempotent.
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "net/listener.hpp"
#include "net/tls_context.hpp"
#include "net/worker_pool.hpp"
#include "server/config.hpp"
#include "server/rtmpt_gateway.hpp"
#include "server/server_context.hpp"

namespace sluice::server {

class Server {
public:
    explicit Server(ServerConfig config);
    ~Server();

    boost::asio::io_context& control_context() noexcept { return control_; }
    void start();
    void stop();
    void reload_tls();

    const ServerConfig& config() const noexcept { return config_; }
    /// The application named `name` (to register methods, methods.hpp), or nullptr.
    Application* find_app(std::string_view name) noexcept { return context_->find_app(name); }
    /// The bound addresses, in configuration order (after start(); real ports).
    std::vector<boost::asio::ip::tcp::endpoint> local_endpoints() const;
    /// The bound RTMPS addresses, in configuration order.
    std::vector<boost::asio::ip::tcp::endpoint> tls_endpoints() const;
    /// The bound RTMPT (HTTP) addresses, then the RTMPTS (HTTPS) ones.
    std::vector<boost::asio::ip::tcp::endpoint> http_endpoints() const;

private:
    /// The slot of an accepted connection, or nullopt (the limits refused it; logged).
    std::optional<PeerSlot> admit(boost::asio::ip::tcp::socket& socket);
    void on_accept(boost::asio::ip::tcp::socket socket, std::size_t worker);
    void on_accept_tls(boost::asio::ip::tcp::socket socket, std::size_t worker, ListenScheme then);
    void on_accept_http(boost::asio::ip::tcp::socket socket, std::size_t worker);
    /// Binds every address; with `best_effort`, one that cannot be bound is
    /// logged and skipped instead of failing start().
    void listen(const std::vector<std::string>& addresses, ListenScheme scheme,
                std::vector<std::unique_ptr<net::Listener>>& into, bool best_effort = false);
    void schedule_expiry();

    // Destruction order matters (see ~Server): sessions die with the worker
    // contexts and still touch context_, so both are destroyed explicitly.
    ServerConfig config_;
    boost::asio::io_context control_;
    std::unique_ptr<net::WorkerPool> workers_;
    std::unique_ptr<ServerContext> context_;
    std::vector<std::unique_ptr<net::Listener>> listeners_;
    std::vector<std::unique_ptr<net::Listener>> tls_listeners_;
    std::vector<std::unique_ptr<net::Listener>> http_listeners_;  ///< RTMPT, then RTMPTS
    std::unique_ptr<RtmptGateway> rtmpt_;
    std::unique_ptr<boost::asio::steady_timer> expiry_;
    std::shared_ptr<const net::TlsServerContext> tls_;  ///< set when RTMPS is on
    bool stopped_ = false;
};

}  // namespace sluice::server
