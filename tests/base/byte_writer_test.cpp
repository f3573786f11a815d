#include "base/byte_writer.hpp"

#include <gtest/gtest.h>

#include <array>

#include "base/hex.hpp"
#include "support/hex_literal.hpp"

namespace sluice::base {
namespace {

TEST(ByteWriter, WritesEveryFieldInWireOrder) {
    ByteWriter w;
    w.u8(0x01);
    w.u16be(0x0203);
    w.u16le(0x0405);
    w.u24be(0x060708);
    w.u32be(0x090A0B0C);
    w.u32le(0x0D0E0F10);
    w.f64be(1.0);
    w.i24be(-1);
    w.chars("ab");
    EXPECT_EQ(to_hex(w.data()), "0102030504060708090a0b0c100f0e0d3ff0000000000000ffffff6162");
}

TEST(ByteWriter, PatchOverwritesInRangeOnly) {
    ByteWriter w;
    w.u32be(0);
    EXPECT_TRUE(w.patch(1, test::hex("AA BB")));
    EXPECT_FALSE(w.patch(3, test::hex("AA BB")));
    EXPECT_EQ(to_hex(w.data()), "00aabb00");
}

TEST(SpanWriter, OverflowWritesNothingAndLatches) {
    std::array<std::uint8_t, 5> buf{};
    SpanWriter w(buf);
    w.u32be(0x01020304);
    w.u16be(0x0506);  // does not fit: nothing written
    EXPECT_TRUE(w.overflowed());
    w.u8(0x07);  // latched: ignored even though one byte would fit
    EXPECT_EQ(w.size(), 4u);
    EXPECT_EQ(to_hex(w.written()), "01020304");
    EXPECT_EQ(buf[4], 0);
}

}  // namespace
}  // namespace sluice::base
