#pragma once
// client::LoadStats: the statistics of `sluice bench` (issue 5 item 5):
// per-player states and counters, per-second intervals, stall detection,
// percentiles (median, p99) of time to first frame and of publish→play
// latency, and the text and JSON renderings of both the per-second line
// and the final summary.
//
// Definitions (the bench's header comment and README use the same words):
//  - A player is `connecting` from add_player() until Play.Start
//    (on_play_start, then `playing`), `failed` after on_failed() (connect,
//    play or a later error), `ended` after on_ended() (the server closed or
//    sent end-of-stream cleanly). connected = players that reached
//    Play.Start, whatever came after.
//  - A frame is a coded audio or video message (classify_video /
//    classify_audio: not a sequence header, end of sequence, command frame
//    or silence marker). Bytes count every media payload byte (sequence
//    headers included).
//  - Time to first frame: add_player() → the first video frame; time to
//    first key frame likewise; time to Play.Start: add_player() →
//    on_play_start(). Samples are kept per player (one each), percentiles
//    are exact (nearest rank).
//  - Stall: a playing player that received no media for more than
//    Options::stall_after while the stream is live (tick()'s `live`). The
//    clock of a player starts at Play.Start, and again whenever the stream
//    becomes live (at the start of the first interval tick() is told is
//    live), so a stream that pauses (publisher gone) stalls nobody.
//    A stall episode ends with the next media message; `stalled` counts
//    players that had at least one episode, `stalls` the episodes.
//  - Latency samples come from the caller (on_latency); they go into a
//    fixed-memory LatencyHistogram (10 µs buckets to 100 ms, then 1 ms
//    buckets to 10 s, then one overflow bucket), so a long run at 1000
//    players costs no memory per sample.
//  - Missed frames: the caller reports frames a player did not get
//    (on_missed: a gap in the published sequence; set_tail_missing: frames
//    published after the player's last one when the run ended). Players
//    with either are counted in players_incomplete.
//
// Contract: pure (no clock read, no I/O: times are passed in); not
// thread-safe; memory is O(players) plus two fixed histograms; the media
// hot path (on_media, on_latency) does not allocate.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/byte_reader.hpp"

namespace sluice::client {

/// What a media payload is, from its first bytes (legacy and Enhanced RTMP
/// headers), without allocating: cheap enough for every message of every
/// player.
enum class MediaClass : std::uint8_t {
    config,     ///< sequence header / SequenceStart (codec configuration)
    frame,      ///< a coded frame, not a key frame
    key_frame,  ///< a coded key frame (video only)
    other,      ///< end of sequence, command frame, metadata, silence, empty
};
MediaClass classify_video(base::Bytes payload) noexcept;
MediaClass classify_audio(base::Bytes payload) noexcept;

/// Median and 99th percentile (nearest rank), in milliseconds.
struct Percentiles {
    std::size_t count = 0;  ///< samples; the other fields are 0 when none
    double median = 0;
    double p99 = 0;
    double max = 0;
};

/// Nearest-rank percentiles of `samples_ms` (reordered).
Percentiles percentiles(std::vector<double>& samples_ms);

/// Latency samples in fixed memory (see the file comment for the buckets).
/// A percentile is the upper edge of its bucket; `max` is exact.
class LatencyHistogram {
public:
    static constexpr std::int64_t fine_step_us = 10;
    static constexpr std::int64_t fine_limit_us = 100'000;
    static constexpr std::int64_t coarse_step_us = 1'000;
    static constexpr std::int64_t coarse_limit_us = 10'000'000;

    LatencyHistogram();
    /// Negative values count as 0.
    void add(std::chrono::microseconds value) noexcept;
    void clear() noexcept;
    std::uint64_t count() const noexcept { return count_; }
    Percentiles percentiles() const;

private:
    static constexpr std::size_t fine_buckets = fine_limit_us / fine_step_us;
    static constexpr std::size_t coarse_buckets = (coarse_limit_us - fine_limit_us) / coarse_step_us;
    std::vector<std::uint32_t> buckets_;  ///< fine, then coarse, then overflow
    std::uint64_t count_ = 0;
    std::int64_t max_us_ = 0;
};

/// One per-second report (tick()).
struct LoadInterval {
    double elapsed_s = 0;   ///< since the LoadStats start
    double interval_s = 0;  ///< length of this interval
    std::size_t players = 0;
    std::size_t connecting = 0;
    std::size_t playing = 0;
    std::size_t failed = 0;       ///< so far
    std::size_t ended = 0;        ///< so far
    std::size_t stalled_now = 0;  ///< players inside a stall episode
    std::size_t stalled = 0;      ///< players with a stall so far
    std::uint64_t bytes = 0;      ///< in this interval
    std::uint64_t video_frames = 0;
    std::uint64_t audio_frames = 0;
    Percentiles first_frame;  ///< so far
    Percentiles latency;      ///< in this interval
};

/// What the bench's own publisher did (reported beside the players).
struct PublishSummary {
    std::uint64_t video_frames = 0;
    std::uint64_t audio_frames = 0;
    std::uint64_t bytes = 0;  ///< media payload bytes sent
    std::uint64_t loops = 0;  ///< passes over the file started
    std::string error;        ///< why the publisher stopped early; empty when it did not
};

/// The end-of-run report.
struct LoadSummary {
    std::string url;
    double seconds = 0;  ///< elapsed since the LoadStats start
    std::size_t requested = 0;
    std::size_t connected = 0;
    std::size_t failed = 0;
    std::size_t ended = 0;
    std::size_t stalled = 0;
    std::uint64_t stalls = 0;
    std::uint64_t bytes = 0;
    std::uint64_t video_frames = 0;
    std::uint64_t key_frames = 0;
    std::uint64_t audio_frames = 0;
    std::uint64_t frames_missed = 0;  ///< gaps plus tails over all players
    std::size_t players_incomplete = 0;
    std::uint64_t min_video_frames = 0;  ///< fewest video frames a connected player got
    std::uint64_t max_video_frames = 0;
    Percentiles play_start;  ///< add_player() → Play.Start
    Percentiles first_frame;
    Percentiles first_key_frame;
    Percentiles latency;
    std::string latency_unavailable;  ///< why there is no latency (empty when there is)
    std::optional<PublishSummary> publish;
    std::vector<std::string> failures;  ///< the first few failure reasons, "player 3: ..."
};

class LoadStats {
public:
    using Clock = std::chrono::steady_clock;
    struct Options {
        std::chrono::milliseconds stall_after{2000};
        /// Failure reasons kept for the summary.
        std::size_t max_failures = 10;
    };
    enum class PlayerState : std::uint8_t { connecting, playing, failed, ended };

