// Playlists and play2 on `sluice serve`'s vod application (issue 7 items 3
// and 4), driven by our client library. Each test plays real files made by
// ffmpeg into the media folder and checks every audio and video payload it
// receives against the files' own tags, with the statuses around them:
//  - play(B, reset=false) after play(A): A's media, onPlayStatus
//    NetStream.Play.Switch and Play.Start for B, B's headers and media with
//    timestamps that continue after A's, then the end statuses once;
//  - play2 "switch" between two renditions with aligned key frames: the
//    player gets Play.Transition, then TransitionComplete right before a key
//    frame of the new rendition, and every frame time exactly once;
//  - play2 "swap" of a queued item, "stop", play(reset=true) flushing the
//    playlist, and "appendAndWait" holding it until an "append";
//  - seek and pause from the client library: the key frame at or before the
//    target after the headers, nothing while paused, and every frame after
//    the seek exactly once.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "client/blocking_client.hpp"
#include "interop/serve_test.hpp"
#include "rtmp/net_stream_commands.hpp"

namespace sluice::test {
namespace {

using namespace std::chrono_literals;
using Kind = client::Incoming::Kind;

struct Media {
    rtmp::MessageType type{};
    std::uint32_t timestamp = 0;
    std::vector<std::uint8_t> bytes;
};

/// What a player saw, in order: media, and the statuses as "code|details".
struct Event {
    bool media = false;
    Media m;
    std::string status;
};

std::vector<std::uint8_t> bytes_of(const base::Payload& payload) {
    const base::Bytes b = payload.bytes();
    return {b.begin(), b.end()};
}

bool is_video_header(const Media& m) {
    return m.type == rtmp::MessageType::video && m.bytes.size() > 1 && (m.bytes[0] & 0x0f) == 7 &&
           m.bytes[1] == 0;
}

bool is_key_frame(const Media& m) {
    return m.type == rtmp::MessageType::video && !m.bytes.empty() && (m.bytes[0] >> 4) == 1 &&
           !is_video_header(m);
}

std::vector<Media> track(const std::vector<Media>& all, rtmp::MessageType type) {
    std::vector<Media> out;
    for (const Media& m : all)
        if (m.type == type) out.push_back(m);
    return out;
}

std::vector<Media> media_of(const Clip& clip) {
    std::vector<Media> out;
    for (const ClipTag& t : clip.media) out.push_back({t.type, t.timestamp, bytes_of(t.payload)});
    return out;
}

class ServePlaylist : public ServeTest {
protected:
    void SetUp() override {
        media_ = dir_.file("media");
        std::filesystem::create_directories(media_);
        start_server({"--media", media_});
    }

    /// A clip in the media folder; `tone` tells clips apart, `bitrate` makes
    /// renditions of one picture.
    Clip clip(const std::string& name, int seconds, int tone, const std::string& bitrate = "200k") {
        ClipSpec spec;
        spec.seconds = seconds;
        spec.audio_source = "sine=frequency=" + std::to_string(tone) + ":sample_rate=44100";
        spec.video_options = {"-b:v", bitrate};
        std::string error;
        Clip c = make_clip_file(media_ + "/" + name + ".flv", spec, error);
        EXPECT_TRUE(error.empty()) << error;
        return c;
    }

    std::unique_ptr<client::BlockingClient> player(std::uint32_t buffer_ms) {
        client::ClientOptions options;
        options.step_timeout = 10s;
        options.buffer_length_ms = buffer_ms;
        return std::make_unique<client::BlockingClient>(options);
    }

    rtmp::Url url(const std::string& name) const { return *rtmp::Url::parse(server_->url("vod", name)); }

