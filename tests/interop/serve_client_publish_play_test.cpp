// `sluice publish` and `sluice play` judged by FFmpeg, against `sluice serve`
// and against nginx-rtmp (the independent reference server):
//  (a) `sluice publish clip.flv URL` while an FFmpeg player waits on the
//      name: FFmpeg's file decodes to exactly the source's video frames;
//  (b) FFmpeg publishes while `sluice play URL -o out.flv` waits: out.flv
//      decodes to exactly the source's frames, and sluice play exits 0 when
//      the stream ends;
//  (c) exit codes that can be made deterministic: an unknown app (2, the
//      message names connect), --start 0 on our server (StreamNotFound: 3),
//      a name nobody publishes with --timeout 1 (2), a bad URL and a
//      missing file (1), a refused connection (2);
//  (d) `ffmpeg ... -f flv - | sluice publish - URL` (FLV on a pipe);
//  (e) SIGINT stops `sluice publish --loop` with exit 0 and a clean
//      unpublish, which ends the `sluice play` player normally with one
//      stream of ever-increasing timestamps; SIGINT stops `sluice play`
//      with exit 0 and a file that ends on a whole tag.
// Frames are compared by the MD5 of the decoded pictures (serve_fixture.hpp).
#include <gtest/gtest.h>

#include <signal.h>

#include <filesystem>
#include <functional>
#include <thread>

#include "interop/nginx_fixture.hpp"
#include "interop/serve_fixture.hpp"
#include "interop/serve_test.hpp"

