// rtmp::TransactionTable (STYLE.md §2 item 6): allocation, completion,
// the bound, and duplicate/unknown ids.
#include "rtmp/transaction_table.hpp"

#include <gtest/gtest.h>

#include "rtmp/errors.hpp"

namespace sluice::rtmp {
namespace {

TEST(TransactionTable, AllocatesFromOneAndCompletes) {
    TransactionTable t;
    auto connect = t.begin("connect");
    ASSERT_TRUE(connect);
    EXPECT_EQ(*connect, 1);
    auto create = t.begin("createStream", 42);
    ASSERT_TRUE(create);
    EXPECT_EQ(*create, 2);
    EXPECT_EQ(t.size(), 2u);
    ASSERT_NE(t.find(2), nullptr);
    EXPECT_EQ(t.find(2)->command, "createStream");
    auto done = t.complete(2);
    ASSERT_TRUE(done);
    EXPECT_EQ(*done, (PendingCall{2, "createStream", 42}));
    EXPECT_FALSE(t.complete(2));  // a duplicate _result is not an error, just unknown
    EXPECT_FALSE(t.complete(99));
    EXPECT_EQ(t.size(), 1u);
}

TEST(TransactionTable, BoundedAndSkipsPendingIds) {
    TransactionTable t(3);
    ASSERT_EQ(t.insert(2, "play"), std::error_code{});
    EXPECT_EQ(t.insert(2, "again"), Errc::transaction_id_in_use);
    EXPECT_EQ(t.insert(0, "zero"), Errc::command_malformed);
    auto a = t.begin("a");
    ASSERT_TRUE(a);
    EXPECT_EQ(*a, 1);
    auto b = t.begin("b");  // 2 is pending: skipped
    ASSERT_TRUE(b);
    EXPECT_EQ(*b, 3);
    auto full = t.begin("c");
    ASSERT_FALSE(full);
    EXPECT_EQ(full.error(), Errc::transaction_table_full);
    EXPECT_EQ(t.insert(9, "d"), Errc::transaction_table_full);
    t.clear();
    EXPECT_TRUE(t.empty());
    auto next = t.begin("e");
    ASSERT_TRUE(next);
    EXPECT_EQ(*next, 4);  // ids keep counting after clear()
}

}  // namespace
}  // namespace sluice::rtmp
