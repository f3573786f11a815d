// server::StreamRecording: file names from the pattern, rotation at key
// frames with the headers repeated, metadata only at a part's start, and
// the flush timer.
#include "server/stream_recording.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "flv/file_reader.hpp"
#include "flv/metadata.hpp"

namespace sluice::server {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using rtmp::MessageType;

Frame frame_of(MessageType type, base::Timestamp t, base::ByteVector bytes) {
    rtmp::Message m{type, t, 1, base::Payload::from(std::move(bytes))};
    return Frame{m, classify(m)};
}

Frame metadata(base::Timestamp t = 0) {
    flv::Metadata m;
    m.properties.set("duration", 0.0);
    return frame_of(MessageType::data_amf0, t, flv::encode_metadata(m));
}
Frame video_header(base::Timestamp t = 0) {
    return frame_of(MessageType::video, t, {0x17, 0x00, 0, 0, 0, 0x01, 0x64, 0x00, 0x1F});
}
Frame audio_header(base::Timestamp t = 0) {
    return frame_of(MessageType::audio, t, {0xAF, 0x00, 0x12, 0x10});
}
Frame video(base::Timestamp t, bool key) {
    return frame_of(
        MessageType::video, t,
        {static_cast<std::uint8_t>(key ? 0x17 : 0x27), 0x01, 0, 0, 0, 0xAA, static_cast<std::uint8_t>(t)});
}
Frame audio(base::Timestamp t) {
    return frame_of(MessageType::audio, t, {0xAF, 0x01, 0x21, static_cast<std::uint8_t>(t)});
}

std::vector<flv::Tag> read_tags(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    const base::ByteVector bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    flv::FileReader reader;
    std::vector<flv::Tag> tags;
    base::Bytes input(bytes);
    while (!input.empty()) {
        auto r = reader.read(input);
        EXPECT_FALSE(r.error) << path << ": " << r.error.message();
        if (r.error) break;
        if (r.tag) tags.push_back(std::move(*r.tag));
        input = input.subspan(r.consumed);
    }
    EXPECT_TRUE(reader.finish().complete()) << path;
    return tags;
}

FrameKind kind_of(const flv::Tag& tag) {
    return classify(
        rtmp::Message{static_cast<MessageType>(tag.header.type), tag.header.timestamp, 1, tag.data});
}

class StreamRecordingTest : public ::testing::Test {
protected:
    void SetUp() override {
        std::string pattern = ::testing::TempDir() + "/stream_recording_XXXXXX";
        ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
        root_ = pattern;
    }
    void TearDown() override { fs::remove_all(root_); }

    RecordingPlan plan(std::string pattern = "{stream}") const {
        RecordingPlan p;
        p.root = root_.string();
        p.app_dir = "live";
        p.stream = "cam";
        p.pattern = std::move(pattern);
        return p;
    }
    std::string file(const std::string& name) const { return (root_ / "live" / name).string(); }

