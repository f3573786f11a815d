// `sluice probe` and `sluice bench` judged against `sluice serve` and
// against nginx-rtmp (the independent reference server), with the same
// cases on both:
//  (a) FFmpeg publishes a clip (testsrc2 320x240@25 H.264, AAC 44100 Hz
//      stereo) in a loop; `sluice probe --json` reports H.264 with the
//      profile and level ffprobe reads from the same file, 320x240, about
//      25 fps, AAC LC 44100 Hz 2 channels, a verified digest handshake and
//      the server's fmsVer, and the times in order (TCP ≤ handshake ≤
//      connect ≤ Play.Start ≤ first frame).
//  (b) while FFmpeg publishes, `sluice bench --players 3` (no --publish)
//      connects every player and receives frames; latency is reported
//      unavailable.
//  (c) `sluice bench --players 20 --publish clip.flv --seconds 4` receives
//      every frame. "Every frame" here: each player's video frames are,
//      from its first one on (a cached GOP on our server, the next key frame
//      on nginx-rtmp), exactly the run of frames the bench's publisher sent
//      up to its last one: no frame skipped in between (the bench finds
//      each received timestamp in its publisher's log) and none missing at
//      the end (frames_missed 0). Beside that: 20 connected, none failed or
//      stalled, each player got at least the published frames minus one
//      GOP (25) and at most all of them, and latency samples exist (the
//      server kept the publisher's timestamps, which the latency method
//      relies on).
//  (d) exit codes: a refused connection (2) and a name nobody publishes
//      (2, the report printed all the same).
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <functional>
#include <memory>
#include <thread>

#include "interop/nginx_fixture.hpp"
#include "interop/serve_fixture.hpp"
#include "interop/serve_test.hpp"

