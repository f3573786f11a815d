#include "server/server.hpp"

#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>
#include <optional>
#include <thread>

#include "net/tcp_transport.hpp"
#include "net/tls_transport.hpp"
#include "server/session.hpp"

namespace sluice::server {

namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

using namespace boost::asio::experimental::awaitable_operators;

/// The TLS handshake of an admitted RTMPS or RTMPTS connection, on its
/// worker; then the same Session as TCP, or (with `rtmpt`) the HTTP side of
/// RTMPT. The context is held for the handshake (a reload may replace the
/// server's meanwhile).
asio::awaitable<void> tls_handshake(asio::ip::tcp::socket socket,
                                    std::shared_ptr<const net::TlsServerContext> tls, PeerSlot slot,
                                    ServerContext& context, std::size_t worker,
                                    std::chrono::milliseconds timeout, RtmptGateway* rtmpt) {
    boost::system::error_code ignored;
    const auto remote = socket.remote_endpoint(ignored);
    const std::string peer = net::endpoint_text(remote);
    asio::steady_timer timer(co_await asio::this_coro::executor);
    timer.expires_after(timeout);
    auto raced = co_await (net::TlsTransport::accept(std::move(socket), *tls) ||
                           timer.async_wait(asio::as_tuple(asio::use_awaitable)));
    if (raced.index() == 1) {
        spdlog::info("TLS handshake from {} timed out after {} ms (limits.handshake_timeout_ms)", peer,
                     timeout.count());
        co_return;
    }
    auto transport = std::get<0>(std::move(raced));
    if (!transport) {
        spdlog::info("{}", transport.error().message);
        co_return;
    }
    if (context.stopping) co_return;
    spdlog::debug("TLS from {}: {}", peer, (*transport)->protocol_version());
    if (rtmpt) {
        co_await rtmpt->serve(std::move(transport.value()), worker, remote.address(), std::move(slot));
        co_return;
    }
    auto session = std::make_shared<Session>(std::move(transport.value()), context, worker, std::move(slot));
    session->start();
}

}  // namespace

Server::Server(ServerConfig config)
    : config_(std::move(config)),
      workers_(std::make_unique<net::WorkerPool>(config_.workers)),
      context_(std::make_unique<ServerContext>(config_, *workers_)),
      rtmpt_(std::make_unique<RtmptGateway>(*context_)) {}

Server::~Server() {
    stop();
    // The listeners' aborted accepts hold sockets of the workers' contexts:
    // run them out while both still exist. Then the worker contexts, whose
    // queued handlers own the last sessions (which use context_), then context_.
    control_.restart();
    control_.poll();
    listeners_.clear();
    tls_listeners_.clear();
    http_listeners_.clear();
    expiry_.reset();
    // Tunnels hold timers of the worker contexts: the gateway lets go of
    // them first; the sessions' references die with the contexts.
    rtmpt_.reset();
    workers_.reset();
    context_.reset();
}

void Server::listen(const std::vector<std::string>& addresses, ListenScheme scheme,
                    std::vector<std::unique_ptr<net::Listener>>& into, bool best_effort) {
    for (const std::string& text : addresses) {
        const ListenAddress address = parse_listen_address(text, scheme);
        auto listener = std::make_unique<net::Listener>(
            control_, *workers_,
            [this, scheme](asio::ip::tcp::socket socket, std::size_t worker) {
                switch (scheme) {
                    case ListenScheme::rtmp:
                        on_accept(std::move(socket), worker);
                        break;
                    case ListenScheme::http:
                        on_accept_http(std::move(socket), worker);
                        break;
                    default:
                        on_accept_tls(std::move(socket), worker, scheme);
                        break;
                }
            },
            [](const boost::system::error_code& ec) { spdlog::warn("accept failed: {}", ec.message()); });
        try {
            listener->bind(address.host, address.port);
        } catch (const boost::system::system_error& e) {
            if (best_effort) {
                spdlog::warn("RTMPT is off on {}: {} (set another address with --http, or --http off)", text,
                             e.code().message());
                continue;
            }
            throw ConfigError("cannot listen on " + text + ": " + e.code().message());
        }
        into.push_back(std::move(listener));
    }
}

void Server::start() {
    if (config_.tls.enabled()) {
        auto loaded = net::TlsServerContext::load(config_.tls.certificate, config_.tls.key,
                                                  config_.tls.min_version == "1.3");
        if (!loaded) throw ConfigError("tls.certificate: " + loaded.error().message);
        tls_ = std::move(loaded.value());
    }
    listen(config_.listen, ListenScheme::rtmp, listeners_);
    if (tls_) listen(config_.tls.listen, ListenScheme::rtmps, tls_listeners_);
    listen(config_.http.listen, ListenScheme::http, http_listeners_,
           config_.http.listen == HttpConfig{}.listen);
    const std::size_t plain_http = http_listeners_.size();
    if (tls_) listen(config_.http.tls_listen, ListenScheme::https, http_listeners_);
    workers_->start();
    for (auto& listener : listeners_) {
        listener->start();
        spdlog::info("listening on rtmp://{}", net::endpoint_text(listener->local_endpoint()));
    }
    for (auto& listener : tls_listeners_) {
        listener->start();
        spdlog::info("listening on rtmps://{} (certificate {})",
                     net::endpoint_text(listener->local_endpoint()), config_.tls.certificate);
    }
    for (std::size_t i = 0; i < http_listeners_.size(); ++i) {
        http_listeners_[i]->start();
        spdlog::info("listening on {}://{} (RTMP over HTTP{})", i < plain_http ? "rtmpt" : "rtmpts",
                     net::endpoint_text(http_listeners_[i]->local_endpoint()), i < plain_http ? "" : "S");
    }
    if (!http_listeners_.empty()) schedule_expiry();
    spdlog::info("{} worker(s); applications:{}", workers_->size(), [this] {
        std::string names;
        for (const AppConfig& app : config_.apps) {
            names += " " + app.name + (app.publish ? " publish" : "") + (app.play ? " play" : "") + ";";
        }
        return names;
    }());
}

