// Recording by `sluice serve` (issue 7 item 1 and the recording parts of
// item 6), judged by FFmpeg, ffprobe, GStreamer and flv::FileReader. Every
// server runs with `--recordings <dir>/rec`:
//  (1) publish type record: <rec>/live/<name>.flv holds the clip's media
//      tags byte for byte, decodes to its frames, and starts with the
//      onMetaData whose duration and filesize were fixed up on close;
//  (2) record + append + append: one file that plays through three clips
//      with timestamps that never go back; (3) record again replaces it;
//  (4) live players get every message while the stream is recorded, and
//      the publisher sees Publish.Start, Record.Start ... Record.Stop,
//      Unpublish.Success;
//  (5) record = "all": FFmpeg's and GStreamer rtmpsink's (librtmp, OBS's
//      stand-in) live publishes are recorded frame-exact;
//  (6) record = "off": Record.NoAccess, the publish goes on live, no file;
//  (7) rotation by record_max_seconds: parts that each start with the
//      sequence headers and a key frame at 0 and together decode to the clip;
//  (8) SIGKILL mid-recording: the file decodes to a prefix of the clip, and
//      a restarted server appends to it;
//  (9) a write failure (EFBIG under `prlimit --fsize`): Record.Failed, an
//      error line, live players undisturbed, the file readable;
//  (10) names that would leave the recordings folder are refused.
// Frames are compared by the MD5 of the decoded pictures (serve_fixture.hpp).
#include <gtest/gtest.h>

#include <signal.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <functional>
#include <regex>
#include <thread>

#include "flv/metadata.hpp"
#include "interop/serve_fixture.hpp"
#include "interop/serve_media_checks.hpp"
#include "interop/serve_raw_client.hpp"
#include "interop/serve_test.hpp"
#include "rtmp/net_stream_commands.hpp"

