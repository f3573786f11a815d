#include "flv/file_writer.hpp"

#include <gtest/gtest.h>

#include "flv/errors.hpp"
#include "support/hex_literal.hpp"

namespace sluice::flv {
namespace {

using test::hex;

TEST(FileWriter, FramesTheReferenceVideoTag) {
    // REFERENCE.md §7.2: 45 data bytes at 33 ms -> header and trailer 56.
    FileWriter writer;
    auto f = writer.frame(9, 33, 45);
    ASSERT_TRUE(f);
    EXPECT_EQ(base::ByteVector(f->header.begin(), f->header.end()), hex("09 00 00 2D 00 00 21 00 00 00 00"));
    EXPECT_EQ(base::ByteVector(f->trailer.begin(), f->trailer.end()), hex("00 00 00 38"));
    EXPECT_EQ(writer.bytes_written(), 11u + 45u + 4u);
    EXPECT_EQ(writer.tag_count(), 1u);
}

TEST(FileWriter, WritesExtendedTimestampsAsTheHighByte) {
    FileWriter writer;
    auto f = writer.frame(8, 0x12345678, 0);
    ASSERT_TRUE(f);
    EXPECT_EQ(base::ByteVector(f->header.begin(), f->header.end()), hex("08 00 00 00 34 56 78 12 00 00 00"));
    EXPECT_EQ(base::ByteVector(f->trailer.begin(), f->trailer.end()), hex("00 00 00 0B"));
}

TEST(FileWriter, WritesAWholeFile) {
    FileWriter writer;
    base::ByteWriter out;
    FileHeader h;
    h.has_audio = true;
    out.bytes(writer.header(h));
    ASSERT_FALSE(writer.write_tag(out, 8, 1000, hex("AF 01 21 10")));
    EXPECT_EQ(out.data(), hex("46 4C 56 01 04 00 00 00 09 00 00 00 00"
                              "08 000004 0003E8 00 000000 AF 01 21 10 0000000F"));
    EXPECT_EQ(writer.bytes_written(), out.size());
}

TEST(FileWriter, RefusesDataAboveTheU24Limit) {
    FileWriter writer;
    EXPECT_TRUE(writer.frame(9, 0, FileWriter::max_data_size));
    const auto before = writer.bytes_written();
    EXPECT_EQ(writer.frame(9, 0, FileWriter::max_data_size + 1).error(), Errc::tag_too_large);
    EXPECT_EQ(writer.bytes_written(), before);
    EXPECT_EQ(writer.tag_count(), 1u);
}

}  // namespace
}  // namespace sluice::flv
