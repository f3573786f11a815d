#include "interop/serve_hostile_support.hpp"

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <random>
#include <sstream>

#include "interop/proc_stats.hpp"
#include "rtmp/command.hpp"

namespace sluice::test {

using namespace std::chrono_literals;

namespace {

constexpr std::size_t packet_size = 1536;

void put_be(Bytes& out, std::uint64_t value, int bytes) {
    for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<std::uint8_t>(value >> (8 * i)));
}

/// The description and code of the first info object among `values`.
void find_info(const std::vector<amf::Value>& values, Reply& reply) {
    for (const amf::Value& v : values) {
        const amf::Value* c = v.find("code");
        if (c == nullptr || c->string() == nullptr) continue;
        reply.code = *c->string();
        if (const amf::Value* l = v.find("level"); l != nullptr && l->string() != nullptr)
            reply.level = *l->string();
        if (const amf::Value* d = v.find("description"); d != nullptr && d->string() != nullptr)
            reply.description = *d->string();
        return;
    }
}

}  // namespace

Bytes operator+(Bytes a, const Bytes& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

// ---- HostileClient ----

HostileClient::~HostileClient() {
    close();
}

void HostileClient::close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
}

bool HostileClient::open(std::uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd_ < 0) return false;
    if (receive_buffer_ > 0)
        ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &receive_buffer_, sizeof(receive_buffer_));
    if (max_segment_ > 0) ::setsockopt(fd_, IPPROTO_TCP, TCP_MAXSEG, &max_segment_, sizeof(max_segment_));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(port);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) return false;
    const int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    // Non-blocking: every wait below goes through poll() with a deadline.
    ::fcntl(fd_, F_SETFL, ::fcntl(fd_, F_GETFL) | O_NONBLOCK);
    sockaddr_in local{};
    socklen_t length = sizeof(local);
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&local), &length);
    peer_ = "127.0.0.1:" + std::to_string(ntohs(local.sin_port));
    return true;
}

bool HostileClient::write(const Bytes& bytes, Clock::time_point deadline) {
    std::size_t sent = 0;
    while (sent < bytes.size()) {
        const ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
        if (n > 0) {
            sent += static_cast<std::size_t>(n);
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
            if (!wait_fd(fd_, POLLOUT, deadline)) return false;
            continue;
        }
        return false;
    }
    return true;
}

bool HostileClient::write_while_reading(const Bytes& bytes, Clock::time_point deadline) {
    std::size_t sent = 0;
    while (sent < bytes.size()) {
        pollfd p{fd_, static_cast<short>(POLLIN | POLLOUT), 0};
        if (::poll(&p, 1, remaining_ms(deadline)) <= 0) return false;
        if ((p.revents & POLLIN) != 0) read_once(0);
        if (closed_) return false;
        if ((p.revents & POLLOUT) != 0) {
            const std::size_t piece = std::min<std::size_t>(bytes.size() - sent, 64 * 1024);
            const ssize_t n = ::send(fd_, bytes.data() + sent, piece, MSG_NOSIGNAL);
            if (n > 0) sent += static_cast<std::size_t>(n);
            if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) return false;
        }
        if ((p.revents & (POLLERR | POLLHUP)) != 0) return false;
    }
    return true;
}

Bytes HostileClient::c0c1(bool c2) {
    Bytes out;
    out.reserve(1 + 2 * packet_size);
    out.push_back(3);
    put_be(out, 0, 4);  // time
    put_be(out, 0, 4);  // zero version field: the simple handshake
    std::mt19937 random(12345);
    for (std::size_t i = 8; i < packet_size; ++i) out.push_back(static_cast<std::uint8_t>(random()));
    if (c2) out.resize(1 + 2 * packet_size, 0);
    return out;
}

bool HostileClient::read_server_handshake(Clock::time_point deadline) {
    while (handshake_in_.size() < 1 + 2 * packet_size) {
        if (!wait_fd(fd_, POLLIN, deadline)) return false;
        std::uint8_t buffer[8192];
        const ssize_t n = ::recv(fd_, buffer, sizeof(buffer), 0);
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
            closed_ = true;
            return false;
        }
        if (n < 0) continue;
        handshake_in_.insert(handshake_in_.end(), buffer, buffer + n);
        if (!s0_) s0_ = handshake_in_[0];
    }
    handshaken_ = true;
    const std::size_t extra = handshake_in_.size() - (1 + 2 * packet_size);
    if (extra > 0) parse(handshake_in_.data() + 1 + 2 * packet_size, extra);
    return true;
}

