// server::VodPlayback driven with made-up time points over a small FLV (and
// an MP3) written to a temporary folder: what pop() hands out, when, and
// how start, seek, pause and receive change it. Messages are compared as
// labels: kind (classify()) and timestamp, e.g. "K400" for the key frame at
// 400 ms, "A420" for audio, "VH0" for the video sequence header.
#include "server/vod_playback.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "demux/errors.hpp"
#include "flv/file_writer.hpp"
#include "flv/metadata.hpp"
#include "server/media_frame.hpp"
#include "support/hex_literal.hpp"

namespace sluice::server {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using rtmp::MessageType;
using test::cat;
using test::hex;
using Clock = VodPlayback::Clock;
using Labels = std::vector<std::string>;

const Clock::time_point t0 = Clock::time_point{} + 1h;

std::string label(const rtmp::Message& m) {
    const char* kind = "?";
    switch (classify(m)) {
        case FrameKind::metadata:
            kind = "M";
            break;
        case FrameKind::video_header:
            kind = "VH";
            break;
        case FrameKind::audio_header:
            kind = "AH";
            break;
        case FrameKind::video_key:
            kind = "K";
            break;
        case FrameKind::video_inter:
            kind = "V";
            break;
        case FrameKind::audio:
            kind = "A";
            break;
        default:
            break;
    }
    return kind + std::to_string(m.timestamp);
}

// ---- test files ----

struct Media {
    std::string label;
    base::Timestamp timestamp;
    std::size_t size;
};

struct Clip {
    base::ByteVector bytes;
    std::vector<Media> media;  ///< file order, sequence headers left out
};

class FlvFile {
public:
    FlvFile() {
        flv::FileHeader h;
        h.has_audio = true;
        h.has_video = true;
        out_.bytes(writer_.header(h));
    }
    void tag(MessageType type, base::Timestamp ts, const base::ByteVector& data) {
        EXPECT_FALSE(writer_.write_tag(out_, static_cast<std::uint8_t>(type), ts, data));
    }
    const base::ByteVector& bytes() const { return out_.data(); }

private:
    flv::FileWriter writer_;
    base::ByteWriter out_;
};

const base::ByteVector avc_header = hex("17 00 00 00 00 01 42 00 1E FF E0 00");
const base::ByteVector aac_header = hex("AF 00 12 10");

constexpr std::int64_t clip_duration_ms = 29 * 40 + 20;

/// onMetaData, AVC and AAC sequence headers at 0, then 30 video frames every
/// 40 ms (a key frame every 10: 0, 400, 800) each followed by an audio frame
/// 20 ms later; frame sizes vary so that byte counts mean something.
Clip flv_clip() {
    Clip c;
    FlvFile f;
    flv::Metadata m;
    m.properties.set("duration", 1.18);
    f.tag(MessageType::data_amf0, 0, flv::encode_metadata(m));
    f.tag(MessageType::video, 0, avc_header);
    f.tag(MessageType::audio, 0, aac_header);
    for (std::uint8_t i = 0; i < 30; ++i) {
        const base::Timestamp ts = 40u * i;
        const bool key = i % 10 == 0;
        const auto video =
            cat(hex(key ? "17 01 00 00 00" : "27 01 00 00 00"), base::ByteVector(key ? 300 : 40u + i, i));
        const auto audio = cat(hex("AF 01"), base::ByteVector(10u + i, i));
        f.tag(MessageType::video, ts, video);
        f.tag(MessageType::audio, ts + 20, audio);
        c.media.push_back({(key ? "K" : "V") + std::to_string(ts), ts, video.size()});
        c.media.push_back({"A" + std::to_string(ts + 20), ts + 20, audio.size()});
    }
    c.bytes = f.bytes();
    return c;
}

/// Labels of the clip's media with from <= timestamp <= to, in file order.
Labels media_between(const Clip& c, base::Timestamp from, base::Timestamp to) {
    Labels out;
    for (const Media& m : c.media) {
        if (m.timestamp >= from && m.timestamp <= to) out.push_back(m.label);
    }
    return out;
}

Labels start_labels(base::Timestamp at) {
    const std::string t = std::to_string(at);
    return {"M" + t, "VH" + t, "AH" + t};
}

Labels operator+(Labels a, const Labels& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

/// `count` MPEG-1 Layer III frames, 128 kbit/s, 44.1 kHz (417 bytes each).
base::ByteVector mp3_frames(std::size_t count) {
    base::ByteVector out;
    for (std::size_t i = 0; i < count; ++i) {
        base::ByteVector f(417, 0x55);
        f[0] = 0xFF, f[1] = 0xFB, f[2] = 0x90, f[3] = 0x40;
        out.insert(out.end(), f.begin(), f.end());
    }
    return out;
}

// A fresh directory under the test temp dir, removed afterwards.
class VodPlaybackTest : public ::testing::Test {
protected:
    void SetUp() override {
        std::string pattern = ::testing::TempDir() + "/vod_playback_XXXXXX";
        ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
        dir_ = pattern;
    }
    void TearDown() override { fs::remove_all(dir_); }

    std::unique_ptr<VodPlayback> playback(const base::ByteVector& bytes,
                                          VodContainer container = VodContainer::flv) {
        const std::string path = (dir_ / ("file" + std::to_string(++files_))).string();
        std::ofstream(path, std::ios::binary)
            .write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
        auto file = VodFile::open(path, container);
        EXPECT_TRUE(file) << file.error().message();
        return file ? std::make_unique<VodPlayback>(std::move(*file)) : nullptr;
    }

    fs::path dir_;
    int files_ = 0;
};

/// One pop() as a label, "" when nothing comes.
std::string pop_one(VodPlayback& p, Clock::time_point now, std::chrono::milliseconds lead = 0ms) {
    auto m = p.pop(now, lead);
    EXPECT_TRUE(m) << m.error().message();
    return m && *m ? label(**m) : "";
}

/// Everything pop() hands out at `now`.
Labels pop_due(VodPlayback& p, Clock::time_point now, std::chrono::milliseconds lead = 0ms) {
    Labels out;
    for (std::string l = pop_one(p, now, lead); !l.empty(); l = pop_one(p, now, lead)) out.push_back(l);
    return out;
}

/// Everything left, however far ahead.
Labels drain(VodPlayback& p) {
    return pop_due(p, t0, 24h);
}

TEST_F(VodPlaybackTest, StartMessagesComeAtOnceThenEachMessageAtItsTime) {
    const Clip clip = flv_clip();
    auto p = playback(clip.bytes);
    ASSERT_TRUE(p);
    auto reached = p->start(0, -1, t0);
    ASSERT_TRUE(reached);
    EXPECT_EQ(*reached, 0u);
    EXPECT_EQ(p->due_at(0ms), Clock::time_point::min());
    // Due at once, whatever the time.
    EXPECT_EQ((Labels{pop_one(*p, t0 - 1h), pop_one(*p, t0 - 1h), pop_one(*p, t0 - 1h)}), start_labels(0));

    for (const Media& m : clip.media) {
        SCOPED_TRACE(m.label);
        const auto due = t0 + std::chrono::milliseconds(m.timestamp);
        EXPECT_EQ(p->due_at(0ms), due);
        EXPECT_EQ(p->due_at(30ms), due - 30ms);
        EXPECT_EQ(pop_one(*p, due - 1ns), "");
        EXPECT_EQ(pop_one(*p, due), m.label);
    }
    EXPECT_FALSE(p->finished());
    EXPECT_EQ(pop_one(*p, t0 + 1h), "");
    EXPECT_TRUE(p->finished());
    EXPECT_FALSE(p->due_at(0ms));
    EXPECT_EQ(pop_one(*p, t0 + 2h), "");
}

TEST_F(VodPlaybackTest, LeadSendsThatMuchAhead) {
    const Clip clip = flv_clip();
    auto p = playback(clip.bytes);
    ASSERT_TRUE(p);
    ASSERT_TRUE(p->start(0, -1, t0));
    EXPECT_EQ(pop_due(*p, t0, 1000ms), start_labels(0) + media_between(clip, 0, 1000));
    EXPECT_EQ(p->due_at(1000ms), t0 + 20ms);  // A1020
    EXPECT_EQ(pop_one(*p, t0 + 19ms, 1000ms), "");
    EXPECT_EQ(pop_one(*p, t0 + 20ms, 1000ms), "A1020");

    // The same file without lead: only what is due now.
    auto q = playback(clip.bytes);
    ASSERT_TRUE(q);
    ASSERT_TRUE(q->start(0, -1, t0));
    EXPECT_EQ(pop_due(*q, t0), start_labels(0) + Labels{"K0"});
}

TEST_F(VodPlaybackTest, StartAtATimeLandsOnTheKeyFrameAtOrBefore) {
    const Clip clip = flv_clip();
    auto p = playback(clip.bytes);
    ASSERT_TRUE(p);
    auto reached = p->start(500, -1, t0);
    ASSERT_TRUE(reached);
    EXPECT_EQ(*reached, 400u);
    EXPECT_EQ(pop_due(*p, t0), start_labels(400) + Labels{"K400"});
    EXPECT_EQ(p->due_at(0ms), t0 + 20ms);
    EXPECT_EQ(pop_due(*p, t0 + 20ms), Labels{"A420"});

    auto q = playback(clip.bytes);
    ASSERT_TRUE(q);
    auto past = q->start(clip_duration_ms + 1, -1, t0);
    ASSERT_FALSE(past);
    EXPECT_EQ(past.error(), demux::Errc::seek_beyond_end);
}

TEST_F(VodPlaybackTest, DurationZeroSendsOneFrame) {
    const Clip clip = flv_clip();
    auto p = playback(clip.bytes);
    ASSERT_TRUE(p);
    ASSERT_TRUE(p->start(500, 0, t0));
    EXPECT_EQ(drain(*p), start_labels(400) + Labels{"K400"});
    EXPECT_TRUE(p->finished());
    EXPECT_FALSE(p->due_at(0ms));
    EXPECT_EQ(p->messages_sent(), 1u);

    // Without video: the first audio frame.
    auto song = playback(mp3_frames(10), VodContainer::mp3);
    ASSERT_TRUE(song);
    ASSERT_TRUE(song->start(0, 0, t0));
    EXPECT_EQ(drain(*song), (Labels{"M0", "A0"}));
    EXPECT_TRUE(song->finished());
}

TEST_F(VodPlaybackTest, PositiveDurationStopsAfterStartPlusDuration) {
    const Clip clip = flv_clip();
    auto p = playback(clip.bytes);
    ASSERT_TRUE(p);
    ASSERT_TRUE(p->start(0, 500, t0));
    EXPECT_EQ(drain(*p), start_labels(0) + media_between(clip, 0, 500));
    EXPECT_TRUE(p->finished());

    // Counted from the requested start, not from the key frame reached.
    auto q = playback(clip.bytes);
    ASSERT_TRUE(q);
    ASSERT_TRUE(q->start(500, 300, t0));
    const Labels got = drain(*q);
    EXPECT_EQ(got, start_labels(400) + media_between(clip, 400, 800));
    EXPECT_EQ(got.back(), "K800");
    EXPECT_TRUE(q->finished());
}

TEST_F(VodPlaybackTest, FinishesAtTheEndAndCountsMediaOnly) {
    const Clip clip = flv_clip();
    auto p = playback(clip.bytes);
    ASSERT_TRUE(p);
    ASSERT_TRUE(p->start(0, -1, t0));
    Labels all;
    for (const Media& m : clip.media) all.push_back(m.label);
    EXPECT_EQ(drain(*p), start_labels(0) + all);
    EXPECT_TRUE(p->finished());
    EXPECT_FALSE(p->due_at(0ms));
    EXPECT_EQ(p->duration_ms(), clip_duration_ms);

    std::uint64_t bytes = 0;
    for (const Media& m : clip.media) bytes += m.size;
    EXPECT_EQ(p->messages_sent(), clip.media.size());
    EXPECT_EQ(p->bytes_sent(), bytes);

    // A new start() starts counting again.
    ASSERT_TRUE(p->start(0, -1, t0 + 1h));
    EXPECT_FALSE(p->finished());
    EXPECT_EQ(p->messages_sent(), 0u);
    EXPECT_EQ(p->bytes_sent(), 0u);
    EXPECT_EQ(pop_due(*p, t0 + 1h), start_labels(0) + Labels{"K0"});
    EXPECT_EQ(p->messages_sent(), 1u);
    EXPECT_EQ(p->bytes_sent(), clip.media.front().size);
}

TEST_F(VodPlaybackTest, PauseHoldsEverythingAndResumesWithTheNextMessage) {
    const Clip clip = flv_clip();
    auto p = playback(clip.bytes);
    ASSERT_TRUE(p);
    ASSERT_TRUE(p->start(0, -1, t0));
    EXPECT_EQ(pop_due(*p, t0 + 400ms), start_labels(0) + media_between(clip, 0, 400));

    p->pause(true, t0 + 410ms);
    EXPECT_TRUE(p->paused());
    EXPECT_FALSE(p->due_at(0ms));
    EXPECT_EQ(pop_one(*p, t0 + 10s), "");
    EXPECT_EQ(pop_one(*p, t0 + 50s, 24h), "");

    // Re-anchored at the unpause time: A420 is due at once, V440 20 ms later.
    const auto t1 = t0 + 60s;
    p->pause(false, t1);
    EXPECT_FALSE(p->paused());
    EXPECT_EQ(p->due_at(0ms), t1);
    EXPECT_EQ(pop_due(*p, t1), Labels{"A420"});
    EXPECT_EQ(p->due_at(0ms), t1 + 20ms);
    EXPECT_EQ(p->due_at(100ms), t1 + 20ms - 100ms);
    EXPECT_EQ(pop_due(*p, t1 + 19ms), Labels{});
    EXPECT_EQ(pop_due(*p, t1 + 20ms), Labels{"V440"});
    EXPECT_EQ(drain(*p), media_between(clip, 460, 1180));
}

TEST_F(VodPlaybackTest, PauseWhilePausedOrUnpauseWhilePlayingChangesNothing) {
    const Clip clip = flv_clip();
    auto p = playback(clip.bytes);
    ASSERT_TRUE(p);
    ASSERT_TRUE(p->start(0, -1, t0));
    EXPECT_EQ(pop_due(*p, t0 + 100ms), start_labels(0) + media_between(clip, 0, 100));
    // Not paused: no new anchor, V120 stays due at t0 + 120 ms.
    p->pause(false, t0 + 5s);
    EXPECT_EQ(p->due_at(0ms), t0 + 120ms);
    // Paused twice: the second changes nothing; the unpause anchors V120 at its time.
    p->pause(true, t0 + 110ms);
    p->pause(true, t0 + 10s);
    p->pause(false, t0 + 20s);
    EXPECT_EQ(p->due_at(0ms), t0 + 20s);
    EXPECT_EQ(pop_due(*p, t0 + 20s + 40ms), (Labels{"V120", "A140", "V160"}));
}

TEST_F(VodPlaybackTest, SeekRequeuesStartMessagesThenTheKeyFrame) {
    const Clip clip = flv_clip();
    auto p = playback(clip.bytes);
    ASSERT_TRUE(p);
    ASSERT_TRUE(p->start(0, -1, t0));
    EXPECT_EQ(pop_due(*p, t0 + 600ms), start_labels(0) + media_between(clip, 0, 600));

    const auto t1 = t0 + 5s;
    auto reached = p->seek(900, t1);
    ASSERT_TRUE(reached);
    EXPECT_EQ(*reached, 800u);
    EXPECT_EQ(p->due_at(0ms), Clock::time_point::min());
    EXPECT_EQ(pop_due(*p, t1), start_labels(800) + Labels{"K800"});
    EXPECT_EQ(p->due_at(0ms), t1 + 20ms);
    EXPECT_EQ(pop_due(*p, t1 + 20ms), Labels{"A820"});

    // Past the end: refused, and playback goes on where it was.
    auto past = p->seek(clip_duration_ms + 1, t1 + 30ms);
    ASSERT_FALSE(past);
    EXPECT_EQ(past.error(), demux::Errc::seek_beyond_end);
    EXPECT_EQ(p->due_at(0ms), t1 + 40ms);
    EXPECT_EQ(pop_due(*p, t1 + 40ms), Labels{"V840"});

    // After the end, a seek plays again.
    drain(*p);
    ASSERT_TRUE(p->finished());
    const auto t2 = t0 + 1h;
    reached = p->seek(0, t2);
    ASSERT_TRUE(reached);
    EXPECT_EQ(*reached, 0u);
    EXPECT_FALSE(p->finished());
    EXPECT_EQ(pop_due(*p, t2), start_labels(0) + Labels{"K0"});
}

TEST_F(VodPlaybackTest, SeekLiftsTheDurationLimit) {
    const Clip clip = flv_clip();
    auto p = playback(clip.bytes);
    ASSERT_TRUE(p);
    ASSERT_TRUE(p->start(0, 100, t0));
    EXPECT_EQ(pop_due(*p, t0), start_labels(0) + Labels{"K0"});
    ASSERT_TRUE(p->seek(500, t0 + 10ms));
    EXPECT_EQ(drain(*p), start_labels(400) + media_between(clip, 400, 1180));
}

TEST_F(VodPlaybackTest, ReceiveAudioFalseDropsAudioUntilReenabled) {
    const Clip clip = flv_clip();
    auto p = playback(clip.bytes);
    ASSERT_TRUE(p);
    ASSERT_TRUE(p->start(0, -1, t0));
    EXPECT_EQ(pop_due(*p, t0), start_labels(0) + Labels{"K0"});
    p->receive_audio(false);
    Labels video;
    for (const Media& m : clip.media) {
        if (m.label[0] != 'A' && m.timestamp > 0 && m.timestamp <= 400) video.push_back(m.label);
    }
    EXPECT_EQ(pop_due(*p, t0 + 400ms), video);
    EXPECT_EQ(p->messages_sent(), 1u + video.size());
    p->receive_audio(true);
    EXPECT_EQ(pop_due(*p, t0 + 480ms), (Labels{"A420", "V440", "A460", "V480"}));
}

TEST_F(VodPlaybackTest, ReceiveVideoTrueResumesAtTheNextKeyFrame) {
    const Clip clip = flv_clip();
    auto p = playback(clip.bytes);
    ASSERT_TRUE(p);
    ASSERT_TRUE(p->start(0, -1, t0));
    EXPECT_EQ(pop_due(*p, t0 + 100ms), start_labels(0) + media_between(clip, 0, 100));
    // Video off across the key frame at 400: when it is back on, nothing
    // before the next key frame (800) is sent.
    p->receive_video(false);
    EXPECT_EQ(pop_due(*p, t0 + 500ms),
              (Labels{"A140", "A180", "A220", "A260", "A300", "A340", "A380", "A420", "A460", "A500"}));
    p->receive_video(true);
    Labels expected;
    for (const Media& m : clip.media) {
        const bool audio = m.label[0] == 'A';
        if (m.timestamp > 500 && m.timestamp <= 900 && (audio || m.timestamp >= 800))
            expected.push_back(m.label);
    }
    ASSERT_EQ(expected[7], "K800");
    EXPECT_EQ(pop_due(*p, t0 + 900ms), expected);
}

// A sequence header equal to the one sent is skipped inside VodFile::next();
// the frame after it must still wait for its own time, not the skipped
// header's. Here the headers are at 0 and the first frame at 1000 ms.
TEST_F(VodPlaybackTest, MessageAfterASkippedHeaderIsNotSentEarly) {
    FlvFile f;
    f.tag(MessageType::video, 0, avc_header);
    f.tag(MessageType::audio, 0, aac_header);
    f.tag(MessageType::video, 1000, hex("17 01 00 00 00 AA"));
    f.tag(MessageType::audio, 1020, hex("AF 01 BB"));
    auto p = playback(f.bytes());
    ASSERT_TRUE(p);
    ASSERT_TRUE(p->start(0, -1, t0));
    EXPECT_EQ(pop_due(*p, t0), (Labels{"M0", "VH0", "AH0"}));
    EXPECT_EQ(p->due_at(0ms), t0 + 1000ms);
    EXPECT_EQ(pop_due(*p, t0 + 1000ms), Labels{"K1000"});
}

}  // namespace
}  // namespace sluice::server