void Server::reload_tls() {
    if (!config_.tls.enabled()) {
        spdlog::info("SIGHUP: no [tls] certificate configured; nothing to reload");
        return;
    }
    auto loaded = net::TlsServerContext::load(config_.tls.certificate, config_.tls.key,
                                              config_.tls.min_version == "1.3");
    if (!loaded) {
        spdlog::error("SIGHUP: the certificate was not reloaded, the old one stays: {}",
                      loaded.error().message);
        return;
    }
    tls_ = std::move(loaded.value());
    spdlog::info("SIGHUP: certificate {} reloaded; new RTMPS connections use it", config_.tls.certificate);
}

std::optional<PeerSlot> Server::admit(asio::ip::tcp::socket& socket) {
    if (context_->stopping) return std::nullopt;
    if (context_->connections.load() >= config_.limits.max_connections) {
        spdlog::warn("connection refused: {} connections open (limits.max_connections)",
                     context_->connections.load());
        return std::nullopt;  // the socket closes with its owner
    }
    boost::system::error_code ec;
    const auto peer = socket.remote_endpoint(ec);
    if (ec) {
        spdlog::debug("connection dropped on accept: {}", ec.message());
        return std::nullopt;  // the peer is gone already
    }
    std::optional<PeerSlot> slot = context_->acquire_peer(peer.address());
    if (!slot) {
        spdlog::warn(
            "connection from {} refused: {} connections open from this address (per-IP limit, "
            "limits.max_connections_per_ip)",
            peer.address().to_string(), context_->peer_connections(peer.address()));
    }
    return slot;
}

void Server::on_accept(asio::ip::tcp::socket socket, std::size_t worker) {
    std::optional<PeerSlot> slot = admit(socket);
    if (!slot) return;
    auto session = std::make_shared<Session>(std::make_unique<net::TcpTransport>(std::move(socket)),
                                             *context_, worker, std::move(*slot));
    asio::post(workers_->context(worker), [session] { session->start(); });
}

void Server::on_accept_tls(asio::ip::tcp::socket socket, std::size_t worker, ListenScheme then) {
    std::optional<PeerSlot> slot = admit(socket);
    if (!slot) return;
    RtmptGateway* rtmpt = then == ListenScheme::https ? rtmpt_.get() : nullptr;
    asio::co_spawn(workers_->context(worker),
                   tls_handshake(std::move(socket), tls_, std::move(*slot), *context_, worker,
                                 config_.limits.handshake_timeout, rtmpt),
                   asio::detached);
}

void Server::on_accept_http(asio::ip::tcp::socket socket, std::size_t worker) {
    std::optional<PeerSlot> slot = admit(socket);
    if (!slot) return;
    boost::system::error_code ignored;
    const auto address = socket.remote_endpoint(ignored).address();
    asio::co_spawn(workers_->context(worker),
                   rtmpt_->serve(std::make_unique<net::TcpTransport>(std::move(socket)), worker, address,
                                 std::move(*slot)),
                   asio::detached);
}

void Server::schedule_expiry() {
    if (!expiry_) expiry_ = std::make_unique<asio::steady_timer>(control_);
    expiry_->expires_after(1s);
    expiry_->async_wait([this](const boost::system::error_code& ec) {
        if (ec || stopped_) return;
        rtmpt_->expire();
        schedule_expiry();
    });
}

void Server::stop() {
    if (stopped_) return;
    stopped_ = true;
    context_->stopping = true;
    for (auto& listener : listeners_) listener->close();
    for (auto& listener : tls_listeners_) listener->close();
    for (auto& listener : http_listeners_) listener->close();
    if (expiry_) expiry_->cancel();
    for (std::size_t w = 0; w < workers_->size(); ++w) {
        asio::post(workers_->context(w), [this, w] {
            const auto sessions = context_->sessions_on(w);  // shutdown() removes itself: walk a copy
            for (Session* session : sessions) session->shutdown();
        });
    }
    // Sessions flush and close by themselves (each within ~2 s); wait for them.
    const auto deadline = std::chrono::steady_clock::now() + 3s;
    while (context_->connections.load() > 0 && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(10ms);
    }
    if (context_->connections.load() > 0) {
        spdlog::warn("{} connection(s) still open at shutdown; closing them", context_->connections.load());
    }
    workers_->stop();
    workers_->join();
    spdlog::info("stopped");
}

std::vector<boost::asio::ip::tcp::endpoint> Server::tls_endpoints() const {
    std::vector<boost::asio::ip::tcp::endpoint> out;
    for (const auto& listener : tls_listeners_) out.push_back(listener->local_endpoint());
    return out;
}

std::vector<boost::asio::ip::tcp::endpoint> Server::http_endpoints() const {
    std::vector<boost::asio::ip::tcp::endpoint> out;
    for (const auto& listener : http_listeners_) out.push_back(listener->local_endpoint());
    return out;
}

std::vector<boost::asio::ip::tcp::endpoint> Server::local_endpoints() const {
    std::vector<boost::asio::ip::tcp::endpoint> out;
    for (const auto& listener : listeners_) out.push_back(listener->local_endpoint());
    return out;
}

}  // namespace sluice::server
