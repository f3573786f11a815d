// RTMPE and RTMPTE (issue 8 item 3): the encrypted handshake (C0 6/8,
// Diffie-Hellman, RC4) answered on the RTMP port and inside the RTMPT
// tunnel, judged by librtmp (rtmpdump, GStreamer's rtmpsink and rtmpsrc)
// and our client. Debian's FFmpeg is built without RTMPE ("Protocol not
// found"), so FFmpeg plays the same stream over rtmpt:// here.
//  - rtmpsink publishes over rtmpe://; FFmpeg (rtmpt), rtmpdump (rtmpte),
//    rtmpsrc (rtmpe) and rtmp2src (rtmp) play it: one stream, four variants.
//  - FFmpeg publishes over rtmp://; rtmpdump plays over rtmpe://, rtmpsrc
//    over rtmpte://, FFmpeg and rtmp2src over rtmp://.
//  - Our client publishes over rtmpte:// and plays over rtmpe://, and the
//    other way round, byte-exact.
//  - A C0 of 6 whose C1 carries no valid digest, or garbage after an RTMPE
//    handshake, closes only that connection, with a log line.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <thread>

#include "interop/serve_players.hpp"
#include "interop/serve_test.hpp"

namespace sluice::test {
namespace {

using namespace std::chrono_literals;

class ServeRtmpe : public ServeTest {
protected:
    void SetUp() override {
        start_server();
        http_port_ = logged_port(server_->full_log(), "rtmpt");
        ASSERT_NE(http_port_, 0) << server_->full_log();
    }
    std::string url(const std::string& scheme, const std::string& name) const {
        const bool tunnel = scheme == "rtmpt" || scheme == "rtmpte";
        return scheme + "://127.0.0.1:" + std::to_string(tunnel ? http_port_ : server_->port()) + "/live/" +
               name;
    }
    /// Our client publishes over `publish_scheme` while it plays over
    /// `play_scheme`; the player's file holds the clip's media byte for byte.
    void our_client_both_ways(const std::string& publish_scheme, const std::string& play_scheme) {
        std::string error;
        const Clip clip = make_clip(dir_.file("clip.flv"), 2, error);
        ASSERT_TRUE(error.empty()) << error;
        Process player({serve_binary(), "play", url(play_scheme, "ours"), "-o", dir_.file("ours.flv"),
                        "--timeout", "20"},
                       dir_.file("player.log"));
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
        ASSERT_EQ(run_process({serve_binary(), "publish", clip.path, url(publish_scheme, "ours")},
                              dir_.file("publish.log"), std::chrono::seconds(30)),
                  std::optional<int>(0))
            << read_file(dir_.file("publish.log"));
        ASSERT_EQ(player.wait(Clock::now() + std::chrono::seconds(20)), std::optional<int>(0))
            << read_file(dir_.file("player.log"));
        const auto got = read_flv_media(dir_.file("ours.flv"), error);
        ASSERT_TRUE(error.empty()) << error;
        ASSERT_EQ(got.size(), clip.media.size());
        for (std::size_t i = 0; i < got.size(); ++i) {
            ASSERT_EQ(got[i].type, clip.media[i].type) << i;
            ASSERT_TRUE(std::ranges::equal(got[i].payload.bytes(), clip.media[i].payload.bytes())) << i;
        }
    }
    std::uint16_t http_port_ = 0;
};

TEST_F(ServeRtmpe, RtmpsinkPublishesOverRtmpeToPlayersOfFourVariants) {
    std::string error;
    const Clip clip = make_clip(dir_.file("clip.flv"), 4, error);
    ASSERT_TRUE(error.empty()) << error;
    run_matrix(*server_, dir_, gst_publish_command("-e", clip.path, "rtmpsink", url("rtmpe", "enc")), "enc",
               clip,
               [&](PlayerKind kind) {
                   switch (kind) {
                       case PlayerKind::ffmpeg:
                           return url("rtmpt", "enc");
                       case PlayerKind::rtmpdump:
                           return url("rtmpte", "enc");
                       case PlayerKind::rtmpsrc:
                           return url("rtmpe", "enc");
                       default:
                           return url("rtmp", "enc");
                   }
               },
               {server_->port(), http_port_});
    EXPECT_NE(server_->full_log().find("RTMPE (type"), std::string::npos);
}

TEST_F(ServeRtmpe, FfmpegPublishesToRtmpdumpOverRtmpeAndRtmpsrcOverRtmpte) {
    std::string error;
    const Clip clip = make_clip(dir_.file("clip.flv"), 4, error);
    ASSERT_TRUE(error.empty()) << error;
    run_matrix(*server_, dir_,
               {"ffmpeg", "-hide_banner", "-loglevel", "warning", "-re", "-i", clip.path, "-c", "copy", "-f",
                "flv", url("rtmp", "plain")},
               "plain", clip,
               [&](PlayerKind kind) {
                   switch (kind) {
                       case PlayerKind::rtmpdump:
                           return url("rtmpe", "plain");
                       case PlayerKind::rtmpsrc:
                           return url("rtmpte", "plain");
                       default:
                           return url("rtmp", "plain");
                   }
               },
               {server_->port(), http_port_});
}

TEST_F(ServeRtmpe, OurClientPublishesOverRtmpteAndPlaysOverRtmpe) {
    our_client_both_ways("rtmpte", "rtmpe");
}

TEST_F(ServeRtmpe, OurClientPublishesOverRtmpeAndPlaysOverRtmpte) {
    our_client_both_ways("rtmpe", "rtmpte");
}

TEST_F(ServeRtmpe, ABadEncryptedHandshakeClosesOnlyItsConnection) {
    std::string error;
    const Clip clip = make_clip(dir_.file("clip.flv"), 3, error);
    ASSERT_TRUE(error.empty()) << error;
    const auto source_audio = decoded_hashes(clip.path, 'a', error);
    ASSERT_TRUE(source_audio) << error;
    Player player = start_player(PlayerKind::rtmpdump, url("rtmpe", "calm"), dir_, "calm");
    std::this_thread::sleep_for(1000ms);
    Process publisher({serve_binary(), "publish", clip.path, url("rtmpe", "calm")},
                      dir_.file("publisher.log"));

    // C0 = 6 and a C1 without a digest (so without a key we could trust).
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(server_->port());
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address), 0);
    std::string c0c1(1537, '\x5A');
    c0c1[0] = 6;
    ASSERT_EQ(::send(fd, c0c1.data(), c0c1.size(), MSG_NOSIGNAL), static_cast<ssize_t>(c0c1.size()));
    timeval timeout{5, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    char c;
    EXPECT_EQ(::recv(fd, &c, 1, 0), 0) << "the server should close the connection";
    ::close(fd);

    ASSERT_EQ(publisher.wait(Clock::now() + 30s), std::optional<int>(0))
        << read_file(dir_.file("publisher.log"));
    EXPECT_TRUE(finish_player(player, Clock::now() + 10s).empty()) << read_file(player.log);
    check_player_file(clip, *source_audio, player, true);
    EXPECT_NE(server_->full_log().find("handshake failed"), std::string::npos) << server_->full_log();
}

}  // namespace
}  // namespace sluice::test
