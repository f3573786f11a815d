#pragma once
// server::ServerContext: what every session shares - the configuration, the
// workers, the applications, and per-worker session lists - handed to
// sessions by reference (no globals; STYLE.md §3.2).
//
// Threads: config and applications are fixed after construction (read-only;
// the hubs lock inside). Each worker's session list is touched only on that
// worker. The counters are atomics.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "net/worker_pool.hpp"
#include "server/application.hpp"
#include "server/config.hpp"

namespace sluice::server {

class Session;

class ServerContext {
public:
    ServerContext(const ServerConfig& config, net::WorkerPool& workers);

    const ServerConfig& config() const noexcept { return config_; }
    Application* find_app(std::string_view name) noexcept;

    /// Sessions living on `worker`: only that worker's thread may touch the set.
    std::unordered_set<Session*>& sessions_on(std::size_t worker) noexcept { return sessions_[worker]; }

    std::atomic<std::size_t> connections{0};
    std::atomic<std::uint64_t> next_session_id{1};
    std::atomic<bool> stopping{false};

private:
    const ServerConfig& config_;
    std::vector<std::unique_ptr<Application>> apps_;
    std::vector<std::unordered_set<Session*>> sessions_;
};

}  // namespace sluice::server
