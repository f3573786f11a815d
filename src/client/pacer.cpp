#include "client/pacer.hpp"

namespace sluice::client {

Pacer::Pacer(PacerOptions options) noexcept : options_(options) {
    // A zero or negative speed would divide by zero or run time backwards;
    // the command line rejects it, this keeps the class total anyway.
    if (!(options_.speed > 0)) options_.speed = 1.0;
}

Pacer::Clock::time_point Pacer::due_of(base::Timestamp out) const noexcept {
    // Signed: a tag slightly behind the anchor (interleaving) is due just
    // before it, i.e. at once.
    const double ms = static_cast<double>(base::serial_diff(anchor_ts_, out)) / options_.speed;
    return anchor_time_ + std::chrono::microseconds(static_cast<std::int64_t>(ms * 1000.0));
}

Pacer::Decision Pacer::schedule(base::Timestamp timestamp, Clock::time_point now) noexcept {
    Decision d;
    if (!started_) {
        started_ = true;
        pass_start_ = false;
        offset_ = 0;
        last_in_ = timestamp;
        highest_ = timestamp;
        anchor_ts_ = timestamp;
        anchor_time_ = now;
        d.timestamp = timestamp;
        d.due = now;
        return d;
    }
    if (pass_start_) {
        // The new pass continues one frame after the previous one ended.
        pass_start_ = false;
        const std::uint32_t step = last_step_ != 0 ? last_step_ : options_.resync_step_ms;
        offset_ = base::serial_add(highest_, step) - timestamp;
        last_in_ = timestamp;
    }
    const std::int32_t step = base::serial_diff(last_in_, timestamp);
    last_in_ = timestamp;
    const bool backward_jump = step < 0 && -static_cast<std::int64_t>(step) > options_.max_backward_ms;
    const bool forward_jump = step > 0 && static_cast<std::uint32_t>(step) > options_.max_forward_ms;
    if (backward_jump || forward_jump) {
        offset_ = base::serial_add(highest_, options_.resync_step_ms) - timestamp;
        ++resyncs_;
        d.resynced = true;
    } else if (step > 0) {
        last_step_ = static_cast<std::uint32_t>(step);
    }
    const base::Timestamp out = timestamp + offset_;
    if (base::serial_less(highest_, out)) highest_ = out;
    d.timestamp = out;
    if (!options_.pace) {
        d.due = now;
        return d;
    }
    if (d.resynced) {
        // The discontinuity is due now; the tags after it keep their spacing from here.
        anchor_ts_ = out;
        anchor_time_ = now;
        d.due = now;
        return d;
    }
    d.due = due_of(out);
    if (now - d.due > options_.max_lateness) {
        anchor_ts_ = out;
        anchor_time_ = now;
        d.due = now;
        ++reanchors_;
    }
    return d;
}

}  // namespace sluice::client
