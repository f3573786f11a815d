// Video on demand from `sluice serve` (issue 7), judged by FFmpeg, rtmpdump,
// GStreamer and RawClient. Every server runs with `--media <media>` (the
// default app "vod" plays from there) and `--recordings <dir>/rec`:
//  (1) FFmpeg plays an FLV and two mp4: files (moov first and moov last):
//      the decoded video and audio frames equal those of the file itself;
//  (2) rtmpdump plays the same frame-exact, and -A/-B (a play start and
//      duration) gets exactly the frames from the key frame at or before
//      the start to the last one at or before the stop;
//  (3) GStreamer rtmp2src plays the FLV frame-exact; rtmpsrc (librtmp)
//      reconnects at the end of any VOD, so only its first copy is judged;
//  (4) an mp3: file: every audio frame;
//  (5) a live app plays a recording for start >= 0 (FFmpeg -rtmp_live
//      recorded) and for -2 while the name is not published, never for -1;
//  (6) the statuses with RawClient: a whole play in order, getStreamLength,
//      StreamNotFound / FileStructureInvalid / NoSupportedTrackFound, seek
//      to the middle and beyond the end, pause/unpause without a gap or a
//      repeat, receiveVideo(false) then (true).
// The media are made once for the suite (3 s, 320x240@25, GOP 25, AAC);
// frames are compared by the MD5 of the decoded pictures (serve_fixture.hpp).
#include <gtest/gtest.h>

#include <signal.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <thread>

#include "interop/serve_fixture.hpp"
#include "interop/serve_media_checks.hpp"
#include "interop/serve_raw_client.hpp"
#include "interop/serve_test.hpp"
#include "rtmp/control.hpp"
#include "rtmp/net_stream_commands.hpp"

namespace sluice::test {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;
using Labels = std::vector<std::string>;

std::string status(const std::string& code) {
    return "command:onStatus " + code;
}

const std::string play_complete = "data:onPlayStatus NetStream.Play.Complete";

/// The types of the top-level boxes of an ISO-BMFF file, in file order.
std::vector<std::string> top_level_boxes(const std::string& path) {
    const std::string bytes = read_file(path);
    std::vector<std::string> out;
    std::size_t at = 0;
    while (at + 8 <= bytes.size()) {
        std::uint64_t size = 0;
        for (std::size_t i = 0; i < 4; ++i) size = (size << 8) | static_cast<std::uint8_t>(bytes[at + i]);
        out.push_back(bytes.substr(at + 4, 4));
        if (size < 8) break;  // 0 (to the end) and 1 (64-bit size) do not occur in these files
        at += size;
    }
    return out;
}

/// Where a second FLV file header starts in `bytes`, found by walking the
/// tags of the first (a tag's data may hold "FLV" by chance); nullopt while
/// the first is not followed by one yet.
std::optional<std::size_t> second_flv_header(const std::string& bytes) {
    std::size_t at = 13;  // file header (9) + PreviousTagSize0
    while (at + 11 <= bytes.size()) {
        if (bytes.compare(at, 3, "FLV") == 0) return at;
        std::size_t size = 0;
        for (std::size_t i = 1; i <= 3; ++i) size = (size << 8) | static_cast<std::uint8_t>(bytes[at + i]);
        at += 11 + size + 4;
    }
    return std::nullopt;
}

/// Timestamps of the coded video frames of a clip (decode order = the
/// order of its video_hashes).
std::vector<base::Timestamp> frame_times(const Clip& clip) {
    std::vector<base::Timestamp> out;
    for (const ClipTag& tag : clip.media) {
        if (tag.type == rtmp::MessageType::video && is_video_frame(tag.payload)) out.push_back(tag.timestamp);
    }
    return out;
}

/// Milliseconds as the seconds rtmpdump's -A/-B take ("1.038").
std::string seconds_arg(base::Timestamp ms) {
    char text[32];
    std::snprintf(text, sizeof(text), "%u.%03u", ms / 1000, ms % 1000);
    return text;
}

/// The tags of one kind.
std::vector<ClipTag> of_type(const std::vector<ClipTag>& tags, rtmp::MessageType type) {
    std::vector<ClipTag> out;
    for (const ClipTag& tag : tags) {
        if (tag.type == type) out.push_back(tag);
    }
    return out;
}

std::vector<const Received*> of_type(const std::vector<const Received*>& got, rtmp::MessageType type) {
    std::vector<const Received*> out;
    for (const Received* r : got) {
        if (r->message.type == type) out.push_back(r);
    }
    return out;
}

/// The index of the first log entry labelled `label` at or after `from`
/// (the log's size when none).
std::size_t index_of(const std::vector<Received>& log, const std::string& label, std::size_t from = 0) {
    for (std::size_t i = from; i < log.size(); ++i) {
        if (log[i].label == label) return i;
    }
    return log.size();
}

/// The `details` of the info object of an onStatus (or "").
std::string details_of(const Received& r) {
    if (!r.command) return "";
    for (const amf::Value& v : r.command->arguments) {
        if (const amf::Value* d = v.find("details"); d != nullptr && d->string() != nullptr)
            return *d->string();
    }
    return "";
}

/// What the suite plays, made once: in media/ the clip (FLV), the same
/// remuxed to mp4 with the moov first (fast.mp4) and last (slow.mp4), an
/// mp3, and files that must not play.
struct VodMedia {
    TempDir dir;
    std::string media = dir.file("media");
    Clip clip;
    std::string error;

