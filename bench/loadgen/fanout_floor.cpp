// fanout_floor: the kernel's floor for a live fan-out, the least work any
// server must do to send one stream to N players on this machine. It sends
// the audio and video tags of an FLV file, paced in real time by their
// timestamps and looped, to N loopback TCP connections: per message and per
// player one writev() of a 12-byte header (the size of an RTMP type-0 chunk
// header) and the message's payload, which all players share. No protocol,
// no chunking, no copies (except for a player whose socket is full: see
// below). bench/compare.sh runs it beside sluice and nginx-rtmp so that
// their CPU seconds per GB read as ratios to this floor.
//
//   fanout_floor --input clip.flv --players N --seconds S
//                [--sender-cpu A] [--receiver-cpu B]
//
// Two threads in one process: the sender (the main thread, the "server",
// pinned to CPU A when given) and the receiver (the "players", pinned to CPU
// B), which opens the N connections and reads them with epoll, counting
// bytes. The sender's CPU time (user + system, getrusage RUSAGE_THREAD) is
// measured over the S seconds of sending, so the receiver's work is not
// charged to it. A player whose socket does not take a whole message keeps
// the rest in a backlog, sent before anything new; a backlog over 4 MiB (8 s
// of a 4 Mbit/s stream) counts the player as stalled and closes it.
//
// Prints one JSON object on stdout: players, players_connected,
// players_stalled, seconds, bytes_sent, bytes_received, sender_cpu_s,
// cpu_s_per_gb (sender CPU seconds per 1e9 bytes sent), peak_rss_kb.
// Exit code 0, or 1 on a usage or setup error (with a message on stderr).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

constexpr std::size_t backlog_limit = 4 * 1024 * 1024;

struct Tag {
    std::uint8_t type = 0;
    std::uint32_t timestamp = 0;
    std::vector<std::uint8_t> payload;
};

[[noreturn]] void fail(const std::string& what) {
    std::fprintf(stderr, "fanout_floor: %s\n", what.c_str());
    std::exit(1);
}