    /// Reads until StreamEOF after onPlayStatus Play.Complete (or a
    /// deadline); `on_media` may act on the stream as media arrives.
    template <class OnMedia>
    std::vector<Event> read_to_end(client::BlockingClient& c, OnMedia on_media) {
        std::vector<Event> events;
        bool complete = false;
        const auto deadline = Clock::now() + 30s;
        while (Clock::now() < deadline) {
            client::Incoming in;
            try {
                in = c.next(10s);
            } catch (const client::ClientError& e) {
                ADD_FAILURE() << "player: " << e.what();
                break;
            }
            if (in.kind == Kind::closed) break;
            if (in.kind == Kind::audio || in.kind == Kind::video) {
                events.push_back(
                    {true, {in.message.type, in.message.timestamp, bytes_of(in.message.payload)}, ""});
                on_media(events.back().m);
            } else if (in.kind == Kind::status && in.status) {
                events.push_back({false, {}, in.status->code + "|" + in.status->details.value_or("")});
                if (in.status->code == "NetStream.Play.Complete") complete = true;
            } else if (in.kind == Kind::user_control && complete &&
                       in.control.event == rtmp::UserControlEvent::stream_eof) {
                break;
            }
        }
        return events;
    }

    std::vector<Event> read_to_end(client::BlockingClient& c) {
        return read_to_end(c, [](const Media&) {});
    }

