#include "interop/interop_support.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

extern char** environ;

namespace sluice::test {

int remaining_ms(Clock::time_point deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    return left < 0 ? 0 : static_cast<int>(left);
}

bool wait_fd(int fd, short events, Clock::time_point deadline) {
    pollfd p{fd, events, 0};
    for (;;) {
        const int r = ::poll(&p, 1, remaining_ms(deadline));
        if (r < 0 && errno == EINTR) continue;
        return r > 0;
    }
}

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

Process::Process(const std::vector<std::string>& argv, const std::string& log_path) {
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

Process::~Process() {
    if (pid_ > 0 && !reaped_) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
    }
}

bool Process::running() {
    if (pid_ <= 0 || reaped_) return false;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        reaped_ = true;
        exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        return false;
    }
    return true;
}

void Process::signal(int signo) {
    if (pid_ > 0 && !reaped_) ::kill(pid_, signo);
}

std::optional<int> Process::wait(Clock::time_point deadline, bool kill) {
    if (pid_ <= 0) return -1;
    while (running()) {
        if (Clock::now() >= deadline) {
            if (!kill) return std::nullopt;
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, nullptr, 0);
            reaped_ = true;
            return std::nullopt;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return exit_code_;
}

std::optional<int> run_process(const std::vector<std::string>& argv, const std::string& log_path,
                               std::chrono::seconds limit) {
    Process p(argv, log_path);
    return p.wait(Clock::now() + limit);
}

BlockingPump::BlockingPump(std::string peer, std::string& error) : peer_(std::move(peer)), error_(error) {}

BlockingPump::~BlockingPump() {
    close();
}

void BlockingPump::attach(int fd) {
    close();
    fd_ = fd;
}

void BlockingPump::close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
}

bool BlockingPump::read_some(Clock::time_point deadline) {
    if (peer_closed_ || fd_ < 0) {
        error_ = "the " + peer_ + " closed the connection";
        return false;
    }
    if (!wait_fd(fd_, POLLIN, deadline)) {
        error_ = "timed out waiting for the " + peer_;
        return false;
    }
    std::uint8_t buffer[65536];
    const ssize_t n = ::recv(fd_, buffer, sizeof(buffer), 0);
    if (n <= 0) {
        peer_closed_ = true;
        error_ =
            n == 0 ? "the " + peer_ + " closed the connection" : std::string("recv: ") + std::strerror(errno);
        return false;
    }
    pending_.insert(pending_.end(), buffer, buffer + n);
    return true;
}

bool BlockingPump::write_all(base::Bytes bytes, Clock::time_point deadline) {
    std::size_t sent = 0;
    while (sent < bytes.size()) {
        if (!wait_fd(fd_, POLLOUT, deadline)) {
            error_ = "handshake write timed out";
            return false;
        }
        const ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) {
            error_ = std::string("handshake write failed: ") + std::strerror(errno);
            return false;
        }
        sent += static_cast<std::size_t>(n);
    }
    return true;
}

bool BlockingPump::flush(rtmp::Connection& connection, Clock::time_point deadline) {
    while (connection.wants_write()) {
        std::vector<iovec> iov;
        connection.output().for_each([&](base::Bytes b) {
            iov.push_back({const_cast<std::uint8_t*>(b.data()), b.size()});
        });
        if (!wait_fd(fd_, POLLOUT, deadline)) {
            error_ = "write timed out";
            return false;
        }
        // Linux takes at most IOV_MAX (1024) pieces per call; the rest goes next round.
        msghdr msg{};
        msg.msg_iov = iov.data();
        msg.msg_iovlen = std::min<std::size_t>(iov.size(), 1024);
        const ssize_t n = ::sendmsg(fd_, &msg, MSG_NOSIGNAL);
        if (n <= 0) {
            error_ = std::string("write failed: ") + std::strerror(errno);
            return false;
        }
        connection.consume_output(static_cast<std::size_t>(n));
    }
    return true;
}

void BlockingPump::feed(rtmp::Handshake& handshake) {
    drop(handshake.feed(pending_));
}

bool BlockingPump::feed(rtmp::Connection& connection) {
    if (pending_.empty()) return false;
    const rtmp::ReceiveResult r = connection.receive(pending_);
    drop(r.consumed);
    return r.consumed > 0 || static_cast<bool>(r.error);
}

void BlockingPump::drop(std::size_t used) {
    pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(used));
}

std::vector<std::string> clip_command(const ClipSpec& spec, const std::string& path) {
    std::vector<std::string> argv{"ffmpeg",
                                  "-hide_banner",
                                  "-loglevel",
                                  "error",
                                  "-y",
                                  "-f",
                                  "lavfi",
                                  "-i",
                                  "testsrc2=size=320x240:rate=25",
                                  "-f",
                                  "lavfi",
                                  "-i",
                                  spec.audio_source,
                                  "-t",
                                  std::to_string(spec.seconds),
                                  "-c:v",
                                  "libx264",
                                  "-preset",
                                  "ultrafast"};
    if (spec.fixed_gop) argv.insert(argv.end(), {"-bf", "0"});
    argv.insert(argv.end(), {"-g", "25"});
    if (spec.fixed_gop) argv.insert(argv.end(), {"-keyint_min", "25", "-sc_threshold", "0"});
    argv.insert(argv.end(), {"-pix_fmt", "yuv420p"});
    argv.insert(argv.end(), spec.video_options.begin(), spec.video_options.end());
    argv.insert(argv.end(), {"-c:a", "aac"});
    argv.insert(argv.end(), spec.audio_options.begin(), spec.audio_options.end());
    argv.insert(argv.end(), {"-f", "flv", path});
    return argv;
}

std::vector<std::string> gst_publish_command(const std::string& flag, const std::string& clip_path,
                                             const std::string& sink, const std::string& url) {
    return {"gst-launch-1.0",
            flag,
            "filesrc",
            "location=" + clip_path,
            "!",
            "flvdemux",
            "name=d",
            "d.video",
            "!",
            "queue",
            "!",
            "h264parse",
            "!",
            "flvmux",
            "name=m",
            "streamable=true",
            "!",
            sink,
            "location=" + url,
            "d.audio",
            "!",
            "queue",
            "!",
            "aacparse",
            "!",
            "m."};
}

}  // namespace sluice::test