namespace sluice::test {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;

std::vector<std::string> sluice_argv(std::vector<std::string> args) {
    args.insert(args.begin(), serve_binary());
    return args;
}

/// The JSON object a command printed: the first line of its log that starts with '{'.
std::optional<json::object> json_in(const std::string& log) {
    std::size_t at = 0;
    while (at < log.size()) {
        const std::size_t end = std::min(log.find('\n', at), log.size());
        if (log[at] == '{') {
            json::error_code ec;
            json::value v = json::parse(std::string_view(log).substr(at, end - at), ec);
            if (!ec && v.is_object()) return v.as_object();
        }
        at = end + 1;
    }
    return std::nullopt;
}

double number(const json::value& v) {
    return v.is_int64()    ? static_cast<double>(v.as_int64())
           : v.is_uint64() ? static_cast<double>(v.as_uint64())
                           : v.as_double();
}

/// The server under test: its port and how to name a stream on it.
/// FFmpeg publishing `clip` to `url` in a loop until destroyed.
class LoopingPublisher {
public:
    LoopingPublisher(const std::string& clip, const std::string& url, const std::string& log)
        : process_({"ffmpeg", "-hide_banner", "-loglevel", "warning", "-re", "-stream_loop", "-1", "-i", clip,
                    "-c", "copy", "-f", "flv", url},
                   log) {}
    bool running() { return process_.running(); }

private:
    Process process_;
};

/// Waits until something holds a connection to `port`, then 1.5 s so the
/// publish is live and a GOP has passed.
bool wait_live(std::uint16_t port) {
    const auto deadline = Clock::now() + 10s;
    while (established_connections(port) < 1 && Clock::now() < deadline) std::this_thread::sleep_for(20ms);
    std::this_thread::sleep_for(1500ms);
    return established_connections(port) >= 1;
}

/// ffprobe's view of the clip's video stream: {profile, level} (e.g. "Constrained Baseline", 13).
std::optional<std::pair<std::string, int>> ffprobe_profile(const std::string& clip, const TempDir& dir) {
    const std::string log = dir.file("ffprobe.log");
    const auto rc = run_process({"ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
                                 "stream=profile,level", "-of", "json", clip},
                                log, 30s);
    if (rc != std::optional<int>(0)) return std::nullopt;
    json::error_code ec;
    const json::value v = json::parse(read_file(log), ec);  // pretty-printed, the whole log
    if (ec || !v.is_object()) return std::nullopt;
    const auto& stream = v.as_object().at("streams").as_array().at(0).as_object();
    return std::pair{std::string(stream.at("profile").as_string()),
                     static_cast<int>(number(stream.at("level")))};
}

ClipSpec stereo_clip() {
    ClipSpec spec;
    spec.seconds = 2;
    spec.audio_options = {"-b:a", "64k", "-ac", "2"};
    return spec;
}

/// (a) + (b): probe and a publisher-less bench while FFmpeg publishes.
void probe_reports_the_ffmpeg_publish(const ServerTarget& target, const TempDir& dir, const Clip& clip) {
    const std::string url = target.url("probed");
    LoopingPublisher publisher(clip.path, url, dir.file("publisher.log"));
    ASSERT_TRUE(wait_live(target.port)) << read_file(dir.file("publisher.log"));
    ASSERT_TRUE(publisher.running()) << read_file(dir.file("publisher.log"));

    const std::string log = dir.file("probe.log");
    const auto rc = run_process(sluice_argv({"probe", url, "--json", "--seconds", "2.5"}), log, 30s);
    ASSERT_EQ(rc, std::optional<int>(0)) << read_file(log);
    const auto report = json_in(read_file(log));
    ASSERT_TRUE(report) << "no JSON in:\n" << read_file(log);

    const auto& server = report->at("server").as_object();
    EXPECT_EQ(server.at("handshake").as_string(), "digest") << read_file(log);
    EXPECT_FALSE(server.at("fmsVer").as_string().empty());
    EXPECT_EQ(server.at("code").as_string(), "NetConnection.Connect.Success");

    const auto& video = report->at("video").as_object();
    EXPECT_EQ(video.at("codec").as_string(), "H.264");
    EXPECT_EQ(number(video.at("width")), 320);
    EXPECT_EQ(number(video.at("height")), 240);
    EXPECT_TRUE(video.at("from_sequence_header").as_bool());
    const auto expected = ffprobe_profile(clip.path, dir);
    ASSERT_TRUE(expected) << read_file(dir.file("ffprobe.log"));
    EXPECT_EQ(video.at("profile").as_string(), expected->first);
    EXPECT_EQ(video.at("level").as_string(),
              std::to_string(expected->second / 10) + "." + std::to_string(expected->second % 10));

    const auto& audio = report->at("audio").as_object();
    EXPECT_EQ(audio.at("codec").as_string(), "AAC");
    EXPECT_EQ(audio.at("profile").as_string(), "LC");
    EXPECT_EQ(number(audio.at("sample_rate")), 44100);
    EXPECT_EQ(number(audio.at("channels")), 2);

    // 2.5 s of play; nginx-rtmp starts at the next key frame (up to 1 s later).
    const auto& frames = report->at("video_frames").as_object();
    EXPECT_GE(number(frames.at("frames")), 25);
    EXPECT_NEAR(number(frames.at("frame_rate")), 25.0, 1.0);
    EXPECT_GT(number(report->at("bitrate")), 10'000);
    EXPECT_EQ(report->at("metadata").as_object().at("width").as_int64(), 320);

    const auto& t = report->at("times_ms").as_object();
    EXPECT_LE(number(t.at("tcp_connected")), number(t.at("handshake_done")));
    EXPECT_LE(number(t.at("handshake_done")), number(t.at("connected")));
    EXPECT_LE(number(t.at("connected")), number(t.at("play_start")));
    EXPECT_LE(number(t.at("play_start")), number(t.at("first_frame")));
    EXPECT_LE(number(t.at("first_frame")), number(t.at("first_key_frame")));

    // (b) A bench without --publish: players only, no latency.
    const std::string bench_log = dir.file("bench_players.log");
    const auto bench_rc =
        run_process(sluice_argv({"bench", url, "--players", "3", "--seconds", "2.5", "--json", "--quiet"}),
                    bench_log, 30s);
    ASSERT_EQ(bench_rc, std::optional<int>(0)) << read_file(bench_log);
    const auto summary = json_in(read_file(bench_log));
    ASSERT_TRUE(summary) << read_file(bench_log);
    EXPECT_EQ(summary->at("players").as_object().at("connected").as_int64(), 3);
    EXPECT_EQ(summary->at("players").as_object().at("failed").as_int64(), 0);
    EXPECT_EQ(summary->at("players").as_object().at("stalled").as_int64(), 0);
    // nginx-rtmp starts a player at the next key frame (up to 1 s): at least 1.5 s of frames.
    EXPECT_GE(number(summary->at("min_video_frames_per_player")), 25) << read_file(bench_log);
    EXPECT_GE(number(summary->at("video_frames")), 3 * 25);
    EXPECT_TRUE(summary->at("latency_ms").is_null());
    EXPECT_FALSE(summary->at("latency_unavailable").as_string().empty());
    EXPECT_TRUE(summary->at("published").is_null());
}

/// (c) 20 players and the bench's own publisher: every frame.
void bench_receives_every_frame(const ServerTarget& target, const TempDir& dir, const Clip& clip) {
    const std::string log = dir.file("bench.log");
    const auto rc = run_process(sluice_argv({"bench", target.url("benched"), "--players", "20", "--publish",
                                             clip.path, "--seconds", "4", "--json", "--quiet"}),
                                log, 60s);
    ASSERT_EQ(rc, std::optional<int>(0)) << read_file(log);
    const auto s = json_in(read_file(log));
    ASSERT_TRUE(s) << "no JSON in:\n" << read_file(log);
    const auto& players = s->at("players").as_object();
    EXPECT_EQ(players.at("requested").as_int64(), 20);
    EXPECT_EQ(players.at("connected").as_int64(), 20) << read_file(log);
    EXPECT_EQ(players.at("failed").as_int64(), 0) << read_file(log);
    EXPECT_EQ(players.at("stalled").as_int64(), 0) << read_file(log);
    EXPECT_EQ(players.at("incomplete").as_int64(), 0) << read_file(log);
    EXPECT_EQ(s->at("frames_missed").as_int64(), 0) << read_file(log);

    const auto& published = s->at("published").as_object();
    EXPECT_TRUE(published.at("error").is_null()) << read_file(log);
    const double sent = number(published.at("video_frames"));
    EXPECT_NEAR(sent, 4 * 25, 5) << "the publisher is paced at 25 fps";
    const double fewest = number(s->at("min_video_frames_per_player"));
    const double most = number(s->at("max_video_frames_per_player"));
    EXPECT_LE(most, sent);
    EXPECT_GE(fewest, sent - 25) << "a player missed more than the GOP before it joined";
    EXPECT_EQ(number(s->at("video_frames")) >= 20 * fewest, true);

    ASSERT_TRUE(s->at("latency_ms").is_object()) << "no latency: " << read_file(log);
    const auto& latency = s->at("latency_ms").as_object();
    EXPECT_GE(number(latency.at("count")), 20 * (sent - 25 - 10));
    EXPECT_GE(number(latency.at("p99")), number(latency.at("median")));
    EXPECT_TRUE(s->at("first_frame_ms").is_object());
}

/// (d) exit codes that can be made deterministic.
void probe_exit_codes(const ServerTarget& target, const TempDir& dir) {
    const std::string log = dir.file("probe_nobody.log");
    const auto rc = run_process(
        sluice_argv({"probe", target.url("nobody"), "--seconds", "0.5", "--timeout", "3"}), log, 30s);
    EXPECT_EQ(rc, std::optional<int>(2)) << read_file(log);
    EXPECT_NE(read_file(log).find("no media arrived"), std::string::npos) << read_file(log);
    EXPECT_NE(read_file(log).find("fmsVer"), std::string::npos) << "the report is printed all the same\n"
                                                                << read_file(log);
}

class ServeClientProbeBench : public ServeTest {
protected:
    void SetUp() override {
        start_server();
        std::string error;
        clip_ = make_clip_file(dir_.file("clip.flv"), stereo_clip(), error);
        ASSERT_TRUE(error.empty()) << error;
        target_.port = server_->port();
        target_.url = [this](const std::string& name) { return server_->url("live", name); };
    }
    Clip clip_;
    ServerTarget target_;
};

TEST_F(ServeClientProbeBench, ProbeReportsCodecsResolutionAndSampleRate) {
    probe_reports_the_ffmpeg_publish(target_, dir_, clip_);
}

TEST_F(ServeClientProbeBench, BenchTwentyPlayersReceiveEveryFrame) {
    bench_receives_every_frame(target_, dir_, clip_);
}

TEST_F(ServeClientProbeBench, ProbeExitCodes) {
    probe_exit_codes(target_, dir_);
    // Port 1 (tcpmux): nothing listens there on a test machine.
    const std::string log = dir_.file("probe_refused.log");
    const auto rc =
        run_process(sluice_argv({"probe", "rtmp://127.0.0.1:1/live/x", "--timeout", "3"}), log, 30s);
    EXPECT_EQ(rc, std::optional<int>(2)) << read_file(log);
    EXPECT_NE(read_file(log).find("is the server running"), std::string::npos) << read_file(log);
}

class NginxClientProbeBench : public NginxTest {
protected:
    void SetUp() override {
        start_nginx();
        if (IsSkipped() || HasFatalFailure()) return;
        std::string error;
        clip_ = make_clip_file(dir_.file("clip.flv"), stereo_clip(), error);
        ASSERT_TRUE(error.empty()) << error;
    }
    Clip clip_;
};

TEST_F(NginxClientProbeBench, ProbeReportsCodecsResolutionAndSampleRate) {
    probe_reports_the_ffmpeg_publish(target_, dir_, clip_);
}

TEST_F(NginxClientProbeBench, BenchTwentyPlayersReceiveEveryFrame) {
    bench_receives_every_frame(target_, dir_, clip_);
}

TEST_F(NginxClientProbeBench, ProbeExitCodes) {
    probe_exit_codes(target_, dir_);
}

}  // namespace
}  // namespace sluice::test
