// NginxProcess (nginx_fixture.hpp) proven with FFmpeg alone, so that the
// client suites can trust nginx-rtmp as their independent reference server:
//  - an FFmpeg player that waits on the name before an FFmpeg publisher
//    sends a clip through nginx decodes exactly the source's video frames;
//  - two servers started at once get distinct ports, and the destructor
//    stops nginx and removes its directory.
// Skipped (with the reason) when nginx or its RTMP module is not installed.
#include <gtest/gtest.h>

#include <signal.h>

#include <cstdlib>
#include <filesystem>
#include <thread>

#include "interop/nginx_fixture.hpp"
#include "interop/serve_fixture.hpp"

namespace sluice::test {
namespace {

using namespace std::chrono_literals;

class NginxFixture : public ::testing::Test {
protected:
    void SetUp() override {
        if (!NginxProcess::available()) GTEST_SKIP() << NginxProcess::unavailable_reason();
    }
};

TEST_F(NginxFixture, FfmpegPublishReachesFfmpegPlayerFrameExact) {
    TempDir dir;
    std::string error;
    const Clip clip = make_clip(dir.file("clip.flv"), 3, error);
    ASSERT_TRUE(error.empty()) << error;

    // play_restart: FFmpeg (5.1) ends its file on NetStream.Play.Stop, which
    // nginx sends at unpublish only with it (UnpublishNotify alone is not enough).
    NginxProcess nginx("play_restart on;");
    ASSERT_NE(nginx.port(), 0) << nginx.error();
    ASSERT_GT(nginx.pid(), 0) << "no pid file\n" << nginx.log();
    const std::string url = nginx.url("fixture");

    const std::string out = dir.file("played.flv");
    Process player(
        {"ffmpeg", "-hide_banner", "-loglevel", "warning", "-y", "-i", url, "-c", "copy", "-f", "flv", out},
        dir.file("player.log"));
    // nginx-rtmp keeps a player of a name nobody publishes waiting (live
    // on). Once it is connected, a second lets it send play.
    const auto connected_by = Clock::now() + 10s;
    while (established_connections(nginx.port()) < 1 && Clock::now() < connected_by) {
        std::this_thread::sleep_for(20ms);
    }
    ASSERT_GE(established_connections(nginx.port()), 1u) << "the player did not connect\n" << nginx.log();
    std::this_thread::sleep_for(1000ms);
    ASSERT_TRUE(player.running()) << "the player gave up before the publish\n"
                                  << read_file(dir.file("player.log"));

    const auto published = run_process({"ffmpeg", "-hide_banner", "-loglevel", "warning", "-re", "-i",
                                        clip.path, "-c", "copy", "-f", "flv", url},
                                       dir.file("publisher.log"), 30s);
    ASSERT_EQ(published, std::optional<int>(0)) << read_file(dir.file("publisher.log")) << "\n"
                                                << nginx.log();
    // The publisher left: nginx sends NetStream.Play.Stop and FFmpeg ends its file.
    const auto played = player.wait(Clock::now() + 10s);
    ASSERT_EQ(played, std::optional<int>(0)) << read_file(dir.file("player.log"));

    const auto video = decoded_hashes(out, 'v', error);
    ASSERT_TRUE(video) << error;
    EXPECT_EQ(*video, clip.video_hashes)
        << video->size() << " frames decoded of " << clip.video_hashes.size();
    EXPECT_TRUE(nginx.running()) << nginx.log();
}

TEST_F(NginxFixture, TwoServersGetTheirOwnPortAndStopCleanly) {
    std::string first_dir;
    {
        NginxProcess a;
        NginxProcess b("wait_key on;");
        ASSERT_NE(a.port(), 0) << a.error();
        ASSERT_NE(b.port(), 0) << b.error();
        EXPECT_NE(a.port(), b.port());
        EXPECT_NE(a.dir(), b.dir());
        first_dir = a.dir();
        EXPECT_TRUE(std::filesystem::exists(a.log_path()));
        const auto rc = b.terminate(Clock::now() + 5s);
        EXPECT_TRUE(rc.has_value()) << "nginx did not exit on SIGTERM";
        EXPECT_FALSE(b.running());
        EXPECT_TRUE(a.running()) << a.log();
    }
    if (std::getenv("SLUICE_INTEROP_KEEP") == nullptr) {
        EXPECT_FALSE(std::filesystem::exists(first_dir)) << "the destructor left " << first_dir;
    }
}

}  // namespace
}  // namespace sluice::test
