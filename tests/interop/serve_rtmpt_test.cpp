// RTMPT and RTMPTS (issue 8 item 2): `sluice serve --http` judged by real
// clients over loopback.
//  - FFmpeg and GStreamer's rtmpsink (librtmp) publish through the tunnel;
//    FFmpeg, rtmpdump and rtmpsrc play through it, rtmp2src (no RTMPT in
//    it) over plain RTMP: one stream, both variants, every frame checked.
//  - RTMPTS: the same over HTTPS with a self-signed certificate.
//  - Hostile HTTP (lying lengths, unknown ids, replayed sequence numbers,
//    oversized bodies, a tunnel nobody polls) closes only its own HTTP
//    connection or tunnel, with a log line; a player of the same server
//    plays every frame meanwhile.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <regex>
#include <thread>

#include "interop/serve_players.hpp"
#include "interop/serve_test.hpp"

namespace sluice::test {
namespace {

using namespace std::chrono_literals;

/// One HTTP exchange on a blocking loopback socket.
class HttpPeer {
public:
    explicit HttpPeer(std::uint16_t port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_port = htons(port);
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        connected_ = ::connect(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0;
        timeval timeout{5, 0};
        ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    }
    ~HttpPeer() { ::close(fd_); }
    HttpPeer(const HttpPeer&) = delete;
    HttpPeer& operator=(const HttpPeer&) = delete;

    bool connected() const { return connected_; }
    bool send(const std::string& bytes) {
        return ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(bytes.size());
    }
    /// A POST with `body` and a Content-Length of `declared` (default: the real one).
    bool post(const std::string& target, const std::string& body, std::optional<std::size_t> declared = {}) {
        return send("POST " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-fcs\r\n" +
                    "Content-Length: " + std::to_string(declared.value_or(body.size())) + "\r\n\r\n" + body);
    }

    struct Response {
        int status = 0;
        std::string body;
    };
    /// The next response (status 0: none within 5 s or the connection closed first).
    Response receive() {
        for (;;) {
            const std::size_t head_end = buffer_.find("\r\n\r\n");
            if (head_end != std::string::npos) {
                Response r;
                r.status = std::stoi(buffer_.substr(9, 3));
                std::smatch m;
                const std::string head = buffer_.substr(0, head_end);
                std::size_t length = 0;
                if (std::regex_search(head, m, std::regex("Content-Length: ([0-9]+)", std::regex::icase)))
                    length = std::stoul(m[1]);
                if (buffer_.size() >= head_end + 4 + length) {
                    r.body = buffer_.substr(head_end + 4, length);
                    buffer_.erase(0, head_end + 4 + length);
                    return r;
                }
            }
            char chunk[4096];
            const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
            if (n <= 0) return {};
            buffer_.append(chunk, static_cast<std::size_t>(n));
        }
    }
    /// True when the server closed the connection (EOF within 5 s).
    bool closed_by_server() {
        char c;
        return ::recv(fd_, &c, 1, 0) == 0;
    }

private:
    int fd_;
    bool connected_ = false;
    std::string buffer_;
};

/// FFmpeg's RTMPT client discards the bytes it has not posted yet when it
/// closes (libavformat/rtmphttp.c resets its output buffer before /close),
/// so a publish through it may lose its last frames whatever the server
/// does: at most about one second of them here.
constexpr std::size_t ffmpeg_tail_loss = 44;

class ServeRtmpt : public ServeTest {
protected:
    void start(const std::string& toml = "", const std::vector<std::string>& extra = {}) {
        std::ofstream(dir_.file("sluice.toml")) << toml;
        std::vector<std::string> args{"--config", dir_.file("sluice.toml")};
        args.insert(args.end(), extra.begin(), extra.end());
        start_server(args);
        http_port_ = logged_port(server_->full_log(), "rtmpt");
        ASSERT_NE(http_port_, 0) << server_->full_log();
    }

    std::string rtmpt_url(const std::string& name) const {
        return "rtmpt://127.0.0.1:" + std::to_string(http_port_) + "/live/" + name;
    }

    /// Opens a tunnel by hand: its id.
    std::string open_tunnel(HttpPeer& peer) {
        EXPECT_TRUE(peer.post("/open/1", std::string(1, '\0')));
        const auto r = peer.receive();
        EXPECT_EQ(r.status, 200);
        std::string id = r.body;
        while (!id.empty() && (id.back() == '\n' || id.back() == '\r')) id.pop_back();
        return id;
    }