    LoadStats(Options options, Clock::time_point start);

    /// A player starts connecting at `now`; returns its index.
    std::size_t add_player(Clock::time_point now);
    void on_play_start(std::size_t player, Clock::time_point now);
    void on_failed(std::size_t player, std::string reason);
    void on_ended(std::size_t player);
    /// A media message of `bytes` payload bytes arrived at `now`.
    void on_media(std::size_t player, Clock::time_point now, std::size_t bytes, bool video,
                  MediaClass kind) noexcept;
    void on_latency(std::chrono::microseconds latency) noexcept;
    void on_missed(std::size_t player, std::uint64_t frames) noexcept;
    void set_tail_missing(std::size_t player, std::uint64_t frames) noexcept;

    /// Closes the interval that began at the previous tick (or the start)
    /// and runs stall detection at `now`; `live`: the stream is expected to
    /// flow (see the file comment).
    LoadInterval tick(Clock::time_point now, bool live);
    /// The summary at `now` (latency_unavailable, publish and url are the caller's to fill).
    LoadSummary summary(Clock::time_point now) const;

    PlayerState state(std::size_t player) const { return players_.at(player).state; }
    std::uint64_t video_frames(std::size_t player) const { return players_.at(player).video_frames; }
    std::size_t player_count() const noexcept { return players_.size(); }
    /// True when some player received media in the last stall_after (a
    /// stand-in for "the stream is live" when the bench does not publish).
    bool media_recent(Clock::time_point now) const noexcept;

private:
    struct Player {
        PlayerState state = PlayerState::connecting;
        bool stalled_now = false;
        bool ever_stalled = false;
        bool played = false;  ///< reached Play.Start
        Clock::time_point started;
        Clock::time_point last_media;  ///< Play.Start, then each media message
        std::uint64_t video_frames = 0;
        std::uint64_t missed = 0;
        std::uint64_t tail_missing = 0;
        std::optional<double> first_frame_ms;
        std::optional<double> first_key_ms;
    };

    static double ms_between(Clock::time_point from, Clock::time_point to) noexcept;

    Options options_;
    Clock::time_point start_;
    Clock::time_point last_tick_;
    Clock::time_point live_since_;
    bool live_ = false;
    Clock::time_point last_media_any_{};
    std::vector<Player> players_;
    std::vector<double> play_start_ms_;
    std::vector<double> first_frame_ms_;
    std::vector<double> first_key_ms_;
    std::vector<std::string> failures_;
    std::size_t failed_ = 0;
    std::size_t ended_ = 0;
    std::size_t connected_ = 0;
    std::size_t stalled_ = 0;
    std::uint64_t stalls_ = 0;
    // Totals, and the values at the last tick (the interval is the difference).
    std::uint64_t bytes_ = 0;
    std::uint64_t video_frames_ = 0;
    std::uint64_t key_frames_ = 0;
    std::uint64_t audio_frames_ = 0;
    std::uint64_t tick_bytes_ = 0;
    std::uint64_t tick_video_ = 0;
    std::uint64_t tick_audio_ = 0;
    LatencyHistogram latency_;
    LatencyHistogram interval_latency_;
};

/// One line for stderr, e.g.
/// "bench   3.0 s  200 players: 200 playing 0 connecting 0 failed 0 stalled | 81.2 Mbit/s 5000 frames/s |
///  first frame p50 12.1 ms p99 40.3 ms | latency p50 1.20 ms p99 3.10 ms" (on one line).
std::string render_interval(const LoadInterval& interval);
/// The final report, several lines.
std::string render_summary_text(const LoadSummary& summary);
/// The final report as one JSON object on one line, then a newline. Keys:
/// url, seconds, players {requested, connected, failed, stalled, stalls,
/// ended, incomplete}, bytes, video_frames, key_frames, audio_frames,
/// min/max_video_frames_per_player, play_start_ms, first_frame_ms,
/// first_key_frame_ms, latency_ms (percentiles: {count, median, p99, max}
/// in ms, null without samples), latency_unavailable (null or why),
/// published {video_frames, audio_frames, bytes, loops, error} and
/// frames_missed (both null without a publisher), failures.
std::string render_summary_json(const LoadSummary& summary);

}  // namespace sluice::client
