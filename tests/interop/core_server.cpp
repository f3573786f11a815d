#include "interop/core_server.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

#include "rtmp/responses.hpp"

extern char** environ;

namespace sluice::test {

namespace {

int remaining_ms(Clock::time_point deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    return left < 0 ? 0 : static_cast<int>(left);
}

bool wait_fd(int fd, short events, Clock::time_point deadline) {
    pollfd p{fd, events, 0};
    const int r = ::poll(&p, 1, remaining_ms(deadline));
    return r > 0;
}

}  // namespace

CoreServer::CoreServer() : handshake_(rtmp::HandshakeRole::server, rtmp::HandshakeOptions{}) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    socklen_t len = sizeof(addr);
    if (listen_fd_ < 0 || ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
        ::listen(listen_fd_, 4) != 0 ||
        ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
        error_ = std::string("listen failed: ") + std::strerror(errno);
        return;
    }
    port_ = ntohs(addr.sin_port);
}

CoreServer::~CoreServer() {
    close();
    if (listen_fd_ >= 0) ::close(listen_fd_);
}

void CoreServer::close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
}

bool CoreServer::accept_and_handshake(Clock::time_point deadline) {
    if (!wait_fd(listen_fd_, POLLIN, deadline)) {
        error_ = "no client connected before the deadline";
        return false;
    }
    fd_ = ::accept(listen_fd_, nullptr, nullptr);
    if (fd_ < 0) {
        error_ = std::string("accept failed: ") + std::strerror(errno);
        return false;
    }
    const int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    while (handshake_.state() != rtmp::HandshakeState::done) {
        if (handshake_.state() == rtmp::HandshakeState::failed) {
            error_ = "handshake failed: " + handshake_.error().message();
            return false;
        }
        if (!read_some(deadline)) return false;
        const std::size_t used = handshake_.feed(pending_);
        pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(used));
        const base::Bytes out = handshake_.output();
        std::size_t sent = 0;
        while (sent < out.size()) {
            if (!wait_fd(fd_, POLLOUT, deadline)) {
                error_ = "handshake write timed out";
                return false;
            }
            const ssize_t n = ::send(fd_, out.data() + sent, out.size() - sent, MSG_NOSIGNAL);
            if (n <= 0) {
                error_ = std::string("handshake write failed: ") + std::strerror(errno);
                return false;
            }
            sent += static_cast<std::size_t>(n);
        }
        handshake_.consume_output(sent);
    }
    return true;
}

bool CoreServer::read_some(Clock::time_point deadline) {
    if (peer_closed_) {
        error_ = "the client closed the connection";
        return false;
    }
    if (!wait_fd(fd_, POLLIN, deadline)) {
        error_ = "timed out waiting for the client";
        return false;
    }
    std::uint8_t buffer[65536];
    const ssize_t n = ::recv(fd_, buffer, sizeof(buffer), 0);
    if (n <= 0) {
        peer_closed_ = true;
        error_ = n == 0 ? "the client closed the connection" : std::string("recv: ") + std::strerror(errno);
        return false;
    }
    pending_.insert(pending_.end(), buffer, buffer + n);
    return true;
}

std::optional<rtmp::Event> CoreServer::next_event(Clock::time_point deadline) {
    for (;;) {
        if (auto event = connection_.next_event()) {
            flush(deadline);  // auto-replies (acks, pongs) go out at once
            return event;
        }
        if (connection_.failed()) {
            error_ = "protocol error: " + connection_.error().message();
            return std::nullopt;
        }
        if (!pending_.empty()) {
            const rtmp::ReceiveResult r = connection_.receive(pending_);
            pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(r.consumed));
            if (r.consumed > 0 || r.error) continue;
        }
        if (!read_some(deadline)) return std::nullopt;
    }
}

bool CoreServer::flush(Clock::time_point deadline) {
    while (connection_.wants_write()) {
        std::vector<iovec> iov;
        connection_.output().for_each([&](base::Bytes b) {
            iov.push_back({const_cast<std::uint8_t*>(b.data()), b.size()});
        });
        if (!wait_fd(fd_, POLLOUT, deadline)) {
            error_ = "write timed out";
            return false;
        }
        msghdr msg{};
        msg.msg_iov = iov.data();
        msg.msg_iovlen = std::min<std::size_t>(iov.size(), 1024);
        const ssize_t n = ::sendmsg(fd_, &msg, MSG_NOSIGNAL);
        if (n <= 0) {
            error_ = std::string("write failed: ") + std::strerror(errno);
            return false;
        }
        connection_.consume_output(static_cast<std::size_t>(n));
    }
    return true;
}

bool CoreServer::send(const rtmp::Message& message, rtmp::ChunkStreamId chunk_stream,
                      Clock::time_point deadline) {
    if (std::error_code ec = connection_.send(message, chunk_stream)) {
        error_ = "send: " + ec.message();
        return false;
    }
    return flush(deadline);
}

bool CoreServer::send_control(const rtmp::ControlMessage& control, Clock::time_point deadline) {
    if (std::error_code ec = connection_.send_control(control)) {
        error_ = "send_control: " + ec.message();
        return false;
    }
    return flush(deadline);
}

bool CoreServer::answer_connect(double transaction_id, Clock::time_point deadline) {
    rtmp::ConnectResult result;
    result.transaction_id = transaction_id;
    return send_control(rtmp::WindowAckSize{2'500'000}, deadline) &&
           send_control(rtmp::SetPeerBandwidth{2'500'000, rtmp::BandwidthLimit::dynamic}, deadline) &&
           send_control(rtmp::UserControl::stream_begin(0), deadline) &&
           send_control(rtmp::SetChunkSize{4096}, deadline) &&
           send(result.encode(), rtmp::csid::net_connection, deadline);
}

Child::Child(const std::vector<std::string>& argv, const std::string& log_path) {
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    if (posix_spawnp(&pid_, args[0], &actions, nullptr, args.data(), environ) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&actions);
}

Child::~Child() {
    if (pid_ > 0 && !reaped_) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
    }
}

int Child::wait(Clock::time_point deadline) {
    if (pid_ <= 0) return -1;
    int status = 0;
    while (Clock::now() < deadline) {
        const pid_t r = ::waitpid(pid_, &status, WNOHANG);
        if (r == pid_) {
            reaped_ = true;
            return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    reaped_ = true;
    return -1;
}

int run(const std::vector<std::string>& argv, const std::string& log_path) {
    Child child(argv, log_path);
    return child.wait(Clock::now() + std::chrono::seconds(120));
}

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

}  // namespace sluice::test