    std::string file(const std::string& name) const { return media + "/" + name; }

    void make() {
        fs::create_directories(media);
        clip = make_clip(file("clip.flv"), 3, error);
        if (!error.empty()) return;
        const auto run = [this](std::vector<std::string> args, const std::string& out) {
            args.insert(args.begin(), {"ffmpeg", "-hide_banner", "-loglevel", "error", "-y"});
            args.push_back(file(out));
            if (run_process(args, file(out) + ".log") != 0)
                error += "making " + out + " failed:\n" + read_file(file(out) + ".log");
        };
        run({"-i", file("clip.flv"), "-c", "copy", "-movflags", "+faststart"}, "fast.mp4");
        run({"-i", file("clip.flv"), "-c", "copy"}, "slow.mp4");
        // Without the Xing/LAME header FFmpeg reads the file's frames as they
        // are; with it, it trims the encoder delay, which no FLV stream carries.
        run({"-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100", "-t", "3", "-c:a", "libmp3lame",
             "-b:a", "64k", "-write_xing", "0"},
            "song.mp3");
        // PCM in a QuickTime file: a track, but not one RTMP can carry (AAC/MP3 only).
        run({"-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100", "-t", "1", "-c:a", "pcm_s16le"},
            "pcm.mov");
        if (!error.empty()) return;
        std::mt19937 random(7);
        std::string garbage(4096, '\0');
        for (char& c : garbage) c = static_cast<char>(random() & 0xff);
        std::ofstream(file("garbage.flv"), std::ios::binary) << garbage;
        // The ftyp box and the start of the moov: a header cut short.
        std::ofstream(file("trunc.mp4"), std::ios::binary) << read_file(file("fast.mp4")).substr(0, 200);
    }
};

class ServeVod : public ServeTest {
protected:
    static void SetUpTestSuite() {
        media_ = std::make_unique<VodMedia>();
        media_->make();
    }
    static void TearDownTestSuite() { media_.reset(); }

    void SetUp() override {
        ASSERT_TRUE(media_->error.empty()) << media_->error;
        start_server({"--media", media_->media, "--recordings", rec_});
    }

    const Clip& clip() const { return media_->clip; }

    /// connect(app) + createStream + SetBufferLength(buffer_ms) on that
    /// stream; the stream id, nullopt on any failure.
    std::optional<rtmp::MessageStreamId> open_stream(RawClient& client, const std::string& app,
                                                     std::uint32_t buffer_ms, Clock::time_point deadline) {
        if (!client.open(server_->port(), deadline)) return std::nullopt;
        const Received* c = client.connect(app, deadline);
        if (c == nullptr || c->command->name != "_result") return std::nullopt;
        const auto msid = client.create_stream(deadline);
        if (!msid || !set_buffer(client, *msid, buffer_ms, deadline)) return std::nullopt;
        return msid;
    }

    static bool set_buffer(RawClient& client, rtmp::MessageStreamId msid, std::uint32_t ms,
                           Clock::time_point deadline) {
        return client.send_control(rtmp::UserControl::set_buffer_length(msid, ms), deadline);
    }

    static bool send_stream_command(RawClient& client, const rtmp::Message& message,
                                    Clock::time_point deadline) {
        return client.send(message, rtmp::csid::net_stream, deadline);
    }

    static const Received* wait_label(RawClient& client, const std::string& label,
                                      Clock::time_point deadline) {
        return client.wait_for([&label](const Received& r) { return r.label == label; }, deadline);
    }

    /// Reads until the end of a file play: onPlayStatus Play.Complete, then StreamEOF.
    static bool read_to_end(RawClient& client, rtmp::MessageStreamId msid, Clock::time_point deadline) {
        return wait_label(client, play_complete, deadline) != nullptr &&
               wait_label(client, "user:StreamEOF " + std::to_string(msid), deadline) != nullptr;
    }

