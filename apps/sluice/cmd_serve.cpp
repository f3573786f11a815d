// `sluice serve`: runs the server until SIGINT or SIGTERM.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <boost/asio/signal_set.hpp>

#include <csignal>
#include <cstdio>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "commands.hpp"
#include "server/config.hpp"
#include "server/server.hpp"

namespace sluice::app {

namespace {

struct ServeOptions {
    std::string config_file;
    std::vector<std::string> listen;
    std::optional<unsigned> workers;
    std::string log_level;
    std::string recordings;
    std::string media;
    std::string shared_objects;
    std::string tls_certificate;
    std::string tls_key;
    std::vector<std::string> tls_listen;
    std::vector<std::string> http;
    std::vector<std::string> https;
};

void setup_logging(const std::string& level) {
    auto logger = spdlog::stderr_color_mt("sluice");
    spdlog::set_default_logger(logger);
    spdlog::set_pattern("%Y-%m-%d %H:%M:%S.%e %^%-5l%$ %v");
    spdlog::set_level(spdlog::level::from_str(level));
    // Every line at once: operators tail the log, tests read it while we run.
    spdlog::flush_on(spdlog::level::trace);
}

int serve(const ServeOptions& options) {
    server::ServerConfig config;
    try {
        if (!options.config_file.empty()) config = server::load_config(options.config_file);
        if (!options.listen.empty()) config.listen = options.listen;
        if (options.workers) config.workers = *options.workers;
        if (!options.log_level.empty()) config.log.level = options.log_level;
        if (!options.recordings.empty()) config.recordings = options.recordings;
        if (!options.media.empty()) config.media = options.media;
        if (!options.shared_objects.empty()) config.shared_objects = options.shared_objects;
        if (!options.tls_certificate.empty()) config.tls.certificate = options.tls_certificate;
        if (!options.tls_key.empty()) config.tls.key = options.tls_key;
        if (!options.tls_listen.empty()) config.tls.listen = options.tls_listen;
        if (!options.http.empty()) {
            const bool off = options.http.size() == 1 && options.http.front() == "off";
            config.http.listen = off ? std::vector<std::string>{} : options.http;
        }
        if (!options.https.empty()) config.http.tls_listen = options.https;
        config.validate();
    } catch (const server::ConfigError& e) {
        std::fprintf(stderr, "sluice serve: %s\n", e.what());
        return 1;
    }
    setup_logging(config.log.level);
    server::Server server(config);
    try {
        server.start();
    } catch (const server::ConfigError& e) {
        const std::string_view what = e.what();
        if (what.starts_with("cannot listen")) {
            spdlog::error("{} (is another server running there? pick another address with --listen)", what);
        } else {
            spdlog::error("{}", what);
        }
        return 2;
    }
    // SIGHUP reloads the RTMPS certificate (renewals without a restart).
    boost::asio::signal_set hangup(server.control_context(), SIGHUP);
    std::function<void()> wait_hangup = [&] {
        hangup.async_wait([&](const boost::system::error_code& ec, int) {
            if (ec) return;
            server.reload_tls();
            wait_hangup();
        });
    };
    wait_hangup();
    boost::asio::signal_set signals(server.control_context(), SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code& ec, int signal) {
        if (ec) return;
        spdlog::info("{} received: shutting down", signal == SIGINT ? "SIGINT" : "SIGTERM");
        server.stop();
        hangup.cancel();
        server.control_context().stop();
    });
    std::signal(SIGPIPE, SIG_IGN);
    // A file-size limit (ulimit -f) must fail a recording's write with
    // EFBIG (NetStream.Record.Failed), not kill every stream of the server.
    std::signal(SIGXFSZ, SIG_IGN);
    server.control_context().run();
    server.stop();
    return 0;
}

}  // namespace

Run add_serve(CLI::App& app) {
    auto options = std::make_shared<ServeOptions>();
    CLI::App* cmd =
        app.add_subcommand("serve", "Run the RTMP server (application 'live' on 0.0.0.0:1935 by default).");
    cmd->footer(
        "Publish:  ffmpeg -re -i clip.flv -c copy -f flv rtmp://127.0.0.1/live/test\n"
        "Play:     ffplay rtmp://127.0.0.1/live/test\n"
        "Tunnel:   ffplay rtmpt://127.0.0.1:8080/live/test  (RTMPT: the same streams over HTTP)\n"
        "Files:    ffplay rtmp://127.0.0.1/vod/mp4:clip.mp4  (plays media/clip.mp4)\n"
        "Record:   sluice publish --mode record clip.flv rtmp://127.0.0.1/live/test  (-> "
        "recordings/live/test.flv)\n"
        "Stop with Ctrl-C (SIGINT) or SIGTERM: players are told, then the server exits with 0.\n"
        "Every config key is described in docs/config.md; sluice.toml is an example.");
    cmd->add_option("--config", options->config_file, "TOML config file (flags below override it)")
        ->check(CLI::ExistingFile);
    cmd->add_option(
        "--listen", options->listen,
        "Address to accept RTMP on, HOST:PORT (repeatable; default 0.0.0.0:1935; port 0 = any free port)");
    cmd->add_option("--workers", options->workers, "Worker threads (default: one per core)")
        ->check(CLI::Range(1u, 1024u));
    cmd->add_option(
        "--recordings", options->recordings,
        "Folder for recordings, as <app>/<stream>.flv (default ./recordings; created on first use)");
    cmd->add_option(
        "--media", options->media,
        "Folder the 'vod' application plays files from (default ./media): rtmp://host/vod/clip.flv, "
        "rtmp://host/vod/mp4:clip.mp4, rtmp://host/vod/mp3:song.mp3");
    cmd->add_option("--shared-objects", options->shared_objects,
                    "Folder for persistent shared objects, as <app>/<instance>/<name>.so (default "
                    "./shared_objects; created on first change)");
    cmd->add_option(
           "--tls-cert", options->tls_certificate,
           "PEM certificate chain: turns RTMPS on (with --tls-key), on 0.0.0.0:1936 unless --tls-listen")
        ->check(CLI::ExistingFile);
    cmd->add_option("--tls-key", options->tls_key, "PEM private key of --tls-cert")->check(CLI::ExistingFile);
    cmd->add_option("--tls-listen", options->tls_listen,
                    "Address to accept RTMPS on, HOST:PORT (repeatable; default 0.0.0.0:1936)");
    cmd->add_option(
        "--http", options->http,
        "Address to accept RTMPT (RTMP over HTTP) on, HOST:PORT (repeatable; default 0.0.0.0:8080 "
        "when free; 'off' turns RTMPT off)");
    cmd->add_option("--https", options->https,
                    "Address to accept RTMPTS (RTMPT over HTTPS, with --tls-cert) on, HOST:PORT (repeatable; "
                    "off by default)");
    cmd->add_option("--log-level", options->log_level, "trace, debug, info (default), warn, error or off")
        ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}));
    return [cmd, options]() -> int { return cmd->parsed() ? serve(*options) : -1; };
}

}  // namespace sluice::app
