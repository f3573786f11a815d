// fanout_players: opens N RTMP players of one live stream from one thread
// (poll over non-blocking sockets, the sans-I/O core doing the protocol)
// and prints, once a second and at the end, how many play and what they
// receive. It is the load half of bench/fanout.sh; `sluice bench` (client
// issue) will replace it with the full client library.
//
//   fanout_players HOST PORT APP STREAM PLAYERS SECONDS [--raw]
//
// --raw: no RTMP at all, the players only count bytes (for fanout_floor).
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "rtmp/command.hpp"
#include "rtmp/connection.hpp"
#include "rtmp/handshake.hpp"
#include "rtmp/net_connection_commands.hpp"
#include "rtmp/net_stream_commands.hpp"
#include "rtmp/responses.hpp"

using namespace sluice;
using Clock = std::chrono::steady_clock;

namespace {

enum class State { handshake, connecting, creating, playing, failed };

struct Player {
    int fd = -1;
    bool raw = false;
    State state = State::handshake;
    rtmp::Handshake handshake{rtmp::HandshakeRole::client, rtmp::HandshakeOptions{}};
    rtmp::Connection connection;
    std::vector<std::uint8_t> pending;  ///< bytes read, not yet consumed
    std::vector<std::uint8_t> out;      ///< bytes to write
    std::uint64_t media_bytes = 0;
    std::uint64_t video_frames = 0;
    std::uint64_t audio_frames = 0;
    Clock::time_point started = Clock::now();
    double first_frame_ms = -1;
};

struct Target {
    std::string host, app, stream;
    std::uint16_t port = 1935;
};

int open_socket(const Target& t) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(t.port);
    ::inet_pton(AF_INET, t.host.c_str(), &addr.sin_addr);
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    return fd;
}

void queue_connection_output(Player& p) {
    if (!p.connection.wants_write()) return;
    const base::ByteVector bytes = p.connection.output().flatten();
    p.out.insert(p.out.end(), bytes.begin(), bytes.end());
    p.connection.consume_output(bytes.size());
}

void on_command(Player& p, const Target& t, const rtmp::Message& m) {
    auto c = rtmp::decode_command(m);
    if (!c) return;
    if (c->name == "_result" && p.state == State::connecting && c->transaction_id == 1) {
        p.state = State::creating;
        (void)p.connection.send(rtmp::CreateStreamCommand{}.encode(), rtmp::csid::net_connection);
    } else if (c->name == "_result" && p.state == State::creating && c->transaction_id == 2) {
        auto r = rtmp::CreateStreamResult::decode(*c);
        const auto id = r ? static_cast<rtmp::MessageStreamId>(r->stream_id) : 1u;
        rtmp::PlayCommand play;
        play.stream_name = t.stream;
        play.start = -1;
        (void)p.connection.send(play.encode(rtmp::Encoding::amf0, id), rtmp::csid::net_stream);
        (void)p.connection.send_control(rtmp::UserControl::set_buffer_length(id, 1000));
        p.state = State::playing;
    } else if (c->name == "_error") {
        p.state = State::failed;
    }
}

void on_bytes(Player& p, const Target& t) {
    if (p.raw) {
        p.media_bytes += p.pending.size();
        p.pending.clear();
        return;
    }
    if (p.state == State::handshake) {
        const std::size_t used = p.handshake.feed(p.pending);
        p.pending.erase(p.pending.begin(), p.pending.begin() + static_cast<std::ptrdiff_t>(used));
        const base::ByteVector hs = p.handshake.take_output();
        p.out.insert(p.out.end(), hs.begin(), hs.end());
        if (p.handshake.failed()) p.state = State::failed;
        if (!p.handshake.done()) return;
        rtmp::ConnectCommand connect;
        connect.app = t.app;
        connect.tc_url = "rtmp://" + t.host + ":" + std::to_string(t.port) + "/" + t.app;
        connect.flash_ver = "LNX 9,0,124,2";
        (void)p.connection.send(connect.encode(), rtmp::csid::net_connection);
        p.state = State::connecting;
    }
    while (!p.pending.empty() && p.state != State::failed) {
        const rtmp::ReceiveResult r = p.connection.receive(p.pending);
        p.pending.erase(p.pending.begin(), p.pending.begin() + static_cast<std::ptrdiff_t>(r.consumed));
        while (auto e = p.connection.next_event()) {
            if (auto* cmd = std::get_if<rtmp::CommandReceived>(&*e)) on_command(p, t, cmd->message);
            const rtmp::Message* media = nullptr;
            if (auto* v = std::get_if<rtmp::VideoReceived>(&*e)) media = &v->message, ++p.video_frames;
            if (auto* a = std::get_if<rtmp::AudioReceived>(&*e)) media = &a->message, ++p.audio_frames;
            if (media) {
                p.media_bytes += media->payload.size();
                if (p.first_frame_ms < 0) {
                    p.first_frame_ms =
                        std::chrono::duration<double, std::milli>(Clock::now() - p.started).count();
                }
            }
        }
        if (r.error) p.state = State::failed;
        if (r.consumed == 0) break;
    }
    queue_connection_output(p);
}

}  // namespace

