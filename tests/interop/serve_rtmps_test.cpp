// RTMPS (issue 8 item 1): `sluice serve --tls-cert --tls-key` judged by
// real clients over loopback, with self-signed certificates made by the
// test with the `openssl` command.
//  - FFmpeg and GStreamer's rtmpsink (librtmp) publish over rtmps:// to
//    FFmpeg, rtmpdump, rtmp2src and rtmpsrc players, some on rtmps:// and
//    some on rtmp://: one stream, both variants, every frame checked.
//  - Our client checks the certificate: --ca-file trusts it, a certificate
//    without the host's name or not trusted fails with a message that
//    says so, --insecure connects (and warns).
//  - SIGHUP reloads the certificate: new connections get the new one,
//    a player already connected keeps playing, a broken file keeps the old.
//  - A peer that stalls its TLS handshake or sends no TLS at all is closed
//    (limits.handshake_timeout_ms) with a log line, and nobody else notices.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <thread>

#include "interop/serve_players.hpp"
#include "interop/serve_test.hpp"

namespace sluice::test {
namespace {

using namespace std::chrono_literals;

class ServeRtmps : public ServeTest {
protected:
    void SetUp() override {
        ASSERT_TRUE(make_certificate(dir_, "a", "DNS:localhost,IP:127.0.0.1"))
            << read_file(dir_.file("a_openssl.log"));
        // The files the server reads; SIGHUP tests overwrite them.
        std::filesystem::copy_file(dir_.file("a.crt"), dir_.file("server.crt"));
        std::filesystem::copy_file(dir_.file("a.key"), dir_.file("server.key"));
        std::ofstream(dir_.file("sluice.toml")) << "[limits]\nhandshake_timeout_ms = 1500\n";
        start_server({"--config", dir_.file("sluice.toml"), "--tls-cert", dir_.file("server.crt"),
                      "--tls-key", dir_.file("server.key"), "--tls-listen", "127.0.0.1:0"});
        std::smatch m;
        const std::string log = server_->full_log();
        ASSERT_TRUE(std::regex_search(log, m, std::regex(R"(listening on rtmps://127\.0\.0\.1:(\d+))")))
            << log;
        tls_port_ = static_cast<std::uint16_t>(std::stoi(m[1]));
    }

    std::string rtmps_url(const std::string& name, const std::string& host = "127.0.0.1") const {
        return "rtmps://" + host + ":" + std::to_string(tls_port_) + "/live/" + name;
    }

    /// `sluice ARGS`: its exit code (nullopt: no exit within 30 s); output in dir_/<tag>.log.
    std::optional<int> sluice(const std::string& tag, std::vector<std::string> args) {
        args.insert(args.begin(), serve_binary());
        return run_process(args, dir_.file(tag + ".log"), 30s);
    }