    /// getStreamLength(name) on stream 0: the seconds of the `_result`.
    static std::optional<double> stream_length(RawClient& client, const std::string& name, double txn,
                                               Clock::time_point deadline) {
        if (!client.call("getStreamLength", txn, {amf::Value(name)}, 0, deadline)) return std::nullopt;
        const Received* r = client.wait_for(
            [txn](const Received& e) { return e.command && e.command->transaction_id == txn; }, deadline);
        double seconds = 0;
        if (r == nullptr || r->command->name != "_result" || r->command->arguments.empty() ||
            !r->command->arguments.front().number(seconds))
            return std::nullopt;
        return seconds;
    }

    /// The clip's tags as a play from `key` (an index into clip().media of
    /// a video key frame, or 0) sends them: the sequence headers at the
    /// reached time, then the file from there (its own copies of the
    /// headers are skipped: equal to those sent).
    std::vector<ClipTag> played_from(std::size_t key) const {
        const std::vector<ClipTag>& media = clip().media;
        const base::Timestamp at = key == 0 ? 0 : media[key].timestamp;
        std::vector<ClipTag> out;
        for (const auto type : {rtmp::MessageType::video, rtmp::MessageType::audio}) {
            for (const ClipTag& tag : media) {
                const bool config = type == rtmp::MessageType::video ? is_video_config(tag.payload)
                                                                     : is_audio_config(tag.payload);
                if (tag.type == type && config) {
                    out.push_back({type, at, tag.payload});
                    break;
                }
            }
        }
        for (std::size_t i = key; i < media.size(); ++i) {
            const bool video = media[i].type == rtmp::MessageType::video;
            if (video ? is_video_config(media[i].payload) : is_audio_config(media[i].payload)) continue;
            out.push_back(media[i]);
        }
        return out;
    }

    /// The decoded video and audio of `got` equal those of `source`.
    void expect_same_frames(const std::string& got, const std::string& source, const std::string& who) {
        SCOPED_TRACE(who);
        std::string error;
        const auto video = decoded_hashes(got, 'v', error);
        const auto source_video = decoded_hashes(source, 'v', error);
        const auto audio = decoded_hashes(got, 'a', error);
        const auto source_audio = decoded_hashes(source, 'a', error);
        ASSERT_TRUE(video && source_video && audio && source_audio) << error;
        EXPECT_EQ(video->size(), clip().video_count());
        EXPECT_EQ(*video, *source_video) << "video frames differ";
        EXPECT_FALSE(audio->empty());
        EXPECT_EQ(*audio, *source_audio) << "audio frames differ";
    }

