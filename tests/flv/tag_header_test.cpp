#include "flv/tag_header.hpp"

#include <gtest/gtest.h>

#include "base/hex.hpp"
#include "support/hex_literal.hpp"

namespace sluice::flv {
namespace {

TEST(TagHeader, DecodesTheAggregateExampleOfTheReference) {
    // REFERENCE.md §1.7: one 4-byte AAC frame at ts 1000.
    const auto bytes = test::hex("08 000004 0003E8 00 000000");
    base::ByteReader in(bytes);
    auto h = TagHeader::decode(in);
    ASSERT_TRUE(h);
    EXPECT_EQ(h->type, static_cast<std::uint8_t>(TagType::audio));
    EXPECT_EQ(h->data_size, 4u);
    EXPECT_EQ(h->timestamp, 1000u);
    EXPECT_EQ(h->stream_id, 0u);
    EXPECT_FALSE(h->filter);
}

TEST(TagHeader, ExtendedTimestampByteIsTheHighByte) {
    const auto bytes = test::hex("29 000010 123456 78 000001");
    base::ByteReader in(bytes);
    auto h = TagHeader::decode(in);
    ASSERT_TRUE(h);
    EXPECT_TRUE(h->filter);
    EXPECT_EQ(h->type, 9);
    EXPECT_EQ(h->timestamp, 0x78123456u);
    base::ByteWriter out;
    h->encode(out);
    EXPECT_EQ(out.data(), bytes);
}

TEST(TagHeader, ShortInputFailsAndLatches) {
    const auto bytes = test::hex("08 000004 0003E8 00 0000");
    base::ByteReader in(bytes);
    EXPECT_FALSE(TagHeader::decode(in));
    EXPECT_TRUE(in.failed());
}

}  // namespace
}  // namespace sluice::flv
