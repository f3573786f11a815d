#pragma once
// server::ServerContext: what every session shares - the configuration, the
// workers, the applications, and per-worker session lists - handed to
// sessions by reference (no globals; STYLE.md §3.2).
//
// Threads: config and applications are fixed after construction (read-only;
// the hubs lock inside). Each worker's session list is touched only on that
// worker. The counters are atomics. The per-address counts sit behind a
// mutex taken only when a connection is accepted (control thread) or ends
// (its worker), never per message.
#include <boost/asio/ip/address.hpp>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "net/worker_pool.hpp"
#include "server/application.hpp"
#include "server/config.hpp"

namespace sluice::server {

class Session;
class ServerContext;

/// One connection counted against its peer address
/// (limits.max_connections_per_ip); releases the count when destroyed.
/// Move-only; an empty slot (default, moved-from, or taken while the limit
/// is 0) releases nothing.
class PeerSlot {
public:
    PeerSlot() = default;
    PeerSlot(ServerContext& context, boost::asio::ip::address address) noexcept
        : context_(&context), address_(address) {}
    PeerSlot(PeerSlot&& other) noexcept : context_(other.context_), address_(other.address_) {
        other.context_ = nullptr;
    }
    PeerSlot& operator=(PeerSlot&& other) noexcept;
    PeerSlot(const PeerSlot&) = delete;
    PeerSlot& operator=(const PeerSlot&) = delete;
    ~PeerSlot() { release(); }

private:
    void release() noexcept;

    ServerContext* context_ = nullptr;
    boost::asio::ip::address address_;
};

class ServerContext {
public:
    ServerContext(const ServerConfig& config, net::WorkerPool& workers);

    const ServerConfig& config() const noexcept { return config_; }
    Application* find_app(std::string_view name) noexcept;

    /// Sessions living on `worker`: only that worker's thread may touch the set.
    std::unordered_set<Session*>& sessions_on(std::size_t worker) noexcept { return sessions_[worker]; }

    /// Counts one more connection from `address`: the slot, or nullopt when
    /// limits.max_connections_per_ip connections from it are open already
    /// (with that limit 0, always an empty slot). Any thread.
    std::optional<PeerSlot> acquire_peer(const boost::asio::ip::address& address);
    /// Open connections counted for `address`. Any thread.
    std::size_t peer_connections(const boost::asio::ip::address& address) const;

    std::atomic<std::size_t> connections{0};
    std::atomic<std::uint64_t> next_session_id{1};
    std::atomic<bool> stopping{false};

private:
    friend class PeerSlot;
    void release_peer(const boost::asio::ip::address& address) noexcept;

    const ServerConfig& config_;
    mutable std::mutex peers_mutex_;
    std::map<boost::asio::ip::address, std::size_t> peers_;  ///< addresses with open connections only
    std::vector<std::unique_ptr<Application>> apps_;
    std::vector<std::unordered_set<Session*>> sessions_;
};

}  // namespace sluice::server
