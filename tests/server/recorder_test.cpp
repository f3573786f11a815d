#include "server/recorder.hpp"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "flv/errors.hpp"
#include "flv/file_reader.hpp"
#include "flv/metadata.hpp"

namespace sluice::server {
namespace {

namespace fs = std::filesystem;
using rtmp::MessageType;

// A fresh directory under the test temp dir, removed afterwards.
class RecorderTest : public ::testing::Test {
protected:
    void SetUp() override {
        std::string pattern = ::testing::TempDir() + "/recorder_XXXXXX";
        ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
        dir_ = pattern;
    }
    void TearDown() override { fs::remove_all(dir_); }
    std::string path(const std::string& name) const { return (dir_ / name).string(); }

    fs::path dir_;
};

rtmp::Message message(MessageType type, base::Timestamp timestamp, std::size_t size, std::uint8_t seed = 0) {
    base::ByteVector bytes(size);
    for (std::size_t i = 0; i < size; ++i) bytes[i] = static_cast<std::uint8_t>(seed + i * 7);
    return {type, timestamp, 1, base::Payload::from(std::move(bytes))};
}

rtmp::Message metadata_message(double duration, base::Timestamp timestamp = 0) {
    flv::Metadata m;
    m.properties.set("duration", duration);
    m.properties.set("width", 1280.0);
    m.properties.set("encoder", std::string("sluice-test"));
    amf::Object nested;
    nested.set("duration", 99.0);  // not top level: never rewritten
    m.properties.set("extra", nested);
    m.properties.set("filesize", 0.0);
    return {MessageType::data_amf0, timestamp, 1, base::Payload::from(flv::encode_metadata(m))};
}

base::ByteVector read_file(const std::string& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_file(const std::string& p, base::Bytes bytes) {
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

struct ReadBack {
    std::vector<flv::Tag> tags;
    flv::FileReader::Finish finish;
    std::optional<flv::FileHeader> header;
    std::error_code error;
};

// The whole file through flv::FileReader, fed in one piece.
ReadBack read_back(const std::string& p) {
    const base::ByteVector bytes = read_file(p);
    flv::FileReader reader;
    ReadBack out;
    base::Bytes input(bytes);
    for (;;) {
        auto r = reader.read(input);
        if (r.error) {
            out.error = r.error;
            break;
        }
        if (r.tag) out.tags.push_back(std::move(*r.tag));
        input = input.subspan(r.consumed);
        if (input.empty() && !r.tag) break;
    }
    out.finish = reader.finish();
    out.header = reader.file_header();
    return out;
}

void expect_tag(const flv::Tag& tag, const rtmp::Message& m, base::Timestamp timestamp) {
    EXPECT_EQ(tag.header.type, static_cast<std::uint8_t>(m.type));
    EXPECT_EQ(tag.header.timestamp, timestamp);
    EXPECT_EQ(tag.header.stream_id, 0u);
    EXPECT_EQ(tag.data, m.payload);
}

// ---- recording_path ----

TEST(RecordingPath, JoinsRootAppAndStream) {
    EXPECT_EQ(*recording_path("rec", "live", "cam"), "rec/live/cam.flv");
    EXPECT_EQ(*recording_path("/srv/rec/", "live", "cam.flv"), "/srv/rec/live/cam.flv");
    EXPECT_EQ(*recording_path("rec", "live/room1", "cam"), "rec/live/room1/cam.flv");
    EXPECT_EQ(*recording_path("rec", "live", "caf\xC3\xA9.x"), "rec/live/caf\xC3\xA9.x.flv");
    EXPECT_EQ(*recording_path("rec", "live", "a.FLV"), "rec/live/a.FLV.flv");
}

TEST(RecordingPath, RefusesEveryEscape) {
    const std::string long_name(256, 'a');
    const std::vector<std::pair<std::string, std::string>> refused = {
        {"", "cam"},          {"live", ""},       {"..", "cam"},       {".", "cam"},
        {"live", ".."},       {"live", "."},      {"live", "../x"},    {"live", "a/b"},
        {"live", "/etc"},     {"/live", "cam"},   {"live/", "cam"},    {"live//r", "cam"},
        {"live/..", "cam"},   {"../live", "cam"}, {"live", "a\\b"},    {"li\\ve", "cam"},
        {"live", ".hidden"},  {"live", ".flv"},   {"live", "a\nb"},    {"live", "a\x7F"},
        {"li\x01ve", "cam"},  {long_name, "cam"}, {"live", long_name}, {"live", long_name.substr(0, 252)},
        {"live", "..\\..\\x"}};
    for (const auto& [app, stream] : refused) {
        auto r = recording_path("rec", app, stream);
        EXPECT_FALSE(r.ok()) << "app '" << app << "' stream '" << stream << "' gave " << (r ? *r : "");
        EXPECT_EQ(r.error(), std::errc::invalid_argument);
    }
    std::string with_nul = "a";
    with_nul += '\0';
    with_nul += "b";
    EXPECT_FALSE(recording_path("rec", "live", with_nul).ok());
    EXPECT_FALSE(recording_path("rec", with_nul, "cam").ok());
    EXPECT_FALSE(recording_path("", "live", "cam").ok());
    // 251 + ".flv" = 255 bytes still fits NAME_MAX.
    EXPECT_TRUE(recording_path("rec", "live", long_name.substr(0, 251)).ok());
}

// ---- record ----

class RecordBuffers : public RecorderTest, public ::testing::WithParamInterface<std::size_t> {};

TEST_P(RecordBuffers, EveryTagReadsBackEqual) {
    RecorderOptions options;
    options.buffer_bytes = GetParam();
    Recorder rec;
    const std::string p = path("a/b/c.flv");  // parent directories created
    ASSERT_FALSE(rec.open(p, RecordMode::record, options));
    std::vector<rtmp::Message> sent = {
        message(MessageType::video, 5000, 40, 1),   message(MessageType::audio, 5010, 10, 2),
        message(MessageType::video, 5033, 3000, 3), message(MessageType::data_amf0, 5040, 20, 4),
        message(MessageType::audio, 5050, 0, 5),    message(MessageType::video, 5066, 70000, 6),
        message(MessageType::audio, 5070, 12, 7)};
    for (const auto& m : sent) ASSERT_FALSE(rec.write(m));
    EXPECT_EQ(rec.stats().tag_count, sent.size());
    EXPECT_EQ(rec.stats().last_timestamp, 70u);
    ASSERT_FALSE(rec.close());
    EXPECT_FALSE(rec.is_open());

    const ReadBack back = read_back(p);
    ASSERT_FALSE(back.error) << back.error.message();
    EXPECT_EQ(back.finish.ending, flv::FileReader::Ending::clean);
    ASSERT_EQ(back.tags.size(), sent.size());
    for (std::size_t i = 0; i < sent.size(); ++i) expect_tag(back.tags[i], sent[i], sent[i].timestamp - 5000);
    const auto size = fs::file_size(p);
    EXPECT_EQ(rec.stats().file_size, size);
    EXPECT_EQ(rec.stats().bytes_written, size);
    // Audio and video were written: both header flags stay set.
    EXPECT_TRUE(back.header->has_audio);
    EXPECT_TRUE(back.header->has_video);
}

INSTANTIATE_TEST_SUITE_P(Recorder, RecordBuffers, ::testing::Values(0, 64, 4096, 64 * 1024));

TEST_F(RecorderTest, RecordReplacesAnExistingFile) {
    const std::string p = path("x.flv");
    write_file(p, base::ByteVector(5000, 0xAB));
    Recorder rec;
    ASSERT_FALSE(rec.open(p, RecordMode::record));
    ASSERT_FALSE(rec.write(message(MessageType::audio, 7, 5)));
    ASSERT_FALSE(rec.close());
    const ReadBack back = read_back(p);
    ASSERT_EQ(back.tags.size(), 1u);
    EXPECT_EQ(back.tags[0].header.timestamp, 0u);
    EXPECT_EQ(fs::file_size(p), 13u + 11 + 5 + 4);
    // Only audio was written: the video flag is cleared on close.
    EXPECT_TRUE(back.header->has_audio);
    EXPECT_FALSE(back.header->has_video);
}

TEST_F(RecorderTest, TheFileIsReadableBeforeClose) {
    const std::string p = path("live.flv");
    RecorderOptions options;
    options.buffer_bytes = 0;
    Recorder rec;
    ASSERT_FALSE(rec.open(p, RecordMode::record, options));
    ASSERT_FALSE(rec.write(message(MessageType::video, 0, 30)));
    const ReadBack back = read_back(p);  // as a crash would leave it
    EXPECT_TRUE(back.finish.complete());
    EXPECT_EQ(back.tags.size(), 1u);
}

TEST_F(RecorderTest, EarlierThanTheFirstMessageIsClampedToTheStart) {
    const std::string p = path("x.flv");
    Recorder rec;
    ASSERT_FALSE(rec.open(p, RecordMode::record));
    ASSERT_FALSE(rec.write(message(MessageType::video, 100, 5)));
    ASSERT_FALSE(rec.write(message(MessageType::audio, 90, 5)));
    ASSERT_FALSE(rec.write(message(MessageType::audio, 120, 5)));
    ASSERT_FALSE(rec.close());
    const ReadBack back = read_back(p);
    ASSERT_EQ(back.tags.size(), 3u);
    EXPECT_EQ(back.tags[1].header.timestamp, 0u);
    EXPECT_EQ(back.tags[2].header.timestamp, 20u);
}

TEST_F(RecorderTest, TimestampsWrapLikeTheWire) {
    const std::string p = path("x.flv");
    Recorder rec;
    ASSERT_FALSE(rec.open(p, RecordMode::record));
    ASSERT_FALSE(rec.write(message(MessageType::video, 0xFFFFFFF0u, 5)));
    ASSERT_FALSE(rec.write(message(MessageType::video, 0x10u, 5)));
    ASSERT_FALSE(rec.close());
    const ReadBack back = read_back(p);
    ASSERT_EQ(back.tags.size(), 2u);
    EXPECT_EQ(back.tags[1].header.timestamp, 0x20u);
}

TEST_F(RecorderTest, RefusedMessagesLeaveTheRecorderWorking) {
    Recorder rec;
    EXPECT_EQ(rec.write(message(MessageType::audio, 0, 1)), std::errc::bad_file_descriptor);
    const std::string p = path("x.flv");
    ASSERT_FALSE(rec.open(p, RecordMode::record));
    EXPECT_EQ(rec.open(p, RecordMode::record), std::errc::device_or_resource_busy);
    EXPECT_EQ(rec.write(message(MessageType::command_amf0, 0, 10)), std::errc::invalid_argument);
    EXPECT_EQ(rec.write(message(MessageType::aggregate, 0, 10)), std::errc::invalid_argument);
    EXPECT_EQ(rec.write(message(MessageType::video, 0, flv::FileWriter::max_data_size + 1)),
              flv::Errc::tag_too_large);
    EXPECT_FALSE(rec.error());
    ASSERT_FALSE(rec.write(message(MessageType::video, 40, 10)));
    ASSERT_FALSE(rec.close());
    EXPECT_FALSE(rec.close());  // idempotent
    EXPECT_EQ(rec.write(message(MessageType::audio, 0, 1)), std::errc::bad_file_descriptor);
    const ReadBack back = read_back(p);
    ASSERT_EQ(back.tags.size(), 1u);
    EXPECT_EQ(back.tags[0].header.timestamp, 0u);  // the refused ones did not set the origin
}

TEST_F(RecorderTest, RefusesWhatIsNotARegularFile) {
    Recorder rec;
    EXPECT_EQ(rec.open("/dev/null", RecordMode::record), std::errc::invalid_argument);
    EXPECT_EQ(rec.open(dir_.string(), RecordMode::append), std::errc::is_a_directory);
    EXPECT_FALSE(rec.is_open());
}

// ---- onMetaData fix-up ----

TEST_F(RecorderTest, CloseFixesDurationAndFileSizeInPlace) {
    const std::string p = path("meta.flv");
    Recorder rec;
    ASSERT_FALSE(rec.open(p, RecordMode::record));
    const rtmp::Message meta = metadata_message(0);
    ASSERT_FALSE(rec.write(meta));
    for (base::Timestamp t = 0; t <= 2500; t += 500)
        ASSERT_FALSE(rec.write(message(MessageType::video, t, 50)));
    ASSERT_FALSE(rec.close());

    const ReadBack back = read_back(p);
    ASSERT_EQ(back.tags.size(), 7u);
    EXPECT_EQ(back.tags[0].data.size(), meta.payload.size());
    auto decoded = flv::decode_metadata(back.tags[0].data);
    ASSERT_TRUE(decoded.ok());
    EXPECT_DOUBLE_EQ(*decoded->duration(), 2.5);
    EXPECT_DOUBLE_EQ(*decoded->file_size(), static_cast<double>(fs::file_size(p)));
    // Everything else is as it was sent.
    auto sent = *flv::decode_metadata(meta.payload);
    sent.properties.set("duration", 2.5);
    sent.properties.set("filesize", static_cast<double>(fs::file_size(p)));
    EXPECT_EQ(decoded->properties, sent.properties);
    EXPECT_FALSE(back.header->has_audio);
    EXPECT_TRUE(back.header->has_video);
}

TEST_F(RecorderTest, MetadataWithoutNumbersOrNotFirstIsLeftAlone) {
    flv::Metadata m;
    m.properties.set("duration", std::string("unknown"));
    const rtmp::Message string_duration{MessageType::data_amf0, 0, 1,
                                        base::Payload::from(flv::encode_metadata(m))};
    const rtmp::Message late = metadata_message(0);
    const std::string p = path("meta.flv");
    Recorder rec;
    ASSERT_FALSE(rec.open(p, RecordMode::record));
    ASSERT_FALSE(rec.write(string_duration));
    ASSERT_FALSE(rec.write(message(MessageType::video, 1000, 5)));
    ASSERT_FALSE(rec.write(late));  // not the first tag: not fixed up
    ASSERT_FALSE(rec.close());
    const ReadBack back = read_back(p);
    ASSERT_EQ(back.tags.size(), 3u);
    EXPECT_EQ(back.tags[0].data, string_duration.payload);
    EXPECT_EQ(back.tags[2].data, late.payload);
}

// ---- append ----

TEST_F(RecorderTest, AppendContinuesAfterTheLastTimestampAndKeepsOldTags) {
    const std::string p = path("x.flv");
    std::vector<rtmp::Message> first = {metadata_message(0, 300), message(MessageType::video, 300, 20, 1),
                                        message(MessageType::audio, 340, 8, 2),
                                        message(MessageType::video, 333, 20, 3)};
    {
        Recorder rec;
        ASSERT_FALSE(rec.open(p, RecordMode::record));
        for (const auto& m : first) ASSERT_FALSE(rec.write(m));
        ASSERT_FALSE(rec.close());
    }
    const auto old_bytes = read_file(p);
    std::vector<rtmp::Message> second = {message(MessageType::video, 9000, 20, 4),
                                         message(MessageType::audio, 9025, 8, 5)};
    Recorder rec;
    RecorderOptions options;
    options.append_gap_ms = 1;
    ASSERT_FALSE(rec.open(p, RecordMode::append, options));
    EXPECT_EQ(rec.stats().last_timestamp, 40u);  // the largest, not the last tag's 33
    for (const auto& m : second) ASSERT_FALSE(rec.write(m));
    ASSERT_FALSE(rec.close());

    const auto new_bytes = read_file(p);
    ASSERT_GT(new_bytes.size(), old_bytes.size());
    // The old part is unchanged except the fixed-up metadata numbers.
    const ReadBack back = read_back(p);
    ASSERT_FALSE(back.error);
    EXPECT_EQ(back.finish.ending, flv::FileReader::Ending::clean);
    ASSERT_EQ(back.tags.size(), 6u);
    expect_tag(back.tags[1], first[1], 0);
    expect_tag(back.tags[2], first[2], 40);
    expect_tag(back.tags[3], first[3], 33);
    expect_tag(back.tags[4], second[0], 41);
    expect_tag(back.tags[5], second[1], 66);
    EXPECT_DOUBLE_EQ(*flv::decode_metadata(back.tags[0].data)->duration(), 0.066);
    EXPECT_DOUBLE_EQ(*flv::decode_metadata(back.tags[0].data)->file_size(),
                     static_cast<double>(new_bytes.size()));
    EXPECT_TRUE(std::equal(
        old_bytes.begin() + 13 + 11 + static_cast<std::ptrdiff_t>(first[0].payload.size()), old_bytes.end(),
        new_bytes.begin() + 13 + 11 + static_cast<std::ptrdiff_t>(first[0].payload.size())));
}

TEST_F(RecorderTest, AppendCreatesAMissingOrEmptyFile) {
    for (const std::string name : {"new/dir/x.flv", "empty.flv", "cut_header.flv"}) {
        const std::string p = path(name);
        if (name == "empty.flv") write_file(p, {});
        if (name == "cut_header.flv")
            write_file(p, base::Bytes(reinterpret_cast<const std::uint8_t*>("FLV\x01"), 4));
        Recorder rec;
        ASSERT_FALSE(rec.open(p, RecordMode::append)) << name;
        ASSERT_FALSE(rec.write(message(MessageType::video, 500, 10)));
        ASSERT_FALSE(rec.close());
        const ReadBack back = read_back(p);
        ASSERT_EQ(back.tags.size(), 1u) << name;
        EXPECT_EQ(back.tags[0].header.timestamp, 0u) << name;
        EXPECT_EQ(back.finish.ending, flv::FileReader::Ending::clean);
    }
}

TEST_F(RecorderTest, AppendRepairsAFileCutAtEveryByteOfItsLastTag) {
    const std::string whole = path("whole.flv");
    std::vector<rtmp::Message> sent = {message(MessageType::video, 0, 30, 1),
                                       message(MessageType::audio, 20, 9, 2),
                                       message(MessageType::video, 40, 25, 3)};
    {
        Recorder rec;
        ASSERT_FALSE(rec.open(whole, RecordMode::record));
        for (const auto& m : sent) ASSERT_FALSE(rec.write(m));
        ASSERT_FALSE(rec.close());
    }
    const base::ByteVector bytes = read_file(whole);
    const std::size_t last_start = bytes.size() - (11 + 25 + 4);
    const std::size_t last_data_end = bytes.size() - 4;
    const rtmp::Message extra = message(MessageType::audio, 777, 6, 9);
    for (std::size_t cut = last_start; cut < bytes.size(); ++cut) {
        SCOPED_TRACE("cut at " + std::to_string(cut));
        const std::string p = path("cut.flv");
        write_file(p, base::Bytes(bytes).first(cut));
        Recorder rec;
        ASSERT_FALSE(rec.open(p, RecordMode::append));
        ASSERT_FALSE(rec.write(extra));
        ASSERT_FALSE(rec.close());
        const ReadBack back = read_back(p);
        ASSERT_FALSE(back.error) << back.error.message();
        EXPECT_EQ(back.finish.ending, flv::FileReader::Ending::clean);
        // A tag whose data is complete survives (its trailer is written again).
        const std::size_t kept = cut >= last_data_end ? 3 : 2;
        ASSERT_EQ(back.tags.size(), kept + 1);
        for (std::size_t i = 0; i < kept; ++i) expect_tag(back.tags[i], sent[i], sent[i].timestamp);
        expect_tag(back.tags[kept], extra, sent[kept - 1].timestamp + 1);
    }
}

TEST_F(RecorderTest, AppendRefusesANonFlvFileAndLeavesItUnchanged) {
    const std::string text = path("notes.txt");
    const std::string hello = "hello, this is not a video\n";
    write_file(text, base::Bytes(reinterpret_cast<const std::uint8_t*>(hello.data()), hello.size()));
    Recorder rec;
    EXPECT_EQ(rec.open(text, RecordMode::append), flv::Errc::file_signature_invalid);
    EXPECT_FALSE(rec.is_open());
    const auto after = read_file(text);
    EXPECT_EQ(std::string(after.begin(), after.end()), hello);

    // An FLV whose framing breaks before its end is refused the same way.
    const std::string bad = path("bad.flv");
    {
        Recorder w;
        ASSERT_FALSE(w.open(bad, RecordMode::record));
        for (base::Timestamp t = 0; t < 3; ++t) ASSERT_FALSE(w.write(message(MessageType::video, t, 10)));
        ASSERT_FALSE(w.close());
    }
    base::ByteVector corrupt = read_file(bad);
    corrupt[13 + 11 + 10 + 3] ^= 0x01;  // the first tag's PreviousTagSize
    write_file(bad, corrupt);
    EXPECT_EQ(rec.open(bad, RecordMode::append), flv::Errc::previous_tag_size_mismatch);
    EXPECT_EQ(read_file(bad), corrupt);
}

// ---- I/O errors ----

// RLIMIT_FSIZE makes writes past `limit` bytes fail with EFBIG (a short write
// first, then the error), like a full disk. Set in a forked child only: the
// limit and the ignored SIGXFSZ must not touch the test process.
int record_until_full(const std::string& p, std::size_t limit, std::size_t buffer_bytes) {
    std::signal(SIGXFSZ, SIG_IGN);
    const rlimit rl{limit, limit};
    if (::setrlimit(RLIMIT_FSIZE, &rl) != 0) return 10;
    RecorderOptions options;
    options.buffer_bytes = buffer_bytes;
    Recorder rec;
    if (rec.open(p, RecordMode::record, options)) return 11;
    std::error_code error;
    for (base::Timestamp t = 0; t < 1000 && !error; ++t)
        error = rec.write(message(MessageType::video, t, 100));
    if (!error) error = rec.flush();
    if (error != std::errc::file_too_large) return 12;
    if (rec.error() != error) return 13;
    if (rec.write(message(MessageType::video, 5000, 1)) != error) return 14;
    if (rec.flush() != error) return 15;
    if (rec.close() != error) return 16;
    if (rec.close() != error) return 17;
    return 0;
}

TEST_F(RecorderTest, AnIoErrorStopsTheRecorderAndLeavesWholeTags) {
    for (std::size_t buffer : {std::size_t{0}, std::size_t{300}, std::size_t{64 * 1024}}) {
        SCOPED_TRACE("buffer " + std::to_string(buffer));
        const std::string p = path("full.flv");
        const std::size_t limit = 1000;  // 13 + 8 tags of 115 bytes = 933; the 9th is cut at 1000
        const pid_t child = ::fork();
        ASSERT_GE(child, 0);
        if (child == 0) ::_exit(record_until_full(p, limit, buffer));
        int status = 0;
        ASSERT_EQ(::waitpid(child, &status, 0), child);
        ASSERT_TRUE(WIFEXITED(status));
        EXPECT_EQ(WEXITSTATUS(status), 0);

        const ReadBack back = read_back(p);
        ASSERT_FALSE(back.error);
        EXPECT_EQ(back.finish.ending, flv::FileReader::Ending::clean);
        EXPECT_LE(fs::file_size(p), limit);
        EXPECT_EQ(fs::file_size(p), 13u + back.tags.size() * 115);
        // Whole writes only: with 300 bytes two tags go out at a time (13 + 4 x 230 = 933);
        // a 64 KiB buffer is cut at its first write, so every tag is lost.
        EXPECT_EQ(back.tags.size(), buffer > 1000 ? 0u : 8u);
        for (std::size_t i = 0; i < back.tags.size(); ++i) {
            expect_tag(back.tags[i], message(MessageType::video, static_cast<base::Timestamp>(i), 100),
                       static_cast<base::Timestamp>(i));
        }
    }
}

TEST_F(RecorderTest, PeriodicFsyncAndSyncKeepTheFileWhole) {
    const std::string p = path("x.flv");
    RecorderOptions options;
    options.buffer_bytes = 256;
    options.fsync = FsyncPolicy::periodic;
    options.fsync_every_bytes = 500;
    Recorder rec;
    ASSERT_FALSE(rec.open(p, RecordMode::record, options));
    for (base::Timestamp t = 0; t < 20; ++t) ASSERT_FALSE(rec.write(message(MessageType::audio, t * 10, 60)));
    ASSERT_FALSE(rec.sync());
    EXPECT_EQ(fs::file_size(p), rec.stats().file_size);
    EXPECT_EQ(read_back(p).tags.size(), 20u);
    ASSERT_FALSE(rec.close());
}

}  // namespace
}  // namespace sluice::server