    static std::unique_ptr<VodMedia> media_;
    std::string rec_ = dir_.file("rec");
};

std::unique_ptr<VodMedia> ServeVod::media_;

// (1)
TEST_F(ServeVod, FfmpegPlaysFlvAndMp4FrameExact) {
    // Both mp4 layouts are what they should be, or one test covers the other's case.
    const auto fast = top_level_boxes(media_->file("fast.mp4"));
    const auto slow = top_level_boxes(media_->file("slow.mp4"));
    const auto before = [](const std::vector<std::string>& boxes, const char* a, const char* b) {
        const auto ia = std::find(boxes.begin(), boxes.end(), a);
        return ia != boxes.end() && std::find(ia, boxes.end(), b) != boxes.end();
    };
    ASSERT_TRUE(before(fast, "moov", "mdat")) << "fast.mp4 does not start with its moov";
    ASSERT_TRUE(before(slow, "mdat", "moov")) << "slow.mp4 does not end with its moov";

    const std::vector<std::pair<std::string, std::string>> plays{
        {"clip.flv", "clip.flv"}, {"mp4:fast.mp4", "fast.mp4"}, {"mp4:slow.mp4", "slow.mp4"}};
    std::vector<std::unique_ptr<Process>> players;
    for (std::size_t i = 0; i < plays.size(); ++i) {
        const std::string out = dir_.file("ffmpeg" + std::to_string(i) + ".flv");
        players.push_back(std::make_unique<Process>(
            std::vector<std::string>{"ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-i",
                                     server_->url("vod", plays[i].first), "-c", "copy", "-f", "flv", out},
            out + ".log"));
    }
    const auto deadline = Clock::now() + 30s;
    for (std::size_t i = 0; i < plays.size(); ++i) {
        const std::string out = dir_.file("ffmpeg" + std::to_string(i) + ".flv");
        ASSERT_EQ(players[i]->wait(deadline), std::optional<int>(0)) << plays[i].first << "\n"
                                                                     << read_file(out + ".log");
        expect_same_frames(out, media_->file(plays[i].second), "ffmpeg " + plays[i].first);
    }
}

// (2)
TEST_F(ServeVod, RtmpdumpPlaysFrameExactAndRanges) {
    const std::vector<std::pair<std::string, std::string>> plays{{"clip.flv", "clip.flv"},
                                                                 {"clip", "clip.flv"},
                                                                 {"mp4:fast.mp4", "fast.mp4"},
                                                                 {"mp4:slow.mp4", "slow.mp4"}};
    // -A a bit after the second key frame, -B a bit after the third: both
    // inside a frame interval, so rounding seconds to ms cannot move them.
    const std::vector<base::Timestamp> times = frame_times(clip());
    ASSERT_GE(clip().key_frames.size(), 3u);
    const base::Timestamp start = times[clip().key_frames[1]] + 15;
    const base::Timestamp stop = times[clip().key_frames[2]] + 15;
    std::vector<std::unique_ptr<Process>> players;
    const auto out = [this](std::size_t i) { return dir_.file("rtmpdump" + std::to_string(i) + ".flv"); };
    for (std::size_t i = 0; i <= plays.size(); ++i) {
        std::vector<std::string> argv{"rtmpdump", "-q", "-o", out(i), "-r"};
        if (i < plays.size()) {
            argv.push_back(server_->url("vod", plays[i].first));
        } else {
            argv.insert(argv.end(),
                        {server_->url("vod", "clip.flv"), "-A", seconds_arg(start), "-B", seconds_arg(stop)});
        }
        players.push_back(std::make_unique<Process>(argv, out(i) + ".log"));
    }
    const auto deadline = Clock::now() + 30s;
    for (std::size_t i = 0; i <= plays.size(); ++i) {
        // 2 is "download may be incomplete": librtmp's guess, the frames say.
        const auto rc = players[i]->wait(deadline);
        ASSERT_TRUE(rc == 0 || rc == 2)
            << "rtmpdump " << i << " exited " << (rc ? std::to_string(*rc) : std::string("late")) << "\n"
            << read_file(out(i) + ".log");
        if (i < plays.size())
            expect_same_frames(out(i), media_->file(plays[i].second), "rtmpdump " + plays[i].first);
    }

    // The range: from the key frame at or before `start` to the last frame at or before `stop`.
    std::size_t first = 0;
    std::size_t last = 0;
    for (std::size_t i = 0; i < times.size(); ++i) {
        if (times[i] <= stop) last = i;
    }
    for (const std::size_t key : clip().key_frames) {
        if (times[key] <= start) first = key;
    }
    std::string error;
    const auto video = decoded_hashes(out(plays.size()), 'v', error);
    ASSERT_TRUE(video) << error;
    const std::vector<std::string> want(clip().video_hashes.begin() + static_cast<std::ptrdiff_t>(first),
                                        clip().video_hashes.begin() + static_cast<std::ptrdiff_t>(last) + 1);
    EXPECT_EQ(*video, want) << "rtmpdump -A " << seconds_arg(start) << " -B " << seconds_arg(stop)
                            << ": expected frames " << first << ".." << last << ", got " << video->size()
                            << " frames starting at "
                            << (find_run(clip().video_hashes, *video)
                                    ? std::to_string(*find_run(clip().video_hashes, *video))
                                    : std::string("no run of the clip"));
}

// (3)
TEST_F(ServeVod, GstreamerRtmp2srcAndRtmpsrcPlayFlvFrameExact) {
    const std::string url = server_->url("vod", "clip.flv");
    const std::string out2 = dir_.file("rtmp2src.flv");
    Process rtmp2src(
        {"gst-launch-1.0", "-q", "rtmp2src", "location=" + url, "!", "filesink", "location=" + out2},
        out2 + ".log");
    ASSERT_EQ(rtmp2src.wait(Clock::now() + 30s), std::optional<int>(0)) << read_file(out2 + ".log");
    expect_same_frames(out2, clip().path, "rtmp2src");

    // rtmpsrc (librtmp) closes on Play.Stop and reconnects at once, over
    // and over: stop it as soon as its second copy begins.
    const std::string out1 = dir_.file("rtmpsrc.flv");
    Process rtmpsrc(
        {"gst-launch-1.0", "-q", "rtmpsrc", "location=" + url, "!", "filesink", "location=" + out1},
        out1 + ".log");
    const auto deadline = Clock::now() + 20s;
    std::optional<std::size_t> cut;
    while (!(cut = second_flv_header(read_file(out1))) && Clock::now() < deadline && rtmpsrc.running())
        std::this_thread::sleep_for(10ms);
    rtmpsrc.signal(SIGKILL);
    rtmpsrc.wait(Clock::now() + 5s);
    ASSERT_TRUE(cut) << "rtmpsrc did not play the file to its end\n" << read_file(out1 + ".log");
    const std::string first = dir_.file("rtmpsrc-first.flv");
    std::ofstream(first, std::ios::binary) << read_file(out1).substr(0, *cut);
    std::error_code ec;
    fs::remove(out1, ec);  // it grows by megabytes in the time it takes to stop
    std::string error;
    const std::vector<ClipTag> tags = read_flv_media(first, error);
    EXPECT_TRUE(error.empty()) << "the first copy does not end on a whole tag: " << error;
    expect_same_frames(first, clip().path, "rtmpsrc");
}

// (4)
TEST_F(ServeVod, FfmpegPlaysEveryFrameOfAnMp3) {
    std::string error;
    const auto source = decoded_hashes(media_->file("song.mp3"), 'a', error);
    ASSERT_TRUE(source) << error;
    ASSERT_GT(source->size(), 100u) << "3 s of 44.1 kHz MP3 is 115 frames";
    for (const std::string name : {"mp3:song", "mp3:song.mp3"}) {
        SCOPED_TRACE(name);
        const std::string out = dir_.file(name.substr(4) + ".flv");
        ASSERT_EQ(run_process({"ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-i",
                               server_->url("vod", name), "-c", "copy", "-f", "flv", out},
                              out + ".log", 30s),
                  std::optional<int>(0))
            << read_file(out + ".log");
        const auto audio = decoded_hashes(out, 'a', error);
        ASSERT_TRUE(audio) << error;
        EXPECT_EQ(*audio, *source);
    }
}

// (5)
TEST_F(ServeVod, LiveAppPlaysARecordingForStartAtLeastZeroOrMinusTwoWhileUnpublished) {
    fs::create_directories(rec_ + "/live");
    fs::copy_file(clip().path, rec_ + "/live/x.flv");
    const auto deadline = Clock::now() + 40s;

    // FFmpeg -rtmp_live recorded sends start 0.
    const std::string out = dir_.file("recorded.flv");
    ASSERT_EQ(run_process({"ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-rtmp_live", "recorded",
                           "-i", server_->url("live", "x"), "-c", "copy", "-f", "flv", out},
                          out + ".log", 30s),
              std::optional<int>(0))
        << read_file(out + ".log");
    expect_same_frames(out, clip().path, "ffmpeg -rtmp_live recorded");

    // -2 while x is not published: the recording, every message.
    {
        RawClient player;
        const auto msid = open_stream(player, "live", 60000, deadline);
        ASSERT_TRUE(msid) << player.error();
        const std::size_t mark = player.log_size();
        ASSERT_TRUE(player.play(*msid, "x", -2, deadline));
        ASSERT_TRUE(read_to_end(player, *msid, deadline)) << player.error();
        EXPECT_EQ(player.log()[mark].label, "user:StreamIsRecorded " + std::to_string(*msid));
        expect_media(played_from(0), media_of(player.log(), mark), "play x -2");
        const auto length = stream_length(player, "x", 10, deadline);
        ASSERT_TRUE(length) << player.error();
        EXPECT_NEAR(*length, clip().media.back().timestamp / 1000.0, 0.1);
    }
    // -1 (live only): nothing is published, nothing comes.
    {
        RawClient player;
        const auto msid = open_stream(player, "live", 60000, deadline);
        ASSERT_TRUE(msid) << player.error();
        const std::size_t mark = player.log_size();
        ASSERT_TRUE(player.play(*msid, "x", -1, deadline));
        player.read_for(700ms);
        EXPECT_EQ(index_of(player.log(), "user:StreamIsRecorded " + std::to_string(*msid), mark),
                  player.log_size())
            << "start -1 played the recording";
        EXPECT_TRUE(media_of(player.log(), mark).empty());
    }
    // While x is live: 0 still plays the recording, -2 the live stream.
    RawClient publisher;
    ASSERT_TRUE(publisher.start_publisher(server_->port(), "x", deadline)) << publisher.error();
    for (const double start : {0.0, -2.0}) {
        SCOPED_TRACE(start);
        RawClient player;
        const auto msid = open_stream(player, "live", 60000, deadline);
        ASSERT_TRUE(msid) << player.error();
        const std::size_t mark = player.log_size();
        ASSERT_TRUE(player.play(*msid, "x", start, deadline));
        ASSERT_TRUE(wait_label(player, status("NetStream.Play.Start"), deadline)) << player.error();
        const bool recorded = index_of(player.log(), "user:StreamIsRecorded " + std::to_string(*msid), mark) <
                              player.log_size();
        EXPECT_EQ(recorded, start >= 0);
        if (start >= 0) {
            ASSERT_TRUE(read_to_end(player, *msid, deadline)) << player.error();
            expect_media(played_from(0), media_of(player.log(), mark), "play x 0 while live");
        }
    }
}

// (6) A whole play: the statuses in order around exactly the file's media.
TEST_F(ServeVod, WholePlayStatusesInOrder) {
    const auto deadline = Clock::now() + 30s;
    for (const std::string name : {"clip.flv", "mp4:slow.mp4", "mp3:song"}) {
        SCOPED_TRACE(name);
        RawClient player;
        const auto msid = open_stream(player, "vod", 60000, deadline);
        ASSERT_TRUE(msid) << player.error();
        const std::size_t mark = player.log_size();
        ASSERT_TRUE(player.play(*msid, name, -2, deadline));
        ASSERT_TRUE(read_to_end(player, *msid, deadline)) << player.error();
        const std::string id = " " + std::to_string(*msid);
        const Labels got = signalling(player.log(), mark);
        const Labels want{"user:StreamIsRecorded" + id,
                          "user:StreamBegin" + id,
                          status("NetStream.Play.Reset"),
                          status("NetStream.Play.Start"),
                          "data:|RtmpSampleAccess true true",
                          "data:onStatus NetStream.Data.Start",
                          "data:onMetaData",
                          status("NetStream.Play.Stop"),
                          play_complete,
                          "user:StreamEOF" + id};
        EXPECT_EQ(got, want);
        // onMetaData before the first media, Play.Stop after the last.
        const std::vector<Received>& log = player.log();
        const std::size_t meta = index_of(log, "data:onMetaData", mark);
        const std::size_t stop = index_of(log, status("NetStream.Play.Stop"), mark);
        const auto media = media_of(log, mark);
        ASSERT_FALSE(media.empty());
        EXPECT_EQ(media_of(log, meta).size(), media.size()) << "media before onMetaData";
        EXPECT_TRUE(media_of(log, stop).empty()) << "media after Play.Stop";
        for (const Received* r : media) EXPECT_EQ(r->stream_id, *msid);
        if (name == "clip.flv") expect_media(played_from(0), media, name);
    }
}

TEST_F(ServeVod, GetStreamLengthInSeconds) {
    const auto deadline = Clock::now() + 20s;
    RawClient client;
    ASSERT_TRUE(open_stream(client, "vod", 60000, deadline)) << client.error();
    const double clip_seconds = clip().media.back().timestamp / 1000.0;
    double txn = 10;
    for (const std::string name : {"clip.flv", "clip", "mp4:fast.mp4", "mp4:slow.mp4", "mp3:song"}) {
        SCOPED_TRACE(name);
        const auto length = stream_length(client, name, ++txn, deadline);
        ASSERT_TRUE(length) << client.error();
        EXPECT_NEAR(*length, clip_seconds, 0.1);
    }
    const auto missing = stream_length(client, "missing.flv", ++txn, deadline);
    ASSERT_TRUE(missing) << client.error();
    EXPECT_EQ(*missing, 0.0);
}

TEST_F(ServeVod, FilesThatCannotPlayGetTheirStatus) {
    const auto deadline = Clock::now() + 20s;
    RawClient client;
    ASSERT_TRUE(client.open(server_->port(), deadline)) << client.error();
    ASSERT_NE(client.connect("vod", deadline), nullptr) << client.error();
    const std::vector<std::pair<std::string, std::string>> cases{
        {"missing.flv", "NetStream.Play.StreamNotFound"},
        {"mp4:missing.mp4", "NetStream.Play.StreamNotFound"},
        {"garbage.flv", "NetStream.Play.FileStructureInvalid"},
        {"mp4:trunc.mp4", "NetStream.Play.FileStructureInvalid"},
        {"mp4:pcm.mov", "NetStream.Play.NoSupportedTrackFound"},
    };
    for (const auto& [name, code] : cases) {
        SCOPED_TRACE(name);
        const auto msid = client.create_stream(deadline);
        ASSERT_TRUE(msid) << client.error();
        const std::size_t mark = client.log_size();
        ASSERT_TRUE(client.play(*msid, name, -2, deadline));
        const Received* first = client.wait_for(
            [&](const Received& r) { return r.stream_id == *msid && r.kind != Received::Kind::ack; },
            deadline);
        ASSERT_NE(first, nullptr) << client.error();
        EXPECT_EQ(first->label, status(code));
        EXPECT_EQ(first->level, "error");
        client.read_for(100ms);
        EXPECT_TRUE(media_of(client.log(), mark).empty());
        EXPECT_EQ(index_of(client.log(), "user:StreamIsRecorded " + std::to_string(*msid), mark),
                  client.log_size());
    }
}

TEST_F(ServeVod, SeekToTheMiddleRestartsAtTheKeyFrameBefore) {
    const auto deadline = Clock::now() + 30s;
    RawClient player;
    const auto msid = open_stream(player, "vod", 100, deadline);
    ASSERT_TRUE(msid) << player.error();
    const std::size_t mark = player.log_size();
    ASSERT_TRUE(player.play(*msid, "clip.flv", -2, deadline));
    ASSERT_TRUE(wait_label(player, "video:key", deadline)) << player.error();

    const base::Timestamp target = 1500;
    ASSERT_TRUE(send_stream_command(player, rtmp::SeekCommand{0, target}.encode(rtmp::Encoding::amf0, *msid),
                                    deadline));
    ASSERT_TRUE(set_buffer(player, *msid, 60000, deadline));
    ASSERT_TRUE(read_to_end(player, *msid, deadline)) << player.error();
    const std::vector<Received>& log = player.log();
    const std::size_t notify = index_of(log, status("NetStream.Seek.Notify"), mark);
    ASSERT_LT(notify, log.size());
    const std::string id = " " + std::to_string(*msid);
    EXPECT_EQ(signalling(log, notify),
              (Labels{status("NetStream.Seek.Notify"), status("NetStream.Play.Start"), "data:onMetaData",
                      status("NetStream.Play.Stop"), play_complete, "user:StreamEOF" + id}));
    // Before the seek: the start of the play.
    std::vector<const Received*> before = media_of(log, mark);
    before.resize(before.size() - media_of(log, notify).size());
    const std::vector<ClipTag> whole = played_from(0);
    ASSERT_LE(before.size(), whole.size());
    expect_media(
        std::vector<ClipTag>(whole.begin(), whole.begin() + static_cast<std::ptrdiff_t>(before.size())),
        before, "before the seek");

    // After it: the headers, then the file from the key frame at or before the target.
    const auto after = media_of(log, index_of(log, "data:onMetaData", notify));
    ASSERT_GE(after.size(), 3u);
    const auto first_video = std::find_if(after.begin(), after.end(), [](const Received* r) {
        return r->message.type == rtmp::MessageType::video && is_video_frame(r->message.payload);
    });
    ASSERT_NE(first_video, after.end());
    EXPECT_EQ((*first_video)->label, "video:key");
    EXPECT_LE((*first_video)->message.timestamp, target);
    EXPECT_GE((*first_video)->message.timestamp, target - 1000)
        << "more than a GOP (25 frames at 25 fps) before";
    std::size_t key = 0;
    for (std::size_t i = 0; i < clip().media.size(); ++i) {
        const ClipTag& tag = clip().media[i];
        if (tag.type == rtmp::MessageType::video && is_video_key(tag.payload) && tag.timestamp <= target)
            key = i;
    }
    ASSERT_NE(key, 0u);
    expect_media(played_from(key), after, "after the seek");
}

TEST_F(ServeVod, SeekBeyondTheEndIsInvalidTimeAndPlaybackGoesOn) {
    const auto deadline = Clock::now() + 30s;
    RawClient player;
    const auto msid = open_stream(player, "vod", 100, deadline);
    ASSERT_TRUE(msid) << player.error();
    const auto length = stream_length(player, "clip.flv", 10, deadline);
    ASSERT_TRUE(length) << player.error();
    const std::size_t mark = player.log_size();
    ASSERT_TRUE(player.play(*msid, "clip.flv", -2, deadline));
    ASSERT_TRUE(wait_label(player, "video:key", deadline)) << player.error();

    ASSERT_TRUE(send_stream_command(player, rtmp::SeekCommand{0, 60000}.encode(rtmp::Encoding::amf0, *msid),
                                    deadline));
    const Received* invalid = player.wait_for(
        [&](const Received& r) {
            return r.command && r.command->name == "onStatus" && r.stream_id == *msid &&
                   r.code.rfind("NetStream.Seek.", 0) == 0;
        },
        deadline);
    ASSERT_NE(invalid, nullptr) << player.error();
    EXPECT_EQ(invalid->label, status("NetStream.Seek.InvalidTime"));
    EXPECT_EQ(details_of(*invalid), std::to_string(std::llround(*length * 1000)))
        << "details: the duration in ms";

    // The position did not move: the play goes on to the end, nothing skipped or repeated.
    ASSERT_TRUE(set_buffer(player, *msid, 60000, deadline));
    ASSERT_TRUE(read_to_end(player, *msid, deadline)) << player.error();
    expect_media(played_from(0), media_of(player.log(), mark), "play with a failed seek");
    EXPECT_EQ(index_of(player.log(), status("NetStream.Seek.Notify"), mark), player.log_size());
}

TEST_F(ServeVod, PauseStopsMediaAndUnpauseResumesWithTheNextFrame) {
    const auto deadline = Clock::now() + 30s;
    RawClient player;
    const auto msid = open_stream(player, "vod", 100, deadline);
    ASSERT_TRUE(msid) << player.error();
    const std::size_t mark = player.log_size();
    ASSERT_TRUE(player.play(*msid, "clip.flv", -2, deadline));
    const Received* at = player.wait_for(
        [](const Received& r) { return r.kind == Received::Kind::video && r.message.timestamp >= 1000; },
        deadline);
    ASSERT_NE(at, nullptr) << player.error();
    const base::Timestamp paused_at = at->message.timestamp;

    const std::string id = " " + std::to_string(*msid);
    const std::size_t pause_mark = player.log_size();
    ASSERT_TRUE(send_stream_command(
        player,
        rtmp::PauseCommand{0, true, static_cast<double>(paused_at)}.encode(rtmp::Encoding::amf0, *msid),
        deadline));
    ASSERT_TRUE(wait_label(player, status("NetStream.Pause.Notify"), deadline)) << player.error();
    const std::size_t paused = player.log_size();
    player.read_for(700ms);
    EXPECT_TRUE(media_of(player.log(), paused).empty()) << "media arrived while paused";
    EXPECT_EQ(signalling(player.log(), pause_mark),
              (Labels{"user:StreamEOF" + id, status("NetStream.Pause.Notify")}));
    const std::size_t received_before = media_of(player.log(), mark).size();
    EXPECT_LT(received_before, clip().media.size()) << "the whole file came before the pause";

    const std::size_t unpause_mark = player.log_size();
    ASSERT_TRUE(send_stream_command(
        player,
        rtmp::PauseCommand{0, false, static_cast<double>(paused_at)}.encode(rtmp::Encoding::amf0, *msid),
        deadline));
    ASSERT_TRUE(read_to_end(player, *msid, deadline)) << player.error();
    EXPECT_EQ(signalling(player.log(), unpause_mark),
              (Labels{"user:StreamBegin" + id, status("NetStream.Unpause.Notify"),
                      status("NetStream.Play.Stop"), play_complete, "user:StreamEOF" + id}));
    // Over the whole play: every message once, in order.
    expect_media(played_from(0), media_of(player.log(), mark), "paused play");
}

TEST_F(ServeVod, ReceiveVideoFalseLeavesAudioOnlyAndTrueResumesAtAKeyFrame) {
    const auto deadline = Clock::now() + 30s;
    RawClient player;
    const auto msid = open_stream(player, "vod", 100, deadline);
    ASSERT_TRUE(msid) << player.error();
    const std::size_t mark = player.log_size();
    ASSERT_TRUE(player.play(*msid, "clip.flv", -2, deadline));
    ASSERT_TRUE(wait_label(player, "video:key", deadline)) << player.error();

    rtmp::ReceiveMediaCommand off{rtmp::ReceiveMediaCommand::Kind::video, 0, false};
    ASSERT_TRUE(send_stream_command(player, off.encode(rtmp::Encoding::amf0, *msid), deadline));
    // A command answered after it: everything sent later was decided after receiveVideo(false).
    ASSERT_TRUE(stream_length(player, "clip.flv", 10, deadline)) << player.error();
    const std::size_t barrier = player.log_size();
    ASSERT_TRUE(player.wait_for(
        [](const Received& r) { return r.kind == Received::Kind::audio && r.message.timestamp >= 1200; },
        deadline))
        << player.error();

    rtmp::ReceiveMediaCommand on{rtmp::ReceiveMediaCommand::Kind::video, 0, true};
    ASSERT_TRUE(send_stream_command(player, on.encode(rtmp::Encoding::amf0, *msid), deadline));
    ASSERT_TRUE(wait_label(player, status("NetStream.Seek.Notify"), deadline)) << player.error();
    const std::size_t resumed = player.log_size();
    std::vector<const Received*> audio_only = media_of(player.log(), barrier);
    EXPECT_TRUE(of_type(audio_only, rtmp::MessageType::video).empty()) << "video after receiveVideo(false)";
    EXPECT_FALSE(audio_only.empty());
    ASSERT_TRUE(wait_label(player, status("NetStream.Play.Start"), deadline)) << player.error();
    ASSERT_TRUE(set_buffer(player, *msid, 60000, deadline));
    ASSERT_TRUE(read_to_end(player, *msid, deadline)) << player.error();

    const auto video = of_type(media_of(player.log(), resumed), rtmp::MessageType::video);
    ASSERT_FALSE(video.empty()) << "no video after receiveVideo(true)";
    EXPECT_EQ(video.front()->label, "video:key");
    // Audio never stopped: every audio message of the file, once, in order.
    const auto played = played_from(0);
    expect_media(of_type(played, rtmp::MessageType::audio),
                 of_type(media_of(player.log(), mark), rtmp::MessageType::audio), "audio");
    // The video resumed exactly at a key frame of the file and went on to its end.
    const auto all_video = of_type(played, rtmp::MessageType::video);
    const auto from = std::find_if(all_video.begin(), all_video.end(), [&](const ClipTag& t) {
        return t.timestamp == video.front()->message.timestamp && is_video_key(t.payload);
    });
    ASSERT_NE(from, all_video.end());
    expect_media(std::vector<ClipTag>(from, all_video.end()), video, "video after receiveVideo(true)");
}

}  // namespace
}  // namespace sluice::test
