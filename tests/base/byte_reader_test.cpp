#include "base/byte_reader.hpp"

#include <gtest/gtest.h>

#include "support/hex_literal.hpp"

namespace sluice::base {
namespace {

using test::hex;

TEST(ByteReader, ReadsBigEndianAndLittleEndianFields) {
    const auto bytes = hex("01 0203 0405 060708 090A0B0C 0D0E0F10 3FF0000000000000");
    ByteReader r(bytes);
    EXPECT_EQ(r.u8(), 0x01);
    EXPECT_EQ(r.u16be(), 0x0203);
    EXPECT_EQ(r.u16le(), 0x0504);
    EXPECT_EQ(r.u24be(), 0x060708u);
    EXPECT_EQ(r.u32be(), 0x090A0B0Cu);
    EXPECT_EQ(r.u32le(), 0x100F0E0Du);
    EXPECT_EQ(r.f64be(), 1.0);
    EXPECT_TRUE(r.empty());
    EXPECT_FALSE(r.failed());
}

TEST(ByteReader, SignedFieldsSignExtend) {
    const auto bytes = hex("FFFE FFFFFF 800000 7FFFFF FFFFFFFF");
    ByteReader r(bytes);
    EXPECT_EQ(r.i16be(), -2);
    EXPECT_EQ(r.i24be(), -1);
    EXPECT_EQ(r.i24be(), -8388608);
    EXPECT_EQ(r.i24be(), 8388607);
    EXPECT_EQ(r.i32be(), -1);
}

TEST(ByteReader, ReadPastEndLatchesFailureAndReturnsZero) {
    const auto bytes = hex("01 02 03");
    ByteReader r(bytes);
    EXPECT_EQ(r.u32be(), 0u);
    EXPECT_TRUE(r.failed());
    // Latched: even a read that would fit now fails, and nothing is consumed.
    EXPECT_EQ(r.u8(), 0u);
    EXPECT_EQ(r.position(), 0u);
    EXPECT_TRUE(r.bytes(1).empty());
    EXPECT_FALSE(r.skip(1));
}

TEST(ByteReader, BytesAndCharsAreViewsIntoTheInput) {
    const auto bytes = test::cat(hex("02"), test::ascii("abc"));
    ByteReader r(bytes);
    r.skip(1);
    auto view = r.chars(3);
    EXPECT_EQ(view, "abc");
    EXPECT_EQ(static_cast<const void*>(view.data()), static_cast<const void*>(bytes.data() + 1));
    EXPECT_TRUE(r.chars(1).empty());
    EXPECT_TRUE(r.failed());
}

TEST(ByteReader, HugeLengthDoesNotWrapTheBoundsCheck) {
    const auto bytes = hex("01 02");
    ByteReader r(bytes);
    r.u8();
    EXPECT_TRUE(r.bytes(static_cast<std::size_t>(-1)).empty());
    EXPECT_TRUE(r.failed());
}

TEST(ByteReader, PeekDoesNotConsume) {
    const auto bytes = hex("AB");
    ByteReader r(bytes);
    EXPECT_EQ(r.peek_u8(), 0xAB);
    EXPECT_EQ(r.remaining(), 1u);
    EXPECT_EQ(r.u8(), 0xAB);
    EXPECT_EQ(r.peek_u8(), 0);
    EXPECT_TRUE(r.failed());
}

}  // namespace
}  // namespace sluice::base