    std::uint16_t tls_port_ = 0;
};

TEST_F(ServeRtmps, FfmpegPublishesOverRtmpsToPlayersOfBothVariants) {
    std::string error;
    const Clip clip = make_clip(dir_.file("clip.flv"), 4, error);
    ASSERT_TRUE(error.empty()) << error;
    run_matrix(*server_, dir_,
               {"ffmpeg", "-hide_banner", "-loglevel", "warning", "-re", "-i", clip.path, "-c", "copy", "-f",
                "flv", rtmps_url("byffmpeg")},
               "byffmpeg", clip,
               [&](PlayerKind kind) {
                   return kind == PlayerKind::rtmpsrc ? server_->url("live", "byffmpeg")
                                                      : rtmps_url("byffmpeg");
               },
               {server_->port(), tls_port_});
}

TEST_F(ServeRtmps, RtmpsinkPublishesOverRtmpsToPlayersOfBothVariants) {
    std::string error;
    const Clip clip = make_clip(dir_.file("clip.flv"), 4, error);
    ASSERT_TRUE(error.empty()) << error;
    run_matrix(*server_, dir_, gst_publish_command("-e", clip.path, "rtmpsink", rtmps_url("byrtmpsink")),
               "byrtmpsink", clip,
               [&](PlayerKind kind) {
                   switch (kind) {
                       case PlayerKind::rtmpdump:
                           return rtmps_url("byrtmpsink");
                       case PlayerKind::rtmpsrc:
                           return rtmps_url("byrtmpsink");
                       default:
                           return server_->url("live", "byrtmpsink");
                   }
               },
               {server_->port(), tls_port_});
}

TEST_F(ServeRtmps, OurClientChecksTheCertificate) {
    std::string error;
    const Clip clip = make_clip(dir_.file("clip.flv"), 2, error);
    ASSERT_TRUE(error.empty()) << error;
    const std::string ca = dir_.file("a.crt");
    Process player({serve_binary(), "play", rtmps_url("ours", "localhost"), "--ca-file", ca, "-o",
                    dir_.file("ours.flv"), "--timeout", "20"},
                   dir_.file("player.log"));
    std::this_thread::sleep_for(500ms);
    ASSERT_EQ(sluice("publish", {"publish", clip.path, rtmps_url("ours"), "--ca-file", ca}),
              std::optional<int>(0))
        << read_file(dir_.file("publish.log"));
    ASSERT_EQ(player.wait(Clock::now() + 20s), std::optional<int>(0)) << read_file(dir_.file("player.log"));
    const auto got = read_flv_media(dir_.file("ours.flv"), error);
    ASSERT_TRUE(error.empty()) << error;
    ASSERT_EQ(got.size(), clip.media.size());
    for (std::size_t i = 0; i < got.size(); ++i) {
        ASSERT_EQ(got[i].type, clip.media[i].type) << i;
        ASSERT_TRUE(std::ranges::equal(got[i].payload.bytes(), clip.media[i].payload.bytes())) << i;
    }

    // Not trusted (the system's store): refused, and the message says how to go on.
    EXPECT_EQ(sluice("untrusted", {"play", rtmps_url("x"), "-o", dir_.file("x.flv"), "--timeout", "2"}),
              std::optional<int>(2));
    EXPECT_NE(read_file(dir_.file("untrusted.log")).find("certificate verification failed"),
              std::string::npos)
        << read_file(dir_.file("untrusted.log"));
    EXPECT_NE(read_file(dir_.file("untrusted.log")).find("--ca-file"), std::string::npos);
    // Trusted, but not for this name.
    ASSERT_TRUE(make_certificate(dir_, "other", "DNS:other.example"));
    EXPECT_EQ(sluice("mismatch", {"play", rtmps_url("x"), "--ca-file", dir_.file("other.crt"), "-o",
                                  dir_.file("x.flv"), "--timeout", "2"}),
              std::optional<int>(2));
    // --insecure connects (and the play then waits for a stream nobody publishes).
    EXPECT_EQ(sluice("insecure",
                     {"play", rtmps_url("x"), "--insecure", "-o", dir_.file("x.flv"), "--timeout", "1"}),
              std::optional<int>(2));
    const std::string insecure = read_file(dir_.file("insecure.log"));
    EXPECT_NE(insecure.find("WARNING: --insecure"), std::string::npos) << insecure;
    EXPECT_NE(insecure.find("no media arrived"), std::string::npos) << insecure;
}

TEST_F(ServeRtmps, SighupReloadsTheCertificateAndKeepsOpenConnections) {
    std::string error;
    const Clip clip = make_clip(dir_.file("clip.flv"), 2, error);
    ASSERT_TRUE(error.empty()) << error;
    Process publisher({serve_binary(), "publish", "--loop", clip.path, server_->url("live", "long")},
                      dir_.file("publisher.log"));
    Process player({serve_binary(), "play", rtmps_url("long"), "--ca-file", dir_.file("a.crt"), "-o",
                    dir_.file("long.flv")},
                   dir_.file("player.log"));
    std::this_thread::sleep_for(1500ms);
    ASSERT_TRUE(player.running()) << read_file(dir_.file("player.log"));
    const auto before = std::filesystem::file_size(dir_.file("long.flv"));

    ASSERT_TRUE(make_certificate(dir_, "b", "DNS:localhost,IP:127.0.0.1"));
    std::filesystem::copy_file(dir_.file("b.crt"), dir_.file("server.crt"),
                               std::filesystem::copy_options::overwrite_existing);
    std::filesystem::copy_file(dir_.file("b.key"), dir_.file("server.key"),
                               std::filesystem::copy_options::overwrite_existing);
    server_->process().signal(SIGHUP);
    const auto reloaded_by = Clock::now() + 5s;
    while (server_->full_log().find("reloaded") == std::string::npos && Clock::now() < reloaded_by)
        std::this_thread::sleep_for(20ms);
    ASSERT_NE(server_->full_log().find("reloaded"), std::string::npos);

    // New connections get b: trusted with b, refused with a.
    EXPECT_EQ(sluice("with_b", {"play", rtmps_url("long"), "--ca-file", dir_.file("b.crt"), "-o",
                                dir_.file("b.flv"), "--duration", "1"}),
              std::optional<int>(0))
        << read_file(dir_.file("with_b.log"));
    EXPECT_EQ(sluice("with_a", {"play", rtmps_url("long"), "--ca-file", dir_.file("a.crt"), "-o",
                                dir_.file("a.flv"), "--duration", "1"}),
              std::optional<int>(2));

    // A broken file is refused and b stays.
    std::ofstream(dir_.file("server.crt"), std::ios::trunc) << "not a certificate\n";
    server_->process().signal(SIGHUP);
    const auto refused_by = Clock::now() + 5s;
    while (server_->full_log().find("not reloaded") == std::string::npos && Clock::now() < refused_by)
        std::this_thread::sleep_for(20ms);
    EXPECT_NE(server_->full_log().find("not reloaded"), std::string::npos);
    EXPECT_EQ(sluice("still_b", {"play", rtmps_url("long"), "--ca-file", dir_.file("b.crt"), "-o",
                                 dir_.file("b2.flv"), "--duration", "1"}),
              std::optional<int>(0))
        << read_file(dir_.file("still_b.log"));

    // The player from before the reloads is still there and still receiving.
    ASSERT_TRUE(player.running()) << read_file(dir_.file("player.log"));
    EXPECT_GT(std::filesystem::file_size(dir_.file("long.flv")), before);
    player.signal(SIGINT);
    EXPECT_EQ(player.wait(Clock::now() + 5s), std::optional<int>(0)) << read_file(dir_.file("player.log"));
    publisher.signal(SIGINT);
    EXPECT_EQ(publisher.wait(Clock::now() + 5s), std::optional<int>(0));
}

/// A TCP connection to 127.0.0.1:port that sends `bytes`, then waits up to
/// `limit` for the server to close it; the time that took (nullopt: still open).
std::optional<std::chrono::milliseconds> closed_after(std::uint16_t port, const std::string& bytes,
                                                      std::chrono::milliseconds limit) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return std::nullopt;
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const auto start = Clock::now();
    std::optional<std::chrono::milliseconds> result;
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0) {
        if (!bytes.empty()) (void)::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
        timeval tv{0, 100'000};
        ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        char buffer[4096];
        while (Clock::now() - start < limit) {
            const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
            if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
                result = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
                break;
            }
        }
    }
    ::close(fd);
    return result;
}

