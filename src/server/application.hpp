#pragma once
// server::Application: one configured application (`rtmp://host/<name>`):
// its rights and its streams. Instances ("live/room1") share the
// application's rights; their streams are told apart in the hub by an
// "instance/stream" key.
#include <string>
#include <string_view>

#include "server/config.hpp"
#include "server/stream_hub.hpp"

namespace sluice::server {

class Application {
public:
    Application(AppConfig config, net::WorkerPool& workers, std::size_t gop_cache_bytes)
        : config_(std::move(config)), hub_(workers, gop_cache_bytes) {}

    const AppConfig& config() const noexcept { return config_; }
    const std::string& name() const noexcept { return config_.name; }
    StreamHub& hub() noexcept { return hub_; }

    static std::string stream_key(std::string_view instance, std::string_view stream) {
        std::string key(instance);
        key += '/';
        key += stream;
        return key;
    }

private:
    AppConfig config_;
    StreamHub hub_;
};

}  // namespace sluice::server