namespace sluice::test {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;
using Labels = std::vector<std::string>;

std::vector<std::string> sluice_argv(std::vector<std::string> args) {
    args.insert(args.begin(), serve_binary());
    return args;
}

/// Reads the server's whole log until `needle` occurs `count` times.
bool wait_log(const std::function<std::string()>& log, const std::string& needle, std::size_t count,
              Clock::time_point deadline) {
    while (true) {
        const std::string text = log();
        std::size_t seen = 0;
        for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++seen;
        if (seen >= count) return true;
        if (Clock::now() >= deadline) return false;
        std::this_thread::sleep_for(50ms);
    }
}

/// The onStatus codes of a RawClient's log, in order, as their labels.
Labels statuses(const std::vector<Received>& log) {
    Labels out;
    for (const Received& r : log) {
        if (r.label.rfind("command:onStatus ", 0) == 0) out.push_back(r.label);
    }
    return out;
}

std::string status(const std::string& code) {
    return "command:onStatus " + code;
}

/// publish(name, mode) on `msid`; the first onStatus on that stream.
const Received* publish_as(RawClient& client, rtmp::MessageStreamId msid, const std::string& name,
                           rtmp::PublishMode mode, Clock::time_point deadline) {
    rtmp::PublishCommand p;
    p.stream_name = name;
    p.mode = mode;
    if (!client.send(p.encode(rtmp::Encoding::amf0, msid), rtmp::csid::net_stream, deadline)) return nullptr;
    return client.wait_for(
        [msid](const Received& r) {
            return r.command && r.command->name == "onStatus" && r.stream_id == msid;
        },
        deadline);
}

/// FCUnpublish(name) as FMLE and librtmp end a publish; true once
/// NetStream.Unpublish.Success arrived.
bool end_publish(RawClient& client, const std::string& name, Clock::time_point deadline) {
    if (!client.call("FCUnpublish", 0, {amf::Value(name)}, 0, deadline)) return false;
    return client.wait_for([](const Received& r) { return r.label == status("NetStream.Unpublish.Success"); },
                           deadline) != nullptr;
}

/// `ffprobe -count_frames` of the first video stream: the frame count, or
/// nullopt (with `error` set) when ffprobe fails or reports anything else.
std::optional<std::size_t> probe_video_frames(const std::string& path, std::string& error) {
    const std::string log = path + ".ffprobe.log";
    const auto rc = run_process({"ffprobe", "-v", "error", "-select_streams", "v:0", "-count_frames",
                                 "-show_entries", "stream=nb_read_frames", "-of", "csv=p=0", path},
                                log);
    std::string out = read_file(log);
    while (!out.empty() && (out.back() == '\n' || out.back() == '\r' || out.back() == ' ')) out.pop_back();
    if (rc != 0 || out.empty() || out.find_first_not_of("0123456789") != std::string::npos) {
        error =
            "ffprobe " + path + " exited " + (rc ? std::to_string(*rc) : std::string("late")) + ":\n" + out;
        return std::nullopt;
    }
    return std::stoul(out);
}

/// Checks (gtest) that audio and video timestamps each never go back, in
/// file order (a player's demuxer needs that per stream; across the two,
/// FFmpeg itself writes its end-of-sequence tag after later audio).
void expect_monotonic(const std::vector<ClipTag>& tags, const std::string& what) {
    std::optional<base::Timestamp> last_audio;
    std::optional<base::Timestamp> last_video;
    for (std::size_t i = 0; i < tags.size(); ++i) {
        auto& last = tags[i].type == rtmp::MessageType::video ? last_video : last_audio;
        if (last) {
            ASSERT_GE(tags[i].timestamp, *last) << what << ": tag " << i << " goes back in time";
        }
        last = tags[i].timestamp;
    }
}

/// `times` copies of `hashes` one after the other.
std::vector<std::string> repeated(const std::vector<std::string>& hashes, int times) {
    std::vector<std::string> out;
    for (int i = 0; i < times; ++i) out.insert(out.end(), hashes.begin(), hashes.end());
    return out;
}

/// Regular files under `root` (none when it does not exist), sorted.
std::vector<std::string> files_under(const std::string& root) {
    std::vector<std::string> out;
    std::error_code ec;
    if (!fs::exists(root, ec)) return out;
    for (const auto& entry : fs::recursive_directory_iterator(root, ec)) {
        if (entry.is_regular_file()) out.push_back(entry.path().string());
    }
    std::sort(out.begin(), out.end());
    return out;
}

/// The largest video timestamp of a (possibly growing) FLV file, 0 when none.
base::Timestamp last_video_timestamp(const std::string& path) {
    std::string error;  // a tag being written reads as truncated: fine here
    base::Timestamp last = 0;
    for (const ClipTag& tag : read_flv_media(path, error)) {
        if (tag.type == rtmp::MessageType::video) last = std::max(last, tag.timestamp);
    }
    return last;
}

/// A RawClient publishing a clip from its own thread (joined on destruction);
/// the caller reads its players meanwhile.
class BackgroundPublish {
public:
    BackgroundPublish(RawClient& client, const Clip& clip, rtmp::MessageStreamId msid, double speed)
        : thread_([&client, &clip, msid, speed, this] {
              ok_ = client.publish_clip(clip, msid, speed, Clock::now() + 60s);
          }) {}
    ~BackgroundPublish() { join(); }
    BackgroundPublish(const BackgroundPublish&) = delete;
    BackgroundPublish& operator=(const BackgroundPublish&) = delete;
    bool join() {
        if (thread_.joinable()) thread_.join();
        return ok_;
    }

private:
    std::atomic<bool> ok_{false};
    std::thread thread_;
};

class ServeRecording : public ServeTest {
protected:
    /// Starts the server with --recordings rec_ and, when `config` is not
    /// empty, a config file holding it.
    void start(const std::string& config = "") {
        server_args_ = {"--recordings", rec_};
        if (!config.empty()) {
            const std::string path = dir_.file("sluice.toml");
            std::ofstream(path) << config;
            server_args_.push_back("--config");
            server_args_.push_back(path);
        }
        start_server(server_args_);
    }