TEST_F(ServeRtmps, StalledAndNonTlsPeersAreClosedAndNobodyElseNotices) {
    std::string error;
    const Clip clip = make_clip(dir_.file("clip.flv"), 3, error);
    ASSERT_TRUE(error.empty()) << error;
    Process player({serve_binary(), "play", rtmps_url("calm"), "--ca-file", dir_.file("a.crt"), "-o",
                    dir_.file("calm.flv"), "--timeout", "20"},
                   dir_.file("player.log"));
    // The player waits for the name before the publish starts, so it gets every message.
    const auto connected_by = Clock::now() + 10s;
    while (established_connections(tls_port_) < 1 && Clock::now() < connected_by)
        std::this_thread::sleep_for(20ms);
    std::this_thread::sleep_for(500ms);
    Process publisher({serve_binary(), "publish", clip.path, server_->url("live", "calm")},
                      dir_.file("publisher.log"));

    // limits.handshake_timeout_ms is 1500 in this suite.
    const auto stalled = closed_after(tls_port_, "", 6s);
    ASSERT_TRUE(stalled) << "a peer that never starts TLS was not closed";
    EXPECT_GE(*stalled, 1000ms);
    const auto garbage = closed_after(tls_port_, "GET / HTTP/1.1\r\nHost: x\r\n\r\n", 6s);
    ASSERT_TRUE(garbage) << "a peer that speaks HTTP to the RTMPS port was not closed";
    EXPECT_LT(*garbage, 1000ms);

    ASSERT_EQ(publisher.wait(Clock::now() + 20s), std::optional<int>(0))
        << read_file(dir_.file("publisher.log"));
    ASSERT_EQ(player.wait(Clock::now() + 20s), std::optional<int>(0)) << read_file(dir_.file("player.log"));
    const auto got = read_flv_media(dir_.file("calm.flv"), error);
    ASSERT_TRUE(error.empty()) << error;
    EXPECT_EQ(got.size(), clip.media.size());
    const std::string log = server_->full_log();
    EXPECT_NE(log.find("TLS handshake from 127.0.0.1"), std::string::npos) << log;
    EXPECT_NE(log.find("timed out"), std::string::npos) << log;
}

