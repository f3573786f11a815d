#include "base/timestamp.hpp"

#include <gtest/gtest.h>

namespace sluice::base {
namespace {

TEST(Timestamp, SerialOrderAcrossTheWrap) {
    EXPECT_TRUE(serial_less(1, 2));
    EXPECT_FALSE(serial_less(2, 1));
    EXPECT_FALSE(serial_less(5, 5));
    // 0xFFFFFFF0 is just before 0x10 once the clock wraps.
    EXPECT_TRUE(serial_less(0xFFFFFFF0u, 0x10u));
    EXPECT_FALSE(serial_less(0x10u, 0xFFFFFFF0u));
    EXPECT_EQ(serial_diff(0xFFFFFFF0u, 0x10u), 0x20);
    EXPECT_EQ(serial_diff(0x10u, 0xFFFFFFF0u), -0x20);
}

TEST(Timestamp, ExactlyHalfTheSpaceApartIsUnordered) {
    EXPECT_FALSE(serial_less(0, 0x80000000u));
    EXPECT_FALSE(serial_less(0x80000000u, 0));
    EXPECT_TRUE(serial_less(0, 0x7FFFFFFFu));
}

TEST(Timestamp, AddWraps) {
    EXPECT_EQ(serial_add(0xFFFFFFFFu, 2), 1u);
    EXPECT_TRUE(serial_less_equal(7, 7));
}

}  // namespace
}  // namespace sluice::base