    const Clip& clip(int seconds) {
        if (clip_.media.empty()) {
            std::string error;
            clip_ = make_clip(dir_.file("clip.flv"), seconds, error);
            EXPECT_TRUE(error.empty()) << error;
        }
        return clip_;
    }

    std::string recording(const std::string& name) const { return rec_ + "/live/" + name + ".flv"; }

    /// `sluice publish [flags] CLIP URL` to completion (exit 0 expected),
    /// then waits until the server logged the end of recording number `stops`.
    void publish_file(const std::vector<std::string>& flags, const std::string& name, std::size_t stops) {
        std::vector<std::string> args{"publish"};
        args.insert(args.end(), flags.begin(), flags.end());
        args.push_back(clip_.path);
        args.push_back(server_->url("live", name));
        const std::string log = dir_.file("publish" + std::to_string(++publishes_) + ".log");
        ASSERT_EQ(run_process(sluice_argv(args), log, 60s), std::optional<int>(0)) << read_file(log);
        ASSERT_TRUE(
            wait_log([this] { return server_->full_log(); }, "record stop ", stops, Clock::now() + 10s))
            << "the server did not close recording " << stops;
    }

    /// A RawClient connected to `app` with a stream created; nullopt on failure.
    std::optional<rtmp::MessageStreamId> open_stream(RawClient& client, const std::string& app,
                                                     Clock::time_point deadline) {
        if (!client.open(server_->port(), deadline)) return std::nullopt;
        const Received* c = client.connect(app, deadline);
        if (c == nullptr || c->command->name != "_result") return std::nullopt;
        return client.create_stream(deadline);
    }

    /// Player, then a RawClient publishing `clip_` at 4x with publish type
    /// `mode`, then FCUnpublish: the player must get every media message.
    /// Returns the publisher's onStatus labels.
    Labels publish_with_player(const std::string& name, rtmp::PublishMode mode) {
        const auto deadline = Clock::now() + 40s;
        RawClient player;
        const auto play_id = player.start_player(server_->port(), name, deadline);
        EXPECT_TRUE(play_id) << player.error();
        const std::size_t mark = player.log_size();
        RawClient publisher;
        const auto msid = open_stream(publisher, "live", deadline);
        EXPECT_TRUE(msid) << publisher.error();
        if (!play_id || !msid) return {};
        const Received* first = publish_as(publisher, *msid, name, mode, deadline);
        EXPECT_TRUE(first != nullptr && first->code == "NetStream.Publish.Start")
            << (first ? first->label : publisher.error());
        {
            BackgroundPublish publish(publisher, clip_, *msid, 4.0);
            EXPECT_TRUE(wait_media(player, mark, clip_.media.size(), deadline)) << player.error();
            EXPECT_TRUE(publish.join()) << publisher.error();
        }
        EXPECT_TRUE(end_publish(publisher, name, deadline)) << publisher.error();
        expect_media(clip_.media, media_of(player.log(), mark), "live player of " + name);
        return statuses(publisher.log());
    }