    std::uint16_t http_port_ = 0;
};

TEST_F(ServeRtmpt, FfmpegPublishesThroughTheTunnelToPlayersOfBothVariants) {
    start();
    std::string error;
    const Clip clip = make_clip(dir_.file("clip.flv"), 4, error);
    ASSERT_TRUE(error.empty()) << error;
    run_matrix(
        *server_, dir_,
        {"ffmpeg", "-hide_banner", "-loglevel", "warning", "-re", "-i", clip.path, "-c", "copy", "-f", "flv",
         rtmpt_url("byffmpeg")},
        "byffmpeg", clip,
        [&](PlayerKind kind) {
            return kind == PlayerKind::rtmp2src ? server_->url("live", "byffmpeg") : rtmpt_url("byffmpeg");
        },
        {server_->port(), http_port_}, ffmpeg_tail_loss);
    EXPECT_NE(server_->full_log().find("(RTMPT) app=live stream=byffmpeg"), std::string::npos);
}

TEST_F(ServeRtmpt, RtmpsinkPublishesThroughTheTunnelAsObsWould) {
    start();
    std::string error;
    const Clip clip = make_clip(dir_.file("clip.flv"), 4, error);
    ASSERT_TRUE(error.empty()) << error;
    run_matrix(*server_, dir_, gst_publish_command("-e", clip.path, "rtmpsink", rtmpt_url("byrtmpsink")),
               "byrtmpsink", clip,
               [&](PlayerKind kind) {
                   return kind == PlayerKind::rtmpdump ? rtmpt_url("byrtmpsink")
                                                       : server_->url("live", "byrtmpsink");
               },
               {server_->port(), http_port_});
}

TEST_F(ServeRtmpt, RtmptsCarriesTheTunnelOverHttps) {
    ASSERT_TRUE(make_certificate(dir_, "a", "DNS:localhost,IP:127.0.0.1"))
        << read_file(dir_.file("a_openssl.log"));
    start("", {"--tls-cert", dir_.file("a.crt"), "--tls-key", dir_.file("a.key"), "--tls-listen",
               "127.0.0.1:0", "--https", "127.0.0.1:0"});
    const std::uint16_t https_port = logged_port(server_->full_log(), "rtmpts");
    ASSERT_NE(https_port, 0) << server_->full_log();
    const auto rtmpts_url = [&](const std::string& name) {
        return "rtmpts://127.0.0.1:" + std::to_string(https_port) + "/live/" + name;
    };
    std::string error;
    const Clip clip = make_clip(dir_.file("clip.flv"), 4, error);
    ASSERT_TRUE(error.empty()) << error;
    run_matrix(
        *server_, dir_,
        {"ffmpeg", "-hide_banner", "-loglevel", "warning", "-re", "-i", clip.path, "-c", "copy", "-f", "flv",
         rtmpts_url("overhttps")},
        "overhttps", clip,
        [&](PlayerKind kind) {
            switch (kind) {
                case PlayerKind::ffmpeg:
                case PlayerKind::rtmpdump:
                    return rtmpts_url("overhttps");
                case PlayerKind::rtmpsrc:
                    return rtmpt_url("overhttps");
                default:
                    return server_->url("live", "overhttps");
            }
        },
        {server_->port(), http_port_, https_port}, ffmpeg_tail_loss);

    // Our client both ways over RTMPTS, checking the certificate with --ca-file.
    Process player({serve_binary(), "play", rtmpts_url("ours"), "--ca-file", dir_.file("a.crt"), "-o",
                    dir_.file("ours.flv"), "--timeout", "20"},
                   dir_.file("ours_player.log"));
    std::this_thread::sleep_for(500ms);
    ASSERT_EQ(run_process(
                  {serve_binary(), "publish", clip.path, rtmpts_url("ours"), "--ca-file", dir_.file("a.crt")},
                  dir_.file("ours_publish.log"), 30s),
              std::optional<int>(0))
        << read_file(dir_.file("ours_publish.log"));
    ASSERT_EQ(player.wait(Clock::now() + 20s), std::optional<int>(0))
        << read_file(dir_.file("ours_player.log"));
    const auto got = read_flv_media(dir_.file("ours.flv"), error);
    ASSERT_TRUE(error.empty()) << error;
    ASSERT_EQ(got.size(), clip.media.size());
    for (std::size_t i = 0; i < got.size(); ++i) {
        ASSERT_EQ(got[i].type, clip.media[i].type) << i;
        ASSERT_TRUE(std::ranges::equal(got[i].payload.bytes(), clip.media[i].payload.bytes())) << i;
    }
}

TEST_F(ServeRtmpt, HostileRequestsCloseOnlyTheirConnection) {
    start("[http]\ntunnel_idle_timeout_ms = 1500\nmax_request_bytes = 100000\n");
    std::string error;
    const Clip clip = make_clip(dir_.file("clip.flv"), 4, error);
    ASSERT_TRUE(error.empty()) << error;
    const auto source_audio = decoded_hashes(clip.path, 'a', error);
    ASSERT_TRUE(source_audio) << error;
    // A real player through the tunnel, waiting for the stream.
    Player player = start_player(PlayerKind::rtmpdump, rtmpt_url("calm"), dir_, "calm");
    std::this_thread::sleep_for(1000ms);
    Process publisher({"ffmpeg", "-hide_banner", "-loglevel", "warning", "-re", "-i", clip.path, "-c", "copy",
                       "-f", "flv", server_->url("live", "calm")},
                      dir_.file("publisher.log"));

    {  // A body longer than its Content-Length: the rest is not HTTP.
        HttpPeer peer(http_port_);
        ASSERT_TRUE(peer.connected());
        ASSERT_TRUE(peer.post("/open/1", std::string("x\x01\x02 garbage\r\n\r\n"), 1));
        EXPECT_EQ(peer.receive().status, 200);
        EXPECT_EQ(peer.receive().status, 400);
        EXPECT_TRUE(peer.closed_by_server());
    }
    {  // A Content-Length over http.max_request_bytes: refused before the body.
        HttpPeer peer(http_port_);
        ASSERT_TRUE(peer.post("/send/ABCDEF/1", "", 50'000'000));
        EXPECT_EQ(peer.receive().status, 413);
        EXPECT_TRUE(peer.closed_by_server());
    }
    {  // An id nobody was given.
        HttpPeer peer(http_port_);
        ASSERT_TRUE(peer.post("/idle/0123456789ABCDEF/1", std::string(1, '\0')));
        EXPECT_EQ(peer.receive().status, 404);
        EXPECT_TRUE(peer.closed_by_server());
    }
    std::string replayed_id;
    {  // A replayed sequence number: refused; the tunnel itself stays.
        HttpPeer peer(http_port_);
        replayed_id = open_tunnel(peer);
        ASSERT_EQ(replayed_id.size(), 16u);
        std::string c0c1(1537, '\0');
        c0c1[0] = 3;
        ASSERT_TRUE(peer.post("/send/" + replayed_id + "/0", c0c1));
        const auto answer = peer.receive();
        EXPECT_EQ(answer.status, 200);
        EXPECT_EQ(answer.body.size(), 1u + 3073u) << "polling byte + S0 + S1 + S2";
        ASSERT_TRUE(peer.post("/send/" + replayed_id + "/0", c0c1));
        EXPECT_EQ(peer.receive().status, 409);
        EXPECT_TRUE(peer.closed_by_server());
        HttpPeer again(http_port_);
        ASSERT_TRUE(again.post("/idle/" + replayed_id + "/1", std::string(1, '\0')));
        const auto idle = again.receive();
        EXPECT_EQ(idle.status, 200);
        EXPECT_EQ(idle.body.size(), 1u);
    }
    {  // Not POST; an unknown path. Answered, and the connection stays.
        HttpPeer peer(http_port_);
        ASSERT_TRUE(peer.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
        EXPECT_EQ(peer.receive().status, 405);
        ASSERT_TRUE(peer.post("/fcs/ident2", std::string(1, '\0')));
        EXPECT_EQ(peer.receive().status, 404);
        ASSERT_TRUE(peer.post("/nothing/here", std::string(1, '\0')));
        EXPECT_EQ(peer.receive().status, 404);
    }
    {  // A declared length never sent: the connection waits; the server does not.
        HttpPeer peer(http_port_);
        ASSERT_TRUE(peer.post("/open/1", "x", 1000));
    }

    ASSERT_EQ(publisher.wait(Clock::now() + 30s), std::optional<int>(0))
        << read_file(dir_.file("publisher.log"));
    EXPECT_TRUE(finish_player(player, Clock::now() + 10s).empty()) << read_file(player.log);
    check_player_file(clip, *source_audio, player, true);

    // The tunnel nobody polls any more is closed, and its session with it.
    const auto expired_by = Clock::now() + 5s;
    const std::string line = "RTMPT session " + replayed_id + ": no request for 1500 ms";
    while (server_->full_log().find(line) == std::string::npos && Clock::now() < expired_by)
        std::this_thread::sleep_for(50ms);
    const std::string log = server_->full_log();
    EXPECT_NE(log.find(line), std::string::npos) << log;
    EXPECT_NE(log.find("asked for unknown session 0123456789ABCDEF"), std::string::npos);
    EXPECT_NE(log.find("replayed sequence number 0 of session " + replayed_id), std::string::npos);
    EXPECT_NE(log.find("request body over the limit of 100000 bytes"), std::string::npos);
    EXPECT_NE(log.find("malformed HTTP request"), std::string::npos);
}

TEST(ServeRtmptOff, HttpOffListensForRtmpOnly) {
    TempDir dir;
    const std::string log_path = dir.file("serve.log");
    Process server(
        {serve_binary(), "serve", "--listen", "127.0.0.1:0", "--http", "off", "--log-level", "info"},
        log_path);
    const auto by = Clock::now() + 10s;
    while (read_file(log_path).find("worker(s)") == std::string::npos && Clock::now() < by)
        std::this_thread::sleep_for(20ms);
    const std::string log = read_file(log_path);
    EXPECT_NE(log.find("listening on rtmp://127.0.0.1:"), std::string::npos) << log;
    EXPECT_EQ(log.find("rtmpt"), std::string::npos) << log;
    server.signal(SIGTERM);
    EXPECT_EQ(server.wait(Clock::now() + 5s), std::optional<int>(0));
}

}  // namespace
}  // namespace sluice::test
