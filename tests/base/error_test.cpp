#include "base/error.hpp"

#include <gtest/gtest.h>

#include <array>

namespace sluice::base {
namespace {

constexpr std::array<ErrorInfo, 2> rows{{
    {"too_big", true, "the thing is too big"},
    {"refused", false, "the command was refused"},
}};

const TableCategory& category() {
    static const TableCategory c("test", rows);
    return c;
}

TEST(TableCategory, MessagesAndClassificationComeFromTheTable) {
    std::error_code fatal(1, category());
    std::error_code soft(2, category());
    EXPECT_EQ(fatal.message(), "the thing is too big");
    EXPECT_TRUE(is_fatal(fatal));
    EXPECT_FALSE(is_fatal(soft));
    EXPECT_FALSE(is_fatal(std::error_code{}));
    EXPECT_EQ(std::error_code(9, category()).message(), "unknown error");
    EXPECT_TRUE(is_fatal(std::make_error_code(std::errc::io_error)));
}

}  // namespace
}  // namespace sluice::base
