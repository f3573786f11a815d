#include "client/flv_output.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

#include "flv/file_reader.hpp"
#include "rtmp/data_message.hpp"

namespace sluice::client {
namespace {

Incoming media(rtmp::MessageType type, base::Timestamp ts, base::ByteVector bytes) {
    Incoming in;
    in.kind = type == rtmp::MessageType::audio ? Incoming::Kind::audio : Incoming::Kind::video;
    in.message = {type, ts, 1, base::Payload::from(std::move(bytes))};
    return in;
}

Incoming data(const rtmp::DataMessage& d, base::Timestamp ts = 0) {
    Incoming in;
    in.kind = Incoming::Kind::data;
    in.message = rtmp::encode_data_message(d, rtmp::Encoding::amf0, 1, ts);
    in.name = d.handler;
    return in;
}

rtmp::MetaData sample_meta() {
    rtmp::MetaData meta;
    meta.properties.set("width", 320);
    return meta;
}

/// A temporary file the output writes; read back whole.
class OutputFile {
public:
    // ctest runs each test in its own process, in parallel: one file per
    // test and process, or two tests truncate each other's output.
    OutputFile()
        : path_(::testing::TempDir() + "flv_output_test_" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name() + "_" +
                std::to_string(::getpid()) + ".flv") {}
    ~OutputFile() { std::remove(path_.c_str()); }
    const std::string& path() const { return path_; }
    base::ByteVector bytes() const {
        std::ifstream in(path_, std::ios::binary);
        return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    }

private:
    std::string path_;
};

std::vector<flv::Tag> parse(const base::ByteVector& bytes, flv::FileReader& reader) {
    std::vector<flv::Tag> tags;
    base::Bytes input(bytes);
    for (;;) {
        auto r = reader.read(input);
        EXPECT_FALSE(r.error) << r.error.message();
        input = input.subspan(r.consumed);
        if (r.tag) tags.push_back(std::move(*r.tag));
        if (r.error || (!r.tag && input.empty())) break;
    }
    EXPECT_EQ(reader.finish().ending, flv::FileReader::Ending::clean);
    return tags;
}

TEST(FlvOutput, WritesAValidFileRebasedToZero) {
    OutputFile file;
    {
        FlvOutput out = FlvOutput::open(file.path());
        EXPECT_EQ(out.write(data(rtmp::SampleAccess{}.to_data(), 0)), FlvOutput::WriteResult::skipped);
        EXPECT_EQ(out.write(data(sample_meta().to_data(), 0)), FlvOutput::WriteResult::written);
        // A late joiner: the server replays the sequence header with its
        // original timestamp, then the GOP at 73 s.
        EXPECT_EQ(out.write(media(rtmp::MessageType::video, 0, {0x17, 0x00, 0, 0, 0, 1})),
                  FlvOutput::WriteResult::written);
        EXPECT_FALSE(out.base());
        EXPECT_EQ(out.write(media(rtmp::MessageType::video, 73'000, {0x17, 0x01, 0, 0, 0, 1})),
                  FlvOutput::WriteResult::written);
        EXPECT_EQ(out.write(media(rtmp::MessageType::audio, 72'990, {0xAF, 0x01, 0x12, 0x10})),
                  FlvOutput::WriteResult::written);
        EXPECT_EQ(out.write(media(rtmp::MessageType::video, 73'040, {0x27, 0x01, 0, 0, 0, 2})),
                  FlvOutput::WriteResult::written);
        Incoming status;
        status.kind = Incoming::Kind::status;
        EXPECT_EQ(out.write(status), FlvOutput::WriteResult::skipped);
        EXPECT_EQ(out.base(), std::optional<base::Timestamp>(73'000));
        EXPECT_EQ(out.media_time(), 40u);
        EXPECT_EQ(out.tags_written(), 5u);
        EXPECT_EQ(out.bytes_written(), file.bytes().size());
    }
    flv::FileReader reader;
    const auto tags = parse(file.bytes(), reader);
    ASSERT_TRUE(reader.file_header());
    EXPECT_TRUE(reader.file_header()->has_audio);
    EXPECT_TRUE(reader.file_header()->has_video);
    ASSERT_EQ(tags.size(), 5u);
    EXPECT_EQ(tags[0].header.type, 18);
    rtmp::Message script{rtmp::MessageType::data_amf0, 0, 0, tags[0].data};
    auto decoded = rtmp::decode_data_message(script);
    ASSERT_TRUE(decoded);
    EXPECT_EQ(decoded->handler, "onMetaData");
    EXPECT_EQ(tags[1].header.type, 9);
    EXPECT_EQ(tags[1].header.timestamp, 0u);  // the sequence header
    EXPECT_EQ(tags[2].header.type, 9);
    EXPECT_EQ(tags[2].header.timestamp, 0u);  // the key frame fixed the base
    EXPECT_EQ(tags[3].header.type, 8);
    EXPECT_EQ(tags[3].header.timestamp, 0u);  // 10 ms before the base: clamped
    EXPECT_EQ(tags[4].header.timestamp, 40u);
    EXPECT_EQ(tags[4].data, base::Payload::copy_of(base::ByteVector{0x27, 0x01, 0, 0, 0, 2}));
}

TEST(FlvOutput, StripsSetDataFrameAndKeepsMediaHandlers) {
    OutputFile file;
    {
        FlvOutput out =
            FlvOutput::open(file.path(), FlvOutput::Options{.has_audio = false, .has_video = true});
        EXPECT_EQ(out.write(data(sample_meta().to_set_data_frame())), FlvOutput::WriteResult::written);
        EXPECT_EQ(out.write(data(rtmp::DataMessage{"onCuePoint", {amf::Value("x")}})),
                  FlvOutput::WriteResult::written);
        EXPECT_EQ(out.write(data(rtmp::make_data_start())), FlvOutput::WriteResult::skipped);
    }
    flv::FileReader reader;
    const auto tags = parse(file.bytes(), reader);
    EXPECT_FALSE(reader.file_header()->has_audio);
    ASSERT_EQ(tags.size(), 2u);
    auto meta = rtmp::decode_data_message(rtmp::Message{rtmp::MessageType::data_amf0, 0, 0, tags[0].data});
    ASSERT_TRUE(meta);
    EXPECT_EQ(meta->handler, "onMetaData");
    EXPECT_EQ(rtmp::MetaData::decode(*meta)->properties, sample_meta().properties);
    auto cue = rtmp::decode_data_message(rtmp::Message{rtmp::MessageType::data_amf0, 0, 0, tags[1].data});
    ASSERT_TRUE(cue);
    EXPECT_EQ(cue->handler, "onCuePoint");
}

TEST(FlvOutput, PublisherRestartContinuesForward) {
    OutputFile file;
    {
        FlvOutput out = FlvOutput::open(file.path());
        (void)out.write(media(rtmp::MessageType::video, 5000, {0x17, 0x01}));
        (void)out.write(media(rtmp::MessageType::video, 9000, {0x27, 0x01}));
        // The publisher left and came back: its timestamps start at 0 again.
        (void)out.write(media(rtmp::MessageType::video, 0, {0x17, 0x01}));
        (void)out.write(media(rtmp::MessageType::video, 40, {0x27, 0x01}));
    }
    flv::FileReader reader;
    const auto tags = parse(file.bytes(), reader);
    ASSERT_EQ(tags.size(), 4u);
    EXPECT_EQ(tags[0].header.timestamp, 0u);
    EXPECT_EQ(tags[1].header.timestamp, 4000u);
    EXPECT_EQ(tags[2].header.timestamp, 4001u);
    EXPECT_EQ(tags[3].header.timestamp, 4041u);
}

TEST(FlvOutput, NothingWrittenLeavesAnEmptyFile) {
    OutputFile file;
    { FlvOutput out = FlvOutput::open(file.path()); }
    EXPECT_TRUE(file.bytes().empty());
}

TEST(FlvOutput, ReaderGoneIsReportedNotThrown) {
    std::signal(SIGPIPE, SIG_IGN);
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    FlvOutput out(fds[1], true, "pipe");
    EXPECT_EQ(out.write(media(rtmp::MessageType::video, 0, {0x17, 0x01})), FlvOutput::WriteResult::written);
    ::close(fds[0]);  // ffplay was closed
    EXPECT_EQ(out.write(media(rtmp::MessageType::video, 40, {0x27, 0x01})),
              FlvOutput::WriteResult::reader_closed);
    EXPECT_TRUE(out.reader_closed());
    EXPECT_EQ(out.write(media(rtmp::MessageType::video, 80, {0x27, 0x01})),
              FlvOutput::WriteResult::reader_closed);
}

TEST(FlvOutput, LargeTagsGoThroughAPipeWhole) {
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    base::ByteVector big(300'000, 0x5A);
    big[0] = 0x17;
    std::vector<std::uint8_t> got;
    std::thread reader([&] {
        std::uint8_t buf[4096];
        for (;;) {
            const ssize_t n = ::read(fds[0], buf, sizeof buf);
            if (n <= 0) break;
            got.insert(got.end(), buf, buf + n);
        }
        ::close(fds[0]);
    });
    {
        FlvOutput out(fds[1], true, "pipe");
        EXPECT_EQ(out.write(media(rtmp::MessageType::video, 0, big)), FlvOutput::WriteResult::written);
    }
    reader.join();
    flv::FileReader parser;
    const auto tags = parse(got, parser);
    ASSERT_EQ(tags.size(), 1u);
    EXPECT_EQ(tags[0].data, base::Payload::copy_of(big));
}

TEST(FlvOutput, CannotCreateNamesTheFile) {
    try {
        (void)FlvOutput::open("/nonexistent/dir/out.flv");
        FAIL() << "no error";
    } catch (const FlvOutputError& e) {
        EXPECT_NE(std::string(e.what()).find("/nonexistent/dir/out.flv"), std::string::npos);
    }
}

}  // namespace
}  // namespace sluice::client
