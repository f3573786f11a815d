#include "server/stream_hub.hpp"

#include <gtest/gtest.h>

namespace sluice::server {
namespace {

// The hub only creates LiveStreams here; nothing is posted, so the workers
// need not run.
class StreamHubTest : public ::testing::Test {
protected:
    net::WorkerPool workers_{2};
    StreamHub hub_{workers_, 1024};
};

TEST_F(StreamHubTest, SameKeySameStreamWithTheFirstCallersHome) {
    auto a = hub_.acquire("_definst_/cam", 1);
    auto b = hub_.acquire("_definst_/cam", 0);
    ASSERT_TRUE(a);
    EXPECT_EQ(a, b);
    EXPECT_EQ(a->home(), 1u);
    EXPECT_NE(hub_.acquire("_definst_/other", 0), a);
}

TEST_F(StreamHubTest, EntryLivesUntilTheLastRelease) {
    auto a = hub_.acquire("k", 0);
    auto b = hub_.acquire("k", 0);
    hub_.release(a);
    EXPECT_EQ(hub_.stream_count(), 1u);
    hub_.release(b);
    EXPECT_EQ(hub_.stream_count(), 0u);
    auto c = hub_.acquire("k", 1);
    EXPECT_NE(c, a);  // a fresh stream, homed on the new caller's worker
    EXPECT_EQ(c->home(), 1u);
}

TEST_F(StreamHubTest, OnePublisherAtATime) {
    auto first = hub_.acquire("k", 0);
    auto second = hub_.acquire("k", 1);
    EXPECT_TRUE(hub_.claim_publisher(first));
    EXPECT_FALSE(hub_.claim_publisher(second));
    hub_.release_publisher(first);
    EXPECT_TRUE(hub_.claim_publisher(second));
}

TEST_F(StreamHubTest, PublishedEntryStaysWhileClaimed) {
    auto s = hub_.acquire("k", 0);
    ASSERT_TRUE(hub_.claim_publisher(s));
    hub_.release(s);
    EXPECT_EQ(hub_.stream_count(), 1u);
    hub_.release_publisher(s);
    EXPECT_EQ(hub_.stream_count(), 0u);
}

TEST_F(StreamHubTest, ReferenceLimit) {
    auto a = hub_.acquire("k", 0, 2);
    auto b = hub_.acquire("k", 0, 2);
    EXPECT_TRUE(a);
    EXPECT_TRUE(b);
    EXPECT_FALSE(hub_.acquire("k", 0, 2));
    hub_.release(b);
    EXPECT_TRUE(hub_.acquire("k", 0, 2));
}

TEST_F(StreamHubTest, StaleStreamDoesNotTouchItsSuccessor) {
    auto old = hub_.acquire("k", 0);
    hub_.release(old);  // entry erased
    auto fresh = hub_.acquire("k", 0);
    hub_.release(old);  // a late release of the old object
    EXPECT_EQ(hub_.stream_count(), 1u);
    EXPECT_FALSE(hub_.claim_publisher(old));
    EXPECT_TRUE(hub_.claim_publisher(fresh));
}

}  // namespace
}  // namespace sluice::server
