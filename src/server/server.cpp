#include "server/server.hpp"

#include <spdlog/spdlog.h>
#include <boost/asio/post.hpp>

#include <chrono>
#include <optional>
#include <thread>

#include "net/tcp_transport.hpp"
#include "server/session.hpp"

namespace sluice::server {

namespace asio = boost::asio;
using namespace std::chrono_literals;

Server::Server(ServerConfig config)
    : config_(std::move(config)),
      workers_(std::make_unique<net::WorkerPool>(config_.workers)),
      context_(std::make_unique<ServerContext>(config_, *workers_)) {}

Server::~Server() {
    stop();
    // The listeners' aborted accepts hold sockets of the workers' contexts:
    // run them out while both still exist. Then the worker contexts, whose
    // queued handlers own the last sessions (which use context_), then context_.
    control_.restart();
    control_.poll();
    listeners_.clear();
    workers_.reset();
    context_.reset();
}

void Server::start() {
    for (const std::string& text : config_.listen) {
        const ListenAddress address = parse_listen_address(text);
        auto listener = std::make_unique<net::Listener>(
            control_, *workers_,
            [this](asio::ip::tcp::socket socket, std::size_t worker) {
                on_accept(std::move(socket), worker);
            },
            [](const boost::system::error_code& ec) { spdlog::warn("accept failed: {}", ec.message()); });
        try {
            listener->bind(address.host, address.port);
        } catch (const boost::system::system_error& e) {
            throw ConfigError("cannot listen on " + text + ": " + e.code().message());
        }
        listeners_.push_back(std::move(listener));
    }
    workers_->start();
    for (auto& listener : listeners_) {
        listener->start();
        spdlog::info("listening on rtmp://{}", net::endpoint_text(listener->local_endpoint()));
    }
    spdlog::info("{} worker(s); applications:{}", workers_->size(), [this] {
        std::string names;
        for (const AppConfig& app : config_.apps) {
            names += " " + app.name + (app.publish ? " publish" : "") + (app.play ? " play" : "") + ";";
        }
        return names;
    }());
}

void Server::on_accept(asio::ip::tcp::socket socket, std::size_t worker) {
    if (context_->stopping) return;
    if (context_->connections.load() >= config_.limits.max_connections) {
        spdlog::warn("connection refused: {} connections open (limits.max_connections)",
                     context_->connections.load());
        return;  // the socket closes here
    }
    boost::system::error_code ec;
    const auto peer = socket.remote_endpoint(ec);
    if (ec) {
        spdlog::debug("connection dropped on accept: {}", ec.message());
        return;  // the peer is gone already
    }
    std::optional<PeerSlot> slot = context_->acquire_peer(peer.address());
    if (!slot) {
        spdlog::warn(
            "connection from {} refused: {} connections open from this address (per-IP limit, "
            "limits.max_connections_per_ip)",
            peer.address().to_string(), context_->peer_connections(peer.address()));
        return;  // the socket closes here
    }
    auto session = std::make_shared<Session>(std::make_unique<net::TcpTransport>(std::move(socket)),
                                             *context_, worker, std::move(*slot));
    asio::post(workers_->context(worker), [session] { session->start(); });
}

void Server::stop() {
    if (stopped_) return;
    stopped_ = true;
    context_->stopping = true;
    for (auto& listener : listeners_) listener->close();
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

std::vector<boost::asio::ip::tcp::endpoint> Server::local_endpoints() const {
    std::vector<boost::asio::ip::tcp::endpoint> out;
    for (const auto& listener : listeners_) out.push_back(listener->local_endpoint());
    return out;
}

}  // namespace sluice::server
