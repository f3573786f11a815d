#include "client/pacer.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace sluice::client {
namespace {

using namespace std::chrono_literals;
using Clock = Pacer::Clock;

const Clock::time_point t0 = Clock::time_point{} + 1000s;

TEST(Pacer, FirstTagIsDueAtOnceWithItsOwnTimestamp) {
    Pacer pacer;
    const auto d = pacer.schedule(5000, t0);
    EXPECT_EQ(d.timestamp, 5000u);
    EXPECT_EQ(d.due, t0);
    EXPECT_FALSE(d.resynced);
}

TEST(Pacer, PacesByTimestampFromTheFirstTag) {
    Pacer pacer;
    (void)pacer.schedule(1000, t0);
    // Asked early (the caller read ahead): due 40 ms and 1 s after the first.
    EXPECT_EQ(pacer.schedule(1040, t0 + 1ms).due, t0 + 40ms);
    EXPECT_EQ(pacer.schedule(2000, t0 + 2ms).due, t0 + 1000ms);
    EXPECT_EQ(pacer.schedule(2000, t0 + 2ms).timestamp, 2000u);
}

TEST(Pacer, SpeedDividesTheWait) {
    Pacer pacer(PacerOptions{.speed = 2.0});
    (void)pacer.schedule(0, t0);
    EXPECT_EQ(pacer.schedule(1000, t0).due, t0 + 500ms);
    Pacer slow(PacerOptions{.speed = 0.5});
    (void)slow.schedule(0, t0);
    EXPECT_EQ(slow.schedule(100, t0).due, t0 + 200ms);
}

TEST(Pacer, NoPaceMakesEveryTagDueNow) {
    Pacer pacer(PacerOptions{.pace = false});
    (void)pacer.schedule(0, t0);
    const auto d = pacer.schedule(9'000, t0 + 5ms);
    EXPECT_EQ(d.due, t0 + 5ms);
    EXPECT_EQ(d.timestamp, 9'000u);
}

TEST(Pacer, SmallBackwardStepsKeepTheirTimestamps) {
    Pacer pacer;
    (void)pacer.schedule(0, t0);
    (void)pacer.schedule(40, t0);
    // Audio interleaved 17 ms behind the video: sent as it is, due already.
    const auto d = pacer.schedule(23, t0 + 40ms);
    EXPECT_EQ(d.timestamp, 23u);
    EXPECT_FALSE(d.resynced);
    EXPECT_EQ(d.due, t0 + 23ms);
    EXPECT_EQ(pacer.resyncs(), 0u);
}

TEST(Pacer, LargeBackwardJumpResyncsAfterTheHighestTimestamp) {
    Pacer pacer;
    (void)pacer.schedule(0, t0);
    (void)pacer.schedule(5000, t0 + 5000ms);
    // The file restarts at 0 (a spliced recording): continue at 5040, now.
    const auto d = pacer.schedule(0, t0 + 5010ms);
    EXPECT_TRUE(d.resynced);
    EXPECT_EQ(d.timestamp, 5040u);
    EXPECT_EQ(d.due, t0 + 5010ms);
    // The tags after it keep their spacing from there.
    const auto next = pacer.schedule(40, t0 + 5011ms);
    EXPECT_EQ(next.timestamp, 5080u);
    EXPECT_EQ(next.due, t0 + 5050ms);
    EXPECT_EQ(pacer.resyncs(), 1u);
}

TEST(Pacer, FarForwardJumpDoesNotSleepForHours) {
    Pacer pacer;
    (void)pacer.schedule(0, t0);
    (void)pacer.schedule(40, t0 + 40ms);
    const auto d = pacer.schedule(3'600'000, t0 + 41ms);
    EXPECT_TRUE(d.resynced);
    EXPECT_EQ(d.timestamp, 80u);
    EXPECT_EQ(d.due, t0 + 41ms);
    // A forward step below the limit is paced normally.
    Pacer calm(PacerOptions{.max_forward_ms = 10'000});
    (void)calm.schedule(0, t0);
    const auto gap = calm.schedule(9'000, t0);
    EXPECT_FALSE(gap.resynced);
    EXPECT_EQ(gap.due, t0 + 9000ms);
}

TEST(Pacer, LoopContinuesAfterTheLastPass) {
    Pacer pacer;
    std::vector<base::Timestamp> out;
    for (int pass = 0; pass < 3; ++pass) {
        if (pass > 0) pacer.start_pass();
        for (base::Timestamp ts : {0u, 40u, 80u}) out.push_back(pacer.schedule(ts, t0).timestamp);
    }
    // One frame spacing (40 ms) after the previous pass's last tag.
    EXPECT_EQ(out, (std::vector<base::Timestamp>{0, 40, 80, 120, 160, 200, 240, 280, 320}));
    EXPECT_EQ(pacer.resyncs(), 0u);
    EXPECT_EQ(pacer.highest(), 320u);
}

TEST(Pacer, LoopOfAFileNotStartingAtZeroIsStillPacedContinuously) {
    Pacer pacer;
    (void)pacer.schedule(1000, t0);
    (void)pacer.schedule(1100, t0);
    pacer.start_pass();
    const auto d = pacer.schedule(1000, t0 + 100ms);
    EXPECT_EQ(d.timestamp, 1200u);
    EXPECT_EQ(d.due, t0 + 200ms);
}

TEST(Pacer, ReanchorsWhenFarBehindInsteadOfBursting) {
    Pacer pacer(PacerOptions{.max_lateness = 1000ms});
    (void)pacer.schedule(0, t0);
    // The input stalled for 3 s: this tag is 2.96 s late.
    const auto late = pacer.schedule(40, t0 + 3000ms);
    EXPECT_EQ(late.due, t0 + 3000ms);
    EXPECT_EQ(pacer.reanchors(), 1u);
    // The next is paced from the late one, not due at once.
    EXPECT_EQ(pacer.schedule(80, t0 + 3001ms).due, t0 + 3040ms);
    // Slightly late (within the limit): due in the past, no re-anchor.
    EXPECT_EQ(pacer.schedule(120, t0 + 3500ms).due, t0 + 3080ms);
    EXPECT_EQ(pacer.reanchors(), 1u);
}

TEST(Pacer, TimestampsWrapAt32Bits) {
    Pacer pacer;
    (void)pacer.schedule(0xFFFF'FFF0u, t0);
    const auto d = pacer.schedule(0x10, t0);
    EXPECT_FALSE(d.resynced);
    EXPECT_EQ(d.timestamp, 0x10u);
    EXPECT_EQ(d.due, t0 + 32ms);
}

TEST(Pacer, ZeroSpeedFallsBackToRealTime) {
    Pacer pacer(PacerOptions{.speed = 0});
    (void)pacer.schedule(0, t0);
    EXPECT_EQ(pacer.schedule(100, t0).due, t0 + 100ms);
}

}  // namespace
}  // namespace sluice::client
