#include "server/server_context.hpp"

namespace sluice::server {

ServerContext::ServerContext(const ServerConfig& config, net::WorkerPool& workers)
    : config_(config), sessions_(workers.size()) {
    for (const AppConfig& app : config.apps) {
        apps_.push_back(std::make_unique<Application>(app, workers, config.limits.gop_cache_bytes));
    }
}

Application* ServerContext::find_app(std::string_view name) noexcept {
    for (auto& app : apps_) {
        if (app->name() == name) return app.get();
    }
    return nullptr;
}

}  // namespace sluice::server