namespace sluice::test {
namespace {

using namespace std::chrono_literals;

std::vector<std::string> sluice_argv(std::vector<std::string> args) {
    args.insert(args.begin(), serve_binary());
    return args;
}

std::vector<std::string> ffmpeg_player_argv(const std::string& url, const std::string& out) {
    return {"ffmpeg", "-hide_banner", "-loglevel", "warning", "-y",  "-i",
            url,      "-c",           "copy",      "-f",      "flv", out};
}

/// Waits until `count` connections to `port` are established, then a little
/// more so the players have sent play. False when they did not connect.
bool wait_players(std::uint16_t port, std::size_t count) {
    const auto deadline = Clock::now() + 15s;
    while (established_connections(port) < count && Clock::now() < deadline)
        std::this_thread::sleep_for(50ms);
    if (established_connections(port) < count) return false;
    std::this_thread::sleep_for(700ms);
    return true;
}

/// The file's decoded video is exactly the clip's (all frames, from the first).
void expect_same_video(const Clip& clip, const std::string& path) {
    std::string error;
    const auto video = decoded_hashes(path, 'v', error);
    ASSERT_TRUE(video) << error;
    EXPECT_EQ(*video, clip.video_hashes) << path << ": " << video->size() << " decoded frames vs "
                                         << clip.video_hashes.size() << " in the source";
    const auto audio = decoded_hashes(path, 'a', error);
    ASSERT_TRUE(audio) << "audio does not decode: " << error;
    EXPECT_FALSE(audio->empty()) << "no audio in " << path;
}

/// The server under test: its port and how to name a stream on it.
/// (a) sluice publish → FFmpeg player.
void sluice_publish_ffmpeg_plays(const ServerTarget& target, const TempDir& dir, const Clip& clip) {
    const std::string url = target.url("bysluice");
    Process player(ffmpeg_player_argv(url, dir.file("a_ffmpeg.flv")), dir.file("a_ffmpeg.log"));
    ASSERT_TRUE(wait_players(target.port, 1)) << "FFmpeg did not connect\n"
                                              << read_file(dir.file("a_ffmpeg.log"));
    const auto rc = run_process(sluice_argv({"publish", clip.path, url}), dir.file("a_publish.log"), 30s);
    ASSERT_EQ(rc, std::optional<int>(0)) << read_file(dir.file("a_publish.log"));
    EXPECT_NE(read_file(dir.file("a_publish.log")).find("input ended cleanly"), std::string::npos)
        << read_file(dir.file("a_publish.log"));
    ASSERT_EQ(player.wait(Clock::now() + 15s), std::optional<int>(0))
        << "the FFmpeg player did not end with the stream\n"
        << read_file(dir.file("a_ffmpeg.log"));
    expect_same_video(clip, dir.file("a_ffmpeg.flv"));
}

/// (b) FFmpeg publish → sluice play -o out.flv.
void ffmpeg_publish_sluice_plays(const ServerTarget& target, const TempDir& dir, const Clip& clip) {
    const std::string url = target.url("byffmpeg");
    const std::string out = dir.file("b_play.flv");
    Process player(sluice_argv({"play", url, "-o", out, "--timeout", "20"}), dir.file("b_play.log"));
    ASSERT_TRUE(wait_players(target.port, 1)) << "sluice play did not connect\n"
                                              << read_file(dir.file("b_play.log"));
    const auto rc = run_process({"ffmpeg", "-hide_banner", "-loglevel", "warning", "-re", "-i", clip.path,
                                 "-c", "copy", "-f", "flv", url},
                                dir.file("b_ffmpeg.log"), 30s);
    ASSERT_EQ(rc, std::optional<int>(0)) << read_file(dir.file("b_ffmpeg.log"));
    ASSERT_EQ(player.wait(Clock::now() + 15s), std::optional<int>(0))
        << "sluice play did not end normally with the stream\n"
        << read_file(dir.file("b_play.log"));
    EXPECT_NE(read_file(dir.file("b_play.log")).find("stream ended"), std::string::npos)
        << read_file(dir.file("b_play.log"));
    expect_same_video(clip, out);
}

class ServeClientPublishPlay : public ServeTest {
protected:
    void SetUp() override {
        start_server();
        std::string error;
        clip_ = make_clip(dir_.file("clip.flv"), 3, error);
        ASSERT_TRUE(error.empty()) << error;
        target_.port = server_->port();
        target_.url = [this](const std::string& name) { return server_->url("live", name); };
    }
    Clip clip_;
    ServerTarget target_;
};

TEST_F(ServeClientPublishPlay, SluicePublishIsDecodedFrameExactByFfmpeg) {
    sluice_publish_ffmpeg_plays(target_, dir_, clip_);
}

TEST_F(ServeClientPublishPlay, SluicePlayWritesTheFfmpegPublishFrameExact) {
    ffmpeg_publish_sluice_plays(target_, dir_, clip_);
}

TEST_F(ServeClientPublishPlay, ExitCodesSayWhatHappened) {
    // run_process appends to its log: one log per run.
    int run = 0;
    std::string log;
    auto sluice = [&](std::vector<std::string> args) {
        log = dir_.file("codes" + std::to_string(++run) + ".log");
        return run_process(sluice_argv(std::move(args)), log);
    };
    // An application the server does not have: the connect step is refused.
    EXPECT_EQ(sluice({"play", server_->url("nosuchapp", "x"), "-o", dir_.file("c1.flv")}),
              std::optional<int>(2));
    EXPECT_NE(read_file(log).find("connect:"), std::string::npos) << read_file(log);
    EXPECT_FALSE(std::filesystem::exists(dir_.file("c1.flv"))) << "an empty output was left behind";
    // start 0 asks for a recording, which our server does not have: StreamNotFound.
    EXPECT_EQ(sluice({"play", server_->url("live", "nothing"), "--start", "0", "-o", dir_.file("c2.flv")}),
              std::optional<int>(3))
        << read_file(log);
    EXPECT_NE(read_file(log).find("StreamNotFound"), std::string::npos) << read_file(log);
    // A live name nobody publishes: our server lets the player wait; --timeout bounds it.
    const auto started = Clock::now();
    EXPECT_EQ(sluice({"play", server_->url("live", "nobody"), "--timeout", "1", "-o", dir_.file("c3.flv")}),
              std::optional<int>(2))
        << read_file(log);
    EXPECT_LT(Clock::now() - started, 8s);
    EXPECT_NE(read_file(log).find("no media arrived within 1 s"), std::string::npos) << read_file(log);
    // Usage errors.
    EXPECT_EQ(sluice({"play", "http://127.0.0.1/live/x"}), std::optional<int>(1));
    EXPECT_EQ(sluice({"publish", dir_.file("missing.flv"), server_->url("live", "x")}),
              std::optional<int>(1));
    EXPECT_NE(read_file(log).find("missing.flv"), std::string::npos) << read_file(log);
    EXPECT_EQ(sluice({"publish", dir_.file("serve.log"), server_->url("live", "x")}), std::optional<int>(1));
    EXPECT_NE(read_file(log).find("not an FLV file"), std::string::npos) << read_file(log);
    // Nobody listens on port 1.
    EXPECT_EQ(sluice({"publish", clip_.path, "rtmp://127.0.0.1:1/live/x"}), std::optional<int>(2));
}

TEST_F(ServeClientPublishPlay, ConnectFlagsReachTheServer) {
    const std::string log = dir_.file("flags.log");
    // --start 0: our server answers StreamNotFound at once, after the connect we look at.
    const auto rc = run_process(
        sluice_argv({"play", server_->url("live", "flags"), "--start", "0", "-o", dir_.file("flags.flv"),
                     "--flash-ver", "SluiceTest 1,2,3", "--conn", "S:token", "--conn", "O:1", "--conn",
                     "NB:ok:1", "--conn", "O:0", "--simple-handshake"}),
        log);
    EXPECT_EQ(rc, std::optional<int>(3)) << read_file(log);
    EXPECT_NE(server_->log().find("flashVer=\"SluiceTest 1,2,3\""), std::string::npos) << server_->log();
    // A --conn that does not parse is a usage error, before any connection.
    const std::string bad = dir_.file("flags_bad.log");
    EXPECT_EQ(run_process(sluice_argv({"probe", server_->url("live", "flags"), "--conn", "B:2"}), bad),
              std::optional<int>(1));
    EXPECT_NE(read_file(bad).find("--conn \"B:2\""), std::string::npos) << read_file(bad);
}

TEST_F(ServeClientPublishPlay, PublishesFlvFromAPipe) {
    const std::string url = server_->url("live", "piped");
    Process player(ffmpeg_player_argv(url, dir_.file("d_ffmpeg.flv")), dir_.file("d_ffmpeg.log"));
    ASSERT_TRUE(wait_players(server_->port(), 1)) << read_file(dir_.file("d_ffmpeg.log"));
    const std::string pipeline = "ffmpeg -hide_banner -loglevel error -re -i '" + clip_.path +
                                 "' -c copy -f flv - | '" + serve_binary() + "' publish - '" + url + "'";
    const auto rc = run_process({"sh", "-c", pipeline}, dir_.file("d_publish.log"), 30s);
    ASSERT_EQ(rc, std::optional<int>(0)) << read_file(dir_.file("d_publish.log"));
    ASSERT_EQ(player.wait(Clock::now() + 15s), std::optional<int>(0)) << read_file(dir_.file("d_ffmpeg.log"));
    expect_same_video(clip_, dir_.file("d_ffmpeg.flv"));
}

TEST_F(ServeClientPublishPlay, SigintStopsALoopingPublishCleanly) {
    const std::string url = server_->url("live", "looped");
    const std::string out = dir_.file("e_play.flv");
    Process player(sluice_argv({"play", url, "-o", out}), dir_.file("e_play.log"));
    ASSERT_TRUE(wait_players(server_->port(), 1)) << read_file(dir_.file("e_play.log"));
    Process publisher(sluice_argv({"publish", "--loop", "--speed", "4", clip_.path, url}),
                      dir_.file("e_publish.log"));
    // Three seconds of a 3 s clip at 4x: the second pass or later.
    std::this_thread::sleep_for(3s);
    ASSERT_TRUE(publisher.running()) << "--loop ended by itself\n" << read_file(dir_.file("e_publish.log"));
    publisher.signal(SIGINT);
    ASSERT_EQ(publisher.wait(Clock::now() + 10s), std::optional<int>(0))
        << read_file(dir_.file("e_publish.log"));
    EXPECT_NE(read_file(dir_.file("e_publish.log")).find("passes"), std::string::npos)
        << read_file(dir_.file("e_publish.log"));
    // deleteStream made the server tell the player the stream ended.
    ASSERT_EQ(player.wait(Clock::now() + 10s), std::optional<int>(0)) << read_file(dir_.file("e_play.log"));
    // The passes joined into one stream whose timestamps only go forward.
    std::string error;
    const auto tags = read_flv_media(out, error);
    ASSERT_TRUE(error.empty()) << error;
    std::size_t frames = 0;
    base::Timestamp last_video = 0;
    for (const ClipTag& tag : tags) {
        if (tag.type != rtmp::MessageType::video || !is_video_frame(tag.payload)) continue;
        if (frames > 0) {
            EXPECT_GT(tag.timestamp, last_video) << "video went back in time at frame " << frames;
        }
        last_video = tag.timestamp;
        ++frames;
    }
    EXPECT_GT(frames, clip_.video_count()) << "fewer frames than one pass";
    const auto video = decoded_hashes(out, 'v', error);
    ASSERT_TRUE(video) << error;
    EXPECT_EQ(video->size(), frames);
}

TEST_F(ServeClientPublishPlay, SigintStopsPlayOnAWholeTag) {
    const std::string url = server_->url("live", "watched");
    const std::string out = dir_.file("f_play.flv");
    Process publisher(sluice_argv({"publish", "--loop", clip_.path, url}), dir_.file("f_publish.log"));
    std::this_thread::sleep_for(1s);
    Process player(sluice_argv({"play", url, "-o", out}), dir_.file("f_play.log"));
    std::this_thread::sleep_for(2s);
    ASSERT_TRUE(player.running()) << read_file(dir_.file("f_play.log"));
    player.signal(SIGINT);
    ASSERT_EQ(player.wait(Clock::now() + 10s), std::optional<int>(0)) << read_file(dir_.file("f_play.log"));
    EXPECT_NE(read_file(dir_.file("f_play.log")).find("interrupted"), std::string::npos)
        << read_file(dir_.file("f_play.log"));
    // The file ends on a whole tag and decodes.
    std::string error;
    const auto tags = read_flv_media(out, error);
    ASSERT_TRUE(error.empty()) << error;
    EXPECT_FALSE(tags.empty());
    const auto video = decoded_hashes(out, 'v', error);
    ASSERT_TRUE(video) << error;
    EXPECT_GT(video->size(), 10u);
    EXPECT_TRUE(find_run(clip_.video_hashes, std::vector<std::string>(video->begin(), video->begin() + 10)))
        << "the first frames played are not the source's";
    publisher.signal(SIGINT);
    EXPECT_EQ(publisher.wait(Clock::now() + 10s), std::optional<int>(0))
        << read_file(dir_.file("f_publish.log"));
}

/// The same (a) and (b) against nginx-rtmp. play_restart: nginx then sends
/// NetStream.Play.Stop at unpublish, on which FFmpeg's player ends.
class NginxClientPublishPlay : public NginxTest {
protected:
    void SetUp() override {
        start_nginx("play_restart on;");
        if (IsSkipped() || HasFatalFailure()) return;
        std::string error;
        clip_ = make_clip(dir_.file("clip.flv"), 3, error);
        ASSERT_TRUE(error.empty()) << error;
    }
    Clip clip_;
};

TEST_F(NginxClientPublishPlay, SluicePublishIsDecodedFrameExactByFfmpeg) {
    sluice_publish_ffmpeg_plays(target_, dir_, clip_);
}

TEST_F(NginxClientPublishPlay, SluicePlayWritesTheFfmpegPublishFrameExact) {
    ffmpeg_publish_sluice_plays(target_, dir_, clip_);
}

}  // namespace
}  // namespace sluice::test