/// The audio (8) and video (9) tags of an FLV file, in file order.
std::vector<Tag> read_flv(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    const std::vector<std::uint8_t> d{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    if (d.size() < 13 || d[0] != 'F' || d[1] != 'L' || d[2] != 'V') fail(path + " is not an FLV file");
    std::vector<Tag> tags;
    std::size_t i = 13;  // file header (9) + PreviousTagSize0 (4)
    while (i + 11 <= d.size()) {
        const std::size_t size = (std::size_t{d[i + 1]} << 16) | (std::size_t{d[i + 2]} << 8) | d[i + 3];
        const std::uint32_t ts = (std::uint32_t{d[i + 7]} << 24) | (std::uint32_t{d[i + 4]} << 16) |
                                 (std::uint32_t{d[i + 5]} << 8) | d[i + 6];
        if (i + 11 + size > d.size()) break;
        const std::uint8_t type = d[i] & 0x1f;
        if (type == 8 || type == 9) {
            tags.push_back(
                {type, ts,
                 std::vector<std::uint8_t>(d.begin() + static_cast<std::ptrdiff_t>(i + 11),
                                           d.begin() + static_cast<std::ptrdiff_t>(i + 11 + size))});
        }
        i += 11 + size + 4;
    }
    if (tags.empty()) fail(path + " has no audio or video tags");
    return tags;
}

void pin(int cpu) {
    if (cpu < 0) return;
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    if (pthread_setaffinity_np(pthread_self(), sizeof(set), &set) != 0)
        fail("cannot pin to CPU " + std::to_string(cpu));
}

double thread_cpu_seconds() {
    rusage u{};
    ::getrusage(RUSAGE_THREAD, &u);
    return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
           static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

sockaddr_in loopback(std::uint16_t port) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return addr;
}

/// One player's sending side: its socket and what it has not taken yet.
struct Player {
    int fd = -1;
    std::vector<std::uint8_t> backlog;
    std::size_t backlog_sent = 0;
};

/// Sends what the backlog holds; false when the player must be dropped.
bool flush_backlog(Player& p, std::uint64_t& sent) {
    while (p.backlog_sent < p.backlog.size()) {
        const ssize_t n = ::send(p.fd, p.backlog.data() + p.backlog_sent, p.backlog.size() - p.backlog_sent,
                                 MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK;
        p.backlog_sent += static_cast<std::size_t>(n);
        sent += static_cast<std::uint64_t>(n);
    }
    p.backlog.clear();
    p.backlog_sent = 0;
    return true;
}

}  // namespace

int main(int argc, char** argv) {
    std::string input;
    int players = 0;
    double seconds = 0;
    int sender_cpu = -1;
    int receiver_cpu = -1;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string key = argv[i];
        const char* value = argv[i + 1];
        if (key == "--input")
            input = value;
        else if (key == "--players")
            players = std::atoi(value);
        else if (key == "--seconds")
            seconds = std::atof(value);
        else if (key == "--sender-cpu")
            sender_cpu = std::atoi(value);
        else if (key == "--receiver-cpu")
            receiver_cpu = std::atoi(value);
        else
            fail("unknown option " + key);
    }
    if (input.empty() || players <= 0 || seconds <= 0 || argc % 2 == 0) {
        std::fprintf(
            stderr,
            "usage: %s --input clip.flv --players N --seconds S [--sender-cpu A] [--receiver-cpu B]\n",
            argv[0]);
        return 1;
    }
    const std::vector<Tag> tags = read_flv(input);
    pin(sender_cpu);

    const int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr = loopback(0);
    socklen_t len = sizeof(addr);
    if (::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
        ::listen(listener, players + 16) != 0 ||
        ::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
        fail(std::string("listen: ") + std::strerror(errno));
    const std::uint16_t port = ntohs(addr.sin_port);

    // The receiver: connects every player, then drains them all until told to stop.
    std::atomic<bool> stop{false};
    std::atomic<std::uint64_t> received{0};
    std::atomic<int> connected{0};
    std::thread receiver([&] {
        pin(receiver_cpu);
        const int ep = ::epoll_create1(EPOLL_CLOEXEC);
        for (int i = 0; i < players; ++i) {
            const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
            const sockaddr_in to = loopback(port);
            if (::connect(fd, reinterpret_cast<const sockaddr*>(&to), sizeof(to)) != 0) {
                ::close(fd);
                continue;
            }
            epoll_event ev{};
            ev.events = EPOLLIN;
            ev.data.fd = fd;
            ::epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
            connected.fetch_add(1);
        }
        std::vector<std::uint8_t> buffer(256 * 1024);
        std::vector<epoll_event> events(256);
        std::uint64_t total = 0;
        for (;;) {
            const int n = ::epoll_wait(ep, events.data(), static_cast<int>(events.size()), 100);
            if (n <= 0 && stop.load()) break;
            for (int i = 0; i < n; ++i) {
                const ssize_t got =
                    ::recv(events[static_cast<std::size_t>(i)].data.fd, buffer.data(), buffer.size(), 0);
                if (got > 0) total += static_cast<std::uint64_t>(got);
                if (got == 0)
                    ::epoll_ctl(ep, EPOLL_CTL_DEL, events[static_cast<std::size_t>(i)].data.fd, nullptr);
            }
            received.store(total, std::memory_order_relaxed);
        }
        received.store(total);
    });

    std::vector<Player> sinks;
    const auto accept_by = Clock::now() + std::chrono::seconds(30);
    while (static_cast<int>(sinks.size()) < players && Clock::now() < accept_by) {
        const int fd = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd >= 0) sinks.push_back({fd, {}, 0});
    }

    // The sender: the tags in a loop, each due at start + its timestamp.
    const std::uint32_t first_ts = tags.front().timestamp;
    const std::uint32_t loop_ms = tags.back().timestamp - first_ts + 33;
    std::uint64_t sent = 0;
    int stalled = 0;
    const double cpu_before = thread_cpu_seconds();
    const auto start = Clock::now();
    const auto end =
        start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
    for (std::uint64_t loop = 0; Clock::now() < end; ++loop) {
        for (const Tag& tag : tags) {
            const std::uint64_t ts = loop * loop_ms + (tag.timestamp - first_ts);
            const auto due = start + std::chrono::milliseconds(ts);
            if (due >= end) break;
            std::this_thread::sleep_until(due);
            std::uint8_t header[12] = {0x06,
                                       static_cast<std::uint8_t>(ts >> 16),
                                       static_cast<std::uint8_t>(ts >> 8),
                                       static_cast<std::uint8_t>(ts),
                                       static_cast<std::uint8_t>(tag.payload.size() >> 16),
                                       static_cast<std::uint8_t>(tag.payload.size() >> 8),
                                       static_cast<std::uint8_t>(tag.payload.size()),
                                       tag.type,
                                       1,
                                       0,
                                       0,
                                       0};
            for (Player& p : sinks) {
                if (p.fd < 0) continue;
                const std::size_t whole = sizeof(header) + tag.payload.size();
                std::size_t done = 0;
                if (!p.backlog.empty() && !flush_backlog(p, sent)) {
                    ::close(p.fd);
                    p.fd = -1;
                    ++stalled;
                    continue;
                }
                if (p.backlog.empty()) {
                    iovec iov[2] = {{header, sizeof(header)},
                                    {const_cast<std::uint8_t*>(tag.payload.data()), tag.payload.size()}};
                    msghdr msg{};
                    msg.msg_iov = iov;
                    msg.msg_iovlen = 2;
                    const ssize_t n = ::sendmsg(p.fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
                    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
                        ::close(p.fd);
                        p.fd = -1;
                        ++stalled;
                        continue;
                    }
                    done = n > 0 ? static_cast<std::size_t>(n) : 0;
                    sent += done;
                }
                if (done == whole) continue;
                // The socket is full: keep the rest (the only copy the floor makes).
                for (std::size_t k = done; k < sizeof(header); ++k) p.backlog.push_back(header[k]);
                const std::size_t from = done > sizeof(header) ? done - sizeof(header) : 0;
                p.backlog.insert(p.backlog.end(), tag.payload.begin() + static_cast<std::ptrdiff_t>(from),
                                 tag.payload.end());
                if (p.backlog.size() - p.backlog_sent > backlog_limit) {
                    ::close(p.fd);
                    p.fd = -1;
                    ++stalled;
                }
            }
        }
    }
    const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    const double cpu = thread_cpu_seconds() - cpu_before;
    std::this_thread::sleep_for(std::chrono::milliseconds(300));  // the receiver drains what is in flight
    stop.store(true);
    receiver.join();
    rusage self{};
    ::getrusage(RUSAGE_SELF, &self);
    std::printf(
        "{\"players\": %d, \"players_connected\": %d, \"players_stalled\": %d, \"seconds\": %.3f, "
        "\"bytes_sent\": %llu, \"bytes_received\": %llu, \"sender_cpu_s\": %.3f, \"cpu_s_per_gb\": %.4f, "
        "\"peak_rss_kb\": %ld}\n",
        players, connected.load(), stalled, elapsed, static_cast<unsigned long long>(sent),
        static_cast<unsigned long long>(received.load()), cpu,
        sent > 0 ? cpu / (static_cast<double>(sent) / 1e9) : 0.0, self.ru_maxrss);
    for (Player& p : sinks) {
        if (p.fd >= 0) ::close(p.fd);
    }
    ::close(listener);
    return 0;
}
