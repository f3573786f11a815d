#include "interop/serve_players.hpp"

#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <thread>

namespace sluice::test {

using namespace std::chrono_literals;

const char* name_of(PlayerKind kind) {
    switch (kind) {
        case PlayerKind::ffmpeg:
            return "ffmpeg";
        case PlayerKind::rtmpdump:
            return "rtmpdump";
        case PlayerKind::rtmp2src:
            return "rtmp2src";
        case PlayerKind::rtmpsrc:
            return "rtmpsrc";
    }
    return "?";
}

std::vector<std::string> player_argv(PlayerKind kind, const std::string& url, const std::string& out) {
    switch (kind) {
        case PlayerKind::ffmpeg:
            return {"ffmpeg", "-hide_banner", "-loglevel", "warning", "-y",  "-i",
                    url,      "-c",           "copy",      "-f",      "flv", out};
        case PlayerKind::rtmpdump:
            return {"rtmpdump", "-r", url, "--live", "-o", out};
        case PlayerKind::rtmp2src:
            // rtmp2src hands out the FLV stream itself: the file is what arrived.
            // The RTMPS tests' certificates are self-signed.
            if (url.starts_with("rtmps://"))
                return {"gst-launch-1.0",         "-e", "rtmp2src", "location=" + url,
                        "tls-validation-flags=0", "!",  "filesink", "location=" + out};
            return {"gst-launch-1.0", "-e", "rtmp2src", "location=" + url, "!", "filesink",
                    "location=" + out};
        case PlayerKind::rtmpsrc:
            return {"gst-launch-1.0", "-e", "rtmpsrc", "location=" + url + " live=1", "!", "filesink",
                    "location=" + out};
    }
    return {};
}

Player start_player(PlayerKind kind, const std::string& url, const TempDir& dir, const std::string& tag) {
    Player p{
        kind, dir.file(tag + "_" + name_of(kind) + ".flv"), dir.file(tag + "_" + name_of(kind) + ".log"), {}};
    p.process = std::make_unique<Process>(player_argv(kind, url, p.out), p.log);
    return p;
}

std::string finish_player(Player& p, Clock::time_point deadline) {
    const bool gst = p.kind == PlayerKind::rtmp2src || p.kind == PlayerKind::rtmpsrc;
    auto rc = p.process->wait(deadline, !gst);
    if (!rc && gst) {
        p.process->signal(SIGINT);
        rc = p.process->wait(Clock::now() + 5s);
    }
    if (!rc)
        return std::string(name_of(p.kind)) + " did not exit when the publisher left\n" + read_file(p.log);
    // rtmpdump exits 2 for a live stream that ended (an "incomplete" download).
    const bool ok = *rc == 0 || (p.kind == PlayerKind::rtmpdump && *rc == 2);
    if (!ok) return std::string(name_of(p.kind)) + " exited " + std::to_string(*rc) + "\n" + read_file(p.log);
    return "";
}

void check_player_file(const Clip& clip, const std::vector<std::string>& source_audio, const Player& p,
                       bool joined_before, std::size_t tail_loss) {
    SCOPED_TRACE(std::string("player ") + name_of(p.kind) + " -> " + p.out);
    std::string error;
    const std::vector<ClipTag> tags = read_flv_media(p.out, error);
    ASSERT_TRUE(error.empty()) << error;
    std::size_t first_coded = tags.size();
    for (std::size_t i = 0; i < tags.size(); ++i) {
        if (tags[i].type == rtmp::MessageType::video && is_video_frame(tags[i].payload)) {
            first_coded = i;
            break;
        }
    }
    ASSERT_LT(first_coded, tags.size()) << "no video arrived";
    EXPECT_TRUE(is_video_key(tags[first_coded].payload)) << "the first video frame is not a key frame";
    bool config_before = false;
    for (std::size_t i = 0; i < first_coded; ++i) {
        config_before =
            config_before || (tags[i].type == rtmp::MessageType::video && is_video_config(tags[i].payload));
    }
    EXPECT_TRUE(config_before) << "no AVC sequence header before the first frame";

    const auto video = decoded_hashes(p.out, 'v', error);
    ASSERT_TRUE(video) << error;
    const auto start = find_run(clip.video_hashes, *video);
    ASSERT_TRUE(start) << video->size() << " decoded frames are not a contiguous run of the source's "
                       << clip.video_hashes.size();
    EXPECT_NE(std::find(clip.key_frames.begin(), clip.key_frames.end(), *start), clip.key_frames.end())
        << "the run starts at source frame " << *start << ", not a key frame";
    if (joined_before) {
        EXPECT_EQ(*start, 0u) << "a player that joined before the publish missed the first frames";
        EXPECT_GE(video->size() + tail_loss, clip.video_hashes.size()) << "frames missing at the end";
    }
    const auto audio = decoded_hashes(p.out, 'a', error);
    ASSERT_TRUE(audio) << "audio does not decode: " << error;
    ASSERT_FALSE(audio->empty()) << "no audio";
    if (joined_before) {
        // AAC frames decode alike only from the same start, so this needs
        // the whole stream. rtmp2src ends its stream at StreamEOF and drops
        // the last message it received (it does the same against
        // nginx-rtmp): one audio frame may be missing at its end.
        const std::size_t allowed_loss = (p.kind == PlayerKind::rtmp2src ? 1 : 0) + tail_loss;
        EXPECT_EQ(find_run(source_audio, *audio), std::optional<std::size_t>(0))
            << "the decoded audio is not the source's from its first frame";
        EXPECT_GE(audio->size() + allowed_loss, source_audio.size())
            << audio->size() << " of " << source_audio.size() << " audio frames";
    }
}

void run_matrix(const ServeProcess& server, const TempDir& dir,
                const std::vector<std::string>& publisher_argv, const std::string& name, const Clip& clip,
                const std::function<std::string(PlayerKind)>& url_for,
                const std::vector<std::uint16_t>& ports, std::size_t tail_loss) {
    std::string error;
    const auto source_audio = decoded_hashes(clip.path, 'a', error);
    ASSERT_TRUE(source_audio) << error;
    std::vector<Player> players;
    for (PlayerKind kind :
         {PlayerKind::ffmpeg, PlayerKind::rtmpdump, PlayerKind::rtmp2src, PlayerKind::rtmpsrc}) {
        players.push_back(start_player(kind, url_for ? url_for(kind) : server.url("live", name), dir, name));
    }
    const auto connections = [&] {
        std::size_t n = 0;
        for (std::uint16_t port : ports.empty() ? std::vector<std::uint16_t>{server.port()} : ports)
            n += established_connections(port);
        return n;
    };
    // The players connect and play a name nobody publishes yet; they wait.
    // Once all four are connected, a second lets them send play. A player
    // whose play still came late would join within the first GOP and get
    // it from the GOP cache, so exactness does not hang on this timing.
    const auto connected_by = Clock::now() + 20s;
    while (connections() < players.size() && Clock::now() < connected_by) std::this_thread::sleep_for(50ms);
    ASSERT_GE(connections(), players.size()) << "the players did not all connect";
    std::this_thread::sleep_for(1000ms);
    for (Player& p : players) {
        ASSERT_TRUE(p.process->running()) << name_of(p.kind) << " gave up on a name not published yet\n"
                                          << read_file(p.log);
    }
    Process publisher(publisher_argv, dir.file(name + "_publisher.log"));
    const auto deadline = Clock::now() + 40s;
    const auto rc = publisher.wait(deadline);
    ASSERT_EQ(rc, std::optional<int>(0)) << "publisher failed\n"
                                         << read_file(dir.file(name + "_publisher.log"));
    for (Player& p : players) {
        const std::string failure = finish_player(p, Clock::now() + 10s);
        EXPECT_TRUE(failure.empty()) << failure;
    }
    for (const Player& p : players) check_player_file(clip, *source_audio, p, true, tail_loss);
}

}  // namespace sluice::test
