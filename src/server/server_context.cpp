#include "server/server_context.hpp"

namespace sluice::server {

ServerContext::ServerContext(const ServerConfig& config, net::WorkerPool& workers)
    : config_(config), sessions_(workers.size()) {
    for (const AppConfig& app : config.apps) {
        apps_.push_back(std::make_unique<Application>(app, workers, config.limits.gop_cache_bytes,
                                                      config.shared_objects, config.shared_object_limits));
    }
}

Application* ServerContext::find_app(std::string_view name) noexcept {
    for (auto& app : apps_) {
        if (app->name() == name) return app.get();
    }
    return nullptr;
}

std::optional<PeerSlot> ServerContext::acquire_peer(const boost::asio::ip::address& address) {
    const std::size_t limit = config_.limits.max_connections_per_ip;
    if (limit == 0) return PeerSlot{};
    const std::lock_guard lock(peers_mutex_);
    std::size_t& count = peers_[address];
    if (count >= limit) return std::nullopt;  // count >= 1 here: the entry existed
    ++count;
    return PeerSlot{*this, address};
}

std::size_t ServerContext::peer_connections(const boost::asio::ip::address& address) const {
    const std::lock_guard lock(peers_mutex_);
    const auto it = peers_.find(address);
    return it == peers_.end() ? 0 : it->second;
}

void ServerContext::release_peer(const boost::asio::ip::address& address) noexcept {
    const std::lock_guard lock(peers_mutex_);
    const auto it = peers_.find(address);
    // Erase at zero so that the map holds only peers with open connections.
    if (it != peers_.end() && --it->second == 0) peers_.erase(it);
}

PeerSlot& PeerSlot::operator=(PeerSlot&& other) noexcept {
    if (this != &other) {
        release();
        context_ = other.context_;
        address_ = other.address_;
        other.context_ = nullptr;
    }
    return *this;
}

void PeerSlot::release() noexcept {
    if (context_) context_->release_peer(address_);
    context_ = nullptr;
}

}  // namespace sluice::server