    std::string rec_ = dir_.file("rec");
    std::vector<std::string> server_args_;
    Clip clip_;
    int publishes_ = 0;
};

// (1)
TEST_F(ServeRecording, RecordWritesTheClipExactlyWithFixedUpMetadata) {
    start();
    const Clip& source = clip(2);
    ASSERT_FALSE(source.media.empty());
    publish_file({"--no-pace", "--mode", "record"}, "r1", 1);
    const std::string path = recording("r1");
    ASSERT_TRUE(fs::exists(path)) << path;

    std::string error;
    base::Payload metadata;
    const std::vector<ClipTag> tags = read_flv_media(path, error, &metadata);
    ASSERT_TRUE(error.empty()) << error;
    ASSERT_EQ(tags.size(), source.media.size()) << "media tag count";
    const base::Timestamp first = source.media.front().timestamp;
    for (std::size_t i = 0; i < tags.size(); ++i) {
        ASSERT_EQ(tags[i].type, source.media[i].type) << "tag " << i;
        ASSERT_EQ(tags[i].timestamp, source.media[i].timestamp - first) << "tag " << i;
        ASSERT_TRUE(tags[i].payload.bytes().size() == source.media[i].payload.bytes().size() &&
                    std::equal(tags[i].payload.bytes().begin(), tags[i].payload.bytes().end(),
                               source.media[i].payload.bytes().begin()))
            << "tag " << i << " payload differs";
    }

    const auto video = decoded_hashes(path, 'v', error);
    ASSERT_TRUE(video) << error;
    EXPECT_EQ(*video, source.video_hashes);
    const auto audio = decoded_hashes(path, 'a', error);
    const auto source_audio = decoded_hashes(source.path, 'a', error);
    ASSERT_TRUE(audio && source_audio) << error;
    EXPECT_FALSE(audio->empty());
    EXPECT_EQ(*audio, *source_audio);

    // The first tag (type byte after the 9-byte header and PreviousTagSize0) is the onMetaData.
    const std::string bytes = read_file(path);
    ASSERT_GT(bytes.size(), 13u);
    EXPECT_EQ(static_cast<std::uint8_t>(bytes[13]), 18) << "the first tag is not a script tag";
    const auto meta = flv::decode_metadata(metadata.bytes());
    ASSERT_TRUE(meta) << meta.error().message();
    const auto source_meta = flv::decode_metadata(source.metadata.bytes());
    ASSERT_TRUE(source_meta && source_meta->duration());
    ASSERT_TRUE(meta->duration()) << "no duration in the recording's onMetaData";
    base::Timestamp last = 0;
    for (const ClipTag& tag : tags) last = std::max(last, tag.timestamp);
    // The publisher's own duration (FFmpeg's, in the clip) says the same within a
    // frame; the recorder's fix-up is exactly the last timestamp.
    EXPECT_DOUBLE_EQ(*meta->duration(), last / 1000.0) << "duration was not fixed up";
    EXPECT_NEAR(*meta->duration(), *source_meta->duration(), 0.1);
    ASSERT_TRUE(meta->file_size()) << "no filesize in the recording's onMetaData";
    EXPECT_EQ(*meta->file_size(), static_cast<double>(bytes.size()));
}

// (2)
TEST_F(ServeRecording, AppendTwiceMakesOneFileThatPlaysThrough) {
    start();
    const Clip& source = clip(2);
    ASSERT_FALSE(source.media.empty());
    publish_file({"--no-pace", "--mode", "record"}, "r2", 1);
    publish_file({"--no-pace", "--mode", "append"}, "r2", 2);
    publish_file({"--no-pace", "--mode", "append"}, "r2", 3);
    const std::string path = recording("r2");

    std::string error;
    const auto frames = probe_video_frames(path, error);
    ASSERT_TRUE(frames) << error;
    EXPECT_EQ(*frames, 3 * source.video_count());

    base::Payload metadata;
    const std::vector<ClipTag> tags = read_flv_media(path, error, &metadata);
    ASSERT_TRUE(error.empty()) << error;
    ASSERT_EQ(tags.size(), 3 * source.media.size()) << "every message of the three publishes";
    // The file's one onMetaData describes the whole file after the last append.
    const auto meta = flv::decode_metadata(metadata.bytes());
    ASSERT_TRUE(meta && meta->duration() && meta->file_size()) << "no onMetaData with duration and filesize";
    base::Timestamp last = 0;
    for (const ClipTag& tag : tags) last = std::max(last, tag.timestamp);
    EXPECT_DOUBLE_EQ(*meta->duration(), last / 1000.0);
    EXPECT_EQ(*meta->file_size(), static_cast<double>(fs::file_size(path)));
    expect_monotonic(tags, path);
    // recorder.hpp: an append starts 1 ms after the file's last tag.
    const std::size_t n = source.media.size();
    const base::Timestamp first_end =
        std::max_element(tags.begin(), tags.begin() + static_cast<long>(n),
                         [](const ClipTag& a, const ClipTag& b) { return a.timestamp < b.timestamp; })
            ->timestamp;
    EXPECT_EQ(tags[n].timestamp, first_end + 1);

    const auto video = decoded_hashes(path, 'v', error);
    ASSERT_TRUE(video) << error;
    EXPECT_EQ(*video, repeated(source.video_hashes, 3));
}

// (3)
TEST_F(ServeRecording, RecordAgainReplacesTheFile) {
    start();
    ASSERT_FALSE(clip(2).media.empty());
    const std::string path = recording("r3");
    publish_file({"--no-pace", "--mode", "record"}, "r3", 1);
    const auto one = fs::file_size(path);
    publish_file({"--no-pace", "--mode", "append"}, "r3", 2);
    EXPECT_GT(fs::file_size(path), one + one / 2) << "append did not grow the file";
    publish_file({"--no-pace", "--mode", "record"}, "r3", 3);
    EXPECT_EQ(fs::file_size(path), one) << "record did not replace the file";
    std::string error;
    const auto video = decoded_hashes(path, 'v', error);
    ASSERT_TRUE(video) << error;
    EXPECT_EQ(*video, clip_.video_hashes);
}

// (4)
TEST_F(ServeRecording, LivePlayersAreUndisturbedAndStatusesComeInOrder) {
    start();
    ASSERT_FALSE(clip(2).media.empty());
    const Labels got = publish_with_player("r4", rtmp::PublishMode::record);
    EXPECT_EQ(got, (Labels{status("NetStream.Publish.Start"), status("NetStream.Record.Start"),
                           status("NetStream.Record.Stop"), status("NetStream.Unpublish.Success")}));
    // Record.Stop came after the file was closed.
    std::string error;
    const std::vector<ClipTag> tags = read_flv_media(recording("r4"), error);
    ASSERT_TRUE(error.empty()) << error;
    EXPECT_EQ(tags.size(), clip_.media.size());
    const auto video = decoded_hashes(recording("r4"), 'v', error);
    ASSERT_TRUE(video) << error;
    EXPECT_EQ(*video, clip_.video_hashes);
}

// (5)
TEST_F(ServeRecording, RecordAllRecordsFfmpegAndRtmpsinkPublishes) {
    start("[[app]]\nname = \"live\"\nrecord = \"all\"\n");
    const Clip& source = clip(3);
    ASSERT_FALSE(source.media.empty());
    // Both run at real time (ffmpeg -re; rtmpsink syncs on the clock), side by side.
    Process ffmpeg({"ffmpeg", "-hide_banner", "-loglevel", "warning", "-re", "-i", source.path, "-c", "copy",
                    "-f", "flv", server_->url("live", "byffmpeg")},
                   dir_.file("ffmpeg.log"));
    Process gst(gst_publish_command("-e", source.path, "rtmpsink", server_->url("live", "byrtmpsink")),
                dir_.file("gst.log"));
    const auto deadline = Clock::now() + 40s;
    ASSERT_EQ(ffmpeg.wait(deadline), std::optional<int>(0)) << read_file(dir_.file("ffmpeg.log"));
    ASSERT_EQ(gst.wait(deadline), std::optional<int>(0)) << read_file(dir_.file("gst.log"));
    ASSERT_TRUE(wait_log([this] { return server_->full_log(); }, "record stop ", 2, Clock::now() + 10s));

    std::string error;
    for (const std::string name : {"byffmpeg", "byrtmpsink"}) {
        SCOPED_TRACE(name);
        const std::string path = recording(name);
        const std::vector<ClipTag> tags = read_flv_media(path, error);
        ASSERT_TRUE(error.empty()) << error;
        expect_monotonic(tags, path);
        const auto video = decoded_hashes(path, 'v', error);
        ASSERT_TRUE(video) << error;
        EXPECT_EQ(*video, source.video_hashes);
        const auto audio = decoded_hashes(path, 'a', error);
        ASSERT_TRUE(audio) << error;
        EXPECT_FALSE(audio->empty());
    }
}

// (6)
TEST_F(ServeRecording, RecordOffRefusesRecordingButThePublishGoesOnLive) {
    start("[[app]]\nname = \"live\"\nrecord = \"off\"\n");
    ASSERT_FALSE(clip(2).media.empty());
    const Labels got = publish_with_player("r6", rtmp::PublishMode::record);
    EXPECT_EQ(got, (Labels{status("NetStream.Publish.Start"), status("NetStream.Record.NoAccess"),
                           status("NetStream.Unpublish.Success")}));
    EXPECT_EQ(files_under(rec_), std::vector<std::string>{}) << "a file was recorded";
}

// (7)
TEST_F(ServeRecording, RotationStartsEachPartAtAKeyFrame) {
    start(
        "[[app]]\nname = \"live\"\nrecord = \"all\"\nrecord_pattern = \"{stream}-{seq}\"\n"
        "record_max_seconds = 1\n");
    const Clip& source = clip(4);
    ASSERT_FALSE(source.media.empty());
    publish_file({"--no-pace"}, "r", 1);

    std::vector<std::string> parts;
    while (fs::exists(recording("r-" + std::to_string(parts.size())))) {
        parts.push_back(recording("r-" + std::to_string(parts.size())));
    }
    ASSERT_GE(parts.size(), 3u) << "a 4 s clip with 1 s parts";
    EXPECT_EQ(files_under(rec_), parts) << "files other than r-<seq>.flv";

    std::vector<std::string> decoded;
    std::size_t media = 0;
    for (const std::string& part : parts) {
        SCOPED_TRACE(part);
        std::string error;
        const std::vector<ClipTag> tags = read_flv_media(part, error);
        ASSERT_TRUE(error.empty()) << error;
        ASSERT_FALSE(tags.empty());
        media += tags.size();
        EXPECT_EQ(tags.front().timestamp, 0u) << "the part does not start at 0";
        std::size_t i = 0;
        bool video_config = false;
        bool audio_config = false;
        for (; i < tags.size(); ++i) {
            const bool video = tags[i].type == rtmp::MessageType::video;
            if (video && is_video_config(tags[i].payload)) {
                video_config = true;
            } else if (!video && is_audio_config(tags[i].payload)) {
                audio_config = true;
            } else {
                break;
            }
        }
        EXPECT_TRUE(video_config && audio_config) << "the part does not start with both sequence headers";
        ASSERT_LT(i, tags.size());
        if (part == parts.front()) {
            // The clip's own order: its first audio frame comes before its first picture.
            const auto video = std::find_if(tags.begin(), tags.end(), [](const ClipTag& t) {
                return t.type == rtmp::MessageType::video && is_video_frame(t.payload);
            });
            ASSERT_NE(video, tags.end());
            EXPECT_TRUE(is_video_key(video->payload)) << "the first picture is not a key frame";
        } else {
            EXPECT_TRUE(tags[i].type == rtmp::MessageType::video && is_video_key(tags[i].payload))
                << "the first tag after the sequence headers is not a video key frame";
        }
        expect_monotonic(tags, part);
        const auto video = decoded_hashes(part, 'v', error);
        ASSERT_TRUE(video) << error;
        decoded.insert(decoded.end(), video->begin(), video->end());
    }
    EXPECT_EQ(decoded, source.video_hashes) << "the parts together are not the clip";
    // Every part after the first repeats the two sequence headers.
    EXPECT_EQ(media, source.media.size() + 2 * (parts.size() - 1));
}

// (8)
TEST_F(ServeRecording, SigkillLeavesAPrefixThatAppendContinues) {
    start("[recording]\nflush_interval_ms = 200\n");
    const Clip& source = clip(4);
    ASSERT_FALSE(source.media.empty());
    const std::string path = recording("r8");
    Process publisher(sluice_argv({"publish", "--mode", "record", source.path, server_->url("live", "r8")}),
                      dir_.file("publish_killed.log"));
    // Paced: wait until the file holds more than a second of video, then kill.
    const auto by = Clock::now() + 20s;
    while (last_video_timestamp(path) < 1200 && Clock::now() < by) std::this_thread::sleep_for(50ms);
    ASSERT_GE(last_video_timestamp(path), 1200u) << "the recording did not grow\n" << server_->log();
    server_->process().signal(SIGKILL);
    terminated_ = true;
    ASSERT_EQ(server_->process().wait(Clock::now() + 5s), std::optional<int>(-1));
    EXPECT_TRUE(publisher.wait(Clock::now() + 15s)) << "the publisher did not notice the server died";

    std::string error;
    const auto prefix = decoded_hashes(path, 'v', error);
    ASSERT_TRUE(prefix) << error;
    EXPECT_EQ(find_run(source.video_hashes, *prefix), std::optional<std::size_t>(0))
        << prefix->size() << " frames are not a prefix of the clip";
    EXPECT_GE(prefix->size(), 25u) << "less than a second survived";

    // A new server appends to the cut file.
    server_ = std::make_unique<ServeProcess>(dir_.file("serve2.log"), server_args_);
    ASSERT_NE(server_->port(), 0) << server_->error() << "\n" << server_->log();
    terminated_ = false;
    publish_file({"--no-pace", "--mode", "append"}, "r8", 1);
    const auto frames = probe_video_frames(path, error);
    ASSERT_TRUE(frames) << error;
    EXPECT_EQ(*frames, prefix->size() + source.video_count());
    const std::vector<ClipTag> tags = read_flv_media(path, error);
    ASSERT_TRUE(error.empty()) << error;
    expect_monotonic(tags, path);
    const auto video = decoded_hashes(path, 'v', error);
    ASSERT_TRUE(video) << error;
    std::vector<std::string> want = *prefix;
    want.insert(want.end(), source.video_hashes.begin(), source.video_hashes.end());
    EXPECT_EQ(*video, want);
}

// (9)
TEST_F(ServeRecording, WriteFailureFailsTheRecordingNotTheLiveStream) {
    // The limit covers every file the server writes, its log too: that
    // stays far below it at this length.
    constexpr std::uintmax_t limit = 300000;
    ClipSpec spec;
    spec.seconds = 3;
    spec.video_options = {"-b:v", "1500k"};
    std::string error;
    clip_ = make_clip_file(dir_.file("clip.flv"), spec, error);
    ASSERT_TRUE(error.empty()) << error;
    const auto source_video = decoded_hashes(clip_.path, 'v', error);
    ASSERT_TRUE(source_video) << error;
    ASSERT_GT(fs::file_size(clip_.path), limit * 3 / 2) << "the clip is too small to hit the limit";

    // ServeProcess's pinned command line behind prlimit; the port from its log line.
    const std::string log_path = dir_.file("serve.log");
    Process server(
        {"prlimit", "--fsize=" + std::to_string(limit), serve_binary(), "serve", "--listen", "127.0.0.1:0",
         "--http", "off", "--workers", "2", "--log-level", "debug", "--recordings", rec_},
        log_path);
    const auto log = [&] { return read_file(log_path); };
    ASSERT_TRUE(wait_log(log, "listening on rtmp://127.0.0.1:", 1, Clock::now() + 10s)) << log();
    std::smatch m;
    const std::string text = log();
    ASSERT_TRUE(std::regex_search(text, m, std::regex(R"(listening on rtmp://127\.0\.0\.1:([0-9]+))")));
    const auto port = static_cast<std::uint16_t>(std::stoul(m[1].str()));

    const auto deadline = Clock::now() + 40s;
    RawClient player;
    ASSERT_TRUE(player.start_player(port, "r9", deadline)) << player.error();
    const std::size_t mark = player.log_size();
    RawClient publisher;
    ASSERT_TRUE(publisher.open(port, deadline)) << publisher.error();
    ASSERT_NE(publisher.connect("live", deadline), nullptr) << publisher.error();
    const auto msid = publisher.create_stream(deadline);
    ASSERT_TRUE(msid) << publisher.error();
    const Received* first = publish_as(publisher, *msid, "r9", rtmp::PublishMode::record, deadline);
    ASSERT_TRUE(first != nullptr && first->code == "NetStream.Publish.Start") << publisher.error();
    {
        BackgroundPublish publish(publisher, clip_, *msid, 4.0);
        EXPECT_TRUE(wait_media(player, mark, clip_.media.size(), deadline)) << player.error();
        EXPECT_TRUE(publish.join()) << publisher.error();
    }
    EXPECT_TRUE(end_publish(publisher, "r9", deadline)) << publisher.error();
    expect_media(clip_.media, media_of(player.log(), mark), "live player");
    EXPECT_EQ(statuses(publisher.log()),
              (Labels{status("NetStream.Publish.Start"), status("NetStream.Record.Start"),
                      status("NetStream.Record.Failed"), status("NetStream.Unpublish.Success")}));
    EXPECT_TRUE(std::regex_search(log(), std::regex("recording to .*failed")))
        << "no error line for the failed recording\n"
        << log();

    const std::string path = recording("r9");
    EXPECT_LE(fs::file_size(path), limit);
    const std::vector<ClipTag> tags = read_flv_media(path, error);
    EXPECT_TRUE(error.empty()) << "the file does not end on a whole tag: " << error;
    const auto video = decoded_hashes(path, 'v', error);
    ASSERT_TRUE(video) << error;
    EXPECT_EQ(find_run(*source_video, *video), std::optional<std::size_t>(0))
        << video->size() << " frames are not a prefix of the clip";

    server.signal(SIGTERM);
    EXPECT_EQ(server.wait(Clock::now() + 5s), std::optional<int>(0)) << log();
}

// (10)
TEST_F(ServeRecording, NamesThatWouldLeaveTheFolderAreRefused) {
    start();
    ASSERT_FALSE(clip(2).media.empty());
    const auto deadline = Clock::now() + 30s;
    for (const std::string name : {"../x", "..", "../../x", "a/../../x", ".x", "..\\x", "%2e%2e/x"}) {
        SCOPED_TRACE(name);
        RawClient client;
        const auto msid = open_stream(client, "live", deadline);
        ASSERT_TRUE(msid) << client.error();
        const Received* first = publish_as(client, *msid, name, rtmp::PublishMode::record, deadline);
        ASSERT_NE(first, nullptr) << client.error();
        EXPECT_EQ(first->code, "NetStream.Publish.BadName");
    }
    // An instance that would climb out is refused at connect.
    {
        RawClient client;
        ASSERT_TRUE(client.open(server_->port(), deadline)) << client.error();
        const Received* c = client.connect("live/..", deadline);
        ASSERT_NE(c, nullptr) << client.error();
        EXPECT_EQ(c->command->name, "_error");
    }
    // What is accepted lands inside: an instance is a folder, the query is no path.
    RawClient client;
    const auto msid = open_stream(client, "live/room1", deadline);
    ASSERT_TRUE(msid) << client.error();
    const Received* first = publish_as(client, *msid, "x?dir=../../y", rtmp::PublishMode::record, deadline);
    ASSERT_TRUE(first != nullptr && first->code == "NetStream.Publish.Start") << client.error();
    ASSERT_TRUE(client.publish_clip(clip_, *msid, 0.0, deadline)) << client.error();
    ASSERT_TRUE(end_publish(client, "x", deadline)) << client.error();
    EXPECT_EQ(files_under(rec_), std::vector<std::string>{rec_ + "/live/room1/x.flv"});
    for (const std::string& file : files_under(dir_.path())) {
        if (file.size() >= 4 && file.compare(file.size() - 4, 4, ".flv") == 0 &&
            file.rfind(rec_ + "/", 0) != 0) {
            EXPECT_EQ(file, clip_.path) << "a recording outside " << rec_;
        }
    }
}

}  // namespace
}  // namespace sluice::test
