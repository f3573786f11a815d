// client::LoadStats and its pieces: media classification, percentiles,
// the latency histogram, player states, per-second intervals, stall
// detection and the renderings, all with made-up times.
#include "client/load_stats.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "support/hex_literal.hpp"

namespace sluice::client {
namespace {

using sluice::test::hex;
using Clock = LoadStats::Clock;
using std::chrono::microseconds;
using std::chrono::milliseconds;

MediaClass video_class(std::string_view h) {
    return classify_video(hex(h));
}
MediaClass audio_class(std::string_view h) {
    return classify_audio(hex(h));
}

TEST(LoadStats, ClassifiesLegacyVideo) {
    EXPECT_EQ(video_class("17 00 00 00 00 01 64"), MediaClass::config);
    EXPECT_EQ(video_class("17 01 00 00 00 AA"), MediaClass::key_frame);
    EXPECT_EQ(video_class("27 01 00 00 00 AA"), MediaClass::frame);
    EXPECT_EQ(video_class("17 02 00 00 00"), MediaClass::other);      // end of sequence
    EXPECT_EQ(video_class("57 01"), MediaClass::other);               // command frame
    EXPECT_EQ(video_class("1C 00 00 00 00 01"), MediaClass::config);  // legacy HEVC
    EXPECT_EQ(video_class("22 00"), MediaClass::frame);               // H.263 inter
    EXPECT_EQ(video_class("12 00"), MediaClass::key_frame);
    EXPECT_EQ(video_class("17"), MediaClass::other);  // truncated
    EXPECT_EQ(classify_video({}), MediaClass::other);
}

TEST(LoadStats, ClassifiesEnhancedVideo) {
    EXPECT_EQ(video_class("90 68 76 63 31 01"), MediaClass::config);              // hvc1 SequenceStart
    EXPECT_EQ(video_class("91 68 76 63 31 00 00 00 AA"), MediaClass::key_frame);  // CodedFrames
    EXPECT_EQ(video_class("A3 68 76 63 31 AA"), MediaClass::frame);               // CodedFramesX inter
    EXPECT_EQ(video_class("92 68 76 63 31"), MediaClass::other);                  // SequenceEnd
    EXPECT_EQ(video_class("D1 68 76 63 31 00 00 00"), MediaClass::other);         // command frame type 5
    // ModEx (TimestampOffsetNano) before CodedFrames: the slow path reads past it.
    EXPECT_EQ(video_class("97 02 0F 42 3F 03 61 76 63 31 00 00 00 AA"), MediaClass::key_frame);
}

TEST(LoadStats, ClassifiesAudio) {
    EXPECT_EQ(audio_class("AF 00 12 10"), MediaClass::config);
    EXPECT_EQ(audio_class("AF 01 21 4A"), MediaClass::frame);
    EXPECT_EQ(audio_class("2F FF FB"), MediaClass::frame);  // MP3
    EXPECT_EQ(audio_class("90 4F 70 75 73 01"), MediaClass::config);
    EXPECT_EQ(audio_class("91 4F 70 75 73 01"), MediaClass::frame);
    EXPECT_EQ(audio_class("AF"), MediaClass::other);
    EXPECT_EQ(classify_audio({}), MediaClass::other);  // silence marker
}

TEST(LoadStats, PercentilesNearestRank) {
    std::vector<double> samples;
    for (int i = 100; i >= 1; --i) samples.push_back(i);
    const Percentiles p = percentiles(samples);
    EXPECT_EQ(p.count, 100u);
    EXPECT_EQ(p.median, 50);
    EXPECT_EQ(p.p99, 99);
    EXPECT_EQ(p.max, 100);

    std::vector<double> one{7.5};
    EXPECT_EQ(percentiles(one).median, 7.5);
    EXPECT_EQ(percentiles(one).p99, 7.5);
    std::vector<double> none;
    EXPECT_EQ(percentiles(none).count, 0u);
    std::vector<double> three{3, 1, 2};
    EXPECT_EQ(percentiles(three).median, 2);
    EXPECT_EQ(percentiles(three).p99, 3);
}

TEST(LoadStats, HistogramBucketsAndOverflow) {
    LatencyHistogram h;
    for (int i = 1; i <= 100; ++i) h.add(microseconds(i * 100));  // 0.1 .. 10 ms
    Percentiles p = h.percentiles();
    EXPECT_EQ(p.count, 100u);
    EXPECT_NEAR(p.median, 5.0, 0.011);
    EXPECT_NEAR(p.p99, 9.9, 0.011);
    EXPECT_DOUBLE_EQ(p.max, 10.0);

    h.clear();
    EXPECT_EQ(h.percentiles().count, 0u);
    h.add(microseconds(-5));          // clamped to 0
    h.add(milliseconds(250));         // coarse bucket
    h.add(std::chrono::seconds(30));  // overflow
    p = h.percentiles();
    EXPECT_EQ(p.count, 3u);
    EXPECT_NEAR(p.median, 250.0, 1.0);
    EXPECT_DOUBLE_EQ(p.p99, 30'000.0);  // overflow reports the exact maximum
    EXPECT_DOUBLE_EQ(p.max, 30'000.0);
}

TEST(LoadStats, PlayerLifecycleAndTimes) {
    const auto t0 = Clock::now();
    LoadStats stats({}, t0);
    const auto a = stats.add_player(t0);
    const auto b = stats.add_player(t0 + milliseconds(10));
    const auto c = stats.add_player(t0 + milliseconds(20));
    stats.on_play_start(a, t0 + milliseconds(3));
    stats.on_play_start(b, t0 + milliseconds(15));
    stats.on_failed(c, "play: NetStream.Play.StreamNotFound (stream_not_found)");
    stats.on_media(a, t0 + milliseconds(4), 40, true, MediaClass::config);
    stats.on_media(a, t0 + milliseconds(8), 1000, true, MediaClass::key_frame);
    stats.on_media(a, t0 + milliseconds(9), 200, false, MediaClass::frame);
    stats.on_media(b, t0 + milliseconds(30), 300, true, MediaClass::frame);
    stats.on_media(b, t0 + milliseconds(50), 1000, true, MediaClass::key_frame);
    stats.on_ended(b);

    EXPECT_EQ(stats.state(a), LoadStats::PlayerState::playing);
    EXPECT_EQ(stats.state(b), LoadStats::PlayerState::ended);
    EXPECT_EQ(stats.state(c), LoadStats::PlayerState::failed);
    const LoadSummary s = stats.summary(t0 + milliseconds(1000));
    EXPECT_EQ(s.requested, 3u);
    EXPECT_EQ(s.connected, 2u);
    EXPECT_EQ(s.failed, 1u);
    EXPECT_EQ(s.ended, 1u);
    EXPECT_EQ(s.bytes, 2540u);
    EXPECT_EQ(s.video_frames, 3u);  // the config is not a frame
    EXPECT_EQ(s.key_frames, 2u);
    EXPECT_EQ(s.audio_frames, 1u);
    EXPECT_EQ(s.min_video_frames, 1u);
    EXPECT_EQ(s.max_video_frames, 2u);
    EXPECT_EQ(s.play_start.count, 2u);
    EXPECT_DOUBLE_EQ(s.play_start.median, 3);
    EXPECT_DOUBLE_EQ(s.play_start.p99, 5);
    EXPECT_DOUBLE_EQ(s.first_frame.median, 8);    // a: 8 ms
    EXPECT_DOUBLE_EQ(s.first_frame.p99, 20);      // b: 30 - 10 ms
    EXPECT_DOUBLE_EQ(s.first_key_frame.p99, 40);  // b: 50 - 10 ms
    ASSERT_EQ(s.failures.size(), 1u);
    EXPECT_EQ(s.failures[0], "player 2: play: NetStream.Play.StreamNotFound (stream_not_found)");
    EXPECT_DOUBLE_EQ(s.seconds, 1.0);
}

TEST(LoadStats, IntervalsCountTheirOwnSecond) {
    const auto t0 = Clock::now();
    LoadStats stats({}, t0);
    const auto a = stats.add_player(t0);
    stats.on_play_start(a, t0);
    stats.on_media(a, t0 + milliseconds(100), 500, true, MediaClass::key_frame);
    stats.on_latency(milliseconds(2));
    LoadInterval i1 = stats.tick(t0 + milliseconds(1000), true);
    EXPECT_EQ(i1.bytes, 500u);
    EXPECT_EQ(i1.video_frames, 1u);
    EXPECT_EQ(i1.playing, 1u);
    EXPECT_EQ(i1.latency.count, 1u);
    EXPECT_DOUBLE_EQ(i1.interval_s, 1.0);
    stats.on_media(a, t0 + milliseconds(1100), 700, false, MediaClass::frame);
    LoadInterval i2 = stats.tick(t0 + milliseconds(2000), true);
    EXPECT_EQ(i2.bytes, 700u);
    EXPECT_EQ(i2.video_frames, 0u);
    EXPECT_EQ(i2.audio_frames, 1u);
    EXPECT_EQ(i2.latency.count, 0u);                 // per interval
    EXPECT_EQ(i2.first_frame.count, 1u);             // so far
    EXPECT_EQ(stats.summary(t0).latency.count, 1u);  // whole run
}

TEST(LoadStats, StallIsNoMediaForTwoSecondsWhileLive) {
    const auto t0 = Clock::now();
    LoadStats stats({}, t0);
    const auto a = stats.add_player(t0);
    const auto b = stats.add_player(t0);
    stats.on_play_start(a, t0);
    stats.on_play_start(b, t0);
    for (int s = 1; s <= 5; ++s) {
        stats.on_media(a, t0 + milliseconds(1000 * s - 10), 100, true, MediaClass::frame);
        if (s == 1) stats.on_media(b, t0 + milliseconds(990), 100, true, MediaClass::frame);
        const LoadInterval i = stats.tick(t0 + milliseconds(1000 * s), true);
        // b's last media at 0.99 s: stalled once 2 s have passed (at the 3 s tick onwards).
        EXPECT_EQ(i.stalled_now, s >= 3 ? 1u : 0u) << "tick " << s;
        EXPECT_EQ(i.stalled, s >= 3 ? 1u : 0u) << "tick " << s;
    }
    stats.on_media(b, t0 + milliseconds(5500), 100, true, MediaClass::frame);  // episode ends
    EXPECT_EQ(stats.tick(t0 + milliseconds(6000), true).stalled_now, 0u);
    EXPECT_EQ(stats.tick(t0 + milliseconds(9000), true).stalled_now, 2u);  // both quiet for 3+ s
    const LoadSummary s = stats.summary(t0 + milliseconds(9000));
    EXPECT_EQ(s.stalled, 2u);
    EXPECT_EQ(s.stalls, 3u);
}

TEST(LoadStats, NoStallWhileTheStreamIsNotLive) {
    const auto t0 = Clock::now();
    LoadStats stats({}, t0);
    const auto a = stats.add_player(t0);
    stats.on_play_start(a, t0);
    EXPECT_EQ(stats.tick(t0 + milliseconds(5000), false).stalled_now, 0u);
    // Live again at 5 s: the stall clock restarts there, not at Play.Start.
    EXPECT_EQ(stats.tick(t0 + milliseconds(6000), true).stalled_now, 0u);
    EXPECT_EQ(stats.tick(t0 + milliseconds(6900), true).stalled_now, 0u);
    EXPECT_EQ(stats.tick(t0 + milliseconds(7100), true).stalled_now, 1u);
}

TEST(LoadStats, ConnectingAndFailedPlayersNeverStall) {
    const auto t0 = Clock::now();
    LoadStats stats({}, t0);
    stats.add_player(t0);
    const auto f = stats.add_player(t0);
    stats.on_play_start(f, t0);
    stats.on_failed(f, "receive: reset");
    const LoadInterval i = stats.tick(t0 + milliseconds(10'000), true);
    EXPECT_EQ(i.stalled_now, 0u);
    EXPECT_EQ(i.connecting, 1u);
    EXPECT_EQ(i.failed, 1u);
}

TEST(LoadStats, MediaRecent) {
    const auto t0 = Clock::now();
    LoadStats stats({}, t0);
    const auto a = stats.add_player(t0);
    EXPECT_FALSE(stats.media_recent(t0));
    stats.on_play_start(a, t0);
    stats.on_media(a, t0 + milliseconds(100), 1, true, MediaClass::frame);
    EXPECT_TRUE(stats.media_recent(t0 + milliseconds(2000)));
    EXPECT_FALSE(stats.media_recent(t0 + milliseconds(2200)));
}

TEST(LoadStats, MissedFramesMakeAPlayerIncomplete) {
    const auto t0 = Clock::now();
    LoadStats stats({}, t0);
    const auto a = stats.add_player(t0);
    const auto b = stats.add_player(t0);
    const auto c = stats.add_player(t0);
    stats.on_missed(a, 2);
    stats.on_missed(a, 1);
    stats.set_tail_missing(b, 4);
    stats.set_tail_missing(b, 5);  // replaced, not added
    (void)c;
    const LoadSummary s = stats.summary(t0);
    EXPECT_EQ(s.frames_missed, 8u);
    EXPECT_EQ(s.players_incomplete, 2u);
}

LoadSummary sample_summary() {
    LoadSummary s;
    s.url = "rtmp://127.0.0.1/live/x";
    s.seconds = 10;
    s.requested = 20;
    s.connected = 20;
    s.bytes = 12'500'000;
    s.video_frames = 5000;
    s.first_frame = {20, 12.5, 40.25, 41};
    s.latency = {4000, 1.25, 3.5, 9};
    s.publish = PublishSummary{250, 430, 625'000, 1, ""};
    return s;
}

TEST(LoadStats, SummaryJson) {
    const auto v = boost::json::parse(render_summary_json(sample_summary()));
    const auto& root = v.as_object();
    EXPECT_EQ(root.at("players").as_object().at("connected").as_int64(), 20);
    EXPECT_EQ(root.at("players").as_object().at("stalled").as_int64(), 0);
    EXPECT_EQ(root.at("bytes").as_int64(), 12'500'000);
    EXPECT_DOUBLE_EQ(root.at("first_frame_ms").as_object().at("median").as_double(), 12.5);
    EXPECT_DOUBLE_EQ(root.at("first_frame_ms").as_object().at("p99").as_double(), 40.25);
    EXPECT_DOUBLE_EQ(root.at("latency_ms").as_object().at("p99").as_double(), 3.5);
    EXPECT_TRUE(root.at("latency_unavailable").is_null());
    EXPECT_EQ(root.at("published").as_object().at("video_frames").as_int64(), 250);
    EXPECT_EQ(root.at("frames_missed").as_int64(), 0);
    EXPECT_TRUE(root.at("play_start_ms").is_null());  // no samples

    LoadSummary none = sample_summary();
    none.publish.reset();
    none.latency_unavailable = "no --publish";
    const auto w = boost::json::parse(render_summary_json(none));
    EXPECT_TRUE(w.as_object().at("latency_ms").is_null());
    EXPECT_EQ(w.as_object().at("latency_unavailable").as_string(), "no --publish");
    EXPECT_TRUE(w.as_object().at("published").is_null());
}

TEST(LoadStats, TextRenderings) {
    const std::string text = render_summary_text(sample_summary());
    for (const char* expected :
         {"20 requested, 20 connected, 0 failed, 0 stalled", "10.0 Mbit/s",
          "First frame     p50 12.50 ms p99 40.25 ms", "Latency         p50 1.25 ms p99 3.50 ms",
          "Missed frames   0 (0 players incomplete)"}) {
        EXPECT_NE(text.find(expected), std::string::npos) << "missing: " << expected << "\n" << text;
    }
    LoadInterval i;
    i.elapsed_s = 3;
    i.interval_s = 1;
    i.players = 200;
    i.playing = 199;
    i.connecting = 1;
    i.bytes = 10'000'000;
    i.video_frames = 5000;
    const std::string line = render_interval(i);
    EXPECT_EQ(line.find('\n'), std::string::npos);
    EXPECT_NE(
        line.find("200 players: 199 playing 1 connecting 0 failed 0 stalled | 80.0 Mbit/s 5000 frames/s"),
        std::string::npos)
        << line;
}

}  // namespace
}  // namespace sluice::client
