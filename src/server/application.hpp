#pragma once
// server::Application: one configured application (`rtmp://host/<name>`):
// its rights and its streams. Instances ("live/room1") share the
// application's rights; their streams are told apart in the hub by an
// "instance/stream" key.
#include <string>
#include <string_view>

#include "server/config.hpp"
#include "server/methods.hpp"
#include "server/shared_object_registry.hpp"
#include "server/stream_hub.hpp"

namespace sluice::server {

class Application {
public:
    /// `shared_objects_dir`: where persistent shared objects live ("" = refused).
    Application(AppConfig config, net::WorkerPool& workers, std::size_t gop_cache_bytes,
                const std::string& shared_objects_dir = {}, SharedObjectLimits shared_object_limits = {})
        : config_(std::move(config)),
          hub_(workers, gop_cache_bytes),
          shared_objects_(config_.name, shared_objects_dir, shared_object_limits) {
        add_builtin_methods(methods_);
    }

    const AppConfig& config() const noexcept { return config_; }
    const std::string& name() const noexcept { return config_.name; }
    StreamHub& hub() noexcept { return hub_; }
    SharedObjectRegistry& shared_objects() noexcept { return shared_objects_; }
    /// The methods clients may `call` (methods.hpp); the built-in ones to start with.
    MethodTable& methods() noexcept { return methods_; }

    static std::string stream_key(std::string_view instance, std::string_view stream) {
        std::string key(instance);
        key += '/';
        key += stream;
        return key;
    }

private:
    AppConfig config_;
    StreamHub hub_;
    SharedObjectRegistry shared_objects_;
    MethodTable methods_;
};

}  // namespace sluice::server
