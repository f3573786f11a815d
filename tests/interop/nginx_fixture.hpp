#pragma once
// NginxProcess: nginx with Debian's nginx-rtmp module (libnginx-mod-rtmp) as
// an independent reference server for the interop tests. Test code only.
//
// What it runs: `/usr/sbin/nginx -p DIR -e DIR/error.log -c DIR/nginx.conf`
// in the foreground (daemon off, master_process off: one process, which is
// the child this object owns) with a config written into a fresh temporary
// directory DIR. Everything nginx writes (pid file, error log, RTMP access
// log, whose default is under /var/log) stays in DIR, and nothing needs root:
// no `user` directive, no http block (so no http temp paths), so it runs
// alike as root and as any other user. The config:
//
//     load_module /usr/lib/nginx/modules/ngx_rtmp_module.so;
//     rtmp { access_log DIR/access.log;
//            server { listen 127.0.0.1:PORT; chunk_size 4096;
//                     application live { live on; <extra directives> } } }
//
// nginx-rtmp's defaults apply otherwise: idle_streams on (a player of a name
// nobody publishes waits for it, and stays connected after the publisher
// leaves, receiving NetStream.Play.UnpublishNotify), play_restart off (no
// NetStream.Play.Stop at unpublish: FFmpeg 5.1 players end only on that, so
// tests whose players must end with the stream pass "play_restart on;").
//
// PORT is a free loopback port found by binding port 0 and closing it; as
// another process may take it in between, a start whose log says the bind
// failed is retried on a new port (up to 5 times). The constructor returns
// once the port accepts TCP connections (10 s limit per attempt).
//
// Not thread-safe; one owner. The destructor sends SIGTERM (nginx's fast
// shutdown), SIGKILLs after 5 s, and removes DIR (kept when the environment
// variable SLUICE_INTEROP_KEEP is set, for a post-mortem).
#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include "interop/interop_support.hpp"
#include "interop/serve_fixture.hpp"

namespace sluice::test {

class NginxProcess {
public:
    /// The nginx binary and the RTMP module this fixture uses.
    static constexpr const char* binary_path = "/usr/sbin/nginx";
    static constexpr const char* module_path = "/usr/lib/nginx/modules/ngx_rtmp_module.so";

    /// True when the nginx binary is executable and the RTMP module exists.
    /// A test skips with unavailable_reason() when it is false.
    static bool available();
    /// "" when available(), else which file is missing and how to install it
    /// (tools/install_deps.sh, or apt-get install nginx-light libnginx-mod-rtmp).
    static std::string unavailable_reason();

    /// Starts nginx as described in the file comment. `extra_directives` are
    /// appended inside `application live { ... }` verbatim (e.g.
    /// "wait_key on;"). On failure port() is 0 and error() says why (with
    /// the tail of the log).
    explicit NginxProcess(const std::string& extra_directives = "");
    ~NginxProcess();
    NginxProcess(const NginxProcess&) = delete;
    NginxProcess& operator=(const NginxProcess&) = delete;

    /// The loopback port RTMP listens on; 0 when the start failed.
    std::uint16_t port() const noexcept { return port_; }
    const std::string& error() const noexcept { return error_; }
    /// rtmp://127.0.0.1:<port>/<app>/<name> (the application is "live").
    std::string url(const std::string& name, const std::string& app = "live") const;
    /// The temporary directory holding nginx.conf, the pid file and the logs.
    const std::string& dir() const noexcept { return dir_; }
    /// nginx's error log (level info: connections, publish, play, errors).
    std::string log_path() const { return dir_ + "/error.log"; }
    /// The tail of the error log so far (for failure messages).
    std::string log() const;
    /// nginx's process id (for /proc/<pid>/stat), -1 when not running.
    int pid() const noexcept;
    /// True while nginx has not exited.
    bool running();
    /// SIGTERM, then the exit code (nullopt when it did not exit by the deadline).
    std::optional<int> terminate(Clock::time_point deadline);

private:
    /// One start on `port`: writes the config, spawns nginx, waits for the
    /// port to accept. False with error_ set when it failed; `bind_failed`
    /// tells whether another port is worth a try.
    bool start_on(std::uint16_t port, const std::string& extra_directives, bool& bind_failed);

    std::string dir_;
    std::optional<Process> process_;
    std::uint16_t port_ = 0;
    std::string error_;
};

/// A server under test for the suites that run the same case against
/// `sluice serve` and nginx-rtmp: its port and how its stream URLs read.
struct ServerTarget {
    std::uint16_t port = 0;
    std::function<std::string(const std::string& name)> url;
};

/// The gtest fixture of the nginx-rtmp cases: start_nginx() skips the test
/// when nginx is not installed and fails it when nginx does not start; the
/// nginx log is printed for a failed test.
class NginxTest : public ::testing::Test {
protected:
    /// Starts nginx with `directives` in `application live`; target() then names it.
    void start_nginx(const std::string& directives = "") {
        if (!NginxProcess::available()) GTEST_SKIP() << NginxProcess::unavailable_reason();
        nginx_ = std::make_unique<NginxProcess>(directives);
        ASSERT_NE(nginx_->port(), 0) << nginx_->error();
        target_.port = nginx_->port();
        target_.url = [this](const std::string& name) { return nginx_->url(name); };
    }
    void TearDown() override {
        if (HasFailure() && nginx_) std::cerr << "--- nginx log ---\n" << nginx_->log() << "\n";
    }

    TempDir dir_;
    std::unique_ptr<NginxProcess> nginx_;
    ServerTarget target_;
};

}  // namespace sluice::test
