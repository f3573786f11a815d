#include "interop/nginx_fixture.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

namespace sluice::test {

namespace {

using namespace std::chrono_literals;

constexpr int start_attempts = 5;

sockaddr_in loopback(std::uint16_t port) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return addr;
}

/// A port the kernel considers free right now (0 on failure). Another
/// process may take it before nginx binds: the caller retries on that.
std::uint16_t probe_free_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return 0;
    sockaddr_in addr = loopback(0);
    socklen_t len = sizeof(addr);
    std::uint16_t port = 0;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
        port = ntohs(addr.sin_port);
    }
    ::close(fd);
    return port;
}

bool accepts(std::uint16_t port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return false;
    const sockaddr_in addr = loopback(port);
    const bool ok = ::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) == 0;
    ::close(fd);
    return ok;
}

std::string tail(std::string text) {
    constexpr std::size_t keep = 8000;
    if (text.size() > keep) text = "...\n" + text.substr(text.size() - keep);
    return text;
}

}  // namespace

bool NginxProcess::available() {
    return unavailable_reason().empty();
}

std::string NginxProcess::unavailable_reason() {
    std::string missing;
    if (::access(binary_path, X_OK) != 0) missing += std::string(binary_path) + " ";
    if (::access(module_path, R_OK) != 0) missing += std::string(module_path) + " ";
    if (missing.empty()) return "";
    return "nginx-rtmp is not installed (missing " + missing +
           "); run tools/install_deps.sh or apt-get install nginx-light libnginx-mod-rtmp";
}

NginxProcess::NginxProcess(const std::string& extra_directives) {
    char pattern[] = "/tmp/sluice-nginx-XXXXXX";
    if (::mkdtemp(pattern) == nullptr) {
        error_ = "mkdtemp failed";
        return;
    }
    dir_ = pattern;
    if (!available()) {
        error_ = unavailable_reason();
        return;
    }
    for (int attempt = 0; attempt < start_attempts; ++attempt) {
        const std::uint16_t port = probe_free_port();
        if (port == 0) {
            error_ = "no free loopback port";
            return;
        }
        bool bind_failed = false;
        if (start_on(port, extra_directives, bind_failed)) {
            port_ = port;
            error_.clear();
            return;
        }
        if (!bind_failed) return;
    }
}

bool NginxProcess::start_on(std::uint16_t port, const std::string& extra_directives, bool& bind_failed) {
    process_.reset();
    // A fresh log per attempt, so the bind check below reads only this one.
    std::error_code ec;
    std::filesystem::remove(log_path(), ec);
    {
        // worker_connections bounds the players one nginx serves; the
        // interop tests stay far below it.
        std::ofstream conf(dir_ + "/nginx.conf");
        conf << "load_module " << module_path << ";\n"
             << "daemon off;\n"
             << "master_process off;\n"
             << "worker_processes 1;\n"
             << "pid " << dir_ << "/nginx.pid;\n"
             << "error_log " << log_path() << " info;\n"
             << "events { worker_connections 1024; }\n"
             << "rtmp {\n"
             << "    access_log " << dir_ << "/access.log;\n"
             << "    server {\n"
             << "        listen 127.0.0.1:" << port << ";\n"
             << "        chunk_size 4096;\n"
             << "        application live {\n"
             << "            live on;\n"
             << "            " << extra_directives << "\n"
             << "        }\n"
             << "    }\n"
             << "}\n";
        if (!conf) {
            error_ = "could not write " + dir_ + "/nginx.conf";
            return false;
        }
    }
    // -p: relative paths resolve inside dir_; -e: the log used before the
    // config is read (Debian's build would otherwise use stderr, harmless,
    // but this keeps every line in one file).
    process_.emplace(
        std::vector<std::string>{binary_path, "-p", dir_ + "/", "-e", log_path(), "-c", dir_ + "/nginx.conf"},
        dir_ + "/stdout.log");
    if (!process_->started()) {
        error_ = std::string("could not start ") + binary_path;
        return false;
    }
    const auto deadline = Clock::now() + 10s;
    while (Clock::now() < deadline) {
        // nginx listens (in its cycle set-up) just before it writes its pid
        // file: wait for both, so that pid() is valid once the start returned.
        if (accepts(port) && !read_file(dir_ + "/nginx.pid").empty()) return true;
        if (!process_->running()) {
            const std::string text = read_file(log_path()) + read_file(dir_ + "/stdout.log");
            bind_failed = text.find("Address already in use") != std::string::npos;
            error_ = "nginx exited before listening on 127.0.0.1:" + std::to_string(port) + "\n" + tail(text);
            return false;
        }
        std::this_thread::sleep_for(10ms);
    }
    error_ = "nginx did not accept on 127.0.0.1:" + std::to_string(port) + " within 10 s\n" + log();
    process_.reset();
    return false;
}

NginxProcess::~NginxProcess() {
    if (process_ && process_->running()) terminate(Clock::now() + 5s);
    process_.reset();
    if (!dir_.empty() && std::getenv("SLUICE_INTEROP_KEEP") == nullptr) {
        std::error_code ec;
        std::filesystem::remove_all(dir_, ec);
    }
}

std::string NginxProcess::url(const std::string& name, const std::string& app) const {
    return "rtmp://127.0.0.1:" + std::to_string(port_) + "/" + app + "/" + name;
}

std::string NginxProcess::log() const {
    return tail(read_file(log_path()) + read_file(dir_ + "/stdout.log"));
}

int NginxProcess::pid() const noexcept {
    // With master_process off the process this object spawned is nginx
    // itself, and it writes its pid file once it runs.
    if (!process_ || port_ == 0) return -1;
    try {
        const std::string text = read_file(dir_ + "/nginx.pid");
        return text.empty() ? -1 : std::stoi(text);
    } catch (...) {
        return -1;
    }
}

bool NginxProcess::running() {
    return process_ && process_->running();
}

std::optional<int> NginxProcess::terminate(Clock::time_point deadline) {
    if (!process_) return std::nullopt;
    process_->signal(SIGTERM);
    return process_->wait(deadline);
}

}  // namespace sluice::test