bool HostileClient::handshake(Clock::time_point deadline) {
    if (!write(c0c1(), deadline) || !read_server_handshake(deadline)) return false;
    // C2 echoes S1.
    const Bytes c2(handshake_in_.begin() + 1, handshake_in_.begin() + 1 + packet_size);
    return write(c2, deadline);
}

bool HostileClient::connect(std::uint16_t port, Clock::time_point deadline, const std::string& app) {
    if (!open(port) || !handshake(deadline) || !write(connect_command(app), deadline)) return false;
    const auto reply =
        wait_reply([](const Reply& r) { return r.name == "_result" || r.name == "_error"; }, deadline);
    return reply && reply->name == "_result";
}

std::optional<std::uint32_t> HostileClient::create_stream(Clock::time_point deadline) {
    const double txn = next_transaction_++;
    if (!write(command("createStream", txn), deadline)) return std::nullopt;
    const auto reply = wait_reply([txn](const Reply& r) { return r.transaction_id == txn; }, deadline);
    if (!reply || reply->name != "_result") return std::nullopt;
    return static_cast<std::uint32_t>(reply->number);
}

bool HostileClient::read_once(int timeout_ms) {
    if (fd_ < 0 || closed_) return false;
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, timeout_ms) <= 0) return false;
    std::uint8_t buffer[64 * 1024];
    const ssize_t n = ::recv(fd_, buffer, sizeof(buffer), 0);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
        closed_ = true;  // end of stream or reset
        return false;
    }
    if (n < 0) return false;
    if (!handshaken_) {
        handshake_in_.insert(handshake_in_.end(), buffer, buffer + n);
        if (!s0_) s0_ = handshake_in_[0];
        return true;
    }
    parse(buffer, static_cast<std::size_t>(n));
    return true;
}

void HostileClient::parse(const std::uint8_t* data, std::size_t size) {
    if (parse_failed_) return;
    base::Bytes input(data, size);
    for (;;) {
        const rtmp::ReceiveResult r = connection_.receive(input);
        input = input.subspan(r.consumed);
        bool any = false;
        while (auto event = connection_.next_event()) {
            any = true;
            if (auto* c = std::get_if<rtmp::CommandReceived>(&*event)) {
                auto decoded = rtmp::decode_command(c->message);
                Reply reply;
                reply.stream_id = c->message.stream_id;
                if (!decoded) {
                    reply.name = "<undecodable>";
                } else {
                    reply.name = decoded->name;
                    reply.transaction_id = decoded->transaction_id;
                    find_info(decoded->arguments, reply);
                    for (const amf::Value& v : decoded->arguments) {
                        if (v.number(reply.number)) break;
                    }
                }
                replies_.push_back(std::move(reply));
            } else if (std::holds_alternative<rtmp::PeerAcknowledged>(*event)) {
                ++acks_;
            } else if (auto* u = std::get_if<rtmp::UserControlReceived>(&*event)) {
                if (u->control.event == rtmp::UserControlEvent::ping_response) ++pongs_;
            }
        }
        if (r.error) {
            parse_failed_ = true;
            return;
        }
        // The Connection stops parsing while its event queue is full: go
        // on until it took everything and had nothing more to say.
        if (input.empty() && !any) break;
        if (!input.empty() && r.consumed == 0 && !any) break;
    }
    // The Connection queues acknowledgements and ping responses we never
    // send: drop them so a long flood does not trip its own output limit.
    connection_.consume_output(connection_.output().size_bytes());
}

std::optional<Reply> HostileClient::wait_reply(const std::function<bool(const Reply&)>& done,
                                               Clock::time_point deadline) {
    for (;;) {
        while (seen_ < replies_.size()) {
            const Reply& r = replies_[seen_++];
            if (done(r)) return r;
        }
        if (closed_ || Clock::now() >= deadline) return std::nullopt;
        read_once(std::min(remaining_ms(deadline), 50));
    }
}

bool HostileClient::wait_closed(Clock::time_point deadline) {
    while (!closed_ && Clock::now() < deadline) read_once(std::min(remaining_ms(deadline), 50));
    return closed_;
}

bool HostileClient::stays_open(std::chrono::milliseconds span) {
    return !wait_closed(Clock::now() + span);
}

// ---- bytes ----

Bytes be32(std::uint32_t value) {
    Bytes out;
    put_be(out, value, 4);
    return out;
}

Bytes basic_header(unsigned fmt, std::uint32_t csid, bool long_form) {
    const auto top = static_cast<std::uint8_t>(fmt << 6);
    if (csid < 64 && !long_form) return {static_cast<std::uint8_t>(top | csid)};
    const std::uint32_t rest = csid - 64;
    if (rest < 256 && !long_form) return {top, static_cast<std::uint8_t>(rest)};
    return {static_cast<std::uint8_t>(top | 1), static_cast<std::uint8_t>(rest & 0xFF),
            static_cast<std::uint8_t>(rest >> 8)};
}

