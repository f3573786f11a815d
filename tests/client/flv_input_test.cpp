#include "client/flv_input.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "flv/flv_test_util.hpp"
#include "rtmp/data_message.hpp"

namespace sluice::client {
namespace {

using flv::test_util::build_file;
using flv::test_util::SampleTag;

base::ByteVector metadata_bytes() {
    rtmp::MetaData meta;
    meta.properties.set("duration", 2);
    meta.properties.set("width", 320);
    const auto m = rtmp::encode_data_message(meta.to_data(), rtmp::Encoding::amf0, 0);
    return {m.payload.data(), m.payload.data() + m.payload.size()};
}

base::ByteVector cue_point_bytes() {
    const auto m = rtmp::encode_data_message(rtmp::DataMessage{"onCuePoint", {amf::Value("chapter 2")}},
                                             rtmp::Encoding::amf0, 0);
    return {m.payload.data(), m.payload.data() + m.payload.size()};
}

/// Script tag, video sequence header, audio, video, a cue point.
std::vector<SampleTag> sample_tags() {
    return {{18, 0, metadata_bytes()},
            {9, 0, {0x17, 0x00, 0x00, 0x00, 0x00, 0x01, 0x64}},
            {8, 0, {0xAF, 0x01, 0x21, 0x10}},
            {9, 40, {0x27, 0x01, 0x00, 0x00, 0x00, 0xAA, 0xBB}},
            {18, 50, cue_point_bytes()}};
}

/// A pipe with `bytes` written into it from a thread (so more than the
/// pipe's buffer can be sent), read end returned; the writer closes at the end.
class PipeFeeder {
public:
    explicit PipeFeeder(base::ByteVector bytes) : bytes_(std::move(bytes)) {
        // A test whose reader stops early (a corrupt file) closes the read
        // end while the writer may still write: EPIPE, not a killed test.
        std::signal(SIGPIPE, SIG_IGN);
        int fds[2];
        EXPECT_EQ(::pipe(fds), 0);
        read_fd_ = fds[0];
        writer_ = std::thread([this, w = fds[1]] {
            std::size_t at = 0;
            while (at < bytes_.size()) {
                // Odd-sized writes: the reader sees tags split anywhere.
                const std::size_t n = std::min<std::size_t>(13, bytes_.size() - at);
                const ssize_t got = ::write(w, bytes_.data() + at, n);
                if (got <= 0) break;
                at += static_cast<std::size_t>(got);
            }
            ::close(w);
        });
    }
    ~PipeFeeder() { writer_.join(); }
    int read_fd() const { return read_fd_; }

private:
    base::ByteVector bytes_;
    int read_fd_ = -1;
    std::thread writer_;
};

std::vector<rtmp::Message> read_all(FlvInput& input) {
    std::vector<rtmp::Message> out;
    while (auto m = input.next()) out.push_back(std::move(*m));
    return out;
}

void expect_sample_messages(const std::vector<rtmp::Message>& got) {
    ASSERT_EQ(got.size(), 5u);
    // onMetaData goes out in the publisher's form.
    EXPECT_EQ(got[0].type, rtmp::MessageType::data_amf0);
    auto data = rtmp::decode_data_message(got[0]);
    ASSERT_TRUE(data);
    EXPECT_EQ(data->handler, "@setDataFrame");
    auto meta = rtmp::MetaData::decode(*data);
    ASSERT_TRUE(meta);
    EXPECT_EQ(*meta->properties.find("width"), amf::Value(320));
    EXPECT_EQ(got[1].type, rtmp::MessageType::video);
    EXPECT_EQ(got[1].payload.size(), 7u);
    EXPECT_EQ(got[2].type, rtmp::MessageType::audio);
    EXPECT_EQ(got[2].payload, base::Payload::copy_of(base::ByteVector{0xAF, 0x01, 0x21, 0x10}));
    EXPECT_EQ(got[3].type, rtmp::MessageType::video);
    EXPECT_EQ(got[3].timestamp, 40u);
    // Other handlers are sent unchanged.
    EXPECT_EQ(got[4].type, rtmp::MessageType::data_amf0);
    EXPECT_EQ(got[4].payload, base::Payload::copy_of(cue_point_bytes()));
    EXPECT_EQ(got[4].timestamp, 50u);
    for (const auto& m : got) EXPECT_EQ(m.stream_id, 0u);
}

TEST(FlvInput, TurnsTagsIntoPublisherMessages) {
    PipeFeeder feeder(build_file(sample_tags()));
    FlvInput input(feeder.read_fd(), true, "test pipe");
    expect_sample_messages(read_all(input));
    EXPECT_TRUE(input.ending().complete());
    EXPECT_EQ(input.describe_ending(), "ended cleanly");
    EXPECT_EQ(input.tags(), 5u);
    EXPECT_EQ(input.skipped(), 0u);
    ASSERT_TRUE(input.file_header());
    EXPECT_TRUE(input.file_header()->has_video);
}

TEST(FlvInput, ReadsInTinyPiecesWithBoundedBuffer) {
    const auto bytes = build_file(sample_tags());
    PipeFeeder feeder(bytes);
    FlvInput input(feeder.read_fd(), true, "test pipe", FlvInput::Options{.read_bytes = 5});
    expect_sample_messages(read_all(input));
    EXPECT_EQ(input.bytes_read(), bytes.size());
}

TEST(FlvInput, OpensFilesByPath) {
    const std::string path =
        ::testing::TempDir() + "flv_input_test_clip_" + std::to_string(::getpid()) + ".flv";
    {
        const auto bytes = build_file(sample_tags());
        std::ofstream out(path, std::ios::binary);
        out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    }
    FlvInput input = FlvInput::open(path);
    EXPECT_EQ(input.name(), path);
    expect_sample_messages(read_all(input));
    std::remove(path.c_str());
}

TEST(FlvInput, MissingFileIsAnErrorNamingIt) {
    try {
        (void)FlvInput::open("/nonexistent/dir/clip.flv");
        FAIL() << "no error";
    } catch (const FlvInputError& e) {
        EXPECT_NE(std::string(e.what()).find("/nonexistent/dir/clip.flv"), std::string::npos) << e.what();
    }
}

TEST(FlvInput, NotFlvFailsBeforeAnyMessage) {
    // An MP4's first box: "....ftyp".
    PipeFeeder feeder({0x00, 0x00, 0x00, 0x20, 'f', 't', 'y', 'p', 'i', 's', 'o', 'm'});
    FlvInput input(feeder.read_fd(), true, "movie.mp4");
    try {
        (void)input.next();
        FAIL() << "no error";
    } catch (const FlvInputError& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find("movie.mp4 is not an FLV file"), std::string::npos) << what;
    }
}

TEST(FlvInput, EmptyInputIsAnError) {
    PipeFeeder feeder({});
    FlvInput input(feeder.read_fd(), true, "standard input");
    try {
        (void)input.next();
        FAIL() << "no error";
    } catch (const FlvInputError& e) {
        EXPECT_NE(std::string(e.what()).find("ended after 0 bytes"), std::string::npos) << e.what();
    }
}

TEST(FlvInput, CutFileYieldsEveryCompleteTagAndSaysHowItEnded) {
    std::vector<std::size_t> ends;
    auto bytes = build_file(sample_tags(), &ends);
    // Cut 3 bytes into the data of the fourth tag (the video at 40 ms).
    const std::size_t cut = ends[2] + 4 + flv::TagHeader::size + 3;
    bytes.resize(cut);
    PipeFeeder feeder(bytes);
    FlvInput input(feeder.read_fd(), true, "cut.flv");
    const auto got = read_all(input);
    ASSERT_EQ(got.size(), 3u);
    EXPECT_EQ(input.ending().ending, flv::FileReader::Ending::truncated_tag_data);
    EXPECT_FALSE(input.ending().complete());
    EXPECT_EQ(input.describe_ending(), "was cut inside a tag's data (14 bytes dropped)");
}

TEST(FlvInput, MissingFinalTrailerIsHarmless) {
    auto bytes = build_file(sample_tags());
    bytes.resize(bytes.size() - 4);
    PipeFeeder feeder(bytes);
    FlvInput input(feeder.read_fd(), true, "notrailer.flv");
    EXPECT_EQ(read_all(input).size(), 5u);
    EXPECT_TRUE(input.ending().complete());
    EXPECT_NE(input.describe_ending().find("harmless"), std::string::npos);
}

TEST(FlvInput, SkipsUnknownTagsAndBadScriptData) {
    PipeFeeder feeder(build_file({{9, 0, {0x17, 0x01}},
                                  {7, 10, {0x01, 0x02}},         // no such tag type
                                  {18, 20, {0x02, 0x00, 0x09}},  // a string cut short
                                  {8, 30, {0xAF, 0x01}}}));
    FlvInput input(feeder.read_fd(), true, "odd.flv");
    const auto got = read_all(input);
    ASSERT_EQ(got.size(), 2u);
    EXPECT_EQ(got[0].type, rtmp::MessageType::video);
    EXPECT_EQ(got[1].type, rtmp::MessageType::audio);
    EXPECT_EQ(got[1].timestamp, 30u);
    EXPECT_EQ(input.skipped(), 2u);
}

TEST(FlvInput, CorruptTrailerIsAnErrorWithItsPlace) {
    auto bytes = build_file(sample_tags());
    std::vector<std::size_t> ends;
    (void)build_file(sample_tags(), &ends);
    bytes[ends[0] + 3] ^= 0x40;  // the first tag's PreviousTagSize
    PipeFeeder feeder(bytes);
    FlvInput input(feeder.read_fd(), true, "bad.flv");
    ASSERT_TRUE(input.next());
    try {
        while (input.next()) {
        }
        FAIL() << "no error";
    } catch (const FlvInputError& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find("bad.flv: "), std::string::npos) << what;
        EXPECT_NE(what.find("after 1 tags"), std::string::npos) << what;
    }
}

}  // namespace
}  // namespace sluice::client