    fs::path root_;
};

TEST(RecordPattern, ExpandsEveryPlaceholder) {
    // 2026-11-24 19:05:06 UTC.
    const auto t = std::chrono::system_clock::time_point(std::chrono::seconds(1795547106));
    EXPECT_EQ(expand_record_pattern("{stream}-{time}-{seq}", "cam", t, 7), "cam-20261124-190506-7");
    EXPECT_EQ(expand_record_pattern("x{stream}{", "a", t, 0), "xa{");
    EXPECT_EQ(expand_record_pattern("{other}", "a", t, 0), "{other}");
}

TEST_F(StreamRecordingTest, RotatesAtKeyFramesWithTheHeadersRepeated) {
    RecordingPlan p = plan("{stream}-{seq}");
    p.max_duration = 2s;
    StreamRecording recording(p);
    ASSERT_FALSE(recording.open());
    EXPECT_EQ(recording.path(), file("cam-0.flv"));
    std::vector<Frame> frames{metadata(), video_header(), audio_header()};
    // 7 s: a key frame every second, inter frames every 250 ms, audio between.
    for (base::Timestamp t = 0; t < 7000; t += 250) {
        frames.push_back(video(t, t % 1000 == 0));
        frames.push_back(audio(t + 100));
    }
    for (const Frame& f : frames) ASSERT_FALSE(recording.write(f));
    ASSERT_FALSE(recording.close());
    // Parts start at 0, 2 (the first key frame at >= 2 s), 4, 6 s.
    ASSERT_EQ(recording.parts(), 4u);
    std::size_t coded = 0;
    for (std::size_t part = 0; part < 4; ++part) {
        const std::vector<flv::Tag> tags = read_tags(file("cam-" + std::to_string(part) + ".flv"));
        ASSERT_GE(tags.size(), 4u);
        EXPECT_EQ(kind_of(tags[0]), FrameKind::metadata) << part;
        EXPECT_EQ(kind_of(tags[1]), FrameKind::video_header) << part;
        EXPECT_EQ(kind_of(tags[2]), FrameKind::audio_header) << part;
        EXPECT_EQ(kind_of(tags[3]), FrameKind::video_key) << part;
        for (std::size_t i = 0; i < 4; ++i) EXPECT_EQ(tags[i].header.timestamp, 0u) << part;
        // The key frame's own bytes name its original time.
        EXPECT_EQ(tags[3].data.bytes()[6], static_cast<std::uint8_t>(part * 2000));
        for (const flv::Tag& tag : tags) {
            const FrameKind k = kind_of(tag);
            if (k == FrameKind::video_key || k == FrameKind::video_inter || k == FrameKind::audio) ++coded;
        }
    }
    EXPECT_EQ(coded, frames.size() - 3);  // every frame in exactly one part
    EXPECT_FALSE(fs::exists(file("cam-4.flv")));
}

TEST_F(StreamRecordingTest, RotatesBySizeAndAudioOnlyAtAnyAudioFrame) {
    RecordingPlan p = plan("{stream}-{seq}");
    p.max_bytes = 200;
    StreamRecording recording(p);
    ASSERT_FALSE(recording.open());
    ASSERT_FALSE(recording.write(audio_header()));
    for (base::Timestamp t = 0; t < 40 * 23; t += 23) ASSERT_FALSE(recording.write(audio(t)));
    ASSERT_FALSE(recording.close());
    ASSERT_GE(recording.parts(), 3u);
    for (std::size_t part = 1; part < recording.parts(); ++part) {
        const std::vector<flv::Tag> tags = read_tags(file("cam-" + std::to_string(part) + ".flv"));
        ASSERT_GE(tags.size(), 2u);
        EXPECT_EQ(kind_of(tags[0]), FrameKind::audio_header);
        EXPECT_EQ(kind_of(tags[1]), FrameKind::audio);
        EXPECT_LE(fs::file_size(file("cam-" + std::to_string(part - 1) + ".flv")), 200u + 30u);
    }
}

TEST_F(StreamRecordingTest, OnlyThePartsFirstTagIsMetadata) {
    StreamRecording recording(plan());
    ASSERT_FALSE(recording.open());
    for (const Frame& f : {metadata(), video_header(), video(0, true), metadata(40), video(40, false)})
        ASSERT_FALSE(recording.write(f));
    ASSERT_FALSE(recording.close());
    const std::vector<flv::Tag> tags = read_tags(file("cam.flv"));
    ASSERT_EQ(tags.size(), 4u);
    EXPECT_EQ(kind_of(tags[0]), FrameKind::metadata);
    for (std::size_t i = 1; i < tags.size(); ++i) EXPECT_NE(kind_of(tags[i]), FrameKind::metadata);

    // An append to a file that has tags writes no second onMetaData either.
    RecordingPlan more = plan();
    more.mode = RecordMode::append;
    StreamRecording appended(more);
    ASSERT_FALSE(appended.open());
    for (const Frame& f : {metadata(), video_header(), video(0, true)}) ASSERT_FALSE(appended.write(f));
    ASSERT_FALSE(appended.close());
    const std::vector<flv::Tag> all = read_tags(file("cam.flv"));
    ASSERT_EQ(all.size(), 6u);
    EXPECT_EQ(kind_of(all[0]), FrameKind::metadata);
    for (std::size_t i = 1; i < all.size(); ++i) EXPECT_NE(kind_of(all[i]), FrameKind::metadata);
}

TEST_F(StreamRecordingTest, PartsInOneSecondKeepDistinctNames) {
    RecordingPlan p = plan("{stream}-{time}");
    p.max_bytes = 1;
    StreamRecording recording(p);
    const auto now = std::chrono::system_clock::time_point(std::chrono::seconds(1795547106));
    ASSERT_FALSE(recording.open(now));
    for (base::Timestamp t = 0; t < 3000; t += 1000) ASSERT_FALSE(recording.write(video(t, true), now));
    ASSERT_FALSE(recording.close());
    EXPECT_EQ(recording.parts(), 3u);
    EXPECT_TRUE(fs::exists(file("cam-20261124-190506.flv")));
    EXPECT_TRUE(fs::exists(file("cam-20261124-190506-1.flv")));
    EXPECT_TRUE(fs::exists(file("cam-20261124-190506-2.flv")));
}

TEST_F(StreamRecordingTest, NamesThatLeaveTheFolderAreRefused) {
    RecordingPlan p = plan();
    p.stream = "../escape";
    StreamRecording recording(p);
    EXPECT_EQ(recording.open(), make_error_code(std::errc::invalid_argument));
    EXPECT_FALSE(fs::exists(root_.parent_path() / "escape.flv"));
}

TEST_F(StreamRecordingTest, TickWritesTheBufferOutAfterTheInterval) {
    RecordingPlan p = plan();
    p.flush_interval = 1s;
    StreamRecording recording(p);
    ASSERT_FALSE(recording.open());
    const auto start = StreamRecording::Clock::now();
    ASSERT_FALSE(recording.write(video(0, true)));
    const auto header_only = fs::file_size(file("cam.flv"));
    ASSERT_FALSE(recording.tick(start));  // too early: nothing written
    EXPECT_EQ(fs::file_size(file("cam.flv")), header_only);
    ASSERT_FALSE(recording.tick(start + 2s));
    EXPECT_GT(fs::file_size(file("cam.flv")), header_only);
    EXPECT_EQ(read_tags(file("cam.flv")).size(), 1u);
}

}  // namespace
}  // namespace sluice::server