Bytes chunk(std::uint32_t csid, std::uint8_t type, std::uint32_t stream_id, std::uint32_t timestamp,
            const Bytes& payload, std::uint32_t chunk_size, std::optional<std::uint32_t> declared_length) {
    const bool extended = timestamp >= 0xFFFFFF;
    Bytes out = basic_header(0, csid);
    put_be(out, extended ? 0xFFFFFF : timestamp, 3);
    put_be(out, declared_length.value_or(static_cast<std::uint32_t>(payload.size())), 3);
    out.push_back(type);
    // The message stream id is the one little-endian field.
    for (int i = 0; i < 4; ++i) out.push_back(static_cast<std::uint8_t>(stream_id >> (8 * i)));
    if (extended) put_be(out, timestamp, 4);
    for (std::size_t at = 0; at < payload.size(); at += chunk_size) {
        if (at > 0) {
            const Bytes continuation = basic_header(3, csid);
            out.insert(out.end(), continuation.begin(), continuation.end());
            if (extended) put_be(out, timestamp, 4);
        }
        const std::size_t n = std::min<std::size_t>(chunk_size, payload.size() - at);
        out.insert(out.end(), payload.begin() + static_cast<std::ptrdiff_t>(at),
                   payload.begin() + static_cast<std::ptrdiff_t>(at + n));
    }
    return out;
}

Bytes control(std::uint8_t type, const Bytes& payload) {
    return chunk(2, type, 0, 0, payload);
}

Bytes user_control(std::uint16_t event, const Bytes& data) {
    Bytes payload;
    put_be(payload, event, 2);
    return control(4, payload + data);
}

Bytes amf0_number(double value) {
    Bytes out{0x00};
    put_be(out, std::bit_cast<std::uint64_t>(value), 8);
    return out;
}

Bytes amf0_string(std::string_view value) {
    Bytes out{0x02};
    put_be(out, value.size(), 2);
    out.insert(out.end(), value.begin(), value.end());
    return out;
}

Bytes amf0_null() {
    return {0x05};
}

Bytes amf0_object(const std::vector<std::pair<std::string, std::string>>& properties) {
    Bytes out{0x03};
    for (const auto& [key, value] : properties) {
        put_be(out, key.size(), 2);
        out.insert(out.end(), key.begin(), key.end());
        out = out + amf0_string(value);
    }
    return out + Bytes{0x00, 0x00, 0x09};
}

Bytes command_payload(std::string_view name, double transaction, const Bytes& arguments) {
    return amf0_string(name) + amf0_number(transaction) + amf0_null() + arguments;
}

Bytes command(std::string_view name, double transaction, const Bytes& arguments, std::uint32_t stream_id) {
    return chunk(3, 20, stream_id, 0, command_payload(name, transaction, arguments));
}

Bytes connect_command(std::string_view app, double transaction) {
    const Bytes object = amf0_object({{"app", std::string(app)},
                                      {"flashVer", "LNX 9,0,124,2"},
                                      {"tcUrl", "rtmp://127.0.0.1/" + std::string(app)}});
    return chunk(3, 20, 0, 0, amf0_string("connect") + amf0_number(transaction) + object);
}

// ---- the server process ----

ServerProbe::ServerProbe(const std::string& log_path) {
    // The server's stdout is its log file: the one process whose fd 1 is it.
    DIR* proc = ::opendir("/proc");
    if (proc == nullptr) return;
    while (const dirent* entry = ::readdir(proc)) {
        const std::string name = entry->d_name;
        if (name.empty() || !std::all_of(name.begin(), name.end(), ::isdigit)) continue;
        char target[4096];
        const std::string link = "/proc/" + name + "/fd/1";
        const ssize_t n = ::readlink(link.c_str(), target, sizeof(target) - 1);
        if (n <= 0) continue;
        if (std::string(target, static_cast<std::size_t>(n)) == log_path) {
            pid_ = static_cast<pid_t>(std::stol(name));
            break;
        }
    }
    ::closedir(proc);
}

std::size_t ServerProbe::rss_kib() const {
    return proc_rss_kib(pid_);
}

std::size_t ServerProbe::fd_count() const {
    return proc_fd_count(pid_);
}

std::vector<std::string> lines_of(const std::string& log, const std::string& peer) {
    std::vector<std::string> out;
    std::istringstream in(log);
    std::string line;
    while (std::getline(in, line)) {
        for (auto at = line.find(peer); at != std::string::npos; at = line.find(peer, at + 1)) {
            const std::size_t end = at + peer.size();
            if (end == line.size() || !std::isdigit(static_cast<unsigned char>(line[end]))) {
                out.push_back(line);
                break;
            }
        }
    }
    return out;
}