    std::string media_;
};

std::vector<Media> media(const std::vector<Event>& events, std::size_t from = 0, std::size_t to = SIZE_MAX) {
    std::vector<Media> out;
    for (std::size_t i = from; i < std::min(to, events.size()); ++i)
        if (events[i].media) out.push_back(events[i].m);
    return out;
}

std::size_t index_of(const std::vector<Event>& events, const std::string& status) {
    for (std::size_t i = 0; i < events.size(); ++i)
        if (!events[i].media && events[i].status == status) return i;
    return SIZE_MAX;
}

std::size_t count_of(const std::vector<Event>& events, const std::string& code) {
    return std::count_if(events.begin(), events.end(), [&](const Event& e) {
        return !e.media && e.status.compare(0, code.size() + 1, code + "|") == 0;
    });
}

/// `got` holds `want`'s payloads in order, each track, timestamps shifted
/// by `shift`.
void expect_same_media(const std::vector<Media>& got, const std::vector<Media>& want, std::int64_t shift,
                       const std::string& what) {
    for (const auto type : {rtmp::MessageType::audio, rtmp::MessageType::video}) {
        const auto g = track(got, type);
        const auto w = track(want, type);
        ASSERT_EQ(g.size(), w.size()) << what << " type " << static_cast<int>(type);
        for (std::size_t i = 0; i < w.size(); ++i) {
            ASSERT_EQ(g[i].bytes, w[i].bytes) << what << " type " << static_cast<int>(type) << " #" << i;
            ASSERT_EQ(static_cast<std::int64_t>(g[i].timestamp), w[i].timestamp + shift)
                << what << " type " << static_cast<int>(type) << " #" << i;
        }
    }
}

TEST_F(ServePlaylist, PlayWithResetFalseQueuesTheNextFileAndTimestampsRunOn) {
    const Clip a = clip("a", 2, 440);
    const Clip b = clip("b", 2, 880);
    auto c = player(500);  // paced: the first file still plays when the next play arrives
    const auto id = c->open_play(url("a"), 0);
    c->play(id, rtmp::PlayCommand{0, "b", 0, -1, false});
    const auto events = read_to_end(*c);

    const std::size_t switch_at = index_of(events, "NetStream.Play.Switch|b");
    ASSERT_NE(switch_at, SIZE_MAX) << "no onPlayStatus NetStream.Play.Switch for b";
    ASSERT_LT(switch_at + 1, events.size());
    EXPECT_EQ(events[switch_at + 1].status, "NetStream.Play.Start|b");
    EXPECT_EQ(count_of(events, "NetStream.Play.Complete"), 1u);
    EXPECT_EQ(count_of(events, "NetStream.Play.Stop"), 1u);
    EXPECT_GT(index_of(events, "NetStream.Play.Stop|b"), switch_at);

    const auto first = media(events, 0, switch_at);
    const auto second = media(events, switch_at);
    expect_same_media(first, media_of(a), 0, "a");
    ASSERT_FALSE(second.empty());
    std::uint32_t a_end = 0;
    for (const Media& m : first) a_end = std::max(a_end, m.timestamp);
    const std::int64_t shift = second.front().timestamp;
    // B starts one frame interval after A's last message: no gap, no step back.
    EXPECT_GT(shift, a_end);
    EXPECT_LE(shift, a_end + 50);
    expect_same_media(second, media_of(b), shift, "b");
}

TEST_F(ServePlaylist, Play2SwitchMovesToTheOtherRenditionAtAKeyFrameWithEveryFrameOnce) {
    const Clip hi = clip("hi", 4, 440, "300k");
    const Clip lo = clip("lo", 4, 440, "60k");
    // A short buffer paces the file, so the switch lands mid-file.
    auto c = player(300);
    const auto id = c->open_play(url("hi"), 0);
    bool asked = false;
    const auto events = read_to_end(*c, [&](const Media& m) {
        if (!asked && m.type == rtmp::MessageType::video && m.timestamp >= 800) {
            asked = true;
            rtmp::PlayOptions options;
            options.stream_name = "lo";
            options.old_stream_name = "hi";
            options.transition = "switch";
            c->play2(id, options);
        }
    });
    ASSERT_TRUE(asked);
    const std::size_t transition = index_of(events, "NetStream.Play.Transition|lo");
    const std::size_t complete = index_of(events, "NetStream.Play.TransitionComplete|lo");
    ASSERT_NE(transition, SIZE_MAX);
    ASSERT_NE(complete, SIZE_MAX);
    ASSERT_LT(transition, complete);

    // After TransitionComplete: lo's header, then a key frame of lo at the
    // time hi would have had its own key frame.
    const auto after = track(media(events, complete), rtmp::MessageType::video);
    ASSERT_GE(after.size(), 2u);
    EXPECT_TRUE(is_video_header(after[0]));
    ASSERT_TRUE(is_key_frame(after[1]));
    const std::uint32_t k = after[1].timestamp;
    const auto want_hi = track(media_of(hi), rtmp::MessageType::video);
    const auto want_lo = track(media_of(lo), rtmp::MessageType::video);
    const bool on_a_key_frame = std::any_of(want_hi.begin() + 2, want_hi.end(), [&](const Media& m) {
        return is_key_frame(m) && m.timestamp == k;
    });
    EXPECT_TRUE(on_a_key_frame) << "the switch at " << k << " ms is not on a later key frame of the clip";

    // Every frame time of the clip exactly once, from hi before k and from
    // lo from k on.
    std::vector<Media> want;
    for (const Media& m : want_hi)
        if (!is_video_header(m) && m.timestamp < k) want.push_back(m);
    for (const Media& m : want_lo)
        if (!is_video_header(m) && m.timestamp >= k) want.push_back(m);
    std::vector<Media> got;
    for (const Media& m : track(media(events), rtmp::MessageType::video))
        if (!is_video_header(m)) got.push_back(m);
    ASSERT_EQ(got.size(), want.size());
    for (std::size_t i = 0; i < want.size(); ++i) {
        ASSERT_EQ(got[i].timestamp, want[i].timestamp) << "frame " << i;
        ASSERT_EQ(got[i].bytes, want[i].bytes) << "frame " << i << " at " << want[i].timestamp;
    }
    EXPECT_EQ(count_of(events, "NetStream.Play.Complete"), 1u);
}

TEST_F(ServePlaylist, Play2SwapReplacesAQueuedItem) {
    const Clip a = clip("a", 2, 440);
    (void)clip("b", 1, 660);
    const Clip x = clip("x", 1, 990);
    auto c = player(500);  // paced: the first file still plays when the next play arrives
    const auto id = c->open_play(url("a"), 0);
    c->play(id, rtmp::PlayCommand{0, "b", 0, -1, false});
    rtmp::PlayOptions options;
    options.stream_name = "x";
    options.old_stream_name = "b";
    options.transition = "swap";
    c->play2(id, options);
    const auto events = read_to_end(*c);

    EXPECT_NE(index_of(events, "NetStream.Play.Transition|x"), SIZE_MAX);
    EXPECT_NE(index_of(events, "NetStream.Play.TransitionComplete|x"), SIZE_MAX);
    EXPECT_EQ(count_of(events, "NetStream.Play.Switch"), 1u);
    const std::size_t switch_at = index_of(events, "NetStream.Play.Switch|x");
    ASSERT_NE(switch_at, SIZE_MAX) << "b was not replaced by x";
    expect_same_media(media(events, 0, switch_at), media_of(a), 0, "a");
    const auto second = media(events, switch_at);
    ASSERT_FALSE(second.empty());
    expect_same_media(second, media_of(x), second.front().timestamp, "x");
}

TEST_F(ServePlaylist, ResetFlushesThePlaylistAndPlay2StopEndsThePlayback) {
    (void)clip("a", 2, 440);
    (void)clip("b", 1, 660);
    const Clip x = clip("x", 1, 990);
    {
        auto c = player(500);  // paced: the first file still plays when the next play arrives
        const auto id = c->open_play(url("a"), 0);
        c->play(id, rtmp::PlayCommand{0, "b", 0, -1, false});
        c->play(id, rtmp::PlayCommand{0, "x", 0, -1, true});
        const auto events = read_to_end(*c);
        EXPECT_EQ(count_of(events, "NetStream.Play.Switch"), 0u) << "b was still queued after a reset";
        const std::size_t start_x = index_of(events, "NetStream.Play.Start|x");
        ASSERT_NE(start_x, SIZE_MAX);
        expect_same_media(media(events, start_x), media_of(x), 0, "x");
    }
    {
        auto c = player(100);
        const auto id = c->open_play(url("a"), 0);
        c->play(id, rtmp::PlayCommand{0, "b", 0, -1, false});
        bool stopped = false;
        std::uint32_t last_before_stop = 0;
        const auto events = read_to_end(*c, [&](const Media& m) {
            if (!stopped && m.timestamp >= 500) {
                stopped = true;
                last_before_stop = m.timestamp;
                rtmp::PlayOptions options;
                options.stream_name = "a";
                options.transition = "stop";
                c->play2(id, options);
            }
        });
        ASSERT_TRUE(stopped);
        EXPECT_EQ(count_of(events, "NetStream.Play.Switch"), 0u);
        EXPECT_EQ(count_of(events, "NetStream.Play.Complete"), 1u);
        // Whatever was on its way when the stop went out, nothing near a's end.
        for (const Media& m : media(events)) EXPECT_LT(m.timestamp, last_before_stop + 1000);
    }
}

TEST_F(ServePlaylist, AQueuedNameThatIsNoFileIsRefusedAndThePlaybackGoesOn) {
    const Clip a = clip("a", 2, 440);
    auto c = player(500);  // paced: the first file still plays when the next play arrives
    const auto id = c->open_play(url("a"), 0);
    c->play(id, rtmp::PlayCommand{0, "missing", 0, -1, false});
    rtmp::PlayOptions options;
    options.stream_name = "a";
    options.transition = "fade";
    c->play2(id, options);
    const auto events = read_to_end(*c);
    EXPECT_NE(index_of(events, "NetStream.Play.StreamNotFound|missing"), SIZE_MAX);
    EXPECT_EQ(count_of(events, "NetStream.Play.Failed"), 1u) << "the unknown transition";
    EXPECT_EQ(count_of(events, "NetStream.Play.Switch"), 0u);
    expect_same_media(media(events), media_of(a), 0, "a");
}

TEST_F(ServePlaylist, SeekThenPauseFromTheClientLibraryLoseAndRepeatNoFrame) {
    const Clip a = clip("a", 4, 440);
    const auto video = track(media_of(a), rtmp::MessageType::video);
    auto c = player(300);
    const auto id = c->open_play(url("a"), 0);
    bool sought = false;
    bool paused = false;
    const auto events = read_to_end(*c, [&](const Media& m) {
        if (m.type != rtmp::MessageType::video) return;
        if (!sought && m.timestamp >= 500) {
            sought = true;
            c->seek(id, 2500);
        } else if (sought && !paused && m.timestamp >= 2500) {
            paused = true;
            c->pause(id, true, m.timestamp);
            std::this_thread::sleep_for(600ms);
            c->pause(id, false, m.timestamp);
        }
    });
    ASSERT_TRUE(sought && paused);
    const std::size_t seek = index_of(events, "NetStream.Seek.Notify|a");
    ASSERT_NE(seek, SIZE_MAX);
    ASSERT_LT(seek + 1, events.size());
    EXPECT_EQ(events[seek + 1].status, "NetStream.Play.Start|a");

    // After the seek: the headers again, then the key frame at or before
    // 2500 ms, then every later frame of the file once, in order.
    std::uint32_t key = 0;
    for (const Media& m : video)
        if (is_key_frame(m) && m.timestamp <= 2500) key = m.timestamp;
    const auto after = track(media(events, seek), rtmp::MessageType::video);
    ASSERT_GE(after.size(), 2u);
    EXPECT_TRUE(is_video_header(after[0]));
    std::vector<Media> want;
    for (const Media& m : video)
        if (!is_video_header(m) && m.timestamp >= key) want.push_back(m);
    ASSERT_EQ(after.size() - 1, want.size());
    for (std::size_t i = 0; i < want.size(); ++i) {
        ASSERT_EQ(after[i + 1].timestamp, want[i].timestamp) << "frame " << i;
        ASSERT_EQ(after[i + 1].bytes, want[i].bytes) << "frame " << i;
    }

    // Nothing between Pause.Notify and Unpause.Notify.
    const std::size_t pause = index_of(events, "NetStream.Pause.Notify|a");
    const std::size_t unpause = index_of(events, "NetStream.Unpause.Notify|a");
    ASSERT_NE(pause, SIZE_MAX);
    ASSERT_NE(unpause, SIZE_MAX);
    ASSERT_LT(pause, unpause);
    EXPECT_TRUE(media(events, pause, unpause).empty()) << "media arrived while paused";
    EXPECT_FALSE(media(events, unpause).empty()) << "nothing after unpause";
}

TEST_F(ServePlaylist, Play2AppendAndWaitHoldsThePlaylistUntilAnAppend) {
    const Clip a = clip("a", 1, 440);
    const Clip b = clip("b", 1, 660);
    const Clip x = clip("x", 1, 990);
    auto c = player(500);
    c->connect(url("a"));
    const auto id = c->create_stream();
    for (const char* name : {"a", "b"}) {
        rtmp::PlayOptions options;
        options.stream_name = name;
        options.transition = "appendAndWait";
        c->play2(id, options);
    }
    // Held: no status and no media (a user control from connect may still come).
    const auto held_until = Clock::now() + 700ms;
    while (Clock::now() < held_until) {
        try {
            const client::Incoming in = c->next(100ms);
            EXPECT_TRUE(in.kind == Kind::user_control || in.kind == Kind::command)
                << "something played before the append: kind " << static_cast<int>(in.kind);
        } catch (const client::ClientError& e) {
            ASSERT_EQ(e.code(), make_error_code(client::Errc::timed_out)) << e.what();
        }
    }
    rtmp::PlayOptions append;
    append.stream_name = "x";
    append.transition = "append";
    c->play2(id, append);
    const auto events = read_to_end(*c);

    const std::size_t to_b = index_of(events, "NetStream.Play.Switch|b");
    const std::size_t to_x = index_of(events, "NetStream.Play.Switch|x");
    ASSERT_NE(to_b, SIZE_MAX);
    ASSERT_NE(to_x, SIZE_MAX);
    ASSERT_LT(to_b, to_x);
    expect_same_media(media(events, 0, to_b), media_of(a), 0, "a");
    const auto second = media(events, to_b, to_x);
    ASSERT_FALSE(second.empty());
    expect_same_media(second, media_of(b), second.front().timestamp, "b");
    const auto third = media(events, to_x);
    ASSERT_FALSE(third.empty());
    expect_same_media(third, media_of(x), third.front().timestamp, "x");
    EXPECT_EQ(count_of(events, "NetStream.Play.Complete"), 1u);
}

}  // namespace
}  // namespace sluice::test
