#include "flv/file_reader.hpp"

#include <gtest/gtest.h>

#include "flv/errors.hpp"
#include "flv_test_util.hpp"
#include "support/hex_literal.hpp"
#include "support/split_feeder.hpp"

namespace sluice::flv {
namespace {

using test::hex;
using test_util::build_file;
using test_util::feed;
using test_util::SampleTag;
using Ending = FileReader::Ending;

std::vector<SampleTag> sample_tags() {
    return {
        {18, 0, hex("02 00 0A 6F 6E 4D 65 74 61 44 61 74 61 05")},  // "onMetaData", null
        {9, 0, hex("17 00 00 00 00 01 64 00 1F FF E1 00 00 00")},   // AVC sequence header (stub)
        {8, 0, hex("AF 00 12 10")},                                 // AAC LC 44.1 kHz stereo
        {9, 0, hex("17 01 00 00 00 00 00 00 02 65 88")},            // key frame
        {8, 23, hex("AF 01 21 10")},                                // raw AAC
        {9, 33, hex("27 01 00 00 42 00 00 00 01 41")},              // inter frame, CTS 66
        {9, 0x01000000, {}},                                        // empty tag, extended timestamp
        {8, 0x01000010, hex("AF 01 00")},
    };
}

void expect_same_tags(const std::vector<Tag>& got, const std::vector<SampleTag>& want, std::size_t count) {
    ASSERT_EQ(got.size(), count);
    for (std::size_t i = 0; i < count; ++i) {
        EXPECT_EQ(got[i].header.type, want[i].type) << i;
        EXPECT_EQ(got[i].header.timestamp, want[i].timestamp) << i;
        EXPECT_EQ(got[i].header.data_size, want[i].data.size()) << i;
        EXPECT_EQ(base::ByteVector(got[i].data.bytes().begin(), got[i].data.bytes().end()), want[i].data)
            << i;
    }
}

TEST(FileReader, ReadsTheReferenceVideoTagExample) {
    // REFERENCE.md §7.2: video tag of 45 data bytes at 33 ms, trailer 56.
    const auto data = base::ByteVector(45, 0x27);
    const auto file = test::cat(hex("46 4C 56 01 01 00 00 00 09 00 00 00 00"),
                                hex("09 00 00 2D 00 00 21 00 00 00 00"), data, hex("00 00 00 38"));
    test::for_each_split(file, [&](const test::Pieces& pieces, const std::string& label) {
        SCOPED_TRACE(label);
        FileReader reader;
        auto got = feed(reader, pieces);
        ASSERT_FALSE(got.error);
        ASSERT_EQ(got.tags.size(), 1u);
        EXPECT_EQ(got.tags[0].header.type, 9);
        EXPECT_EQ(got.tags[0].header.timestamp, 33u);
        EXPECT_EQ(got.tags[0].data.size(), 45u);
        ASSERT_TRUE(reader.file_header());
        EXPECT_FALSE(reader.file_header()->has_audio);
        EXPECT_TRUE(reader.file_header()->has_video);
        const auto f = reader.finish();
        EXPECT_EQ(f.ending, Ending::clean);
        EXPECT_EQ(f.dropped_bytes, 0u);
        EXPECT_EQ(f.tag_count, 1u);
        EXPECT_EQ(reader.offset(), file.size());
    });
}

TEST(FileReader, ReadsAGeneratedFileAtEverySplit) {
    const auto tags = sample_tags();
    const auto file = build_file(tags);
    test::for_each_split(file, [&](const test::Pieces& pieces, const std::string& label) {
        SCOPED_TRACE(label);
        FileReader reader;
        auto got = feed(reader, pieces);
        ASSERT_FALSE(got.error) << got.error.message();
        expect_same_tags(got.tags, tags, tags.size());
        EXPECT_EQ(reader.finish().ending, Ending::clean);
    });
}

TEST(FileReader, DeliversAtMostOneTagPerCall) {
    const auto tags = sample_tags();
    const auto file = build_file(tags);
    FileReader reader;
    base::Bytes rest = file;
    std::size_t count = 0;
    while (!rest.empty()) {
        auto r = reader.read(rest);
        ASSERT_FALSE(r.error);
        rest = rest.subspan(r.consumed);
        if (r.tag)
            ++count;
        else
            EXPECT_TRUE(rest.empty());
    }
    EXPECT_EQ(count, tags.size());
    EXPECT_EQ(reader.tag_count(), tags.size());
}

TEST(FileReader, CrashTruncatedFileYieldsEveryCompleteTag) {
    // A recording cut at any byte: every tag whose data is complete comes
    // out, finish() names the cut, and no error is reported.
    const auto tags = sample_tags();
    std::vector<std::size_t> ends;
    const auto file = build_file(tags, &ends);
    for (std::size_t cut = 0; cut <= file.size(); ++cut) {
        SCOPED_TRACE("cut at " + std::to_string(cut));
        const base::Bytes prefix = base::Bytes(file).first(cut);
        for (const bool bytewise : {false, true}) {
            test::Pieces pieces;
            if (bytewise) {
                for (std::size_t i = 0; i < cut; ++i) pieces.push_back(prefix.subspan(i, 1));
            } else {
                pieces.push_back(prefix);
            }
            FileReader reader;
            auto got = feed(reader, pieces);
            ASSERT_FALSE(got.error);
            std::size_t complete = 0;
            while (complete < ends.size() && ends[complete] <= cut) ++complete;
            expect_same_tags(got.tags, tags, complete);
            const auto f = reader.finish();
            EXPECT_EQ(f.tag_count, complete);
            // Bytes not delivered: everything after the last complete tag's
            // data, minus its (partial) trailer when the cut is inside one.
            const std::size_t last_end = complete == 0 ? 13 : ends[complete - 1];
            if (cut < 9) {
                EXPECT_EQ(f.ending, Ending::truncated_file_header);
                EXPECT_EQ(f.dropped_bytes, cut);
            } else if (cut < 13) {
                EXPECT_TRUE(f.complete());
                EXPECT_EQ(f.dropped_bytes, cut - 9);
            } else if (complete > 0 && cut <= last_end + 4) {
                EXPECT_EQ(f.ending, cut == last_end       ? Ending::missing_final_trailer
                                    : cut == last_end + 4 ? Ending::clean
                                                          : Ending::truncated_trailer);
                EXPECT_TRUE(f.complete());
                EXPECT_EQ(f.dropped_bytes, cut == last_end + 4 ? 0 : cut - last_end);
            } else {
                const std::size_t tag_start = complete == 0 ? 13 : last_end + 4;
                const std::size_t partial = cut - tag_start;
                if (partial == 0) {
                    EXPECT_EQ(f.ending, Ending::clean);
                } else if (partial < TagHeader::size) {
                    EXPECT_EQ(f.ending, Ending::truncated_tag_header);
                } else {
                    EXPECT_EQ(f.ending, Ending::truncated_tag_data);
                }
                EXPECT_EQ(f.dropped_bytes, partial);
                EXPECT_EQ(f.complete(), partial == 0);
            }
        }
    }
}

TEST(FileReader, PreviousTagSizeMismatchIsAnErrorAfterTheTag) {
    auto file = build_file({{8, 0, hex("AF 01 00")}, {8, 10, hex("AF 01 01")}});
    file[13 + 11 + 3 + 3] ^= 0x01;  // first trailer 14 -> 15
    test::for_each_split(file, [&](const test::Pieces& pieces, const std::string& label) {
        SCOPED_TRACE(label);
        FileReader reader;
        auto got = feed(reader, pieces);
        EXPECT_EQ(got.error, Errc::previous_tag_size_mismatch);
        EXPECT_EQ(got.tags.size(), 1u);  // the tag before the bad trailer was delivered
        EXPECT_EQ(reader.state(), FileReader::State::failed);
        EXPECT_EQ(reader.finish().ending, Ending::failed);
        auto again = reader.read(hex("00"));
        EXPECT_EQ(again.consumed, 0u);
        EXPECT_EQ(again.error, Errc::previous_tag_size_mismatch);
    });
}

TEST(FileReader, NonZeroPreviousTagSize0IsAMismatch) {
    const auto file = hex("46 4C 56 01 05 00 00 00 09 00 00 00 01");
    FileReader reader;
    EXPECT_EQ(reader.read(file).error, Errc::previous_tag_size_mismatch);
}

TEST(FileReader, LeniencyCountsMismatchesAndContinues) {
    auto file = build_file({{8, 0, hex("AF 01 00")}, {8, 10, hex("AF 01 01")}});
    file[13 + 11 + 3 + 3] = 3;  // DataSize instead of 11 + DataSize (old muxers)
    FileReader::Options options;
    options.leniency.accept_previous_tag_size_mismatch = true;
    FileReader reader(options);
    auto got = feed(reader, {file});
    EXPECT_FALSE(got.error);
    EXPECT_EQ(got.tags.size(), 2u);
    EXPECT_EQ(reader.previous_tag_size_mismatches(), 1u);
    EXPECT_EQ(reader.finish().ending, Ending::clean);
}

TEST(FileReader, RejectsANonFlvInputAtTheFirstWrongByte) {
    FileReader reader;
    auto r = reader.read(hex("46 4C 58"));
    EXPECT_EQ(r.error, Errc::file_signature_invalid);
    EXPECT_EQ(r.consumed, 3u);
    FileReader other;
    EXPECT_EQ(other.read(hex("47")).error, Errc::file_signature_invalid);
}

TEST(FileReader, SkipsHeaderPaddingUpToTheDataOffset) {
    const auto file = test::cat(hex("46 4C 56 01 04 00 00 00 0C AA BB CC 00 00 00 00"),
                                hex("08 00 00 01 00 00 00 00 00 00 00 2A 00 00 00 0C"));
    test::for_each_split(file, [&](const test::Pieces& pieces, const std::string& label) {
        SCOPED_TRACE(label);
        FileReader reader;
        auto got = feed(reader, pieces);
        ASSERT_FALSE(got.error);
        ASSERT_EQ(got.tags.size(), 1u);
        EXPECT_EQ(got.tags[0].data.bytes()[0], 0x2A);
        EXPECT_EQ(reader.file_header()->data_offset, 12u);
    });
    FileReader cut;
    (void)cut.read(base::Bytes(file).first(10));
    EXPECT_EQ(cut.finish().ending, Ending::truncated_file_header);
    EXPECT_EQ(cut.finish().dropped_bytes, 10u);
}

TEST(FileReader, TagAboveTheLimitIsRejectedBeforeItsDataArrives) {
    FileReader::Options options;
    options.limits.max_tag_data_bytes = 100;
    FileReader reader(options);
    // 0xFFFFFF declared: nothing is allocated for it, the header alone fails.
    auto r = reader.read(hex("46 4C 56 01 05 00 00 00 09 00 00 00 00 09 FF FF FF 00 00 00 00 00 00 00"));
    EXPECT_EQ(r.error, Errc::tag_too_large);
    EXPECT_EQ(r.consumed, 24u);
    FileReader at_limit(options);
    const auto ok = test::cat(hex("46 4C 56 01 05 00 00 00 09 00 00 00 00 09 00 00 64 00 00 00 00 00 00 00"),
                              base::ByteVector(100, 1));
    auto got = feed(at_limit, {ok});
    EXPECT_FALSE(got.error);
    EXPECT_EQ(got.tags.size(), 1u);
}

TEST(FileReader, TagsOnlyModeReadsAnAggregateBody) {
    // REFERENCE.md §1.7: aggregate body with one 4-byte AAC frame at ts 1000.
    const auto body = hex("08 000004 0003E8 00 000000 AF 01 21 10 0000000F");
    test::for_each_split(body, [&](const test::Pieces& pieces, const std::string& label) {
        SCOPED_TRACE(label);
        FileReader reader(FileReader::Options{.expect_file_header = false});
        auto got = feed(reader, pieces);
        ASSERT_FALSE(got.error);
        ASSERT_EQ(got.tags.size(), 1u);
        EXPECT_EQ(got.tags[0].header.timestamp, 1000u);
        EXPECT_EQ(got.tags[0].data, base::Payload::copy_of(hex("AF 01 21 10")));
        EXPECT_FALSE(reader.file_header());
        EXPECT_EQ(reader.finish().ending, Ending::clean);
    });
    FileReader empty(FileReader::Options{.expect_file_header = false});
    EXPECT_EQ(empty.finish().ending, Ending::clean);
}

TEST(FileReader, EmptyInputIsATruncatedHeader) {
    FileReader reader;
    auto r = reader.read({});
    EXPECT_EQ(r.consumed, 0u);
    EXPECT_FALSE(r.tag);
    EXPECT_FALSE(r.error);
    EXPECT_EQ(reader.finish().ending, Ending::truncated_file_header);
    EXPECT_EQ(reader.finish().dropped_bytes, 0u);
}

}  // namespace
}  // namespace sluice::flv
