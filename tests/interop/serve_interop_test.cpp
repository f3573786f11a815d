// `sluice serve` judged by real clients over loopback (CTest label "interop").
//  - Matrix: each publisher (FFmpeg; GStreamer rtmp2sink; GStreamer
//    rtmpsink, librtmp with FMLE's commands) publishes a clip
//    once to four players started before it, waiting for the name: FFmpeg,
//    rtmpdump (librtmp), GStreamer rtmp2src and rtmpsrc (librtmp). Each
//    player's file must decode to exactly the source's video frames (all of
//    them: it joined before the publish) and the source's audio frames, and
//    its first coded video frame must be a key frame.
//  - Late joiner: an FFmpeg player that starts 2.5 s into a paced publish
//    must decode a contiguous run of the source's frames that starts at a
//    key frame after the first GOP and lasts to the end (the GOP cache).
// The clip is made at test time (serve_fixture.hpp); frames are compared by
// the MD5 of the decoded picture, so a remuxing peer (GStreamer) is judged
// by what a viewer would see.
#include <gtest/gtest.h>

#include <signal.h>

#include <memory>
#include <thread>

#include "interop/serve_fixture.hpp"
#include "interop/serve_players.hpp"
#include "interop/serve_test.hpp"

namespace sluice::test {
namespace {

using namespace std::chrono_literals;

class ServeInterop : public ServeTest {
protected:
    void SetUp() override { start_server(); }
};

TEST_F(ServeInterop, FfmpegPublishesToEveryPlayer) {
    std::string error;
    const Clip clip = make_clip(dir_.file("clip.flv"), 4, error);
    ASSERT_TRUE(error.empty()) << error;
    run_matrix(*server_, dir_,
               {"ffmpeg", "-hide_banner", "-loglevel", "warning", "-re", "-i", clip.path, "-c", "copy", "-f",
                "flv", server_->url("live", "byffmpeg")},
               "byffmpeg", clip);
}

TEST_F(ServeInterop, GstreamerRtmp2sinkPublishesToEveryPlayer) {
    std::string error;
    const Clip clip = make_clip(dir_.file("clip.flv"), 4, error);
    ASSERT_TRUE(error.empty()) << error;
    // GStreamer remuxes the clip (flvdemux -> flvmux); rtmp2sink syncs on
    // the clock, so the publish runs at real time.
    run_matrix(*server_, dir_,
               gst_publish_command("-e", clip.path, "rtmp2sink", server_->url("live", "bygst")), "bygst",
               clip);
}

TEST_F(ServeInterop, GstreamerRtmpsinkPublishesToEveryPlayer) {
    std::string error;
    const Clip clip = make_clip(dir_.file("clip.flv"), 4, error);
    ASSERT_TRUE(error.empty()) << error;
    // rtmpsink is librtmp publishing with FMLE's commands (releaseStream,
    // FCPublish, publish): the nearest stand-in for OBS on this machine.
    // Like every sink it syncs on the clock by default (sync=true), so the
    // publish runs at real time.
    run_matrix(*server_, dir_,
               gst_publish_command("-e", clip.path, "rtmpsink", server_->url("live", "byrtmpsink")),
               "byrtmpsink", clip);
}

TEST_F(ServeInterop, LateJoinerStartsAtTheLastKeyFrame) {
    std::string error;
    const Clip clip = make_clip(dir_.file("clip.flv"), 8, error);
    ASSERT_TRUE(error.empty()) << error;
    const auto source_audio = decoded_hashes(clip.path, 'a', error);
    ASSERT_TRUE(source_audio) << error;
    const std::string url = server_->url("live", "late");
    Process publisher({"ffmpeg", "-hide_banner", "-loglevel", "warning", "-re", "-i", clip.path, "-c", "copy",
                       "-f", "flv", url},
                      dir_.file("late_publisher.log"));
    std::this_thread::sleep_for(2500ms);
    Player player = start_player(PlayerKind::ffmpeg, url, dir_, "late");
    const auto deadline = Clock::now() + 30s;
    ASSERT_EQ(publisher.wait(deadline), std::optional<int>(0)) << read_file(dir_.file("late_publisher.log"));
    const std::string failure = finish_player(player, Clock::now() + 10s);
    ASSERT_TRUE(failure.empty()) << failure;
    check_player_file(clip, *source_audio, player, false);

    const auto video = decoded_hashes(player.out, 'v', error);
    ASSERT_TRUE(video) << error;
    const auto start = find_run(clip.video_hashes, *video);
    ASSERT_TRUE(start);
    // 2.5 s in, the last key frame is the one at 2 s (frame 50); allow one
    // GOP either way for a slow start of either process.
    EXPECT_GE(*start, 25u) << "the late joiner got the stream from its beginning";
    EXPECT_LE(*start, 75u);
    EXPECT_EQ(*start + video->size(), clip.video_hashes.size())
        << "the late joiner lost frames before the end";
}

}  // namespace
}  // namespace sluice::test
