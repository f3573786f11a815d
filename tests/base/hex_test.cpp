#include "base/hex.hpp"

#include <gtest/gtest.h>

namespace sluice::base {
namespace {

TEST(Hex, RoundTripsAndIgnoresLayoutCharacters) {
    auto bytes = from_hex("03 | 00 00 3A\n14:ff");
    ASSERT_TRUE(bytes);
    EXPECT_EQ(to_hex(*bytes, " "), "03 00 00 3a 14 ff");
}

TEST(Hex, RejectsOddDigitsAndNonHex) {
    EXPECT_FALSE(from_hex("0"));
    EXPECT_FALSE(from_hex("0g"));
    EXPECT_TRUE(from_hex("")->empty());
}

}  // namespace
}  // namespace sluice::base
