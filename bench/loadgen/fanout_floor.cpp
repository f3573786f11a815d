// fanout_floor: the kernel's floor for a live fan-out - the least work any
// server must do to send one stream to N players on this machine: read the
// source's bytes once and write them to every player socket, with no
// protocol at all. bench/fanout.sh runs it beside sluice and nginx-rtmp so
// that their CPU figures read as ratios to this floor.
//
//   fanout_floor SOURCE_PORT PLAYER_PORT
//
// Players connect to PLAYER_PORT (fanout_players --raw); the source (FFmpeg
// writing FLV to tcp://127.0.0.1:SOURCE_PORT) connects to SOURCE_PORT. Each
// read from the source is sent whole to every player (blocking sends: on
// loopback the socket buffers absorb a live stream). Ends when the source
// closes.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

namespace {

int listen_on(int port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    const int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 || ::listen(fd, 4096) != 0) {
        std::perror("fanout_floor: listen");
        std::exit(1);
    }
    return fd;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: %s SOURCE_PORT PLAYER_PORT\n", argv[0]);
        return 1;
    }
    const int source_listener = listen_on(std::atoi(argv[1]));
    const int player_listener = listen_on(std::atoi(argv[2]));
    std::vector<int> players;
    int source = -1;
    std::vector<char> buffer(64 * 1024);
    for (;;) {
        pollfd fds[3] = {{source_listener, POLLIN, 0}, {player_listener, POLLIN, 0}, {source, POLLIN, 0}};
        ::poll(fds, source >= 0 ? 3 : 2, 1000);
        if (fds[1].revents & POLLIN) players.push_back(::accept(player_listener, nullptr, nullptr));
        if (source < 0 && (fds[0].revents & POLLIN)) source = ::accept(source_listener, nullptr, nullptr);
        if (source < 0 || !(fds[2].revents & (POLLIN | POLLHUP))) continue;
        const ssize_t n = ::read(source, buffer.data(), buffer.size());
        if (n <= 0) break;
        for (int& p : players) {
            if (p < 0) continue;
            if (::send(p, buffer.data(), static_cast<std::size_t>(n), MSG_NOSIGNAL) != n) {
                ::close(p);
                p = -1;
            }
        }
    }
    return 0;
}