std::string session_tag(const std::string& log, const std::string& peer) {
    for (const std::string& line : lines_of(log, peer)) {
        const auto at = line.find(" accepted from ");
        if (at == std::string::npos) continue;
        const auto hash = line.rfind('#', at);
        if (hash != std::string::npos) return line.substr(hash, at - hash);
    }
    return "";
}

void append(Bytes& to, const Bytes& more) {
    to.insert(to.end(), more.begin(), more.end());
}

Bytes repeat(const Bytes& unit, std::size_t times) {
    Bytes out;
    out.reserve(unit.size() * times);
    for (std::size_t i = 0; i < times; ++i) out.insert(out.end(), unit.begin(), unit.end());
    return out;
}

Bytes u29(std::uint32_t v) {
    if (v < 0x80) return {static_cast<std::uint8_t>(v)};
    if (v < 0x4000) return {static_cast<std::uint8_t>((v >> 7) | 0x80), static_cast<std::uint8_t>(v & 0x7F)};
    if (v < 0x200000)
        return {static_cast<std::uint8_t>((v >> 14) | 0x80),
                static_cast<std::uint8_t>(((v >> 7) & 0x7F) | 0x80), static_cast<std::uint8_t>(v & 0x7F)};
    return {static_cast<std::uint8_t>((v >> 22) | 0x80), static_cast<std::uint8_t>(((v >> 15) & 0x7F) | 0x80),
            static_cast<std::uint8_t>(((v >> 8) & 0x7F) | 0x80), static_cast<std::uint8_t>(v & 0xFF)};
}

bool built_with_sanitizer() {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
    return true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
    return true;
#else
    return false;
#endif
#else
    return false;
#endif
}

// ---- the fixture ----

TempDir* ServeHostile::clip_dir_ = nullptr;
Clip* ServeHostile::clip_ = nullptr;
std::string* ServeHostile::clip_error_ = nullptr;

void ServeHostile::finish_healthy() {
    // Every hostile connection is gone by now (the clients are destroyed):
    // wait for the server to see it, then judge files and memory.
    const auto settle = Clock::now() + 10s;
    while (probe_->fd_count() != baseline_fds_ && Clock::now() < settle) std::this_thread::sleep_for(50ms);
    EXPECT_EQ(probe_->fd_count(), baseline_fds_) << "file descriptors did not return to the baseline";
    if (!sanitized_) {
        while (probe_->rss_kib() > baseline_rss_ + rss_slack_kib && Clock::now() < settle)
            std::this_thread::sleep_for(50ms);
        EXPECT_LE(probe_->rss_kib(), baseline_rss_ + rss_slack_kib)
            << "VmRSS " << probe_->rss_kib() << " KiB, baseline " << baseline_rss_ << " KiB";
    }

    EXPECT_TRUE(publisher_->running()) << "the healthy publisher stopped\n"
                                       << read_file(dir_.file("publisher.log"));
    EXPECT_TRUE(player_->running()) << "the healthy player stopped\n" << read_file(dir_.file("player.log"));
    // The publisher leaves: the player gets UnpublishNotify and ends its file.
    publisher_->signal(SIGINT);
    publisher_->wait(Clock::now() + 5s);
    if (!player_->wait(Clock::now() + 10s, false)) {
        player_->signal(SIGINT);
        player_->wait(Clock::now() + 5s);
    }
    std::string error;
    const auto got = decoded_hashes(player_out_, 'v', error);
    ASSERT_TRUE(got) << error;
    std::map<std::string, std::size_t> index;
    for (std::size_t i = 0; i < clip_->video_hashes.size(); ++i) index[clip_->video_hashes[i]] = i;
    const std::size_t n = clip_->video_hashes.size();
    // The test ran for seconds at 25 frames a second: at least one GOP.
    EXPECT_GE(got->size(), 25u) << "the healthy player decoded only " << got->size() << " frames";
    for (std::size_t i = 0; i < got->size(); ++i) {
        const auto at = index.find((*got)[i]);
        ASSERT_NE(at, index.end()) << "decoded frame " << i << " is not a source frame";
        if (i == 0) continue;
        const std::size_t before = index[(*got)[i - 1]];
        ASSERT_EQ(at->second, (before + 1) % n) << "frame " << i << " does not follow frame " << i - 1
                                                << " (a gap or a foreign frame in the healthy stream)";
    }
}

}  // namespace sluice::test
