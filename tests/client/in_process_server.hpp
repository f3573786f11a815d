#pragma once
// `sluice serve` in the client tests' process: server::Server on loopback
// ports (RTMP, and RTMPT when the config keeps an HTTP listener), one
// worker, its control context on a thread of its own. Test code only.
#include <spdlog/spdlog.h>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>

#include <cstdint>
#include <functional>
#include <string>
#include <thread>

#include "rtmp/url.hpp"
#include "server/server.hpp"

namespace sluice::client {

class InProcessServer {
public:
    /// `adjust` may change the config first (limits, listeners, ...).
    explicit InProcessServer(const std::function<void(server::ServerConfig&)>& adjust = {})
        : server_(make_config(adjust)), guard_(boost::asio::make_work_guard(server_.control_context())) {
        server_.start();
        thread_ = std::thread([this] { server_.control_context().run(); });
    }
    ~InProcessServer() {
        boost::asio::post(server_.control_context(), [this] {
            server_.stop();
            guard_.reset();
        });
        thread_.join();
    }
    InProcessServer(const InProcessServer&) = delete;
    InProcessServer& operator=(const InProcessServer&) = delete;

    server::Server& server() noexcept { return server_; }
    std::uint16_t port() const { return server_.local_endpoints().at(0).port(); }
    /// The server's own RTMPT listener (when the config has one).
    std::uint16_t http_port() const { return server_.http_endpoints().at(0).port(); }
    rtmp::Url url(const std::string& path) const {
        return *rtmp::Url::parse("rtmp://127.0.0.1:" + std::to_string(port()) + "/" + path);
    }

private:
    static server::ServerConfig make_config(const std::function<void(server::ServerConfig&)>& adjust) {
        spdlog::set_level(spdlog::level::warn);
        server::ServerConfig config;
        config.listen = {"127.0.0.1:0"};
        config.http.listen = {};
        config.workers = 1;
        if (adjust) adjust(config);
        return config;
    }

    server::Server server_;
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard_;
    std::thread thread_;
};

}  // namespace sluice::client