TEST_F(ServeRtmps, MinVersionOneThreeRefusesTlsOneTwo) {
    std::ofstream(dir_.file("tls13.toml")) << "[tls]\nmin_version = \"1.3\"\n";
    ServeProcess strict(dir_.file("strict.log"),
                        {"--config", dir_.file("tls13.toml"), "--tls-cert", dir_.file("a.crt"), "--tls-key",
                         dir_.file("a.key"), "--tls-listen", "127.0.0.1:0"});
    ASSERT_NE(strict.port(), 0) << strict.error();
    std::smatch m;
    const std::string log = strict.full_log();
    ASSERT_TRUE(std::regex_search(log, m, std::regex(R"(listening on rtmps://127\.0\.0\.1:(\d+))"))) << log;
    const std::string where = "127.0.0.1:" + std::string(m[1]);
    // s_client reads its stdin: /dev/null makes it leave after the handshake.
    const auto version = [&](const std::string& flag) {
        return run_process({"sh", "-c", "openssl s_client " + flag + " -connect " + where + " </dev/null"},
                           dir_.file("s_client" + flag + ".log"), 10s);
    };
    EXPECT_NE(version("-tls1_2"), std::optional<int>(0)) << read_file(dir_.file("s_client-tls1_2.log"));
    EXPECT_EQ(version("-tls1_3"), std::optional<int>(0)) << read_file(dir_.file("s_client-tls1_3.log"));
    // The suite's server (the default, 1.2) takes both.
    const std::string lenient = "127.0.0.1:" + std::to_string(tls_port_);
    EXPECT_EQ(run_process({"sh", "-c", "openssl s_client -tls1_2 -connect " + lenient + " </dev/null"},
                          dir_.file("s_client_lenient.log"), 10s),
              std::optional<int>(0));
    EXPECT_EQ(strict.terminate(Clock::now() + 5s), std::optional<int>(0));
}

}  // namespace
}  // namespace sluice::test
