#pragma once
// client::Pacer: when each tag of a published file is due, and with which
// timestamp it goes out (`sluice publish`, `sluice bench --publish`).
//
// Pure timing logic: the caller passes the tag's timestamp and "now" on a
// steady clock, and gets back the timestamp to send and the time point at
// which to send it; no clock is read and nothing sleeps here, so every rule
// below is tested with made-up times.
//
// Rules:
//  - Output timestamp = input timestamp + offset (32-bit wrapping). The
//    offset starts at 0, so a file is sent with its own timestamps until one
//    of the cases below moves it.
//  - Due time = anchor time + (output ts − anchor ts) / speed. The anchor is
//    the first tag (sent at once) and is moved by a resync (below).
//    speed 2.0 sends twice as fast as real time. With `pace` false every
//    tag is due at once (timestamps are still rewritten).
//  - Small backward steps (up to max_backward, e.g. audio interleaved a few
//    ms behind video) keep their timestamps: they are due at once. A larger
//    backward step, or a forward step above max_forward (a file spliced
//    from pieces, a muxer restart), is a discontinuity: the offset is moved
//    so the tag goes out at the highest timestamp sent so far plus
//    resync_step and is due now; later tags keep their spacing from there.
//    Nothing sleeps for hours, the server sees a monotonic stream.
//  - start_pass() (for --loop) makes the next tag continue after the
//    highest timestamp sent so far plus the last forward step seen (the
//    frame spacing), so a looped file never goes back in time.
//  - A tag more than max_lateness behind its due time (the input or the
//    network stalled) re-anchors at now: the tags after it are paced from
//    there instead of being sent in a burst to catch up.
//  - Not thread-safe; one pacer per published stream.
#include <chrono>
#include <cstdint>

#include "base/timestamp.hpp"

namespace sluice::client {

struct PacerOptions {
    bool pace = true;    ///< false: every tag is due at once (--no-pace)
    double speed = 1.0;  ///< > 0; 2.0 = twice real time
    /// Backward steps up to this many ms are tolerated as interleaving.
    std::uint32_t max_backward_ms = 1000;
    /// Forward steps above this many ms are a discontinuity (resync).
    std::uint32_t max_forward_ms = 10'000;
    /// Where a resync puts the tag: this many ms after the highest timestamp sent.
    std::uint32_t resync_step_ms = 40;
    /// Lateness beyond which the schedule re-anchors at now.
    std::chrono::milliseconds max_lateness{1000};
};

class Pacer {
public:
    using Clock = std::chrono::steady_clock;

    struct Decision {
        base::Timestamp timestamp = 0;  ///< the timestamp to send
        Clock::time_point due;          ///< when to send it (may be in the past)
        bool resynced = false;          ///< this tag was a discontinuity
    };

    explicit Pacer(PacerOptions options = {}) noexcept;

    /// The timestamp and due time of the next tag, whose file timestamp is `timestamp`.
    Decision schedule(base::Timestamp timestamp, Clock::time_point now) noexcept;

    /// The next tag starts a new pass over the same input (--loop).
    void start_pass() noexcept { pass_start_ = true; }

    /// Discontinuities resynced so far, and re-anchors after lateness.
    std::uint64_t resyncs() const noexcept { return resyncs_; }
    std::uint64_t reanchors() const noexcept { return reanchors_; }
    /// Highest output timestamp so far (0 before the first tag): the media time sent.
    base::Timestamp highest() const noexcept { return highest_; }
    const PacerOptions& options() const noexcept { return options_; }

private:
    Clock::time_point due_of(base::Timestamp out) const noexcept;

    PacerOptions options_;
    bool started_ = false;
    bool pass_start_ = false;
    std::uint32_t offset_ = 0;
    base::Timestamp last_in_ = 0;
    base::Timestamp highest_ = 0;
    std::uint32_t last_step_ = 0;  ///< last forward step seen (ms), the frame spacing for start_pass()
    base::Timestamp anchor_ts_ = 0;
    Clock::time_point anchor_time_{};
    std::uint64_t resyncs_ = 0;
    std::uint64_t reanchors_ = 0;
};

}  // namespace sluice::client
