#include "base/payload.hpp"

#include <gtest/gtest.h>

#include "support/hex_literal.hpp"

namespace sluice::base {
namespace {

TEST(Payload, FromVectorKeepsTheStorageWithoutCopying) {
    ByteVector v = test::hex("01 02 03 04");
    const std::uint8_t* original = v.data();
    Payload p = Payload::from(std::move(v));
    EXPECT_EQ(p.data(), original);
    EXPECT_EQ(p.size(), 4u);
}

TEST(Payload, CopiesShareStorageAndCount) {
    Payload p = Payload::copy_of(test::hex("01 02 03"));
    EXPECT_EQ(p.use_count(), 1);
    Payload q = p;
    EXPECT_EQ(p.use_count(), 2);
    EXPECT_EQ(q.data(), p.data());
}

TEST(Payload, SliceSharesStorageAndClamps) {
    Payload p = Payload::copy_of(test::hex("01 02 03 04 05"));
    Payload s = p.slice(1, 3);
    EXPECT_EQ(s.data(), p.data() + 1);
    EXPECT_EQ(s, Payload::copy_of(test::hex("02 03 04")));
    EXPECT_EQ(p.slice(3, 100).size(), 2u);
    EXPECT_TRUE(p.slice(5, 1).empty());
    EXPECT_TRUE(p.slice(99).empty());
    // The slice keeps the storage alive after the original is gone.
    p = Payload{};
    EXPECT_EQ(s.bytes()[0], 0x02);
}

TEST(Payload, EmptyInputsGiveAnEmptyPayload) {
    EXPECT_TRUE(Payload::from(ByteVector{}).empty());
    EXPECT_TRUE(Payload::copy_of(Bytes{}).empty());
    EXPECT_EQ(Payload{}.data(), nullptr);
}

}  // namespace
}  // namespace sluice::base