int main(int argc, char** argv) {
    const bool raw = argc == 8 && std::string(argv[7]) == "--raw";
    if (argc != 7 && !raw) {
        std::fprintf(stderr, "usage: %s HOST PORT APP STREAM PLAYERS SECONDS [--raw]\n", argv[0]);
        return 1;
    }
    const Target target{argv[1], argv[3], argv[4], static_cast<std::uint16_t>(std::atoi(argv[2]))};
    const int count = std::atoi(argv[5]);
    const double seconds = std::atof(argv[6]);
    std::vector<std::unique_ptr<Player>> players;
    for (int i = 0; i < count; ++i) {
        auto p = std::make_unique<Player>();
        p->fd = open_socket(target);
        p->raw = raw;
        if (raw) p->state = State::playing;
        const base::ByteVector c0c1 = p->handshake.take_output();
        if (!raw) p->out.assign(c0c1.begin(), c0c1.end());
        players.push_back(std::move(p));
    }
    const auto start = Clock::now();
    auto next_report = start + std::chrono::seconds(1);
    std::uint64_t last_bytes = 0;
    std::vector<pollfd> fds(players.size());
    std::vector<std::uint8_t> buffer(256 * 1024);
    while (Clock::now() - start < std::chrono::duration<double>(seconds)) {
        for (std::size_t i = 0; i < players.size(); ++i) {
            const Player& p = *players[i];
            const bool live = p.state != State::failed && p.fd >= 0;
            fds[i] = {live ? p.fd : -1, static_cast<short>(POLLIN | (p.out.empty() ? 0 : POLLOUT)), 0};
        }
        ::poll(fds.data(), fds.size(), 100);
        for (std::size_t i = 0; i < players.size(); ++i) {
            Player& p = *players[i];
            if (fds[i].revents & POLLOUT && !p.out.empty()) {
                const ssize_t n = ::send(p.fd, p.out.data(), p.out.size(), MSG_NOSIGNAL);
                if (n > 0) p.out.erase(p.out.begin(), p.out.begin() + n);
            }
            if (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) {
                const ssize_t n = ::recv(p.fd, buffer.data(), buffer.size(), 0);
                if (n <= 0) {
                    p.state = State::failed;
                    continue;
                }
                p.pending.insert(p.pending.end(), buffer.begin(), buffer.begin() + n);
                on_bytes(p, target);
            }
        }
        if (Clock::now() >= next_report) {
            next_report += std::chrono::seconds(1);
            std::uint64_t bytes = 0;
            int playing = 0, failed = 0;
            for (const auto& p : players) {
                bytes += p->media_bytes;
                playing += p->state == State::playing && p->media_bytes > 0;
                failed += p->state == State::failed;
            }
            std::printf("t=%5.1fs players receiving=%d failed=%d media=%.1f Mbit/s total\n",
                        std::chrono::duration<double>(Clock::now() - start).count(), playing, failed,
                        static_cast<double>(bytes - last_bytes) * 8 / 1e6);
            std::fflush(stdout);
            last_bytes = bytes;
        }
    }
    std::uint64_t bytes = 0, video = 0, audio = 0;
    int receiving = 0;
    std::vector<double> first;
    for (const auto& p : players) {
        bytes += p->media_bytes;
        video += p->video_frames;
        audio += p->audio_frames;
        receiving += p->media_bytes > 0;
        if (p->first_frame_ms >= 0) first.push_back(p->first_frame_ms);
        ::close(p->fd);
    }
    std::sort(first.begin(), first.end());
    const double median = first.empty() ? -1 : first[first.size() / 2];
    std::printf(
        "summary: players=%d receiving=%d media_bytes=%llu video_frames=%llu audio_frames=%llu "
        "first_frame_median_ms=%.0f\n",
        count, receiving, static_cast<unsigned long long>(bytes), static_cast<unsigned long long>(video),
        static_cast<unsigned long long>(audio), median);
    return receiving == count ? 0 : 2;
}
